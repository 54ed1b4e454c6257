//! Lookup tables over a fitted vocabulary: [`VocabIndex`] (column of a term string),
//! [`KeyIndex`] (integer-keyed: unigram and bigram columns by term ids, with term caches kept
//! between transform calls) and [`U64Map`], the open-addressing map both the counting and the
//! keyed lookup use for bigram keys.

use hashbrown::HashTable;

use crate::error::{grow, try_filled, try_vec, Result};
use crate::ids::NO_COLUMN as UNSET;
use crate::text::intern::{hash_str, Interner};
use crate::text::{Analyzer, AnalyzerKind, TermCache};

/// An open-addressing map from `u64` keys to `u32` values below `u32::MAX` (the empty-slot
/// marker), with Fibonacci hashing and linear probing: for bigram keys (one cache line per
/// lookup, key and value in the slot).
#[derive(Debug)]
pub struct U64Map {
    slots: Vec<(u64, u32)>,
    len: usize,
    shift: u32,
}

impl U64Map {
    pub fn with_capacity(n: usize) -> Self {
        let cap = Self::capacity_for(n);
        U64Map { slots: vec![(0, u32::MAX); cap], len: 0, shift: 64 - cap.trailing_zeros() }
    }

    fn capacity_for(n: usize) -> usize {
        (n * 2).next_power_of_two().max(1 << 10)
    }

    /// Empty the map and size it for `n` keys as [`U64Map::with_capacity`] does, reusing
    /// its allocation.
    pub fn reset(&mut self, n: usize) {
        // Never smaller than before: a table that grew for one chunk is likely to grow
        // again for the next (growing rehashes into fresh memory).
        let cap = Self::capacity_for(n).max(self.slots.len());
        self.slots.clear();
        self.slots.resize(cap, (0, u32::MAX));
        self.len = 0;
        self.shift = 64 - cap.trailing_zeros();
    }

    /// [`U64Map::reset`] whose allocation is fallible (an [`Error::Memory`] naming `what`).
    pub fn try_reset(&mut self, n: usize, what: &str) -> Result<()> {
        let cap = Self::capacity_for(n).max(self.slots.len());
        let extra = cap - self.slots.len();
        grow(&mut self.slots, extra, what)?;
        self.reset(n);
        Ok(())
    }

    /// Room for `n` more keys without growing inside [`U64Map::get_or_insert_with`]: the
    /// table grows here first, fallibly, if it must.
    #[inline]
    pub fn try_room(&mut self, n: usize, what: &str) -> Result<()> {
        let need = (self.len + n).saturating_mul(2);
        if need > self.slots.len() {
            return self.try_grow_to(need.next_power_of_two(), what);
        }
        Ok(())
    }

    #[cold]
    fn try_grow_to(&mut self, cap: usize, what: &str) -> Result<()> {
        let fresh = try_filled(cap, (0u64, u32::MAX), what)?;
        self.rehash_into(fresh);
        Ok(())
    }

    #[inline]
    fn index(&self, k: u64) -> usize {
        (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The value of `k`.
    #[inline]
    pub fn get(&self, k: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (key, v) = self.slots[i];
            if v == u32::MAX {
                return None;
            }
            if key == k {
                return Some(v);
            }
            i = (i + 1) & mask;
        }
    }

    /// Prefetch the slot where a lookup of `k` starts.
    #[inline(always)]
    pub fn prefetch(&self, k: u64) {
        crate::hw::prefetch_ptr(&self.slots[self.index(k)]);
    }

    /// The value of `k`, inserting `mk()` (which must be below `u32::MAX`) when absent.
    #[inline]
    pub fn get_or_insert_with(&mut self, k: u64, mk: impl FnOnce() -> u32) -> u32 {
        let mask = self.slots.len() - 1;
        let mut i = self.index(k);
        loop {
            let (key, v) = self.slots[i];
            if v == u32::MAX {
                break;
            }
            if key == k {
                return v;
            }
            i = (i + 1) & mask;
        }
        let v = mk();
        self.slots[i] = (k, v);
        self.len += 1;
        if self.len * 2 > self.slots.len() {
            self.grow();
        }
        v
    }

    fn grow(&mut self) {
        let cap = self.slots.len() * 2;
        self.rehash_into(vec![(0, u32::MAX); cap]);
    }

    /// Move the entries into `fresh` (empty slots, a power of two longer than `2 * len`).
    fn rehash_into(&mut self, fresh: Vec<(u64, u32)>) {
        let old = std::mem::replace(&mut self.slots, fresh);
        let cap = self.slots.len();
        self.shift = 64 - cap.trailing_zeros();
        let mask = cap - 1;
        for (k, v) in old {
            if v != u32::MAX {
                let mut i = self.index(k);
                while self.slots[i].1 != u32::MAX {
                    i = (i + 1) & mask;
                }
                self.slots[i] = (k, v);
            }
        }
    }
}

/// A vocabulary lookup table over column names.
#[derive(Debug)]
pub struct VocabIndex {
    table: HashTable<u32>,
}

impl VocabIndex {
    /// Index `names` (column order). Duplicates: the first column wins.
    pub fn new(names: &[String]) -> Self {
        let mut table = HashTable::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            let h = hash_str(n);
            if table.find(h, |&j: &u32| names[j as usize] == *n).is_none() {
                table.insert_unique(h, i as u32, |&j: &u32| hash_str(&names[j as usize]));
            }
        }
        VocabIndex { table }
    }

    /// Column of `s`.
    #[inline]
    pub fn get(&self, names: &[String], s: &str) -> Option<u32> {
        self.table.find(hash_str(s), |&j| names[j as usize] == s).copied()
    }
}

/// An integer-keyed view of a word vocabulary of unigrams and bigrams: term -> id, then
/// unigram id -> column and bigram key `((id1 + 1) << 32) | id2` -> column. Lets transform look
/// bigrams up without building their strings.
#[derive(Debug)]
pub struct KeyIndex {
    pub terms: Interner,
    pub uni: Vec<u32>,
    pub bi: U64Map,
    /// Term caches left by earlier transform calls, for the next call's workers.
    pub warm: WarmCaches,
}

/// Term caches (token -> the index's term id) kept between transform calls.
/// A cache depends only on the analyzer and the vocabulary, which a fitted vectorizer never
/// changes (its [`KeyIndex`] is rebuilt with a new vocabulary), so a later call can start from
/// an earlier call's cache instead of an empty one. Bounded: at most [`WARM_KEEP`] caches of at
/// most [`WARM_MAX_TERMS`] entries each.
#[derive(Default)]
pub struct WarmCaches(std::sync::Mutex<Vec<TermCache>>);

/// Most caches kept (and never more than the pool's threads: one per worker of a call).
pub const WARM_KEEP: usize = 8;

/// Largest cache kept, in distinct tokens (about 50 bytes each): bounds the memory held
/// between calls, while leaving room for a corpus-sized vocabulary of tokens per worker.
const WARM_MAX_TERMS: usize = 1 << 17;

impl std::fmt::Debug for WarmCaches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.lock().map(|v| v.len()).unwrap_or(0);
        write!(f, "WarmCaches({n})")
    }
}

impl WarmCaches {
    /// How many caches are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().map(|v| v.len()).unwrap_or(0)
    }

    pub fn take(&self) -> Option<TermCache> {
        self.0.lock().ok()?.pop()
    }

    pub fn give(&self, cache: TermCache) {
        if cache.entries() > WARM_MAX_TERMS {
            return;
        }
        if let Ok(mut v) = self.0.lock() {
            if v.len() < WARM_KEEP.min(rayon::current_num_threads()) {
                v.push(cache);
            }
        }
    }
}

impl KeyIndex {
    /// Build from column names; `None` if a name is not a unigram or a bigram of non-empty terms.
    /// A repeated name keeps its first column.
    pub fn build(names: &[String]) -> Option<Self> {
        let mut terms = Interner::new();
        let mut uni: Vec<u32> = Vec::new();
        let n_bi = names.iter().filter(|n| n.contains(' ')).count();
        let mut bi = U64Map::with_capacity(n_bi);
        for (c, n) in names.iter().enumerate() {
            let mut parts = n.split(' ');
            let a = parts.next()?;
            let b = parts.next();
            if parts.next().is_some() || a.is_empty() || b.is_some_and(str::is_empty) {
                return None;
            }
            let ga = terms.intern(a).0;
            let gb = b.map(|b| terms.intern(b).0);
            if uni.len() < terms.len() {
                uni.resize(terms.len(), UNSET);
            }
            match gb {
                None => {
                    if uni[ga as usize] == UNSET {
                        uni[ga as usize] = c as u32;
                    }
                }
                Some(gb) => {
                    bi.get_or_insert_with(((ga as u64 + 1) << 32) | gb as u64, || c as u32);
                }
            }
        }
        Some(KeyIndex { terms, uni, bi, warm: WarmCaches::default() })
    }

    /// The index of a fit's kept features from the fit's own keys: `kept` gives each kept
    /// feature as `(key, column)`, with keys in this index's form over the fit's term ids
    /// (term `t` is `arena[offs[t]..offs[t + 1]]`). The same lookups as [`KeyIndex::build`]
    /// on the vocabulary's names, without parsing and interning every name again: only the
    /// terms of kept features are interned, once each.
    pub fn from_kept(arena: &str, offs: &[usize], kept: &[(u64, u32)]) -> Result<Self> {
        const WHAT: &str = "the vocabulary's lookup table";
        let n_terms = offs.len().saturating_sub(1);
        // The fit's term id -> this index's term id (UNSET: in no kept feature).
        let mut id_of: Vec<u32> = try_filled(n_terms, UNSET, WHAT)?;
        let mut terms = Interner::new();
        let mut id = |t: u64| -> Result<u32> {
            let t = t as usize;
            if id_of[t] == UNSET {
                id_of[t] = terms.try_intern(&arena[offs[t]..offs[t + 1]], WHAT)?.0;
            }
            Ok(id_of[t])
        };
        let n_bi = kept.iter().filter(|&&(k, _)| k >> 32 != 0).count();
        let mut uni_at: Vec<(u32, u32)> = try_vec(kept.len() - n_bi, WHAT)?;
        let mut bi_at: Vec<(u64, u32)> = try_vec(n_bi, WHAT)?;
        for &(k, c) in kept {
            match k >> 32 {
                0 => uni_at.push((id(k)?, c)),
                hi => {
                    let (a, b) = (id(hi - 1)?, id(k & 0xffff_ffff)?);
                    bi_at.push((((a as u64 + 1) << 32) | b as u64, c));
                }
            }
        }
        drop(id);
        let mut uni = try_filled(terms.len(), UNSET, WHAT)?;
        for (t, c) in uni_at {
            uni[t as usize] = c;
        }
        // The bigram table outgrows the caches and its keys land at random: each insert
        // requests the slot of the one a few inserts ahead.
        const AHEAD: usize = 16;
        let mut bi = U64Map::with_capacity(n_bi);
        for (q, &(k, c)) in bi_at.iter().enumerate() {
            if let Some(&(ahead, _)) = bi_at.get(q + AHEAD) {
                bi.prefetch(ahead);
            }
            bi.get_or_insert_with(k, || c);
        }
        Ok(KeyIndex { terms, uni, bi, warm: WarmCaches::default() })
    }

    /// Can `an`'s features be looked up in a [`KeyIndex`]?
    pub fn applies(an: &Analyzer) -> bool {
        an.kind == AnalyzerKind::Word && an.max_n <= 2 && !an.terms_may_contain_space()
    }
}
