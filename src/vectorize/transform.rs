//! Transform: new documents counted against a fitted vocabulary, in parallel chunks, looked
//! up by string ([`VocabIndex`]) or by term ids ([`KeyIndex`]), and weighted row by row.

use hashbrown::HashMap;

use super::chunks::{chunk, for_chunks, CHUNK};
use super::index::{KeyIndex, VocabIndex};
use super::weight::Weighting;
use crate::error::{try_reserve, try_vec, Error, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::sparse::{CsrMatrix, Real};
use crate::text::intern::{Interner, HASHER};
use crate::text::{word_ngrams, Analyzer, AnalyzerKind, CharScratch, TermCache, TermMemo};

/// Per-worker buffers of transform and the rows of the chunk being built.
pub(super) struct RowScratch<T> {
    /// Column of every feature occurrence of the current document.
    pub(super) cols: Vec<u32>,
    /// The current document's counts (parallel to its distinct columns).
    cnt: Vec<u32>,
    /// Per document: term ids, global term ids, bigram keys.
    ids: Vec<u32>,
    pub(super) g: Vec<u32>,
    pub(super) keys: Vec<u64>,
    /// Weighting scratch.
    vals: Vec<f64>,
    /// The chunk's rows so far.
    rows: Rows<T>,
    /// Non-zeros of the previous chunk (to size the next one's buffers).
    last_nnz: usize,
    /// Keyed lookup: token -> the vocabulary's term id. It depends only on the model, so it
    /// carries over from one chunk to the next of the same call (until [`TERM_CACHE_MAX`]
    /// entries).
    pub(super) cache: Option<TermCache>,
    /// The columns of whole documents while their segments' rows are built
    /// ([`super::segmented`]).
    pub(super) doc_cols: Vec<u32>,
}

/// Distinct terms after which a worker's term cache is started afresh (bounds its memory on
/// very large inputs).
const TERM_CACHE_MAX: usize = 1 << 20;

impl<T> Default for RowScratch<T> {
    fn default() -> Self {
        RowScratch {
            cols: Vec::new(),
            cnt: Vec::new(),
            ids: Vec::new(),
            g: Vec::new(),
            keys: Vec::new(),
            vals: Vec::new(),
            rows: Rows { indptr: Vec::new(), indices: Vec::new(), data: Vec::new() },
            last_nnz: 0,
            cache: None,
            doc_cols: Vec::new(),
        }
    }
}

/// One chunk's rows in CSR form (`indptr` starts at 0), weights applied.
pub(super) struct Rows<T> {
    pub(super) indptr: Vec<usize>,
    pub(super) indices: Vec<u32>,
    pub(super) data: Vec<T>,
}

impl<T: Real> RowScratch<T> {
    pub(super) fn begin(&mut self, n_docs: usize) {
        let r = &mut self.rows;
        r.indptr.clear();
        r.indptr.reserve(n_docs + 1);
        r.indptr.push(0);
        // Room for about as many non-zeros as the previous chunk had (unwritten room costs no
        // memory pages; it saves the copies of growing).
        let hint = self.last_nnz + self.last_nnz / 4;
        r.indices.clear();
        r.indices.reserve(hint);
        r.data.clear();
        r.data.reserve(hint);
    }

    /// Sort the current document's columns and append them as one weighted row.
    pub(super) fn end_row(&mut self, w: &Weighting) {
        let cols = &mut self.cols;
        cols.sort_unstable();
        let r = &mut self.rows;
        let start = r.indices.len();
        self.cnt.clear();
        let mut k = 0;
        while k < cols.len() {
            let c = cols[k];
            let s = k;
            k += 1;
            while k < cols.len() && cols[k] == c {
                k += 1;
            }
            r.indices.push(c);
            self.cnt.push((k - s) as u32);
            // The weighting below reads idf[c]: start loading it now.
            if let Some(x) = w.idf.and_then(|idf| idf.get(c as usize)) {
                crate::hw::prefetch_ptr(x);
            }
        }
        cols.clear();
        r.data.resize(r.indices.len(), T::zero());
        w.apply_counts(&r.indices[start..], &self.cnt, &mut r.data[start..], &mut self.vals);
        r.indptr.push(r.indices.len());
    }

    /// The chunk's rows (the buffers move out).
    pub(super) fn finish(&mut self) -> Rows<T> {
        self.last_nnz = self.rows.indices.len();
        Rows {
            indptr: std::mem::take(&mut self.rows.indptr),
            indices: std::mem::take(&mut self.rows.indices),
            data: std::mem::take(&mut self.rows.data),
        }
    }
}

/// Rows of `docs` against a fitted vocabulary looked up by string.
fn rows_by_string<T: Real, S: AsRef<str>>(
    an: &Analyzer,
    names: &[String],
    index: &VocabIndex,
    docs: &[S],
    w: &Weighting,
    sc: &mut RowScratch<T>,
) -> Rows<T> {
    sc.begin(docs.len());
    match an.kind {
        AnalyzerKind::Word => {
            let mut cache = TermCache::new();
            let mut uni = TermMemo::new(UNSET);
            let mut bi: HashMap<u64, u32, _> = HashMap::with_hasher(HASHER);
            let mut buf = String::new();
            use crate::ids::NOT_IN_VOCAB as NONE;
            for d in docs {
                let mut ids = std::mem::take(&mut sc.ids);
                an.word_terms(d.as_ref(), &mut cache, &mut ids);
                let cols = &mut sc.cols;
                word_ngrams(ids.len(), an.min_n, an.max_n, |i, j| {
                    let c = match j - i {
                        1 => uni.get_or_insert_with(ids[i], &cache, || {
                            index.get(names, cache.terms.get_str(ids[i])).unwrap_or(NONE)
                        }),
                        n => {
                            let key = ((ids[i] as u64) << 32) | ids[i + 1] as u64;
                            if n == 2 {
                                if let Some(&c) = bi.get(&key) {
                                    if c != NONE {
                                        cols.push(c);
                                    }
                                    return;
                                }
                            }
                            buf.clear();
                            cache.push_ngram(&ids[i..j], &mut buf);
                            let c = index.get(names, &buf).unwrap_or(NONE);
                            if n == 2 {
                                bi.insert(key, c);
                            }
                            c
                        }
                    };
                    if c != NONE {
                        cols.push(c);
                    }
                });
                sc.ids = ids;
                sc.end_row(w);
            }
        }
        _ => {
            let mut cs = CharScratch::new();
            for d in docs {
                let cols = &mut sc.cols;
                an.char_ngrams(d.as_ref(), &mut cs, |s| {
                    if let Some(c) = index.get(names, s) {
                        cols.push(c);
                    }
                });
                sc.end_row(w);
            }
        }
    }
    sc.finish()
}

// Not a term of the vocabulary: distinct from the analyzer cache's "not looked up yet", so an
// unknown term is looked up (and stemmed) once.
use crate::ids::NOT_IN_VOCAB as NONE;

/// The keyed term cache of a worker for this call (see [`RowScratch::cache`]).
pub(super) fn keyed_cache<T>(ki: &KeyIndex, sc: &mut RowScratch<T>) -> TermCache {
    match sc.cache.take() {
        Some(c) if c.entries() <= TERM_CACHE_MAX => c,
        Some(_) => TermCache::new(),
        None => ki.warm.take().unwrap_or_else(TermCache::new),
    }
}

/// Append the columns of `text`'s features to `cols`, looked up through a [`KeyIndex`];
/// `g` is left holding its terms (the index's term ids, [`NONE`] for a term out of the
/// vocabulary; stop words removed).
pub(super) fn keyed_cols(
    an: &Analyzer,
    ki: &KeyIndex,
    text: &str,
    cache: &mut TermCache,
    g: &mut Vec<u32>,
    keys: &mut Vec<u64>,
    cols: &mut Vec<u32>,
) {
    // How many bigram lookups ahead to prefetch the table slot (the table is larger than the
    // caches: a lookup is about one cache miss).
    const AHEAD: usize = 16;
    // The cache maps tokens straight to the index's term ids (NONE: not a term of the
    // vocabulary): nothing is interned.
    let index_term = |_: &mut Interner, s: &str| ki.terms.get(s).unwrap_or(NONE);
    an.word_terms_by(text, cache, g, index_term);
    if an.min_n == 1 {
        for &t in g.iter() {
            if t != NONE {
                let c = ki.uni[t as usize];
                if c != UNSET {
                    cols.push(c);
                }
            }
        }
    }
    if an.min_n <= 2 && an.max_n >= 2 && g.len() >= 2 {
        keys.clear();
        keys.extend(g.windows(2).filter_map(|p| bigram_key(p[0], p[1])));
        for k in 0..keys.len() {
            if let Some(&ahead) = keys.get(k + AHEAD) {
                ki.bi.prefetch(ahead);
            }
            if let Some(c) = ki.bi.get(keys[k]) {
                cols.push(c);
            }
        }
    }
}

/// The [`KeyIndex`] key of the bigram of terms `a b` (none when either is out of the
/// vocabulary).
#[inline]
pub(super) fn bigram_key(a: u32, b: u32) -> Option<u64> {
    (a != NONE && b != NONE).then(|| ((a as u64 + 1) << 32) | b as u64)
}

/// Rows of `docs` against a fitted vocabulary looked up through a [`KeyIndex`].
fn rows_keyed<T: Real, S: AsRef<str>>(
    an: &Analyzer,
    ki: &KeyIndex,
    docs: &[S],
    w: &Weighting,
    sc: &mut RowScratch<T>,
) -> Rows<T> {
    sc.begin(docs.len());
    let mut cache = keyed_cache(ki, sc);
    for d in docs {
        keyed_cols(an, ki, d.as_ref(), &mut cache, &mut sc.g, &mut sc.keys, &mut sc.cols);
        sc.end_row(w);
    }
    sc.cache = Some(cache);
    sc.finish()
}

/// How transform finds columns.
#[derive(Clone, Copy)]
pub enum Lookup<'a> {
    Keyed(&'a KeyIndex),
    Strings(&'a VocabIndex),
}

pub(super) fn rows_of<T: Real, S: AsRef<str>>(
    an: &Analyzer,
    names: &[String],
    lookup: Lookup,
    docs: &[S],
    w: &Weighting,
    sc: &mut RowScratch<T>,
) -> Rows<T> {
    match lookup {
        Lookup::Keyed(ki) => rows_keyed(an, ki, docs, w, sc),
        Lookup::Strings(index) => rows_by_string(an, names, index, docs, w, sc),
    }
}

/// Count `docs` against a fitted vocabulary (`names`, looked up through `lookup`) and weight
/// the rows.
///
/// Chunks are handed to the workers in document order and each finished chunk is appended to
/// the output as soon as all chunks before it are (then freed), so besides the output only
/// about one chunk per thread is held at a time.
pub fn transform<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    names: &[String],
    lookup: Lookup,
    docs: &[S],
    w: &Weighting,
) -> Result<CsrMatrix<T>> {
    use std::sync::Mutex;
    struct Out<T> {
        next: usize,
        pending: Vec<(usize, Rows<T>)>,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
        /// Bytes of the documents appended so far (for the output size estimate).
        bytes_done: usize,
        /// The output could not grow: the call fails with this error.
        failed: Option<Error>,
    }
    let total_bytes: usize = docs.iter().map(|d| d.as_ref().len()).sum();
    let chunk_bytes = |k: usize| -> usize {
        docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())].iter().map(|d| d.as_ref().len()).sum()
    };
    let mut indptr = try_vec(docs.len() + 1, "the matrix's row pointers")?;
    indptr.push(0usize);
    let out = Mutex::new(Out {
        next: 0,
        pending: Vec::new(),
        indptr,
        indices: Vec::new(),
        data: Vec::new(),
        bytes_done: 0,
        failed: None,
    });
    let n_chunks = docs.len().div_ceil(CHUNK);
    chunks_with_scratch(n_chunks, lookup, |sc: &mut RowScratch<T>, k| {
        if out.lock().map_or(true, |o| o.failed.is_some()) {
            return; // out of memory already: the call fails
        }
        let c = chunk(docs, k);
        let rows: Rows<T> = rows_of(an, names, lookup, c, w, sc);
        // A poisoned lock means another worker panicked; rayon re-raises that panic.
        let Ok(mut o) = out.lock() else { return };
        o.pending.push((k, rows));
        while let Some(at) = o.pending.iter().position(|p| p.0 == o.next) {
            let (k, r) = o.pending.swap_remove(at);
            o.bytes_done += chunk_bytes(k);
            let o = &mut *o;
            if o.indices.capacity() - o.indices.len() < r.indices.len() {
                // Room for the rest at the density seen so far plus a margin (1.3, then 1.6
                // after a miss), so the output is rarely reallocated (a copy: twice its
                // memory for a moment). Reserved but unwritten room costs no memory pages.
                let done = o.indices.len() + r.indices.len();
                let margin = if o.indices.capacity() == 0 { 1.3 } else { 1.6 };
                let est = (done as f64 * total_bytes as f64 / o.bytes_done.max(1) as f64 * margin) as usize;
                let want = est.max(done) - o.indices.len();
                let grown = try_reserve(&mut o.indices, want, "the matrix's column indices")
                    .and_then(|_| try_reserve(&mut o.data, want, "the matrix's values"))
                    .or_else(|_| {
                        // No room for the estimate: exactly this chunk's, or fail.
                        let k = r.indices.len();
                        try_reserve(&mut o.indices, k, "the matrix's column indices")?;
                        try_reserve(&mut o.data, k, "the matrix's values")
                    });
                if let Err(e) = grown {
                    o.failed = Some(e);
                    o.pending.clear();
                    return;
                }
            }
            let base = o.indices.len();
            o.indptr.extend(r.indptr[1..].iter().map(|&e| e + base));
            o.indices.extend_from_slice(&r.indices);
            o.data.extend_from_slice(&r.data);
            o.next += 1;
        }
    })?;
    let o = out.into_inner().map_err(|_| Error::value("internal: a transform worker failed"))?;
    if let Some(e) = o.failed {
        return Err(e);
    }
    let (indptr, mut indices, mut data) = (o.indptr, o.indices, o.data);
    indices.shrink_to_fit();
    data.shrink_to_fit();
    CsrMatrix::new(docs.len(), names.len(), indptr, indices, data)
}

/// Like [`transform`], but hands each chunk's rows ([`CHUNK`] documents, as a small CSR
/// matrix) to `f` as soon as they are built, in parallel, and returns `f`'s results in
/// document order. The rows are the same as [`transform`]'s; the full matrix never exists.
pub fn transform_chunks<T: Real, S: AsRef<str> + Sync, R: Send>(
    an: &Analyzer,
    names: &[String],
    lookup: Lookup,
    docs: &[S],
    w: &Weighting,
    f: &(dyn Fn(CsrMatrix<T>) -> R + Sync),
) -> Result<Vec<R>> {
    let n_chunks = docs.len().div_ceil(CHUNK);
    chunks_with_scratch(n_chunks, lookup, |sc: &mut RowScratch<T>, k| {
        let c = chunk(docs, k);
        let r: Rows<T> = rows_of(an, names, lookup, c, w, sc);
        Ok(f(CsrMatrix::new(c.len(), names.len(), r.indptr, r.indices, r.data)?))
    })?
    .into_iter()
    .collect()
}

/// `f(scratch, k)` for every chunk `k < n_chunks` (see [`for_chunks`]), results in chunk
/// order, with one [`RowScratch`] per worker, so its buffers and term caches carry over from
/// chunk to chunk. With a keyed lookup, the workers' term caches are handed back to the index
/// for the next call.
pub(super) fn chunks_with_scratch<T: Real, R: Send>(
    n_chunks: usize,
    lookup: Lookup,
    f: impl Fn(&mut RowScratch<T>, usize) -> R + Sync,
) -> Result<Vec<R>> {
    let (done, scratches) = for_chunks(n_chunks, |_| RowScratch::<T>::default(), f)?;
    if let Lookup::Keyed(ki) = lookup {
        for mut sc in scratches {
            if let Some(cache) = sc.cache.take() {
                ki.warm.give(cache);
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerConfig;
    use crate::vectorize::fit::fit;
    use crate::vectorize::index::WARM_KEEP;
    use crate::vectorize::vocab::Limits;
    use crate::vectorize::testdata::{analyzer, DOCS};


    #[test]
    fn warm_term_caches_from_other_documents_give_the_same_rows() {
        // Fit on half the documents; the other half has tokens out of the vocabulary.
        let docs: Vec<String> = (0..2000).map(|i| format!("{} w{} v{}", DOCS[i % DOCS.len()], i % 97, i % 13)).collect();
        let (train, test) = docs.split_at(1000);
        let mut cfg = AnalyzerConfig::default();
        cfg.ngram_range = (1, 2);
        cfg.stop_words = Some(crate::text::StopWordsSpec::List(vec!["ab".into(), "w3".into()]));
        cfg.stemmer = Some("english".into());
        for cfg in [AnalyzerConfig { ngram_range: (1, 2), ..AnalyzerConfig::default() }, cfg] {
            let an = Analyzer::new(&cfg).unwrap();
            let lim = Limits { min_count: 1.0, max_count: 1e18, max_features: None };
            let (fitted, _) = fit::<f32, String>(&an, train, lim, None).unwrap();
            let w = Weighting { binary: false, sublinear: false, idf: None, norm: None };
            let cold = KeyIndex::build(&fitted.names).unwrap();
            let want: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&cold), test, &w).unwrap();
            let ki = KeyIndex::build(&fitted.names).unwrap();
            for threads in [2, 1, 3] {
                crate::parallel::install_exact(threads, || {
                    let _: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&ki), train, &w).unwrap();
                    assert!(ki.warm.len() > 0);
                    let got: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&ki), test, &w).unwrap();
                    assert_eq!(got, want);
                })
                .unwrap();
            }
            assert!(ki.warm.len() <= WARM_KEEP);
        }
    }

    #[test]
    fn key_index_of_the_fit_equals_the_one_built_from_the_names() {
        // Out-of-vocabulary tokens and pairs in the test half; pruning by min_df, max_df and
        // max_features; stop words and stemming; bigrams only.
        let docs: Vec<String> = (0..2000).map(|i| format!("{} w{} v{} Talks talking", DOCS[i % DOCS.len()], i % 97, i % 13)).collect();
        let (train, test) = docs.split_at(1000);
        let mut stemmed = AnalyzerConfig { ngram_range: (1, 2), ..AnalyzerConfig::default() };
        stemmed.stemmer = Some("english".into());
        stemmed.stop_words = Some(crate::text::StopWordsSpec::Named("english".into()));
        let configs = [AnalyzerConfig { ngram_range: (1, 2), ..AnalyzerConfig::default() }, stemmed, AnalyzerConfig { ngram_range: (2, 2), ..AnalyzerConfig::default() }];
        let limits = [(1.0, 1e18, None), (2.0, 1e18, None), (2.0, 600.0, None), (1.0, 1e18, Some(50))];
        let mk = |_: &[u64], _: usize| (false, false, None, None);
        let w = Weighting { binary: false, sublinear: false, idf: None, norm: None };
        for cfg in configs {
            let an = Analyzer::new(&cfg).unwrap();
            for (min_count, max_count, max_features) in limits {
                let lim = Limits { min_count, max_count, max_features };
                let (fitted, _) = fit::<f32, String>(&an, train, lim, Some(&mk)).unwrap();
                let of_fit = fitted.key_index.as_ref().expect("fit_transform makes the index");
                let built = KeyIndex::build(&fitted.names).unwrap();
                for docs in [train, test] {
                    let want: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&built), docs, &w).unwrap();
                    let got: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(of_fit), docs, &w).unwrap();
                    assert_eq!(got, want, "{:?} {lim:?}", cfg.ngram_range);
                }
            }
        }
    }

    #[test]
    fn keyed_transform_with_stemmer_and_stop_words_equals_fit() {
        // The keyed transform's caches map tokens straight to the vocabulary's term ids, also
        // through stop words and stemming; a second call starts from the first call's caches.
        let docs: Vec<String> = (0..2500)
            .map(|i| format!("{} Talks talking and the TALKED {} ceasefire{}", DOCS[i % DOCS.len()], i % 7, i % 11))
            .collect();
        let mut cfg = AnalyzerConfig::default();
        cfg.ngram_range = (1, 2);
        cfg.stemmer = Some("english".into());
        cfg.stop_words = Some(crate::text::StopWordsSpec::Named("english".into()));
        let an = Analyzer::new(&cfg).unwrap();
        let lim = Limits { min_count: 1.0, max_count: 1e18, max_features: None };
        let mk = |_: &[u64], _: usize| (false, false, None, None);
        let (fitted, m) = fit::<f32, String>(&an, &docs, lim, Some(&mk)).unwrap();
        let m = m.unwrap();
        assert!(fitted.names.iter().any(|n| n == "talk"));
        let w = Weighting { binary: false, sublinear: false, idf: None, norm: None };
        let ki = KeyIndex::build(&fitted.names).unwrap();
        for threads in [1, 2] {
            for _ in 0..2 {
                let b: CsrMatrix<f32> = crate::parallel::install(Some(threads), || {
                    transform(&an, &fitted.names, Lookup::Keyed(&ki), &docs, &w).unwrap()
                })
                .unwrap();
                assert_eq!(b, m);
            }
        }
    }

    #[test]
    fn transform_rows_equal_fit_rows_for_any_thread_count() {
        let docs: Vec<String> = (0..3000).map(|i| DOCS[i % DOCS.len()].repeat(1 + i % 3)).collect();
        for (ngram, pat, tok) in [
            ((1, 2), r"(?u)\b\w\w+\b", None),
            ((1, 2), r"\b\w+\b", Some("unicode")),
            ((1, 3), r"\b\w+\b", None),
        ] {
            let an = analyzer(ngram, pat, tok);
            let lim = Limits { min_count: 1.0, max_count: 1e18, max_features: None };
            let mk = |df: &[u64], n: usize| {
                let idf = df.iter().map(|&d| ((1.0 + n as f64) / (1.0 + d as f64)).ln() + 1.0).collect();
                (false, true, Some(idf), Some(crate::vectorize::config::Norm::L2))
            };
            let (fitted, m) = fit::<f32, String>(&an, &docs, lim, Some(&mk)).unwrap();
            let m = m.unwrap();
            let (_, _, idf, norm) = mk(&fitted.df, docs.len());
            let w = Weighting { binary: false, sublinear: true, idf: idf.as_deref(), norm };
            let vi = VocabIndex::new(&fitted.names);
            let ki = KeyIndex::applies(&an).then(|| KeyIndex::build(&fitted.names).unwrap());
            for threads in [1, 2, 3] {
                crate::parallel::install_exact(threads, || {
                    let a: CsrMatrix<f32> =
                        transform(&an, &fitted.names, Lookup::Strings(&vi), &docs, &w).unwrap();
                    assert_eq!(a, m);
                    if let Some(ki) = &ki {
                        let b: CsrMatrix<f32> =
                            transform(&an, &fitted.names, Lookup::Keyed(ki), &docs, &w).unwrap();
                        assert_eq!(b, m);
                    }
                    let parts = transform_chunks::<f32, String, CsrMatrix<f32>>(
                        &an,
                        &fitted.names,
                        Lookup::Strings(&vi),
                        &docs,
                        &w,
                        &|c| c,
                    )
                    .unwrap();
                    let rows: usize = parts.iter().map(|p| p.n_rows).sum();
                    assert_eq!(rows, docs.len());
                    let nnz: usize = parts.iter().map(|p| p.indices.len()).sum();
                    assert_eq!(nnz, m.indices.len());
                })
                .unwrap();
            }
            let (fitted1, m1) = crate::parallel::install(Some(1), || {
                fit::<f32, String>(&an, &docs, lim, Some(&mk)).unwrap()
            })
            .unwrap();
            assert_eq!(fitted1.names, fitted.names);
            assert_eq!(m1.unwrap(), m);
        }
    }
}
