//! Multinomial (and binomial) logistic regression by L-BFGS.
//!
//! Objective, as scikit-learn 1.9's `LogisticRegression(solver="lbfgs")` minimises it (the
//! penalty scaled by the weight sum `S` so that `tol` means the same gradient tolerance):
//!
//! `F(W, b) = (1/S) sum_i s_i loss_i + 1/(2 C S) ||W||^2`
//!
//! with `loss_i = logsumexp(z_i) - z_{i,y_i}` (multinomial, K >= 3 outputs) or
//! `loss_i = log(1 + exp(z_i)) - y_i z_i` (binomial, one output, y in {0, 1}),
//! `z_i = W x_i + b`, the intercept `b` not penalised, and `s_i` the sample weight times the
//! class weight. `C S F` is the textbook `0.5 ||W||^2 + C sum_i s_i loss_i`.
//!
//! L-BFGS: Nocedal and Wright, "Numerical Optimization", 2nd ed., Algorithms 7.4 (two-loop
//! recursion) and 7.5, with memory m = 10 and a backtracking line search on the Armijo
//! condition (Algorithm 3.1). Stops when `max |grad F| <= tol` (scipy's `gtol`, which
//! scikit-learn sets to `tol`) or when the relative decrease of F falls to 64 machine
//! epsilons (scipy's `ftol` as scikit-learn sets it).
//!
//! Parameters are stored feature-major: `theta[j*K + k]` is the weight of feature j for
//! output k, so the inner loops over K are contiguous; then the K intercepts.
//! Parallel work is split into fixed chunks combined in order: results do not depend on the
//! thread count.

use rayon::prelude::*;

use crate::sparse::{CsrMatrix, Real};

const ROW_CHUNK: usize = 256;
const FEAT_CHUNK: usize = 512;
const VEC_CHUNK: usize = 1 << 15;
const MEMORY: usize = 10;

/// Column ranges [`transpose`] fills in parallel (balanced by their stored entries).
const TRANSPOSE_PARTS: usize = 4;

/// Transpose a CSR matrix (the result is the CSC form of `x`, seen as CSR of `x^T`). The
/// output is cut into [`TRANSPOSE_PARTS`] ranges of columns of about equal stored entries,
/// filled in parallel, each by a pass over the rows in order: the result does not depend on
/// the thread count.
pub fn transpose<T: Real>(x: &CsrMatrix<T>) -> CsrMatrix<T> {
    let mut counts = vec![0usize; x.n_cols + 1];
    for &j in &x.indices {
        counts[j as usize + 1] += 1;
    }
    for j in 0..x.n_cols {
        counts[j + 1] += counts[j];
    }
    let indptr = counts;
    let nnz = x.nnz();
    let mut indices = vec![0u32; nnz];
    let mut data = vec![T::zero(); nnz];
    // Column boundaries: the first column whose start reaches each share of the entries.
    let mut bounds = vec![0usize];
    for part in 1..TRANSPOSE_PARTS {
        let at = indptr.partition_point(|&p| p < nnz * part / TRANSPOSE_PARTS).min(x.n_cols);
        bounds.push(at.max(*bounds.last().unwrap()));
    }
    bounds.push(x.n_cols);
    let mut parts = Vec::with_capacity(TRANSPOSE_PARTS);
    let (mut rest_i, mut rest_d) = (&mut indices[..], &mut data[..]);
    for w in bounds.windows(2) {
        let len = indptr[w[1]] - indptr[w[0]];
        let (pi, ri) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (pd, rd) = std::mem::take(&mut rest_d).split_at_mut(len);
        parts.push((w[0], w[1], pi, pd));
        rest_i = ri;
        rest_d = rd;
    }
    let ptr = &indptr;
    parts.into_par_iter().for_each(|(c0, c1, pi, pd)| {
        let base = ptr[c0];
        let mut next: Vec<usize> = ptr[c0..c1].iter().map(|&p| p - base).collect();
        for i in 0..x.n_rows {
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let j = j as usize;
                if j >= c0 && j < c1 {
                    let q = &mut next[j - c0];
                    pi[*q] = i as u32;
                    pd[*q] = v;
                    *q += 1;
                }
            }
        }
    });
    CsrMatrix { n_rows: x.n_cols, n_cols: x.n_rows, indptr, indices, data }
}

/// Inner product with 8 independent accumulators (vectorisable; a single running sum is
/// bound by the latency of floating-point addition). Fixed association: deterministic.
#[inline]
fn dot8<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 8];
    let mut ca = a.chunks_exact(8);
    let mut cb = b.chunks_exact(8);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..8 {
            acc[l] += x[l].into() * y[l].into();
        }
    }
    let mut tail = 0.0;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += (*x).into() * (*y).into();
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

fn pdot(a: &[f64], b: &[f64]) -> f64 {
    let parts: Vec<f64> = a
        .par_chunks(VEC_CHUNK)
        .zip(b.par_chunks(VEC_CHUNK))
        .map(|(x, y)| dot8(x, y))
        .collect();
    parts.iter().sum()
}

/// y += a * x
#[allow(dead_code)]
fn paxpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.par_chunks_mut(VEC_CHUNK).zip(x.par_chunks(VEC_CHUNK)).for_each(|(yc, xc)| {
        for (p, q) in yc.iter_mut().zip(xc) {
            *p += a * q;
        }
    });
}




fn pmax_abs(a: &[f64]) -> f64 {
    a.par_chunks(VEC_CHUNK)
        .map(|c| c.iter().fold(0.0f64, |m, v| m.max(v.abs())))
        .reduce(|| 0.0, f64::max)
}

/// The smooth problem of one fit.
pub struct SoftmaxProblem<'a, T: Real> {
    pub x: &'a CsrMatrix<T>,
    pub xt: CsrMatrix<T>,
    /// Class index per row (binomial: 0 or 1).
    pub y: &'a [usize],
    /// Weight per row (sample weight times class weight).
    pub s: &'a [f64],
    /// Number of outputs: 1 (binomial) or the number of classes (multinomial).
    pub k: usize,
    pub fit_intercept: bool,
    /// 1 / (C S)
    pub reg: f64,
    /// 1 / S
    pub inv_s: f64,
}

impl<'a, T: Real> SoftmaxProblem<'a, T> {
    pub fn new(
        x: &'a CsrMatrix<T>,
        y: &'a [usize],
        s: &'a [f64],
        k: usize,
        c: f64,
        fit_intercept: bool,
    ) -> Self {
        let s_sum: f64 = s.iter().sum();
        SoftmaxProblem {
            x,
            xt: transpose(x),
            y,
            s,
            k,
            fit_intercept,
            reg: 1.0 / (c * s_sum),
            inv_s: 1.0 / s_sum,
        }
    }

    pub fn n_params(&self) -> usize {
        self.x.n_cols * self.k + if self.fit_intercept { self.k } else { 0 }
    }

    /// Scores `z` (n_rows x K, row-major) of parameters `theta`.
    pub fn scores(&self, theta: &[f64], z: &mut [f64]) {
        let k = self.k;
        let nfk = self.x.n_cols * k;
        let x = self.x;
        let fit_b = self.fit_intercept;
        z.par_chunks_mut(ROW_CHUNK * k).enumerate().for_each(|(c, zc)| {
            let r0 = c * ROW_CHUNK;
            for (li, zi) in zc.chunks_mut(k).enumerate() {
                if fit_b {
                    zi.copy_from_slice(&theta[nfk..nfk + k]);
                } else {
                    zi.iter_mut().for_each(|v| *v = 0.0);
                }
                let (idx, val) = x.row(r0 + li);
                for (n, (&j, &v)) in idx.iter().zip(val).enumerate() {
                    if let Some(&jn) = idx.get(n + 12) {
                        crate::hw::prefetch_range(theta, jn as usize * k, k);
                    }
                    let v = v.as_f64();
                    let wj = &theta[j as usize * k..j as usize * k + k];
                    for (zz, &ww) in zi.iter_mut().zip(wj) {
                        *zz += v * ww;
                    }
                }
            }
        });
    }

    /// F(theta) and its gradient; `z` is scratch space of n_rows x K.
    pub fn eval(&self, theta: &[f64], grad: &mut [f64], z: &mut [f64]) -> f64 {
        let k = self.k;
        let nf = self.x.n_cols;
        let nfk = nf * k;
        self.scores(theta, z);
        // Loss per row, and z turned into the residual d loss / d z (times s_i / S).
        let (y, s, inv_s) = (self.y, self.s, self.inv_s);
        let parts: Vec<(f64, Vec<f64>)> = z
            .par_chunks_mut(ROW_CHUNK * k)
            .enumerate()
            .map(|(c, zc)| {
                let r0 = c * ROW_CHUNK;
                let mut loss = 0.0f64;
                let mut gb = vec![0.0f64; k];
                for (li, zi) in zc.chunks_mut(k).enumerate() {
                    let i = r0 + li;
                    let w = s[i] * inv_s;
                    if k == 1 {
                        let t = zi[0];
                        let yi = y[i] as f64;
                        // log(1 + exp(t)) computed stably.
                        let l = if t > 0.0 { t + (-t).exp().ln_1p() } else { t.exp().ln_1p() };
                        loss += s[i] * (l - yi * t);
                        let p = if t >= 0.0 { 1.0 / (1.0 + (-t).exp()) } else { let e = t.exp(); e / (1.0 + e) };
                        zi[0] = w * (p - yi);
                    } else {
                        let m = zi.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                        let mut sum = 0.0;
                        for v in zi.iter_mut() {
                            *v = (*v - m).exp();
                            sum += *v;
                        }
                        // loss = logsumexp - z_y = log(sum) - (z_y - m) = log(sum) - log(e_y)
                        loss += s[i] * (sum.ln() - zi[y[i]].ln());
                        let inv = 1.0 / sum;
                        for v in zi.iter_mut() {
                            *v *= inv * w;
                        }
                        zi[y[i]] -= w;
                    }
                    for (g, &r) in gb.iter_mut().zip(zi.iter()) {
                        *g += r;
                    }
                }
                (loss, gb)
            })
            .collect();
        let mut loss = 0.0;
        let mut gb = vec![0.0f64; k];
        for (l, g) in &parts {
            loss += l;
            for (a, b) in gb.iter_mut().zip(g) {
                *a += b;
            }
        }
        loss *= inv_s;
        // Gradient of the weights: X^T R + reg W, feature by feature from the transpose.
        let xt = &self.xt;
        let zr: &[f64] = z;
        let reg = self.reg;
        let pen_parts: Vec<f64> = grad[..nfk]
            .par_chunks_mut(FEAT_CHUNK * k)
            .enumerate()
            .map(|(c, gc)| {
                let j0 = c * FEAT_CHUNK;
                let mut pen = 0.0;
                for (lj, gj) in gc.chunks_mut(k).enumerate() {
                    let j = j0 + lj;
                    let wj = &theta[j * k..j * k + k];
                    for (g, &w) in gj.iter_mut().zip(wj) {
                        *g = reg * w;
                        pen += w * w;
                    }
                    let (rows, vals) = xt.row(j);
                    for (&i, &v) in rows.iter().zip(vals) {
                        let v = v.as_f64();
                        let ri = &zr[i as usize * k..i as usize * k + k];
                        for (g, &r) in gj.iter_mut().zip(ri) {
                            *g += v * r;
                        }
                    }
                }
                pen
            })
            .collect();
        let pen: f64 = pen_parts.iter().sum();
        if self.fit_intercept {
            grad[nfk..nfk + k].copy_from_slice(&gb);
        }
        loss + 0.5 * reg * pen
    }
}

/// Result of [`minimize`].
pub struct LbfgsResult {
    pub theta: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

/// Sums over fixed chunks, combined in chunk order (deterministic for any thread count):
/// `f(chunk_index, range)` returns the chunk's partial sums (length `width`).
fn chunked_sums(n: usize, width: usize, f: impl Fn(std::ops::Range<usize>) -> Vec<f64> + Sync) -> Vec<f64> {
    let n_chunks = n.div_ceil(VEC_CHUNK);
    let parts: Vec<Vec<f64>> = (0..n_chunks)
        .into_par_iter()
        .map(|c| f(c * VEC_CHUNK..((c + 1) * VEC_CHUNK).min(n)))
        .collect();
    let mut out = vec![0.0; width];
    for p in parts {
        for (o, v) in out.iter_mut().zip(p) {
            *o += v;
        }
    }
    out
}

/// L-BFGS from `theta0` (a warm start, [`SoftmaxProblem::n_params`] values) or from 0.
///
/// The search direction `-H g` is the two-loop recursion's (Nocedal and Wright, Algorithm
/// 7.4), evaluated from inner products instead of vector updates: every inner product the
/// recursion needs is a combination of `S^T g`, `Y^T g` and of the small matrices `S^T Y`
/// and `Y^T Y`, kept up to date as pairs come and go (the same idea as the compact form of
/// Byrd, Nocedal and Schnabel, Math. Programming 63, 1994). One pass over the history gives
/// the inner products, one more the direction: on wide problems (millions of parameters)
/// this replaces the recursion's 4m passes over memory. Pairs are stored in f32 (they only
/// shape the direction; every step is checked by the line search).
pub fn minimize<T: Real>(p: &SoftmaxProblem<'_, T>, tol: f64, max_iter: usize, theta0: Option<Vec<f64>>) -> LbfgsResult {
    let n = p.n_params();
    let mut theta = theta0.filter(|t| t.len() == n).unwrap_or_else(|| vec![0.0f64; n]);
    let mut grad = vec![0.0f64; n];
    let mut z = vec![0.0f64; p.x.n_rows * p.k];
    if crate::cancel::requested() {
        // cancelled while the problem was set up: the driver reports the interrupt
        return LbfgsResult { theta, n_iter: 0, converged: false };
    }
    let mut f = p.eval(&theta, &mut grad, &mut z);
    if pmax_abs(&grad) <= tol {
        return LbfgsResult { theta, n_iter: 0, converged: true };
    }
    let mut s_hist: Vec<Vec<f32>> = Vec::new();
    let mut y_hist: Vec<Vec<f32>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    // sy[i][j] = s_i . y_j, yy[i][j] = y_i . y_j (history order, oldest first)
    let mut sy: Vec<Vec<f64>> = Vec::new();
    let mut yy: Vec<Vec<f64>> = Vec::new();
    let mut d = vec![0.0f64; n];
    let mut theta_new = vec![0.0f64; n];
    let mut grad_new = vec![0.0f64; n];
    let mut iter = 0usize;
    let mut converged = false;
    // A cancelled fit stops at the start of an iteration; the driver reports Error::Interrupted.
    while iter < max_iter && !crate::cancel::requested() {
        let m = s_hist.len();
        // Pass 1: S^T g and Y^T g.
        let gdots = if m > 0 {
            let (sh, yh, g) = (&s_hist, &y_hist, &grad);
            chunked_sums(n, 2 * m, |r| {
                let mut acc = vec![0.0f64; 2 * m];
                let gg = &g[r.clone()];
                for i in 0..m {
                    acc[i] = dot8(&sh[i][r.clone()], gg);
                    acc[m + i] = dot8(&yh[i][r.clone()], gg);
                }
                acc
            })
        } else {
            Vec::new()
        };
        // The two loops on scalars.
        let mut alpha = vec![0.0f64; m];
        for i in (0..m).rev() {
            let mut sq = gdots[i];
            for j in i + 1..m {
                sq -= alpha[j] * sy[i][j];
            }
            alpha[i] = rho[i] * sq;
        }
        let gamma = if m > 0 {
            1.0 / (rho[m - 1] * yy[m - 1][m - 1])
        } else {
            1.0 / pmax_abs(&grad).max(1.0)
        };
        let mut cs = vec![0.0f64; m];
        for i in 0..m {
            let mut yq = gdots[m + i];
            for j in 0..m {
                yq -= alpha[j] * yy[i][j];
            }
            let mut yr = gamma * yq;
            for j in 0..i {
                yr += cs[j] * sy[j][i];
            }
            let beta = rho[i] * yr;
            cs[i] = alpha[i] - beta;
        }
        // Pass 2: d = -(gamma g - gamma sum_j alpha_j y_j + sum_j cs_j s_j), and g.d.
        {
            let (sh, yh, g) = (&s_hist, &y_hist, &grad);
            let cyf: Vec<f64> = alpha.iter().map(|a| -gamma * a).collect();
            d.par_chunks_mut(VEC_CHUNK).enumerate().for_each(|(c, dc)| {
                let r0 = c * VEC_CHUNK;
                let gg = &g[r0..r0 + dc.len()];
                for (e, v) in dc.iter_mut().enumerate() {
                    *v = gamma * gg[e];
                }
                for i in 0..m {
                    let (sv, yv) = (&sh[i][r0..r0 + dc.len()], &yh[i][r0..r0 + dc.len()]);
                    let (a, b) = (cyf[i], cs[i]);
                    for (e, v) in dc.iter_mut().enumerate() {
                        *v += a * yv[e] as f64 + b * sv[e] as f64;
                    }
                }
                for v in dc.iter_mut() {
                    *v = -*v;
                }
            });
        }
        let mut gd = pdot(&grad, &d);
        if !(gd < 0.0) {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            sy.clear();
            yy.clear();
            let sc = 1.0 / pmax_abs(&grad).max(1.0);
            for (a, &b) in d.iter_mut().zip(&grad) {
                *a = -sc * b;
            }
            gd = pdot(&grad, &d);
        }
        // Backtracking line search (Armijo, c1 = 1e-4).
        let mut step = 1.0f64;
        let mut f_new = f;
        let mut accepted = false;
        for _ in 0..50 {
            if crate::cancel::requested() {
                break; // not accepted: the loop below ends, the driver reports the interrupt
            }
            theta_new
                .par_chunks_mut(VEC_CHUNK)
                .zip(theta.par_chunks(VEC_CHUNK).zip(d.par_chunks(VEC_CHUNK)))
                .for_each(|(tn, (t, dd))| {
                    for ((a, &b), &c) in tn.iter_mut().zip(t).zip(dd) {
                        *a = b + step * c;
                    }
                });
            f_new = p.eval(&theta_new, &mut grad_new, &mut z);
            if f_new.is_finite() && f_new <= f + 1e-4 * step * gd {
                accepted = true;
                break;
            }
            step *= 0.5;
        }
        iter += 1;
        if !accepted {
            // No decrease possible at machine precision: as scipy does (ABNORMAL_TERMINATION),
            // stop; report convergence only if the gradient is already small.
            converged = pmax_abs(&grad) <= tol;
            break;
        }
        // Pass 3: the new pair and its inner products with the pairs that stay.
        let full = s_hist.len() == MEMORY;
        let mut s_vec = if full { s_hist.remove(0) } else { vec![0.0f32; n] };
        let mut y_vec = if full { y_hist.remove(0) } else { vec![0.0f32; n] };
        if full {
            rho.remove(0);
            sy.remove(0);
            yy.remove(0);
            for row in sy.iter_mut().chain(yy.iter_mut()) {
                row.remove(0);
            }
        }
        let mk = s_hist.len();
        s_vec
            .par_chunks_mut(VEC_CHUNK)
            .zip(y_vec.par_chunks_mut(VEC_CHUNK))
            .enumerate()
            .for_each(|(c, (sc, yc))| {
                let r0 = c * VEC_CHUNK;
                for e in 0..sc.len() {
                    sc[e] = (step * d[r0 + e]) as f32;
                    yc[e] = (grad_new[r0 + e] - grad[r0 + e]) as f32;
                }
            });
        let dots = {
            let (sh, yh, sv, yv) = (&s_hist, &y_hist, &s_vec, &y_vec);
            chunked_sums(n, 3 * mk + 2, |r| {
                let mut acc = vec![0.0f64; 3 * mk + 2];
                let (snew, ynew) = (&sv[r.clone()], &yv[r.clone()]);
                for i in 0..mk {
                    let (si, yi) = (&sh[i][r.clone()], &yh[i][r.clone()]);
                    acc[i] = dot8(snew, yi); // s_new . y_i
                    acc[mk + i] = dot8(si, ynew); // s_i . y_new
                    acc[2 * mk + i] = dot8(ynew, yi); // y_new . y_i
                }
                acc[3 * mk] = dot8(snew, ynew);
                acc[3 * mk + 1] = dot8(ynew, ynew);
                acc
            })
        };
        let (sy_nn, yy_nn) = (dots[3 * mk], dots[3 * mk + 1]);
        if sy_nn > 1e-10 * yy_nn.max(f64::MIN_POSITIVE) {
            for i in 0..mk {
                sy[i].push(dots[mk + i]); // s_i . y_new
                yy[i].push(dots[2 * mk + i]);
            }
            let mut row_sy: Vec<f64> = (0..mk).map(|i| dots[i]).collect(); // s_new . y_i
            row_sy.push(sy_nn);
            let mut row_yy: Vec<f64> = (0..mk).map(|i| dots[2 * mk + i]).collect();
            row_yy.push(yy_nn);
            sy.push(row_sy);
            yy.push(row_yy);
            s_hist.push(s_vec);
            y_hist.push(y_vec);
            rho.push(1.0 / sy_nn);
        }
        std::mem::swap(&mut theta, &mut theta_new);
        std::mem::swap(&mut grad, &mut grad_new);
        let f_old = f;
        f = f_new;
        if pmax_abs(&grad) <= tol {
            converged = true;
            break;
        }
        if (f_old - f) / f_old.abs().max(f.abs()).max(1.0) <= 64.0 * f64::EPSILON {
            converged = true;
            break;
        }
    }
    LbfgsResult { theta, n_iter: iter, converged }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (CsrMatrix<f64>, Vec<usize>) {
        let rows = vec![
            vec![1.0, 0.0, 0.5],
            vec![0.9, 0.1, 0.0],
            vec![0.0, 1.0, 0.2],
            vec![0.1, 0.8, 0.0],
            vec![0.0, 0.0, 1.0],
            vec![0.2, 0.1, 0.9],
            vec![0.5, 0.5, 0.5],
        ];
        (CsrMatrix::from_dense(&rows, 3).unwrap(), vec![0, 0, 1, 1, 2, 2, 0])
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let (x, y) = data();
        let s = vec![1.0, 2.0, 1.0, 0.5, 1.0, 1.0, 3.0];
        for k in [1usize, 3] {
            let yy: Vec<usize> = if k == 1 { y.iter().map(|&c| (c == 1) as usize).collect() } else { y.clone() };
            let p = SoftmaxProblem::new(&x, &yy, &s, k, 2.0, true);
            let n = p.n_params();
            let theta: Vec<f64> = (0..n).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3).collect();
            let mut g = vec![0.0; n];
            let mut z = vec![0.0; x.n_rows * k];
            p.eval(&theta, &mut g, &mut z);
            for i in 0..n {
                let h = 1e-6;
                let mut tp = theta.clone();
                tp[i] += h;
                let mut tm = theta.clone();
                tm[i] -= h;
                let mut gg = vec![0.0; n];
                let fd = (p.eval(&tp, &mut gg, &mut z) - p.eval(&tm, &mut gg, &mut z)) / (2.0 * h);
                assert!((fd - g[i]).abs() < 1e-6, "k={k} i={i}: {fd} vs {}", g[i]);
            }
        }
    }

    #[test]
    fn converges_to_stationary_point() {
        let (x, y) = data();
        let s = vec![1.0; 7];
        let p = SoftmaxProblem::new(&x, &y, &s, 3, 1.0, true);
        let r = minimize(&p, 1e-9, 1000, None);
        assert!(r.converged);
        let mut g = vec![0.0; p.n_params()];
        let mut z = vec![0.0; 21];
        p.eval(&r.theta, &mut g, &mut z);
        assert!(pmax_abs(&g) < 1e-6);
        // The intercepts of a softmax are unpenalised: their gradient sums the residuals,
        // so at the optimum the predicted class frequencies match the observed ones.
    }

    #[test]
    fn transpose_round_trip() {
        let (x, _) = data();
        let t = transpose(&x);
        assert_eq!(transpose(&t), x);
    }

    /// The parallel column ranges give the entries of a one-pass transpose, in row order,
    /// for skewed columns (most entries in a few), empty columns and fewer columns than
    /// ranges.
    #[test]
    fn transpose_matches_a_serial_transpose() {
        let mut rng = crate::rng::SplitMix64::new(7);
        for &(n, m) in &[(300usize, 1000usize), (50, 2), (1, 1), (40, 3000)] {
            let rows: Vec<Vec<f64>> = (0..n)
                .map(|_| {
                    (0..m)
                        .map(|j| {
                            let hot = j < 3;
                            let p = if hot { 2 } else { 40 };
                            if rng.below(p) == 0 { (1 + rng.below(9)) as f64 } else { 0.0 }
                        })
                        .collect()
                })
                .collect();
            let x = CsrMatrix::from_dense(&rows, m).unwrap();
            let t = transpose(&x);
            let dense_t: Vec<Vec<f64>> = (0..m).map(|j| (0..n).map(|i| rows[i][j]).collect()).collect();
            assert_eq!(t, CsrMatrix::from_dense(&dense_t, n).unwrap(), "{n} x {m}");
        }
    }
}
