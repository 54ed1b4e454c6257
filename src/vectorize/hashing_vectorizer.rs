//! [`HashingVectorizer`]: stateless hashed features (scikit-learn's `HashingVectorizer`).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::config::{compiled, HashingConfig};
use super::hashing::{feature_index_sign, hashing_transform};
use crate::error::{Error, Result};
use crate::parallel;
use crate::sparse::{CsrMatrix, Real};
use crate::text::Analyzer;

/// Stateless hashed features (scikit-learn's `HashingVectorizer`): signed 32-bit MurmurHash3
/// (seed 0) of each feature's UTF-8 bytes picks the column and, with `alternate_sign`, the sign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HashingVectorizer {
    pub(super) config: HashingConfig,
    #[serde(skip)]
    analyzer: OnceLock<Arc<Analyzer>>,
}

impl HashingVectorizer {
    /// Validate `config`.
    pub fn new(config: HashingConfig) -> Result<Self> {
        if config.n_features < 1 || config.n_features > i32::MAX as usize {
            return Err(Error::value(format!(
                "The 'n_features' parameter of HashingVectorizer must be an int in the range \
                 [1, 2147483647]. Got {} instead.",
                config.n_features
            )));
        }
        let analyzer = OnceLock::new();
        compiled(&analyzer, &config.analyzer)?;
        Ok(HashingVectorizer { config, analyzer })
    }

    /// The parameters.
    pub fn config(&self) -> &HashingConfig {
        &self.config
    }

    fn analyzer(&self) -> Result<Arc<Analyzer>> {
        compiled(&self.analyzer, &self.config.analyzer)
    }

    /// Nothing to learn; present for symmetry (parameters were validated by `new`).
    pub fn fit<S: AsRef<str> + Sync>(&mut self, _docs: &[S], _n_jobs: Option<i64>) -> Result<()> {
        Ok(())
    }

    /// The hashed feature matrix of `docs`.
    pub fn transform<T: Real, S: AsRef<str> + Sync>(
        &self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        let an = self.analyzer()?;
        let c = &self.config;
        parallel::install(n_jobs, || {
            hashing_transform(
                &an,
                c.n_features as u32,
                c.alternate_sign,
                c.binary,
                c.norm,
                docs,
            )
        })?
    }

    /// Same as [`HashingVectorizer::transform`].
    pub fn fit_transform<T: Real, S: AsRef<str> + Sync>(
        &mut self,
        docs: &[S],
        n_jobs: Option<i64>,
    ) -> Result<CsrMatrix<T>> {
        self.transform(docs, n_jobs)
    }

    /// Column and sign (`true` = +) of a feature string.
    pub fn column_of(&self, feature: &str) -> (usize, bool) {
        let (c, s) = feature_index_sign(feature, self.config.n_features as u32);
        (c as usize, s)
    }

    /// See [`CountVectorizer::analyze`].
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>> {
        Ok(self.analyzer()?.analyze(doc))
    }

    /// See [`CountVectorizer::analyze_spans`].
    pub fn analyze_spans(&self, doc: &str) -> Result<Vec<(String, Range<usize>)>> {
        Ok(self.analyzer()?.analyze_spans(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorize::testdata::docs;


    #[test]
    fn hashing_rows_normalised() {
        let d = docs();
        let h = HashingVectorizer::new(HashingConfig::default()).unwrap();
        let m: CsrMatrix<f64> = h.transform(&d, Some(2)).unwrap();
        let m1: CsrMatrix<f64> = h.transform(&d, Some(1)).unwrap();
        assert_eq!(m, m1);
        let (_, v) = m.row(0);
        let n: f64 = v.iter().map(|x| x * x).sum();
        assert!((n - 1.0).abs() < 1e-9);
    }
}
