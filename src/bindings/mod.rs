//! The Python extension module `topictag._core`. Thin on purpose: each submodule parses
//! Python input into core types, releases the GIL around the core call, and maps errors.
//! All logic lives in the core modules.

use pyo3::create_exception;
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::error::Error;

mod blockwise;
mod common;
mod eval;
mod interrupt;
mod linear;
mod persist;
mod pipeline;
mod vectorize;

create_exception!(
    topictag,
    ModelFormatError,
    PyValueError,
    "A model file or byte string is truncated, corrupted, not a topictag file, or of a format version this topictag does not read."
);
create_exception!(
    topictag,
    NotFittedError,
    PyValueError,
    "A method that needs a fitted estimator was called before fit."
);

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Value(m) => PyValueError::new_err(m),
            Error::Type(m) => PyTypeError::new_err(m),
            Error::NotFitted(m) => NotFittedError::new_err(m),
            Error::Format(m) => ModelFormatError::new_err(m),
            Error::Memory(m) => PyMemoryError::new_err(m),
            Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        }
    }
}

/// Called in a child process right after `os.fork()` (registered by `topictag/__init__.py`):
/// parallel work then runs in fresh thread pools, since the parent's did not survive the fork.
#[pyfunction]
fn _after_fork(py: Python<'_>) -> PyResult<()> {
    crate::parallel::mark_forked();
    interrupt::set_main_thread(py)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", crate::persist::VERSION)?;
    m.add("ModelFormatError", py.get_type::<ModelFormatError>())?;
    m.add("NotFittedError", py.get_type::<NotFittedError>())?;
    m.add_function(wrap_pyfunction!(_after_fork, m)?)?;
    interrupt::set_main_thread(py)?;
    // Load numpy's C API now: rust-numpy loads it at the first array it makes and panics if
    // that import fails, which a pending Ctrl-C makes it do (a PanicException, not a
    // KeyboardInterrupt). Here a failure is an ordinary import error.
    py.import("numpy")?;
    drop(numpy::PyArray1::<u8>::zeros(py, 0, false));
    vectorize::register(m)?;
    linear::register(m)?;
    blockwise::register(m)?;
    pipeline::register(m)?;
    eval::register(m)?;
    persist::register(m)?;
    Ok(())
}
