//! Text handling: normalisation ([`normalize`]), tokenisation ([`tokenize`]), built-in stop
//! words ([`stopwords`]), string interning ([`intern`]) and the analyzer that turns a document
//! into features ([`analyzer`]), with scikit-learn's semantics plus Snowball stemming
//! (rust-stemmers) and language detection (whatlang).

mod analyzer;
mod config;
pub mod intern;
mod normalize;
pub mod segment;
mod spans;
mod stopwords;
pub mod surface;
mod term_cache;
mod tokenize;

pub use analyzer::{word_ngrams, Analyzer, CharScratch};
pub use config::{AnalyzerConfig, AnalyzerKind, StopWordsSpec};
pub use stopwords::{list as builtin_stop_list, BUILTIN_LANGUAGES};
pub use term_cache::{TermCache, TermMemo};
