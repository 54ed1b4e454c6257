//! Isotonic (monotone increasing) regression of 0/1 labels on scores, for calibration.
//!
//! The fit is the weighted least-squares increasing step function, computed with the
//! pool-adjacent-violators algorithm (Ayer, Brunk, Ewing, Reid and Silverman, "An empirical
//! distribution function for sampling with incomplete information", Annals of Mathematical
//! Statistics 26, 1955; Barlow, Bartholomew, Bremner and Brunk, "Statistical Inference under
//! Order Restrictions", Wiley, 1972): points sorted by score (equal scores pooled first, with
//! their weighted mean label) are merged into blocks whenever a block's mean exceeds the
//! next block's, until the block means increase. Zadrozny and Elkan (KDD 2002) introduced it
//! for classifier calibration.
//!
//! Each block keeps its lowest and highest score; prediction interpolates linearly between
//! these knots and clips to the first and last block means outside their range (as
//! scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A fitted isotonic calibration: knots `x` (increasing, strictly except that a block's two
/// knots are distinct) and values `y` (non-decreasing), same length, at least one knot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Isotonic {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// Fit an increasing isotonic regression of `y` (labels in [0, 1], usually 0/1) on `scores`
/// with optional non-negative `weights`. Points of zero weight are ignored.
pub fn fit(scores: &[f64], y: &[f64], weights: Option<&[f64]>) -> Result<Isotonic> {
    let n = scores.len();
    if y.len() != n || weights.is_some_and(|w| w.len() != n) {
        return Err(Error::value(format!(
            "isotonic fit: {n} scores, {} labels and {} weights",
            y.len(),
            weights.map_or(n, |w| w.len())
        )));
    }
    if let Some(i) = (0..n).find(|&i| !scores[i].is_finite() || !y[i].is_finite()) {
        return Err(Error::value(format!("isotonic fit: non-finite score or label at {i}")));
    }
    if let Some(w) = weights {
        if let Some(i) = (0..n).find(|&i| !(w[i].is_finite() && w[i] >= 0.0)) {
            return Err(Error::value(format!("isotonic fit: bad weight {} at {i}", w[i])));
        }
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let mut order: Vec<usize> = (0..n).filter(|&i| w(i) > 0.0).collect();
    if order.is_empty() {
        return Err(Error::value("isotonic fit: no point of positive weight"));
    }
    // Sort by score; ties by index so that the sums below are deterministic.
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(a.cmp(&b)));

    // Blocks: (weighted sum of y, total weight, lowest score, highest score).
    let mut blocks: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(order.len());
    let mut k = 0;
    while k < order.len() {
        let s = scores[order[k]];
        let (mut sy, mut sw) = (0.0, 0.0);
        while k < order.len() && scores[order[k]] == s {
            let i = order[k];
            sy += w(i) * y[i];
            sw += w(i);
            k += 1;
        }
        blocks.push((sy, sw, s, s));
        // Pool while the previous block's mean is above the last one's.
        while blocks.len() >= 2 {
            let (b1, b0) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if b0.0 / b0.1 > b1.0 / b1.1 {
                blocks.pop();
                let last = blocks.last_mut().expect("two blocks");
                *last = (b0.0 + b1.0, b0.1 + b1.1, b0.2, b1.3);
            } else {
                break;
            }
        }
    }
    let mut x = Vec::with_capacity(2 * blocks.len());
    let mut yy = Vec::with_capacity(2 * blocks.len());
    for &(sy, sw, lo, hi) in &blocks {
        let m = sy / sw;
        x.push(lo);
        yy.push(m);
        if hi > lo {
            x.push(hi);
            yy.push(m);
        }
    }
    Ok(Isotonic { x, y: yy })
}

impl Isotonic {
    /// The fitted value at `score`: linear between knots, clipped outside them. NaN -> NaN.
    pub fn predict(&self, score: f64) -> f64 {
        interpolate(&self.x, &self.y, score)
    }
}

/// The piecewise linear function through knots `(x, y)` (`x` non-decreasing), clipped to
/// `y[0]` and `y[last]` outside `[x[0], x[last]]`. NaN (or no knot) -> NaN.
pub fn interpolate(x: &[f64], y: &[f64], score: f64) -> f64 {
    if score.is_nan() || x.is_empty() || x.len() != y.len() {
        return f64::NAN;
    }
    if score <= x[0] {
        return y[0];
    }
    if score >= x[x.len() - 1] {
        return y[y.len() - 1];
    }
    // x[j - 1] < score <= x[j]
    let j = x.partition_point(|&v| v < score);
    let (x0, x1, y0, y1) = (x[j - 1], x[j], y[j - 1], y[j]);
    if x1 == x0 {
        return y1;
    }
    y0 + (y1 - y0) * ((score - x0) / (x1 - x0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // labels 0 1 0 1 1 at scores 1..5: the violation (1, 0) pools into 0.5.
        let f = fit(&[3.0, 1.0, 2.0, 5.0, 4.0], &[0.0, 0.0, 1.0, 1.0, 1.0], None).unwrap();
        assert_eq!(f.x, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(f.y, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(f.predict(0.0), 0.0);
        assert_eq!(f.predict(1.5), 0.25);
        assert_eq!(f.predict(2.5), 0.5);
        assert_eq!(f.predict(3.5), 0.75);
        assert_eq!(f.predict(9.0), 1.0);
    }

    #[test]
    fn ties_and_weights() {
        // Equal scores pool first: x=1 has mean 1/2 with weight 2; x=2 has label 0 and
        // weight 1, a violation: one block of mean 1/3 over [1, 2].
        let f = fit(&[1.0, 1.0, 2.0], &[1.0, 0.0, 0.0], None).unwrap();
        assert_eq!(f.x, vec![1.0, 2.0]);
        assert!((f.y[0] - 1.0 / 3.0).abs() < 1e-15 && f.y[0] == f.y[1]);
        // Weights: label 1 at x=1 with weight 3, label 0 at x=2 with weight 1 -> mean 3/4.
        let f = fit(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0], Some(&[3.0, 1.0, 0.0])).unwrap();
        assert_eq!(f.x, vec![1.0, 2.0]);
        assert_eq!(f.y, vec![0.75, 0.75]);
        // Longer cascade: 1 1 0 0 pools back to one block of 1/2.
        let f = fit(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 0.0, 0.0], None).unwrap();
        assert_eq!(f.y, vec![0.5, 0.5]);
        assert_eq!(f.x, vec![1.0, 4.0]);
    }

    #[test]
    fn bad_input() {
        assert!(fit(&[1.0], &[1.0, 0.0], None).is_err());
        assert!(fit(&[f64::NAN], &[1.0], None).is_err());
        assert!(fit(&[1.0], &[1.0], Some(&[-1.0])).is_err());
        assert!(fit(&[], &[], None).is_err());
        assert!(fit(&[1.0], &[1.0], Some(&[0.0])).is_err());
    }

    proptest::proptest! {
        #[test]
        fn monotone_and_least_squares_means(
            pts in proptest::collection::vec((-50i32..50, proptest::bool::ANY), 1..80),
            probes in proptest::collection::vec(-60.0f64..60.0, 1..20),
        ) {
            let s: Vec<f64> = pts.iter().map(|p| p.0 as f64 / 4.0).collect();
            let y: Vec<f64> = pts.iter().map(|p| p.1 as u8 as f64).collect();
            let f = fit(&s, &y, None).unwrap();
            for w in f.y.windows(2) {
                proptest::prop_assert!(w[0] <= w[1]);
            }
            for w in f.x.windows(2) {
                proptest::prop_assert!(w[0] < w[1]);
            }
            let mut p: Vec<f64> = probes.clone();
            p.sort_by(f64::total_cmp);
            let vals: Vec<f64> = p.iter().map(|&v| f.predict(v)).collect();
            for w in vals.windows(2) {
                proptest::prop_assert!(w[0] <= w[1] + 1e-12);
            }
            for &v in &vals {
                proptest::prop_assert!((0.0..=1.0).contains(&v));
            }
            // The fitted values keep the mean of the labels (a property of the L2 projection).
            let mean_fit: f64 = s.iter().map(|&v| f.predict(v)).sum::<f64>() / s.len() as f64;
            let mean_y: f64 = y.iter().sum::<f64>() / y.len() as f64;
            proptest::prop_assert!((mean_fit - mean_y).abs() < 1e-9);
        }
    }
}
