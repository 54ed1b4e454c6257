//! Documents in chunks: every parallel pass cuts the documents into chunks of [`CHUNK`]
//! documents (boundaries independent of the thread count, so results are bit-identical for
//! any `n_jobs`) and hands them to the pool's workers with [`for_chunks`].

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Documents per chunk.
pub const CHUNK: usize = 1024;

/// Chunk `k` of `docs`.
#[inline]
pub fn chunk<S>(docs: &[S], k: usize) -> &[S] {
    &docs[k * CHUNK..((k + 1) * CHUNK).min(docs.len())]
}

/// `f(state, k)` for every chunk `k < n_chunks`, on the current pool's threads. Each worker
/// makes one state (`init(worker index)`), takes the next chunk from a shared counter and
/// keeps its state for all the chunks it takes (rayon's `map_init` would start a fresh one
/// for nearly every chunk). Returns the results in chunk order and the workers' final
/// states in worker order. Which worker takes which chunk varies from run to run. A
/// cancelled call ([`crate::cancel`]) takes no more chunks and returns `Error::Interrupted`.
pub fn for_chunks<St: Send, R: Send>(
    n_chunks: usize,
    init: impl Fn(usize) -> St + Sync,
    f: impl Fn(&mut St, usize) -> R + Sync,
) -> Result<(Vec<R>, Vec<St>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    // Out of memory before a chunk (see `error::headroom`): the workers stop taking chunks.
    let failed: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let workers = rayon::current_num_threads().min(n_chunks).max(1);
    let per_worker: Vec<(Vec<(usize, R)>, St)> = (0..workers)
        .into_par_iter()
        .map(|w| {
            let mut st = init(w);
            let mut mine = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= n_chunks || crate::cancel::requested() || stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Err(e) = crate::error::headroom("the work on a chunk of documents") {
                    stop.store(true, Ordering::Relaxed);
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(e);
                    }
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
    if done.len() < n_chunks {
        crate::cancel::check()?;
        if let Some(e) = failed.into_inner().ok().flatten() {
            return Err(e);
        }
        return Err(Error::value("internal: a chunk was not processed"));
    }
    done.sort_unstable_by_key(|e| e.0);
    Ok((done.into_iter().map(|e| e.1).collect(), states))
}
