//! Documents and their segments (issue 18's segment scoring) transformed in one pass.
//!
//! Each document comes with byte ranges of its segments (paragraphs or sentences, see
//! `text::segment`); the result is, per chunk of documents, the rows of the documents and the
//! rows of their segments, each segment counted as a text of its own. They are the rows that
//! [`super::transform::transform`] gives the documents and the segment texts, but each
//! document is analysed once: when the analyzer's terms compose
//! ([`Analyzer::terms_compose`]), its segments are analysed, and the document's columns are
//! the segments' columns plus the bigrams across each segment boundary (the last term of one
//! segment and the first of the next). A document whose cuts fall inside a possible token
//! (see [`cuts_between_tokens`]) is also analysed whole, and any other analyzer transforms
//! the documents and the segment texts apart.

use std::ops::Range;

use super::chunks::{chunk, CHUNK};
use super::index::KeyIndex;
use super::transform::{bigram_key, chunks_with_scratch, keyed_cache, keyed_cols, rows_of, Lookup, RowScratch, Rows};
use super::weight::Weighting;
use crate::error::Result;
use crate::sparse::{CsrMatrix, Real};
use crate::text::Analyzer;

/// Whether the terms of `doc` are the terms of its `segments` in order, for an analyzer whose
/// terms compose: the text before, between and after the segments is whitespace (never
/// changed by preprocessing and never inside a token), or two segments touch at ASCII chars
/// of which one is not a word char (a sentence cut after "." before a letter).
pub(crate) fn cuts_between_tokens(doc: &str, segments: &[Range<usize>]) -> bool {
    let ws = |s: &str| s.chars().all(char::is_whitespace);
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let (Some(first), Some(last)) = (segments.first(), segments.last()) else { return false };
    if !ws(&doc[..first.start]) || !ws(&doc[last.end..]) {
        return false;
    }
    segments.windows(2).all(|p| {
        let (a, b) = (&p[0], &p[1]);
        if a.end < b.start {
            return ws(&doc[a.end..b.start]);
        }
        let bytes = doc.as_bytes();
        if a.end != b.start || a.end == 0 || b.start >= bytes.len() {
            return false;
        }
        let (x, y) = (bytes[a.end - 1], bytes[b.start]);
        x.is_ascii() && y.is_ascii() && !(word(x) && word(y))
    })
}

/// Rows of a chunk of documents (the second result) and of their segments (the first),
/// looked up through a [`KeyIndex`], for an analyzer whose terms compose.
fn rows_keyed_segmented<T: Real, S: AsRef<str>>(
    an: &Analyzer,
    ki: &KeyIndex,
    docs: &[S],
    segs: &[&[Range<usize>]],
    w: &Weighting,
    sc: &mut RowScratch<T>,
) -> (Rows<T>, Rows<T>) {
    let bigrams = an.min_n <= 2 && an.max_n >= 2;
    let mut cache = keyed_cache(ki, sc);
    // Every document's columns, kept until the segment rows are done.
    let mut dcols = std::mem::take(&mut sc.doc_cols);
    dcols.clear();
    let mut dptr = Vec::with_capacity(docs.len() + 1);
    dptr.push(0);
    sc.begin(segs.iter().map(|s| s.len()).sum());
    for (d, rs) in docs.iter().zip(segs) {
        let d = d.as_ref();
        let compose = !rs.is_empty() && cuts_between_tokens(d, rs);
        // The last term of the segments so far (it makes a bigram with the next one's first).
        let mut last: Option<u32> = None;
        for r in rs.iter() {
            keyed_cols(an, ki, &d[r.clone()], &mut cache, &mut sc.g, &mut sc.keys, &mut sc.cols);
            if compose {
                dcols.extend_from_slice(&sc.cols);
                if let (true, Some(a), Some(&b)) = (bigrams, last, sc.g.first()) {
                    if let Some(c) = bigram_key(a, b).and_then(|k| ki.bi.get(k)) {
                        dcols.push(c);
                    }
                }
                last = sc.g.last().copied().or(last);
            }
            sc.end_row(w);
        }
        if !compose {
            keyed_cols(an, ki, d, &mut cache, &mut sc.g, &mut sc.keys, &mut dcols);
        }
        dptr.push(dcols.len());
    }
    sc.cache = Some(cache);
    let seg_rows = sc.finish();
    sc.begin(docs.len());
    for p in dptr.windows(2) {
        sc.cols.extend_from_slice(&dcols[p[0]..p[1]]);
        sc.end_row(w);
    }
    sc.doc_cols = dcols;
    (seg_rows, sc.finish())
}

/// The rows of `docs` and of their segments (`ranges[offsets[i]..offsets[i + 1]]`: byte
/// ranges into document `i`), chunk by chunk ([`CHUNK`] documents), handed to
/// `f(document rows, segment rows)` in parallel; `f`'s results come back in document order.
/// The rows equal [`super::transform::transform`]'s of the documents and of the segment
/// texts, for any thread count.
#[allow(clippy::too_many_arguments)]
pub fn transform_chunks_segmented<T: Real, S: AsRef<str> + Sync, R: Send>(
    an: &Analyzer,
    names: &[String],
    lookup: Lookup,
    docs: &[S],
    offsets: &[usize],
    ranges: &[Range<usize>],
    w: &Weighting,
    f: &(dyn Fn(CsrMatrix<T>, CsrMatrix<T>) -> R + Sync),
) -> Result<Vec<R>> {
    if offsets.len() != docs.len() + 1 || offsets.last() != Some(&ranges.len()) {
        return Err(crate::error::Error::value("internal: segment offsets do not match the documents"));
    }
    let n_chunks = docs.len().div_ceil(CHUNK);
    let compose = match lookup {
        Lookup::Keyed(ki) if an.terms_compose() => Some(ki),
        _ => None,
    };
    chunks_with_scratch(n_chunks, lookup, |sc: &mut RowScratch<T>, k| {
        let c = chunk(docs, k);
        let d0 = k * CHUNK;
        let segs: Vec<&[Range<usize>]> = (d0..d0 + c.len()).map(|i| &ranges[offsets[i]..offsets[i + 1]]).collect();
        let (seg_rows, doc_rows) = match compose {
            Some(ki) => rows_keyed_segmented(an, ki, c, &segs, w, sc),
            None => {
                let texts: Vec<&str> =
                    c.iter().zip(&segs).flat_map(|(d, rs)| rs.iter().map(move |r| &d.as_ref()[r.clone()])).collect();
                let seg_rows = rows_of(an, names, lookup, &texts, w, sc);
                (seg_rows, rows_of(an, names, lookup, c, w, sc))
            }
        };
        let n_seg = segs.iter().map(|s| s.len()).sum();
        let xd = CsrMatrix::new(c.len(), names.len(), doc_rows.indptr, doc_rows.indices, doc_rows.data)?;
        let xs = CsrMatrix::new(n_seg, names.len(), seg_rows.indptr, seg_rows.indices, seg_rows.data)?;
        Ok(f(xd, xs))
    })?
    .into_iter()
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{segment, AnalyzerConfig, StopWordsSpec};
    use crate::vectorize::{TfidfConfig, TfidfVectorizer};

    /// The starter articles of the Python package (English and Spanish), paragraphs joined
    /// by blank lines and, once more, by spaces (one paragraph: sentence segments), plus
    /// cuts that touch or fall next to accents.
    fn articles() -> Vec<String> {
        let mut out = Vec::new();
        for lang in ["en", "es"] {
            let path = format!("{}/python/topictag/datasets/data/articles_{lang}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            for line in text.lines() {
                let paras: Vec<String> = line.split("{\"text\": \"").skip(1).map(|p| json_str(p)).collect();
                out.push(paras.join("\n\n"));
                out.push(paras.join(" "));
            }
        }
        out.extend(
            [
                "Talks ended.Next day the Army shelled Gaza.Then the U.N. called for a truce in the north.",
                "Se firmó la paz en Bogotá.El Sr. Pérez habló. ¿Vendrán? preguntó el ministro.\n\nE\u{301}l dijo: \u{301}no habrá tregua en la región.",
                "Línea uno del artículo sobre armas\nlínea dos continúa aquí.\n\n\tSegundo párrafo, con café y más café.\u{2029}Tercer párrafo: 3.500 soldados",
                "one two three four.five six seven. eight_nine ten eleven twelve",
                "  \n\n  ",
                "",
            ]
            .map(String::from),
        );
        out
    }

    /// A JSON string's text up to its closing quote (the escapes these files use).
    fn json_str(s: &str) -> String {
        let mut out = String::new();
        let mut it = s.chars();
        while let Some(c) = it.next() {
            match c {
                '"' => break,
                '\\' => match it.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(c) => out.push(c),
                    None => break,
                },
                c => out.push(c),
            }
        }
        out
    }

    fn config(f: impl FnOnce(&mut AnalyzerConfig), sublinear: bool) -> TfidfConfig {
        let mut c = TfidfConfig::default();
        f(&mut c.count.analyzer);
        c.sublinear_tf = sublinear;
        c
    }

    #[test]
    fn segment_rows_equal_separate_transforms() {
        let base = articles();
        // More documents than one chunk.
        let docs: Vec<String> = (0..4)
            .flat_map(|i| {
                base.iter().map(move |d| match i {
                    1 => d.to_uppercase(),
                    2 => d.replace(". ", ".").replace('\n', "\r\n"),
                    _ => d.clone(),
                })
            })
            .collect();
        assert!(docs.len() > CHUNK);
        let (offsets, ranges) = segment::segments_of_all(&docs);
        assert!(ranges.len() > 2 * docs.len());
        let seg_texts: Vec<&str> = docs
            .iter()
            .enumerate()
            .flat_map(|(i, d)| ranges[offsets[i]..offsets[i + 1]].iter().map(move |r| &d[r.clone()]))
            .collect();
        let configs = [
            config(|_| {}, false),
            config(|a| a.ngram_range = (1, 2), true),
            config(|a| a.ngram_range = (2, 2), false),
            config(
                |a| {
                    a.ngram_range = (1, 2);
                    a.stop_words = Some(StopWordsSpec::Named("english".into()));
                    a.stemmer = Some("english".into());
                },
                true,
            ),
            config(
                |a| {
                    a.ngram_range = (1, 2);
                    a.strip_accents = Some("unicode".into());
                    a.stop_words = Some(StopWordsSpec::Named("spanish".into()));
                    a.stemmer = Some("spanish".into());
                    a.normalization = Some("nfkc".into());
                },
                false,
            ),
            config(
                |a| {
                    a.ngram_range = (1, 2);
                    a.token_pattern = Some(r"(?u)\b\w+\b".into());
                    a.lowercase = false;
                },
                false,
            ),
            // Analyzers whose terms do not compose: documents and segments transformed apart.
            config(|a| a.tokenizer = Some("unicode".into()), false),
            config(|a| a.token_pattern = Some(r"\w+ \w+".into()), false),
            config(|a| {
                a.analyzer = "char_wb".into();
                a.ngram_range = (2, 3);
            }, false),
            config(|a| {
                a.language = Some("auto".into());
                a.languages = vec!["english".into(), "spanish".into()];
                a.stemmer = Some("auto".into());
            }, false),
        ];
        for cfg in configs {
            let mut v = TfidfVectorizer::new(cfg.clone()).unwrap();
            let _: CsrMatrix<f32> = v.fit_transform(&docs[..docs.len() / 2], Some(2)).unwrap();
            let want_d: CsrMatrix<f32> = v.transform(&docs, Some(1)).unwrap();
            let want_s: CsrMatrix<f32> = v.transform(&seg_texts, Some(1)).unwrap();
            for n_jobs in [1, 2] {
                let parts = v
                    .transform_chunks_segmented::<f32, String, _>(&docs, &offsets, &ranges, Some(n_jobs), &|a, b| (a, b))
                    .unwrap();
                let (mut i, mut j) = (0, 0);
                for (xd, xs) in &parts {
                    for r in 0..xd.n_rows {
                        assert_eq!(xd.row(r), want_d.row(i), "{cfg:?}: document {i}");
                        i += 1;
                    }
                    for r in 0..xs.n_rows {
                        assert_eq!(xs.row(r), want_s.row(j), "{cfg:?}: segment {j}");
                        j += 1;
                    }
                }
                assert_eq!((i, j), (docs.len(), seg_texts.len()));
            }
        }
    }

    #[test]
    fn cuts_inside_a_possible_token_are_found() {
        let d = "ab.Cd ef";
        assert!(cuts_between_tokens(d, &[0..3, 3..8]));
        assert!(!cuts_between_tokens(d, &[0..2, 2..8]) || d.as_bytes()[2] == b'.');
        assert!(!cuts_between_tokens("abcd ef", &[0..2, 2..7]));
        assert!(!cuts_between_tokens("a\u{301}b c", &[0..1, 1..6]));
        assert!(!cuts_between_tokens("ab.x cd", &[0..2, 3..7]));
        assert!(!cuts_between_tokens("x ab", &[2..4]));
        assert!(cuts_between_tokens(" ab\n\ncd ", &[1..3, 5..7]));
        assert!(!cuts_between_tokens("ab", &[]));
    }
}
