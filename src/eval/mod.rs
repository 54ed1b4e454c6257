//! Evaluation: classification metrics ([`metrics`]) and cross-validation folds ([`folds`]).

pub mod folds;
pub mod metrics;

pub use folds::{iterative_stratified_folds, stratified_folds};
pub use metrics::{multiclass_report, multilabel_report, Report, Scores};
