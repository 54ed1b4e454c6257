//! The topictag model file: one documented binary container for every saved object
//! (vectorizers, classifiers, topic classifiers). Pickling uses the same bytes.
//!
//! Layout (all integers little-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `b"TOPICTAG"` |
//! | 8 | 2 | format version (u16), currently [`FORMAT_VERSION`] |
//! | 10 | 1 | object kind (u8, see [`Kind`]) |
//! | 11 | 1 | flags: bit 0 set = payload compressed with DEFLATE (RFC 1951); other bits 0 |
//! | 12 | 2 | length `v` of the topictag version string (u16) |
//! | 14 | v | topictag version that wrote the file (UTF-8) |
//! | 14+v | 4 | length `m` of the metadata (u32) |
//! | 18+v | m | metadata: UTF-8 JSON (the Python-side constructor parameters) |
//! | 18+v+m | 8 | length `p` of the stored payload (u64) |
//! | 26+v+m | 8 | only when compressed: length of the payload once decompressed (u64) |
//! | next | p | payload: the object's state, serialised with serde + postcard (then DEFLATE) |
//! | end - 4 | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! Reading never executes code: the payload is plain data decoded into known Rust types, and
//! it is decoded only after the length fields and the checksum agree (decompression is capped
//! at the declared length). Anything else is a [`Error::Format`] saying what is wrong.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Result};

pub const MAGIC: &[u8; 8] = b"TOPICTAG";
/// Version 3 (this one): linear classifiers store float32 weights in the compact forms
/// ([`crate::model::linear_file`]). Version 2: compact vocabulary, idf and weight encodings
/// (see [`crate::model::compact`]). Older versions are still read: version-1 payloads are
/// rewritten into the version-2 layouts by [`crate::model::compact::upgrade_v1`], and
/// version-1 and -2 linear classifiers into version 3 by
/// [`crate::model::linear_file::upgrade_v2`].
pub const FORMAT_VERSION: u16 = 3;

/// Flag bit: the payload is DEFLATE-compressed.
const FLAG_DEFLATE: u8 = 1;
/// DEFLATE level used by [`encode`]: level 1 keeps saving fast. Measured on the 20 Newsgroups
/// benchmark model (31.5 MB payload): level 1 gives 23.26 MB in 0.24 s, level 6 22.52 MB in
/// 2.3 s, level 9 22.46 MB in 4.8 s (AG News: level 6 is 7% smaller, 8x slower).
const DEFLATE_LEVEL: u8 = 1;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    CountVectorizer = 1,
    TfidfVectorizer = 2,
    HashingVectorizer = 3,
    LinearClassifier = 4,
    TopicClassifier = 5,
}

impl Kind {
    pub fn from_u8(v: u8) -> Option<Kind> {
        Some(match v {
            1 => Kind::CountVectorizer,
            2 => Kind::TfidfVectorizer,
            3 => Kind::HashingVectorizer,
            4 => Kind::LinearClassifier,
            5 => Kind::TopicClassifier,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::CountVectorizer => "CountVectorizer",
            Kind::TfidfVectorizer => "TfidfVectorizer",
            Kind::HashingVectorizer => "HashingVectorizer",
            Kind::LinearClassifier => "linear classifier",
            Kind::TopicClassifier => "TopicClassifier",
        }
    }
}

/// The parts of a file other than the payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    pub format_version: u16,
    pub kind: Kind,
    pub topictag_version: String,
    pub metadata: String,
}

/// Serialise `payload` into a complete file image, with a DEFLATE-compressed payload.
pub fn encode<P: Serialize>(kind: Kind, metadata: &str, payload: &P) -> Result<Vec<u8>> {
    encode_with(kind, metadata, payload, true)
}

/// Serialise `payload` into a complete file image; `compress` chooses a DEFLATE payload.
pub fn encode_with<P: Serialize>(
    kind: Kind,
    metadata: &str,
    payload: &P,
    compress: bool,
) -> Result<Vec<u8>> {
    let raw = postcard::to_allocvec(payload)
        .map_err(|e| Error::value(format!("could not serialise the {}: {e}", kind.name())))?;
    let raw_len = raw.len() as u64;
    let body = if compress {
        miniz_oxide::deflate::compress_to_vec(&raw, DEFLATE_LEVEL)
    } else {
        raw
    };
    let version = crate::VERSION.as_bytes();
    let mut out = Vec::with_capacity(body.len() + metadata.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(kind as u8);
    out.push(if compress { FLAG_DEFLATE } else { 0 });
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    let meta_len = u32::try_from(metadata.len())
        .map_err(|_| Error::value("metadata larger than 4 GiB"))?;
    out.extend_from_slice(&meta_len.to_le_bytes());
    out.extend_from_slice(metadata.as_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    if compress {
        out.extend_from_slice(&raw_len.to_le_bytes());
    }
    out.extend_from_slice(&body);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.buf.len() - self.pos < n {
            return Err(Error::format(format!(
                "truncated topictag file: it ends inside the {what} (at byte {} of {})",
                self.buf.len(),
                self.pos.saturating_add(n)
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take(2, what)?.try_into().unwrap()))
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8, what)?.try_into().unwrap()))
    }
}

/// Check a file image and split it into its header and (decompressed) payload bytes.
pub fn split(bytes: &[u8]) -> Result<(Header, Cow<'_, [u8]>)> {
    if bytes.is_empty() {
        return Err(Error::format("empty file: not a topictag model"));
    }
    let mut r = Reader { buf: bytes, pos: 0 };
    let magic = r.take(MAGIC.len().min(bytes.len()), "magic bytes")?;
    if magic != &MAGIC[..magic.len()] {
        return Err(Error::format(
            "not a topictag model file (the magic bytes 'TOPICTAG' are missing)",
        ));
    }
    if magic.len() < MAGIC.len() {
        return Err(Error::format("truncated topictag file: it ends inside the magic bytes"));
    }
    let format_version = r.u16("format version")?;
    if format_version > FORMAT_VERSION {
        return Err(Error::format(format!(
            "this file uses topictag model format version {format_version}, newer than the \
             version {FORMAT_VERSION} this topictag {} reads; upgrade topictag to load it",
            crate::VERSION
        )));
    }
    if format_version == 0 {
        return Err(Error::format("corrupted topictag file: format version 0 does not exist"));
    }
    let kind_byte = r.take(1, "object kind")?[0];
    let flags = r.take(1, "flags")?[0];
    let vlen = r.u16("version string length")? as usize;
    let vbytes = r.take(vlen, "version string")?;
    let mlen = r.u32("metadata length")? as usize;
    let mbytes = r.take(mlen, "metadata")?;
    let plen = r.u64("payload length")?;
    let raw_len = if flags & FLAG_DEFLATE != 0 { Some(r.u64("decompressed length")?) } else { None };
    let remaining = (bytes.len() - r.pos) as u64;
    if remaining < plen.saturating_add(4) {
        return Err(Error::format(format!(
            "truncated topictag file: the payload should be {plen} bytes plus a 4-byte checksum, \
             but only {remaining} bytes follow"
        )));
    }
    if remaining > plen + 4 {
        return Err(Error::format(format!(
            "corrupted topictag file: {} unexpected bytes after the checksum",
            remaining - plen - 4
        )));
    }
    let payload = r.take(plen as usize, "payload")?;
    let stored = r.u32("checksum")?;
    let actual = crc32fast::hash(&bytes[..bytes.len() - 4]);
    if stored != actual {
        return Err(Error::format(format!(
            "corrupted topictag file: checksum mismatch (stored {stored:08x}, computed {actual:08x})"
        )));
    }
    if flags & !FLAG_DEFLATE != 0 {
        return Err(Error::format(format!(
            "unknown flags {flags:#04x} in a topictag file (written by a newer topictag?)"
        )));
    }
    let kind = Kind::from_u8(kind_byte).ok_or_else(|| {
        Error::format(format!(
            "unknown object kind {kind_byte} in a topictag file (written by a newer topictag?)"
        ))
    })?;
    let topictag_version = String::from_utf8(vbytes.to_vec())
        .map_err(|_| Error::format("corrupted topictag file: version string is not UTF-8"))?;
    let metadata = String::from_utf8(mbytes.to_vec())
        .map_err(|_| Error::format("corrupted topictag file: metadata is not UTF-8"))?;
    let payload = match raw_len {
        None => Cow::Borrowed(payload),
        Some(n) => {
            let limit = usize::try_from(n).map_err(|_| {
                Error::format("corrupted topictag file: impossible decompressed length")
            })?;
            let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(payload, limit)
                .map_err(|e| {
                    Error::format(format!(
                        "corrupted topictag file: the compressed payload does not inflate ({:?})",
                        e.status
                    ))
                })?;
            if raw.len() != limit {
                return Err(Error::format(format!(
                    "corrupted topictag file: the payload inflates to {} bytes, not the declared {limit}",
                    raw.len()
                )));
            }
            Cow::Owned(raw)
        }
    };
    Ok((Header { format_version, kind, topictag_version, metadata }, payload))
}

/// Read just the header (checks the whole file, including the checksum).
pub fn peek(bytes: &[u8]) -> Result<Header> {
    split(bytes).map(|(h, _)| h)
}

/// Check a file image and decode its payload, which must be of kind `expected`.
pub fn decode<P: DeserializeOwned>(bytes: &[u8], expected: Kind) -> Result<(Header, P)> {
    let (header, payload) = split(bytes)?;
    if header.kind != expected {
        return Err(Error::format(format!(
            "this file holds a {}, not a {}",
            header.kind.name(),
            expected.name()
        )));
    }
    let payload = if header.format_version < 2 {
        Cow::Owned(crate::model::compact::upgrade_v1(header.kind, &payload)?)
    } else {
        payload
    };
    let payload = if header.format_version < 3 && header.kind == Kind::LinearClassifier {
        Cow::Owned(crate::model::linear_file::upgrade_v2(&payload)?)
    } else {
        payload
    };
    crate::model::compact::check_payload(header.kind, &payload)?;
    let value = postcard::from_bytes(&payload).map_err(|e| {
        Error::format(format!(
            "corrupted topictag file: the {} payload does not decode ({e})",
            expected.name()
        ))
    })?;
    Ok((header, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let payload: (Vec<String>, Vec<f32>) = (vec!["peace".into(), "talks".into()], vec![0.5, -1.25]);
        encode(Kind::TfidfVectorizer, r#"{"ngram_range":[1,2]}"#, &payload).unwrap()
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let (h, p): (Header, (Vec<String>, Vec<f32>)) = decode(&bytes, Kind::TfidfVectorizer).unwrap();
        assert_eq!(h.kind, Kind::TfidfVectorizer);
        assert_eq!(h.format_version, FORMAT_VERSION);
        assert_eq!(h.topictag_version, crate::VERSION);
        assert_eq!(h.metadata, r#"{"ngram_range":[1,2]}"#);
        assert_eq!(p.0, vec!["peace", "talks"]);
        assert_eq!(p.1, vec![0.5, -1.25]);
    }

    #[test]
    fn uncompressed_round_trip_and_compression_shrinks() {
        let payload: Vec<String> = (0..2000).map(|i| format!("ceasefire term {i}")).collect();
        let plain = encode_with(Kind::CountVectorizer, "{}", &payload, false).unwrap();
        let packed = encode(Kind::CountVectorizer, "{}", &payload).unwrap();
        assert!(packed.len() * 2 < plain.len(), "{} vs {}", packed.len(), plain.len());
        for b in [&plain, &packed] {
            let (_, back): (Header, Vec<String>) = decode(b, Kind::CountVectorizer).unwrap();
            assert_eq!(back, payload);
        }
        let mut b = plain.clone();
        b[11] = 0x80; // unknown flag
        let n = b.len();
        let crc = crc32fast::hash(&b[..n - 4]);
        b[n - 4..].copy_from_slice(&crc.to_le_bytes());
        assert!(split(&b).unwrap_err().to_string().contains("unknown flags"));
    }

    #[test]
    fn every_truncation_is_a_format_error() {
        let bytes = sample();
        for n in 0..bytes.len() {
            let e = decode::<(Vec<String>, Vec<f32>)>(&bytes[..n], Kind::TfidfVectorizer).unwrap_err();
            assert!(matches!(e, Error::Format(_)), "cut at {n}: {e:?}");
        }
    }

    #[test]
    fn every_flipped_byte_is_a_format_error() {
        let bytes = sample();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            let r = decode::<(Vec<String>, Vec<f32>)>(&b, Kind::TfidfVectorizer);
            assert!(matches!(r, Err(Error::Format(_))), "flip at {i}");
        }
    }

    #[test]
    fn foreign_newer_and_wrong_kind() {
        let e = split(b"\x80\x04\x95 pickle data").unwrap_err().to_string();
        assert!(e.contains("not a topictag model"), "{e}");
        let mut b = sample();
        b[8] = 9; // format version 9
        let e = split(&b).unwrap_err().to_string();
        assert!(e.contains("newer"), "{e}");
        let e = decode::<(Vec<String>, Vec<f32>)>(&sample(), Kind::TopicClassifier).unwrap_err();
        assert!(e.to_string().contains("not a TopicClassifier"), "{e}");
        assert!(split(b"").unwrap_err().to_string().contains("empty"));
    }
}
