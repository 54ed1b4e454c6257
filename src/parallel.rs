//! Thread-count handling shared by every parallel routine.
//!
//! `n_jobs` follows scikit-learn: `None` or `-1` means all cores, a positive number that many
//! threads, `-2` all but one, and so on. Every parallel routine in the core must give
//! bit-identical results for any thread count: work is split into chunks whose boundaries do
//! not depend on the thread count, and results are combined in chunk order.
//!
//! Fork safety: rayon's global pool keeps its worker threads in the process that started
//! them; after `fork()` the child has the pool's bookkeeping but none of its threads, so a job
//! sent to it would wait forever. The Python package registers [`mark_forked`] with
//! `os.register_at_fork(after_in_child=...)`; from then on [`install`] runs every job in a
//! pool of fresh threads. Every parallel routine of the core runs inside [`install`].

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};

static FORKED: AtomicBool = AtomicBool::new(false);

/// Record that this process is the child of a `fork()` made after the global pool started.
pub fn mark_forked() {
    FORKED.store(true, Ordering::SeqCst);
}

/// Resolve a scikit-learn style `n_jobs` into a positive thread count.
pub fn resolve_n_jobs(n_jobs: Option<i64>) -> Result<usize> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as i64;
    match n_jobs {
        None => Ok(cores as usize),
        Some(0) => Err(Error::value("n_jobs == 0 has no meaning; use None, -1 or a positive number")),
        Some(n) if n > 0 => Ok(n as usize),
        Some(n) => Ok((cores + 1 + n).max(1) as usize),
    }
}

/// Run `f` inside a rayon pool with the thread count that `n_jobs` asks for.
/// When that equals the global pool's size, the global pool is used (no start-up cost).
pub fn install<R: Send>(n_jobs: Option<i64>, f: impl FnOnce() -> R + Send) -> Result<R> {
    let n = resolve_n_jobs(n_jobs)?;
    if !FORKED.load(Ordering::SeqCst) && n == rayon::current_num_threads() {
        return Ok(f());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| Error::value(format!("could not start a thread pool of {n} threads: {e}")))?;
    Ok(pool.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_jobs_rules() {
        assert!(resolve_n_jobs(Some(0)).is_err());
        assert_eq!(resolve_n_jobs(Some(3)).unwrap(), 3);
        assert!(resolve_n_jobs(None).unwrap() >= 1);
        assert_eq!(resolve_n_jobs(Some(-1)).unwrap(), resolve_n_jobs(None).unwrap());
        assert!(resolve_n_jobs(Some(-1000)).unwrap() >= 1);
    }

    #[test]
    fn install_runs_with_requested_threads() {
        let n = install(Some(2), rayon::current_num_threads).unwrap();
        assert_eq!(n, 2);
    }
}
