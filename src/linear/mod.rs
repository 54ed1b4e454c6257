//! Sparse L2-regularised linear classifiers: linear SVM (hinge or squared hinge) and logistic
//! regression, multi-class (one-vs-rest or multinomial) and multi-label (one-vs-rest).
//!
//! The path of the data, one file each:
//! - [`params`]: the labels ([`Target`]), the hyper-parameters ([`LinearParams`]) and their
//!   checks;
//! - [`fit`]: training: one-vs-rest, multinomial or multi-label, class weights, Platt folds;
//!   - [`columns`]: the solvers' copy of X (equal columns merged, columns renumbered);
//!   - [`dcd`]: batched dual coordinate descent for the linear SVM (Hsieh et al., ICML 2008)
//!     and for logistic regression (Yu, Huang and Lin, Machine Learning 2011), one-vs-rest;
//!   - [`maxent`]: dual coordinate descent for maximum entropy (Yu, Huang and Lin 2011) on
//!     the multinomial logistic objective of scikit-learn (3 to [`maxent::MAX_KP`] classes,
//!     sparse X: [`maxent::suits`]);
//!   - [`lbfgs`]: L-BFGS on the binomial logistic objective of scikit-learn (and the
//!     multinomial one for more classes than `maxent` takes, and for dense X);
//!   - [`primal`]: primal coordinate descent for the L1 and elastic-net penalties
//!     (newGLMNET for logistic regression, Yuan, Ho and Lin, JMLR 2012; the L1 squared-hinge
//!     SVM of Yuan, Chang, Hsieh and Lin, JMLR 2010), one-vs-rest, on X column by column;
//!   - [`platt`]: Platt scaling of SVM scores, fitted on held-out folds;
//! - [`model`]: the fitted [`LinearModel`];
//! - [`weights`]: [`FeatureMajor`], the weights as prediction reads them (shared with the
//!   TopicClassifier), with the row scorer and the compact serialised form;
//! - [`predict`]: decision values, probabilities, labels;
//! - [`linfa_impl`]: the linfa traits.
//!
//! Each module cites the method it implements.
//!
//! The objectives are scikit-learn's. One-vs-rest problems (LinearSVC and liblinear's
//! logistic regression) minimise, per output `k`,
//! `0.5 (||w_k||^2 + w_bias^2) + sum_i C_i loss(y_ik (w_k.x_i + w_bias * s))`
//! where `s = intercept_scaling` is the value of an extra constant feature (so the intercept
//! `w_bias * s` is regularised, as in LIBLINEAR) and `C_i = C * sample_weight_i * cw`, with
//! `cw` the class weight of class `k` for the positives and 1 for the rest (LIBLINEAR's
//! one-vs-rest rule, which scikit-learn's LinearSVC follows). For two classes there is one
//! output (class 1 against class 0) and each sample gets the weight of its own class.
//! Multinomial logistic regression minimises `0.5 ||W||^2 + C sum_i s_i loss_i` with an
//! unpenalised intercept and `s_i = sample_weight_i * class_weight[y_i]` (see [`lbfgs`]).
//!
//! One-vs-rest outputs are solved in fixed batches of [`BATCH`] outputs that share each pass
//! over a row (see [`dcd`]); batches run in parallel, each with its own seed
//! derived from `random_state`. Batches depend only on the number of outputs, so results are
//! identical for any `n_jobs`. Before solving, equal columns are merged into one and the
//! columns are renumbered for the weight tables' memory accesses ([`columns`]); both are
//! undone on the result.

pub mod blockwise;
mod columns;
pub mod calibrate;
mod dcd;
mod fit;
pub mod isotonic;
mod lbfgs;
mod linfa_impl;
mod maxent;
mod model;
#[cfg(test)]
mod objective;
mod params;
pub(crate) mod persist;
pub mod platt;
mod predict;
mod primal;
pub mod threshold;
pub mod weights;

pub use dcd::BATCH;
pub use fit::{fit, fit_owned, fit_view, PLATT_FOLDS};
pub(crate) use fit::cv_folds;
pub use linfa_impl::csr_from_array2;
pub use model::LinearModel;
pub use params::{ClassWeight, LinearParams, ModelKind, Penalty, Target};
pub use weights::FeatureMajor;

// The names the tests (`tests.rs`) use.
#[cfg(test)]
use crate::{error::Result, rng, sparse::CsrMatrix};
#[cfg(test)]
use fit::fit_renumbered;
#[cfg(test)]
use weights::{score_row, score_row_body};
#[cfg(all(test, target_arch = "x86_64"))]
use weights::score_row_avx2;

#[cfg(test)]
mod tests;
