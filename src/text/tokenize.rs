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

/// Is `c` a word char of the default pattern?
#[inline]
pub fn is_word_char(c: char) -> bool {
    if (c as u32) < 128 {
        WORD_ASCII[c as usize]
    } else {
        c.is_alphanumeric()
    }
}

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
}
