//! Arbitrary bytes -> lossy UTF-8 -> normalise + tokenise (+ stop words, stemming, n-grams)
//! with the English, Spanish and auto-detecting word analyzers and the char analyzers.
//! Must never panic or abort.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

// The one line to change if the analyzer moves in the restructuring.
use topictag::text::{Analyzer, AnalyzerConfig, StopWordsSpec};

fn analyzers() -> &'static [Analyzer] {
    static A: OnceLock<Vec<Analyzer>> = OnceLock::new();
    A.get_or_init(|| {
        let word = |lang: &str, tokenizer: Option<&str>| AnalyzerConfig {
            ngram_range: (1, 2),
            strip_accents: Some("unicode".into()),
            normalization: Some("nfkc".into()),
            stop_words: Some(StopWordsSpec::Named(lang.into())),
            stemmer: Some(lang.into()),
            language: (lang == "auto").then(|| "auto".into()),
            tokenizer: tokenizer.map(Into::into),
            ..AnalyzerConfig::default()
        };
        let chars = |analyzer: &str| AnalyzerConfig {
            analyzer: analyzer.into(),
            ngram_range: (2, 4),
            strip_accents: Some("ascii".into()),
            normalization: Some("nfc".into()),
            ..AnalyzerConfig::default()
        };
        [
            word("english", None),
            word("spanish", None),
            word("auto", Some("unicode")),
            chars("char"),
            chars("char_wb"),
        ]
        .iter()
        .map(|c| Analyzer::new(c).expect("a valid analyzer config"))
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for an in analyzers() {
        let _ = an.analyze(&text);
        let _ = an.analyze_spans(&text);
    }
});
