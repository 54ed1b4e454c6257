//! Text handling: normalisation ([`normalize`]), tokenisation ([`tokenize`]), built-in stop
//! words ([`stopwords`]), string interning ([`intern`]) and the analyzer that turns a document
//! into features ([`analyzer`]), with scikit-learn's semantics plus Snowball stemming
//! (rust-stemmers) and language detection (whatlang).

mod analyzer;
mod config;
pub mod intern;
mod normalize;
mod spans;
mod stopwords;
mod term_cache;
mod tokenize;

pub use analyzer::{word_ngrams, Analyzer, CharScratch};
pub use config::{AnalyzerConfig, AnalyzerKind, StopWordsSpec};
pub use term_cache::TermCache;
