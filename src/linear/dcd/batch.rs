//! The weight tables of the batched solvers: one feature-major table for the `k` tasks of a
//! batch (`w[j * k + t]`), so that one pass over a row computes the inner products of every
//! task ([`BatchWeights::dots`]) and applies every task's update ([`BatchWeights::axpy`]).
//! The table holds float64 or float32 ([`Weight`]).

use super::problem::{Problem, PREFETCH_AHEAD};
use crate::hw::{prefetch_ptr, prefetch_range};
use crate::error::Result;
use crate::sparse::Real;

/// Outputs per batch of the one-vs-rest coordinate descent.
pub const BATCH: usize = 10;

/// `match $k`: for each width from 1 to [`BATCH`], `$fixed` with the constant `$n` set to
/// that width (a copy of the loop whose `k` sums stay in registers and whose inner loop has
/// no remainder); for any other width, `$any`.
macro_rules! by_width {
    ($k:expr, |$n:ident| $fixed:expr, $any:expr) => {
        by_width!(@widths $k, $n, $fixed, $any, 1 2 3 4 5 6 7 8 9 10)
    };
    (@widths $k:expr, $n:ident, $fixed:expr, $any:expr, $($w:literal)*) => {
        match $k {
            $($w => {
                const $n: usize = $w;
                $fixed
            })*
            _ => $any,
        }
    };
}
pub(super) use by_width;

/// The number type of a weight table and of the passes' arithmetic on it: float64, or
/// float32 for the linear SVM's first phase (see `svm_batch`). A row's inner products are
/// summed, and its weight updates computed, in this type; the coordinate steps themselves
/// (gradients, dual variables) are float64 either way.
pub(crate) trait Weight:
    Copy
    + Default
    + PartialEq
    + Send
    + Sync
    + 'static
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::AddAssign
{
    fn get(self) -> f64;
    fn put(v: f64) -> Self;
    fn table(w: Vec<Self>) -> Table;
}

/// A batch solution's weight table, in the number type the solver kept it in.
pub(crate) enum Table {
    F64(Vec<f64>),
    F32(Vec<f32>),
}

impl Weight for f64 {
    #[inline(always)]
    fn get(self) -> f64 {
        self
    }
    #[inline(always)]
    fn put(v: f64) -> Self {
        v
    }
    fn table(w: Vec<Self>) -> Table {
        Table::F64(w)
    }
}

impl Weight for f32 {
    #[inline(always)]
    fn get(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn put(v: f64) -> Self {
        v as f32
    }
    fn table(w: Vec<Self>) -> Table {
        Table::F32(w)
    }
}

/// Weights of a batch, feature-major: `w[j * k + t]` for task `t`.
pub(super) struct BatchWeights<W: Weight = f64> {
    pub(super) k: usize,
    pub(super) w: Vec<W>,
    pub(super) wb: Vec<f64>,
    /// The matrix whose column indices were checked against the table (its index array's
    /// address and length, and its column count): the fixed-width loops index the table
    /// without bounds checks for that matrix only.
    pub(super) checked: (usize, usize, usize),
}

impl<W: Weight> BatchWeights<W> {
    /// A zeroed table for the rows of `p` and `k` tasks; checks once that every column index
    /// of `p` is in range.
    pub(super) fn new<T: Real>(p: &Problem<'_, T>, k: usize) -> Result<Self> {
        let x = p.x;
        let ok = x.indices.iter().all(|&j| (j as usize) < x.n_cols)
            && x.indptr.last().is_some_and(|&e| e <= x.indices.len() && e <= x.data.len());
        let checked = if ok { (x.indices.as_ptr() as usize, x.indices.len(), x.n_cols) } else { (0, 0, 0) };
        let w = crate::hw::try_table(x.n_cols.saturating_mul(k), "the solver's weight table")?;
        Ok(BatchWeights { k, w, wb: vec![0.0; k], checked })
    }

    /// Were `p`'s column indices checked against this table?
    #[inline(always)]
    pub(super) fn fits<T: Real>(&self, p: &Problem<'_, T>) -> bool {
        let x = p.x;
        self.checked == (x.indices.as_ptr() as usize, x.indices.len(), x.n_cols)
            && self.checked.0 != 0
            && self.w.len() == x.n_cols * self.k
    }

    /// `z[t] = w_t . x_i + wb_t * bias` for every task of the batch. Batch sizes up to
    /// [`BATCH`] go through a fixed-width copy of the loop (the `k` sums stay in
    /// registers and the inner loop has no remainder); the order of the additions is the
    /// same in both versions, so the results are identical.
    #[inline(always)]
    pub(super) fn dots<T: Real>(&self, p: &Problem<'_, T>, i: usize, z: &mut [f64]) {
        by_width!(self.k, |N| self.dots_n::<N, T>(p, i, z), self.dots_any(p, i, z))
    }

    #[inline(always)]
    fn dots_n<const N: usize, T: Real>(&self, p: &Problem<'_, T>, i: usize, z: &mut [f64]) {
        let mut acc = [W::default(); N];
        for (a, &b) in acc.iter_mut().zip(&self.wb) {
            *a = W::put(b * p.bias);
        }
        let (idx, val) = p.x.row(i);
        if N == self.k && self.fits(p) {
            let w = self.w.as_ptr();
            let len = idx.len().min(val.len());
            let split = len.saturating_sub(PREFETCH_AHEAD);
            // SAFETY: `fits`: every column index of this matrix is below its column count,
            // and the table has N weights per column, so `j * N + t < w.len()` for t < N;
            // `q < len` bounds both row slices.
            let step = |q: usize, acc: &mut [W; N]| unsafe {
                let j = *idx.get_unchecked(q) as usize;
                let v = W::put(val.get_unchecked(q).as_f64());
                let wj = w.add(j * N);
                for t in 0..N {
                    acc[t] += v * *wj.add(t);
                }
            };
            for q in 0..split {
                // SAFETY: q + PREFETCH_AHEAD < len, and that column's weights are in the table.
                unsafe {
                    let wn = w.add(*idx.get_unchecked(q + PREFETCH_AHEAD) as usize * N);
                    prefetch_ptr(wn);
                    prefetch_ptr(wn.add(N - 1));
                }
                step(q, &mut acc);
            }
            for q in split..len {
                step(q, &mut acc);
            }
            for (zt, a) in z.iter_mut().zip(acc) {
                *zt = a.get();
            }
            return;
        }
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
                prefetch_range(&self.w, jn as usize * N, N);
            }
            let v = W::put(v.as_f64());
            let at = j as usize * N;
            let wj: &[W; N] = self.w[at..at + N].try_into().expect("a slice of length N");
            for t in 0..N {
                acc[t] += v * wj[t];
            }
        }
        for (zt, a) in z.iter_mut().zip(acc) {
            *zt = a.get();
        }
    }

    #[inline(always)]
    fn dots_any<T: Real>(&self, p: &Problem<'_, T>, i: usize, z: &mut [f64]) {
        let k = self.k;
        // The sums are kept in `z`, every one a value of W (exactly representable in f64).
        for (zt, &b) in z.iter_mut().zip(&self.wb) {
            *zt = W::put(b * p.bias).get();
        }
        let (idx, val) = p.x.row(i);
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
                prefetch_range(&self.w, jn as usize * k, k);
            }
            let v = W::put(v.as_f64());
            let wj = &self.w[j as usize * k..j as usize * k + k];
            for (zt, &wt) in z.iter_mut().zip(wj) {
                *zt = (W::put(*zt) + v * wt).get();
            }
        }
    }

    /// `w_t += d_t x_i` (and the bias weights) for every task; fixed-width copies as in
    /// [`BatchWeights::dots`].
    #[inline(always)]
    pub(super) fn axpy<T: Real>(&mut self, p: &Problem<'_, T>, i: usize, d: &[f64]) {
        by_width!(self.k, |N| self.axpy_n::<N, T>(p, i, d), self.axpy_any(p, i, d))
    }

    #[inline(always)]
    fn axpy_n<const N: usize, T: Real>(&mut self, p: &Problem<'_, T>, i: usize, d: &[f64]) {
        let mut dd = [W::default(); N];
        for (a, &b) in dd.iter_mut().zip(d) {
            *a = W::put(b);
        }
        let (idx, val) = p.x.row(i);
        if N == self.k && self.fits(p) {
            let w = self.w.as_mut_ptr();
            let len = idx.len().min(val.len());
            let split = len.saturating_sub(PREFETCH_AHEAD);
            // SAFETY: as in `dots_n`.
            let step = |q: usize| unsafe {
                let j = *idx.get_unchecked(q) as usize;
                let v = W::put(val.get_unchecked(q).as_f64());
                let wj = w.add(j * N);
                for t in 0..N {
                    *wj.add(t) += v * dd[t];
                }
            };
            for q in 0..split {
                // SAFETY: as in `dots_n`.
                unsafe {
                    let wn = w.add(*idx.get_unchecked(q + PREFETCH_AHEAD) as usize * N);
                    prefetch_ptr(wn);
                    prefetch_ptr(wn.add(N - 1));
                }
                step(q);
            }
            for q in split..len {
                step(q);
            }
            for (b, &dt) in self.wb.iter_mut().zip(d) {
                *b += dt * p.bias;
            }
            return;
        }
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
                prefetch_range(&self.w, jn as usize * N, N);
            }
            let v = W::put(v.as_f64());
            let at = j as usize * N;
            let wj: &mut [W; N] = (&mut self.w[at..at + N]).try_into().expect("a slice of length N");
            for t in 0..N {
                wj[t] += v * dd[t];
            }
        }
        for (b, &dt) in self.wb.iter_mut().zip(d) {
            *b += dt * p.bias;
        }
    }

    #[inline(always)]
    fn axpy_any<T: Real>(&mut self, p: &Problem<'_, T>, i: usize, d: &[f64]) {
        let k = self.k;
        let (idx, val) = p.x.row(i);
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
                prefetch_range(&self.w, jn as usize * k, k);
            }
            let v = W::put(v.as_f64());
            let wj = &mut self.w[j as usize * k..j as usize * k + k];
            for (wt, &dt) in wj.iter_mut().zip(d) {
                *wt += v * W::put(dt);
            }
        }
        for (b, &dt) in self.wb.iter_mut().zip(d) {
            *b += dt * p.bias;
        }
    }
}
