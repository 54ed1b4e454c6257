//! Thread-count handling shared by every parallel routine.
//!
//! `n_jobs` follows scikit-learn's numbers: a positive number is that many threads, `-1` all
//! cores, `-2` all but one, and so on (`cores + 1 + n`, at least one); `0` is an error. `None`
//! means all cores (scikit-learn's `None` means one job unless a joblib context says
//! otherwise; topictag has no such context and its work is cheap to share). A request for more
//! threads than the machine has cores is clamped to the cores, so `n_jobs=10**5` starts no
//! more threads than `-1` does. [`resolve_n_jobs`] is the one place that reads `n_jobs`.
//! Every parallel routine in the core must give
//! bit-identical results for any thread count: work is split into chunks whose boundaries do
//! not depend on the thread count, and results are combined in chunk order.
//!
//! Fork safety: rayon's global pool keeps its worker threads in the process that started
//! them; after `fork()` the child has the pool's bookkeeping but none of its threads, so a job
//! sent to it would wait forever. The Python package registers [`mark_forked`] with
//! `os.register_at_fork(after_in_child=...)`; from then on [`install`] runs every job in a
//! pool of fresh threads. Every parallel routine of the core runs inside [`install`].
//!
//! Cancellation: a call made with a [`Token`] (see `cancel.rs`) runs in pools whose workers
//! all carry the token (kept per token and size, so the main thread's calls do not start
//! threads each time); [`run_watched`] runs a call on such a pool while the caller polls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::cancel::{self, Token};
use crate::error::{Error, Result};

static FORKED: AtomicBool = AtomicBool::new(false);

/// Record that this process is the child of a `fork()` made after the global pool started.
pub fn mark_forked() {
    FORKED.store(true, Ordering::SeqCst);
}

/// The number of cores this process may run on (at least 1).
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// Resolve a scikit-learn style `n_jobs` into a thread count in `1..=available_cores()`.
pub fn resolve_n_jobs(n_jobs: Option<i64>) -> Result<usize> {
    resolve_with(n_jobs, available_cores())
}

fn resolve_with(n_jobs: Option<i64>, cores: usize) -> Result<usize> {
    let cores = cores.max(1) as i64;
    let n = match n_jobs {
        None => cores,
        Some(0) => return Err(Error::value("n_jobs == 0 has no meaning; use None, -1 or a positive number")),
        Some(n) if n > 0 => n.min(cores),
        // -1 = all cores, -2 = all but one, ...; saturating so that i64::MIN is not an overflow
        Some(n) => cores.saturating_add(1).saturating_add(n).max(1),
    };
    Ok(n as usize)
}

/// Run `f` inside a rayon pool with the thread count that `n_jobs` asks for.
/// When that equals the global pool's size, the global pool is used (no start-up cost).
/// Inside a cancellable call (a thread with a [`cancel::Token`]) the pool is one whose
/// workers all carry that token, so every part of `f` can poll it.
pub fn install<R: Send>(n_jobs: Option<i64>, f: impl FnOnce() -> R + Send) -> Result<R> {
    let n = resolve_n_jobs(n_jobs)?;
    let Some(token) = cancel::current() else {
        if !FORKED.load(Ordering::SeqCst) && n == rayon::current_num_threads() {
            return Ok(f());
        }
        return Ok(new_pool(n, None)?.install(f));
    };
    // A worker with the token already is a worker of one of the token's pools.
    if rayon::current_thread_index().is_some() && n == rayon::current_num_threads() {
        return Ok(f());
    }
    Ok(token_pool(&token, n)?.install(f))
}

fn new_pool(n: usize, token: Option<Token>) -> Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new().num_threads(n);
    if let Some(t) = token {
        b = b.start_handler(move |_| cancel::set_current(Some(t.clone())));
    }
    b.build().map_err(|e| Error::value(format!("could not start a thread pool of {n} threads: {e}")))
}

/// Pools whose workers carry a token, kept for the token's next calls (the bindings use one
/// token for every call from Python's main thread). At most [`TOKEN_POOLS`] are kept.
static POOLS: Mutex<Vec<(Token, usize, Arc<rayon::ThreadPool>)>> = Mutex::new(Vec::new());
const TOKEN_POOLS: usize = 8;

fn token_pool(token: &Token, n: usize) -> Result<Arc<rayon::ThreadPool>> {
    if FORKED.load(Ordering::SeqCst) {
        // the kept pools' threads stayed in the parent
        return Ok(Arc::new(new_pool(n, Some(token.clone()))?));
    }
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, p)) = pools.iter().find(|(t, m, _)| t.same(token) && *m == n) {
        return Ok(p.clone());
    }
    let p = Arc::new(new_pool(n, Some(token.clone()))?);
    if pools.len() >= TOKEN_POOLS {
        pools.remove(0);
    }
    pools.push((token.clone(), n, p.clone()));
    Ok(p)
}

/// Run `f` on a worker of `token`'s pool while the calling thread waits, calling `poll` every
/// `every`; when `poll` says so, the token is cancelled (and `f`, which polls the token, ends
/// soon with `Error::Interrupted`). This is how the Python bindings watch for Ctrl-C: Python
/// runs signal handlers only on its main thread, so that thread must stay free to ask.
pub fn run_watched<R: Send>(
    token: &Token,
    f: impl FnOnce() -> R + Send,
    mut poll: impl FnMut() -> bool,
    every: Duration,
) -> Result<R> {
    let pool = token_pool(token, available_cores())?;
    let done = (Mutex::new(false), Condvar::new());
    let mut out = None;
    {
        let (done, out) = (&done, &mut out);
        pool.in_place_scope(move |s| {
            s.spawn(move |_| {
                // set even if `f` panics (the scope then re-raises the panic here)
                struct Done<'a>(&'a (Mutex<bool>, Condvar));
                impl Drop for Done<'_> {
                    fn drop(&mut self) {
                        *self.0 .0.lock().unwrap_or_else(|e| e.into_inner()) = true;
                        self.0 .1.notify_all();
                    }
                }
                let _done = Done(done);
                *out = Some(f());
            });
            let mut watching = true;
            let mut g = done.0.lock().unwrap_or_else(|e| e.into_inner());
            while !*g {
                let (g2, t) = done.1.wait_timeout(g, every).unwrap_or_else(|e| e.into_inner());
                g = g2;
                if watching && t.timed_out() && !*g {
                    drop(g);
                    if poll() {
                        token.cancel();
                        watching = false;
                    }
                    g = done.0.lock().unwrap_or_else(|e| e.into_inner());
                }
            }
        });
    }
    out.ok_or_else(|| Error::value("internal: a watched call did not finish"))
}

/// Run `f` in a pool of exactly `threads` threads, even more than the machine has cores
/// (tests of thread-count invariance; [`install`] clamps to the cores).
#[cfg(test)]
pub(crate) fn install_exact<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
    Ok(rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_jobs_rules() {
        assert!(resolve_n_jobs(Some(0)).is_err());
        assert_eq!(resolve_with(Some(3), 8).unwrap(), 3);
        assert_eq!(resolve_with(Some(1), 8).unwrap(), 1);
        assert_eq!(resolve_with(None, 8).unwrap(), 8);
        assert_eq!(resolve_with(Some(-1), 8).unwrap(), 8);
        assert_eq!(resolve_with(Some(-2), 8).unwrap(), 7);
        assert_eq!(resolve_with(Some(-8), 8).unwrap(), 1);
        assert_eq!(resolve_with(Some(-1000), 8).unwrap(), 1);
        assert_eq!(resolve_with(Some(i64::MIN), 8).unwrap(), 1);
        // more threads than cores are clamped
        assert_eq!(resolve_with(Some(100_000), 8).unwrap(), 8);
        assert_eq!(resolve_with(Some(i64::MAX), 2).unwrap(), 2);
        assert_eq!(resolve_n_jobs(Some(-1)).unwrap(), available_cores());
        assert_eq!(resolve_n_jobs(Some(100_000)).unwrap(), available_cores());
    }

    #[test]
    fn install_runs_with_requested_threads() {
        let n = install(Some(1), rayon::current_num_threads).unwrap();
        assert_eq!(n, 1);
        let n = install(Some(100_000), rayon::current_num_threads).unwrap();
        assert_eq!(n, available_cores());
    }

    #[test]
    fn token_reaches_every_worker() {
        use rayon::prelude::*;
        let t = Token::new();
        let seen: Vec<bool> = cancel::with_token(&t, || {
            install(None, || (0..64).into_par_iter().map(|_| cancel::current().is_some_and(|c| c.same(&t))).collect())
        })
        .unwrap();
        assert!(seen.iter().all(|&s| s));
        // without a token, nothing is cancelled
        assert!(install(None, || (0..64).into_par_iter().all(|_| cancel::current().is_none())).unwrap());
    }

    #[test]
    fn run_watched_cancels_on_poll() {
        let t = Token::new();
        let mut polls = 0;
        let start = std::time::Instant::now();
        let r = run_watched(
            &t,
            || {
                // a long "epoch loop" that polls its token
                while !cancel::requested() {
                    assert!(start.elapsed() < Duration::from_secs(20), "never cancelled");
                    std::thread::sleep(Duration::from_millis(1));
                }
                cancel::check()
            },
            || {
                polls += 1;
                polls == 3
            },
            Duration::from_millis(10),
        )
        .unwrap();
        assert_eq!(r, Err(Error::Interrupted));
        assert_eq!(polls, 3);
        // a short call returns its value and is not cancelled
        let t = Token::new();
        assert_eq!(run_watched(&t, || 7, || true, Duration::from_secs(5)).unwrap(), 7);
        assert!(!t.is_cancelled());
    }
}
