//! Conversions shared by the binding submodules: documents and labels in, CSR matrices in
//! and out.

use numpy::{PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::sparse::{CsrMatrix, Real};

/// Documents taken from Python. Either owned strings (from a list of `str`), or one Arrow
/// style buffer (UTF-8 bytes plus offsets), from pyarrow, polars or pandas' Arrow-backed
/// strings, read without touching each string as a Python object.
pub(crate) enum Docs<'py> {
    /// A list of `str`, read in place: `keep` holds a reference to every `str` object for the
    /// lifetime of this value, `views` is each one's UTF-8 as `(pointer, length)` (see
    /// [`utf8_view`] for the safety argument); strings CPython cannot encode (lone
    /// surrogates) are copied lossily into `fallback` and viewed there.
    Borrowed {
        keep: Vec<Bound<'py, PyString>>,
        views: Vec<(*const u8, usize)>,
        fallback: Vec<String>,
    },
    Arrow { data: PyReadonlyArray1<'py, u8>, offsets: Vec<usize> },
}

// `PyUnicode_AsUTF8AndSize` is in every CPython 3.x; pyo3's limited-API (abi3-py39)
// bindings only declare it from 3.10 on, when it joined the stable ABI (CPython only: the
// package targets CPython's abi3).
extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut pyo3::ffi::PyObject,
        size: *mut pyo3::ffi::Py_ssize_t,
    ) -> *const std::os::raw::c_char;
}

/// The UTF-8 bytes of `s` without copying, or `None` when it has none (lone surrogates).
///
/// Safety argument: `PyUnicode_AsUTF8AndSize` returns a pointer to a UTF-8 buffer owned by
/// the `str` object (for compact ASCII strings its own character data, otherwise a UTF-8
/// copy CPython caches on the object), valid as long as the object lives. `str` objects are
/// immutable, and the caller keeps a strong reference (`Docs::Borrowed::keep`) for as long
/// as the view is used, so the buffer stays valid and unchanged even when the GIL is
/// released and the user's list is mutated meanwhile. The call itself is made with the GIL
/// held. On failure the raised exception is cleared and `None` returned.
fn utf8_view(s: &Bound<'_, PyString>) -> Option<(*const u8, usize)> {
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` (GIL held through the `Bound`), `size` a valid out-pointer.
    let p = unsafe { PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
    if p.is_null() || size < 0 {
        // Clear the UnicodeEncodeError so the caller can fall back to a lossy copy.
        drop(PyErr::take(s.py()));
        return None;
    }
    Some((p as *const u8, size as usize))
}

impl<'py> Docs<'py> {
    /// Parse what `topictag._input.as_documents` hands over: a `list` of `str`, or the tuple
    /// `("arrow", data: uint8 array, offsets: int32/int64 array, null_index: int | None)`.
    pub(crate) fn extract(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(list) = obj.cast::<PyList>() {
            let n = list.len();
            let mut keep = Vec::with_capacity(n);
            let mut views = Vec::with_capacity(n);
            let mut fallback = Vec::new();
            for (i, item) in list.iter().enumerate() {
                let s = match item.cast_into::<PyString>() {
                    Ok(s) => s,
                    Err(e) => return Err(not_a_str(&e.into_inner(), i)),
                };
                match utf8_view(&s) {
                    Some(v) => views.push(v),
                    None => {
                        // Lone surrogates cannot be UTF-8: they become U+FFFD rather than an
                        // error. The String's heap buffer does not move when `fallback` grows.
                        let owned = s.to_string_lossy().into_owned();
                        views.push((owned.as_ptr(), owned.len()));
                        fallback.push(owned);
                    }
                }
                keep.push(s);
            }
            return Ok(Docs::Borrowed { keep, views, fallback });
        }
        if let Ok(t) = obj.cast::<PyTuple>() {
            if t.len() == 4 && t.get_item(0)?.extract::<String>().is_ok_and(|s| s == "arrow") {
                if let Some(i) = t.get_item(3)?.extract::<Option<usize>>()? {
                    return Err(PyTypeError::new_err(format!(
                        "documents[{i}] is missing (null); expected str"
                    )));
                }
                let data: PyReadonlyArray1<'py, u8> = t.get_item(1)?.extract()?;
                let off_obj = t.get_item(2)?;
                let offsets: Vec<usize> = if let Ok(a) = off_obj.extract::<PyReadonlyArray1<i64>>() {
                    a.as_array().iter().map(|&v| v.max(0) as usize).collect()
                } else {
                    let a: PyReadonlyArray1<i32> = off_obj.extract()?;
                    a.as_array().iter().map(|&v| v.max(0) as usize).collect()
                };
                let n = data.len();
                if offsets.is_empty()
                    || offsets.windows(2).any(|w| w[0] > w[1])
                    || *offsets.last().unwrap() > n
                {
                    return Err(PyValueError::new_err("malformed Arrow string offsets"));
                }
                let bytes = data.as_slice()?;
                if let Err(e) = std::str::from_utf8(&bytes[offsets[0]..*offsets.last().unwrap()]) {
                    let pos = offsets[0] + e.valid_up_to();
                    let i = offsets.partition_point(|&o| o <= pos).saturating_sub(1);
                    return Err(PyValueError::new_err(format!(
                        "documents[{i}] is not valid UTF-8"
                    )));
                }
                return Ok(Docs::Arrow { data, offsets });
            }
        }
        Err(PyTypeError::new_err(
            "documents must be given as a list of str (topictag._input.as_documents prepares any iterable)",
        ))
    }

    /// Borrow every document as `&str` (cheap: no copies).
    pub(crate) fn as_strs(&self) -> PyResult<Vec<&str>> {
        match self {
            Docs::Borrowed { keep, views, fallback } => {
                let _ = (keep, fallback);
                Ok(views
                    .iter()
                    .map(|&(p, n)| {
                        // SAFETY: see `utf8_view`: `p..p + n` is valid UTF-8 owned by a `str`
                        // in `keep` (or a `String` in `fallback`), both alive and unchanged as
                        // long as `self` is, which bounds the returned lifetime.
                        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, n)) }
                    })
                    .collect())
            }
            Docs::Arrow { data, offsets } => {
                let bytes = data.as_slice()?;
                Ok(offsets
                    .windows(2)
                    .map(|w| {
                        // Checked as UTF-8 in `extract`; offsets fall on char boundaries
                        // unless the producer lied, in which case the lossy path is taken.
                        std::str::from_utf8(&bytes[w[0]..w[1]]).unwrap_or("\u{FFFD}")
                    })
                    .collect())
            }
        }
    }
}

/// The TypeError for a document that is not a `str`.
fn not_a_str(item: &Bound<'_, PyAny>, i: usize) -> PyErr {
    let tname = item
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_string());
    let hint = if item.is_none() {
        " (None)".to_string()
    } else if let Ok(f) = item.extract::<f64>() {
        if f.is_nan() {
            " (NaN: a missing value?)".to_string()
        } else {
            String::new()
        }
    } else if tname == "bytes" || tname == "bytearray" {
        " (decode it to str first)".to_string()
    } else {
        String::new()
    };
    PyTypeError::new_err(format!("documents[{i}] is of type {tname}{hint}; expected str"))
}

/// A CSR matrix as the tuple `(data, indices, indptr, (n_rows, n_cols))` of numpy arrays,
/// with int32 indices (int64 row pointers once the matrix passes 2**31 - 1 entries), as
/// `scipy.sparse.csr_matrix` takes it. The Vec buffers are moved into numpy, not copied.
pub(crate) fn csr_to_py<'py, T: Real + numpy::Element>(
    py: Python<'py>,
    m: CsrMatrix<T>,
) -> PyResult<Bound<'py, PyTuple>> {
    let CsrMatrix { n_rows, n_cols, indptr, indices, data } = m;
    let data = PyArray1::from_vec(py, data);
    let indices: Vec<i32> = indices.into_iter().map(|j| j as i32).collect();
    let indices = PyArray1::from_vec(py, indices);
    let indptr: Bound<'py, PyAny> = if indptr.last().copied().unwrap_or(0) <= i32::MAX as usize {
        PyArray1::from_vec(py, indptr.into_iter().map(|p| p as i32).collect::<Vec<i32>>())
            .into_any()
    } else {
        PyArray1::from_vec(py, indptr.into_iter().map(|p| p as i64).collect::<Vec<i64>>())
            .into_any()
    };
    PyTuple::new(py, [data.into_any(), indices.into_any(), indptr, (n_rows, n_cols).into_pyobject(py)?.into_any()])
}

fn index_vec(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<usize>> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i32>>() {
        return a.as_array().iter().map(|&v| to_index(v as i64, what)).collect();
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<i64>>() {
        return a.as_array().iter().map(|&v| to_index(v, what)).collect();
    }
    Err(PyTypeError::new_err(format!("{what} must be an int32 or int64 numpy array")))
}

fn to_index(v: i64, what: &str) -> PyResult<usize> {
    usize::try_from(v).map_err(|_| PyValueError::new_err(format!("{what} has a negative entry")))
}

/// The reverse of [`csr_to_py`]: `(data, indices, indptr, (n_rows, n_cols))` with data of
/// float32 or float64 (the Python side converts other dtypes), into a checked [`CsrMatrix`].
pub(crate) enum CsrAny {
    F32(CsrMatrix<f32>),
    F64(CsrMatrix<f64>),
}

impl CsrAny {
    pub(crate) fn n_rows(&self) -> usize {
        match self {
            CsrAny::F32(m) => m.n_rows,
            CsrAny::F64(m) => m.n_rows,
        }
    }
}

pub(crate) fn csr_from_py(obj: &Bound<'_, PyAny>) -> PyResult<CsrAny> {
    let t = obj.cast::<PyTuple>().map_err(|_| {
        PyTypeError::new_err("expected a (data, indices, indptr, shape) tuple for a CSR matrix")
    })?;
    let (n_rows, n_cols): (usize, usize) = t.get_item(3)?.extract()?;
    let indices: Vec<u32> = index_vec(&t.get_item(1)?, "indices")?
        .into_iter()
        .map(|j| u32::try_from(j).map_err(|_| PyValueError::new_err("column index too large")))
        .collect::<PyResult<_>>()?;
    let indptr = index_vec(&t.get_item(2)?, "indptr")?;
    let d = t.get_item(0)?;
    if let Ok(a) = d.extract::<PyReadonlyArray1<f32>>() {
        let data = a.as_array().to_vec();
        return Ok(CsrAny::F32(CsrMatrix::new(n_rows, n_cols, indptr, indices, data)?));
    }
    if let Ok(a) = d.extract::<PyReadonlyArray1<f64>>() {
        let data = a.as_array().to_vec();
        return Ok(CsrAny::F64(CsrMatrix::new(n_rows, n_cols, indptr, indices, data)?));
    }
    Err(PyTypeError::new_err("CSR data must be a float32 or float64 numpy array"))
}

/// One matrix from a Python list of CSR row blocks (`(data, indices, indptr, shape)`
/// tuples of equal width and data type, as a streaming fit makes them a batch at a time),
/// taken over: each block is appended straight from its arrays, then its list item set to
/// None, so with no other reference to them the blocks are freed one by one and the peak is
/// the result plus one block. The result is checked as a whole ([`CsrMatrix::new`]).
pub(crate) fn csr_from_blocks(blocks: &Bound<'_, PyList>) -> PyResult<CsrAny> {
    /// Appends block `t` if its data are of type `T` (false otherwise).
    fn append<T: Real + numpy::Element>(out: &mut CsrMatrix<T>, t: &Bound<'_, PyTuple>) -> PyResult<bool> {
        let Ok(d) = t.get_item(0)?.extract::<PyReadonlyArray1<T>>() else { return Ok(false) };
        let (n_rows, n_cols): (usize, usize) = t.get_item(3)?.extract()?;
        if out.indptr.len() > 1 && n_cols != out.n_cols {
            return Err(PyValueError::new_err(format!(
                "row blocks of different widths: {} and {n_cols} columns", out.n_cols
            )));
        }
        out.n_cols = n_cols;
        let base = out.indices.len();
        let ptr = index_vec(&t.get_item(2)?, "indptr")?;
        if ptr.len() != n_rows + 1 || ptr[0] != 0 || ptr[n_rows] != d.len() {
            return Err(PyValueError::new_err("a row block's indptr does not match its shape and data"));
        }
        out.indptr.extend(ptr[1..].iter().map(|&p| base + p));
        let ind = t.get_item(1)?;
        if let Ok(a) = ind.extract::<PyReadonlyArray1<i32>>() {
            for &j in a.as_array() {
                out.indices.push(u32::try_from(j).map_err(|_| PyValueError::new_err("indices has a negative entry"))?);
            }
        } else {
            for j in index_vec(&ind, "indices")? {
                out.indices.push(u32::try_from(j).map_err(|_| PyValueError::new_err("column index too large"))?);
            }
        }
        out.data.extend(d.as_array().iter().copied());
        out.n_rows += n_rows;
        Ok(true)
    }
    fn empty<T>(nnz: usize) -> PyResult<CsrMatrix<T>> {
        let indices = crate::hw::reserve_table(nnz, "the features' column indices")?;
        let data = crate::hw::reserve_table(nnz, "the features' values")?;
        Ok(CsrMatrix { n_rows: 0, n_cols: 0, indptr: vec![0], indices, data })
    }
    fn checked<T: Real>(m: CsrMatrix<T>) -> PyResult<CsrMatrix<T>> {
        Ok(CsrMatrix::new(m.n_rows, m.n_cols, m.indptr, m.indices, m.data)?)
    }
    let tuple = |i: usize| -> PyResult<Bound<'_, PyTuple>> {
        let t = blocks.get_item(i)?;
        let t = t.cast_into::<PyTuple>().map_err(|_| {
            PyTypeError::new_err("a row block must be a (data, indices, indptr, shape) tuple")
        })?;
        if t.len() != 4 {
            return Err(PyTypeError::new_err("a row block must be a (data, indices, indptr, shape) tuple"));
        }
        Ok(t)
    };
    let mut nnz = 0usize;
    for i in 0..blocks.len() {
        nnz += tuple(i)?.get_item(0)?.len()?;
    }
    if blocks.is_empty() {
        return Err(PyValueError::new_err("no row blocks: the features of at least one document are needed"));
    }
    let (mut m32, mut m64) = (empty::<f32>(0)?, empty::<f64>(0)?);
    let f32_data = tuple(0)?.get_item(0)?.extract::<PyReadonlyArray1<f32>>().is_ok();
    if f32_data { m32 = empty(nnz)? } else { m64 = empty(nnz)? }
    // Blocks below the allocator's mmap threshold are freed into its heap, which keeps
    // them: hand that memory back every TRIM_EVERY bytes freed, or X and the blocks would
    // both be resident by the end.
    const TRIM_EVERY: usize = 32 << 20;
    let mut freed = 0usize;
    for i in 0..blocks.len() {
        let t = tuple(i)?;
        let (n0, b0) = (m32.indices.len() + m64.indices.len(), m32.data.len() * 4 + m64.data.len() * 8);
        let done = if f32_data { append(&mut m32, &t)? } else { append(&mut m64, &t)? };
        if !done {
            return Err(PyTypeError::new_err(
                "row blocks must all have float32 data or all float64 data (one dtype)",
            ));
        }
        drop(t);
        blocks.set_item(i, blocks.py().None())?;
        freed += (m32.indices.len() + m64.indices.len() - n0) * 4 + m32.data.len() * 4 + m64.data.len() * 8 - b0;
        if freed >= TRIM_EVERY {
            crate::hw::release_free_memory();
            freed = 0;
        }
    }
    Ok(if f32_data { CsrAny::F32(checked(m32)?) } else { CsrAny::F64(checked(m64)?) })
}

/// Topic labels from Python: one index per document, or a list of indices per document.
pub(crate) enum Y {
    One(Vec<usize>),
    Many(Vec<Vec<usize>>),
}

pub(crate) fn extract_y(y: &Bound<'_, PyAny>, multilabel: bool) -> PyResult<Y> {
    if multilabel {
        y.extract::<Vec<Vec<usize>>>()
            .map(Y::Many)
            .map_err(|_| PyTypeError::new_err("multi-label targets must be a list of lists of topic indices"))
    } else {
        y.extract::<Vec<usize>>()
            .map(Y::One)
            .map_err(|_| PyTypeError::new_err("targets must be a list of topic indices"))
    }
}

/// `#[pymethods] impl Type { .. }` whose read-only properties come first, as a table:
/// `getters(core = self.field) { name: Type = expression, .. }`, each expression reading
/// `core` (`&self.field`); the other methods follow as written.
macro_rules! pymethods_with_getters {
    (
        impl $ty:ident {
            getters($core:ident = self.$field:ident) { $($name:ident: $ret:ty = $e:expr),* $(,)? }
            $($rest:tt)*
        }
    ) => {
        #[::pyo3::pymethods]
        impl $ty {
            $(
                #[getter]
                fn $name(&self) -> $ret {
                    let $core = &self.$field;
                    $e
                }
            )*
            $($rest)*
        }
    };
}
pub(crate) use pymethods_with_getters;
