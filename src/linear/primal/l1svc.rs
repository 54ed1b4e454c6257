//! The L1-regularised squared-hinge SVM, one binary problem, by coordinate descent on the
//! primal (Yuan, Chang, Hsieh and Lin, JMLR 11, 2010, Section 4.1.2, as LIBLINEAR's L1-
//! regularised L2-loss SVC): `min_w l1 ||w||_1 + sum_i C_i max(0, 1 - y_i w.x_i)^2`.
//!
//! Each pass visits the active features in a random order. For feature `j` it takes the
//! loss's derivative `g` and generalised second derivative `h` (over the rows with positive
//! slack `b_i = 1 - y_i w.x_i`), the soft-thresholded Newton step `d`, and backtracks
//! `d, d/2, ...` until `l1 |w_j + d| - l1 |w_j| + loss change <= sigma (l1 |w_j + d| -
//! l1 |w_j| + g d)`; the loss change is first bounded by `g d + (sum_i C_i x_ij^2) d^2`
//! (which needs no pass over the column), and computed over the column only when that bound
//! fails. Features at zero whose derivative lies well inside `[-l1, l1]` are shrunk; the
//! stopping rule is the 1-norm of the minimum-norm subgradient (see the module notes).
//!
//! Unlike LIBLINEAR, the passes over every feature are not coordinate-descent passes in a
//! random order (a random order over hundreds of thousands of short columns is one cache
//! miss per column and cost most of the time) but checks in column order that only take
//! each feature's gradient ([`check_all`]): one at the start (the stopping rule's
//! reference, the gradient at `w0`) and one each time the rule holds on the active set. A
//! check ends the fit when the rule holds on every feature, else it makes the active set:
//! the features that are non-zero or whose gradient lies outside `[-l1, l1]` shrunk by the
//! check's largest violation over the number of rows (LIBLINEAR's shrinking bound). The
//! coordinate-descent passes then run on the active set only, shrinking it further.

use super::{keep, newton_step, prefetch_ahead, violation, Binary, Reg, Solution, Start};
use crate::linear::columns::ColumnMajor;
use crate::sparse::Real;

/// Halvings of a step, at most.
const MAX_LINE_SEARCH: usize = 20;
/// The line search's sufficient-decrease constant.
const SIGMA: f64 = 0.01;

/// Solves one binary problem (`y` in {-1, +1}, per-row weights `c` = `C_i`) from `w0`
/// (zero when None); `max_iter` bounds the passes.
pub(crate) fn solve<T: Real>(p: &Binary<'_, T>, w0: Option<&[f64]>) -> Solution {
    let &Binary { cols, y, c, reg, tol, max_iter, .. } = p;
    let (n, nc) = (cols.n_rows, cols.n_cols);
    let Start { mut w, m, mut active, mut rng, gnorm1_init } = p.start(w0, -2.0);
    let mut gnorm1_init = gnorm1_init;
    let mut b: Vec<f64> = m.iter().map(|m| 1.0 - m).collect();
    let cy: Vec<f64> = c.iter().zip(y).map(|(c, y)| c * y).collect();
    let xj_sq: Vec<f64> = (0..nc)
        .map(|j| {
            let (rows, vals) = cols.col(j);
            rows.iter().zip(vals).map(|(&i, &v)| c[i as usize] * v.as_f64() * v.as_f64()).sum()
        })
        .collect();
    let mut grad = vec![0.0; nc];
    let mut gmax_old = f64::INFINITY;
    let (mut iter, mut converged, mut check) = (0, false, true);
    let rows_f = n.max(1) as f64;
    loop {
        if check {
            // Every feature, in column order: the stopping rule on all of them, and the
            // features kept active for the next passes.
            let (gnorm1, gmax) = check_all(cols, &b, &cy, reg, &w, &mut grad);
            let init = *gnorm1_init.get_or_insert(gnorm1);
            if gnorm1 <= tol * init {
                converged = true;
                break;
            }
            active.clear();
            active.extend((0..nc).filter(|&j| !violation(w[j], grad[j], reg.of(j, nc).0, gmax / rows_f).1));
            gmax_old = gmax;
            check = false;
        }
        if iter >= max_iter || crate::cancel::requested() {
            break;
        }
        let init = gnorm1_init.unwrap_or(0.0);
        let (mut gmax_new, mut gnorm1_new) = (0.0f64, 0.0);
        rng.shuffle(&mut active);
        let mut s = 0;
        while s < active.len() {
            prefetch_ahead(cols, &active, s, [&w, &xj_sq]);
            let j = active[s];
            let (l1, l2) = reg.of(j, nc);
            let (rows, vals) = cols.col(j);
            let (mut g_loss, mut h) = (0.0, 0.0);
            // Rows without slack add zeros (no branch per row: whether a row has slack is
            // as good as random, and mispredicted branches cost more than the products).
            for (&i, &v) in rows.iter().zip(vals) {
                let (i, v) = (i as usize, v.as_f64());
                let cv = c[i] * v;
                g_loss -= cv * y[i] * b[i].max(0.0);
                h += cv * v * if b[i] > 0.0 { 1.0 } else { 0.0 };
            }
            let g_loss = 2.0 * g_loss;
            let g = g_loss + l2 * w[j];
            let h = (2.0 * h + l2).max(1e-12);
            if !keep(&mut active, &mut s, violation(w[j], g, l1, gmax_old / rows_f), &mut gmax_new, &mut gnorm1_new) {
                continue;
            }
            let mut d = newton_step(w[j], g, h, l1);
            if d.abs() < 1e-12 {
                continue;
            }
            let wj = w[j];
            let mut delta = l1 * ((wj + d).abs() - wj.abs()) + g * d;
            // The step now reflected in b, and the loss over the column at w.
            let mut applied = 0.0;
            let mut loss_old = None;
            let mut accepted = false;
            for _ in 0..MAX_LINE_SEARCH {
                let pen = l1 * ((wj + d).abs() - wj.abs()) + 0.5 * l2 * ((wj + d).powi(2) - wj * wj);
                let mut cond = pen - SIGMA * delta;
                if xj_sq[j] * d * d + g_loss * d + cond <= 0.0 {
                    let shift = d - applied;
                    for (&i, &v) in rows.iter().zip(vals) {
                        b[i as usize] -= shift * y[i as usize] * v.as_f64();
                    }
                    applied = d;
                    accepted = true;
                    break;
                }
                // The loss over the column at w (on the first trial, in the same pass) and
                // at the trial step.
                let first = loss_old.is_none();
                let shift = d - applied;
                let (mut old, mut new) = (0.0, 0.0);
                for (&i, &v) in rows.iter().zip(vals) {
                    let i = i as usize;
                    if first {
                        old += c[i] * b[i].max(0.0).powi(2);
                    }
                    b[i] -= shift * y[i] * v.as_f64();
                    new += c[i] * b[i].max(0.0).powi(2);
                }
                let old = *loss_old.get_or_insert(old);
                applied = d;
                cond += new - old;
                if cond <= 0.0 {
                    accepted = true;
                    break;
                }
                d *= 0.5;
                delta *= 0.5;
            }
            if accepted {
                w[j] = wj + applied;
            } else if applied != 0.0 {
                for (&i, &v) in rows.iter().zip(vals) {
                    b[i as usize] += applied * y[i as usize] * v.as_f64();
                }
            }
        }
        iter += 1;
        if gnorm1_new <= tol * init {
            check = true; // met on the active set: check every feature
        } else {
            gmax_old = gmax_new;
        }
    }
    Solution { w, n_iter: iter, converged }
}

/// The smooth part's gradient of every feature (`grad`) at slacks `b` (`cy` = `C_i y_i`),
/// in column order (X read once, in sequence, no branch per row), and the 1-norm and the
/// largest of the minimum-norm subgradient over all features.
fn check_all<T: Real>(cols: &ColumnMajor<T>, b: &[f64], cy: &[f64], reg: Reg, w: &[f64], grad: &mut [f64]) -> (f64, f64) {
    let nc = cols.n_cols;
    let (mut gnorm1, mut gmax) = (0.0, 0.0f64);
    for (j, g) in grad.iter_mut().enumerate() {
        let (rows, vals) = cols.col(j);
        let mut gl = 0.0;
        for (&i, &v) in rows.iter().zip(vals) {
            let i = i as usize;
            gl -= cy[i] * b[i].max(0.0) * v.as_f64();
        }
        let (l1, l2) = reg.of(j, nc);
        *g = 2.0 * gl + l2 * w[j];
        let viol = violation(w[j], *g, l1, f64::INFINITY).0;
        gnorm1 += viol;
        gmax = gmax.max(viol);
    }
    (gnorm1, gmax)
}
