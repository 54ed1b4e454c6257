//! Bindings for crate::persist: every pyclass's `to_bytes`/`from_bytes` go through
//! [`to_py_bytes`] and [`from_py_bytes`], and `peek_header` reads a file's header.

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::persist::{self, Persist};

/// The model file image of `value` (GIL released while encoding).
pub(crate) fn to_py_bytes<'py, T: Persist + Sync>(
    py: Python<'py>,
    value: &T,
    metadata: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let b = py.detach(|| persist::save(value, metadata))?;
    Ok(PyBytes::new(py, &b))
}

/// `(value, metadata)` from a model file image (GIL released while decoding).
pub(crate) fn from_py_bytes<T: Persist + Send>(py: Python<'_>, data: &[u8]) -> PyResult<(T, String)> {
    let (h, value) = py.detach(|| persist::load::<T>(data))?;
    Ok((value, h.metadata))
}

/// `peek_header(bytes) -> (kind, format_version, topictag_version, metadata)`
#[pyfunction]
fn peek_header(data: &[u8]) -> PyResult<(String, u16, String, String)> {
    let h = persist::peek(data)?;
    Ok((h.kind.name().to_string(), h.format_version, h.topictag_version, h.metadata))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(peek_header, m)?)?;
    Ok(())
}
