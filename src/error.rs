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

/// Room for `extra` more values in `v`, grown the way `push` grows it (doubling), or an
/// [`Error::Memory`] naming `what`: call before pushing in a loop whose vector can grow
/// large. The check inlines to one comparison; the growth is out of line.
#[inline(always)]
pub fn grow<T>(v: &mut Vec<T>, extra: usize, what: &str) -> Result<()> {
    if v.capacity() - v.len() < extra {
        return grow_cold(v, extra, what);
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn grow_cold<T>(v: &mut Vec<T>, extra: usize, what: &str) -> Result<()> {
    v.try_reserve(extra).map_err(|_| Error::memory::<T>(what, v.len().saturating_mul(2).max(extra)))
}

/// Address space kept free for a unit of parallel work (a chunk of documents, a shard): see
/// [`headroom`]. More than glibc needs to start a thread's new heap (it reserves twice its
/// 64 MiB heap size for a moment, to align it), so that a small allocation never finds too
/// little room while the check passes.
pub const HEADROOM: usize = 160 << 20;

/// Check that [`HEADROOM`] bytes of address space can still be allocated (allocated and freed at once, never
/// written: a `mmap` and a `munmap`, microseconds), or an [`Error::Memory`] naming `what`.
/// The large and growing buffers are allocated fallibly, but a unit of work also makes small
/// allocations that are not (term caches inside the analyzer, rayon's jobs, glibc's thread
/// arenas); checking for room before each unit makes them unlikely to be the allocation that
/// fails: the call stops with a `MemoryError` while that much room is left.
pub fn headroom(what: &str) -> Result<()> {
    let v: Vec<u8> = try_vec(HEADROOM, what)?;
    std::hint::black_box(&v);
    Ok(())
}

/// [`grow`] for a `String` (room for `extra` more bytes).
#[inline(always)]
pub fn grow_str(s: &mut String, extra: usize, what: &str) -> Result<()> {
    if s.capacity() - s.len() < extra {
        return grow_str_cold(s, extra, what);
    }
    Ok(())
}

#[cold]
#[inline(never)]
fn grow_str_cold(s: &mut String, extra: usize, what: &str) -> Result<()> {
    s.try_reserve(extra).map_err(|_| Error::memory::<u8>(what, s.len().saturating_mul(2).max(extra)))
}

/// `value` pushed on `v`, which grows fallibly ([`grow`]).
#[inline(always)]
pub fn push<T>(v: &mut Vec<T>, value: T, what: &str) -> Result<()> {
    grow(v, 1, what)?;
    v.push(value);
    Ok(())
}

/// The error of a failed hash-table reservation (hashbrown's or std's) of `what`, holding
/// about `n` entries of `T`.
#[cold]
pub fn table_full<T>(what: &str, n: usize) -> Error {
    Error::memory::<T>(what, n.saturating_mul(2))
}

/// A string holding `s`, allocated fallibly.
pub fn try_string(s: &str, what: &str) -> Result<String> {
    let mut out = String::new();
    out.try_reserve_exact(s.len()).map_err(|_| Error::memory::<u8>(what, s.len()))?;
    out.push_str(s);
    Ok(out)
}

/// An empty vector with room for exactly `n` values, or an [`Error::Memory`] naming `what`.
pub fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    try_reserve(&mut v, n, what)?;
    Ok(v)
}

/// Types whose value zero is all zero bytes.
///
/// # Safety
/// An all-zero bit pattern must be a valid value of the type (its zero).
pub unsafe trait ZeroBits: Copy {}
// SAFETY: zero bytes are 0 / 0.0 for each of these.
unsafe impl ZeroBits for u8 {}
unsafe impl ZeroBits for u32 {}
unsafe impl ZeroBits for u64 {}
unsafe impl ZeroBits for usize {}
unsafe impl ZeroBits for i64 {}
unsafe impl ZeroBits for f32 {}
unsafe impl ZeroBits for f64 {}

/// `n` zeros allocated zeroed (`calloc`: the pages become resident only as they are
/// written, as with `vec![0; n]`), or an [`Error::Memory`] naming `what`.
pub fn try_zeroed<T: ZeroBits>(n: usize, what: &str) -> Result<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(n).map_err(|_| Error::memory::<T>(what, n))?;
    if layout.size() == 0 {
        return Ok(vec![unsafe { std::mem::zeroed() }; n]);
    }
    // SAFETY: the layout has a non-zero size; a null result is a failed allocation.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(Error::memory::<T>(what, n));
    }
    // SAFETY: allocated by the global allocator with `T`'s alignment and room for `n`
    // values, all initialised (zero bytes are a valid `T`: `ZeroBits`).
    Ok(unsafe { Vec::from_raw_parts(ptr, n, n) })
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
        let mut w: Vec<u64> = Vec::new();
        for i in 0..1000 {
            push(&mut w, i, "x").unwrap();
        }
        assert_eq!(w.len(), 1000);
        assert!(w.capacity() < 4096, "grows by doubling, not exactly or wildly");
        let e = grow(&mut w, usize::MAX / 16, "the growing table").unwrap_err();
        assert!(e.to_string().contains("the growing table"), "{e}");
        let mut s = String::from("ab");
        grow_str(&mut s, 10, "x").unwrap();
        assert!(s.capacity() >= 12);
        assert!(grow_str(&mut s, usize::MAX / 2, "names").is_err());
        assert_eq!(try_string("abc", "x").unwrap(), "abc");
        let z: Vec<f64> = try_zeroed(1000, "x").unwrap();
        assert!(z.len() == 1000 && z.iter().all(|&x| x == 0.0));
        assert!(try_zeroed::<u32>(0, "x").unwrap().is_empty());
        assert!(try_zeroed::<u64>(usize::MAX / 4, "x").is_err());
        assert!(try_zeroed::<u64>(1 << 58, "x").is_err());
    }
}
