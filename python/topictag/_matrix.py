"""Feature matrices between scipy/numpy and the Rust core.

The core reads and writes CSR matrices as ``(data, indices, indptr, (n_rows, n_cols))``
tuples of numpy arrays (``src/bindings/common.rs``): :func:`csr_parts` makes one from any
sparse matrix or dense 2-D array, :func:`csr_from_parts` turns one into a ``csr_matrix``.
"""

from __future__ import annotations

import sys
import threading

import numpy as np


def import_scipy_sparse_beside() -> None:
    """Start importing ``scipy.sparse`` on a background thread, when it is not loaded yet.

    The vectorizers return scipy matrices, and the first import of ``scipy.sparse`` costs
    0.1-0.3 s; started just before the core runs (without the GIL), it overlaps with the
    tokenizing instead of following it. :func:`csr_from_parts` imports it as usual and
    waits for this import if it is still running (Python's per-module import lock); a
    failed import here is left for that import to report.
    """
    if "scipy.sparse" in sys.modules:
        return

    def run():
        try:
            import scipy.sparse  # noqa: F401
        except BaseException:  # reported by the caller's own import
            pass

    threading.Thread(target=run, name="topictag-import-scipy", daemon=True).start()


def csr_parts(X, what: str = "X"):
    """``(data, indices, indptr, shape)`` of X as CSR, float32 kept, other dtypes float64."""
    import scipy.sparse as sp

    if sp.issparse(X):
        X = X.tocsr()
        if X.dtype not in (np.float32, np.float64):
            if X.dtype.kind == "c":
                raise ValueError(f"Complex data not supported: {what} has complex values")
            if X.dtype.kind not in "biuf":
                raise TypeError(f"{what} has dtype {X.dtype}; expected a numeric dtype")
            X = X.astype(np.float64)
    else:
        if isinstance(X, (str, bytes)) or (
            isinstance(X, (list, tuple)) and len(X) > 0 and isinstance(X[0], str)
        ):
            raise TypeError(
                f"{what} looks like raw text; linear classifiers take a feature matrix. "
                "Vectorize the documents first (e.g. topictag.TfidfVectorizer), or use "
                "topictag.TopicClassifier, which does both."
            )
        try:
            arr = np.asarray(X)
        except Exception as e:  # ragged lists and the like
            raise ValueError(f"{what} could not be read as a 2-D array: {e}") from None
        if arr.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: {what} has complex values")
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as e:
                # numpy's message first (scikit-learn shows it too)
                raise TypeError(
                    f"{e} ({what} must be numeric, got an array of dtype {arr.dtype}; "
                    "vectorize text first, e.g. with topictag.TfidfVectorizer)"
                ) from None
        if arr.ndim != 2:
            raise ValueError(
                f"Expected a 2D array for {what}, got a {arr.ndim}D array instead "
                f"(shape {arr.shape}). Reshape your data with array.reshape(-1, 1) for a "
                "single feature or array.reshape(1, -1) for a single sample."
            )
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
        X = sp.csr_matrix(arr)
    indices = X.indices if X.indices.dtype in (np.int32, np.int64) else X.indices.astype(np.int64)
    indptr = X.indptr if X.indptr.dtype in (np.int32, np.int64) else X.indptr.astype(np.int64)
    return (
        np.ascontiguousarray(X.data),
        np.ascontiguousarray(indices),
        np.ascontiguousarray(indptr),
        (int(X.shape[0]), int(X.shape[1])),
    )


def csr_from_parts(parts, dtype):
    """The core's ``(data, indices, indptr, shape)`` as a ``scipy.sparse.csr_matrix`` of
    ``dtype`` (sorted indices, as the core makes them)."""
    import scipy.sparse as sp

    data, indices, indptr, shape = parts
    X = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    X.has_sorted_indices = True
    if X.dtype != dtype:
        X = X.astype(dtype)
    return X
