//! What a fit takes: the labels ([`Target`]), the hyper-parameters ([`LinearParams`], with
//! scikit-learn's names and meaning) and the checks on both. [`LinearParams::validate`] owns
//! every rule on a hyper-parameter's value; its messages name the Python parameter.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sparse::{CsrView, Real, SparseIndex};

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
    pub(crate) fn is_multilabel(&self) -> bool {
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

/// The penalty on the weights (scikit-learn's `penalty` / `l1_ratio`). With `C` on the loss,
/// the objective's penalty is `l1 ||w||_1 + l2 / 2 ||w||^2` with `(l1, l2)` as
/// [`Penalty::weights`] gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Penalty {
    /// `0.5 ||w||^2`: the dual coordinate-descent and L-BFGS solvers.
    #[default]
    L2,
    /// `||w||_1`, intercept included (as a feature of value `intercept_scaling`, as
    /// LIBLINEAR): logistic regression by newGLMNET, the squared-hinge SVM by primal
    /// coordinate descent ([`super::primal`]); one-vs-rest.
    L1,
    /// `r ||w||_1 + (1 - r) / 2 ||w||^2` with `r = l1_ratio`, logistic regression only,
    /// intercept not penalised (as scikit-learn's saga): newGLMNET with the L2 part in its
    /// quadratic model; one-vs-rest.
    ElasticNet { l1_ratio: f64 },
}

impl Penalty {
    /// `(l1, l2)`: the objective's penalty is `l1 ||w||_1 + l2 / 2 ||w||^2`.
    pub fn weights(self) -> (f64, f64) {
        match self {
            Penalty::L2 => (0.0, 1.0),
            Penalty::L1 => (1.0, 0.0),
            Penalty::ElasticNet { l1_ratio } => (l1_ratio, 1.0 - l1_ratio),
        }
    }

    /// Whether the solvers may merge equal columns of X (see [`super::columns`]): only the
    /// L2 penalty is unchanged by that rotation of the weights.
    pub(crate) fn merges_columns(self) -> bool {
        self == Penalty::L2
    }
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
    /// The penalty (L2 unless set).
    #[serde(default)]
    pub penalty: Penalty,
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
            penalty: Penalty::L2,
        }
    }
}

impl LinearParams {
    /// Every rule on the hyper-parameters' values (scikit-learn's): `C` finite and > 0, `tol`
    /// finite and > 0, `max_iter` >= 1, `intercept_scaling` finite and > 0 when
    /// `fit_intercept`, explicit class weights finite and > 0. The messages name the Python
    /// parameter and the value given.
    pub fn validate(&self) -> Result<()> {
        let positive = |name: &str, v: f64| -> Result<()> {
            if !v.is_finite() {
                return Err(Error::value(format!("{name} must be finite, got {v}")));
            }
            if v <= 0.0 {
                return Err(Error::value(format!("{name} must be > 0, got {v}")));
            }
            Ok(())
        };
        positive("C", self.c)?;
        positive("tol", self.tol)?;
        if self.max_iter < 1 {
            return Err(Error::value(format!("max_iter must be >= 1, got {}", self.max_iter)));
        }
        if self.fit_intercept {
            positive("intercept_scaling", self.intercept_scaling)?;
        }
        if let ClassWeight::Explicit(w) = &self.class_weight {
            for (i, &v) in w.iter().enumerate() {
                positive(&format!("class_weight (the weight of class index {i})"), v)?;
            }
        }
        match (self.penalty, self.kind) {
            (Penalty::L1, ModelKind::Svm { hinge: true }) => {
                return Err(Error::value(
                    "Unsupported set of arguments: The combination of penalty='l1' and \
                     loss='hinge' is not supported, Parameters: penalty='l1', loss='hinge'",
                ))
            }
            (Penalty::ElasticNet { .. }, ModelKind::Svm { .. }) => {
                return Err(Error::value("the elastic-net penalty is for logistic regression only"))
            }
            (Penalty::ElasticNet { l1_ratio }, _) if !(0.0..=1.0).contains(&l1_ratio) => {
                return Err(Error::value(format!("l1_ratio must be in [0, 1], got {l1_ratio}")))
            }
            _ => {}
        }
        Ok(())
    }
}

/// Score columns of a model: 1 for a two-class multi-class problem (the score of class 1),
/// else one per class.
pub(crate) fn n_outputs_of(multilabel: bool, n_classes: usize) -> usize {
    if !multilabel && n_classes == 2 {
        1
    } else {
        n_classes
    }
}

/// X has rows and columns, every column index in range and every value finite.
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

/// The checks of a fit's inputs: [`LinearParams::validate`], then X ([`check_x`]), the
/// target, the sample weights and the number of class weights.
pub(crate) fn check_fit<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    target: &Target,
    sample_weight: Option<&[f64]>,
    params: &LinearParams,
) -> Result<()> {
    params.validate()?;
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
    }
    Ok(())
}
