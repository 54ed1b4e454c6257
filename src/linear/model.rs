//! [`LinearModel`]: a fitted linear classifier's state (what training makes and prediction
//! uses).

use serde::{Deserialize, Serialize};

use super::params::{n_outputs_of, ModelKind};
use crate::error::{Error, Result};

/// A fitted linear classifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub kind: ModelKind,
    /// n_outputs x n_features, row-major. n_outputs is 1 for a two-class multi-class
    /// problem (the score of class 1), else n_classes.
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub n_features: usize,
    pub n_classes: usize,
    pub multilabel: bool,
    pub converged: bool,
    /// Iterations (epochs for coordinate descent) per output; one entry for L-BFGS.
    pub n_iter: Vec<usize>,
    /// Platt (A, B) per output, when fitted with `probability`.
    pub platt: Option<Vec<(f64, f64)>>,
}

impl LinearModel {
    /// Number of score columns: 1 for a two-class multi-class model, else n_classes.
    pub fn n_outputs(&self) -> usize {
        n_outputs_of(self.multilabel, self.n_classes)
    }

    /// A copy with other weights (scikit-learn lets users assign `coef_` and `intercept_`):
    /// `coef` is n_outputs x n_features, row-major, and is rounded to float32 like fitted
    /// weights; `intercept` has one value per output. Platt scaling, if any, is kept.
    pub fn with_weights(&self, coef: &[f64], intercept: &[f64]) -> Result<LinearModel> {
        let (rows, cols) = (self.n_outputs(), self.n_features);
        if coef.len() != rows * cols {
            return Err(Error::value(format!(
                "coef_ must have shape ({rows}, {cols}), got {} values",
                coef.len()
            )));
        }
        if intercept.len() != rows {
            return Err(Error::value(format!(
                "intercept_ must have shape ({rows},), got {} values",
                intercept.len()
            )));
        }
        if coef.iter().chain(intercept).any(|v| !v.is_finite()) {
            return Err(Error::value("coef_ and intercept_ must be finite"));
        }
        let mut m = self.clone();
        m.coef = coef.iter().map(|&v| v as f32 as f64).collect();
        m.intercept = intercept.to_vec();
        Ok(m)
    }
}

#[cfg(test)]
impl LinearModel {
    /// A converged squared-hinge SVM with these weights, for tests: `coef` is n_outputs x
    /// n_features (n_outputs = `intercept.len()`), `n_iter` epochs per output, no Platt
    /// scaling.
    pub(crate) fn test_svm(n_classes: usize, multilabel: bool, coef: Vec<f64>, intercept: Vec<f64>, n_iter: usize) -> Self {
        let n_out = intercept.len();
        LinearModel {
            kind: ModelKind::Svm { hinge: false },
            n_features: coef.len() / n_out.max(1),
            coef,
            intercept,
            n_classes,
            multilabel,
            converged: true,
            n_iter: vec![n_iter; n_out],
            platt: None,
        }
    }
}

#[cfg(test)]
mod with_weights_tests {
    use super::*;

    #[test]
    fn replaces_and_rounds() {
        let m = LinearModel::test_svm(2, false, vec![0.0; 3], vec![0.0], 1);
        let w = m.with_weights(&[0.1, 2.0, -3.0], &[0.5]).unwrap();
        assert_eq!(w.coef, vec![0.1f32 as f64, 2.0, -3.0]);
        assert_eq!(w.intercept, vec![0.5]);
        assert!(m.with_weights(&[1.0], &[0.0]).is_err());
        assert!(m.with_weights(&[1.0, 1.0, f64::NAN], &[0.0]).is_err());
    }
}
