//! Prediction: documents are vectorised and scored chunk by chunk, then turned into
//! probabilities, topics or the best topics per document.

use super::{Prediction, TopicModel};
use crate::error::{Error, Result};
use crate::linear::ModelKind;
use crate::sparse::CsrMatrix;

/// Rows per parallel task of [`TopicModel::scores_of`] (the timing test's separate scoring).
#[cfg(test)]
const CHUNK: usize = 256;

impl TopicModel {
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

    /// Decision values of the rows of `x` (one chunk, on the calling thread).
    pub(super) fn scores_of_rows(&self, x: &CsrMatrix<f32>) -> Vec<f64> {
        let k = self.n_outputs();
        let mut out = vec![0.0f64; x.n_rows * k];
        if k > 0 {
            self.score_rows(x, 0, &mut out, k);
        }
        out
    }

    /// Decision values, `n_docs x n_outputs` row-major (`n_outputs` is 1 for a two-topic
    /// multi-class model: the score of topic 1).
    ///
    /// Documents are vectorised and scored chunk by chunk (in parallel): each chunk's TF-IDF
    /// rows are scored while still in cache and the full matrix is never built. The rows and
    /// the summation order are those of `transform` + scoring, so the values are identical.
    pub fn decision_function<S: AsRef<str> + Sync>(&self, docs: &[S], n_jobs: Option<i64>) -> Result<Vec<f64>> {
        let k = self.n_outputs();
        let score = |x: CsrMatrix<f32>| self.scores_of_rows(&x);
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
}

#[cfg(test)]
mod tests {
    use crate::pipeline::fit::tests::model;
    use super::*;

    #[test]
    fn predicts_the_training_topics() {
        let m = model(false);
        let test = ["rockets hit the army base", "peace talks in Geneva"];
        assert_eq!(m.predict(&test, 0.0, true, Some(1)).unwrap(), Prediction::Multiclass(vec![0, 1]));
        let (idx, scores, k) = m.predict_top(&test, 5, Some(1)).unwrap();
        assert_eq!(k, 2);
        assert_eq!((idx[0], idx[2]), (0, 1));
        assert!(scores[0] >= scores[1] && scores[2] >= scores[3]);
        let d = m.decision_function(&test, Some(2)).unwrap();
        assert_eq!(d, m.decision_function(&test, Some(1)).unwrap());
        assert_eq!(d, crate::parallel::install(Some(1), || m.scores_of(&m.transform(&test, Some(1)).unwrap())).unwrap());
    }
}

#[cfg(test)]
mod timing {
    //! `TOPICTAG_TIMING_MODEL=/path/model.ttag TOPICTAG_TIMING_DOCS=/path/docs.txt cargo test
    //! --release --lib pipeline::predict::timing -- --ignored --nocapture`: time the prediction
    //! stages (docs separated by U+001E).
    use super::*;
    use std::time::Instant;

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
