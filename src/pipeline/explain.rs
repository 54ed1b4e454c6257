//! Explanations: a topic's decision value for a document split into per-term contributions
//! (with the terms' places in the text), and a topic's strongest terms.
//!
//! A topic's decision value for a document is `b + sum_j x_j * w_j` over the document's
//! non-zero features `j`. Each term of that sum is the feature's contribution: the explanation
//! lists them all, so that the contributions plus the intercept give back the decision value
//! (summed in the same order and precision as the prediction path).

use serde::{Deserialize, Serialize};

use super::TopicModel;
use crate::error::Result;
use crate::sparse::Real;

/// Per contributing feature, its occurrences in the text as `(start, end)` char offsets.
pub type Spans = Vec<Vec<(usize, usize)>>;

/// One feature's share of a decision value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Column index of the feature.
    pub feature: u32,
    /// Its TF-IDF value in the document.
    pub value: f64,
    /// The model's weight for the topic (sign-adjusted for the negative class of a binary model).
    pub weight: f64,
    /// `value * weight`.
    pub contribution: f64,
}

/// The decision value of one topic for one document, split into per-feature contributions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Every non-zero feature of the document with a non-zero weight, largest |contribution| first.
    pub contributions: Vec<Contribution>,
    pub intercept: f64,
    /// `intercept + sum(contributions)`.
    pub score: f64,
}

/// `(feature, weight)` pairs.
pub type FeatureWeights = Vec<(u32, f64)>;

/// Explain the decision value `sign * (b + w . x)` of one weight row for one document row
/// (`weight(j)` gives the row's weight of feature `j`). The sum starts at the intercept and adds
/// the features in column order, as the prediction path does, so `score` is bit-identical to
/// the predicted decision value. `sign` is `-1` for the negative class of a binary model (whose
/// decision value is the positive class's, negated), `1` otherwise. Features whose weight is
/// exactly zero (pruned) contribute nothing and are left out.
pub fn explain_row<T: Real>(
    idx: &[u32],
    val: &[T],
    weight: impl Fn(usize) -> f64,
    b: f64,
    sign: f64,
) -> Explanation {
    let mut z = b;
    let mut contributions = Vec::with_capacity(idx.len());
    for (&j, &v) in idx.iter().zip(val) {
        let w = weight(j as usize);
        let value = v.as_f64();
        z += value * w;
        if w != 0.0 {
            let weight = sign * w;
            contributions.push(Contribution { feature: j, value, weight, contribution: value * weight });
        }
    }
    contributions.sort_by(|a, b| {
        b.contribution
            .abs()
            .partial_cmp(&a.contribution.abs())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.feature.cmp(&b.feature))
    });
    Explanation { contributions, intercept: sign * b, score: sign * z }
}

/// The `n` largest positive and `n` most negative weights (times `sign`) among `weights`
/// (feature index, weight), as `(feature, weight)` pairs, strongest first. Zero weights are
/// never listed.
pub fn top_weights(
    weights: impl Iterator<Item = (u32, f64)>,
    sign: f64,
    n: usize,
) -> (FeatureWeights, FeatureWeights) {
    let mut pos: Vec<(u32, f64)> = Vec::new();
    let mut neg: Vec<(u32, f64)> = Vec::new();
    for (j, x) in weights {
        let x = sign * x;
        if x > 0.0 {
            pos.push((j, x));
        } else if x < 0.0 {
            neg.push((j, x));
        }
    }
    let by = |a: &(u32, f64), b: &(u32, f64)| {
        b.1.abs().partial_cmp(&a.1.abs()).unwrap_or(std::cmp::Ordering::Equal).then(a.0.cmp(&b.0))
    };
    if pos.len() > n {
        pos.select_nth_unstable_by(n, by);
        pos.truncate(n);
    }
    if neg.len() > n {
        neg.select_nth_unstable_by(n, by);
        neg.truncate(n);
    }
    pos.sort_by(by);
    neg.sort_by(by);
    (pos, neg)
}

/// Byte offset -> char offset conversion (so Python can slice the original `str`). An offset
/// inside a multi-byte char maps to that char; offsets past the end map to the char count.
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut map = vec![0usize; text.len() + 1];
    let mut ci = 0usize;
    for (b, ch) in text.char_indices() {
        for slot in &mut map[b..b + ch.len_utf8()] {
            *slot = ci;
        }
        ci += 1;
    }
    map[text.len()] = ci;
    byte_offsets.iter().map(|&b| map[b.min(text.len())]).collect()
}

impl TopicModel {
    /// Explain topic `class`'s decision value for one document. Returns the explanation and,
    /// per contributing feature, its occurrences in `text` as char (not byte) offsets.
    pub fn explain(&self, text: &str, class: usize) -> Result<(Explanation, Spans)> {
        let (o, sign) = self.output_of(class)?;
        let x = self.vectorizer.transform::<f32, &str>(&[text], Some(1))?;
        let (idx, val) = x.row(0);
        let nf = self.n_features();
        let e = explain_row(
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
        let chars = byte_to_char_offsets(text, &flat);
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
        Ok(top_weights(it, sign, n))
    }

}

#[cfg(test)]
mod tests {
    use crate::pipeline::fit::tests::model;
    use super::*;

    #[test]
    fn contributions_sum_to_score() {
        let w = vec![0.5, -2.0, 0.0, 1.5];
        let idx = [0u32, 1, 2, 3];
        let val = [0.1f32, 0.2, 0.3, 0.4];
        let e = explain_row(&idx, &val, |j| w[j], 0.25, 1.0);
        let total: f64 = e.contributions.iter().map(|c| c.contribution).sum::<f64>() + e.intercept;
        assert!((total - e.score).abs() < 1e-12);
        assert_eq!(e.contributions.len(), 3); // zero weight dropped
        assert_eq!(e.contributions[0].feature, 3); // |0.6| > |-0.4| > |0.05|
        assert_eq!(e.contributions[1].feature, 1);
        let neg = explain_row(&idx, &val, |j| w[j], 0.25, -1.0);
        assert!((neg.score + e.score).abs() < 1e-12);
    }

    #[test]
    fn top_weights_orders_and_splits() {
        let w = vec![0.5, -2.0, 0.0, 1.5, -0.1, 3.0];
        let it = || w.iter().enumerate().map(|(j, &x)| (j as u32, x));
        let (p, n) = top_weights(it(), 1.0, 2);
        assert_eq!(p, vec![(5, 3.0), (3, 1.5)]);
        assert_eq!(n, vec![(1, -2.0), (4, -0.1)]);
        let (p, n) = top_weights(it(), -1.0, 10);
        assert_eq!(p[0], (1, 2.0));
        assert_eq!(n.len(), 3);
    }

    #[test]
    fn char_offsets() {
        let t = "año de paz";
        // bytes: a(0) ñ(1..3) o(3) ' '(4) d(5)
        assert_eq!(byte_to_char_offsets(t, &[0, 3, 5, 1, t.len()]), vec![0, 2, 4, 1, 10]);
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
}
