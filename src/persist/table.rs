//! A feature-major `f32` table (`n_features x n_outputs`, the weights of a linear model) in
//! the most compact of three lossless forms, [`StoredWeights`]: dense, sparse per output, or
//! distinct rows plus one row index per feature. [`store_weights`] picks the form,
//! [`load_weights`] checks every size and index on the way back.

use std::collections::HashMap;

use foldhash::fast::FixedState;
use serde::{Deserialize, Serialize};

use super::codec::F32Planes;
use crate::error::{Error, Result};

/// Weights as stored in the file: dense, or sparse (per output, the non-zero weights with
/// their feature indices delta-coded: postcard writes integers as varints, so small gaps take
/// one byte) when that is smaller. The float32 values are stored byte-plane shuffled
/// ([`F32Planes`]), which DEFLATE compresses better than whole floats.
#[derive(Serialize, Deserialize)]
pub enum StoredWeights {
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

/// The most compact of the [`StoredWeights`] forms for `weights` (`nf x k`, feature-major),
/// judged by their size before DEFLATE.
pub fn store_weights(weights: Vec<f32>, nf: usize, k: usize) -> StoredWeights {
    debug_assert_eq!(weights.len(), nf * k);
    if k == 0 || nf == 0 {
        return StoredWeights::Dense(F32Planes(weights));
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
    // Distinct rows (exact bits) numbered in order of first occurrence, then renumbered most
    // frequent first (ties: first seen).
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
    StoredWeights::Dense(F32Planes(weights))
}

/// The `nf x k` feature-major weight table of stored weights, every size and index checked.
pub fn load_weights(stored: StoredWeights, nf: usize, k: usize) -> Result<Vec<f32>> {
    let bad = |what: &str| Error::format(format!("corrupted topictag file: {what}"));
    if k == 0 {
        return Err(bad("a model without outputs"));
    }
    let total = nf.checked_mul(k).ok_or_else(|| bad("impossible model dimensions"))?;
    // The weight table the file declares (row-coded and sparse weights expand to it): an
    // allocation failure is an error, not an abort.
    let table = || -> Result<Vec<f32>> {
        crate::hw::reserve_table(total).ok_or_else(|| {
            bad(&format!("{nf} features x {k} outputs: too large a weight table for memory"))
        })
    };
    let weights = match stored {
        StoredWeights::Dense(F32Planes(w)) => {
            if w.len() != total {
                return Err(bad("wrong number of weights"));
            }
            w
        }
        StoredWeights::Rows { rows: F32Planes(rows), index } => {
            if rows.len() % k != 0 || index.len() != nf {
                return Err(bad("wrong number of weights"));
            }
            let n_rows = rows.len() / k;
            let mut w = table()?;
            for &i in &index {
                let i = i as usize;
                if i >= n_rows {
                    return Err(bad("weight row index out of range"));
                }
                w.extend_from_slice(&rows[i * k..i * k + k]);
            }
            w
        }
        StoredWeights::Sparse { outputs } => {
            if outputs.len() != k {
                return Err(bad("wrong number of weight rows"));
            }
            let mut w = table()?;
            w.resize(total, 0.0);
            for (o, (gaps, F32Planes(vals))) in outputs.iter().enumerate() {
                if gaps.len() != vals.len() {
                    return Err(bad("weight indices and values differ in length"));
                }
                let mut j = 0usize;
                for (i, (&g, &v)) in gaps.iter().zip(vals).enumerate() {
                    if i > 0 && g == 0 {
                        return Err(bad("repeated weight index"));
                    }
                    j = j.checked_add(g as usize).ok_or_else(|| bad("weight index overflow"))?;
                    if j >= nf {
                        return Err(bad("weight index out of range"));
                    }
                    w[j * k + o] = v;
                }
            }
            w
        }
    };
    Ok(weights)
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

    /// Store, serialise, deserialise and load `w`; returns the form chosen.
    fn weights_round_trip(w: &[f32], nf: usize, k: usize) -> &'static str {
        let stored = store_weights(w.to_vec(), nf, k);
        let f = form(&stored);
        let bytes = postcard::to_allocvec(&stored).unwrap();
        let back: StoredWeights = postcard::from_bytes(&bytes).unwrap();
        let w2 = load_weights(back, nf, k).unwrap();
        assert_eq!(w2.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), w.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
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
    fn bad_stored_weights_are_format_errors() {
        let rows = |r: Vec<f32>, index: Vec<u32>| StoredWeights::Rows { rows: F32Planes(r), index };
        for (w, nf, k) in [
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
            assert!(matches!(load_weights(w, nf, k), Err(Error::Format(_))));
        }
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
    }

}
