//! The analyzer's parameters ([`AnalyzerConfig`], scikit-learn's names and defaults) and the
//! languages known to stop words, stemming and detection.

use serde::{Deserialize, Serialize};

use super::tokenize::DEFAULT_TOKEN_PATTERN;

/// `stop_words` as given: a name (`"english"`, `"spanish"`, `"auto"`) or a list (all known
/// language names -> the union of their lists; otherwise a list of words).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StopWordsSpec {
    Named(String),
    List(Vec<String>),
}

/// Analyzer parameters, with scikit-learn's names. `Default` equals scikit-learn's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// `"word"`, `"char"` or `"char_wb"`.
    pub analyzer: String,
    /// `(min_n, max_n)`, both >= 1, `min_n <= max_n`.
    pub ngram_range: (usize, usize),
    pub lowercase: bool,
    /// Regex for tokens (word analyzer); scikit-learn's default takes a hand-written fast path.
    pub token_pattern: Option<String>,
    /// `None` (use `token_pattern`) or `"unicode"` (UAX #29 words).
    pub tokenizer: Option<String>,
    /// `None`, `"unicode"` or `"ascii"`.
    pub strip_accents: Option<String>,
    /// `None`, `"nfc"` or `"nfkc"` (applied first; topictag extension).
    pub normalization: Option<String>,
    pub stop_words: Option<StopWordsSpec>,
    /// `None`, a Snowball language name (`"english"`, `"spanish"`, ...) or `"auto"`.
    pub stemmer: Option<String>,
    /// `None` or `"auto"` (detect each document's language among `languages`).
    pub language: Option<String>,
    /// Candidate languages for detection, and for `"auto"` without detection (the first).
    pub languages: Vec<String>,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            analyzer: "word".into(),
            ngram_range: (1, 1),
            lowercase: true,
            token_pattern: Some(DEFAULT_TOKEN_PATTERN.into()),
            tokenizer: None,
            strip_accents: None,
            normalization: None,
            stop_words: None,
            stemmer: None,
            language: None,
            languages: vec!["english".into(), "spanish".into()],
        }
    }
}

/// Which n-grams an analyzer produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalyzerKind {
    Word,
    Char,
    CharWb,
}

const LANGS: &[(&str, rust_stemmers::Algorithm, Option<whatlang::Lang>)] = {
    use rust_stemmers::Algorithm as A;
    use whatlang::Lang as L;
    &[
        ("arabic", A::Arabic, Some(L::Ara)),
        ("danish", A::Danish, Some(L::Dan)),
        ("dutch", A::Dutch, Some(L::Nld)),
        ("english", A::English, Some(L::Eng)),
        ("finnish", A::Finnish, Some(L::Fin)),
        ("french", A::French, Some(L::Fra)),
        ("german", A::German, Some(L::Deu)),
        ("greek", A::Greek, Some(L::Ell)),
        ("hungarian", A::Hungarian, Some(L::Hun)),
        ("italian", A::Italian, Some(L::Ita)),
        ("norwegian", A::Norwegian, Some(L::Nob)),
        ("portuguese", A::Portuguese, Some(L::Por)),
        ("romanian", A::Romanian, Some(L::Ron)),
        ("russian", A::Russian, Some(L::Rus)),
        ("spanish", A::Spanish, Some(L::Spa)),
        ("swedish", A::Swedish, Some(L::Swe)),
        ("tamil", A::Tamil, Some(L::Tam)),
        ("turkish", A::Turkish, Some(L::Tur)),
    ]
};

pub(super) fn lang_entry(name: &str) -> Option<&'static (&'static str, rust_stemmers::Algorithm, Option<whatlang::Lang>)> {
    let lower = name.to_ascii_lowercase();
    LANGS.iter().find(|e| e.0 == lower)
}

pub(super) fn known_langs() -> String {
    LANGS.iter().map(|e| e.0).collect::<Vec<_>>().join(", ")
}
