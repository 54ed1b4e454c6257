//! [`CountVectorizer`]: bag-of-n-grams counts (scikit-learn's `CountVectorizer`). It owns its
//! config and, once fitted, its vocabulary in column order; the compiled analyzer and the
//! vocabulary lookup tables are rebuilt lazily after deserialisation.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::config::{compiled, VectorizerConfig};
use super::df_counts::DfCounts;
use super::fit::fit;
use super::index::{KeyIndex, VocabIndex};
use super::transform::{transform, Lookup};
use super::vocab::{Limits, Removed};
use super::weight::{column_df, reweight, MakeWeighting, Weighting};
use crate::error::{Error, Result};
use crate::parallel;
use crate::sparse::{CsrMatrix, Real};
use crate::text::Analyzer;

/// Bag-of-n-grams counts (scikit-learn's `CountVectorizer`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CountVectorizer {
    pub(super) config: VectorizerConfig,
    #[serde(with = "crate::persist::codec::vocabulary")]
    pub(super) vocabulary: Option<Vec<String>>,
    fixed: bool,
    #[serde(skip)]
    removed: Option<Arc<Removed>>,
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

    pub(super) fn new_named(config: VectorizerConfig, owner: &str) -> Result<Self> {
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

    pub(super) fn analyzer(&self) -> Result<Arc<Analyzer>> {
        compiled(&self.analyzer, &self.config.analyzer)
    }

    fn index(&self) -> Result<(&[String], Arc<VocabIndex>)> {
        let names = self.vocabulary.as_deref().ok_or_else(|| Error::not_fitted("CountVectorizer"))?;
        let idx = self.index.get_or_init(|| Arc::new(VocabIndex::new(names))).clone();
        Ok((names, idx))
    }

    /// Run `f` with the vocabulary and the cheapest lookup for the analyzer.
    pub(super) fn with_lookup<R>(&self, an: &Analyzer, f: impl FnOnce(&[String], Lookup) -> R) -> Result<R> {
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

    /// Frees the vocabulary's lookup tables (a cache: the next transform builds them again),
    /// for callers that will not transform for a while and need the memory meanwhile.
    pub fn drop_lookup(&mut self) {
        self.index = OnceLock::new();
        self.key_index = OnceLock::new();
    }

    fn set_vocabulary(&mut self, names: Vec<String>, fixed: bool) {
        self.vocabulary = Some(names);
        self.fixed = fixed;
        self.drop_lookup();
    }

    /// Learn the vocabulary; returns the per-column document frequencies and document count.
    pub(super) fn fit_inner<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        weighting: Option<MakeWeighting>,
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
                self.with_lookup(&an, |names, lk| transform(&an, names, lk, docs, &w))??;
            let df = column_df(&counts);
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
        let (fitted, m) = fit::<T, S>(&an, docs, limits, weighting)?;
        self.removed = Some(Arc::new(fitted.removed));
        self.set_vocabulary(fitted.names, false);
        if let Some(ki) = fitted.key_index {
            let _ = self.key_index.set(Some(Arc::new(ki)));
        }
        Ok((fitted.df, m))
    }

    /// Add the document and term frequencies of `docs` (analysed as this vectorizer analyses
    /// them) to `counts`: one batch of a fit that never holds all the documents.
    pub fn count_into<S: AsRef<str> + Sync>(&self, counts: &mut DfCounts, docs: &[S], n_jobs: Option<i64>) -> Result<()> {
        let an = self.analyzer()?;
        parallel::install(n_jobs, || counts.add(&an, docs))?
    }

    /// Fit from counts made by [`CountVectorizer::count_into`] (of any number of batches,
    /// merged in any order): the vocabulary is the one a fit on all those documents would
    /// learn (`min_df`, `max_df`, `max_features` applied to the totals), or the fixed one.
    /// Returns the document frequency of each column and the number of documents counted.
    pub(super) fn fit_counts_inner(&mut self, counts: &DfCounts) -> Result<(Vec<u64>, usize)> {
        let n = counts.n_docs() as usize;
        self.removed = None;
        if let Some(v) = &self.config.vocabulary {
            let names = v.resolve()?;
            let df = names.iter().map(|t| counts.df_of(t)).collect();
            self.set_vocabulary(names, true);
            return Ok((df, n));
        }
        let (names, df) = counts.select(self.config.min_df, self.config.max_df, self.config.max_features)?;
        self.set_vocabulary(names, false);
        Ok((df, n))
    }

    /// See [`CountVectorizer::fit_counts_inner`].
    pub fn fit_counts(&mut self, counts: &DfCounts) -> Result<()> {
        self.fit_counts_inner(counts).map(|_| ())
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
        let w = Weighting { binary: self.config.binary, sublinear: false, idf: None, norm: None };
        self.transform_weighted(docs, n_jobs, &w)
    }

    /// `docs` against the fitted vocabulary, rows weighted by `w` (raw counts for
    /// [`CountVectorizer::transform`], TF-IDF for the TF-IDF vectorizer).
    pub(super) fn transform_weighted<T: Real, S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
        w: &Weighting<'_>,
    ) -> Result<CsrMatrix<T>> {
        let an = self.analyzer()?;
        self.with_lookup(&an, |names, lk| {
            parallel::install(n_jobs, || transform(&an, names, lk, docs, w))?
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
pub fn check_keep(keep: &[usize], n_cols: usize) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorize::config::{DfBound, FixedVocabulary};
    use crate::vectorize::testdata::{docs, every_third_and_last, select_columns};
    use crate::text::StopWordsSpec;

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
}
