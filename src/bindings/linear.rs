//! Bindings for crate::linear: one pyclass, `LinearClassifier`, wrapping a fitted
//! [`LinearModel`]. `topictag._linear` builds the scikit-learn classes on it.

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use super::common::{pymethods_with_getters, csr_from_py, CsrAny};
use super::interrupt;
use super::persist::{from_py_bytes, to_py_bytes};
use crate::linear::{self, ClassWeight, FeatureMajor, LinearModel, LinearParams, ModelKind, Penalty, Target};

/// When `x` is a `(data, indices, indptr, shape)` tuple of contiguous numpy arrays of the
/// usual dtypes (float32/float64 data, int32/int64 indices and row pointers of one dtype, as
/// scipy makes them), binds `v` to a borrowed [`crate::sparse::CsrView`] of them (checked)
/// and returns `body` from the enclosing function; otherwise does nothing.
macro_rules! return_with_borrowed_csr {
    ($x:expr, |$v:ident| $body:expr) => {
        if let Ok(t) = $x.cast::<PyTuple>() {
            if t.len() == 4 {
                if let Ok(shape) = t.get_item(3)?.extract::<(usize, usize)>() {
                    let (d, ind, ptr) = (t.get_item(0)?, t.get_item(1)?, t.get_item(2)?);
                    return_with_borrowed_csr!(@try f64, i32, d, ind, ptr, shape, $v, $body);
                    return_with_borrowed_csr!(@try f32, i32, d, ind, ptr, shape, $v, $body);
                    return_with_borrowed_csr!(@try f64, i64, d, ind, ptr, shape, $v, $body);
                    return_with_borrowed_csr!(@try f32, i64, d, ind, ptr, shape, $v, $body);
                }
            }
        }
    };
    (@try $t:ty, $i:ty, $data:ident, $ind:ident, $ptr:ident, $shape:ident, $v:ident, $body:expr) => {{
        let (d, i, p) = (
            $data.extract::<PyReadonlyArray1<$t>>(),
            $ind.extract::<PyReadonlyArray1<$i>>(),
            $ptr.extract::<PyReadonlyArray1<$i>>(),
        );
        if let (Ok(d), Ok(i), Ok(p)) = (d, i, p) {
            if let (Ok(d), Ok(i), Ok(p)) = (d.as_slice(), i.as_slice(), p.as_slice()) {
                let (n_rows, n_cols) = $shape;
                let $v = crate::sparse::CsrView::new(n_rows, n_cols, p, i, d)?;
                return $body;
            }
        }
    }};
}

#[pyclass(module = "topictag._core", name = "LinearClassifier", frozen)]
pub struct PyLinearClassifier {
    model: LinearModel,
    /// Feature-major weights, computed at the first prediction and kept.
    feature_major: std::sync::OnceLock<FeatureMajor>,
}

impl PyLinearClassifier {
    /// The fitted model (for the pipeline bindings).
    pub(crate) fn model(&self) -> &LinearModel {
        &self.model
    }
}

/// Fit on a CSR tuple from Python (`fit`'s reading: contiguous numpy arrays in place), with
/// the GIL released; for the pipeline's streaming fit.
pub(crate) fn fit_from_py(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    target: &Target,
    params: &LinearParams,
    n_jobs: Option<i64>,
) -> PyResult<LinearModel> {
    return_with_borrowed_csr!(x, |v| interrupt::run(py, || linear::fit_view(&v, target, None, params, n_jobs, None)));
    let x = csr_in(x)?;
    interrupt::run(py, || match &x {
        CsrAny::F32(m) => linear::fit(m, target, None, params, n_jobs),
        CsrAny::F64(m) => linear::fit(m, target, None, params, n_jobs),
    })
}

fn parse_kind(kind: &str) -> PyResult<ModelKind> {
    Ok(match kind {
        "svm_squared_hinge" => ModelKind::Svm { hinge: false },
        "svm_hinge" => ModelKind::Svm { hinge: true },
        "logistic_multinomial" => ModelKind::Logistic { multinomial: true },
        "logistic_ovr" => ModelKind::Logistic { multinomial: false },
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown model kind {other:?}; expected 'svm_squared_hinge', 'svm_hinge', \
                 'logistic_multinomial' or 'logistic_ovr'"
            )))
        }
    })
}

/// `penalty` ('l2', 'l1' or 'elasticnet') and `l1_ratio` (elastic net only) as a [`Penalty`].
pub(crate) fn parse_penalty(penalty: &str, l1_ratio: f64) -> PyResult<Penalty> {
    Ok(match penalty {
        "l2" => Penalty::L2,
        "l1" => Penalty::L1,
        "elasticnet" => Penalty::ElasticNet { l1_ratio },
        other => {
            return Err(PyValueError::new_err(format!(
                "unknown penalty {other:?}; expected 'l2', 'l1' or 'elasticnet'"
            )))
        }
    })
}

fn kind_name(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::Svm { hinge: false } => "svm_squared_hinge",
        ModelKind::Svm { hinge: true } => "svm_hinge",
        ModelKind::Logistic { multinomial: true } => "logistic_multinomial",
        ModelKind::Logistic { multinomial: false } => "logistic_ovr",
    }
}

fn index_array(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<usize>> {
    let a: PyReadonlyArray1<i64> = obj
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be an int64 numpy array")))?;
    a.as_array()
        .iter()
        .map(|&v| {
            usize::try_from(v)
                .map_err(|_| PyValueError::new_err(format!("{what} has a negative entry")))
        })
        .collect()
}

/// y: int64 class indices (multi-class), or `(indptr, indices)` int64 arrays (multi-label).
fn parse_target(y: &Bound<'_, PyAny>, multilabel: bool, n_classes: usize) -> PyResult<Target> {
    if !multilabel {
        return Ok(Target::Multiclass { y: index_array(y, "y")?, n_classes });
    }
    let t = y.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err("multi-label y must be an (indptr, indices) tuple of int64 arrays")
    })?;
    if t.len() != 2 {
        return Err(PyTypeError::new_err("multi-label y must be an (indptr, indices) tuple"));
    }
    let indptr = index_array(&t.get_item(0)?, "y indptr")?;
    let indices = index_array(&t.get_item(1)?, "y indices")?;
    if indptr.is_empty()
        || indptr[0] != 0
        || indptr.windows(2).any(|w| w[0] > w[1])
        || *indptr.last().unwrap_or(&0) != indices.len()
    {
        return Err(PyValueError::new_err("malformed multi-label y (indptr)"));
    }
    let sets = indptr.windows(2).map(|w| indices[w[0]..w[1]].to_vec()).collect();
    Ok(Target::Multilabel { y: sets, n_classes })
}

fn parse_class_weight(cw: &Bound<'_, PyAny>) -> PyResult<ClassWeight> {
    if cw.is_none() {
        return Ok(ClassWeight::None);
    }
    if let Ok(s) = cw.cast::<PyString>() {
        if s.to_cow()? == "balanced" {
            return Ok(ClassWeight::Balanced);
        }
        return Err(PyValueError::new_err(format!(
            "class_weight must be None, 'balanced' or a dict, got {:?}",
            s.to_cow()?
        )));
    }
    if let Ok(l) = cw.cast::<PyList>() {
        let v: Vec<f64> = l.extract()?;
        return Ok(ClassWeight::Explicit(v));
    }
    Err(PyTypeError::new_err("class_weight must be None, 'balanced' or a list of floats"))
}

fn array2<'py>(py: Python<'py>, v: Vec<f64>, rows: usize, cols: usize) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyArray1::from_vec(py, v).reshape([rows, cols])?.into_any())
}

/// A contiguous int32 or int64 numpy array converted to `U` in one pass; `None` when `obj` is
/// neither (the caller falls back to the common parser).
fn int_array<U: TryFrom<i64>>(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<Vec<U>>> {
    fn convert<U: TryFrom<i64>>(v: impl Iterator<Item = i64>, what: &str) -> PyResult<Vec<U>> {
        v.map(|x| {
            U::try_from(x).map_err(|_| {
                PyValueError::new_err(if x < 0 {
                    format!("{what} has a negative entry")
                } else {
                    format!("{what} has an entry out of range ({x})")
                })
            })
        })
        .collect()
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i32>>() {
        let Ok(v) = a.as_slice() else { return Ok(None) };
        return convert(v.iter().map(|&x| x as i64), what).map(Some);
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i64>>() {
        let Ok(v) = a.as_slice() else { return Ok(None) };
        return convert(v.iter().copied(), what).map(Some);
    }
    Ok(None)
}

/// The `(data, indices, indptr, shape)` tuple as a checked CSR matrix, like
/// `common::csr_from_py` but converting int32/int64 indices to u32 in one pass (prediction
/// on large matrices is dominated by this copy). Other inputs fall back to the common parser.
fn csr_in(obj: &Bound<'_, PyAny>) -> PyResult<CsrAny> {
    fn fast(obj: &Bound<'_, PyAny>) -> PyResult<Option<CsrAny>> {
        let Ok(t) = obj.cast::<PyTuple>() else { return Ok(None) };
        if t.len() != 4 {
            return Ok(None);
        }
        let (n_rows, n_cols): (usize, usize) = match t.get_item(3)?.extract() {
            Ok(v) => v,
            Err(_) => return Ok(None),
        };
        let Some(indices) = int_array::<u32>(&t.get_item(1)?, "indices")? else { return Ok(None) };
        let Some(indptr) = int_array::<usize>(&t.get_item(2)?, "indptr")? else { return Ok(None) };
        let d = t.get_item(0)?;
        if let Ok(a) = d.extract::<PyReadonlyArray1<f32>>() {
            let data = match a.as_slice() { Ok(v) => v, Err(_) => return Ok(None) }.to_vec();
            return Ok(Some(CsrAny::F32(crate::sparse::CsrMatrix::new(n_rows, n_cols, indptr, indices, data)?)));
        }
        if let Ok(a) = d.extract::<PyReadonlyArray1<f64>>() {
            let data = match a.as_slice() { Ok(v) => v, Err(_) => return Ok(None) }.to_vec();
            return Ok(Some(CsrAny::F64(crate::sparse::CsrMatrix::new(n_rows, n_cols, indptr, indices, data)?)));
        }
        Ok(None)
    }
    match fast(obj)? {
        Some(m) => Ok(m),
        None => csr_from_py(obj),
    }
}

// The pymethods block, in a macro that adds the getters it lists (not indented, to keep
// the history of the methods readable).
pymethods_with_getters! {
impl PyLinearClassifier {
    getters(m = self.model) {
        n_features: usize = m.n_features,
        n_classes: usize = m.n_classes,
        n_outputs: usize = m.n_outputs(),
        multilabel: bool = m.multilabel,
        converged: bool = m.converged,
        n_iter: Vec<usize> = m.n_iter.clone(),
        has_platt: bool = m.platt.is_some(),
        kind: &'static str = kind_name(m.kind),
    }

    /// Fit. See `topictag._linear` for the meaning of every argument.
    #[staticmethod]
    #[pyo3(signature = (x, y, multilabel, n_classes, sample_weight, kind, c, class_weight, tol, max_iter, fit_intercept, intercept_scaling, random_state, probability, n_jobs, init=None, penalty="l2", l1_ratio=0.0))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        multilabel: bool,
        n_classes: usize,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        kind: &str,
        c: f64,
        class_weight: &Bound<'_, PyAny>,
        tol: f64,
        max_iter: usize,
        fit_intercept: bool,
        intercept_scaling: f64,
        random_state: u64,
        probability: bool,
        n_jobs: Option<i64>,
        init: Option<PyRef<'_, PyLinearClassifier>>,
        penalty: &str,
        l1_ratio: f64,
    ) -> PyResult<Self> {
        let target = parse_target(y, multilabel, n_classes)?;
        // warm_start: the previous model's weights (copied: the GIL is released below)
        let init: Option<LinearModel> = init.map(|m| m.model.clone());
        let init = init.as_ref();
        let sw: Option<Vec<f64>> = sample_weight.map(|a| a.as_array().to_vec());
        let params = LinearParams {
            kind: parse_kind(kind)?,
            c,
            class_weight: parse_class_weight(class_weight)?,
            tol,
            max_iter,
            fit_intercept,
            intercept_scaling,
            random_state,
            probability,
            penalty: parse_penalty(penalty, l1_ratio)?,
        };
        let sw = sw.as_deref();
        // The model and, computed once here rather than at the first predict, the
        // prediction layout of its weights.
        let finish = |model: LinearModel| -> crate::error::Result<(LinearModel, std::sync::OnceLock<FeatureMajor>)> {
            let fm = std::sync::OnceLock::new();
            if model.n_outputs() > 1 {
                let _ = fm.set(model.feature_major_weights(n_jobs)?);
            }
            Ok((model, fm))
        };
        // Contiguous numpy arrays of the usual dtypes (as scipy makes them) are read in place;
        // anything else goes through the copying parser.
        return_with_borrowed_csr!(x, |v| {
            let (model, fm) =
                interrupt::run(py, || finish(linear::fit_view(&v, &target, sw, &params, n_jobs, init)?))?;
            crate::hw::release_free_memory();
            Ok(PyLinearClassifier { model, feature_major: fm })
        });
        let x = csr_in(x)?;
        let (model, fm) = interrupt::run(py, || {
            finish(match &x {
                CsrAny::F32(m) => linear::fit_view(&m.view(), &target, sw, &params, n_jobs, init),
                CsrAny::F64(m) => linear::fit_view(&m.view(), &target, sw, &params, n_jobs, init),
            }?)
        })?;
        crate::hw::release_free_memory();
        Ok(PyLinearClassifier { model, feature_major: fm })
    }

    /// A classifier from weights trained elsewhere (the Dask solvers): `coef` of shape
    /// (n_outputs, n_features), `intercept` (n_outputs,), rounded to float32 as the local
    /// solvers' weights are.
    #[staticmethod]
    #[pyo3(signature = (kind, coef, intercept, n_classes, multilabel, converged, n_iter))]
    #[allow(clippy::too_many_arguments)]
    fn from_coef(
        kind: &str,
        coef: PyReadonlyArray2<'_, f64>,
        intercept: PyReadonlyArray1<'_, f64>,
        n_classes: usize,
        multilabel: bool,
        converged: bool,
        n_iter: Vec<usize>,
    ) -> PyResult<Self> {
        let kind = parse_kind(kind)?;
        if n_classes < 2 {
            return Err(PyValueError::new_err(format!("n_classes must be at least 2, got {n_classes}")));
        }
        let n_out = if multilabel || n_classes > 2 { n_classes } else { 1 };
        let shape = coef.shape();
        if shape[0] != n_out {
            return Err(PyValueError::new_err(format!(
                "coef has {} rows; {n_classes} classes need {n_out}", shape[0]
            )));
        }
        if intercept.len() != n_out {
            return Err(PyValueError::new_err(format!(
                "intercept has {} values; expected {n_out}", intercept.len()
            )));
        }
        let coef: Vec<f64> = coef.as_array().iter().map(|&w| w as f32 as f64).collect();
        if coef.iter().chain(intercept.as_array().iter()).any(|w| !w.is_finite()) {
            return Err(PyValueError::new_err("coef and intercept must be finite"));
        }
        let model = LinearModel {
            kind,
            coef,
            intercept: intercept.as_array().to_vec(),
            n_features: shape[1],
            n_classes,
            multilabel,
            converged,
            n_iter,
            platt: None,
        };
        Ok(PyLinearClassifier { model, feature_major: std::sync::OnceLock::new() })
    }

    /// Decision values, shape (n_rows, n_outputs).
    #[pyo3(signature = (x, n_jobs=None))]
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (s, n) = self.scores_py(py, x, n_jobs)?;
        array2(py, s, n, self.model.n_outputs())
    }

    /// Probabilities, shape (n_rows, n_classes).
    #[pyo3(signature = (x, n_jobs=None))]
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let (s, n) = self.scores_py(py, x, n_jobs)?;
        let p = py.detach(|| self.model.proba_from_scores(&s))?;
        array2(py, p, n, self.model.n_classes)
    }

    /// Class indices from decision values (multi-class).
    fn predict_labels<'py>(
        &self,
        py: Python<'py>,
        scores: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let s = self.scores_vec(&scores, self.model.n_outputs())?;
        let v: Vec<i64> = self.model.predict_labels(&s).into_iter().map(|c| c as i64).collect();
        Ok(PyArray1::from_vec(py, v))
    }

    /// Label sets from per-class scores (n_rows, n_classes), best first.
    fn predict_label_sets(
        &self,
        scores: PyReadonlyArray2<'_, f64>,
        threshold: f64,
        allow_empty: bool,
    ) -> PyResult<Vec<Vec<usize>>> {
        let s = self.scores_vec(&scores, self.model.n_classes)?;
        Ok(self.model.predict_label_sets(&s, threshold, allow_empty))
    }

    /// coef, shape (n_outputs, n_features).
    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        array2(py, self.model.coef.clone(), self.model.n_outputs(), self.model.n_features)
    }
    #[getter]
    fn intercept<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_vec(py, self.model.intercept.clone())
    }
    /// A copy with the weights `coef` (n_outputs, n_features) and `intercept` (n_outputs,).
    fn with_weights(&self, coef: PyReadonlyArray2<'_, f64>, intercept: PyReadonlyArray1<'_, f64>) -> PyResult<Self> {
        let coef: Vec<f64> = coef.as_array().iter().copied().collect(); // row-major order
        let model = self.model.with_weights(&coef, &intercept.as_array().to_vec())?;
        Ok(PyLinearClassifier { model, feature_major: Default::default() })
    }

    /// The model file image (`Kind::LinearClassifier`) with `metadata` (JSON) in its header.
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: &str) -> PyResult<Bound<'py, PyBytes>> {
        to_py_bytes(py, &self.model, metadata)
    }

    /// Read a model file image: returns `(classifier, metadata_json)`.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<(Self, String)> {
        let (model, meta) = from_py_bytes(py, data)?;
        Ok((PyLinearClassifier { model, feature_major: Default::default() }, meta))
    }
}
}

impl PyLinearClassifier {
    /// Decision values and the row count for a `(data, indices, indptr, shape)` tuple. The
    /// common case (contiguous numpy arrays: float32/float64 data, int32/int64 indices and
    /// indptr of one dtype, as scipy makes them) is scored in place, without copying the
    /// matrix; anything else goes through the copying parser.
    fn scores_py(
        &self,
        py: Python<'_>,
        x: &Bound<'_, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<(Vec<f64>, usize)> {
        if self.model.n_outputs() > 1 && self.feature_major.get().is_none() {
            let t = interrupt::run(py, || self.model.feature_major_weights(n_jobs))?;
            let _ = self.feature_major.set(t);
        }
        let fm: Option<&FeatureMajor> = self.feature_major.get();
        return_with_borrowed_csr!(x, |v| {
            let s = interrupt::run(py, || self.model.decision_function_view(&v, fm, n_jobs))?;
            Ok((s, v.n_rows))
        });
        let x = csr_in(x)?;
        let n = x.n_rows();
        let s = interrupt::run(py, || match &x {
            CsrAny::F32(m) => self.model.decision_function_view(&m.view(), fm, n_jobs),
            CsrAny::F64(m) => self.model.decision_function_view(&m.view(), fm, n_jobs),
        })?;
        Ok((s, n))
    }

    fn scores_vec(&self, scores: &PyReadonlyArray2<'_, f64>, cols: usize) -> PyResult<Vec<f64>> {
        let shape = scores.shape();
        if shape[1] != cols {
            return Err(PyValueError::new_err(format!(
                "scores have {} columns, expected {cols}",
                shape[1]
            )));
        }
        Ok(scores.as_array().iter().copied().collect())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyLinearClassifier>()?;
    Ok(())
}
