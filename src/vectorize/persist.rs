//! The vectorizers in the model file ([`Persist`]). Each payload is the vectorizer's serde
//! form in postcard: `CountVectorizer` as `config`, `vocabulary` (front-coded,
//! [`crate::persist::codec::vocabulary`]), `fixed`; `TfidfVectorizer` as `config`, `count`
//! (that `CountVectorizer` layout), `idf` (dictionary-coded, [`crate::persist::codec::idf`]);
//! `HashingVectorizer` as `config`. Decoding checks what serde cannot: that the
//! configuration is one the constructor accepts, that the vocabulary's terms are unique (and
//! sorted, for a learned one: fitting sorts them), and that a TF-IDF vectorizer has one
//! finite idf value per term (the weighting indexes idf by column).

use std::collections::HashSet;

use super::{CountVectorizer, HashingVectorizer, TfidfVectorizer};
use crate::error::{Error, Result};
use crate::persist::{corrupted, from_postcard, to_postcard, Kind, Persist};

/// `Persist` for a vectorizer whose payload is its serde form, checked by its
/// `check_decoded`.
macro_rules! persist_checked_serde_form {
    ($($ty:ty, $kind:expr;)*) => {$(
        impl Persist for $ty {
            const KIND: Kind = $kind;
            fn encode_payload(&self) -> Result<Vec<u8>> {
                to_postcard(self, Self::KIND)
            }
            fn decode_payload(bytes: &[u8]) -> Result<Self> {
                let v: $ty = from_postcard(bytes, Self::KIND)?;
                v.check_decoded()?;
                Ok(v)
            }
        }
    )*};
}

persist_checked_serde_form! {
    CountVectorizer, Kind::CountVectorizer;
    HashingVectorizer, Kind::HashingVectorizer;
    TfidfVectorizer, Kind::TfidfVectorizer;
}

/// A configuration the constructor rejects, as a format error.
fn bad_config(e: Error) -> Error {
    match e {
        Error::Memory(_) => e,
        e => corrupted(&format!("the vectorizer's parameters are not valid ({e})")),
    }
}

impl CountVectorizer {
    /// The checks of [`Persist::decode_payload`]: a valid configuration, unique terms, sorted
    /// unless the vocabulary was given.
    pub(crate) fn check_decoded(&self) -> Result<()> {
        CountVectorizer::new(self.config().clone()).map_err(bad_config)?;
        let Some(terms) = &self.vocabulary else { return Ok(()) };
        if self.fixed_vocabulary() {
            let mut seen = HashSet::with_capacity(terms.len());
            if let Some(t) = terms.iter().find(|t| !seen.insert(t.as_str())) {
                return Err(corrupted(&format!("the vocabulary holds the term {t:?} twice")));
            }
        } else if let Some(w) = terms.windows(2).find(|w| w[0] >= w[1]) {
            return Err(corrupted(&if w[0] == w[1] {
                format!("the vocabulary holds the term {:?} twice", w[0])
            } else {
                format!("the learned vocabulary is not sorted ({:?} before {:?})", w[0], w[1])
            }));
        }
        Ok(())
    }
}

impl HashingVectorizer {
    /// The checks of [`Persist::decode_payload`]: a valid configuration.
    pub(crate) fn check_decoded(&self) -> Result<()> {
        HashingVectorizer::new(self.config().clone()).map(drop).map_err(bad_config)
    }
}

impl TfidfVectorizer {
    /// The checks of [`Persist::decode_payload`], for payloads that embed a vectorizer: those
    /// of the CountVectorizer inside, a valid configuration, one finite idf value per term.
    pub(crate) fn check_decoded(&self) -> Result<()> {
        TfidfVectorizer::new(self.config().clone()).map_err(bad_config)?;
        self.count.check_decoded()?;
        if let Some(idf) = &self.idf {
            if let Some((j, v)) = idf.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(corrupted(&format!("idf value {j} is {v}, not a finite number")));
            }
        }
        match (&self.count.vocabulary, &self.idf) {
            (Some(terms), Some(idf)) if terms.len() != idf.len() => Err(corrupted(&format!(
                "the vectorizer has {} terms but {} idf values",
                terms.len(),
                idf.len()
            ))),
            (None, Some(_)) => Err(corrupted("idf values without a vocabulary")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::persist::{load, save};
    use crate::sparse::CsrMatrix;
    use crate::vectorize::{FixedVocabulary, HashingConfig, TfidfConfig};

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

    fn reject(t: &TfidfVectorizer, what: &str) {
        let e = load::<TfidfVectorizer>(&save(t, "{}").unwrap()).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains(what), "{e}");
    }

    #[test]
    fn decoded_vectorizers_are_validated() {
        let mut t = fitted();
        t.idf.as_mut().unwrap()[1] = f64::NAN;
        reject(&t, "idf value 1 is NaN");
        let mut t = fitted();
        t.idf.as_mut().unwrap()[0] = f64::INFINITY;
        reject(&t, "idf value 0 is inf");
        let mut t = fitted();
        let v = t.count.vocabulary.as_mut().unwrap();
        v[2] = v[1].clone();
        reject(&t, "twice");
        let mut t = fitted();
        t.count.vocabulary.as_mut().unwrap().swap(0, 1);
        reject(&t, "not sorted");
        let mut t = fitted();
        t.count.vocabulary = None;
        reject(&t, "idf values without a vocabulary");
        // a fixed vocabulary keeps its order but must not repeat a term
        let mut cfg = TfidfConfig::default();
        cfg.count.vocabulary = Some(FixedVocabulary::Terms(vec!["talks".into(), "peace".into()]));
        let mut t = TfidfVectorizer::new(cfg).unwrap();
        t.fit(&DOCS, Some(1)).unwrap();
        assert!(load::<TfidfVectorizer>(&save(&t, "{}").unwrap()).is_ok());
        t.count.vocabulary.as_mut().unwrap()[1] = "talks".into();
        reject(&t, "the vocabulary holds the term \"talks\" twice");
        // parameters the constructor refuses
        let mut hv = HashingVectorizer::new(HashingConfig::default()).unwrap();
        hv.config.n_features = 0;
        let e = load::<HashingVectorizer>(&save(&hv, "{}").unwrap()).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains("n_features"), "{e}");
        let mut c = fitted().count;
        c.config.analyzer.ngram_range = (3, 1);
        let e = load::<CountVectorizer>(&save(&c, "{}").unwrap()).unwrap_err();
        assert!(matches!(e, Error::Format(_)) && e.to_string().contains("parameters are not valid"), "{e}");
    }

    #[test]
    fn every_truncation_is_a_format_error() {
        let bytes = save(&fitted(), "{}").unwrap();
        for n in 0..bytes.len() {
            assert!(matches!(load::<TfidfVectorizer>(&bytes[..n]), Err(Error::Format(_))), "cut at {n}");
        }
    }
}
