//! Platt scaling: `P(y = 1 | f) = 1 / (1 + exp(A f + B))` fitted to decision values.
//!
//! Platt, "Probabilistic outputs for support vector machines and comparisons to regularized
//! likelihood methods", 1999, with the target smoothing `(N+ + 1)/(N+ + 2)`, `1/(N- + 2)`, and
//! the numerically safe Newton method with backtracking of Lin, Lin and Weng, "A note on
//! Platt's probabilistic outputs for support vector machines", Machine Learning 68, 2007.

/// Fit (A, B) to decision values `f` and binary truths `pos`.
pub fn fit(f: &[f64], pos: &[bool]) -> (f64, f64) {
    let n_pos = pos.iter().filter(|&&p| p).count() as f64;
    let n_neg = pos.len() as f64 - n_pos;
    let hi = (n_pos + 1.0) / (n_pos + 2.0);
    let lo = 1.0 / (n_neg + 2.0);
    let t: Vec<f64> = pos.iter().map(|&p| if p { hi } else { lo }).collect();
    let objective = |a: f64, b: f64| -> f64 {
        f.iter()
            .zip(&t)
            .map(|(&fi, &ti)| {
                let u = fi * a + b;
                if u >= 0.0 {
                    ti * u + (-u).exp().ln_1p()
                } else {
                    (ti - 1.0) * u + u.exp().ln_1p()
                }
            })
            .sum()
    };
    let mut a = 0.0f64;
    let mut b = ((n_neg + 1.0) / (n_pos + 1.0)).ln();
    let mut fval = objective(a, b);
    const SIGMA: f64 = 1e-12;
    for _ in 0..100 {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (SIGMA, SIGMA, 0.0, 0.0, 0.0);
        for (&fi, &ti) in f.iter().zip(&t) {
            let u = fi * a + b;
            // p = P(y=1) = 1/(1+exp(u)), q = 1 - p, both computed without overflow.
            let (p, q) = if u >= 0.0 {
                let e = (-u).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e))
            } else {
                let e = u.exp();
                (1.0 / (1.0 + e), e / (1.0 + e))
            };
            let d2 = p * q;
            h11 += fi * fi * d2;
            h22 += d2;
            h21 += fi * d2;
            let d1 = ti - p;
            g1 += fi * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-5 && g2.abs() < 1e-5 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        let mut moved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < fval + 1e-4 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                moved = true;
                break;
            }
            step /= 2.0;
        }
        if !moved {
            break;
        }
    }
    (a, b)
}

/// The calibrated probability of decision value `f`.
#[inline]
pub fn prob(f: f64, ab: (f64, f64)) -> f64 {
    let u = f * ab.0 + ab.1;
    if u >= 0.0 {
        let e = (-u).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + u.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_and_sensible() {
        let f: Vec<f64> = (-20..=20).map(|i| i as f64 / 10.0).collect();
        // Noisy labels: positive when f > 0, except a few flips near 0.
        let pos: Vec<bool> = f.iter().map(|&v| v > 0.0 || v == -0.1).collect();
        let ab = fit(&f, &pos);
        assert!(ab.0 < 0.0, "A must be negative for increasing scores: {ab:?}");
        assert!(prob(2.0, ab) > 0.9 && prob(-2.0, ab) < 0.1);
        assert!(prob(1.0, ab) > prob(0.5, ab));
    }

    #[test]
    fn separable_data_stays_finite() {
        let f = vec![-3.0, -2.0, -1.0, 1.0, 2.0, 3.0];
        let pos = vec![false, false, false, true, true, true];
        let ab = fit(&f, &pos);
        assert!(ab.0.is_finite() && ab.1.is_finite());
    }
}
