//! Compact, lossless encodings for the bulky parts of a payload, and their checked decoders.
//!
//! - [`front_encode`]: a term list front-coded (each term as the length of the prefix it
//!   shares with the previous term, plus the rest), in three separate streams so that DEFLATE
//!   sees homogeneous data. Works for any order; sorted vocabularies (the fitted ones) share most.
//! - [`dict_encode`]: `f64` values dictionary-coded: the distinct values (exact bits; at most
//!   `n_docs + 1` of them for a fitted idf), most frequent first, then one varint index each.
//!
//! (The weight tables encode themselves: `linear::FeatureMajor`, float32 byte planes.)
//!
//! The serde adapters [`vocabulary`] and [`idf`] (`#[serde(with = "...")]`) write each of them as one postcard byte string (a varint length, then the bytes); the
//! layouts inside are documented on the functions and in `docs/model-format.md`. Decoding is
//! safe on hostile input: every count is checked against the bytes that remain before anything
//! is allocated, every length and index is range-checked, and the output size is bounded by a
//! fixed multiple of the input size (a shared prefix is at most [`MAX_SHARED_PREFIX`] bytes).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};


/// The longest prefix a term may share with the previous one (longer common prefixes are
/// stored partly in the suffix). It keeps each prefix length in one byte and bounds the
/// decoded size: at most `MAX_SHARED_PREFIX + 1` bytes of text per byte of input.
pub const MAX_SHARED_PREFIX: usize = 255;

/// A front-coded vocabulary decodes to at most this many bytes of text per byte of input.
/// [`front_encode`] guarantees it term by term (a term shares at most `(32 + 15 len) / 16` of
/// its `len` bytes), so the check only refuses forged input (real vocabularies are 2 to 3
/// times their encoding).
pub const MAX_TEXT_RATIO: usize = 16;

// -- byte strings ------------------------------------------------------------------------------

/// Serialises as a byte string (postcard: varint length, then the bytes).
struct BytesOut<'a>(&'a [u8]);

impl Serialize for BytesOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// Deserialises a byte string, borrowing from the input when the format allows it.
struct BytesIn<'de>(Cow<'de, [u8]>);

impl<'de> Deserialize<'de> for BytesIn<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BytesIn<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> std::result::Result<Self::Value, E> {
                Ok(BytesIn(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> std::result::Result<Self::Value, E> {
                Ok(BytesIn(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> std::result::Result<Self::Value, E> {
                Ok(BytesIn(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

// -- varints -------------------------------------------------------------------------------

/// Unsigned LEB128 (7 bits per byte, low groups first, high bit = more follows), as postcard.
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A bounds-checked reader over a byte string.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn varint(&mut self, what: &str) -> std::result::Result<u64, String> {
        let mut v = 0u64;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(format!("{what} ends early"));
            };
            self.pos += 1;
            let bits = (b & 0x7f) as u64;
            if i == 9 && bits > 1 {
                return Err(format!("{what}: a number overflows 64 bits"));
            }
            v |= bits << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("{what}: a number overflows 64 bits"))
    }
    /// A varint that must be at most `max`.
    fn bounded(&mut self, what: &str, max: usize) -> std::result::Result<usize, String> {
        let v = self.varint(what)?;
        if v > max as u64 {
            return Err(format!("{what}: {v} is larger than possible ({max})"));
        }
        Ok(v as usize)
    }
    fn take(&mut self, n: usize, what: &str) -> std::result::Result<&'a [u8], String> {
        if self.remaining() < n {
            return Err(format!("{what} ends early"));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn finish(&self, what: &str) -> std::result::Result<(), String> {
        if self.remaining() != 0 {
            return Err(format!("{what}: {} unexpected bytes at the end", self.remaining()));
        }
        Ok(())
    }
}

// -- vocabulary: front coding ----------------------------------------------------------------

/// Front-code `terms`. Layout:
///
/// - varint `n`, the number of terms;
/// - `n` bytes: the length in bytes of the prefix term `i` shares with term `i - 1` (0 for the
///   first term; at most [`MAX_SHARED_PREFIX`]; always at a character boundary);
/// - `n` varints: the length in bytes of each term's remaining suffix;
/// - the suffixes, UTF-8, concatenated.
pub fn front_encode(terms: &[String]) -> Vec<u8> {
    let total: usize = terms.iter().map(|t| t.len()).sum();
    let mut shared = Vec::with_capacity(terms.len());
    let mut lens = Vec::with_capacity(terms.len() * 2);
    let mut text = Vec::with_capacity(total / 2);
    let mut prev: &[u8] = b"";
    for t in terms {
        let b = t.as_bytes();
        // Each term costs at least 2 + suffix bytes; sharing at most (32 + 15 len) / 16 bytes
        // keeps len <= MAX_TEXT_RATIO * (2 + suffix).
        let fair = (32 + 15 * b.len()) / 16;
        let limit = prev.len().min(b.len()).min(MAX_SHARED_PREFIX).min(fair);
        let mut p = prev.iter().zip(b).take(limit).take_while(|(x, y)| x == y).count();
        // Both terms hold the same bytes before `p`, so `p` is a boundary of one exactly when
        // it is a boundary of the other.
        while !t.is_char_boundary(p) {
            p -= 1;
        }
        shared.push(p as u8);
        put_varint(&mut lens, (b.len() - p) as u64);
        text.extend_from_slice(&b[p..]);
        prev = b;
    }
    let mut out = Vec::with_capacity(10 + shared.len() + lens.len() + text.len());
    put_varint(&mut out, terms.len() as u64);
    out.extend_from_slice(&shared);
    out.extend_from_slice(&lens);
    out.extend_from_slice(&text);
    out
}

/// Decode [`front_encode`]'s output, checking every count, length and boundary.
pub fn front_decode(buf: &[u8]) -> std::result::Result<Vec<String>, String> {
    const WHAT: &str = "the front-coded vocabulary";
    let mut c = Cursor::new(buf);
    // Each term takes at least 2 bytes (its prefix byte and its suffix length).
    let n = c.bounded(WHAT, buf.len() / 2)?;
    let shared = c.take(n, WHAT)?;
    let mut lens = Vec::with_capacity(n);
    let mut total = 0usize;
    for _ in 0..n {
        let s = c.bounded(WHAT, buf.len())?;
        total += s; // each s <= buf.len() and n <= buf.len(): no overflow
        lens.push(s);
    }
    if total != c.remaining() {
        return Err(format!(
            "{WHAT}: the suffixes should take {total} bytes but {} remain",
            c.remaining()
        ));
    }
    let text = total + shared.iter().map(|&p| p as usize).sum::<usize>();
    if text > MAX_TEXT_RATIO * buf.len() {
        return Err(format!(
            "{WHAT}: {} bytes claim {text} bytes of text (at most {MAX_TEXT_RATIO} per byte)",
            buf.len()
        ));
    }
    let mut terms: Vec<String> = Vec::with_capacity(n);
    for (i, (&p, &s)) in shared.iter().zip(&lens).enumerate() {
        let p = p as usize;
        let suffix = c.take(s, WHAT)?;
        let suffix = std::str::from_utf8(suffix).map_err(|_| format!("{WHAT}: term {i} is not UTF-8"))?;
        let prev = if i == 0 { "" } else { terms[i - 1].as_str() };
        if p > prev.len() || !prev.is_char_boundary(p) {
            return Err(format!("{WHAT}: term {i} shares an impossible prefix of {p} bytes"));
        }
        let mut t = String::with_capacity(p + s);
        t.push_str(&prev[..p]);
        t.push_str(suffix);
        terms.push(t);
    }
    c.finish(WHAT)?;
    Ok(terms)
}

/// `None`, or `Some` of a byte string.
fn serialize_opt_bytes<S: Serializer>(bytes: Option<Vec<u8>>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match bytes {
        None => s.serialize_none(),
        Some(b) => s.serialize_some(&BytesOut(&b)),
    }
}

/// Read what [`serialize_opt_bytes`] writes, decoding the byte string with `decode`.
fn deserialize_opt_bytes<'de, D: Deserializer<'de>, T>(
    d: D,
    decode: fn(&[u8]) -> std::result::Result<T, String>,
) -> std::result::Result<Option<T>, D::Error> {
    match Option::<BytesIn<'de>>::deserialize(d)? {
        None => Ok(None),
        Some(b) => decode(&b.0).map(Some).map_err(|m| super::de_error(super::corrupted(&m))),
    }
}

/// `#[serde(with = "crate::persist::codec::vocabulary")]` for an `Option<Vec<String>>` of
/// terms: `None`, or `Some` of a byte string holding [`front_encode`]'s layout.
pub mod vocabulary {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Vec<String>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_opt_bytes(v.as_deref().map(front_encode), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<String>>, D::Error> {
        deserialize_opt_bytes(d, front_decode)
    }
}

// -- idf: dictionary coding ------------------------------------------------------------------

/// Dictionary-code `values` (exact bits: `-0.0`, NaN payloads and infinities survive). Layout:
///
/// - varint `n`, the number of values;
/// - varint `d`, the number of distinct bit patterns (`d <= n`);
/// - `d` little-endian `f64`s, the distinct values, most frequent first (ties: first seen);
/// - `n` varints: each value's index into that list.
pub fn dict_encode(values: &[f64]) -> Vec<u8> {
    let mut seen: HashMap<u64, (usize, usize)> = HashMap::new(); // bits -> (count, first)
    for (i, v) in values.iter().enumerate() {
        seen.entry(v.to_bits()).or_insert((0, i)).0 += 1;
    }
    let mut dict: Vec<(u64, usize, usize)> = seen.iter().map(|(&b, &(c, f))| (b, c, f)).collect();
    dict.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let index: HashMap<u64, usize> = dict.iter().enumerate().map(|(i, d)| (d.0, i)).collect();
    let mut out = Vec::with_capacity(20 + dict.len() * 8 + values.len() * 2);
    put_varint(&mut out, values.len() as u64);
    put_varint(&mut out, dict.len() as u64);
    for d in &dict {
        out.extend_from_slice(&d.0.to_le_bytes());
    }
    for v in values {
        put_varint(&mut out, index[&v.to_bits()] as u64);
    }
    out
}

/// Decode [`dict_encode`]'s output, checking every count and index.
pub fn dict_decode(buf: &[u8]) -> std::result::Result<Vec<f64>, String> {
    const WHAT: &str = "the dictionary-coded idf";
    let mut c = Cursor::new(buf);
    let n = c.bounded(WHAT, buf.len())?;
    let d = c.bounded(WHAT, n.min(buf.len() / 8))?;
    let dict: Vec<f64> = c
        .take(d * 8, WHAT)?
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect();
    if c.remaining() < n {
        return Err(format!("{WHAT} ends early"));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let i = c.varint(WHAT)?;
        let v = usize::try_from(i).ok().and_then(|i| dict.get(i)).ok_or_else(|| {
            format!("{WHAT}: index {i} out of range for {d} distinct values")
        })?;
        out.push(*v);
    }
    c.finish(WHAT)?;
    Ok(out)
}

/// `#[serde(with = "crate::persist::codec::idf")]` for an `Option<Vec<f64>>`: `None`, or
/// `Some` of a byte string holding [`dict_encode`]'s layout.
pub mod idf {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<Vec<f64>>, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize_opt_bytes(v.as_deref().map(dict_encode), s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Vec<f64>>, D::Error> {
        deserialize_opt_bytes(d, dict_decode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn front_coding_shares_prefixes() {
        let terms: Vec<String> = ["peace", "peace talks", "peacekeeper", "war", "", "war"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let b = front_encode(&terms);
        // n, 6 prefix bytes, 6 suffix lengths, then the suffixes
        assert_eq!(b[0], 6);
        assert_eq!(&b[1..7], &[0, 5, 5, 0, 0, 0]);
        assert_eq!(&b[7..13], &[5, 6, 6, 3, 0, 3]);
        assert_eq!(&b[13..], b"peace talkskeeperwarwar");
        assert_eq!(front_decode(&b).unwrap(), terms);
    }

    #[test]
    fn front_coding_respects_char_boundaries_and_cap() {
        let terms: Vec<String> = vec!["é".into(), "ê".into(), "日本".into(), "日本語".into(), "日曜".into()];
        assert_eq!(front_decode(&front_encode(&terms)).unwrap(), terms);
        let long = "x".repeat(1000);
        let terms = vec![format!("{long}a"), format!("{long}b"), format!("{long}")];
        let b = front_encode(&terms);
        assert_eq!(&b[1..4], &[0, MAX_SHARED_PREFIX as u8, MAX_SHARED_PREFIX as u8]);
        assert_eq!(front_decode(&b).unwrap(), terms);
    }

    #[test]
    fn decoded_text_is_bounded_and_the_writer_respects_it() {
        // n terms of 256 bytes, each sharing 255 with the previous: 3 bytes each, 85x
        let n = 1000;
        let mut b = vec![];
        put_varint(&mut b, n as u64);
        b.push(0);
        b.extend(std::iter::repeat(255u8).take(n - 1));
        put_varint(&mut b, 256);
        b.extend(std::iter::repeat(1u8).take(n - 1));
        b.extend(std::iter::repeat(b'x').take(256));
        b.extend(std::iter::repeat(b'y').take(n - 1));
        let e = front_decode(&b).unwrap_err();
        assert!(e.contains("claim 256000 bytes of text"), "{e}");
        // the writer shares less for such terms, and reads back
        let terms: Vec<String> = (0..n).map(|i| format!("{}{}", "x".repeat(255), (b'a' + (i % 26) as u8) as char)).collect();
        let enc = front_encode(&terms);
        assert!(terms.iter().map(|t| t.len()).sum::<usize>() <= MAX_TEXT_RATIO * enc.len());
        assert_eq!(front_decode(&enc).unwrap(), terms);
    }

    #[test]
    fn front_decoding_rejects_bad_input() {
        let good = front_encode(&["ab".into(), "abc".into()]);
        assert!(front_decode(&good).is_ok());
        // prefix longer than the previous term
        let mut b = good.clone();
        b[2] = 3;
        assert!(front_decode(&b).unwrap_err().contains("impossible prefix"));
        // first term with a prefix
        let mut b = good.clone();
        b[1] = 1;
        assert!(front_decode(&b).is_err());
        // prefix inside a character
        let b2 = front_encode(&["é".into(), "éa".into()]);
        let mut b = b2.clone();
        b[2] = 1;
        assert!(front_decode(&b).unwrap_err().contains("impossible prefix"));
        // huge count, huge length, truncation, trailing bytes, bad UTF-8
        assert!(front_decode(&[0xff, 0xff, 0xff, 0xff, 0x0f]).is_err());
        assert!(front_decode(&[1, 0, 0xff, 0xff, 0xff, 0x7f, b'a']).is_err());
        for n in 0..good.len() {
            assert!(front_decode(&good[..n]).is_err(), "cut at {n}");
        }
        let mut b = good.clone();
        b.push(b'x');
        assert!(front_decode(&b).is_err());
        assert!(front_decode(&[1, 0, 1, 0xff]).unwrap_err().contains("UTF-8"));
        assert_eq!(front_decode(&[0]).unwrap(), Vec::<String>::new());
        // an 11-byte varint
        assert!(front_decode(&[0x80; 11]).is_err());
    }

    #[test]
    fn dictionary_coding() {
        let v = [2.0, 1.5, 2.0, f64::NAN, -0.0, 0.0, 2.0, f64::INFINITY, 1.5];
        let b = dict_encode(&v);
        assert_eq!((b[0], b[1]), (9, 6));
        assert_eq!(f64::from_le_bytes(b[2..10].try_into().unwrap()), 2.0);
        let back = dict_decode(&b).unwrap();
        assert_eq!(back.len(), v.len());
        assert!(back.iter().zip(&v).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(dict_decode(&dict_encode(&[])).unwrap(), Vec::<f64>::new());
        // index out of range, d > n, truncation, trailing bytes
        let mut bad = b.clone();
        let last = bad.len() - 1;
        bad[last] = 6;
        assert!(dict_decode(&bad).unwrap_err().contains("out of range"));
        assert!(dict_decode(&[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_err());
        for n in 0..b.len() {
            assert!(dict_decode(&b[..n]).is_err(), "cut at {n}");
        }
        let mut bad = b.clone();
        bad.push(0);
        assert!(dict_decode(&bad).is_err());
        assert!(dict_decode(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0]).is_err());
    }

    #[test]
    fn serde_wrappers_round_trip_and_reject_garbage() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct S {
            #[serde(with = "vocabulary")]
            v: Option<Vec<String>>,
            #[serde(with = "idf")]
            i: Option<Vec<f64>>,
        }
        let s = S { v: Some(vec!["a".into(), "ab".into()]), i: Some(vec![1.0, 1.0]) };
        let b = postcard::to_allocvec(&s).unwrap();
        assert_eq!(postcard::from_bytes::<S>(&b).unwrap(), s);
        let s = S { v: None, i: None };
        let b = postcard::to_allocvec(&s).unwrap();
        assert_eq!(b, vec![0, 0]);
        assert_eq!(postcard::from_bytes::<S>(&b).unwrap(), s);
        // a declared length far beyond the input is an error, not an allocation
        assert!(postcard::from_bytes::<S>(&[1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1]).is_err());
    }

    proptest! {
        #[test]
        fn front_round_trip(terms in proptest::collection::vec(".{0,12}", 0..60), sort in any::<bool>()) {
            let mut terms = terms;
            if sort {
                terms.sort();
            }
            prop_assert_eq!(front_decode(&front_encode(&terms)).unwrap(), terms);
        }

        #[test]
        fn front_round_trip_shared(stem in "[a-zé日]{0,300}", tails in proptest::collection::vec("[a-cé]{0,4}", 0..30)) {
            let terms: Vec<String> = tails.iter().map(|t| format!("{stem}{t}")).collect();
            prop_assert_eq!(front_decode(&front_encode(&terms)).unwrap(), terms);
        }

        #[test]
        fn front_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(t) = front_decode(&bytes) {
                prop_assert!(t.iter().map(|s| s.len()).sum::<usize>() <= bytes.len() * MAX_TEXT_RATIO);
            }
        }

        #[test]
        fn dict_round_trip(bits in proptest::collection::vec(prop_oneof![any::<u64>(), 0u64..4], 0..200)) {
            let v: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
            let back = dict_decode(&dict_encode(&v)).unwrap();
            prop_assert_eq!(back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), bits);
        }

        #[test]
        fn dict_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = dict_decode(&bytes);
        }
    }
}
