//! The counting engine shared by the vectorizers.
//!
//! fit: documents are cut into chunks of [`CHUNK`] documents (boundaries independent of the
//! thread count). Each chunk, in parallel, interns its features locally (word n-grams are keyed
//! by term-id tuples, so bigram keys are `u64`s, not strings) and records per-document
//! `(local feature, count)` lists plus local document and term frequencies. Local features are
//! then spread over [`N_SHARDS`] shards by the hash of their string; shards merge in parallel
//! (chunk order) into global ids with summed frequencies. Pruning (`min_df`, `max_df`,
//! `max_features`) and the alphabetical sort give final columns; the CSR matrix is filled in
//! parallel, each chunk writing its own slice of the output. Every step is deterministic, so
//! results are bit-identical for any `n_jobs`.
//!
//! transform: chunks in parallel look features up in the fitted vocabulary index.

use hashbrown::{HashMap, HashTable};
use rayon::prelude::*;

use super::hashing::feature_index_sign;
use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, Real};
use crate::text::analyzer::{word_ngrams, CharScratch, TermCache};
use crate::text::intern::{hash_str, Interner, HASHER};
use crate::text::{Analyzer, AnalyzerKind};

/// Documents per chunk.
pub const CHUNK: usize = 256;
/// Shards of the parallel vocabulary merge.
pub const N_SHARDS: usize = 64;
const UNSET: u32 = u32::MAX;

#[inline]
fn shard_of(h: u64) -> usize {
    // Bits not used by hashbrown's bucket index (low bits) nor its tag (top 7 bits).
    ((h >> 40) as usize) & (N_SHARDS - 1)
}

/// Row weighting: `tf` (count, 1 if `binary`), `ln(tf) + 1` if `sublinear`, times `idf[col]`,
/// then the row norm.
#[derive(Clone, Copy, Debug)]
pub struct Weighting<'a> {
    pub binary: bool,
    pub sublinear: bool,
    pub idf: Option<&'a [f64]>,
    pub norm: Option<super::Norm>,
}

impl Weighting<'_> {
    /// Write the weights of one row (`cols` sorted) into `out`.
    #[inline]
    pub fn apply<T: Real>(&self, cols: &[u32], counts: &[f64], out: &mut [T]) {
        let mut tmp: [f64; 64] = [0.0; 64];
        let mut heap: Vec<f64>;
        let vals: &mut [f64] = if counts.len() <= 64 {
            &mut tmp[..counts.len()]
        } else {
            heap = vec![0.0; counts.len()];
            &mut heap
        };
        for (k, (&c, v)) in counts.iter().zip(vals.iter_mut()).enumerate() {
            let mut x = if self.binary && c != 0.0 { c.signum() } else { c };
            if self.sublinear {
                x = x.ln() + 1.0;
            }
            if let Some(idf) = self.idf {
                x *= idf[cols[k] as usize];
            }
            *v = x;
        }
        let scale = match self.norm {
            None => 1.0,
            Some(super::Norm::L1) => vals.iter().map(|v| v.abs()).sum::<f64>(),
            Some(super::Norm::L2) => vals.iter().map(|v| v * v).sum::<f64>().sqrt(),
        };
        let scale = if scale == 0.0 { 1.0 } else { scale };
        for (o, v) in out.iter_mut().zip(vals.iter()) {
            *o = T::from_f64_lossy(*v / scale);
        }
    }
}

/// Features of one chunk, with per-document counts over local ids.
struct LocalChunk {
    doc_ptr: Vec<usize>,
    entries: Vec<(u32, u32)>,
    names: String,
    offs: Vec<usize>,
    hashes: Vec<u64>,
    df: Vec<u32>,
    tf: Vec<u64>,
    by_shard: Vec<Vec<u32>>,
}

impl LocalChunk {
    #[inline]
    fn name(&self, f: u32) -> &str {
        &self.names[self.offs[f as usize]..self.offs[f as usize + 1]]
    }
}

/// Dense per-document counting over local ids.
struct DocCounter {
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl DocCounter {
    fn new() -> Self {
        DocCounter { counts: Vec::new(), touched: Vec::new() }
    }
    #[inline]
    fn add(&mut self, f: u32) {
        let f = f as usize;
        if f >= self.counts.len() {
            self.counts.resize((f + 1).max(self.counts.len() * 2), 0);
        }
        if self.counts[f] == 0 {
            self.touched.push(f as u32);
        }
        self.counts[f] += 1;
    }
    /// Emit `(feature, count)` and update df/tf; reset.
    fn flush(&mut self, entries: &mut Vec<(u32, u32)>, df: &mut [u32], tf: &mut [u64]) {
        for &f in &self.touched {
            let c = self.counts[f as usize];
            entries.push((f, c));
            df[f as usize] += 1;
            tf[f as usize] += c as u64;
            self.counts[f as usize] = 0;
        }
        self.touched.clear();
    }
}

fn word_chunk<S: AsRef<str>>(an: &Analyzer, docs: &[S]) -> LocalChunk {
    let (min_n, max_n) = (an.min_n, an.max_n);
    let mut cache = TermCache::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut uni: Vec<u32> = Vec::new();
    let mut bi: HashMap<u64, u32, _> = HashMap::with_hasher(HASHER);
    let mut multi: HashMap<Box<[u32]>, u32, _> = HashMap::with_hasher(HASHER);
    let mut key_toks: Vec<u32> = Vec::new();
    let mut key_offs: Vec<usize> = vec![0];
    let mut df: Vec<u32> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    let mut entries = Vec::new();
    let mut doc_ptr = Vec::with_capacity(docs.len() + 1);
    doc_ptr.push(0);
    let mut dc = DocCounter::new();
    for d in docs {
        an.word_terms(d.as_ref(), &mut cache, &mut ids);
        let mut new_feature = |toks: &[u32], df: &mut Vec<u32>, tf: &mut Vec<u64>| -> u32 {
            let f = df.len() as u32;
            key_toks.extend_from_slice(toks);
            key_offs.push(key_toks.len());
            df.push(0);
            tf.push(0);
            f
        };
        word_ngrams(ids.len(), min_n, max_n, |i, j| {
            let f = match j - i {
                1 => {
                    let t = ids[i] as usize;
                    if t >= uni.len() {
                        uni.resize(cache.terms.len().max(t + 1), UNSET);
                    }
                    if uni[t] == UNSET {
                        uni[t] = new_feature(&ids[i..j], &mut df, &mut tf);
                    }
                    uni[t]
                }
                2 => {
                    let key = ((ids[i] as u64) << 32) | ids[i + 1] as u64;
                    match bi.get(&key) {
                        Some(&f) => f,
                        None => {
                            let f = new_feature(&ids[i..j], &mut df, &mut tf);
                            bi.insert(key, f);
                            f
                        }
                    }
                }
                _ => match multi.get(&ids[i..j]) {
                    Some(&f) => f,
                    None => {
                        let f = new_feature(&ids[i..j], &mut df, &mut tf);
                        multi.insert(ids[i..j].into(), f);
                        f
                    }
                },
            };
            dc.add(f);
        });
        dc.flush(&mut entries, &mut df, &mut tf);
        doc_ptr.push(entries.len());
    }
    // Materialise feature strings.
    let n = df.len();
    let mut names = String::new();
    let mut offs = Vec::with_capacity(n + 1);
    offs.push(0);
    for f in 0..n {
        for (k, &t) in key_toks[key_offs[f]..key_offs[f + 1]].iter().enumerate() {
            if k > 0 {
                names.push(' ');
            }
            names.push_str(cache.terms.get_str(t));
        }
        offs.push(names.len());
    }
    let mut ch = LocalChunk {
        doc_ptr,
        entries,
        names,
        offs,
        hashes: Vec::new(),
        df,
        tf,
        by_shard: Vec::new(),
    };
    if an.terms_may_contain_space() && max_n >= 2 {
        dedupe(&mut ch);
    }
    finish_chunk(&mut ch);
    ch
}

fn char_chunk<S: AsRef<str>>(an: &Analyzer, docs: &[S]) -> LocalChunk {
    let mut sc = CharScratch::new();
    let mut feats = Interner::new();
    let mut df: Vec<u32> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    let mut entries = Vec::new();
    let mut doc_ptr = Vec::with_capacity(docs.len() + 1);
    doc_ptr.push(0);
    let mut dc = DocCounter::new();
    for d in docs {
        an.char_ngrams(d.as_ref(), &mut sc, |s| {
            let (f, new) = feats.intern(s);
            if new {
                df.push(0);
                tf.push(0);
            }
            dc.add(f);
        });
        dc.flush(&mut entries, &mut df, &mut tf);
        doc_ptr.push(entries.len());
    }
    let (names, offs) = feats.into_parts();
    let mut ch = LocalChunk {
        doc_ptr,
        entries,
        names,
        offs,
        hashes: Vec::new(),
        df,
        tf,
        by_shard: Vec::new(),
    };
    finish_chunk(&mut ch);
    ch
}

/// Merge local features with equal strings (only possible when a term contains a space).
fn dedupe(ch: &mut LocalChunk) {
    let mut it = Interner::new();
    let n = ch.df.len();
    let mut remap = Vec::with_capacity(n);
    for f in 0..n as u32 {
        remap.push(it.intern(ch.name(f)).0);
    }
    if it.len() == n {
        return;
    }
    let mut df = vec![0u32; it.len()];
    let mut tf = vec![0u64; it.len()];
    let mut entries = Vec::with_capacity(ch.entries.len());
    let mut doc_ptr = vec![0usize];
    let mut row: Vec<(u32, u32)> = Vec::new();
    for w in ch.doc_ptr.windows(2) {
        row.clear();
        row.extend(ch.entries[w[0]..w[1]].iter().map(|&(f, c)| (remap[f as usize], c)));
        row.sort_unstable_by_key(|e| e.0);
        let mut k = 0;
        while k < row.len() {
            let (f, mut c) = row[k];
            k += 1;
            while k < row.len() && row[k].0 == f {
                c += row[k].1;
                k += 1;
            }
            entries.push((f, c));
            df[f as usize] += 1;
            tf[f as usize] += c as u64;
        }
        doc_ptr.push(entries.len());
    }
    let (names, offs) = it.into_parts();
    ch.names = names;
    ch.offs = offs;
    ch.df = df;
    ch.tf = tf;
    ch.entries = entries;
    ch.doc_ptr = doc_ptr;
}

fn finish_chunk(ch: &mut LocalChunk) {
    let n = ch.df.len();
    ch.hashes = (0..n as u32).map(|f| hash_str(ch.name(f))).collect();
    let mut by_shard = vec![Vec::new(); N_SHARDS];
    for (f, &h) in ch.hashes.iter().enumerate() {
        by_shard[shard_of(h)].push(f as u32);
    }
    ch.by_shard = by_shard;
}

struct Shard {
    names: Interner,
    df: Vec<u64>,
    tf: Vec<u64>,
    /// Per chunk: global id (in this shard) of each local id of `by_shard[shard]`.
    assign: Vec<Vec<u32>>,
}

fn merge_shard(chunks: &[LocalChunk], s: usize) -> Shard {
    let mut names = Interner::new();
    let mut df: Vec<u64> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    let mut assign = Vec::with_capacity(chunks.len());
    for ch in chunks {
        let list = &ch.by_shard[s];
        let mut a = Vec::with_capacity(list.len());
        for &f in list {
            let (g, new) = names.intern_hashed(ch.name(f), ch.hashes[f as usize]);
            if new {
                df.push(0);
                tf.push(0);
            }
            df[g as usize] += ch.df[f as usize] as u64;
            tf[g as usize] += ch.tf[f as usize];
            a.push(g);
        }
        assign.push(a);
    }
    Shard { names, df, tf, assign }
}

/// Document-frequency bounds of a fit.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Minimum and maximum document count (already converted from proportions).
    pub min_count: f64,
    pub max_count: f64,
    pub max_features: Option<usize>,
}

/// Result of a fit: the vocabulary in column order, document frequencies per column and the
/// terms removed by pruning (one arena string plus offsets).
pub struct Fitted {
    pub names: Vec<String>,
    pub df: Vec<u64>,
    pub removed: (String, Vec<usize>),
    pub n_docs: usize,
}

/// Analyse `docs` into chunks (parallel).
fn analyse_chunks<S: AsRef<str> + Sync>(an: &Analyzer, docs: &[S]) -> Vec<LocalChunk> {
    docs.par_chunks(CHUNK)
        .map(|c| match an.kind {
            AnalyzerKind::Word => word_chunk(an, c),
            _ => char_chunk(an, c),
        })
        .collect()
}

/// Learn the vocabulary (and document frequencies) of `docs`; with `weighting`, also build the
/// matrix (`make_weighting` gets the final per-column df and the document count).
pub fn fit<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    docs: &[S],
    limits: Limits,
    build: Option<&dyn Fn(&[u64], usize) -> (bool, bool, Option<Vec<f64>>, Option<super::Norm>)>,
) -> Result<(Fitted, Option<CsrMatrix<T>>)> {
    let n_docs = docs.len();
    let mut chunks = analyse_chunks(an, docs);
    let shards: Vec<Shard> = (0..N_SHARDS)
        .into_par_iter()
        .map(|s| merge_shard(&chunks, s))
        .collect();
    // Chunk strings are no longer needed.
    for ch in &mut chunks {
        ch.names = String::new();
        ch.offs = Vec::new();
        ch.hashes = Vec::new();
    }
    let total: usize = shards.iter().map(|s| s.df.len()).sum();
    if total == 0 {
        return Err(Error::value("empty vocabulary; perhaps the documents only contain stop words"));
    }
    if limits.max_count < limits.min_count {
        return Err(Error::value("max_df corresponds to < documents than min_df"));
    }
    // Pruning by document frequency.
    let mut keep: Vec<(usize, u32)> = Vec::new();
    for (s, sh) in shards.iter().enumerate() {
        for (g, &d) in sh.df.iter().enumerate() {
            let d = d as f64;
            if d >= limits.min_count && d <= limits.max_count {
                keep.push((s, g as u32));
            }
        }
    }
    if let Some(limit) = limits.max_features {
        if keep.len() > limit {
            // Highest corpus term frequency first; ties in alphabetical order (the order
            // scikit-learn's features are in when it ranks them).
            keep.par_sort_unstable_by(|a, b| {
                let (ta, tb) = (shards[a.0].tf[a.1 as usize], shards[b.0].tf[b.1 as usize]);
                tb.cmp(&ta).then_with(|| {
                    shards[a.0].names.get_str(a.1).cmp(shards[b.0].names.get_str(b.1))
                })
            });
            keep.truncate(limit);
        }
    }
    if keep.is_empty() {
        return Err(Error::value(
            "After pruning, no terms remain. Try a lower min_df or a higher max_df.",
        ));
    }
    keep.par_sort_unstable_by(|a, b| {
        shards[a.0].names.get_str(a.1).cmp(shards[b.0].names.get_str(b.1))
    });
    let mut col: Vec<Vec<u32>> = shards.iter().map(|s| vec![UNSET; s.df.len()]).collect();
    let mut names = Vec::with_capacity(keep.len());
    let mut df = Vec::with_capacity(keep.len());
    for (c, &(s, g)) in keep.iter().enumerate() {
        col[s][g as usize] = c as u32;
        names.push(shards[s].names.get_str(g).to_string());
        df.push(shards[s].df[g as usize]);
    }
    drop(keep);
    let mut removed = (String::new(), vec![0usize]);
    if names.len() < total {
        for (s, sh) in shards.iter().enumerate() {
            for g in 0..sh.df.len() {
                if col[s][g] == UNSET {
                    removed.0.push_str(sh.names.get_str(g as u32));
                    removed.1.push(removed.0.len());
                }
            }
        }
    }
    let fitted = Fitted { names, df, removed, n_docs };
    let Some(build) = build else { return Ok((fitted, None)) };
    // Local id -> final column, per chunk.
    let local_cols: Vec<Vec<u32>> = chunks
        .par_iter()
        .enumerate()
        .map(|(ci, ch)| {
            let mut lc = vec![UNSET; ch.df.len()];
            for (s, list) in ch.by_shard.iter().enumerate() {
                for (k, &f) in list.iter().enumerate() {
                    lc[f as usize] = col[s][shards[s].assign[ci][k] as usize];
                }
            }
            lc
        })
        .collect();
    drop(shards);
    drop(col);
    let (binary, sublinear, idf, norm) = build(&fitted.df, n_docs);
    let w = Weighting { binary, sublinear, idf: idf.as_deref(), norm };
    let parts: Vec<(&[usize], &[(u32, u32)], Option<&[u32]>)> = chunks
        .iter()
        .zip(local_cols.iter())
        .map(|(ch, lc)| (ch.doc_ptr.as_slice(), ch.entries.as_slice(), Some(lc.as_slice())))
        .collect();
    let m = fill_csr::<T>(&parts, fitted.names.len(), &w)?;
    Ok((fitted, Some(m)))
}

/// Build the CSR matrix from per-chunk `(doc_ptr, entries, optional local->column map)`.
fn fill_csr<T: Real>(
    parts: &[(&[usize], &[(u32, u32)], Option<&[u32]>)],
    n_cols: usize,
    w: &Weighting,
) -> Result<CsrMatrix<T>> {
    // Row lengths after dropping unmapped entries.
    let row_nnz: Vec<Vec<usize>> = parts
        .par_iter()
        .map(|(ptr, ent, map)| {
            ptr.windows(2)
                .map(|r| match map {
                    None => r[1] - r[0],
                    Some(m) => ent[r[0]..r[1]].iter().filter(|e| m[e.0 as usize] != UNSET).count(),
                })
                .collect()
        })
        .collect();
    let n_rows: usize = row_nnz.iter().map(|v| v.len()).sum();
    let mut indptr = Vec::with_capacity(n_rows + 1);
    indptr.push(0usize);
    let mut acc = 0usize;
    for v in &row_nnz {
        for &k in v {
            acc += k;
            indptr.push(acc);
        }
    }
    let nnz = acc;
    let mut indices = vec![0u32; nnz];
    let mut data = vec![T::zero(); nnz];
    {
        let mut slices = Vec::with_capacity(parts.len());
        let (mut ri, mut di): (&mut [u32], &mut [T]) = (&mut indices, &mut data);
        for v in &row_nnz {
            let k: usize = v.iter().sum();
            let (a, rest_i) = ri.split_at_mut(k);
            let (b, rest_d) = di.split_at_mut(k);
            slices.push((a, b));
            ri = rest_i;
            di = rest_d;
        }
        slices.into_par_iter().zip(parts.par_iter()).for_each(|((oi, od), (ptr, ent, map))| {
            let mut row: Vec<(u32, u32)> = Vec::new();
            let mut cols: Vec<u32> = Vec::new();
            let mut cnts: Vec<f64> = Vec::new();
            let mut pos = 0usize;
            for r in ptr.windows(2) {
                row.clear();
                match map {
                    None => row.extend_from_slice(&ent[r[0]..r[1]]),
                    Some(m) => row.extend(ent[r[0]..r[1]].iter().filter_map(|&(f, c)| {
                        let col = m[f as usize];
                        (col != UNSET).then_some((col, c))
                    })),
                }
                row.sort_unstable_by_key(|e| e.0);
                cols.clear();
                cnts.clear();
                cols.extend(row.iter().map(|e| e.0));
                cnts.extend(row.iter().map(|e| e.1 as f64));
                let k = row.len();
                oi[pos..pos + k].copy_from_slice(&cols);
                w.apply(&cols, &cnts, &mut od[pos..pos + k]);
                pos += k;
            }
        });
    }
    CsrMatrix::new(n_rows, n_cols, indptr, indices, data)
}

/// A vocabulary lookup table over column names.
#[derive(Debug)]
pub struct VocabIndex {
    table: HashTable<u32>,
}

impl VocabIndex {
    /// Index `names` (column order). Duplicates: the first column wins.
    pub fn new(names: &[String]) -> Self {
        let mut table = HashTable::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let h = hash_str(n);
            if table.find(h, |&j: &u32| names[j as usize] == *n).is_none() {
                table.insert_unique(h, i as u32, |&j: &u32| hash_str(&names[j as usize]));
            }
        }
        VocabIndex { table }
    }

    /// Column of `s`.
    #[inline]
    pub fn get(&self, names: &[String], s: &str) -> Option<u32> {
        self.table.find(hash_str(s), |&j| names[j as usize] == s).copied()
    }
}

/// Per-document `(column, count)` lists of `docs` against a fitted vocabulary.
fn count_chunk<S: AsRef<str>>(
    an: &Analyzer,
    names: &[String],
    index: &VocabIndex,
    docs: &[S],
) -> (Vec<usize>, Vec<(u32, u32)>) {
    let mut doc_ptr = Vec::with_capacity(docs.len() + 1);
    doc_ptr.push(0);
    let mut entries: Vec<(u32, u32)> = Vec::new();
    let mut cols: Vec<u32> = Vec::new();
    let push_row = |cols: &mut Vec<u32>, entries: &mut Vec<(u32, u32)>| {
        cols.sort_unstable();
        let mut k = 0;
        while k < cols.len() {
            let c = cols[k];
            let mut n = 0u32;
            while k < cols.len() && cols[k] == c {
                n += 1;
                k += 1;
            }
            entries.push((c, n));
        }
        cols.clear();
    };
    match an.kind {
        AnalyzerKind::Word => {
            let mut cache = TermCache::new();
            let mut ids = Vec::new();
            let mut uni: Vec<u32> = Vec::new();
            let mut bi: HashMap<u64, u32, _> = HashMap::with_hasher(HASHER);
            let mut buf = String::new();
            const NONE: u32 = u32::MAX - 1;
            for d in docs {
                an.word_terms(d.as_ref(), &mut cache, &mut ids);
                word_ngrams(ids.len(), an.min_n, an.max_n, |i, j| {
                    let c = match j - i {
                        1 => {
                            let t = ids[i] as usize;
                            if t >= uni.len() {
                                uni.resize(cache.terms.len().max(t + 1), UNSET);
                            }
                            if uni[t] == UNSET {
                                uni[t] = index.get(names, cache.terms.get_str(ids[i])).unwrap_or(NONE);
                            }
                            uni[t]
                        }
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
                            for (k, &t) in ids[i..j].iter().enumerate() {
                                if k > 0 {
                                    buf.push(' ');
                                }
                                buf.push_str(cache.terms.get_str(t));
                            }
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
                push_row(&mut cols, &mut entries);
                doc_ptr.push(entries.len());
            }
        }
        _ => {
            let mut sc = CharScratch::new();
            for d in docs {
                an.char_ngrams(d.as_ref(), &mut sc, |s| {
                    if let Some(c) = index.get(names, s) {
                        cols.push(c);
                    }
                });
                push_row(&mut cols, &mut entries);
                doc_ptr.push(entries.len());
            }
        }
    }
    (doc_ptr, entries)
}

/// Count `docs` against a fitted vocabulary and weight the rows.
pub fn transform<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    names: &[String],
    index: &VocabIndex,
    docs: &[S],
    w: &Weighting,
) -> Result<CsrMatrix<T>> {
    let chunks: Vec<(Vec<usize>, Vec<(u32, u32)>)> =
        docs.par_chunks(CHUNK).map(|c| count_chunk(an, names, index, c)).collect();
    let parts: Vec<(&[usize], &[(u32, u32)], Option<&[u32]>)> =
        chunks.iter().map(|(p, e)| (p.as_slice(), e.as_slice(), None)).collect();
    fill_csr(&parts, names.len(), w)
}

/// Document frequency of every column of `m`.
pub fn column_df<T: Real>(m: &CsrMatrix<T>) -> Vec<u64> {
    let mut df = vec![0u64; m.n_cols];
    for &j in &m.indices {
        df[j as usize] += 1;
    }
    df
}

/// Hashing: per-document `(column, value)` with scikit-learn's FeatureHasher rules (duplicates
/// summed, explicit zeros kept).
fn hash_chunk<S: AsRef<str>>(
    an: &Analyzer,
    n_features: u32,
    alternate_sign: bool,
    docs: &[S],
) -> (Vec<usize>, Vec<u32>, Vec<f64>) {
    let mut doc_ptr = Vec::with_capacity(docs.len() + 1);
    doc_ptr.push(0);
    let mut idx: Vec<u32> = Vec::new();
    let mut val: Vec<f64> = Vec::new();
    let mut row: Vec<(u32, f64)> = Vec::new();
    let push = |row: &mut Vec<(u32, f64)>, idx: &mut Vec<u32>, val: &mut Vec<f64>| {
        row.sort_by_key(|e| e.0);
        let mut k = 0;
        while k < row.len() {
            let (c, mut v) = row[k];
            k += 1;
            while k < row.len() && row[k].0 == c {
                v += row[k].1;
                k += 1;
            }
            idx.push(c);
            val.push(v);
        }
        row.clear();
    };
    let sv = |pos: bool| if !alternate_sign || pos { 1.0 } else { -1.0 };
    match an.kind {
        AnalyzerKind::Word => {
            let mut cache = TermCache::new();
            let mut ids = Vec::new();
            let mut uni: Vec<Option<(u32, bool)>> = Vec::new();
            let mut buf = String::new();
            for d in docs {
                an.word_terms(d.as_ref(), &mut cache, &mut ids);
                word_ngrams(ids.len(), an.min_n, an.max_n, |i, j| {
                    let (c, pos) = if j - i == 1 {
                        let t = ids[i] as usize;
                        if t >= uni.len() {
                            uni.resize(cache.terms.len().max(t + 1), None);
                        }
                        *uni[t].get_or_insert_with(|| {
                            feature_index_sign(cache.terms.get_str(ids[i]), n_features)
                        })
                    } else {
                        buf.clear();
                        for (k, &t) in ids[i..j].iter().enumerate() {
                            if k > 0 {
                                buf.push(' ');
                            }
                            buf.push_str(cache.terms.get_str(t));
                        }
                        feature_index_sign(&buf, n_features)
                    };
                    row.push((c, sv(pos)));
                });
                push(&mut row, &mut idx, &mut val);
                doc_ptr.push(idx.len());
            }
        }
        _ => {
            let mut sc = CharScratch::new();
            for d in docs {
                an.char_ngrams(d.as_ref(), &mut sc, |s| {
                    let (c, pos) = feature_index_sign(s, n_features);
                    row.push((c, sv(pos)));
                });
                push(&mut row, &mut idx, &mut val);
                doc_ptr.push(idx.len());
            }
        }
    }
    (doc_ptr, idx, val)
}

/// HashingVectorizer transform.
pub fn hashing_transform<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    n_features: u32,
    alternate_sign: bool,
    binary: bool,
    norm: Option<super::Norm>,
    docs: &[S],
) -> Result<CsrMatrix<T>> {
    let chunks: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = docs
        .par_chunks(CHUNK)
        .map(|c| hash_chunk(an, n_features, alternate_sign, c))
        .collect();
    let n_rows = docs.len();
    let nnz: usize = chunks.iter().map(|c| c.1.len()).sum();
    let mut indptr = Vec::with_capacity(n_rows + 1);
    indptr.push(0);
    let mut base = 0;
    for c in &chunks {
        indptr.extend(c.0[1..].iter().map(|p| p + base));
        base += c.1.len();
    }
    let mut indices = Vec::with_capacity(nnz);
    for c in &chunks {
        indices.extend_from_slice(&c.1);
    }
    let w = Weighting { binary, sublinear: false, idf: None, norm };
    let mut data = vec![T::zero(); nnz];
    {
        let mut slices = Vec::with_capacity(chunks.len());
        let mut rest: &mut [T] = &mut data;
        for c in &chunks {
            let (a, r) = rest.split_at_mut(c.1.len());
            slices.push(a);
            rest = r;
        }
        slices.into_par_iter().zip(chunks.par_iter()).for_each(|(out, (ptr, idx, val))| {
            for r in ptr.windows(2) {
                let vals: Vec<f64> = if binary {
                    // scikit-learn: X.data.fill(1) -- every stored entry becomes 1.
                    vec![1.0; r[1] - r[0]]
                } else {
                    val[r[0]..r[1]].to_vec()
                };
                let w = Weighting { binary: false, ..w };
                w.apply(&idx[r[0]..r[1]], &vals, &mut out[r[0]..r[1]]);
            }
        });
    }
    CsrMatrix::new(n_rows, n_features as usize, indptr, indices, data)
}
