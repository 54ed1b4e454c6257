//! The topictag model file: one documented binary container for every saved object
//! (vectorizers, linear classifiers, topic classifiers; `docs/model-format.md`). `save()`,
//! `to_bytes()` and pickling all produce the same bytes.
//!
//! - [`container`]: magic, format version, kind, metadata JSON, payload, CRC-32, DEFLATE;
//! - [`codec`]: compact encodings of term lists and `f64` dictionaries (the weight tables
//!   encode themselves, `linear::weights`).
//!
//! Each saved type implements [`Persist`] beside its definition (`vectorize::persist`,
//! `linear::persist`, `pipeline::persist`): it encodes and decodes its own payload, and
//! checks on decoding everything its methods later rely on. [`save`] and [`load`] wrap that
//! payload in the container. This module depends on nothing above it.
//!
//! Reading never executes code: the payload is plain data decoded into known Rust types, and
//! it is decoded only after the header fields and the checksum agree.

pub mod codec;
pub mod container;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use container::{peek, Header, Kind, FORMAT_VERSION, VERSION};

use crate::error::{Error, Result};

/// A type saved in the model file. Implementations define the payload layout of their kind
/// (documented in `docs/model-format.md`); a layout change is a format version change.
pub trait Persist: Sized {
    /// The kind byte of the files holding this type.
    const KIND: Kind;
    /// The payload bytes (before DEFLATE).
    fn encode_payload(&self) -> Result<Vec<u8>>;
    /// The value from payload bytes; anything inconsistent is an [`Error::Format`].
    fn decode_payload(bytes: &[u8]) -> Result<Self>;
}

/// The complete file image of `value`, with `metadata` (JSON) in its header and a
/// DEFLATE-compressed payload.
pub fn save<T: Persist>(value: &T, metadata: &str) -> Result<Vec<u8>> {
    container::encode(T::KIND, metadata, &value.encode_payload()?, true)
}

/// Check a file image, which must hold a `T`, and decode it.
pub fn load<T: Persist>(bytes: &[u8]) -> Result<(Header, T)> {
    let (header, payload) = container::split(bytes)?;
    if header.kind != T::KIND {
        return Err(Error::format(format!(
            "this file holds a {}, not a {}",
            header.kind.name(),
            T::KIND.name()
        )));
    }
    let value = T::decode_payload(&payload)?;
    Ok((header, value))
}

/// `value` as postcard bytes (for [`Persist::encode_payload`] of serde types).
pub fn to_postcard<P: Serialize>(value: &P, kind: Kind) -> Result<Vec<u8>> {
    postcard::to_allocvec(value)
        .map_err(|e| Error::value(format!("could not serialise the {}: {e}", kind.name())))
}

thread_local! {
    /// The error behind the last [`de_error`] on this thread: postcard keeps only its own
    /// error codes, so a checked decoder inside a payload (the vocabulary, the idf, the
    /// weights) leaves its message here for [`from_postcard`].
    static DECODE_ERROR: std::cell::RefCell<Option<Error>> = const { std::cell::RefCell::new(None) };
}

/// A serde error for a check that failed while decoding a payload, keeping `e` (its message,
/// and whether it is a [`Error::Memory`]) for [`from_postcard`].
pub fn de_error<E: serde::de::Error>(e: Error) -> E {
    let msg = e.to_string();
    DECODE_ERROR.with(|d| *d.borrow_mut() = Some(e));
    E::custom(msg)
}

/// Postcard bytes as a `P` (for [`Persist::decode_payload`] of serde types). The value must
/// use every byte: anything after it is an error.
pub fn from_postcard<P: DeserializeOwned>(bytes: &[u8], kind: Kind) -> Result<P> {
    DECODE_ERROR.with(|d| d.borrow_mut().take());
    match postcard::take_from_bytes(bytes) {
        Ok((v, [])) => Ok(v),
        Ok((_, rest)) => Err(corrupted(&format!(
            "{} unexpected bytes after the end of the {} payload",
            rest.len(),
            kind.name()
        ))),
        Err(e) => Err(match DECODE_ERROR.with(|d| d.borrow_mut().take()) {
            Some(Error::Format(m)) => Error::format(format!("{m} (in the {} payload)", kind.name())),
            Some(other) => other,
            None => corrupted(&format!("the {} payload does not decode ({e})", kind.name())),
        }),
    }
}

/// A [`Error::Format`] for a file whose payload decodes but does not hold together.
pub fn corrupted(what: &str) -> Error {
    Error::format(format!("corrupted topictag file: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in saved type: a list of terms.
    #[derive(Debug, PartialEq)]
    struct Terms(Vec<String>);

    impl Persist for Terms {
        const KIND: Kind = Kind::CountVectorizer;
        fn encode_payload(&self) -> Result<Vec<u8>> {
            to_postcard(&self.0, Self::KIND)
        }
        fn decode_payload(bytes: &[u8]) -> Result<Self> {
            let t: Vec<String> = from_postcard(bytes, Self::KIND)?;
            if t.iter().any(|s| s.is_empty()) {
                return Err(corrupted("an empty term"));
            }
            Ok(Terms(t))
        }
    }

    struct Other;

    impl Persist for Other {
        const KIND: Kind = Kind::TopicClassifier;
        fn encode_payload(&self) -> Result<Vec<u8>> {
            Ok(Vec::new())
        }
        fn decode_payload(_: &[u8]) -> Result<Self> {
            Ok(Other)
        }
    }

    #[test]
    fn save_load_and_wrong_kind() {
        let t = Terms(vec!["peace".into(), "talks".into()]);
        let bytes = save(&t, "{}").unwrap();
        let (h, back) = load::<Terms>(&bytes).unwrap();
        assert_eq!((h.kind, h.format_version, h.metadata.as_str()), (Kind::CountVectorizer, 1, "{}"));
        assert_eq!(back, t);
        let e = load::<Other>(&bytes).err().unwrap().to_string();
        assert_eq!(e, "this file holds a CountVectorizer, not a TopicClassifier");
        let bad = save(&Terms(vec![String::new()]), "{}").unwrap();
        assert!(matches!(load::<Terms>(&bad), Err(Error::Format(_))));
        let junk = container::encode(Kind::CountVectorizer, "{}", &[0xff, 0xff], true).unwrap();
        let e = load::<Terms>(&junk).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains("CountVectorizer payload does not decode"));
        // bytes after the value
        let mut payload = Terms(vec!["peace".into()]).encode_payload().unwrap();
        payload.extend_from_slice(&[0; 5]);
        let padded = container::encode(Kind::CountVectorizer, "{}", &payload, true).unwrap();
        let e = load::<Terms>(&padded).unwrap_err().to_string();
        assert_eq!(e, "corrupted topictag file: 5 unexpected bytes after the end of the CountVectorizer payload");
    }
}
