"""warm_start and regularization_path (issue 22) on real data: a 20 Newsgroups subset
(skipped when the shared datasets are absent)."""

from __future__ import annotations

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLR  # noqa: E402

import topictag  # noqa: E402


@pytest.fixture(scope="module")
def news(news20_train):
    tr, ytr = news20_train
    pick = np.sort(np.random.default_rng(1).choice(len(tr), 3000, replace=False))
    tr, y = [tr[i] for i in pick], np.asarray(ytr)[pick]
    return TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(tr), y


def _objective(m, X, y, C):
    _, yi = np.unique(y, return_inverse=True)
    z = np.asarray(X @ m.coef_.T) + m.intercept_
    mx = z.max(1, keepdims=True)
    L = mx[:, 0] + np.log(np.exp(z - mx).sum(1)) - z[np.arange(len(yi)), yi]
    return 0.5 * np.sum(m.coef_**2) + C * L.sum()


def test_warm_start_refit_starts_from_the_solution(news):
    X, y = news
    cold = topictag.LogisticRegression(C=10, tol=1e-6, max_iter=1000).fit(X, y)
    warm = topictag.LogisticRegression(C=10, tol=1e-6, max_iter=1000, warm_start=True)
    warm.fit(X, y)
    assert warm.n_iter_[0] == cold.n_iter_[0]  # the first fit starts from zero
    warm.fit(X, y)  # from its own solution: a few epochs
    assert warm.n_iter_[0] <= cold.n_iter_[0] // 3, (warm.n_iter_, cold.n_iter_)
    f_cold, f_warm = _objective(cold, X, y, 10), _objective(warm, X, y, 10)
    assert abs(f_warm - f_cold) / f_cold < 1e-6


def test_warm_start_nearby_C_takes_fewer_epochs_and_reaches_the_same_optimum(news):
    X, y = news
    m = topictag.LogisticRegression(C=4, tol=1e-5, warm_start=True, max_iter=1000).fit(X, y)
    m.set_params(C=8).fit(X, y)
    cold = topictag.LogisticRegression(C=8, tol=1e-5, max_iter=1000).fit(X, y)
    assert m.n_iter_[0] < cold.n_iter_[0], (m.n_iter_, cold.n_iter_)
    assert abs(_objective(m, X, y, 8) - _objective(cold, X, y, 8)) / _objective(cold, X, y, 8) < 1e-5


def test_warm_start_with_other_features_or_classes_is_a_value_error(news):
    """As scikit-learn ("Initialization coef is of shape ..."): a warm start from a model of
    another width or number of classes raises ValueError and keeps the fitted model; other
    labels of the same number start from the previous coefficients, by position."""
    X, y = news
    sk = SkLR(C=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="Initialization coef"):
        sk.fit(X[:, :1000], y)
    m = topictag.LogisticRegression(C=1, warm_start=True).fit(X, y)
    coef = m.coef_.copy()
    with pytest.raises(ValueError, match=r"warm_start.*\(20, %d\).*\(20, 1000\)" % X.shape[1]):
        m.fit(X[:, :1000], y)
    keep = y != y[0]
    with pytest.raises(ValueError, match=r"warm_start.*\(19, "):
        m.fit(X[keep], y[keep])
    np.testing.assert_array_equal(m.coef_, coef)
    assert m.n_features_in_ == X.shape[1]
    relabelled = np.asarray([f"t{v}" for v in y])
    m.fit(X, relabelled)
    cold = topictag.LogisticRegression(C=1).fit(X, relabelled)
    assert list(m.classes_) == list(cold.classes_)
    assert abs(_objective(m, X, relabelled, 1) - _objective(cold, X, relabelled, 1)) < 1e-3 * _objective(cold, X, relabelled, 1)
    m.set_params(warm_start=False).fit(X[:, :1000], y)  # without warm_start: any shape
    assert m.n_features_in_ == 1000


def test_regularization_path_matches_independent_fits(news):
    X, y = news
    Cs = [10.0, 0.5, 2.0]
    est = topictag.LogisticRegression(tol=1e-5, max_iter=1000)
    path = topictag.regularization_path(est, X, y, Cs)
    assert [m.C for m in path] == Cs
    assert est.warm_start is False and not hasattr(est, "coef_")  # the estimator is untouched
    assert all(m.warm_start is False for m in path)
    indep = [topictag.LogisticRegression(C=c, tol=1e-5, max_iter=1000).fit(X, y) for c in Cs]
    for m, ref, c in zip(path, indep, Cs):
        assert abs(_objective(m, X, y, c) - _objective(ref, X, y, c)) / _objective(ref, X, y, c) < 1e-5
    # along the path (0.5 -> 2 -> 10) the later fits start near their optimum
    assert sum(m.n_iter_[0] for m in path) < sum(m.n_iter_[0] for m in indep)


def test_regularization_path_linear_svc_and_bad_input(news):
    X, y = news
    path = topictag.regularization_path(topictag.LinearSVC(), X, y, [0.1, 1.0])
    assert [m.C for m in path] == [0.1, 1.0]
    assert path[0].coef_.shape == path[1].coef_.shape
    with pytest.raises(ValueError, match="Cs"):
        topictag.regularization_path(topictag.LinearSVC(), X, y, [1.0, 0.0])
    with pytest.raises(ValueError, match="Cs"):
        topictag.regularization_path(topictag.LinearSVC(), X, y, [])
    with pytest.raises(TypeError, match="parameter C"):
        topictag.regularization_path(topictag.TfidfVectorizer(), X, y, [1.0])


def test_regularization_path_wrong_types(news):
    X, y = news
    with pytest.raises(TypeError, match="Cs must be a sequence"):
        topictag.regularization_path(topictag.LinearSVC(), X, y, "abc")
    with pytest.raises(TypeError, match="must be a number"):
        topictag.regularization_path(topictag.LinearSVC(), X, y, [1.0, "2"])
    with pytest.raises(TypeError, match="scikit-learn style estimator"):
        topictag.regularization_path("LinearSVC", X, y, [1.0])
