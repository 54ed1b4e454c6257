//! A string interner: strings live back to back in one arena `String`, a `hashbrown`
//! table of ids finds them. No allocation per string, only when the arena grows.

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// The hasher every interner and vocabulary uses (fixed seed: results never depend on it).
pub const HASHER: FixedState = FixedState::with_seed(0x746f_7069_6374_6167);

/// Hash of a string with [`HASHER`].
#[inline]
pub fn hash_str(s: &str) -> u64 {
    HASHER.hash_one(s.as_bytes())
}

/// Equality of two equally long byte strings, inlined for short ones (most terms).
#[inline(always)]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n >= 8 && n <= 16 {
        let w = |x: &[u8], i: usize| u64::from_le_bytes([x[i], x[i + 1], x[i + 2], x[i + 3], x[i + 4], x[i + 5], x[i + 6], x[i + 7]]);
        return w(a, 0) == w(b, 0) && w(a, n - 8) == w(b, n - 8);
    }
    if n < 8 {
        let mut x = 0u64;
        let mut y = 0u64;
        for i in 0..n {
            x |= (a[i] as u64) << (8 * i);
            y |= (b[i] as u64) << (8 * i);
        }
        return x == y;
    }
    a == b
}

/// Strings interned to dense ids `0..len()`.
#[derive(Clone, Debug)]
pub struct Interner {
    /// (start in arena, length, id)
    table: HashTable<(usize, u32, u32)>,
    arena: String,
    offs: Vec<usize>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { table: HashTable::new(), arena: String::new(), offs: vec![0] }
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// An interner with room for `n` strings.
    pub fn with_capacity(n: usize) -> Self {
        let mut offs = Vec::with_capacity(n + 1);
        offs.push(0);
        Interner { table: HashTable::with_capacity(n), arena: String::new(), offs }
    }

    /// Number of interned strings.
    #[inline]
    pub fn len(&self) -> usize {
        self.offs.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The string of `id`.
    #[inline]
    pub fn get_str(&self, id: u32) -> &str {
        &self.arena[self.offs[id as usize]..self.offs[id as usize + 1]]
    }

    /// The id of `s`, if interned.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        self.get_hashed(s, hash_str(s))
    }

    /// [`Interner::get`] with the hash computed by the caller.
    #[inline]
    pub fn get_hashed(&self, s: &str, h: u64) -> Option<u32> {
        let arena = self.arena.as_bytes();
        let b = s.as_bytes();
        self.table
            .find(h, |&(st, len, _)| len as usize == b.len() && bytes_eq(&arena[st..st + len as usize], b))
            .map(|e| e.2)
    }

    /// The id of `s`, interning it if new. Returns `(id, is_new)`.
    #[inline]
    pub fn intern(&mut self, s: &str) -> (u32, bool) {
        self.intern_hashed(s, hash_str(s))
    }

    /// [`Interner::intern`] with the hash computed by the caller.
    #[inline]
    pub fn intern_hashed(&mut self, s: &str, h: u64) -> (u32, bool) {
        if let Some(id) = self.get_hashed(s, h) {
            return (id, false);
        }
        (self.insert_new(s, h), true)
    }

    /// Add `s` (not interned yet, hash `h`): its id.
    #[inline]
    fn insert_new(&mut self, s: &str, h: u64) -> u32 {
        let id = self.len() as u32;
        let start = self.arena.len();
        self.arena.push_str(s);
        self.offs.push(self.arena.len());
        let arena = &self.arena;
        self.table.insert_unique(h, (start, s.len() as u32, id), |&(st, len, _)| {
            hash_str(&arena[st..st + len as usize])
        });
        id
    }

    /// [`Interner::intern_hashed`] whose growth (arena, offsets, table) is fallible: an
    /// [`Error::Memory`](crate::error::Error) naming `what` instead of an abort.
    #[inline]
    pub fn try_intern_hashed(&mut self, s: &str, h: u64, what: &str) -> crate::error::Result<(u32, bool)> {
        if let Some(id) = self.get_hashed(s, h) {
            return Ok((id, false));
        }
        crate::error::grow_str(&mut self.arena, s.len(), what)?;
        crate::error::grow(&mut self.offs, 1, what)?;
        let arena = &self.arena;
        self.table
            .try_reserve(1, |&(st, len, _)| hash_str(&arena[st..st + len as usize]))
            .map_err(|_| crate::error::table_full::<(usize, u32, u32)>(what, self.table.len()))?;
        Ok((self.insert_new(s, h), true))
    }

    /// Room for `n` more strings of `bytes` bytes in all (fallible): interning them then
    /// allocates nothing.
    pub fn try_reserve(&mut self, n: usize, bytes: usize, what: &str) -> crate::error::Result<()> {
        crate::error::grow_str(&mut self.arena, bytes, what)?;
        crate::error::grow(&mut self.offs, n, what)?;
        let arena = &self.arena;
        self.table
            .try_reserve(n, |&(st, len, _)| hash_str(&arena[st..st + len as usize]))
            .map_err(|_| crate::error::table_full::<(usize, u32, u32)>(what, self.table.len() + n))
    }

    /// Keep the first `n` strings only (the ids below `n`), forgetting the later ones.
    pub fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        self.table.retain(|e| (e.2 as usize) < n);
        self.arena.truncate(self.offs[n]);
        self.offs.truncate(n + 1);
    }

    /// Bytes of all the strings.
    pub fn bytes(&self) -> usize {
        self.arena.len()
    }

    /// [`Interner::intern`] growing fallibly (see [`Interner::try_intern_hashed`]).
    #[inline]
    pub fn try_intern(&mut self, s: &str, what: &str) -> crate::error::Result<(u32, bool)> {
        self.try_intern_hashed(s, hash_str(s), what)
    }

    /// Iterate the strings in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(move |i| self.get_str(i))
    }

    /// The arena and the offsets (`offs[i]..offs[i + 1]` is string `i`).
    pub fn into_parts(self) -> (String, Vec<usize>) {
        (self.arena, self.offs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns() {
        let mut it = Interner::new();
        assert_eq!(it.intern("a"), (0, true));
        assert_eq!(it.intern("bc"), (1, true));
        assert_eq!(it.intern("a"), (0, false));
        assert_eq!(it.intern(""), (2, true));
        assert_eq!(it.get("bc"), Some(1));
        assert_eq!(it.get("zz"), None);
        assert_eq!(it.get_str(1), "bc");
        assert_eq!(it.iter().collect::<Vec<_>>(), vec!["a", "bc", ""]);
        for i in 0..10_000 {
            it.intern(&i.to_string());
        }
        assert_eq!(it.get("9999"), Some(3 + 9999));
    }
}
