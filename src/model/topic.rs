//! `TopicModel`: a fitted TF-IDF vectorizer, a sparse linear model and the topic names, so
//! that raw text goes to topics in one call.
//!
//! Weights are kept as `f32` (feature-major: the `n_outputs` weights of a feature are
//! contiguous, which makes scoring a sparse row one contiguous read per feature), and the
//! model file stores exactly those `f32` values, so a loaded model predicts bit-identically to
//! the fitted one. Decision values are accumulated in `f64`, starting from the intercept and
//! adding features in column order; explanations use the same order, so their score equals
//! the decision value exactly.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::linear::weights::{F32Planes, Stored, StoredWeights};
use crate::linear::{self, FeatureMajor, LinearModel, LinearParams, ModelKind, Target};
use crate::model::explain::{self, Explanation, FeatureWeights};

/// Per contributing feature, its occurrences in the text as `(start, end)` char offsets.
pub type Spans = Vec<Vec<(usize, usize)>>;
use crate::model::compact::{self, TfidfMirror, TfidfV1};
use crate::model::format::{self, Kind};
use crate::sparse::CsrMatrix;
use crate::vectorize::TfidfVectorizer;

/// Training labels as class indices.
#[derive(Clone, Debug)]
pub enum Labels {
    Multiclass(Vec<usize>),
    Multilabel(Vec<Vec<usize>>),
}

/// Predictions as class indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Prediction {
    Multiclass(Vec<usize>),
    /// Topics per document, best first.
    Multilabel(Vec<Vec<usize>>),
}

/// The fitted pipeline.
#[derive(Clone, Debug)]
pub struct TopicModel {
    vectorizer: TfidfVectorizer,
    classes: Vec<String>,
    multilabel: bool,
    /// Kind, intercepts, Platt parameters and training diagnostics; its `coef` is left empty
    /// (the weights live in `weights`). Only the methods that work from scores are used.
    linear: LinearModel,
    weights: FeatureMajor,
    n_documents: usize,
    fit_seconds: f64,
}

/// [`StoredWeights`] as format version 1 stored them (plain float32 arrays).
#[derive(Serialize, Deserialize)]
enum StoredWeightsV1 {
    Dense(Vec<f32>),
    Sparse { outputs: Vec<(Vec<u32>, Vec<f32>)> },
}

impl From<StoredWeightsV1> for StoredWeights {
    fn from(w: StoredWeightsV1) -> Self {
        match w {
            StoredWeightsV1::Dense(v) => StoredWeights::Dense(F32Planes(v)),
            StoredWeightsV1::Sparse { outputs } => StoredWeights::Sparse {
                outputs: outputs.into_iter().map(|(g, v)| (g, F32Planes(v))).collect(),
            },
        }
    }
}

/// The payload of a `Kind::TopicClassifier` file: `Payload<TfidfVectorizer, FeatureMajor>`
/// in format version 2. The type parameters let the version-1 layout (whose vectorizer and
/// weights were stored plainly) be read and rewritten with the same field list.
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
}

impl From<Payload<TfidfV1, StoredWeightsV1>> for Payload<TfidfMirror, Stored> {
    fn from(p: Payload<TfidfV1, StoredWeightsV1>) -> Self {
        let n_outputs = if !p.multilabel && p.n_classes == 2 { 1 } else { p.n_classes };
        Payload {
            vectorizer: p.vectorizer.into(),
            classes: p.classes,
            multilabel: p.multilabel,
            kind: p.kind,
            n_classes: p.n_classes,
            n_features: p.n_features,
            intercept: p.intercept,
            converged: p.converged,
            n_iter: p.n_iter,
            platt: p.platt,
            weights: Stored { n_features: p.n_features, n_outputs, weights: p.weights.into() },
            n_documents: p.n_documents,
            fit_seconds: p.fit_seconds,
        }
    }
}

/// Rewrite a format-version-1 `TopicClassifier` payload into the current layout.
pub(crate) fn upgrade_v1_payload(payload: &[u8]) -> Result<Vec<u8>> {
    compact::reencode::<Payload<TfidfV1, StoredWeightsV1>, Payload<TfidfMirror, Stored>>(
        payload,
        Kind::TopicClassifier.name(),
    )
}

/// Rows per parallel task of [`TopicModel::scores_of`] (the timing test's separate scoring).
#[cfg(test)]
const CHUNK: usize = 256;

impl TopicModel {
    /// Fit the vectorizer and the linear model on raw documents.
    pub fn fit<S: AsRef<str> + Sync>(
        docs: &[S],
        labels: &Labels,
        classes: Vec<String>,
        mut vectorizer: TfidfVectorizer,
        params: &LinearParams,
        n_jobs: Option<i64>,
    ) -> Result<Self> {
        let n = docs.len();
        if n == 0 {
            return Err(Error::value("fit needs at least one document; got an empty collection"));
        }
        let n_classes = classes.len();
        if n_classes < 2 {
            return Err(Error::value(format!(
                "fit needs at least two different topics; got {n_classes}"
            )));
        }
        let target = match labels {
            Labels::Multiclass(y) => Target::Multiclass { y: y.clone(), n_classes },
            Labels::Multilabel(y) => Target::Multilabel { y: y.clone(), n_classes },
        };
        if target.n_samples() != n {
            return Err(Error::value(format!(
                "got {n} documents but {} labels; give exactly one label (or topic list) per document",
                target.n_samples()
            )));
        }
        let t0 = Instant::now();
        let x: CsrMatrix<f64> = vectorizer.fit_transform(docs, n_jobs)?;
        if x.n_cols == 0 {
            return Err(Error::value(
                "the vectorizer found no terms in the training documents (empty vocabulary); \
                 check min_df, max_df, stop_words and the documents",
            ));
        }
        let lm = linear::fit(&x, &target, None, params, n_jobs)?;
        let fit_seconds = t0.elapsed().as_secs_f64();
        let weights = lm.feature_major_weights(n_jobs)?;
        Ok(Self::from_linear(vectorizer, classes, lm, weights, n, fit_seconds))
    }

    fn from_linear(
        vectorizer: TfidfVectorizer,
        classes: Vec<String>,
        mut lm: LinearModel,
        weights: FeatureMajor,
        n_documents: usize,
        fit_seconds: f64,
    ) -> Self {
        lm.coef = Vec::new();
        TopicModel { vectorizer, multilabel: lm.multilabel, classes, linear: lm, weights, n_documents, fit_seconds }
    }

    pub fn classes(&self) -> &[String] {
        &self.classes
    }
    pub fn multilabel(&self) -> bool {
        self.multilabel
    }
    pub fn n_features(&self) -> usize {
        self.linear.n_features
    }
    pub fn n_outputs(&self) -> usize {
        self.linear.n_outputs()
    }
    pub fn n_documents(&self) -> usize {
        self.n_documents
    }
    pub fn fit_seconds(&self) -> f64 {
        self.fit_seconds
    }
    pub fn converged(&self) -> bool {
        self.linear.converged
    }
    pub fn n_iter(&self) -> usize {
        self.linear.n_iter.iter().copied().max().unwrap_or(0)
    }
    pub fn kind(&self) -> ModelKind {
        self.linear.kind
    }
    pub fn vectorizer(&self) -> &TfidfVectorizer {
        &self.vectorizer
    }
    /// Whether `predict_proba` is available (logistic, or an SVM fitted with Platt scaling).
    pub fn has_proba(&self) -> bool {
        matches!(self.linear.kind, ModelKind::Logistic { .. }) || self.linear.platt.is_some()
    }

    /// TF-IDF features of documents (f32, as the model predicts from).
    pub fn transform<S: AsRef<str> + Sync>(&self, docs: &[S], n_jobs: Option<i64>) -> Result<CsrMatrix<f32>> {
        self.vectorizer.transform::<f32, S>(docs, n_jobs)
    }

    /// Scores of a ready-made matrix (the timing test measures scoring apart from the transform;
    /// prediction itself goes through [`TopicModel::decision_function`]'s chunks).
    #[cfg(test)]
    fn scores_of(&self, x: &CsrMatrix<f32>) -> Vec<f64> {
        use rayon::prelude::*;
        let k = self.n_outputs();
        let mut out = vec![0.0f64; x.n_rows * k];
        if k == 0 || x.n_rows == 0 {
            return out;
        }
        out.par_chunks_mut(CHUNK * k).enumerate().for_each(|(c, oc)| {
            self.score_rows(x, c * CHUNK, oc, k);
        });
        out
    }

    /// Scores of rows `r0..` of `x` into `out` (`k` per row): the intercept, then each
    /// feature's weights times its value, in column order.
    #[inline]
    fn score_rows(&self, x: &CsrMatrix<f32>, r0: usize, out: &mut [f64], k: usize) {
        let intercept = &self.linear.intercept;
        // The shared fixed-width (and AVX2) kernel; it skips columns beyond the vocabulary
        // (the model's own vectorizer never makes any).
        for (li, z) in out.chunks_mut(k).enumerate() {
            z.copy_from_slice(intercept);
            let (idx, val) = x.row(r0 + li);
            self.weights.score_row(idx, val, z);
        }
    }

    /// Decision values, `n_docs x n_outputs` row-major (`n_outputs` is 1 for a two-topic
    /// multi-class model: the score of topic 1).
    ///
    /// Documents are vectorised and scored chunk by chunk (in parallel): each chunk's TF-IDF
    /// rows are scored while still in cache and the full matrix is never built. The rows and
    /// the summation order are those of `transform` + scoring, so the values are identical.
    pub fn decision_function<S: AsRef<str> + Sync>(&self, docs: &[S], n_jobs: Option<i64>) -> Result<Vec<f64>> {
        let k = self.n_outputs();
        let score = |x: CsrMatrix<f32>| -> Vec<f64> {
            let mut out = vec![0.0f64; x.n_rows * k];
            if k > 0 {
                self.score_rows(&x, 0, &mut out, k);
            }
            out
        };
        let parts = self.vectorizer.transform_chunks::<f32, S, Vec<f64>>(docs, n_jobs, &score)?;
        let mut out = Vec::with_capacity(docs.len() * k);
        for p in parts {
            out.extend_from_slice(&p);
        }
        Ok(out)
    }

    /// Probabilities, `n_docs x n_classes`.
    pub fn predict_proba<S: AsRef<str> + Sync>(&self, docs: &[S], n_jobs: Option<i64>) -> Result<Vec<f64>> {
        if !self.has_proba() {
            return Err(Error::value(
                "probabilities are not available: this TopicClassifier uses model='svm' without \
                 probability=True (refit with probability=True, or use model='logistic')",
            ));
        }
        let s = self.decision_function(docs, n_jobs)?;
        self.linear.proba_from_scores(&s)
    }

    /// One score per class (`n_docs x n_classes`): probabilities when available, otherwise
    /// decision values (for a two-topic model, topic 0 gets the negated score of topic 1).
    pub fn class_scores(&self, scores: &[f64]) -> Result<Vec<f64>> {
        if self.has_proba() {
            return self.linear.proba_from_scores(scores);
        }
        if self.n_outputs() == 1 && !self.multilabel {
            return Ok(scores.iter().flat_map(|&s| [-s, s]).collect());
        }
        Ok(scores.to_vec())
    }

    /// Topics. Multi-class: the best-scoring topic. Multi-label: every topic whose score
    /// (probability for logistic models, decision value for SVMs) is above `threshold`; when
    /// none is and `allow_empty` is false, the best one.
    pub fn predict<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        threshold: f64,
        allow_empty: bool,
        n_jobs: Option<i64>,
    ) -> Result<Prediction> {
        let s = self.decision_function(docs, n_jobs)?;
        self.predict_from_scores(&s, threshold, allow_empty)
    }

    pub fn predict_from_scores(&self, s: &[f64], threshold: f64, allow_empty: bool) -> Result<Prediction> {
        if !self.multilabel {
            return Ok(Prediction::Multiclass(self.linear.predict_labels(s)));
        }
        let z = match self.linear.kind {
            ModelKind::Logistic { .. } => self.linear.proba_from_scores(s)?,
            ModelKind::Svm { .. } => s.to_vec(),
        };
        Ok(Prediction::Multilabel(self.linear.predict_label_sets(&z, threshold, allow_empty)))
    }

    /// The `k` best topics per document (best first) with their scores (see
    /// [`TopicModel::class_scores`]): `(indices, scores)`, each `n_docs x min(k, n_classes)`.
    pub fn predict_top<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        k: usize,
        n_jobs: Option<i64>,
    ) -> Result<(Vec<usize>, Vec<f64>, usize)> {
        let s = self.decision_function(docs, n_jobs)?;
        let z = self.class_scores(&s)?;
        let nc = self.classes.len();
        let k = k.min(nc).max(1);
        let mut idx = Vec::with_capacity(docs.len() * k);
        let mut out = Vec::with_capacity(docs.len() * k);
        let mut order: Vec<usize> = Vec::with_capacity(nc);
        for row in z.chunks(nc) {
            order.clear();
            order.extend(0..nc);
            order.sort_by(|&a, &b| {
                row[b].partial_cmp(&row[a]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b))
            });
            for &c in &order[..k] {
                idx.push(c);
                out.push(row[c]);
            }
        }
        Ok((idx, out, k))
    }

    /// Which output row and sign give topic `class`'s decision value.
    fn output_of(&self, class: usize) -> Result<(usize, f64)> {
        if class >= self.classes.len() {
            return Err(Error::value(format!(
                "topic index {class} out of range for {} topics",
                self.classes.len()
            )));
        }
        if self.n_outputs() == 1 {
            Ok((0, if class == 1 { 1.0 } else { -1.0 }))
        } else {
            Ok((class, 1.0))
        }
    }

    /// Feature names (column order).
    pub fn feature_names(&self) -> Result<&[String]> {
        self.vectorizer.feature_names()
    }

    /// Explain topic `class`'s decision value for one document. Returns the explanation and,
    /// per contributing feature, its occurrences in `text` as char (not byte) offsets.
    pub fn explain(&self, text: &str, class: usize) -> Result<(Explanation, Spans)> {
        let (o, sign) = self.output_of(class)?;
        let x = self.vectorizer.transform::<f32, &str>(&[text], Some(1))?;
        let (idx, val) = x.row(0);
        let nf = self.n_features();
        let e = explain::explain_row(
            idx,
            val,
            |j| if j < nf { self.weights.get(j, o) as f64 } else { 0.0 },
            self.linear.intercept[o],
            sign,
        );
        // Spans of each contributing feature in the original text.
        let names = self.feature_names()?;
        let occurrences = self.vectorizer.analyze_spans(text)?;
        let mut by_name: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
        for (pos, c) in e.contributions.iter().enumerate() {
            if let Some(name) = names.get(c.feature as usize) {
                by_name.entry(name.as_str()).or_default().push(pos);
            }
        }
        let mut byte_spans: Vec<Vec<(usize, usize)>> = vec![Vec::new(); e.contributions.len()];
        for (name, range) in &occurrences {
            if let Some(ps) = by_name.get(name.as_str()) {
                for &p in ps {
                    byte_spans[p].push((range.start, range.end));
                }
            }
        }
        let flat: Vec<usize> = byte_spans.iter().flat_map(|v| v.iter().flat_map(|&(a, b)| [a, b])).collect();
        let chars = explain::byte_to_char_offsets(text, &flat);
        let mut it = chars.chunks(2);
        let spans = byte_spans
            .iter()
            .map(|v| v.iter().map(|_| {
                let c = it.next().unwrap_or(&[0, 0]);
                (c[0], c[1])
            }).collect())
            .collect();
        Ok((e, spans))
    }

    /// The `n` strongest positive and negative weights of topic `class` as `(feature, weight)`.
    pub fn top_terms(&self, class: usize, n: usize) -> Result<(FeatureWeights, FeatureWeights)> {
        let (o, sign) = self.output_of(class)?;
        let it = self.weights.output(o).enumerate().map(|(j, w)| (j as u32, w as f64));
        Ok(explain::top_weights(it, sign, n))
    }

    // -- persistence ----------------------------------------------------------------------

    /// The model file image. `prune = Some(eps)` zeroes weights with `|w| < eps` and drops the
    /// vocabulary entries whose weights are all zero (renumbering the columns).
    pub fn to_bytes(&self, metadata: &str, prune: Option<f64>) -> Result<Vec<u8>> {
        let k = self.n_outputs();
        let nf = self.n_features();
        let (vectorizer, weights, n_features) = match prune {
            None => (self.vectorizer.clone(), self.weights.clone(), nf),
            Some(eps) => {
                if !(eps >= 0.0 && eps.is_finite()) {
                    return Err(Error::value(format!("prune must be a non-negative number, got {eps}")));
                }
                let mut keep = Vec::with_capacity(nf);
                let mut w = Vec::with_capacity(self.weights.as_slice().len());
                for j in 0..nf {
                    let row = self.weights.row(j);
                    let pruned: Vec<f32> =
                        row.iter().map(|&x| if (x as f64).abs() < eps { 0.0 } else { x }).collect();
                    if pruned.iter().any(|&x| x != 0.0) {
                        keep.push(j);
                        w.extend_from_slice(&pruned);
                    }
                }
                let v = restrict_vectorizer(&self.vectorizer, &keep)?;
                let n = keep.len();
                (v, FeatureMajor::new(n, k, w)?, n)
            }
        };
        let payload = Payload {
            vectorizer,
            classes: self.classes.clone(),
            multilabel: self.multilabel,
            kind: self.linear.kind,
            n_classes: self.linear.n_classes,
            n_features,
            intercept: self.linear.intercept.clone(),
            converged: self.linear.converged,
            n_iter: self.linear.n_iter.clone(),
            platt: self.linear.platt.clone(),
            weights,
            n_documents: self.n_documents as u64,
            fit_seconds: self.fit_seconds,
        };
        format::encode(Kind::TopicClassifier, metadata, &payload)
    }

    /// Read a model file image; returns the model and the file's metadata.
    pub fn from_bytes(bytes: &[u8]) -> Result<(Self, String)> {
        let (header, p): (format::Header, Payload) = format::decode(bytes, Kind::TopicClassifier)?;
        let bad = |what: &str| Error::format(format!("corrupted topictag file: {what}"));
        let nc = p.classes.len();
        if nc < 2 || p.n_classes != nc {
            return Err(bad("the topic list does not match the model"));
        }
        let k = if !p.multilabel && nc == 2 { 1 } else { nc };
        if p.intercept.len() != k {
            return Err(bad("wrong number of intercepts"));
        }
        if let Some(pl) = &p.platt {
            if pl.len() != k {
                return Err(bad("wrong number of calibration parameters"));
            }
        }
        let nf = p.n_features;
        let vocab = p.vectorizer.feature_names().map_err(|_| bad("the vectorizer is not fitted"))?.len();
        if vocab != nf {
            return Err(bad("the vocabulary size does not match the weights"));
        }
        if p.vectorizer.idf().is_some_and(|idf| idf.len() != nf) {
            return Err(bad("the idf does not match the vocabulary"));
        }
        let weights = p.weights;
        if weights.n_features() != nf || weights.n_outputs() != k {
            return Err(bad("wrong number of weights"));
        }
        if weights.as_slice().iter().any(|w| !w.is_finite()) || p.intercept.iter().any(|b| !b.is_finite()) {
            return Err(bad("non-finite weights"));
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
        Ok((
            TopicModel {
                vectorizer: p.vectorizer,
                classes: p.classes,
                multilabel: p.multilabel,
                linear,
                weights,
                n_documents: p.n_documents as usize,
                fit_seconds: p.fit_seconds,
            },
            header.metadata,
        ))
    }
}

/// A copy of a fitted vectorizer that knows only the columns `keep` (ascending), renumbered
/// `0..keep.len()`, with their idf. `TfidfVectorizer` has no public way to do this, so it goes
/// through its serde form, mirrored field for field by [`TfidfMirror`] (postcard is
/// positional; the mirror has the same compact `with` encodings); the mirror is checked to
/// reproduce the original bytes exactly before it is trusted, so a change of the vectorizer's
/// layout is an error here, never a silently wrong model.
fn restrict_vectorizer(v: &TfidfVectorizer, keep: &[usize]) -> Result<TfidfVectorizer> {
    let internal = |what: &str| Error::value(format!("cannot prune this model: {what}"));
    let bytes = postcard::to_allocvec(v).map_err(|e| internal(&e.to_string()))?;
    let mut m: TfidfMirror = postcard::from_bytes(&bytes)
        .map_err(|_| internal("the vectorizer's stored layout is not the expected one"))?;
    if postcard::to_allocvec(&m).map_err(|e| internal(&e.to_string()))? != bytes {
        return Err(internal("the vectorizer's stored layout is not the expected one"));
    }
    let vocab = m.count.vocabulary.take().ok_or_else(|| internal("the vectorizer is not fitted"))?;
    if keep.windows(2).any(|w| w[0] >= w[1]) || keep.last().is_some_and(|&j| j >= vocab.len()) {
        return Err(internal("bad column selection"));
    }
    m.count.vocabulary = Some(keep.iter().map(|&j| vocab[j].clone()).collect());
    if let Some(idf) = m.idf.take() {
        if idf.len() != vocab.len() {
            return Err(internal("idf and vocabulary differ in length"));
        }
        m.idf = Some(keep.iter().map(|&j| idf[j]).collect());
    }
    let bytes = postcard::to_allocvec(&m).map_err(|e| internal(&e.to_string()))?;
    let out: TfidfVectorizer =
        postcard::from_bytes(&bytes).map_err(|e| internal(&e.to_string()))?;
    if out.feature_names()?.len() != keep.len() {
        return Err(internal("the restricted vocabulary did not take"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linear::LinearParams;
    use crate::vectorize::TfidfConfig;

    fn docs() -> (Vec<&'static str>, Vec<usize>) {
        (
            vec![
                "rebels attacked the army base with rockets",
                "troops shelled the rebel positions overnight",
                "ministers agreed on a ceasefire and peace talks",
                "diplomats signed a peace agreement in Geneva",
                "the army bombed the village",
                "negotiators reached an agreement on talks",
            ],
            vec![0, 0, 1, 1, 0, 1],
        )
    }

    fn model(multilabel: bool) -> TopicModel {
        let (x, y) = docs();
        let mut cfg = TfidfConfig::default();
        cfg.sublinear_tf = true;
        cfg.count.analyzer.ngram_range = (1, 2);
        let v = TfidfVectorizer::new(cfg).unwrap();
        let labels = if multilabel {
            Labels::Multilabel(y.iter().map(|&c| if c == 0 { vec![0, 2] } else { vec![1] }).collect())
        } else {
            Labels::Multiclass(y)
        };
        let classes: Vec<String> = if multilabel {
            vec!["conflict".into(), "diplomacy".into(), "violence".into()]
        } else {
            vec!["conflict".into(), "diplomacy".into()]
        };
        TopicModel::fit(&x, &labels, classes, v, &LinearParams::default(), Some(1)).unwrap()
    }

    #[test]
    fn fit_predict_round_trip() {
        let m = model(false);
        let test = ["rockets hit the army base", "peace talks in Geneva"];
        assert_eq!(m.predict(&test, 0.0, true, Some(1)).unwrap(), Prediction::Multiclass(vec![0, 1]));
        let bytes = m.to_bytes("{}", None).unwrap();
        let (back, meta) = TopicModel::from_bytes(&bytes).unwrap();
        assert_eq!(meta, "{}");
        assert_eq!(
            back.decision_function(&test, Some(1)).unwrap(),
            m.decision_function(&test, Some(1)).unwrap()
        );
        for n in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            assert!(matches!(TopicModel::from_bytes(&bytes[..n]), Err(Error::Format(_))));
        }
    }

    #[test]
    fn explanation_adds_up_exactly() {
        for ml in [false, true] {
            let m = model(ml);
            let doc = "the army attacked; peace talks failed";
            let d = m.decision_function(&[doc], Some(1)).unwrap();
            for c in 0..m.classes().len() {
                let (e, spans) = m.explain(doc, c).unwrap();
                let (o, sign) = m.output_of(c).unwrap();
                assert_eq!(e.score, sign * d[o]);
                let total: f64 = e.contributions.iter().map(|x| x.contribution).sum::<f64>() + e.intercept;
                assert!((total - e.score).abs() < 1e-12);
                assert_eq!(spans.len(), e.contributions.len());
                assert!(spans.iter().all(|s| !s.is_empty()));
            }
        }
    }

    #[test]
    fn prune_restricts_vocabulary() {
        let m = model(true);
        let full = m.to_bytes("{}", None).unwrap();
        let mut mags: Vec<f32> = m.weights.as_slice().iter().map(|w| w.abs()).collect();
        mags.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let eps = mags[mags.len() * 3 / 4] as f64;
        let pruned = m.to_bytes("{}", Some(eps)).unwrap();
        let (p, _) = TopicModel::from_bytes(&pruned).unwrap();
        assert!(p.n_features() < m.n_features());
        assert!(pruned.len() < full.len());
        let names = p.feature_names().unwrap();
        let full_names = m.feature_names().unwrap();
        assert!(names.iter().all(|n| full_names.contains(n)));
        // every kept column has a non-zero weight, and weights moved with their terms
        let k = m.n_outputs();
        for (jn, name) in names.iter().enumerate() {
            let jo = full_names.iter().position(|x| x == name).unwrap();
            for o in 0..k {
                let w = p.weights.get(jn, o);
                let w0 = m.weights.get(jo, o);
                assert!(w == w0 || (w == 0.0 && (w0 as f64).abs() < eps));
            }
        }
        let (q, _) = TopicModel::from_bytes(&m.to_bytes("{}", Some(0.0)).unwrap()).unwrap();
        assert!(q.n_features() <= m.n_features());
    }
}

#[cfg(test)]
mod timing {
    //! `TOPICTAG_TIMING_MODEL=/path/model.ttag TOPICTAG_TIMING_DOCS=/path/docs.txt cargo test
    //! --release --lib model::topic::timing -- --ignored --nocapture`: time the prediction
    //! stages (docs separated by U+001E).
    use super::*;

    #[test]
    #[ignore]
    fn predict_stages() {
        let (Ok(mp), Ok(dp)) = (std::env::var("TOPICTAG_TIMING_MODEL"), std::env::var("TOPICTAG_TIMING_DOCS")) else {
            return;
        };
        let (m, _) = TopicModel::from_bytes(&std::fs::read(mp).unwrap()).unwrap();
        let text = std::fs::read_to_string(dp).unwrap();
        let docs: Vec<&str> = text.split('\u{1e}').collect();
        for nj in [Some(1), None] {
            let t = Instant::now();
            let x = m.transform(&docs, nj).unwrap();
            let t1 = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let s = crate::parallel::install(nj, || m.scores_of(&x)).unwrap();
            let t2 = t.elapsed().as_secs_f64();
            println!("n_jobs {nj:?}: transform {t1:.3}s, scores {t2:.3}s ({} nnz, {} scores)", x.nnz(), s.len());
        }
    }
}

#[cfg(test)]
mod sizes {
    //! `TOPICTAG_SIZES_MODEL=/path/model.ttag cargo test --release --lib model::topic::sizes --
    //! --ignored --nocapture`: where the bytes of a model file go (each part alone, before and
    //! after DEFLATE level 1 and 6), save/load times, and DEFLATE level against time.
    use super::*;

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
        let (_, raw) = format::split(&bytes).unwrap();
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
            ("vocabulary plain (v1)", postcard::to_allocvec(names).unwrap()),
            ("vocabulary front-coded", compact::front_encode(names)),
            ("idf plain (v1)", postcard::to_allocvec(idf).unwrap()),
            ("idf dictionary", compact::dict_encode(idf)),
            ("weights plain (v1)", postcard::to_allocvec(w).unwrap()),
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
