"""``topictag._matrix``: feature matrices to and from the core's CSR tuples."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topictag._matrix import csr_from_parts, csr_parts


def test_csr_parts_of_sparse_and_dense():
    dense = np.array([[0, 2], [3, 0]], dtype=np.int16)
    for X in (dense, sp.coo_matrix(dense), sp.csc_matrix(dense), dense.tolist()):
        data, indices, indptr, shape = csr_parts(X)
        assert shape == (2, 2) and data.dtype == np.float64
        assert indices.tolist() == [1, 0] and indptr.tolist() == [0, 1, 2]
    data, *_ = csr_parts(sp.csr_matrix(dense.astype(np.float32)))
    assert data.dtype == np.float32  # float32 is kept


def test_csr_parts_errors():
    with pytest.raises(TypeError, match="raw text"):
        csr_parts(["some text"])
    with pytest.raises(TypeError, match="complex"):
        csr_parts(np.ones((2, 2), dtype=complex))
    with pytest.raises(ValueError, match="Expected a 2D array"):
        csr_parts(np.ones(3))


def test_csr_from_parts():
    parts = csr_parts(np.array([[0.0, 1.5], [2.0, 0.0]]))
    X = csr_from_parts(parts, np.float32)
    assert X.dtype == np.float32 and X.has_sorted_indices
    np.testing.assert_array_equal(X.toarray(), [[0, 1.5], [2, 0]])
