//! The primal solvers against their optimality conditions on small problems, and their
//! determinism.

use super::{glmnet, l1svc, Binary, Reg};
use crate::linear::columns::ColumnMajor;
use crate::rng::SplitMix64;
use crate::sparse::CsrMatrix;

/// A random sparse problem: `n x d`, about a third of the entries set, labels from a
/// sparse linear rule with noise, and per-row weights `C_i` in [0.5, 1.5).
fn problem(n: usize, d: usize, seed: u64) -> (CsrMatrix<f64>, Vec<f64>, Vec<f64>) {
    let mut r = SplitMix64::new(seed);
    let mut u = || (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let rows: Vec<Vec<f64>> =
        (0..n).map(|_| (0..d).map(|_| if u() < 0.35 { u() * 2.0 - 0.5 } else { 0.0 }).collect()).collect();
    let y = rows
        .iter()
        .map(|x| if x[0] - x[1] + 0.5 * x[2] + 0.3 * (u() - 0.5) > 0.1 { 1.0 } else { -1.0 })
        .collect();
    let c = (0..n).map(|_| 0.5 + u()).collect();
    (CsrMatrix::from_dense(&rows, d).unwrap(), y, c)
}

/// The largest violation of the optimality conditions of `sum_j (l1 |w_j| + l2/2 w_j^2) +
/// sum_i C_i loss(y_i w.x_i)` given the loss's gradient at each row's margin.
fn kkt(cols: &ColumnMajor<f64>, w: &[f64], y: &[f64], c: &[f64], reg: Reg, dloss: fn(f64) -> f64) -> f64 {
    let m = super::margins(cols, y, w);
    let mut worst = 0.0f64;
    for j in 0..cols.n_cols {
        let (l1, l2) = reg.of(j, cols.n_cols);
        let (rows, vals) = cols.col(j);
        let g: f64 = l2 * w[j]
            + rows.iter().zip(vals).map(|(&i, &v)| c[i as usize] * dloss(m[i as usize]) * y[i as usize] * v).sum::<f64>();
        worst = worst.max(super::violation(w[j], g, l1, f64::INFINITY).0);
    }
    worst
}

fn logistic_dloss(m: f64) -> f64 {
    -1.0 / (1.0 + m.exp())
}

fn sq_hinge_dloss(m: f64) -> f64 {
    -2.0 * (1.0 - m).max(0.0)
}

type Solver = fn(&Binary<'_, f64>, Option<&[f64]>) -> super::Solution;

/// `solve` meets the optimality conditions (`dloss`: the loss's derivative) at a tight
/// tolerance, some weights zero and some not when `sparse`, and a warm start from that
/// optimum stops at once.
#[allow(clippy::too_many_arguments)]
fn check_optimum(solve: Solver, x: &CsrMatrix<f64>, y: &[f64], c: &[f64], bias: f64, reg: Reg, dloss: fn(f64) -> f64, sparse: bool) {
    let cols = ColumnMajor::of(x, bias).unwrap();
    let s = solve(&Binary { cols: &cols, y, c, reg, tol: 1e-10, max_iter: 10_000, seed: 7 }, None);
    assert!(s.converged, "{reg:?}");
    let v = kkt(&cols, &s.w, y, c, reg, dloss);
    assert!(v < 1e-6, "{reg:?}: violation {v}");
    if sparse {
        assert!(s.w.iter().any(|&w| w == 0.0) && s.w.iter().any(|&w| w != 0.0), "{:?}", s.w);
    }
    let again = solve(&Binary { cols: &cols, y, c, reg, tol: 1e-3, max_iter: 1000, seed: 7 }, Some(&s.w));
    assert!(again.converged && again.n_iter <= 1, "{}", again.n_iter);
}

#[test]
fn glmnet_meets_the_optimality_conditions() {
    let (x, y, c) = problem(120, 15, 3);
    for (bias, reg) in [
        (1.0, Reg { l1: 1.0, l2: 0.0, free_bias: false }),
        (0.0, Reg { l1: 1.0, l2: 0.0, free_bias: false }),
        (1.0, Reg { l1: 0.5, l2: 0.5, free_bias: true }),
        (1.0, Reg { l1: 0.0, l2: 1.0, free_bias: true }),
    ] {
        check_optimum(glmnet::solve, &x, &y, &c, bias, reg, logistic_dloss, reg.l1 > 0.0);
    }
}

#[test]
fn l1svc_meets_the_optimality_conditions() {
    let (x, y, mut c) = problem(150, 12, 5);
    c.iter_mut().for_each(|v| *v *= 0.05);
    for bias in [1.0, 0.0] {
        let reg = Reg { l1: 1.0, l2: 0.0, free_bias: false };
        check_optimum(l1svc::solve, &x, &y, &c, bias, reg, sq_hinge_dloss, true);
    }
}

#[test]
fn a_large_penalty_gives_zero_weights() {
    let (x, y, mut c) = problem(60, 8, 11);
    c.iter_mut().for_each(|v| *v *= 1e-4);
    let cols = ColumnMajor::of(&x, 1.0).unwrap();
    let reg = Reg { l1: 1.0, l2: 0.0, free_bias: false };
    for s in [
        glmnet::solve(&Binary { cols: &cols, y: &y, c: &c, reg, tol: 1e-6, max_iter: 100, seed: 1 }, None),
        l1svc::solve(&Binary { cols: &cols, y: &y, c: &c, reg, tol: 1e-6, max_iter: 100, seed: 1 }, None),
    ] {
        assert!(s.converged);
        assert!(s.w.iter().all(|&w| w == 0.0), "{:?}", s.w);
    }
}

#[test]
fn the_fit_is_the_same_for_any_thread_count() {
    use crate::linear::{fit, LinearParams, ModelKind, Penalty, Target};
    let (x, _, _) = problem(200, 20, 13);
    let yc: Vec<usize> = (0..200).map(|i| (i * 7 + i / 3) % 4).collect();
    let t = Target::Multiclass { y: yc, n_classes: 4 };
    for (kind, penalty) in [
        (ModelKind::Logistic { multinomial: false }, Penalty::L1),
        (ModelKind::Logistic { multinomial: true }, Penalty::ElasticNet { l1_ratio: 0.3 }),
        (ModelKind::Svm { hinge: false }, Penalty::L1),
    ] {
        let p = LinearParams { kind, penalty, c: 2.0, ..Default::default() };
        let a = fit(&x, &t, None, &p, Some(1)).unwrap();
        let b = fit(&x, &t, None, &p, Some(3)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.coef.len(), 4 * 20);
    }
}

#[test]
fn l1_with_the_hinge_loss_is_refused() {
    use crate::linear::{LinearParams, ModelKind, Penalty};
    let p = LinearParams { kind: ModelKind::Svm { hinge: true }, penalty: Penalty::L1, ..Default::default() };
    assert!(p.validate().unwrap_err().to_string().contains("penalty='l1' and loss='hinge'"));
    let p = LinearParams { kind: ModelKind::Svm { hinge: false }, penalty: Penalty::ElasticNet { l1_ratio: 0.5 }, ..Default::default() };
    assert!(p.validate().is_err());
    let p = LinearParams { kind: ModelKind::Logistic { multinomial: false }, penalty: Penalty::ElasticNet { l1_ratio: 1.5 }, ..Default::default() };
    assert!(p.validate().is_err());
}
