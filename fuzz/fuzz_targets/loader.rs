//! Arbitrary bytes -> the Rust decode of every kind of saved object. Must never panic, abort
//! or allocate more than the bytes justify: every failure is an `Err`.
//!
//! Each input is decoded twice: as given, and with its last 4 bytes replaced by the right
//! CRC-32, so that mutations get past the checksum and reach the payload decoders (the
//! checksum is otherwise an almost perfect wall for a fuzzer).
#![no_main]
use libfuzzer_sys::fuzz_target;

// The one line to change when the container moves (`topictag::persist` after the restructuring).
use topictag::model::format as container;
use container::Kind;

fn decode_every_kind(bytes: &[u8]) {
    let Ok(header) = container::peek(bytes) else { return };
    let _ = match header.kind {
        Kind::CountVectorizer => container::decode::<topictag::vectorize::CountVectorizer>(bytes, header.kind).map(drop),
        Kind::TfidfVectorizer => container::decode::<topictag::vectorize::TfidfVectorizer>(bytes, header.kind).map(drop),
        Kind::HashingVectorizer => container::decode::<topictag::vectorize::HashingVectorizer>(bytes, header.kind).map(drop),
        Kind::LinearClassifier => topictag::model::linear_file::decode(bytes).map(drop),
        Kind::TopicClassifier => topictag::model::topic::TopicModel::from_bytes(bytes).map(drop),
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
