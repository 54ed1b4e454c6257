//! Bindings for crate::eval: `classification_report` and `stratified_folds`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::common::{extract_y, Y};
use crate::eval::{self, Report, Scores};

fn scores_dict<'py>(py: Python<'py>, s: &Scores) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("precision", s.precision)?;
    d.set_item("recall", s.recall)?;
    d.set_item("f1", s.f1)?;
    d.set_item("support", s.support)?;
    Ok(d)
}

fn report_dict<'py>(py: Python<'py>, r: &Report) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("multilabel", r.multilabel)?;
    d.set_item("n_samples", r.n_samples)?;
    d.set_item("precision", r.per_class.iter().map(|s| s.precision).collect::<Vec<_>>())?;
    d.set_item("recall", r.per_class.iter().map(|s| s.recall).collect::<Vec<_>>())?;
    d.set_item("f1", r.per_class.iter().map(|s| s.f1).collect::<Vec<_>>())?;
    d.set_item("support", r.per_class.iter().map(|s| s.support).collect::<Vec<_>>())?;
    d.set_item("micro", scores_dict(py, &r.micro)?)?;
    d.set_item("macro", scores_dict(py, &r.macro_avg)?)?;
    d.set_item("weighted", scores_dict(py, &r.weighted)?)?;
    match &r.samples {
        Some(s) => d.set_item("samples", scores_dict(py, s)?)?,
        None => d.set_item("samples", py.None())?,
    }
    d.set_item("accuracy", r.accuracy)?;
    d.set_item("hamming_loss", r.hamming_loss)?;
    d.set_item("confusion", r.confusion.clone())?;
    Ok(d)
}

/// `classification_report(y_true, y_pred, n_classes, multilabel) -> dict`
#[pyfunction]
fn classification_report<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    n_classes: usize,
    multilabel: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let r = match (extract_y(y_true, multilabel)?, extract_y(y_pred, multilabel)?) {
        (Y::One(t), Y::One(p)) => eval::multiclass_report(&t, &p, n_classes)?,
        (Y::Many(t), Y::Many(p)) => eval::multilabel_report(&t, &p, n_classes)?,
        _ => return Err(PyValueError::new_err("y_true and y_pred must both be multi-label or both multi-class")),
    };
    report_dict(py, &r)
}

/// `stratified_folds(y, n_classes, k, seed, multilabel) -> list[int]`
#[pyfunction]
fn stratified_folds(y: &Bound<'_, PyAny>, n_classes: usize, k: usize, seed: u64, multilabel: bool) -> PyResult<Vec<usize>> {
    Ok(match extract_y(y, multilabel)? {
        Y::One(t) => eval::stratified_folds(&t, n_classes, k, seed)?,
        Y::Many(t) => eval::iterative_stratified_folds(&t, n_classes, k, seed)?,
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(classification_report, m)?)?;
    m.add_function(wrap_pyfunction!(stratified_folds, m)?)?;
    Ok(())
}
