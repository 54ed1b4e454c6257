//! Fold assignment for cross-validation (`topictag.cross_validate`): stratified for
//! multi-class data and iteratively stratified for multi-label data (Sechidis, Tsoumakas and
//! Vlahavas, "On the stratification of multi-label data", ECML PKDD 2011).

use super::metrics::check_label;
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

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
