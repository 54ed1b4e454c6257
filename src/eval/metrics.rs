//! Classification metrics behind `TopicClassifier.evaluate` and `topictag.cross_validate`:
//! per-topic precision, recall, F1 and support; micro, macro and weighted averages (plus
//! sample averages for multi-label); accuracy (subset accuracy for multi-label); Hamming loss;
//! the multi-class confusion matrix. The definitions are the textbook ones that scikit-learn
//! also documents (`precision_recall_fscore_support`, `zero_division=0`: a ratio with a zero
//! denominator counts as 0).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Precision, recall, F1 and support of one topic or one average.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// Everything `evaluate` reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub multilabel: bool,
    pub n_samples: usize,
    /// One entry per class, in class-index order.
    pub per_class: Vec<Scores>,
    pub micro: Scores,
    pub macro_avg: Scores,
    pub weighted: Scores,
    /// Multi-label only: precision/recall/F1 computed per document, then averaged.
    pub samples: Option<Scores>,
    /// Multi-class accuracy, or subset accuracy (exact match of the label set) for multi-label.
    pub accuracy: f64,
    /// Multi-label only: the fraction of (document, topic) decisions that are wrong.
    pub hamming_loss: Option<f64>,
    /// Multi-class only: `confusion[true][predicted]` counts.
    pub confusion: Option<Vec<Vec<u64>>>,
}

#[inline]
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

#[inline]
fn f1(p: f64, r: f64) -> f64 {
    ratio(2.0 * p * r, p + r)
}

fn scores_from_counts(tp: u64, fp: u64, fn_: u64) -> Scores {
    let p = ratio(tp as f64, (tp + fp) as f64);
    let r = ratio(tp as f64, (tp + fn_) as f64);
    Scores { precision: p, recall: r, f1: f1(p, r), support: tp + fn_ }
}

/// Per-class scores plus micro, macro and weighted averages from per-class counts.
fn averages(tp: &[u64], fp: &[u64], fn_: &[u64]) -> (Vec<Scores>, Scores, Scores, Scores) {
    let per: Vec<Scores> =
        (0..tp.len()).map(|k| scores_from_counts(tp[k], fp[k], fn_[k])).collect();
    let micro = scores_from_counts(tp.iter().sum(), fp.iter().sum(), fn_.iter().sum());
    let n = per.len().max(1) as f64;
    let total: u64 = per.iter().map(|s| s.support).sum();
    let macro_avg = Scores {
        precision: per.iter().map(|s| s.precision).sum::<f64>() / n,
        recall: per.iter().map(|s| s.recall).sum::<f64>() / n,
        f1: per.iter().map(|s| s.f1).sum::<f64>() / n,
        support: total,
    };
    let w = |f: fn(&Scores) -> f64| {
        ratio(per.iter().map(|s| f(s) * s.support as f64).sum::<f64>(), total as f64)
    };
    let weighted = Scores {
        precision: w(|s| s.precision),
        recall: w(|s| s.recall),
        f1: w(|s| s.f1),
        support: total,
    };
    (per, micro, macro_avg, weighted)
}

pub(super) fn check_label(k: usize, n_classes: usize, what: &str, i: usize) -> Result<()> {
    if k >= n_classes {
        return Err(Error::value(format!(
            "{what}[{i}] is class index {k}, but there are only {n_classes} classes"
        )));
    }
    Ok(())
}

/// `y_true` and `y_pred` must be equally long and not empty.
fn check_pair(n_true: usize, n_pred: usize) -> Result<()> {
    if n_true != n_pred {
        return Err(Error::value(format!("y_true has {n_true} entries but y_pred has {n_pred}")));
    }
    if n_true == 0 {
        return Err(Error::value("cannot evaluate on zero documents"));
    }
    Ok(())
}

/// Metrics for single-label predictions (class indices `< n_classes`).
pub fn multiclass_report(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<Report> {
    check_pair(y_true.len(), y_pred.len())?;
    let mut confusion = vec![vec![0u64; n_classes]; n_classes];
    for (i, (&t, &p)) in y_true.iter().zip(y_pred).enumerate() {
        check_label(t, n_classes, "y_true", i)?;
        check_label(p, n_classes, "y_pred", i)?;
        confusion[t][p] += 1;
    }
    let tp: Vec<u64> = (0..n_classes).map(|k| confusion[k][k]).collect();
    let fp: Vec<u64> =
        (0..n_classes).map(|k| (0..n_classes).map(|t| confusion[t][k]).sum::<u64>() - tp[k]).collect();
    let fn_: Vec<u64> = (0..n_classes).map(|k| confusion[k].iter().sum::<u64>() - tp[k]).collect();
    let (per_class, micro, macro_avg, weighted) = averages(&tp, &fp, &fn_);
    let correct: u64 = tp.iter().sum();
    Ok(Report {
        multilabel: false,
        n_samples: y_true.len(),
        per_class,
        micro,
        macro_avg,
        weighted,
        samples: None,
        accuracy: correct as f64 / y_true.len() as f64,
        hamming_loss: None,
        confusion: Some(confusion),
    })
}

fn label_mask(labels: &[usize], n_classes: usize, what: &str, i: usize, mask: &mut [bool]) -> Result<()> {
    mask.iter_mut().for_each(|m| *m = false);
    for &k in labels {
        check_label(k, n_classes, what, i)?;
        mask[k] = true;
    }
    Ok(())
}

/// Metrics for multi-label predictions (a set of class indices per document; duplicates
/// within one document count once).
pub fn multilabel_report(
    y_true: &[Vec<usize>],
    y_pred: &[Vec<usize>],
    n_classes: usize,
) -> Result<Report> {
    check_pair(y_true.len(), y_pred.len())?;
    let (mut tp, mut fp, mut fn_) = (vec![0u64; n_classes], vec![0u64; n_classes], vec![0u64; n_classes]);
    let (mut mt, mut mp) = (vec![false; n_classes], vec![false; n_classes]);
    let mut exact = 0u64;
    let mut wrong = 0u64;
    let (mut sp, mut sr, mut sf) = (0.0, 0.0, 0.0);
    for (i, (t, p)) in y_true.iter().zip(y_pred).enumerate() {
        label_mask(t, n_classes, "y_true", i, &mut mt)?;
        label_mask(p, n_classes, "y_pred", i, &mut mp)?;
        let (mut dtp, mut dfp, mut dfn) = (0u64, 0u64, 0u64);
        for k in 0..n_classes {
            match (mt[k], mp[k]) {
                (true, true) => {
                    tp[k] += 1;
                    dtp += 1
                }
                (false, true) => {
                    fp[k] += 1;
                    dfp += 1
                }
                (true, false) => {
                    fn_[k] += 1;
                    dfn += 1
                }
                (false, false) => {}
            }
        }
        if dfp + dfn == 0 {
            exact += 1;
        }
        wrong += dfp + dfn;
        let d = scores_from_counts(dtp, dfp, dfn);
        sp += d.precision;
        sr += d.recall;
        sf += d.f1;
    }
    let n = y_true.len() as f64;
    let (per_class, micro, macro_avg, weighted) = averages(&tp, &fp, &fn_);
    let support = micro.support;
    Ok(Report {
        multilabel: true,
        n_samples: y_true.len(),
        per_class,
        micro,
        macro_avg,
        weighted,
        samples: Some(Scores { precision: sp / n, recall: sr / n, f1: sf / n, support }),
        accuracy: exact as f64 / n,
        hamming_loss: Some(ratio(wrong as f64, n * n_classes as f64)),
        confusion: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn multiclass_matches_hand_computation() {
        // classes 0,1,2
        let t = [0, 0, 1, 1, 2, 2, 2];
        let p = [0, 1, 1, 1, 2, 0, 2];
        let r = multiclass_report(&t, &p, 3).unwrap();
        assert!(close(r.accuracy, 5.0 / 7.0));
        let c = r.confusion.as_ref().unwrap();
        assert_eq!(c, &vec![vec![1, 1, 0], vec![0, 2, 0], vec![1, 0, 2]]);
        // class 0: tp 1, fp 1, fn 1
        assert!(close(r.per_class[0].precision, 0.5));
        assert!(close(r.per_class[0].recall, 0.5));
        // class 1: tp 2 fp 1 fn 0
        assert!(close(r.per_class[1].precision, 2.0 / 3.0));
        assert!(close(r.per_class[1].recall, 1.0));
        assert!(close(r.per_class[1].f1, 0.8));
        assert_eq!(r.per_class[2].support, 3);
        assert!(close(r.micro.f1, r.accuracy));
        let mf1 = (0.5 + 0.8 + r.per_class[2].f1) / 3.0;
        assert!(close(r.macro_avg.f1, mf1));
        let wf1 = (0.5 * 2.0 + 0.8 * 2.0 + r.per_class[2].f1 * 3.0) / 7.0;
        assert!(close(r.weighted.f1, wf1));
    }

    #[test]
    fn zero_division_is_zero() {
        let r = multiclass_report(&[0, 0], &[0, 0], 2).unwrap();
        assert_eq!(r.per_class[1], Scores { precision: 0.0, recall: 0.0, f1: 0.0, support: 0 });
        assert!(multiclass_report(&[0], &[2], 2).is_err());
        assert!(multiclass_report(&[0], &[0, 1], 2).is_err());
        assert!(multiclass_report(&[], &[], 2).is_err());
    }

    #[test]
    fn multilabel_counts() {
        let t = vec![vec![0, 1], vec![1], vec![2], vec![]];
        let p = vec![vec![0], vec![1], vec![1, 2], vec![]];
        let r = multilabel_report(&t, &p, 3).unwrap();
        assert!(close(r.accuracy, 0.5)); // docs 1 and 3 exact
        assert!(close(r.hamming_loss.unwrap(), 2.0 / 12.0));
        // micro: tp 3 (0@0, 1@1, 2@2), fp 1 (1@2), fn 1 (1@0)
        assert!(close(r.micro.precision, 0.75));
        assert!(close(r.micro.recall, 0.75));
        assert_eq!(r.micro.support, 4);
        assert!(r.confusion.is_none());
    }
}
