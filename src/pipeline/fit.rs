//! Fitting a [`TopicModel`]: the vectorizer learns its vocabulary and idf from the
//! documents, the linear model its weights from their TF-IDF rows; the weights are then kept
//! feature-major as `f32`.

use std::time::Instant;

use super::{Labels, TopicModel};
use crate::error::{Error, Result};
use crate::linear::{self, FeatureMajor, LinearModel, LinearParams, Target};
use crate::sparse::CsrMatrix;
use crate::vectorize::TfidfVectorizer;

impl TopicModel {
    /// Fit the vectorizer and the linear model on raw documents.
    pub fn fit<S: AsRef<str> + Sync>(
        docs: &[S],
        labels: &Labels,
        classes: Vec<String>,
        mut vectorizer: TfidfVectorizer,
        params: &LinearParams,
        n_jobs: Option<i64>,
    ) -> Result<Self> {
        let n = docs.len();
        if n == 0 {
            return Err(Error::value("fit needs at least one document; got an empty collection"));
        }
        let n_classes = classes.len();
        if n_classes < 2 {
            return Err(Error::value(format!(
                "fit needs at least two different topics; got {n_classes}"
            )));
        }
        let target = match labels {
            Labels::Multiclass(y) => Target::Multiclass { y: y.clone(), n_classes },
            Labels::Multilabel(y) => Target::Multilabel { y: y.clone(), n_classes },
        };
        if target.n_samples() != n {
            return Err(Error::value(format!(
                "got {n} documents but {} labels; give exactly one label (or topic list) per document",
                target.n_samples()
            )));
        }
        let t0 = Instant::now();
        // float32 features (8 bytes per non-zero, with the u32 column): the solvers
        // accumulate in float64 either way, and their copy of X keeps the input's width.
        let x: CsrMatrix<f32> = vectorizer.fit_transform(docs, n_jobs)?;
        if x.n_cols == 0 {
            return Err(Error::value(
                "the vectorizer found no terms in the training documents (empty vocabulary); \
                 check min_df, max_df, stop_words and the documents",
            ));
        }
        let lm = linear::fit(&x, &target, None, params, n_jobs)?;
        let fit_seconds = t0.elapsed().as_secs_f64();
        let weights = lm.feature_major_weights(n_jobs)?;
        Ok(Self::from_linear(vectorizer, classes, lm, weights, n, fit_seconds))
    }

    /// [`TopicModel::fit`], then, for a multi-label model with `articles` options, the
    /// article-level state ([`super::articles`]) from cross-validated scores.
    pub fn fit_with_articles<S: AsRef<str> + Sync>(
        docs: &[S],
        labels: &Labels,
        classes: Vec<String>,
        vectorizer: TfidfVectorizer,
        params: &LinearParams,
        articles: Option<&super::articles::ArticleOptions>,
        n_jobs: Option<i64>,
    ) -> Result<Self> {
        let t0 = Instant::now();
        let mut m = Self::fit(docs, labels, classes, vectorizer, params, n_jobs)?;
        if let (Some(opts), Labels::Multilabel(y)) = (articles, labels) {
            m.articles = Some(m.fit_articles(docs, y, params, opts, n_jobs)?);
            m.fit_seconds = t0.elapsed().as_secs_f64();
        }
        Ok(m)
    }

    /// A model from a fitted vectorizer and a linear model trained on its features elsewhere
    /// (a distributed fit).
    pub fn from_parts(
        vectorizer: TfidfVectorizer,
        classes: Vec<String>,
        lm: LinearModel,
        n_documents: usize,
        fit_seconds: f64,
        n_jobs: Option<i64>,
    ) -> Result<Self> {
        let nf = vectorizer.feature_names()?.len();
        if lm.n_features != nf {
            return Err(Error::value(format!(
                "the linear model has {} features but the vectorizer {nf} terms", lm.n_features
            )));
        }
        if lm.n_classes != classes.len() || classes.len() < 2 {
            return Err(Error::value(format!(
                "{} topic names for a linear model of {} classes", classes.len(), lm.n_classes
            )));
        }
        let weights = lm.feature_major_weights(n_jobs)?;
        Ok(Self::from_linear(vectorizer, classes, lm, weights, n_documents, fit_seconds))
    }

    pub(super) fn from_linear(
        vectorizer: TfidfVectorizer,
        classes: Vec<String>,
        mut lm: LinearModel,
        weights: FeatureMajor,
        n_documents: usize,
        fit_seconds: f64,
    ) -> Self {
        lm.coef = Vec::new();
        TopicModel {
            vectorizer,
            multilabel: lm.multilabel,
            classes,
            linear: lm,
            weights,
            n_documents,
            fit_seconds,
            articles: None,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::linear::LinearParams;
    use crate::vectorize::TfidfConfig;
    use crate::pipeline::Labels;

    fn docs() -> (Vec<&'static str>, Vec<usize>) {
        (
            vec![
                "rebels attacked the army base with rockets",
                "troops shelled the rebel positions overnight",
                "ministers agreed on a ceasefire and peace talks",
                "diplomats signed a peace agreement in Geneva",
                "the army bombed the village",
                "negotiators reached an agreement on talks",
            ],
            vec![0, 0, 1, 1, 0, 1],
        )
    }

    pub(crate) fn model(multilabel: bool) -> TopicModel {
        let (x, y) = docs();
        let mut cfg = TfidfConfig::default();
        cfg.sublinear_tf = true;
        cfg.count.analyzer.ngram_range = (1, 2);
        let v = TfidfVectorizer::new(cfg).unwrap();
        let labels = if multilabel {
            Labels::Multilabel(y.iter().map(|&c| if c == 0 { vec![0, 2] } else { vec![1] }).collect())
        } else {
            Labels::Multiclass(y)
        };
        let classes: Vec<String> = if multilabel {
            vec!["conflict".into(), "diplomacy".into(), "violence".into()]
        } else {
            vec!["conflict".into(), "diplomacy".into()]
        };
        TopicModel::fit(&x, &labels, classes, v, &LinearParams::default(), Some(1)).unwrap()
    }


    /// The |weight| three quarters of the way up (a pruning threshold that drops some terms).
    pub(crate) fn upper_quartile_weight(m: &TopicModel) -> f64 {
        let mut mags: Vec<f32> = m.weights.as_slice().iter().map(|w| w.abs()).collect();
        mags.sort_by(|a, b| a.partial_cmp(b).unwrap());
        mags[mags.len() * 3 / 4] as f64
    }
}
