//! A linear classifier in the model file ([`Persist`], `Kind::LinearClassifier`): the model's
//! fields with its weights as a float32 [`FeatureMajor`] table, in the compact form it
//! encodes itself in (as a `TopicClassifier`'s). A fitted [`LinearModel`] already holds float32-representable
//! weights (the solvers round them when they write the model), so saving is lossless and a
//! loaded model decides bit-identically.

use serde::{Deserialize, Serialize};

use super::{FeatureMajor, LinearModel, ModelKind};
use crate::error::Result;
use crate::persist::{corrupted, from_postcard, to_postcard, Kind, Persist};

/// The payload, in postcard field order (documented in `docs/model-format.md`).
#[derive(Serialize, Deserialize)]
struct LinearFile {
    kind: ModelKind,
    n_features: usize,
    n_classes: usize,
    multilabel: bool,
    intercept: Vec<f64>,
    converged: bool,
    n_iter: Vec<usize>,
    platt: Option<Vec<(f64, f64)>>,
    /// `n_features x n_outputs`, feature-major.
    weights: FeatureMajor,
}

fn to_file(m: &LinearModel) -> LinearFile {
    let (k, nf) = (m.n_outputs(), m.n_features);
    LinearFile {
        kind: m.kind,
        n_features: nf,
        n_classes: m.n_classes,
        multilabel: m.multilabel,
        intercept: m.intercept.clone(),
        converged: m.converged,
        n_iter: m.n_iter.clone(),
        platt: m.platt.clone(),
        weights: FeatureMajor::from_coef(&m.coef, k, nf),
    }
}

fn from_file(f: LinearFile) -> Result<LinearModel> {
    let mut m = LinearModel {
        kind: f.kind,
        coef: Vec::new(),
        intercept: f.intercept,
        n_features: f.n_features,
        n_classes: f.n_classes,
        multilabel: f.multilabel,
        converged: f.converged,
        n_iter: f.n_iter,
        platt: f.platt,
    };
    let (k, nf) = (m.n_outputs(), m.n_features);
    if m.n_classes < if m.multilabel { 1 } else { 2 } {
        return Err(corrupted(if m.multilabel {
            "a multi-label linear model without labels"
        } else {
            "a multi-class linear model with fewer than two classes"
        }));
    }
    if m.intercept.len() != k || m.platt.as_ref().is_some_and(|p| p.len() != k) {
        return Err(corrupted("the linear model's arrays have inconsistent sizes"));
    }
    if f.weights.n_features() != nf || f.weights.n_outputs() != k {
        return Err(corrupted(&format!(
            "the weight table is {} x {}, not {nf} features x {k} outputs",
            f.weights.n_features(),
            f.weights.n_outputs()
        )));
    }
    check_finite(&f.weights, &m.intercept, m.platt.as_deref())?;
    m.coef = f.weights.to_coef()?;
    Ok(m)
}

/// Every weight, intercept and Platt parameter of a decoded model must be finite (the solvers
/// never produce anything else, and a NaN would silently predict the first class).
pub(crate) fn check_finite(w: &FeatureMajor, intercept: &[f64], platt: Option<&[(f64, f64)]>) -> Result<()> {
    let k = w.n_outputs().max(1);
    if let Some(i) = w.as_slice().iter().position(|v| !v.is_finite()) {
        return Err(corrupted(&format!("the weight of feature {} for output {} is not finite", i / k, i % k)));
    }
    if let Some(o) = intercept.iter().position(|v| !v.is_finite()) {
        return Err(corrupted(&format!("the intercept of output {o} is not finite")));
    }
    if let Some(o) = platt.unwrap_or(&[]).iter().position(|(a, b)| !(a.is_finite() && b.is_finite())) {
        return Err(corrupted(&format!("the Platt scaling of output {o} is not finite")));
    }
    Ok(())
}

impl Persist for LinearModel {
    const KIND: Kind = Kind::LinearClassifier;
    fn encode_payload(&self) -> Result<Vec<u8>> {
        to_postcard(&to_file(self), Self::KIND)
    }
    fn decode_payload(bytes: &[u8]) -> Result<Self> {
        from_file(from_postcard(bytes, Self::KIND)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn model(k: usize, nf: usize, multilabel: bool) -> LinearModel {
        let n_out = if !multilabel && k == 2 { 1 } else { k };
        let coef = (0..n_out * nf).map(|i| ((i as f32 * 0.37).sin() * (i % 3) as f32) as f64).collect();
        let intercept = (0..n_out).map(|o| o as f64 * 0.25 - 0.1).collect();
        LinearModel {
            n_features: nf,
            platt: Some(vec![(-1.5, 0.25); n_out]),
            ..LinearModel::test_svm(k, multilabel, coef, intercept, 7)
        }
    }

    #[test]
    fn round_trip_is_exact() {
        for (k, nf, ml) in [(2, 9, false), (3, 40, false), (4, 1, true), (5, 0, false), (1, 6, true), (2, 3, true)] {
            let m = model(k, nf, ml);
            let (h, back) = crate::persist::load::<LinearModel>(&crate::persist::save(&m, "{}").unwrap()).unwrap();
            assert_eq!(h.format_version, crate::persist::FORMAT_VERSION);
            assert_eq!(back, m);
        }
    }

    /// Format version 1 is promised to stay readable: this pins the payload layout byte for
    /// byte (docs/model-format.md). A failure here means the format changed.
    #[test]
    fn payload_layout_is_pinned() {
        let m = LinearModel::test_svm(2, false, vec![1.0, -2.0], vec![0.5], 3);
        #[rustfmt::skip]
        let expected: &[u8] = &[
            0x01, 0x00,                   // kind: Svm { hinge: false }
            0x02, 0x02, 0x00,             // n_features, n_classes, multilabel
            0x01, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f, // intercept [0.5]
            0x01, 0x01, 0x03, 0x00,       // converged, n_iter [3], platt None
            0x02, 0x01,                   // weights: n_features, n_outputs
            0x00, 0x08,                   // Dense, 8 bytes of planes
            0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x3f, 0xc0, // [1.0, -2.0] byte planes
        ];
        assert_eq!(m.encode_payload().unwrap(), expected);
        assert_eq!(LinearModel::decode_payload(expected).unwrap(), m);
    }

    #[test]
    fn inconsistent_sizes_are_format_errors() {
        let mut f = to_file(&model(3, 5, false));
        f.intercept.pop();
        assert!(matches!(from_file(f), Err(Error::Format(_))));
        let mut f = to_file(&model(3, 5, false));
        f.n_features = 6;
        assert!(matches!(from_file(f), Err(Error::Format(_))));
        let mut f = to_file(&model(3, 5, false));
        f.n_classes = 1;
        assert!(matches!(from_file(f), Err(Error::Format(_))));
        let mut f = to_file(&model(1, 5, true));
        f.n_classes = 0;
        assert!(matches!(from_file(f), Err(Error::Format(_))));
    }

    #[test]
    fn non_finite_values_are_format_errors() {
        let check = |m: LinearModel, what: &str| {
            let e = crate::persist::load::<LinearModel>(&crate::persist::save(&m, "{}").unwrap()).unwrap_err();
            assert!(matches!(e, Error::Format(_)) && e.to_string().contains(what), "{e}");
        };
        let mut m = model(3, 5, false);
        m.coef[7] = f64::NAN; // output 1, feature 2
        check(m, "the weight of feature 2 for output 1 is not finite");
        let mut m = model(3, 5, false);
        m.intercept[2] = f64::NEG_INFINITY;
        check(m, "the intercept of output 2 is not finite");
        let mut m = model(2, 5, false);
        m.platt = Some(vec![(f64::NAN, 0.0)]);
        check(m, "the Platt scaling of output 0 is not finite");
    }
}
