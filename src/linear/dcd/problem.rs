//! The inputs the batched solvers share: the rows ([`Problem`]), one binary problem per output
//! ([`Task`]), and the cache hint for the next row a pass visits.

use crate::hw::prefetch_ptr;
use crate::sparse::{CsrMatrix, Real};

/// Shared inputs of the binary problems of one fit (computed once for all classes).
pub struct Problem<'a, T: Real> {
    pub x: &'a CsrMatrix<T>,
    /// `||x_i||^2` of every row (without the bias feature).
    pub row_sq_norms: &'a [f64],
    /// Value of the bias feature, or 0 for no bias.
    pub bias: f64,
}

/// `||x_i||^2` for every row, accumulated in f64.
pub fn row_sq_norms<T: Real>(x: &CsrMatrix<T>) -> Vec<f64> {
    (0..x.n_rows)
        .map(|i| x.row(i).1.iter().map(|v| v.as_f64() * v.as_f64()).sum())
        .collect()
}

/// One binary problem of a batch: labels in {-1, +1} and per-sample bounds `C_i`.
pub struct Task {
    pub y: Vec<f64>,
    pub c: Vec<f64>,
}

/// Non-zeros ahead whose weights the passes over a row prefetch.
pub(super) const PREFETCH_AHEAD: usize = 24;

/// Entries of a row whose start [`prefetch_row_start`] requests.
const ROW_START: usize = 64;

/// Hint the cache to load the first [`ROW_START`] entries (column indices and values) of
/// row `i`, the row a pass reads next. Rows are visited in a random order, so each one
/// starts on cold cache lines that the hardware prefetcher only picks up after a few
/// misses; requested one row ahead, they arrive while the current row is processed.
#[inline(always)]
pub(super) fn prefetch_row_start<T: Real>(p: &Problem<'_, T>, i: usize) {
    let x = p.x;
    let (Some(&a), Some(&b)) = (x.indptr.get(i), x.indptr.get(i + 1)) else { return };
    let b = b.min(a.saturating_add(ROW_START));
    // Values: 8 per 64-byte line at most; indices (4 bytes) need half as many requests.
    let mut q = a;
    while q < b {
        prefetch_ptr(x.data.as_ptr().wrapping_add(q));
        if (q - a) % 16 == 0 {
            prefetch_ptr(x.indices.as_ptr().wrapping_add(q));
        }
        q += 8;
    }
}
