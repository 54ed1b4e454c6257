//! The one error type of the core. The Python bindings map each variant to a Python
//! exception class: `Value` -> `ValueError`, `Type` -> `TypeError`,
//! `NotFitted` -> `topictag.NotFittedError`, `Format` -> `topictag.ModelFormatError`,
//! `Memory` -> `MemoryError`, `Interrupted` -> `KeyboardInterrupt`.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Bad argument values or data (maps to `ValueError`).
    #[error("{0}")]
    Value(String),
    /// An argument of the wrong kind (maps to `TypeError`).
    #[error("{0}")]
    Type(String),
    /// A method that needs a fitted object was called before `fit`.
    #[error("{0}")]
    NotFitted(String),
    /// A model file or byte string that is truncated, corrupted, foreign or of a format
    /// version this build does not read.
    #[error("{0}")]
    Format(String),
    /// A large allocation failed (maps to `MemoryError`): the buffers that grow with the
    /// data are allocated fallibly ([`try_vec`], [`try_reserve`]), so running out of memory
    /// is an error, never an abort.
    #[error("{0}")]
    Memory(String),
    /// The call's cancellation token was cancelled (Ctrl-C; see `cancel.rs`).
    #[error("interrupted")]
    Interrupted,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    pub fn type_error(msg: impl Into<String>) -> Self {
        Error::Type(msg.into())
    }
    pub fn not_fitted(what: &str) -> Self {
        Error::NotFitted(format!(
            "This {what} instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator."
        ))
    }
    pub fn format(msg: impl Into<String>) -> Self {
        Error::Format(msg.into())
    }
    /// Out of memory while allocating `n` values of `T` for `what`.
    pub fn memory<T>(what: &str, n: usize) -> Self {
        let bytes = (n as f64) * std::mem::size_of::<T>() as f64;
        Error::Memory(format!("out of memory: could not allocate {} for {what}", human_bytes(bytes)))
    }
}

fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{b:.0} bytes") } else { format!("{v:.1} {}", UNITS[u]) }
}

/// Reserve room for `extra` more values in `v`, or an [`Error::Memory`] naming `what`: the
/// one place the core turns a failed allocation into an error (a failed infallible
/// allocation aborts the process, which Python cannot catch).
pub fn try_reserve<T>(v: &mut Vec<T>, extra: usize, what: &str) -> Result<()> {
    v.try_reserve_exact(extra).map_err(|_| Error::memory::<T>(what, v.len().saturating_add(extra)))
}

/// An empty vector with room for exactly `n` values, or an [`Error::Memory`] naming `what`.
pub fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    try_reserve(&mut v, n, what)?;
    Ok(v)
}

/// `n` copies of `value`, or an [`Error::Memory`] naming `what`.
pub fn try_filled<T: Clone>(n: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = try_vec(n, what)?;
    v.resize(n, value);
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_allocations_are_memory_errors() {
        let e = try_vec::<u64>(usize::MAX / 4, "a test table").unwrap_err();
        assert!(matches!(e, Error::Memory(_)));
        assert!(e.to_string().starts_with("out of memory: could not allocate") && e.to_string().contains("a test table"), "{e}");
        let e = try_filled(1usize << 62, 0u8, "a huge table").unwrap_err();
        assert!(e.to_string().contains("4096.0 TiB") || e.to_string().contains("TiB"), "{e}");
        assert_eq!(try_filled(3, 7u8, "x").unwrap(), vec![7, 7, 7]);
        let mut v = vec![1u8];
        try_reserve(&mut v, 10, "x").unwrap();
        assert!(v.capacity() >= 11);
    }
}
