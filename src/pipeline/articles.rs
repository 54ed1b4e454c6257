//! Article-level prediction (issue 18): the state a multi-label [`TopicModel`] learns from
//! cross-validated scores, and prediction with it.
//!
//! Fit ([`TopicModel::fit_articles`]): the documents' TF-IDF rows and their segments' rows
//! (paragraphs, or sentences of one-paragraph documents) are scored by models trained on the
//! other folds (the Platt calibration's folds, [`crate::linear::cv_folds`]); the combination
//! rule is chosen by micro F-beta on those held-out scores ([`threshold::choose_rule`];
//! only [`CombineRule::Doc`] when segments are off); per-topic calibrators are fitted on the
//! combined held-out scores; per-topic thresholds are tuned for F-beta on the calibrated
//! held-out scores (on the raw ones without calibration). The surface form of every term is
//! stored for readable explanations ([`crate::text::surface`]).
//!
//! Predict ([`TopicModel::predict_articles`]): combined scores, calibrated, then every topic
//! at or above its threshold (at least one topic per document).

use serde::{Deserialize, Serialize};

use super::TopicModel;
use crate::error::{Error, Result};
use crate::linear::calibrate::{self, CalibrationKind, Calibrator};
use crate::linear::threshold::{self, CombineRule};
use crate::linear::{self, LinearParams, Target};
use crate::sparse::CsrMatrix;
use crate::text::{segment, surface, Analyzer};

/// What [`TopicModel::fit_articles`] fits.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleOptions {
    /// Score segments too, and choose the combination rule by cross-validation.
    pub segments: bool,
    /// With segments: this rule instead of the cross-validated choice (benchmarks force a
    /// segment rule with it; `None`: choose).
    pub rule: Option<CombineRule>,
    /// Per-topic calibration; `None` keeps decision values.
    pub calibration: Option<CalibrationKind>,
    /// Tune per-topic thresholds (`threshold="auto"`); otherwise `fixed_threshold` for all.
    pub tune_thresholds: bool,
    pub fixed_threshold: f64,
    /// The F-beta tuned for (1: F1).
    pub beta: f64,
    /// Tuned thresholds whose cross-validated F-beta is below this floor fall back to the
    /// untuned threshold (0.5 for probabilities, 0 for decision values):
    /// [`threshold::with_fallback`].
    pub fbr: f64,
}

impl Default for ArticleOptions {
    fn default() -> Self {
        ArticleOptions {
            segments: true,
            rule: None,
            calibration: Some(CalibrationKind::Platt),
            tune_thresholds: true,
            fixed_threshold: 0.5,
            beta: 1.0,
            fbr: threshold::DEFAULT_FBR,
        }
    }
}

/// The fitted article-level state, stored with the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleState {
    pub rule: CombineRule,
    /// One per topic, or none (scores are decision values).
    pub calibrators: Option<Vec<Calibrator>>,
    /// One per topic, on the calibrated scale.
    pub thresholds: Vec<f64>,
    /// Micro F-beta of each rule tried on the held-out scores.
    pub rule_scores: Vec<(CombineRule, f64)>,
    /// The surface form of every feature (column order).
    pub surface: Vec<String>,
}

/// Held-out decision values of documents and segments (see the module docs).
pub(crate) fn cv_scores(
    x: &CsrMatrix<f64>,
    x_seg: &CsrMatrix<f64>,
    seg_offsets: &[usize],
    target: &Target,
    params: &LinearParams,
    n_jobs: Option<i64>,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n = x.n_rows;
    if n < 2 {
        return Err(Error::value("cross-validated calibration needs at least 2 documents"));
    }
    let k = target.n_classes();
    let (folds, fold_of) = linear::cv_folds(target, params.random_state);
    let sub_params = LinearParams { probability: false, ..params.clone() };
    let mut dec = vec![0.0f64; n * k];
    let mut dec_seg = vec![0.0f64; x_seg.n_rows * k];
    for f in 0..folds {
        let train: Vec<usize> = (0..n).filter(|&i| fold_of[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| fold_of[i] == f).collect();
        let sub_target = match target {
            Target::Multiclass { y, n_classes } => {
                Target::Multiclass { y: train.iter().map(|&i| y[i]).collect(), n_classes: *n_classes }
            }
            Target::Multilabel { y, n_classes } => {
                Target::Multilabel { y: train.iter().map(|&i| y[i].clone()).collect(), n_classes: *n_classes }
            }
        };
        let m = linear::fit(&x.select_rows(&train)?, &sub_target, None, &sub_params, n_jobs)?;
        let s = m.scores(&x.select_rows(&test)?);
        for (r, &i) in test.iter().enumerate() {
            dec[i * k..(i + 1) * k].copy_from_slice(&s[r * k..(r + 1) * k]);
        }
        let seg_rows: Vec<usize> = test.iter().flat_map(|&i| seg_offsets[i]..seg_offsets[i + 1]).collect();
        if !seg_rows.is_empty() {
            let s = m.scores(&x_seg.select_rows(&seg_rows)?);
            for (r, &j) in seg_rows.iter().enumerate() {
                dec_seg[j * k..(j + 1) * k].copy_from_slice(&s[r * k..(r + 1) * k]);
            }
        }
    }
    Ok((dec, dec_seg))
}

impl TopicModel {
    /// Fit the article-level state of a multi-label model on its training documents and
    /// topic sets (the model's vectorizer and linear parameters are reused for the folds).
    pub fn fit_articles<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        labels: &[Vec<usize>],
        params: &LinearParams,
        opts: &ArticleOptions,
        n_jobs: Option<i64>,
    ) -> Result<ArticleState> {
        if !self.multilabel {
            return Err(Error::value("segments, calibration and tuned thresholds apply to multi-label models"));
        }
        let k = self.n_outputs();
        if labels.len() != docs.len() {
            return Err(Error::value(format!("got {} documents but {} topic sets", docs.len(), labels.len())));
        }
        if !(opts.beta.is_finite() && opts.beta > 0.0) {
            return Err(Error::value(format!("beta must be positive and finite, got {}", opts.beta)));
        }
        let x: CsrMatrix<f64> = self.vectorizer.transform(docs, n_jobs)?;
        let (offsets, ranges) = if opts.segments {
            crate::parallel::install(n_jobs, || segment::segments_of_all(docs))?
        } else {
            (vec![0; docs.len() + 1], Vec::new())
        };
        let mut seg_texts: Vec<&str> = Vec::with_capacity(ranges.len());
        for (i, d) in docs.iter().enumerate() {
            let d = d.as_ref();
            seg_texts.extend(ranges[offsets[i]..offsets[i + 1]].iter().map(|r| &d[r.clone()]));
        }
        let x_seg: CsrMatrix<f64> = self.vectorizer.transform(&seg_texts, n_jobs)?;
        let target = Target::Multilabel { y: labels.to_vec(), n_classes: k };
        let (dec, dec_seg) = cv_scores(&x, &x_seg, &offsets, &target, params, n_jobs)?;
        let forced;
        let rules: &[CombineRule] = match (opts.segments, opts.rule) {
            (false, _) => &[CombineRule::Doc],
            (true, Some(r)) => {
                forced = [r];
                &forced
            }
            (true, None) => &CombineRule::ALL,
        };
        let choice = crate::parallel::install(n_jobs, || {
            threshold::choose_rule(&dec, &dec_seg, &offsets, k, labels, rules, opts.beta, true)
        })??;
        let mut z = threshold::combine(&dec, &dec_seg, &offsets, k, choice.rule)?;
        let calibrators = match opts.calibration {
            Some(kind) => {
                let c = crate::parallel::install(n_jobs, || calibrate::fit_columns(kind, &z, k, labels))??;
                Calibrator::apply_rows(&c, &mut z);
                Some(c)
            }
            None => None,
        };
        if !(opts.fbr.is_finite() && (0.0..=1.0).contains(&opts.fbr)) {
            return Err(Error::value(format!("fbr must be in [0, 1], got {}", opts.fbr)));
        }
        let thresholds = if opts.tune_thresholds {
            let fallback = if calibrators.is_some() { 0.5 } else { 0.0 };
            threshold::with_fallback(&threshold::tune(&z, k, labels, opts.beta)?, opts.fbr, fallback)
        } else {
            vec![opts.fixed_threshold; k]
        };
        let names = self.vectorizer.feature_names()?.to_vec();
        let analyzer = Analyzer::new(&self.vectorizer.config().count.analyzer)?;
        let surface = crate::parallel::install(n_jobs, || surface::surface_forms(&analyzer, docs, &names))?;
        Ok(ArticleState { rule: choice.rule, calibrators, thresholds, rule_scores: choice.scores, surface })
    }

    /// Article scores (`n_docs x n_topics`): combined by the state's rule (`segments`
    /// false: document scores only), then calibrated when the state has calibrators.
    pub fn article_scores<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        state: &ArticleState,
        segments: bool,
        n_jobs: Option<i64>,
    ) -> Result<Vec<f64>> {
        let rule = if segments { state.rule } else { CombineRule::Doc };
        let mut z = self.decision_function_segments(docs, rule, n_jobs)?;
        if let Some(c) = &state.calibrators {
            Calibrator::apply_rows(c, &mut z);
        }
        Ok(z)
    }

    /// Topics per document (best first) and the article scores.
    pub fn predict_articles<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        state: &ArticleState,
        segments: bool,
        n_jobs: Option<i64>,
    ) -> Result<(Vec<Vec<usize>>, Vec<f64>)> {
        let z = self.article_scores(docs, state, segments, n_jobs)?;
        let k = self.n_outputs();
        if state.thresholds.len() != k {
            return Err(Error::value(format!("{} thresholds for {k} topics", state.thresholds.len())));
        }
        let sets = crate::parallel::install(n_jobs, || threshold::predict_sets(&z, k, &state.thresholds, true))?;
        Ok((sets, z))
    }

    /// A copy of this model with its per-topic thresholds re-tuned for F-beta on `docs` and
    /// their topic sets (on the article scores of [`TopicModel::article_scores`]; below the
    /// floor `fbr` the untuned threshold, [`threshold::with_fallback`]); the rule and
    /// calibrators are kept.
    pub fn retune_thresholds<S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        labels: &[Vec<usize>],
        segments: bool,
        beta: f64,
        fbr: f64,
        n_jobs: Option<i64>,
    ) -> Result<TopicModel> {
        let state = self.articles.as_ref().ok_or_else(|| {
            Error::value("this model has no article-level state (a multi-label model fitted with article options)")
        })?;
        if labels.len() != docs.len() {
            return Err(Error::value(format!("got {} documents but {} topic sets", docs.len(), labels.len())));
        }
        if docs.is_empty() {
            return Err(Error::value("threshold tuning needs at least one document"));
        }
        let z = self.article_scores(docs, state, segments, n_jobs)?;
        let k = self.n_outputs();
        if !(fbr.is_finite() && (0.0..=1.0).contains(&fbr)) {
            return Err(Error::value(format!("fbr must be in [0, 1], got {fbr}")));
        }
        let tuned = crate::parallel::install(n_jobs, || threshold::tune(&z, k, labels, beta))??;
        let fallback = if state.calibrators.is_some() { 0.5 } else { 0.0 };
        let mut m = self.clone();
        if let Some(a) = m.articles.as_mut() {
            a.thresholds = threshold::with_fallback(&tuned, fbr, fallback);
        }
        Ok(m)
    }
}

/// One contributing term of a segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TermEvidence {
    pub feature: u32,
    /// The term as written (its most frequent surface form in the training documents).
    pub surface: String,
    /// Its contribution to the topic's decision value for the segment.
    pub contribution: f64,
    /// Its occurrences in the article, char offsets.
    pub spans: Vec<(usize, usize)>,
}

/// One segment supporting a topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentEvidence {
    /// Char offsets of the segment in the article.
    pub start: usize,
    pub end: usize,
    /// The segment's own (calibrated) score for the topic.
    pub support: f64,
    /// Positive contributions, largest first.
    pub terms: Vec<TermEvidence>,
}

/// A predicted topic and the segments that support it, best first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicEvidence {
    pub topic: usize,
    /// The article's (calibrated) score for the topic.
    pub score: f64,
    pub segments: Vec<SegmentEvidence>,
}

impl TopicModel {
    fn state(&self) -> Result<&ArticleState> {
        self.articles.as_ref().ok_or_else(|| {
            Error::value("this model has no article-level state (fit a multi-label model with article options)")
        })
    }

    /// The surface form of feature `j` (the term itself without article state).
    pub fn surface_of(&self, j: usize) -> Result<String> {
        if let Some(s) = self.articles.as_ref().and_then(|a| a.surface.get(j)) {
            return Ok(s.clone());
        }
        Ok(self.feature_names()?.get(j).cloned().unwrap_or_default())
    }

    /// Evidence for the predicted topics of one article: per topic, its segments ranked by
    /// their own calibrated score (at most `max_segments`), each with its `max_terms`
    /// strongest positive terms (surface forms, char offsets in `text`; numbers and stop
    /// words left out, as in [`TopicModel::top_terms_readable`]). Without segments (or
    /// with a one-segment text) the whole text is the only segment.
    pub fn explain_article(
        &self,
        text: &str,
        segments: bool,
        max_segments: usize,
        max_terms: usize,
    ) -> Result<Vec<TopicEvidence>> {
        let state = self.state()?;
        let (sets, z) = self.predict_articles(&[text], state, segments, Some(1))?;
        let mut ranges = if segments { segment::segments(text) } else { Vec::new() };
        if ranges.len() <= 1 {
            let t = text.trim_start();
            let start = text.len() - t.len();
            ranges = vec![start..start + t.trim_end().len()];
        }
        let seg_texts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        let mut seg_z = self.decision_function(&seg_texts, Some(1))?;
        if let Some(c) = &state.calibrators {
            Calibrator::apply_rows(c, &mut seg_z);
        }
        let k = self.n_outputs();
        let bounds: Vec<usize> = ranges.iter().flat_map(|r| [r.start, r.end]).collect();
        let char_bounds = super::explain::byte_to_char_offsets(text, &bounds);
        let mut out = Vec::with_capacity(sets[0].len());
        for &t in &sets[0] {
            let mut order: Vec<usize> = (0..ranges.len()).collect();
            order.sort_by(|&a, &b| seg_z[b * k + t].total_cmp(&seg_z[a * k + t]).then(a.cmp(&b)));
            order.truncate(max_segments.max(1));
            let mut segs = Vec::with_capacity(order.len());
            for s in order {
                let (e, spans) = self.explain(seg_texts[s], t)?;
                let offset = char_bounds[2 * s];
                let mut terms = Vec::new();
                for (c, sp) in e.contributions.iter().zip(spans) {
                    if terms.len() >= max_terms {
                        break;
                    }
                    if c.contribution <= 0.0 {
                        continue;
                    }
                    // Evidence a reader can use: no numbers, no stop words.
                    let surface = self.surface_of(c.feature as usize)?;
                    if surface::is_numeric_term(&surface) || surface::is_stop_term(&surface) {
                        continue;
                    }
                    terms.push(TermEvidence {
                        feature: c.feature,
                        surface,
                        contribution: c.contribution,
                        spans: sp.into_iter().map(|(a, b)| (a + offset, b + offset)).collect(),
                    });
                }
                segs.push(SegmentEvidence {
                    start: char_bounds[2 * s],
                    end: char_bounds[2 * s + 1],
                    support: seg_z[s * k + t],
                    terms,
                });
            }
            out.push(TopicEvidence { topic: t, score: z[t], segments: segs });
        }
        Ok(out)
    }

    /// The `n` strongest positive and negative terms of topic `class` as `(surface form,
    /// weight)`, leaving out numbers and stop words unless asked to keep them.
    pub fn top_terms_readable(
        &self,
        class: usize,
        n: usize,
        keep_numbers: bool,
        keep_stop_words: bool,
    ) -> Result<(Vec<(String, f64)>, Vec<(String, f64)>)> {
        let (o, sign) = self.output_of(class)?;
        let names = self.feature_names()?;
        let surf = |j: usize| -> &str {
            match self.articles.as_ref().and_then(|a| a.surface.get(j)) {
                Some(s) => s.as_str(),
                None => names[j].as_str(),
            }
        };
        let it = self.weights.output(o).enumerate().filter_map(|(j, w)| {
            let s = surf(j);
            let skip = (!keep_numbers && (surface::is_numeric_term(s) || surface::is_numeric_term(&names[j])))
                || (!keep_stop_words && surface::is_stop_term(s));
            (!skip).then_some((j as u32, w as f64))
        });
        let (pos, neg) = super::explain::top_weights(it, sign, n);
        let named = |v: Vec<(u32, f64)>| v.into_iter().map(|(j, w)| (surf(j as usize).to_string(), w)).collect();
        Ok((named(pos), named(neg)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{Labels, TopicModel};
    use crate::vectorize::{TfidfConfig, TfidfVectorizer};

    impl TopicModel {
        fn model_without_state_errors(&self) -> bool {
            let mut m = self.clone();
            m.articles = None;
            m.explain_article("text", true, 1, 1).is_err()
        }
    }

    fn corpus() -> (Vec<String>, Vec<Vec<usize>>) {
        let conflict = ["Rebels attacked the army base with rockets.", "Troops shelled rebel positions overnight in 2024.", "The army bombed the village near the border."];
        let diplomacy = ["Ministers agreed on a ceasefire and peace talks.", "Diplomats signed a peace agreement in Geneva.", "Negotiators reached an agreement on new talks."];
        let aid = ["Aid convoys delivered food to refugees.", "The UN sent medical aid to displaced families.", "Refugees received shelter and food aid."];
        let groups = [&conflict, &diplomacy, &aid];
        let mut docs = Vec::new();
        let mut labels = Vec::new();
        for i in 0..36 {
            let a = i % 3;
            let b = (i / 3) % 3;
            let s1 = groups[a][i % 3];
            let s2 = groups[b][(i / 9) % 3];
            if a == b {
                docs.push(format!("{s1} {s2}"));
                labels.push(vec![a]);
            } else {
                docs.push(format!("{s1}\n\n{s2}"));
                labels.push(vec![a.min(b), a.max(b)]);
            }
        }
        (docs, labels)
    }

    #[test]
    fn fits_and_predicts_articles() {
        let (docs, labels) = corpus();
        let v = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let classes = vec!["conflict".to_string(), "diplomacy".into(), "aid".into()];
        let params = LinearParams::default();
        let m = TopicModel::fit(&docs, &Labels::Multilabel(labels.clone()), classes, v, &params, Some(1)).unwrap();
        let st = m.fit_articles(&docs, &labels, &params, &ArticleOptions::default(), Some(1)).unwrap();
        assert_eq!(st.thresholds.len(), 3);
        assert_eq!(st.rule_scores.len(), 3);
        assert!(st.calibrators.as_ref().is_some_and(|c| c.len() == 3));
        assert_eq!(st.surface.len(), m.n_features());
        let (sets, z) = m.predict_articles(&docs, &st, true, Some(1)).unwrap();
        assert!(z.iter().all(|p| (0.0..=1.0).contains(p)));
        let f = threshold::micro_f(&sets, &labels, 1.0);
        assert!(f > 0.8, "training micro F1 {f}");
        assert_eq!(st, m.fit_articles(&docs, &labels, &params, &ArticleOptions::default(), Some(2)).unwrap());
        let test = ["Rebels attacked the town with rockets.\n\nDiplomats agreed on peace talks in Geneva."];
        let (sets, _) = m.predict_articles(&test, &st, true, Some(1)).unwrap();
        assert!(sets[0].contains(&0) && sets[0].contains(&1), "{sets:?}");
        // Document-only options.
        let o = ArticleOptions { segments: false, calibration: Some(CalibrationKind::Isotonic), ..Default::default() };
        let st2 = m.fit_articles(&docs, &labels, &params, &o, Some(1)).unwrap();
        assert_eq!(st2.rule, CombineRule::Doc);
        assert!(m.fit_articles(&docs, &labels[..3], &params, &o, Some(1)).is_err());
    }

    #[test]
    fn retuned_thresholds_are_tune_on_the_article_scores() {
        let (docs, labels) = corpus();
        let v = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let classes = vec!["conflict".to_string(), "diplomacy".into(), "aid".into()];
        let params = LinearParams::default();
        let m = TopicModel::fit_with_articles(&docs, &Labels::Multilabel(labels.clone()), classes, v, &params, Some(&ArticleOptions::default()), Some(1))
            .unwrap();
        let st = m.articles().unwrap().clone();
        let (d, l) = (&docs[..12], &labels[..12]);
        let r = m.retune_thresholds(d, l, true, 1.0, 0.0, Some(1)).unwrap();
        let z = m.article_scores(d, &st, true, Some(1)).unwrap();
        let want: Vec<f64> = threshold::tune(&z, 3, l, 1.0).unwrap().into_iter().map(|t| t.threshold).collect();
        let got = r.articles().unwrap();
        assert_eq!(got.thresholds, want);
        assert_eq!((got.rule, &got.calibrators, &got.surface), (st.rule, &st.calibrators, &st.surface));
        assert_eq!(r.retune_thresholds(d, l, true, 1.0, 0.0, Some(2)).unwrap().articles(), r.articles());
        assert!(m.retune_thresholds(d, &labels[..3], true, 1.0, 0.0, Some(1)).is_err());
        assert!(m.retune_thresholds(d, l, true, 0.0, 0.0, Some(1)).is_err());
        let mut bare = m.clone();
        bare.articles = None;
        assert!(bare.retune_thresholds(d, l, true, 1.0, 0.0, Some(1)).is_err());
        // the floor: a topic whose tuned F1 is below it gets the untuned 0.5
        let tuned = threshold::tune(&z, 3, l, 1.0).unwrap();
        let strict = m.retune_thresholds(d, l, true, 1.0, 1.0, Some(1)).unwrap();
        let want: Vec<f64> = tuned.iter().map(|t| if t.f >= 1.0 { t.threshold } else { 0.5 }).collect();
        assert_eq!(strict.articles().unwrap().thresholds, want);
        assert!(m.retune_thresholds(d, l, true, 1.0, 1.5, Some(1)).is_err());
    }

    #[test]
    fn stored_evidence_and_readable_terms() {
        let (docs, labels) = corpus();
        let v = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let classes = vec!["conflict".to_string(), "diplomacy".into(), "aid".into()];
        let params = LinearParams::default();
        let opts = ArticleOptions::default();
        let m = TopicModel::fit_with_articles(&docs, &Labels::Multilabel(labels), classes, v, &params, Some(&opts), Some(1))
            .unwrap();
        let st = m.articles().unwrap().clone();
        let (m2, _) = TopicModel::from_bytes(&m.to_bytes("{}", None).unwrap()).unwrap();
        assert_eq!(m2.articles(), Some(&st));
        let pruned = m.pruned(1e-3).unwrap();
        assert_eq!(pruned.articles().unwrap().surface.len(), pruned.n_features());

        let text = "Rebels attacked the town with rockets.\n\nDiplomats agreed on peace talks in Geneva.";
        let ev = m2.explain_article(text, true, 3, 5).unwrap();
        let topics: Vec<usize> = ev.iter().map(|e| e.topic).collect();
        assert!(topics.contains(&0) && topics.contains(&1), "{topics:?}");
        let conflict = ev.iter().find(|e| e.topic == 0).unwrap();
        let best = &conflict.segments[0];
        assert_eq!((best.start, best.end), (0, 38));
        assert!(best.support >= conflict.segments[1].support);
        for t in &best.terms {
            assert!(t.contribution > 0.0);
            for &(a, b) in &t.spans {
                assert!(a >= best.start && b <= best.end);
                assert_eq!(text[a..b].to_lowercase(), t.surface);
            }
        }
        // No stop word nor number among the evidence, though the model has features for them.
        let names = m2.feature_names().unwrap();
        assert!(names.iter().any(|n| n == "the") && names.iter().any(|n| n == "2024"));
        let text = "The army and the rebels fought in 2024 near the border.\n\nThe diplomats of the UN agreed on the talks in 2024.";
        let all: Vec<String> = m2
            .explain_article(text, true, 3, 50)
            .unwrap()
            .into_iter()
            .flat_map(|e| e.segments.into_iter().flat_map(|s| s.terms.into_iter().map(|t| t.surface)))
            .collect();
        assert!(!all.is_empty());
        assert!(all.iter().all(|s| !surface::is_stop_term(s) && !surface::is_numeric_term(s)), "{all:?}");
        let (pos, _) = m2.top_terms_readable(1, 5, false, false).unwrap();
        assert!(pos.iter().all(|(s, _)| !surface::is_stop_term(s)));
        assert!(m.model_without_state_errors());
    }
}
