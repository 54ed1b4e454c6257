//! Text normalisation: Unicode normal forms, lowercasing and accent stripping, with
//! scikit-learn's semantics, plus an offset-tracking variant for highlighting.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

/// Accent stripping, as scikit-learn's `strip_accents`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StripAccents {
    /// NFKD, then drop every char whose canonical combining class is not 0. Pure-ASCII text
    /// is returned unchanged (scikit-learn's `strip_accents_unicode`).
    Unicode,
    /// NFKD, then drop every non-ASCII char (scikit-learn's `strip_accents_ascii`).
    Ascii,
}

impl StripAccents {
    /// Parse the Python-side name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "unicode" => Some(StripAccents::Unicode),
            "ascii" => Some(StripAccents::Ascii),
            _ => None,
        }
    }
}

/// A Unicode normal form applied first (topictag extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Normalization {
    Nfc,
    Nfkc,
}

impl Normalization {
    /// Parse the Python-side name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "nfc" | "NFC" => Some(Normalization::Nfc),
            "nfkc" | "NFKC" => Some(Normalization::Nfkc),
            _ => None,
        }
    }
}

/// Python's `str.isspace()` (what `\s` and `str.split()` use): Unicode White_Space plus the
/// information separators U+001C..U+001F, which Python counts as whitespace.
#[inline]
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Strip accents of `s` into `out` (appending).
pub fn strip_accents_into(s: &str, mode: StripAccents, out: &mut String) {
    if s.is_ascii() {
        out.push_str(s);
        return;
    }
    match mode {
        StripAccents::Unicode => {
            out.extend(s.nfkd().filter(|&c| canonical_combining_class(c) == 0));
        }
        StripAccents::Ascii => out.extend(s.nfkd().filter(|c| c.is_ascii())),
    }
}

/// Strip accents of `s` (a new string).
pub fn strip_accents(s: &str, mode: StripAccents) -> String {
    let mut out = String::with_capacity(s.len());
    strip_accents_into(s, mode, &mut out);
    out
}

/// The preprocessing steps in order: normal form, lowercase, accent stripping.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preprocess {
    pub normalization: Option<Normalization>,
    pub lowercase: bool,
    pub strip_accents: Option<StripAccents>,
}

impl Preprocess {
    /// Apply the steps to `doc`, writing the result into `out` (cleared first).
    pub fn apply_into(&self, doc: &str, out: &mut String) {
        out.clear();
        if doc.is_ascii() {
            out.push_str(doc);
            if self.lowercase {
                out.make_ascii_lowercase();
            }
            return;
        }
        let normalized: std::borrow::Cow<str> = match self.normalization {
            Some(Normalization::Nfc) => doc.nfc().collect::<String>().into(),
            Some(Normalization::Nfkc) => doc.nfkc().collect::<String>().into(),
            None => doc.into(),
        };
        let lowered: std::borrow::Cow<str> =
            if self.lowercase { normalized.to_lowercase().into() } else { normalized };
        match self.strip_accents {
            Some(mode) => strip_accents_into(&lowered, mode, out),
            None => out.push_str(&lowered),
        }
    }

    /// Apply the steps to `doc` (a new string).
    pub fn apply(&self, doc: &str) -> String {
        let mut s = String::new();
        self.apply_into(doc, &mut s);
        s
    }

    /// Like [`Preprocess::apply`], but also returns, for every byte of the result, the byte
    /// range in `doc` it came from. The text is processed per cluster (a char followed by its
    /// combining marks), so every output char maps to the cluster that produced it. This agrees
    /// with [`Preprocess::apply`] except for rare compositions across clusters (Hangul jamo).
    pub fn apply_mapped(&self, doc: &str) -> (String, Vec<(usize, usize)>) {
        let mut out = String::with_capacity(doc.len());
        let mut map = Vec::with_capacity(doc.len());
        let mut piece = String::new();
        let mut tmp = String::new();
        for (start, end) in clusters(doc) {
            let cluster = &doc[start..end];
            piece.clear();
            match self.normalization {
                Some(Normalization::Nfc) if !cluster.is_ascii() => piece.extend(cluster.nfc()),
                Some(Normalization::Nfkc) if !cluster.is_ascii() => piece.extend(cluster.nfkc()),
                _ => piece.push_str(cluster),
            }
            if self.lowercase {
                tmp.clear();
                for c in piece.chars() {
                    if c == 'Σ' {
                        tmp.push(if is_final_sigma(doc, start) { 'ς' } else { 'σ' });
                    } else {
                        tmp.extend(c.to_lowercase());
                    }
                }
                std::mem::swap(&mut piece, &mut tmp);
            }
            let before = out.len();
            match self.strip_accents {
                Some(mode) => strip_accents_into(&piece, mode, &mut out),
                None => out.push_str(&piece),
            }
            map.extend(std::iter::repeat((start, end)).take(out.len() - before));
        }
        (out, map)
    }
}

/// Byte ranges of the clusters of `s`: a char with canonical combining class 0 followed by all
/// chars with a non-zero class.
fn clusters(s: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, c) in s.char_indices() {
        let end = i + c.len_utf8();
        if canonical_combining_class(c) != 0 {
            if let Some(last) = out.last_mut() {
                last.1 = end;
                continue;
            }
        }
        out.push((i, end));
    }
    out
}

/// Unicode's Final_Sigma condition (approximated with Rust's case predicates): a cased letter
/// precedes (skipping case-ignorable chars) and none follows.
fn is_final_sigma(doc: &str, at: usize) -> bool {
    fn ignorable(c: char) -> bool {
        canonical_combining_class(c) != 0
            || matches!(c, '\'' | '.' | ':' | '^' | '`' | '\u{00AD}' | '\u{00B7}' | '\u{2019}')
    }
    fn cased(c: char) -> bool {
        c.is_lowercase() || c.is_uppercase()
    }
    let before = doc[..at].chars().rev().find(|&c| !ignorable(c)).is_some_and(cased);
    let after = doc[at..].chars().skip(1).find(|&c| !ignorable(c)).is_some_and(cased);
    before && !after
}

/// Replace every run of two or more Python whitespace chars by one space (scikit-learn's
/// `_white_spaces.sub(" ", text)` before char n-grams), writing into `out`.
pub fn collapse_whitespace_into(s: &str, out: &mut String) {
    out.clear();
    let mut run_start: Option<usize> = None;
    let mut run_len = 0usize;
    for (i, c) in s.char_indices() {
        if is_py_space(c) {
            if run_start.is_none() {
                run_start = Some(i);
                run_len = 0;
            }
            run_len += 1;
            continue;
        }
        if let Some(st) = run_start.take() {
            if run_len >= 2 {
                out.push(' ');
            } else {
                out.push_str(&s[st..i]);
            }
        }
        out.push(c);
    }
    if let Some(st) = run_start {
        if run_len >= 2 {
            out.push(' ');
        } else {
            out.push_str(&s[st..]);
        }
    }
}

/// [`collapse_whitespace_into`] carrying a per-byte map along (see [`Preprocess::apply_mapped`]).
pub fn collapse_whitespace_mapped(
    s: &str,
    map: &[(usize, usize)],
) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(s.len());
    let mut omap = Vec::with_capacity(map.len());
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        if is_py_space(c) {
            let mut e = k;
            while e < chars.len() && is_py_space(chars[e].1) {
                e += 1;
            }
            if e - k >= 2 {
                let last = chars[e - 1].0;
                out.push(' ');
                omap.push((map[i].0, map[last].1));
                k = e;
                continue;
            }
        }
        let end = i + c.len_utf8();
        out.push(c);
        omap.extend_from_slice(&map[i..end]);
        k += 1;
    }
    (out, omap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_modes() {
        assert_eq!(strip_accents("negociación", StripAccents::Unicode), "negociacion");
        assert_eq!(strip_accents("Ångström ﬁ", StripAccents::Unicode), "Angstrom fi");
        assert_eq!(strip_accents("naïve 日本", StripAccents::Ascii), "naive ");
        assert_eq!(strip_accents("plain", StripAccents::Ascii), "plain");
    }

    #[test]
    fn preprocess_order_and_map() {
        let p = Preprocess {
            normalization: None,
            lowercase: true,
            strip_accents: Some(StripAccents::Unicode),
        };
        let doc = "NEGOCIACIÓN e\u{301}xito";
        assert_eq!(p.apply(doc), "negociacion exito");
        let (s, map) = p.apply_mapped(doc);
        assert_eq!(s, p.apply(doc));
        assert_eq!(map.len(), s.len());
        // the 'o' that came from "Ó" maps to its two bytes
        let pos = s.find("on ").unwrap();
        assert_eq!(&doc[map[pos].0..map[pos].1], "Ó");
        let e = s.find("exito").unwrap();
        assert_eq!(&doc[map[e].0..map[e].1], "e\u{301}");
        assert_eq!(p.apply("ΟΔΟΣ"), "οδος");
        assert_eq!(p.apply_mapped("ΟΔΟΣ").0, "οδος");
    }

    #[test]
    fn collapse() {
        let mut o = String::new();
        collapse_whitespace_into("a  b\tc \n\u{1c}d ", &mut o);
        assert_eq!(o, "a b\tc d ");
        let s = "a  b\tc";
        let map: Vec<(usize, usize)> = (0..s.len()).map(|i| (i, i + 1)).collect();
        let (t, m) = collapse_whitespace_mapped(s, &map);
        assert_eq!(t, "a b\tc");
        assert_eq!(m[1], (1, 3));
    }
}
