//! Count, TF-IDF and hashing vectorizers with scikit-learn's semantics (see
//! `sklearn/feature_extraction/text.py`), computed in parallel.
//!
//! The files follow the data (each uses only the ones listed before it):
//! - [`config`]: the parameters (`Norm`, `DfBound`, `FixedVocabulary`, the configs);
//! - [`chunks`]: documents cut into chunks for the parallel passes;
//! - [`index`]: lookup tables over a vocabulary (string-keyed and integer-keyed);
//! - [`weight`]: tf, idf and row norms, and the matrices built from weighted rows;
//! - [`count`]: fit's tokenize-count pass, per chunk;
//! - [`vocab`]: the chunks' features merged, pruned and ordered into columns;
//! - [`fit`]: count -> vocabulary -> matrix;
//! - [`df_counts`]: document frequencies counted batch by batch and merged (streaming,
//!   `partial_fit` and distributed fits);
//! - [`transform`]: new documents against a fitted vocabulary;
//! - [`segmented`]: documents and their segments in one transform pass;
//! - [`hashing`]: hashed features (no vocabulary);
//! - the estimators: [`count_vectorizer`], [`tfidf_vectorizer`], [`hashing_vectorizer`];
//! - [`persist`]: their payloads in the model file.

mod chunks;
mod config;
mod count;
mod count_vectorizer;
mod df_counts;
mod fit;
mod hashing;
mod hashing_vectorizer;
mod index;
mod persist;
mod segmented;
mod tfidf_vectorizer;
mod transform;
mod vocab;
mod weight;
#[cfg(test)]
mod testdata;

pub use crate::text::{AnalyzerConfig, StopWordsSpec};
pub use config::{DfBound, FixedVocabulary, HashingConfig, Norm, TfidfConfig, VectorizerConfig};
pub use count_vectorizer::CountVectorizer;
pub use df_counts::DfCounts;
pub use hashing_vectorizer::HashingVectorizer;
pub use tfidf_vectorizer::TfidfVectorizer;
