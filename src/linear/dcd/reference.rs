//! The one-problem solvers, as published: the references the batched solvers are tested
//! against (`#[cfg(test)]`: fits use the batched solvers only).
//! - [`svm`]: Hsieh et al. 2008, Algorithm 1 with random permutation and shrinking;
//! - [`logistic`]: Yu, Huang and Lin 2011, Algorithm 5.

use super::batch::{Table, Weight};
use super::coef::BatchSolution;
use super::logistic::newton_sub_problem;
use super::problem::Problem;
use crate::rng::SplitMix64;
use crate::sparse::Real;

/// The result of one binary solve.
#[derive(Clone, Debug)]
pub struct BinarySolution {
    /// Weights of the real features.
    pub w: Vec<f64>,
    /// Weight of the bias feature (0 without a bias); the intercept is `w_bias * bias`.
    pub w_bias: f64,
    pub n_iter: usize,
    pub converged: bool,
}

impl<'a, T: Real> Problem<'a, T> {
    #[inline]
    fn dot(&self, w: &[f64], w_bias: f64, i: usize) -> f64 {
        let (idx, val) = self.x.row(i);
        let mut s = 0.0f64;
        for (&j, &v) in idx.iter().zip(val) {
            // SAFETY-free: indices were checked < n_cols when the matrix was built.
            s += w[j as usize] * v.as_f64();
        }
        s + w_bias * self.bias
    }

    #[inline(always)]
    fn axpy(&self, w: &mut [f64], w_bias: &mut f64, i: usize, d: f64) {
        let (idx, val) = self.x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            w[j as usize] += d * v.as_f64();
        }
        *w_bias += d * self.bias;
    }
}

/// Dual CD for the L2-regularised SVM. `y[i]` is +1 or -1, `c[i] >= 0` the per-sample
/// bound; samples with `c[i] == 0` do not take part. `hinge` selects the L1 loss.
pub fn svm<T: Real>(
    p: &Problem<'_, T>,
    y: &[f64],
    c: &[f64],
    hinge: bool,
    tol: f64,
    max_iter: usize,
    seed: u64,
) -> BinarySolution {
    let n_features = p.x.n_cols;
    let mut w = vec![0.0f64; n_features];
    let mut w_bias = 0.0f64;
    let mut index: Vec<usize> = (0..p.x.n_rows).filter(|&i| c[i] > 0.0).collect();
    let n_active_total = index.len();
    let mut alpha = vec![0.0f64; p.x.n_rows];
    let bias_sq = p.bias * p.bias;
    // L1 loss: box [0, C_i], no diagonal. L2 loss: [0, inf), diagonal 1 / (2 C_i).
    let (upper, diag): (Vec<f64>, Vec<f64>) = if hinge {
        (c.to_vec(), vec![0.0; c.len()])
    } else {
        (
            vec![f64::INFINITY; c.len()],
            c.iter().map(|&ci| if ci > 0.0 { 0.5 / ci } else { 0.0 }).collect(),
        )
    };
    let qd: Vec<f64> = (0..p.x.n_rows).map(|i| p.row_sq_norms[i] + bias_sq + diag[i]).collect();

    let mut rng = SplitMix64::new(seed);
    let mut active = n_active_total;
    let mut pg_max_old = f64::INFINITY;
    let mut pg_min_old = f64::NEG_INFINITY;
    let mut iter = 0usize;
    let mut converged = false;
    if n_active_total == 0 {
        return BinarySolution { w, w_bias, n_iter: 0, converged: true };
    }
    while iter < max_iter {
        let mut pg_max_new = f64::NEG_INFINITY;
        let mut pg_min_new = f64::INFINITY;
        rng.shuffle(&mut index[..active]);
        let mut s = 0usize;
        while s < active {
            let i = index[s];
            let yi = y[i];
            let g = yi * p.dot(&w, w_bias, i) - 1.0 + diag[i] * alpha[i];
            let ui = upper[i];
            let mut pg = 0.0;
            if alpha[i] == 0.0 {
                if g > pg_max_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                } else if g < 0.0 {
                    pg = g;
                }
            } else if alpha[i] == ui {
                if g < pg_min_old {
                    active -= 1;
                    index.swap(s, active);
                    continue;
                } else if g > 0.0 {
                    pg = g;
                }
            } else {
                pg = g;
            }
            pg_max_new = pg_max_new.max(pg);
            pg_min_new = pg_min_new.min(pg);
            if pg.abs() > 1e-12 && qd[i] > 0.0 {
                let old = alpha[i];
                let new = (old - g / qd[i]).max(0.0).min(ui);
                alpha[i] = new;
                let d = (new - old) * yi;
                if d != 0.0 {
                    p.axpy(&mut w, &mut w_bias, i, d);
                }
            }
            s += 1;
        }
        iter += 1;
        if pg_max_new - pg_min_new <= tol {
            if active == n_active_total {
                converged = true;
                break;
            }
            // Converged on the shrunk set: check again on every sample.
            active = n_active_total;
            pg_max_old = f64::INFINITY;
            pg_min_old = f64::NEG_INFINITY;
            continue;
        }
        pg_max_old = if pg_max_new <= 0.0 { f64::INFINITY } else { pg_max_new };
        pg_min_old = if pg_min_new >= 0.0 { f64::NEG_INFINITY } else { pg_min_new };
    }
    BinarySolution { w, w_bias, n_iter: iter, converged }
}

/// Dual CD for L2-regularised logistic regression (Yu, Huang and Lin 2011, Algorithm 5).
/// Stops when the largest sub-problem gradient of an epoch is below `tol`.
pub fn logistic<T: Real>(
    p: &Problem<'_, T>,
    y: &[f64],
    c: &[f64],
    tol: f64,
    max_iter: usize,
    seed: u64,
) -> BinarySolution {
    let n = p.x.n_rows;
    let mut w = vec![0.0f64; p.x.n_cols];
    let mut w_bias = 0.0f64;
    let mut index: Vec<usize> = (0..n).filter(|&i| c[i] > 0.0).collect();
    if index.is_empty() {
        return BinarySolution { w, w_bias, n_iter: 0, converged: true };
    }
    // alpha[2i] is alpha_i, alpha[2i+1] is C_i - alpha_i (kept apart for accuracy near C_i).
    let mut alpha = vec![0.0f64; 2 * n];
    let bias_sq = p.bias * p.bias;
    for &i in &index {
        let a = (1e-3 * c[i]).min(1e-8);
        alpha[2 * i] = a;
        alpha[2 * i + 1] = c[i] - a;
        p.axpy(&mut w, &mut w_bias, i, y[i] * a);
    }
    let mut inner_eps = 1e-2f64;
    let inner_eps_min = tol.min(1e-8);
    let mut rng = SplitMix64::new(seed);
    let mut iter = 0usize;
    let mut converged = false;
    let n_used = index.len();
    while iter < max_iter {
        rng.shuffle(&mut index);
        let mut newton_steps = 0usize;
        let mut g_max = 0.0f64;
        for s in 0..n_used {
            let i = index[s];
            let yi = y[i];
            let ci = c[i];
            let a = p.row_sq_norms[i] + bias_sq;
            let b = yi * p.dot(&w, w_bias, i);
            // Algorithm 4 (the sub-problem), shared with the batched solver.
            let (g, steps, step) = newton_sub_problem(&mut alpha, 2 * i, a, b, ci, inner_eps);
            g_max = g_max.max(g);
            newton_steps += steps;
            if let Some(s) = step {
                let d = s * yi;
                if d != 0.0 {
                    p.axpy(&mut w, &mut w_bias, i, d);
                }
            }
        }
        iter += 1;
        if g_max < tol {
            converged = true;
            break;
        }
        if newton_steps <= n_used / 10 {
            inner_eps = inner_eps_min.max(0.1 * inner_eps);
        }
    }
    BinarySolution { w, w_bias, n_iter: iter, converged }
}

impl BatchSolution {
    /// One [`BinarySolution`] per task (features in the problem's numbering).
    pub fn into_binary(self) -> Vec<BinarySolution> {
        let ws = match &self.w {
            Table::F64(w) => task_major(w, self.k),
            Table::F32(w) => task_major(w, self.k),
        };
        ws.into_iter()
            .enumerate()
            .map(|(t, w)| BinarySolution { w, w_bias: self.w_bias[t], n_iter: self.n_iter[t], converged: self.converged[t] })
            .collect()
    }
}

/// A feature-major table as one weight vector per task, in one sequential pass writing k
/// streams (k strided passes would each read the whole table).
fn task_major<W: Weight>(w: &[W], k: usize) -> Vec<Vec<f64>> {
    let n_features = w.len() / k.max(1);
    let mut ws: Vec<Vec<f64>> = (0..k).map(|_| Vec::with_capacity(n_features)).collect();
    for row in w.chunks_exact(k.max(1)) {
        for (w, &v) in ws.iter_mut().zip(row) {
            w.push(v.get());
        }
    }
    ws
}
