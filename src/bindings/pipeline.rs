//! Bindings for crate::pipeline: `TopicModel`, the TopicClassifier core.

use numpy::{PyArray1, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use super::common::{pymethods_with_getters, extract_y, CsrAny, Docs, Y};
use super::persist::{from_py_bytes, to_py_bytes};
use crate::linear::calibrate::CalibrationKind;
use crate::linear::threshold::{parse_metric, CombineRule};
use crate::pipeline::articles::ArticleOptions;
use crate::pipeline::keywords::KeywordOptions;
use super::linear::PyLinearClassifier;
use super::vectorize::TfidfCore;
use crate::linear::{ClassWeight, LinearParams, ModelKind, Target};
use crate::pipeline::{Labels, Prediction, TopicModel};

/// `article_params`: `segments` (bool, default True), `calibration` ('platt', 'isotonic' or
/// None; default 'platt'), `threshold` ('auto' or a number; default 'auto'), `metric`
/// ('f1', 'f0.5', 'f2', ...; default 'f1'), `fbr` (the F-beta floor of a tuned threshold;
/// default `linear::threshold::DEFAULT_FBR`), `rule` ('auto', 'doc', 'max' or 'mean_max';
/// default 'auto': chosen by cross-validation).
fn parse_article_params(d: &Bound<'_, PyDict>) -> PyResult<ArticleOptions> {
    let mut o = ArticleOptions::default();
    if let Some(s) = get::<bool>(d, "segments")? {
        o.segments = s;
    }
    if d.contains("calibration")? {
        o.calibration = match get::<String>(d, "calibration")? {
            None => None,
            Some(s) => Some(CalibrationKind::parse(&s)?),
        };
    }
    if let Some(t) = d.get_item("threshold")? {
        if let Ok(s) = t.extract::<String>() {
            if s != "auto" {
                return Err(PyValueError::new_err(format!("threshold must be 'auto' or a number, got {s:?}")));
            }
        } else if let Ok(v) = t.extract::<f64>() {
            o.tune_thresholds = false;
            o.fixed_threshold = v;
        } else {
            return Err(PyTypeError::new_err("threshold must be 'auto' or a number"));
        }
    }
    if let Some(m) = get::<String>(d, "metric")? {
        o.beta = parse_metric(&m)?;
    }
    if let Some(f) = get::<f64>(d, "fbr")? {
        o.fbr = f;
    }
    if let Some(r) = get::<String>(d, "rule")? {
        o.rule = if r == "auto" { None } else { Some(CombineRule::parse(&r)?) };
    }
    Ok(o)
}

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
        penalty: super::linear::parse_penalty(
            &get::<String>(d, "penalty")?.unwrap_or_else(|| "l2".into()),
            get(d, "l1_ratio")?.unwrap_or(0.0),
        )?,
    })
}

#[pyclass(name = "TopicModel", module = "topictag._core", frozen)]
pub(crate) struct PyTopicModel {
    inner: TopicModel,
}

fn matrix<'py>(py: Python<'py>, v: Vec<f64>, n: usize, k: usize) -> PyResult<Bound<'py, PyAny>> {
    Ok(PyArray1::from_vec(py, v).reshape([n, k])?.into_any())
}

// The pymethods block, in a macro that adds the getters it lists (not indented, to keep
// the history of the methods readable).
pymethods_with_getters! {
impl PyTopicModel {
    getters(m = self.inner) {
        classes: Vec<String> = m.classes().to_vec(),
        multilabel: bool = m.multilabel(),
        n_features: usize = m.n_features(),
        n_outputs: usize = m.n_outputs(),
        n_documents: usize = m.n_documents(),
        fit_seconds: f64 = m.fit_seconds(),
        converged: bool = m.converged(),
        n_iter: usize = m.n_iter(),
        has_proba: bool = m.has_proba(),
    }

    /// `TopicModel.fit(docs, y, multilabel, classes, vectorizer_params, linear_params, n_jobs)`
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (docs, y, multilabel, classes, vectorizer_params, linear_params, n_jobs=None, article_params=None))]
    fn fit(
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        y: &Bound<'_, PyAny>,
        multilabel: bool,
        classes: Vec<String>,
        vectorizer_params: &Bound<'_, PyDict>,
        linear_params: &Bound<'_, PyDict>,
        n_jobs: Option<i64>,
        article_params: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let labels = match extract_y(y, multilabel)? {
            Y::One(v) => Labels::Multiclass(v),
            Y::Many(v) => Labels::Multilabel(v),
        };
        let vectorizer = super::vectorize::tfidf_from_params(vectorizer_params)?;
        let params = parse_linear_params(linear_params, classes.len())?;
        let articles = article_params.map(parse_article_params).transpose()?;
        let inner = super::interrupt::run(py, || {
            TopicModel::fit_with_articles(&strs, &labels, classes, vectorizer, &params, articles.as_ref(), n_jobs)
        })?;
        crate::hw::release_free_memory();
        Ok(PyTopicModel { inner })
    }

    /// `TopicModel.fit_keywords(docs, keywords, classes, vectorizer_params, linear_params,
    /// keyword_params, n_jobs, article_params) -> (model, report)`: a model from keyword lists
    /// (one per topic) and unlabelled texts. `keyword_params`: `rounds`, `coverage`,
    /// `min_keywords`, `multilabel`, `labelled` (`[(text index, [topic index])]`). `report`:
    /// `matches` (per topic, per keyword, the texts it occurs in), `shared` (`(topic, keyword
    /// index, other topic)`, ignored), `seeds` (per topic), `n_seed`, `n_labelled`.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (docs, keywords, classes, vectorizer_params, linear_params, keyword_params, n_jobs=None, article_params=None))]
    fn fit_keywords<'py>(
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        keywords: Vec<Vec<String>>,
        classes: Vec<String>,
        vectorizer_params: &Bound<'py, PyDict>,
        linear_params: &Bound<'py, PyDict>,
        keyword_params: &Bound<'py, PyDict>,
        n_jobs: Option<i64>,
        article_params: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<(Self, Bound<'py, PyDict>)> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let vectorizer = super::vectorize::tfidf_from_params(vectorizer_params)?;
        let params = parse_linear_params(linear_params, classes.len())?;
        let articles = article_params.map(parse_article_params).transpose()?;
        let d = KeywordOptions::default();
        let mut opts = KeywordOptions::from_values(
            get::<i64>(keyword_params, "rounds")?.unwrap_or(d.rounds as i64),
            get::<f64>(keyword_params, "coverage")?.unwrap_or(d.coverage),
            get::<i64>(keyword_params, "min_keywords")?.unwrap_or(d.min_keywords as i64),
        )?;
        if let Some(m) = get::<bool>(keyword_params, "multilabel")? {
            opts.multilabel = m;
        }
        if let Some(l) = get::<Vec<(usize, Vec<usize>)>>(keyword_params, "labelled")? {
            opts.labelled = l;
        }
        let (inner, rep) = super::interrupt::run(py, || {
            TopicModel::fit_keywords(&strs, &keywords, classes, vectorizer, &params, &opts, articles.as_ref(), n_jobs)
        })?;
        crate::hw::release_free_memory();
        let d = PyDict::new(py);
        d.set_item("matches", rep.matches)?;
        d.set_item("shared", rep.shared)?;
        d.set_item("seeds", rep.seeds)?;
        d.set_item("n_seed", rep.n_seed)?;
        d.set_item("n_labelled", rep.n_labelled)?;
        Ok((PyTopicModel { inner }, d))
    }

    /// `(indices int64 (n,), margins float64 (n_docs,))`: the `n` texts of smallest margin,
    /// smallest first, and every text's margin (`TopicModel::uncertain`).
    #[pyo3(signature = (docs, n, segments=true, n_jobs=None))]
    fn uncertain<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n: usize, segments: bool, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyTuple>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let (idx, margin) = super::interrupt::run(py, || self.inner.uncertain(&strs, n, segments, n_jobs))?;
        let idx: Vec<i64> = idx.into_iter().map(|i| i as i64).collect();
        PyTuple::new(py, [PyArray1::from_vec(py, idx).into_any(), PyArray1::from_vec(py, margin).into_any()])
    }

    /// `[(term as written, weight)]`: topic `class_index`'s strongest positive terms that are
    /// not numbers, stop words or in `exclude`; written forms from `surface` when given.
    #[pyo3(signature = (class_index, n, exclude, surface))]
    fn suggest_keywords(
        &self,
        class_index: usize,
        n: usize,
        exclude: Vec<String>,
        surface: std::collections::HashMap<String, String>,
    ) -> PyResult<Vec<(String, f64)>> {
        Ok(self.inner.suggest_keywords(class_index, n, &exclude, &surface)?)
    }

    /// `{feature: written form}` of each topic's `per_topic` strongest terms in `docs`.
    #[pyo3(signature = (docs, per_topic, n_jobs=None))]
    fn keyword_surface(
        &self,
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        per_topic: usize,
        n_jobs: Option<i64>,
    ) -> PyResult<std::collections::HashMap<String, String>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        super::interrupt::run(py, || self.inner.keyword_surface(&strs, per_topic, n_jobs))
    }

    /// `TopicModel.fit_features(vectorizer, x, y, multilabel, classes, linear_params,
    /// n_documents, n_jobs)`: the linear model trained on features `x` (a CSR tuple, or a
    /// list of CSR row blocks, which is emptied as they are read) that the fitted
    /// `vectorizer` made, as a streaming fit builds them a batch at a time.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (vectorizer, x, y, multilabel, classes, linear_params, n_documents, n_jobs=None))]
    fn fit_features(
        py: Python<'_>,
        mut vectorizer: PyRefMut<'_, TfidfCore>,
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
        let nf = vectorizer.core().feature_names()?.len();
        let t0 = std::time::Instant::now();
        let lm = if let Ok(blocks) = x.cast::<PyList>() {
            // Row blocks, taken over: the solvers lay X out in its own buffers (one X). The
            // vocabulary's lookup tables (rebuilt by the model's first transform) and the
            // heap the counting and transforming passes freed go back first.
            vectorizer.core_mut().drop_lookup();
            crate::hw::release_free_memory();
            let x = super::common::csr_from_blocks(blocks)?;
            super::interrupt::run(py, || match x {
                CsrAny::F32(m) => crate::linear::fit_owned(m, &target, None, &params, n_jobs),
                CsrAny::F64(m) => crate::linear::fit_owned(m, &target, None, &params, n_jobs),
            })?
        } else {
            super::linear::fit_from_py(py, x, &target, &params, n_jobs)?
        };
        if lm.n_features != nf {
            return Err(PyValueError::new_err(format!(
                "the features have {} columns but the vectorizer {nf} terms", lm.n_features
            )));
        }
        let secs = t0.elapsed().as_secs_f64();
        // The model's own vectorizer, copied once the solvers' X is gone (not beside it).
        let vec = vectorizer.core().clone();
        let inner = super::interrupt::run(py, || TopicModel::from_parts(vec, classes, lm, n_documents, secs, n_jobs))?;
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

    #[pyo3(signature = (docs, n_jobs=None))]
    fn decision_function<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let s = super::interrupt::run(py, || self.inner.decision_function(&strs, n_jobs))?;
        matrix(py, s, strs.len(), self.inner.n_outputs())
    }

    #[pyo3(signature = (docs, n_jobs=None))]
    fn predict_proba<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let p = super::interrupt::run(py, || self.inner.predict_proba(&strs, n_jobs))?;
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
        let p = super::interrupt::run(py, || self.inner.predict(&strs, threshold, allow_empty, n_jobs))?;
        prediction_to_py(py, p)
    }

    /// `(indices int64 (n, k), scores float64 (n, k))`
    #[pyo3(signature = (docs, k, n_jobs=None))]
    fn predict_top<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, k: usize, n_jobs: Option<i64>) -> PyResult<Bound<'py, PyTuple>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let (idx, scores, kk) = super::interrupt::run(py, || self.inner.predict_top(&strs, k, n_jobs))?;
        let n = strs.len();
        let idx: Vec<i64> = idx.into_iter().map(|i| i as i64).collect();
        let a = PyArray1::from_vec(py, idx).reshape([n, kk])?.into_any();
        let b = matrix(py, scores, n, kk)?;
        PyTuple::new(py, [a, b])
    }

    /// `(contributions [(term, value, weight, contribution)], intercept, score, {term: [(start, end)]})`;
    /// terms as written (`TopicModel::surface_of`: the feature itself without article state).
    fn explain<'py>(&self, py: Python<'py>, text: &str, class_index: usize) -> PyResult<Bound<'py, PyTuple>> {
        let (e, spans) = py.detach(|| self.inner.explain(text, class_index))?;
        let contribs = PyList::empty(py);
        // Two features with one surface form share its entry.
        let mut by_term: std::collections::BTreeMap<String, Vec<(usize, usize)>> = Default::default();
        for (c, sp) in e.contributions.iter().zip(spans) {
            let term = self.inner.surface_of(c.feature as usize)?;
            contribs.append((term.as_str(), c.value, c.weight, c.contribution))?;
            by_term.entry(term).or_default().extend(sp);
        }
        let span_map = PyDict::new(py);
        for (term, sp) in by_term {
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

    /// The article-level state, or None: `{"rule", "thresholds", "calibration", "rule_scores"}`.
    fn article_info<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(a) = self.inner.articles() else { return Ok(None) };
        let d = PyDict::new(py);
        d.set_item("rule", a.rule.name())?;
        d.set_item("thresholds", a.thresholds.clone())?;
        let cal = a.calibrators.as_ref().and_then(|c| c.first()).map(|c| match c {
            crate::linear::calibrate::Calibrator::Platt { .. } => "platt",
            crate::linear::calibrate::Calibrator::Isotonic { .. } => "isotonic",
        });
        d.set_item("calibration", cal)?;
        let rs: Vec<(&str, f64)> = a.rule_scores.iter().map(|(r, f)| (r.name(), *f)).collect();
        d.set_item("rule_scores", rs)?;
        Ok(Some(d))
    }

    /// `((indptr, indices), scores (n, k))`: topics at or above their thresholds (at least
    /// one), best first, and the calibrated article scores.
    #[pyo3(signature = (docs, segments=true, n_jobs=None))]
    fn predict_articles<'py>(
        &self,
        py: Python<'py>,
        docs: &Bound<'py, PyAny>,
        segments: bool,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let state = self
            .inner
            .articles()
            .ok_or_else(|| PyValueError::new_err("this model has no article-level state"))?;
        let (sets, z) = super::interrupt::run(py, || self.inner.predict_articles(&strs, state, segments, n_jobs))?;
        let p = prediction_to_py(py, Prediction::Multilabel(sets))?;
        let z = matrix(py, z, strs.len(), self.inner.n_outputs())?;
        PyTuple::new(py, [p, z])
    }

    /// A new model with the per-topic thresholds re-tuned on `docs` and their topic index
    /// lists for `metric` ('f1', 'f0.5', ...).
    #[pyo3(signature = (docs, y, segments=true, metric="f1", fbr=None, n_jobs=None))]
    #[allow(clippy::too_many_arguments)]
    fn retune_thresholds(
        &self,
        py: Python<'_>,
        docs: &Bound<'_, PyAny>,
        y: Vec<Vec<usize>>,
        segments: bool,
        metric: &str,
        fbr: Option<f64>,
        n_jobs: Option<i64>,
    ) -> PyResult<Self> {
        let docs = Docs::extract(docs)?;
        let strs = docs.as_strs()?;
        let beta = parse_metric(metric)?;
        let fbr = fbr.unwrap_or(crate::linear::threshold::DEFAULT_FBR);
        let inner = super::interrupt::run(py, || self.inner.retune_thresholds(&strs, &y, segments, beta, fbr, n_jobs))?;
        Ok(PyTopicModel { inner })
    }

    /// Per predicted topic: `{"topic", "score", "segments": [{"start", "end", "support",
    /// "terms": [(surface, contribution, [(start, end)])]}]}` (char offsets).
    #[pyo3(signature = (text, segments=true, max_segments=3, max_terms=10))]
    fn explain_article<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        segments: bool,
        max_segments: usize,
        max_terms: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let ev = py.detach(|| self.inner.explain_article(text, segments, max_segments, max_terms))?;
        let out = PyList::empty(py);
        for t in ev {
            let d = PyDict::new(py);
            d.set_item("topic", t.topic)?;
            d.set_item("score", t.score)?;
            let segs = PyList::empty(py);
            for s in t.segments {
                let sd = PyDict::new(py);
                sd.set_item("start", s.start)?;
                sd.set_item("end", s.end)?;
                sd.set_item("support", s.support)?;
                let terms: Vec<(String, f64, Vec<(usize, usize)>)> =
                    s.terms.into_iter().map(|x| (x.surface, x.contribution, x.spans)).collect();
                sd.set_item("terms", terms)?;
                segs.append(sd)?;
            }
            d.set_item("segments", segs)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// `([(surface, weight)] positive, [(surface, weight)] negative)`, numbers and stop words
    /// left out unless kept.
    #[allow(clippy::type_complexity)]
    #[pyo3(signature = (class_index, n, keep_numbers=false, keep_stop_words=false))]
    fn top_terms_readable(
        &self,
        class_index: usize,
        n: usize,
        keep_numbers: bool,
        keep_stop_words: bool,
    ) -> PyResult<(Vec<(String, f64)>, Vec<(String, f64)>)> {
        Ok(self.inner.top_terms_readable(class_index, n, keep_numbers, keep_stop_words)?)
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
