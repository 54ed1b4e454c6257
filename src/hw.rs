//! Hardware helpers, in one place: run-time CPU dispatch for the hot numeric loops
//! ([`avx2_dispatch!`]), cache prefetch hints ([`prefetch_ptr`], [`prefetch_range`]) and
//! large random-access tables backed by huge pages where the OS allows ([`table`],
//! [`reserve_table`]).
//!
//! ## CPU dispatch
//!
//! Wheels are built for the baseline x86-64 target (SSE2), which keeps them portable but
//! leaves the 256-bit AVX2 registers of nearly every current x86 CPU unused. The solvers'
//! and the scorers' loops are therefore compiled twice, once as is and once inside a
//! function with `#[target_feature(enable = "avx2")]`, and [`avx2`] picks one per process.
//!
//! Both copies give bit-identical results: they run the same additions and multiplications
//! in the same order, only more of them per instruction (Rust never fuses a multiply and an
//! add into an FMA unless the code asks for it with `mul_add`, which the core does not do).
//! The tests check this by running both copies on the same problem.

use std::sync::atomic::{AtomicU8, Ordering};
use crate::error::Result;

/// 0 = not probed yet, 1 = baseline, 2 = AVX2.
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// Whether the AVX2 copies of the hot loops should run (the CPU has AVX2 and the
/// environment variable `TOPICTAG_NO_AVX2` is not set).
#[inline]
pub fn avx2() -> bool {
    match LEVEL.load(Ordering::Relaxed) {
        0 => probe(),
        l => l == 2,
    }
}

#[cold]
fn probe() -> bool {
    #[cfg(target_arch = "x86_64")]
    let yes = std::env::var_os("TOPICTAG_NO_AVX2").is_none() && std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    let yes = false;
    LEVEL.store(if yes { 2 } else { 1 }, Ordering::Relaxed);
    yes
}

/// Whether this CPU can run the AVX2 copies at all (for tests comparing both copies).
pub fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Define `$name` as a dispatcher over an `#[inline(always)]` body `$body` with the same
/// signature: on x86-64 CPUs with AVX2 it calls a copy of the body compiled with AVX2
/// enabled, elsewhere the body itself. Also defines `$name_avx2` (x86-64 only; unsafe: the
/// caller must check [`avx2_available`]) so tests can compare the two copies.
#[macro_export]
macro_rules! avx2_dispatch {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident, $avx:ident, $body:ident
        $(<$($g:ident $(: $b:path)?),*>)?
        ($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty
    ) => {
        $(#[$meta])*
        $vis fn $name$(<$($g $(: $b)?),*>)?($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            if $crate::hw::avx2() {
                // SAFETY: the CPU supports AVX2 (checked at run time by `hw::avx2`).
                return unsafe { $avx$(::<$($g),*>)?($($arg),*) };
            }
            $body$(::<$($g),*>)?($($arg),*)
        }

        /// The AVX2 copy (x86-64 only). Safety: the CPU must support AVX2.
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        #[allow(clippy::too_many_arguments)]
        pub(crate) unsafe fn $avx$(<$($g $(: $b)?),*>)?($($arg: $ty),*) -> $ret {
            $body$(::<$($g),*>)?($($arg),*)
        }
    };
}

/// A zeroed vector of `n` values for a large table read at random (solver weights,
/// prediction weights). On Linux the kernel is asked to back it with transparent huge pages
/// (`madvise(MADV_HUGEPAGE)`, used when the system's THP mode is `madvise` or `always`):
/// random reads over tens of megabytes otherwise spend much of their time on TLB misses.
/// Elsewhere, or if the kernel says no, it is an ordinary vector. The environment variable
/// `TOPICTAG_NO_HUGEPAGES` turns the advice off.
pub fn table<T: Copy + Default + PartialEq>(n: usize) -> Vec<T> {
    let v = vec![T::default(); n];
    advise_huge(&v);
    v
}

/// An empty vector with room for exactly `n` values, or an [`Error::Memory`] naming `what`
/// if the allocation fails; the room is advised onto huge pages as in [`table`] (before
/// anything is written to it).
pub fn reserve_table<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let v = crate::error::try_vec(n, what)?;
    // The spare capacity is allocated, not yet written: only its address range is advised.
    advise_range(v.as_ptr() as usize, std::mem::size_of::<T>() * v.capacity());
    Ok(v)
}

/// [`table`] (`n` zeros, on huge pages where allowed), or an [`Error::Memory`] naming `what`
/// if the allocation fails.
pub fn try_table<T: Copy + Default>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = reserve_table(n, what)?;
    v.resize(n, T::default());
    Ok(v)
}

fn advise_huge<T>(v: &[T]) {
    advise_range(v.as_ptr() as usize, std::mem::size_of_val(v));
}

#[cfg(target_os = "linux")]
fn advise_range(start: usize, bytes: usize) {
    const PAGE: usize = 4096;
    const MIN: usize = 4 << 20;
    if bytes < MIN || std::env::var_os("TOPICTAG_NO_HUGEPAGES").is_some() {
        return;
    }
    let a = start.div_ceil(PAGE) * PAGE;
    let b = (start + bytes) / PAGE * PAGE;
    if b > a {
        // SAFETY: [a, b) lies inside the vector's allocation and is page-aligned; the advice
        // changes how pages are backed, never their contents. A failure is harmless.
        unsafe {
            libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_range(_start: usize, _bytes: usize) {}

/// Hand the heap's free pages back to the OS (glibc's `malloc_trim(0)`), after a large fit.
///
/// A fit frees gigabytes of intermediate buffers made by several threads; glibc keeps freed
/// memory in its per-thread arenas (fragmented below blocks still in use, so never trimmed
/// from the top), and the process's RSS stays at its peak for the rest of its life, most of
/// it free heap (benchmarks/results/scale.md has the measurement). Elsewhere a no-op.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the OS; it never touches live blocks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_is_zeroed_at_any_size() {
        for n in [0usize, 1, 1000, (4 << 20) / 8 + 3, 3 << 20] {
            let t: Vec<f64> = super::table(n);
            assert_eq!(t.len(), n);
            assert!(t.iter().all(|&v| v == 0.0));
            let t: Vec<f32> = super::table(n);
            assert!(t.iter().all(|&v| v == 0.0));
            let mut r: Vec<f32> = super::reserve_table(n, "t").unwrap();
            assert_eq!(super::try_table::<f64>(n, "t").unwrap(), vec![0.0; n]);
            assert!(r.is_empty() && r.capacity() == n);
            r.extend((0..n).map(|i| i as f32));
            assert_eq!(r.len(), n);
        }
    }
}

/// Hint the CPU to fetch the cache line holding `*p` into all cache levels. A hint only: it
/// never faults (any address is allowed), writes nothing and has no effect on results.
#[inline(always)]
pub fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch of any address is architecturally a no-op hint (it never faults).
    unsafe {
        std::arch::x86_64::_mm_prefetch(p as *const i8, std::arch::x86_64::_MM_HINT_T0)
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Hint the CPU to fetch `s[at..at + len]`, a run read a few steps later. Both ends are
/// requested, since a short run often straddles two cache lines. Out-of-range or empty runs
/// are ignored.
#[inline(always)]
pub fn prefetch_range<T>(s: &[T], at: usize, len: usize) {
    if len > 0 && at.checked_add(len).is_some_and(|end| end <= s.len()) {
        prefetch_ptr(s[at..].as_ptr());
        prefetch_ptr(&s[at + len - 1]);
    }
}
