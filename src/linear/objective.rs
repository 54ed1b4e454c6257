//! The primal objective of a fitted model, as the solvers define it: what the tests check
//! the solvers' optima against.

use super::blockwise::log1pexp;
use super::fit::{binary_problem, multiclass_weights};
use super::model::LinearModel;
use super::params::{check_fit, LinearParams, ModelKind, Target};
use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, Real};

impl LinearModel {
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
        check_fit(&x.view(), target, sample_weight, params)?;
        self.check_predict_x(x)?;
        if target.n_classes() != self.n_classes || target.is_multilabel() != self.multilabel {
            return Err(Error::value("the target does not match the model's classes"));
        }
        let n = x.n_rows;
        let ones = vec![1.0; n];
        let sw = sample_weight.unwrap_or(&ones);
        let scores = self.scores(x);
        let k_out = self.n_outputs();
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
        Ok(total)
    }
}
