//! The one error type of the core. The Python bindings map each variant to a Python
//! exception class: `Value` -> `ValueError`, `Type` -> `TypeError`,
//! `NotFitted` -> `topictag.NotFittedError`, `Format` -> `topictag.ModelFormatError`,
//! `Interrupted` -> `KeyboardInterrupt`.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Bad argument values or data (maps to `ValueError`).
    #[error("{0}")]
    Value(String),
    /// An argument of the wrong kind (maps to `TypeError`).
    #[error("{0}")]
    Type(String),
    /// A method that needs a fitted object was called before `fit`.
    #[error("{0}")]
    NotFitted(String),
    /// A model file or byte string that is truncated, corrupted, foreign or of a format
    /// version this build does not read.
    #[error("{0}")]
    Format(String),
    /// The call's cancellation token was cancelled (Ctrl-C; see `cancel.rs`).
    #[error("interrupted")]
    Interrupted,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn value(msg: impl Into<String>) -> Self {
        Error::Value(msg.into())
    }
    pub fn type_error(msg: impl Into<String>) -> Self {
        Error::Type(msg.into())
    }
    pub fn not_fitted(what: &str) -> Self {
        Error::NotFitted(format!(
            "This {what} instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator."
        ))
    }
    pub fn format(msg: impl Into<String>) -> Self {
        Error::Format(msg.into())
    }
}
