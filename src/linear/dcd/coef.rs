//! A batch's solution and its write-out: the weights from the solver's table (feature-major,
//! the copy's column numbering) into the model's `coef` (task-major, the input's columns,
//! rounded to float32).

use super::batch::{BatchWeights, Table, Weight};
use crate::hw::prefetch_range;
use crate::linear::columns::SolverX;

/// The solutions of a batch of binary problems (`svm_batch`, `logistic_batch`), with the
/// weights still in the solver's layout: feature-major, `w[j * k + t]` for task `t`, features
/// in the numbering of the problem's matrix.
pub struct BatchSolution {
    pub(super) k: usize,
    pub(super) w: Table,
    /// Per task: the weight of the bias feature (0 without a bias); the intercept is
    /// `w_bias * bias`.
    pub w_bias: Vec<f64>,
    pub n_iter: Vec<usize>,
    pub converged: Vec<bool>,
}

impl BatchSolution {
    /// The solution held in a batch's weight table, with each task's epochs and outcome.
    pub(super) fn new<W: Weight>(bw: BatchWeights<W>, n_iter: Vec<usize>, converged: Vec<bool>) -> Self {
        BatchSolution { k: bw.k, w: W::table(bw.w), w_bias: bw.wb, n_iter, converged }
    }

    /// The weights task-major in the input's column order, rounded to float32 (the precision
    /// a fitted model keeps): `out[t * nf + j]` gets task `t`'s weight of input column j, that
    /// is `sx.scale(j)` times the weight of the copy's column `sx.new_of[j]`, where
    /// `nf = sx.n_input_cols()`. One pass over the input's columns, each feature's weights
    /// read together (rather than one strided pass per task).
    pub(crate) fn write_coef<T: Sync>(&self, sx: &SolverX<T>, out: &mut [f64]) {
        match &self.w {
            Table::F64(w) => write_coef_from(w, self.k, sx, out),
            Table::F32(w) => write_coef_from(w, self.k, sx, out),
        }
    }
}

/// [`BatchSolution::write_coef`] for a table of either number type, `k` weights per feature
/// (also the multinomial solution's write-out). Runs in parallel over ranges of columns: the
/// batch that finishes last would otherwise write its rows on one thread while the others
/// wait.
pub(crate) fn write_coef_from<W: Weight, T: Sync>(w: &[W], k: usize, sx: &SolverX<T>, out: &mut [f64]) {
    use rayon::prelude::*;
    let new_of = &sx.new_of[..];
    let nf = new_of.len();
    assert_eq!(out.len(), k * nf, "write_coef: output of the wrong size");
    if nf == 0 {
        return;
    }
    // Per range of columns, the k tasks' slices of that range.
    const RANGE: usize = 1 << 14;
    let n_ranges = nf.div_ceil(RANGE);
    let mut ranges: Vec<Vec<&mut [f64]>> = (0..n_ranges).map(|_| Vec::with_capacity(k)).collect();
    for row in out.chunks_mut(nf) {
        for (r, part) in row.chunks_mut(RANGE).enumerate() {
            ranges[r].push(part);
        }
    }
    ranges.into_par_iter().enumerate().for_each(|(r, mut parts)| {
        let lo = r * RANGE;
        let cols = &new_of[lo..(lo + RANGE).min(nf)];
        // The reads jump about the table: load each feature's weights a few features ahead.
        const AHEAD: usize = 16;
        for (q, &jn) in cols.iter().enumerate() {
            if let Some(&ja) = cols.get(q + AHEAD) {
                prefetch_range(w, ja as usize * k, k);
            }
            let at = jn as usize * k;
            let s = sx.scale(lo + q);
            for (t, &v) in w[at..at + k].iter().enumerate() {
                parts[t][q] = (v.get() * s) as f32 as f64;
            }
        }
    });
}
