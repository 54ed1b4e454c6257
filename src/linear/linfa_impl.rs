//! linfa integration: our [`CsrMatrix`] is a linfa `Records` type, [`LinearParams`] fits a
//! linfa `Dataset` (CSR or dense `Array2` records, `usize` class targets, optional sample
//! weights) and [`LinearModel`] predicts class indices through linfa's `Predict`.
//!
//! linfa's `PredictInplace` cannot return an error: columns beyond the model's features are
//! ignored there and missing ones count as zero. Use [`LinearModel::decision_function`] for
//! checked prediction.

use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, PredictInplace};
use ndarray::{Array1, ArrayBase, Data, Ix1, Ix2};

use super::fit::fit;
use super::model::LinearModel;
use super::params::{LinearParams, Target};
use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, Real};

impl<T: Real> Records for CsrMatrix<T> {
    type Elem = T;
    fn nsamples(&self) -> usize {
        self.n_rows
    }
    fn nfeatures(&self) -> usize {
        self.n_cols
    }
}

impl From<linfa::Error> for Error {
    fn from(e: linfa::Error) -> Self {
        Error::value(e.to_string())
    }
}

/// A dense ndarray matrix as CSR (zeros not stored).
pub fn csr_from_array2<T: Real, D: Data<Elem = T>>(a: &ArrayBase<D, Ix2>) -> CsrMatrix<T> {
    let (n, m) = a.dim();
    let mut indptr = Vec::with_capacity(n + 1);
    indptr.push(0);
    let mut indices = Vec::new();
    let mut data = Vec::new();
    for row in a.rows() {
        for (j, &v) in row.iter().enumerate() {
            if v != T::zero() {
                indices.push(j as u32);
                data.push(v);
            }
        }
        indptr.push(indices.len());
    }
    CsrMatrix { n_rows: n, n_cols: m, indptr, indices, data }
}

fn target_of<S: Data<Elem = usize>>(t: &ArrayBase<S, Ix1>) -> Target {
    let y: Vec<usize> = t.iter().copied().collect();
    let n_classes = y.iter().copied().max().map_or(0, |m| m + 1);
    Target::Multiclass { y, n_classes }
}

fn weights_of<R: Records, S>(ds: &DatasetBase<R, S>) -> Option<Vec<f64>> {
    ds.weights().map(|w| w.iter().map(|&v| v as f64).collect())
}

impl<T: Real, S: Data<Elem = usize>> Fit<CsrMatrix<T>, ArrayBase<S, Ix1>, Error> for LinearParams {
    type Object = LinearModel;
    fn fit(&self, ds: &DatasetBase<CsrMatrix<T>, ArrayBase<S, Ix1>>) -> Result<LinearModel> {
        let sw = weights_of(ds);
        fit(&ds.records, &target_of(&ds.targets), sw.as_deref(), self, None)
    }
}

impl<T: Real, D: Data<Elem = T>, S: Data<Elem = usize>> Fit<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>, Error>
    for LinearParams
{
    type Object = LinearModel;
    fn fit(&self, ds: &DatasetBase<ArrayBase<D, Ix2>, ArrayBase<S, Ix1>>) -> Result<LinearModel> {
        let sw = weights_of(ds);
        let x = csr_from_array2(&ds.records);
        fit(&x, &target_of(&ds.targets), sw.as_deref(), self, None)
    }
}

impl<T: Real> PredictInplace<CsrMatrix<T>, Array1<usize>> for LinearModel {
    fn predict_inplace(&self, x: &CsrMatrix<T>, y: &mut Array1<usize>) {
        let scores = self.scores(x);
        for (t, p) in y.iter_mut().zip(self.predict_labels(&scores)) {
            *t = p;
        }
    }
    fn default_target(&self, x: &CsrMatrix<T>) -> Array1<usize> {
        Array1::zeros(x.n_rows)
    }
}

impl<T: Real, D: Data<Elem = T>> PredictInplace<ArrayBase<D, Ix2>, Array1<usize>> for LinearModel {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<usize>) {
        let csr = csr_from_array2(x);
        self.predict_inplace(&csr, y)
    }
    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}
