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

/// Transpose a CSR matrix (the result is the CSC form of `x`, seen as CSR of `x^T`).
pub fn transpose<T: Real>(x: &CsrMatrix<T>) -> CsrMatrix<T> {
    let mut counts = vec![0usize; x.n_cols + 1];
    for &j in &x.indices {
        counts[j as usize + 1] += 1;
    }
    for j in 0..x.n_cols {
        counts[j + 1] += counts[j];
    }
    let indptr = counts.clone();
    let mut next = counts;
    let mut indices = vec![0u32; x.nnz()];
    let mut data = vec![T::zero(); x.nnz()];
    for i in 0..x.n_rows {
        let (idx, val) = x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            let p = next[j as usize];
            indices[p] = i as u32;
            data[p] = v;
            next[j as usize] += 1;
        }
    }
    CsrMatrix { n_rows: x.n_cols, n_cols: x.n_rows, indptr, indices, data }
}

fn pdot(a: &[f64], b: &[f64]) -> f64 {
    let parts: Vec<f64> = a
        .par_chunks(VEC_CHUNK)
        .zip(b.par_chunks(VEC_CHUNK))
        .map(|(x, y)| x.iter().zip(y).map(|(p, q)| p * q).sum::<f64>())
        .collect();
    parts.iter().sum()
}

/// y += a * x
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
                for (&j, &v) in idx.iter().zip(val) {
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
    pub f: f64,
}

/// L-BFGS from theta = 0.
pub fn minimize<T: Real>(p: &SoftmaxProblem<'_, T>, tol: f64, max_iter: usize) -> LbfgsResult {
    let n = p.n_params();
    let mut theta = vec![0.0f64; n];
    let mut grad = vec![0.0f64; n];
    let mut z = vec![0.0f64; p.x.n_rows * p.k];
    let mut f = p.eval(&theta, &mut grad, &mut z);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho_hist: Vec<f64> = Vec::new();
    let mut d = vec![0.0f64; n];
    let mut theta_new = vec![0.0f64; n];
    let mut grad_new = vec![0.0f64; n];
    let mut iter = 0usize;
    if pmax_abs(&grad) <= tol {
        return LbfgsResult { theta, n_iter: 0, converged: true, f };
    }
    let mut converged = false;
    let mut alphas = vec![0.0f64; MEMORY];
    while iter < max_iter {
        // Two-loop recursion: d = -H grad.
        d.par_chunks_mut(VEC_CHUNK).zip(grad.par_chunks(VEC_CHUNK)).for_each(|(a, b)| {
            a.copy_from_slice(b)
        });
        let m = s_hist.len();
        for i in (0..m).rev() {
            let a = rho_hist[i] * pdot(&s_hist[i], &d);
            alphas[i] = a;
            paxpy(&mut d, -a, &y_hist[i]);
        }
        let gamma = if m > 0 {
            let yy = pdot(&y_hist[m - 1], &y_hist[m - 1]);
            1.0 / (rho_hist[m - 1] * yy)
        } else {
            // First step: unit length in the max-norm, as a safe start.
            1.0 / pmax_abs(&grad).max(1.0)
        };
        d.par_chunks_mut(VEC_CHUNK).for_each(|c| c.iter_mut().for_each(|v| *v *= gamma));
        for i in 0..m {
            let b = rho_hist[i] * pdot(&y_hist[i], &d);
            paxpy(&mut d, alphas[i] - b, &s_hist[i]);
        }
        d.par_chunks_mut(VEC_CHUNK).for_each(|c| c.iter_mut().for_each(|v| *v = -*v));
        let mut gd = pdot(&grad, &d);
        if gd >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho_hist.clear();
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
        // Curvature pair.
        let mut s_vec = if s_hist.len() == MEMORY { s_hist.remove(0) } else { vec![0.0; n] };
        let mut y_vec = if y_hist.len() == MEMORY { y_hist.remove(0) } else { vec![0.0; n] };
        if rho_hist.len() == MEMORY {
            rho_hist.remove(0);
        }
        s_vec.par_chunks_mut(VEC_CHUNK).zip(d.par_chunks(VEC_CHUNK)).for_each(|(a, b)| {
            for (p, &q) in a.iter_mut().zip(b) {
                *p = step * q;
            }
        });
        y_vec
            .par_chunks_mut(VEC_CHUNK)
            .zip(grad_new.par_chunks(VEC_CHUNK).zip(grad.par_chunks(VEC_CHUNK)))
            .for_each(|(a, (gn, g))| {
                for ((p, &q), &r) in a.iter_mut().zip(gn).zip(g) {
                    *p = q - r;
                }
            });
        let sy = pdot(&s_vec, &y_vec);
        if sy > 1e-12 * pdot(&y_vec, &y_vec).max(f64::MIN_POSITIVE) {
            s_hist.push(s_vec);
            y_hist.push(y_vec);
            rho_hist.push(1.0 / sy);
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
    LbfgsResult { theta, n_iter: iter, converged, f }
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
        let r = minimize(&p, 1e-9, 1000);
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
}
