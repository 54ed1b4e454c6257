//! The container around every saved object (documented in `docs/model-format.md`).
//!
//! Layout (all integers little-endian):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `b"TOPICTAG"` |
//! | 8 | 2 | format version (u16), [`FORMAT_VERSION`] |
//! | 10 | 1 | object kind (u8, see [`Kind`]) |
//! | 11 | 1 | flags: bit 0 set = payload compressed with DEFLATE (RFC 1951); other bits 0 |
//! | 12 | 2 | length `v` of the topictag version string (u16) |
//! | 14 | v | topictag version that wrote the file (UTF-8) |
//! | 14+v | 4 | length `m` of the metadata (u32) |
//! | 18+v | m | metadata: UTF-8 JSON (the Python-side constructor parameters) |
//! | 18+v+m | 8 | length `p` of the stored payload (u64) |
//! | 26+v+m | 8 | only when compressed: length of the payload once decompressed (u64) |
//! | next | p | payload: the object's own encoding ([`super::Persist`]), then DEFLATE |
//! | end - 4 | 4 | CRC-32 (IEEE) of every byte before it |
//!
//! [`split`] checks the header field by field and the whole file against the checksum before
//! it hands out the payload (decompression is capped at the declared length). Anything wrong
//! is an [`Error::Format`] saying what.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// The crate version, written into model files (informational; see [`Header`]).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub const MAGIC: &[u8; 8] = b"TOPICTAG";
/// The format version this build writes and the only one it reads. Version 1 is the first
/// with a compatibility promise (see `docs/model-format.md`).
pub const FORMAT_VERSION: u16 = 1;

/// Flag bit: the payload is DEFLATE-compressed.
const FLAG_DEFLATE: u8 = 1;
/// DEFLATE level used by [`encode`]: the fastest level (higher levels shrink model files by a
/// few percent at several times the cost; see `benchmarks/results/`).
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

/// A complete file image around `payload` (already encoded by its type); `compress` chooses a
/// DEFLATE-compressed payload.
pub fn encode(kind: Kind, metadata: &str, payload: &[u8], compress: bool) -> Result<Vec<u8>> {
    let raw = payload;
    let raw_len = raw.len() as u64;
    let packed;
    let body: &[u8] = if compress {
        packed = miniz_oxide::deflate::compress_to_vec(raw, DEFLATE_LEVEL);
        &packed
    } else {
        raw
    };
    let version = VERSION.as_bytes();
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
    out.extend_from_slice(body);
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
    if format_version != FORMAT_VERSION {
        return Err(Error::format(format!(
            "model file format version {format_version} is not supported by this topictag \
             (reads version {FORMAT_VERSION})"
        )));
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

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &[u8] = b"peace talks \x00\x01\x02 resumed";

    fn sample() -> Vec<u8> {
        encode(Kind::TfidfVectorizer, r#"{"ngram_range":[1,2]}"#, PAYLOAD, true).unwrap()
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let (h, p) = split(&bytes).unwrap();
        assert_eq!(h.kind, Kind::TfidfVectorizer);
        assert_eq!(h.format_version, FORMAT_VERSION);
        assert_eq!(&bytes[8..10], &[1, 0]);
        assert_eq!(h.topictag_version, VERSION);
        assert_eq!(h.metadata, r#"{"ngram_range":[1,2]}"#);
        assert_eq!(&p[..], PAYLOAD);
        assert_eq!(peek(&bytes).unwrap(), h);
    }

    #[test]
    fn uncompressed_round_trip_and_compression_shrinks() {
        let payload: Vec<u8> = (0..2000).flat_map(|i| format!("ceasefire term {i}").into_bytes()).collect();
        let plain = encode(Kind::CountVectorizer, "{}", &payload, false).unwrap();
        let packed = encode(Kind::CountVectorizer, "{}", &payload, true).unwrap();
        assert!(packed.len() * 2 < plain.len(), "{} vs {}", packed.len(), plain.len());
        for b in [&plain, &packed] {
            assert_eq!(&split(b).unwrap().1[..], &payload[..]);
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
            let e = split(&bytes[..n]).unwrap_err();
            assert!(matches!(e, Error::Format(_)), "cut at {n}: {e:?}");
        }
    }

    #[test]
    fn every_flipped_byte_is_a_format_error() {
        let bytes = sample();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x5a;
            assert!(matches!(split(&b), Err(Error::Format(_))), "flip at {i}");
        }
    }

    #[test]
    fn foreign_and_other_versions() {
        let e = split(b"\x80\x04\x95 pickle data").unwrap_err().to_string();
        assert!(e.contains("not a topictag model"), "{e}");
        assert!(split(b"").unwrap_err().to_string().contains("empty"));
        for v in [0u16, 2, 3, 9, u16::MAX] {
            let mut b = sample();
            b[8..10].copy_from_slice(&v.to_le_bytes());
            let e = split(&b).unwrap_err();
            assert!(matches!(e, Error::Format(_)));
            assert_eq!(
                e.to_string(),
                format!("model file format version {v} is not supported by this topictag (reads version 1)")
            );
        }
        let mut b = sample();
        b[10] = 77; // unknown kind (checksum fixed up)
        let n = b.len();
        let crc = crc32fast::hash(&b[..n - 4]);
        b[n - 4..].copy_from_slice(&crc.to_le_bytes());
        assert!(split(&b).unwrap_err().to_string().contains("unknown object kind 77"));
    }
}
