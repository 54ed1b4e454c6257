//! Sparse L2-regularised linear classifiers: linear SVM (hinge or squared hinge) and logistic
//! regression, multi-class (one-vs-rest or multinomial) and multi-label (one-vs-rest).
//!
//! Solvers (each module cites its method):
//! - [`dcd::svm`]: dual coordinate descent for the linear SVM (Hsieh et al., ICML 2008);
//! - [`dcd::logistic`]: dual coordinate descent for logistic regression (Yu, Huang and Lin,
//!   Machine Learning 2011), used one-vs-rest;
//! - [`lbfgs`]: L-BFGS on the multinomial (or binomial) logistic objective of scikit-learn;
//! - [`platt`]: Platt scaling of SVM scores, fitted on held-out folds.
//!
//! The objectives are scikit-learn's. One-vs-rest problems (LinearSVC and liblinear's
//! logistic regression) minimise, per output `k`,
//! `0.5 (||w_k||^2 + w_bias^2) + sum_i C_i loss(y_ik (w_k.x_i + w_bias * s))`
//! where `s = intercept_scaling` is the value of an extra constant feature (so the intercept
//! `w_bias * s` is regularised, as in LIBLINEAR) and `C_i = C * sample_weight_i * cw`, with
//! `cw` the class weight of class `k` for the positives and 1 for the rest (LIBLINEAR's
//! one-vs-rest rule, which scikit-learn's LinearSVC follows). For two classes there is one
//! output (class 1 against class 0) and each sample gets the weight of its own class.
//! Multinomial logistic regression minimises `0.5 ||W||^2 + C sum_i s_i loss_i` with an
//! unpenalised intercept and `s_i = sample_weight_i * class_weight[y_i]` (see [`lbfgs`]).
//!
//! One-vs-rest outputs are solved in fixed batches of [`BATCH`] outputs that share each pass
//! over a row (see [`dcd::svm_batch`]); batches run in parallel, each with its own seed
//! derived from `random_state`. Batches depend only on the number of outputs, so results are
//! identical for any `n_jobs`. Before solving, equal columns are merged into one and the
//! columns are renumbered for the weight tables' memory accesses ([`columns`]); both are
//! undone on the result.

mod columns;
pub mod calibrate;
pub mod dcd;
pub mod isotonic;
pub mod lbfgs;
mod linfa_impl;
pub mod platt;
pub mod threshold;
use crate::rng;

pub use linfa_impl::csr_from_array2;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, CsrView, Real, SparseIndex};

/// The labels of a training set, as class indices `0..n_classes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// One class per sample.
    Multiclass { y: Vec<usize>, n_classes: usize },
    /// A set of classes per sample (possibly empty); one-vs-rest.
    Multilabel { y: Vec<Vec<usize>>, n_classes: usize },
}

impl Target {
    pub fn n_samples(&self) -> usize {
        match self {
            Target::Multiclass { y, .. } => y.len(),
            Target::Multilabel { y, .. } => y.len(),
        }
    }
    pub fn n_classes(&self) -> usize {
        match self {
            Target::Multiclass { n_classes, .. } | Target::Multilabel { n_classes, .. } => {
                *n_classes
            }
        }
    }
    fn is_multilabel(&self) -> bool {
        matches!(self, Target::Multilabel { .. })
    }
}

/// Class weights, as scikit-learn's `class_weight`.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub enum ClassWeight {
    #[default]
    None,
    /// `n_samples / (n_classes * count_k)` (multi-class); for multi-label, each label's
    /// binary problem is balanced: positives `n / (2 n_pos)`, negatives `n / (2 n_neg)`.
    Balanced,
    /// One weight per class index.
    Explicit(Vec<f64>),
}

/// Which model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelKind {
    /// Logistic regression: multinomial (L-BFGS; binomial for two classes) or one-vs-rest
    /// (dual coordinate descent). Multi-label targets are always one-vs-rest.
    Logistic { multinomial: bool },
    /// Linear SVM with the hinge (`hinge: true`) or squared hinge loss.
    Svm { hinge: bool },
}

/// Hyper-parameters, with scikit-learn's names and meaning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearParams {
    pub kind: ModelKind,
    pub c: f64,
    pub class_weight: ClassWeight,
    pub tol: f64,
    pub max_iter: usize,
    pub fit_intercept: bool,
    pub intercept_scaling: f64,
    pub random_state: u64,
    /// SVM only: fit Platt scaling on held-out folds so that probabilities are available.
    pub probability: bool,
}

impl Default for LinearParams {
    fn default() -> Self {
        LinearParams {
            kind: ModelKind::Svm { hinge: false },
            c: 1.0,
            class_weight: ClassWeight::None,
            tol: 1e-4,
            max_iter: 1000,
            fit_intercept: true,
            intercept_scaling: 1.0,
            random_state: 0,
            probability: false,
        }
    }
}

/// Number of folds of the Platt calibration.
pub const PLATT_FOLDS: usize = 5;

/// A fitted linear classifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub kind: ModelKind,
    /// n_outputs x n_features, row-major. n_outputs is 1 for a two-class multi-class
    /// problem (the score of class 1), else n_classes.
    pub coef: Vec<f64>,
    pub intercept: Vec<f64>,
    pub n_features: usize,
    pub n_classes: usize,
    pub multilabel: bool,
    pub converged: bool,
    /// Iterations (epochs for coordinate descent) per output; one entry for L-BFGS.
    pub n_iter: Vec<usize>,
    /// Platt (A, B) per output, when fitted with `probability`.
    pub platt: Option<Vec<(f64, f64)>>,
}

fn n_outputs_of(multilabel: bool, n_classes: usize) -> usize {
    if !multilabel && n_classes == 2 {
        1
    } else {
        n_classes
    }
}

fn check_params(params: &LinearParams) -> Result<()> {
    if !(params.c.is_finite() && params.c > 0.0) {
        return Err(Error::value(format!("C must be a positive finite number, got {}", params.c)));
    }
    if !(params.tol.is_finite() && params.tol >= 0.0) {
        return Err(Error::value(format!(
            "tol must be a non-negative finite number, got {}",
            params.tol
        )));
    }
    if params.fit_intercept && !(params.intercept_scaling.is_finite() && params.intercept_scaling > 0.0)
    {
        return Err(Error::value(format!(
            "intercept_scaling must be a positive finite number, got {}",
            params.intercept_scaling
        )));
    }
    Ok(())
}

fn check_x<T: Real, I: SparseIndex, P: SparseIndex>(x: &CsrView<'_, T, I, P>) -> Result<()> {
    if x.n_rows == 0 {
        return Err(Error::value(format!(
            "Found array with 0 sample(s) (shape=(0, {})) while a minimum of 1 is required.",
            x.n_cols
        )));
    }
    if x.n_cols == 0 {
        return Err(Error::value(format!(
            "Found array with 0 feature(s) (shape=({}, 0)) while a minimum of 1 is required.",
            x.n_rows
        )));
    }
    let (indptr, indices, data) = x.parts();
    if let Some(&bad) = indices.iter().find(|&&j| j.to_index() >= x.n_cols) {
        return Err(Error::value(match bad.to_index() {
            usize::MAX => "indices has a negative entry".to_string(),
            j => format!("column index {j} out of range for a matrix with {} columns", x.n_cols),
        }));
    }
    if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
        let i = indptr.partition_point(|&p| p.to_index() <= pos) - 1;
        let j = indices[pos].to_index();
        return Err(Error::value(format!(
            "Input X contains NaN or infinity (first at row {i}, column {j})."
        )));
    }
    Ok(())
}

fn validate<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<()> {
    check_params(params)?;
    check_x(x)?;
    let n = x.n_rows;
    if target.n_samples() != n {
        return Err(Error::value(format!(
            "Found input variables with inconsistent numbers of samples: [{}, {}]",
            n,
            target.n_samples()
        )));
    }
    let k = target.n_classes();
    if k == 0 {
        return Err(Error::value("n_classes must be at least 1"));
    }
    match target {
        Target::Multiclass { y, .. } => {
            if let Some(&bad) = y.iter().find(|&&c| c >= k) {
                return Err(Error::value(format!(
                    "label index {bad} out of range for {k} classes"
                )));
            }
            let mut seen = vec![false; k];
            y.iter().for_each(|&c| seen[c] = true);
            if seen.iter().filter(|&&s| s).count() < 2 {
                return Err(Error::value(format!(
                    "This solver needs samples of at least 2 classes in the data, but the data \
                     contains only one class: {}",
                    y[0]
                )));
            }
        }
        Target::Multilabel { y, .. } => {
            for (i, set) in y.iter().enumerate() {
                if let Some(&bad) = set.iter().find(|&&c| c >= k) {
                    return Err(Error::value(format!(
                        "label index {bad} of sample {i} out of range for {k} classes"
                    )));
                }
            }
        }
    }
    if let Some(sw) = sample_weight {
        if sw.len() != n {
            return Err(Error::value(format!(
                "sample_weight has {} entries but X has {} rows",
                sw.len(),
                n
            )));
        }
        if let Some((i, v)) = sw.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
            return Err(Error::value(format!(
                "sample_weight must be non-negative and finite, but sample_weight[{i}] = {v}"
            )));
        }
        if sw.iter().all(|&v| v == 0.0) {
            return Err(Error::value("sample_weight is zero for every sample: nothing to learn from"));
        }
    }
    if let ClassWeight::Explicit(w) = &params.class_weight {
        if w.len() != k {
            return Err(Error::value(format!(
                "class_weight has {} entries, expected one per class ({k})",
                w.len()
            )));
        }
        if let Some((i, v)) = w.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
            return Err(Error::value(format!(
                "class weights must be non-negative and finite, but the weight of class {i} is {v}"
            )));
        }
    }
    Ok(())
}

/// Class weights of a multi-class target (scikit-learn's `compute_class_weight`).
fn multiclass_weights(cw: &ClassWeight, y: &[usize], k: usize) -> Vec<f64> {
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
fn binary_problem(
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
    fit_view(&x.view(), target, sample_weight, params, n_jobs)
}

/// [`fit`] on a borrowed matrix (numpy buffers, say), checked here (column indices in range,
/// finite values): the only copy made is the solver's own, with renumbered columns.
pub fn fit_view<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
    n_jobs: Option<i64>,
) -> Result<LinearModel> {
    validate(x, target, sample_weight, params)?;
    crate::parallel::install(n_jobs, || {
        let sx = columns::solver_copy(x, true)?;
        let mut model = fit_renumbered(&sx, target, sample_weight, params)?;
        if params.probability && matches!(params.kind, ModelKind::Svm { .. }) {
            // The folds see the solvers' copy (columns renumbered and merged): the fold
            // models score the held-out rows of that same copy, and merging gives the same
            // scores as the input's columns would.
            model.platt = Some(platt_cv(&sx.x, target, sample_weight, params)?);
        }
        Ok(model)
    })?
}

/// The fit without checks (run inside the thread pool).
fn fit_inner<T: Real>(
    x: &CsrMatrix<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<LinearModel> {
    let sx = columns::solver_copy(&x.view(), true)?;
    fit_renumbered(&sx, target, sample_weight, params)
}

/// [`fit_inner`] on the solvers' copy of X ([`columns::solver_copy`]); the model's
/// coefficients are in the input's numbering.
fn fit_renumbered<T: Real>(
    sx: &columns::SolverX<T>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<LinearModel> {
    let x = &sx.x;
    let n = x.n_rows;
    // Features of the input (of the model) and columns of the copy the solvers see.
    let nf = sx.n_input_cols();
    let nx = x.n_cols;
    let new_of = &sx.new_of[..];
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
    if let (ModelKind::Logistic { multinomial: true }, Target::Multiclass { y, .. }) =
        (params.kind, target)
    {
        let s: Vec<f64> = y.iter().zip(sw).map(|(&c, &w)| w * class_w[c]).collect();
        let yy: Vec<usize> = if n_out == 1 { y.iter().map(|&c| (c == 1) as usize).collect() } else { y.clone() };
        let prob = lbfgs::SoftmaxProblem::new(x, &yy, &s, n_out, params.c, params.fit_intercept);
        let r = lbfgs::minimize(&prob, params.tol, params.max_iter);
        let mut coef = vec![0.0; n_out * nf];
        for j in 0..nf {
            let (jn, s) = (new_of[j] as usize, sx.scale(j));
            for o in 0..n_out {
                coef[o * nf + j] = (r.theta[jn * n_out + o] * s) as f32 as f64;
            }
        }
        let intercept = if params.fit_intercept {
            r.theta[nx * n_out..].to_vec()
        } else {
            vec![0.0; n_out]
        };
        return Ok(LinearModel {
            kind: params.kind,
            coef,
            intercept,
            n_features: nf,
            n_classes: k,
            multilabel,
            converged: r.converged,
            n_iter: vec![r.n_iter],
            platt: None,
        });
    }
    // One-vs-rest by dual coordinate descent, outputs in parallel.
    let norms = dcd::row_sq_norms(x);
    let bias = if params.fit_intercept { params.intercept_scaling } else { 0.0 };
    let problem = dcd::Problem { x, row_sq_norms: &norms, bias };
    // Outputs are solved in batches of about BATCH (fixed by n_out alone, so the result
    // does not depend on the thread count); batches run in parallel.
    let n_batches = n_out.div_ceil(BATCH).max(1);
    let bounds: Vec<(usize, usize)> =
        (0..n_batches).map(|b| (b * n_out / n_batches, (b + 1) * n_out / n_batches)).collect();
    // Each batch writes its outputs' rows of `coef` (original column order) itself, in
    // parallel, straight from the solver's feature-major table.
    let mut coef: Vec<f64> = crate::hw::table(n_out * nf);
    let mut outs: Vec<&mut [f64]> = Vec::with_capacity(n_batches);
    let mut rest = &mut coef[..];
    for &(lo, hi) in &bounds {
        let (out, tail) = std::mem::take(&mut rest).split_at_mut((hi - lo) * nf);
        outs.push(out);
        rest = tail;
    }
    let sols: Vec<dcd::BatchSolution> = bounds
        .into_par_iter()
        .zip(outs)
        .enumerate()
        .map(|(b, ((lo, hi), out))| {
            let tasks: Vec<dcd::Task> = (lo..hi)
                .map(|o| {
                    let (y, c) = binary_problem(target, sw, params, &class_w, o);
                    dcd::Task { y, c }
                })
                .collect();
            let seed = rng::derive_seed(params.random_state, b as u64);
            let sol = match params.kind {
                ModelKind::Svm { hinge } => {
                    dcd::svm_batch(&problem, &tasks, hinge, params.tol, params.max_iter, seed)
                }
                ModelKind::Logistic { .. } => {
                    dcd::logistic_batch(&problem, &tasks, params.tol, params.max_iter, seed)
                }
            };
            sol.write_coef(sx, out);
            sol
        })
        .collect();
    let intercept: Vec<f64> = sols.iter().flat_map(|s| s.w_bias.iter().map(|&wb| wb * bias)).collect();
    Ok(LinearModel {
        kind: params.kind,
        coef,
        intercept,
        n_features: nf,
        n_classes: k,
        multilabel,
        converged: sols.iter().all(|s| s.converged.iter().all(|&c| c)),
        n_iter: sols.iter().flat_map(|s| s.n_iter.iter().copied()).collect(),
        platt: None,
    })
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
    let folds = PLATT_FOLDS.min(n);
    let mut perm: Vec<usize> = (0..n).collect();
    rng::SplitMix64::new(rng::derive_seed(params.random_state, u64::MAX)).shuffle(&mut perm);
    if let Target::Multiclass { y, .. } = target {
        perm.sort_by_key(|&i| y[i]); // stable: shuffled within each class
    }
    let mut fold_of = vec![0usize; n];
    for (r, &i) in perm.iter().enumerate() {
        fold_of[i] = r % folds;
    }
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

const PREDICT_CHUNK: usize = 256;

/// Outputs per batch of the one-vs-rest coordinate descent.
pub const BATCH: usize = 10;

/// Non-zeros ahead whose weight row the prediction kernel prefetches.
const SCORE_PREFETCH: usize = 12;

crate::avx2_dispatch! {
    /// Adds `sum_n vals[n] * t[cols[n] * k + o]` to `z[o]` for the `k = z.len()` outputs
    /// (`t` feature-major, `t.len() / k` features), skipping entries whose column is not a
    /// feature of `t` (negative or too large); returns whether every column was one. Widths
    /// up to 32 run in a kernel with the width fixed at compile time, so the sums stay in
    /// registers. Used by the classifiers' and the TopicClassifier's prediction.
    pub(crate) fn score_row, score_row_avx2, score_row_body<I: SparseIndex, V: Real>(
        cols: &[I],
        vals: &[V],
        t: &[f32],
        z: &mut [f64],
    ) -> bool
}

#[inline(always)]
fn score_row_body<I: SparseIndex, V: Real>(cols: &[I], vals: &[V], t: &[f32], z: &mut [f64]) -> bool {
    macro_rules! fixed {
        ($($k:literal)*) => {
            match z.len() {
                0 => true,
                $($k => score_row_k::<$k, I, V>(cols, vals, t, z.try_into().expect("width")),)*
                k => {
                    let nf = t.len() / k;
                    let mut all_in = true;
                    for (n, (&j, &v)) in cols.iter().zip(vals).enumerate() {
                        if let Some(&jn) = cols.get(n + SCORE_PREFETCH) {
                            crate::hw::prefetch_range(t, jn.to_index().wrapping_mul(k), k);
                        }
                        let j = j.to_index();
                        if j >= nf {
                            all_in = false;
                            continue;
                        }
                        let v = v.as_f64();
                        for (zo, &w) in z.iter_mut().zip(&t[j * k..j * k + k]) {
                            *zo += v * w as f64;
                        }
                    }
                    all_in
                }
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32)
}

#[inline(always)]
fn score_row_k<const K: usize, I: SparseIndex, V: Real>(cols: &[I], vals: &[V], t: &[f32], z: &mut [f64; K]) -> bool {
    let nf = t.len() / K;
    let mut acc = *z;
    let mut all_in = true;
    for (n, (&j, &v)) in cols.iter().zip(vals).enumerate() {
        if let Some(&jn) = cols.get(n + SCORE_PREFETCH) {
            crate::hw::prefetch_range(t, jn.to_index().wrapping_mul(K), K);
        }
        let j = j.to_index();
        if j >= nf {
            all_in = false;
            continue;
        }
        let v = v.as_f64();
        // SAFETY: j < nf = t.len() / K, so j * K + K <= t.len().
        let w: &[f32; K] = unsafe { &*(t.as_ptr().add(j * K) as *const [f32; K]) };
        for o in 0..K {
            acc[o] += v * w[o] as f64;
        }
    }
    *z = acc;
    all_in
}

impl LinearModel {
    /// Number of score columns: 1 for a two-class multi-class model, else n_classes.
    pub fn n_outputs(&self) -> usize {
        n_outputs_of(self.multilabel, self.n_classes)
    }

    fn check_predict_x<T: Real>(&self, x: &CsrMatrix<T>) -> Result<()> {
        if x.n_cols != self.n_features {
            return Err(Error::value(format!(
                "X has {} features, but this classifier is expecting {} features as input.",
                x.n_cols, self.n_features
            )));
        }
        if let Some((i, j)) = x.find_non_finite() {
            return Err(Error::value(format!(
                "Input X contains NaN or infinity (first at row {i}, column {j})."
            )));
        }
        Ok(())
    }

    /// The weights feature-major (`w[j * n_outputs + o]`), the layout prediction reads
    /// fastest; callers that predict often can compute it once (see
    /// [`LinearModel::decision_function_with`]).
    pub fn feature_major_weights(&self, n_jobs: Option<i64>) -> Result<Vec<f32>> {
        crate::parallel::install(n_jobs, || self.feature_major_in_pool())
    }

    /// [`LinearModel::feature_major_weights`] in the current pool (blocks of 4096 features
    /// in parallel; a plain copy, the same for any thread count).
    fn feature_major_in_pool(&self) -> Vec<f32> {
        let k = self.n_outputs();
        let nf = self.n_features;
        let mut t: Vec<f32> = crate::hw::table(nf * k);
        t.par_chunks_mut(4096 * k.max(1)).enumerate().for_each(|(c, tc)| {
            let j0 = c * 4096;
            for (lj, row) in tc.chunks_mut(k.max(1)).enumerate() {
                for (o, v) in row.iter_mut().enumerate() {
                    *v = self.coef[o * nf + j0 + lj] as f32;
                }
            }
        });
        t
    }

    /// Scores without checks (columns beyond n_features are ignored); inside a pool.
    fn scores<T: Real>(&self, x: &CsrMatrix<T>) -> Vec<f64> {
        let fm = (x.n_rows >= 64 && self.n_outputs() > 1).then(|| self.feature_major_in_pool());
        let (out, _) = self.scores_view(&x.view(), fm.as_deref(), false);
        out
    }

    /// Decision values of a (borrowed) CSR matrix, inside a pool, with the input checks fused
    /// into the one pass over it: returns the scores and the first problem found (in row
    /// order, so the same for any thread count): a column index out of range (only when
    /// `strict`; otherwise such entries are skipped) or a non-finite value.
    fn scores_view<T: Real, I: SparseIndex, P: SparseIndex>(
        &self,
        x: &CsrView<'_, T, I, P>,
        fm: Option<&[f32]>,
        strict: bool,
    ) -> (Vec<f64>, Option<Error>) {
        let k = self.n_outputs();
        let nf = self.n_features;
        let mut out = vec![0.0f64; x.n_rows * k];
        if k == 0 || x.n_rows == 0 {
            return (out, None);
        }
        // Per chunk: the first bad (row, column index, is_range_error).
        let bad: Vec<Option<(usize, usize, bool)>> = out
            .par_chunks_mut(PREDICT_CHUNK * k)
            .enumerate()
            .map(|(c, oc)| {
                let r0 = c * PREDICT_CHUNK;
                let mut first_bad = None;
                for (li, zi) in oc.chunks_mut(k).enumerate() {
                    zi.copy_from_slice(&self.intercept);
                    let (idx, val) = x.row(r0 + li);
                    // Scored in one pass without checks on the values: a NaN or infinity
                    // always makes some score non-finite, so only rows with a column out of
                    // range or a non-finite score are looked at again (a non-finite score
                    // from finite values, an overflow, is a result, not an error).
                    let all_in = match fm {
                        Some(t) => score_row(idx, val, t, zi),
                        None => {
                            let mut all_in = true;
                            for (&j, &v) in idx.iter().zip(val) {
                                let j = j.to_index();
                                if j >= nf {
                                    all_in = false;
                                    continue;
                                }
                                let v = v.as_f64();
                                for (o, z) in zi.iter_mut().enumerate() {
                                    *z += v * self.coef[o * nf + j];
                                }
                            }
                            all_in
                        }
                    };
                    if first_bad.is_none() && !(all_in && zi.iter().all(|z| z.is_finite())) {
                        for (&j, &v) in idx.iter().zip(val) {
                            let j = j.to_index();
                            if j >= x.n_cols && strict {
                                first_bad = Some((r0 + li, j, true));
                                break;
                            } else if j < x.n_cols && !v.is_finite() {
                                first_bad = Some((r0 + li, j, false));
                                break;
                            }
                        }
                    }
                }
                first_bad
            })
            .collect();
        let err = bad.into_iter().flatten().next().map(|(i, j, range)| {
            if range && j == usize::MAX {
                Error::value(format!("X has a negative column index (row {i})"))
            } else if range {
                Error::value(format!(
                    "column index {j} out of range for a matrix with {} columns (row {i})",
                    x.n_cols
                ))
            } else {
                Error::value(format!("Input X contains NaN or infinity (first at row {i}, column {j})."))
            }
        });
        (out, err)
    }

    /// Decision values of a borrowed CSR matrix (e.g. numpy arrays, no copy): the column
    /// count, every column index and every value are checked in the same pass as the
    /// scoring. `feature_major` as from [`LinearModel::feature_major_weights`], or None.
    pub fn decision_function_view<T: Real, I: SparseIndex, P: SparseIndex>(
        &self,
        x: &CsrView<'_, T, I, P>,
        feature_major: Option<&[f32]>,
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        if x.n_cols != self.n_features {
            return Err(Error::value(format!(
                "X has {} features, but this classifier is expecting {} features as input.",
                x.n_cols, self.n_features
            )));
        }
        if feature_major.is_some_and(|f| f.len() != self.n_features * self.n_outputs()) {
            return Err(Error::value("feature-major weights do not match the model"));
        }
        let (s, err) = crate::parallel::install(n_jobs, || self.scores_view(x, feature_major, true))?;
        match err {
            Some(e) => Err(e),
            None => Ok(s),
        }
    }

    /// [`LinearModel::decision_function`] with precomputed
    /// [`LinearModel::feature_major_weights`] (checked against the model's size).
    pub fn decision_function_with<T: Real>(
        &self,
        x: &CsrMatrix<T>,
        feature_major: &[f32],
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        self.decision_function_view(&x.view(), Some(feature_major), n_jobs)
    }

    /// Decision values, n_rows x n_outputs row-major.
    pub fn decision_function<T: Real>(
        &self,
        x: &CsrMatrix<T>,
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        let fm = (x.n_rows >= 64 && self.n_outputs() > 1).then(|| self.feature_major_weights(n_jobs)).transpose()?;
        self.decision_function_view(&x.view(), fm.as_deref(), n_jobs)
    }

    /// Class probabilities, n_rows x n_classes row-major. Logistic: softmax (multinomial),
    /// sigmoid of the one output (two classes), normalised sigmoids (one-vs-rest), plain
    /// sigmoids (multi-label). SVM: Platt-scaled scores, normalised the same way; an error
    /// if the model was fitted without `probability`.
    pub fn predict_proba<T: Real>(&self, x: &CsrMatrix<T>, n_jobs: Option<i64>) -> Result<Vec<f64>> {
        let scores = self.decision_function(x, n_jobs)?;
        self.proba_from_scores(&scores)
    }

    /// [`LinearModel::predict_proba`] from decision values.
    pub fn proba_from_scores(&self, scores: &[f64]) -> Result<Vec<f64>> {
        let k_out = self.n_outputs();
        let kc = self.n_classes;
        if k_out == 0 || scores.len() % k_out != 0 {
            return Err(Error::value("scores do not match the model's number of outputs"));
        }
        let n = scores.len() / k_out;
        let sig = |o: usize, f: f64| -> Result<f64> {
            match self.kind {
                ModelKind::Logistic { .. } => Ok(sigmoid(f)),
                ModelKind::Svm { .. } => match &self.platt {
                    Some(p) => Ok(platt::prob(f, p[o])),
                    None => Err(Error::value(
                        "probability estimates are not available: this LinearSVC was fitted \
                         with probability=False",
                    )),
                },
            }
        };
        let mut out = vec![0.0; n * kc];
        for i in 0..n {
            let z = &scores[i * k_out..(i + 1) * k_out];
            let row = &mut out[i * kc..(i + 1) * kc];
            if k_out == 1 && !self.multilabel {
                let p1 = sig(0, z[0])?;
                row[0] = 1.0 - p1;
                row[1] = p1;
            } else if matches!(self.kind, ModelKind::Logistic { multinomial: true }) && !self.multilabel {
                let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let mut s = 0.0;
                for (r, &v) in row.iter_mut().zip(z) {
                    *r = (v - m).exp();
                    s += *r;
                }
                row.iter_mut().for_each(|r| *r /= s);
            } else {
                for o in 0..k_out {
                    row[o] = sig(o, z[o])?;
                }
                if !self.multilabel {
                    let s: f64 = row.iter().sum();
                    if s > 0.0 {
                        row.iter_mut().for_each(|r| *r /= s);
                    } else {
                        row.iter_mut().for_each(|r| *r = 1.0 / kc as f64);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Predicted class index per row from decision values (multi-class models).
    pub fn predict_labels(&self, scores: &[f64]) -> Vec<usize> {
        let k = self.n_outputs().max(1);
        scores
            .chunks(k)
            .map(|z| {
                if k == 1 {
                    (z[0] > 0.0) as usize
                } else {
                    let mut best = 0;
                    for o in 1..k {
                        if z[o] > z[best] {
                            best = o;
                        }
                    }
                    best
                }
            })
            .collect()
    }

    /// Label sets from per-class scores (margins or probabilities, n_rows x n_classes):
    /// classes scoring above `threshold`, best first; when none does and `allow_empty` is
    /// false, the best class alone.
    pub fn predict_label_sets(
        &self,
        scores: &[f64],
        threshold: f64,
        allow_empty: bool,
    ) -> Vec<Vec<usize>> {
        let k = self.n_classes.max(1);
        scores
            .chunks(k)
            .map(|z| {
                let mut picked: Vec<usize> = (0..z.len()).filter(|&o| z[o] > threshold).collect();
                picked.sort_by(|&a, &b| z[b].partial_cmp(&z[a]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
                if picked.is_empty() && !allow_empty && !z.is_empty() {
                    let mut best = 0;
                    for o in 1..z.len() {
                        if z[o] > z[best] {
                            best = o;
                        }
                    }
                    picked.push(best);
                }
                picked
            })
            .collect()
    }

    /// The primal objective of this model on a training set, as the solvers define it:
    /// one-vs-rest, the sum over outputs of
    /// `0.5 (||w_k||^2 + (b_k / intercept_scaling)^2) + sum_i C_i loss_i`; multinomial,
    /// `0.5 ||W||^2 + C sum_i s_i loss_i` (intercept unpenalised).
    pub fn objective<T: Real>(
        &self,
        x: &CsrMatrix<T>,
        target: &Target,
        sample_weight: Option<&[f64]>,
        params: &LinearParams,
    ) -> Result<f64> {
        validate(&x.view(), target, sample_weight, params)?;
        self.check_predict_x(x)?;
        if target.n_classes() != self.n_classes || target.is_multilabel() != self.multilabel {
            return Err(Error::value("the target does not match the model's classes"));
        }
        let n = x.n_rows;
        let ones = vec![1.0; n];
        let sw = sample_weight.unwrap_or(&ones);
        let scores = self.scores(x);
        let k_out = self.n_outputs();
        let nf = self.n_features;
        let class_w = match target {
            Target::Multiclass { y, .. } => multiclass_weights(&params.class_weight, y, self.n_classes),
            Target::Multilabel { .. } => vec![1.0; self.n_classes],
        };
        let sq: f64 = self.coef.iter().map(|w| w * w).sum();
        if let (ModelKind::Logistic { multinomial: true }, Target::Multiclass { y, .. }) =
            (params.kind, target)
        {
            let mut total = 0.0;
            for i in 0..n {
                let z = &scores[i * k_out..(i + 1) * k_out];
                let s = sw[i] * class_w[y[i]];
                let l = if k_out == 1 {
                    let t = z[0];
                    let yi = (y[i] == 1) as usize as f64;
                    log1pexp(t) - yi * t
                } else {
                    let m = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln() - z[y[i]]
                };
                total += s * l;
            }
            return Ok(0.5 * sq + params.c * total);
        }
        let bias = if params.fit_intercept { params.intercept_scaling } else { 0.0 };
        let mut total = 0.5 * sq;
        for o in 0..k_out {
            if bias > 0.0 {
                let wb = self.intercept[o] / bias;
                total += 0.5 * wb * wb;
            }
            let (y, c) = binary_problem(target, sw, params, &class_w, o);
            for i in 0..n {
                let m = y[i] * scores[i * k_out + o];
                let l = match params.kind {
                    ModelKind::Svm { hinge: true } => (1.0 - m).max(0.0),
                    ModelKind::Svm { hinge: false } => (1.0 - m).max(0.0).powi(2),
                    ModelKind::Logistic { .. } => log1pexp(-m),
                };
                total += c[i] * l;
            }
        }
        let _ = nf;
        Ok(total)
    }
}

#[inline]
fn sigmoid(f: f64) -> f64 {
    if f >= 0.0 {
        1.0 / (1.0 + (-f).exp())
    } else {
        let e = f.exp();
        e / (1.0 + e)
    }
}

#[inline]
fn log1pexp(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests;
