//! Per-topic decision thresholds tuned on held-out (cross-validated) scores, and the rules
//! that combine a document's score with the scores of its segments.
//!
//! Scores are row-major `n x k` matrices (documents x topics) of decision values or
//! probabilities; higher means more likely. A topic is predicted when its score is at least
//! its threshold (`>=`); with `at_least_one`, a document where no topic passes gets its
//! best-scoring topic (ties: the lowest index), the classifier's existing rule.
//!
//! Threshold search ([`tune_column`]) is exact: the scores are sorted in decreasing order and
//! every cut between two distinct scores is tried, counting true and false positives as the
//! cut moves down; the cut with the highest F-beta wins, ties going to the higher cut (fewer
//! predicted positives). The threshold is the midpoint between the lowest score kept and the
//! highest score left out; when every document is kept it is the lowest score; when the
//! topic has no positive document (F-beta is 0 at every cut) it is `+inf` (never predicted,
//! except by the at-least-one rule). F-beta is van Rijsbergen's effectiveness measure
//! ("Information Retrieval", 2nd ed., 1979): `(1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)`.
//!
//! A tuned threshold whose F-beta is below a floor is replaced by the scale's untuned
//! threshold ([`with_fallback`], SCutFBR).
//!
//! Work is split per topic (tuning) or per fixed block of documents (combining), so results
//! do not depend on the number of threads.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// F-beta from counts; 0 when there is no true positive.
#[inline]
pub fn f_beta(tp: usize, fp: usize, fn_: usize, beta: f64) -> f64 {
    if tp == 0 {
        return 0.0;
    }
    let b2 = beta * beta;
    let tp = tp as f64;
    (1.0 + b2) * tp / ((1.0 + b2) * tp + b2 * fn_ as f64 + fp as f64)
}

/// The beta of a metric name: `"f1"` -> 1, `"f0.5"` -> 0.5, `"f2"` -> 2 (any `f<beta>` with
/// a positive finite beta).
pub fn parse_metric(metric: &str) -> Result<f64> {
    let m = metric.trim().to_ascii_lowercase();
    let beta = m.strip_prefix('f').and_then(|b| b.parse::<f64>().ok());
    match beta {
        Some(b) if b.is_finite() && b > 0.0 => Ok(b),
        _ => Err(Error::value(format!(
            "metric={metric:?} is not supported; use 'f1', 'f0.5', 'f2' or another 'f<beta>'"
        ))),
    }
}

/// A tuned threshold and the F-beta it reaches on the tuning scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tuned {
    pub threshold: f64,
    pub f: f64,
}

/// The threshold of one topic: `scores[i]` with truth `pos[i]` (see the module docs).
/// Non-finite scores count as the lowest.
pub fn tune_column(scores: &[f64], pos: &[bool], beta: f64) -> Tuned {
    let n = scores.len().min(pos.len());
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| key(scores[b]).total_cmp(&key(scores[a])).then(a.cmp(&b)));
    let n_pos = (0..n).filter(|&i| pos[i]).count();
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut best_f = 0.0;
    let mut best_cut = 0; // documents kept
    let mut i = 0;
    while i < n {
        let v = key(scores[order[i]]);
        while i < n && key(scores[order[i]]) == v {
            if pos[order[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        let f = f_beta(tp, fp, n_pos - tp, beta);
        if f > best_f {
            best_f = f;
            best_cut = i;
        }
    }
    let threshold = if best_cut == 0 {
        f64::INFINITY
    } else if best_cut == n {
        key(scores[order[n - 1]])
    } else {
        let lo_in = key(scores[order[best_cut - 1]]);
        let hi_out = key(scores[order[best_cut]]);
        let m = lo_in / 2.0 + hi_out / 2.0;
        if m > hi_out && m <= lo_in && m.is_finite() {
            m
        } else {
            lo_in
        }
    };
    Tuned { threshold, f: best_f }
}

/// The F-beta below which a tuned threshold is not trusted ([`with_fallback`]).
pub const DEFAULT_FBR: f64 = 0.5;

/// The thresholds to use: each tuned threshold whose held-out F-beta reaches `fbr`, else
/// `fallback` (the untuned threshold of the score's scale). A topic with few positive
/// documents gets a tuned cut far down the ranking when its held-out F-beta is poor, and then
/// fires on many new documents; falling back for such topics is Yang's SCutFBR ("A study of
/// thresholding strategies for text categorization", SIGIR 2001). On Reuters ModApte (90
/// topics, many rare) plain tuning loses much micro-F1 for this reason.
pub fn with_fallback(tuned: &[Tuned], fbr: f64, fallback: f64) -> Vec<f64> {
    tuned.iter().map(|t| if t.f >= fbr { t.threshold } else { fallback }).collect()
}

fn check_matrix(scores: &[f64], k: usize, n: usize, what: &str) -> Result<()> {
    if scores.len() != n * k {
        return Err(Error::value(format!(
            "{what}: {} scores for {n} documents and {k} topics",
            scores.len()
        )));
    }
    Ok(())
}

fn check_labels(labels: &[Vec<usize>], k: usize) -> Result<()> {
    for (i, set) in labels.iter().enumerate() {
        if let Some(&bad) = set.iter().find(|&&c| c >= k) {
            return Err(Error::value(format!(
                "label {bad} of document {i} out of range for {k} topics"
            )));
        }
    }
    Ok(())
}

/// Per-topic thresholds maximising F-beta on a row-major `n x k` score matrix, with
/// `labels[i]` the true topics of document `i` (`n = labels.len()`).
pub fn tune(scores: &[f64], k: usize, labels: &[Vec<usize>], beta: f64) -> Result<Vec<Tuned>> {
    let n = labels.len();
    check_matrix(scores, k, n, "threshold tuning")?;
    check_labels(labels, k)?;
    if !(beta.is_finite() && beta > 0.0) {
        return Err(Error::value(format!("beta must be positive and finite, got {beta}")));
    }
    Ok((0..k)
        .into_par_iter()
        .map(|j| {
            let col: Vec<f64> = (0..n).map(|i| scores[i * k + j]).collect();
            let pos: Vec<bool> = labels.iter().map(|l| l.contains(&j)).collect();
            tune_column(&col, &pos, beta)
        })
        .collect())
}

/// The predicted topics of each row of a row-major `n x k` matrix: every topic whose score
/// is at least its threshold, best first (ties: lower index); with `at_least_one`, the best
/// topic when none passes.
pub fn predict_sets(scores: &[f64], k: usize, thresholds: &[f64], at_least_one: bool) -> Vec<Vec<usize>> {
    if k == 0 {
        return Vec::new();
    }
    scores
        .par_chunks(k)
        .with_min_len(256)
        .map(|z| {
            let mut picked: Vec<usize> = (0..k).filter(|&j| z[j] >= thresholds[j]).collect();
            picked.sort_by(|&a, &b| z[b].total_cmp(&z[a]).then(a.cmp(&b)));
            if picked.is_empty() && at_least_one {
                let mut best = 0;
                for j in 1..k {
                    if z[j] > z[best] || (z[best].is_nan() && !z[j].is_nan()) {
                        best = j;
                    }
                }
                picked.push(best);
            }
            picked
        })
        .collect()
}

/// Micro-averaged F-beta of predicted against true label sets.
pub fn micro_f(pred: &[Vec<usize>], labels: &[Vec<usize>], beta: f64) -> f64 {
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    for (p, t) in pred.iter().zip(labels) {
        let hit = p.iter().filter(|j| t.contains(j)).count();
        tp += hit;
        fp += p.len() - hit;
        fn_ += t.iter().filter(|j| !p.contains(j)).count();
    }
    f_beta(tp, fp, fn_, beta)
}

/// How a document's topic scores are combined with those of its segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CombineRule {
    /// The document's score only.
    Doc,
    /// The maximum of the document's score and its segments' scores.
    Max,
    /// The mean of the document's score and the best segment's score (the document's score
    /// when there is no segment).
    MeanMax,
}

impl CombineRule {
    /// Every rule, in the order of preference on ties (simplest first).
    pub const ALL: [CombineRule; 3] = [CombineRule::Doc, CombineRule::Max, CombineRule::MeanMax];

    pub fn name(self) -> &'static str {
        match self {
            CombineRule::Doc => "doc",
            CombineRule::Max => "max",
            CombineRule::MeanMax => "mean_max",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        CombineRule::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| {
            Error::value(format!("combination rule {s:?} is not supported; use 'doc', 'max' or 'mean_max'"))
        })
    }

    /// Combine one document row with its segment rows (`segs`: `m x k`, row-major).
    pub fn apply_row(self, doc: &[f64], segs: &[f64], out: &mut [f64]) {
        let k = doc.len();
        out.copy_from_slice(doc);
        if self == CombineRule::Doc || k == 0 || segs.is_empty() {
            return;
        }
        let mut best: Vec<f64> = segs[..k].to_vec();
        for row in segs.chunks(k).skip(1) {
            for (b, &v) in best.iter_mut().zip(row) {
                if v > *b {
                    *b = v;
                }
            }
        }
        for (o, &b) in out.iter_mut().zip(&best) {
            *o = match self {
                CombineRule::Max => o.max(b),
                CombineRule::MeanMax => (*o + b) / 2.0,
                CombineRule::Doc => *o,
            };
        }
    }
}

/// Combined `n x k` scores: document `i` has row `i` of `doc` and the segment rows
/// `seg_offsets[i]..seg_offsets[i + 1]` of `seg` (`seg_offsets` has `n + 1` increasing
/// entries, starting at 0).
pub fn combine(doc: &[f64], seg: &[f64], seg_offsets: &[usize], k: usize, rule: CombineRule) -> Result<Vec<f64>> {
    if seg_offsets.is_empty() || seg_offsets[0] != 0 || seg_offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::value("segment offsets must start at 0 and not decrease"));
    }
    let n = seg_offsets.len() - 1;
    check_matrix(doc, k, n, "combining segment scores (documents)")?;
    check_matrix(seg, k, seg_offsets[n], "combining segment scores (segments)")?;
    let mut out = vec![0.0; n * k];
    if k == 0 {
        return Ok(out);
    }
    out.par_chunks_mut(k).enumerate().with_min_len(64).for_each(|(i, o)| {
        let segs = &seg[seg_offsets[i] * k..seg_offsets[i + 1] * k];
        rule.apply_row(&doc[i * k..(i + 1) * k], segs, o);
    });
    Ok(out)
}

/// The outcome of [`choose_rule`].
#[derive(Clone, Debug, PartialEq)]
pub struct RuleChoice {
    pub rule: CombineRule,
    /// The thresholds tuned for the chosen rule.
    pub thresholds: Vec<Tuned>,
    /// Micro F-beta of every rule tried, in the order given.
    pub scores: Vec<(CombineRule, f64)>,
}

/// Choose the combination rule with the best micro F-beta on held-out scores, each rule with
/// its own per-topic thresholds tuned on the same scores (ties: the earlier rule in `rules`).
pub fn choose_rule(
    doc: &[f64],
    seg: &[f64],
    seg_offsets: &[usize],
    k: usize,
    labels: &[Vec<usize>],
    rules: &[CombineRule],
    beta: f64,
    at_least_one: bool,
) -> Result<RuleChoice> {
    if rules.is_empty() {
        return Err(Error::value("no combination rule to choose from"));
    }
    if seg_offsets.len() != labels.len() + 1 {
        return Err(Error::value(format!(
            "{} label sets for {} documents",
            labels.len(),
            seg_offsets.len().saturating_sub(1)
        )));
    }
    let mut best: Option<(CombineRule, Vec<Tuned>, f64)> = None;
    let mut scores = Vec::with_capacity(rules.len());
    for &rule in rules {
        let z = combine(doc, seg, seg_offsets, k, rule)?;
        let tuned = tune(&z, k, labels, beta)?;
        let th: Vec<f64> = tuned.iter().map(|t| t.threshold).collect();
        let f = micro_f(&predict_sets(&z, k, &th, at_least_one), labels, beta);
        scores.push((rule, f));
        if best.as_ref().map_or(true, |b| f > b.2) {
            best = Some((rule, tuned, f));
        }
    }
    let (rule, thresholds, _) = best.expect("at least one rule");
    Ok(RuleChoice { rule, thresholds, scores })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f_beta_values() {
        assert_eq!(f_beta(0, 3, 2, 1.0), 0.0);
        assert!((f_beta(2, 1, 1, 1.0) - 2.0 / 3.0).abs() < 1e-15);
        // beta = 2: 5 tp / (5 tp + 4 fn + fp) with tp=2, fn=1, fp=1: 10 / 15
        assert!((f_beta(2, 1, 1, 2.0) - 10.0 / 15.0).abs() < 1e-15);
        assert_eq!(parse_metric("F1").unwrap(), 1.0);
        assert_eq!(parse_metric("f0.5").unwrap(), 0.5);
        assert_eq!(parse_metric("f2").unwrap(), 2.0);
        for bad in ["accuracy", "f0", "f-1", "fnan", "f"] {
            assert!(parse_metric(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exact_sweep_hand_case() {
        // sorted: 0.9+ 0.8- 0.7+ 0.4+ 0.2- 0.1-
        let s = [0.1, 0.7, 0.9, 0.2, 0.8, 0.4];
        let p = [false, true, true, false, false, true];
        // cuts: keep 1: tp1 fp0 fn2 -> 0.5; keep 2: 1,1,2 -> 0.4; keep 3: 2,1,1 -> 0.667;
        // keep 4: 3,1,0 -> 0.857; keep 5: 3,2,0 -> 0.75; keep 6: 0.667.
        let t = tune_column(&s, &p, 1.0);
        assert!((t.f - 6.0 / 7.0).abs() < 1e-15);
        assert!((t.threshold - 0.3).abs() < 1e-15);
        // beta = 0.5 favours precision: keep 1 gives 1.25/(1.25+0.5)=0.714..., keep 4 gives
        // 3.75/(3.75+0+1)=0.789...
        let t = tune_column(&s, &p, 0.5);
        assert!((t.threshold - 0.3).abs() < 1e-15);
        // Only the first kept: a precision-only layout.
        let t = tune_column(&[0.9, 0.5, 0.4], &[true, false, false], 1.0);
        assert_eq!(t.threshold, 0.7);
        assert_eq!(t.f, 1.0);
    }

    #[test]
    fn ties_edges_and_no_positives() {
        // Equal scores are kept or left out together.
        let t = tune_column(&[0.5, 0.5, 0.1], &[true, false, false], 1.0);
        assert_eq!(t.threshold, 0.3);
        assert!((t.f - 2.0 / 3.0).abs() < 1e-15);
        // Everything kept: the lowest score.
        let t = tune_column(&[0.2, 0.3], &[true, true], 1.0);
        assert_eq!(t.threshold, 0.2);
        // No positive: never predicted.
        let t = tune_column(&[0.2, 0.3], &[false, false], 1.0);
        assert_eq!(t.threshold, f64::INFINITY);
        assert_eq!(t.f, 0.0);
        // Truths + - - + + at 5..1: keep1 -> 1/2, keep4 -> 4/7, keep5 -> 3/4: all kept.
        let t = tune_column(&[5.0, 4.0, 3.0, 2.0, 1.0], &[true, false, false, true, true], 1.0);
        assert_eq!(t.threshold, 1.0);
        // + - + -: keep1 -> 2/3, keep3 -> 4/5: threshold between 1 and 0.
        let t = tune_column(&[3.0, 2.0, 1.0, 0.0], &[true, false, true, false], 1.0);
        assert_eq!(t.threshold, 0.5);
        let t = tune_column(&[4.0, 3.0, 2.0, 1.0], &[true, true, false, false], 1.0);
        assert_eq!((t.threshold, t.f), (2.5, 1.0));
        // NaN counts as lowest; the midpoint with -inf is not finite: the lowest kept score.
        let t = tune_column(&[f64::NAN, 1.0], &[false, true], 1.0);
        assert_eq!(t.threshold, 1.0);
    }

    #[test]
    fn exact_tie_prefers_higher_cut() {
        // Truths + - - + at 4..1: keep1 -> 2/3 (tp1 fn1); keep4 -> 4/6 (tp2 fp2): equal F,
        // the higher cut wins.
        let t = tune_column(&[4.0, 3.0, 2.0, 1.0], &[true, false, false, true], 1.0);
        assert_eq!(t.threshold, 3.5);
        assert!((t.f - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn tune_predict_and_micro() {
        // 4 docs x 2 topics
        let scores = [0.9, 0.1, 0.2, 0.8, 0.6, 0.7, 0.3, 0.2];
        let labels = vec![vec![0], vec![1], vec![0, 1], vec![]];
        let tuned = tune(&scores, 2, &labels, 1.0).unwrap();
        let th: Vec<f64> = tuned.iter().map(|t| t.threshold).collect();
        assert!(th.iter().all(|&t| (t - 0.45).abs() < 1e-15), "{th:?}");
        let pred = predict_sets(&scores, 2, &th, false);
        assert_eq!(pred, vec![vec![0], vec![1], vec![1, 0], vec![]]);
        assert_eq!(micro_f(&pred, &labels, 1.0), 1.0);
        let pred = predict_sets(&scores, 2, &th, true);
        assert_eq!(pred[3], vec![0]);
        assert!((micro_f(&pred, &labels, 1.0) - 8.0 / 9.0).abs() < 1e-15);
        assert!(tune(&scores, 3, &labels, 1.0).is_err());
        assert!(tune(&scores, 2, &[vec![0], vec![2], vec![], vec![]], 1.0).is_err());
        assert!(tune(&scores, 2, &labels, 0.0).is_err());
    }

    #[test]
    fn combine_rules() {
        // 2 docs x 2 topics; doc 0 has 2 segments, doc 1 none.
        let doc = [0.0, 1.0, 0.5, 0.5];
        let seg = [2.0, -1.0, 1.0, 0.0];
        let off = [0, 2, 2];
        assert_eq!(combine(&doc, &seg, &off, 2, CombineRule::Doc).unwrap(), doc.to_vec());
        assert_eq!(combine(&doc, &seg, &off, 2, CombineRule::Max).unwrap(), vec![2.0, 1.0, 0.5, 0.5]);
        assert_eq!(
            combine(&doc, &seg, &off, 2, CombineRule::MeanMax).unwrap(),
            vec![1.0, 0.5, 0.5, 0.5]
        );
        assert!(combine(&doc, &seg, &[0, 2], 2, CombineRule::Max).is_err());
        assert!(combine(&doc, &seg, &[0, 3, 2], 2, CombineRule::Max).is_err());
        assert!(combine(&doc, &seg, &[0, 1, 3], 2, CombineRule::Max).is_err());
        assert_eq!(CombineRule::parse("mean_max").unwrap(), CombineRule::MeanMax);
        assert!(CombineRule::parse("min").is_err());
    }

    #[test]
    fn choose_rule_picks_segments_when_they_help() {
        // Topic 1 shows only in one paragraph of documents 0 and 2: the document score
        // dilutes it (below the negatives of doc 1), the segment max finds it.
        let doc = [1.0, 0.2, 1.0, 0.3, 1.0, 0.25, -1.0, -1.0];
        let seg = [
            1.0, -0.5, 0.5, 0.9, // doc 0: two segments
            1.0, 0.3, // doc 1: one
            0.8, 0.85, 1.0, -0.2, // doc 2: two
            -1.0, -1.0, // doc 3
        ];
        let off = [0, 2, 3, 5, 6];
        let labels = vec![vec![0, 1], vec![0], vec![0, 1], vec![]];
        let c = choose_rule(&doc, &seg, &off, 2, &labels, &CombineRule::ALL, 1.0, false).unwrap();
        assert_eq!(c.rule, CombineRule::Max);
        assert_eq!(c.scores.len(), 3);
        assert!(c.scores[1].1 > c.scores[0].1);
        assert_eq!(c.scores[1].1, 1.0);
        // With identical information the simplest rule wins the tie.
        let seg1: Vec<f64> = (0..4).flat_map(|i| doc[i * 2..i * 2 + 2].to_vec()).collect();
        let off1 = [0, 1, 2, 3, 4];
        let c = choose_rule(&doc, &seg1, &off1, 2, &labels, &CombineRule::ALL, 1.0, false).unwrap();
        assert_eq!(c.rule, CombineRule::Doc);
    }

    #[test]
    fn same_result_for_any_thread_count() {
        let n = 3000;
        let k = 5;
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        };
        let doc: Vec<f64> = (0..n * k).map(|_| next()).collect();
        let mut off = vec![0];
        for i in 0..n {
            off.push(off[i] + i % 4);
        }
        let seg: Vec<f64> = (0..off[n] * k).map(|_| next()).collect();
        let labels: Vec<Vec<usize>> = (0..n).map(|i| (0..k).filter(|j| (i + j) % 3 == 0).collect()).collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let c = choose_rule(&doc, &seg, &off, k, &labels, &CombineRule::ALL, 1.0, true).unwrap();
                let z = combine(&doc, &seg, &off, k, c.rule).unwrap();
                let th: Vec<f64> = c.thresholds.iter().map(|t| t.threshold).collect();
                (c, predict_sets(&z, k, &th, true))
            })
        };
        assert_eq!(run(1), run(3));
    }
}
