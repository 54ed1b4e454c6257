//! Primal coordinate descent for the L1 and elastic-net penalties, one binary problem at a
//! time on X column by column ([`ColumnMajor`]):
//!
//! - [`glmnet`]: logistic regression by newGLMNET (Yuan, Ho and Lin, "An improved GLMNET for
//!   L1-regularized logistic regression", JMLR 13, 2012): Newton steps whose direction is
//!   found by coordinate descent on the quadratic model, with shrinking and a line search;
//!   the L2 part of an elastic-net penalty is kept in the quadratic model;
//! - [`l1svc`]: the L1-regularised squared-hinge SVM by coordinate descent with a
//!   one-variable Newton step and line search per feature (Yuan, Chang, Hsieh and Lin, "A
//!   comparison of optimization methods and software for large-scale L1-regularized linear
//!   classification", JMLR 11, 2010, Section 4.1.2; LIBLINEAR's L1-regularised L2-loss SVC).
//!
//! Each problem is `min_w sum_j (l1_j |w_j| + l2_j / 2 w_j^2) + sum_i C_i loss(y_i w.x_i)`,
//! where the last coordinate is the bias feature when there is one ([`Reg`] says how it is
//! penalised). The stopping rule is LIBLINEAR's for these solvers, which scikit-learn's `tol`
//! refers to: the 1-norm of the minimum-norm subgradient over the active features at most
//! `tol` times its value at the start; the shrunk features are then checked again.
//! Both take a starting point `w0` (for warm starts).

pub(crate) mod glmnet;
pub(crate) mod l1svc;
#[cfg(test)]
mod tests;

use super::columns::ColumnMajor;

/// The penalty of one problem: `l1 |w_j| + l2 / 2 w_j^2` on every coordinate, except the
/// last (the bias) when `free_bias` is set, which is not penalised.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reg {
    pub l1: f64,
    pub l2: f64,
    pub free_bias: bool,
}

impl Reg {
    /// `(l1, l2)` of coordinate `j` of `n` coordinates.
    #[inline(always)]
    pub(crate) fn of(&self, j: usize, n: usize) -> (f64, f64) {
        if self.free_bias && j + 1 == n {
            (0.0, 0.0)
        } else {
            (self.l1, self.l2)
        }
    }
}

/// One binary problem: X column by column, labels `y` in {-1, +1}, per-row weights `c`
/// (`C_i`), the penalty, and the stopping parameters (`tol`, `max_iter` outer iterations, the
/// seed of the visiting order).
pub(crate) struct Binary<'a, T> {
    pub cols: &'a ColumnMajor<T>,
    pub y: &'a [f64],
    pub c: &'a [f64],
    pub reg: Reg,
    pub tol: f64,
    pub max_iter: usize,
    pub seed: u64,
}

/// A solver's starting state: the weights (`w0`, or zero), the margins `y_i w.x_i`, every
/// feature active, the visiting order's generator and the stopping rule's reference (known
/// now for a warm start, else measured in the first pass: `None`).
pub(super) struct Start {
    pub w: Vec<f64>,
    pub m: Vec<f64>,
    pub active: Vec<usize>,
    pub rng: crate::rng::SplitMix64,
    pub gnorm1_init: Option<f64>,
}

impl<T: crate::sparse::Real> Binary<'_, T> {
    /// The starting state from `w0`; `dloss0` is the loss's derivative at margin 0.
    pub(super) fn start(&self, w0: Option<&[f64]>, dloss0: f64) -> Start {
        let nc = self.cols.n_cols;
        let w = w0.map_or_else(|| vec![0.0; nc], <[f64]>::to_vec);
        Start {
            m: margins(self.cols, self.y, &w),
            w,
            active: (0..nc).collect(),
            rng: crate::rng::SplitMix64::new(self.seed),
            gnorm1_init: w0.map(|_| gnorm1_at_zero(self.cols, self.y, self.c, self.reg, dloss0)),
        }
    }
}

/// How many features ahead of the one visited the next ones' data is requested
/// ([`prefetch_ahead`]): their column pointers at twice this distance, their columns' first
/// rows and values and their per-feature values at this distance.
const AHEAD: usize = 8;

/// Cache hints for the features visited after `active[s]`: in a random visiting order over
/// hundreds of thousands of features, each feature's column pointer, column start and
/// per-feature values (`per_feature`: the weights and such) are cache misses, which cost
/// more than the work on a short column. No effect on results.
#[inline(always)]
pub(super) fn prefetch_ahead<T: crate::sparse::Real>(cols: &ColumnMajor<T>, active: &[usize], s: usize, per_feature: [&[f64]; 2]) {
    if let Some(&j) = active.get(s + 2 * AHEAD) {
        cols.prefetch_col(j, false);
    }
    if let Some(&j) = active.get(s + AHEAD) {
        cols.prefetch_col(j, true);
        for v in per_feature {
            crate::hw::prefetch_ptr(v.as_ptr().wrapping_add(j));
        }
    }
}

/// The end of an outer iteration with subgradient norm `gnorm1` over the active set: true
/// when the stopping rule holds on every feature; when it holds on the shrunk set only,
/// every feature becomes active again (and the shrinking threshold `gmax_old` is reset).
pub(super) fn met(gnorm1: f64, tol: f64, init: f64, active: &mut Vec<usize>, nc: usize, gmax_old: &mut f64) -> bool {
    if gnorm1 > tol * init {
        return false;
    }
    if active.len() == nc {
        return true;
    }
    active.clear();
    active.extend(0..nc);
    *gmax_old = f64::INFINITY;
    false
}

/// A solved problem: the weights (one per column of the [`ColumnMajor`], the bias last),
/// the outer iterations and whether the stopping rule was met.
pub(crate) struct Solution {
    pub w: Vec<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

/// The minimum-norm subgradient's magnitude at coordinate value `w` with smooth gradient `g`
/// and L1 weight `l1`, and whether the coordinate may be shrunk (it is 0 and its gradient
/// lies well inside `[-l1, l1]`: inside by `bound`, the previous pass's largest violation
/// over the number of rows, as LIBLINEAR).
#[inline(always)]
pub(super) fn violation(w: f64, g: f64, l1: f64, bound: f64) -> (f64, bool) {
    let (gp, gn) = (g + l1, g - l1);
    if w == 0.0 {
        if gp < 0.0 {
            (-gp, false)
        } else if gn > 0.0 {
            (gn, false)
        } else {
            (0.0, l1 > 0.0 && gp > bound && gn < -bound)
        }
    } else if w > 0.0 {
        (gp.abs(), false)
    } else {
        (gn.abs(), false)
    }
}

/// Feature `active[*s]` with violation and shrink flag `vs` ([`violation`]): dropped from
/// `active` when it may be shrunk (returns false); otherwise its violation is added to the
/// pass's largest and total, `*s` moves on, and it stays (true).
#[inline(always)]
pub(super) fn keep(active: &mut Vec<usize>, s: &mut usize, vs: (f64, bool), gmax: &mut f64, gnorm1: &mut f64) -> bool {
    let (viol, shrink) = vs;
    if shrink {
        active.swap_remove(*s);
        return false;
    }
    *s += 1;
    *gmax = gmax.max(viol);
    *gnorm1 += viol;
    true
}

/// The minimiser `z` of `g z + h / 2 z^2 + l1 |w + z|` (`h > 0`): soft thresholding.
#[inline(always)]
pub(super) fn newton_step(w: f64, g: f64, h: f64, l1: f64) -> f64 {
    let (gp, gn) = (g + l1, g - l1);
    if gp < h * w {
        -gp / h
    } else if gn > h * w {
        -gn / h
    } else {
        -w
    }
}

/// The stopping rule's reference: the 1-norm of the minimum-norm subgradient at `w = 0`,
/// where every row's loss has the derivative `dloss0` (with respect to its margin). A cold
/// start measures it in its first pass; a warm start takes it from here, so that the rule
/// means the same from any starting point.
pub(super) fn gnorm1_at_zero<T: crate::sparse::Real>(cols: &ColumnMajor<T>, y: &[f64], c: &[f64], reg: Reg, dloss0: f64) -> f64 {
    (0..cols.n_cols)
        .map(|j| {
            let (rows, vals) = cols.col(j);
            let g: f64 = rows.iter().zip(vals).map(|(&i, &v)| c[i as usize] * dloss0 * y[i as usize] * v.as_f64()).sum();
            violation(0.0, g, reg.of(j, cols.n_cols).0, f64::INFINITY).0
        })
        .sum()
}

/// `y_i (X w)_i` for every row, from the columns.
pub(super) fn margins<T: crate::sparse::Real>(cols: &ColumnMajor<T>, y: &[f64], w: &[f64]) -> Vec<f64> {
    let mut m = vec![0.0; cols.n_rows];
    for (j, &wj) in w.iter().enumerate() {
        if wj != 0.0 {
            let (rows, vals) = cols.col(j);
            for (&i, &v) in rows.iter().zip(vals) {
                m[i as usize] += wj * v.as_f64();
            }
        }
    }
    m.iter_mut().zip(y).for_each(|(m, &y)| *m *= y);
    m
}
