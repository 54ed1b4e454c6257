//! A `TopicClassifier` in the model file ([`Persist`], `Kind::TopicClassifier`): the fitted
//! vectorizer (its own payload layout, `vectorize::persist`), the topics, the linear model's
//! small fields and the weights (a [`FeatureMajor`], which encodes itself compactly).

use serde::{Deserialize, Serialize};

use super::articles::ArticleState;
use super::TopicModel;
use crate::linear::calibrate::Calibrator;
use crate::error::Result;
use crate::linear::persist::check_finite;
use crate::linear::{FeatureMajor, LinearModel, ModelKind};
use crate::persist::{corrupted, from_postcard, load, save, to_postcard, Kind, Persist};
use crate::vectorize::TfidfVectorizer;

/// The payload, in postcard field order (documented in `docs/model-format.md`). Written with
/// a borrowed vectorizer and weights (`V = &TfidfVectorizer`, `W = &FeatureMajor`), read
/// with owned ones.
#[derive(Serialize, Deserialize)]
struct Payload<V = TfidfVectorizer, W = FeatureMajor> {
    vectorizer: V,
    classes: Vec<String>,
    multilabel: bool,
    kind: ModelKind,
    n_classes: usize,
    n_features: usize,
    intercept: Vec<f64>,
    converged: bool,
    n_iter: Vec<usize>,
    platt: Option<Vec<(f64, f64)>>,
    weights: W,
    n_documents: u64,
    fit_seconds: f64,
    /// Issue 18: the article-level state of multi-label models (combination rule,
    /// calibrators, thresholds, surface forms); `None` otherwise.
    articles: Option<ArticleState>,
}

impl Persist for TopicModel {
    const KIND: Kind = Kind::TopicClassifier;

    fn encode_payload(&self) -> Result<Vec<u8>> {
        let payload = Payload {
            vectorizer: &self.vectorizer,
            classes: self.classes.clone(),
            multilabel: self.multilabel,
            kind: self.linear.kind,
            n_classes: self.linear.n_classes,
            n_features: self.n_features(),
            intercept: self.linear.intercept.clone(),
            converged: self.linear.converged,
            n_iter: self.linear.n_iter.clone(),
            platt: self.linear.platt.clone(),
            weights: &self.weights,
            n_documents: self.n_documents as u64,
            fit_seconds: self.fit_seconds,
            articles: self.articles.clone(),
        };
        to_postcard(&payload, Self::KIND)
    }

    fn decode_payload(bytes: &[u8]) -> Result<Self> {
        let p: Payload = from_postcard(bytes, Self::KIND)?;
        p.vectorizer.check_decoded()?;
        let nc = p.classes.len();
        if nc < 2 || p.n_classes != nc {
            return Err(corrupted(&format!("{nc} topic names for a model of {} topics (at least 2)", p.n_classes)));
        }
        let mut seen = std::collections::HashSet::with_capacity(nc);
        if let Some(c) = p.classes.iter().find(|c| !seen.insert(c.as_str())) {
            return Err(corrupted(&format!("the topic {c:?} is listed twice")));
        }
        let k = if !p.multilabel && nc == 2 { 1 } else { nc };
        if p.intercept.len() != k {
            return Err(corrupted(&format!("{} intercepts for {k} outputs", p.intercept.len())));
        }
        if p.platt.as_ref().is_some_and(|pl| pl.len() != k) {
            return Err(corrupted("wrong number of calibration parameters"));
        }
        let nf = p.n_features;
        let vocab = p.vectorizer.feature_names().map_err(|_| corrupted("the vectorizer is not fitted"))?.len();
        if vocab != nf {
            return Err(corrupted(&format!("the vocabulary has {vocab} terms but the model {nf} features")));
        }
        let weights = p.weights;
        if weights.n_features() != nf || weights.n_outputs() != k {
            return Err(corrupted(&format!(
                "the weight table is {} x {}, not {nf} features x {k} outputs",
                weights.n_features(),
                weights.n_outputs()
            )));
        }
        check_finite(&weights, &p.intercept, p.platt.as_deref())?;
        if let Some(a) = &p.articles {
            check_articles(a, p.multilabel, k, nf)?;
        }
        let linear = LinearModel {
            kind: p.kind,
            coef: Vec::new(),
            intercept: p.intercept,
            n_features: nf,
            n_classes: nc,
            multilabel: p.multilabel,
            converged: p.converged,
            n_iter: p.n_iter,
            platt: p.platt,
        };
        Ok(TopicModel {
            vectorizer: p.vectorizer,
            classes: p.classes,
            multilabel: p.multilabel,
            linear,
            weights,
            n_documents: p.n_documents as usize,
            fit_seconds: p.fit_seconds,
            articles: p.articles,
        })
    }
}

/// The article-level state must fit the model: multi-label, one calibrator and threshold per
/// topic, one surface form per feature, calibrators with finite parameters (isotonic knots
/// increasing), thresholds that are numbers.
fn check_articles(a: &ArticleState, multilabel: bool, k: usize, nf: usize) -> Result<()> {
    let bad = |what: &str| Err(corrupted(&format!("the article-level state: {what}")));
    if !multilabel {
        return bad("present in a model that is not multi-label");
    }
    if a.thresholds.len() != k || a.surface.len() != nf {
        return bad(&format!(
            "{} thresholds and {} surface forms for {k} topics and {nf} features",
            a.thresholds.len(),
            a.surface.len()
        ));
    }
    if let Some(t) = a.thresholds.iter().position(|t| t.is_nan()) {
        return bad(&format!("the threshold of topic {t} is NaN"));
    }
    if let Some(c) = &a.calibrators {
        if c.len() != k {
            return bad(&format!("{} calibrators for {k} topics", c.len()));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        let ok = |c: &Calibrator| match c {
            Calibrator::Platt { a, b } => a.is_finite() && b.is_finite(),
            Calibrator::Isotonic { x, y } => {
                !x.is_empty() && x.len() == y.len() && finite(x) && finite(y) && x.windows(2).all(|w| w[0] <= w[1])
            }
        };
        if let Some(t) = c.iter().position(|c| !ok(c)) {
            return bad(&format!("the calibrator of topic {t} is not valid"));
        }
    }
    Ok(())
}

impl TopicModel {
    /// The model file image. `prune = Some(eps)` saves [`TopicModel::pruned`]`(eps)` instead.
    pub fn to_bytes(&self, metadata: &str, prune: Option<f64>) -> Result<Vec<u8>> {
        match prune {
            None => save(self, metadata),
            Some(eps) => save(&self.pruned(eps)?, metadata),
        }
    }

    /// Read a model file image; returns the model and the file's metadata.
    pub fn from_bytes(bytes: &[u8]) -> Result<(Self, String)> {
        load::<TopicModel>(bytes).map(|(h, m)| (m, h.metadata))
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::fit::tests::{model, upper_quartile_weight};
    use super::*;
    use crate::error::Error;

    #[test]
    fn round_trip_predicts_bit_identically() {
        for ml in [false, true] {
            let m = model(ml);
            let test = ["rockets hit the army base", "peace talks in Geneva"];
            let bytes = m.to_bytes("{\"a\": 1}", None).unwrap();
            let (back, meta) = TopicModel::from_bytes(&bytes).unwrap();
            assert_eq!(meta, "{\"a\": 1}");
            let (d0, d1) = (m.decision_function(&test, Some(1)).unwrap(), back.decision_function(&test, Some(1)).unwrap());
            assert_eq!(d0.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), d1.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            assert_eq!(back.to_bytes("{\"a\": 1}", None).unwrap(), bytes);
        }
    }

    #[test]
    fn pruned_files_are_smaller_and_load() {
        let m = model(true);
        let eps = upper_quartile_weight(&m);
        let full = m.to_bytes("{}", None).unwrap();
        let pruned = m.to_bytes("{}", Some(eps)).unwrap();
        assert!(pruned.len() < full.len());
        let (p, _) = TopicModel::from_bytes(&pruned).unwrap();
        assert_eq!(p.n_features(), m.pruned(eps).unwrap().n_features());
        assert!(p.n_features() < m.n_features());
    }

    #[test]
    fn every_truncation_and_flipped_byte_is_a_format_error() {
        let bytes = model(false).to_bytes("{}", None).unwrap();
        for n in 0..bytes.len() {
            assert!(matches!(TopicModel::from_bytes(&bytes[..n]), Err(Error::Format(_))), "cut at {n}");
        }
        for i in (0..bytes.len()).step_by(7) {
            let mut b = bytes.clone();
            b[i] ^= 0x21;
            assert!(matches!(TopicModel::from_bytes(&b), Err(Error::Format(_))), "flip at {i}");
        }
    }

    #[test]
    fn inconsistent_payloads_are_format_errors() {
        let m = model(false);
        let good = m.encode_payload().unwrap();
        let mut p: Payload = postcard::from_bytes(&good).unwrap();
        p.intercept.push(0.0);
        let bad = postcard::to_allocvec(&p).unwrap();
        assert!(matches!(TopicModel::decode_payload(&bad), Err(Error::Format(_))));
        let mut p: Payload = postcard::from_bytes(&good).unwrap();
        p.n_features += 1;
        let bad = postcard::to_allocvec(&p).unwrap();
        assert!(matches!(TopicModel::decode_payload(&bad), Err(Error::Format(_))));
        let mut p: Payload = postcard::from_bytes(&good).unwrap();
        p.classes.pop();
        let bad = postcard::to_allocvec(&p).unwrap();
        assert!(matches!(TopicModel::decode_payload(&bad), Err(Error::Format(_))));
    }

    /// Valid-checksum files holding values no fit produces (issue 19) are format errors.
    #[test]
    fn forged_values_are_format_errors() {
        let good = model(true).encode_payload().unwrap();
        let check = |edit: &dyn Fn(&mut Payload), what: &str| {
            let mut p: Payload = postcard::from_bytes(&good).unwrap();
            edit(&mut p);
            let e = TopicModel::decode_payload(&postcard::to_allocvec(&p).unwrap()).unwrap_err();
            assert!(matches!(e, Error::Format(_)) && e.to_string().contains(what), "{what}: {e}");
        };
        check(&|p| p.classes[1] = p.classes[0].clone(), "is listed twice");
        check(&|p| p.intercept[0] = f64::NAN, "the intercept of output 0 is not finite");
        check(&|p| p.platt = Some(vec![(1.0, f64::INFINITY); p.intercept.len()]), "Platt scaling of output 0");
        check(&|p| {
            let (nf, k) = (p.weights.n_features(), p.weights.n_outputs());
            let mut w = p.weights.as_slice().to_vec();
            w[k + 1] = f32::NAN;
            p.weights = FeatureMajor::new(nf, k, w).unwrap();
        }, "the weight of feature 1 for output 1 is not finite");
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0; 3]);
        let e = TopicModel::decode_payload(&trailing).unwrap_err().to_string();
        assert!(e.contains("3 unexpected bytes after the end of the TopicClassifier payload"), "{e}");
    }
}

#[cfg(test)]
mod sizes {
    //! `TOPICTAG_SIZES_MODEL=/path/model.ttag cargo test --release --lib pipeline::persist::sizes --
    //! --ignored --nocapture`: where the bytes of a model file go (each part alone, before and
    //! after DEFLATE level 1 and 6), save/load times, and DEFLATE level against time.
    use super::*;
    use crate::persist::{codec, container};
    use std::time::Instant;

    fn deflated(b: &[u8], level: u8) -> (usize, f64) {
        let t = Instant::now();
        let n = miniz_oxide::deflate::compress_to_vec(b, level).len();
        (n, t.elapsed().as_secs_f64())
    }

    #[test]
    #[ignore]
    fn breakdown() {
        let Ok(mp) = std::env::var("TOPICTAG_SIZES_MODEL") else { return };
        let file = std::fs::read(mp).unwrap();
        let (m, meta) = TopicModel::from_bytes(&file).unwrap();
        let t = Instant::now();
        let bytes = m.to_bytes(&meta, None).unwrap();
        let save = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let _ = TopicModel::from_bytes(&bytes).unwrap();
        let load = t.elapsed().as_secs_f64();
        let (_, raw) = container::split(&bytes).unwrap();
        let nf = m.n_features();
        println!("file {} bytes, payload {} raw, {nf} terms; to_bytes {save:.3}s, from_bytes {load:.3}s", bytes.len(), raw.len());
        for level in [1u8, 2, 3, 6, 9] {
            let (n, t) = deflated(&raw, level);
            println!("  whole payload, level {level}: {n} bytes in {t:.3}s");
        }
        let names = m.feature_names().unwrap();
        let idf = m.vectorizer.idf().unwrap_or(&[]);
        let t = Instant::now();
        let stored = postcard::to_allocvec(&m.weights).unwrap();
        println!("  weights: choose the form + serialise {:.3}s", t.elapsed().as_secs_f64());
        let w = m.weights.as_slice();
        let zeros = w.iter().filter(|&&x| x == 0.0).count();
        println!("  weights: {} of {} exactly zero", zeros, w.len());
        for (name, b) in [
            ("vocabulary plain", postcard::to_allocvec(names).unwrap()),
            ("vocabulary front-coded", codec::front_encode(names)),
            ("idf plain", postcard::to_allocvec(idf).unwrap()),
            ("idf dictionary", codec::dict_encode(idf)),
            ("weights plain", postcard::to_allocvec(w).unwrap()),
            ("weights byte planes", crate::linear::weights::planes_encode(w)),
            ("weights as stored", stored),
        ] {
            let (n1, t1) = deflated(&b, 1);
            let (n6, t6) = deflated(&b, 6);
            let per = |n: usize| n as f64 / nf as f64;
            println!(
                "  {name}: raw {} ({:.2}/term); level 1 {n1} ({:.2}/term, {t1:.3}s); level 6 {n6} ({:.2}/term, {t6:.3}s)",
                b.len(), per(b.len()), per(n1), per(n6)
            );
        }
    }
}
