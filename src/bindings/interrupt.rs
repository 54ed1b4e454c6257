//! Ctrl-C during long core calls.
//!
//! Python runs signal handlers only on its main thread, between bytecodes; while the core
//! works with the GIL released, a pending KeyboardInterrupt would wait for the whole call. So
//! a call from the main thread runs on a worker of the core's cancellable pool
//! (`parallel::run_watched`) while the main thread asks Python every [`POLL`] whether a signal
//! handler raised (`PyErr_CheckSignals`). If one did, the call's token is cancelled, the core
//! stops at its next poll (an epoch, a chunk, a batch) and the handler's exception (normally
//! KeyboardInterrupt) is raised. Calls from other threads run as before: Python never runs
//! signal handlers there.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::prelude::*;

use crate::cancel::Token;

/// How often the main thread asks Python for pending signals during a core call.
const POLL: Duration = Duration::from_millis(50);

/// `threading.main_thread().ident` (0 until the module is initialised).
static MAIN_THREAD: AtomicU64 = AtomicU64::new(0);

/// Record the current thread as Python's main thread (at import, and in the child of a fork,
/// whose main thread is the one that forked).
pub(crate) fn set_main_thread(py: Python<'_>) -> PyResult<()> {
    let ident: u64 = py.import("threading")?.call_method0("main_thread")?.getattr("ident")?.extract()?;
    MAIN_THREAD.store(ident, Ordering::SeqCst);
    Ok(())
}

fn on_main_thread() -> bool {
    // SAFETY: a plain query of the calling thread's id, no preconditions.
    let me = unsafe { pyo3::ffi::PyThread_get_thread_ident() } as u64;
    me == MAIN_THREAD.load(Ordering::Relaxed)
}

/// The token of the main thread's calls (one call at a time runs there).
fn main_token() -> &'static Token {
    static TOKEN: OnceLock<Token> = OnceLock::new();
    TOKEN.get_or_init(Token::new)
}

/// Run the core call `f` with the GIL released. On Python's main thread a pending signal
/// whose handler raises (Ctrl-C) interrupts it within about [`POLL`] plus one unit of the
/// core's work, and its exception is raised; nothing `f` made is returned then.
pub(crate) fn run<T: Send>(py: Python<'_>, f: impl FnOnce() -> crate::Result<T> + Send) -> PyResult<T> {
    if !on_main_thread() {
        return Ok(py.detach(f)?);
    }
    let token = main_token();
    token.reset();
    let mut raised: Option<PyErr> = None;
    let out = py.detach(|| {
        let poll = || match Python::attach(|py| py.check_signals()) {
            Ok(()) => false,
            Err(e) => {
                raised = Some(e);
                true
            }
        };
        crate::parallel::run_watched(token, f, poll, POLL)
    });
    if let Some(e) = raised {
        return Err(e);
    }
    Ok(out??)
}
