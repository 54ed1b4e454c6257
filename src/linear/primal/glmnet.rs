//! L1- and elastic-net-regularised logistic regression by newGLMNET (Yuan, Ho and Lin, JMLR
//! 13, 2012), one binary problem, on X column by column.
//!
//! Each outer (Newton) iteration takes the gradient `g` and the diagonal of the Hessian of
//! the smooth part `L(w) = sum_i C_i log(1 + exp(-y_i w.x_i)) + l2 / 2 ||w||^2` at `w`, drops
//! from the active set the features at zero whose gradient lies well inside `[-l1, l1]`
//! (shrinking), and stops when the 1-norm of the minimum-norm subgradient over the active
//! set is at most `tol` times its first value. Otherwise it finds a direction `d` by cyclic
//! coordinate descent (random order, its own shrinking) on the quadratic model
//! `g.d + 1/2 d' (X' D X + (l2 + nu) I) d + l1 ||w + d||_1`, to a tolerance that tightens
//! (x 1/4) each time one inner pass was enough, then backtracks `t = 1, 1/2, ...` until
//! `F(w + t d) - F(w) <= sigma t (g.d + l1 ||w + d||_1 - l1 ||w||_1)` (Armijo, sigma = 0.01),
//! with `F` the whole objective. The loss change of a row is computed as
//! `log1p(p_i expm1(-delta_i))` (`p_i` the row's probability of the wrong label, `delta_i`
//! its change of margin), exact even when the objective barely moves.

use super::{keep, met, newton_step, violation, Binary, Solution, Start};
use crate::sparse::Real;

/// Passes of the inner coordinate descent per Newton step, at most.
const INNER_MAX_ITER: usize = 1000;
/// Halvings of the step, at most.
const MAX_LINE_SEARCH: usize = 20;
/// Armijo's constant.
const SIGMA: f64 = 0.01;
/// Added to the Hessian's diagonal (keeps the one-variable steps finite on empty columns).
const NU: f64 = 1e-12;

/// `sigma(-m) = 1 / (1 + exp(m))` and `sigma(m)`, the probabilities of the wrong and the
/// right label at margin `m`, each computed without cancellation.
#[inline(always)]
fn probs(m: f64) -> (f64, f64) {
    if m >= 0.0 {
        let e = (-m).exp();
        (e / (1.0 + e), 1.0 / (1.0 + e))
    } else {
        let e = m.exp();
        (1.0 / (1.0 + e), e / (1.0 + e))
    }
}

/// `log(1 + exp(-m))`.
#[inline(always)]
fn softplus_neg(m: f64) -> f64 {
    (-m).max(0.0) + (-m.abs()).exp().ln_1p()
}

/// `loss(m + delta) - loss(m)` for the logistic loss, where `p = sigma(-m)`.
#[inline(always)]
fn loss_change(m: f64, p: f64, delta: f64) -> f64 {
    if -delta < 700.0 {
        (p * (-delta).exp_m1()).ln_1p()
    } else {
        softplus_neg(m + delta) - softplus_neg(m)
    }
}

/// Solves one binary problem (`y` in {-1, +1}, per-row weights `c` = `C_i`) from `w0`
/// (zero when None). `tol` and `max_iter` bound the Newton iterations.
pub(crate) fn solve<T: Real>(p: &Binary<'_, T>, w0: Option<&[f64]>) -> Solution {
    let &Binary { cols, y, c, reg, tol, max_iter, .. } = p;
    let (n, nc) = (cols.n_rows, cols.n_cols);
    let Start { mut w, mut m, mut active, mut rng, gnorm1_init } = p.start(w0, -0.5);
    let mut gnorm1_init = gnorm1_init.unwrap_or(0.0);
    let (mut grad, mut hdiag) = (vec![0.0; nc], vec![0.0; nc]);
    let mut wpd = w.clone();
    let (mut xtd, mut pw, mut dd, mut gc) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut qp_active: Vec<usize> = Vec::with_capacity(nc);
    let mut changed: Vec<usize> = Vec::new();
    let (mut gmax_old, mut inner_eps) = (f64::INFINITY, 1.0);
    let (mut iter, mut converged) = (0, false);
    let rows_f = n.max(1) as f64;
    while iter < max_iter && !crate::cancel::requested() {
        for i in 0..n {
            let (wrong, right) = probs(m[i]);
            pw[i] = wrong;
            dd[i] = c[i] * wrong * right;
            gc[i] = -c[i] * wrong * y[i];
        }
        let (mut gmax_new, mut gnorm1_new) = (0.0f64, 0.0);
        let mut s = 0;
        while s < active.len() {
            let j = active[s];
            let (l1, l2) = reg.of(j, nc);
            let (rows, vals) = cols.col(j);
            let (mut g, mut h) = (l2 * w[j], l2 + NU);
            for (&i, &v) in rows.iter().zip(vals) {
                let (i, v) = (i as usize, v.as_f64());
                g += gc[i] * v;
                h += dd[i] * v * v;
            }
            grad[j] = g;
            hdiag[j] = h;
            if !keep(&mut active, &mut s, violation(w[j], g, l1, gmax_old / rows_f), &mut gmax_new, &mut gnorm1_new) {
                continue;
            }
        }
        if iter == 0 && w0.is_none() {
            gnorm1_init = gnorm1_new;
        }
        if met(gnorm1_new, tol, gnorm1_init, &mut active, nc, &mut gmax_old) {
            converged = true;
            break;
        }
        if gnorm1_new <= tol * gnorm1_init {
            continue; // met on the shrunk set: check again on every feature
        }
        // The direction: coordinate descent on the quadratic model, over wpd = w + d.
        qp_active.clear();
        qp_active.extend_from_slice(&active);
        wpd.copy_from_slice(&w);
        xtd.iter_mut().for_each(|v| *v = 0.0);
        let mut qp_gmax_old = f64::INFINITY;
        let mut inner = 0;
        // polled per inner pass too: one Newton step's inner passes can take seconds
        while inner < INNER_MAX_ITER && !crate::cancel::requested() {
            let (mut qp_gmax_new, mut qp_gnorm1_new) = (0.0f64, 0.0);
            rng.shuffle(&mut qp_active);
            let mut s = 0;
            while s < qp_active.len() {
                let j = qp_active[s];
                let (l1, l2) = reg.of(j, nc);
                let (rows, vals) = cols.col(j);
                let mut g = grad[j] + (wpd[j] - w[j]) * (l2 + NU);
                for (&i, &v) in rows.iter().zip(vals) {
                    let i = i as usize;
                    g += v.as_f64() * dd[i] * xtd[i];
                }
                let vs = violation(wpd[j], g, l1, qp_gmax_old / rows_f);
                if !keep(&mut qp_active, &mut s, vs, &mut qp_gmax_new, &mut qp_gnorm1_new) {
                    continue;
                }
                let z = newton_step(wpd[j], g, hdiag[j], l1);
                if z.abs() < 1e-12 {
                    continue;
                }
                let z = z.clamp(-10.0, 10.0);
                wpd[j] += z;
                for (&i, &v) in rows.iter().zip(vals) {
                    xtd[i as usize] += v.as_f64() * z;
                }
            }
            inner += 1;
            if qp_gnorm1_new <= inner_eps * gnorm1_init {
                if qp_active.len() == active.len() {
                    break;
                }
                qp_active.clear();
                qp_active.extend_from_slice(&active);
                qp_gmax_old = f64::INFINITY;
                continue;
            }
            qp_gmax_old = qp_gmax_new;
        }
        // The line search along d = wpd - w.
        changed.clear();
        changed.extend(active.iter().copied().filter(|&j| wpd[j] != w[j]));
        let mut delta = 0.0;
        for &j in &changed {
            let (l1, _) = reg.of(j, nc);
            delta += grad[j] * (wpd[j] - w[j]) + l1 * (wpd[j].abs() - w[j].abs());
        }
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..MAX_LINE_SEARCH {
            let at = |j: usize, w: &[f64]| if t == 1.0 { wpd[j] } else { w[j] + t * (wpd[j] - w[j]) };
            let mut diff = 0.0;
            for &j in &changed {
                let (l1, l2) = reg.of(j, nc);
                let (a, b) = (w[j], at(j, &w));
                diff += l1 * (b.abs() - a.abs()) + 0.5 * l2 * (b * b - a * a);
            }
            for i in 0..n {
                if xtd[i] != 0.0 {
                    diff += c[i] * loss_change(m[i], pw[i], t * y[i] * xtd[i]);
                }
            }
            if diff <= SIGMA * t * delta {
                for &j in &changed {
                    let v = at(j, &w);
                    w[j] = v;
                }
                for i in 0..n {
                    m[i] += t * y[i] * xtd[i];
                }
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        iter += 1;
        if !accepted {
            // No decrease along the direction: the objective is flat to rounding here.
            break;
        }
        if inner == 1 {
            inner_eps *= 0.25;
        }
        gmax_old = gmax_new;
    }
    Solution { w, n_iter: iter, converged }
}
