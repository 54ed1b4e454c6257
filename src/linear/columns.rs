//! The solvers' copy of X: columns renumbered for the weight table's memory accesses, and
//! duplicate columns merged into one.
//!
//! Merging. When `m` columns of X are equal (the same values in the same rows), they can be
//! replaced by one column `u = sqrt(m) x_a`: every row's squared norm and every inner product
//! of two rows stays what it was. The L2-regularised problems the solvers minimise depend on
//! X only through the products `X w` and the norm `||w||`, and their solutions are
//! combinations of rows (`w = sum_i beta_i x_i`), so with `w_j = w_u / sqrt(m)` for each of
//! the `m` columns the merged problem has exactly the optimum of the original one: the same
//! scores and the same objective value. The solution is mapped back column by column
//! ([`SolverX::scale`]).
//!
//! Bigram TF-IDF of real text has many such columns: features that occur only in the same
//! few documents (a phrase quoted in a reply, a signature) with equal counts. All of them are
//! rare features, whose weights are the ones read from memory rather than cache.
//!
//! Columns are grouped by their count of entries, first row and a hash of their (row, value)
//! pairs, then every candidate is checked entry by entry against its group's first column,
//! row by row, so a hash collision can only cost a missed merge, never a wrong one.

use rayon::prelude::*;

use crate::error::{try_filled, try_vec, Result};
use crate::sparse::{CsrMatrix, CsrView, Real, SparseIndex};

/// Columns with at most this many stored entries are laid out by the first row that has
/// them (see [`solver_copy`]).
const RARE_COLUMN: u32 = 4;

/// Not a column / no row.
use crate::ids::NO_COLUMN as NONE;

/// The solvers' copy of X and the map back to the input's columns.
pub(crate) struct SolverX<T> {
    pub x: CsrMatrix<T>,
    /// `new_of[j]`: the column of `x` that holds column j of the input.
    pub new_of: Vec<u32>,
    /// Column j of the input is `scale[j]` times column `new_of[j]` of `x`, so its weight is
    /// `scale[j]` times that column's weight. Empty when no columns were merged (every
    /// factor 1).
    scale: Vec<f64>,
}

impl<T> SolverX<T> {
    /// The factor from the weight of column `new_of[j]` of the copy to the weight of input
    /// column j.
    #[inline]
    pub fn scale(&self, j: usize) -> f64 {
        self.scale.get(j).copied().unwrap_or(1.0)
    }

    /// The number of the input's columns.
    pub fn n_input_cols(&self) -> usize {
        self.new_of.len()
    }

    /// Frees the matrix (keeping its shape and the map back to the input's columns) unless
    /// `keep`: the solvers are done with it and the coefficients are written from the map.
    pub fn release_x(&mut self, keep: bool) -> &Self {
        if !keep {
            let (n_rows, n_cols) = (self.x.n_rows, self.x.n_cols);
            self.x = CsrMatrix { n_rows, n_cols, indptr: Vec::new(), indices: Vec::new(), data: Vec::new() };
        }
        self
    }
}

/// One column's summary: the wrapping sum of its entries' hashes, its count of entries and
/// the first row that has one.
#[derive(Clone, Copy)]
struct ColumnSummary {
    hash: u64,
    count: u32,
    first: u32,
}

const EMPTY: ColumnSummary = ColumnSummary { hash: 0, count: 0, first: NONE };

/// The hash of one entry (row `i`, value `v`). A column's hash is the wrapping sum over its
/// entries, so partial sums over ranges of rows combine in any order.
#[inline]
fn entry_hash(i: usize, v: f64) -> u64 {
    (v.to_bits() ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xD6E8_FEB8_6659_FD93)
}

/// How many entries ahead [`summaries`] requests a column's summary.
const SUMMARY_AHEAD: usize = 16;

/// Per column: count, first row and (when `hash` is set) the hash of its entries. One pass
/// per contiguous range of rows, in parallel; the ranges' tables are merged with sums and
/// minima (the same for any number of ranges). Beyond one range, the ranges' tables
/// together take at most the bytes of a 32-bit index array of X, so a wide, sparse X does
/// not cost many column-sized tables.
fn summaries<T: Real, I: SparseIndex, P: SparseIndex>(x: &CsrView<'_, T, I, P>, hash: bool) -> Result<Vec<ColumnSummary>> {
    let (indptr, indices, data) = x.parts();
    let n_cols = x.n_cols;
    let n_ranges = rayon::current_num_threads()
        .min(indices.len() / (4 * n_cols).max(1))
        .clamp(1, x.n_rows.max(1));
    (0..n_ranges)
        .into_par_iter()
        .map(|r| {
            let mut s = try_filled(n_cols, EMPTY, "the column summaries")?;
            let (lo, hi) = (r * x.n_rows / n_ranges, (r + 1) * x.n_rows / n_ranges);
            let end = indptr[hi].to_index();
            for i in lo..hi {
                let (a, b) = (indptr[i].to_index(), indptr[i + 1].to_index());
                for (q, (&j, &v)) in (a..b).zip(indices[a..b].iter().zip(&data[a..b])) {
                    // The summaries are read and written at random: ask for one a few
                    // entries ahead.
                    if q + SUMMARY_AHEAD < end {
                        if let Some(c) = s.get(indices[q + SUMMARY_AHEAD].to_index()) {
                            crate::hw::prefetch_ptr(c);
                        }
                    }
                    let c = &mut s[j.to_index()];
                    c.count += 1;
                    if c.first == NONE {
                        c.first = i as u32;
                    }
                    if hash {
                        c.hash = c.hash.wrapping_add(entry_hash(i, v.as_f64()));
                    }
                }
            }
            Ok(s)
        })
        .try_reduce_with(|mut a, b| {
            for (c, d) in a.iter_mut().zip(&b) {
                c.count += d.count;
                c.first = c.first.min(d.first);
                c.hash = c.hash.wrapping_add(d.hash);
            }
            Ok(a)
        })
        .unwrap_or_else(|| try_filled(n_cols, EMPTY, "the column summaries"))
}

/// The solvers' copy of `x`, with equal columns merged (see the module notes) when `merge`
/// is set. The copy's columns are numbered for the weight table's memory accesses: first
/// the columns with more than [`RARE_COLUMN`] stored entries, by decreasing count, so that
/// the weights of frequent features sit together; then the rare ones, by the first row that
/// has them. A rare feature's weights are read about once per pass each time, almost
/// always from memory; laid out this way, the rare features of one row are neighbours in
/// the weight table (on bigram TF-IDF most columns are rare, so this saves loads from
/// memory over the count order alone). Ties are broken as [`column_order`] says,
/// which puts candidates for merging side by side. Each row keeps the order of its entries,
/// less the merged-away ones.
pub(crate) fn solver_copy<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    merge: bool,
) -> Result<SolverX<T>> {
    let (indptr, indices, data) = x.parts();
    let n_rows = x.n_rows;
    let plan = plan(x, merge)?;
    let Some(m) = plan.merged else {
        // A relabelling only.
        let new_of = plan.new_of;
        // The two big arrays on huge pages where the system allows (faster to fill, to read
        // and to free); an allocation failure is an error, not an abort.
        let mut new_indices: Vec<u32> = crate::hw::reserve_table(indices.len(), "a copy of X's column indices")?;
        new_indices.par_extend(indices.par_iter().map(|&j| new_of[j.to_index()]));
        let mut new_data: Vec<T> = crate::hw::reserve_table(data.len(), "a copy of X's values")?;
        new_data.par_extend(data.par_iter().copied());
        let xp = CsrMatrix {
            n_rows,
            n_cols: x.n_cols,
            indptr: indptr.iter().map(|p| p.to_index()).collect(),
            indices: new_indices,
            data: new_data,
        };
        return Ok(SolverX { x: xp, new_of, scale: Vec::new() });
    };
    let nnz = m.indptr[n_rows];
    let mut new_indices: Vec<u32> = crate::hw::reserve_table(nnz, "a copy of X's column indices")?;
    let mut new_data: Vec<T> = crate::hw::reserve_table(nnz, "a copy of X's values")?;
    // Rows in contiguous blocks, each block writing its own part of the arrays.
    let n_blocks = (rayon::current_num_threads() * 4).clamp(1, n_rows.max(1));
    let mut blocks = Vec::with_capacity(n_blocks);
    let (mut rest_i, mut rest_d) = (&mut new_indices.spare_capacity_mut()[..nnz], &mut new_data.spare_capacity_mut()[..nnz]);
    for b in 0..n_blocks {
        let (lo, hi) = (b * n_rows / n_blocks, (b + 1) * n_rows / n_blocks);
        let len = m.indptr[hi] - m.indptr[lo];
        let (bi, ti) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (bd, td) = std::mem::take(&mut rest_d).split_at_mut(len);
        blocks.push((lo, hi, bi, bd));
        rest_i = ti;
        rest_d = td;
    }
    let written: usize = blocks
        .into_par_iter()
        .map(|(lo, hi, bi, bd)| {
            let (a, b) = (indptr[lo].to_index(), indptr[hi].to_index());
            let mut at = 0;
            for (&j, &v) in indices[a..b].iter().zip(&data[a..b]) {
                if let Some((c, v)) = m.entry(j.to_index(), v) {
                    bi[at].write(c);
                    bd[at].write(v);
                    at += 1;
                }
            }
            assert_eq!(at, bi.len(), "solver_copy: a block of rows filled its part exactly");
            at
        })
        .sum();
    assert_eq!(written, nnz);
    // SAFETY: the blocks partition the first `nnz` spare slots of both vectors and each
    // block wrote every slot of its part (checked above).
    unsafe {
        new_indices.set_len(nnz);
        new_data.set_len(nnz);
    }
    let xp = CsrMatrix { n_rows, n_cols: m.n_new, indptr: m.indptr, indices: new_indices, data: new_data };
    Ok(SolverX { x: xp, new_of: plan.new_of, scale: m.scale })
}

/// [`solver_copy`] made in the buffers of `x` itself, for a caller that hands X over (a
/// streaming fit): the same matrix, the same numbering and merges, and no second copy of
/// X in memory at any time.
pub(crate) fn solver_layout<T: Real>(mut x: CsrMatrix<T>, merge: bool) -> Result<SolverX<T>> {
    let plan = plan(&x.view(), merge)?;
    let Some(m) = plan.merged else {
        let new_of = &plan.new_of;
        x.indices.par_iter_mut().for_each(|j| *j = new_of[*j as usize]);
        return Ok(SolverX { x, new_of: plan.new_of, scale: Vec::new() });
    };
    let n_rows = x.n_rows;
    // Each block of rows compacts its own part of the arrays towards the part's start (an
    // entry only ever moves left), in parallel; then the parts are moved together, in order.
    let n_blocks = (rayon::current_num_threads() * 4).clamp(1, n_rows.max(1));
    let bounds: Vec<(usize, usize)> = (0..n_blocks).map(|b| (b * n_rows / n_blocks, (b + 1) * n_rows / n_blocks)).collect();
    let mut parts = Vec::with_capacity(n_blocks);
    let (mut rest_i, mut rest_d) = (&mut x.indices[..], &mut x.data[..]);
    for &(lo, hi) in &bounds {
        let len = x.indptr[hi] - x.indptr[lo];
        let (bi, ti) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (bd, td) = std::mem::take(&mut rest_d).split_at_mut(len);
        parts.push((bi, bd));
        rest_i = ti;
        rest_d = td;
    }
    let lens: Vec<usize> = parts
        .into_par_iter()
        .map(|(bi, bd)| {
            let mut at = 0;
            for q in 0..bi.len() {
                if let Some((c, v)) = m.entry(bi[q] as usize, bd[q]) {
                    bi[at] = c;
                    bd[at] = v;
                    at += 1;
                }
            }
            at
        })
        .collect();
    for (&(lo, hi), &len) in bounds.iter().zip(&lens) {
        assert_eq!(len, m.indptr[hi] - m.indptr[lo], "solver_layout: a block of rows kept its entries");
        let (from, to) = (x.indptr[lo], m.indptr[lo]);
        x.indices.copy_within(from..from + len, to);
        x.data.copy_within(from..from + len, to);
    }
    let nnz = m.indptr[n_rows];
    // The merged-away entries' room goes back (a large buffer shrinks in place).
    x.indices.truncate(nnz);
    x.indices.shrink_to_fit();
    x.data.truncate(nnz);
    x.data.shrink_to_fit();
    x.indptr = m.indptr;
    x.n_cols = m.n_new;
    Ok(SolverX { x, new_of: plan.new_of, scale: m.scale })
}

/// The numbering of the solvers' copy ([`solver_copy`]), and how to write its entries when
/// columns are merged.
struct Plan {
    new_of: Vec<u32>,
    merged: Option<Merged>,
}

/// The copy with merged columns: per input column its number in the copy (`code`, with
/// [`MERGED`] set for the representative of a group of two or more, NONE for a column
/// merged into another) and its group's size; the copy's row pointers and width; the
/// factors of [`SolverX::scale`].
struct Merged {
    code: Vec<u32>,
    size: Vec<u32>,
    indptr: Vec<usize>,
    n_new: usize,
    scale: Vec<f64>,
}

/// The merged copy's column numbers keep their top bit for a flag ([`Merged`]).
const MERGED: u32 = 1 << 31;

impl Merged {
    /// The copy's entry for the input entry (column `j`, value `v`), None when `j` is
    /// merged into another column.
    #[inline]
    fn entry<T: Real>(&self, j: usize, v: T) -> Option<(u32, T)> {
        let c = self.code[j];
        if c == NONE {
            return None;
        }
        // A merged column: sqrt(m) times its representative.
        let v = if c & MERGED != 0 { T::from_f64_lossy(v.as_f64() * (self.size[j] as f64).sqrt()) } else { v };
        Some((c & !MERGED, v))
    }
}

/// The column order and merges of the solvers' copy of `x` ([`solver_copy`]).
fn plan<T: Real, I: SparseIndex, P: SparseIndex>(x: &CsrView<'_, T, I, P>, merge: bool) -> Result<Plan> {
    let (n_rows, n_cols) = (x.n_rows, x.n_cols);
    let merge = merge && n_cols < MERGED as usize;
    let sum = summaries(x, merge)?;
    let (order, mut rep_of) = column_order(&sum, n_rows, merge)?;
    drop(sum);
    let mut kept: Vec<u32> = Vec::new();
    if rep_of.iter().any(|&r| r != NONE) {
        let failed = check_groups(x, &rep_of, &mut kept)?;
        if !failed.is_empty() {
            for j in failed {
                rep_of[j as usize] = NONE;
            }
            kept.clear();
            if rep_of.iter().any(|&r| r != NONE) {
                let again = check_groups(x, &rep_of, &mut kept)?;
                debug_assert!(again.is_empty());
            }
        }
    }
    if kept.is_empty() {
        let mut new_of = try_filled(n_cols, 0u32, "the column numbering")?;
        for (r, &j) in order.iter().enumerate() {
            new_of[j as usize] = r as u32;
        }
        return Ok(Plan { new_of, merged: None });
    }
    // Group sizes (on the representatives); the copy's numbering: representatives and
    // unmerged columns in the order's sequence.
    let mut size = try_filled(n_cols, 1u32, "the column groups")?;
    for &r in &rep_of {
        if r != NONE {
            size[r as usize] += 1;
        }
    }
    let mut code = try_filled(n_cols, NONE, "the column numbering")?;
    let mut n_new = 0u32;
    for &j in &order {
        let j = j as usize;
        if rep_of[j] == NONE {
            code[j] = n_new | if size[j] > 1 { MERGED } else { 0 };
            n_new += 1;
        }
    }
    drop(order);
    let (new_of, scale): (Vec<u32>, Vec<f64>) = (0..n_cols)
        .into_par_iter()
        .map(|j| {
            let r = if rep_of[j] == NONE { j } else { rep_of[j] as usize };
            let s = if size[r] > 1 { 1.0 / (size[r] as f64).sqrt() } else { 1.0 };
            (code[r] & !MERGED, s)
        })
        .unzip();
    let mut indptr = try_vec(n_rows + 1, "the copy's row pointers")?;
    let mut at = 0usize;
    indptr.push(0);
    for &c in &kept {
        at += c as usize;
        indptr.push(at);
    }
    Ok(Plan { new_of, merged: Some(Merged { code, size, indptr, n_new: n_new as usize, scale }) })
}

/// The copy's column order: first the columns with more than [`RARE_COLUMN`] entries by
/// (decreasing count, first row, hash, index), sorted; then the rest by first row (empty
/// columns last), bucketed. With `merge`, each bucket is sorted by (count, hash, index), and
/// the second vector marks the candidate groups, runs of columns with equal (count, first
/// row, hash): `rep_of[j]` is the first column of j's run (its lowest index) for the other
/// members, NONE for the rest. Without `merge` the buckets keep index order and the second
/// vector is empty.
fn column_order(sum: &[ColumnSummary], n_rows: usize, merge: bool) -> Result<(Vec<u32>, Vec<u32>)> {
    let mut frequent: Vec<(u64, u64, u32)> = sum
        .par_iter()
        .enumerate()
        .filter(|(_, s)| s.count > RARE_COLUMN)
        .map(|(j, s)| (((!s.count as u64) << 32) | s.first as u64, s.hash, j as u32))
        .collect();
    frequent.par_sort_unstable();
    // Rare columns bucketed by first row (empty columns, with no first row, last), in index
    // order; with `merge`, each bucket is then sorted by (count, hash, index).
    let bucket = |s: &ColumnSummary| (s.first as usize).min(n_rows);
    let mut start = vec![0usize; n_rows + 2];
    for s in sum {
        if s.count <= RARE_COLUMN {
            start[bucket(s) + 1] += 1;
        }
    }
    for b in 0..=n_rows {
        start[b + 1] += start[b];
    }
    let mut rare: Vec<(u64, u64, u32)> = try_filled(start[n_rows + 1], (0, 0, 0), "the column order")?;
    let mut fill = start.clone();
    for (j, s) in sum.iter().enumerate() {
        if s.count <= RARE_COLUMN {
            let b = bucket(s);
            rare[fill[b]] = (((b as u64) << 32) | s.count as u64, if merge { s.hash } else { 0 }, j as u32);
            fill[b] += 1;
        }
    }
    drop(fill);
    let mut rep_of: Vec<u32> = Vec::new();
    if merge {
        // Each bucket (the first row is the key's high half) sorted, in parallel.
        rare.par_chunk_by_mut(|a, b| a.0 >> 32 == b.0 >> 32).for_each(|bucket| bucket.sort_unstable());
        rep_of = try_filled(sum.len(), NONE, "the column groups")?;
        // Runs of equal (count, first row, hash): candidates for merging into the run's
        // first column (its lowest index). Empty columns (the last bucket) stay apart.
        for items in [&frequent[..], &rare[..start[n_rows]]] {
            let mut a = 0;
            while a < items.len() {
                let mut b = a + 1;
                while b < items.len() && (items[b].0, items[b].1) == (items[a].0, items[a].1) {
                    b += 1;
                }
                for it in &items[a + 1..b] {
                    rep_of[it.2 as usize] = items[a].2;
                }
                a = b;
            }
        }
    }
    let mut order: Vec<u32> = try_vec(frequent.len() + rare.len(), "the column order")?;
    order.extend(frequent.iter().map(|f| f.2));
    order.extend(rare.iter().map(|r| r.2));
    Ok((order, rep_of))
}

/// Checks each candidate group ([`solver_copy`]'s `rep_of`) row by row: in every row, a
/// candidate's entries must be those of its representative (the same values, as many
/// times); with equal counts, that makes the two columns equal. Returns the candidates
/// that failed, and fills `kept` with each row's count of entries once the candidates are
/// merged away (meaningful only when none failed).
pub(crate) fn check_groups<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    rep_of: &[u32],
    kept: &mut Vec<u32>,
) -> Result<Vec<u32>> {
    let (indptr, indices, data) = x.parts();
    let mut is_rep = try_filled(x.n_cols, false, "the column groups")?;
    for &r in rep_of {
        if r != NONE {
            is_rep[r as usize] = true;
        }
    }
    let failed = std::sync::Mutex::new(Vec::new());
    type Scratch = (Vec<(u32, u64)>, Vec<(u32, u32, u64)>);
    *kept = (0..x.n_rows)
        .into_par_iter()
        .map_init(
            || -> Scratch { (Vec::new(), Vec::new()) },
            |(reps, members), i| {
                let (a, b) = (indptr[i].to_index(), indptr[i + 1].to_index());
                reps.clear();
                members.clear();
                for (&j, &v) in indices[a..b].iter().zip(&data[a..b]) {
                    let j = j.to_index();
                    if is_rep[j] {
                        reps.push((j as u32, v.as_f64().to_bits()));
                    } else if rep_of[j] != NONE {
                        members.push((rep_of[j], j as u32, v.as_f64().to_bits()));
                    }
                }
                let kept = (b - a - members.len()) as u32;
                if members.is_empty() {
                    return kept;
                }
                reps.sort_unstable();
                members.sort_unstable();
                let mut m = 0;
                while m < members.len() {
                    let (r, j, _) = members[m];
                    let mut e = m + 1;
                    while e < members.len() && (members[e].0, members[e].1) == (r, j) {
                        e += 1;
                    }
                    let lo = reps.partition_point(|&(c, _)| c < r);
                    let hi = reps.partition_point(|&(c, _)| c <= r);
                    let same =
                        hi - lo == e - m && reps[lo..hi].iter().zip(&members[m..e]).all(|(p, q)| p.1 == q.2);
                    if !same {
                        failed.lock().unwrap_or_else(|e| e.into_inner()).push(j);
                    }
                    m = e;
                }
                kept
            },
        )
        .collect();
    let mut failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
    failed.sort_unstable();
    failed.dedup();
    Ok(failed)
}

/// X column by column (compressed sparse columns), for the primal coordinate-descent solvers
/// (L1 and elastic-net penalties, [`super::primal`]), which visit one feature at a time:
/// column `j` holds its rows (increasing) and values at `ptr[j]..ptr[j + 1]`. Made from the
/// solvers' copy ([`solver_copy`]) in one counting pass; with a bias, one more column, last,
/// holds the bias value in every row (the intercept's feature, as LIBLINEAR's).
pub(crate) struct ColumnMajor<T> {
    pub n_rows: usize,
    /// Columns, the bias column included.
    pub n_cols: usize,
    ptr: Vec<usize>,
    rows: Vec<u32>,
    vals: Vec<T>,
}

impl<T: Real> ColumnMajor<T> {
    /// The columns of `x`, plus a bias column of value `bias` when `bias > 0`. Allocation
    /// failures are `Error::Memory`.
    pub(crate) fn of(x: &CsrMatrix<T>, bias: f64) -> Result<Self> {
        let (n_rows, nx) = (x.n_rows, x.n_cols);
        let extra = if bias > 0.0 { n_rows } else { 0 };
        let n_cols = nx + usize::from(bias > 0.0);
        let mut ptr = try_filled(n_cols + 1, 0usize, "the column pointers")?;
        for &j in &x.indices {
            ptr[j as usize + 1] += 1;
        }
        if bias > 0.0 {
            ptr[n_cols] = n_rows;
        }
        for j in 0..n_cols {
            ptr[j + 1] += ptr[j];
        }
        let nnz = ptr[n_cols];
        let mut rows = try_filled(nnz, 0u32, "a column-major copy of X's row indices")?;
        let mut vals = try_filled(nnz, T::zero(), "a column-major copy of X's values")?;
        let mut fill = ptr[..nx].to_vec();
        for i in 0..n_rows {
            let (idx, val) = x.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                let at = &mut fill[j as usize];
                rows[*at] = i as u32;
                vals[*at] = v;
                *at += 1;
            }
        }
        if extra > 0 {
            let at = ptr[nx];
            for i in 0..n_rows {
                rows[at + i] = i as u32;
                vals[at + i] = T::from_f64_lossy(bias);
            }
        }
        Ok(ColumnMajor { n_rows, n_cols, ptr, rows, vals })
    }

    /// Column `j`: its rows and values.
    #[inline(always)]
    pub(crate) fn col(&self, j: usize) -> (&[u32], &[T]) {
        let (a, b) = (self.ptr[j], self.ptr[j + 1]);
        (&self.rows[a..b], &self.vals[a..b])
    }

    /// Hints for a column read soon (a visiting order is random, so each column's start is a
    /// cache miss): `far` fetches column `j`'s pointers, `near` (a few steps later, when the
    /// pointers have arrived) its first rows and values. No effect on results.
    #[inline(always)]
    pub(crate) fn prefetch_col(&self, j: usize, near: bool) {
        if near {
            if let Some(&a) = self.ptr.get(j) {
                crate::hw::prefetch_ptr(self.rows.as_ptr().wrapping_add(a));
                crate::hw::prefetch_ptr(self.vals.as_ptr().wrapping_add(a));
            }
        } else {
            crate::hw::prefetch_ptr(self.ptr.as_ptr().wrapping_add(j));
        }
    }
}
