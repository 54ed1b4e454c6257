//! [`FeatureMajor`]: the weights of a fitted linear model as prediction reads them, shared by
//! the linear classifiers and the TopicClassifier.
//!
//! Layout: `n_features x n_outputs` float32, feature-major (`w[j * n_outputs + o]`): the
//! weights of one feature are contiguous, so scoring a sparse row is one contiguous read per
//! non-zero. Scores are accumulated in float64, starting from the intercept and adding the
//! row's entries in column order, so any two scorers of the same row agree bit for bit.
//!
//! The type serialises itself compactly: its dimensions, then the smallest of three forms
//! ([`StoredWeights`]: dense, sparse per output, or distinct rows plus an index), float32
//! values byte-plane shuffled ([`F32Planes`]) so that DEFLATE compresses them well.
//! Deserialising checks every size and index before it allocates.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use rayon::prelude::*;
use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::persist::{corrupted, de_error};
use crate::sparse::{CsrView, Real, SparseIndex};

/// Rows per parallel task of [`score_csr`].
const PREDICT_CHUNK: usize = 256;

/// Non-zeros ahead whose weight row the scoring kernel prefetches.
const SCORE_PREFETCH: usize = 12;

/// Features per parallel block of [`FeatureMajor::from_coef`].
const TRANSPOSE_BLOCK: usize = 4096;

/// Feature-major float32 weights of a linear model (see the module notes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeatureMajor {
    n_features: usize,
    n_outputs: usize,
    w: Vec<f32>,
}

impl FeatureMajor {
    /// The table `w` (`n_features x n_outputs`, feature-major); an error if its length does
    /// not match.
    pub fn new(n_features: usize, n_outputs: usize, w: Vec<f32>) -> Result<Self> {
        if n_features.checked_mul(n_outputs) != Some(w.len()) {
            return Err(Error::value(format!(
                "{} weights do not make a {n_features} x {n_outputs} table",
                w.len()
            )));
        }
        Ok(FeatureMajor { n_features, n_outputs, w })
    }

    /// The layout of `coef` (`n_outputs x n_features`, row-major), each value rounded to
    /// float32. Blocks of features are copied in parallel in the current pool (a plain copy:
    /// the same for any thread count).
    pub fn from_coef(coef: &[f64], n_outputs: usize, n_features: usize) -> Self {
        debug_assert_eq!(coef.len(), n_outputs * n_features);
        let k = n_outputs;
        let nf = n_features;
        let mut w: Vec<f32> = crate::hw::table(nf * k);
        w.par_chunks_mut(TRANSPOSE_BLOCK * k.max(1)).enumerate().for_each(|(c, wc)| {
            let j0 = c * TRANSPOSE_BLOCK;
            for (lj, row) in wc.chunks_mut(k.max(1)).enumerate() {
                for (o, v) in row.iter_mut().enumerate() {
                    *v = coef[o * nf + j0 + lj] as f32;
                }
            }
        });
        FeatureMajor { n_features, n_outputs, w }
    }

    /// The weights as `n_outputs x n_features` row-major float64 (exact); an
    /// [`Error::Memory`] if the table cannot be allocated.
    pub fn to_coef(&self) -> Result<Vec<f64>> {
        let (k, nf) = (self.n_outputs, self.n_features);
        let mut coef: Vec<f64> = crate::hw::try_table(nf * k, "the coefficients")?;
        for (j, row) in self.w.chunks_exact(k.max(1)).enumerate() {
            for (o, &v) in row.iter().enumerate() {
                coef[o * nf + j] = v as f64;
            }
        }
        Ok(coef)
    }

    pub fn n_features(&self) -> usize {
        self.n_features
    }
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }
    /// The whole table, feature-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.w
    }
    /// The weight of feature `j` for output `o`.
    #[inline]
    pub fn get(&self, j: usize, o: usize) -> f32 {
        self.w[j * self.n_outputs + o]
    }
    /// The `n_outputs` weights of feature `j`.
    pub fn row(&self, j: usize) -> &[f32] {
        &self.w[j * self.n_outputs..(j + 1) * self.n_outputs]
    }
    /// The weights of output `o`, feature by feature.
    pub fn output(&self, o: usize) -> impl Iterator<Item = f32> + '_ {
        self.w.iter().skip(o).step_by(self.n_outputs.max(1)).copied()
    }

    /// Adds the scores of the sparse row `(cols, vals)` to `z` (`n_outputs` values), in
    /// column order, skipping columns that are not features (negative or too large); returns
    /// whether every column was one.
    #[inline]
    pub fn score_row<I: SparseIndex, V: Real>(&self, cols: &[I], vals: &[V], z: &mut [f64]) -> bool {
        debug_assert_eq!(z.len(), self.n_outputs);
        score_row(cols, vals, &self.w, z)
    }

    /// Scores of every row of `x` (`n_rows x n_outputs`, row-major, from `intercept`), in
    /// parallel in the current pool, with the input checks fused in: see [`score_csr`].
    pub fn score_csr<T: Real, I: SparseIndex, P: SparseIndex>(
        &self,
        x: &CsrView<'_, T, I, P>,
        intercept: &[f64],
        strict: bool,
    ) -> (Vec<f64>, Option<Error>) {
        debug_assert_eq!(intercept.len(), self.n_outputs);
        score_csr(x, intercept, strict, |idx, val, z| self.score_row(idx, val, z))
    }

    /// [`FeatureMajor`] from its stored form, every size and index checked, and the table
    /// it expands to bounded by [`table_allowed`] before it is allocated (fallibly).
    fn from_stored(s: Stored) -> Result<Self> {
        let Stored { n_features: nf, n_outputs: k, weights } = s;
        let bad = |what: &str| Err(corrupted(&format!("the weight table: {what}")));
        if k == 0 {
            return bad("a model without outputs");
        }
        let Some(total) = nf.checked_mul(k) else {
            return bad(&format!("impossible dimensions {nf} x {k}"));
        };
        let stored = weights.min_stored_len();
        if !table_allowed(nf, k, stored) {
            return bad(&format!(
                "{nf} features x {k} outputs from only {stored} stored bytes (a row-coded or \
                 sparse table may expand at most {MAX_EXPANSION} times, or to {MIN_TABLE_ALLOWANCE} \
                 weights)"
            ));
        }
        let table = || crate::hw::reserve_table::<f32>(total, "the weight table");
        let w = match weights {
            StoredWeights::Dense(F32Planes(w)) => {
                if w.len() != total {
                    return bad(&format!("{} weights for {nf} features x {k} outputs", w.len()));
                }
                w
            }
            StoredWeights::Rows { rows: F32Planes(rows), index } => {
                if rows.len() % k != 0 || index.len() != nf {
                    return bad(&format!(
                        "{} row weights and {} row indices for {nf} features x {k} outputs",
                        rows.len(),
                        index.len()
                    ));
                }
                let n_rows = rows.len() / k;
                let mut w = table()?;
                for (j, &i) in index.iter().enumerate() {
                    let i = i as usize;
                    if i >= n_rows {
                        return bad(&format!("feature {j} uses row {i} of {n_rows}"));
                    }
                    w.extend_from_slice(&rows[i * k..i * k + k]);
                }
                w
            }
            StoredWeights::Sparse { outputs } => {
                if outputs.len() != k {
                    return bad(&format!("{} sparse outputs for {k} outputs", outputs.len()));
                }
                let mut w = table()?;
                w.resize(total, 0.0);
                for (o, (gaps, F32Planes(vals))) in outputs.iter().enumerate() {
                    if gaps.len() != vals.len() {
                        return bad(&format!("output {o} has {} indices but {} values", gaps.len(), vals.len()));
                    }
                    let mut j = 0usize;
                    for (i, (&g, &v)) in gaps.iter().zip(vals).enumerate() {
                        if i > 0 && g == 0 {
                            return bad(&format!("output {o} repeats feature {j}"));
                        }
                        j += g as usize; // j < nf <= usize::MAX / k, g < 2^32: no overflow
                        if j >= nf {
                            return bad(&format!("output {o} has a weight for feature {j} of {nf}"));
                        }
                        w[j * k + o] = v;
                    }
                }
                w
            }
        };
        Ok(FeatureMajor { n_features: nf, n_outputs: k, w })
    }
}

/// A row-coded or sparse weight table expands to at most this many weights per byte it
/// takes in the file (`StoredWeights::min_stored_len`)...
pub const MAX_EXPANSION: usize = 1024;
/// ... or to this many weights (256 MiB of float32), whichever is more. Without the bound, a
/// 178-byte file could declare 2^29 features and cost gigabytes; [`StoredWeights::of`] never
/// writes a table that breaks it (it falls back to the dense form).
pub const MIN_TABLE_ALLOWANCE: usize = 1 << 26;

/// Whether an `nf x k` table may be decoded from a stored form of `stored` bytes.
fn table_allowed(nf: usize, k: usize, stored: usize) -> bool {
    nf.checked_mul(k).is_some_and(|t| t <= stored.saturating_mul(MAX_EXPANSION).max(MIN_TABLE_ALLOWANCE))
}

// -- scoring -----------------------------------------------------------------------------

/// Scores of every row of `x` into an `n_rows x k` row-major table (`k = intercept.len()`),
/// each row starting from `intercept` and scored by `row` (which adds a row's terms and says
/// whether all its columns were features), in parallel chunks of rows in the current pool.
/// The input checks are fused into this one pass: returns the scores and the first problem
/// found (in row order, so the same for any thread count): a column index out of range (only
/// when `strict`; otherwise such entries are skipped) or a non-finite value.
pub(crate) fn score_csr<T: Real, I: SparseIndex, P: SparseIndex>(
    x: &CsrView<'_, T, I, P>,
    intercept: &[f64],
    strict: bool,
    row: impl Fn(&[I], &[T], &mut [f64]) -> bool + Sync,
) -> (Vec<f64>, Option<Error>) {
    let k = intercept.len();
    let mut out = vec![0.0f64; x.n_rows * k];
    if k == 0 || x.n_rows == 0 {
        return (out, None);
    }
    // Per chunk: the first bad (row, column index, is_range_error).
    let bad: Vec<Option<(usize, usize, bool)>> = out
        .par_chunks_mut(PREDICT_CHUNK * k)
        .enumerate()
        .map(|(c, oc)| {
            if crate::cancel::requested() {
                return None; // the caller reports Error::Interrupted
            }
            let r0 = c * PREDICT_CHUNK;
            let mut first_bad = None;
            for (li, zi) in oc.chunks_mut(k).enumerate() {
                zi.copy_from_slice(intercept);
                let (idx, val) = x.row(r0 + li);
                // Scored in one pass without checks on the values: a NaN or infinity always
                // makes some score non-finite, so only rows with a column out of range or a
                // non-finite score are looked at again (a non-finite score from finite
                // values, an overflow, is a result, not an error).
                let all_in = row(idx, val, zi);
                if first_bad.is_none() && !(all_in && zi.iter().all(|z| z.is_finite())) {
                    for (&j, &v) in idx.iter().zip(val) {
                        let j = j.to_index();
                        if j >= x.n_cols && strict {
                            first_bad = Some((r0 + li, j, true));
                            break;
                        } else if j < x.n_cols && !v.is_finite() {
                            first_bad = Some((r0 + li, j, false));
                            break;
                        }
                    }
                }
            }
            first_bad
        })
        .collect();
    let err = bad.into_iter().flatten().next().map(|(i, j, range)| {
        if range && j == usize::MAX {
            Error::value(format!("X has a negative column index (row {i})"))
        } else if range {
            Error::value(format!(
                "column index {j} out of range for a matrix with {} columns (row {i})",
                x.n_cols
            ))
        } else {
            Error::value(format!("Input X contains NaN or infinity (first at row {i}, column {j})."))
        }
    });
    (out, err)
}

/// Runs `body` with `j` and `v` (the value, as f64) bound for the entries of a row whose column
/// `j` is a feature of the feature-major table `t` of width `k` (below `t.len() / k`),
/// prefetching the weights of the column [`SCORE_PREFETCH`] entries ahead; evaluates to
/// whether no entry was skipped. A macro, not a function taking a closure: the fixed-width
/// kernel keeps its sums in registers only when the loop is written out in it.
macro_rules! each_in_table {
    ($cols:expr, $vals:expr, $t:expr, $k:expr, |$j:ident, $v:ident| $body:block) => {{
        let (cols, vals, t, k) = ($cols, $vals, $t, $k);
        let nf = t.len() / k;
        let mut all_in = true;
        for (n, (&j, &v)) in cols.iter().zip(vals).enumerate() {
            if let Some(&jn) = cols.get(n + SCORE_PREFETCH) {
                crate::hw::prefetch_range(t, jn.to_index().wrapping_mul(k), k);
            }
            let $j = j.to_index();
            if $j >= nf {
                all_in = false;
                continue;
            }
            let $v = v.as_f64();
            $body
        }
        all_in
    }};
}

crate::avx2_dispatch! {
    /// Adds `sum_n vals[n] * t[cols[n] * k + o]` to `z[o]` for the `k = z.len()` outputs
    /// (`t` feature-major, `t.len() / k` features), skipping entries whose column is not a
    /// feature of `t` (negative or too large); returns whether every column was one. Widths
    /// up to 32 run in a kernel with the width fixed at compile time, so the sums stay in
    /// registers.
    pub(crate) fn score_row, score_row_avx2, score_row_body<I: SparseIndex, V: Real>(
        cols: &[I],
        vals: &[V],
        t: &[f32],
        z: &mut [f64],
    ) -> bool
}

#[inline(always)]
pub(crate) fn score_row_body<I: SparseIndex, V: Real>(cols: &[I], vals: &[V], t: &[f32], z: &mut [f64]) -> bool {
    macro_rules! fixed {
        ($($k:literal)*) => {
            match z.len() {
                0 => true,
                $($k => score_row_k::<$k, I, V>(cols, vals, t, z.try_into().expect("width")),)*
                k => each_in_table!(cols, vals, t, k, |j, v| {
                    for (zo, &w) in z.iter_mut().zip(&t[j * k..j * k + k]) {
                        *zo += v * w as f64;
                    }
                }),
            }
        };
    }
    fixed!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32)
}

#[inline(always)]
fn score_row_k<const K: usize, I: SparseIndex, V: Real>(cols: &[I], vals: &[V], t: &[f32], z: &mut [f64; K]) -> bool {
    let mut acc = *z;
    let all_in = each_in_table!(cols, vals, t, K, |j, v| {
        // SAFETY: `each_in_table!` runs the body for j < t.len() / K only, so j * K + K <= t.len().
        let w: &[f32; K] = unsafe { &*(t.as_ptr().add(j * K) as *const [f32; K]) };
        for o in 0..K {
            acc[o] += v * w[o] as f64;
        }
    });
    *z = acc;
    all_in
}

// -- the compact serialised form -----------------------------------------------------------

/// The serialised form of a [`FeatureMajor`]: its dimensions, then its weights.
#[derive(Serialize, Deserialize)]
pub(crate) struct Stored {
    pub n_features: usize,
    pub n_outputs: usize,
    pub weights: StoredWeights,
}

impl Serialize for FeatureMajor {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        Stored {
            n_features: self.n_features,
            n_outputs: self.n_outputs,
            weights: StoredWeights::of(&self.w, self.n_features, self.n_outputs),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for FeatureMajor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        FeatureMajor::from_stored(Stored::deserialize(d)?).map_err(de_error)
    }
}

/// Weights as stored: dense, or sparse (per output, the non-zero weights with their feature
/// indices delta-coded: postcard writes integers as varints, so small gaps take one byte), or
/// as distinct rows, whichever is smallest. The float32 values are stored byte-plane shuffled
/// ([`F32Planes`]), which DEFLATE compresses better than whole floats.
#[derive(Serialize, Deserialize)]
pub(crate) enum StoredWeights {
    /// All `n_features x n_outputs` weights, feature-major.
    Dense(F32Planes),
    /// Per output, the non-zero weights (every weight whose bits are not all zero, so `-0.0`
    /// is kept) and their delta-coded feature indices.
    Sparse { outputs: Vec<(Vec<u32>, F32Planes)> },
    /// The distinct weight rows (`n_outputs` weights each, most frequent first) and, per
    /// feature, the index of its row. Linear models fitted on TF-IDF repeat rows exactly: the
    /// weights of a term are a sum over the documents it occurs in, so terms that occur in one
    /// document only, with the same count and document frequency, get bit-identical rows.
    Rows { rows: F32Planes, index: Vec<u32> },
}

/// Bytes of `v` as a varint.
fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

/// A weight row compared and hashed by its bits (so `-0.0 != 0.0` and a NaN equals itself).
struct RowBits<'a>(&'a [f32]);

impl PartialEq for RowBits<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(other.0).all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Eq for RowBits<'_> {}

impl std::hash::Hash for RowBits<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // One word per row (multiply-xorshift mixing of the bits), then the map's hasher.
        let mut acc = 0x9e37_79b9_7f4a_7c15u64;
        for x in self.0 {
            acc = (acc ^ x.to_bits() as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
            acc ^= acc >> 29;
        }
        h.write_u64(acc);
    }
}

impl StoredWeights {
    /// A lower bound of the bytes this form takes in the file (each varint takes one byte
    /// at least): what [`table_allowed`] measures the expansion against.
    fn min_stored_len(&self) -> usize {
        match self {
            StoredWeights::Dense(F32Planes(w)) => w.len() * 4,
            StoredWeights::Rows { rows: F32Planes(r), index } => r.len() * 4 + index.len(),
            StoredWeights::Sparse { outputs } => outputs.iter().map(|(g, F32Planes(v))| g.len() + v.len() * 4).sum(),
        }
    }

    /// The most compact form of `weights` (`nf x k`, feature-major), judged by the sizes
    /// before DEFLATE, among those that [`table_allowed`] lets a reader expand.
    fn of(weights: &[f32], nf: usize, k: usize) -> StoredWeights {
        let form = Self::smallest(weights, nf, k);
        if table_allowed(nf, k, form.min_stored_len()) {
            form
        } else {
            StoredWeights::Dense(F32Planes(weights.to_vec()))
        }
    }

    fn smallest(weights: &[f32], nf: usize, k: usize) -> StoredWeights {
        debug_assert_eq!(weights.len(), nf * k);
        if k == 0 || nf == 0 {
            return StoredWeights::Dense(F32Planes(weights.to_vec()));
        }
        let dense_size = weights.len() * 4;
        // Sparse: per non-zero, 4 bytes plus its gap's varint.
        let mut sparse_size = 0usize;
        let mut last = vec![0usize; k];
        for (j, row) in weights.chunks_exact(k).enumerate() {
            for (x, l) in row.iter().zip(last.iter_mut()) {
                if x.to_bits() != 0 {
                    sparse_size += 4 + varint_len((j - *l) as u64);
                    *l = j;
                }
            }
        }
        // Distinct rows (exact bits) numbered in order of first occurrence, then renumbered
        // most frequent first (ties: first seen).
        let mut ids: HashMap<RowBits<'_>, u32, FixedState> = HashMap::with_hasher(FixedState::default());
        let mut first_id: Vec<u32> = Vec::with_capacity(nf);
        let mut count: Vec<usize> = Vec::new();
        let mut first_row: Vec<usize> = Vec::new();
        for (j, row) in weights.chunks_exact(k).enumerate() {
            let next = count.len() as u32;
            let id = *ids.entry(RowBits(row)).or_insert(next);
            if id == next {
                count.push(0);
                first_row.push(j);
            }
            count[id as usize] += 1;
            first_id.push(id);
        }
        drop(ids);
        let mut order: Vec<u32> = (0..count.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| count[b as usize].cmp(&count[a as usize]).then(a.cmp(&b)));
        let rows_size = order.len() * k * 4
            + order.iter().enumerate().map(|(r, &id)| count[id as usize] * varint_len(r as u64)).sum::<usize>();
        if rows_size <= sparse_size && rows_size < dense_size {
            let mut rank = vec![0u32; order.len()];
            for (r, &id) in order.iter().enumerate() {
                rank[id as usize] = r as u32;
            }
            let index = first_id.iter().map(|&id| rank[id as usize]).collect();
            let mut rows = Vec::with_capacity(order.len() * k);
            for &id in &order {
                let j = first_row[id as usize];
                rows.extend_from_slice(&weights[j * k..j * k + k]);
            }
            return StoredWeights::Rows { rows: F32Planes(rows), index };
        }
        if sparse_size < dense_size {
            let mut outputs = vec![(Vec::new(), F32Planes(Vec::new())); k];
            for (o, (gaps, F32Planes(vals))) in outputs.iter_mut().enumerate() {
                let mut last = 0u32;
                for j in 0..nf {
                    let x = weights[j * k + o];
                    if x.to_bits() != 0 {
                        gaps.push(j as u32 - last);
                        vals.push(x);
                        last = j as u32;
                    }
                }
            }
            return StoredWeights::Sparse { outputs };
        }
        StoredWeights::Dense(F32Planes(weights.to_vec()))
    }
}

// -- float32 arrays: byte planes -----------------------------------------------------------

/// Byte-plane shuffle: for `n` values, `4n` bytes: byte 0 (least significant) of every value's
/// little-endian form, then byte 1 of every value, then byte 2, then byte 3 (sign and exponent).
pub fn planes_encode(values: &[f32]) -> Vec<u8> {
    let n = values.len();
    let mut out = vec![0u8; n * 4];
    let (p0, rest) = out.split_at_mut(n);
    let (p1, rest) = rest.split_at_mut(n);
    let (p2, p3) = rest.split_at_mut(n);
    for (i, v) in values.iter().enumerate() {
        let b = v.to_le_bytes();
        p0[i] = b[0];
        p1[i] = b[1];
        p2[i] = b[2];
        p3[i] = b[3];
    }
    out
}

/// Undo [`planes_encode`].
pub fn planes_decode(buf: &[u8]) -> std::result::Result<Vec<f32>, String> {
    if buf.len() % 4 != 0 {
        return Err(format!("float32 byte planes: {} bytes is not a multiple of 4", buf.len()));
    }
    let n = buf.len() / 4;
    let (p0, rest) = buf.split_at(n);
    let (p1, rest) = rest.split_at(n);
    let (p2, p3) = rest.split_at(n);
    Ok((0..n).map(|i| f32::from_le_bytes([p0[i], p1[i], p2[i], p3[i]])).collect())
}

/// A `Vec<f32>` that serialises as one byte string (postcard: a varint length, then the
/// bytes) in [`planes_encode`]'s layout.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct F32Planes(pub Vec<f32>);

impl Serialize for F32Planes {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(&planes_encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for F32Planes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = F32Planes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string of float32 byte planes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> std::result::Result<F32Planes, E> {
                planes_decode(v).map(F32Planes).map_err(E::custom)
            }
        }
        d.deserialize_bytes(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(w: &StoredWeights) -> &'static str {
        match w {
            StoredWeights::Dense(_) => "dense",
            StoredWeights::Sparse { .. } => "sparse",
            StoredWeights::Rows { .. } => "rows",
        }
    }

    /// Serialise and deserialise `w`; returns the form chosen.
    fn weights_round_trip(w: &[f32], nf: usize, k: usize) -> &'static str {
        let fm = FeatureMajor::new(nf, k, w.to_vec()).unwrap();
        let f = form(&StoredWeights::of(w, nf, k));
        let bytes = postcard::to_allocvec(&fm).unwrap();
        let back: FeatureMajor = postcard::from_bytes(&bytes).unwrap();
        assert_eq!((back.n_features(), back.n_outputs()), (nf, k));
        let bits = |w: &[f32]| w.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(back.as_slice()), bits(w));
        f
    }

    #[test]
    fn weight_forms_round_trip_exactly() {
        let (nf, k) = (100, 3);
        let dense: Vec<f32> = (0..nf * k).map(|i| (i as f32 * 0.37).sin()).collect();
        assert_eq!(weights_round_trip(&dense, nf, k), "dense");
        let mut sparse = vec![0f32; nf * k];
        sparse[7] = 1.5;
        sparse[250] = -0.25;
        assert_eq!(weights_round_trip(&sparse, nf, k), "sparse");
        let rows: Vec<f32> = (0..nf * k).map(|i| [0.5, -0.0, 0.0, f32::MIN_POSITIVE, 2.0][(i / k) % 5]).collect();
        assert_eq!(weights_round_trip(&rows, nf, k), "rows");
        assert_eq!(weights_round_trip(&[], 0, 2), "dense");
    }

    #[test]
    fn bad_stored_weights_are_errors() {
        let rows = |r: Vec<f32>, index: Vec<u32>| StoredWeights::Rows { rows: F32Planes(r), index };
        for (weights, n_features, n_outputs) in [
            (rows(vec![1.0, 2.0], vec![0, 1]), 2, 2),          // index out of range
            (rows(vec![1.0, 2.0, 3.0], vec![0, 0]), 2, 2),     // not whole rows
            (rows(vec![1.0, 2.0], vec![0]), 2, 2),             // one index missing
            (rows(vec![1.0, 2.0], vec![0, 0]), 2, 0),          // no outputs
            (StoredWeights::Dense(F32Planes(vec![1.0; 3])), 2, 2),
            (StoredWeights::Sparse { outputs: vec![(vec![0, 0], F32Planes(vec![1.0, 2.0]))] }, 2, 1),
            (StoredWeights::Sparse { outputs: vec![(vec![2], F32Planes(vec![1.0]))] }, 2, 1),
            (StoredWeights::Sparse { outputs: vec![(vec![0], F32Planes(vec![]))] }, 2, 1),
            (StoredWeights::Sparse { outputs: vec![] }, 2, 1),
            (rows(vec![1.0], vec![0; 4]), usize::MAX / 2, 3), // impossible dimensions
        ] {
            let bytes = postcard::to_allocvec(&Stored { n_features, n_outputs, weights }).unwrap();
            assert!(postcard::from_bytes::<FeatureMajor>(&bytes).is_err());
        }
    }

    #[test]
    fn expansion_is_bounded_and_the_writer_respects_it() {
        // issue 19: a few bytes declaring 2^29 features x 2 outputs (4 GiB of float32)
        let sparse = |nf: usize| Stored {
            n_features: nf,
            n_outputs: 2,
            weights: StoredWeights::Sparse { outputs: vec![(vec![3], F32Planes(vec![1.0])); 2] },
        };
        let e = FeatureMajor::from_stored(sparse(1 << 29)).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains("536870912 features x 2 outputs from only 10 stored bytes"), "{e}");
        // within the allowance it decodes
        let fm = FeatureMajor::from_stored(sparse(1000)).unwrap();
        assert_eq!((fm.get(3, 0), fm.get(3, 1), fm.get(4, 0)), (1.0, 1.0, 0.0));
        let rows = Stored { n_features: 1 << 20, n_outputs: 4096, weights: StoredWeights::Rows { rows: F32Planes(vec![0.5; 4096]), index: vec![0; 1 << 20] } };
        assert!(FeatureMajor::from_stored(rows).unwrap_err().to_string().contains("expand at most"));
        // the writer falls back to the dense form past the allowance
        let (nf, k) = (MIN_TABLE_ALLOWANCE / 2 + 1, 2);
        let mut w = vec![0f32; nf * k];
        w[5] = 1.0;
        assert!(matches!(StoredWeights::of(&w, nf, k), StoredWeights::Dense(_)));
        assert!(matches!(StoredWeights::of(&w[..2000], 1000, 2), StoredWeights::Sparse { .. }));
    }

    #[test]
    fn layouts_agree() {
        let (k, nf) = (3, 5);
        let coef: Vec<f64> = (0..k * nf).map(|i| i as f64 * 0.5 - 2.0).collect();
        let fm = FeatureMajor::from_coef(&coef, k, nf);
        assert_eq!(fm.to_coef().unwrap(), coef);
        assert_eq!(fm.get(4, 1), coef[nf + 4] as f32);
        assert_eq!(fm.row(2), &[coef[2] as f32, coef[nf + 2] as f32, coef[2 * nf + 2] as f32]);
        assert_eq!(fm.output(2).collect::<Vec<_>>(), coef[2 * nf..].iter().map(|&c| c as f32).collect::<Vec<_>>());
        assert!(FeatureMajor::new(2, 2, vec![0.0; 3]).is_err());
    }

    #[test]
    fn planes() {
        let v = [1.0f32, -2.5, f32::NAN, 0.0, -0.0, f32::INFINITY, 1e-40];
        let b = planes_encode(&v);
        assert_eq!(b.len(), 28);
        assert_eq!(&b[21..28], &[0x3f, 0xc0, 0x7f, 0, 0x80, 0x7f, 0]);
        let back = planes_decode(&b).unwrap();
        assert!(back.iter().zip(&v).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert!(planes_decode(&b[..27]).is_err());
        assert_eq!(planes_decode(&[]).unwrap(), Vec::<f32>::new());
        // a declared length far beyond the input is an error, not an allocation
        assert!(postcard::from_bytes::<F32Planes>(&[0xff, 0xff, 0xff, 0xff, 0x0f, 1]).is_err());
    }

    proptest::proptest! {
        #[test]
        fn stored_weights_round_trip(
            vals in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(0u32), proptest::strategy::Just(0x8000_0000u32),
                proptest::strategy::Just(0x3f80_0000u32), proptest::prelude::any::<u32>()], 0..120),
            k in 1usize..5,
        ) {
            let nf = vals.len() / k;
            let w: Vec<f32> = vals[..nf * k].iter().map(|&b| f32::from_bits(b)).collect();
            weights_round_trip(&w, nf, k);
        }

        #[test]
        fn planes_round_trip(bits in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..200)) {
            let v: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).collect();
            let back = planes_decode(&planes_encode(&v)).unwrap();
            proptest::prop_assert_eq!(back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), bits);
        }
    }
}
