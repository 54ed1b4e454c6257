//! The vocabulary: the chunks' features merged into global ids, shard by shard in parallel
//! (chunk order, so ids do not depend on the thread count), with summed frequencies; then
//! pruning (`min_df`, `max_df`, `max_features`) and the alphabetical order that gives the
//! columns.

use rayon::prelude::*;

use super::count::{KeyChunk, LocalChunk, WorkerTerms, N_SHARDS};
use super::index::U64Map;
use crate::error::{grow, grow_str, push, try_filled, try_string, try_vec, Error, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::text::intern::Interner;

/// What the vocabulary's tables are called in an out-of-memory error.
const WHAT: &str = "the vectorizer's vocabulary tables";

pub struct Shard {
    pub names: Interner,
    pub df: Vec<u64>,
    pub tf: Vec<u64>,
    /// Per chunk: global id (in this shard) of each local id of `by_shard[shard]`.
    pub assign: Vec<Vec<u32>>,
}

pub fn merge_shard(chunks: &[LocalChunk], s: usize) -> Result<Shard> {
    crate::error::headroom(WHAT)?;
    let mut names = Interner::new();
    let mut df: Vec<u64> = Vec::new();
    let mut tf: Vec<u64> = Vec::new();
    let mut assign = Vec::with_capacity(chunks.len());
    for ch in chunks {
        let list = &ch.packed[s];
        let arena = &ch.packed_names[s];
        let mut a = try_vec(list.len(), WHAT)?;
        grow(&mut df, list.len(), WHAT)?;
        grow(&mut tf, list.len(), WHAT)?;
        let mut start = 0usize;
        for &(h, d, t, end) in list {
            let (g, new) = names.try_intern_hashed(&arena[start..end], h, WHAT)?;
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
    Ok(Shard { names, df, tf, assign })
}

pub struct KeyShard {
    pub keys: Vec<u64>,
    pub df: Vec<u64>,
    pub tf: Vec<u64>,
    pub assign: Vec<Vec<u32>>,
}

/// Merge shard `s` of every chunk's keys; `map` is the worker's table, reused from shard to
/// shard (see [`KeyScratch`]).
pub fn merge_key_shard(chunks: &[KeyChunk], s: usize, map: &mut U64Map) -> Result<KeyShard> {
    const AHEAD: usize = 16;
    // Keys recur across chunks: the distinct ones are about half of all listed.
    let listed: usize = chunks.iter().map(|c| c.packed[s].len()).sum();
    let cap = listed / 2;
    map.try_reset(cap, WHAT)?;
    let (mut keys, mut df, mut tf) = (try_vec(cap, WHAT)?, try_vec(cap, WHAT)?, Vec::new());
    let mut assign = Vec::with_capacity(chunks.len());
    for ch in chunks {
        let list = &ch.packed[s];
        let mut a = try_vec(list.len(), WHAT)?;
        // Room for every key of the list to be new: nothing grows in the loop.
        grow(&mut keys, list.len(), WHAT)?;
        grow(&mut df, list.len(), WHAT)?;
        map.try_room(list.len(), WHAT)?;
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
            let extra = keys.len() - tf.len();
            grow(&mut tf, extra, WHAT)?;
            tf.resize(keys.len(), 0u64);
            for (&g, &t) in a.iter().zip(tfs) {
                tf[g as usize] += t;
            }
        }
        assign.push(a);
    }
    Ok(KeyShard { keys, df, tf, assign })
}

/// Merge the workers' terms into global term ids (sharded by the terms' hashes, in parallel;
/// worker order within a shard). Returns, per worker, its term id -> global term id, and the
/// global terms back to back in an arena with offsets.
pub fn merge_terms(workers: Vec<WorkerTerms>) -> Result<(Vec<Vec<u32>>, String, Vec<usize>)> {
    let tshards: Vec<(Interner, Vec<Vec<u32>>)> = (0..N_SHARDS)
        .into_par_iter()
        .map(|s| {
            crate::error::headroom(WHAT)?;
            let mut names = Interner::new();
            let mut assign = Vec::with_capacity(workers.len());
            for wt in &workers {
                let mut a: Vec<u32> = try_vec(wt.by_shard[s].len(), WHAT)?;
                for &f in &wt.by_shard[s] {
                    a.push(names.try_intern_hashed(wt.terms.get_str(f), wt.hashes[f as usize], WHAT)?.0);
                }
                assign.push(a);
            }
            Ok((names, assign))
        })
        .collect::<Result<Vec<_>>>()?;
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
            let mut lg = try_filled(wt.terms.len(), 0u32, WHAT)?;
            for (s, list) in wt.by_shard.iter().enumerate() {
                for (k, &f) in list.iter().enumerate() {
                    lg[f as usize] = base[s] + tshards[s].1[wi][k];
                }
            }
            Ok(lg)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut arena = String::new();
    grow_str(&mut arena, tshards.iter().map(|(names, _)| names.iter().map(str::len).sum::<usize>()).sum(), WHAT)?;
    let mut offs = try_vec(n_terms + 1, WHAT)?;
    offs.push(0usize);
    for (names, _) in tshards {
        for t in names.iter() {
            arena.push_str(t);
            offs.push(arena.len());
        }
    }
    Ok((lgs, arena, offs))
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
    /// Corpus term frequency per column, when the fit counted it (with `max_features`);
    /// empty otherwise.
    pub tf: Vec<u64>,
    pub removed: Removed,
    pub n_docs: usize,
    /// The transform's lookup table, when the fit made it from its own keys (`fit_keyed`).
    pub key_index: Option<super::index::KeyIndex>,
}

/// Per-shard frequencies of the merged global features.
pub struct GlobalView<'a> {
    pub df: Vec<&'a [u64]>,
    pub tf: Vec<&'a [u64]>,
}

impl<'a> GlobalView<'a> {
    /// The view of the shards' `(df, tf)`, in shard order.
    pub fn new(shards: impl Iterator<Item = (&'a [u64], &'a [u64])>) -> Self {
        let (df, tf) = shards.unzip();
        GlobalView { df, tf }
    }
}

/// A key per feature whose order is the features' name (byte) order, and the name of a key.
#[derive(Clone, Copy)]
pub struct OrderKey<'a> {
    pub key: &'a (dyn Fn(usize, u32) -> u64 + Sync),
    pub name: &'a (dyn Fn(u64, &mut String) + Sync),
}

/// Apply `min_df` / `max_df` / `max_features`, sort the kept features by name and return the
/// fit result with per-shard final columns (`UNSET` = removed). With `order`, features are
/// sorted by that key and only the kept ones are named, after sorting.
pub fn prune(
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
                push(&mut keep, (s as u32, g as u32), WHAT)?;
            }
        }
    }
    let named = |keep: Vec<(u32, u32)>| -> Result<Vec<(String, u32, u32)>> {
        let mut out = try_vec(keep.len(), WHAT)?;
        out.par_extend(keep.into_par_iter().map_init(String::new, |buf, (s, g)| {
            buf.clear();
            name(s as usize, g, buf);
            (try_string(buf, WHAT).ok(), s, g)
        }));
        all_named(out)
    };
    let mut kept: Vec<(String, u32, u32)>;
    match limits.max_features {
        Some(limit) if keep.len() > limit => {
            // Highest corpus term frequency first; ties in alphabetical order (the order
            // scikit-learn's features are in when it ranks them).
            let tf = |e: &(String, u32, u32)| view.tf[e.1 as usize][e.2 as usize];
            kept = named(keep)?;
            kept.par_sort_unstable_by(|a, b| tf(b).cmp(&tf(a)).then_with(|| a.0.cmp(&b.0)));
            kept.truncate(limit);
        }
        _ => kept = named(keep)?,
    }
    if kept.is_empty() {
        return Err(Error::value(
            "After pruning, no terms remain. Try a lower min_df or a higher max_df.",
        ));
    }
    // Alphabetical (byte) order. Comparing the first 8 bytes as a big-endian integer (zero
    // padded) first agrees with the byte order whenever those integers differ, and settles
    // most comparisons without touching the strings' heap buffers.
    let mut keyed: Vec<(u64, String, u32, u32)> = try_vec(kept.len(), WHAT)?;
    keyed.par_extend(kept.into_par_iter().map(|(n, s, g)| (name_prefix(&n), n, s, g)));
    keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let kept = keyed.into_iter().map(|(_, n, s, g)| (n, s, g));
    let col = columns_unset(view)?;
    let mut col = col;
    let mut names = try_vec(kept.len(), WHAT)?;
    let mut df = try_vec(kept.len(), WHAT)?;
    let mut tf = Vec::new();
    let has_tf = view.tf.len() == view.df.len() && view.tf.iter().zip(&view.df).all(|(t, d)| t.len() == d.len());
    for (c, (n, s, g)) in kept.enumerate() {
        col[s as usize][g as usize] = c as u32;
        df.push(view.df[s as usize][g as usize]);
        if has_tf {
            push(&mut tf, view.tf[s as usize][g as usize], WHAT)?;
        }
        names.push(n);
    }
    Ok((Fitted { names, df, tf, removed: Removed::None, n_docs, key_index: None }, col))
}

/// The names made by [`prune`] (`None` where a name's allocation failed), or an
/// [`Error::Memory`]. The vector is reused in place (an `Option<String>` is a `String`'s size).
fn all_named(v: Vec<(Option<String>, u32, u32)>) -> Result<Vec<(String, u32, u32)>> {
    if v.iter().any(|e| e.0.is_none()) {
        return Err(Error::memory::<u8>("the vocabulary's names", v.len()));
    }
    Ok(v.into_iter().map(|(n, s, g)| (n.unwrap_or_default(), s, g)).collect())
}

/// Per shard, a column per feature, every one `UNSET` (removed) to begin with.
fn columns_unset(view: &GlobalView) -> Result<Vec<Vec<u32>>> {
    view.df.iter().map(|d| try_filled(d.len(), UNSET, WHAT)).collect()
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
    // Per shard, then back to back (the tables allocated fallibly).
    let per_shard: Vec<Vec<(u64, u32, u32)>> = view
        .df
        .par_iter()
        .enumerate()
        .map(|(s, df)| {
            let mut v = try_vec(df.iter().filter(|&&d| kept_df(d)).count(), WHAT)?;
            v.extend(
                df.iter()
                    .enumerate()
                    .filter(|e| kept_df(*e.1))
                    .map(|(g, _)| ((order.key)(s, g as u32), s as u32, g as u32)),
            );
            Ok(v)
        })
        .collect::<Result<_>>()?;
    let mut keyed: Vec<(u64, u32, u32)> = try_vec(per_shard.iter().map(Vec::len).sum(), WHAT)?;
    for v in per_shard {
        keyed.extend(v);
    }
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
    let mut names: Vec<Option<String>> = try_vec(keyed.len(), WHAT)?;
    names.par_extend(keyed.par_iter().map_init(String::new, |buf, &(o, _, _)| {
        buf.clear();
        (order.name)(o, buf);
        try_string(buf, WHAT).ok()
    }));
    if names.iter().any(Option::is_none) {
        return Err(Error::memory::<u8>("the vocabulary's names", keyed.len()));
    }
    let names: Vec<String> = names.into_iter().map(Option::unwrap_or_default).collect();
    let mut df: Vec<u64> = try_vec(keyed.len(), WHAT)?;
    df.par_extend(keyed.par_iter().map(|&(_, s, g)| view.df[s as usize][g as usize]));
    let has_tf = view.tf.len() == view.df.len() && view.tf.iter().zip(&view.df).all(|(t, d)| t.len() == d.len());
    let tf: Vec<u64> = if has_tf {
        let mut tf = try_vec(keyed.len(), WHAT)?;
        tf.par_extend(keyed.par_iter().map(|&(_, s, g)| view.tf[s as usize][g as usize]));
        tf
    } else {
        Vec::new()
    };
    let mut col = columns_unset(view)?;
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
    Ok((Fitted { names, df, tf, removed: Removed::None, n_docs, key_index: None }, col))
}

/// Alphabetical (byte order) rank of each of the strings `arena[offs[t]..offs[t + 1]]`, which
/// must be distinct, and the string of each rank.
pub fn byte_ranks(arena: &str, offs: &[usize]) -> (Vec<u32>, Vec<u32>) {
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
pub fn name_prefix(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut p = [0u8; 8];
    let k = b.len().min(8);
    p[..k].copy_from_slice(&b[..k]);
    u64::from_be_bytes(p)
}

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

/// Record the keys that pruning removed (for `stop_words_`): the shards' keys move into
/// `fitted` with their columns, and are listed only when asked for.
pub fn keep_removed(fitted: &mut Fitted, kshards: &mut [KeyShard], col: Vec<Vec<u32>>, terms: (String, Vec<usize>)) {
    if fitted.names.len() < col.iter().map(Vec::len).sum::<usize>() {
        let keys = kshards.iter_mut().map(|sh| std::mem::take(&mut sh.keys)).collect();
        fitted.removed = Removed::Keys { terms, keys, col };
    }
}
