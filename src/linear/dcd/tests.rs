use super::batch::BatchWeights;
use super::logistic::logistic_batch;
use super::problem::{row_sq_norms, Problem, Task};
use super::reference::{logistic, svm};
use super::svm::{svm_batch, F32_EPOCHS, F32_TOL};
use crate::rng::SplitMix64;
use crate::sparse::CsrMatrix;

/// A matrix and its row norms: what a [`Problem`] borrows.
struct Data {
    x: CsrMatrix<f64>,
    norms: Vec<f64>,
}

impl Data {
    fn new(x: CsrMatrix<f64>) -> Self {
        let norms = row_sq_norms(&x);
        Data { x, norms }
    }

    fn from_rows(rows: &[Vec<f64>], n_cols: usize) -> Self {
        Data::new(CsrMatrix::from_dense(rows, n_cols).unwrap())
    }

    fn problem(&self, bias: f64) -> Problem<'_, f64> {
        Problem { x: &self.x, row_sq_norms: &self.norms, bias }
    }
}

fn toy() -> (Data, Vec<f64>) {
    // Separable 1-D data: x = [-2, -1, 1, 2], y = sign(x).
    let rows = vec![vec![-2.0], vec![-1.0], vec![1.0], vec![2.0]];
    (Data::from_rows(&rows, 1), vec![-1.0, -1.0, 1.0, 1.0])
}

#[test]
fn unchecked_weight_loops_match_the_checked_ones() {
    // Rows longer and shorter than the prefetch distance, every fixed width and a wider one.
    let mut rng = crate::rng::SplitMix64::new(9);
    let nf = 300;
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|i| (0..nf).map(|j| if (j * 7 + i * 13) % (3 + i % 29) == 0 { (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.3 } else { 0.0 }).collect())
        .collect();
    let data = Data::from_rows(&rows, nf);
    let p = data.problem(0.5);
    for k in [1, 2, 3, 7, 10, 13] {
        let mut fast = BatchWeights::new(&p, k).unwrap();
        assert!(fast.fits(&p));
        for v in fast.w.iter_mut() {
            *v = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        }
        let mut slow = BatchWeights { k, w: fast.w.clone(), wb: fast.wb.clone(), checked: (0, 0, 0) };
        assert!(!slow.fits(&p));
        let d: Vec<f64> = (0..k).map(|t| t as f64 * 0.25 - 1.0).collect();
        let (mut za, mut zb) = (vec![0.0; k], vec![0.0; k]);
        for i in 0..data.x.n_rows {
            fast.dots(&p, i, &mut za);
            slow.dots(&p, i, &mut zb);
            assert_eq!(za, zb, "k={k} row {i}");
            fast.axpy(&p, i, &d);
            slow.axpy(&p, i, &d);
        }
        assert_eq!(fast.w, slow.w);
        assert_eq!(fast.wb, slow.wb);
    }
}

#[test]
fn hinge_svm_known_optimum() {
    // min 0.5 w^2 + C sum max(0, 1 - y w x): with C = 10 the margin constraint of the two
    // inner points binds: w = 1 exactly.
    let (data, y) = toy();
    let p = data.problem(0.0);
    let sol = svm(&p, &y, &[10.0; 4], true, 1e-10, 10_000, 1);
    assert!(sol.converged);
    assert!((sol.w[0] - 1.0).abs() < 1e-8, "{:?}", sol.w);
}

#[test]
fn squared_hinge_known_optimum() {
    // With C small the points sit inside the margin; the optimum solves
    // w = 2C sum_i (1 - y_i w x_i) y_i x_i over all four points: w = 2C*6 / (1 + 2C*10).
    let (data, y) = toy();
    let p = data.problem(0.0);
    let c = 0.01;
    let sol = svm(&p, &y, &[c; 4], false, 1e-12, 10_000, 3);
    let expect = 2.0 * c * 6.0 / (1.0 + 2.0 * c * 10.0);
    assert!(sol.converged);
    assert!((sol.w[0] - expect).abs() < 1e-9, "{} vs {expect}", sol.w[0]);
}

#[test]
fn logistic_stationary_point() {
    // At the optimum, w = C sum_i y_i x_i sigmoid(-y_i w x_i).
    let (data, y) = toy();
    let p = data.problem(0.0);
    let c = 0.7;
    let sol = logistic(&p, &y, &[c; 4], 1e-10, 10_000, 5);
    assert!(sol.converged);
    let w = sol.w[0];
    let xs = [-2.0, -1.0, 1.0, 2.0];
    let rhs: f64 = xs
        .iter()
        .zip(&y)
        .map(|(&xi, &yi)| c * yi * xi / (1.0 + (yi * w * xi).exp()))
        .sum();
    assert!((w - rhs).abs() < 1e-7, "{w} vs {rhs}");
}

/// `n` dense rows of `d` values, about a third of them non-zero, in [0, 2).
fn random_rows(seed: u64, n: usize, d: usize) -> Vec<Vec<f64>> {
    let mut r = SplitMix64::new(seed);
    (0..n).map(|_| (0..d).map(|_| if r.below(3) == 0 { r.below(100) as f64 / 50.0 } else { 0.0 }).collect()).collect()
}

/// `n` random rows of `d` values ([`random_rows`]) and `k` binary tasks on them: task `t`
/// labels row `i` positive where `positive(row, i, t)` and weighs it `c(i, t)`.
fn random_tasks(
    seed: u64,
    (n, d, k): (usize, usize, usize),
    positive: impl Fn(&[f64], usize, usize) -> bool,
    c: impl Fn(usize, usize) -> f64,
) -> (Data, Vec<Task>) {
    let rows = random_rows(seed, n, d);
    let tasks = (0..k)
        .map(|t| Task {
            y: (0..n).map(|i| if positive(&rows[i], i, t) { 1.0 } else { -1.0 }).collect(),
            c: (0..n).map(|i| c(i, t)).collect(),
        })
        .collect();
    (Data::from_rows(&rows, d), tasks)
}

#[test]
fn batches_reach_the_same_optima_as_single_problems() {
    // Four binary tasks on random sparse rows; each batched solution must match the
    // single-task solver's to solver precision.
    let (data, tasks) = random_tasks(
        9,
        (60, 8, 4),
        |r, _, t| (r[t] + r[t + 4]) > 0.8,
        |i, t| if i % 7 == t { 0.0 } else { 0.5 + (i % 3) as f64 },
    );
    let p = data.problem(1.0);
    for hinge in [false, true] {
        let b = svm_batch(&p, &tasks, hinge, 1e-10, 100_000, 4).unwrap().into_binary();
        for (t, task) in tasks.iter().enumerate() {
            let s = svm(&p, &task.y, &task.c, hinge, 1e-10, 100_000, 4);
            assert!(b[t].converged && s.converged);
            for (u, v) in b[t].w.iter().zip(&s.w) {
                assert!((u - v).abs() < 1e-6, "hinge={hinge} task {t}: {u} vs {v}");
            }
            assert!((b[t].w_bias - s.w_bias).abs() < 1e-6);
        }
    }
    let b = logistic_batch(&p, &tasks, 1e-10, 100_000, 4).unwrap().into_binary();
    for (t, task) in tasks.iter().enumerate() {
        let s = logistic(&p, &task.y, &task.c, 1e-10, 100_000, 4);
        assert!(b[t].converged && s.converged);
        for (u, v) in b[t].w.iter().zip(&s.w) {
            assert!((u - v).abs() < 1e-6, "logistic task {t}: {u} vs {v}");
        }
    }
}

/// The batched linear SVM's float32 phase: at the default tolerance the result is the
/// float64 solver's (same objective to 1e-3); a problem that needs more than
/// [`F32_EPOCHS`] epochs goes on in float64 and still converges.
#[test]
fn svm_float32_phase_matches_float64_and_hands_over() {
    // Noisy labels: not separable, so a large C needs many epochs.
    let (data, tasks) =
        random_tasks(21, (200, 12, 3), |r, i, t| (r[t] + r[t + 3] + (i % 5) as f64 * 0.3) > 1.2, |_, _| 1.0);
    let p = data.problem(1.0);
    let objective = |w: &[f64], wb: f64, task: &Task, hinge: bool, c: f64| {
        let mut f = 0.5 * (w.iter().map(|v| v * v).sum::<f64>() + wb * wb);
        for i in 0..200 {
            let (idx, val) = data.x.row(i);
            let z: f64 = idx.iter().zip(val).map(|(&j, &v)| v * w[j as usize]).sum::<f64>() + wb;
            let l = (1.0 - task.y[i] * z).max(0.0);
            f += c * if hinge { l } else { l * l };
        }
        f
    };
    for (c, hinge) in [(0.5, false), (0.5, true), (20.0, true)] {
        let tasks: Vec<Task> = tasks.iter().map(|t| Task { y: t.y.clone(), c: vec![c; 200] }).collect();
        let b = svm_batch(&p, &tasks, hinge, F32_TOL, 100_000, 3).unwrap().into_binary();
        for (t, task) in tasks.iter().enumerate() {
            let s = svm(&p, &task.y, &task.c, hinge, F32_TOL, 100_000, 3);
            assert!(b[t].converged && s.converged, "C={c} hinge={hinge} task {t}: {} {} {} {}", b[t].converged, b[t].n_iter, s.converged, s.n_iter);
            if c > 10.0 {
                assert!(b[t].n_iter > F32_EPOCHS, "task {t}: {} epochs", b[t].n_iter);
            }
            let fb = objective(&b[t].w, b[t].w_bias, task, hinge, c);
            let fs = objective(&s.w, s.w_bias, task, hinge, c);
            assert!((fb - fs).abs() <= 1e-3 * fs, "C={c} hinge={hinge} task {t}: {fb} vs {fs}");
        }
    }
}

#[test]
fn zero_weight_samples_are_ignored() {
    let (data, y) = toy();
    let p = data.problem(1.0);
    let a = svm(&p, &y, &[1.0, 0.0, 1.0, 0.0], false, 1e-10, 1000, 0);
    let data2 = Data::new(data.x.select_rows(&[0, 2]).unwrap());
    let p2 = data2.problem(1.0);
    let b = svm(&p2, &[-1.0, 1.0], &[1.0, 1.0], false, 1e-10, 1000, 0);
    assert!((a.w[0] - b.w[0]).abs() < 1e-8 && (a.w_bias - b.w_bias).abs() < 1e-8);
}
