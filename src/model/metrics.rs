//! Classification metrics behind `TopicClassifier.evaluate` and `topictag.cross_validate`:
//! per-topic precision, recall, F1 and support; micro, macro and weighted averages (plus
//! sample averages for multi-label); accuracy (subset accuracy for multi-label); Hamming loss;
//! the multi-class confusion matrix. The definitions are the textbook ones that scikit-learn
//! also documents (`precision_recall_fscore_support`, `zero_division=0`: a ratio with a zero
//! denominator counts as 0).
//!
//! Also here: fold assignment for cross-validation, stratified for multi-class data and
//! iteratively stratified for multi-label data (Sechidis, Tsoumakas and Vlahavas, "On the
//! stratification of multi-label data", ECML PKDD 2011).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rng::SplitMix64;

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

fn check_label(k: usize, n_classes: usize, what: &str, i: usize) -> Result<()> {
    if k >= n_classes {
        return Err(Error::value(format!(
            "{what}[{i}] is class index {k}, but there are only {n_classes} classes"
        )));
    }
    Ok(())
}

/// Metrics for single-label predictions (class indices `< n_classes`).
pub fn multiclass_report(y_true: &[usize], y_pred: &[usize], n_classes: usize) -> Result<Report> {
    if y_true.len() != y_pred.len() {
        return Err(Error::value(format!(
            "y_true has {} entries but y_pred has {}",
            y_true.len(),
            y_pred.len()
        )));
    }
    if y_true.is_empty() {
        return Err(Error::value("cannot evaluate on zero documents"));
    }
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
    if y_true.len() != y_pred.len() {
        return Err(Error::value(format!(
            "y_true has {} entries but y_pred has {}",
            y_true.len(),
            y_pred.len()
        )));
    }
    if y_true.is_empty() {
        return Err(Error::value("cannot evaluate on zero documents"));
    }
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

fn check_folds(n: usize, k: usize) -> Result<()> {
    if k < 2 {
        return Err(Error::value(format!("cv must be at least 2, got {k}")));
    }
    if k > n {
        return Err(Error::value(format!(
            "cannot split {n} documents into cv={k} folds; use cv <= {n}"
        )));
    }
    Ok(())
}

/// Stratified k-fold assignment for single-label data: returns the fold (0..k) of each
/// document. Each class's documents are shuffled (seeded) and dealt to the folds in turn,
/// continuing where the previous class stopped, so every fold gets each class in proportion
/// (to within one document) and fold sizes differ by at most one.
pub fn stratified_folds(y: &[usize], n_classes: usize, k: usize, seed: u64) -> Result<Vec<usize>> {
    check_folds(y.len(), k)?;
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in y.iter().enumerate() {
        check_label(c, n_classes, "y", i)?;
        by_class[c].push(i);
    }
    let mut rng = SplitMix64::from_state(seed);
    let mut fold = vec![0usize; y.len()];
    let mut next = 0usize;
    for members in by_class.iter_mut() {
        rng.shuffle_unbiased(members);
        for &i in members.iter() {
            fold[i] = next;
            next = (next + 1) % k;
        }
    }
    Ok(fold)
}

/// Iterative stratification for multi-label data (Sechidis et al. 2011, Algorithm 1): the
/// label with the fewest remaining documents is distributed first; each of its documents goes
/// to the fold that most lacks that label, ties broken by the fold that most lacks documents,
/// then at random (seeded). Documents with no label go to the folds that most lack documents.
pub fn iterative_stratified_folds(
    y: &[Vec<usize>],
    n_classes: usize,
    k: usize,
    seed: u64,
) -> Result<Vec<usize>> {
    let n = y.len();
    check_folds(n, k)?;
    let mut rng = SplitMix64::from_state(seed);
    // Distinct labels per document, validated.
    let mut labels: Vec<Vec<usize>> = Vec::with_capacity(n);
    for (i, ls) in y.iter().enumerate() {
        let mut v = ls.clone();
        for &c in &v {
            check_label(c, n_classes, "y", i)?;
        }
        v.sort_unstable();
        v.dedup();
        labels.push(v);
    }
    let mut per_label: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, ls) in labels.iter().enumerate() {
        for &c in ls {
            per_label[c].push(i);
        }
    }
    // Desired counts (fractional, as in the paper with equal fold proportions).
    let mut want_docs = vec![n as f64 / k as f64; k];
    let mut want_label: Vec<Vec<f64>> =
        per_label.iter().map(|m| vec![m.len() as f64 / k as f64; k]).collect();
    let mut remaining: Vec<usize> = per_label.iter().map(|m| m.len()).collect();
    let mut fold = vec![usize::MAX; n];
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle_unbiased(&mut order);
    let mut position = vec![0usize; n];
    for (p, &i) in order.iter().enumerate() {
        position[i] = p;
    }
    // The label with the fewest (but some) unassigned documents; ties by lowest index.
    while let Some(l) =
        (0..n_classes).filter(|&c| remaining[c] > 0).min_by_key(|&c| (remaining[c], c))
    {
        let mut members: Vec<usize> =
            per_label[l].iter().copied().filter(|&i| fold[i] == usize::MAX).collect();
        members.sort_unstable_by_key(|&i| position[i]);
        for i in members {
            let mut best: Vec<usize> = Vec::new();
            let mut best_key = (f64::NEG_INFINITY, f64::NEG_INFINITY);
            for f in 0..k {
                let key = (want_label[l][f], want_docs[f]);
                if key > best_key {
                    best_key = key;
                    best.clear();
                    best.push(f);
                } else if key == best_key {
                    best.push(f);
                }
            }
            let f = if best.len() == 1 { best[0] } else { best[rng.below_unbiased(best.len())] };
            fold[i] = f;
            want_docs[f] -= 1.0;
            for &c in &labels[i] {
                want_label[c][f] -= 1.0;
                remaining[c] -= 1;
            }
        }
    }
    for &i in &order {
        if fold[i] == usize::MAX {
            let top = want_docs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let best: Vec<usize> = (0..k).filter(|&f| want_docs[f] == top).collect();
            let f = best[rng.below_unbiased(best.len())];
            fold[i] = f;
            want_docs[f] -= 1.0;
        }
    }
    Ok(fold)
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

    #[test]
    fn stratified_folds_balance_each_class() {
        let y: Vec<usize> = (0..100).map(|i| if i < 70 { 0 } else { 1 }).collect();
        let f = stratified_folds(&y, 2, 5, 7).unwrap();
        for k in 0..5 {
            let c0 = (0..100).filter(|&i| f[i] == k && y[i] == 0).count();
            let c1 = (0..100).filter(|&i| f[i] == k && y[i] == 1).count();
            assert_eq!((c0, c1), (14, 6));
        }
        assert_eq!(f, stratified_folds(&y, 2, 5, 7).unwrap());
        assert_ne!(f, stratified_folds(&y, 2, 5, 8).unwrap());
        assert!(stratified_folds(&y, 2, 1, 0).is_err());
        assert!(stratified_folds(&y[..3], 2, 5, 0).is_err());
    }

    #[test]
    fn iterative_stratification_spreads_rare_labels() {
        // 60 docs; label 2 is rare (5 docs), label 0 common.
        let mut y: Vec<Vec<usize>> = Vec::new();
        for i in 0..60 {
            let mut ls = vec![];
            if i % 2 == 0 {
                ls.push(0);
            }
            if i % 3 == 0 {
                ls.push(1);
            }
            if i % 12 == 1 {
                ls.push(2);
            }
            y.push(ls);
        }
        let f = iterative_stratified_folds(&y, 3, 5, 1).unwrap();
        for k in 0..5 {
            let size = f.iter().filter(|&&x| x == k).count();
            assert_eq!(size, 12, "fold {k}");
            let rare = (0..60).filter(|&i| f[i] == k && y[i].contains(&2)).count();
            assert_eq!(rare, 1, "fold {k}");
            let common = (0..60).filter(|&i| f[i] == k && y[i].contains(&0)).count();
            assert!((5..=7).contains(&common), "fold {k}: {common}");
        }
    }
}
