//! Arbitrary bytes -> the Rust decode of every kind of saved object. Must never panic, abort
//! or allocate more than the bytes justify: every failure is an `Err`.
//!
//! Each input is decoded twice: as given, and with its last 4 bytes replaced by the right
//! CRC-32, so that mutations get past the checksum and reach the payload decoders (the
//! checksum is otherwise an almost perfect wall for a fuzzer).
#![no_main]
use libfuzzer_sys::fuzz_target;

use topictag::persist::{load, peek, Kind};

fn decode_every_kind(bytes: &[u8]) {
    let Ok(header) = peek(bytes) else { return };
    let _ = match header.kind {
        Kind::CountVectorizer => load::<topictag::vectorize::CountVectorizer>(bytes).map(drop),
        Kind::TfidfVectorizer => load::<topictag::vectorize::TfidfVectorizer>(bytes).map(drop),
        Kind::HashingVectorizer => load::<topictag::vectorize::HashingVectorizer>(bytes).map(drop),
        Kind::LinearClassifier => load::<topictag::linear::LinearModel>(bytes).map(drop),
        Kind::TopicClassifier => load::<topictag::pipeline::TopicModel>(bytes).map(drop),
    };
}

fuzz_target!(|data: &[u8]| {
    decode_every_kind(data);
    if data.len() >= 4 {
        let mut fixed = data.to_vec();
        let n = fixed.len() - 4;
        let crc = crc32fast::hash(&fixed[..n]);
        fixed[n..].copy_from_slice(&crc.to_le_bytes());
        decode_every_kind(&fixed);
    }
});
