//! Dual coordinate descent for binary L2-regularised problems on CSR rows, several problems
//! (the one-vs-rest outputs of a batch) per pass over the rows.
//!
//! - Linear SVM with L1 loss (hinge) or L2 loss (squared hinge): Hsieh, Chang, Lin, Keerthi
//!   and Sundararajan, "A Dual Coordinate Descent Method for Large-scale Linear SVM",
//!   ICML 2008 (Algorithm 1 with random permutation and shrinking, Section 3.2). The stopping
//!   rule is the one of LIBLINEAR's `solve_l2r_l1l2_svc` that scikit-learn's `tol` refers to:
//!   stop when the spread of the projected gradient over the active set,
//!   `max PG - min PG`, is at most `tol`; then re-check on the whole set before returning.
//! - Logistic regression: Yu, Huang and Lin, "Dual coordinate descent methods for logistic
//!   regression and maximum entropy models", Machine Learning 85, 2011 (Algorithm 5: each
//!   sub-problem solved by a safeguarded Newton method on the pair `(alpha_i, C_i - alpha_i)`).
//!
//! The problem is `min_w 0.5 ||w||^2 + sum_i C_i loss(y_i w.x_i)` with `y_i` in {-1, +1} and
//! a per-sample bound `C_i` (C times sample and class weight). With a bias, every row gets an
//! extra feature of value `bias` (scikit-learn's `intercept_scaling`), so the bias weight is
//! regularised like the others, as in LIBLINEAR.
//!
//! Files: [`problem`] (the shared inputs), [`batch`] (the batch's weight table and its row
//! loops), [`svm`] and [`logistic`] (the solvers), [`coef`] (a batch's solution and its
//! write-out into the model); the one-problem algorithms, the tests' references, in
//! `reference` (tests only).

mod batch;
mod coef;
mod logistic;
mod problem;
#[cfg(test)]
mod reference;
mod svm;
#[cfg(test)]
mod tests;

pub use batch::BATCH;
pub(crate) use batch::Weight;
pub(crate) use coef::{write_coef_from, BatchSolution};
pub(crate) use logistic::{logistic_batch, newton_iterate};
pub(crate) use problem::{row_sq_norms, Problem, Task};
pub(crate) use svm::svm_batch;

// What the linear module's tests use.
#[cfg(test)]
pub(crate) use {logistic::logistic_batch_body, reference::logistic, svm::svm_batch_body};
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) use {logistic::logistic_batch_avx2, svm::svm_batch_avx2};
