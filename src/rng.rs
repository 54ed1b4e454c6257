//! The one small seeded generator of the core (solver permutations, cross-validation folds),
//! identical on every platform and needing no extra crate. SplitMix64: Steele, Lea and Flood,
//! "Fast splittable pseudorandom number generators", OOPSLA 2014.

pub struct SplitMix64(u64);

impl SplitMix64 {
    /// The solvers' generator: the seed is first mixed with the golden-ratio constant.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A generator whose state is exactly `seed` (used for cross-validation folds).
    pub fn from_state(seed: u64) -> Self {
        SplitMix64(seed)
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2^-32 for
    /// the sizes used here).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform integer in `0..n` (n > 0) with no bias at all, by rejection (slower than
    /// [`SplitMix64::below`]; for fold assignment, where exactness matters more than speed).
    pub fn below_unbiased(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return (v % n) as usize;
            }
        }
    }

    /// Fisher-Yates shuffle with [`SplitMix64::below`].
    pub fn shuffle<U>(&mut self, v: &mut [U]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// Fisher-Yates shuffle with [`SplitMix64::below_unbiased`].
    pub fn shuffle_unbiased<U>(&mut self, v: &mut [U]) {
        for i in (1..v.len()).rev() {
            let j = self.below_unbiased(i + 1);
            v.swap(i, j);
        }
    }
}

/// The seed of sub-problem `k` derived from the user's `random_state`.
pub fn derive_seed(random_state: u64, k: u64) -> u64 {
    let mut r = SplitMix64::new(random_state ^ k.wrapping_mul(0xD134_2543_DE82_EF95));
    r.next_u64()
}
