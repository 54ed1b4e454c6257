use super::*;
use proptest::prelude::*;

/// Three well separated blobs in 4 sparse dimensions, deterministic.
fn blobs(n_per: usize) -> (CsrMatrix<f64>, Vec<usize>) {
    let mut r = rng::SplitMix64::new(42);
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for c in 0..3 {
        for _ in 0..n_per {
            let mut row = vec![0.0; 4];
            for (j, v) in row.iter_mut().enumerate() {
                let noise = (r.next_u64() % 1000) as f64 / 1000.0 * 0.6;
                if j == c {
                    *v = 1.0 + noise;
                } else if r.next_u64() % 3 == 0 {
                    *v = noise;
                }
            }
            rows.push(row);
            y.push(c);
        }
    }
    (CsrMatrix::from_dense(&rows, 4).unwrap(), y)
}

fn mc(y: &[usize], k: usize) -> Target {
    Target::Multiclass { y: y.to_vec(), n_classes: k }
}

fn all_kinds() -> Vec<ModelKind> {
    vec![
        ModelKind::Svm { hinge: false },
        ModelKind::Svm { hinge: true },
        ModelKind::Logistic { multinomial: false },
        ModelKind::Logistic { multinomial: true },
    ]
}

#[test]
fn every_solver_learns_blobs() {
    let (x, y) = blobs(30);
    for kind in all_kinds() {
        let p = LinearParams { kind, c: 1.0, max_iter: 1000, ..Default::default() };
        let m = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap();
        assert!(m.converged, "{kind:?}");
        assert_eq!(m.coef.len(), 3 * 4);
        let pred = m.predict_labels(&m.decision_function(&x, Some(1)).unwrap());
        let acc = pred.iter().zip(&y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
        assert!(acc > 0.95, "{kind:?}: {acc}");
    }
}

#[test]
fn binary_has_one_output_and_two_probabilities() {
    let (x, y) = blobs(20);
    let y2: Vec<usize> = y.iter().map(|&c| (c == 1) as usize).collect();
    for kind in all_kinds() {
        let p = LinearParams { kind, probability: true, ..Default::default() };
        let m = fit(&x, &mc(&y2, 2), None, &p, Some(1)).unwrap();
        assert_eq!(m.n_outputs(), 1);
        assert_eq!(m.coef.len(), 4);
        let pr = m.predict_proba(&x, Some(1)).unwrap();
        assert_eq!(pr.len(), 2 * x.n_rows);
        for row in pr.chunks(2) {
            assert!((row[0] + row[1] - 1.0).abs() < 1e-12);
        }
        // probabilities agree with the decision on clear cases
        let d = m.decision_function(&x, Some(1)).unwrap();
        let agree = d.iter().zip(pr.chunks(2)).filter(|(s, p)| (**s > 0.0) == (p[1] > 0.5)).count();
        assert!(agree as f64 > 0.9 * x.n_rows as f64, "{kind:?}");
    }
}

#[test]
fn multinomial_optimum_matches_objective_gradient() {
    // The L-BFGS solution must be a minimum of the objective reported by `objective`:
    // perturbing any coefficient does not decrease it.
    let (x, y) = blobs(15);
    let p = LinearParams { kind: ModelKind::Logistic { multinomial: true }, c: 0.5, tol: 1e-10, max_iter: 5000, ..Default::default() };
    let t = mc(&y, 3);
    let m = fit(&x, &t, None, &p, Some(1)).unwrap();
    assert!(m.converged);
    let f0 = m.objective(&x, &t, None, &p).unwrap();
    for i in 0..m.coef.len() {
        for h in [1e-4, -1e-4] {
            let mut m2 = m.clone();
            m2.coef[i] += h;
            assert!(m2.objective(&x, &t, None, &p).unwrap() >= f0 - 1e-12);
        }
    }
    for o in 0..3 {
        let mut m2 = m.clone();
        m2.intercept[o] += 1e-4;
        assert!(m2.objective(&x, &t, None, &p).unwrap() >= f0 - 1e-12);
    }
}

#[test]
fn ovr_solvers_reach_minimum_of_objective() {
    let (x, y) = blobs(15);
    let t = mc(&y, 3);
    for kind in [ModelKind::Svm { hinge: false }, ModelKind::Svm { hinge: true }, ModelKind::Logistic { multinomial: false }] {
        let p = LinearParams { kind, c: 0.3, tol: 1e-9, max_iter: 100_000, ..Default::default() };
        let m = fit(&x, &t, None, &p, Some(1)).unwrap();
        assert!(m.converged, "{kind:?}");
        let f0 = m.objective(&x, &t, None, &p).unwrap();
        for i in 0..m.coef.len() {
            for h in [1e-3, -1e-3] {
                let mut m2 = m.clone();
                m2.coef[i] += h;
                let f1 = m2.objective(&x, &t, None, &p).unwrap();
                assert!(f1 >= f0 - 1e-7, "{kind:?} coef {i}: {f1} < {f0}");
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_n_jobs() {
    let (x, y) = blobs(25);
    for kind in all_kinds() {
        let p = LinearParams { kind, random_state: 7, probability: true, ..Default::default() };
        let a = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap();
        let b = fit(&x, &mc(&y, 3), None, &p, Some(2)).unwrap();
        let c = fit(&x, &mc(&y, 3), None, &p, Some(3)).unwrap();
        assert_eq!(a, b, "{kind:?}");
        assert_eq!(a, c, "{kind:?}");
        assert_eq!(a.decision_function(&x, Some(1)).unwrap(), b.decision_function(&x, Some(3)).unwrap());
    }
}

#[test]
fn f32_and_f64_agree() {
    let (x, y) = blobs(20);
    let x32: CsrMatrix<f32> = x.cast();
    let x64: CsrMatrix<f64> = x32.cast();
    for kind in all_kinds() {
        let p = LinearParams { kind, tol: 1e-8, max_iter: 10_000, ..Default::default() };
        let a = fit(&x32, &mc(&y, 3), None, &p, Some(1)).unwrap();
        let b = fit(&x64, &mc(&y, 3), None, &p, Some(1)).unwrap();
        for (u, v) in a.coef.iter().zip(&b.coef) {
            assert!((u - v).abs() < 1e-9, "{kind:?}");
        }
    }
}

#[test]
fn sample_weight_equals_repetition() {
    // Weight 2 on a row is the same problem as the row twice (exact for every objective).
    let (x, y) = blobs(10);
    let mut sw = vec![1.0; x.n_rows];
    sw[0] = 2.0;
    sw[11] = 2.0;
    let mut rows: Vec<usize> = (0..x.n_rows).collect();
    rows.push(0);
    rows.push(11);
    let x2 = x.select_rows(&rows).unwrap();
    let y2: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
    for kind in all_kinds() {
        let p = LinearParams { kind, tol: 1e-10, max_iter: 100_000, ..Default::default() };
        let a = fit(&x, &mc(&y, 3), Some(&sw), &p, Some(1)).unwrap();
        let b = fit(&x2, &mc(&y2, 3), None, &p, Some(1)).unwrap();
        let fa = a.objective(&x, &mc(&y, 3), Some(&sw), &p).unwrap();
        let fb = b.objective(&x2, &mc(&y2, 3), None, &p).unwrap();
        assert!((fa - fb).abs() < 1e-6 * fa.abs().max(1.0), "{kind:?} {fa} {fb}");
    }
}

#[test]
fn class_weight_balanced_and_explicit() {
    let (x, y) = blobs(10);
    let p = LinearParams { class_weight: ClassWeight::Balanced, ..Default::default() };
    assert!(fit(&x, &mc(&y, 3), None, &p, Some(1)).is_ok());
    let p = LinearParams { class_weight: ClassWeight::Explicit(vec![1.0, 2.0]), ..Default::default() };
    let e = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap_err();
    assert!(e.to_string().contains("class_weight has 2 entries"), "{e}");
    // Balanced on balanced data equals no weights.
    let a = fit(&x, &mc(&y, 3), None, &LinearParams::default(), Some(1)).unwrap();
    let b = fit(&x, &mc(&y, 3), None, &LinearParams { class_weight: ClassWeight::Balanced, ..Default::default() }, Some(1)).unwrap();
    assert_eq!(a.coef, b.coef);
}

#[test]
fn multilabel_one_vs_rest() {
    let (x, y) = blobs(20);
    // label sets: the blob's class, plus label 3 for class 2 rows.
    let sets: Vec<Vec<usize>> = y.iter().map(|&c| if c == 2 { vec![2, 3] } else { vec![c] }).collect();
    let t = Target::Multilabel { y: sets.clone(), n_classes: 4 };
    for kind in all_kinds() {
        let p = LinearParams { kind, probability: true, ..Default::default() };
        let m = fit(&x, &t, None, &p, Some(1)).unwrap();
        assert!(m.multilabel);
        assert_eq!(m.n_outputs(), 4);
        let d = m.decision_function(&x, Some(1)).unwrap();
        let pred = m.predict_label_sets(&d, 0.0, false);
        let hits = pred
            .iter()
            .zip(&sets)
            .filter(|(p, s)| {
                let mut a = (*p).clone();
                a.sort();
                a == **s
            })
            .count();
        assert!(hits as f64 > 0.9 * sets.len() as f64, "{kind:?}: {hits}");
        let pr = m.predict_proba(&x, Some(1)).unwrap();
        assert_eq!(pr.len(), 4 * x.n_rows);
    }
}

#[test]
fn label_sets_threshold_and_allow_empty() {
    let m = LinearModel::test_svm(3, true, vec![0.0; 3], vec![0.0; 3], 1);
    let scores = [0.5, 2.0, -1.0, -0.5, -0.2, -3.0];
    assert_eq!(m.predict_label_sets(&scores, 0.0, false), vec![vec![1, 0], vec![1]]);
    assert_eq!(m.predict_label_sets(&scores, 0.0, true), vec![vec![1, 0], vec![]]);
    assert_eq!(m.predict_label_sets(&scores, 1.0, true), vec![vec![1], vec![]]);
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let (x, y) = blobs(5);
    let ok = LinearParams::default();
    let msg = |r: Result<LinearModel>| r.unwrap_err().to_string();
    assert!(msg(fit(&x, &mc(&y[..10], 3), None, &ok, Some(1))).contains("inconsistent numbers of samples: [15, 10]"));
    assert!(msg(fit(&x, &mc(&vec![1; 15], 3), None, &ok, Some(1))).contains("at least 2 classes"));
    assert!(msg(fit(&x, &mc(&y, 3), None, &LinearParams { c: 0.0, ..ok.clone() }, Some(1))).contains("C must be"));
    assert!(msg(fit(&x, &mc(&y, 3), None, &LinearParams { c: f64::NAN, ..ok.clone() }, Some(1))).contains("C must be"));
    assert!(msg(fit(&x, &mc(&y, 3), Some(&[-1.0; 15]), &ok, Some(1))).contains("non-negative"));
    assert!(msg(fit(&x, &mc(&y, 3), Some(&[1.0; 3]), &ok, Some(1))).contains("sample_weight has 3"));
    assert!(msg(fit(&x, &mc(&y, 2), None, &ok, Some(1))).contains("out of range"));
    assert!(msg(fit(&x, &mc(&y, 3), None, &ok, Some(0))).contains("n_jobs"));
    let mut bad = x.clone();
    bad.data[3] = f64::NAN;
    assert!(msg(fit(&bad, &mc(&y, 3), None, &ok, Some(1))).contains("NaN"));
    let empty = CsrMatrix::<f64>::zeros(0, 4);
    assert!(msg(fit(&empty, &mc(&[], 3), None, &ok, Some(1))).contains("0 sample(s)"));
    let m = fit(&x, &mc(&y, 3), None, &ok, Some(1)).unwrap();
    let narrow = CsrMatrix::<f64>::zeros(2, 3);
    assert!(m.decision_function(&narrow, Some(1)).unwrap_err().to_string().contains("X has 3 features"));
    assert!(m.predict_proba(&x, Some(1)).unwrap_err().to_string().contains("probability=False"));
}

#[test]
fn not_converged_is_reported() {
    let (x, y) = blobs(20);
    for kind in all_kinds() {
        let p = LinearParams { kind, max_iter: 1, tol: 1e-12, c: 100.0, ..Default::default() };
        let m = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap();
        assert!(!m.converged, "{kind:?}");
    }
}

#[test]
fn linfa_dataset_fit_and_predict() {
    use linfa::traits::{Fit as _, Predict as _};
    use ndarray::{Array1, Array2};
    let (x, y) = blobs(20);
    let dense = Array2::from_shape_vec((x.n_rows, 4), x.to_dense().concat()).unwrap();
    let ds = linfa::Dataset::new(dense.clone(), Array1::from(y.clone()));
    let params = LinearParams { kind: ModelKind::Logistic { multinomial: true }, ..Default::default() };
    let model: LinearModel = params.fit(&ds).unwrap();
    let pred: Array1<usize> = model.predict(&ds);
    let acc = pred.iter().zip(&y).filter(|(a, b)| a == b).count();
    assert!(acc as f64 > 0.95 * y.len() as f64);
    // CSR records directly.
    let ds2 = linfa::DatasetBase::new(x.clone(), Array1::from(y.clone()));
    let m2: LinearModel = LinearParams::default().fit(&ds2).unwrap();
    let p2: Array1<usize> = m2.predict(&ds2);
    assert_eq!(p2.len(), y.len());
    assert_eq!(csr_from_array2(&dense), x);
}

#[test]
fn serde_round_trip() {
    let (x, y) = blobs(10);
    let m = fit(&x, &mc(&y, 3), None, &LinearParams { probability: true, ..Default::default() }, Some(1)).unwrap();
    let bytes = postcard::to_allocvec(&m).unwrap();
    let back: LinearModel = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, m);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Reordering the training rows changes only the coordinate-descent visiting order, so
    /// predictions stay the same up to solver tolerance (checked on decision values).
    #[test]
    fn row_order_does_not_matter(seed in 0u64..1000, kind_i in 0usize..4) {
        let (x, y) = blobs(12);
        let mut perm: Vec<usize> = (0..x.n_rows).collect();
        rng::SplitMix64::new(seed).shuffle(&mut perm);
        let xp = x.select_rows(&perm).unwrap();
        let yp: Vec<usize> = perm.iter().map(|&i| y[i]).collect();
        let kind = all_kinds()[kind_i];
        let p = LinearParams { kind, tol: 1e-10, max_iter: 100_000, ..Default::default() };
        let a = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap();
        let b = fit(&xp, &mc(&yp, 3), None, &p, Some(1)).unwrap();
        let da = a.decision_function(&x, Some(1)).unwrap();
        let db = b.decision_function(&x, Some(1)).unwrap();
        for (u, v) in da.iter().zip(&db) {
            prop_assert!((u - v).abs() < 1e-4, "{:?}: {} vs {}", kind, u, v);
        }
        prop_assert_eq!(a.predict_labels(&da), b.predict_labels(&db));
    }

    /// Any n_jobs gives bit-identical models.
    #[test]
    fn n_jobs_bit_identical(seed in 0u64..1000, jobs in 1i64..5) {
        let (x, y) = blobs(8);
        let p = LinearParams { random_state: seed, ..Default::default() };
        let a = fit(&x, &mc(&y, 3), None, &p, Some(1)).unwrap();
        let b = fit(&x, &mc(&y, 3), None, &p, Some(jobs)).unwrap();
        prop_assert_eq!(a, b);
    }
}

/// Timing harness on a real matrix dumped by the benchmark scripts (raw little-endian files
/// in $TOPICTAG_PROFILE_DIR: data.f32, indices.u32, indptr.u64, y.u64; data.f64 instead of
/// data.f32 with TOPICTAG_PROFILE_F64 set; TOPICTAG_PROFILE_REPS fits in a row). Ignored by default:
/// `TOPICTAG_PROFILE_DIR=... cargo test --release --lib linear::tests::profile -- --ignored --nocapture`
#[test]
#[ignore]
fn profile_real_matrix() {
    let Ok(dir) = std::env::var("TOPICTAG_PROFILE_DIR") else { return };
    let read = |name: &str| std::fs::read(format!("{dir}/{name}")).unwrap();
    let f64_data = std::env::var_os("TOPICTAG_PROFILE_F64").is_some();
    let data: Vec<f32> = if f64_data { Vec::new() } else { read("data.f32").chunks(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect() };
    let data64: Vec<f64> = if f64_data { read("data.f64").chunks(8).map(|b| f64::from_le_bytes(b.try_into().unwrap())).collect() } else { Vec::new() };
    let indices: Vec<u32> = read("indices.u32").chunks(4).map(|b| u32::from_le_bytes(b.try_into().unwrap())).collect();
    let indptr: Vec<usize> = read("indptr.u64").chunks(8).map(|b| u64::from_le_bytes(b.try_into().unwrap()) as usize).collect();
    let y: Vec<usize> = read("y.u64").chunks(8).map(|b| u64::from_le_bytes(b.try_into().unwrap()) as usize).collect();
    let n_cols = indices.iter().map(|&j| j as usize + 1).max().unwrap_or(0);
    if f64_data {
        let x = CsrMatrix::new(indptr.len() - 1, n_cols, indptr, indices, data64).unwrap();
        return profile_fit(&x, &y);
    }
    let x = CsrMatrix::new(indptr.len() - 1, n_cols, indptr, indices, data).unwrap();
    profile_fit(&x, &y);
}

#[cfg(test)]
fn profile_fit<T: crate::sparse::Real>(x: &CsrMatrix<T>, y: &[usize]) {
    let k = y.iter().max().unwrap() + 1;
    let t = mc(y, k);
    let kind = match std::env::var("TOPICTAG_PROFILE_KIND").as_deref() {
        Ok("lr_ovr") => ModelKind::Logistic { multinomial: false },
        Ok("lr_mn") => ModelKind::Logistic { multinomial: true },
        _ => ModelKind::Svm { hinge: false },
    };
    let c: f64 = std::env::var("TOPICTAG_PROFILE_C").ok().and_then(|v| v.parse().ok()).unwrap_or(0.5);
    let jobs: i64 = std::env::var("TOPICTAG_PROFILE_JOBS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let p = LinearParams { kind, c, max_iter: if matches!(kind, ModelKind::Logistic { multinomial: true }) { 100 } else { 1000 }, ..Default::default() };
    let reps: usize = std::env::var("TOPICTAG_PROFILE_REPS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    for _ in 0..reps {
        let t0 = std::time::Instant::now();
        let m = fit(x, &t, None, &p, Some(jobs)).unwrap();
        let sum: f64 = m.coef.iter().sum();
        println!("{kind:?} fit {:.3}s n_iter {:?} converged {} coef sum {sum:.9}", t0.elapsed().as_secs_f64(), m.n_iter, m.converged);
    }
}

/// A random sparse matrix with `n` rows and `nf` columns (about `per_row` entries a row).
fn random_csr(n: usize, nf: usize, per_row: usize, seed: u64) -> CsrMatrix<f64> {
    let mut r = rng::SplitMix64::new(seed);
    let mut rows = vec![vec![0.0; nf]; n];
    for row in rows.iter_mut() {
        for _ in 0..per_row {
            let j = (r.next_u64() % nf as u64) as usize;
            row[j] = (r.next_u64() % 1000) as f64 / 997.0 + 0.01;
        }
    }
    CsrMatrix::from_dense(&rows, nf).unwrap()
}

#[cfg(target_arch = "x86_64")]
#[test]
fn avx2_copies_are_bit_identical() {
    if !crate::hw::avx2_available() {
        eprintln!("skipped: this CPU has no AVX2");
        return;
    }
    let x = random_csr(120, 40, 7, 3);
    let norms = dcd::row_sq_norms(&x);
    let p = dcd::Problem { x: &x, row_sq_norms: &norms, bias: 1.0 };
    // 1..=12 tasks: the fixed-width kernels (up to BATCH) and the general loop.
    for k in [1usize, 3, 7, 10, 12] {
        let tasks: Vec<dcd::Task> = (0..k)
            .map(|t| dcd::Task {
                y: (0..x.n_rows).map(|i| if (i + t) % 3 == 0 { 1.0 } else { -1.0 }).collect(),
                c: vec![0.7; x.n_rows],
            })
            .collect();
        for hinge in [false, true] {
            let a = dcd::svm_batch_body(&p, &tasks, hinge, 1e-4, 200, 5).unwrap().into_binary();
            // SAFETY: AVX2 is available (checked above).
            let b = unsafe { dcd::svm_batch_avx2(&p, &tasks, hinge, 1e-4, 200, 5) }.unwrap().into_binary();
            for (sa, sb) in a.iter().zip(&b) {
                assert_eq!(sa.w, sb.w);
                assert_eq!(sa.w_bias.to_bits(), sb.w_bias.to_bits());
                assert_eq!(sa.n_iter, sb.n_iter);
            }
        }
        let a = dcd::logistic_batch_body(&p, &tasks, 1e-4, 200, 5).unwrap().into_binary();
        // SAFETY: as above.
        let b = unsafe { dcd::logistic_batch_avx2(&p, &tasks, 1e-4, 200, 5) }.unwrap().into_binary();
        for (sa, sb) in a.iter().zip(&b) {
            assert_eq!(sa.w, sb.w);
            assert_eq!(sa.n_iter, sb.n_iter);
        }
    }
    // The prediction kernel, at every width it special-cases and beyond.
    for k in [2usize, 5, 20, 32, 33] {
        let t: Vec<f32> = (0..40 * k).map(|v| ((v * 7919) % 1013) as f32 / 101.0 - 5.0).collect();
        for i in 0..x.n_rows {
            let (idx, val) = x.row(i);
            let cols: Vec<usize> = idx.iter().map(|&j| j as usize).collect();
            let mut za = vec![0.25; k];
            let mut zb = za.clone();
            assert!(score_row_body(&cols, val, &t, &mut za));
            // SAFETY: as above.
            assert!(unsafe { score_row_avx2(&cols, val, &t, &mut zb) });
            assert_eq!(za, zb);
        }
    }
}

/// The primal stopping test of the batched logistic solver ends fits early, but only where
/// the primal gradient meets LIBLINEAR's primal rule; the objective then agrees with the
/// (stricter) dual rule's solution to 1e-6.
#[test]
fn logistic_primal_stop_meets_its_rule() {
    let x = random_csr(400, 60, 9, 11);
    let norms = dcd::row_sq_norms(&x);
    let p = dcd::Problem { x: &x, row_sq_norms: &norms, bias: 1.0 };
    let tol = 1e-4;
    // Equal C_i (the start's weights give ||grad f(0)||) and unequal C_i (a pass computes it).
    for uneven in [false, true] {
        let tasks: Vec<dcd::Task> = (0..3)
            .map(|t| dcd::Task {
                y: (0..x.n_rows)
                    .map(|i| {
                        let (idx, val) = x.row(i);
                        let s: f64 = idx.iter().zip(val).map(|(&j, &v)| if (j as usize + t) % 4 == 0 { v } else { -0.3 * v }).sum();
                        if s > 0.0 { 1.0 } else { -1.0 }
                    })
                    .collect(),
                c: (0..x.n_rows).map(|i| if uneven && i % 3 == 0 { 4.0 } else { 10.0 }).collect(),
            })
            .collect();
        let batch = dcd::logistic_batch(&p, &tasks, tol, 1000, 3).unwrap().into_binary();
        for (t, task) in tasks.iter().enumerate() {
            let strict = dcd::logistic(&p, &task.y, &task.c, tol, 1000, 3);
            let objective = |w: &[f64], wb: f64| {
                let mut f = 0.5 * (w.iter().map(|v| v * v).sum::<f64>() + wb * wb);
                let mut g: Vec<f64> = w.to_vec();
                let mut gb = wb;
                for i in 0..x.n_rows {
                    let (idx, val) = x.row(i);
                    let z: f64 = idx.iter().zip(val).map(|(&j, &v)| w[j as usize] * v).sum::<f64>() + wb;
                    let m = task.y[i] * z;
                    f += task.c[i] * (1.0 + (-m).exp()).ln();
                    let s = -task.c[i] / (1.0 + m.exp()) * task.y[i];
                    for (&j, &v) in idx.iter().zip(val) {
                        g[j as usize] += s * v;
                    }
                    gb += s;
                }
                (f, (g.iter().map(|v| v * v).sum::<f64>() + gb * gb).sqrt())
            };
            let (fb, gnb) = objective(&batch[t].w, batch[t].w_bias);
            let (fs, _) = objective(&strict.w, strict.w_bias);
            let (_, g0) = objective(&vec![0.0; x.n_cols], 0.0);
            let pos = task.y.iter().filter(|&&v| v > 0.0).count();
            let rule = tol * (pos.min(x.n_rows - pos).max(1) as f64) / x.n_rows as f64 * g0;
            assert!(batch[t].converged);
            assert!(gnb <= rule * 1.001, "task {t}: gradient {gnb} above the rule's {rule}");
            assert!((fb - fs).abs() <= 1e-6 * fs, "task {t}: objective {fb} vs {fs}");
            assert!(batch[t].n_iter <= strict.n_iter, "task {t}: {} epochs vs {}", batch[t].n_iter, strict.n_iter);
        }
    }
}

/// The prediction kernel skips columns that are not features of the table (negative or too
/// large), says so, and adds the rest in order, at fixed and free widths.
#[test]
fn score_row_skips_columns_out_of_range() {
    for k in [1usize, 3, 20, 33] {
        let nf = 5;
        let t: Vec<f32> = (0..nf * k).map(|v| v as f32 * 0.5 - 3.0).collect();
        let cols: Vec<i32> = vec![4, -1, 0, 5, 2, i32::MAX];
        let vals: Vec<f64> = vec![1.5, 100.0, -2.0, 100.0, 0.25, 100.0];
        let mut z = vec![0.5; k];
        assert!(!super::score_row(&cols, &vals, &t, &mut z));
        let mut expect = vec![0.5; k];
        for (&j, &v) in cols.iter().zip(&vals).filter(|(&j, _)| j >= 0 && (j as usize) < nf) {
            for (o, e) in expect.iter_mut().enumerate() {
                *e += v * t[j as usize * k + o] as f64;
            }
        }
        assert_eq!(z, expect, "k = {k}");
        let mut z2 = vec![0.5; k];
        assert!(super::score_row(&cols[2..3], &vals[2..3], &t, &mut z2));
    }
}

#[test]
fn renumbering_puts_frequent_columns_first_and_rare_ones_by_first_row() {
    // Column counts: 0 -> 6, 1 -> 1 (row 5), 2 -> 7, 3 -> 2 (rows 1, 4), 4 -> 1 (row 0),
    // 5 -> 6, 6 -> 0.
    let rows: Vec<Vec<usize>> = vec![
        vec![0, 2, 4, 5],
        vec![0, 2, 3, 5],
        vec![0, 2, 5],
        vec![0, 2, 5],
        vec![0, 2, 3, 5],
        vec![0, 1, 2, 5],
        vec![2],
    ];
    let mut dense = vec![vec![0.0f64; 7]; rows.len()];
    for (i, r) in rows.iter().enumerate() {
        for &j in r {
            dense[i][j] = 1.0 + (i * 7 + j) as f64 / 100.0;
        }
    }
    let x = CsrMatrix::from_dense(&dense, 7).unwrap();
    let sx = columns::solver_copy(&x.view(), false).unwrap();
    let (xp, new_of) = (&sx.x, &sx.new_of);
    // Frequent (more than RARE_COLUMN entries): 2 (7), then 0 and 5 (6 each, by first row);
    // rare: 4 (first row 0), 3 (row 1), 1 (row 5), then the empty column 6.
    assert_eq!(new_of, &vec![1, 5, 0, 4, 3, 2, 6]);
    // A relabelling: every row keeps its entries, in their order.
    for i in 0..x.n_rows {
        let (idx, val) = x.row(i);
        let (pidx, pval) = xp.row(i);
        let relabelled: Vec<u32> = idx.iter().map(|&j| new_of[j as usize]).collect();
        assert_eq!(pidx, &relabelled[..]);
        assert_eq!(pval, val);
    }
}

/// `random_csr` with equal copies of some columns appended: 30 and 31 copy column 3, 32
/// copies 7, 33 and 34 hold one equal value in the same row; 35 is column 9 with one value
/// one unit in the last place away, 36 is twice column 11 (neither may be merged).
fn with_duplicate_columns() -> CsrMatrix<f64> {
    let base = random_csr(60, 30, 6, 11);
    let mut dense = vec![vec![0.0f64; 37]; base.n_rows];
    for (i, row) in dense.iter_mut().enumerate() {
        let (idx, val) = base.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            row[j as usize] = v;
        }
        row[30] = row[3];
        row[31] = row[3];
        row[32] = row[7];
        row[35] = row[9];
        row[36] = 2.0 * row[11];
    }
    dense[5][33] = 0.5;
    dense[5][34] = 0.5;
    let i9 = (0..dense.len()).find(|&i| dense[i][9] != 0.0).unwrap();
    dense[i9][35] = f64::from_bits(dense[i9][9].to_bits() + 1);
    CsrMatrix::from_dense(&dense, 37).unwrap()
}

#[test]
fn equal_columns_are_merged_and_give_the_unmerged_solution() {
    let x = with_duplicate_columns();
    let merged = columns::solver_copy(&x.view(), true).unwrap();
    let plain = columns::solver_copy(&x.view(), false).unwrap();
    // 30, 31 -> 3; 32 -> 7; 34 -> 33.
    assert_eq!(plain.x.n_cols, 37);
    assert_eq!(merged.x.n_cols, 33);
    let count = |j: u32| x.indices.iter().filter(|&&c| c == j).count();
    assert_eq!(merged.x.nnz(), x.nnz() - 2 * count(3) - count(7) - 1);
    for (a, b) in [(30, 3), (31, 3), (32, 7), (34, 33)] {
        assert_eq!(merged.new_of[a], merged.new_of[b]);
    }
    for (a, b) in [(35, 9), (36, 11)] {
        assert_ne!(merged.new_of[a], merged.new_of[b]);
    }
    // Every row keeps its squared norm.
    for i in 0..x.n_rows {
        let sq = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>();
        let (a, b) = (sq(x.row(i).1), sq(merged.x.row(i).1));
        assert!((a - b).abs() <= 1e-12 * a.max(1.0), "row {i}: {a} vs {b}");
    }
    let y: Vec<usize> = (0..x.n_rows).map(|i| (i * 7 + i / 5) % 3).collect();
    let t = mc(&y, 3);
    for kind in all_kinds() {
        let p = LinearParams { kind, c: 0.7, tol: 1e-10, max_iter: 100_000, ..Default::default() };
        let a = fit_renumbered(&mut columns::solver_copy(&x.view(), true).unwrap(), &t, None, &p).unwrap();
        let b = fit_renumbered(&mut columns::solver_copy(&x.view(), false).unwrap(), &t, None, &p).unwrap();
        assert!(a.converged && b.converged, "{kind:?}");
        let (fa, fb) = (a.objective(&x, &t, None, &p).unwrap(), b.objective(&x, &t, None, &p).unwrap());
        assert!((fa - fb).abs() <= 1e-7 * fb.abs(), "{kind:?}: objective {fa} vs {fb}");
        for (o, (ca, cb)) in a.coef.chunks(37).zip(b.coef.chunks(37)).enumerate() {
            for j in 0..37 {
                assert!((ca[j] - cb[j]).abs() <= 1e-5, "{kind:?} output {o} column {j}: {} vs {}", ca[j], cb[j]);
            }
            // Equal columns get equal weights.
            assert_eq!(ca[30], ca[3]);
            assert_eq!(ca[32], ca[7]);
            assert_eq!(ca[33], ca[34]);
        }
        for (ia, ib) in a.intercept.iter().zip(&b.intercept) {
            assert!((ia - ib).abs() <= 1e-5, "{kind:?}: intercept {ia} vs {ib}");
        }
    }
}

#[test]
fn merging_checks_every_candidate_entry() {
    // Column 1 has the count and first row of column 0 and one value in common; column 2
    // has one entry twice in row 0 (a non-canonical matrix), equal to column 0's value
    // there, and column 0's count.
    let x = CsrMatrix::new(3, 3, vec![0, 4, 4, 6], vec![0, 1, 2, 2, 0, 1], vec![1.0, 1.0, 1.0, 1.0, 2.0, 3.0]).unwrap();
    let rep_of = vec![u32::MAX, 0, 0];
    let mut kept = Vec::new();
    assert_eq!(columns::check_groups(&x.view(), &rep_of, &mut kept).unwrap(), vec![1, 2]);
    // The same columns with equal values pass.
    let y = CsrMatrix::new(3, 2, vec![0, 2, 2, 4], vec![0, 1, 1, 0], vec![1.0, 1.0, 2.0, 2.0]).unwrap();
    let rep_of = vec![u32::MAX, 0];
    assert!(columns::check_groups(&y.view(), &rep_of, &mut kept).unwrap().is_empty());
    assert_eq!(kept, vec![1, 0, 1]);
    // And a whole fit on the first matrix merges nothing wrongly.
    let sx = columns::solver_copy(&x.view(), true).unwrap();
    assert_eq!(sx.x.n_cols, 3);
}

#[test]
fn empty_columns_are_kept_apart_and_last() {
    // Columns 1, 3 and 4 are empty (equal, but never merged); 0 and 2 are equal and rare.
    let x = CsrMatrix::new(2, 5, vec![0, 2, 4], vec![0, 2, 2, 0], vec![1.0, 1.0, 3.0, 3.0]).unwrap();
    let sx = columns::solver_copy(&x.view(), true).unwrap();
    assert_eq!(sx.x.n_cols, 4);
    assert_eq!(sx.new_of[0], sx.new_of[2]);
    let mut empty: Vec<u32> = [1, 3, 4].iter().map(|&j| sx.new_of[j]).collect();
    empty.sort_unstable();
    assert_eq!(empty, vec![1, 2, 3]);
    for j in [1, 3, 4] {
        assert_eq!(sx.scale(j), 1.0);
    }
}

#[test]
fn solver_layout_in_place_equals_the_copy() {
    // With merges (duplicate columns), without (a plain random matrix), and a one-row matrix.
    let one = CsrMatrix::new(1, 3, vec![0, 2], vec![2, 0], vec![1.5, 2.5]).unwrap();
    for (x, merge) in [(with_duplicate_columns(), true), (with_duplicate_columns(), false), (random_csr(50, 20, 4, 3), true), (one, true)] {
        let copy = columns::solver_copy(&x.view(), merge).unwrap();
        let own = columns::solver_layout(x.clone(), merge).unwrap();
        assert_eq!((own.x.n_rows, own.x.n_cols), (copy.x.n_rows, copy.x.n_cols));
        assert_eq!(own.x.indptr, copy.x.indptr);
        assert_eq!(own.x.indices, copy.x.indices);
        assert_eq!(own.x.data, copy.x.data);
        assert_eq!(own.new_of, copy.new_of);
        for j in 0..x.n_cols {
            assert_eq!(own.scale(j), copy.scale(j));
        }
    }
    // The fit on a matrix handed over is the fit on the same matrix borrowed.
    let x = with_duplicate_columns();
    let y: Vec<usize> = (0..x.n_rows).map(|i| (i * 5 + i / 3) % 3).collect();
    for kind in all_kinds() {
        let p = LinearParams { kind, c: 0.9, ..Default::default() };
        let a = fit(&x, &mc(&y, 3), None, &p, Some(2)).unwrap();
        let b = fit_owned(x.clone(), &mc(&y, 3), None, &p, Some(2)).unwrap();
        assert_eq!(a.coef, b.coef, "{kind:?}");
        assert_eq!(a.intercept, b.intercept, "{kind:?}");
    }
}
