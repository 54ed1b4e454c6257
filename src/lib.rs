//! topictag: TF-IDF features and sparse linear topic classifiers.
//!
//! The core is plain Rust and builds and tests without Python (`cargo test`).
//! The Python extension module `topictag._core` lives in [`bindings`], compiled
//! only with the `python` feature (maturin turns it on).
//!
//! The modules follow the data, text -> tokenize -> count -> weight -> solve -> predict ->
//! explain -> persist; each depends only on the ones before it and on the low-level ones:
//! - [`text`]: normalisation, tokenisation, stop words, stemming, language detection;
//! - [`vectorize`]: count, TF-IDF and hashing vectorizers;
//! - [`linear`]: sparse linear solvers (dual coordinate descent, L-BFGS) and the fitted model;
//! - [`pipeline`]: the text-to-topics model (fit, predict, explain, prune, its file payload);
//! - [`eval`]: classification metrics and cross-validation folds;
//! - `bindings` (feature `python`): the thin pyo3 layer.
//!
//! Low-level modules, usable by all: [`persist`] (the model file container, compact codecs
//! and the [`persist::Persist`] trait each saved type implements), [`sparse`], [`error`],
//! [`parallel`], [`cancel`], [`rng`], [`hw`], [`ids`].

pub mod cancel;
pub mod error;
pub mod eval;
pub mod hw;
pub mod ids;
pub mod linear;
pub mod parallel;
pub mod persist;
pub mod pipeline;
pub mod rng;
pub mod sparse;
pub mod text;
pub mod vectorize;

#[cfg(feature = "python")]
mod bindings;

pub use error::{Error, Result};
pub use sparse::CsrMatrix;

/// The crate version, written into model files.
pub use persist::VERSION;
