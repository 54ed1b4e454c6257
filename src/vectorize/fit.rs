//! Fit: count the documents ([`super::count`]), merge and prune the vocabulary
//! ([`super::vocab`]) and, for `fit_transform`, fill the weighted matrix
//! ([`super::weight::fill_csr`]), each chunk writing its own slice of the output. Every step
//! is deterministic, so results are bit-identical for any `n_jobs`.

use rayon::prelude::*;

use super::chunks::for_chunks;
use super::count::{analyse_chunks, key_chunk, term_chunks, KeyChunk, KeyScratch, N_SHARDS};
use super::index::{KeyIndex, U64Map};
use super::vocab::{
    byte_ranks, keep_removed, key_name_into, merge_key_shard, merge_shard, merge_terms, prune, Fitted,
    GlobalView, KeyShard, Limits, OrderKey, Removed, Shard,
};
use super::weight::{fill_csr, MakeWeighting, Weighting};
use crate::error::{grow_str, try_filled, try_string, try_vec, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::sparse::{CsrMatrix, Real};
use crate::text::{Analyzer, AnalyzerKind};

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
    let mut chunks = analyse_chunks(an, docs)?;
    let shards: Vec<Shard> = (0..N_SHARDS)
        .into_par_iter()
        .map(|s| merge_shard(&chunks, s))
        .collect::<Result<_>>()?;
    for ch in &mut chunks {
        ch.packed = Vec::new();
        ch.packed_names = Vec::new();
    }
    crate::cancel::check()?;
    let view = GlobalView::new(shards.iter().map(|s| (s.df.as_slice(), s.tf.as_slice())));
    let name = |s: usize, g: u32, out: &mut String| out.push_str(shards[s].names.get_str(g));
    let (fitted, col) = prune(n_docs, &view, &name, None, limits)?;
    let mut fitted = fitted;
    let n_removed: usize = col.iter().map(|c| c.iter().filter(|&&x| x == UNSET).count()).sum();
    if n_removed > 0 {
        let mut arena = String::new();
        let mut offs = try_vec(n_removed + 1, "the removed terms")?;
        offs.push(0usize);
        for (s, sh) in shards.iter().enumerate() {
            for g in 0..sh.df.len() {
                if col[s][g] == UNSET {
                    let t = sh.names.get_str(g as u32);
                    grow_str(&mut arena, t.len(), "the removed terms")?;
                    arena.push_str(t);
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
        .collect::<Result<_>>()?;
    drop(shards);
    drop(col);
    let rows = chunks.into_iter().map(|ch| (ch.doc_ptr, ch.entries));
    let m = build_matrix(&fitted, rows, local_cols, build, || ()).0?;
    Ok((fitted, Some(m)))
}

/// The weighted matrix of a fit from each chunk's rows (`doc_ptr`, `(local feature, count)`
/// entries) and its local feature -> column map; `beside` runs alongside, in the pool.
fn build_matrix<T: Real, R: Send>(
    fitted: &Fitted,
    rows: impl Iterator<Item = (Vec<usize>, Vec<(u32, u32)>)>,
    local_cols: Vec<Vec<u32>>,
    build: MakeWeighting,
    beside: impl FnOnce() -> R + Send,
) -> (Result<CsrMatrix<T>>, R) {
    let parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Vec<u32>)> =
        rows.zip(local_cols).map(|((doc_ptr, entries), lc)| (doc_ptr, entries, lc)).collect();
    let (binary, sublinear, idf, norm) = build(&fitted.df, fitted.n_docs);
    let w = Weighting { binary, sublinear, idf: idf.as_deref(), norm };
    let n_cols = fitted.names.len();
    rayon::join(|| fill_csr::<T>(parts, n_cols, &w), beside)
}

fn local_to_col<'a>(
    n_local: usize,
    by_shard: &[Vec<u32>],
    assign: impl Fn(usize) -> &'a [u32],
    col: &[Vec<u32>],
) -> Result<Vec<u32>> {
    crate::error::headroom("the column map")?;
    let mut lc = try_filled(n_local, UNSET, "the column map")?;
    for (s, list) in by_shard.iter().enumerate() {
        let a = assign(s);
        for (k, &f) in list.iter().enumerate() {
            lc[f as usize] = col[s][a[k] as usize];
        }
    }
    Ok(lc)
}

fn fit_keyed<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    docs: &[S],
    limits: Limits,
    build: Option<MakeWeighting>,
) -> Result<(Fitted, Option<CsrMatrix<T>>)> {
    let n_docs = docs.len();
    // 1. terms per chunk (term ids per worker)
    let (tchunks, workers) = term_chunks(an, docs)?;
    // 2. global term ids (sharded merge of term strings)
    let (lgs, arena, offs) = merge_terms(workers)?;
    // 3. n-gram keys per chunk, 4. sharded merge of keys
    let (min_n, max_n) = (an.min_n, an.max_n);
    // Term frequencies only rank features for `max_features`.
    let need_tf = limits.max_features.is_some();
    let (kchunks, _): (Vec<Result<KeyChunk>>, _) = for_chunks(
        tchunks.len(),
        |_| KeyScratch::new(),
        |sc, k| {
            let tc = &tchunks[k];
            key_chunk(tc, &lgs[tc.worker], min_n, max_n, need_tf, sc)
        },
    )?;
    let mut kchunks = kchunks.into_iter().collect::<Result<Vec<_>>>()?;
    drop(tchunks);
    drop(lgs);
    let (kshards, _): (Vec<Result<KeyShard>>, _) =
        for_chunks(N_SHARDS, |_| U64Map::with_capacity(0), |map, s| merge_key_shard(&kchunks, s, map))?;
    let kshards = kshards.into_iter().collect::<Result<Vec<_>>>()?;
    for ch in &mut kchunks {
        ch.packed = Vec::new();
        ch.packed_tf = Vec::new();
    }
    crate::cancel::check()?; // between passes of seconds on large inputs
    // 5. prune, name and sort
    let view = GlobalView::new(kshards.iter().map(|s| (s.df.as_slice(), s.tf.as_slice())));
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
    crate::cancel::check()?;
    // 6. the matrix, and beside it the transform's lookup table made from the kept
    // features' keys (a transform usually follows; `KeyIndex::build` would parse and intern
    // every name again, serially, at the first transform).
    let mut kept: Vec<(u64, u32)> = try_vec(fitted.names.len(), "the vocabulary's lookup table")?;
    for (sh, cs) in kshards.iter().zip(&col) {
        kept.extend(sh.keys.iter().zip(cs).filter(|e| *e.1 != UNSET).map(|(&k, &c)| (k, c)));
    }
    let local_cols: Vec<Vec<u32>> = kchunks
        .par_iter()
        .enumerate()
        .map(|(ci, ch)| local_to_col(ch.n_local, &ch.by_shard, |s| &kshards[s].assign[ci], &col))
        .collect::<Result<_>>()?;
    // The terms (a few bytes per term) stay for the lookup table; the shards go first.
    let terms = (try_string(&arena, "the vocabulary's lookup table")?, offs.clone());
    keep_removed(&mut fitted, &mut kshards, col, (arena, offs));
    drop(kshards);
    let rows = kchunks.into_iter().map(|ch| (ch.doc_ptr, ch.entries));
    let (m, key_index) = build_matrix(&fitted, rows, local_cols, build, || KeyIndex::from_kept(&terms.0, &terms.1, &kept));
    fitted.key_index = Some(key_index?);
    Ok((fitted, Some(m?)))
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
                    let w = |_: &[u64], _: usize| (false, true, None, Some(crate::vectorize::config::Norm::L2));
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
    use crate::vectorize::testdata::{analyzer, DOCS};
    use std::collections::BTreeMap;


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
}
