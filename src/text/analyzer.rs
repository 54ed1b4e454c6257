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

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::intern::Interner;
use super::normalize::{
    collapse_whitespace_into, collapse_whitespace_mapped, is_py_space, strip_accents,
    Normalization, Preprocess, StripAccents,
};
use super::stopwords;
use super::tokenize::{Tokenizer, DEFAULT_TOKEN_PATTERN};
use crate::error::{Error, Result};

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

fn lang_entry(name: &str) -> Option<&'static (&'static str, rust_stemmers::Algorithm, Option<whatlang::Lang>)> {
    let lower = name.to_ascii_lowercase();
    LANGS.iter().find(|e| e.0 == lower)
}

fn known_langs() -> String {
    LANGS.iter().map(|e| e.0).collect::<Vec<_>>().join(", ")
}

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
    pre_full: Preprocess,
    pre_keep_accents: Preprocess,
    strip: Option<StripAccents>,
    tokenizer: Tokenizer,
    slots: Vec<Slot>,
    detector: Option<(whatlang::Detector, Vec<whatlang::Lang>)>,
}

/// A word character of the fused ASCII tokeniser (`\w` on ASCII: `[A-Za-z0-9_]`).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bit `i` of `bits` set when `bytes[i]` is a word character (`[A-Za-z0-9_]`), for ASCII
/// `bytes`; the bitmap has at least one more bit than there are bytes, so every run of ones
/// ends inside it.
fn word_bitmap(bytes: &[u8], bits: &mut Vec<u64>) {
    let n = bytes.len();
    bits.clear();
    bits.resize(n / 64 + 1, 0);
    let full = n / 64;
    for (b, out) in bits.iter_mut().enumerate() {
        let block: [u8; 64] = if b < full {
            bytes[b * 64..b * 64 + 64].try_into().expect("64 bytes")
        } else {
            let mut t = [0u8; 64];
            t[..n - b * 64].copy_from_slice(&bytes[b * 64..]);
            t
        };
        *out = word_bits64(&block);
    }
}

/// The word-character bits of 64 ASCII bytes (bit `k` for byte `k`).
#[inline(always)]
fn word_bits64(block: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut m = 0u64;
        for q in 0..4 {
            // SAFETY: SSE2 is part of x86-64; the load reads 16 bytes inside `block`.
            let bits = unsafe {
                let x = _mm_loadu_si128(block.as_ptr().add(q * 16) as *const __m128i);
                // ASCII bytes are below 0x80, so the signed compares order them as unsigned.
                let l = _mm_or_si128(x, _mm_set1_epi8(0x20));
                let letter = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8(0x60)), _mm_cmplt_epi8(l, _mm_set1_epi8(0x7b)));
                let digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x2f)), _mm_cmplt_epi8(x, _mm_set1_epi8(0x3a)));
                let under = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x5f));
                _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), under)) as u32 as u64
            };
            m |= bits << (q * 16);
        }
        m
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut m = 0u64;
        for (k, &b) in block.iter().enumerate() {
            if is_word_byte(b) {
                m |= 1 << k;
            }
        }
        m
    }
}

/// The first `len` (1 to 16) bytes of `bytes[start..]`, lowercased when `lower`, packed
/// little-endian and zero padded into two `u64`s, and whether any of them is upper case.
/// The bytes must be ASCII.
#[inline(always)]
fn pack_short(bytes: &[u8], start: usize, len: usize, lower: bool) -> ([u64; 2], bool) {
    let mut raw = [0u8; 16];
    if start + 16 <= bytes.len() {
        raw.copy_from_slice(&bytes[start..start + 16]);
    } else {
        let m = (bytes.len() - start).min(16);
        raw[..m].copy_from_slice(&bytes[start..start + m]);
    }
    let lo = u64::from_le_bytes(raw[..8].try_into().expect("8 bytes"));
    let hi = u64::from_le_bytes(raw[8..].try_into().expect("8 bytes"));
    let keep = |k: usize| if k >= 8 { !0u64 } else { (1u64 << (8 * k)) - 1 };
    let lo = lo & keep(len);
    let hi = hi & keep(len.saturating_sub(8));
    // Per byte (all below 0x80, so no carries cross bytes): the high bit of `x + 0x3f` is
    // set for x >= b'A', that of `x + 0x25` for x >= b'['; upper case is the first without
    // the second, and lowercasing sets bit 0x20.
    const H: u64 = 0x8080_8080_8080_8080;
    let up = |x: u64| (x.wrapping_add(0x3f3f_3f3f_3f3f_3f3f) & !x.wrapping_add(0x2525_2525_2525_2525)) & H;
    let (ul, uh) = (up(lo), up(hi));
    let upper = (ul | uh) != 0;
    if lower {
        ([lo | (ul >> 2), hi | (uh >> 2)], upper)
    } else {
        ([lo, hi], upper)
    }
}

pub use crate::ids::STOP;
use crate::ids::NOT_LOOKED_UP as UNSET;

/// Per-chunk cache of the word pipeline: raw token -> term id (after stop words, stemming and
/// accent stripping), so each distinct token is processed once per chunk.
#[derive(Default)]
pub struct TermCache {
    raw: Interner,
    map: Vec<Vec<u32>>,
    /// The terms (column-space unigrams) seen so far.
    pub terms: Interner,
    buf: String,
    /// Fused ASCII path, one language slot: token of at most 16 bytes (packed) -> term id.
    short: ShortMap,
    /// Fused ASCII path: the tokens of the current document.
    toks: Vec<Tok>,
    /// Fused ASCII path: the current document's word characters, one bit per byte.
    bits: Vec<u64>,
}

/// A token of the fused ASCII path: its first 16 bytes packed (lowercased when asked), its
/// byte range, whether the short-token cache applies, and whether it has an upper-case letter.
#[derive(Clone, Copy)]
struct Tok {
    key: [u64; 2],
    start: usize,
    end: usize,
    short: bool,
    upper: bool,
}

impl TermCache {
    pub fn new() -> Self {
        TermCache {
            raw: Interner::with_capacity(8192),
            map: Vec::new(),
            terms: Interner::with_capacity(8192),
            buf: String::new(),
            short: ShortMap::default(),
            toks: Vec::new(),
            bits: Vec::new(),
        }
    }

    /// Distinct tokens or terms cached, whichever is more (a measure of its memory).
    pub fn entries(&self) -> usize {
        self.raw.len().max(self.terms.len()).max(self.short.len)
    }
}

/// An open-addressing map from short ASCII word tokens (1 to 16 bytes, no NUL byte, packed
/// little-endian and zero padded into two `u64`s) to their term id ([`STOP`] for a stop
/// word). A cache in front of the interner: one multiply to hash, two compares to match.
#[derive(Default)]
struct ShortMap {
    /// `(lo, hi, value)`; `lo == 0` marks an empty slot (a token's first byte is never NUL).
    slots: Vec<(u64, u64, u32)>,
    len: usize,
    shift: u32,
}

impl ShortMap {
    #[inline]
    fn index(&self, lo: u64, hi: u64) -> usize {
        let h = (lo ^ hi.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> self.shift) as usize
    }

    #[inline]
    fn get(&self, lo: u64, hi: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(lo, hi);
        loop {
            let e = &self.slots[i];
            if e.0 == lo && e.1 == hi {
                return Some(e.2);
            }
            if e.0 == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Hint the CPU to fetch the slot where a lookup of `(lo, hi)` starts.
    #[inline(always)]
    fn prefetch(&self, lo: u64, hi: u64) {
        if let Some(e) = self.slots.get(self.index(lo, hi)) {
            crate::hw::prefetch_ptr(e);
        }
    }

    fn insert(&mut self, lo: u64, hi: u64, v: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            let cap = (old.len() * 2).max(1 << 12);
            self.slots = vec![(0, 0, 0); cap];
            self.shift = 64 - cap.trailing_zeros();
            self.len = 0;
            for (a, b, x) in old {
                if a != 0 {
                    self.insert(a, b, x);
                }
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = self.index(lo, hi);
        while self.slots[i].0 != 0 {
            if self.slots[i].0 == lo && self.slots[i].1 == hi {
                self.slots[i].2 = v;
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = (lo, hi, v);
        self.len += 1;
    }
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
        let strip = match cfg.strip_accents.as_deref() {
            None => None,
            Some(s) => Some(StripAccents::parse(s).ok_or_else(|| {
                Error::value(format!(
                    "strip_accents={s:?} is not supported; use None, 'unicode' or 'ascii'"
                ))
            })?),
        };
        let normalization = match cfg.normalization.as_deref() {
            None => None,
            Some(s) => Some(Normalization::parse(s).ok_or_else(|| {
                Error::value(format!(
                    "normalization={s:?} is not supported; use None, 'nfc' or 'nfkc'"
                ))
            })?),
        };
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

    fn pre_for(&self, slot: usize) -> &Preprocess {
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

    /// Every feature occurrence of `doc` with its byte span in `doc` (see the crate docs of
    /// `vectorize::TfidfVectorizer::analyze_spans`).
    pub fn analyze_spans(&self, doc: &str) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        let span_of = |map: &[(usize, usize)], a: usize, b: usize| -> Range<usize> {
            if a >= b || a >= map.len() {
                let p = if a < map.len() { map[a].0 } else { doc.len() };
                p..p
            } else {
                map[a].0..map[b - 1].1
            }
        };
        match self.kind {
            AnalyzerKind::Word => {
                let slot = self.slot_of(doc);
                let (text, map) = self.pre_for(slot).apply_mapped(doc);
                let mut terms: Vec<(String, Range<usize>)> = Vec::new();
                self.tokenizer.for_each(&text, |a, b| {
                    if let Some(t) = self.term_of(slot, &text[a..b]) {
                        terms.push((t, span_of(&map, a, b)));
                    }
                });
                word_ngrams(terms.len(), self.min_n, self.max_n, |i, j| {
                    let name =
                        terms[i..j].iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join(" ");
                    out.push((name, terms[i].1.start..terms[j - 1].1.end));
                });
            }
            AnalyzerKind::Char => {
                let (pre, map) = self.pre_full.apply_mapped(doc);
                let (text, map) = collapse_whitespace_mapped(&pre, &map);
                let b: Vec<usize> =
                    text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let len = b.len() - 1;
                for n in self.min_n..=self.max_n.min(len) {
                    for i in 0..=(len - n) {
                        out.push((text[b[i]..b[i + n]].to_string(), span_of(&map, b[i], b[i + n])));
                    }
                }
            }
            AnalyzerKind::CharWb => {
                let (pre, map) = self.pre_full.apply_mapped(doc);
                let chars: Vec<(usize, char)> = pre.char_indices().collect();
                let mut k = 0;
                while k < chars.len() {
                    if is_py_space(chars[k].1) {
                        k += 1;
                        continue;
                    }
                    let mut e = k;
                    while e < chars.len() && !is_py_space(chars[e].1) {
                        e += 1;
                    }
                    // padded word: ' ' + chars[k..e] + ' '
                    let first = map[chars[k].0].0;
                    let last_i = chars[e - 1].0 + chars[e - 1].1.len_utf8() - 1;
                    let last = map[last_i].1;
                    let mut pchars: Vec<char> = vec![' '];
                    let mut spans: Vec<(usize, usize)> = vec![(first, first)];
                    for &(i, c) in &chars[k..e] {
                        pchars.push(c);
                        spans.push(map[i]);
                    }
                    pchars.push(' ');
                    spans.push((last, last));
                    wb_ngrams(pchars.len(), self.min_n, self.max_n, |i, j| {
                        let s: String = pchars[i..j].iter().collect();
                        out.push((s, spans[i].0..spans[j - 1].1));
                    });
                    k = e;
                }
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
fn wb_ngrams(w_len: usize, min_n: usize, max_n: usize, mut f: impl FnMut(usize, usize)) {
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
mod tests {
    use super::*;

    fn an(f: impl FnOnce(&mut AnalyzerConfig)) -> Analyzer {
        let mut c = AnalyzerConfig::default();
        f(&mut c);
        Analyzer::new(&c).unwrap()
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
    fn spans_point_into_original() {
        let a = an(|c| {
            c.ngram_range = (1, 2);
            c.strip_accents = Some("unicode".into());
            c.stemmer = Some("spanish".into());
        });
        let doc = "Las NEGOCIACIONES de paz";
        let sp = a.analyze_spans(doc);
        let names: Vec<&str> = sp.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(names, a.analyze(doc).iter().map(|s| s.as_str()).collect::<Vec<_>>());
        let neg = sp.iter().find(|s| s.0.starts_with("negoci") && !s.0.contains(' ')).unwrap();
        assert_eq!(&doc[neg.1.clone()], "NEGOCIACIONES");
        let bi = sp.iter().find(|s| s.0.starts_with("negoci") && s.0.contains(' ')).unwrap();
        assert_eq!(&doc[bi.1.clone()], "NEGOCIACIONES de");
        for kind in ["char", "char_wb"] {
            let a = an(|c| {
                c.analyzer = kind.into();
                c.ngram_range = (1, 3);
            });
            let doc = "É  ab";
            let sp = a.analyze_spans(doc);
            assert_eq!(sp.iter().map(|s| s.0.clone()).collect::<Vec<_>>(), a.analyze(doc));
            for (_, r) in sp {
                assert!(doc.is_char_boundary(r.start) && doc.is_char_boundary(r.end));
            }
        }
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

    #[test]
    fn word_bitmap_marks_word_bytes() {
        let doc: Vec<u8> = (0u8..128).cycle().take(300).collect();
        for n in [0, 1, 63, 64, 65, 127, 128, 200, 300] {
            let mut bits = Vec::new();
            word_bitmap(&doc[..n], &mut bits);
            assert_eq!(bits.len(), n / 64 + 1);
            for i in 0..bits.len() * 64 {
                let want = i < n && is_word_byte(doc[i]);
                assert_eq!(bits[i / 64] >> (i % 64) & 1 == 1, want, "n={n} byte {i}");
            }
        }
    }

    #[test]
    fn pack_short_lowercases_and_pads() {
        let doc = b"xAZaz09_@[`{ Hello";
        for start in 0..doc.len() {
            for len in 1..=16.min(doc.len() - start) {
                for lower in [false, true] {
                    let (key, upper) = pack_short(doc, start, len, lower);
                    let mut want = [0u8; 16];
                    for (k, &b) in doc[start..start + len].iter().enumerate() {
                        want[k] = if lower { b.to_ascii_lowercase() } else { b };
                    }
                    let lo = u64::from_le_bytes(want[..8].try_into().unwrap());
                    let hi = u64::from_le_bytes(want[8..].try_into().unwrap());
                    assert_eq!(key, [lo, hi], "start={start} len={len} lower={lower}");
                    assert_eq!(upper, doc[start..start + len].iter().any(u8::is_ascii_uppercase));
                }
            }
        }
    }

    proptest::proptest! {
        /// The fused ASCII path of `analyze` cuts the same tokens as the general tokeniser of
        /// `analyze_spans`, across bitmap words, with long tokens and upper case.
        #[test]
        fn fused_ascii_tokens_match_the_general_path(
            s in "([A-Za-z0-9_]{1,24}[ .,;!?@\\[`{-]{1,3}){0,30}[A-Za-z0-9_]{0,70}",
            lower in proptest::bool::ANY,
            min1 in proptest::bool::ANY,
            stop in proptest::bool::ANY,
        ) {
            let a = an(|c| {
                c.ngram_range = (1, 2);
                c.lowercase = lower;
                if min1 {
                    c.token_pattern = Some(r"\b\w+\b".into());
                }
                if stop {
                    c.stop_words = Some(StopWordsSpec::Named("english".into()));
                }
            });
            let feats = a.analyze(&s);
            let spans: Vec<String> = a.analyze_spans(&s).into_iter().map(|x| x.0).collect();
            proptest::prop_assert_eq!(feats, spans);
        }

        #[test]
        fn never_panics(s in "\\PC*", kind in 0usize..3, lo in 1usize..3, extra in 0usize..3) {
            let mut c = AnalyzerConfig::default();
            c.analyzer = ["word", "char", "char_wb"][kind].into();
            c.ngram_range = (lo, lo + extra);
            c.strip_accents = Some("unicode".into());
            let a = Analyzer::new(&c).unwrap();
            let feats = a.analyze(&s);
            let spans = a.analyze_spans(&s);
            for (_, r) in &spans {
                proptest::prop_assert!(r.start <= r.end && r.end <= s.len());
                proptest::prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            }
            if s.is_ascii() {
                proptest::prop_assert_eq!(feats, spans.into_iter().map(|x| x.0).collect::<Vec<_>>());
            }
        }
    }
}
