//! The batched linear SVM: dual coordinate descent (Hsieh et al., ICML 2008) for the tasks of
//! a batch, sharing each pass over a row; a float32 first phase, then float64.

use super::batch::{BatchWeights, Weight};
use super::coef::BatchSolution;
use super::problem::{prefetch_row_start, Problem, Task};
use crate::avx2_dispatch;
use crate::rng::SplitMix64;
use crate::error::Result;
use crate::sparse::Real;

avx2_dispatch! {
    /// Dual coordinate descent for the linear SVM (see the module notes of `dcd`) on
    /// several binary problems on the same rows at once (one-vs-rest). Each row is
    /// read once per epoch for every task of the batch: the scores of all tasks come from one
    /// pass over the row with feature-major weights, then each task takes its own coordinate
    /// step. Every task keeps its own dual variables, shrinking state, stopping test and
    /// iteration count, exactly as in the one-problem algorithm; the tasks share the visiting order (a random
    /// permutation, each epoch, of the rows still active in some task).
    ///
    /// Two phases. The first keeps the weight table in float32, and sums a row's inner
    /// products and computes its weight updates in float32 too (the coordinate steps, from
    /// gradient to dual variable, stay float64): half the bytes, which is what the passes
    /// wait for on large vocabularies (a table half the size is likelier to stay in the
    /// last-level cache), and half the vector instructions, with no conversions. The
    /// rounding of an inner product, about 1e-6 of its terms' magnitude, stays far below the
    /// phase's tolerance, `max(tol, F32_TOL)`. When every task met `tol` there, its float32
    /// weights are the result (they differ from `sum_i alpha_i y_i x_i` by the float32
    /// roundings of the updates, of the order of the float32 rounding a fitted model applies
    /// anyway).
    /// Otherwise the weights are recomputed in float64 from the dual variables, and the
    /// tasks asked for a smaller `tol` go on in float64 from there, all samples active
    /// again; so do the tasks of a first phase still running after [`F32_EPOCHS`] epochs
    /// (the float32 rounding could keep a slow problem from meeting its tolerance).
    pub fn svm_batch, svm_batch_avx2, svm_batch_body<T: Real>(
        p: &Problem<'_, T>,
        tasks: &[Task],
        hinge: bool,
        tol: f64,
        max_iter: usize,
        seed: u64,
    ) -> Result<BatchSolution>
}

/// The tolerance the linear SVM's float32 phase stops at when `tol` is smaller
/// ([`svm_batch`]): scikit-learn's default `tol`. The scores' rounding error in that phase
/// is about 2^-24 times `sum_j |w_j x_ij|`, far below it.
pub const F32_TOL: f64 = 1e-4;

/// Epochs after which the linear SVM's float32 phase hands over to float64.
pub const F32_EPOCHS: usize = 50;

/// The state of a batch of linear SVM tasks between epochs.
struct SvmState {
    k: usize,
    alpha: Vec<f64>,
    /// Per (row, task): whether the pair takes part now (not shrunk, task not finished).
    active: Vec<bool>,
    row_active: Vec<u32>,
    n_total: Vec<usize>,
    n_active: Vec<usize>,
    pg_max_old: Vec<f64>,
    pg_min_old: Vec<f64>,
    iters: Vec<usize>,
    done: Vec<bool>,
    converged: Vec<bool>,
}

impl SvmState {
    fn new(n: usize, tasks: &[Task]) -> Self {
        let k = tasks.len();
        let mut st = SvmState {
            k,
            alpha: vec![0.0; n * k],
            active: vec![false; n * k],
            row_active: vec![0; n],
            n_total: vec![0; k],
            n_active: vec![0; k],
            pg_max_old: vec![f64::INFINITY; k],
            pg_min_old: vec![f64::NEG_INFINITY; k],
            iters: vec![0; k],
            done: vec![false; k],
            converged: vec![false; k],
        };
        for (t, task) in tasks.iter().enumerate() {
            for i in 0..n {
                if task.c[i] > 0.0 {
                    st.active[i * k + t] = true;
                    st.row_active[i] += 1;
                    st.n_total[t] += 1;
                }
            }
        }
        st.n_active = st.n_total.clone();
        for t in 0..k {
            st.done[t] = st.n_total[t] == 0;
            st.converged[t] = st.done[t];
        }
        st
    }

    /// Every sample of task `t` takes part again, and its shrinking thresholds start over.
    fn unshrink(&mut self, t: usize, tasks: &[Task]) {
        let k = self.k;
        for i in 0..self.row_active.len() {
            if tasks[t].c[i] > 0.0 && !self.active[i * k + t] {
                self.active[i * k + t] = true;
                self.row_active[i] += 1;
            }
        }
        self.n_active[t] = self.n_total[t];
        self.pg_max_old[t] = f64::INFINITY;
        self.pg_min_old[t] = f64::NEG_INFINITY;
    }

    /// Task `t` leaves the passes.
    fn finish(&mut self, t: usize) {
        let k = self.k;
        self.done[t] = true;
        for i in 0..self.row_active.len() {
            if self.active[i * k + t] {
                self.active[i * k + t] = false;
                self.row_active[i] -= 1;
            }
        }
    }
}

#[inline(always)]
pub(crate) fn svm_batch_body<T: Real>(
    p: &Problem<'_, T>,
    tasks: &[Task],
    hinge: bool,
    tol: f64,
    max_iter: usize,
    seed: u64,
) -> Result<BatchSolution> {
    let n = p.x.n_rows;
    let k = tasks.len();
    let mut st = SvmState::new(n, tasks);
    let mut rng = SplitMix64::new(seed);
    let tol32 = tol.max(F32_TOL);
    let mut bw32 = BatchWeights::<f32>::new(p, k)?;
    svm_epochs(p, tasks, hinge, tol32, max_iter.min(F32_EPOCHS), &mut st, &mut rng, &mut bw32);
    // Tasks not done yet: those that met only the float32 phase's tolerance, and those
    // stopped by the float32 phase's epoch limit.
    let reopen: Vec<bool> = (0..k)
        .map(|t| if st.converged[t] { tol < tol32 && st.n_total[t] > 0 } else { st.iters[t] < max_iter })
        .collect();
    if !reopen.iter().any(|&r| r) {
        return Ok(BatchSolution::new(bw32, st.iters, st.converged));
    }
    drop(bw32);
    // The float64 weights of the dual variables reached.
    let mut bw = BatchWeights::<f64>::new(p, k)?;
    let mut d = vec![0.0f64; k];
    for i in 0..n {
        let mut any = false;
        for t in 0..k {
            d[t] = st.alpha[i * k + t] * tasks[t].y[i];
            any |= d[t] != 0.0;
        }
        if any {
            bw.axpy(p, i, &d);
        }
    }
    for t in 0..k {
        if reopen[t] {
            st.done[t] = false;
            st.converged[t] = false;
            st.unshrink(t, tasks);
        }
    }
    svm_epochs(p, tasks, hinge, tol, max_iter, &mut st, &mut rng, &mut bw);
    Ok(BatchSolution::new(bw, st.iters, st.converged))
}

/// Epochs of the batched linear SVM until every task is done: converged within `tol`, or
/// `max_iter` epochs counted (over both phases).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn svm_epochs<T: Real, W: Weight>(
    p: &Problem<'_, T>,
    tasks: &[Task],
    hinge: bool,
    tol: f64,
    max_iter: usize,
    st: &mut SvmState,
    rng: &mut SplitMix64,
    bw: &mut BatchWeights<W>,
) {
    let n = p.x.n_rows;
    let k = tasks.len();
    let bias_sq = p.bias * p.bias;
    let mut pg_max_new = vec![f64::NEG_INFINITY; k];
    let mut pg_min_new = vec![f64::INFINITY; k];
    let mut z = vec![0.0f64; k];
    let mut d = vec![0.0f64; k];
    let mut rows: Vec<usize> = Vec::with_capacity(n);
    for t in 0..k {
        if !st.done[t] && st.iters[t] >= max_iter {
            st.finish(t);
        }
    }
    // A cancelled fit stops at the start of an epoch; the driver reports Error::Interrupted.
    while !st.done.iter().all(|&x| x) && !crate::cancel::requested() {
        rows.clear();
        rows.extend((0..n).filter(|&i| st.row_active[i] > 0));
        rng.shuffle(&mut rows);
        for t in 0..k {
            pg_max_new[t] = f64::NEG_INFINITY;
            pg_min_new[t] = f64::INFINITY;
        }
        for (r, &i) in rows.iter().enumerate() {
            if st.row_active[i] == 0 {
                continue;
            }
            if let Some(&next) = rows.get(r + 1) {
                prefetch_row_start(p, next);
            }
            bw.dots(p, i, &mut z);
            let mut any = false;
            let base = i * k;
            for t in 0..k {
                d[t] = 0.0;
                if !st.active[base + t] {
                    continue;
                }
                let task = &tasks[t];
                let ci = task.c[i];
                let yi = task.y[i];
                let (ui, diag) = if hinge { (ci, 0.0) } else { (f64::INFINITY, 0.5 / ci) };
                let a = st.alpha[base + t];
                let g = yi * z[t] - 1.0 + diag * a;
                let mut pg = 0.0;
                if a == 0.0 {
                    if g > st.pg_max_old[t] {
                        st.active[base + t] = false;
                        st.row_active[i] -= 1;
                        st.n_active[t] -= 1;
                        continue;
                    } else if g < 0.0 {
                        pg = g;
                    }
                } else if a == ui {
                    if g < st.pg_min_old[t] {
                        st.active[base + t] = false;
                        st.row_active[i] -= 1;
                        st.n_active[t] -= 1;
                        continue;
                    } else if g > 0.0 {
                        pg = g;
                    }
                } else {
                    pg = g;
                }
                pg_max_new[t] = pg_max_new[t].max(pg);
                pg_min_new[t] = pg_min_new[t].min(pg);
                let qd = p.row_sq_norms[i] + bias_sq + diag;
                if pg.abs() > 1e-12 && qd > 0.0 {
                    let new = (a - g / qd).max(0.0).min(ui);
                    st.alpha[base + t] = new;
                    d[t] = (new - a) * yi;
                    any |= d[t] != 0.0;
                }
            }
            if any {
                bw.axpy(p, i, &d);
            }
        }
        for t in 0..k {
            if st.done[t] {
                continue;
            }
            st.iters[t] += 1;
            let mut finished = false;
            if pg_max_new[t] - pg_min_new[t] <= tol {
                if st.n_active[t] == st.n_total[t] {
                    st.converged[t] = true;
                    finished = true;
                } else {
                    // Converged on the shrunk set: check again on every sample.
                    st.unshrink(t, tasks);
                }
            } else {
                st.pg_max_old[t] = if pg_max_new[t] <= 0.0 { f64::INFINITY } else { pg_max_new[t] };
                st.pg_min_old[t] = if pg_min_new[t] >= 0.0 { f64::NEG_INFINITY } else { pg_min_new[t] };
            }
            if !finished && st.iters[t] >= max_iter {
                finished = true;
            }
            if finished {
                st.finish(t);
            }
        }
    }
}
