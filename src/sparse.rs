//! Compressed sparse row matrices: the one matrix type the vectorizers produce and the
//! linear solvers consume. Layout and conventions match `scipy.sparse.csr_matrix`
//! (row pointers, column indices sorted within each row, no duplicate entries).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Floating-point element types the core works in (`f32` and `f64`).
pub trait Real:
    num_traits::Float
    + num_traits::FromPrimitive
    + std::fmt::Debug
    + std::fmt::Display
    + Default
    + Send
    + Sync
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::MulAssign
    + crate::error::ZeroBits
    + 'static
{
    fn from_f64_lossy(v: f64) -> Self;
    fn as_f64(self) -> f64;
}

impl Real for f32 {
    #[inline]
    fn from_f64_lossy(v: f64) -> Self {
        v as f32
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

impl Real for f64 {
    #[inline]
    fn from_f64_lossy(v: f64) -> Self {
        v
    }
    #[inline]
    fn as_f64(self) -> f64 {
        self
    }
}

/// A CSR matrix. Invariants (checked by [`CsrMatrix::new`]): `indptr.len() == n_rows + 1`,
/// `indptr[0] == 0`, `indptr` non-decreasing, `indptr[n_rows] == indices.len() == data.len()`,
/// every index `< n_cols`. Column indices sorted within a row is the normal form the
/// vectorizers produce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CsrMatrix<T> {
    pub n_rows: usize,
    pub n_cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub data: Vec<T>,
}

impl<T: Real> CsrMatrix<T> {
    /// Build from raw parts, checking the invariants (never panics on bad parts).
    pub fn new(
        n_rows: usize,
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
    ) -> Result<Self> {
        // Row pointers and lengths: the same checks as a borrowed view's.
        CsrView::new(n_rows, n_cols, &indptr, &indices, &data)?;
        if let Some(&bad) = indices.iter().find(|&&j| j as usize >= n_cols) {
            return Err(Error::value(format!(
                "column index {bad} out of range for a matrix with {n_cols} columns"
            )));
        }
        Ok(CsrMatrix { n_rows, n_cols, indptr, indices, data })
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Column indices and values of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[T]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.data[a..b])
    }

    /// Rows `rows` (in that order) as a new matrix.
    pub fn select_rows(&self, rows: &[usize]) -> Result<Self> {
        let mut indptr = Vec::with_capacity(rows.len() + 1);
        indptr.push(0);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for &i in rows {
            if i >= self.n_rows {
                return Err(Error::value(format!(
                    "row {i} out of range for a matrix with {} rows",
                    self.n_rows
                )));
            }
            let (idx, val) = self.row(i);
            indices.extend_from_slice(idx);
            data.extend_from_slice(val);
            indptr.push(indices.len());
        }
        Ok(CsrMatrix { n_rows: rows.len(), n_cols: self.n_cols, indptr, indices, data })
    }

    /// First non-finite stored value, as (row, column), if any.
    pub fn find_non_finite(&self) -> Option<(usize, usize)> {
        let pos = self.data.iter().position(|v| !v.is_finite())?;
        let row = self.indptr.partition_point(|&p| p <= pos) - 1;
        Some((row, self.indices[pos] as usize))
    }
}

/// Helpers for tests (building small matrices, checking and converting them).

/// Calls `emit(column, value)` once per distinct column of `row`, a row's `(column, value)`
/// entries sorted by column, with the values of equal columns summed in order (scipy's
/// `sum_duplicates`).
pub fn sum_sorted_duplicates<V: Copy + std::ops::AddAssign>(row: &[(u32, V)], mut emit: impl FnMut(u32, V)) {
    let mut k = 0;
    while k < row.len() {
        let (c, mut v) = row[k];
        k += 1;
        while k < row.len() && row[k].0 == c {
            v += row[k].1;
            k += 1;
        }
        emit(c, v);
    }
}

#[cfg(test)]
impl<T: Real> CsrMatrix<T> {
    /// An all-zero matrix.
    pub fn zeros(n_rows: usize, n_cols: usize) -> Self {
        CsrMatrix { n_rows, n_cols, indptr: vec![0; n_rows + 1], indices: vec![], data: vec![] }
    }

    pub fn has_sorted_indices(&self) -> bool {
        (0..self.n_rows).all(|i| self.row(i).0.windows(2).all(|w| w[0] < w[1]))
    }

    /// Sort column indices within each row (summing duplicates).
    pub fn sort_indices(&mut self) {
        let mut new_indptr = Vec::with_capacity(self.n_rows + 1);
        let mut new_indices = Vec::with_capacity(self.nnz());
        let mut new_data = Vec::with_capacity(self.nnz());
        new_indptr.push(0);
        let mut buf: Vec<(u32, T)> = Vec::new();
        for i in 0..self.n_rows {
            let (idx, val) = self.row(i);
            buf.clear();
            buf.extend(idx.iter().copied().zip(val.iter().copied()));
            buf.sort_by_key(|p| p.0);
            for (j, v) in buf.iter().copied() {
                if new_indices.len() > *new_indptr.last().unwrap()
                    && *new_indices.last().unwrap() == j
                {
                    *new_data.last_mut().unwrap() += v;
                } else {
                    new_indices.push(j);
                    new_data.push(v);
                }
            }
            new_indptr.push(new_indices.len());
        }
        self.indptr = new_indptr;
        self.indices = new_indices;
        self.data = new_data;
    }

    /// Convert the element type.
    pub fn cast<U: Real>(&self) -> CsrMatrix<U> {
        CsrMatrix {
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            indptr: self.indptr.clone(),
            indices: self.indices.clone(),
            data: self.data.iter().map(|v| U::from_f64_lossy(v.as_f64())).collect(),
        }
    }

    /// Dense row-major copy (for tests and small matrices).
    pub fn to_dense(&self) -> Vec<Vec<T>> {
        let mut out = vec![vec![T::zero(); self.n_cols]; self.n_rows];
        for (i, row) in out.iter_mut().enumerate() {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                row[j as usize] += v;
            }
        }
        out
    }

    /// Build from dense rows (zeros are not stored).
    pub fn from_dense(rows: &[Vec<T>], n_cols: usize) -> Result<Self> {
        let mut indptr = vec![0usize];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if r.len() != n_cols {
                return Err(Error::value(format!(
                    "row {i} has {} values, expected {n_cols}",
                    r.len()
                )));
            }
            for (j, &v) in r.iter().enumerate() {
                if v != T::zero() {
                    indices.push(j as u32);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        CsrMatrix::new(rows.len(), n_cols, indptr, indices, data)
    }
}

/// Integer types a borrowed CSR may use for its index arrays (scipy uses int32 or int64).
pub trait SparseIndex: Copy + Send + Sync + 'static {
    /// The value as an index; a negative value maps to `usize::MAX` (always out of range).
    fn to_index(self) -> usize;
}

impl SparseIndex for u32 {
    #[inline]
    fn to_index(self) -> usize {
        self as usize
    }
}

impl SparseIndex for usize {
    #[inline]
    fn to_index(self) -> usize {
        self
    }
}

impl SparseIndex for i32 {
    #[inline]
    fn to_index(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

impl SparseIndex for i64 {
    #[inline]
    fn to_index(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

/// A CSR matrix borrowed from someone else's arrays (numpy's, without a copy).
/// [`CsrView::new`] checks the row pointers only (O(n_rows)); column indices and values are
/// *not* checked, so a consumer must bounds-check each index it reads (a negative index
/// reads as `usize::MAX`) and deal with non-finite values itself.
#[derive(Clone, Copy, Debug)]
pub struct CsrView<'a, T, I, P = I> {
    pub n_rows: usize,
    pub n_cols: usize,
    indptr: &'a [P],
    indices: &'a [I],
    data: &'a [T],
}

impl<'a, T: Copy, I: SparseIndex, P: SparseIndex> CsrView<'a, T, I, P> {
    /// Check the row pointers (length, start at 0, non-decreasing, end at nnz) and the
    /// lengths of `indices` and `data`.
    pub fn new(
        n_rows: usize,
        n_cols: usize,
        indptr: &'a [P],
        indices: &'a [I],
        data: &'a [T],
    ) -> Result<Self> {
        if indptr.len() != n_rows + 1 {
            return Err(Error::value(format!(
                "indptr has length {}, expected n_rows + 1 = {}",
                indptr.len(),
                n_rows + 1
            )));
        }
        if indptr[0].to_index() != 0 {
            return Err(Error::value("indptr[0] must be 0"));
        }
        if indptr.windows(2).any(|w| w[0].to_index() > w[1].to_index()) {
            return Err(Error::value("indptr must be non-decreasing"));
        }
        let nnz = indptr[n_rows].to_index();
        if indices.len() != nnz || data.len() != nnz {
            return Err(Error::value(format!(
                "indptr[-1] = {nnz} but indices has {} entries and data {}",
                indices.len(),
                data.len()
            )));
        }
        Ok(CsrView { n_rows, n_cols, indptr, indices, data })
    }

    /// The three arrays: row pointers, column indices (unchecked), values.
    pub fn parts(&self) -> (&'a [P], &'a [I], &'a [T]) {
        (self.indptr, self.indices, self.data)
    }

    /// Column indices (unchecked, see the type's docs) and values of row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> (&'a [I], &'a [T]) {
        let (a, b) = (self.indptr[i].to_index(), self.indptr[i + 1].to_index());
        (&self.indices[a..b], &self.data[a..b])
    }
}

impl<T: Real> CsrMatrix<T> {
    /// This matrix as a [`CsrView`].
    pub fn view(&self) -> CsrView<'_, T, u32, usize> {
        CsrView {
            n_rows: self.n_rows,
            n_cols: self.n_cols,
            indptr: &self.indptr,
            indices: &self.indices,
            data: &self.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_invariants() {
        assert!(CsrMatrix::<f64>::new(2, 3, vec![0, 1], vec![0], vec![1.0]).is_err());
        assert!(CsrMatrix::<f64>::new(1, 3, vec![0, 1], vec![3], vec![1.0]).is_err());
        assert!(CsrMatrix::<f64>::new(1, 3, vec![1, 1], vec![], vec![]).is_err());
        let m = CsrMatrix::<f64>::new(2, 3, vec![0, 1, 3], vec![2, 0, 1], vec![1.0, 2.0, 3.0])
            .unwrap();
        assert_eq!(m.to_dense(), vec![vec![0.0, 0.0, 1.0], vec![2.0, 3.0, 0.0]]);
    }

    #[test]
    fn sort_indices_sums_duplicates() {
        let mut m =
            CsrMatrix::<f32>::new(1, 4, vec![0, 3], vec![3, 1, 3], vec![1.0, 2.0, 4.0]).unwrap();
        assert!(!m.has_sorted_indices());
        m.sort_indices();
        assert_eq!(m.indices, vec![1, 3]);
        assert_eq!(m.data, vec![2.0, 5.0]);
    }

    #[test]
    fn dense_round_trip_and_select() {
        let rows = vec![vec![0.0, 1.5], vec![2.0, 0.0], vec![0.0, 0.0]];
        let m = CsrMatrix::from_dense(&rows, 2).unwrap();
        assert_eq!(m.nnz(), 2);
        assert_eq!(m.to_dense(), rows);
        let s = m.select_rows(&[1, 0]).unwrap();
        assert_eq!(s.to_dense(), vec![vec![2.0, 0.0], vec![0.0, 1.5]]);
        assert!(m.select_rows(&[3]).is_err());
    }

    #[test]
    fn non_finite_found() {
        let m = CsrMatrix::<f64>::new(2, 2, vec![0, 1, 2], vec![0, 1], vec![1.0, f64::NAN])
            .unwrap();
        assert_eq!(m.find_non_finite(), Some((1, 1)));
    }
}
