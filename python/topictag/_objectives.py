"""The primal objectives of the linear classifiers, block by block, for ``partial_fit``
(``topictag.dask``'s distributed solvers use the same objectives in Rust:
``linear/blockwise.rs``, through ``_core.sq_hinge_loss_grad`` etc.).

Each function takes one block of rows (a ``scipy.sparse`` CSR matrix ``X`` and the labels
``y`` as a numpy object array) and the weights, and returns that block's share of the loss,
its gradient and, for the SVM, a Hessian-vector product; a caller sums the blocks' shares
and adds the penalty. They are the objectives the Rust solvers minimise (the docstrings of
``topictag.LinearSVC`` and ``topictag.LogisticRegression``):

- SVM, squared hinge, one-vs-rest (one output for two classes): ``W`` has one column per
  output and, with an intercept, a last row for the constant feature ``bias`` (the
  intercept is ``bias * W[-1]``, regularised like the other weights, as in LIBLINEAR):
  ``0.5 ||W||^2 + C sum_ik max(0, 1 - Y_ik z_ik)^2`` with ``Y_ik = +1`` for class k and -1
  otherwise.
- Logistic regression, multinomial (binomial for two classes), as scikit-learn's lbfgs:
  ``(1/S) sum_i loss_i + ||W||^2 / (2 C S)``, the intercept not penalised, ``S`` the number
  of samples.
"""

from __future__ import annotations

import numpy as np


def augment(X, bias: float):
    """X with a constant column ``bias`` appended (none when ``bias`` is 0)."""
    import scipy.sparse as sp

    if bias == 0.0:
        return X
    return sp.hstack([X, sp.csr_matrix(np.full((X.shape[0], 1), bias))], format="csr")


def svm_signs(y, classes):
    if len(classes) == 2:
        return np.where(y == classes[1], 1.0, -1.0)[:, None]
    return np.where(y[:, None] == np.asarray(classes, dtype=object)[None, :], 1.0, -1.0)


def svm_loss_grad(block, W, classes, C, bias):
    """``C sum max(0, 1 - Y z)^2`` over the block and its gradient in ``W``."""
    X, y = block
    Xa = augment(X, bias)
    Y = svm_signs(y, classes)
    M = 1.0 - Y * (Xa @ W)
    A = M > 0
    loss = C * float(np.sum(M[A] ** 2))
    G = Xa.T @ (-2.0 * C * Y * M * A)
    return loss, np.asarray(G)


def svm_hessp(block, W, V, classes, C, bias):
    """The block's share of the (generalised) Hessian of the loss at ``W`` times ``V``."""
    X, y = block
    Xa = augment(X, bias)
    Y = svm_signs(y, classes)
    A = (1.0 - Y * (Xa @ W)) > 0
    return np.asarray(Xa.T @ (2.0 * C * A * (Xa @ V)))


def lr_loss_grad(block, W, b, classes, S):
    """``(1/S) sum loss_i`` over the block and its gradients in ``W`` and ``b``."""
    X, y = block
    Z = X @ W + b[None, :]
    if len(classes) == 2:
        t = (y == classes[1]).astype(float)[:, None]
        loss = float(np.sum(np.logaddexp(0.0, Z) - t * Z))
        R = 1.0 / (1.0 + np.exp(-Z)) - t
    else:
        T = (y[:, None] == np.asarray(classes, dtype=object)[None, :]).astype(float)
        Zm = Z - Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Zm).sum(axis=1, keepdims=True))
        loss = float(np.sum(lse - (Zm * T).sum(axis=1, keepdims=True)))
        R = np.exp(Zm - lse) - T
    return loss / S, np.asarray(X.T @ R) / S, R.sum(axis=0) / S
