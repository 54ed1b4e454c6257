//! Bindings for crate::vectorize: `CountCore`, `TfidfCore` and `HashingCore`, built from the
//! Python keyword parameters (scikit-learn's names), plus `tfidf_from_params` for other
//! bindings. Parameter values are checked here for type (TypeError naming the parameter) and
//! by the core for value (ValueError).

use numpy::PyArray1;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};

use super::common::{pymethods_with_getters, csr_to_py, Docs};
use super::persist::{from_py_bytes, to_py_bytes};
use crate::pipeline::explain::byte_to_char_offsets;
use crate::sparse::CsrMatrix;
use crate::vectorize::{
    AnalyzerConfig, CountVectorizer, DfBound, DfCounts, FixedVocabulary, HashingConfig, HashingVectorizer,
    Norm, StopWordsSpec, TfidfConfig, TfidfVectorizer, VectorizerConfig,
};

const ANALYZER_KEYS: &[&str] = &[
    "analyzer", "ngram_range", "lowercase", "token_pattern", "tokenizer", "strip_accents",
    "normalization", "stop_words", "stemmer", "language", "languages",
];
const COUNT_KEYS: &[&str] = &["min_df", "max_df", "max_features", "vocabulary", "binary"];
const TFIDF_KEYS: &[&str] = &["norm", "use_idf", "smooth_idf", "sublinear_tf"];
const HASHING_KEYS: &[&str] = &["n_features", "alternate_sign", "norm", "binary"];

fn type_err(name: &str, what: &str, v: &Bound<'_, PyAny>) -> PyErr {
    let r = v.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("{name} must be {what}, got {r}"))
}

fn get<'py>(kw: Option<&Bound<'py, PyDict>>, name: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    match kw {
        None => Ok(None),
        Some(d) => d.get_item(name),
    }
}

fn opt_str(kw: Option<&Bound<'_, PyDict>>, name: &str, default: Option<&str>) -> PyResult<Option<String>> {
    match get(kw, name)? {
        None => Ok(default.map(str::to_string)),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => {
            if let Ok(s) = v.cast::<PyString>() {
                Ok(Some(s.to_cow()?.into_owned()))
            } else if v.is_callable() {
                Err(PyValueError::new_err(format!(
                    "{name}: a callable is not supported by topictag (all analysis runs in Rust); \
                     use one of the built-in options"
                )))
            } else {
                Err(type_err(name, "a str or None", &v))
            }
        }
    }
}

fn boolean(kw: Option<&Bound<'_, PyDict>>, name: &str, default: bool) -> PyResult<bool> {
    match get(kw, name)? {
        None => Ok(default),
        Some(v) => {
            if let Ok(b) = v.cast::<PyBool>() {
                return Ok(b.is_true());
            }
            // numpy.bool_
            if v.get_type().name().map(|n| n.to_string()).is_ok_and(|n| n == "bool" || n == "bool_") {
                return v.is_truthy();
            }
            Err(type_err(name, "a bool", &v))
        }
    }
}

fn int(v: &Bound<'_, PyAny>) -> Option<i64> {
    if v.cast::<PyBool>().is_ok() || v.cast::<PyFloat>().is_ok() {
        return None;
    }
    v.extract::<i64>().ok()
}

fn str_list(v: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<String>> {
    if v.cast::<PyString>().is_ok() {
        return Err(type_err(name, "a list of str", v));
    }
    let it = v.try_iter().map_err(|_| type_err(name, "a list of str", v))?;
    let mut out = Vec::new();
    for (i, x) in it.enumerate() {
        let x = x?;
        let s = x.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!("{name}[{i}] must be a str, got {}", x.get_type().name().map(|n| n.to_string()).unwrap_or_default()))
        })?;
        out.push(s.to_cow()?.into_owned());
    }
    Ok(out)
}

fn analyzer_config(kw: Option<&Bound<'_, PyDict>>) -> PyResult<AnalyzerConfig> {
    let d = AnalyzerConfig::default();
    let analyzer = match get(kw, "analyzer")? {
        None => d.analyzer.clone(),
        Some(v) => {
            if v.is_callable() {
                return Err(PyValueError::new_err(
                    "analyzer: a callable is not supported by topictag; use 'word', 'char' or 'char_wb'",
                ));
            }
            v.cast::<PyString>()
                .map_err(|_| type_err("analyzer", "'word', 'char' or 'char_wb'", &v))?
                .to_cow()?
                .to_string()
        }
    };
    let ngram_range = match get(kw, "ngram_range")? {
        None => d.ngram_range,
        Some(v) => {
            let bad = || type_err("ngram_range", "a tuple (min_n, max_n) of two ints", &v);
            if v.cast::<PyString>().is_ok() {
                return Err(bad());
            }
            let items: Vec<Bound<'_, PyAny>> =
                v.try_iter().map_err(|_| bad())?.collect::<PyResult<_>>()?;
            if items.len() != 2 {
                return Err(bad());
            }
            let (a, b) = (int(&items[0]).ok_or_else(bad)?, int(&items[1]).ok_or_else(bad)?);
            if a < 1 || b < a {
                return Err(PyValueError::new_err(format!(
                    "Invalid value for ngram_range=({a}, {b}) lower boundary larger than the upper \
                     boundary (or below 1)."
                )));
            }
            (a as usize, b as usize)
        }
    };
    let stop_words = match get(kw, "stop_words")? {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => {
            if let Ok(s) = v.cast::<PyString>() {
                Some(StopWordsSpec::Named(s.to_cow()?.into_owned()))
            } else {
                Some(StopWordsSpec::List(str_list(&v, "stop_words")?))
            }
        }
    };
    let languages = match get(kw, "languages")? {
        None => d.languages.clone(),
        Some(v) if v.is_none() => d.languages.clone(),
        Some(v) => str_list(&v, "languages")?,
    };
    if let Some(v) = get(kw, "preprocessor")? {
        if !v.is_none() {
            return Err(PyValueError::new_err("preprocessor: callables are not supported by topictag"));
        }
    }
    Ok(AnalyzerConfig {
        analyzer,
        ngram_range,
        lowercase: boolean(kw, "lowercase", d.lowercase)?,
        token_pattern: opt_str(kw, "token_pattern", d.token_pattern.as_deref())?,
        tokenizer: opt_str(kw, "tokenizer", None)?,
        strip_accents: opt_str(kw, "strip_accents", None)?,
        normalization: opt_str(kw, "normalization", None)?,
        stop_words,
        stemmer: opt_str(kw, "stemmer", None)?,
        language: opt_str(kw, "language", None)?,
        languages,
    })
}

fn df_bound(kw: Option<&Bound<'_, PyDict>>, name: &str, default: DfBound) -> PyResult<DfBound> {
    match get(kw, name)? {
        None => Ok(default),
        Some(v) => {
            if let Some(i) = int(&v) {
                return Ok(DfBound::Count(i));
            }
            if v.cast::<PyBool>().is_err() {
                if let Ok(f) = v.extract::<f64>() {
                    return Ok(DfBound::Proportion(f));
                }
            }
            Err(type_err(name, "a float in [0.0, 1.0] or an int >= 1", &v))
        }
    }
}

fn norm(kw: Option<&Bound<'_, PyDict>>) -> PyResult<Option<Norm>> {
    let s = opt_str(kw, "norm", Some("l2"))?;
    Ok(Norm::parse(s.as_deref())?)
}

fn count_config(kw: Option<&Bound<'_, PyDict>>) -> PyResult<VectorizerConfig> {
    let d = VectorizerConfig::default();
    let max_features = match get(kw, "max_features")? {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => {
            let i = int(&v).ok_or_else(|| type_err("max_features", "an int >= 1 or None", &v))?;
            if i < 1 {
                return Err(PyValueError::new_err(format!(
                    "The 'max_features' parameter must be an int in the range [1, inf) or None. Got {i} instead."
                )));
            }
            Some(i as usize)
        }
    };
    let vocabulary = match get(kw, "vocabulary")? {
        None => None,
        Some(v) if v.is_none() => None,
        Some(v) => {
            if v.cast::<PyString>().is_ok() {
                return Err(type_err("vocabulary", "a mapping or an iterable of str", &v));
            }
            if v.hasattr("items")? {
                let items = v.call_method0("items")?;
                let mut pairs = Vec::new();
                for it in items.try_iter()? {
                    let it = it?;
                    let (k, i): (Bound<'_, PyAny>, Bound<'_, PyAny>) = it.extract()?;
                    let k = k
                        .cast::<PyString>()
                        .map_err(|_| type_err("vocabulary keys", "str", &k))?
                        .to_cow()?
                        .to_string();
                    let i = int(&i).ok_or_else(|| type_err("vocabulary values", "int", &i))?;
                    pairs.push((k, i));
                }
                Some(FixedVocabulary::Mapping(pairs))
            } else {
                Some(FixedVocabulary::Terms(str_list(&v, "vocabulary")?))
            }
        }
    };
    Ok(VectorizerConfig {
        analyzer: analyzer_config(kw)?,
        min_df: df_bound(kw, "min_df", d.min_df)?,
        max_df: df_bound(kw, "max_df", d.max_df)?,
        max_features,
        vocabulary,
        binary: boolean(kw, "binary", false)?,
    })
}

fn tfidf_config(kw: Option<&Bound<'_, PyDict>>) -> PyResult<TfidfConfig> {
    Ok(TfidfConfig {
        count: count_config(kw)?,
        norm: norm(kw)?,
        use_idf: boolean(kw, "use_idf", true)?,
        smooth_idf: boolean(kw, "smooth_idf", true)?,
        sublinear_tf: boolean(kw, "sublinear_tf", false)?,
    })
}

fn check_keys(kw: Option<&Bound<'_, PyDict>>, groups: &[&[&str]], owner: &str) -> PyResult<()> {
    let Some(d) = kw else { return Ok(()) };
    for k in d.keys() {
        let k: String = k.extract()?;
        if k == "preprocessor" || groups.iter().any(|g| g.contains(&k.as_str())) {
            continue;
        }
        return Err(PyTypeError::new_err(format!("{owner} got an unexpected parameter {k:?}")));
    }
    Ok(())
}

/// A [`TfidfVectorizer`] from a dict of `topictag.TfidfVectorizer` parameters (for other
/// bindings, e.g. the TopicClassifier's).
pub(crate) fn tfidf_from_params(params: &Bound<'_, PyDict>) -> PyResult<TfidfVectorizer> {
    check_keys(Some(params), &[ANALYZER_KEYS, COUNT_KEYS, TFIDF_KEYS], "TfidfVectorizer")?;
    Ok(TfidfVectorizer::new(tfidf_config(Some(params))?)?)
}

fn n_jobs_of(n_jobs: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    match n_jobs {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => int(v).map(Some).ok_or_else(|| type_err("n_jobs", "an int or None", v)),
    }
}

enum DType {
    F32,
    F64,
}

fn dtype_of(dtype: &str) -> PyResult<DType> {
    match dtype {
        "float32" => Ok(DType::F32),
        "float64" => Ok(DType::F64),
        other => Err(PyValueError::new_err(format!(
            "dtype must be float32 or float64, got {other:?}"
        ))),
    }
}

/// `[(term, start, end)]` of `doc` from a core `analyze_spans`, with byte offsets turned into
/// Python str (code point) indices.
fn analyze_spans_py(
    doc: &Bound<'_, PyAny>,
    spans: impl FnOnce(&str) -> crate::error::Result<Vec<(String, std::ops::Range<usize>)>>,
) -> PyResult<Vec<(String, usize, usize)>> {
    let d = doc_str(doc)?;
    let sp = spans(&d)?;
    let bytes: Vec<usize> = sp.iter().flat_map(|(_, r)| [r.start, r.end]).collect();
    let chars = byte_to_char_offsets(&d, &bytes);
    Ok(sp.into_iter().zip(chars.chunks_exact(2)).map(|((t, _), c)| (t, c[0], c[1])).collect())
}

fn doc_str(doc: &Bound<'_, PyAny>) -> PyResult<String> {
    let s = doc
        .cast::<PyString>()
        .map_err(|_| type_err("doc", "a str", doc))?;
    Ok(match s.to_cow() {
        Ok(c) => c.into_owned(),
        Err(_) => {
            // Lone surrogates: one U+FFFD each, so str indices of the result match `doc`'s.
            let b = s.call_method1("encode", ("utf-16-le", "surrogatepass"))?;
            let b = b.cast::<PyBytes>()?.as_bytes();
            let units = b.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]]));
            char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')).collect()
        }
    })
}

macro_rules! run_matrix {
    ($py:expr, $docs:expr, $dtype:expr, |$strs:ident, $T:ident| $body:expr) => {{
        let docs = Docs::extract($docs)?;
        let $strs = docs.as_strs()?;
        match dtype_of($dtype)? {
            DType::F32 => {
                type $T = f32;
                let m: CsrMatrix<f32> = super::interrupt::run($py, || $body)?;
                csr_to_py($py, m)
            }
            DType::F64 => {
                type $T = f64;
                let m: CsrMatrix<f64> = super::interrupt::run($py, || $body)?;
                csr_to_py($py, m)
            }
        }
    }};
}

/// The pyclass of a vectorizer that learns a vocabulary (`CountCore`, `TfidfCore`): the same
/// methods over a different core type, plus any `extra` methods.
macro_rules! fitted_vectorizer_class {
    ($(#[$doc:meta])* $cls:ident, $core:ty, $owner:literal, $keys:expr, $config:ident, { $($extra:tt)* }) => {
        $(#[$doc])*
        #[pyclass(module = "topictag._core")]
        pub struct $cls {
            inner: $core,
        }

        #[pymethods]
        impl $cls {
            #[new]
            #[pyo3(signature = (**params))]
            fn new(params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
                check_keys(params, $keys, $owner)?;
                Ok($cls { inner: <$core>::new($config(params)?)? })
            }

            #[pyo3(signature = (docs, n_jobs=None))]
            fn fit(&mut self, py: Python<'_>, docs: &Bound<'_, PyAny>, n_jobs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
                let n_jobs = n_jobs_of(n_jobs)?;
                let docs = Docs::extract(docs)?;
                let strs = docs.as_strs()?;
                let inner = &mut self.inner;
                super::interrupt::run(py, || inner.fit(&strs, n_jobs))?;
                crate::hw::release_free_memory();
                Ok(())
            }

            #[pyo3(signature = (docs, n_jobs=None, dtype="float32"))]
            fn fit_transform<'py>(&mut self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<&Bound<'py, PyAny>>, dtype: &str) -> PyResult<Bound<'py, PyTuple>> {
                let n_jobs = n_jobs_of(n_jobs)?;
                let inner = &mut self.inner;
                let out = run_matrix!(py, docs, dtype, |strs, T| inner.fit_transform::<T, _>(&strs, n_jobs));
                crate::hw::release_free_memory();
                out
            }

            /// Add the document and term frequencies of `docs` to `counts` (one batch of a
            /// streaming or distributed fit).
            #[pyo3(signature = (counts, docs, n_jobs=None))]
            fn count_into(&self, py: Python<'_>, mut counts: PyRefMut<'_, PyDfCounts>, docs: &Bound<'_, PyAny>, n_jobs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
                let n_jobs = n_jobs_of(n_jobs)?;
                let docs = Docs::extract(docs)?;
                let strs = docs.as_strs()?;
                let (inner, c) = (&self.inner, &mut counts.inner);
                super::interrupt::run(py, || inner.count_into(c, &strs, n_jobs))?;
                crate::hw::release_free_memory();
                Ok(())
            }

            /// Learn the vocabulary (and idf) from `counts`: those of a fit on every counted
            /// document.
            fn fit_counts(&mut self, py: Python<'_>, counts: PyRef<'_, PyDfCounts>) -> PyResult<()> {
                let (inner, c) = (&mut self.inner, &counts.inner);
                super::interrupt::run(py, || inner.fit_counts(c))?;
                Ok(())
            }

            #[pyo3(signature = (docs, n_jobs=None, dtype="float32"))]
            fn transform<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<&Bound<'py, PyAny>>, dtype: &str) -> PyResult<Bound<'py, PyTuple>> {
                let n_jobs = n_jobs_of(n_jobs)?;
                let inner = &self.inner;
                run_matrix!(py, docs, dtype, |strs, T| inner.transform::<T, _>(&strs, n_jobs))
            }

            fn feature_names<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
                PyList::new(py, self.inner.feature_names()?)
            }

            fn stop_words(&self) -> Option<Vec<String>> {
                self.inner.stop_words()
            }

            fn fixed_vocabulary(&self) -> bool {
                self.inner.fixed_vocabulary()
            }

            fn analyze(&self, doc: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
                Ok(self.inner.analyze(&doc_str(doc)?)?)
            }

            /// `[(term, start, end)]` with `start`/`end` as Python str indices.
            fn analyze_spans(&self, doc: &Bound<'_, PyAny>) -> PyResult<Vec<(String, usize, usize)>> {
                analyze_spans_py(doc, |d| self.inner.analyze_spans(d))
            }

            fn to_bytes<'py>(&self, py: Python<'py>, metadata: &str) -> PyResult<Bound<'py, PyBytes>> {
                to_py_bytes(py, &self.inner, metadata)
            }

            #[staticmethod]
            fn from_bytes(py: Python<'_>, b: &[u8]) -> PyResult<(Self, String)> {
                let (inner, meta) = from_py_bytes(py, b)?;
                Ok(($cls { inner }, meta))
            }

            $($extra)*
        }
    };
}

fitted_vectorizer_class!(
    /// `_core.CountCore(**params)`: the CountVectorizer core.
    CountCore, CountVectorizer, "CountVectorizer",
    &[ANALYZER_KEYS, COUNT_KEYS], count_config, {}
);

fitted_vectorizer_class!(
    /// `_core.TfidfCore(**params)`: the TfidfVectorizer core.
    TfidfCore, TfidfVectorizer, "TfidfVectorizer",
    &[ANALYZER_KEYS, COUNT_KEYS, TFIDF_KEYS], tfidf_config, {
        fn set_idf(&mut self, idf: numpy::PyReadonlyArray1<'_, f64>) -> PyResult<()> {
            Ok(self.inner.set_idf(idf.as_array().to_vec())?)
        }

        fn idf<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
            self.inner.idf().map(|v| PyArray1::from_slice(py, v))
        }
    }
);

impl TfidfCore {
    /// The core vectorizer (for the pipeline bindings).
    pub(crate) fn core(&self) -> &TfidfVectorizer {
        &self.inner
    }

    /// The core vectorizer, to drop its lookup caches (the streaming fit).
    pub(crate) fn core_mut(&mut self) -> &mut TfidfVectorizer {
        &mut self.inner
    }
}

/// `_core.DfCounts()`: document and term frequencies of every feature of the documents
/// counted so far (`CountCore.count_into` / `TfidfCore.count_into`), mergeable and
/// serialisable, for streaming and distributed fits.
#[pyclass(module = "topictag._core", name = "DfCounts")]
pub struct PyDfCounts {
    inner: DfCounts,
}

// The pymethods block, in a macro that adds the getters it lists (not indented, to keep
// the history of the methods readable).
pymethods_with_getters! {
impl PyDfCounts {
    getters(d = self.inner) {
        n_docs: u64 = d.n_docs(),
        n_features: usize = d.n_features(),
    }

    #[new]
    fn new() -> Self {
        PyDfCounts { inner: DfCounts::new() }
    }

    /// Add the counts of other documents (counted with the same vectorizer parameters).
    fn merge(&mut self, py: Python<'_>, other: PyRef<'_, PyDfCounts>) -> PyResult<()> {
        let (a, b) = (&mut self.inner, &other.inner);
        super::interrupt::run(py, || a.merge(b))
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.inner.to_bytes()?))
    }

    #[staticmethod]
    fn from_bytes(b: &[u8]) -> PyResult<Self> {
        Ok(PyDfCounts { inner: DfCounts::from_bytes(b)? })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let f = slf.get_type().getattr("from_bytes")?;
        Ok((f, (PyBytes::new(py, &slf.borrow().inner.to_bytes()?),)))
    }
}
}

/// `_core.HashingCore(**params)`: the HashingVectorizer core.
#[pyclass(module = "topictag._core", name = "HashingCore")]
pub struct HashingCore {
    inner: HashingVectorizer,
}

#[pymethods]
impl HashingCore {
    #[new]
    #[pyo3(signature = (**params))]
    fn new(params: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        check_keys(params, &[ANALYZER_KEYS, HASHING_KEYS], "HashingVectorizer")?;
        let n_features = match get(params, "n_features")? {
            None => 1usize << 20,
            Some(v) => {
                let i = int(&v).ok_or_else(|| type_err("n_features", "an int", &v))?;
                if i < 1 || i > i32::MAX as i64 {
                    return Err(PyValueError::new_err(format!(
                        "The 'n_features' parameter of HashingVectorizer must be an int in the \
                         range [1, 2147483647]. Got {i} instead."
                    )));
                }
                i as usize
            }
        };
        let cfg = HashingConfig {
            analyzer: analyzer_config(params)?,
            n_features,
            alternate_sign: boolean(params, "alternate_sign", true)?,
            norm: norm(params)?,
            binary: boolean(params, "binary", false)?,
        };
        Ok(HashingCore { inner: HashingVectorizer::new(cfg)? })
    }

    #[pyo3(signature = (docs, n_jobs=None, dtype="float32"))]
    fn transform<'py>(&self, py: Python<'py>, docs: &Bound<'py, PyAny>, n_jobs: Option<&Bound<'py, PyAny>>, dtype: &str) -> PyResult<Bound<'py, PyTuple>> {
        let n_jobs = n_jobs_of(n_jobs)?;
        let inner = &self.inner;
        run_matrix!(py, docs, dtype, |strs, T| inner.transform::<T, _>(&strs, n_jobs))
    }

    fn analyze(&self, doc: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        Ok(self.inner.analyze(&doc_str(doc)?)?)
    }

    /// `[(term, start, end)]` with `start`/`end` as Python str indices.
    fn analyze_spans(&self, doc: &Bound<'_, PyAny>) -> PyResult<Vec<(String, usize, usize)>> {
        analyze_spans_py(doc, |d| self.inner.analyze_spans(d))
    }

    /// `(column, sign)` of a feature string.
    fn column_of(&self, feature: &str) -> (usize, bool) {
        self.inner.column_of(feature)
    }

    fn to_bytes<'py>(&self, py: Python<'py>, metadata: &str) -> PyResult<Bound<'py, PyBytes>> {
        to_py_bytes(py, &self.inner, metadata)
    }

    #[staticmethod]
    fn from_bytes(py: Python<'_>, b: &[u8]) -> PyResult<(Self, String)> {
        let (inner, meta) = from_py_bytes(py, b)?;
        Ok((HashingCore { inner }, meta))
    }
}

/// `_core.stop_word_list(name)`: the words of a built-in stop list (`get_stop_words`).
#[pyfunction]
fn stop_word_list(name: &str) -> PyResult<Vec<String>> {
    Ok(crate::text::builtin_stop_list(name)?)
}

/// `_core.stop_word_languages()`: the names of the built-in stop lists.
#[pyfunction]
fn stop_word_languages() -> Vec<&'static str> {
    crate::text::BUILTIN_LANGUAGES.to_vec()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stop_word_list, m)?)?;
    m.add_function(wrap_pyfunction!(stop_word_languages, m)?)?;
    m.add_class::<CountCore>()?;
    m.add_class::<TfidfCore>()?;
    m.add_class::<PyDfCounts>()?;
    m.add_class::<HashingCore>()?;
    Ok(())
}
