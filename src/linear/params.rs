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
