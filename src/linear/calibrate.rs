//! Per-output probability calibration of decision values: Platt scaling ([`super::platt`])
//! or isotonic regression ([`super::isotonic`]), behind one serialisable type.

use serde::{Deserialize, Serialize};

use super::isotonic;
use super::platt;
use crate::error::{Error, Result};

/// Which calibration to fit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalibrationKind {
    Platt,
    Isotonic,
}

impl CalibrationKind {
    /// `"platt"` / `"sigmoid"` (scikit-learn's name) or `"isotonic"`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "platt" | "sigmoid" => Ok(CalibrationKind::Platt),
            "isotonic" => Ok(CalibrationKind::Isotonic),
            _ => Err(Error::value(format!(
                "calibration={s:?} is not supported; use 'platt', 'isotonic' or None"
            ))),
        }
    }
}

/// A fitted map from a decision value to a probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Calibrator {
    /// `1 / (1 + exp(a f + b))`.
    Platt { a: f64, b: f64 },
    /// Piecewise linear through the knots, clipped at the ends.
    Isotonic { x: Vec<f64>, y: Vec<f64> },
}

impl Calibrator {
    /// Fit to decision values `scores` (held-out, e.g. cross-validated) and truths `pos`.
    pub fn fit(kind: CalibrationKind, scores: &[f64], pos: &[bool]) -> Result<Self> {
        if scores.len() != pos.len() {
            return Err(Error::value(format!(
                "calibration: {} scores but {} labels",
                scores.len(),
                pos.len()
            )));
        }
        if scores.is_empty() {
            return Err(Error::value("calibration: no scores"));
        }
        if let Some(i) = scores.iter().position(|v| !v.is_finite()) {
            return Err(Error::value(format!("calibration: non-finite score at {i}")));
        }
        Ok(match kind {
            CalibrationKind::Platt => {
                let (a, b) = platt::fit(scores, pos);
                Calibrator::Platt { a, b }
            }
            CalibrationKind::Isotonic => {
                let y: Vec<f64> = pos.iter().map(|&p| if p { 1.0 } else { 0.0 }).collect();
                let f = isotonic::fit(scores, &y, None)?;
                Calibrator::Isotonic { x: f.x, y: f.y }
            }
        })
    }

    /// The probability of decision value `score`.
    #[inline]
    pub fn apply(&self, score: f64) -> f64 {
        match self {
            Calibrator::Platt { a, b } => platt::prob(score, (*a, *b)),
            Calibrator::Isotonic { x, y } => isotonic::interpolate(x, y, score),
        }
    }

    /// Apply per column to a row-major `n x k` score matrix (`calibrators.len() == k`).
    pub fn apply_rows(calibrators: &[Calibrator], scores: &mut [f64]) {
        let k = calibrators.len();
        if k == 0 {
            return;
        }
        for row in scores.chunks_mut(k) {
            for (v, c) in row.iter_mut().zip(calibrators) {
                *v = c.apply(*v);
            }
        }
    }
}

/// Fit one calibrator per column of a row-major `n x k` matrix of held-out scores, with
/// `labels[i]` the true columns of row `i`. Columns are independent (parallel, and the same
/// result for any thread count).
pub fn fit_columns(
    kind: CalibrationKind,
    scores: &[f64],
    k: usize,
    labels: &[Vec<usize>],
) -> Result<Vec<Calibrator>> {
    use rayon::prelude::*;
    let n = labels.len();
    if scores.len() != n * k {
        return Err(Error::value(format!(
            "calibration: {} scores for {n} rows of {k} columns",
            scores.len()
        )));
    }
    (0..k)
        .into_par_iter()
        .map(|j| {
            let col: Vec<f64> = (0..n).map(|i| scores[i * k + j]).collect();
            let pos: Vec<bool> = labels.iter().map(|l| l.contains(&j)).collect();
            Calibrator::fit(kind, &col, &pos)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platt_and_isotonic_agree_with_their_modules() {
        let s: Vec<f64> = (-10..=10).map(|i| i as f64 / 3.0).collect();
        let pos: Vec<bool> = s.iter().map(|&v| v > 0.3 || v == -1.0).collect();
        let p = Calibrator::fit(CalibrationKind::Platt, &s, &pos).unwrap();
        let ab = platt::fit(&s, &pos);
        assert_eq!(p, Calibrator::Platt { a: ab.0, b: ab.1 });
        assert_eq!(p.apply(1.0), platt::prob(1.0, ab));
        let i = Calibrator::fit(CalibrationKind::Isotonic, &s, &pos).unwrap();
        let y: Vec<f64> = pos.iter().map(|&b| b as u8 as f64).collect();
        let f = isotonic::fit(&s, &y, None).unwrap();
        for v in [-5.0, -1.0, -0.5, 0.0, 0.2, 0.4, 5.0, f64::NAN] {
            let (a, b) = (i.apply(v), f.predict(v));
            assert!(a == b || (a.is_nan() && b.is_nan()));
        }
        assert!(i.apply(3.0) >= i.apply(-3.0));
    }

    #[test]
    fn columns_and_parse() {
        let scores = vec![-1.0, 2.0, 1.0, -2.0, -0.5, 1.5, 0.5, -1.5];
        let labels = vec![vec![1], vec![0], vec![1], vec![0]];
        let cs = fit_columns(CalibrationKind::Isotonic, &scores, 2, &labels).unwrap();
        assert_eq!(cs.len(), 2);
        let mut m = scores.clone();
        Calibrator::apply_rows(&cs, &mut m);
        assert_eq!(m, vec![0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert!(fit_columns(CalibrationKind::Platt, &scores, 3, &labels).is_err());
        assert_eq!(CalibrationKind::parse("Sigmoid").unwrap(), CalibrationKind::Platt);
        assert!(CalibrationKind::parse("beta").is_err());
        let c = Calibrator::Isotonic { x: vec![0.0, 1.0], y: vec![0.2, 0.8] };
        let bytes = postcard::to_allocvec(&c).unwrap();
        assert_eq!(postcard::from_bytes::<Calibrator>(&bytes).unwrap(), c);
    }
}
