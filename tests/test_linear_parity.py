"""Accuracy and objective parity of topictag's linear classifiers with scikit-learn's on real
data (the shared datasets; skipped when absent). Both sides get the SAME features, built with
scikit-learn's TfidfVectorizer, so this does not depend on topictag's vectorizer. Objectives
are computed by the same formula (below) for both fitted models."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

sklearn = pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLR  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.multiclass import OneVsRestClassifier  # noqa: E402
from sklearn.preprocessing import MultiLabelBinarizer  # noqa: E402
from sklearn.svm import LinearSVC as SkSVC  # noqa: E402

import topictag  # noqa: E402


# ------------------------------------------------------------------ objectives (one formula)


def _margins(coef, intercept, X):
    return np.asarray(X @ np.asarray(coef).T) + np.asarray(intercept)


def ovr_objective(coef, intercept, X, Y, C, loss, intercept_scaling=1.0):
    """sum_k 0.5 (||w_k||^2 + (b_k / s)^2) + C sum_i loss(y_ik f_k(x_i)), Y in {-1, +1}."""
    coef = np.atleast_2d(coef)
    m = Y * _margins(coef, intercept, X)
    if loss == "squared_hinge":
        L = np.maximum(0, 1 - m) ** 2
    elif loss == "hinge":
        L = np.maximum(0, 1 - m)
    else:
        L = np.logaddexp(0, -m)
    reg = 0.5 * (np.sum(coef**2) + np.sum((np.asarray(intercept) / intercept_scaling) ** 2))
    return reg + C * L.sum()


def multinomial_objective(coef, intercept, X, y_idx, C):
    """0.5 ||W||^2 + C sum_i (logsumexp(z_i) - z_{i, y_i}); intercept not penalised."""
    z = _margins(coef, intercept, X)
    if z.shape[1] == 1:  # binomial
        t = z[:, 0]
        L = np.logaddexp(0, t) - (y_idx == 1) * t
    else:
        mx = z.max(1, keepdims=True)
        lse = (mx[:, 0] + np.log(np.exp(z - mx).sum(1)))
        L = lse - z[np.arange(len(y_idx)), y_idx]
    return 0.5 * np.sum(np.asarray(coef) ** 2) + C * L.sum()


def signed_targets(y_idx, n_classes):
    if n_classes == 2:
        return np.where(y_idx == 1, 1.0, -1.0)[:, None]
    Y = -np.ones((len(y_idx), n_classes))
    Y[np.arange(len(y_idx)), y_idx] = 1.0
    return Y


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b))


# ------------------------------------------------------------------------------- features


@pytest.fixture(scope="module")
def news20(news20_train, news20_test):
    (tr, ytr), (te, yte) = news20_train, news20_test
    vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
    return vec.fit_transform(tr), np.asarray(ytr), vec.transform(te), np.asarray(yte)


@pytest.fixture(scope="module")
def reuters(reuters_train, reuters_test):
    (tr, ytr), (te, yte) = reuters_train, reuters_test
    vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
    return vec.fit_transform(tr), ytr, vec.transform(te), yte


@pytest.fixture(scope="module")
def cameo(cameo_train, cameo_test):
    (tr, ytr), (te, yte) = cameo_train, cameo_test
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    return vec.fit_transform(tr), np.asarray(ytr), vec.transform(te), np.asarray(yte)


# ---------------------------------------------------------------------------------- tests


def test_news20_linear_svc(news20):
    Xtr, ytr, Xte, yte = news20
    sk = SkSVC(C=0.5).fit(Xtr, ytr)
    tt = topictag.LinearSVC(C=0.5).fit(Xtr, ytr)
    acc_sk = np.mean(sk.predict(Xte) == yte)
    acc_tt = np.mean(tt.predict(Xte) == yte)
    assert acc_tt >= acc_sk - 0.005, (acc_tt, acc_sk)
    assert acc_sk > 0.8
    _, y_idx = np.unique(ytr, return_inverse=True)
    Y = signed_targets(y_idx, 20)
    f_sk = ovr_objective(sk.coef_, sk.intercept_, Xtr, Y, 0.5, "squared_hinge")
    f_tt = ovr_objective(tt.coef_, tt.intercept_, Xtr, Y, 0.5, "squared_hinge")
    assert rel(f_sk, f_tt) < 1e-3, (f_sk, f_tt)


def test_news20_logistic_multinomial(news20):
    Xtr, ytr, Xte, yte = news20
    sk = SkLR(C=10, max_iter=100).fit(Xtr, ytr)
    tt = topictag.LogisticRegression(C=10, max_iter=100).fit(Xtr, ytr)
    acc_sk = np.mean(sk.predict(Xte) == yte)
    acc_tt = np.mean(tt.predict(Xte) == yte)
    assert acc_tt >= acc_sk - 0.005, (acc_tt, acc_sk)
    _, y_idx = np.unique(ytr, return_inverse=True)
    f_sk = multinomial_objective(sk.coef_, sk.intercept_, Xtr, y_idx, 10)
    f_tt = multinomial_objective(tt.coef_, tt.intercept_, Xtr, y_idx, 10)
    # both stop at max_iter or the gradient tolerance; ours must not be worse
    assert f_tt <= f_sk * (1 + 1e-3), (f_tt, f_sk)


def test_news20_multinomial_same_optimum_as_lbfgs(news20_train):
    """The default multinomial solver (dual coordinate descent for maximum entropy) reaches
    scikit-learn's lbfgs optimum: objectives within 1e-6 relative at a tight tol, on a 20
    Newsgroups subset (20 classes, unigram TF-IDF, sample weights on)."""
    tr, ytr = news20_train
    pick = np.sort(np.random.default_rng(0).choice(len(tr), 1500, replace=False))
    tr, ytr = [tr[i] for i in pick], np.asarray(ytr)[pick]
    X = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(tr)
    sw = np.random.default_rng(0).uniform(0.5, 2.0, X.shape[0])
    _, y_idx = np.unique(ytr, return_inverse=True)
    assert len(np.unique(y_idx)) == 20
    sk = SkLR(C=10, tol=1e-10, max_iter=20000).fit(X, ytr, sample_weight=sw)
    tt = topictag.LogisticRegression(C=10, tol=1e-9, max_iter=5000).fit(X, ytr, sample_weight=sw)

    def f(m):
        z = _margins(m.coef_, m.intercept_, X)
        mx = z.max(1, keepdims=True)
        L = mx[:, 0] + np.log(np.exp(z - mx).sum(1)) - z[np.arange(len(y_idx)), y_idx]
        return 0.5 * np.sum(m.coef_**2) + 10 * np.sum(sw * L)

    f_sk, f_tt = f(sk), f(tt)
    assert rel(f_sk, f_tt) < 1e-6, (f_sk, f_tt)
    np.testing.assert_allclose(tt.intercept_ - tt.intercept_.mean(),
                               sk.intercept_ - sk.intercept_.mean(), atol=1e-3)


def test_news20_multinomial_integer_weights_equal_repeated_rows(news20_train):
    """scikit-learn's sample-weight equivalence on text (sparse X: the dual coordinate
    descent): a weight of k gives the model of k copies of the row (0: of no row) once both
    fits are tight; at the default tol they agree to the tolerance only (the visiting order
    differs), which is why the estimator checks' dense problem goes to L-BFGS."""
    tr, ytr = news20_train
    pick = np.sort(np.random.default_rng(2).choice(len(tr), 800, replace=False))
    tr, y = [tr[i] for i in pick], np.asarray(ytr)[pick]
    X = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(tr)
    assert X.nnz < 0.1 * X.shape[0] * X.shape[1]  # sparse: the dual method
    sw = np.random.default_rng(3).integers(0, 4, X.shape[0])
    rep = np.repeat(np.arange(X.shape[0]), sw)
    kw = dict(C=10, tol=1e-9, max_iter=5000)
    weighted = topictag.LogisticRegression(**kw).fit(X, y, sample_weight=sw)
    repeated = topictag.LogisticRegression(**kw).fit(X[rep], y[rep])
    assert weighted.n_iter_[0] > 10  # it took epochs: not the dense path's L-BFGS
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, atol=1e-5)


def test_dense_multinomial_same_model_as_lbfgs():
    """Dense X (more than 10% of the entries stored) goes to L-BFGS: on scikit-learn's wine
    data, unscaled (where the dual method stopped at max_iter=100 with a training accuracy
    of 0.57), the default fit is as accurate as scikit-learn's, and standardised, both reach
    the same optimum at a tight tol."""
    from sklearn.datasets import load_wine
    from sklearn.preprocessing import StandardScaler

    X, y = load_wine(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both stop at max_iter=100
        sk = SkLR().fit(X, y)
        tt = topictag.LogisticRegression().fit(X, y)
    assert np.mean(tt.predict(X) == y) >= np.mean(sk.predict(X) == y) - 0.02
    X = StandardScaler().fit_transform(X)
    sk = SkLR(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    tt = topictag.LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    f_sk = multinomial_objective(sk.coef_, sk.intercept_, X, y, 1.0)
    f_tt = multinomial_objective(tt.coef_, tt.intercept_, X, y, 1.0)
    assert rel(f_sk, f_tt) < 1e-6, (f_sk, f_tt)


@pytest.mark.parametrize("loss", ["squared_hinge", "hinge"])
def test_cameo_linear_svc(cameo, loss):
    Xtr, ytr, Xte, yte = cameo
    sk = SkSVC(C=1.0, loss=loss, tol=1e-5, max_iter=20000).fit(Xtr, ytr)
    tt = topictag.LinearSVC(C=1.0, loss=loss, tol=1e-5, max_iter=20000).fit(Xtr, ytr)
    assert np.mean(tt.predict(Xte) == yte) >= np.mean(sk.predict(Xte) == yte) - 0.005
    _, y_idx = np.unique(ytr, return_inverse=True)
    Y = signed_targets(y_idx, 5)
    f_sk = ovr_objective(sk.coef_, sk.intercept_, Xtr, Y, 1.0, loss)
    f_tt = ovr_objective(tt.coef_, tt.intercept_, Xtr, Y, 1.0, loss)
    assert rel(f_sk, f_tt) < 1e-3, (f_sk, f_tt)


def test_cameo_logistic_multinomial_objective(cameo):
    Xtr, ytr, Xte, yte = cameo
    sk = SkLR(C=4.0, tol=1e-8, max_iter=5000).fit(Xtr, ytr)
    tt = topictag.LogisticRegression(C=4.0, tol=1e-8, max_iter=5000).fit(Xtr, ytr)
    assert np.mean(tt.predict(Xte) == yte) >= np.mean(sk.predict(Xte) == yte) - 0.005
    _, y_idx = np.unique(ytr, return_inverse=True)
    f_sk = multinomial_objective(sk.coef_, sk.intercept_, Xtr, y_idx, 4.0)
    f_tt = multinomial_objective(tt.coef_, tt.intercept_, Xtr, y_idx, 4.0)
    assert rel(f_sk, f_tt) < 1e-3, (f_sk, f_tt)
    np.testing.assert_allclose(tt.predict_proba(Xte), sk.predict_proba(Xte), atol=2e-3)


def test_cameo_logistic_ovr_objective(cameo):
    Xtr, ytr, Xte, yte = cameo
    sk = OneVsRestClassifier(SkLR(C=4.0, solver="liblinear", tol=1e-8, max_iter=5000)).fit(Xtr, ytr)
    tt = topictag.LogisticRegression(C=4.0, multi_class="ovr", tol=1e-6, max_iter=5000).fit(Xtr, ytr)
    assert np.mean(tt.predict(Xte) == yte) >= np.mean(sk.predict(Xte) == yte) - 0.005
    _, y_idx = np.unique(ytr, return_inverse=True)
    Y = signed_targets(y_idx, 5)
    sk_coef = np.vstack([e.coef_ for e in sk.estimators_])
    sk_int = np.concatenate([e.intercept_ for e in sk.estimators_])
    f_sk = ovr_objective(sk_coef, sk_int, Xtr, Y, 4.0, "logistic")
    f_tt = ovr_objective(tt.coef_, tt.intercept_, Xtr, Y, 4.0, "logistic")
    assert rel(f_sk, f_tt) < 1e-3, (f_sk, f_tt)


def test_reuters_multilabel_svc(reuters):
    Xtr, ytr, Xte, yte = reuters
    mlb = MultiLabelBinarizer().fit(ytr)
    Ytr, Yte = mlb.transform(ytr), mlb.transform(yte)
    sk = OneVsRestClassifier(SkSVC(C=1.0)).fit(Xtr, Ytr)
    P_sk = sk.predict(Xte)
    tt = topictag.LinearSVC(C=1.0, allow_empty=True).fit(Xtr, ytr)
    assert list(tt.classes_) == list(mlb.classes_)
    pred = tt.predict(Xte)
    P_tt = mlb.transform(pred)
    micro_sk, micro_tt = f1_score(Yte, P_sk, average="micro"), f1_score(Yte, P_tt, average="micro")
    macro_sk = f1_score(Yte, P_sk, average="macro", zero_division=0)
    macro_tt = f1_score(Yte, P_tt, average="macro", zero_division=0)
    assert micro_tt >= micro_sk - 0.005, (micro_tt, micro_sk)
    assert macro_tt >= macro_sk - 0.01, (macro_tt, macro_sk)
    assert micro_sk > 0.8
    Y = np.where(Ytr == 1, 1.0, -1.0)
    sk_coef = np.vstack([e.coef_ for e in sk.estimators_])
    sk_int = np.concatenate([e.intercept_ for e in sk.estimators_])
    f_sk = ovr_objective(sk_coef, sk_int, Xtr, Y, 1.0, "squared_hinge")
    f_tt = ovr_objective(tt.coef_, tt.intercept_, Xtr, Y, 1.0, "squared_hinge")
    assert rel(f_sk, f_tt) < 1e-3, (f_sk, f_tt)
    # the indicator form gives the same model
    tt2 = topictag.LinearSVC(C=1.0, allow_empty=True).fit(Xtr, sp.csr_matrix(Ytr))
    np.testing.assert_array_equal(tt2.predict(Xte).toarray(), P_tt)


def test_reuters_multilabel_logistic(reuters):
    Xtr, ytr, Xte, yte = reuters
    mlb = MultiLabelBinarizer().fit(ytr)
    Ytr, Yte = mlb.transform(ytr), mlb.transform(yte)
    sk = OneVsRestClassifier(SkLR(C=10, solver="liblinear")).fit(Xtr, Ytr)
    tt = topictag.LogisticRegression(C=10, allow_empty=True).fit(Xtr, Ytr)
    micro_sk = f1_score(Yte, sk.predict(Xte), average="micro")
    micro_tt = f1_score(Yte, tt.predict(Xte), average="micro")
    assert micro_tt >= micro_sk - 0.005, (micro_tt, micro_sk)
