//! MurmurHash3 (x86, 32-bit) and scikit-learn's feature-hashing index/sign rules.

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
