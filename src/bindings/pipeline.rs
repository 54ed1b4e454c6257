//! Bindings for crate::pipeline: `TopicModel`, the TopicClassifier core.

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use super::common::{extract_y, Docs, Y};
use super::persist::{from_py_bytes, to_py_bytes};
use super::linear::PyLinearClassifier;
use super::vectorize::TfidfCore;
use crate::linear::{ClassWeight, LinearParams, ModelKind, Target};
use crate::pipeline::{Labels, Prediction, TopicModel};

fn get<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>> {
    match d.get_item(key)? {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => v.extract::<T>().map(Some).map_err(|_| {
            PyTypeError::new_err(format!("{key} has the wrong type ({})", v.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
        }),
    }
}

fn parse_linear_params(d: &Bound<'_, PyDict>, n_classes: usize) -> PyResult<LinearParams> {
    let model: String = get(d, "model")?.unwrap_or_else(|| "svm".into());
    let kind = match model.as_str() {
        "svm" => ModelKind::Svm { hinge: false },
        "logistic" => ModelKind::Logistic { multinomial: true },
        other => {
            return Err(PyValueError::new_err(format!(
                "model must be 'svm' or 'logistic', got {other:?}"
            )))
        }
    };
    let class_weight = match d.get_item("class_weight")? {
        None => ClassWeight::None,
        Some(v) if v.is_none() => ClassWeight::None,
        Some(v) => {
            if let Ok(s) = v.extract::<String>() {
                if s == "balanced" {
                    ClassWeight::Balanced
                } else {
                    return Err(PyValueError::new_err(format!(
                        "class_weight must be None, 'balanced' or a dict, got {s:?}"
                    )));
                }
            } else if let Ok(m) = v.cast::<PyDict>() {
                let mut w = vec![1.0f64; n_classes];
                for (k, x) in m.iter() {
                    let k: usize = k.extract()?;
                    let x: f64 = x.extract()?;
                    if k >= n_classes {
                        return Err(PyValueError::new_err("class_weight names an unknown topic"));
                    }
                    w[k] = x;
                }
                ClassWeight::Explicit(w)
            } else {
                return Err(PyTypeError::new_err("class_weight must be None, 'balanced' or a dict"));
            }
        }
    };
    let random_state: Option<i64> = get(d, "random_state")?;
    Ok(LinearParams {
        kind,
        c: get(d, "C")?.unwrap_or(1.0),
        class_weight,
        tol: get(d, "tol")?.unwrap_or(1e-4),
        max_iter: get(d, "max_iter")?.unwrap_or(1000),
        fit_intercept: true,
        intercept_scaling: 1.0,
        random_state: random_state.map(|r| r as u64).unwrap_or(0),
        probability: get(d, "probability")?.unwrap_or(false),
    })
}

#[pyclass(name = "TopicModel", module = "topictag._core", frozen)]
pub(crate) struct PyTopicModel {
    inner: TopicModel,
}

fn matrix<'py>(py: Python<'py>, v: Vec<f64>, n: usize, k: usize) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyArray1::from_vec(py, v).reshape([n, k])?.into_any())
}

#[pymethods]
impl PyTopicModel {
    /// `TopicModel.fit(docs, y, multilabel, classes, vectorizer_params, linear_params, n_jobs)`
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (docs, y, multilabel, classes, vectorizer_params, linear_params, n_jobs=None))]
    fn fit(
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        multilabel: bool,
        classes: Vec<String>,
        vectorizer_params: &Bound<'_, PyDict>,
        linear_params: &Bound<'_, PyDict>,
        n_jobs: Option<i64>,
    ) -> PyResult<Self> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let labels = match extract_y(y, multilabel)? {
            Y::One(v) => Labels::Multiclass(v),
            Y::Many(v) => Labels::Multilabel(v),
        };
        let vectorizer = super::vectorize::tfidf_from_params(vectorizer_params)?;
        let params = parse_linear_params(linear_params, classes.len())?;
        let inner = py.detach(|| TopicModel::fit(&strs, &labels, classes, vectorizer, &params, n_jobs))?;
        crate::hw::release_free_memory();
        Ok(PyTopicModel { inner })
    }

    /// `TopicModel.fit_features(vectorizer, x, y, multilabel, classes, linear_params,
    /// n_documents, n_jobs)`: the linear model trained on features `x` (a CSR tuple) that the
    /// fitted `vectorizer` made, as a streaming fit builds them a batch at a time.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (vectorizer, x, y, multilabel, classes, linear_params, n_documents, n_jobs=None))]
    fn fit_features(
        py: Python<'_>,
        vectorizer: PyRef<'_, TfidfCore>,
        x: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        multilabel: bool,
        classes: Vec<String>,
        linear_params: &Bound<'_, PyDict>,
        n_documents: usize,
        n_jobs: Option<i64>,
    ) -> PyResult<Self> {
        let n_classes = classes.len();
        if n_classes < 2 {
            return Err(PyValueError::new_err(format!("fit needs at least two different topics; got {n_classes}")));
        }
        let target = match extract_y(y, multilabel)? {
            Y::One(v) => Target::Multiclass { y: v, n_classes },
            Y::Many(v) => Target::Multilabel { y: v, n_classes },
        };
        let params = parse_linear_params(linear_params, n_classes)?;
        let vec = vectorizer.core().clone();
        let nf = vec.feature_names()?.len();
        let t0 = std::time::Instant::now();
        let lm = super::linear::fit_from_py(py, x, &target, &params, n_jobs)?;
        if lm.n_features != nf {
            return Err(PyValueError::new_err(format!(
                "the features have {} columns but the vectorizer {nf} terms", lm.n_features
            )));
        }
        let secs = t0.elapsed().as_secs_f64();
        let inner = py.detach(|| TopicModel::from_parts(vec, classes, lm, n_documents, secs, n_jobs))?;
        crate::hw::release_free_memory();
        Ok(PyTopicModel { inner })
    }

    /// `TopicModel.from_parts(vectorizer, linear, classes, n_documents)`: a model from a
    /// fitted vectorizer and a linear classifier trained on its features elsewhere.
    #[staticmethod]
    #[pyo3(signature = (vectorizer, linear, classes, n_documents))]
    fn from_parts(
        py: Python<'_>,
        vectorizer: PyRef<'_, TfidfCore>,
        linear: PyRef<'_, PyLinearClassifier>,
        classes: Vec<String>,
        n_documents: usize,
    ) -> PyResult<Self> {
        let (vec, lm) = (vectorizer.core().clone(), linear.model().clone());
        let inner = py.detach(|| TopicModel::from_parts(vec, classes, lm, n_documents, 0.0, None))?;
        Ok(PyTopicModel { inner })
    }

    #[getter]
    fn classes(&self) -> Vec<String> {
        self.inner.classes().to_vec()
    }
    #[getter]
    fn multilabel(&self) -> bool {
        self.inner.multilabel()
    }
    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }
    #[getter]
    fn n_outputs(&self) -> usize {
        self.inner.n_outputs()
    }
    #[getter]
    fn n_documents(&self) -> usize {
        self.inner.n_documents()
    }
    #[getter]
    fn fit_seconds(&self) -> f64 {
        self.inner.fit_seconds()
    }
    #[getter]
    fn converged(&self) -> bool {
        self.inner.converged()
    }
    #[getter]
    fn n_iter(&self) -> usize {
        self.inner.n_iter()
    }
    #[getter]
    fn has_proba(&self) -> bool {
        self.inner.has_proba()
    }

    #[pyo3(signature = (docs, n_jobs=None))]
    fn decision_function<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let s = py.detach(|| self.inner.decision_function(&strs, n_jobs))?;
        matrix(py, s, strs.len(), self.inner.n_outputs())
    }

    #[pyo3(signature = (docs, n_jobs=None))]
    fn predict_proba<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let p = py.detach(|| self.inner.predict_proba(&strs, n_jobs))?;
        matrix(py, p, strs.len(), self.inner.classes().len())
    }

    /// Multi-class: int64 array of topic indices. Multi-label: `(indptr, indices)` arrays.
    #[pyo3(signature = (docs, threshold, allow_empty, n_jobs=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        threshold: f64,
        allow_empty: bool,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let p = py.detach(|| self.inner.predict(&strs, threshold, allow_empty, n_jobs))?;
        prediction_to_py(py, p)
    }

    /// `(indices int64 (n, k), scores float64 (n, k))`
    #[pyo3(signature = (docs, k, n_jobs=None))]
    fn predict_top<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, k: usize, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyTuple>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let (idx, scores, kk) = py.detach(|| self.inner.predict_top(&strs, k, n_jobs))?;
        let n = strs.len();
        let idx: Vec<i64> = idx.into_iter().map(|i| i as i64).collect();
        let a = PyArray1::from_vec(py, idx).reshape([n, kk])?.into_any();
        let b = matrix(py, scores, n, kk)?;
        PyTuple::new(py, [a, b])
    }

    /// `(contributions [(term, value, weight, contribution)], intercept, score, {term: [(start, end)]})`
    fn explain<'py>(&self, py: Python<'py>, text: &str, class_index: usize) -> PyResult<Bound<'py, PyTuple>> {
        let (e, spans) = py.detach(|| self.inner.explain(text, class_index))?;
        let names = self.inner.feature_names()?;
        let contribs = PyList::empty(py);
        let span_map = PyDict::new(py);
        for (c, sp) in e.contributions.iter().zip(spans) {
            let term = names.get(c.feature as usize).map(|s| s.as_str()).unwrap_or("?");
            contribs.append((term, c.value, c.weight, c.contribution))?;
            span_map.set_item(term, sp)?;
        }
        PyTuple::new(py, [contribs.into_any(), e.intercept.into_pyobject(py)?.into_any(), e.score.into_pyobject(py)?.into_any(), span_map.into_any()])
    }

    /// `([(term, weight)] positive, [(term, weight)] negative)`
    #[allow(clippy::type_complexity)]
    fn top_terms(&self, class_index: usize, n: usize) -> PyResult<(Vec<(String, f64)>, Vec<(String, f64)>)> {
        let (pos, neg) = self.inner.top_terms(class_index, n)?;
        let names = self.inner.feature_names()?;
        let name = |j: u32| names.get(j as usize).cloned().unwrap_or_default();
        Ok((
            pos.into_iter().map(|(j, w)| (name(j), w)).collect(),
            neg.into_iter().map(|(j, w)| (name(j), w)).collect(),
        ))
    }

    /// The model file image; `prune=eps` saves the model without its weights `|w| < eps`.
    #[pyo3(signature = (metadata, prune=None))]
    fn to_bytes<'py>(&self, py: Python<'py>, metadata: &str, prune: Option<f64>) -> PyResult<Bound<'py, PyBytes>> {
        match prune {
            None => to_py_bytes(py, &self.inner, metadata),
            Some(eps) => to_py_bytes(py, &py.detach(|| self.inner.pruned(eps))?, metadata),
        }
    }

    /// `(TopicModel, metadata)` from a model file image.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<(Self, String)> {
        let (inner, meta) = from_py_bytes(py, data)?;
        Ok((PyTopicModel { inner }, meta))
    }
}

fn prediction_to_py<'py>(py: Python<'py>, p: Prediction) -> PyResult<Bound<'py, PyAny>> {
    match p {
        Prediction::Multiclass(v) => {
            let v: Vec<i64> = v.into_iter().map(|i| i as i64).collect();
            Ok(PyArray1::from_vec(py, v).into_any())
        }
        Prediction::Multilabel(sets) => {
            let mut indptr = Vec::with_capacity(sets.len() + 1);
            let mut indices = Vec::new();
            indptr.push(0i64);
            for s in sets {
                indices.extend(s.into_iter().map(|i| i as i64));
                indptr.push(indices.len() as i64);
            }
            let t = PyTuple::new(py, [PyArray1::from_vec(py, indptr).into_any(), PyArray1::from_vec(py, indices).into_any()])?;
            Ok(t.into_any())
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTopicModel>()?;
    Ok(())
}
