//! Counting: the parallel tokenize-count pass of a fit.
//!
//! Documents are cut into chunks (see [`super::chunks`]). Each chunk, in parallel, interns its
//! features locally and records per-document `(local feature, count)` lists plus local
//! document and term frequencies; its features are then listed per shard (by the hash of the
//! feature) for the merge into global ids (see [`super::vocab`]).
//!
//! Two paths: [`analyse_chunks`] for any analyzer (features keyed by their strings), and for
//! word unigrams and bigrams without spaces inside terms, [`term_chunks`] then [`key_chunk`]
//! (global term ids first, then integer n-gram keys: bigram keys are `u64`s, not strings).

use hashbrown::HashMap;
use rayon::prelude::*;

use super::chunks::{chunk, for_chunks, CHUNK};
use super::index::U64Map;
use crate::error::{grow, grow_str, push, table_full, try_vec, Error, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::sparse::sum_sorted_duplicates;
use crate::text::intern::{hash_str, Interner, HASHER};
use crate::text::{word_ngrams, Analyzer, AnalyzerKind, CharScratch, TermCache, TermMemo};

/// Shards of the parallel vocabulary merge.
pub const N_SHARDS: usize = 64;

/// The merge shard of a feature with hash `h`.
#[inline]
pub fn shard_of(h: u64) -> usize {
    // Bits not used by hashbrown's bucket index (low bits) nor its tag (top 7 bits).
    ((h >> 40) as usize) & (N_SHARDS - 1)
}

/// The hash of an integer n-gram key (it picks the key's shard).
#[inline]
pub fn hash_u64(k: u64) -> u64 {
    use std::hash::BuildHasher;
    HASHER.hash_one(k)
}

/// Features of one chunk, with per-document counts over local ids.
pub struct LocalChunk {
    pub doc_ptr: Vec<usize>,
    pub entries: Vec<(u32, u32)>,
    pub names: String,
    pub offs: Vec<usize>,
    pub hashes: Vec<u64>,
    pub df: Vec<u32>,
    pub tf: Vec<u64>,
    pub by_shard: Vec<Vec<u32>>,
    /// Per shard, contiguous: (hash, df, tf, name end offset in `packed_names[s]`).
    pub packed: Vec<Vec<(u64, u32, u64, usize)>>,
    pub packed_names: Vec<String>,
}

impl LocalChunk {
    /// An empty chunk of `n_docs` documents to count into: documents end with
    /// [`LocalChunk::end_doc`], features come from [`LocalChunk::new_feature`], and the
    /// features' names (`names[offs[f]..offs[f + 1]]`) are set at the end; not yet listed
    /// per shard (see [`finish_chunk`]).
    fn with_docs(n_docs: usize) -> Self {
        let mut doc_ptr = Vec::with_capacity(n_docs + 1);
        doc_ptr.push(0);
        LocalChunk {
            doc_ptr,
            entries: Vec::new(),
            names: String::new(),
            offs: Vec::new(),
            hashes: Vec::new(),
            df: Vec::new(),
            tf: Vec::new(),
            by_shard: Vec::new(),
            packed: Vec::new(),
            packed_names: Vec::new(),
        }
    }

    /// A new local feature, its frequencies zero: its id. Room for it must have been made
    /// ([`LocalChunk::room`]).
    #[inline]
    fn new_feature(&mut self) -> u32 {
        let f = self.df.len() as u32;
        self.df.push(0);
        self.tf.push(0);
        f
    }

    /// Room for `n` more features (here and in `dc`), grown fallibly: made once per
    /// document for as many features as it has n-grams, so that nothing grows inside the
    /// per-token loop.
    #[inline]
    fn room(&mut self, dc: &mut DocCounter, n: usize) -> Result<()> {
        grow(&mut self.df, n, WHAT)?;
        grow(&mut self.tf, n, WHAT)?;
        dc.room(self.df.len() + n)
    }

    /// The end of a document: its counts (taken from `dc`, which is reset) become its
    /// entries, and the frequencies grow by them.
    #[inline]
    fn end_doc(&mut self, dc: &mut DocCounter) -> Result<()> {
        dc.flush(&mut self.entries, &mut self.df, Some(&mut self.tf))?;
        push(&mut self.doc_ptr, self.entries.len(), WHAT)
    }

    #[inline]
    pub fn name(&self, f: u32) -> &str {
        &self.names[self.offs[f as usize]..self.offs[f as usize + 1]]
    }
}

/// What the counting pass's tables are called in an out-of-memory error.
const WHAT: &str = "the vectorizer's counting tables";

/// Dense per-document counting over local ids.
pub struct DocCounter {
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl DocCounter {
    fn new() -> Self {
        DocCounter { counts: Vec::new(), touched: Vec::new() }
    }
    /// Room to count features below `n` (fallible; [`DocCounter::add`] then never grows
    /// the table).
    #[inline]
    fn room(&mut self, n: usize) -> Result<()> {
        if n > self.counts.len() {
            let want = n.max(self.counts.len() * 2);
            let extra = want - self.counts.len();
            grow(&mut self.counts, extra, WHAT)?;
            self.counts.resize(want, 0);
        }
        Ok(())
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
    fn flush(&mut self, entries: &mut Vec<(u32, u32)>, df: &mut [u32], mut tf: Option<&mut [u64]>) -> Result<()> {
        grow(entries, self.touched.len(), WHAT)?;
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
        Ok(())
    }
}

fn word_chunk<S: AsRef<str>>(an: &Analyzer, docs: &[S]) -> Result<LocalChunk> {
    let (min_n, max_n) = (an.min_n, an.max_n);
    let mut cache = TermCache::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut uni = TermMemo::new(UNSET);
    let mut bi: HashMap<u64, u32, _> = HashMap::with_hasher(HASHER);
    let mut multi: HashMap<Box<[u32]>, u32, _> = HashMap::with_hasher(HASHER);
    let mut key_toks: Vec<u32> = Vec::new();
    let mut key_offs: Vec<usize> = vec![0];
    let mut ch = LocalChunk::with_docs(docs.len());
    let mut dc = DocCounter::new();
    for d in docs {
        an.word_terms(d.as_ref(), &mut cache, &mut ids);
        // Room for every n-gram of the document to be new, made before the n-gram loop.
        let (mut n_grams, mut n_toks) = (0usize, 0usize);
        word_ngrams(ids.len(), min_n, max_n, |i, j| {
            n_grams += 1;
            n_toks += j - i;
        });
        ch.room(&mut dc, n_grams)?;
        grow(&mut key_toks, n_toks, WHAT)?;
        grow(&mut key_offs, n_grams, WHAT)?;
        if max_n >= 2 {
            bi.try_reserve(ids.len()).map_err(|_| table_full::<(u64, u32)>(WHAT, bi.len()))?;
        }
        if max_n >= 3 {
            multi.try_reserve(n_grams).map_err(|_| table_full::<(Box<[u32]>, u32)>(WHAT, multi.len()))?;
        }
        let mut new_feature = |toks: &[u32], ch: &mut LocalChunk| -> u32 {
            key_toks.extend_from_slice(toks);
            key_offs.push(key_toks.len());
            ch.new_feature()
        };
        word_ngrams(ids.len(), min_n, max_n, |i, j| {
            let f = match j - i {
                1 => uni.get_or_insert_with(ids[i], &cache, || new_feature(&ids[i..j], &mut ch)),
                2 => {
                    let key = ((ids[i] as u64) << 32) | ids[i + 1] as u64;
                    match bi.get(&key) {
                        Some(&f) => f,
                        None => {
                            let f = new_feature(&ids[i..j], &mut ch);
                            bi.insert(key, f);
                            f
                        }
                    }
                }
                _ => match multi.get(&ids[i..j]) {
                    Some(&f) => f,
                    None => {
                        let f = new_feature(&ids[i..j], &mut ch);
                        multi.insert(ids[i..j].into(), f);
                        f
                    }
                },
            };
            dc.add(f);
        });
        ch.end_doc(&mut dc)?;
    }
    // Materialise feature strings.
    let n = ch.df.len();
    ch.offs = try_vec(n + 1, WHAT)?;
    ch.offs.push(0);
    for f in 0..n {
        let toks = &key_toks[key_offs[f]..key_offs[f + 1]];
        grow_str(&mut ch.names, toks.iter().map(|&t| cache.terms.get_str(t).len() + 1).sum(), WHAT)?;
        cache.push_ngram(toks, &mut ch.names);
        ch.offs.push(ch.names.len());
    }
    if an.terms_may_contain_space() && max_n >= 2 {
        dedupe(&mut ch);
    }
    finish_chunk(&mut ch)?;
    Ok(ch)
}

fn char_chunk<S: AsRef<str>>(an: &Analyzer, docs: &[S]) -> Result<LocalChunk> {
    let mut sc = CharScratch::new();
    let mut feats = Interner::new();
    let mut ch = LocalChunk::with_docs(docs.len());
    let mut dc = DocCounter::new();
    let mut failed: Option<Error> = None;
    for d in docs {
        // Room for as many new features as the document has characters (an upper bound on
        // its n-grams of each order, times the orders).
        let n = d.as_ref().len().saturating_mul(an.max_n + 1 - an.min_n.min(an.max_n));
        ch.room(&mut dc, n)?;
        an.char_ngrams(d.as_ref(), &mut sc, |s| {
            if failed.is_some() {
                return;
            }
            match feats.try_intern_hashed(s, hash_str(s), WHAT) {
                Ok((f, new)) => {
                    if new {
                        ch.new_feature();
                    }
                    dc.add(f);
                }
                Err(e) => failed = Some(e),
            }
        });
        if let Some(e) = failed.take() {
            return Err(e);
        }
        ch.end_doc(&mut dc)?;
    }
    (ch.names, ch.offs) = feats.into_parts();
    finish_chunk(&mut ch)?;
    Ok(ch)
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
        sum_sorted_duplicates(&row, |f, c| {
            entries.push((f, c));
            df[f as usize] += 1;
            tf[f as usize] += c as u64;
        });
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

fn finish_chunk(ch: &mut LocalChunk) -> Result<()> {
    let n = ch.df.len();
    let mut hashes = try_vec(n, WHAT)?;
    hashes.extend((0..n as u32).map(|f| hash_str(ch.name(f))));
    ch.hashes = hashes;
    let mut by_shard = vec![Vec::new(); N_SHARDS];
    let mut packed: Vec<Vec<(u64, u32, u64, usize)>> = vec![Vec::new(); N_SHARDS];
    let mut packed_names = vec![String::new(); N_SHARDS];
    for (f, &h) in ch.hashes.iter().enumerate() {
        let s = shard_of(h);
        let name = ch.name(f as u32);
        push(&mut by_shard[s], f as u32, WHAT)?;
        grow_str(&mut packed_names[s], name.len(), WHAT)?;
        packed_names[s].push_str(name);
        push(&mut packed[s], (h, ch.df[f], ch.tf[f], packed_names[s].len()), WHAT)?;
    }
    ch.by_shard = by_shard;
    ch.packed = packed;
    ch.packed_names = packed_names;
    ch.names = String::new();
    ch.offs = Vec::new();
    ch.hashes = Vec::new();
    Ok(())
}

/// Analyse `docs` into chunks (parallel; a cancelled call stops taking chunks; a chunk that
/// runs out of memory is an [`Error::Memory`], the first one in chunk order).
pub fn analyse_chunks<S: AsRef<str> + Sync>(an: &Analyzer, docs: &[S]) -> Result<Vec<LocalChunk>> {
    let mut out = try_vec(docs.len().div_ceil(CHUNK), WHAT)?;
    out.par_extend(docs.par_chunks(CHUNK).map(|c| {
        if crate::cancel::requested() {
            return Err(Error::Interrupted);
        }
        crate::error::headroom("the work on a chunk of documents")?;
        match an.kind {
            AnalyzerKind::Word => word_chunk(an, c),
            _ => char_chunk(an, c),
        }
    }));
    out.into_iter().collect()
}

/// One chunk's documents as term ids of the worker that analysed it (see [`term_chunks`]).
pub struct TermChunk {
    pub worker: usize,
    pub toks: Vec<u32>,
    pub tok_ptr: Vec<usize>,
}

/// The terms one worker found, over all the chunks it took: id -> string, with each term's
/// hash and the ids of each shard.
pub struct WorkerTerms {
    pub terms: Interner,
    pub hashes: Vec<u64>,
    pub by_shard: Vec<Vec<u32>>,
}

/// Analyse `docs` in chunks of [`CHUNK`] documents on the pool's threads. Each worker keeps
/// one term cache for all the chunks it takes (a token is analysed and interned once per
/// worker rather than once per chunk), so a chunk's term ids are its worker's. Which worker
/// takes which chunk varies from run to run; the fit's result does not depend on it (term ids
/// only name terms until the vocabulary is sorted by name).
pub fn term_chunks<S: AsRef<str> + Sync>(an: &Analyzer, docs: &[S]) -> Result<(Vec<TermChunk>, Vec<WorkerTerms>)> {
    let n_chunks = docs.len().div_ceil(CHUNK);
    let (chunks, caches) = for_chunks(
        n_chunks,
        |worker| (worker, TermCache::new(), Vec::new()),
        |(worker, cache, ids): &mut (usize, TermCache, Vec<u32>), k| {
            let c = chunk(docs, k);
            let mut toks = Vec::new();
            let mut tok_ptr = try_vec(c.len() + 1, WHAT)?;
            tok_ptr.push(0);
            for d in c {
                an.word_terms(d.as_ref(), cache, ids);
                grow(&mut toks, ids.len(), WHAT)?;
                toks.extend_from_slice(ids);
                tok_ptr.push(toks.len());
            }
            Ok(TermChunk { worker: *worker, toks, tok_ptr })
        },
    )?;
    let chunks = chunks.into_iter().collect::<Result<Vec<_>>>()?;
    let workers = caches
        .into_par_iter()
        .map(|(_, mut cache, _)| {
            let terms = std::mem::take(&mut cache.terms);
            let mut hashes: Vec<u64> = try_vec(terms.len(), WHAT)?;
            hashes.extend(terms.iter().map(hash_str));
            let mut by_shard = vec![Vec::new(); N_SHARDS];
            for (f, &h) in hashes.iter().enumerate() {
                push(&mut by_shard[shard_of(h)], f as u32, WHAT)?;
            }
            Ok(WorkerTerms { terms, hashes, by_shard })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((chunks, workers))
}

pub struct KeyChunk {
    pub doc_ptr: Vec<usize>,
    pub entries: Vec<(u32, u32)>,
    pub n_local: usize,
    pub by_shard: Vec<Vec<u32>>,
    /// Per shard, contiguous: (key, df).
    pub packed: Vec<Vec<(u64, u32)>>,
    /// Per shard, in the order of `packed`: the keys' term frequencies, when they are kept
    /// (only `max_features` needs them); empty otherwise.
    pub packed_tf: Vec<Vec<u64>>,
}

/// A worker's scratch tables for [`key_chunk`], kept from one chunk to the next: they are
/// megabytes each, and allocating them afresh for every chunk cost more in page faults than
/// clearing them.
pub struct KeyScratch {
    uni: Vec<u32>,
    map: U64Map,
    dc: DocCounter,
    bk: Vec<u64>,
}

impl KeyScratch {
    pub fn new() -> Self {
        KeyScratch { uni: Vec::new(), map: U64Map::with_capacity(0), dc: DocCounter::new(), bk: Vec::new() }
    }
}

pub fn key_chunk(tc: &TermChunk, lg: &[u32], min_n: usize, max_n: usize, need_tf: bool, scratch: &mut KeyScratch) -> Result<KeyChunk> {
    // Unigrams: a dense table over the chunk's local terms (no hashing); bigrams: a map
    // sized up front (a chunk has roughly a third as many distinct bigrams as tokens).
    let KeyScratch { uni, map, dc, bk } = scratch;
    uni.clear();
    grow(uni, lg.len(), WHAT)?;
    uni.resize(lg.len(), UNSET);
    map.try_reset(if max_n >= 2 { tc.toks.len() / 3 } else { 0 }, WHAT)?;
    let mut keys: Vec<u64> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    // At most one entry per token and n-gram order (an upper bound: the room beyond what
    // is written is address space, never touched).
    let mut entries = try_vec(tc.toks.len() * (max_n + 1 - min_n.min(max_n)), WHAT)?;
    let mut doc_ptr = try_vec(tc.tok_ptr.len(), WHAT)?;
    doc_ptr.push(0);
    // How many bigrams ahead to prefetch the map slot (the map outgrows the caches).
    const AHEAD: usize = 16;
    let unigrams = min_n == 1;
    let bigrams = min_n <= 2 && max_n >= 2;
    for w in tc.tok_ptr.windows(2) {
        let loc = &tc.toks[w[0]..w[1]];
        // Room for every unigram and bigram of the document to be new (fallible), so that
        // nothing grows inside the per-token loops.
        grow(&mut keys, 2 * loc.len(), WHAT)?;
        grow(&mut df, 2 * loc.len(), WHAT)?;
        dc.room(keys.len() + 2 * loc.len())?;
        if bigrams {
            map.try_room(loc.len(), WHAT)?;
        }
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
            let extra = df.len().saturating_sub(tf.len());
            grow(&mut tf, extra, WHAT)?;
            tf.resize(df.len(), 0);
        }
        dc.flush(&mut entries, &mut df, need_tf.then_some(&mut tf[..]))?;
        doc_ptr.push(entries.len());
    }
    let mut by_shard = vec![Vec::new(); N_SHARDS];
    let mut packed: Vec<Vec<(u64, u32)>> = vec![Vec::new(); N_SHARDS];
    let mut packed_tf: Vec<Vec<u64>> = vec![Vec::new(); if need_tf { N_SHARDS } else { 0 }];
    for (f, &k) in keys.iter().enumerate() {
        let s = shard_of(hash_u64(k));
        push(&mut by_shard[s], f as u32, WHAT)?;
        push(&mut packed[s], (k, df[f]), WHAT)?;
        if need_tf {
            push(&mut packed_tf[s], tf[f], WHAT)?;
        }
    }
    Ok(KeyChunk { doc_ptr, entries, n_local: keys.len(), by_shard, packed, packed_tf })
}
