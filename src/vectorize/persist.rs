//! The vectorizers in the model file ([`Persist`]). Each payload is the vectorizer's serde
//! form in postcard: `CountVectorizer` as `config`, `vocabulary` (front-coded,
//! [`crate::persist::codec::vocabulary`]), `fixed`; `TfidfVectorizer` as `config`, `count`
//! (that `CountVectorizer` layout), `idf` (dictionary-coded, [`crate::persist::codec::idf`]);
//! `HashingVectorizer` as `config`. Decoding checks what serde cannot: that a TF-IDF
//! vectorizer has one idf value per term (the weighting indexes idf by column).

use super::{CountVectorizer, HashingVectorizer, TfidfVectorizer};
use crate::error::Result;
use crate::persist::{corrupted, from_postcard, to_postcard, Kind, Persist};

impl Persist for CountVectorizer {
    const KIND: Kind = Kind::CountVectorizer;
    fn encode_payload(&self) -> Result<Vec<u8>> {
        to_postcard(self, Self::KIND)
    }
    fn decode_payload(bytes: &[u8]) -> Result<Self> {
        from_postcard(bytes, Self::KIND)
    }
}

impl Persist for TfidfVectorizer {
    const KIND: Kind = Kind::TfidfVectorizer;
    fn encode_payload(&self) -> Result<Vec<u8>> {
        to_postcard(self, Self::KIND)
    }
    fn decode_payload(bytes: &[u8]) -> Result<Self> {
        let v: TfidfVectorizer = from_postcard(bytes, Self::KIND)?;
        v.check_decoded()?;
        Ok(v)
    }
}

impl TfidfVectorizer {
    /// The checks of [`Persist::decode_payload`], for payloads that embed a vectorizer.
    pub(crate) fn check_decoded(&self) -> Result<()> {
        if let (Some(terms), Some(idf)) = (&self.count.vocabulary, &self.idf) {
            if terms.len() != idf.len() {
                return Err(corrupted(&format!(
                    "the vectorizer has {} terms but {} idf values",
                    terms.len(),
                    idf.len()
                )));
            }
        }
        Ok(())
    }
}

impl Persist for HashingVectorizer {
    const KIND: Kind = Kind::HashingVectorizer;
    fn encode_payload(&self) -> Result<Vec<u8>> {
        to_postcard(self, Self::KIND)
    }
    fn decode_payload(bytes: &[u8]) -> Result<Self> {
        from_postcard(bytes, Self::KIND)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::persist::{load, save};
    use crate::sparse::CsrMatrix;
    use crate::vectorize::{HashingConfig, TfidfConfig};

    const DOCS: [&str; 3] = ["peace talks in Genève", "talks stalled", "日本 peace"];

    fn fitted() -> TfidfVectorizer {
        let mut cfg = TfidfConfig::default();
        cfg.count.analyzer.ngram_range = (1, 2);
        let mut t = TfidfVectorizer::new(cfg).unwrap();
        t.fit(&DOCS, Some(1)).unwrap();
        t
    }

    #[test]
    fn round_trips() {
        let t = fitted();
        let (h, back) = load::<TfidfVectorizer>(&save(&t, "{}").unwrap()).unwrap();
        assert_eq!(h.kind, Kind::TfidfVectorizer);
        let (a, b): (CsrMatrix<f32>, CsrMatrix<f32>) =
            (t.transform(&DOCS, Some(1)).unwrap(), back.transform(&DOCS, Some(1)).unwrap());
        assert_eq!(a, b);
        let c = t.count.clone();
        let (_, back) = load::<CountVectorizer>(&save(&c, "{}").unwrap()).unwrap();
        assert_eq!(back.feature_names().unwrap(), c.feature_names().unwrap());
        let hv = HashingVectorizer::new(HashingConfig::default()).unwrap();
        let (_, back) = load::<HashingVectorizer>(&save(&hv, "{}").unwrap()).unwrap();
        assert_eq!(back.column_of("peace"), hv.column_of("peace"));
        // unfitted vectorizers save too
        let u = TfidfVectorizer::new(TfidfConfig::default()).unwrap();
        let (_, back) = load::<TfidfVectorizer>(&save(&u, "{}").unwrap()).unwrap();
        assert!(back.feature_names().is_err());
    }

    #[test]
    fn idf_and_vocabulary_must_agree() {
        let mut t = fitted();
        t.idf.as_mut().unwrap().pop();
        let bytes = save(&t, "{}").unwrap();
        let e = load::<TfidfVectorizer>(&bytes).unwrap_err();
        assert!(matches!(e, Error::Format(_)));
        assert!(e.to_string().contains("idf values"), "{e}");
    }

    #[test]
    fn every_truncation_is_a_format_error() {
        let bytes = save(&fitted(), "{}").unwrap();
        for n in 0..bytes.len() {
            assert!(matches!(load::<TfidfVectorizer>(&bytes[..n]), Err(Error::Format(_))), "cut at {n}");
        }
    }
}
