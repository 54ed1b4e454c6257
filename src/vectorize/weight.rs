//! Weighting: `tf` (count, 1 if `binary`), `ln(tf) + 1` if `sublinear`, times the idf of the
//! column, then the row norm; and the matrices built from weighted rows.

use rayon::prelude::*;

use super::config::Norm;
use crate::error::{try_vec, try_zeroed, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::sparse::{CsrMatrix, Real};

/// Row weighting: `tf` (count, 1 if `binary`), `ln(tf) + 1` if `sublinear`, times `idf[col]`,
/// then the row norm.
#[derive(Clone, Copy, Debug)]
pub struct Weighting<'a> {
    pub binary: bool,
    pub sublinear: bool,
    pub idf: Option<&'a [f64]>,
    pub norm: Option<Norm>,
}

impl Weighting<'_> {
    /// Write the weights of one row (`cols` sorted) into `out`.
    #[inline]
    pub fn apply<T: Real>(&self, cols: &[u32], counts: &[f64], out: &mut [T]) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.apply_with(cols, counts, out, &mut buf),
            Err(_) => self.apply_with(cols, counts, out, &mut Vec::new()),
        })
    }

    /// [`Weighting::apply`] with integer counts and a caller's scratch buffer (same values).
    #[inline]
    pub fn apply_counts<T: Real>(&self, cols: &[u32], counts: &[u32], out: &mut [T], buf: &mut Vec<f64>) {
        self.apply_iter(cols, counts.iter().map(|&c| c as f64), out, buf)
    }

    fn apply_with<T: Real>(&self, cols: &[u32], counts: &[f64], out: &mut [T], buf: &mut Vec<f64>) {
        self.apply_iter(cols, counts.iter().copied(), out, buf)
    }

    #[inline]
    fn apply_iter<T: Real>(
        &self,
        cols: &[u32],
        counts: impl ExactSizeIterator<Item = f64>,
        out: &mut [T],
        buf: &mut Vec<f64>,
    ) {
        buf.clear();
        buf.resize(counts.len(), 0.0);
        let vals: &mut [f64] = buf.as_mut_slice();
        for (k, (c, v)) in counts.zip(vals.iter_mut()).enumerate() {
            let mut x = if self.binary && c != 0.0 { c.signum() } else { c };
            // ln(1) is exactly 0: most counts are 1, so skip the logarithm for them.
            if self.sublinear && x != 1.0 {
                x = x.ln() + 1.0;
            }
            if let Some(idf) = self.idf {
                x *= idf[cols[k] as usize];
            }
            *v = x;
        }
        let scale = match self.norm {
            None => 1.0,
            Some(Norm::L1) => vals.iter().map(|v| v.abs()).sum::<f64>(),
            Some(Norm::L2) => vals.iter().map(|v| v * v).sum::<f64>().sqrt(),
        };
        let scale = if scale == 0.0 { 1.0 } else { scale };
        for (o, v) in out.iter_mut().zip(vals.iter()) {
            *o = T::from_f64_lossy(*v / scale);
        }
    }
}

pub type MakeWeighting<'a> = &'a dyn Fn(&[u64], usize) -> (bool, bool, Option<Vec<f64>>, Option<Norm>);

/// Build the CSR matrix from per-chunk `(doc_ptr, entries, local feature -> column map)`
/// (entries whose feature maps to no column are dropped).
/// Each chunk's buffers are freed as soon as its rows are written (the output is allocated
/// zeroed, so its pages become resident only as they are filled).
pub fn fill_csr<T: Real>(
    parts: Vec<(Vec<usize>, Vec<(u32, u32)>, Vec<u32>)>,
    n_cols: usize,
    w: &Weighting,
) -> Result<CsrMatrix<T>> {
    // Row lengths after dropping unmapped entries.
    let row_nnz: Vec<Vec<usize>> = parts
        .par_iter()
        .map(|(ptr, ent, map)| {
            ptr.windows(2)
                .map(|r| ent[r[0]..r[1]].iter().filter(|e| map[e.0 as usize] != UNSET).count())
                .collect()
        })
        .collect();
    let n_rows: usize = row_nnz.iter().map(|v| v.len()).sum();
    let mut indptr = try_vec(n_rows + 1, "the matrix's row pointers")?;
    indptr.push(0usize);
    let mut acc = 0usize;
    for v in &row_nnz {
        for &k in v {
            acc += k;
            indptr.push(acc);
        }
    }
    let nnz = acc;
    let mut indices: Vec<u32> = try_zeroed(nnz, "the matrix's column indices")?;
    let mut data: Vec<T> = try_zeroed(nnz, "the matrix's values")?;
    {
        let mut slices = Vec::with_capacity(parts.len());
        let (mut ri, mut di): (&mut [u32], &mut [T]) = (&mut indices, &mut data);
        for v in &row_nnz {
            let k: usize = v.iter().sum();
            let (a, rest_i) = ri.split_at_mut(k);
            let (b, rest_d) = di.split_at_mut(k);
            slices.push((a, b));
            ri = rest_i;
            di = rest_d;
        }
        slices.into_par_iter().zip(parts.into_par_iter()).try_for_each(|((oi, od), (ptr, ent, map))| {
            crate::error::headroom("the weighted rows")?;
            // A row's entries as `column << 32 | count`: sorting these integers sorts by
            // column (a row has each column once), faster than sorting pairs by a key.
            let mut row: Vec<u64> = Vec::new();
            let mut cnts: Vec<u32> = Vec::new();
            let mut buf: Vec<f64> = Vec::new();
            let mut pos = 0usize;
            let pack = |col: u32, c: u32| ((col as u64) << 32) | c as u64;
            for r in ptr.windows(2) {
                row.clear();
                row.extend(ent[r[0]..r[1]].iter().filter_map(|&(f, c)| {
                    let col = map[f as usize];
                    (col != UNSET).then(|| pack(col, c))
                }));
                // The weighting below reads idf[col]: start loading it now.
                if let Some(idf) = w.idf {
                    for &e in &row {
                        if let Some(x) = idf.get((e >> 32) as usize) {
                            crate::hw::prefetch_ptr(x);
                        }
                    }
                }
                row.sort_unstable();
                let k = row.len();
                let cols = &mut oi[pos..pos + k];
                cnts.clear();
                for (o, &e) in cols.iter_mut().zip(&row) {
                    *o = (e >> 32) as u32;
                    cnts.push(e as u32);
                }
                w.apply_counts(cols, &cnts, &mut od[pos..pos + k], &mut buf);
                pos += k;
            }
            Ok::<(), crate::error::Error>(())
        })?;
    }
    CsrMatrix::new(n_rows, n_cols, indptr, indices, data)
}

/// Document frequency of every column of `m`.
pub fn column_df<T: Real>(m: &CsrMatrix<T>) -> Vec<u64> {
    let mut df = vec![0u64; m.n_cols];
    for &j in &m.indices {
        df[j as usize] += 1;
    }
    df
}

/// Weight the rows of a count matrix (the counts of a fixed vocabulary's fit).
pub fn reweight<T: Real>(m: CsrMatrix<f64>, w: &Weighting) -> CsrMatrix<T> {
    let CsrMatrix { n_rows, n_cols, indptr, indices, data } = m;
    let mut out = vec![T::zero(); data.len()];
    let mut slices: Vec<&mut [T]> = Vec::with_capacity(n_rows);
    let mut rest: &mut [T] = &mut out;
    for r in indptr.windows(2) {
        let (a, b) = rest.split_at_mut(r[1] - r[0]);
        slices.push(a);
        rest = b;
    }
    slices.into_par_iter().enumerate().for_each(|(i, o)| {
        let (a, b) = (indptr[i], indptr[i + 1]);
        w.apply(&indices[a..b], &data[a..b], o);
    });
    drop(data);
    CsrMatrix { n_rows, n_cols, indptr, indices, data: out }
}

/// The idf of each column: `ln((1 + n) / (1 + df)) + 1`, or `ln(n / df) + 1` without
/// `smooth` (scikit-learn's `TfidfTransformer`).
pub fn idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = if smooth { 1.0 } else { 0.0 };
    let n = n_docs as f64 + s;
    df.iter().map(|&d| (n / (d as f64 + s)).ln() + 1.0).collect()
}
