//! The payload of a saved linear classifier (`Kind::LinearClassifier`, format version 3): the
//! model's fields with its weights as a float32 [`FeatureMajor`] table, in the compact form it
//! serialises itself in (as a `TopicClassifier`'s). A fitted [`LinearModel`] already holds float32-representable
//! weights (the solvers round them when they write the model), so saving is lossless and a
//! loaded model decides bit-identically.
//!
//! Versions 1 and 2 stored the [`LinearModel`] as it is in memory (weights as plain float64);
//! [`upgrade_v2`] rewrites such a payload into this layout when it is read.

use serde::{Deserialize, Serialize};

use super::format::{self, Kind};
use crate::error::{Error, Result};
use crate::linear::{FeatureMajor, LinearModel, ModelKind};

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

fn corrupted(what: &str) -> Error {
    Error::format(format!("corrupted topictag file: {what}"))
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
        return Err(corrupted("wrong number of weights"));
    }
    m.coef = f.weights.to_coef();
    Ok(m)
}

/// The model file image of `model` with `metadata` (JSON) in its header.
pub fn encode(model: &LinearModel, metadata: &str) -> Result<Vec<u8>> {
    format::encode(Kind::LinearClassifier, metadata, &to_file(model))
}

/// Read a linear classifier's file image (any format version this build reads).
pub fn decode(bytes: &[u8]) -> Result<(format::Header, LinearModel)> {
    let (h, f): (_, LinearFile) = format::decode(bytes, Kind::LinearClassifier)?;
    Ok((h, from_file(f)?))
}

/// Rewrite a format-version-1 or -2 linear classifier payload (a [`LinearModel`] with float64
/// weights) into the version-3 layout. The weights are rounded to float32, as a model fitted
/// by this version keeps them.
pub(crate) fn upgrade_v2(payload: &[u8]) -> Result<Vec<u8>> {
    let old: LinearModel = postcard::from_bytes(payload).map_err(|e| {
        corrupted(&format!("the format-version-2 linear classifier payload does not decode ({e})"))
    })?;
    let k = old.n_outputs();
    let total = old.n_features.checked_mul(k).ok_or_else(|| corrupted("impossible model dimensions"))?;
    if old.coef.len() != total {
        return Err(corrupted("the linear model's arrays have inconsistent sizes"));
    }
    postcard::to_allocvec(&to_file(&old))
        .map_err(|e| Error::format(format!("could not convert the format-version-2 linear classifier: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(k: usize, nf: usize, multilabel: bool) -> LinearModel {
        let n_out = if !multilabel && k == 2 { 1 } else { k };
        LinearModel {
            kind: ModelKind::Svm { hinge: false },
            coef: (0..n_out * nf).map(|i| ((i as f32 * 0.37).sin() * (i % 3) as f32) as f64).collect(),
            intercept: (0..n_out).map(|o| o as f64 * 0.25 - 0.1).collect(),
            n_features: nf,
            n_classes: k,
            multilabel,
            converged: true,
            n_iter: vec![7; n_out],
            platt: Some(vec![(-1.5, 0.25); n_out]),
        }
    }

    #[test]
    fn round_trip_is_exact() {
        for (k, nf, ml) in [(2, 9, false), (3, 40, false), (4, 1, true), (5, 0, false), (1, 6, true), (2, 3, true)] {
            let m = model(k, nf, ml);
            let (h, back) = decode(&encode(&m, "{}").unwrap()).unwrap();
            assert_eq!(h.format_version, format::FORMAT_VERSION);
            assert_eq!(back, m);
        }
    }

    #[test]
    fn version_2_payloads_are_upgraded() {
        let mut m = model(3, 25, false);
        m.coef[4] = 0.1; // not a float32 value: rounded on the way in
        let v2 = postcard::to_allocvec(&m).unwrap();
        let f: LinearFile = postcard::from_bytes(&upgrade_v2(&v2).unwrap()).unwrap();
        let back = from_file(f).unwrap();
        assert_eq!(back.coef[4], 0.1f32 as f64);
        m.coef[4] = 0.1f32 as f64;
        assert_eq!(back, m);
        assert!(upgrade_v2(&v2[..v2.len() / 2]).is_err());
        m.coef.pop();
        assert!(upgrade_v2(&postcard::to_allocvec(&m).unwrap()).is_err());
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
}
