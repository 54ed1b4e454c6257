//! The text-to-topics pipeline: [`TopicModel`], a fitted TF-IDF vectorizer, a sparse linear
//! model and the topic names, so that raw text goes to topics in one call.
//!
//! - [`fit`]: fitting the vectorizer and the linear model on raw documents;
//! - [`predict`]: decision values, probabilities, topics and the best topics per document;
//! - [`explain`]: per-term contributions to a decision value, and the strongest terms;
//! - [`prune`]: a copy without the terms whose weights are all (nearly) zero;
//! - [`persist`]: the `TopicClassifier` model file payload.
//!
//! Weights are kept as `f32` (feature-major: the `n_outputs` weights of a feature are
//! contiguous, which makes scoring a sparse row one contiguous read per feature), and the
//! model file stores exactly those `f32` values, so a loaded model predicts bit-identically to
//! the fitted one. Decision values are accumulated in `f64`, starting from the intercept and
//! adding features in column order; explanations use the same order, so their score equals
//! the decision value exactly.

pub mod articles;
pub mod explain;
pub mod fit;
pub mod keywords;
pub mod persist;
pub mod predict;
pub mod prune;
pub mod segments;

use crate::error::{Error, Result};
use crate::linear::{FeatureMajor, LinearModel, ModelKind};
use crate::vectorize::TfidfVectorizer;

/// Training labels as class indices.
#[derive(Clone, Debug)]
pub enum Labels {
    Multiclass(Vec<usize>),
    Multilabel(Vec<Vec<usize>>),
}

/// Predictions as class indices.
#[derive(Clone, Debug, PartialEq)]
pub enum Prediction {
    Multiclass(Vec<usize>),
    /// Topics per document, best first.
    Multilabel(Vec<Vec<usize>>),
}

/// The fitted pipeline.
#[derive(Clone, Debug)]
pub struct TopicModel {
    vectorizer: TfidfVectorizer,
    classes: Vec<String>,
    multilabel: bool,
    /// Kind, intercepts, Platt parameters and training diagnostics; its `coef` is left empty
    /// (the weights live in `weights`). Only the methods that work from scores are used.
    linear: LinearModel,
    /// `n_features x n_outputs`, feature-major.
    weights: FeatureMajor,
    n_documents: usize,
    fit_seconds: f64,
    /// Multi-label models fitted with article options: the combination rule, calibrators,
    /// thresholds and surface forms ([`articles`]).
    articles: Option<articles::ArticleState>,
}

impl TopicModel {
    pub fn classes(&self) -> &[String] {
        &self.classes
    }
    pub fn multilabel(&self) -> bool {
        self.multilabel
    }
    pub fn n_features(&self) -> usize {
        self.linear.n_features
    }
    pub fn n_outputs(&self) -> usize {
        self.linear.n_outputs()
    }
    pub fn n_documents(&self) -> usize {
        self.n_documents
    }
    pub fn fit_seconds(&self) -> f64 {
        self.fit_seconds
    }
    pub fn converged(&self) -> bool {
        self.linear.converged
    }
    pub fn n_iter(&self) -> usize {
        self.linear.n_iter.iter().copied().max().unwrap_or(0)
    }
    pub fn kind(&self) -> ModelKind {
        self.linear.kind
    }
    pub fn vectorizer(&self) -> &TfidfVectorizer {
        &self.vectorizer
    }
    /// The article-level state, when fitted with [`TopicModel::fit_with_articles`].
    pub fn articles(&self) -> Option<&articles::ArticleState> {
        self.articles.as_ref()
    }
    /// Whether `predict_proba` is available (logistic, or an SVM fitted with Platt scaling).
    pub fn has_proba(&self) -> bool {
        matches!(self.linear.kind, ModelKind::Logistic { .. }) || self.linear.platt.is_some()
    }


    /// Feature names (column order).
    pub fn feature_names(&self) -> Result<&[String]> {
        self.vectorizer.feature_names()
    }

    /// Which output row and sign give topic `class`'s decision value.
    fn output_of(&self, class: usize) -> Result<(usize, f64)> {
        if class >= self.classes.len() {
            return Err(Error::value(format!(
                "topic index {class} out of range for {} topics",
                self.classes.len()
            )));
        }
        if self.n_outputs() == 1 {
            Ok((0, if class == 1 { 1.0 } else { -1.0 }))
        } else {
            Ok((class, 1.0))
        }
    }

}
