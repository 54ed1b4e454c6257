//! Bindings for crate::linear::blockwise: the objectives of the linear classifiers on one
//! block of rows, for `topictag.dask`'s distributed solvers. The block is X^T as a CSR tuple
//! `(data, indices, indptr, (n_features, n_samples))` (a scipy CSC matrix's arrays) with
//! float32 data and int32 indices and pointers (the Python side converts once), read in
//! place; the weights are C-contiguous float64 arrays of shape (features, outputs).

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::linear::blockwise;
use crate::sparse::CsrView;

type Arrays<'py> = (PyReadonlyArray1<'py, f32>, PyReadonlyArray1<'py, i32>, PyReadonlyArray1<'py, i32>, (usize, usize));

fn block_arrays<'py>(x: &Bound<'py, PyAny>) -> PyResult<Arrays<'py>> {
    let bad = || PyTypeError::new_err("a block must be (data float32, indices int32, indptr int32, (n_features, n_samples): X^T)");
    let t = x.cast::<PyTuple>().map_err(|_| bad())?;
    if t.len() != 4 {
        return Err(bad());
    }
    Ok((
        t.get_item(0)?.extract().map_err(|_| bad())?,
        t.get_item(1)?.extract().map_err(|_| bad())?,
        t.get_item(2)?.extract().map_err(|_| bad())?,
        t.get_item(3)?.extract().map_err(|_| bad())?,
    ))
}

/// A labelled block: `(csr tuple, class codes as a uint32 array)`.
fn labelled<'py>(b: &Bound<'py, PyAny>) -> PyResult<(Arrays<'py>, PyReadonlyArray1<'py, u32>)> {
    let t = b.cast::<PyTuple>().map_err(|_| PyTypeError::new_err("a labelled block must be (X, y)"))?;
    if t.len() != 2 {
        return Err(PyTypeError::new_err("a labelled block must be (X, y)"));
    }
    Ok((block_arrays(&t.get_item(0)?)?, t.get_item(1)?.extract()?))
}

fn view<'a>(a: &'a Arrays<'_>) -> PyResult<CsrView<'a, f32, i32>> {
    let (d, i, p, (n_rows, n_cols)) = a;
    Ok(CsrView::new(*n_rows, *n_cols, p.as_slice()?, i.as_slice()?, d.as_slice()?)?)
}

fn array2<'py>(py: Python<'py>, v: Vec<f64>, cols: usize) -> PyResult<Bound<'py, PyAny>> {
    let rows = v.len() / cols.max(1);
    Ok(PyArray1::from_vec(py, v).reshape([rows, cols])?.into_any())
}

/// `(loss per output, gradient (features [+ bias], outputs), active (rows, outputs) uint8)`
/// of the labelled block `b`.
#[pyfunction]
fn sq_hinge_loss_grad<'py>(
    py: Python<'py>,
    b: &Bound<'py, PyAny>,
    n_classes: usize,
    outputs: PyReadonlyArray1<'py, u32>,
    w: PyReadonlyArray2<'py, f64>,
    c: f64,
    bias: f64,
) -> PyResult<Bound<'py, PyTuple>> {
    let (a, y) = labelled(b)?;
    let v = view(&a)?;
    let (y, outputs, w) = (y.as_slice()?, outputs.as_slice()?, w.as_slice()?);
    let k = outputs.len();
    let s = py.detach(|| blockwise::sq_hinge_loss_grad(&v, y, n_classes, outputs, w, c, bias))?;
    let active = PyArray1::from_vec(py, s.active).reshape([v.n_cols, k])?;
    PyTuple::new(py, [PyArray1::from_vec(py, s.loss).into_any(), array2(py, s.grad, k)?, active.into_any()])
}

/// The block's share of the squared-hinge Hessian at the point of `active` times `v`.
#[pyfunction]
fn sq_hinge_hessp<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    active: PyReadonlyArray2<'py, u8>,
    v: PyReadonlyArray2<'py, f64>,
    c: f64,
    bias: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let a = block_arrays(x)?;
    let xv = view(&a)?;
    let k = v.shape()[1];
    let (active, v) = (active.as_slice()?, v.as_slice()?);
    let out = py.detach(|| blockwise::sq_hinge_hessp(&xv, active, v, k, c, bias))?;
    array2(py, out, k)
}

/// `(loss, gradient in w (features, outputs), gradient in b)` of the logistic loss on the
/// labelled block `block`, with weights `wb`: `w` and, as its last row, the intercepts `b`.
#[pyfunction]
fn logistic_loss_grad<'py>(
    py: Python<'py>,
    block: &Bound<'py, PyAny>,
    n_classes: usize,
    wb: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyTuple>> {
    let (a, y) = labelled(block)?;
    let v = view(&a)?;
    let k = wb.shape()[1];
    let (y, wb) = (y.as_slice()?, wb.as_slice()?);
    let (w, b) = wb.split_at(wb.len() - k.min(wb.len()));
    let k = b.len();
    let (loss, gw, gb) = py.detach(|| blockwise::logistic_loss_grad(&v, y, n_classes, w, b))?;
    PyTuple::new(py, [loss.into_pyobject(py)?.into_any(), array2(py, gw, k)?, PyArray1::from_vec(py, gb).into_any()])
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sq_hinge_loss_grad, m)?)?;
    m.add_function(wrap_pyfunction!(sq_hinge_hessp, m)?)?;
    m.add_function(wrap_pyfunction!(logistic_loss_grad, m)?)?;
    Ok(())
}
