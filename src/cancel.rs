//! Cooperative cancellation (Ctrl-C in Python).
//!
//! A [`Token`] is a shared flag. A long call runs with a token as the current thread's
//! ([`with_token`]); the thread pools that [`crate::parallel`] starts for it give the same
//! token to every one of their workers, so code anywhere in the call can ask [`requested`] (a
//! thread-local read and one atomic load) or [`check`] (`Err(Error::Interrupted)` once the
//! token is cancelled). The core polls between units of work whose length is bounded (solver
//! epochs and L-BFGS iterations, document chunks, prediction batches), so a cancelled call
//! returns within one unit: a solver that sees the flag stops its epochs early and the fit
//! driver turns that into `Error::Interrupted`; nothing half-done is ever returned as a result.
//!
//! Threads without a token (most threads, and every thread in a plain `cargo test`) are
//! never cancelled. The core knows nothing of signals: the Python bindings cancel the token
//! when Python reports a pending KeyboardInterrupt (`src/bindings/interrupt.rs`).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A cancellation flag shared by every thread working for one call.
#[derive(Clone, Debug, Default)]
pub struct Token(Arc<AtomicBool>);

impl Token {
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask every thread working with this token to stop at its next poll.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Clear the flag (a token reused for the next call).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Whether two handles are the same token.
    pub fn same(&self, other: &Token) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Token>> = const { RefCell::new(None) };
}

/// The token of the call this thread works for, if any.
pub fn current() -> Option<Token> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Make `token` this thread's token for the rest of its life (a pool worker's start handler).
pub fn set_current(token: Option<Token>) {
    CURRENT.with(|c| *c.borrow_mut() = token);
}

/// Run `f` with `token` as this thread's token; the previous one is put back afterwards
/// (also when `f` panics).
pub fn with_token<R>(token: &Token, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Token>);
    impl Drop for Restore {
        fn drop(&mut self) {
            set_current(self.0.take());
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(token.clone())));
    f()
}

/// Whether the call this thread works for has been cancelled.
#[inline]
pub fn requested() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Token::is_cancelled))
}

/// `Err(Error::Interrupted)` once the call this thread works for has been cancelled.
#[inline]
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_scoping() {
        assert!(current().is_none());
        assert!(check().is_ok());
        let t = Token::new();
        with_token(&t, || {
            assert!(current().unwrap().same(&t));
            assert!(check().is_ok());
            t.cancel();
            assert_eq!(check(), Err(Error::Interrupted));
            let inner = Token::new();
            with_token(&inner, || assert!(check().is_ok()));
            assert!(requested());
        });
        assert!(current().is_none());
        assert!(check().is_ok());
        t.reset();
        assert!(!t.is_cancelled());
    }
}
