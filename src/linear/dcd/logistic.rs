//! Batched logistic regression: dual coordinate descent (Yu, Huang and Lin 2011) for the
//! tasks of a batch, sharing each pass over a row, with LIBLINEAR's primal stopping rule.

use super::batch::{by_width, BatchWeights};
use super::coef::BatchSolution;
use super::problem::{prefetch_row_start, Problem, Task, PREFETCH_AHEAD};
use crate::avx2_dispatch;
use crate::hw::prefetch_range;
use crate::rng::SplitMix64;
use crate::error::Result;
use crate::sparse::Real;

/// Epochs between two primal-gradient checks of [`logistic_batch`] (each check costs
/// about one epoch); the first check comes after twice this many (after the first few
/// epochs the primal gradient is still far above the threshold).
const PRIMAL_CHECK_EVERY: usize = 5;

/// `g[j * k + t] += r_t x_ij` over row `i` for every task of a batch (the scatter half of
/// [`primal_norms`]); fixed-width copies for batch sizes up to `BATCH`, as in
/// [`BatchWeights::dots`], with the same order of additions in every version.
#[inline(always)]
fn scatter_row<T: Real>(g: &mut [f32], k: usize, p: &Problem<'_, T>, i: usize, r: &[f64]) {
    by_width!(k, |N| scatter_row_n::<N, T>(g, p, i, r), {
        let (idx, val) = p.x.row(i);
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
                prefetch_range(g, jn as usize * k, k);
            }
            let v = v.as_f64();
            let gj = &mut g[j as usize * k..j as usize * k + k];
            for (gt, &rt) in gj.iter_mut().zip(r) {
                *gt += (rt * v) as f32;
            }
        }
    })
}

#[inline(always)]
fn scatter_row_n<const N: usize, T: Real>(g: &mut [f32], p: &Problem<'_, T>, i: usize, r: &[f64]) {
    let rr: [f64; N] = r[..N].try_into().expect("a slice of length N");
    let (idx, val) = p.x.row(i);
    for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
        if let Some(&jn) = idx.get(n + PREFETCH_AHEAD) {
            prefetch_range(g, jn as usize * N, N);
        }
        let v = v.as_f64();
        let at = j as usize * N;
        let gj: &mut [f32; N] = (&mut g[at..at + N]).try_into().expect("a slice of length N");
        for t in 0..N {
            gj[t] += (rr[t] * v) as f32;
        }
    }
}

/// `|| sum_i r_it y_it x~_i ||` for every task `t` of a batch, where `x~_i` is row `i` with
/// its bias feature and `r_it = coef(i, t, z_it)` with `z_it = w_t . x~_i` (when `bw` is
/// given; 0 otherwise). Summed in an f32 table (the result feeds a stopping test, where a
/// relative error of 1e-6 does not matter; the table is half the size of the weights),
/// `scratch`, which is allocated on the first call and zeroed on the next ones (a fresh
/// table each time cost more in page faults than the sums themselves).
#[inline(always)]
fn primal_norms<T: Real>(
    p: &Problem<'_, T>,
    tasks: &[Task],
    rows: &[usize],
    bw: Option<&BatchWeights>,
    scratch: &mut Vec<f32>,
    coef: impl Fn(usize, usize, f64) -> f64,
) -> Result<Vec<f64>> {
    let k = tasks.len();
    if scratch.len() == p.x.n_cols * k {
        scratch.fill(0.0);
    } else {
        *scratch = Vec::new();
        *scratch = crate::hw::try_table(p.x.n_cols.saturating_mul(k), "the solver's gradient table")?;
    }
    let g = &mut scratch[..];
    let mut gb = vec![0.0f64; k];
    let mut z = vec![0.0f64; k];
    let mut r = vec![0.0f64; k];
    for &i in rows {
        if let Some(bw) = bw {
            bw.dots(p, i, &mut z);
        }
        for t in 0..k {
            r[t] = if tasks[t].c[i] > 0.0 { coef(i, t, z[t]) * tasks[t].y[i] } else { 0.0 };
            gb[t] += r[t] * p.bias;
        }
        scatter_row(g, k, p, i, &r);
    }
    let mut sq = vec![0.0f64; k];
    for gj in g.chunks_exact(k.max(1)) {
        for (s, &v) in sq.iter_mut().zip(gj) {
            *s += v as f64 * v as f64;
        }
    }
    Ok(sq.iter().zip(&gb).map(|(&s, &b)| (s + b * b).sqrt()).collect())
}

avx2_dispatch! {
    /// Dual coordinate descent for logistic regression (see the module notes of `dcd`) on
    /// several binary problems on the same rows at once (as `svm_batch` does).
    ///
    /// Stopping: a task stops when the dual test of the one-problem algorithm passes (largest
    /// sub-problem gradient below `tol`, LIBLINEAR's dual solver's rule) or, checked every
    /// [`PRIMAL_CHECK_EVERY`] epochs from epoch 10, when the primal gradient is small:
    /// `||grad f(w)|| <= tol * max(min(n_pos, n_neg), 1) / n * ||grad f(0)||`, the rule of
    /// LIBLINEAR's primal trust-region solver, which is what `tol` means for scikit-learn's
    /// `LogisticRegression(solver="liblinear")`. The dual test is much stricter (it takes
    /// many more epochs for an objective that differs only in far digits), so the primal
    /// test is what usually ends a fit.
    pub fn logistic_batch, logistic_batch_avx2, logistic_batch_body<T: Real>(
        p: &Problem<'_, T>,
        tasks: &[Task],
        tol: f64,
        max_iter: usize,
        seed: u64,
    ) -> Result<BatchSolution>
}

/// Newton steps on one sample's sub-problem of the logistic dual (Yu, Huang and Lin 2011,
/// Algorithm 4). `alpha[base]` is `alpha_i` and `alpha[base + 1]` is `C_i - alpha_i` (kept
/// apart for accuracy near `C_i`); `a` is `||x~_i||^2`, `b` is `y_i w.x~_i`, `ci` is `C_i`.
/// The step minimises over whichever of the two is the smaller, and stops once the
/// sub-problem's gradient is below `eps`. Returns the first gradient's magnitude (the
/// epoch's stopping test), the number of Newton steps, and the change of `alpha_i` when a
/// step was taken (the pair is then updated).
#[inline(always)]
pub(crate) fn newton_sub_problem(alpha: &mut [f64], base: usize, a: f64, b: f64, ci: f64, eps: f64) -> (f64, usize, Option<f64>) {
    let (mut i1, mut i2, mut sign) = (base, base + 1, 1.0f64);
    if 0.5 * a * (alpha[i2] - alpha[i1]) + b < 0.0 {
        std::mem::swap(&mut i1, &mut i2);
        sign = -1.0;
    }
    let z_old = alpha[i1];
    let mut z = z_old;
    if ci - z < 0.5 * ci {
        z *= 0.1;
    }
    let lin = sign * b;
    let gp = a * (z - z_old) + lin + (z / (ci - z)).ln();
    let g_first = gp.abs();
    let (z, _, inner) = newton_iterate(z, gp, z_old, a, lin, ci, eps);
    if inner == 0 {
        return (g_first, 0, None);
    }
    alpha[i1] = z;
    alpha[i2] = ci - z;
    (g_first, inner, Some(sign * (z - z_old)))
}

/// The safeguarded Newton iterations of Algorithm 4 on one variable `z` of a pair with the
/// fixed sum `ci`: `g(z) = a (z - z_old) + lin + log(z / (ci - z))`, from `z` whose gradient
/// is `gp`, until `|g| < eps` (at most 100 steps; a step that would leave `(0, ci)` shrinks
/// `z` by 0.1 instead). Returns the last `z`, its gradient and the number of steps. Used by
/// [`newton_sub_problem`] and by the maximum-entropy solver's two-variable steps.
#[inline(always)]
pub(crate) fn newton_iterate(mut z: f64, mut gp: f64, z_old: f64, a: f64, lin: f64, ci: f64, eps: f64) -> (f64, f64, usize) {
    const MAX_INNER: usize = 100;
    const ETA: f64 = 0.1;
    let mut inner = 0usize;
    while inner <= MAX_INNER {
        if gp.abs() < eps {
            break;
        }
        let gpp = a + ci / (ci - z) / z;
        let tz = z - gp / gpp;
        z = if tz <= 0.0 { z * ETA } else { tz };
        gp = a * (z - z_old) + lin + (z / (ci - z)).ln();
        inner += 1;
    }
    (z, gp, inner)
}

#[inline(always)]
pub(crate) fn logistic_batch_body<T: Real>(
    p: &Problem<'_, T>,
    tasks: &[Task],
    tol: f64,
    max_iter: usize,
    seed: u64,
) -> Result<BatchSolution> {
    let n = p.x.n_rows;
    let k = tasks.len();
    let mut bw = BatchWeights::new(p, k)?;
    let bias_sq = p.bias * p.bias;
    // alpha[2(ik+t)] is alpha, alpha[2(ik+t)+1] is C - alpha.
    let mut alpha = vec![0.0f64; 2 * n * k];
    let mut n_used = vec![0usize; k];
    let mut d = vec![0.0f64; k];
    let mut rows: Vec<usize> = Vec::new();
    for i in 0..n {
        let mut any = false;
        for (t, task) in tasks.iter().enumerate() {
            let ci = task.c[i];
            d[t] = 0.0;
            if ci > 0.0 {
                let a = (1e-3 * ci).min(1e-8);
                alpha[2 * (i * k + t)] = a;
                alpha[2 * (i * k + t) + 1] = ci - a;
                d[t] = task.y[i] * a;
                n_used[t] += 1;
                any = true;
            }
        }
        if any {
            bw.axpy(p, i, &d);
            rows.push(i);
        }
    }
    // Primal stopping thresholds: tol * max(min(pos, neg), 1) / n * ||grad f(0)||, where
    // grad f(0) = -sum_i C_i sigmoid(0) y_i x~_i.
    // When every used sample of a task has the same C_i (no sample or class weights), the
    // start above set w = a X~^T y with one a for all rows, so grad f(0) = -(C / 2a) w: its
    // norm comes from the weights without another pass over the data.
    let mut scratch: Vec<f32> = Vec::new();
    let uniform: Vec<Option<f64>> = tasks
        .iter()
        .map(|task| {
            let mut cs = rows.iter().map(|&i| task.c[i]).filter(|&c| c > 0.0);
            let first = cs.next()?;
            cs.all(|c| c == first).then_some(first)
        })
        .collect();
    let g0: Vec<f64> = if uniform.iter().all(|u| u.is_some()) {
        let mut sq = vec![0.0f64; k];
        for wj in bw.w.chunks_exact(k.max(1)) {
            for (s, &v) in sq.iter_mut().zip(wj) {
                *s += v * v;
            }
        }
        (0..k)
            .map(|t| {
                let c = uniform[t].unwrap_or(0.0);
                let a = (1e-3 * c).min(1e-8);
                0.5 * c / a * (sq[t] + bw.wb[t] * bw.wb[t]).sqrt()
            })
            .collect()
    } else {
        primal_norms(p, tasks, &rows, None, &mut scratch, |i, t, _| -0.5 * tasks[t].c[i])?
    };
    let primal_tol: Vec<f64> = (0..k)
        .map(|t| {
            let pos = rows.iter().filter(|&&i| tasks[t].c[i] > 0.0 && tasks[t].y[i] > 0.0).count();
            let neg = n_used[t] - pos;
            tol * (pos.min(neg).max(1) as f64) / (n_used[t].max(1) as f64) * g0[t]
        })
        .collect();
    let inner_eps_min = tol.min(1e-8);
    let mut inner_eps = vec![1e-2f64; k];
    let mut iters = vec![0usize; k];
    let mut done: Vec<bool> = n_used.iter().map(|&c| c == 0).collect();
    let mut converged = done.clone();
    let mut g_max = vec![0.0f64; k];
    let mut newton = vec![0usize; k];
    let mut rng = SplitMix64::new(seed);
    let mut z = vec![0.0f64; k];
    // A cancelled fit stops at the start of an epoch; the driver reports Error::Interrupted.
    while !done.iter().all(|&x| x) && !crate::cancel::requested() {
        rng.shuffle(&mut rows);
        g_max.iter_mut().for_each(|g| *g = 0.0);
        newton.iter_mut().for_each(|v| *v = 0);
        for (r, &i) in rows.iter().enumerate() {
            if let Some(&next) = rows.get(r + 1) {
                prefetch_row_start(p, next);
            }
            bw.dots(p, i, &mut z);
            let a = p.row_sq_norms[i] + bias_sq;
            let mut any = false;
            for t in 0..k {
                d[t] = 0.0;
                let ci = tasks[t].c[i];
                if done[t] || ci <= 0.0 {
                    continue;
                }
                let yi = tasks[t].y[i];
                let (g, steps, step) =
                    newton_sub_problem(&mut alpha, 2 * (i * k + t), a, yi * z[t], ci, inner_eps[t]);
                g_max[t] = g_max[t].max(g);
                newton[t] += steps;
                if let Some(s) = step {
                    d[t] = s * yi;
                    any |= d[t] != 0.0;
                }
            }
            if any {
                bw.axpy(p, i, &d);
            }
        }
        for t in 0..k {
            if done[t] {
                continue;
            }
            iters[t] += 1;
            if g_max[t] < tol {
                converged[t] = true;
                done[t] = true;
                continue;
            }
            if newton[t] <= n_used[t] / 10 {
                inner_eps[t] = inner_eps_min.max(0.1 * inner_eps[t]);
            }
        }
        // Every task still running has done the same number of epochs.
        if (0..k).any(|t| !done[t] && iters[t] >= 2 * PRIMAL_CHECK_EVERY && iters[t] % PRIMAL_CHECK_EVERY == 0) {
            // grad f(w) = w - sum_i C_i sigmoid(-y_i z_i) y_i x~_i
            //           = sum_i (alpha_i - C_i sigmoid(-y_i z_i)) y_i x~_i, as w = sum_i alpha_i y_i x~_i.
            let gn = primal_norms(p, tasks, &rows, Some(&bw), &mut scratch, |i, t, zt| {
                let m = tasks[t].y[i] * zt;
                alpha[2 * (i * k + t)] - tasks[t].c[i] / (1.0 + m.exp())
            })?;
            for t in 0..k {
                if !done[t] && gn[t] <= primal_tol[t] {
                    converged[t] = true;
                    done[t] = true;
                }
            }
        }
        for t in 0..k {
            if !done[t] && iters[t] >= max_iter {
                done[t] = true;
            }
        }
    }
    Ok(BatchSolution::new(bw, iters, converged))
}
