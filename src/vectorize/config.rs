//! The vectorizers' parameters (scikit-learn's names and defaults), validated where they are
//! parsed, and the analyzer each vectorizer compiles from its config.

use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::{Analyzer, AnalyzerConfig};

/// Row normalisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Norm {
    L1,
    L2,
}

impl Norm {
    /// Parse `None` / `"l1"` / `"l2"`.
    pub fn parse(name: Option<&str>) -> Result<Option<Norm>> {
        match name {
            None => Ok(None),
            Some("l1") => Ok(Some(Norm::L1)),
            Some("l2") => Ok(Some(Norm::L2)),
            Some(other) => Err(Error::value(format!(
                "norm={other:?} is not supported; use 'l1', 'l2' or None"
            ))),
        }
    }
}

/// A `min_df` / `max_df` bound: an absolute document count or a proportion of documents.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum DfBound {
    Count(i64),
    Proportion(f64),
}

impl DfBound {
    pub fn check(&self, name: &str, owner: &str) -> Result<()> {
        let ok = match *self {
            DfBound::Count(c) => c >= 1,
            DfBound::Proportion(p) => (0.0..=1.0).contains(&p),
        };
        if ok {
            return Ok(());
        }
        let got = match *self {
            DfBound::Count(c) => c.to_string(),
            DfBound::Proportion(p) => format!("{p:?}"),
        };
        Err(Error::value(format!(
            "The '{name}' parameter of {owner} must be a float in the range [0.0, 1.0] or an int \
             in the range [1, inf). Got {got} instead."
        )))
    }
    pub fn count(&self, n_docs: usize) -> f64 {
        match *self {
            DfBound::Count(c) => c as f64,
            DfBound::Proportion(p) => p * n_docs as f64,
        }
    }
}

/// A fixed vocabulary as given: a mapping term -> column, or an iterable of terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FixedVocabulary {
    Mapping(Vec<(String, i64)>),
    Terms(Vec<String>),
}

impl FixedVocabulary {
    /// Validate like scikit-learn's `_validate_vocabulary` and return the terms in column order.
    pub fn resolve(&self) -> Result<Vec<String>> {
        let names = match self {
            FixedVocabulary::Terms(t) => {
                let mut seen = std::collections::HashSet::new();
                for w in t {
                    if !seen.insert(w.as_str()) {
                        return Err(Error::value(format!("Duplicate term in vocabulary: '{w}'")));
                    }
                }
                t.clone()
            }
            FixedVocabulary::Mapping(m) => {
                let n = m.len();
                let mut slot: Vec<Option<&str>> = vec![None; n];
                let mut distinct = std::collections::HashSet::new();
                for (_, i) in m {
                    distinct.insert(*i);
                }
                if distinct.len() != n {
                    return Err(Error::value("Vocabulary contains repeated indices."));
                }
                for (w, i) in m {
                    if *i >= 0 && (*i as usize) < n {
                        slot[*i as usize] = Some(w);
                    }
                }
                if let Some(i) = slot.iter().position(|s| s.is_none()) {
                    return Err(Error::value(format!(
                        "Vocabulary of size {n} doesn't contain index {i}."
                    )));
                }
                slot.into_iter().map(|s| s.unwrap_or_default().to_string()).collect()
            }
        };
        if names.is_empty() {
            return Err(Error::value("empty vocabulary passed to fit"));
        }
        Ok(names)
    }
}

/// CountVectorizer parameters (scikit-learn's names; `Default` = scikit-learn's defaults).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VectorizerConfig {
    pub analyzer: AnalyzerConfig,
    pub min_df: DfBound,
    pub max_df: DfBound,
    pub max_features: Option<usize>,
    pub vocabulary: Option<FixedVocabulary>,
    pub binary: bool,
}

impl Default for VectorizerConfig {
    fn default() -> Self {
        VectorizerConfig {
            analyzer: AnalyzerConfig::default(),
            min_df: DfBound::Count(1),
            max_df: DfBound::Proportion(1.0),
            max_features: None,
            vocabulary: None,
            binary: false,
        }
    }
}

/// TfidfVectorizer parameters: the count parameters plus the TF-IDF ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TfidfConfig {
    pub count: VectorizerConfig,
    pub norm: Option<Norm>,
    pub use_idf: bool,
    pub smooth_idf: bool,
    pub sublinear_tf: bool,
}

impl Default for TfidfConfig {
    fn default() -> Self {
        TfidfConfig {
            count: VectorizerConfig::default(),
            norm: Some(Norm::L2),
            use_idf: true,
            smooth_idf: true,
            sublinear_tf: false,
        }
    }
}

/// HashingVectorizer parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HashingConfig {
    pub analyzer: AnalyzerConfig,
    pub n_features: usize,
    pub alternate_sign: bool,
    pub norm: Option<Norm>,
    pub binary: bool,
}

impl Default for HashingConfig {
    fn default() -> Self {
        HashingConfig {
            analyzer: AnalyzerConfig::default(),
            n_features: 1 << 20,
            alternate_sign: true,
            norm: Some(Norm::L2),
            binary: false,
        }
    }
}

/// The analyzer compiled from `cfg`, once (kept in `cell`; rebuilt lazily after
/// deserialisation).
pub fn compiled(cell: &OnceLock<Arc<Analyzer>>, cfg: &AnalyzerConfig) -> Result<Arc<Analyzer>> {
    if let Some(a) = cell.get() {
        return Ok(a.clone());
    }
    let a = Arc::new(Analyzer::new(cfg)?);
    Ok(cell.get_or_init(|| a).clone())
}
