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

/// Strings interned to dense ids `0..len()`.
#[derive(Clone, Debug)]
pub struct Interner {
    table: HashTable<u32>,
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
        let (arena, offs) = (&self.arena, &self.offs);
        self.table
            .find(h, |&id| &arena[offs[id as usize]..offs[id as usize + 1]] == s)
            .copied()
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
        let id = self.len() as u32;
        self.arena.push_str(s);
        self.offs.push(self.arena.len());
        let (arena, offs) = (&self.arena, &self.offs);
        self.table.insert_unique(h, id, |&i| {
            hash_str(&arena[offs[i as usize]..offs[i as usize + 1]])
        });
        (id, true)
    }

    /// Iterate the strings in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len() as u32).map(move |i| self.get_str(i))
    }

    /// The arena and the offsets (`offs[i]..offs[i + 1]` is string `i`).
    pub fn into_parts(self) -> (String, Vec<usize>) {
        (self.arena, self.offs)
    }

    /// Bytes used by the arena (for memory estimates).
    pub fn arena_bytes(&self) -> usize {
        self.arena.len()
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
