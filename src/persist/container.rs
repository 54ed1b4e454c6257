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
//! it hands out the payload. Inflation is bounded independently of what the file claims: a
//! declared decompressed length above [`MAX_INFLATION_RATIO`] times the compressed length
//! (with a floor of [`MIN_INFLATION_ALLOWANCE`]) or above [`MAX_INFLATED`] is refused before
//! anything is allocated, the output buffer is allocated fallibly ([`Error::Memory`]), and
//! inflation stops at the declared length. [`encode`] stores a payload uncompressed whenever
//! its compressed form would break these rules, so every file it writes reads back.
//! Anything wrong is an [`Error::Format`] saying what.

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

/// A compressed payload may declare at most this many times its stored length once
/// inflated (model payloads compress about 1.4x; DEFLATE itself reaches about 1032x).
pub const MAX_INFLATION_RATIO: u64 = 64;
/// Below this declared length the ratio rule does not apply (tiny payloads compress oddly).
pub const MIN_INFLATION_ALLOWANCE: u64 = 1 << 16;
/// No payload inflates beyond 4 GiB (larger payloads are stored uncompressed).
pub const MAX_INFLATED: u64 = 4 << 30;

/// Whether a compressed payload of `stored` bytes may inflate to `raw` bytes.
fn inflation_allowed(stored: u64, raw: u64) -> bool {
    raw <= MAX_INFLATED && raw <= stored.saturating_mul(MAX_INFLATION_RATIO).max(MIN_INFLATION_ALLOWANCE)
}

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
/// DEFLATE-compressed payload (stored uncompressed instead when the compressed form would
/// inflate beyond what [`split`] accepts).
pub fn encode(kind: Kind, metadata: &str, payload: &[u8], compress: bool) -> Result<Vec<u8>> {
    let raw = payload;
    let raw_len = raw.len() as u64;
    let packed = if compress && raw_len <= MAX_INFLATED {
        Some(miniz_oxide::deflate::compress_to_vec(raw, DEFLATE_LEVEL))
            .filter(|p| inflation_allowed(p.len() as u64, raw_len))
    } else {
        None
    };
    let compress = packed.is_some();
    let body: &[u8] = packed.as_deref().unwrap_or(raw);
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
        Some(n) => Cow::Owned(inflate(payload, n)?),
    };
    Ok((Header { format_version, kind, topictag_version, metadata }, payload))
}

/// Inflate the DEFLATE stream `packed`, which must hold exactly `declared` bytes and nothing
/// after its end. The declared length is checked against the stored one first (see the
/// module notes); the output buffer is allocated once, fallibly, and never grows.
fn inflate(packed: &[u8], declared: u64) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    if !inflation_allowed(packed.len() as u64, declared) {
        return Err(Error::format(format!(
            "corrupted topictag file: a {}-byte compressed payload claims to inflate to {declared} \
             bytes (at most {MAX_INFLATION_RATIO} times its size, {MAX_INFLATED} bytes in all, \
             are allowed)",
            packed.len()
        )));
    }
    let n = usize::try_from(declared)
        .map_err(|_| Error::memory::<u8>("the decompressed model payload", usize::MAX))?;
    let mut out = crate::error::try_filled(n, 0u8, "the decompressed model payload")?;
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, consumed, written) = decompress(&mut state, packed, &mut out, 0, flags);
    let fail = |what: String| Err(Error::format(format!("corrupted topictag file: {what}")));
    match status {
        TINFLStatus::Done if written == n && consumed == packed.len() => Ok(out),
        TINFLStatus::Done if written != n => {
            fail(format!("the payload inflates to {written} bytes, not the declared {n}"))
        }
        TINFLStatus::Done => fail(format!(
            "{} unexpected bytes after the end of the compressed payload",
            packed.len() - consumed
        )),
        TINFLStatus::HasMoreOutput => {
            fail(format!("the payload inflates to more than the declared {n} bytes"))
        }
        s => fail(format!("the compressed payload does not inflate ({s:?})")),
    }
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

    /// A file image with a hand-made compressed payload: `body` stored, `declared` claimed.
    fn forged(body: &[u8], declared: u64) -> Vec<u8> {
        let mut out = encode(Kind::CountVectorizer, "{}", b"", false).unwrap();
        out.truncate(out.len() - 4 - 8); // drop the payload length and the checksum
        out[11] = FLAG_DEFLATE;
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
        out.extend_from_slice(&declared.to_le_bytes());
        out.extend_from_slice(body);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    #[test]
    fn inflation_is_capped_independently_of_the_claim() {
        let zeros = vec![0u8; 1 << 20];
        let bomb = miniz_oxide::deflate::compress_to_vec(&zeros, 1);
        assert!(bomb.len() * 64 < zeros.len(), "{}", bomb.len());
        // the true length, but beyond 64x the stored length: refused before inflating
        let e = split(&forged(&bomb, zeros.len() as u64)).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains("claims to inflate to 1048576 bytes"), "{e}");
        // absurd claims (2^40, u64::MAX) are refused the same way, without allocating
        for claim in [1u64 << 40, u64::MAX] {
            let e = split(&forged(&bomb, claim)).unwrap_err();
            assert!(e.to_string().contains("claims to inflate"), "{e}");
        }
        // a claim within the ratio but shorter than the stream: inflation stops there
        let small = vec![7u8; 40_000];
        let packed = miniz_oxide::deflate::compress_to_vec(&small, 1);
        let e = split(&forged(&packed, 30_000)).unwrap_err();
        assert!(e.to_string().contains("more than the declared 30000"), "{e}");
        let e = split(&forged(&packed, 50_000)).unwrap_err();
        assert!(e.to_string().contains("inflates to 40000 bytes, not the declared 50000"), "{e}");
        assert_eq!(&split(&forged(&packed, 40_000)).unwrap().1[..], &small[..]);
        // bytes after the end of the DEFLATE stream
        let mut trailing = packed.clone();
        trailing.extend_from_slice(&[0; 9]);
        let e = split(&forged(&trailing, 40_000)).unwrap_err();
        assert!(e.to_string().contains("9 unexpected bytes after the end of the compressed payload"), "{e}");
        // the writer never produces what the reader refuses: such a payload is stored raw
        let b = encode(Kind::CountVectorizer, "{}", &zeros, true).unwrap();
        assert_eq!(b[11], 0);
        assert_eq!(split(&b).unwrap().1.len(), zeros.len());
        assert!(inflation_allowed(10, MIN_INFLATION_ALLOWANCE) && !inflation_allowed(10, MIN_INFLATION_ALLOWANCE + 1));
        assert!(!inflation_allowed(u64::MAX, MAX_INFLATED + 1));
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
