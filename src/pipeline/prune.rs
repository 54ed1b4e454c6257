//! Pruning: a copy of a [`TopicModel`] without its weakest weights. Every weight with
//! `|w| < eps` becomes zero, and the terms whose weights are then all zero leave the vocabulary
//! (the kept columns are renumbered in their original order; their idf goes with them). The
//! pruned model computes TF-IDF over the kept terms only, so its rows are L2-normalised over
//! those and its predictions can differ slightly from the unpruned model's.

use super::TopicModel;
use crate::error::{Error, Result};
use crate::linear::FeatureMajor;

impl TopicModel {
    /// The model with weights `|w| < eps` zeroed and the terms without weights dropped.
    pub fn pruned(&self, eps: f64) -> Result<TopicModel> {
        if !(eps >= 0.0 && eps.is_finite()) {
            return Err(Error::value(format!("prune must be a non-negative number, got {eps}")));
        }
        let k = self.n_outputs();
        let mut keep = Vec::with_capacity(self.n_features());
        let mut weights = Vec::with_capacity(self.weights.as_slice().len());
        for j in 0..self.n_features() {
            let row = self.weights.row(j);
            let start = weights.len();
            weights.extend(row.iter().map(|&x| if (x as f64).abs() < eps { 0.0 } else { x }));
            if weights[start..].iter().any(|&x| x != 0.0) {
                keep.push(j);
            } else {
                weights.truncate(start);
            }
        }
        let vectorizer = self.vectorizer.keep_columns(&keep)?;
        let weights = FeatureMajor::new(keep.len(), k, weights)?;
        let mut linear = self.linear.clone();
        linear.n_features = keep.len();
        Ok(TopicModel { vectorizer, linear, weights, classes: self.classes.clone(), ..*self })
    }
}

#[cfg(test)]
mod tests {
    use crate::pipeline::fit::tests::{model, upper_quartile_weight};

    #[test]
    fn prune_restricts_vocabulary() {
        let m = model(true);
        let eps = upper_quartile_weight(&m);
        let p = m.pruned(eps).unwrap();
        assert!(p.n_features() < m.n_features());
        assert_eq!(p.vectorizer.idf().unwrap().len(), p.n_features());
        let names = p.feature_names().unwrap();
        let full_names = m.feature_names().unwrap();
        assert!(names.iter().all(|n| full_names.contains(n)));
        // every kept column has a non-zero weight, and weights moved with their terms
        let k = m.n_outputs();
        for (jn, name) in names.iter().enumerate() {
            let jo = full_names.iter().position(|x| x == name).unwrap();
            assert!(p.weights.row(jn).iter().any(|&w| w != 0.0));
            for o in 0..k {
                let w = p.weights.get(jn, o);
                let w0 = m.weights.get(jo, o);
                assert!(w == w0 || (w == 0.0 && (w0 as f64).abs() < eps));
            }
        }
        assert!(m.pruned(0.0).unwrap().n_features() <= m.n_features());
        assert!(m.pruned(-1.0).is_err() && m.pruned(f64::NAN).is_err());
    }
}
