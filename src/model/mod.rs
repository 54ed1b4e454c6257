//! The text-to-topics pipeline, explanations, evaluation and the model file format.

pub mod format;
