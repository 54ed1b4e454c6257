"""Turn whatever a user passes as documents into what the Rust core reads.

The core takes either a ``list`` of ``str`` or, for Arrow-backed strings (pyarrow, polars,
pandas with an Arrow dtype), the raw UTF-8 buffer and offsets: no Python object per string.
Type checks of individual items happen in Rust while the list is read, so an error names the
first bad index (``documents[3] is of type NoneType (None); expected str``).
"""

from __future__ import annotations

from typing import Any, List, Tuple, Union

import numpy as np

Prepared = Union[List[Any], Tuple[str, np.ndarray, np.ndarray, Any]]


def _arrow_parts(arr) -> Prepared:
    """(data, offsets) of a pyarrow (large_)string array, or None if it is not one."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    t = arr.type
    if pa.types.is_string_view(t) if hasattr(pa.types, "is_string_view") else False:
        arr = arr.cast(pa.large_string())
        t = arr.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        return None
    null_index = None
    if arr.null_count:
        null_index = int(np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))[0])
    validity, offsets_buf, data_buf = arr.buffers()
    off_dtype = np.int64 if pa.types.is_large_string(t) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=off_dtype)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return ("arrow", data, np.ascontiguousarray(offsets), null_index)


def _is_table(X) -> bool:
    """A pandas or polars DataFrame, or a pyarrow Table or RecordBatch: several columns."""
    return hasattr(X, "columns") and (hasattr(X, "num_columns") or hasattr(X, "shape")
                                      and len(getattr(X, "shape", ())) == 2)


def as_documents(X, name: str = "documents") -> Prepared:
    """Prepare raw text documents for the core (see the module docstring)."""
    if isinstance(X, (str, bytes)):
        # scikit-learn's wording, for every kind of document collection
        kind = "string" if isinstance(X, str) else "bytes"
        raise ValueError(
            f"Iterable over raw text documents expected, {kind} object received. "
            "Wrap a single document in a list."
        )
    if isinstance(X, list):
        return X
    mod = type(X).__module__.split(".")[0]
    if mod in ("pyarrow", "polars", "pandas") and _is_table(X):
        # iterating a table gives its columns (or column names): say what is expected
        pick = "table['text']" if mod == "pyarrow" else "df['text']"
        raise TypeError(
            f"{name} must be one column of text, not a {mod} {type(X).__name__}; select the "
            f"text column, e.g. {pick}"
        )
    if mod == "pyarrow":
        parts = _arrow_parts(X)
        if parts is not None:
            return parts
    elif mod == "polars":
        try:
            parts = _arrow_parts(X.to_arrow())
        except Exception:
            parts = None
        if parts is not None:
            return parts
    elif mod == "pandas":
        arr = getattr(X, "array", None)
        pa_arr = getattr(arr, "_pa_array", None)
        if pa_arr is not None:
            parts = _arrow_parts(pa_arr)
            if parts is not None:
                return parts
        return X.tolist()
    if isinstance(X, np.ndarray):
        if X.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got an array of shape {X.shape}")
        return X.tolist()
    if isinstance(X, tuple):
        return list(X)
    if hasattr(X, "tolist"):
        return X.tolist()
    try:
        return list(X)
    except TypeError:
        raise TypeError(
            f"{name} must be an iterable of str, got {type(X).__name__}"
        ) from None


def as_document_list(X, name: str = "documents") -> List[Any]:
    """The documents as a Python list (for the per-document Python steps: callables, file
    input, bytes). Arrow buffers are decoded to str here."""
    prepared = as_documents(X, name)
    if isinstance(prepared, list):
        return prepared
    _, data, offsets, null_index = prepared
    if null_index is not None:  # rare: let the library make the Python values
        for method in ("to_pylist", "to_list", "tolist"):
            if hasattr(X, method):
                return [None if v is None or v != v else v for v in getattr(X, method)()]
    raw = data.tobytes()
    return [raw[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(len(offsets) - 1)]


def n_documents(prepared: Prepared) -> int:
    if isinstance(prepared, list):
        return len(prepared)
    return len(prepared[2]) - 1
