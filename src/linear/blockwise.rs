//! The L2-regularised linear objectives one block of rows at a time, for solvers that never
//! see all the rows in one place (`topictag.dask`'s distributed solvers: each worker calls
//! these on its partitions, the driver sums the blocks' shares, adds the penalty and runs
//! the optimiser). The objectives are the local solvers' (see the module docs of
//! [`crate::linear`]); each function returns a block's share of the data term only.
//!
//! Weights are dense and feature-major: `w[j * k + o]` is feature `j`'s weight for output
//! `o` (`k` outputs), so a row's scores and its gradient update each read and write `k`
//! neighbouring values per non-zero. With `bias > 0` the rows get an extra constant feature
//! of that value, the last row of `w` (LIBLINEAR's intercept, regularised like the rest).
//!
//! A block comes transposed: `xt` is X^T (one row per feature, one column per sample, i.e.
//! the block in CSC form), so that every pass reads and writes the large weight and
//! gradient tables in order, feature after feature, and only the small per-sample arrays
//! (`n x k` scores) are accessed at random: they stay in cache, the weight table need not.
//! Features are processed in order, one at a time, so results do not depend on threads.

use crate::error::{Error, Result};
use crate::sparse::{CsrView, Real, SparseIndex};

/// A block's share of the one-vs-rest squared-hinge loss `C sum_io max(0, 1 - Y_io z_io)^2`
/// at `w`, with `Y_io = +1` when `y[i] == outputs[o]` and -1 otherwise.
pub struct HingeShare {
    /// The loss per output.
    pub loss: Vec<f64>,
    /// Its gradient in `w` (same layout as `w`).
    pub grad: Vec<f64>,
    /// `active[i * k + o]` is 1 where the margin term is non-zero: the rows of the
    /// (generalised) Hessian at `w`, what [`sq_hinge_hessp`] needs.
    pub active: Vec<u8>,
}

/// The width of `w` (rows) for `n_cols` features and a bias feature when `bias > 0`.
fn augmented(n_cols: usize, bias: f64) -> usize {
    n_cols + usize::from(bias > 0.0)
}

/// Column indices in range and values finite (a [`CsrView`] checks only its row pointers).
fn check_x<T: Real, I: SparseIndex, P: SparseIndex>(x: &CsrView<'_, T, I, P>) -> Result<()> {
    let (_, ind, data) = x.parts();
    if let Some(p) = ind.iter().position(|j| j.to_index() >= x.n_cols) {
        return Err(Error::value(format!("X has a column index out of range at non-zero {p}")));
    }
    if let Some(p) = data.iter().position(|v| !v.is_finite()) {
        return Err(Error::value(format!("X contains NaN or infinity (non-zero {p})")));
    }
    Ok(())
}

fn check_shapes(what: &str, len: usize, rows: usize, k: usize) -> Result<()> {
    if k == 0 || len != rows * k {
        return Err(Error::value(format!(
            "{what} has {len} values, expected {rows} x {k} (features x outputs)"
        )));
    }
    Ok(())
}

fn check_labels(y: &[u32], n_rows: usize, n_classes: usize) -> Result<()> {
    if y.len() != n_rows {
        return Err(Error::value(format!("the block has {n_rows} rows but {} labels", y.len())));
    }
    if let Some(v) = y.iter().find(|&&v| v as usize >= n_classes) {
        return Err(Error::value(format!("label code {v} out of range for {n_classes} classes")));
    }
    Ok(())
}

/// `z = X w` for every sample and output (`z[i * k + o]`; plus the bias feature's weights).
fn scores<T: Real, I: SparseIndex, P: SparseIndex>(xt: &CsrView<'_, T, I, P>, w: &[f64], k: usize, bias: f64, z: &mut [f64]) {
    let d = xt.n_rows;
    if bias > 0.0 {
        for zi in z.chunks_exact_mut(k) {
            for (zo, wo) in zi.iter_mut().zip(&w[d * k..(d + 1) * k]) {
                *zo = bias * wo;
            }
        }
    } else {
        z.fill(0.0);
    }
    for j in 0..d {
        let (ind, val) = xt.row(j);
        let wj = &w[j * k..(j + 1) * k];
        for (i, v) in ind.iter().zip(val) {
            let (i, v) = (i.to_index(), v.as_f64());
            for (zo, wo) in z[i * k..(i + 1) * k].iter_mut().zip(wj) {
                *zo += v * wo;
            }
        }
    }
}

/// `out += X^T r` (`r[i * k + o]` per sample and output; and the bias feature's row).
fn scatter<T: Real, I: SparseIndex, P: SparseIndex>(xt: &CsrView<'_, T, I, P>, r: &[f64], k: usize, bias: f64, out: &mut [f64]) {
    let d = xt.n_rows;
    for j in 0..d {
        let (ind, val) = xt.row(j);
        let gj = &mut out[j * k..(j + 1) * k];
        for (i, v) in ind.iter().zip(val) {
            let (i, v) = (i.to_index(), v.as_f64());
            for (g, ro) in gj.iter_mut().zip(&r[i * k..(i + 1) * k]) {
                *g += v * ro;
            }
        }
    }
    if bias > 0.0 {
        let gb = &mut out[d * k..(d + 1) * k];
        for ri in r.chunks_exact(k) {
            for (g, ro) in gb.iter_mut().zip(ri) {
                *g += bias * ro;
            }
        }
    }
}

/// The block's share of the one-vs-rest squared-hinge loss, its gradient and active set at
/// `w` (`outputs.len()` outputs; `y` holds class codes below `n_classes`).
pub fn sq_hinge_loss_grad<T: Real, I: SparseIndex, P: SparseIndex>(
    xt: &CsrView<'_, T, I, P>,
    y: &[u32],
    n_classes: usize,
    outputs: &[u32],
    w: &[f64],
    c: f64,
    bias: f64,
) -> Result<HingeShare> {
    let (k, d, n) = (outputs.len(), xt.n_rows, xt.n_cols);
    check_x(xt)?;
    check_labels(y, n, n_classes)?;
    check_shapes("w", w.len(), augmented(d, bias), k)?;
    let mut share = HingeShare { loss: vec![0.0; k], grad: vec![0.0; w.len()], active: vec![0; n * k] };
    let mut r = vec![0.0; n * k];
    scores(xt, w, k, bias, &mut r);
    for (i, ri) in r.chunks_exact_mut(k).enumerate() {
        for (o, ro) in ri.iter_mut().enumerate() {
            let sign = if y[i] == outputs[o] { 1.0 } else { -1.0 };
            let m = 1.0 - sign * *ro;
            if m > 0.0 {
                share.loss[o] += c * m * m;
                *ro = -2.0 * c * sign * m;
                share.active[i * k + o] = 1;
            } else {
                *ro = 0.0;
            }
        }
    }
    scatter(xt, &r, k, bias, &mut share.grad);
    Ok(share)
}

/// The block's share of the generalised Hessian of the squared-hinge loss at the point
/// whose active set is `active` (from [`sq_hinge_loss_grad`]), times `v`:
/// `2 C X_A^T X_A v` per output.
pub fn sq_hinge_hessp<T: Real, I: SparseIndex, P: SparseIndex>(
    xt: &CsrView<'_, T, I, P>,
    active: &[u8],
    v: &[f64],
    k: usize,
    c: f64,
    bias: f64,
) -> Result<Vec<f64>> {
    check_x(xt)?;
    check_shapes("v", v.len(), augmented(xt.n_rows, bias), k)?;
    check_shapes("active", active.len(), xt.n_cols, k)?;
    let mut t = vec![0.0; active.len()];
    scores(xt, v, k, bias, &mut t);
    for (to, &ao) in t.iter_mut().zip(active) {
        *to *= if ao != 0 { 2.0 * c } else { 0.0 };
    }
    let mut out = vec![0.0; v.len()];
    scatter(xt, &t, k, bias, &mut out);
    Ok(out)
}

/// The block's share of the logistic loss `sum_i loss_i` at `(w, b)` and its gradients:
/// binomial (class 1 against class 0) when `k == 1`, multinomial (softmax over `k ==
/// n_classes` outputs) otherwise. Returns `(loss, grad_w, grad_b)`.
pub fn logistic_loss_grad<T: Real, I: SparseIndex, P: SparseIndex>(
    xt: &CsrView<'_, T, I, P>,
    y: &[u32],
    n_classes: usize,
    w: &[f64],
    b: &[f64],
) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let (d, n, k) = (xt.n_rows, xt.n_cols, b.len());
    check_x(xt)?;
    check_labels(y, n, n_classes)?;
    if !(k == 1 && n_classes == 2 || k == n_classes && k > 2) {
        return Err(Error::value(format!("{k} outputs for {n_classes} classes (1 for 2, else one per class)")));
    }
    check_shapes("w", w.len(), d, k)?;
    let (mut loss, mut gw, mut gb) = (0.0, vec![0.0; w.len()], vec![0.0; k]);
    let mut z = vec![0.0; n * k];
    scores(xt, w, k, 0.0, &mut z);
    for (i, zi) in z.chunks_exact_mut(k).enumerate() {
        for (zo, bo) in zi.iter_mut().zip(b) {
            *zo += bo;
        }
        if k == 1 {
            let (t, v) = (f64::from(y[i] == 1), zi[0]);
            loss += log1pexp(v) - t * v;
            zi[0] = 1.0 / (1.0 + (-v).exp()) - t;
        } else {
            let m = zi.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = zi.iter().map(|v| (v - m).exp()).sum();
            let lse = m + s.ln();
            loss += lse - zi[y[i] as usize];
            for zo in zi.iter_mut() {
                *zo = (*zo - lse).exp();
            }
            zi[y[i] as usize] -= 1.0;
        }
        for (g, r) in gb.iter_mut().zip(zi.iter()) {
            *g += r;
        }
    }
    scatter(xt, &z, k, 0.0, &mut gw);
    Ok((loss, gw, gb))
}

/// `log(1 + e^t)` without overflow.
#[inline]
pub(super) fn log1pexp(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sparse::CsrMatrix;

    /// X^T of a block of 4 samples x 3 features, and the samples' labels.
    fn block() -> (CsrMatrix<f32>, Vec<u32>) {
        let cols = vec![vec![1.0f32, 0.0, 0.3, 0.0], vec![0.0, 2.0, 0.0, 0.7], vec![0.5, 0.0, 0.0, 1.1]];
        (CsrMatrix::from_dense(&cols, 4).unwrap(), vec![0, 1, 2, 1])
    }

    fn hinge_f(x: &CsrMatrix<f32>, y: &[u32], w: &[f64]) -> f64 {
        sq_hinge_loss_grad(&x.view(), y, 3, &[0, 1, 2], w, 0.7, 1.5).unwrap().loss.iter().sum()
    }

    #[test]
    fn hinge_gradient_and_hessian_match_finite_differences() {
        let (x, y) = block();
        let w: Vec<f64> = (0..12).map(|i| 0.1 * (i as f64) - 0.4).collect();
        let s = sq_hinge_loss_grad(&x.view(), &y, 3, &[0, 1, 2], &w, 0.7, 1.5).unwrap();
        let h = 1e-6;
        for j in 0..w.len() {
            let (mut a, mut b) = (w.clone(), w.clone());
            a[j] += h;
            b[j] -= h;
            let fd = (hinge_f(&x, &y, &a) - hinge_f(&x, &y, &b)) / (2.0 * h);
            assert!((fd - s.grad[j]).abs() < 1e-5, "grad {j}: {fd} vs {}", s.grad[j]);
        }
        // the Hessian-vector product is the derivative of the gradient (same active set)
        let v: Vec<f64> = (0..12).map(|i| ((i * 7) % 5) as f64 - 2.0).collect();
        let hv = sq_hinge_hessp(&x.view(), &s.active, &v, 3, 0.7, 1.5).unwrap();
        let e = 1e-7;
        let we: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a + e * b).collect();
        let s2 = sq_hinge_loss_grad(&x.view(), &y, 3, &[0, 1, 2], &we, 0.7, 1.5).unwrap();
        assert_eq!(s2.active, s.active);
        for j in 0..w.len() {
            let fd = (s2.grad[j] - s.grad[j]) / e;
            assert!((fd - hv[j]).abs() < 1e-4, "hv {j}: {fd} vs {}", hv[j]);
        }
    }

    #[test]
    fn logistic_gradient_matches_finite_differences() {
        let (x, y) = block();
        for (k, nc, y) in [(3usize, 3usize, y.clone()), (1, 2, y.iter().map(|&v| v % 2).collect())] {
            let w: Vec<f64> = (0..3 * k).map(|i| 0.2 * (i as f64) - 0.5).collect();
            let b: Vec<f64> = (0..k).map(|i| 0.1 * i as f64).collect();
            let (_, gw, gb) = logistic_loss_grad(&x.view(), &y, nc, &w, &b).unwrap();
            let f = |w: &[f64], b: &[f64]| logistic_loss_grad(&x.view(), &y, nc, w, b).unwrap().0;
            let h = 1e-6;
            for j in 0..w.len() {
                let (mut a, mut c) = (w.clone(), w.clone());
                a[j] += h;
                c[j] -= h;
                assert!(((f(&a, &b) - f(&c, &b)) / (2.0 * h) - gw[j]).abs() < 1e-5);
            }
            for j in 0..k {
                let (mut a, mut c) = (b.clone(), b.clone());
                a[j] += h;
                c[j] -= h;
                assert!(((f(&w, &a) - f(&w, &c)) / (2.0 * h) - gb[j]).abs() < 1e-5);
            }
        }
    }

    #[test]
    fn bad_shapes_and_labels_are_value_errors() {
        let (x, y) = block();
        assert!(sq_hinge_loss_grad(&x.view(), &y, 3, &[0], &[0.0; 3], 1.0, 1.0).is_err());
        assert!(sq_hinge_loss_grad(&x.view(), &y[..3], 3, &[0], &[0.0; 4], 1.0, 1.0).is_err());
        assert!(sq_hinge_loss_grad(&x.view(), &[0, 1, 5, 1], 3, &[0], &[0.0; 4], 1.0, 1.0).is_err());
        assert!(sq_hinge_hessp(&x.view(), &[1; 3], &[0.0; 4], 1, 1.0, 1.0).is_err());
        assert!(logistic_loss_grad(&x.view(), &y, 3, &[0.0; 3], &[0.0]).is_err());
    }
}
