//! Features with their byte spans in the original document ([`Analyzer::analyze_spans`]),
//! for explanations: the same features as [`Analyzer::analyze`], each mapped back through the
//! preprocessing to where it stands in the input.

use std::ops::Range;

use super::analyzer::{wb_ngrams, word_ngrams, Analyzer};
use super::config::AnalyzerKind;
use super::normalize::{collapse_whitespace_mapped, is_py_space};

impl Analyzer {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{AnalyzerConfig, StopWordsSpec};

    fn an(f: impl FnOnce(&mut AnalyzerConfig)) -> Analyzer {
        Analyzer::configured(f)
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
