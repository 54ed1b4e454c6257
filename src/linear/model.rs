//! [`LinearModel`]: a fitted linear classifier's state (what training makes and prediction
//! uses).

use serde::{Deserialize, Serialize};

use super::params::{n_outputs_of, ModelKind};

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

impl LinearModel {
    /// Number of score columns: 1 for a two-class multi-class model, else n_classes.
    pub fn n_outputs(&self) -> usize {
        n_outputs_of(self.multilabel, self.n_classes)
    }
}
