//! Readable forms of vocabulary terms.
//!
//! A word analyzer's terms are stemmed, lower-cased and possibly accent-stripped (`armi`,
//! `negoci`); explanations should show words as written. [`surface_forms`] finds, for each
//! vocabulary term, its most frequent *surface form* in a set of documents: the lower-cased
//! original text of the token(s) it came from, accents kept (`armi` -> `arms`, `negoci` ->
//! `negociaciones`). An n-gram term's surface form joins its tokens' surface forms with a
//! space (the stop words that the analyzer dropped between them are not shown). Ties go to
//! the form seen first (document order, then position). Terms never seen keep their own
//! text.
//!
//! [`is_numeric_term`] and [`is_stop_term`] pick out the terms that a list of "top terms"
//! leaves out by default.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{word_ngrams, Analyzer, AnalyzerKind};
use super::normalize::{strip_accents, StripAccents};
use super::stopwords;

/// Documents per parallel work item (fixed, so the work split does not depend on threads).
const CHUNK: usize = 32;

/// Per term: surface form -> (count, first occurrence as (document, token position)).
type Counts = HashMap<usize, HashMap<String, (u64, (usize, usize))>>;

/// The most frequent surface form of each of `terms` (the analyzer's feature names) in
/// `docs`, or the term itself when it does not occur (and for char analyzers). Runs in the
/// current rayon pool; the result does not depend on the number of threads.
pub fn surface_forms<S: AsRef<str> + Sync>(analyzer: &Analyzer, docs: &[S], terms: &[String]) -> Vec<String> {
    if analyzer.kind != AnalyzerKind::Word || terms.is_empty() {
        return terms.to_vec();
    }
    let index: HashMap<&str, usize> = terms.iter().enumerate().map(|(i, t)| (t.as_str(), i)).collect();
    let mut uni = analyzer.clone();
    uni.min_n = 1;
    uni.max_n = 1;
    let (min_n, max_n) = (analyzer.min_n, analyzer.max_n);

    let counts: Counts = docs
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut counts: Counts = HashMap::new();
            let mut name = String::new();
            let mut surf = String::new();
            for (d, doc) in chunk.iter().enumerate() {
                let doc_i = c * CHUNK + d;
                let doc = doc.as_ref();
                let toks = uni.analyze_spans(doc);
                let forms: Vec<String> = toks.iter().map(|(_, r)| doc[r.clone()].to_lowercase()).collect();
                word_ngrams(toks.len(), min_n, max_n, |i, j| {
                    name.clear();
                    surf.clear();
                    for p in i..j {
                        if p > i {
                            name.push(' ');
                            surf.push(' ');
                        }
                        name.push_str(&toks[p].0);
                        surf.push_str(&forms[p]);
                    }
                    if let Some(&t) = index.get(name.as_str()) {
                        let e = counts.entry(t).or_default();
                        match e.get_mut(surf.as_str()) {
                            Some(v) => v.0 += 1,
                            None => {
                                e.insert(surf.clone(), (1, (doc_i, i)));
                            }
                        }
                    }
                });
            }
            counts
        })
        .reduce(HashMap::new, |mut a, b| {
            for (t, forms) in b {
                let e = a.entry(t).or_default();
                for (s, (n, first)) in forms {
                    let v = e.entry(s).or_insert((0, first));
                    v.0 += n;
                    v.1 = v.1.min(first);
                }
            }
            a
        });

    terms
        .iter()
        .enumerate()
        .map(|(t, term)| {
            counts
                .get(&t)
                .and_then(|forms| {
                    forms
                        .iter()
                        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                        .map(|(s, _)| s.clone())
                })
                .unwrap_or_else(|| term.clone())
        })
        .collect()
}

/// A number: at least one digit, and nothing but digits and the separators of written
/// numbers (`.` `,` `'` `’` `_` `-` `/` `:` and spaces, so n-grams of numbers count too):
/// `000`, `1,500`, `3.500`, `2024`, `10 000`. Not `1990s` or `g20`.
pub fn is_numeric_term(term: &str) -> bool {
    term.chars().any(|c| c.is_numeric())
        && term.chars().all(|c| c.is_numeric() || matches!(c, '.' | ',' | '\'' | '’' | '_' | '-' | '/' | ':' | ' '))
}

/// Every word of `term` (split on whitespace) is a built-in English or Spanish stop word,
/// compared lower-cased and with or without accents (`the`, `de la`, `más`/`mas`).
pub fn is_stop_term(term: &str) -> bool {
    let mut any = false;
    for w in term.split_whitespace() {
        any = true;
        let lw = w.to_lowercase();
        let hit = |x: &str| stopwords::ENGLISH.contains(&x) || stopwords::SPANISH.contains(&x);
        let folded = |x: &str| strip_accents(x, StripAccents::Unicode);
        let ok = hit(&lw)
            || stopwords::SPANISH.iter().any(|s| folded(s) == lw)
            || (!lw.is_ascii() && hit(&folded(&lw)));
        if !ok {
            return false;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{AnalyzerConfig, StopWordsSpec};

    fn analyzer(stemmer: &str, ngrams: (usize, usize), stop: Option<&str>) -> Analyzer {
        let mut c = AnalyzerConfig::default();
        c.stemmer = Some(stemmer.into());
        c.strip_accents = Some("unicode".into());
        c.ngram_range = ngrams;
        c.stop_words = stop.map(|s| StopWordsSpec::Named(s.into()));
        if stemmer == "auto" {
            c.language = Some("auto".into());
        }
        Analyzer::new(&c).unwrap()
    }

    #[test]
    fn english_stems_to_words() {
        let a = analyzer("english", (1, 2), Some("english"));
        let docs = [
            "Arms shipments to the rebels resumed. The ARMS embargo failed.",
            "People fled; the arming of militias worried people and negotiators.",
            "Negotiations stalled as negotiators left.",
        ];
        let mut terms: Vec<String> = docs.iter().flat_map(|d| a.analyze(d)).collect();
        terms.sort();
        terms.dedup();
        terms.push("unseen".into());
        let forms = surface_forms(&a, &docs, &terms);
        let get = |t: &str| forms[terms.iter().position(|x| x == t).unwrap()].as_str();
        assert_eq!(get("arm"), "arms"); // arms x2, arming x1
        assert_eq!(get("peopl"), "people");
        // negotiators x2 vs negotiations x1
        let neg = a.analyze("negotiators")[0].clone();
        assert_eq!(get(&neg), "negotiators");
        assert_eq!(get("unseen"), "unseen");
        // bigram: "arms shipments" -> stems "arm shipment"
        let bi = a.analyze("arms shipments").pop().unwrap();
        assert_eq!(get(&bi), "arms shipments");
    }

    #[test]
    fn spanish_keeps_accents_and_ties_go_to_first() {
        let a = analyzer("spanish", (1, 1), Some("spanish"));
        let docs = [
            "La negociación de paz y las negociaciones del alto el fuego.",
            "Nuevas NEGOCIACIONES en Ginebra; la negociacion sigue.",
        ];
        let t = a.analyze("negociaciones")[0].clone();
        assert_eq!(a.analyze("negociación")[0], t);
        let forms = surface_forms(&a, &docs, &[t.clone(), "pa".into()]);
        // negociaciones x2, negociación x1, negociacion x1
        assert_eq!(forms[0], "negociaciones");
        // A tie: the first seen wins.
        let docs = ["Una negociación difícil.", "Las negociaciones siguen."];
        assert_eq!(surface_forms(&a, &docs, &[t.clone()])[0], "negociación");
        let rev = ["Las negociaciones siguen.", "Una negociación difícil."];
        assert_eq!(surface_forms(&a, &rev, &[t])[0], "negociaciones");
    }

    #[test]
    fn auto_language_and_threads() {
        let a = analyzer("auto", (1, 2), Some("auto"));
        let mut docs: Vec<String> = Vec::new();
        for i in 0..200 {
            docs.push(if i % 3 == 0 {
                format!("Los rebeldes atacaron la ciudad; {i} muertos según el ejército.")
            } else {
                format!("The rebels attacked the city, killing {i} people, the army said.")
            });
        }
        let mut terms: Vec<String> = docs.iter().flat_map(|d| a.analyze(d)).collect();
        terms.sort();
        terms.dedup();
        let run = |n: usize| {
            rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap().install(|| surface_forms(&a, &docs, &terms))
        };
        let one = run(1);
        assert_eq!(one, run(3));
        let get = |t: &str| one[terms.iter().position(|x| x == t).unwrap()].as_str();
        assert_eq!(get("rebel"), "rebels");
        let ej = terms.iter().find(|t| t.starts_with("ejerc") && !t.contains(' ')).unwrap();
        assert_eq!(get(ej), "ejército");
    }

    #[test]
    fn char_analyzer_is_identity() {
        let mut c = AnalyzerConfig::default();
        c.analyzer = "char".into();
        let a = Analyzer::new(&c).unwrap();
        let terms = vec!["ab".to_string()];
        assert_eq!(surface_forms(&a, &["abc"], &terms), terms);
    }

    #[test]
    fn numbers_and_stop_words() {
        for t in ["000", "1,500", "3.500", "2024", "10 000", "12:30", "٣"] {
            assert!(is_numeric_term(t), "{t}");
        }
        for t in ["", "1990s", "g20", "arms", "000 peopl", "-"] {
            assert!(!is_numeric_term(t), "{t}");
        }
        for t in ["the", "de la", "más", "mas", "The", "también"] {
            assert!(is_stop_term(t), "{t}");
        }
        for t in ["", "arms", "the arms", "paz"] {
            assert!(!is_stop_term(t), "{t}");
        }
    }
}
