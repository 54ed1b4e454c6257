//! [`DfCounts`]: document and term frequencies of every feature seen so far, counted one
//! batch of documents at a time, for fits that never hold all the documents: streaming from
//! files, `partial_fit`, and distributed fits (one `DfCounts` per partition, merged).
//!
//! Counts add exactly, so the vocabulary chosen from the totals ([`DfCounts::select`]:
//! `min_df`, `max_df` and `max_features` applied to the merged counts, the kept terms sorted
//! by name) is the vocabulary a fit on all the documents at once would learn, whatever the
//! batches and the order they came in. Memory: one entry per distinct feature (its name,
//! df and tf), plus one batch's counting buffers while it is added; never the documents.

use serde::{Deserialize, Serialize};

use super::config::DfBound;
use super::fit::fit;
use super::vocab::Limits;
use crate::error::{Error, Result};
use crate::text::intern::Interner;
use crate::text::Analyzer;

/// Document frequency, corpus term frequency and name of every feature seen, and the number
/// of documents counted.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(from = "Saved", into = "Saved")]
pub struct DfCounts {
    n_docs: u64,
    names: Interner,
    df: Vec<u64>,
    tf: Vec<u64>,
}

/// The serialised form: names back to back with their end offsets.
#[derive(Serialize, Deserialize)]
struct Saved {
    n_docs: u64,
    arena: String,
    ends: Vec<u64>,
    df: Vec<u64>,
    tf: Vec<u64>,
}

impl From<DfCounts> for Saved {
    fn from(c: DfCounts) -> Saved {
        let (arena, offs) = c.names.into_parts();
        Saved { n_docs: c.n_docs, arena, ends: offs[1..].iter().map(|&o| o as u64).collect(), df: c.df, tf: c.tf }
    }
}

impl From<Saved> for DfCounts {
    fn from(s: Saved) -> DfCounts {
        // Checked input only ever comes from `into` above; a malformed payload (lengths that
        // disagree, offsets out of order or out of bounds) yields empty counts rather than a
        // panic. [`DfCounts::from_bytes`] reports it.
        let n = s.ends.len();
        let ok = s.df.len() == n
            && s.tf.len() == n
            && s.ends.windows(2).all(|w| w[0] <= w[1])
            && s.ends.last().map_or(true, |&e| e as usize == s.arena.len())
            && s.ends.iter().all(|&e| s.arena.is_char_boundary(e as usize));
        if !ok {
            return DfCounts { n_docs: u64::MAX, ..Default::default() };
        }
        let mut names = Interner::with_capacity(n);
        let mut start = 0usize;
        for &e in &s.ends {
            names.intern(&s.arena[start..e as usize]);
            start = e as usize;
        }
        if names.len() != n {
            return DfCounts { n_docs: u64::MAX, ..Default::default() };
        }
        DfCounts { n_docs: s.n_docs, names, df: s.df, tf: s.tf }
    }
}

impl DfCounts {
    pub fn new() -> Self {
        Self::default()
    }

    /// Documents counted.
    pub fn n_docs(&self) -> u64 {
        self.n_docs
    }

    /// Distinct features seen.
    pub fn n_features(&self) -> usize {
        self.df.len()
    }

    /// Count one batch of documents with `an` (inside the caller's thread pool). A batch whose
    /// documents have no features at all (empty, or only stop words) only adds to the
    /// document count.
    pub fn add<S: AsRef<str> + Sync>(&mut self, an: &Analyzer, docs: &[S]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        // Keep every feature (min_df 1) and ask for term frequencies (a max_features the
        // pruning never reaches makes the fit count them).
        let limits = Limits { min_count: 1.0, max_count: f64::INFINITY, max_features: Some(usize::MAX) };
        let fitted = match fit::<f32, S>(an, docs, limits, None) {
            Ok((f, _)) => f,
            Err(Error::Value(m)) if m.starts_with("empty vocabulary") => {
                self.n_docs += docs.len() as u64;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        const WHAT: &str = "the document frequencies";
        let n = fitted.names.len();
        self.names.try_reserve(n, fitted.names.iter().map(String::len).sum(), WHAT)?;
        crate::error::grow(&mut self.df, n, WHAT)?;
        crate::error::grow(&mut self.tf, n, WHAT)?;
        self.n_docs += docs.len() as u64;
        for (i, name) in fitted.names.iter().enumerate() {
            self.bump(name, fitted.df[i], fitted.tf.get(i).copied().unwrap_or(0));
        }
        Ok(())
    }

    #[inline]
    fn bump(&mut self, name: &str, df: u64, tf: u64) {
        let (g, new) = self.names.intern(name);
        if new {
            self.df.push(0);
            self.tf.push(0);
        }
        self.df[g as usize] += df;
        self.tf[g as usize] += tf;
    }

    /// Add another set of counts (of other documents, counted with the same analyzer). All
    /// the room is reserved first (fallibly: out of memory is an [`Error::Memory`] and the
    /// counts are unchanged), then the merge itself allocates nothing. A cancelled call
    /// ([`crate::cancel`], polled every 65,536 features: a few milliseconds) undoes what it
    /// added and returns [`Error::Interrupted`], the counts unchanged.
    pub fn merge(&mut self, other: &DfCounts) -> Result<()> {
        self.merge_polling(other, 1 << 16)
    }

    /// [`DfCounts::merge`] polling for cancellation every `every` features.
    fn merge_polling(&mut self, other: &DfCounts, every: usize) -> Result<()> {
        const WHAT: &str = "the merged document frequencies";
        let n = other.names.len();
        self.names.try_reserve(n, other.names.bytes(), WHAT)?;
        crate::error::grow(&mut self.df, n, WHAT)?;
        crate::error::grow(&mut self.tf, n, WHAT)?;
        let before = self.names.len();
        for (g, name) in other.names.iter().enumerate() {
            if g > 0 && g % every == 0 && crate::cancel::requested() {
                // Undo: the counts added to features seen before, then the new features.
                for (h, name) in other.names.iter().take(g).enumerate() {
                    if let Some(id) = self.names.get(name).filter(|&id| (id as usize) < before) {
                        self.df[id as usize] -= other.df[h];
                        self.tf[id as usize] -= other.tf[h];
                    }
                }
                self.names.truncate(before);
                self.df.truncate(before);
                self.tf.truncate(before);
                return Err(Error::Interrupted);
            }
            self.bump(name, other.df[g], other.tf[g]);
        }
        self.n_docs += other.n_docs;
        Ok(())
    }

    /// Document frequency of `term` (0 if never seen).
    pub fn df_of(&self, term: &str) -> u64 {
        self.names.get(term).map_or(0, |g| self.df[g as usize])
    }

    /// The vocabulary of a fit on all the counted documents: the features whose document
    /// frequency lies within `min_df..=max_df` (counts, or proportions of the documents
    /// counted), at most `max_features` of them by highest term frequency (ties by name),
    /// sorted by name (byte order); with each one's document frequency. The errors are a
    /// fit's (scikit-learn's messages).
    pub fn select(&self, min_df: DfBound, max_df: DfBound, max_features: Option<usize>) -> Result<(Vec<String>, Vec<u64>)> {
        if self.df.is_empty() {
            return Err(Error::value("empty vocabulary; perhaps the documents only contain stop words"));
        }
        let n = self.n_docs as usize;
        let (lo, hi) = (min_df.count(n), max_df.count(n));
        if hi < lo {
            return Err(Error::value("max_df corresponds to < documents than min_df"));
        }
        let mut kept: Vec<u32> = (0..self.df.len() as u32)
            .filter(|&g| {
                let d = self.df[g as usize] as f64;
                d >= lo && d <= hi
            })
            .collect();
        let name = |g: u32| self.names.get_str(g);
        if let Some(limit) = max_features {
            if kept.len() > limit {
                kept.sort_unstable_by(|&a, &b| {
                    self.tf[b as usize].cmp(&self.tf[a as usize]).then_with(|| name(a).cmp(name(b)))
                });
                kept.truncate(limit);
            }
        }
        if kept.is_empty() {
            return Err(Error::value("After pruning, no terms remain. Try a lower min_df or a higher max_df."));
        }
        kept.sort_unstable_by(|&a, &b| name(a).cmp(name(b)));
        let names = kept.iter().map(|&g| name(g).to_string()).collect();
        let df = kept.iter().map(|&g| self.df[g as usize]).collect();
        Ok((names, df))
    }

    /// Serialised counts (postcard), for shipping between processes.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        postcard::to_allocvec(self).map_err(|e| Error::value(format!("cannot serialise the counts: {e}")))
    }

    /// The reverse of [`DfCounts::to_bytes`]; a `ValueError` for anything else.
    pub fn from_bytes(b: &[u8]) -> Result<Self> {
        let c: DfCounts =
            postcard::from_bytes(b).map_err(|e| Error::value(format!("not serialised document-frequency counts: {e}")))?;
        if c.n_docs == u64::MAX {
            return Err(Error::value("not serialised document-frequency counts: inconsistent lengths"));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::AnalyzerConfig;
    use crate::vectorize::{CountVectorizer, VectorizerConfig};

    fn analyzer(ngram: (usize, usize)) -> Analyzer {
        Analyzer::new(&AnalyzerConfig { ngram_range: ngram, ..AnalyzerConfig::default() }).unwrap()
    }

    fn docs() -> Vec<String> {
        let words = ["peace", "talks", "truce", "army", "rebels", "aid", "the", "a", "shelling", "held"];
        (0..300)
            .map(|i: usize| {
                (0..(i % 17 + 1)).map(|j| words[(i * 7 + j * 3 + i / 5) % words.len()]).collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    #[test]
    fn an_interrupted_merge_leaves_the_counts_unchanged() {
        let docs = docs();
        let an = analyzer((1, 3));
        let (mut a, mut b) = (DfCounts::new(), DfCounts::new());
        a.add(&an, &docs[..150]).unwrap();
        b.add(&an, &docs[100..]).unwrap();
        let before = a.to_bytes().unwrap();
        let t = crate::cancel::Token::new();
        t.cancel();
        let r = crate::cancel::with_token(&t, || a.merge_polling(&b, 5));
        assert_eq!(r, Err(Error::Interrupted));
        assert_eq!(a.to_bytes().unwrap(), before, "an interrupted merge must undo what it added");
        let mut c = a.clone();
        c.merge(&b).unwrap();
        a.merge_polling(&b, 5).unwrap();
        assert_eq!(a.to_bytes().unwrap(), c.to_bytes().unwrap());
        assert_eq!(a.n_docs(), 350, "150 documents, then the 200 of the merge");
    }

    #[test]
    fn batches_in_any_split_give_the_fit_on_all_documents() {
        let docs = docs();
        for &ngram in &[(1, 1), (1, 2), (1, 3)] {
            let an = analyzer(ngram);
            for &(min_df, max_df, mf) in &[
                (DfBound::Count(1), DfBound::Proportion(1.0), None),
                (DfBound::Count(2), DfBound::Proportion(0.9), None),
                (DfBound::Proportion(0.01), DfBound::Count(200), Some(25)),
                (DfBound::Proportion(0.01), DfBound::Proportion(1.0), Some(25)),
            ] {
                let cfg = VectorizerConfig {
                    analyzer: AnalyzerConfig { ngram_range: ngram, ..AnalyzerConfig::default() },
                    min_df,
                    max_df,
                    max_features: mf,
                    ..VectorizerConfig::default()
                };
                let mut whole = CountVectorizer::new(cfg).unwrap();
                let whole_fit = whole.fit(&docs, Some(1));
                for split in [1usize, 7, 64, 299] {
                    let mut parts: Vec<DfCounts> = Vec::new();
                    for b in docs.chunks(split) {
                        let mut c = DfCounts::new();
                        c.add(&an, b).unwrap();
                        parts.push(c);
                    }
                    // merged in reverse order, through bytes
                    let mut total = DfCounts::new();
                    for p in parts.iter().rev() {
                        total.merge(&DfCounts::from_bytes(&p.to_bytes().unwrap()).unwrap()).unwrap();
                    }
                    assert_eq!(total.n_docs(), docs.len() as u64);
                    match (&whole_fit, total.select(min_df, max_df, mf)) {
                        (Ok(()), Ok((names, _))) => {
                            assert_eq!(names, whole.feature_names().unwrap(), "ngram {ngram:?} split {split} mf {mf:?}")
                        }
                        // the same error (e.g. nothing left after pruning) either way
                        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                        (a, b) => panic!("fit {a:?} but counts {b:?} (ngram {ngram:?} split {split})"),
                    }
                }
            }
        }
    }

    #[test]
    fn empty_batches_and_bad_bytes() {
        let an = analyzer((1, 1));
        let mut c = DfCounts::new();
        c.add(&an, &["", " ", "!!"]).unwrap();
        assert_eq!(c.n_docs(), 3);
        assert!(c.select(DfBound::Count(1), DfBound::Proportion(1.0), None).is_err());
        c.add(&an, &["peace talks"]).unwrap();
        assert_eq!(c.df_of("peace"), 1);
        assert_eq!(c.n_docs(), 4);
        assert!(DfCounts::from_bytes(b"not counts at all").is_err());
        assert!(c.select(DfBound::Count(3), DfBound::Count(2), None).is_err());
        assert!(c.select(DfBound::Count(5), DfBound::Proportion(1.0), None).is_err());
    }
}
