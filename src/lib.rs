//! topictag: TF-IDF features and sparse linear topic classifiers.
//!
//! The core is plain Rust and builds and tests without Python (`cargo test`).
//! The Python extension module `topictag._core` lives in [`bindings`], compiled
//! only with the `python` feature (maturin turns it on).
//!
//! Layout:
//! - [`text`]: normalisation, tokenisation, stop words, stemming, language detection;
//! - [`vectorize`]: count, TF-IDF and hashing vectorizers;
//! - [`linear`]: sparse linear solvers (dual coordinate descent, L-BFGS);
//! - [`model`]: the text-to-topics pipeline, explanations, evaluation and the model file format.

pub mod hw;
pub mod ids;
pub mod error;
pub mod linear;
pub mod model;
pub mod parallel;
pub mod rng;
pub mod sparse;
pub mod text;
pub mod vectorize;

#[cfg(feature = "python")]
mod bindings;

pub use error::{Error, Result};
pub use sparse::CsrMatrix;

/// The crate version, written into model files.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
