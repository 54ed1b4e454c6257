//! Tokenisers: scikit-learn's default token pattern (hand-written fast path), any user regex
//! (Rust `regex` crate), and Unicode (UAX #29) word segmentation.

use crate::error::{Error, Result};
use unicode_segmentation::UnicodeSegmentation;

/// scikit-learn's default `token_pattern`.
pub const DEFAULT_TOKEN_PATTERN: &str = r"(?u)\b\w\w+\b";

/// A compiled tokeniser. Tokens are byte ranges of the text they were found in.
#[derive(Clone, Debug)]
pub enum Tokenizer {
    /// `(?u)\b\w\w+\b` (min 2) or `(?u)\b\w+\b` (min 1): maximal runs of word chars
    /// (`char::is_alphanumeric()` or `_`, the equivalent of Python's `\w` on real text) of at
    /// least that many chars.
    Runs(usize),
    /// A user pattern. With one capture group the group's text is the token (Python's
    /// `re.findall` semantics; an unmatched group gives an empty token).
    Regex { re: regex::Regex, group: bool },
    /// UAX #29 word segments that contain at least one alphanumeric char.
    Unicode,
}

static WORD_ASCII: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_';
        i += 1;
    }
    t
};

impl Tokenizer {
    /// Build from `token_pattern` / `tokenizer` parameters.
    pub fn new(token_pattern: Option<&str>, tokenizer: Option<&str>) -> Result<Self> {
        match tokenizer {
            Some("unicode") => return Ok(Tokenizer::Unicode),
            Some(other) => {
                return Err(Error::value(format!(
                    "tokenizer={other:?} is not supported; use None (token_pattern) or 'unicode'"
                )))
            }
            None => {}
        }
        let pat = token_pattern.ok_or_else(|| {
            Error::value("token_pattern=None needs tokenizer='unicode' for analyzer='word'")
        })?;
        let core = pat.strip_prefix("(?u)").unwrap_or(pat);
        if core == r"\b\w\w+\b" {
            return Ok(Tokenizer::Runs(2));
        }
        if core == r"\b\w+\b" {
            return Ok(Tokenizer::Runs(1));
        }
        let re = regex::Regex::new(&pythonic_classes(pat))
            .map_err(|e| Error::value(format!("invalid token_pattern {pat:?}: {e}")))?;
        let groups = re.captures_len() - 1;
        if groups > 1 {
            return Err(Error::value(
                "More than 1 capturing group in token pattern. Only a single group should be captured.",
            ));
        }
        Ok(Tokenizer::Regex { re, group: groups == 1 })
    }

    /// Call `f(start, end)` for every token of `text`, in order.
    #[inline]
    pub fn for_each(&self, text: &str, mut f: impl FnMut(usize, usize)) {
        match self {
            Tokenizer::Runs(min) => word_runs(text, *min, f),
            Tokenizer::Regex { re, group: false } => {
                for m in re.find_iter(text) {
                    f(m.start(), m.end());
                }
            }
            Tokenizer::Regex { re, group: true } => {
                for c in re.captures_iter(text) {
                    match c.get(1) {
                        Some(g) => f(g.start(), g.end()),
                        None => {
                            let at = c.get(0).map_or(0, |m| m.start());
                            f(at, at)
                        }
                    }
                }
            }
            Tokenizer::Unicode => {
                for (i, w) in text.split_word_bound_indices() {
                    if w.chars().any(char::is_alphanumeric) {
                        f(i, i + w.len());
                    }
                }
            }
        }
    }

    /// Can a token contain a space (so that a unigram may equal a joined n-gram)?
    pub fn may_contain_space(&self) -> bool {
        matches!(self, Tokenizer::Regex { .. })
    }
}

/// Rewrite `\w` / `\W` of a user pattern to Python's meaning (letters, numbers of any kind
/// and `_`; Rust's `\w` also has marks and lacks other numbers such as '½'). `\b` keeps Rust's
/// meaning (the regex crate has no look-around to express Python's).
fn pythonic_classes(pat: &str) -> String {
    let mut out = String::with_capacity(pat.len() + 16);
    let mut in_class = false;
    let mut it = pat.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some('w') if in_class => out.push_str(r"\p{L}\p{N}_"),
                Some('w') => out.push_str(r"[\p{L}\p{N}_]"),
                Some('W') if !in_class => out.push_str(r"[^\p{L}\p{N}_]"),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // a leading ']' or '^]' is literal
                if it.peek() == Some(&'^') {
                    out.push(it.next().unwrap_or('^'));
                }
                if it.peek() == Some(&']') {
                    out.push(it.next().unwrap_or(']'));
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The default-pattern fast path: maximal runs of word chars, at least `min` chars long.
#[inline]
fn word_runs(text: &str, min: usize, mut f: impl FnMut(usize, usize)) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        // skip non-word chars
        let b = bytes[i];
        if b < 128 {
            if !WORD_ASCII[b as usize] {
                i += 1;
                continue;
            }
        } else {
            let c = decode_at(text, i);
            if !c.is_alphanumeric() {
                i += c.len_utf8();
                continue;
            }
        }
        // a run starts at i
        let start = i;
        let mut chars = 0usize;
        while i < n {
            let b = bytes[i];
            if b < 128 {
                if !WORD_ASCII[b as usize] {
                    break;
                }
                i += 1;
            } else {
                let c = decode_at(text, i);
                if !c.is_alphanumeric() {
                    break;
                }
                i += c.len_utf8();
            }
            chars += 1;
        }
        if chars >= min {
            f(start, i);
        }
    }
}

#[inline]
fn decode_at(text: &str, i: usize) -> char {
    // `i` is always on a char boundary here.
    text[i..].chars().next().unwrap_or('\u{FFFD}')
}

// -- the fused ASCII path of the word pipeline (see `Analyzer::word_terms_by`) ----------


/// A word character of the fused ASCII tokeniser (`\w` on ASCII: `[A-Za-z0-9_]`).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Bit `i` of `bits` set when `bytes[i]` is a word character (`[A-Za-z0-9_]`), for ASCII
/// `bytes`; the bitmap has at least one more bit than there are bytes, so every run of ones
/// ends inside it.
pub(super) fn word_bitmap(bytes: &[u8], bits: &mut Vec<u64>) {
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
pub(super) fn pack_short(bytes: &[u8], start: usize, len: usize, lower: bool) -> ([u64; 2], bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(t: &Tokenizer, s: &str) -> Vec<String> {
        let mut v = Vec::new();
        t.for_each(s, |a, b| v.push(s[a..b].to_string()));
        v
    }

    #[test]
    fn default_matches_sklearn_rules() {
        let t = Tokenizer::new(Some(DEFAULT_TOKEN_PATTERN), None).unwrap();
        assert!(matches!(t, Tokenizer::Runs(2)));
        assert!(matches!(Tokenizer::new(Some(r"\b\w+\b"), None).unwrap(), Tokenizer::Runs(1)));
        let t1 = Tokenizer::new(Some(r"\w+"), None).unwrap();
        assert_eq!(toks(&t1, "deluxe½ x"), vec!["deluxe½", "x"]);
        assert_eq!(
            toks(&t, "I can't stop_it, a 42x négociación! x"),
            vec!["can", "stop_it", "42x", "négociación"]
        );
        assert_eq!(toks(&t, ""), Vec::<String>::new());
        assert_eq!(toks(&t, "ab\u{301}cd"), vec!["ab", "cd"]);
    }

    #[test]
    fn regex_and_groups() {
        let t = Tokenizer::new(Some(r"\b\w+\b"), None).unwrap();
        assert_eq!(toks(&t, "a bc"), vec!["a", "bc"]);
        let t = Tokenizer::new(Some(r"(\w+)-x"), None).unwrap();
        assert_eq!(toks(&t, "ab-x cd-x"), vec!["ab", "cd"]);
        assert!(Tokenizer::new(Some(r"(a)(b)"), None).is_err());
        assert!(Tokenizer::new(Some(r"(unclosed"), None).is_err());
        assert!(Tokenizer::new(None, None).is_err());
    }

    #[test]
    fn unicode_words() {
        let t = Tokenizer::new(None, Some("unicode")).unwrap();
        assert_eq!(toks(&t, "The U.S. can't, y él."), vec!["The", "U.S", "can't", "y", "él"]);
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
}
