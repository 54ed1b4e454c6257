//! Count, TF-IDF and hashing vectorizers with scikit-learn's semantics (see
//! `sklearn/feature_extraction/text.py`), computed in parallel (see [`engine`]).
//!
//! Every vectorizer owns a serde-serialisable config and (once fitted) its vocabulary in
//! column order; the compiled analyzer and the vocabulary lookup table are rebuilt lazily after
//! deserialisation.

pub mod engine;
pub mod hashing;
mod persist;

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::parallel;
use crate::sparse::{CsrMatrix, Real};
use crate::text::Analyzer;
pub use crate::text::{AnalyzerConfig, StopWordsSpec};
use engine::{KeyIndex, Limits, Lookup, VocabIndex, Weighting};

/// Row normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Norm {
    L1,
    L2,
}

impl Norm {
    /// Parse `None` / `"l1"` / `"l2"`.
    pub fn parse(name: Option<&str>) -> Result<Option<Norm>> {
        match name {
            None => Ok(None),
            Some("l1") => Ok(Some(Norm::L1)),
            Some("l2") => Ok(Some(Norm::L2)),
            Some(other) => Err(Error::value(format!(
                "norm={other:?} is not supported; use 'l1', 'l2' or None"
            ))),
        }
    }
}

/// A `min_df` / `max_df` bound: an absolute document count or a proportion of documents.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum DfBound {
    Count(i64),
    Proportion(f64),
}

impl DfBound {
    fn check(&self, name: &str, owner: &str) -> Result<()> {
        let ok = match *self {
            DfBound::Count(c) => c >= 1,
            DfBound::Proportion(p) => (0.0..=1.0).contains(&p),
        };
        if ok {
            return Ok(());
        }
        let got = match *self {
            DfBound::Count(c) => c.to_string(),
            DfBound::Proportion(p) => format!("{p:?}"),
        };
        Err(Error::value(format!(
            "The '{name}' parameter of {owner} must be a float in the range [0.0, 1.0] or an int \
             in the range [1, inf). Got {got} instead."
        )))
    }
    fn count(&self, n_docs: usize) -> f64 {
        match *self {
            DfBound::Count(c) => c as f64,
            DfBound::Proportion(p) => p * n_docs as f64,
        }
    }
}

/// A fixed vocabulary as given: a mapping term -> column, or an iterable of terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FixedVocabulary {
    Mapping(Vec<(String, i64)>),
    Terms(Vec<String>),
}

impl FixedVocabulary {
    /// Validate like scikit-learn's `_validate_vocabulary` and return the terms in column order.
    pub fn resolve(&self) -> Result<Vec<String>> {
        let names = match self {
            FixedVocabulary::Terms(t) => {
                let mut seen = std::collections::HashSet::new();
                for w in t {
                    if !seen.insert(w.as_str()) {
                        return Err(Error::value(format!("Duplicate term in vocabulary: '{w}'")));
                    }
                }
                t.clone()
            }
            FixedVocabulary::Mapping(m) => {
                let n = m.len();
                let mut slot: Vec<Option<&str>> = vec![None; n];
                let mut distinct = std::collections::HashSet::new();
                for (_, i) in m {
                    distinct.insert(*i);
                }
                if distinct.len() != n {
                    return Err(Error::value("Vocabulary contains repeated indices."));
                }
                for (w, i) in m {
                    if *i >= 0 && (*i as usize) < n {
                        slot[*i as usize] = Some(w);
                    }
                }
                if let Some(i) = slot.iter().position(|s| s.is_none()) {
                    return Err(Error::value(format!(
                        "Vocabulary of size {n} doesn't contain index {i}."
                    )));
                }
                slot.into_iter().map(|s| s.unwrap_or_default().to_string()).collect()
            }
        };
        if names.is_empty() {
            return Err(Error::value("empty vocabulary passed to fit"));
        }
        Ok(names)
    }
}

/// CountVectorizer parameters (scikit-learn's names; `Default` = scikit-learn's defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VectorizerConfig {
    pub analyzer: AnalyzerConfig,
    pub min_df: DfBound,
    pub max_df: DfBound,
    pub max_features: Option<usize>,
    pub vocabulary: Option<FixedVocabulary>,
    pub binary: bool,
}

impl Default for VectorizerConfig {
    fn default() -> Self {
        VectorizerConfig {
            analyzer: AnalyzerConfig::default(),
            min_df: DfBound::Count(1),
            max_df: DfBound::Proportion(1.0),
            max_features: None,
            vocabulary: None,
            binary: false,
        }
    }
}

/// TfidfVectorizer parameters: the count parameters plus the TF-IDF ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfConfig {
    pub count: VectorizerConfig,
    pub norm: Option<Norm>,
    pub use_idf: bool,
    pub smooth_idf: bool,
    pub sublinear_tf: bool,
}

impl Default for TfidfConfig {
    fn default() -> Self {
        TfidfConfig {
            count: VectorizerConfig::default(),
            norm: Some(Norm::L2),
            use_idf: true,
            smooth_idf: true,
            sublinear_tf: false,
        }
    }
}

/// HashingVectorizer parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HashingConfig {
    pub analyzer: AnalyzerConfig,
    pub n_features: usize,
    pub alternate_sign: bool,
    pub norm: Option<Norm>,
    pub binary: bool,
}

impl Default for HashingConfig {
    fn default() -> Self {
        HashingConfig {
            analyzer: AnalyzerConfig::default(),
            n_features: 1 << 20,
            alternate_sign: true,
            norm: Some(Norm::L2),
            binary: false,
        }
    }
}

fn compiled(cell: &OnceLock<Arc<Analyzer>>, cfg: &AnalyzerConfig) -> Result<Arc<Analyzer>> {
    if let Some(a) = cell.get() {
        return Ok(a.clone());
    }
    let a = Arc::new(Analyzer::new(cfg)?);
    Ok(cell.get_or_init(|| a).clone())
}

/// Bag-of-n-grams counts (scikit-learn's `CountVectorizer`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CountVectorizer {
    config: VectorizerConfig,
    #[serde(with = "crate::persist::codec::vocabulary")]
    vocabulary: Option<Vec<String>>,
    fixed: bool,
    #[serde(skip)]
    removed: Option<Arc<engine::Removed>>,
    #[serde(skip)]
    analyzer: OnceLock<Arc<Analyzer>>,
    #[serde(skip)]
    index: OnceLock<Arc<VocabIndex>>,
    #[serde(skip)]
    key_index: OnceLock<Option<Arc<KeyIndex>>>,
}

impl CountVectorizer {
    /// Validate `config` (errors name the bad parameter).
    pub fn new(config: VectorizerConfig) -> Result<Self> {
        Self::new_named(config, "CountVectorizer")
    }

    fn new_named(config: VectorizerConfig, owner: &str) -> Result<Self> {
        let analyzer = OnceLock::new();
        compiled(&analyzer, &config.analyzer)?;
        config.min_df.check("min_df", owner)?;
        config.max_df.check("max_df", owner)?;
        if config.max_features == Some(0) {
            return Err(Error::value(format!(
                "The 'max_features' parameter of {owner} must be an int in the range [1, inf) or None. Got 0 instead."
            )));
        }
        if let Some(v) = &config.vocabulary {
            v.resolve()?;
        }
        Ok(CountVectorizer {
            config,
            vocabulary: None,
            fixed: false,
            removed: None,
            analyzer,
            index: OnceLock::new(),
            key_index: OnceLock::new(),
        })
    }

    /// The parameters.
    pub fn config(&self) -> &VectorizerConfig {
        &self.config
    }

    fn analyzer(&self) -> Result<Arc<Analyzer>> {
        compiled(&self.analyzer, &self.config.analyzer)
    }

    fn index(&self) -> Result<(&[String], Arc<VocabIndex>)> {
        let names = self.vocabulary.as_deref().ok_or_else(|| Error::not_fitted("CountVectorizer"))?;
        let idx = self.index.get_or_init(|| Arc::new(VocabIndex::new(names))).clone();
        Ok((names, idx))
    }

    /// Run `f` with the vocabulary and the cheapest lookup for the analyzer.
    fn with_lookup<R>(&self, an: &Analyzer, f: impl FnOnce(&[String], Lookup) -> R) -> Result<R> {
        let names = self.vocabulary.as_deref().ok_or_else(|| Error::not_fitted("CountVectorizer"))?;
        if let Some(ki) = self.key_index(an) {
            return Ok(f(names, Lookup::Keyed(&ki)));
        }
        let (names, idx) = self.index()?;
        Ok(f(names, Lookup::Strings(&idx)))
    }

    /// The integer-keyed index, when the analyzer allows it.
    fn key_index(&self, an: &Analyzer) -> Option<Arc<KeyIndex>> {
        if !KeyIndex::applies(an) {
            return None;
        }
        let names = self.vocabulary.as_deref()?;
        self.key_index.get_or_init(|| KeyIndex::build(names).map(Arc::new)).clone()
    }

    fn set_vocabulary(&mut self, names: Vec<String>, fixed: bool) {
        self.vocabulary = Some(names);
        self.fixed = fixed;
        self.index = OnceLock::new();
        self.key_index = OnceLock::new();
    }

    /// Learn the vocabulary; returns the per-column document frequencies and document count.
    fn fit_inner<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        weighting: Option<&dyn Fn(&[u64], usize) -> (bool, bool, Option<Vec<f64>>, Option<Norm>)>,
        want_df: bool,
    ) -> Result<(Vec<u64>, Option<CsrMatrix<T>>)> {
        let an = self.analyzer()?;
        if let Some(v) = &self.config.vocabulary {
            let names = v.resolve()?;
            self.set_vocabulary(names, true);
            self.removed = None;
            if weighting.is_none() && !want_df {
                return Ok((Vec::new(), None));
            }
            let w = Weighting { binary: self.config.binary, sublinear: false, idf: None, norm: None };
            let counts: CsrMatrix<f64> =
                self.with_lookup(&an, |names, lk| engine::transform(&an, names, lk, docs, &w))??;
            let df = engine::column_df(&counts);
            let m = match weighting {
                None => None,
                Some(make) => {
                    let (binary, sublinear, idf, norm) = make(&df, docs.len());
                    let w = Weighting { binary, sublinear, idf: idf.as_deref(), norm };
                    Some(reweight::<T>(counts, &w))
                }
            };
            return Ok((df, m));
        }
        let limits = Limits {
            min_count: self.config.min_df.count(docs.len()),
            max_count: self.config.max_df.count(docs.len()),
            max_features: self.config.max_features,
        };
        let (fitted, m) = engine::fit::<T, S>(&an, docs, limits, weighting)?;
        self.removed = Some(Arc::new(fitted.removed));
        self.set_vocabulary(fitted.names, false);
        Ok((fitted.df, m))
    }

    /// Learn the vocabulary of `docs`.
    pub fn fit<S: AsRef<str> + Sync>(&mut self, docs: &[S], n_jobs: Option<i64>) -> Result<()> {
        parallel::install(n_jobs, || self.fit_inner::<f32, S>(docs, None, false).map(|_| ()))?
    }

    /// Learn the vocabulary and return the document-term count matrix.
    pub fn fit_transform<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let binary = self.config.binary;
        let make = move |_: &[u64], _: usize| (binary, false, None, None);
        parallel::install(n_jobs, || {
            let (_, m) = self.fit_inner::<T, S>(docs, Some(&make), false)?;
            m.ok_or_else(|| Error::value("internal: no matrix built"))
        })?
    }

    /// Count `docs` against the fitted vocabulary.
    pub fn transform<T: Real, S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let an = self.analyzer()?;
        let w = Weighting { binary: self.config.binary, sublinear: false, idf: None, norm: None };
        self.with_lookup(&an, |names, lk| {
            parallel::install(n_jobs, || engine::transform(&an, names, lk, docs, &w))?
        })?
    }

    /// The terms in column order.
    pub fn feature_names(&self) -> Result<&[String]> {
        self.vocabulary.as_deref().ok_or_else(|| Error::not_fitted("CountVectorizer"))
    }

    /// Was the vocabulary given (`vocabulary=`) rather than learned?
    pub fn fixed_vocabulary(&self) -> bool {
        self.fixed
    }

    /// Terms removed by `min_df` / `max_df` / `max_features` in the last fit (`None` when not
    /// fitted in this process: they are not saved).
    pub fn stop_words(&self) -> Option<Vec<String>> {
        Some(self.removed.as_ref()?.to_vec())
    }

    /// The features of one document, as strings (scikit-learn's `build_analyzer()(doc)`).
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>> {
        Ok(self.analyzer()?.analyze(doc))
    }

    /// Every feature occurrence of `doc` (column-space term, e.g. the stemmed and accent-folded
    /// `"peac talk"`) with its byte span in `doc` (n-grams: first token start to last token
    /// end). Occurrences of terms outside the vocabulary are included; filter with
    /// [`CountVectorizer::feature_names`] as needed.
    pub fn analyze_spans(&self, doc: &str) -> Result<Vec<(String, Range<usize>)>> {
        Ok(self.analyzer()?.analyze_spans(doc))
    }

    /// Column of a term.
    pub fn column_of(&self, term: &str) -> Result<Option<usize>> {
        let (names, index) = self.index()?;
        Ok(index.get(names, term).map(|c| c as usize))
    }

    /// A copy of the fitted vectorizer that knows only the columns `keep` (strictly increasing
    /// indices into [`CountVectorizer::feature_names`]): its vocabulary is those terms in the
    /// same order, renumbered `0..keep.len()`, so its `transform` gives exactly the kept
    /// columns of this one's. The config (and the fixed-vocabulary flag) is unchanged, so a
    /// later `fit` learns a full vocabulary again; the terms removed by the last fit are not
    /// carried over. An empty `keep` gives a vectorizer with no columns.
    pub fn keep_columns(&self, keep: &[usize]) -> Result<Self> {
        let names = self.feature_names()?;
        check_keep(keep, names.len())?;
        Ok(CountVectorizer {
            config: self.config.clone(),
            vocabulary: Some(keep.iter().map(|&j| names[j].clone()).collect()),
            fixed: self.fixed,
            removed: None,
            analyzer: self.analyzer.clone(),
            index: OnceLock::new(),
            key_index: OnceLock::new(),
        })
    }
}

/// `keep` must be strictly increasing column indices below `n_cols`.
fn check_keep(keep: &[usize], n_cols: usize) -> Result<()> {
    if let Some(w) = keep.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Error::value(format!(
            "keep_columns: the column indices must be strictly increasing (got {} then {})",
            w[0], w[1]
        )));
    }
    if let Some(&j) = keep.last().filter(|&&j| j >= n_cols) {
        return Err(Error::value(format!(
            "keep_columns: column {j} is out of range for a vocabulary of {n_cols} terms"
        )));
    }
    Ok(())
}

fn reweight<T: Real>(m: CsrMatrix<f64>, w: &Weighting) -> CsrMatrix<T> {
    use rayon::prelude::*;
    let CsrMatrix { n_rows, n_cols, indptr, indices, data } = m;
    let mut out = vec![T::zero(); data.len()];
    let mut slices: Vec<&mut [T]> = Vec::with_capacity(n_rows);
    let mut rest: &mut [T] = &mut out;
    for r in indptr.windows(2) {
        let (a, b) = rest.split_at_mut(r[1] - r[0]);
        slices.push(a);
        rest = b;
    }
    slices.into_par_iter().enumerate().for_each(|(i, o)| {
        let (a, b) = (indptr[i], indptr[i + 1]);
        w.apply(&indices[a..b], &data[a..b], o);
    });
    drop(data);
    CsrMatrix { n_rows, n_cols, indptr, indices, data: out }
}

/// TF-IDF features (scikit-learn's `TfidfVectorizer`): counts, then `tf` (`1 + ln(tf)` with
/// `sublinear_tf`) times `idf = ln((1 + n) / (1 + df)) + 1` (`ln(n / df) + 1` without
/// `smooth_idf`), then the row norm.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TfidfVectorizer {
    config: TfidfConfig,
    count: CountVectorizer,
    #[serde(with = "crate::persist::codec::idf")]
    idf: Option<Vec<f64>>,
}

impl TfidfVectorizer {
    /// Validate `config`.
    pub fn new(config: TfidfConfig) -> Result<Self> {
        let count = CountVectorizer::new_named(config.count.clone(), "TfidfVectorizer")?;
        Ok(TfidfVectorizer { config, count, idf: None })
    }

    /// The parameters.
    pub fn config(&self) -> &TfidfConfig {
        &self.config
    }

    fn idf_from(&self, df: &[u64], n_docs: usize) -> Vec<f64> {
        let s = if self.config.smooth_idf { 1.0 } else { 0.0 };
        let n = n_docs as f64 + s;
        df.iter().map(|&d| (n / (d as f64 + s)).ln() + 1.0).collect()
    }

    /// Learn the vocabulary and idf of `docs`.
    pub fn fit<S: AsRef<str> + Sync>(&mut self, docs: &[S], n_jobs: Option<i64>) -> Result<()> {
        let (df, _) = parallel::install(n_jobs, || {
            self.count.fit_inner::<f32, S>(docs, None, self.config.use_idf)
        })??;
        self.idf = self.config.use_idf.then(|| self.idf_from(&df, docs.len()));
        Ok(())
    }

    /// Learn the vocabulary and idf, and return the TF-IDF matrix of `docs`.
    pub fn fit_transform<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let cfg = self.config.clone();
        let probe = TfidfVectorizer { config: cfg.clone(), count: self.count.clone(), idf: None };
        let make = move |df: &[u64], n: usize| {
            let idf = cfg.use_idf.then(|| probe.idf_from(df, n));
            (cfg.count.binary, cfg.sublinear_tf, idf, cfg.norm)
        };
        let (df, m) = parallel::install(n_jobs, || {
            self.count.fit_inner::<T, S>(docs, Some(&make), false)
        })??;
        self.idf = self.config.use_idf.then(|| self.idf_from(&df, docs.len()));
        m.ok_or_else(|| Error::value("internal: no matrix built"))
    }

    /// The row weighting of the fitted model (tf scaling, idf, norm); an error before `fit`.
    fn fitted_weighting(&self) -> Result<Weighting<'_>> {
        if self.count.vocabulary.is_none() || (self.config.use_idf && self.idf.is_none()) {
            return Err(Error::not_fitted("TfidfVectorizer"));
        }
        Ok(Weighting {
            binary: self.config.count.binary,
            sublinear: self.config.sublinear_tf,
            idf: self.idf.as_deref(),
            norm: self.config.norm,
        })
    }

    /// The TF-IDF matrix of `docs` with the fitted vocabulary and idf.
    pub fn transform<T: Real, S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let w = self.fitted_weighting()?;
        let an = self.count.analyzer()?;
        self.count.with_lookup(&an, |names, lk| {
            parallel::install(n_jobs, || engine::transform(&an, names, lk, docs, &w))?
        })?
    }

    /// [`TfidfVectorizer::transform`] one chunk of documents at a time: `f` gets each chunk's
    /// rows (in parallel, inside the `n_jobs` pool) and its results come back in document
    /// order, so a consumer (scoring) works on rows still in cache and the whole matrix is
    /// never built.
    pub fn transform_chunks<T: Real, S: AsRef<str> + Sync, R: Send>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
        f: &(dyn Fn(CsrMatrix<T>) -> R + Sync),
    ) -> Result<Vec<R>> {
        let w = self.fitted_weighting()?;
        let an = self.count.analyzer()?;
        self.count.with_lookup(&an, |names, lk| {
            parallel::install(n_jobs, || engine::transform_chunks(&an, names, lk, docs, &w, f))?
        })?
    }

    /// The terms in column order.
    pub fn feature_names(&self) -> Result<&[String]> {
        self.count.feature_names().map_err(|_| Error::not_fitted("TfidfVectorizer"))
    }

    /// The idf of each column (`None` before fit or with `use_idf=false`).
    pub fn idf(&self) -> Option<&[f64]> {
        self.idf.as_deref()
    }

    /// See [`CountVectorizer::fixed_vocabulary`].
    pub fn fixed_vocabulary(&self) -> bool {
        self.count.fixed_vocabulary()
    }

    /// See [`CountVectorizer::stop_words`].
    pub fn stop_words(&self) -> Option<Vec<String>> {
        self.count.stop_words()
    }

    /// See [`CountVectorizer::analyze`].
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>> {
        self.count.analyze(doc)
    }

    /// See [`CountVectorizer::analyze_spans`].
    pub fn analyze_spans(&self, doc: &str) -> Result<Vec<(String, Range<usize>)>> {
        self.count.analyze_spans(doc)
    }

    /// Column of a term.
    pub fn column_of(&self, term: &str) -> Result<Option<usize>> {
        self.count.column_of(term).map_err(|_| Error::not_fitted("TfidfVectorizer"))
    }

    /// A copy of the fitted vectorizer that knows only the columns `keep` (strictly increasing
    /// indices into [`TfidfVectorizer::feature_names`]), renumbered `0..keep.len()`, with
    /// their idf; config unchanged (see [`CountVectorizer::keep_columns`]).
    ///
    /// Its `transform` gives, for the kept columns, the same values as this one's *before the
    /// row norm* (tf, sublinear tf and idf are per entry), and then applies the configured norm
    /// over the kept columns only: with `norm=None` the output is exactly the kept columns of
    /// this one's; with `l1`/`l2` each row is rescaled to unit norm over what remains. This is
    /// what a pruned model needs: its file holds only the kept terms, so the dropped terms
    /// cannot take part in the norm (a model whose dropped columns all weigh ~0 scores the
    /// same unnormalised features as before, each row rescaled by one factor).
    pub fn keep_columns(&self, keep: &[usize]) -> Result<Self> {
        let not_fitted = || Error::not_fitted("TfidfVectorizer");
        let n_cols = self.count.feature_names().map_err(|_| not_fitted())?.len();
        if self.config.use_idf && self.idf.is_none() {
            return Err(not_fitted());
        }
        check_keep(keep, n_cols)?;
        let idf = match &self.idf {
            None => None,
            Some(idf) if idf.len() != n_cols => {
                return Err(Error::value(format!(
                    "keep_columns: the vectorizer has {n_cols} terms but {} idf values",
                    idf.len()
                )))
            }
            Some(idf) => Some(keep.iter().map(|&j| idf[j]).collect()),
        };
        Ok(TfidfVectorizer { config: self.config.clone(), count: self.count.keep_columns(keep)?, idf })
    }
}

/// Stateless hashed features (scikit-learn's `HashingVectorizer`): signed 32-bit MurmurHash3
/// (seed 0) of each feature's UTF-8 bytes picks the column and, with `alternate_sign`, the sign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HashingVectorizer {
    config: HashingConfig,
    #[serde(skip)]
    analyzer: OnceLock<Arc<Analyzer>>,
}

impl HashingVectorizer {
    /// Validate `config`.
    pub fn new(config: HashingConfig) -> Result<Self> {
        if config.n_features < 1 || config.n_features > i32::MAX as usize {
            return Err(Error::value(format!(
                "The 'n_features' parameter of HashingVectorizer must be an int in the range \
                 [1, 2147483647]. Got {} instead.",
                config.n_features
            )));
        }
        let analyzer = OnceLock::new();
        compiled(&analyzer, &config.analyzer)?;
        Ok(HashingVectorizer { config, analyzer })
    }

    /// The parameters.
    pub fn config(&self) -> &HashingConfig {
        &self.config
    }

    fn analyzer(&self) -> Result<Arc<Analyzer>> {
        compiled(&self.analyzer, &self.config.analyzer)
    }

    /// Nothing to learn; present for symmetry (parameters were validated by `new`).
    pub fn fit<S: AsRef<str> + Sync>(&mut self, _docs: &[S], _n_jobs: Option<i64>) -> Result<()> {
        Ok(())
    }

    /// The hashed feature matrix of `docs`.
    pub fn transform<T: Real, S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let an = self.analyzer()?;
        let c = &self.config;
        parallel::install(n_jobs, || {
            engine::hashing_transform(
                &an,
                c.n_features as u32,
                c.alternate_sign,
                c.binary,
                c.norm,
                docs,
            )
        })?
    }

    /// Same as [`HashingVectorizer::transform`].
    pub fn fit_transform<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        self.transform(docs, n_jobs)
    }

    /// Column and sign (`true` = +) of a feature string.
    pub fn column_of(&self, feature: &str) -> (usize, bool) {
        let (c, s) = hashing::feature_index_sign(feature, self.config.n_features as u32);
        (c as usize, s)
    }

    /// See [`CountVectorizer::analyze`].
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>> {
        Ok(self.analyzer()?.analyze(doc))
    }

    /// See [`CountVectorizer::analyze_spans`].
    pub fn analyze_spans(&self, doc: &str) -> Result<Vec<(String, Range<usize>)>> {
        Ok(self.analyzer()?.analyze_spans(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<String> {
        let base = [
            "The peace talks resumed in Geneva on Monday.",
            "Rebels attacked a convoy; the talks stalled.",
            "Ceasefire holds as aid convoys reach the city",
            "",
            "Las negociaciones de paz se reanudaron en Ginebra",
            "émoji 🙂 and RTL שלום text",
        ];
        (0..2500).map(|i| format!("{} {}", base[i % base.len()], i % 13)).collect()
    }

    #[test]
    fn tfidf_basic_and_n_jobs_invariance() {
        let d = docs();
        let mut cfg = TfidfConfig::default();
        cfg.count.analyzer.ngram_range = (1, 2);
        cfg.count.min_df = DfBound::Count(2);
        cfg.sublinear_tf = true;
        let mut a = TfidfVectorizer::new(cfg.clone()).unwrap();
        let m1: CsrMatrix<f32> = a.fit_transform(&d, Some(1)).unwrap();
        let mut b = TfidfVectorizer::new(cfg).unwrap();
        let m2: CsrMatrix<f32> = b.fit_transform(&d, Some(2)).unwrap();
        assert_eq!(m1, m2);
        assert!(m1.has_sorted_indices());
        assert_eq!(m1.n_rows, d.len());
        let names = a.feature_names().unwrap();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert!(names.iter().any(|n| n == "peace talks"));
        let t: CsrMatrix<f32> = a.transform(&d, Some(2)).unwrap();
        for (x, y) in t.data.iter().zip(&m1.data) {
            assert!((x - y).abs() < 1e-6);
        }
        assert_eq!(t.indices, m1.indices);
        // row 3 (empty doc) is empty
        assert_eq!(m1.row(3).0.len(), 0);
        // serde round trip
        let bytes = postcard::to_allocvec(&a).unwrap();
        let c: TfidfVectorizer = postcard::from_bytes(&bytes).unwrap();
        let t2: CsrMatrix<f32> = c.transform(&d, None).unwrap();
        assert_eq!(t2, t);
    }

    #[test]
    fn pruning_rules() {
        let d = docs();
        let mut cfg = VectorizerConfig::default();
        cfg.max_df = DfBound::Count(1);
        cfg.min_df = DfBound::Count(2);
        let mut v = CountVectorizer::new(cfg).unwrap();
        let e = v.fit(&d, None).unwrap_err();
        assert!(e.to_string().contains("max_df corresponds to < documents than min_df"));
        let mut cfg = VectorizerConfig::default();
        cfg.max_features = Some(3);
        let mut v = CountVectorizer::new(cfg).unwrap();
        v.fit(&d, None).unwrap();
        assert_eq!(v.feature_names().unwrap().len(), 3);
        assert!(v.stop_words().unwrap().len() > 3);
        let mut cfg = VectorizerConfig::default();
        cfg.analyzer.stop_words = Some(StopWordsSpec::List(vec!["a".into()]));
        let mut v = CountVectorizer::new(cfg).unwrap();
        let e = v.fit(&["a a", "a"], None).unwrap_err();
        assert!(e.to_string().contains("empty vocabulary"));
        assert!(CountVectorizer::new(VectorizerConfig { min_df: DfBound::Proportion(1.5), ..Default::default() }).is_err());
    }

    #[test]
    fn fixed_vocabulary() {
        let mut cfg = VectorizerConfig::default();
        cfg.vocabulary = Some(FixedVocabulary::Terms(vec!["talks".into(), "peace".into()]));
        let mut v = CountVectorizer::new(cfg).unwrap();
        let m: CsrMatrix<f64> = v.fit_transform(&["peace talks talks", "nothing"], None).unwrap();
        assert_eq!(m.to_dense(), vec![vec![2.0, 1.0], vec![0.0, 0.0]]);
        for bad in [
            FixedVocabulary::Terms(vec!["a".into(), "a".into()]),
            FixedVocabulary::Mapping(vec![("a".into(), 0), ("b".into(), 0)]),
            FixedVocabulary::Mapping(vec![("a".into(), 0), ("b".into(), 2)]),
            FixedVocabulary::Terms(vec![]),
        ] {
            let cfg = VectorizerConfig { vocabulary: Some(bad), ..Default::default() };
            assert!(CountVectorizer::new(cfg).is_err());
        }
    }

    #[test]
    fn not_fitted() {
        let v = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let e = v.transform::<f32, _>(&["a"], None).unwrap_err();
        assert!(matches!(e, Error::NotFitted(_)));
    }

    #[test]
    fn hashing_rows_normalised() {
        let d = docs();
        let h = HashingVectorizer::new(HashingConfig::default()).unwrap();
        let m: CsrMatrix<f64> = h.transform(&d, Some(2)).unwrap();
        let m1: CsrMatrix<f64> = h.transform(&d, Some(1)).unwrap();
        assert_eq!(m, m1);
        let (_, v) = m.row(0);
        let n: f64 = v.iter().map(|x| x * x).sum();
        assert!((n - 1.0).abs() < 1e-9);
    }

    /// Columns `keep` of `m`, renumbered.
    fn select_columns(m: &CsrMatrix<f64>, keep: &[usize]) -> CsrMatrix<f64> {
        let mut new_col = vec![u32::MAX; m.n_cols];
        for (c, &j) in keep.iter().enumerate() {
            new_col[j] = c as u32;
        }
        let (mut indptr, mut indices, mut data) = (vec![0], Vec::new(), Vec::new());
        for i in 0..m.n_rows {
            let (cols, vals) = m.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                if new_col[j as usize] != u32::MAX {
                    indices.push(new_col[j as usize]);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        CsrMatrix::new(m.n_rows, keep.len(), indptr, indices, data).unwrap()
    }

    /// Rows of `m` scaled to unit `norm` (the weighting's own arithmetic).
    fn normalised(m: &CsrMatrix<f64>, norm: Option<Norm>) -> CsrMatrix<f64> {
        let w = Weighting { binary: false, sublinear: false, idf: None, norm };
        let mut out = m.clone();
        for i in 0..m.n_rows {
            let (a, b) = (m.indptr[i], m.indptr[i + 1]);
            w.apply(&m.indices[a..b], &m.data[a..b], &mut out.data[a..b]);
        }
        out
    }

    fn every_third_and_last(n: usize) -> Vec<usize> {
        let mut keep: Vec<usize> = (0..n).filter(|j| j % 3 != 1).collect();
        if keep.last() != Some(&(n - 1)) {
            keep.push(n - 1);
        }
        keep
    }

    /// `restricted` gives the kept columns of `full`'s output before the norm, then the norm.
    fn check_tfidf_restriction(full: &TfidfVectorizer, keep: &[usize], d: &[String]) {
        let r = full.keep_columns(keep).unwrap();
        let names = full.feature_names().unwrap();
        let kept: Vec<String> = keep.iter().map(|&j| names[j].clone()).collect();
        assert_eq!(r.feature_names().unwrap(), kept.as_slice());
        assert_eq!(r.config(), full.config());
        if let Some(idf) = full.idf() {
            let want: Vec<f64> = keep.iter().map(|&j| idf[j]).collect();
            assert_eq!(r.idf().unwrap(), want.as_slice());
        }
        let mut raw = full.clone();
        raw.config.norm = None;
        let unnormalised: CsrMatrix<f64> = raw.transform(d, Some(2)).unwrap();
        let want = normalised(&select_columns(&unnormalised, keep), full.config.norm);
        let got: CsrMatrix<f64> = r.transform(d, Some(2)).unwrap();
        assert_eq!(got, want);
        let got32: CsrMatrix<f32> = r.transform(d, Some(1)).unwrap();
        assert_eq!(got32, want.cast::<f32>());
        if full.config.norm.is_none() {
            let all: CsrMatrix<f64> = full.transform(d, None).unwrap();
            assert_eq!(got, select_columns(&all, keep));
        }
        // the restricted vectorizer survives serialisation
        let bytes = postcard::to_allocvec(&r).unwrap();
        let back: TfidfVectorizer = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back.transform::<f64, _>(d, None).unwrap(), got);
    }

    #[test]
    fn keep_columns_tfidf_word_ngrams_and_norms() {
        let d = docs();
        for (norm, sublinear, use_idf, binary) in [
            (Some(Norm::L2), true, true, false),
            (Some(Norm::L1), false, true, true),
            (None, false, true, false),
            (Some(Norm::L2), false, false, false),
        ] {
            let mut cfg = TfidfConfig::default();
            cfg.count.analyzer.ngram_range = (1, 2);
            cfg.count.min_df = DfBound::Count(2);
            cfg.count.binary = binary;
            cfg.norm = norm;
            cfg.sublinear_tf = sublinear;
            cfg.use_idf = use_idf;
            let mut v = TfidfVectorizer::new(cfg).unwrap();
            let _: CsrMatrix<f32> = v.fit_transform(&d, Some(2)).unwrap();
            let n = v.feature_names().unwrap().len();
            check_tfidf_restriction(&v, &every_third_and_last(n), &d);
            check_tfidf_restriction(&v, &(0..n).collect::<Vec<_>>(), &d);
            check_tfidf_restriction(&v, &[n / 2], &d);
            let none = v.keep_columns(&[]).unwrap();
            let m: CsrMatrix<f32> = none.transform(&d, None).unwrap();
            assert_eq!((m.n_rows, m.n_cols, m.nnz()), (d.len(), 0, 0));
        }
    }

    #[test]
    fn keep_columns_char_analyzer_and_fixed_vocabulary() {
        let d = docs();
        let mut cfg = TfidfConfig::default();
        cfg.count.analyzer.analyzer = "char_wb".into();
        cfg.count.analyzer.ngram_range = (2, 4);
        let mut v = TfidfVectorizer::new(cfg).unwrap();
        v.fit(&d, Some(2)).unwrap();
        let n = v.feature_names().unwrap().len();
        check_tfidf_restriction(&v, &every_third_and_last(n), &d);

        let mut cfg = TfidfConfig::default();
        let terms: Vec<String> = ["ceasefire", "convoy", "geneva", "peace", "talks", "zzz"].iter().map(|s| s.to_string()).collect();
        cfg.count.vocabulary = Some(FixedVocabulary::Terms(terms.clone()));
        let mut v = TfidfVectorizer::new(cfg).unwrap();
        v.fit(&d, None).unwrap();
        let r = v.keep_columns(&[1, 3, 5]).unwrap();
        assert!(r.fixed_vocabulary());
        assert_eq!(r.feature_names().unwrap(), &terms[..][1..].iter().step_by(2).cloned().collect::<Vec<_>>()[..]);
        check_tfidf_restriction(&v, &[1, 3, 5], &d);

        let mut cfg = VectorizerConfig::default();
        cfg.vocabulary = Some(FixedVocabulary::Terms(terms));
        let mut c = CountVectorizer::new(cfg).unwrap();
        c.fit(&d, None).unwrap();
        let r = c.keep_columns(&[0, 4]).unwrap();
        assert!(r.fixed_vocabulary());
        assert_eq!(r.column_of("talks").unwrap(), Some(1));
        assert_eq!(r.column_of("convoy").unwrap(), None);
    }

    #[test]
    fn keep_columns_count_is_exactly_the_kept_columns() {
        let d = docs();
        for (ngram, kind) in [((1, 2), "word"), ((1, 3), "word"), ((2, 3), "char")] {
            let mut cfg = VectorizerConfig::default();
            cfg.analyzer.analyzer = kind.into();
            cfg.analyzer.ngram_range = ngram;
            let mut v = CountVectorizer::new(cfg).unwrap();
            let all: CsrMatrix<f64> = v.fit_transform(&d, Some(2)).unwrap();
            let keep = every_third_and_last(v.feature_names().unwrap().len());
            let r = v.keep_columns(&keep).unwrap();
            assert!(r.stop_words().is_none());
            assert_eq!(r.transform::<f64, _>(&d, Some(2)).unwrap(), select_columns(&all, &keep));
            let names = v.feature_names().unwrap();
            for (c, &j) in keep.iter().enumerate() {
                assert_eq!(r.column_of(&names[j]).unwrap(), Some(c));
            }
        }
    }

    #[test]
    fn keep_columns_errors() {
        let c = CountVectorizer::new(VectorizerConfig::default()).unwrap();
        assert!(matches!(c.keep_columns(&[0]), Err(Error::NotFitted(_))));
        let t = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let e = t.keep_columns(&[]).unwrap_err();
        assert!(matches!(e, Error::NotFitted(_)) && e.to_string().contains("TfidfVectorizer"), "{e}");
        let mut t = t;
        t.fit(&["peace talks", "talks stalled"], None).unwrap();
        let n = t.feature_names().unwrap().len();
        assert_eq!(n, 3);
        for bad in [vec![1, 0], vec![1, 1], vec![0, n], vec![usize::MAX]] {
            let e = t.keep_columns(&bad).unwrap_err();
            assert!(matches!(e, Error::Value(_)), "{bad:?}: {e}");
            let e = t.count.keep_columns(&bad).unwrap_err();
            assert!(matches!(e, Error::Value(_)), "{bad:?}: {e}");
        }
        assert!(t.keep_columns(&[0, 2]).is_ok());
    }

    #[test]
    fn char_analyzers_fit() {
        for kind in ["char", "char_wb"] {
            let mut cfg = TfidfConfig::default();
            cfg.count.analyzer.analyzer = kind.into();
            cfg.count.analyzer.ngram_range = (2, 4);
            let mut v = TfidfVectorizer::new(cfg).unwrap();
            let d = docs();
            let a: CsrMatrix<f32> = v.fit_transform(&d, Some(1)).unwrap();
            let b: CsrMatrix<f32> = v.transform(&d, Some(2)).unwrap();
            assert_eq!(a.indices, b.indices);
        }
    }
}
