//! Multinomial logistic regression (K >= 3 classes) by dual coordinate descent for maximum
//! entropy models: Yu, Huang and Lin, "Dual coordinate descent methods for logistic
//! regression and maximum entropy models", Machine Learning 85, 2011, Section 5.
//!
//! The problem is scikit-learn's (see [`super::lbfgs`]): `P(W, b) = 0.5 ||W||^2 + sum_i C_i
//! (logsumexp(z_i) - z_{i,y_i})`, `z_i = W x_i + b`, `C_i = C s_i`, the intercept `b` not
//! penalised. Its dual has K variables per sample, `alpha_ik >= 0` with `sum_k alpha_ik =
//! C_i`, and `w_k = sum_i (C_i [y_i = k] - alpha_ik) x_i`; at the optimum `alpha_ik = C_i
//! softmax(z_i)_k`. An epoch visits the samples in a random order; each sample's sub-problem
//! (a separable function of its K variables under one equality constraint) is solved by a
//! few two-variable steps on the most violating pair (largest and smallest sub-problem
//! gradient), each the safeguarded Newton method of the binary logistic dual
//! (the one-vs-rest solver's, [`super::dcd::newton_iterate`], in [`pair_step`]), then the row's K
//! weight columns are updated once.
//!
//! The unpenalised intercept: coordinate descent on the dual needs a penalised one, so the
//! intercept is solved by proximal-point steps: the bias is an extra feature of value 1
//! whose weight `w_b` is penalised around a centre `b_c` (`b = b_c + w_b`), and after every
//! epoch the centre moves to the current intercept. The dual variables stay valid across
//! the moves (their constraints do not involve `b_c`); as `w_b` goes to 0 the solution is
//! the unpenalised one.
//!
//! Precision: the weight table is float32 at first (half the memory traffic of the row
//! passes, which is what an epoch costs), its row sums and updates computed in float32; the
//! dual variables and sub-problems are float64 throughout. When a check finds that the
//! primal gradient stopped shrinking (the float32 rounding of the incremental updates sets
//! a floor), or when `tol` asks for more than float32 can give, the table is rebuilt in
//! float64 from the dual variables and the epochs go on in float64. The returned weights
//! are the table's (the model stores float32 coefficients either way).
//!
//! Stopping: scikit-learn's lbfgs rule, `max |grad F| <= tol` with `F = P / (C S)` (`S` the
//! sum of the sample weights), checked on the exact primal gradient every
//! [`CHECK_EVERY`] epochs, each check on a copy of the table beside the next epoch (the
//! epochs are sequential, the checks use the other cores), or, when the last two checks
//! predict that this one is met, in place before it (met, the fit stops an epoch sooner);
//! `max_iter` bounds the epochs. The order of the visits depends only on the seed, and the
//! checks' sums run in a fixed order, so results do not depend on the thread count.
//!
//! Set-up and write-out are parallel too: the transpose of X (for the checks), the table
//! built from the dual variables by features through it, the solution copied out.

use rayon::prelude::*;

use super::dcd::{newton_iterate, Weight as Cell};
use super::lbfgs::transpose;
use crate::avx2_dispatch;
use crate::error::Result;
use crate::rng::SplitMix64;
use crate::sparse::{CsrMatrix, Real};

/// Epochs between two checks of the primal gradient (a check costs about one epoch, on all
/// cores).
const CHECK_EVERY: usize = 2;
/// Non-zeros ahead whose weights a pass over a row prefetches.
const AHEAD: usize = 16;
/// Rows per parallel chunk of the primal check.
const ROW_CHUNK: usize = 256;
/// Features per parallel task when the weight table is built from the dual variables.
const STATE_COLUMNS: usize = 1024;
/// The largest number of classes the solver takes (its per-row buffers live on the stack);
/// more classes go to L-BFGS.
pub const MAX_KP: usize = 64;
/// The largest share of stored entries in X for which the solver is used (see [`suits`]).
pub const MAX_DENSITY: f64 = 0.1;
/// The table's columns per feature are a multiple of this (extra columns stay 0), so the
/// row passes work in whole vectors of 4 float64.
const LANES: usize = 4;

/// Request every cache line of `w[at..at + len]`.
#[inline(always)]
fn prefetch_lines<W>(w: &[W], at: usize, len: usize) {
    if at + len <= w.len() {
        let step = (64 / std::mem::size_of::<W>()).max(1);
        let mut q = at;
        while q < at + len {
            crate::hw::prefetch_ptr(w[q..].as_ptr());
            q += step;
        }
        crate::hw::prefetch_ptr(&w[at + len - 1]);
    }
}

/// Whether the dual method suits a fit of `k` classes on `x`: 3 to [`MAX_KP`] classes and
/// sparse X (less than [`MAX_DENSITY`] of its entries stored). On dense X the rows overlap
/// heavily, the dual's coordinates are strongly coupled and its epochs converge slowly:
/// measured with default parameters (tol=1e-4, max_iter=100), scikit-learn's digits (1,797 x 64,
/// half the entries stored) took 100 epochs and 4.8 s against L-BFGS's 100 iterations and 0.49
/// s; its wine data (178 x 13, unscaled) stopped at max_iter with a training accuracy of 0.57
/// against L-BFGS's 0.97; 20 Newsgroups bigram TF-IDF (0.09% stored) is the other way round
/// (10 epochs against 79 iterations, 6-7x faster). L-BFGS's path is also a function of the
/// objective alone, so a weight of k and k copies of a sample give the same model.
pub fn suits<T: Real>(x: &CsrMatrix<T>, k: usize) -> bool {
    let cells = x.n_rows as f64 * x.n_cols as f64;
    (3..=MAX_KP).contains(&k) && (x.nnz() as f64) < MAX_DENSITY * cells
}

/// What [`solve`] returns: `theta` in [`super::lbfgs`]'s layout (feature-major weights, then
/// the K intercepts), the epochs run, and whether the stopping rule was met.
pub struct MaxentResult {
    pub theta: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

/// The inputs of one fit.
pub struct MaxentProblem<'a, T: Real> {
    pub x: &'a CsrMatrix<T>,
    /// Class index of every row.
    pub y: &'a [usize],
    /// Weight of every row (sample weight times class weight).
    pub s: &'a [f64],
    pub k: usize,
    pub c: f64,
    pub fit_intercept: bool,
}

/// The solver's state: the feature-major weight table (`w[j*kp + k]`, then the bias
/// weights), the dual variables (`alpha[i*K + k]`) and the intercept centre.
pub(crate) struct State<W> {
    w: Vec<W>,
    alpha: Vec<f64>,
    centre: Vec<f64>,
}

impl<'a, T: Real> MaxentProblem<'a, T> {
    fn bias(&self) -> f64 {
        if self.fit_intercept {
            1.0
        } else {
            0.0
        }
    }

    /// The table's columns per feature: K rounded up to a multiple of [`LANES`].
    fn kp(&self) -> usize {
        self.k.div_ceil(LANES) * LANES
    }

    /// `z = W x_i + b_c + bias * w_b` from the table `w` (`z` has `kp` entries; the row's
    /// sum in the table's number type).
    #[inline(always)]
    fn scores<W: Cell>(&self, w: &[W], centre: &[f64], i: usize, z: &mut [f64]) {
        let kp = self.kp();
        let nb = self.x.n_cols * kp;
        let bias = self.bias();
        let mut acc = [W::default(); MAX_KP];
        let acc = &mut acc[..kp];
        let (idx, val) = self.x.row(i);
        for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
            if let Some(&jn) = idx.get(n + AHEAD) {
                prefetch_lines(w, jn as usize * kp, kp);
            }
            let v = W::put(v.as_f64());
            let wj = &w[j as usize * kp..j as usize * kp + kp];
            for (zc, wc) in acc.chunks_exact_mut(LANES).zip(wj.chunks_exact(LANES)) {
                for l in 0..LANES {
                    zc[l] = zc[l] + v * wc[l];
                }
            }
        }
        for t in 0..kp {
            z[t] = acc[t].get() + centre.get(t).copied().unwrap_or(0.0) + bias * w[nb + t].get();
        }
    }

    /// `w_k -= d_k x_i` (and the bias weights); `d` has `kp` entries.
    #[inline(always)]
    fn update<W: Cell>(&self, w: &mut [W], i: usize, d: &[f64]) {
        let kp = self.kp();
        let nb = self.x.n_cols * kp;
        let bias = self.bias();
        // -d, so that the update is an addition (the table's number type has no subtraction).
        let mut dd = [W::default(); MAX_KP];
        for t in 0..kp {
            w[nb + t] = W::put(w[nb + t].get() - d[t] * bias);
            dd[t] = W::put(-d[t]);
        }
        let dd = &dd[..kp];
        let (idx, val) = self.x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            // The scores' pass over this row has just brought these lines in.
            let v = W::put(v.as_f64());
            let wj = &mut w[j as usize * kp..j as usize * kp + kp];
            for (wc, dc) in wj.chunks_exact_mut(LANES).zip(dd.chunks_exact(LANES)) {
                for l in 0..LANES {
                    wc[l] = wc[l] + dc[l] * v;
                }
            }
        }
    }

    /// The start: the dual variables for a previous model's weights and intercepts (a warm
    /// start; `init` holds the weights feature-major, K per feature, then the K
    /// intercepts), or nearly all of `C_i` on the sample's own class (`W` about 0); the
    /// table is `W(alpha)`.
    ///
    /// The warm start keeps the previous weights: if they are the optimum for `C'`, its dual
    /// variables are `alpha'_i = C'_i p_i` (`p_i = softmax(z_i)`, `C'_i = C' s_i`) and
    /// `W = sum_i (C'_i e_{y_i} - alpha'_i) x_i`. The shift `alpha_i = alpha'_i + (C_i - C'_i)
    /// e_{y_i}` leaves every term of that sum unchanged, so `W(alpha) = W`, and sums to `C_i`
    /// as the new constraint asks; it is feasible (`alpha_i >= 0`) when `C'_i (1 - p_{i,y_i})
    /// <= C_i`, always so for `C >= C'` (a path from small to large `C`). A row where it is
    /// not takes `alpha_i = C_i p_i` (the previous weights scaled by `C / C'`, the start
    /// before this one). `C'` is not stored with a model: it is recovered from the weights
    /// by the optimality of `C'`, `||W||^2 = C' <W, V>` with `V = sum_i s_i (e_{y_i} - p_i)
    /// x_i`, `<W, V> = sum_i s_i (e_{y_i} - p_i) . (W x_i)` (exact at the optimum; when `<W,
    /// V> <= 0` every row takes the scaled start).
    fn start(&self, init: Option<&[f64]>) -> Result<(Vec<f64>, Vec<f64>)> {
        let (n, k, kp) = (self.x.n_rows, self.k, self.kp());
        let nb = self.x.n_cols * kp;
        let mut alpha: Vec<f64> = crate::hw::try_table(n * k, "the dual variables")?;
        let mut centre = vec![0.0; k];
        if let Some(theta) = init {
            // The warm start's table, for its scores (intercepts kept apart, in the centre).
            let mut w0: Vec<f64> = crate::hw::try_table(nb + kp, "the weight table")?;
            let mut w_sq = 0.0;
            for j in 0..self.x.n_cols {
                w0[j * kp..j * kp + k].copy_from_slice(&theta[j * k..j * k + k]);
                w_sq += theta[j * k..j * k + k].iter().map(|v| v * v).sum::<f64>();
            }
            if self.fit_intercept {
                centre.copy_from_slice(&theta[self.x.n_cols * k..self.x.n_cols * k + k]);
            }
            // alpha_i = p_i for now; <W, V> on the way.
            let mut z = vec![0.0f64; kp];
            let mut w_v = 0.0;
            for i in 0..n {
                if self.c * self.s[i] <= 0.0 {
                    continue;
                }
                self.scores(&w0, &centre, i, &mut z);
                let a = &mut alpha[i * k..(i + 1) * k];
                softmax_into(&z[..k], a);
                let wx_y = z[self.y[i]] - centre[self.y[i]];
                let p_wx: f64 = a.iter().zip(&z[..k]).zip(&centre).map(|((p, z), b)| p * (z - b)).sum();
                w_v += self.s[i] * (wx_y - p_wx);
            }
            let c_prev = if w_v > 0.0 { w_sq / w_v } else { f64::INFINITY };
            for i in 0..n {
                let ci = self.c * self.s[i];
                if ci <= 0.0 {
                    continue;
                }
                let a = &mut alpha[i * k..(i + 1) * k];
                let cpi = c_prev * self.s[i];
                let y = self.y[i];
                if cpi * (1.0 - a[y]) <= ci {
                    // the shift: alpha'_i + (C_i - C'_i) e_{y_i}
                    a.iter_mut().for_each(|v| *v *= cpi);
                    a[y] += ci - cpi;
                } else {
                    a.iter_mut().for_each(|v| *v *= ci);
                }
                // Keep every variable positive (the dual's entropy term needs it).
                let mut sum = 0.0;
                for v in a.iter_mut() {
                    *v = v.max(1e-12 * ci);
                    sum += *v;
                }
                a.iter_mut().for_each(|v| *v *= ci / sum);
            }
        } else {
            for i in 0..n {
                let ci = self.c * self.s[i];
                if ci > 0.0 {
                    let a = &mut alpha[i * k..(i + 1) * k];
                    let small = (1e-3 * ci).min(1e-8);
                    a.iter_mut().for_each(|v| *v = small);
                    a[self.y[i]] = ci - small * (k - 1) as f64;
                }
            }
        }
        Ok((alpha, centre))
    }

    /// The state whose table is `W(alpha) = sum_i (C_i e_{y_i} - alpha_i) x_i`, built by
    /// features in parallel through the transpose `xt` ([`STATE_COLUMNS`] per task): each
    /// entry sums its rows in increasing order, as [`Self::update`] row by row would, in the
    /// table's number type, so the table does not depend on the thread count.
    fn state<W: Cell>(&self, xt: &CsrMatrix<T>, alpha: Vec<f64>, centre: Vec<f64>) -> Result<State<W>> {
        let (n, k, kp) = (self.x.n_rows, self.k, self.kp());
        let nb = self.x.n_cols * kp;
        let mut w: Vec<W> = crate::hw::try_table(nb + kp, "the weight table")?;
        // Every row's -(alpha_i - C_i e_{y_i}) in the table's type, and the bias weights.
        let mut dd: Vec<W> = crate::hw::try_table(n * kp, "the weight table's row steps")?;
        let bias = self.bias();
        for i in 0..n {
            let ci = self.c * self.s[i];
            if ci <= 0.0 {
                continue;
            }
            for t in 0..k {
                let d = alpha[i * k + t] - if t == self.y[i] { ci } else { 0.0 };
                w[nb + t] = W::put(w[nb + t].get() - d * bias);
                dd[i * kp + t] = W::put(-d);
            }
        }
        let dd = &dd[..];
        w[..nb].par_chunks_mut(STATE_COLUMNS * kp).enumerate().for_each(|(c, wc)| {
            for (jl, wj) in wc.chunks_exact_mut(kp).enumerate() {
                let (rows, vals) = xt.row(c * STATE_COLUMNS + jl);
                for (&i, &v) in rows.iter().zip(vals) {
                    let i = i as usize;
                    if self.c * self.s[i] <= 0.0 {
                        continue;
                    }
                    let v = W::put(v.as_f64());
                    for (wt, &dt) in wj.iter_mut().zip(&dd[i * kp..i * kp + kp]) {
                        *wt = *wt + dt * v;
                    }
                }
            }
        });
        Ok(State { w, alpha, centre })
    }

    /// `max |grad P|` at the table's weights and intercepts, intercepts included:
    /// `grad_W P = W + sum_i C_i (softmax(z_i) - e_{y_i}) x_i`, `grad_b P = sum_i C_i
    /// (softmax(z_i) - e_{y_i})`. Rows in parallel for the residuals `r` (K per row),
    /// features in parallel (through the transpose) for the sums; each sum in a fixed
    /// order, so the result does not depend on the thread count.
    fn grad_max<W: Cell>(&self, w: &[W], centre: &[f64], xt: &CsrMatrix<T>, r: &mut [f64]) -> f64 {
        let (k, kp) = (self.k, self.kp());
        r.par_chunks_mut(ROW_CHUNK * k).enumerate().for_each(|(c, rc)| {
            let mut z = vec![0.0f64; kp];
            for (li, ri) in rc.chunks_mut(k).enumerate() {
                let i = c * ROW_CHUNK + li;
                let ci = self.c * self.s[i];
                if ci <= 0.0 {
                    ri.iter_mut().for_each(|v| *v = 0.0);
                    continue;
                }
                self.scores(w, centre, i, &mut z);
                softmax_into(&z[..k], ri);
                ri.iter_mut().for_each(|v| *v *= ci);
                ri[self.y[i]] -= ci;
            }
        });
        let rr: &[f64] = r;
        let gw = (0..self.x.n_cols)
            .into_par_iter()
            .with_min_len(1024)
            .map(|j| {
                let mut g = [0.0f64; 64];
                let g = if k <= 64 { &mut g[..k] } else { return self.grad_col_wide(w, xt, rr, j) };
                for (gt, &wt) in g.iter_mut().zip(&w[j * kp..j * kp + k]) {
                    *gt = wt.get();
                }
                let (rows, vals) = xt.row(j);
                for (&i, &v) in rows.iter().zip(vals) {
                    let v = v.as_f64();
                    for (gt, &rt) in g.iter_mut().zip(&rr[i as usize * k..i as usize * k + k]) {
                        *gt += v * rt;
                    }
                }
                g.iter().fold(0.0f64, |m, v| m.max(v.abs()))
            })
            .reduce(|| 0.0, f64::max);
        if !self.fit_intercept {
            return gw;
        }
        let mut gb = vec![0.0f64; k];
        for ri in rr.chunks_exact(k) {
            for (g, &v) in gb.iter_mut().zip(ri) {
                *g += v;
            }
        }
        gb.iter().fold(gw, |m, v| m.max(v.abs()))
    }

    /// [`Self::grad_max`]'s column `j` for more than 64 classes.
    fn grad_col_wide<W: Cell>(&self, w: &[W], xt: &CsrMatrix<T>, rr: &[f64], j: usize) -> f64 {
        let (k, kp) = (self.k, self.kp());
        let mut g: Vec<f64> = w[j * kp..j * kp + k].iter().map(|v| v.get()).collect();
        let (rows, vals) = xt.row(j);
        for (&i, &v) in rows.iter().zip(vals) {
            let v = v.as_f64();
            for (gt, &rt) in g.iter_mut().zip(&rr[i as usize * k..i as usize * k + k]) {
                *gt += v * rt;
            }
        }
        g.iter().fold(0.0f64, |m, v| m.max(v.abs()))
    }
}

/// `out = softmax(z)`.
#[inline(always)]
fn softmax_into(z: &[f64], out: &mut [f64]) {
    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &v) in out.iter_mut().zip(z) {
        *o = (v - m).exp();
        sum += *o;
    }
    let inv = 1.0 / sum;
    out.iter_mut().for_each(|o| *o *= inv);
}

/// The indices of the largest and of the smallest of `g[..kp]` (the first of equals), four
/// lanes at a time: `g` has [`Problem::kp`] entries, those past the classes are NaN (never
/// chosen: a comparison with NaN is false).
#[inline(always)]
fn extremes(g: &[f64]) -> (usize, usize) {
    let mut hi = [f64::NEG_INFINITY; LANES];
    let mut lo = [f64::INFINITY; LANES];
    let mut hi_at = [0usize; LANES];
    let mut lo_at = [0usize; LANES];
    for (c, gc) in g.chunks_exact(LANES).enumerate() {
        for l in 0..LANES {
            if gc[l] > hi[l] {
                hi[l] = gc[l];
                hi_at[l] = c * LANES + l;
            }
            if gc[l] < lo[l] {
                lo[l] = gc[l];
                lo_at[l] = c * LANES + l;
            }
        }
    }
    let (mut u, mut v) = (hi_at[0], lo_at[0]);
    for l in 1..LANES {
        if hi[l] > g[u] || (hi[l] == g[u] && hi_at[l] < u) {
            u = hi_at[l];
        }
        if lo[l] < g[v] || (lo[l] == g[v] && lo_at[l] < v) {
            v = lo_at[l];
        }
    }
    (u, v)
}

/// One two-variable step: mass moves from `u` to `v` (their sum fixed), the pair's
/// sub-problem, a binary logistic dual with curvature `2a`, solved to `eps` by the safeguarded
/// Newton method of the one-vs-rest solver ([`newton_iterate`]; Yu, Huang and Lin 2011,
/// Algorithm 4). `g` holds the sub-problem's current gradient, so the pair's first gradient is
/// `g_v - g_u` (no logarithm), and of the two new gradients only one needs a logarithm: the
/// other is it minus the pair's last gradient. Returns whether a step was taken.
#[inline(always)]
fn pair_step(alpha: &mut [f64], old: &[f64], z: &[f64], a: f64, g: &mut [f64], u: usize, v: usize, eps: f64) -> bool {
    let a2 = 2.0 * a;
    let sum = alpha[v] + alpha[u];
    // The variable Newton moves (`i1`, the other is `sum - it`), picked as the one-vs-rest
    // solver picks it; `lin` is the pair's linear term seen from `i1`.
    let h = |t: usize| a * (alpha[t] - old[t]) - z[t];
    let (i1, i2) = if 0.5 * a2 * (alpha[u] - alpha[v]) + (h(v) - h(u)) < 0.0 { (u, v) } else { (v, u) };
    let lin = h(i1) - h(i2);
    let z_old = alpha[i1];
    let (x, gp) = if sum - z_old < 0.5 * sum {
        let x = 0.1 * z_old;
        (x, a2 * (x - z_old) + lin + (x / (sum - x)).ln())
    } else {
        (z_old, g[i1] - g[i2])
    };
    let (x, gp, inner) = newton_iterate(x, gp, z_old, a2, lin, sum, eps);
    if inner == 0 {
        return false;
    }
    alpha[i1] = x;
    alpha[i2] = sum - x;
    g[i1] = a * (x - old[i1]) - z[i1] + x.ln();
    // gp = g_i1 - g_i2 at the new point.
    g[i2] = g[i1] - gp;
    true
}

/// Solve one sample's sub-problem: `min sum_k 0.5 a (alpha_k - old_k)^2 - (alpha_k -
/// old_k) z_k + alpha_k log alpha_k` with the sum of `alpha` fixed, by two-variable steps on
/// the most violating pair (largest and smallest gradient) until the spread of the gradient
/// is below `eps` (at most `2K` steps). `g` is scratch of [`MaxentProblem::kp`] entries.
#[inline(always)]
fn sub_problem(alpha: &mut [f64], old: &[f64], z: &[f64], a: f64, eps: f64, g: &mut [f64]) {
    let k = alpha.len();
    for t in 0..k {
        g[t] = a * (alpha[t] - old[t]) - z[t] + alpha[t].ln();
    }
    g[k..].iter_mut().for_each(|v| *v = f64::NAN);
    for _ in 0..2 * k {
        let (u, v) = extremes(g);
        if g[u] - g[v] < eps {
            break;
        }
        if !pair_step(alpha, old, z, a, g, u, v, 0.1 * eps) {
            break;
        }
    }
}

avx2_dispatch! {
    /// One epoch: every row of `rows` in turn, its sub-problem solved to `eps` and the
    /// table updated.
    fn epoch, epoch_avx2, epoch_body<T: Real, W: Cell>(
        p: &MaxentProblem<'_, T>,
        st: &mut State<W>,
        rows: &[usize],
        a_of: &[f64],
        eps: f64,
    ) -> ()
}

#[inline(always)]
fn epoch_body<T: Real, W: Cell>(p: &MaxentProblem<'_, T>, st: &mut State<W>, rows: &[usize], a_of: &[f64], eps: f64) {
    let (k, kp) = (p.k, p.kp());
    let (mut z, mut g, mut old, mut d) = (vec![0.0; kp], vec![0.0; kp], vec![0.0; k], vec![0.0; kp]);
    for &i in rows {
        p.scores(&st.w, &st.centre, i, &mut z);
        let al = &mut st.alpha[i * k..(i + 1) * k];
        old.copy_from_slice(al);
        sub_problem(al, &old, &z[..k], a_of[i], eps, &mut g);
        let mut any = false;
        for t in 0..k {
            d[t] = al[t] - old[t];
            any |= d[t] != 0.0;
        }
        if any {
            p.update(&mut st.w, i, &d);
        }
    }
}

/// Dual coordinate descent from `init` (a warm start: weights in the solver's column order,
/// feature-major, then the K intercepts, [`super::lbfgs`]'s layout) or from `W = 0`.
/// `p.k` must be at most [`MAX_KP`].
pub fn solve<T: Real>(
    p: &MaxentProblem<'_, T>,
    tol: f64,
    max_iter: usize,
    seed: u64,
    init: Option<&[f64]>,
) -> Result<MaxentResult> {
    assert!(p.kp() <= MAX_KP, "maxent::solve takes at most {MAX_KP} classes");
    let (alpha, centre) = p.start(init)?;
    // A warm start may already meet the rule: check before the first epoch (from zero it
    // never does).
    let check_first = init.is_some();
    // float32 first, unless tol asks for more than its rounding allows (a gradient entry
    // about 1e-6 of the weights' scale, C S, is float32's floor). The transpose serves the
    // table's construction and the checks.
    let xt = transpose(p.x);
    if tol >= 1e-6 {
        let st32 = p.state::<f32>(&xt, alpha, centre)?;
        let mut run = Run::new(p, xt, tol, max_iter, seed)?;
        match run.epochs::<f32>(p, st32, true, check_first) {
            Ok(done) => return Ok(done),
            Err(st32) => {
                crate::cancel::check()?;
                // The float32 table's last check was not met: no check before the next epochs.
                let st = p.state::<f64>(&run.xt, st32.alpha, st32.centre)?;
                return Ok(run.epochs::<f64>(p, st, false, false).unwrap_or_else(|st| run.result(p, &st.w, &st.centre, false)));
            }
        }
    }
    let st = p.state::<f64>(&xt, alpha, centre)?;
    let mut run = Run::new(p, xt, tol, max_iter, seed)?;
    Ok(run.epochs::<f64>(p, st, false, check_first).unwrap_or_else(|st| run.result(p, &st.w, &st.centre, false)))
}

/// The epochs' shared state.
struct Run<T> {
    xt: CsrMatrix<T>,
    r: Vec<f64>,
    a_of: Vec<f64>,
    rows: Vec<usize>,
    rng: SplitMix64,
    eps: f64,
    epochs: usize,
    threshold: f64,
    max_iter: usize,
}

impl<T: Real> Run<T> {
    fn new(p: &MaxentProblem<'_, T>, xt: CsrMatrix<T>, tol: f64, max_iter: usize, seed: u64) -> Result<Self> {
        let n = p.x.n_rows;
        let bias_sq = p.bias() * p.bias();
        Ok(Run {
            xt,
            r: crate::hw::try_table(n * p.k, "the residuals")?,
            a_of: (0..n).map(|i| p.x.row(i).1.iter().map(|v| v.as_f64() * v.as_f64()).sum::<f64>() + bias_sq).collect(),
            rows: (0..n).filter(|&i| p.c * p.s[i] > 0.0).collect(),
            rng: SplitMix64::new(seed),
            eps: 0.1,
            epochs: 0,
            threshold: tol * p.c * p.s.iter().sum::<f64>(),
            max_iter,
        })
    }

    /// Epochs on `st` until the stopping rule, `max_iter` or a cancel (`Ok`), or, with
    /// `may_stall`, until a check finds the gradient no smaller than the previous check did
    /// (`Err(st)`: the caller goes on in float64). `check_first`: check before the first
    /// epoch.
    ///
    /// The check of the state after epoch `e` (every [`CHECK_EVERY`] epochs) runs on a copy
    /// of the table beside epoch `e + 1` (the epoch is sequential, the check parallel: the
    /// other cores are otherwise idle). When it is met, the state of epoch `e` is returned
    /// and epoch `e + 1` is dropped, so the result is the one of checking after epoch `e`
    /// and stopping: the same for any thread count (one thread runs the two in turn). A check
    /// predicted to be met (the last gradient times its ratio to the one before at most the
    /// threshold) runs in place instead, before epoch `e + 1`: met, the fit stops without
    /// that epoch; not met, its verdict is applied after epoch `e + 1` as the check beside it
    /// would have been, so the prediction changes the time, never the result.
    fn epochs<W: Cell>(
        &mut self,
        p: &MaxentProblem<'_, T>,
        mut st: State<W>,
        may_stall: bool,
        check_first: bool,
    ) -> std::result::Result<MaxentResult, State<W>> {
        let (k, kp, nf) = (p.k, p.kp(), p.x.n_cols);
        if check_first && p.grad_max(&st.w, &st.centre, &self.xt, &mut self.r) <= self.threshold {
            return Ok(self.result(p, &st.w, &st.centre, true));
        }
        // The last two checks' gradients (for the stall test and the prediction below).
        let (mut last, mut before) = (f64::INFINITY, f64::INFINITY);
        // The copy of the table and centre a check runs on, and the epoch it is of.
        let (mut snap_w, mut snap_c): (Vec<W>, Vec<f64>) = (Vec::new(), Vec::new());
        let mut pending: Option<usize> = None;
        // A pending check's gradient when it already ran (in place; see below).
        let mut known: Option<f64> = None;
        let mut since = 0usize;
        // A cancelled fit stops at the start of an epoch; the driver reports Error::Interrupted.
        while self.epochs < self.max_iter && !crate::cancel::requested() {
            self.rng.shuffle(&mut self.rows);
            let Run { xt, r, rows, a_of, eps, .. } = self;
            let eps = *eps;
            let g = match (pending, known.take()) {
                (Some(_), Some(g)) => {
                    epoch(p, &mut st, rows, a_of, eps);
                    Some(g)
                }
                (Some(_), None) => {
                    let (g, ()) = rayon::join(
                        || p.grad_max(&snap_w, &snap_c, xt, r),
                        || epoch(p, &mut st, rows, a_of, eps),
                    );
                    Some(g)
                }
                (None, _) => {
                    epoch(p, &mut st, rows, a_of, eps);
                    None
                }
            };
            self.epochs += 1;
            since += 1;
            self.eps = (0.3 * self.eps).max(1e-10);
            if p.fit_intercept {
                // The proximal step: the centre moves to the current intercept.
                for t in 0..k {
                    st.centre[t] += st.w[nf * kp + t].get();
                }
            }
            if let (Some(g), Some(e)) = (g, pending.take()) {
                if g <= self.threshold {
                    self.epochs = e;
                    return Ok(self.result(p, &snap_w, &snap_c, true));
                }
                if may_stall && g >= last {
                    return Err(st);
                }
                (before, last) = (last, g);
            }
            if since % CHECK_EVERY == 0 && self.epochs < self.max_iter {
                // A check the last two predict to be met (the gradient shrinking by the same
                // factor again) runs now, in place, on all cores: when it is met the fit stops
                // without the epoch a check beside it would cost. When it is not, its verdict
                // waits for the end of the next epoch, where a check beside that epoch would
                // have given it: either way the result is the one of checking after this
                // epoch.
                if last.is_finite() && before.is_finite() && last * (last / before) <= self.threshold {
                    let g = p.grad_max(&st.w, &st.centre, &self.xt, &mut self.r);
                    if g <= self.threshold {
                        return Ok(self.result(p, &st.w, &st.centre, true));
                    }
                    known = Some(g);
                    pending = Some(self.epochs);
                    continue;
                }
                if snap_w.is_empty() {
                    snap_w = match crate::hw::try_table(st.w.len(), "the checked copy of the weight table") {
                        Ok(v) => v,
                        // No room for the copy: check in place, after this epoch.
                        Err(_) => Vec::new(),
                    };
                }
                if snap_w.len() == st.w.len() {
                    snap_w.copy_from_slice(&st.w);
                    snap_c.clone_from(&st.centre);
                    pending = Some(self.epochs);
                } else {
                    let g = p.grad_max(&st.w, &st.centre, &self.xt, &mut self.r);
                    if g <= self.threshold {
                        return Ok(self.result(p, &st.w, &st.centre, true));
                    }
                    if may_stall && g >= last {
                        return Err(st);
                    }
                    (before, last) = (last, g);
                }
            }
        }
        if self.epochs < self.max_iter {
            // cancelled
            return Ok(self.result(p, &st.w, &st.centre, false));
        }
        let g = p.grad_max(&st.w, &st.centre, &self.xt, &mut self.r);
        Ok(self.result(p, &st.w, &st.centre, g <= self.threshold))
    }

    /// The weights and intercepts of a table and centre, in [`super::lbfgs`]'s layout (the
    /// features copied in parallel).
    fn result<W: Cell>(&self, p: &MaxentProblem<'_, T>, w: &[W], centre: &[f64], converged: bool) -> MaxentResult {
        let (k, kp, nf) = (p.k, p.kp(), p.x.n_cols);
        let mut theta = vec![0.0f64; nf * k + if p.fit_intercept { k } else { 0 }];
        theta[..nf * k].par_chunks_mut(STATE_COLUMNS * k).zip(w[..nf * kp].par_chunks(STATE_COLUMNS * kp)).for_each(|(tc, wc)| {
            for (tj, wj) in tc.chunks_exact_mut(k).zip(wc.chunks_exact(kp)) {
                for (t, v) in tj.iter_mut().zip(wj) {
                    *t = v.get();
                }
            }
        });
        if p.fit_intercept {
            for t in 0..k {
                theta[nf * k + t] = centre[t] + p.bias() * w[nf * kp + t].get();
            }
        }
        MaxentResult { theta, n_iter: self.epochs, converged }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::lbfgs::{minimize, SoftmaxProblem};

    /// A small 4-class problem with sample weights (some zero).
    fn data() -> (CsrMatrix<f64>, Vec<usize>, Vec<f64>) {
        let mut rng = SplitMix64::new(7);
        let (n, d, k) = (120usize, 30usize, 4usize);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = i % k;
            let row: Vec<f64> = (0..d)
                .map(|j| {
                    let r = rng.below(100) as f64 / 100.0;
                    if j % k == c && r < 0.6 { 1.0 + r } else if r < 0.15 { r } else { 0.0 }
                })
                .collect();
            rows.push(row);
            y.push(c);
        }
        let s: Vec<f64> = (0..n).map(|i| if i % 17 == 0 { 0.0 } else { 0.5 + (i % 5) as f64 * 0.3 }).collect();
        (CsrMatrix::from_dense(&rows, d).unwrap(), y, s)
    }

    fn objective(x: &CsrMatrix<f64>, y: &[usize], s: &[f64], k: usize, c: f64, theta: &[f64], fit_b: bool) -> f64 {
        let p = SoftmaxProblem::new(x, y, s, k, c, fit_b);
        let mut g = vec![0.0; p.n_params()];
        let mut z = vec![0.0; x.n_rows * k];
        // F = P / (C S): back to P.
        p.eval(theta, &mut g, &mut z) * c * s.iter().sum::<f64>()
    }

    #[test]
    fn reaches_the_lbfgs_optimum_with_and_without_intercept() {
        let (x, y, s) = data();
        for fit_b in [true, false] {
            for tol in [1e-4, 1e-9] {
                let p = MaxentProblem { x: &x, y: &y, s: &s, k: 4, c: 3.0, fit_intercept: fit_b };
                let r = solve(&p, tol, 10_000, 1, None).unwrap();
                assert!(r.converged, "fit_b={fit_b} tol={tol}");
                let lp = SoftmaxProblem::new(&x, &y, &s, 4, 3.0, fit_b);
                let l = minimize(&lp, 1e-12, 10_000, None);
                let (f_dcd, f_lbfgs) = (objective(&x, &y, &s, 4, 3.0, &r.theta, fit_b), objective(&x, &y, &s, 4, 3.0, &l.theta, fit_b));
                let limit = if tol < 1e-6 { 1e-9 } else { 1e-4 };
                assert!((f_dcd - f_lbfgs) / f_lbfgs < limit, "fit_b={fit_b} tol={tol}: {f_dcd} vs {f_lbfgs}");
            }
        }
    }

    #[test]
    fn warm_start_from_the_optimum_stops_at_once_and_seeds_are_deterministic() {
        let (x, y, s) = data();
        let p = MaxentProblem { x: &x, y: &y, s: &s, k: 4, c: 3.0, fit_intercept: true };
        let a = solve(&p, 1e-8, 10_000, 5, None).unwrap();
        let b = solve(&p, 1e-8, 10_000, 5, None).unwrap();
        assert_eq!(a.theta, b.theta);
        let w = solve(&p, 1e-6, 10_000, 5, Some(&a.theta)).unwrap();
        assert!(w.converged && w.n_iter <= 1, "{}", w.n_iter);
        // a nearby C from there takes no more epochs than from zero (the start keeps the
        // previous weights: the shifted dual variables of `start`)
        let p2 = MaxentProblem { c: 6.0, ..p };
        let cold = solve(&p2, 1e-8, 10_000, 5, None).unwrap();
        let warm = solve(&p2, 1e-8, 10_000, 5, Some(&a.theta)).unwrap();
        assert!(warm.converged && warm.n_iter <= cold.n_iter, "{} vs {}", warm.n_iter, cold.n_iter);
    }

    #[test]
    fn takes_sparse_data_of_3_to_64_classes() {
        let (x, _, _) = data();
        assert!(x.nnz() * 10 > x.n_rows * x.n_cols && !suits(&x, 4));
        let rows: Vec<Vec<f64>> = (0..40).map(|i| (0..30).map(|j| if j == i % 30 || j == (i * 7) % 30 { 1.0 } else { 0.0 }).collect()).collect();
        let sparse = CsrMatrix::from_dense(&rows, 30).unwrap();
        assert!(suits(&sparse, 3) && suits(&sparse, 64));
        assert!(!suits(&sparse, 2) && !suits(&sparse, 65));
    }

    /// The lane-wise search finds the first largest and first smallest entry, as a plain
    /// scan does, past NaN padding and through ties.
    #[test]
    fn extremes_match_a_scan() {
        let mut rng = crate::rng::SplitMix64::new(3);
        for k in 3..=MAX_KP {
            let kp = k.div_ceil(LANES) * LANES;
            for round in 0..20 {
                // Few distinct values in some rounds, so that ties occur.
                let span = if round % 2 == 0 { 3 } else { 1000 };
                let mut g: Vec<f64> = (0..kp).map(|_| rng.below(span) as f64 - 1.5).collect();
                g[k..].iter_mut().for_each(|v| *v = f64::NAN);
                let (mut u, mut v) = (0, 0);
                for t in 1..k {
                    if g[t] > g[u] {
                        u = t;
                    }
                    if g[t] < g[v] {
                        v = t;
                    }
                }
                assert_eq!(extremes(&g), (u, v), "k={k} g={g:?}");
            }
        }
    }

    #[test]
    fn max_iter_bounds_the_epochs() {
        let (x, y, s) = data();
        let p = MaxentProblem { x: &x, y: &y, s: &s, k: 4, c: 100.0, fit_intercept: true };
        let r = solve(&p, 1e-12, 3, 0, None).unwrap();
        assert_eq!(r.n_iter, 3);
        assert!(!r.converged);
    }
}
