//! The text-to-topics pipeline, explanations, evaluation and the model file format.

pub mod compact;
pub mod explain;
pub mod format;
pub mod linear_file;
pub mod metrics;
pub mod topic;
