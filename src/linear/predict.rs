//! Prediction of a [`LinearModel`]: decision values (through the feature-major
//! [`FeatureMajor`] table, or straight from `coef` for small inputs), probabilities and labels.

use super::model::LinearModel;
use super::params::ModelKind;
use super::platt;
use super::weights::{self, FeatureMajor};
use crate::error::{Error, Result};
use crate::sparse::{CsrMatrix, CsrView, Real, SparseIndex};

impl LinearModel {
    /// The weights in the layout prediction reads fastest ([`FeatureMajor`]); callers that
    /// predict often can compute it once (see [`LinearModel::decision_function_with`]).
    pub fn feature_major_weights(&self, n_jobs: Option<i64>) -> Result<FeatureMajor> {
        crate::parallel::install(n_jobs, || self.feature_major_in_pool())
    }

    /// [`LinearModel::feature_major_weights`] in the current pool.
    fn feature_major_in_pool(&self) -> FeatureMajor {
        FeatureMajor::from_coef(&self.coef, self.n_outputs(), self.n_features)
    }

    /// Scores without checks (columns beyond n_features are ignored); inside a pool.
    pub(crate) fn scores<T: Real>(&self, x: &CsrMatrix<T>) -> Vec<f64> {
        let fm = (x.n_rows >= 64 && self.n_outputs() > 1).then(|| self.feature_major_in_pool());
        let (out, _) = self.scores_view(&x.view(), fm.as_ref(), false);
        out
    }

    /// Decision values of a (borrowed) CSR matrix, inside a pool, with the input checks fused
    /// into the one pass over it (see [`weights::score_csr`]). Without `fm`, the rows are
    /// scored from `coef` directly (the same sums in the same order).
    fn scores_view<T: Real, I: SparseIndex, P: SparseIndex>(
        &self,
        x: &CsrView<'_, T, I, P>,
        fm: Option<&FeatureMajor>,
        strict: bool,
    ) -> (Vec<f64>, Option<Error>) {
        if let Some(t) = fm {
            return t.score_csr(x, &self.intercept, strict);
        }
        let nf = self.n_features;
        weights::score_csr(x, &self.intercept, strict, |idx, val, zi| {
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
        })
    }

    /// Decision values of a borrowed CSR matrix (e.g. numpy arrays, no copy): the column
    /// count, every column index and every value are checked in the same pass as the
    /// scoring. `feature_major` as from [`LinearModel::feature_major_weights`], or None.
    pub fn decision_function_view<T: Real, I: SparseIndex, P: SparseIndex>(
        &self,
        x: &CsrView<'_, T, I, P>,
        feature_major: Option<&FeatureMajor>,
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        if x.n_cols != self.n_features {
            return Err(Error::value(format!(
                "X has {} features, but this classifier is expecting {} features as input.",
                x.n_cols, self.n_features
            )));
        }
        if feature_major.is_some_and(|f| f.n_features() != self.n_features || f.n_outputs() != self.n_outputs()) {
            return Err(Error::value("feature-major weights do not match the model"));
        }
        let (s, err) = crate::parallel::install(n_jobs, || self.scores_view(x, feature_major, true))?;
        crate::cancel::check()?;
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
        feature_major: &FeatureMajor,
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
        self.decision_function_view(&x.view(), fm.as_ref(), n_jobs)
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
