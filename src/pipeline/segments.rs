//! Scoring documents together with their segments (issue 18, "Articles, not sentences"): each
//! document is split into segments ([`crate::text::segment`]: paragraphs, or sentences for a
//! one-paragraph text), the whole texts and all the segments are vectorised and scored in one
//! chunked, parallel pass (`TfidfVectorizer::transform_chunks_segmented`: a document's row is
//! built from its segments' terms when the analyzer allows it, so each text is analysed
//! once), and a [`CombineRule`] merges each document's row with its segments' rows.
//!
//! The rules are meant for multi-label models (one output per topic); for a two-topic
//! multi-class model the single output is combined as it is (the score of topic 1).

use std::ops::Range;

use super::TopicModel;
use crate::error::Result;
use crate::linear::threshold::{self, CombineRule};
use crate::sparse::CsrMatrix;
use crate::text::segment;

/// Decision values of documents and of their segments.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentScores {
    /// `n_docs x n_outputs`, row-major.
    pub doc: Vec<f64>,
    /// `n_segments x n_outputs`, row-major, the segments of document `i` at rows
    /// `offsets[i]..offsets[i + 1]`.
    pub seg: Vec<f64>,
    /// `n_docs + 1` entries.
    pub offsets: Vec<usize>,
    /// Byte ranges of the segments in their documents (a document with a single segment
    /// has none: see [`segment::segments_of_all`]).
    pub ranges: Vec<Range<usize>>,
}

impl TopicModel {
    /// Decision values of `docs` and of their segments, in one batched transform and score
    /// pass. The result does not depend on `n_jobs`.
    pub fn segment_scores<S: AsRef<str> + Sync>(&self, docs: &[S], n_jobs: Option<i64>) -> Result<SegmentScores> {
        let (offsets, ranges) = crate::parallel::install(n_jobs, || segment::segments_of_all(docs))?;
        let k = self.n_outputs();
        let score = |xd: CsrMatrix<f32>, xs: CsrMatrix<f32>| (self.scores_of_rows(&xd), self.scores_of_rows(&xs));
        let parts = self.vectorizer.transform_chunks_segmented::<f32, S, _>(docs, &offsets, &ranges, n_jobs, &score)?;
        let mut doc = Vec::with_capacity(docs.len() * k);
        let mut seg = Vec::with_capacity(ranges.len() * k);
        for (d, s) in parts {
            doc.extend_from_slice(&d);
            seg.extend_from_slice(&s);
        }
        Ok(SegmentScores { doc, seg, offsets, ranges })
    }

    /// Decision values (`n_docs x n_outputs`) with each document's segments combined by
    /// `rule`; [`CombineRule::Doc`] is [`TopicModel::decision_function`] (no segmentation).
    pub fn decision_function_segments<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        rule: CombineRule,
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        if rule == CombineRule::Doc {
            return self.decision_function(docs, n_jobs);
        }
        let s = self.segment_scores(docs, n_jobs)?;
        crate::parallel::install(n_jobs, || threshold::combine(&s.doc, &s.seg, &s.offsets, self.n_outputs(), rule))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::fit::tests::model;

    #[test]
    fn segments_scored_as_separate_texts_and_combined() {
        let m = model(true);
        let k = m.n_outputs();
        let docs = [
            "Rebels attacked the army base with rockets overnight.\n\nMinisters agreed on a ceasefire and peace talks.",
            "Troops shelled the rebel positions. Diplomats signed a peace agreement in Geneva.",
            "Negotiators reached an agreement on talks.",
        ];
        let s = m.segment_scores(&docs, Some(1)).unwrap();
        assert_eq!(s.offsets, vec![0, 2, 4, 4]);
        assert_eq!(s.doc, m.decision_function(&docs, Some(1)).unwrap());
        let texts: Vec<&str> = [(0, 0..2), (1, 2..4)]
            .into_iter()
            .flat_map(|(d, rs)| s.ranges[rs].iter().map(move |r| &docs[d][r.clone()]))
            .collect();
        assert_eq!(texts[1], "Ministers agreed on a ceasefire and peace talks.");
        assert_eq!(s.seg, m.decision_function(&texts, Some(1)).unwrap());
        assert_eq!(s, m.segment_scores(&docs, Some(2)).unwrap());

        let mx = m.decision_function_segments(&docs, CombineRule::Max, Some(1)).unwrap();
        for i in 0..docs.len() {
            for j in 0..k {
                assert!(mx[i * k + j] >= s.doc[i * k + j]);
            }
        }
        // The third document has no segments: every rule gives its document score.
        assert_eq!(&mx[2 * k..], &s.doc[2 * k..]);
        assert_eq!(m.decision_function_segments(&docs, CombineRule::Doc, Some(1)).unwrap(), s.doc);
        let mm = m.decision_function_segments(&docs, CombineRule::MeanMax, Some(2)).unwrap();
        assert_eq!(mm, threshold::combine(&s.doc, &s.seg, &s.offsets, k, CombineRule::MeanMax).unwrap());
    }
}
