//! Feature hashing: MurmurHash3 (x86, 32-bit), scikit-learn's feature-hashing index/sign
//! rules, and the hashed transform of [`super::hashing_vectorizer::HashingVectorizer`].

use rayon::prelude::*;

use super::chunks::CHUNK;
use super::config::Norm;
use super::weight::Weighting;
use crate::error::{grow, try_vec, try_zeroed, Error, Result};
use crate::sparse::{sum_sorted_duplicates, CsrMatrix, Real};
use crate::text::{word_ngrams, Analyzer, AnalyzerKind, CharScratch, TermCache, TermMemo};

/// MurmurHash3_x86_32 of `data` with `seed`: Austin Appleby's published algorithm
/// (MurmurHash3.cpp, public domain), written from its description. Little-endian blocks.
pub fn murmurhash3_x86_32(data: &[u8], seed: u32) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for b in &mut blocks {
        let mut k = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k: u32 = 0;
        for (i, &byte) in tail.iter().enumerate() {
            k ^= (byte as u32) << (8 * i);
        }
        k = k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h ^= k;
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

/// scikit-learn's column and sign of a feature: `h` = signed MurmurHash3 (seed 0) of the UTF-8
/// feature; column `|h| % n_features`, except `h == i32::MIN` whose column is
/// `(2**31 - 1 - (n_features - 1)) % n_features`; sign `+1` when `h >= 0`, else `-1`.
#[inline]
pub fn feature_index_sign(feature: &str, n_features: u32) -> (u32, bool) {
    let h = murmurhash3_x86_32(feature.as_bytes(), 0) as i32;
    let idx = if h == i32::MIN {
        (2_147_483_647u32 - (n_features - 1)) % n_features
    } else {
        h.unsigned_abs() % n_features
    };
    (idx, h >= 0)
}

/// Hashing: per-document `(column, value)` with scikit-learn's FeatureHasher rules (duplicates
/// summed, explicit zeros kept).
fn hash_chunk<S: AsRef<str>>(
    an: &Analyzer,
    n_features: u32,
    alternate_sign: bool,
    docs: &[S],
) -> Result<(Vec<usize>, Vec<u32>, Vec<f64>)> {
    const WHAT: &str = "the hashed rows";
    let mut doc_ptr = try_vec(docs.len() + 1, WHAT)?;
    doc_ptr.push(0);
    let mut idx: Vec<u32> = Vec::new();
    let mut val: Vec<f64> = Vec::new();
    let mut row: Vec<(u32, f64)> = Vec::new();
    let push = |row: &mut Vec<(u32, f64)>, idx: &mut Vec<u32>, val: &mut Vec<f64>| -> Result<()> {
        row.sort_by_key(|e| e.0);
        grow(idx, row.len(), WHAT)?;
        grow(val, row.len(), WHAT)?;
        sum_sorted_duplicates(row, |c, v| {
            idx.push(c);
            val.push(v);
        });
        row.clear();
        Ok(())
    };
    let sv = |pos: bool| if !alternate_sign || pos { 1.0 } else { -1.0 };
    match an.kind {
        AnalyzerKind::Word => {
            let mut cache = TermCache::new();
            let mut ids = Vec::new();
            let mut uni = TermMemo::new(None);
            let mut buf = String::new();
            for d in docs {
                an.word_terms(d.as_ref(), &mut cache, &mut ids);
                word_ngrams(ids.len(), an.min_n, an.max_n, |i, j| {
                    let (c, pos) = if j - i == 1 {
                        let column = || Some(feature_index_sign(cache.terms.get_str(ids[i]), n_features));
                        uni.get_or_insert_with(ids[i], &cache, column).expect("set on first use")
                    } else {
                        buf.clear();
                        cache.push_ngram(&ids[i..j], &mut buf);
                        feature_index_sign(&buf, n_features)
                    };
                    row.push((c, sv(pos)));
                });
                push(&mut row, &mut idx, &mut val)?;
                doc_ptr.push(idx.len());
            }
        }
        _ => {
            let mut sc = CharScratch::new();
            for d in docs {
                an.char_ngrams(d.as_ref(), &mut sc, |s| {
                    let (c, pos) = feature_index_sign(s, n_features);
                    row.push((c, sv(pos)));
                });
                push(&mut row, &mut idx, &mut val)?;
                doc_ptr.push(idx.len());
            }
        }
    }
    Ok((doc_ptr, idx, val))
}

/// HashingVectorizer transform.
pub fn hashing_transform<T: Real, S: AsRef<str> + Sync>(
    an: &Analyzer,
    n_features: u32,
    alternate_sign: bool,
    binary: bool,
    norm: Option<Norm>,
    docs: &[S],
) -> Result<CsrMatrix<T>> {
    let mut chunks: Vec<Result<(Vec<usize>, Vec<u32>, Vec<f64>)>> = try_vec(docs.len().div_ceil(CHUNK), "the hashed rows")?;
    chunks.par_extend(docs.par_chunks(CHUNK).map(|c| {
        if crate::cancel::requested() {
            return Err(Error::Interrupted);
        }
        crate::error::headroom("the work on a chunk of documents")?;
        hash_chunk(an, n_features, alternate_sign, c)
    }));
    let chunks: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = chunks.into_iter().collect::<Result<_>>()?;
    let n_rows = docs.len();
    let nnz: usize = chunks.iter().map(|c| c.1.len()).sum();
    let mut indptr = try_vec(n_rows + 1, "the matrix's row pointers")?;
    indptr.push(0);
    let mut base = 0;
    for c in &chunks {
        indptr.extend(c.0[1..].iter().map(|p| p + base));
        base += c.1.len();
    }
    let mut indices = try_vec(nnz, "the matrix's column indices")?;
    for c in &chunks {
        indices.extend_from_slice(&c.1);
    }
    let w = Weighting { binary, sublinear: false, idf: None, norm };
    let mut data: Vec<T> = try_zeroed(nnz, "the matrix's values")?;
    {
        let mut slices = Vec::with_capacity(chunks.len());
        let mut rest: &mut [T] = &mut data;
        for c in &chunks {
            let (a, r) = rest.split_at_mut(c.1.len());
            slices.push(a);
            rest = r;
        }
        slices.into_par_iter().zip(chunks.par_iter()).for_each(|(out, (ptr, idx, val))| {
            for r in ptr.windows(2) {
                let vals: Vec<f64> = if binary {
                    // scikit-learn: X.data.fill(1) -- every stored entry becomes 1.
                    vec![1.0; r[1] - r[0]]
                } else {
                    val[r[0]..r[1]].to_vec()
                };
                let w = Weighting { binary: false, ..w };
                w.apply(&idx[r[0]..r[1]], &vals, &mut out[r[0]..r[1]]);
            }
        });
    }
    CsrMatrix::new(n_rows, n_features as usize, indptr, indices, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Reference values of MurmurHash3_x86_32 (seed 0 unless stated), as published with
        // the algorithm's test vectors and as scikit-learn's murmurhash3_32 returns them.
        assert_eq!(murmurhash3_x86_32(b"", 0), 0);
        assert_eq!(murmurhash3_x86_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmurhash3_x86_32(b"foo", 0) as i32, -156_908_512);
        assert_eq!(murmurhash3_x86_32(b"Hello, world!", 0x9747_b28c), 0x2488_4cba);
        assert_eq!(murmurhash3_x86_32(b"aaaa", 0x9747_b28c), 0x5a97_808a);
        assert_eq!(murmurhash3_x86_32(b"abc", 0), 0xb3dd_93fa);
    }
}
