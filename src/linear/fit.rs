//! Training: the checks, then one-vs-rest (batched dual coordinate descent, [`super::dcd`])
//! or multinomial (dual coordinate descent for maximum entropy, [`super::maxent`]; L-BFGS,
//! [`super::lbfgs`], for two classes) on the solvers' copy of X
//! ([`super::columns`]), class weights, and the Platt calibration on held-out folds.

use rayon::prelude::*;

use super::columns;
use super::dcd;
use super::lbfgs;
use super::maxent;
use super::model::LinearModel;
use super::params::{check_fit, n_outputs_of, ClassWeight, LinearParams, ModelKind, Target};
use super::platt;
use super::primal;
use super::params::Penalty;
use crate::error::{Error, Result};
use crate::rng;
use crate::sparse::{CsrMatrix, CsrView, Real, SparseIndex};

/// Number of folds of the Platt calibration.
pub const PLATT_FOLDS: usize = 5;

/// Class weights of a multi-class target (scikit-learn's `compute_class_weight`).
pub(crate) fn multiclass_weights(cw: &ClassWeight, y: &[usize], k: usize) -> Vec<f64> {
    match cw {
        ClassWeight::None => vec![1.0; k],
        ClassWeight::Explicit(w) => w.clone(),
        ClassWeight::Balanced => {
            let mut counts = vec![0usize; k];
            y.iter().for_each(|&c| counts[c] += 1);
            let present = counts.iter().filter(|&&c| c > 0).count().max(1) as f64;
            counts
                .iter()
                .map(|&c| if c == 0 { 1.0 } else { y.len() as f64 / (present * c as f64) })
                .collect()
        }
    }
}

/// The binary problem of output `o`: labels in {-1, +1} and per-sample bounds `C_i`.
pub(crate) fn binary_problem(
    target: &Target,
    sw: &[f64],
    params: &LinearParams,
    class_w: &[f64],
    o: usize,
) -> (Vec<f64>, Vec<f64>) {
    let c = params.c;
    match target {
        Target::Multiclass { y, n_classes } => {
            if *n_classes == 2 {
                let yy = y.iter().map(|&v| if v == 1 { 1.0 } else { -1.0 }).collect();
                let cc = y.iter().zip(sw).map(|(&v, &s)| c * s * class_w[v]).collect();
                (yy, cc)
            } else {
                let yy = y.iter().map(|&v| if v == o { 1.0 } else { -1.0 }).collect();
                let cc =
                    y.iter().zip(sw).map(|(&v, &s)| c * s * if v == o { class_w[o] } else { 1.0 }).collect();
                (yy, cc)
            }
        }
        Target::Multilabel { y, .. } => {
            let pos: Vec<bool> = y.iter().map(|set| set.contains(&o)).collect();
            let n = y.len() as f64;
            let (wp, wn) = match &params.class_weight {
                ClassWeight::None => (1.0, 1.0),
                ClassWeight::Explicit(w) => (w[o], 1.0),
                ClassWeight::Balanced => {
                    let np = pos.iter().filter(|&&p| p).count() as f64;
                    let nn = n - np;
                    (
                        if np > 0.0 { n / (2.0 * np) } else { 1.0 },
                        if nn > 0.0 { n / (2.0 * nn) } else { 1.0 },
                    )
                }
            };
            let yy = pos.iter().map(|&p| if p { 1.0 } else { -1.0 }).collect();
            let cc = pos.iter().zip(sw).map(|(&p, &s)| c * s * if p { wp } else { wn }).collect();
            (yy, cc)
        }
    }
}

/// Train a linear classifier. `n_jobs` as scikit-learn's (None: all cores). The result does
/// not depend on `n_jobs`.
pub fn fit<T: Real>(
    x: &CsrMatrix<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    n_jobs: Option<i64>,
) -> Result<LinearModel> {
    fit_view(&x.view(), target, sample_weight, params, n_jobs, None)
}

/// [`fit`] on a borrowed matrix (numpy buffers, say), checked here (column indices in range,
/// finite values): the only copy made is the solver's own, with renumbered columns.
///
/// `init`: a previous model's weights to start from (scikit-learn's `warm_start`): the
/// multinomial solvers start from its coefficients and intercepts, which must have this
/// fit's shape (same number of features and outputs); one-vs-rest fits start from zero.
pub fn fit_view<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    n_jobs: Option<i64>,
    init: Option<&LinearModel>,
) -> Result<LinearModel> {
    check_fit(x, target, sample_weight, params)?;
    if let Some(m) = init {
        let n_out = n_outputs_of(target.is_multilabel(), target.n_classes());
        if m.n_features != x.n_cols || m.n_outputs() != n_out || m.coef.len() != n_out * x.n_cols {
            return Err(Error::value(format!(
                "warm_start: the previous model's coefficients have shape ({}, {}), this fit needs \
                 ({}, {}) (outputs, features); fit with warm_start=False to start from zero",
                m.n_outputs(),
                m.n_features,
                n_out,
                x.n_cols
            )));
        }
    }
    crate::parallel::install(n_jobs, || {
        let mut sx = columns::solver_copy(x, params.penalty.merges_columns())?;
        fit_solver_x(&mut sx, target, sample_weight, params, init)
    })?
}

/// [`fit`] on a matrix the caller hands over: the solvers' layout is made in its own
/// buffers ([`columns::solver_layout`]), so X exists once in memory, not twice (the
/// streaming fit). The same model as [`fit`] on the same matrix.
pub fn fit_owned<T: Real>(
    x: CsrMatrix<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    n_jobs: Option<i64>,
) -> Result<LinearModel> {
    check_fit(&x.view(), target, sample_weight, params)?;
    crate::parallel::install(n_jobs, || {
        let mut sx = columns::solver_layout(x, params.penalty.merges_columns())?;
        // The layout's plan (column summaries, order, groups) is freed: its heap goes back
        // before the solvers allocate theirs.
        crate::hw::release_free_memory();
        fit_solver_x(&mut sx, target, sample_weight, params, None)
    })?
}

/// The fit on the solvers' layout of X, with the Platt calibration when asked for.
fn fit_solver_x<T: Real>(
    sx: &mut columns::SolverX<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    init: Option<&LinearModel>,
) -> Result<LinearModel> {
    let mut model = fit_renumbered_from(sx, target, sample_weight, params, init)?;
    if params.probability && matches!(params.kind, ModelKind::Svm { .. }) {
        // The folds see the solvers' copy (columns renumbered and merged): the fold
        // models score the held-out rows of that same copy, and merging gives the same
        // scores as the input's columns would.
        model.platt = Some(platt_cv(&sx.x, target, sample_weight, params)?);
    }
    Ok(model)
}

/// The fit without checks (run inside the thread pool).
fn fit_inner<T: Real>(
    x: &CsrMatrix<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<LinearModel> {
    let mut sx = columns::solver_copy(&x.view(), params.penalty.merges_columns())?;
    fit_renumbered(&mut sx, target, sample_weight, params)
}

/// What a solver run gives: `coef` (`n_outputs x n_features`, the input's columns), the
/// intercepts and the convergence record.
struct Solved {
    coef: Vec<f64>,
    intercept: Vec<f64>,
    converged: bool,
    n_iter: Vec<usize>,
}

/// [`fit_inner`] on the solvers' copy of X ([`columns::solver_copy`]); the model's
/// coefficients are in the input's numbering. The copy's matrix is freed once the solvers
/// are done with it, before the coefficient table is made (the Platt folds of an SVM with
/// `probability` keep it).
pub(crate) fn fit_renumbered<T: Real>(
    sx: &mut columns::SolverX<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<LinearModel> {
    fit_renumbered_from(sx, target, sample_weight, params, None)
}

/// [`fit_renumbered`] from `init`'s weights (see [`fit_view`]; its shape is checked).
fn fit_renumbered_from<T: Real>(
    sx: &mut columns::SolverX<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    init: Option<&LinearModel>,
) -> Result<LinearModel> {
    let n = sx.x.n_rows;
    let k = target.n_classes();
    let multilabel = target.is_multilabel();
    let n_out = n_outputs_of(multilabel, k);
    let ones;
    let sw = match sample_weight {
        Some(s) => s,
        None => {
            ones = vec![1.0; n];
            &ones[..]
        }
    };
    let class_w = match target {
        Target::Multiclass { y, .. } => multiclass_weights(&params.class_weight, y, k),
        Target::Multilabel { .. } => vec![1.0; k],
    };
    let setup = Setup { sw, class_w: &class_w, n_out, params, init };
    crate::cancel::check()?; // after the solvers' copy of X
    let keep_x = params.probability && matches!(params.kind, ModelKind::Svm { .. });
    let solved = match (params.kind, target) {
        _ if params.penalty != Penalty::L2 => fit_primal(sx, target, &setup)?,
        (ModelKind::Logistic { multinomial: true }, Target::Multiclass { y, .. }) => {
            fit_multinomial(sx, y, &setup, keep_x)?
        }
        _ => fit_one_vs_rest(sx, target, &setup, keep_x)?,
    };
    // The solvers stop early when the call is cancelled: their result is not a model.
    crate::cancel::check()?;
    Ok(LinearModel {
        kind: params.kind,
        coef: solved.coef,
        intercept: solved.intercept,
        n_features: sx.n_input_cols(),
        n_classes: k,
        multilabel,
        converged: solved.converged,
        n_iter: solved.n_iter,
        platt: None,
    })
}

/// What a solver driver gets besides X and the labels: sample and class weights, the
/// number of outputs, the parameters.
struct Setup<'a> {
    sw: &'a [f64],
    class_w: &'a [f64],
    n_out: usize,
    params: &'a LinearParams,
    /// The warm start's model, if any.
    init: Option<&'a LinearModel>,
}

/// Multinomial logistic regression by dual coordinate descent ([`maxent`]; L-BFGS for one
/// output, the binomial model, for more than [`maxent::MAX_KP`] outputs and for dense X:
/// see [`maxent::suits`]).
fn fit_multinomial<T: Real>(sx: &mut columns::SolverX<T>, y: &[usize], setup: &Setup<'_>, keep_x: bool) -> Result<Solved> {
    let &Setup { sw, class_w, n_out, params, init } = setup;
    let x = &sx.x;
    // Features of the input (of the model) and columns of the copy the solvers see.
    let nf = sx.n_input_cols();
    let nx = x.n_cols;
    // The warm start in the solvers' layout (feature-major over the copy's columns, then the
    // intercepts): a merged column takes the weight of the last input column mapped to it.
    let theta0 = match init {
        Some(m) => {
            let new_of = &sx.new_of[..];
            let mut t: Vec<f64> = crate::hw::try_table(nx * n_out + n_out, "the warm start")?;
            for j in 0..nf {
                let (jn, s) = (new_of[j] as usize, sx.scale(j));
                for o in 0..n_out {
                    t[jn * n_out + o] = m.coef[o * nf + j] / s;
                }
            }
            if params.fit_intercept {
                t[nx * n_out..].copy_from_slice(&m.intercept);
            }
            Some(t)
        }
        None => None,
    };
    let s: Vec<f64> = y.iter().zip(sw).map(|(&c, &w)| w * class_w[c]).collect();
    let yy: Vec<usize> = if n_out == 1 { y.iter().map(|&c| (c == 1) as usize).collect() } else { y.to_vec() };
    let r = if maxent::suits(x, n_out) {
        let prob = maxent::MaxentProblem { x, y: &yy, s: &s, k: n_out, c: params.c, fit_intercept: params.fit_intercept };
        let seed = rng::derive_seed(params.random_state, 0);
        let m = maxent::solve(&prob, params.tol, params.max_iter, seed, theta0.as_deref())?;
        lbfgs::LbfgsResult { theta: m.theta, n_iter: m.n_iter, converged: m.converged }
    } else {
        let prob = lbfgs::SoftmaxProblem::new(x, &yy, &s, n_out, params.c, params.fit_intercept);
        lbfgs::minimize(&prob, params.tol, params.max_iter, theta0)
    };
    let sx = sx.release_x(keep_x);
    let mut coef: Vec<f64> = crate::hw::try_table(n_out.saturating_mul(nf), "the coefficients")?;
    // Output-major from the solution's feature-major weights, as the batches' are written.
    dcd::write_coef_from(&r.theta[..nx * n_out], n_out, sx, &mut coef);
    let intercept = if params.fit_intercept {
        r.theta[nx * n_out..].to_vec()
    } else {
        vec![0.0; n_out]
    };
    Ok(Solved { coef, intercept, converged: r.converged, n_iter: vec![r.n_iter] })
}

/// One-vs-rest by dual coordinate descent, batches of outputs in parallel.
fn fit_one_vs_rest<T: Real>(sx: &mut columns::SolverX<T>, target: &Target, setup: &Setup<'_>, keep_x: bool) -> Result<Solved> {
    let &Setup { sw, class_w, n_out, params, .. } = setup;
    let x = &sx.x;
    let nf = sx.n_input_cols();
    let norms = dcd::row_sq_norms(x);
    let bias = if params.fit_intercept { params.intercept_scaling } else { 0.0 };
    let problem = dcd::Problem { x, row_sq_norms: &norms, bias };
    // Outputs are solved in batches of about dcd::BATCH (fixed by n_out alone, so the result
    // does not depend on the thread count); batches run in parallel.
    let n_batches = n_out.div_ceil(dcd::BATCH).max(1);
    let bounds: Vec<(usize, usize)> =
        (0..n_batches).map(|b| (b * n_out / n_batches, (b + 1) * n_out / n_batches)).collect();
    let sols: Vec<dcd::BatchSolution> = bounds
        .par_iter()
        .enumerate()
        .map(|(b, &(lo, hi))| {
            let tasks: Vec<dcd::Task> = (lo..hi)
                .map(|o| {
                    let (y, c) = binary_problem(target, sw, params, class_w, o);
                    dcd::Task { y, c }
                })
                .collect();
            let seed = rng::derive_seed(params.random_state, b as u64);
            match params.kind {
                ModelKind::Svm { hinge } => {
                    dcd::svm_batch(&problem, &tasks, hinge, params.tol, params.max_iter, seed)
                }
                ModelKind::Logistic { .. } => {
                    dcd::logistic_batch(&problem, &tasks, params.tol, params.max_iter, seed)
                }
            }
        })
        .collect::<Result<_>>()?;
    drop(problem);
    drop(norms);
    // Each batch's rows of `coef` (original column order) from its feature-major table
    // (each write runs in parallel over ranges of columns), the table freed once written.
    let sx = sx.release_x(keep_x);
    let mut coef = crate::hw::try_table(n_out.saturating_mul(nf), "the coefficients")?;
    let mut rest = &mut coef[..];
    let (mut intercept, mut n_iter, mut converged) = (Vec::with_capacity(n_out), Vec::with_capacity(n_out), true);
    for (sol, &(lo, hi)) in sols.into_iter().zip(&bounds) {
        let (out, tail) = std::mem::take(&mut rest).split_at_mut((hi - lo) * nf);
        sol.write_coef(sx, out);
        intercept.extend(sol.w_bias.iter().map(|&wb| wb * bias));
        n_iter.extend_from_slice(&sol.n_iter);
        converged &= sol.converged.iter().all(|&c| c);
        rest = tail;
    }
    Ok(Solved { coef, intercept, converged, n_iter })
}

/// One-vs-rest with an L1 or elastic-net penalty ([`primal`]): X column by column (with
/// the bias column), then the outputs in parallel, each with its own seed (so the result
/// does not depend on the thread count), each writing its row of `coef`.
fn fit_primal<T: Real>(sx: &columns::SolverX<T>, target: &Target, setup: &Setup<'_>) -> Result<Solved> {
    let &Setup { sw, class_w, n_out, params, .. } = setup;
    let nf = sx.n_input_cols();
    let mut coef = crate::hw::try_table(n_out.saturating_mul(nf), "the coefficients")?;
    // L1 (LIBLINEAR): the intercept is a feature of value intercept_scaling, penalised like
    // the others; elastic net (scikit-learn's saga): an intercept of its own, not penalised.
    let elastic = matches!(params.penalty, Penalty::ElasticNet { .. });
    let bias = match (params.fit_intercept, elastic) {
        (false, _) => 0.0,
        (true, true) => 1.0,
        (true, false) => params.intercept_scaling,
    };
    let cols = columns::ColumnMajor::of(&sx.x, bias)?;
    let (l1, l2) = params.penalty.weights();
    let reg = primal::Reg { l1, l2, free_bias: elastic && bias > 0.0 };
    let nx = sx.x.n_cols;
    let sols: Vec<(primal::Solution, f64)> = coef
        .par_chunks_mut(nf.max(1))
        .take(n_out)
        .enumerate()
        .map(|(o, out)| {
            let (y, c) = binary_problem(target, sw, params, class_w, o);
            let seed = rng::derive_seed(params.random_state, o as u64);
            let problem = primal::Binary { cols: &cols, y: &y, c: &c, reg, tol: params.tol, max_iter: params.max_iter, seed };
            let sol = match params.kind {
                ModelKind::Svm { .. } => primal::l1svc::solve(&problem, None),
                ModelKind::Logistic { .. } => primal::glmnet::solve(&problem, None),
            };
            for (j, v) in out.iter_mut().enumerate() {
                *v = (sol.w[sx.new_of[j] as usize] * sx.scale(j)) as f32 as f64;
            }
            let b = if bias > 0.0 { sol.w[nx] * bias } else { 0.0 };
            (sol, b)
        })
        .collect();
    Ok(Solved {
        coef,
        intercept: sols.iter().map(|s| s.1).collect(),
        converged: sols.iter().all(|s| s.0.converged),
        n_iter: sols.iter().map(|s| s.0.n_iter).collect(),
    })
}

/// The held-out folds of the Platt calibration (also used by the pipeline's cross-validated
/// scores): `(n_folds, fold of each sample)`, PLATT_FOLDS folds (fewer for tiny sets), a
/// seeded shuffle dealt in turn, stratified by class for multi-class targets.
pub(crate) fn cv_folds(target: &Target, random_state: u64) -> (usize, Vec<usize>) {
    let n = target.n_samples();
    let folds = PLATT_FOLDS.min(n).max(1);
    let mut perm: Vec<usize> = (0..n).collect();
    rng::SplitMix64::new(rng::derive_seed(random_state, u64::MAX)).shuffle(&mut perm);
    if let Target::Multiclass { y, .. } = target {
        perm.sort_by_key(|&i| y[i]); // stable: shuffled within each class
    }
    let mut fold_of = vec![0usize; n];
    for (r, &i) in perm.iter().enumerate() {
        fold_of[i] = r % folds;
    }
    (folds, fold_of)
}

/// Platt parameters per output from decision values of models trained on the other folds
/// (stratified folds for multi-class targets), PLATT_FOLDS folds (fewer for tiny sets).
fn platt_cv<T: Real>(
    x: &CsrMatrix<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<Vec<(f64, f64)>> {
    let n = x.n_rows;
    if n < 2 {
        return Err(Error::value(
            "probability=True needs at least 2 samples to calibrate on held-out folds",
        ));
    }
    let (folds, fold_of) = cv_folds(target, params.random_state);
    let k = target.n_classes();
    let n_out = n_outputs_of(target.is_multilabel(), k);
    let mut dec = vec![0.0f64; n * n_out];
    let sub_params = LinearParams { probability: false, ..params.clone() };
    for f in 0..folds {
        let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| fold_of[i] == f).collect();
        let xt = x.select_rows(&train)?;
        let sub_target = match target {
            Target::Multiclass { y, n_classes } => Target::Multiclass {
                y: train.iter().map(|&i| y[i]).collect(),
                n_classes: *n_classes,
            },
            Target::Multilabel { y, n_classes } => Target::Multilabel {
                y: train.iter().map(|&i| y[i].clone()).collect(),
                n_classes: *n_classes,
            },
        };
        let sub_sw: Option<Vec<f64>> = sample_weight.map(|s| train.iter().map(|&i| s[i]).collect());
        let m = fit_inner(&xt, &sub_target, sub_sw.as_deref(), &sub_params)?;
        let xs = x.select_rows(&test)?;
        let scores = m.scores(&xs);
        for (r, &i) in test.iter().enumerate() {
            dec[i * n_out..(i + 1) * n_out].copy_from_slice(&scores[r * n_out..(r + 1) * n_out]);
        }
    }
    let out = (0..n_out)
        .map(|o| {
            let f: Vec<f64> = (0..n).map(|i| dec[i * n_out + o]).collect();
            let pos: Vec<bool> = match target {
                Target::Multiclass { y, n_classes } => {
                    let cls = if *n_classes == 2 { 1 } else { o };
                    y.iter().map(|&c| c == cls).collect()
                }
                Target::Multilabel { y, .. } => y.iter().map(|s| s.contains(&o)).collect(),
            };
            platt::fit(&f, &pos)
        })
        .collect();
    Ok(out)
}
