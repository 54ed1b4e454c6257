//! Text handling: normalisation ([`normalize`]), tokenisation ([`tokenize`]), built-in stop
//! words ([`stopwords`]), string interning ([`intern`]) and the analyzer that turns a document
//! into features ([`analyzer`]), with scikit-learn's semantics plus Snowball stemming
//! (rust-stemmers) and language detection (whatlang).

pub mod analyzer;
pub mod intern;
pub mod normalize;
pub mod segment;
pub mod stopwords;
pub mod surface;
pub mod tokenize;

pub use analyzer::{Analyzer, AnalyzerConfig, AnalyzerKind, StopWordsSpec};
