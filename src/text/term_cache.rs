//! The word pipeline's caches: [`TermCache`] (raw token -> term id, per worker or chunk) and
//! the open-addressing [`ShortMap`] in front of it for short ASCII tokens.

use super::intern::Interner;
pub use crate::ids::STOP;

/// Per-chunk cache of the word pipeline: raw token -> term id (after stop words, stemming and
/// accent stripping), so each distinct token is processed once per chunk.
#[derive(Default)]
pub struct TermCache {
    pub(super) raw: Interner,
    pub(super) map: Vec<Vec<u32>>,
    /// The terms (column-space unigrams) seen so far.
    pub terms: Interner,
    pub(super) buf: String,
    /// Fused ASCII path, one language slot: token of at most 16 bytes (packed) -> term id.
    pub(super) short: ShortMap,
    /// Fused ASCII path: the tokens of the current document.
    pub(super) toks: Vec<Tok>,
    /// Fused ASCII path: the current document's word characters, one bit per byte.
    pub(super) bits: Vec<u64>,
}

/// A token of the fused ASCII path: its first 16 bytes packed (lowercased when asked), its
/// byte range, whether the short-token cache applies, and whether it has an upper-case letter.
#[derive(Clone, Copy)]
pub(super) struct Tok {
    pub(super) key: [u64; 2],
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) short: bool,
    pub(super) upper: bool,
}

impl TermCache {
    pub fn new() -> Self {
        TermCache {
            raw: Interner::with_capacity(8192),
            map: Vec::new(),
            terms: Interner::with_capacity(8192),
            buf: String::new(),
            short: ShortMap::default(),
            toks: Vec::new(),
            bits: Vec::new(),
        }
    }

    /// Distinct tokens or terms cached, whichever is more (a measure of its memory).
    pub fn entries(&self) -> usize {
        self.raw.len().max(self.terms.len()).max(self.short.len)
    }

    /// Appends the n-gram of the terms `ids` to `out`: the terms joined by single spaces
    /// (scikit-learn's n-gram strings).
    pub fn push_ngram(&self, ids: &[u32], out: &mut String) {
        for (k, &t) in ids.iter().enumerate() {
            if k > 0 {
                out.push(' ');
            }
            out.push_str(self.terms.get_str(t));
        }
    }
}

/// A value per term of a [`TermCache`] (a unigram's feature, column or hashed column),
/// computed the first time the term is met; `unset` marks the terms not met yet.
pub struct TermMemo<V> {
    values: Vec<V>,
    unset: V,
}

impl<V: Copy + PartialEq> TermMemo<V> {
    pub fn new(unset: V) -> Self {
        TermMemo { values: Vec::new(), unset }
    }

    /// The value of term `t` of `cache`, from `make` the first time.
    #[inline]
    pub fn get_or_insert_with(&mut self, t: u32, cache: &TermCache, make: impl FnOnce() -> V) -> V {
        let t = t as usize;
        if t >= self.values.len() {
            self.values.resize(cache.terms.len().max(t + 1), self.unset);
        }
        if self.values[t] == self.unset {
            self.values[t] = make();
        }
        self.values[t]
    }
}

/// An open-addressing map from short ASCII word tokens (1 to 16 bytes, no NUL byte, packed
/// little-endian and zero padded into two `u64`s) to their term id ([`STOP`] for a stop
/// word). A cache in front of the interner: one multiply to hash, two compares to match.
#[derive(Default)]
pub(super) struct ShortMap {
    /// `(lo, hi, value)`; `lo == 0` marks an empty slot (a token's first byte is never NUL).
    pub(super) slots: Vec<(u64, u64, u32)>,
    pub(super) len: usize,
    pub(super) shift: u32,
}

impl ShortMap {
    #[inline]
    pub(super) fn index(&self, lo: u64, hi: u64) -> usize {
        let h = (lo ^ hi.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> self.shift) as usize
    }

    #[inline]
    pub(super) fn get(&self, lo: u64, hi: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(lo, hi);
        loop {
            let e = &self.slots[i];
            if e.0 == lo && e.1 == hi {
                return Some(e.2);
            }
            if e.0 == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Hint the CPU to fetch the slot where a lookup of `(lo, hi)` starts.
    #[inline(always)]
    pub(super) fn prefetch(&self, lo: u64, hi: u64) {
        if let Some(e) = self.slots.get(self.index(lo, hi)) {
            crate::hw::prefetch_ptr(e);
        }
    }

    pub(super) fn insert(&mut self, lo: u64, hi: u64, v: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            let cap = (old.len() * 2).max(1 << 12);
            self.slots = vec![(0, 0, 0); cap];
            self.shift = 64 - cap.trailing_zeros();
            self.len = 0;
            for (a, b, x) in old {
                if a != 0 {
                    self.insert(a, b, x);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(lo, hi);
        while self.slots[i].0 != 0 {
            if self.slots[i].0 == lo && self.slots[i].1 == hi {
                self.slots[i].2 = v;
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = (lo, hi, v);
        self.len += 1;
    }
}
