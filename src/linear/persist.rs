//! A linear classifier in the model file ([`Persist`], `Kind::LinearClassifier`): the model's
//! fields with its weights as float32 [`StoredWeights`], the same compact forms a
//! `TopicClassifier` uses. A fitted [`LinearModel`] already holds float32-representable
//! weights (the solvers round them when they write the model), so saving is lossless and a
//! loaded model decides bit-identically.

use serde::{Deserialize, Serialize};

use super::{LinearModel, ModelKind};
use crate::error::Result;
use crate::persist::table::{load_weights, store_weights, StoredWeights};
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
    weights: StoredWeights,
}

fn to_file(m: &LinearModel) -> LinearFile {
    let (k, nf) = (m.n_outputs(), m.n_features);
    let mut w: Vec<f32> = crate::hw::table(nf * k);
    for o in 0..k {
        for (j, &c) in m.coef[o * nf..(o + 1) * nf].iter().enumerate() {
            w[j * k + o] = c as f32;
        }
    }
    LinearFile {
        kind: m.kind,
        n_features: nf,
        n_classes: m.n_classes,
        multilabel: m.multilabel,
        intercept: m.intercept.clone(),
        converged: m.converged,
        n_iter: m.n_iter.clone(),
        platt: m.platt.clone(),
        weights: store_weights(w, nf, k),
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
    let w = load_weights(f.weights, nf, k)?;
    let mut coef: Vec<f64> = crate::hw::table(nf * k);
    for (j, row) in w.chunks_exact(k).enumerate() {
        for (o, &v) in row.iter().enumerate() {
            coef[o * nf + j] = v as f64;
        }
    }
    m.coef = coef;
    Ok(m)
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
            let (h, back) = crate::persist::load::<LinearModel>(&crate::persist::save(&m, "{}").unwrap()).unwrap();
            assert_eq!(h.format_version, crate::persist::FORMAT_VERSION);
            assert_eq!(back, m);
        }
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
