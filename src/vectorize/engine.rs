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
pub const CHUNK: usize = 1024;
/// Shards of the parallel vocabulary merge.
pub const N_SHARDS: usize = 64;
use crate::ids::NO_COLUMN as UNSET;

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
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.apply_with(cols, counts, out, &mut buf),
            Err(_) => self.apply_with(cols, counts, out, &mut Vec::new()),
        })
    }

    /// [`Weighting::apply`] with integer counts and a caller's scratch buffer (same values).
    #[inline]
    pub fn apply_counts<T: Real>(&self, cols: &[u32], counts: &[u32], out: &mut [T], buf: &mut Vec<f64>) {
        self.apply_iter(cols, counts.iter().map(|&c| c as f64), out, buf)
    }

    fn apply_with<T: Real>(&self, cols: &[u32], counts: &[f64], out: &mut [T], buf: &mut Vec<f64>) {
        self.apply_iter(cols, counts.iter().copied(), out, buf)
    }

    #[inline]
    fn apply_iter<T: Real>(
        &self,
        cols: &[u32],
        counts: impl ExactSizeIterator<Item = f64>,
        out: &mut [T],
        buf: &mut Vec<f64>,
    ) {
        buf.clear();
        buf.resize(counts.len(), 0.0);
        let vals: &mut [f64] = buf.as_mut_slice();
        for (k, (c, v)) in counts.zip(vals.iter_mut()).enumerate() {
            let mut x = if self.binary && c != 0.0 { c.signum() } else { c };
            // ln(1) is exactly 0: most counts are 1, so skip the logarithm for them.
            if self.sublinear && x != 1.0 {
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
    /// Per shard, contiguous: (hash, df, tf, name end offset in `packed_names[s]`).
    packed: Vec<Vec<(u64, u32, u64, usize)>>,
    packed_names: Vec<String>,
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
    /// Emit `(feature, count)` and update df (and tf, when the caller keeps it); reset.
    fn flush(&mut self, entries: &mut Vec<(u32, u32)>, df: &mut [u32], mut tf: Option<&mut [u64]>) {
        for &f in &self.touched {
            let c = self.counts[f as usize];
            entries.push((f, c));
            df[f as usize] += 1;
            if let Some(tf) = tf.as_deref_mut() {
                tf[f as usize] += c as u64;
            }
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
        dc.flush(&mut entries, &mut df, Some(&mut tf));
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
        packed: Vec::new(),
        packed_names: Vec::new(),
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
        dc.flush(&mut entries, &mut df, Some(&mut tf));
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
        packed: Vec::new(),
        packed_names: Vec::new(),
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
    let mut packed: Vec<Vec<(u64, u32, u64, usize)>> = vec![Vec::new(); N_SHARDS];
    let mut packed_names = vec![String::new(); N_SHARDS];
    for (f, &h) in ch.hashes.iter().enumerate() {
        let s = shard_of(h);
        by_shard[s].push(f as u32);
        packed_names[s].push_str(ch.name(f as u32));
        packed[s].push((h, ch.df[f], ch.tf[f], packed_names[s].len()));
    }
    ch.by_shard = by_shard;
    ch.packed = packed;
    ch.packed_names = packed_names;
    ch.names = String::new();
    ch.offs = Vec::new();
    ch.hashes = Vec::new();
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
        let list = &ch.packed[s];
        let arena = &ch.packed_names[s];
        let mut a = Vec::with_capacity(list.len());
        let mut start = 0usize;
        for &(h, d, t, end) in list {
            let (g, new) = names.intern_hashed(&arena[start..end], h);
            start = end;
            if new {
                df.push(0);
                tf.push(0);
            }
            df[g as usize] += d as u64;
            tf[g as usize] += t;
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

/// Terms removed by pruning, materialised on demand.
#[derive(Debug, Default)]
pub enum Removed {
    #[default]
    None,
    /// Strings back to back in an arena with offsets.
    Strings(String, Vec<usize>),
    /// Word (n-gram) keys over a global term list (see [`key_name_into`]), per shard, with
    /// each key's column (`UNSET` for the removed ones): kept as the fit left them, so that
    /// listing the removed terms costs nothing until they are asked for.
    Keys { terms: (String, Vec<usize>), keys: Vec<Vec<u64>>, col: Vec<Vec<u32>> },
}

impl Removed {
    /// The removed terms (any order).
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            Removed::None => Vec::new(),
            Removed::Strings(a, o) => o.windows(2).map(|w| a[w[0]..w[1]].to_string()).collect(),
            Removed::Keys { terms, keys, col } => keys
                .iter()
                .zip(col)
                .flat_map(|(k, c)| k.iter().zip(c).filter(|e| *e.1 == UNSET).map(|e| *e.0))
                .map(|k| {
                    let mut s = String::new();
                    key_name_into(k, &terms.0, &terms.1, &mut s);
                    s
                })
                .collect(),
        }
    }
}

/// Result of a fit: the vocabulary in column order, document frequencies per column and the
/// terms removed by pruning.
pub struct Fitted {
    pub names: Vec<String>,
    pub df: Vec<u64>,
    pub removed: Removed,
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

type MakeWeighting<'a> = &'a dyn Fn(&[u64], usize) -> (bool, bool, Option<Vec<f64>>, Option<super::Norm>);

/// Learn the vocabulary (and document frequencies) of `docs`; with `build`, also build the
/// matrix (`build` gets the final per-column df and the document count and returns
/// `(binary, sublinear_tf, idf, norm)`).
pub fn fit<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    docs: &[S],
    limits: Limits,
    build: Option<MakeWeighting>,
) -> Result<(Fitted, Option<CsrMatrix<T>>)> {
    if an.kind == AnalyzerKind::Word && an.max_n == 2 && !an.terms_may_contain_space() {
        return fit_keyed(an, docs, limits, build);
    }
    let n_docs = docs.len();
    let mut chunks = analyse_chunks(an, docs);
    let shards: Vec<Shard> = (0..N_SHARDS)
        .into_par_iter()
        .map(|s| merge_shard(&chunks, s))
        .collect();
    for ch in &mut chunks {
        ch.packed = Vec::new();
        ch.packed_names = Vec::new();
    }
    let view = GlobalView {
        df: shards.iter().map(|s| s.df.as_slice()).collect(),
        tf: shards.iter().map(|s| s.tf.as_slice()).collect(),
    };
    let name = |s: usize, g: u32, out: &mut String| out.push_str(shards[s].names.get_str(g));
    let (fitted, col) = prune(n_docs, &view, &name, None, limits)?;
    let mut fitted = fitted;
    let n_removed: usize = col.iter().map(|c| c.iter().filter(|&&x| x == UNSET).count()).sum();
    if n_removed > 0 {
        let mut arena = String::new();
        let mut offs = vec![0usize];
        for (s, sh) in shards.iter().enumerate() {
            for g in 0..sh.df.len() {
                if col[s][g] == UNSET {
                    arena.push_str(sh.names.get_str(g as u32));
                    offs.push(arena.len());
                }
            }
        }
        fitted.removed = Removed::Strings(arena, offs);
    }
    let Some(build) = build else { return Ok((fitted, None)) };
    let local_cols: Vec<Vec<u32>> = chunks
        .par_iter()
        .enumerate()
        .map(|(ci, ch)| local_to_col(ch.df.len(), &ch.by_shard, |s| &shards[s].assign[ci], &col))
        .collect();
    drop(shards);
    drop(col);
    let parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Option<Vec<u32>>)> = chunks
        .into_iter()
        .zip(local_cols)
        .map(|(ch, lc)| (ch.doc_ptr, ch.entries, Some(lc)))
        .collect();
    let m = build_matrix(&fitted, parts, build)?;
    Ok((fitted, Some(m)))
}

fn build_matrix<T: Real>(
    fitted: &Fitted,
    parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Option<Vec<u32>>)>,
    build: MakeWeighting,
) -> Result<CsrMatrix<T>> {
    let (binary, sublinear, idf, norm) = build(&fitted.df, fitted.n_docs);
    let w = Weighting { binary, sublinear, idf: idf.as_deref(), norm };
    fill_csr::<T>(parts, fitted.names.len(), &w)
}

fn local_to_col<'a>(
    n_local: usize,
    by_shard: &[Vec<u32>],
    assign: impl Fn(usize) -> &'a [u32],
    col: &[Vec<u32>],
) -> Vec<u32> {
    let mut lc = vec![UNSET; n_local];
    for (s, list) in by_shard.iter().enumerate() {
        let a = assign(s);
        for (k, &f) in list.iter().enumerate() {
            lc[f as usize] = col[s][a[k] as usize];
        }
    }
    lc
}

/// Per-shard frequencies of the merged global features.
struct GlobalView<'a> {
    df: Vec<&'a [u64]>,
    tf: Vec<&'a [u64]>,
}

/// A key per feature whose order is the features' name (byte) order, and the name of a key.
#[derive(Clone, Copy)]
struct OrderKey<'a> {
    key: &'a (dyn Fn(usize, u32) -> u64 + Sync),
    name: &'a (dyn Fn(u64, &mut String) + Sync),
}

/// Apply `min_df` / `max_df` / `max_features`, sort the kept features by name and return the
/// fit result with per-shard final columns (`UNSET` = removed). With `order`, features are
/// sorted by that key and only the kept ones are named, after sorting.
fn prune(
    n_docs: usize,
    view: &GlobalView,
    name: &(dyn Fn(usize, u32, &mut String) + Sync),
    order: Option<OrderKey>,
    limits: Limits,
) -> Result<(Fitted, Vec<Vec<u32>>)> {
    let total: usize = view.df.iter().map(|d| d.len()).sum();
    if total == 0 {
        return Err(Error::value("empty vocabulary; perhaps the documents only contain stop words"));
    }
    if limits.max_count < limits.min_count {
        return Err(Error::value("max_df corresponds to < documents than min_df"));
    }
    let kept_df = |d: u64| {
        let d = d as f64;
        d >= limits.min_count && d <= limits.max_count
    };
    if let Some(order) = order {
        return prune_ordered(n_docs, view, order, limits, &kept_df);
    }
    let mut keep: Vec<(u32, u32)> = Vec::new();
    for (s, df) in view.df.iter().enumerate() {
        for (g, &d) in df.iter().enumerate() {
            if kept_df(d) {
                keep.push((s as u32, g as u32));
            }
        }
    }
    let named = |keep: Vec<(u32, u32)>| -> Vec<(String, u32, u32)> {
        keep.into_par_iter()
            .map(|(s, g)| {
                let mut n = String::new();
                name(s as usize, g, &mut n);
                (n, s, g)
            })
            .collect()
    };
    let mut kept: Vec<(String, u32, u32)>;
    match limits.max_features {
        Some(limit) if keep.len() > limit => {
            // Highest corpus term frequency first; ties in alphabetical order (the order
            // scikit-learn's features are in when it ranks them).
            let tf = |e: &(String, u32, u32)| view.tf[e.1 as usize][e.2 as usize];
            kept = named(keep);
            kept.par_sort_unstable_by(|a, b| tf(b).cmp(&tf(a)).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(limit);
        }
        _ => kept = named(keep),
    }
    if kept.is_empty() {
        return Err(Error::value(
            "After pruning, no terms remain. Try a lower min_df or a higher max_df.",
        ));
    }
    // Alphabetical (byte) order. Comparing the first 8 bytes as a big-endian integer (zero
    // padded) first agrees with the byte order whenever those integers differ, and settles
    // most comparisons without touching the strings' heap buffers.
    let mut keyed: Vec<(u64, String, u32, u32)> =
        kept.into_par_iter().map(|(n, s, g)| (name_prefix(&n), n, s, g)).collect();
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let kept = keyed.into_iter().map(|(_, n, s, g)| (n, s, g));
    let mut col: Vec<Vec<u32>> = view.df.iter().map(|d| vec![UNSET; d.len()]).collect();
    let mut names = Vec::with_capacity(kept.len());
    let mut df = Vec::with_capacity(kept.len());
    for (c, (n, s, g)) in kept.enumerate() {
        col[s as usize][g as usize] = c as u32;
        df.push(view.df[s as usize][g as usize]);
        names.push(n);
    }
    Ok((Fitted { names, df, removed: Removed::None, n_docs }, col))
}

/// [`prune`] with an order key: sort `(key, shard, id)` triples of the features whose document
/// frequency passes `kept_df`, then name the kept features from their keys. The passes over
/// the features run in parallel (over shards, or over the sorted features).
fn prune_ordered(
    n_docs: usize,
    view: &GlobalView,
    order: OrderKey,
    limits: Limits,
    kept_df: &(dyn Fn(u64) -> bool + Sync),
) -> Result<(Fitted, Vec<Vec<u32>>)> {
    let mut keyed: Vec<(u64, u32, u32)> = view
        .df
        .par_iter()
        .enumerate()
        .flat_map_iter(|(s, df)| {
            df.iter()
                .enumerate()
                .filter(|e| kept_df(*e.1))
                .map(move |(g, _)| ((order.key)(s, g as u32), s as u32, g as u32))
        })
        .collect();
    if let Some(limit) = limits.max_features {
        if keyed.len() > limit {
            // Highest corpus term frequency first; ties in name order.
            let tf = |e: &(u64, u32, u32)| view.tf[e.1 as usize][e.2 as usize];
            keyed.par_sort_unstable_by(|a, b| tf(b).cmp(&tf(a)).then_with(|| a.0.cmp(&b.0)));
            keyed.truncate(limit);
        }
    }
    if keyed.is_empty() {
        return Err(Error::value(
            "After pruning, no terms remain. Try a lower min_df or a higher max_df.",
        ));
    }
    keyed.par_sort_unstable_by_key(|e| e.0);
    let names: Vec<String> = keyed
        .par_iter()
        .map(|&(o, _, _)| {
            let mut n = String::new();
            (order.name)(o, &mut n);
            n
        })
        .collect();
    let df: Vec<u64> = keyed.par_iter().map(|&(_, s, g)| view.df[s as usize][g as usize]).collect();
    let mut col: Vec<Vec<u32>> = view.df.iter().map(|d| vec![UNSET; d.len()]).collect();
    {
        /// The shards' column tables, written from several threads at distinct places.
        struct Tables(Vec<(*mut u32, usize)>);
        // SAFETY: shared only for the disjoint writes below.
        unsafe impl Sync for Tables {}
        let tables = Tables(col.iter_mut().map(|c| (c.as_mut_ptr(), c.len())).collect());
        let tables = &tables;
        keyed.par_iter().enumerate().for_each(|(c, &(_, s, g))| {
            let (ptr, len) = tables.0[s as usize];
            assert!((g as usize) < len);
            // SAFETY: in bounds (checked above), and each (shard, id) pair occurs once in
            // `keyed` (it lists distinct features), so no two threads write the same place;
            // `col` is not otherwise accessed until the writes are done.
            unsafe { *ptr.add(g as usize) = c as u32 };
        });
    }
    Ok((Fitted { names, df, removed: Removed::None, n_docs }, col))
}

/// Alphabetical (byte order) rank of each of the strings `arena[offs[t]..offs[t + 1]]`, which
/// must be distinct, and the string of each rank.
fn byte_ranks(arena: &str, offs: &[usize]) -> (Vec<u32>, Vec<u32>) {
    let n = offs.len() - 1;
    let term = |t: u32| &arena.as_bytes()[offs[t as usize]..offs[t as usize + 1]];
    let mut ord: Vec<(u64, u32)> = (0..n as u32)
        .into_par_iter()
        .map(|t| (name_prefix(&arena[offs[t as usize]..offs[t as usize + 1]]), t))
        .collect();
    ord.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| term(a.1).cmp(term(b.1))));
    let mut rank = vec![0u32; n];
    for (r, &(_, t)) in ord.iter().enumerate() {
        rank[t as usize] = r as u32;
    }
    (rank, ord.into_iter().map(|e| e.1).collect())
}

/// The first 8 bytes of `s` as a big-endian integer, zero padded.
#[inline]
fn name_prefix(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut p = [0u8; 8];
    let k = b.len().min(8);
    p[..k].copy_from_slice(&b[..k]);
    u64::from_be_bytes(p)
}

// ---- word unigrams + bigrams: global term ids first, then integer n-gram keys -------------

/// The name of a key: `g` (unigram) or `((g1 + 1) << 32) | g2` (bigram) over global terms.
pub fn key_name_into(key: u64, arena: &str, offs: &[usize], out: &mut String) {
    let term = |g: u64| &arena[offs[g as usize]..offs[g as usize + 1]];
    let hi = key >> 32;
    if hi == 0 {
        out.push_str(term(key));
    } else {
        out.push_str(term(hi - 1));
        out.push(' ');
        out.push_str(term(key & 0xffff_ffff));
    }
}

#[inline]
fn hash_u64(k: u64) -> u64 {
    use std::hash::BuildHasher;
    HASHER.hash_one(k)
}

/// One chunk's documents as term ids of the worker that analysed it (see [`term_chunks`]).
struct TermChunk {
    worker: usize,
    toks: Vec<u32>,
    tok_ptr: Vec<usize>,
}

/// The terms one worker found, over all the chunks it took: id -> string, with each term's
/// hash and the ids of each shard.
struct WorkerTerms {
    terms: Interner,
    hashes: Vec<u64>,
    by_shard: Vec<Vec<u32>>,
}

/// Analyse `docs` in chunks of [`CHUNK`] documents on the pool's threads. Each worker keeps
/// one term cache for all the chunks it takes (a token is analysed and interned once per
/// worker rather than once per chunk), so a chunk's term ids are its worker's. Which worker
/// takes which chunk varies from run to run; the fit's result does not depend on it (term ids
/// only name terms until the vocabulary is sorted by name).
fn term_chunks<S: AsRef<str> + Sync>(an: &Analyzer, docs: &[S]) -> (Vec<TermChunk>, Vec<WorkerTerms>) {
    let n_chunks = docs.len().div_ceil(CHUNK);
    let (chunks, caches) = for_chunks(
        n_chunks,
        |worker| (worker, TermCache::new(), Vec::new()),
        |(worker, cache, ids): &mut (usize, TermCache, Vec<u32>), k| {
            let c = &docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())];
            let mut toks = Vec::new();
            let mut tok_ptr = Vec::with_capacity(c.len() + 1);
            tok_ptr.push(0);
            for d in c {
                an.word_terms(d.as_ref(), cache, ids);
                toks.extend_from_slice(ids);
                tok_ptr.push(toks.len());
            }
            TermChunk { worker: *worker, toks, tok_ptr }
        },
    );
    let workers = caches
        .into_par_iter()
        .map(|(_, mut cache, _)| {
            let terms = std::mem::take(&mut cache.terms);
            let hashes: Vec<u64> = terms.iter().map(hash_str).collect();
            let mut by_shard = vec![Vec::new(); N_SHARDS];
            for (f, &h) in hashes.iter().enumerate() {
                by_shard[shard_of(h)].push(f as u32);
            }
            WorkerTerms { terms, hashes, by_shard }
        })
        .collect();
    (chunks, workers)
}

struct KeyChunk {
    doc_ptr: Vec<usize>,
    entries: Vec<(u32, u32)>,
    n_local: usize,
    by_shard: Vec<Vec<u32>>,
    /// Per shard, contiguous: (key, df).
    packed: Vec<Vec<(u64, u32)>>,
    /// Per shard, in the order of `packed`: the keys' term frequencies, when they are kept
    /// (only `max_features` needs them); empty otherwise.
    packed_tf: Vec<Vec<u64>>,
}

/// A worker's scratch tables for [`key_chunk`], kept from one chunk to the next: they are
/// megabytes each, and allocating them afresh for every chunk cost more in page faults than
/// clearing them.
struct KeyScratch {
    uni: Vec<u32>,
    map: U64Map,
    dc: DocCounter,
    bk: Vec<u64>,
}

impl KeyScratch {
    fn new() -> Self {
        KeyScratch { uni: Vec::new(), map: U64Map::with_capacity(0), dc: DocCounter::new(), bk: Vec::new() }
    }
}

fn key_chunk(tc: &TermChunk, lg: &[u32], min_n: usize, max_n: usize, need_tf: bool, scratch: &mut KeyScratch) -> KeyChunk {
    // Unigrams: a dense table over the chunk's local terms (no hashing); bigrams: a map
    // sized up front (a chunk has roughly a third as many distinct bigrams as tokens).
    let KeyScratch { uni, map, dc, bk } = scratch;
    uni.clear();
    uni.resize(lg.len(), UNSET);
    map.reset(if max_n >= 2 { tc.toks.len() / 3 } else { 0 });
    let mut keys: Vec<u64> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    // At most one entry per token and n-gram order (an upper bound: the room beyond what
    // is written is address space, never touched).
    let mut entries = Vec::with_capacity(tc.toks.len() * (max_n + 1 - min_n.min(max_n)));
    let mut doc_ptr = Vec::with_capacity(tc.tok_ptr.len());
    doc_ptr.push(0);
    // How many bigrams ahead to prefetch the map slot (the map outgrows the caches).
    const AHEAD: usize = 16;
    let unigrams = min_n == 1;
    let bigrams = min_n <= 2 && max_n >= 2;
    for w in tc.tok_ptr.windows(2) {
        let loc = &tc.toks[w[0]..w[1]];
        // Same features in the same order as `word_ngrams(loc.len(), min_n, max_n, ..)`
        // (max_n <= 2): unigrams, then bigrams.
        if unigrams {
            for &t in loc {
                let t = t as usize;
                let mut f = uni[t];
                if f == UNSET {
                    f = keys.len() as u32;
                    keys.push(lg[t] as u64);
                    df.push(0);
                    uni[t] = f;
                }
                dc.add(f);
            }
        }
        if bigrams && loc.len() >= 2 {
            bk.clear();
            bk.extend(loc.windows(2).map(|p| ((lg[p[0] as usize] as u64 + 1) << 32) | lg[p[1] as usize] as u64));
            for k in 0..bk.len() {
                if let Some(&ahead) = bk.get(k + AHEAD) {
                    map.prefetch(ahead);
                }
                let key = bk[k];
                let f = map.get_or_insert_with(key, || {
                    keys.push(key);
                    df.push(0);
                    (keys.len() - 1) as u32
                });
                dc.add(f);
            }
        }
        if need_tf {
            tf.resize(df.len(), 0);
        }
        dc.flush(&mut entries, &mut df, need_tf.then_some(&mut tf[..]));
        doc_ptr.push(entries.len());
    }
    let mut by_shard = vec![Vec::new(); N_SHARDS];
    let mut packed: Vec<Vec<(u64, u32)>> = vec![Vec::new(); N_SHARDS];
    let mut packed_tf: Vec<Vec<u64>> = vec![Vec::new(); if need_tf { N_SHARDS } else { 0 }];
    for (f, &k) in keys.iter().enumerate() {
        let s = shard_of(hash_u64(k));
        by_shard[s].push(f as u32);
        packed[s].push((k, df[f]));
        if need_tf {
            packed_tf[s].push(tf[f]);
        }
    }
    KeyChunk { doc_ptr, entries, n_local: keys.len(), by_shard, packed, packed_tf }
}

/// An open-addressing map from `u64` keys to `u32` values below `u32::MAX` (the empty-slot
/// marker), with Fibonacci hashing and linear probing: for bigram keys (one cache line per
/// lookup, key and value in the slot).
#[derive(Debug)]
struct U64Map {
    slots: Vec<(u64, u32)>,
    len: usize,
    shift: u32,
}

impl U64Map {
    fn with_capacity(n: usize) -> Self {
        let cap = Self::capacity_for(n);
        U64Map { slots: vec![(0, u32::MAX); cap], len: 0, shift: 64 - cap.trailing_zeros() }
    }

    fn capacity_for(n: usize) -> usize {
        (n * 2).next_power_of_two().max(1 << 10)
    }

    /// Empty the map and size it for `n` keys as [`U64Map::with_capacity`] does, reusing
    /// its allocation.
    fn reset(&mut self, n: usize) {
        // Never smaller than before: a table that grew for one chunk is likely to grow
        // again for the next (growing rehashes into fresh memory).
        let cap = Self::capacity_for(n).max(self.slots.len());
        self.slots.clear();
        self.slots.resize(cap, (0, u32::MAX));
        self.len = 0;
        self.shift = 64 - cap.trailing_zeros();
    }

    #[inline]
    fn index(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The value of `k`.
    #[inline]
    fn get(&self, k: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (key, v) = self.slots[i];
            if v == u32::MAX {
                return None;
            }
            if key == k {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// Prefetch the slot where a lookup of `k` starts.
    #[inline(always)]
    fn prefetch(&self, k: u64) {
        crate::hw::prefetch_ptr(&self.slots[self.index(k)]);
    }

    /// The value of `k`, inserting `mk()` (which must be below `u32::MAX`) when absent.
    #[inline]
    fn get_or_insert_with(&mut self, k: u64, mk: impl FnOnce() -> u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (key, v) = self.slots[i];
            if v == u32::MAX {
                break;
            }
            if key == k {
                return v;
            }
            i = (i + 1) & mask;
        }
        let v = mk();
        self.slots[i] = (k, v);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        v
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let cap = old.len() * 2;
        self.slots = vec![(0, u32::MAX); cap];
        self.shift = 64 - cap.trailing_zeros();
        let mask = cap - 1;
        for (k, v) in old {
            if v != u32::MAX {
                let mut i = self.index(k);
                while self.slots[i].1 != u32::MAX {
                    i = (i + 1) & mask;
                }
                self.slots[i] = (k, v);
            }
        }
    }
}

struct KeyShard {
    keys: Vec<u64>,
    df: Vec<u64>,
    tf: Vec<u64>,
    assign: Vec<Vec<u32>>,
}

/// Merge shard `s` of every chunk's keys; `map` is the worker's table, reused from shard to
/// shard (see [`KeyScratch`]).
fn merge_key_shard(chunks: &[KeyChunk], s: usize, map: &mut U64Map) -> KeyShard {
    const AHEAD: usize = 16;
    // Keys recur across chunks: the distinct ones are about half of all listed.
    let listed: usize = chunks.iter().map(|c| c.packed[s].len()).sum();
    let cap = listed / 2;
    map.reset(cap);
    let (mut keys, mut df, mut tf) = (Vec::with_capacity(cap), Vec::with_capacity(cap), Vec::new());
    let mut assign = Vec::with_capacity(chunks.len());
    for ch in chunks {
        let list = &ch.packed[s];
        let mut a = Vec::with_capacity(list.len());
        for (i, &(k, d)) in list.iter().enumerate() {
            if let Some(ahead) = list.get(i + AHEAD) {
                map.prefetch(ahead.0);
            }
            let g = map.get_or_insert_with(k, || {
                keys.push(k);
                df.push(0u64);
                (keys.len() - 1) as u32
            });
            df[g as usize] += d as u64;
            a.push(g);
        }
        // Term frequencies, when the chunks kept them: a second pass over the same ids.
        if let Some(tfs) = ch.packed_tf.get(s) {
            tf.resize(keys.len(), 0u64);
            for (&g, &t) in a.iter().zip(tfs) {
                tf[g as usize] += t;
            }
        }
        assign.push(a);
    }
    KeyShard { keys, df, tf, assign }
}

fn fit_keyed<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    docs: &[S],
    limits: Limits,
    build: Option<MakeWeighting>,
) -> Result<(Fitted, Option<CsrMatrix<T>>)> {
    let n_docs = docs.len();
    // 1. terms per chunk (term ids per worker)
    let (tchunks, mut workers) = term_chunks(an, docs);
    // 2. global term ids (sharded merge of term strings)
    let tshards: Vec<(Interner, Vec<Vec<u32>>)> = (0..N_SHARDS)
        .into_par_iter()
        .map(|s| {
            let mut names = Interner::new();
            let mut assign = Vec::with_capacity(workers.len());
            for wt in &workers {
                let a: Vec<u32> = wt.by_shard[s]
                    .iter()
                    .map(|&f| names.intern_hashed(wt.terms.get_str(f), wt.hashes[f as usize]).0)
                    .collect();
                assign.push(a);
            }
            (names, assign)
        })
        .collect();
    let mut base = Vec::with_capacity(N_SHARDS);
    let mut n_terms = 0usize;
    for (names, _) in &tshards {
        base.push(n_terms as u32);
        n_terms += names.len();
    }
    // Per worker: its term id -> global term id.
    let lgs: Vec<Vec<u32>> = workers
        .par_iter()
        .enumerate()
        .map(|(wi, wt)| {
            let mut lg = vec![0u32; wt.terms.len()];
            for (s, list) in wt.by_shard.iter().enumerate() {
                for (k, &f) in list.iter().enumerate() {
                    lg[f as usize] = base[s] + tshards[s].1[wi][k];
                }
            }
            lg
        })
        .collect();
    let mut arena = String::new();
    let mut offs = Vec::with_capacity(n_terms + 1);
    offs.push(0usize);
    for (names, _) in tshards {
        for t in names.iter() {
            arena.push_str(t);
            offs.push(arena.len());
        }
    }
    workers.clear();
    // 3. n-gram keys per chunk, 4. sharded merge of keys
    let (min_n, max_n) = (an.min_n, an.max_n);
    // Term frequencies only rank features for `max_features`.
    let need_tf = limits.max_features.is_some();
    let (mut kchunks, _): (Vec<KeyChunk>, _) = for_chunks(
        tchunks.len(),
        |_| KeyScratch::new(),
        |sc, k| {
            let tc = &tchunks[k];
            key_chunk(tc, &lgs[tc.worker], min_n, max_n, need_tf, sc)
        },
    );
    drop(tchunks);
    drop(lgs);
    let (kshards, _): (Vec<KeyShard>, _) =
        for_chunks(N_SHARDS, |_| U64Map::with_capacity(0), |map, s| merge_key_shard(&kchunks, s, map));
    for ch in &mut kchunks {
        ch.packed = Vec::new();
        ch.packed_tf = Vec::new();
    }
    // 5. prune, name and sort
    let view = GlobalView {
        df: kshards.iter().map(|s| s.df.as_slice()).collect(),
        tf: kshards.iter().map(|s| s.tf.as_slice()).collect(),
    };
    let name = |s: usize, g: u32, out: &mut String| {
        let k = kshards[s].keys[g as usize];
        let len = |t: u64| offs[t as usize + 1] - offs[t as usize];
        out.reserve(if k >> 32 == 0 { len(k) } else { len((k >> 32) - 1) + 1 + len(k & 0xffff_ffff) });
        key_name_into(k, &arena, &offs, out)
    };
    // When no term has a byte <= b' ', the name order of unigrams and bigrams is the order of
    // (rank of the first term, 0 for a unigram or 1 + rank of the second term): a term that is
    // a proper prefix of another sorts first, and a space sorts below every term byte. Then
    // sorting integers replaces sorting strings, and only the kept features get names.
    let ranks: Option<(Vec<u32>, Vec<u32>)> =
        arena.bytes().all(|b| b > b' ').then(|| byte_ranks(&arena, &offs));
    let order = |s: usize, g: u32| -> u64 {
        let k = kshards[s].keys[g as usize];
        let Some((r, _)) = &ranks else { return 0 };
        match k >> 32 {
            0 => (r[k as usize] as u64) << 32,
            hi => ((r[hi as usize - 1] as u64) << 32) | (r[(k & 0xffff_ffff) as usize] as u64 + 1),
        }
    };
    // The name of an order key (terms by rank: read in about sequential order).
    let order_name = |o: u64, out: &mut String| {
        let Some((_, by_rank)) = &ranks else { return };
        let term = |r: u64| {
            let t = by_rank[r as usize] as usize;
            &arena[offs[t]..offs[t + 1]]
        };
        let (a, b) = (o >> 32, o & 0xffff_ffff);
        if b == 0 {
            out.push_str(term(a));
        } else {
            let (ta, tb) = (term(a), term(b - 1));
            out.reserve_exact(ta.len() + 1 + tb.len());
            out.push_str(ta);
            out.push(' ');
            out.push_str(tb);
        }
    };
    let order_key = ranks.is_some().then_some(OrderKey { key: &order, name: &order_name });
    let (mut fitted, col) = prune(n_docs, &view, &name, order_key, limits)?;
    let mut kshards = kshards;
    let Some(build) = build else {
        keep_removed(&mut fitted, &mut kshards, col, (arena, offs));
        return Ok((fitted, None));
    };
    // 6. the matrix
    let local_cols: Vec<Vec<u32>> = kchunks
        .par_iter()
        .enumerate()
        .map(|(ci, ch)| local_to_col(ch.n_local, &ch.by_shard, |s| &kshards[s].assign[ci], &col))
        .collect();
    keep_removed(&mut fitted, &mut kshards, col, (arena, offs));
    drop(kshards);
    let parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Option<Vec<u32>>)> = kchunks
        .into_iter()
        .zip(local_cols)
        .map(|(ch, lc)| (ch.doc_ptr, ch.entries, Some(lc)))
        .collect();
    let m = build_matrix(&fitted, parts, build)?;
    Ok((fitted, Some(m)))
}

/// Record the keys that pruning removed (for `stop_words_`): the shards' keys move into
/// `fitted` with their columns, and are listed only when asked for.
fn keep_removed(fitted: &mut Fitted, kshards: &mut [KeyShard], col: Vec<Vec<u32>>, terms: (String, Vec<usize>)) {
    if fitted.names.len() < col.iter().map(Vec::len).sum::<usize>() {
        let keys = kshards.iter_mut().map(|sh| std::mem::take(&mut sh.keys)).collect();
        fitted.removed = Removed::Keys { terms, keys, col };
    }
}

/// Build the CSR matrix from per-chunk `(doc_ptr, entries, optional local->column map)`.
/// Each chunk's buffers are freed as soon as its rows are written (the output is allocated
/// zeroed, so its pages become resident only as they are filled).
fn fill_csr<T: Real>(
    parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Option<Vec<u32>>)>,
    n_cols: usize,
    w: &Weighting,
) -> Result<CsrMatrix<T>> {
    // Row lengths after dropping unmapped entries.
    let row_nnz: Vec<Vec<usize>> = parts
        .par_iter()
        .map(|(ptr, ent, map)| {
            let map = map.as_deref();
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
        slices.into_par_iter().zip(parts.into_par_iter()).for_each(|((oi, od), (ptr, ent, map))| {
            let map = map.as_deref();
            // A row's entries as `column << 32 | count`: sorting these integers sorts by
            // column (a row has each column once), faster than sorting pairs by a key.
            let mut row: Vec<u64> = Vec::new();
            let mut cnts: Vec<u32> = Vec::new();
            let mut buf: Vec<f64> = Vec::new();
            let mut pos = 0usize;
            let pack = |col: u32, c: u32| ((col as u64) << 32) | c as u64;
            for r in ptr.windows(2) {
                row.clear();
                match map {
                    None => row.extend(ent[r[0]..r[1]].iter().map(|&(f, c)| pack(f, c))),
                    Some(m) => row.extend(ent[r[0]..r[1]].iter().filter_map(|&(f, c)| {
                        let col = m[f as usize];
                        (col != UNSET).then(|| pack(col, c))
                    })),
                }
                // The weighting below reads idf[col]: start loading it now.
                if let Some(idf) = w.idf {
                    for &e in &row {
                        if let Some(x) = idf.get((e >> 32) as usize) {
                            crate::hw::prefetch_ptr(x);
                        }
                    }
                }
                row.sort_unstable();
                let k = row.len();
                let cols = &mut oi[pos..pos + k];
                cnts.clear();
                for (o, &e) in cols.iter_mut().zip(&row) {
                    *o = (e >> 32) as u32;
                    cnts.push(e as u32);
                }
                w.apply_counts(cols, &cnts, &mut od[pos..pos + k], &mut buf);
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

/// Per-worker buffers of transform and the rows of the chunk being built.
struct RowScratch<T> {
    /// Column of every feature occurrence of the current document.
    cols: Vec<u32>,
    /// The current document's counts (parallel to its distinct columns).
    cnt: Vec<u32>,
    /// Per document: term ids, global term ids, bigram keys.
    ids: Vec<u32>,
    g: Vec<u32>,
    keys: Vec<u64>,
    /// Weighting scratch.
    vals: Vec<f64>,
    /// The chunk's rows so far.
    rows: Rows<T>,
    /// Non-zeros of the previous chunk (to size the next one's buffers).
    last_nnz: usize,
    /// Keyed lookup: token -> the vocabulary's term id. It depends only on the model, so it
    /// carries over from one chunk to the next of the same call (until [`TERM_CACHE_MAX`]
    /// entries).
    cache: Option<TermCache>,
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
        }
    }
}

/// One chunk's rows in CSR form (`indptr` starts at 0), weights applied.
struct Rows<T> {
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<T>,
}

impl<T: Real> RowScratch<T> {
    fn begin(&mut self, n_docs: usize) {
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
    fn end_row(&mut self, w: &Weighting) {
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
    fn finish(&mut self) -> Rows<T> {
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
            let mut uni: Vec<u32> = Vec::new();
            let mut bi: HashMap<u64, u32, _> = HashMap::with_hasher(HASHER);
            let mut buf = String::new();
            use crate::ids::NOT_IN_VOCAB as NONE;
            for d in docs {
                let mut ids = std::mem::take(&mut sc.ids);
                an.word_terms(d.as_ref(), &mut cache, &mut ids);
                let cols = &mut sc.cols;
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


/// An integer-keyed view of a word vocabulary of unigrams and bigrams: term -> id, then
/// unigram id -> column and bigram key `((id1 + 1) << 32) | id2` -> column. Lets transform look
/// bigrams up without building their strings.
#[derive(Debug)]
pub struct KeyIndex {
    terms: Interner,
    uni: Vec<u32>,
    bi: U64Map,
    /// Term caches left by earlier transform calls, for the next call's workers.
    warm: WarmCaches,
}

/// Term caches (token -> the index's term id) kept between transform calls.
/// A cache depends only on the analyzer and the vocabulary, which a fitted vectorizer never
/// changes (its [`KeyIndex`] is rebuilt with a new vocabulary), so a later call can start from
/// an earlier call's cache instead of an empty one. Bounded: at most [`WARM_KEEP`] caches of at
/// most [`WARM_MAX_TERMS`] entries each.
#[derive(Default)]
struct WarmCaches(std::sync::Mutex<Vec<TermCache>>);

/// Most caches kept (and never more than the pool's threads: one per worker of a call).
const WARM_KEEP: usize = 8;
/// Largest cache kept, in distinct tokens (about 50 bytes each; 20 Newsgroups' test split
/// gives each of two workers about 65,000).
const WARM_MAX_TERMS: usize = 1 << 17;

impl std::fmt::Debug for WarmCaches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|v| v.len()).unwrap_or(0);
        write!(f, "WarmCaches({n})")
    }
}

impl WarmCaches {
    fn take(&self) -> Option<TermCache> {
        self.0.lock().ok()?.pop()
    }

    fn give(&self, cache: TermCache) {
        if cache.entries() > WARM_MAX_TERMS {
            return;
        }
        if let Ok(mut v) = self.0.lock() {
            if v.len() < WARM_KEEP.min(rayon::current_num_threads()) {
                v.push(cache);
            }
        }
    }
}

impl KeyIndex {
    /// Build from column names; `None` if a name is not a unigram or a bigram of non-empty terms.
    /// A repeated name keeps its first column.
    pub fn build(names: &[String]) -> Option<Self> {
        let mut terms = Interner::new();
        let mut uni: Vec<u32> = Vec::new();
        let n_bi = names.iter().filter(|n| n.contains(' ')).count();
        let mut bi = U64Map::with_capacity(n_bi);
        for (c, n) in names.iter().enumerate() {
            let mut parts = n.split(' ');
            let a = parts.next()?;
            let b = parts.next();
            if parts.next().is_some() || a.is_empty() || b.is_some_and(str::is_empty) {
                return None;
            }
            let ga = terms.intern(a).0;
            let gb = b.map(|b| terms.intern(b).0);
            if uni.len() < terms.len() {
                uni.resize(terms.len(), UNSET);
            }
            match gb {
                None => {
                    if uni[ga as usize] == UNSET {
                        uni[ga as usize] = c as u32;
                    }
                }
                Some(gb) => {
                    bi.get_or_insert_with(((ga as u64 + 1) << 32) | gb as u64, || c as u32);
                }
            }
        }
        Some(KeyIndex { terms, uni, bi, warm: WarmCaches::default() })
    }

    /// Can `an`'s features be looked up in a [`KeyIndex`]?
    pub fn applies(an: &Analyzer) -> bool {
        an.kind == AnalyzerKind::Word && an.max_n <= 2 && !an.terms_may_contain_space()
    }
}

/// Rows of `docs` against a fitted vocabulary looked up through a [`KeyIndex`].
fn rows_keyed<T: Real, S: AsRef<str>>(
    an: &Analyzer,
    ki: &KeyIndex,
    docs: &[S],
    w: &Weighting,
    sc: &mut RowScratch<T>,
) -> Rows<T> {
    // Not a term of the vocabulary: distinct from the analyzer cache's "not looked up yet",
    // so an unknown term is looked up (and stemmed) once.
    use crate::ids::NOT_IN_VOCAB as NONE;
    // How many bigram lookups ahead to prefetch the table slot (the table is larger than the
    // caches: a lookup is about one cache miss).
    const AHEAD: usize = 16;
    let unigrams = an.min_n == 1;
    let bigrams = an.min_n <= 2 && an.max_n >= 2;
    sc.begin(docs.len());
    let mut cache = match sc.cache.take() {
        Some(c) if c.entries() <= TERM_CACHE_MAX => c,
        Some(_) => TermCache::new(),
        None => ki.warm.take().unwrap_or_else(TermCache::new),
    };
    // The cache maps tokens straight to the index's term ids (NONE: not a term of the
    // vocabulary): nothing is interned.
    let index_term = |_: &mut Interner, s: &str| ki.terms.get(s).unwrap_or(NONE);
    for d in docs {
        let g = &mut sc.g;
        an.word_terms_by(d.as_ref(), &mut cache, g, index_term);
        let cols = &mut sc.cols;
        if unigrams {
            for &t in g.iter() {
                if t != NONE {
                    let c = ki.uni[t as usize];
                    if c != UNSET {
                        cols.push(c);
                    }
                }
            }
        }
        if bigrams && g.len() >= 2 {
            let keys = &mut sc.keys;
            keys.clear();
            keys.extend(
                g.windows(2)
                    .filter(|p| p[0] != NONE && p[1] != NONE)
                    .map(|p| ((p[0] as u64 + 1) << 32) | p[1] as u64),
            );
            for k in 0..keys.len() {
                if let Some(&ahead) = keys.get(k + AHEAD) {
                    ki.bi.prefetch(ahead);
                }
                if let Some(c) = ki.bi.get(keys[k]) {
                    cols.push(c);
                }
            }
        }
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

fn rows_of<T: Real, S: AsRef<str>>(
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
    }
    let total_bytes: usize = docs.iter().map(|d| d.as_ref().len()).sum();
    let chunk_bytes = |k: usize| -> usize {
        docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())].iter().map(|d| d.as_ref().len()).sum()
    };
    let mut indptr = Vec::with_capacity(docs.len() + 1);
    indptr.push(0usize);
    let out = Mutex::new(Out {
        next: 0,
        pending: Vec::new(),
        indptr,
        indices: Vec::new(),
        data: Vec::new(),
        bytes_done: 0,
    });
    let n_chunks = docs.len().div_ceil(CHUNK);
    chunks_with_scratch(n_chunks, lookup, |sc: &mut RowScratch<T>, k| {
        let c = &docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())];
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
                o.indices.reserve_exact(want);
                o.data.reserve_exact(want);
            }
            let base = o.indices.len();
            o.indptr.extend(r.indptr[1..].iter().map(|&e| e + base));
            o.indices.extend_from_slice(&r.indices);
            o.data.extend_from_slice(&r.data);
            o.next += 1;
        }
    });
    let o = out.into_inner().map_err(|_| Error::value("internal: a transform worker failed"))?;
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
        let c = &docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())];
        let r: Rows<T> = rows_of(an, names, lookup, c, w, sc);
        Ok(f(CsrMatrix::new(c.len(), names.len(), r.indptr, r.indices, r.data)?))
    })
    .into_iter()
    .collect()
}

/// `f(scratch, k)` for every chunk `k < n_chunks` (see [`for_chunks`]), results in chunk
/// order, with one [`RowScratch`] per worker, so its buffers and term caches carry over from
/// chunk to chunk. With a keyed lookup, the workers' term caches are handed back to the index
/// for the next call.
fn chunks_with_scratch<T: Real, R: Send>(
    n_chunks: usize,
    lookup: Lookup,
    f: impl Fn(&mut RowScratch<T>, usize) -> R + Sync,
) -> Vec<R> {
    let (done, scratches) = for_chunks(n_chunks, |_| RowScratch::<T>::default(), f);
    if let Lookup::Keyed(ki) = lookup {
        for mut sc in scratches {
            if let Some(cache) = sc.cache.take() {
                ki.warm.give(cache);
            }
        }
    }
    done
}

/// `f(state, k)` for every chunk `k < n_chunks`, on the current pool's threads. Each worker
/// makes one state (`init(worker index)`), takes the next chunk from a shared counter and
/// keeps its state for all the chunks it takes (rayon's `map_init` would start a fresh one
/// for nearly every chunk). Returns the results in chunk order and the workers' final
/// states in worker order. Which worker takes which chunk varies from run to run.
fn for_chunks<St: Send, R: Send>(
    n_chunks: usize,
    init: impl Fn(usize) -> St + Sync,
    f: impl Fn(&mut St, usize) -> R + Sync,
) -> (Vec<R>, Vec<St>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let workers = rayon::current_num_threads().min(n_chunks).max(1);
    let per_worker: Vec<(Vec<(usize, R)>, St)> = (0..workers)
        .into_par_iter()
        .map(|w| {
            let mut st = init(w);
            let mut mine = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= n_chunks {
                    break;
                }
                mine.push((k, f(&mut st, k)));
            }
            (mine, st)
        })
        .collect();
    let mut done = Vec::with_capacity(n_chunks);
    let mut states = Vec::with_capacity(workers);
    for (mine, st) in per_worker {
        done.extend(mine);
        states.push(st);
    }
    done.sort_unstable_by_key(|e| e.0);
    (done.into_iter().map(|e| e.1).collect(), states)
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

#[cfg(test)]
mod profile {
    use super::*;
    use crate::text::AnalyzerConfig;
    use std::time::Instant;

    /// Manual profiling on a corpus file (NUL-separated documents):
    /// `TOPICTAG_PROFILE_DOCS=/path cargo test --release --lib profile -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn phases() {
        let Ok(path) = std::env::var("TOPICTAG_PROFILE_DOCS") else { return };
        let text = std::fs::read_to_string(path).unwrap();
        let docs: Vec<&str> = text.split('\0').collect();
        let grams: Vec<(usize, usize)> = match std::env::var("TOPICTAG_PROFILE_NGRAM").as_deref() {
            Ok("1") => vec![(1, 1)],
            Ok("2") => vec![(1, 2)],
            _ => vec![(1, 1), (1, 2)],
        };
        for ngr in grams {
            let mut cfg = AnalyzerConfig::default();
            cfg.ngram_range = ngr;
            let an = Analyzer::new(&cfg).unwrap();
            for threads in [1, 2] {
                crate::parallel::install(Some(threads), || {
                    let t = Instant::now();
                    let lim = Limits { min_count: 2.0, max_count: 1e18, max_features: None };
                    let w = |_: &[u64], _: usize| (false, true, None, Some(super::super::Norm::L2));
                    let _ = fit::<f32, &str>(&an, &docs, lim, Some(&w)).unwrap();
                    let t3 = t.elapsed();
                    eprintln!("{ngr:?} threads={threads} fit_transform {t3:?}");
                })
                .unwrap();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerConfig;
    use std::collections::BTreeMap;

    const DOCS: &[&str] = &[
        "a ab abc a b ab a",
        "ab a b a_b a b",
        "b a ab x1 x10 x1 x2 Zeta zeta",
        "é e ée e é can't U.S. can't",
        "",
        "x10 x1 x2 a ab",
        "zeta é e a b ab",
    ];

    fn analyzer(ngram: (usize, usize), pattern: &str, tokenizer: Option<&str>) -> Analyzer {
        let mut cfg = AnalyzerConfig::default();
        cfg.ngram_range = ngram;
        cfg.token_pattern = Some(pattern.into());
        cfg.tokenizer = tokenizer.map(Into::into);
        Analyzer::new(&cfg).unwrap()
    }

    /// Vocabulary (byte order), df and term frequency by brute force over `analyze`.
    fn brute(an: &Analyzer, docs: &[&str]) -> BTreeMap<String, (u64, u64)> {
        let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for d in docs {
            let feats = an.analyze(d);
            let mut seen = std::collections::HashSet::new();
            for f in feats {
                let e = m.entry(f.clone()).or_default();
                e.1 += 1;
                if seen.insert(f) {
                    e.0 += 1;
                }
            }
        }
        m
    }

    #[test]
    fn vocabulary_order_and_pruning_match_brute_force() {
        for (ngram, pat, tok) in [
            ((1, 2), r"(?u)\b\w\w+\b", None),
            ((1, 2), r"\b\w+\b", None),
            ((2, 2), r"\b\w+\b", None),
            ((1, 2), r"\b\w+\b", Some("unicode")),
            ((1, 1), r"\b\w+\b", None),
        ] {
            let an = analyzer(ngram, pat, tok);
            let all = brute(&an, DOCS);
            for (min_count, max_features) in [(1.0, None), (2.0, None), (1.0, Some(5)), (1.0, Some(1))] {
                let lim = Limits { min_count, max_count: 1e18, max_features };
                let (fitted, _) = fit::<f32, &str>(&an, DOCS, lim, None).unwrap();
                let mut expect: Vec<(&String, &(u64, u64))> =
                    all.iter().filter(|(_, v)| v.0 as f64 >= min_count).collect();
                if let Some(k) = max_features {
                    // tf descending, ties in name order (the map's order), then name order.
                    expect.sort_by(|a, b| b.1 .1.cmp(&a.1 .1));
                    expect.truncate(k);
                    expect.sort_by(|a, b| a.0.cmp(b.0));
                }
                let names: Vec<&str> = expect.iter().map(|e| e.0.as_str()).collect();
                assert_eq!(fitted.names, names, "{ngram:?} {pat} {tok:?} {min_count} {max_features:?}");
                let df: Vec<u64> = expect.iter().map(|e| e.1 .0).collect();
                assert_eq!(fitted.df, df);
            }
        }
    }

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
                crate::parallel::install(Some(threads), || {
                    let _: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&ki), train, &w).unwrap();
                    assert!(!ki.warm.0.lock().unwrap().is_empty());
                    let got: CsrMatrix<f32> = transform(&an, &fitted.names, Lookup::Keyed(&ki), test, &w).unwrap();
                    assert_eq!(got, want);
                })
                .unwrap();
            }
            assert!(ki.warm.0.lock().unwrap().len() <= WARM_KEEP);
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
        cfg.stop_words = Some(crate::text::analyzer::StopWordsSpec::Named("english".into()));
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
                (false, true, Some(idf), Some(super::super::Norm::L2))
            };
            let (fitted, m) = fit::<f32, String>(&an, &docs, lim, Some(&mk)).unwrap();
            let m = m.unwrap();
            let (_, _, idf, norm) = mk(&fitted.df, docs.len());
            let w = Weighting { binary: false, sublinear: true, idf: idf.as_deref(), norm };
            let vi = VocabIndex::new(&fitted.names);
            let ki = KeyIndex::applies(&an).then(|| KeyIndex::build(&fitted.names).unwrap());
            for threads in [1, 2, 3] {
                crate::parallel::install(Some(threads), || {
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
