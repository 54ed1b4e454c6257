//! [`TfidfVectorizer`]: TF-IDF features (scikit-learn's `TfidfVectorizer`), a
//! [`CountVectorizer`] plus the idf of each column and the row weighting.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::count_vectorizer::{check_keep, CountVectorizer};
use super::config::TfidfConfig;
use super::df_counts::DfCounts;
use super::transform::transform_chunks;
use super::weight::{idf, Weighting};
use crate::error::{Error, Result};
use crate::parallel;
use crate::sparse::{CsrMatrix, Real};

/// TF-IDF features (scikit-learn's `TfidfVectorizer`): counts, then `tf` (`1 + ln(tf)` with
/// `sublinear_tf`) times `idf = ln((1 + n) / (1 + df)) + 1` (`ln(n / df) + 1` without
/// `smooth_idf`), then the row norm.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TfidfVectorizer {
    config: TfidfConfig,
    pub(super) count: CountVectorizer,
    #[serde(with = "crate::persist::codec::idf")]
    pub(super) idf: Option<Vec<f64>>,
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

    /// Learn the vocabulary and idf of `docs`.
    pub fn fit<S: AsRef<str> + Sync>(&mut self, docs: &[S], n_jobs: Option<i64>) -> Result<()> {
        let (df, _) = parallel::install(n_jobs, || {
            self.count.fit_inner::<f32, S>(docs, None, self.config.use_idf)
        })??;
        self.idf = self.config.use_idf.then(|| idf(&df, docs.len(), self.config.smooth_idf));
        Ok(())
    }

    /// See [`CountVectorizer::count_into`].
    pub fn count_into<S: AsRef<str> + Sync>(&self, counts: &mut DfCounts, docs: &[S], n_jobs: Option<i64>) -> Result<()> {
        self.count.count_into(counts, docs, n_jobs)
    }

    /// Fit the vocabulary and idf from counts (see [`CountVectorizer::fit_counts_inner`]):
    /// the same vocabulary and idf as `fit` on all the counted documents.
    pub fn fit_counts(&mut self, counts: &DfCounts) -> Result<()> {
        let (df, n) = self.count.fit_counts_inner(counts)?;
        self.idf = self.config.use_idf.then(|| idf(&df, n, self.config.smooth_idf));
        Ok(())
    }

    /// See [`CountVectorizer::drop_lookup`].
    pub fn drop_lookup(&mut self) {
        self.count.drop_lookup()
    }

    /// Learn the vocabulary and idf, and return the TF-IDF matrix of `docs`.
    pub fn fit_transform<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let cfg = self.config.clone();
        let make = move |df: &[u64], n: usize| {
            let idf = cfg.use_idf.then(|| idf(df, n, cfg.smooth_idf));
            (cfg.count.binary, cfg.sublinear_tf, idf, cfg.norm)
        };
        let (df, m) = parallel::install(n_jobs, || {
            self.count.fit_inner::<T, S>(docs, Some(&make), false)
        })??;
        self.idf = self.config.use_idf.then(|| idf(&df, docs.len(), self.config.smooth_idf));
        m.ok_or_else(|| Error::value("internal: no matrix built"))
    }

    /// The row weighting of the fitted model (tf scaling, idf, norm); an error before `fit`.
    fn fitted_weighting(&self) -> Result<Weighting<'_>> {
        if self.count.feature_names().is_err() || (self.config.use_idf && self.idf.is_none()) {
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
        self.count.transform_weighted(docs, n_jobs, &self.fitted_weighting()?)
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
            parallel::install(n_jobs, || transform_chunks(&an, names, lk, docs, &w, f))?
        })?
    }

    /// [`TfidfVectorizer::transform_chunks`] for documents with segments
    /// (`ranges[offsets[i]..offsets[i + 1]]`: byte ranges into document `i`): `f` gets each
    /// chunk's document rows and its segments' rows, the rows `transform` gives the documents
    /// and the segment texts (a document is analysed once when the analyzer allows it:
    /// [`super::segmented`]).
    pub fn transform_chunks_segmented<T: Real, S: AsRef<str> + Sync, R: Send>(
        &self,
        docs: &[S],
        offsets: &[usize],
        ranges: &[std::ops::Range<usize>],
        n_jobs: Option<i64>,
        f: &(dyn Fn(CsrMatrix<T>, CsrMatrix<T>) -> R + Sync),
    ) -> Result<Vec<R>> {
        let w = self.fitted_weighting()?;
        let an = self.count.analyzer()?;
        self.count.with_lookup(&an, |names, lk| {
            parallel::install(n_jobs, || {
                super::segmented::transform_chunks_segmented(&an, names, lk, docs, offsets, ranges, &w, f)
            })?
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

    /// Replace the idf (scikit-learn's `idf_` setter): one finite value per column of the
    /// fitted or fixed vocabulary. An error with `use_idf=false` or before the vocabulary is
    /// known.
    pub fn set_idf(&mut self, idf: Vec<f64>) -> Result<()> {
        if !self.config.use_idf {
            return Err(Error::value("`idf_` cannot be set when `use_idf=False`."));
        }
        let n = self.feature_names()?.len();
        if idf.len() != n {
            return Err(Error::value(format!(
                "idf length = {} must be equal to vocabulary size = {n}",
                idf.len()
            )));
        }
        if idf.iter().any(|v| !v.is_finite()) {
            return Err(Error::value("idf_ values must be finite"));
        }
        self.idf = Some(idf);
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorize::config::{DfBound, FixedVocabulary, Norm, VectorizerConfig};
    use crate::vectorize::testdata::{docs, every_third_and_last, select_columns};


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
    fn transform_after_the_lookup_tables_are_dropped_is_the_same() {
        // the keyed index (word 1-2 grams) and the string index (char n-grams)
        for analyzer in ["word", "char"] {
            let d = docs();
            let mut cfg = TfidfConfig::default();
            cfg.count.analyzer.ngram_range = (1, 2);
            cfg.count.analyzer.analyzer = analyzer.to_string();
            let mut a = TfidfVectorizer::new(cfg).unwrap();
            let m: CsrMatrix<f32> = a.fit_transform(&d, Some(2)).unwrap();
            let t: CsrMatrix<f32> = a.transform(&d, Some(2)).unwrap();
            a.drop_lookup();
            let t2: CsrMatrix<f32> = a.transform(&d, Some(1)).unwrap();
            assert_eq!(t2, t);
            assert_eq!(t2.indices, m.indices);
        }
    }


    #[test]
    fn not_fitted() {
        let v = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let e = v.transform::<f32, _>(&["a"], None).unwrap_err();
        assert!(matches!(e, Error::NotFitted(_)));
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
