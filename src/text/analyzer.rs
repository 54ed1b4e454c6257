//! The analyzer: document -> features (word n-grams, char n-grams, char n-grams within word
//! boundaries), with scikit-learn's semantics plus stemming and language detection.
//!
//! Word pipeline per document:
//! 1. pick the document's language slot (`language="auto"`: whatlang detection on the first
//!    1,024 bytes, restricted to `languages`; undetected -> the first language);
//! 2. preprocess: normal form (`normalization`), `lowercase`, then `strip_accents` -- except that
//!    when the slot has a stemmer, accents are kept at this point;
//! 3. tokenise (default pattern fast path, a user regex, or UAX #29 words);
//! 4. drop stop words (the stop list went through the same preprocessing); with a stemmer the
//!    accent-stripped token is compared;
//! 5. with a stemmer: stem the token with its accents, then strip accents from the stem;
//! 6. form n-grams of the remaining terms joined by a space (scikit-learn's `_word_ngrams`).
//!
//! Char analyzers preprocess fully and follow `_char_ngrams` / `_char_wb_ngrams`; they ignore
//! stop words (as scikit-learn does).
//!
//! The parameters are in [`super::config`], the token caches in [`super::term_cache`], the
//! tokenisers (with the fused ASCII path's helpers) in [`super::tokenize`], and the features
//! with their byte spans in [`super::spans`].

use std::collections::HashSet;
use std::sync::Arc;

use super::config::{known_langs, lang_entry, AnalyzerConfig, AnalyzerKind, StopWordsSpec};
use super::intern::Interner;
use super::normalize::{
    collapse_whitespace_into, is_py_space, strip_accents, Normalization, Preprocess, StripAccents,
};
use super::stopwords;
use super::term_cache::{TermCache, Tok, STOP};
use super::tokenize::{pack_short, word_bitmap, Tokenizer};
use crate::error::{Error, Result};
use crate::ids::NOT_LOOKED_UP as UNSET;

/// Per-language settings.
#[derive(Clone, Debug)]
struct Slot {
    stop: Option<Arc<HashSet<String>>>,
    stemmer: Option<rust_stemmers::Algorithm>,
}

/// A compiled analyzer (see the module docs).
#[derive(Clone, Debug)]
pub struct Analyzer {
    pub kind: AnalyzerKind,
    pub min_n: usize,
    pub max_n: usize,
    pub(super) pre_full: Preprocess,
    pre_keep_accents: Preprocess,
    strip: Option<StripAccents>,
    pub(super) tokenizer: Tokenizer,
    slots: Vec<Slot>,
    detector: Option<(whatlang::Detector, Vec<whatlang::Lang>)>,
}

/// Reusable buffers for char analyzers.
#[derive(Default)]
pub struct CharScratch {
    pre: String,
    text: String,
    bounds: Vec<usize>,
}

impl CharScratch {
    pub fn new() -> Self {
        Self::default()
    }
}

/// An optional string parameter `name` parsed by `parse`; an unknown value is a ValueError
/// naming the parameter and the values it takes (`allowed`).
fn parse_option<T>(
    name: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> Result<Option<T>> {
    value
        .map(|s| {
            parse(s).ok_or_else(|| {
                Error::value(format!("{name}={s:?} is not supported; use {allowed}"))
            })
        })
        .transpose()
}

impl Analyzer {
    /// Validate `cfg` and compile it.
    pub fn new(cfg: &AnalyzerConfig) -> Result<Self> {
        let kind = match cfg.analyzer.as_str() {
            "word" => AnalyzerKind::Word,
            "char" => AnalyzerKind::Char,
            "char_wb" => AnalyzerKind::CharWb,
            other => {
                return Err(Error::value(format!(
                    "analyzer={other:?} is not supported; use 'word', 'char' or 'char_wb'"
                )))
            }
        };
        let (min_n, max_n) = cfg.ngram_range;
        if min_n < 1 || min_n > max_n {
            return Err(Error::value(format!(
                "Invalid value for ngram_range=({min_n}, {max_n}): need 1 <= min_n <= max_n \
                 (lower boundary larger than the upper boundary or below 1)"
            )));
        }
        let strip =
            parse_option("strip_accents", cfg.strip_accents.as_deref(), StripAccents::parse, "None, 'unicode' or 'ascii'")?;
        let normalization =
            parse_option("normalization", cfg.normalization.as_deref(), Normalization::parse, "None, 'nfc' or 'nfkc'")?;
        let pre_full = Preprocess { normalization, lowercase: cfg.lowercase, strip_accents: strip };
        let pre_keep_accents = Preprocess { strip_accents: None, ..pre_full };
        let tokenizer = if kind == AnalyzerKind::Word {
            Tokenizer::new(cfg.token_pattern.as_deref(), cfg.tokenizer.as_deref())?
        } else {
            Tokenizer::Runs(2)
        };

        if cfg.languages.is_empty() {
            return Err(Error::value("languages must name at least one language"));
        }
        let mut langs = Vec::new();
        for l in &cfg.languages {
            let e = lang_entry(l).ok_or_else(|| {
                Error::value(format!("unknown language {l:?} in languages; known: {}", known_langs()))
            })?;
            langs.push(e);
        }
        let detect = match cfg.language.as_deref() {
            None => false,
            Some("auto") => true,
            Some(other) => {
                return Err(Error::value(format!(
                    "language={other:?} is not supported; use None or 'auto'"
                )))
            }
        };
        let n_slots = if detect { langs.len() } else { 1 };

        let builtin = |name: &str| -> Result<&'static [&'static str]> {
            stopwords::builtin(&name.to_ascii_lowercase()).ok_or_else(|| {
                Error::value(format!(
                    "not a built-in stop list: {name:?}; built-in lists: {}, or 'auto'",
                    stopwords::BUILTIN_LANGUAGES.join(", ")
                ))
            })
        };
        let prep_set = |words: &mut dyn Iterator<Item = &str>| -> Arc<HashSet<String>> {
            Arc::new(words.map(|w| pre_full.apply(w)).collect())
        };
        let mut slots = Vec::with_capacity(n_slots);
        let mut shared_stop: Option<Arc<HashSet<String>>> = None;
        for si in 0..n_slots {
            let slot_lang = langs[si].0;
            let stop = match &cfg.stop_words {
                None => None,
                Some(StopWordsSpec::Named(name)) if name == "auto" => {
                    Some(prep_set(&mut builtin(slot_lang)?.iter().copied()))
                }
                Some(spec) => {
                    if shared_stop.is_none() {
                        shared_stop = Some(match spec {
                            StopWordsSpec::Named(name) => prep_set(&mut builtin(name)?.iter().copied()),
                            StopWordsSpec::List(items) => {
                                let all_langs = !items.is_empty()
                                    && items.iter().all(|w| {
                                        stopwords::builtin(&w.to_ascii_lowercase()).is_some()
                                    });
                                if all_langs {
                                    let mut words: Vec<&str> = Vec::new();
                                    for w in items {
                                        words.extend_from_slice(builtin(w)?);
                                    }
                                    prep_set(&mut words.into_iter())
                                } else {
                                    prep_set(&mut items.iter().map(|s| s.as_str()))
                                }
                            }
                        });
                    }
                    shared_stop.clone()
                }
            };
            let stemmer = match cfg.stemmer.as_deref() {
                None => None,
                Some("auto") => Some(langs[si].1),
                Some(name) => Some(
                    lang_entry(name)
                        .ok_or_else(|| {
                            Error::value(format!(
                                "stemmer={name:?} is not supported; use None, 'auto' or one of: {}",
                                known_langs()
                            ))
                        })?
                        .1,
                ),
            };
            slots.push(Slot { stop, stemmer });
        }
        if kind != AnalyzerKind::Word && cfg.stemmer.is_some() {
            return Err(Error::value("stemmer applies to analyzer='word' only"));
        }
        let detector = if detect {
            let wl: Vec<whatlang::Lang> = langs.iter().filter_map(|e| e.2).collect();
            Some((whatlang::Detector::with_allowlist(wl.clone()), wl))
        } else {
            None
        };
        Ok(Analyzer { kind, min_n, max_n, pre_full, pre_keep_accents, strip, tokenizer, slots, detector })
    }

    /// True when a unigram term may contain a space (a custom token pattern), so that it could
    /// equal an n-gram of other terms.
    pub fn terms_may_contain_space(&self) -> bool {
        self.kind == AnalyzerKind::Word && self.tokenizer.may_contain_space()
    }

    /// True when the terms of a text are the terms of its pieces in order, for a text cut
    /// only where a run of word chars cannot continue (at whitespace, or after or before an
    /// ASCII non-word char): a word analyzer with the run tokenizer (`\w` runs) and one
    /// language for every text. [`crate::vectorize`]'s segmented transform relies on it.
    pub fn terms_compose(&self) -> bool {
        self.kind == AnalyzerKind::Word
            && matches!(self.tokenizer, Tokenizer::Runs(_))
            && self.detector.is_none()
            && self.slots.len() == 1
    }

    /// The language slot of a document (index into `languages`; 0 without detection).
    pub fn slot_of(&self, doc: &str) -> usize {
        let Some((det, wl)) = &self.detector else { return 0 };
        let mut end = doc.len().min(1024);
        while !doc.is_char_boundary(end) {
            end -= 1;
        }
        match det.detect_lang(&doc[..end]) {
            Some(l) => wl.iter().position(|&x| x == l).unwrap_or(0),
            None => 0,
        }
    }

    pub(super) fn pre_for(&self, slot: usize) -> &Preprocess {
        if self.slots[slot].stemmer.is_some() {
            &self.pre_keep_accents
        } else {
            &self.pre_full
        }
    }

    /// The term of one raw token in a language slot: `None` for a stop word.
    pub fn term_of(&self, slot: usize, raw: &str) -> Option<String> {
        let s = &self.slots[slot];
        match s.stemmer {
            Some(alg) => {
                if let Some(stop) = &s.stop {
                    let hit = match self.strip {
                        Some(m) if !raw.is_ascii() => stop.contains(&strip_accents(raw, m)),
                        _ => stop.contains(raw),
                    };
                    if hit {
                        return None;
                    }
                }
                // Accent folding is on and a Spanish word ends in an unaccented "-ion": that is
                // (almost always) "-ión" typed without its accent ("negociacion"). Restore it so
                // that the Snowball suffixes "-ción"/"-ación" apply, as they do to the accented
                // and the plural ("-ciones") forms.
                let restored;
                let raw = if self.strip.is_some()
                    && alg == rust_stemmers::Algorithm::Spanish
                    && raw.len() > 4
                    && raw.ends_with("ion")
                {
                    restored = format!("{}ión", &raw[..raw.len() - 3]);
                    restored.as_str()
                } else {
                    raw
                };
                let stem = rust_stemmers::Stemmer::create(alg).stem(raw).into_owned();
                Some(match self.strip {
                    Some(m) if !stem.is_ascii() => strip_accents(&stem, m),
                    _ => stem,
                })
            }
            None => {
                if s.stop.as_ref().is_some_and(|st| st.contains(raw)) {
                    None
                } else {
                    Some(raw.to_string())
                }
            }
        }
    }

    /// The number of language slots (1 without language detection).
    pub fn n_slots(&self) -> usize {
        self.slots.len()
    }

    /// The unigram terms of `text`, stop words dropped, in order: analysed in language slot
    /// `slot`, or in the text's own slot when `None` (keyword matching, `pipeline::keywords`).
    pub fn word_tokens(&self, text: &str, slot: Option<usize>) -> Vec<String> {
        let slot = slot.unwrap_or_else(|| self.slot_of(text)).min(self.slots.len() - 1);
        let pre = self.pre_for(slot).apply(text);
        let mut out = Vec::new();
        self.tokenizer.for_each(&pre, |a, b| {
            if let Some(t) = self.term_of(slot, &pre[a..b]) {
                out.push(t);
            }
        });
        out
    }

    /// Word analyzer: the term ids (in `cache.terms`) of `doc`, stop words removed, in order.
    pub fn word_terms(&self, doc: &str, cache: &mut TermCache, out: &mut Vec<u32>) {
        self.word_terms_by(doc, cache, out, |terms, s| terms.intern(s).0)
    }

    /// [`Analyzer::word_terms`] with the ids given by `term_id(&mut cache.terms, term)`. Its
    /// answers are cached (short tokens and stemmed or stop-word-filtered tokens are asked
    /// about once; others may be asked again), so they must depend on the term only, be below
    /// `u32::MAX - 1` (the cache's marks for stop words and for tokens not yet looked up), and
    /// one cache must always be used with the same `term_id`. Transform passes a
    /// lookup in the fitted vocabulary, so that the tokens it meets are not interned.
    pub fn word_terms_by(
        &self,
        doc: &str,
        cache: &mut TermCache,
        out: &mut Vec<u32>,
        mut term_id: impl FnMut(&mut Interner, &str) -> u32,
    ) {
        out.clear();
        let slot = self.slot_of(doc);
        if cache.map.len() < self.slots.len() {
            cache.map.resize(self.slots.len(), Vec::new());
        }
        let mut text = std::mem::take(&mut cache.buf);
        let TermCache { raw, map, terms, short, toks, bits, .. } = cache;
        // The short-token cache maps tokens straight to terms: valid for one language slot.
        let use_short = self.slots.len() == 1;
        let map = &mut map[slot];
        // Without stemmer and stop words a token is its own term: intern it once, directly.
        let identity = self.slots[slot].stemmer.is_none() && self.slots[slot].stop.is_none();
        let mut on_token = |tok: &str| -> u32 {
            if identity {
                return term_id(terms, tok);
            }
            let (rid, _) = raw.intern(tok);
            let rid = rid as usize;
            if rid >= map.len() {
                map.resize(raw.len().max(rid + 1), UNSET);
            }
            let mut t = map[rid];
            if t == UNSET {
                t = match self.term_of(slot, tok) {
                    None => STOP,
                    Some(s) => term_id(terms, &s),
                };
                map[rid] = t;
            }
            t
        };
        let pre = self.pre_for(slot);
        match self.tokenizer {
            Tokenizer::Runs(min) if doc.is_ascii() => {
                // Fused ASCII path: normalisation and accent stripping leave ASCII text
                // unchanged, so lowercase + tokenise straight from the document's bytes,
                // without a lowercased copy of it (a token is copied only when it has an
                // upper-case letter and misses the short-token cache). Same tokens as
                // `apply_into` + the `Runs` tokeniser. The word characters are first marked
                // in a bitmap, 16 bytes at a time; tokens are its runs of ones. The whole
                // document is cut into tokens, asking the cache for each short token's slot,
                // then the tokens are looked up in order, by which time most slots have
                // arrived (the cache is larger than the CPU's L2).
                let lower = pre.lowercase;
                let bytes = doc.as_bytes();
                let n = bytes.len();
                word_bitmap(bytes, bits);
                toks.clear();
                let min = min.max(1);
                let mut i = 0usize;
                'tokens: loop {
                    // The next word character at or after i ...
                    let mut wi = i >> 6;
                    let Some(&first) = bits.get(wi) else { break };
                    let mut w = first & (!0u64 << (i & 63));
                    while w == 0 {
                        wi += 1;
                        match bits.get(wi) {
                            Some(&x) => w = x,
                            None => break 'tokens,
                        }
                    }
                    let start = (wi << 6) + w.trailing_zeros() as usize;
                    // ... and the next non-word one after it (the bitmap ends with zeros).
                    let mut v = !bits[wi] & (!0u64 << (start & 63));
                    while v == 0 {
                        wi += 1;
                        v = !bits[wi];
                    }
                    let end = (wi << 6) + v.trailing_zeros() as usize;
                    i = end;
                    let len = end - start;
                    if len < min {
                        continue;
                    }
                    let short_key = use_short && len <= 16;
                    let (key, upper) = if short_key {
                        let (key, upper) = pack_short(bytes, start, len, lower);
                        short.prefetch(key[0], key[1]);
                        (key, upper)
                    } else {
                        ([0, 0], lower && bytes[start..end].iter().any(u8::is_ascii_uppercase))
                    };
                    toks.push(Tok { key, start, end, short: short_key, upper });
                }
                debug_assert!(i <= n);
                for tok in toks.iter() {
                    let Tok { key, start, end, short: short_key, upper } = *tok;
                    if short_key {
                        if let Some(t) = short.get(key[0], key[1]) {
                            if t != STOP {
                                out.push(t);
                            }
                            continue;
                        }
                    }
                    let t = if lower && upper {
                        text.clear();
                        text.push_str(&doc[start..end]);
                        text.make_ascii_lowercase();
                        on_token(&text)
                    } else {
                        on_token(&doc[start..end])
                    };
                    if short_key {
                        short.insert(key[0], key[1], t);
                    }
                    if t != STOP {
                        out.push(t);
                    }
                }
            }
            _ => {
                pre.apply_into(doc, &mut text);
                self.tokenizer.for_each(&text, |a, b| {
                    let t = on_token(&text[a..b]);
                    if t != STOP {
                        out.push(t);
                    }
                });
            }
        }
        cache.buf = text;
    }

    /// Char analyzers: call `f` with every char n-gram of `doc` (scikit-learn's order).
    pub fn char_ngrams(&self, doc: &str, sc: &mut CharScratch, mut f: impl FnMut(&str)) {
        self.pre_full.apply_into(doc, &mut sc.pre);
        let (min_n, max_n) = (self.min_n, self.max_n);
        match self.kind {
            AnalyzerKind::Char => {
                collapse_whitespace_into(&sc.pre, &mut sc.text);
                let text = &sc.text;
                let b = &mut sc.bounds;
                b.clear();
                b.extend(text.char_indices().map(|(i, _)| i));
                b.push(text.len());
                let len = b.len() - 1;
                for n in min_n..=max_n.min(len) {
                    for i in 0..=(len - n) {
                        f(&text[b[i]..b[i + n]]);
                    }
                }
            }
            AnalyzerKind::CharWb => {
                let b = &mut sc.bounds;
                for w in sc.pre.split(is_py_space).filter(|w| !w.is_empty()) {
                    sc.text.clear();
                    sc.text.push(' ');
                    sc.text.push_str(w);
                    sc.text.push(' ');
                    let text = &sc.text;
                    b.clear();
                    b.extend(text.char_indices().map(|(i, _)| i));
                    b.push(text.len());
                    wb_ngrams(b.len() - 1, min_n, max_n, |i, j| f(&text[b[i]..b[j]]));
                }
            }
            AnalyzerKind::Word => {}
        }
    }

    /// All features of `doc` as strings, in scikit-learn's order (for `build_analyzer`).
    pub fn analyze(&self, doc: &str) -> Vec<String> {
        let mut out = Vec::new();
        match self.kind {
            AnalyzerKind::Word => {
                let mut cache = TermCache::new();
                let mut ids = Vec::new();
                self.word_terms(doc, &mut cache, &mut ids);
                let toks: Vec<&str> = ids.iter().map(|&t| cache.terms.get_str(t)).collect();
                word_ngrams(toks.len(), self.min_n, self.max_n, |i, j| {
                    out.push(toks[i..j].join(" "));
                });
            }
            _ => {
                let mut sc = CharScratch::new();
                self.char_ngrams(doc, &mut sc, |s| out.push(s.to_string()));
            }
        }
        out
    }
}

/// scikit-learn's word n-gram order: for n in min..=max, every window `[i, i + n)`.
#[inline]
pub fn word_ngrams(len: usize, min_n: usize, max_n: usize, mut f: impl FnMut(usize, usize)) {
    for n in min_n..=max_n.min(len) {
        for i in 0..=(len - n) {
            f(i, i + n);
        }
    }
}

/// scikit-learn's `_char_wb_ngrams` windows over one padded word of `w_len` chars.
#[inline]
pub fn wb_ngrams(w_len: usize, min_n: usize, max_n: usize, mut f: impl FnMut(usize, usize)) {
    for n in min_n..=max_n {
        let mut offset = 0;
        f(0, n.min(w_len));
        while offset + n < w_len {
            offset += 1;
            f(offset, offset + n);
        }
        if offset == 0 {
            break;
        }
    }
}

#[cfg(test)]
impl Analyzer {
    /// The default analyzer with `f` applied to its config (for tests).
    pub fn configured(f: impl FnOnce(&mut AnalyzerConfig)) -> Analyzer {
        let mut c = AnalyzerConfig::default();
        f(&mut c);
        Analyzer::new(&c).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn an(f: impl FnOnce(&mut AnalyzerConfig)) -> Analyzer {
        Analyzer::configured(f)
    }

    #[test]
    fn word_ngrams_sklearn_order() {
        let a = an(|c| c.ngram_range = (1, 2));
        assert_eq!(a.analyze("The cat sat"), vec!["the", "cat", "sat", "the cat", "cat sat"]);
        let a = an(|c| {
            c.ngram_range = (1, 2);
            c.stop_words = Some(StopWordsSpec::Named("english".into()));
        });
        assert_eq!(a.analyze("The cat and the hat"), vec!["cat", "hat", "cat hat"]);
    }

    #[test]
    fn char_and_wb() {
        let a = an(|c| {
            c.analyzer = "char".into();
            c.ngram_range = (2, 3);
        });
        assert_eq!(a.analyze("ab  c"), vec!["ab", "b ", " c", "ab ", "b c"]);
        let a = an(|c| {
            c.analyzer = "char_wb".into();
            c.ngram_range = (2, 3);
        });
        // sklearn: ' ab ' -> ' a','ab','b ',' ab','ab '; ' c ' -> ' c','c ',' c '
        assert_eq!(a.analyze("ab c"), vec![" a", "ab", "b ", " ab", "ab ", " c", "c ", " c "]);
        let a = an(|c| {
            c.analyzer = "char_wb".into();
            c.ngram_range = (5, 6);
        });
        assert_eq!(a.analyze("a"), vec![" a "]);
    }

    #[test]
    fn spanish_stemming_and_accents() {
        let a = an(|c| {
            c.stemmer = Some("spanish".into());
            c.strip_accents = Some("unicode".into());
            c.stop_words = Some(StopWordsSpec::Named("spanish".into()));
        });
        let t = a.analyze("Negociación negociaciones NEGOCIACION de la paz");
        assert_eq!(t.len(), 4);
        assert_eq!(t[0], t[1]);
        assert_eq!(t[1], t[2]);
        assert!(t[0].is_ascii());
    }

    #[test]
    fn auto_language() {
        let a = an(|c| {
            c.language = Some("auto".into());
            c.stop_words = Some(StopWordsSpec::Named("auto".into()));
        });
        let en = a.analyze("The government and the rebels signed a peace agreement on Monday");
        assert!(!en.contains(&"the".to_string()) && en.contains(&"rebels".to_string()));
        let es = a.analyze("El gobierno y los rebeldes firmaron un acuerdo de paz el lunes en la capital");
        assert!(!es.contains(&"el".to_string()) && es.contains(&"rebeldes".to_string()));
    }

    #[test]
    fn bad_params() {
        for f in [
            (|c: &mut AnalyzerConfig| c.analyzer = "x".into()) as fn(&mut AnalyzerConfig),
            |c| c.ngram_range = (2, 1),
            |c| c.ngram_range = (0, 1),
            |c| c.strip_accents = Some("x".into()),
            |c| c.stop_words = Some(StopWordsSpec::Named("klingon".into())),
            |c| c.stemmer = Some("klingon".into()),
            |c| c.token_pattern = Some("(".into()),
        ] {
            let mut c = AnalyzerConfig::default();
            f(&mut c);
            assert!(Analyzer::new(&c).is_err());
        }
    }
}
