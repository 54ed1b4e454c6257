"""L1 and elastic-net penalties (issue 22): ``LogisticRegression`` with ``l1_ratio=1`` /
``penalty="l1"`` (newGLMNET) and ``penalty="elasticnet"``, ``LinearSVC(penalty="l1",
dual=False)`` (primal coordinate descent). scikit-learn is the oracle: liblinear for L1
(one-vs-rest), saga for the elastic net; objective values by one formula for both sides,
accuracy and the number of non-zero weights on real data (20 Newsgroups, skipped when the
shared data is absent), scikit-learn's errors on combinations it refuses."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

sklearn = pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLR  # noqa: E402
from sklearn.multiclass import OneVsRestClassifier  # noqa: E402
from sklearn.svm import LinearSVC as SkSVC  # noqa: E402

import topictag  # noqa: E402


def objective(coef, intercept, X, y, C, loss, *, l1=1.0, l2=0.0, free_bias=False, s=1.0):
    """sum over one-vs-rest outputs of l1 ||w||_1 + l2/2 ||w||^2 + C sum_i loss(y_i f(x_i));
    the intercept is the weight of a feature of value ``s``, penalised unless ``free_bias``."""
    classes = np.unique(y)
    coef, intercept = np.atleast_2d(coef), np.atleast_1d(intercept)
    total = 0.0
    for k in range(coef.shape[0]):
        pos = classes[1] if coef.shape[0] == 1 else classes[k]
        t = np.where(y == pos, 1.0, -1.0)
        m = t * (X @ coef[k] + intercept[k])
        L = np.maximum(0, 1 - m) ** 2 if loss == "squared_hinge" else np.logaddexp(0, -m)
        w = coef[k] if free_bias else np.append(coef[k], intercept[k] / s)
        total += l1 * np.abs(w).sum() + 0.5 * l2 * (w**2).sum() + C * L.sum()
    return total


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b))


def stacked(ovr):
    """coef_ and intercept_ of scikit-learn's OneVsRestClassifier."""
    return (np.vstack([e.coef_ for e in ovr.estimators_]),
            np.hstack([e.intercept_ for e in ovr.estimators_]))


@pytest.fixture(scope="module")
def news4(news20_train, news20_test):
    """Four 20 Newsgroups classes, unigram TF-IDF (scikit-learn's vectorizer, both sides)."""
    (tr, ytr), (te, yte) = news20_train, news20_test
    keep = sorted(set(ytr))[:4]
    tr_i = [i for i, c in enumerate(ytr) if c in keep]
    te_i = [i for i, c in enumerate(yte) if c in keep]
    vec = TfidfVectorizer(min_df=2, sublinear_tf=True)
    Xtr = vec.fit_transform([tr[i] for i in tr_i])
    Xte = vec.transform([te[i] for i in te_i])
    return Xtr, np.asarray(ytr)[tr_i], Xte, np.asarray(yte)[te_i]


# ------------------------------------------------------------------ real data, the oracle


def test_l1_logistic_matches_liblinear(news4):
    Xtr, ytr, Xte, yte = news4
    C = 4.0
    sk = OneVsRestClassifier(SkLR(l1_ratio=1, solver="liblinear", C=C, tol=1e-8, max_iter=1000))
    sk.fit(Xtr, ytr)
    tt = topictag.LogisticRegression(l1_ratio=1, solver="liblinear", C=C, tol=1e-8,
                                     max_iter=1000).fit(Xtr, ytr)
    sk_coef, sk_b = stacked(sk)
    f_sk = objective(sk_coef, sk_b, Xtr, ytr, C, "log")
    f_tt = objective(tt.coef_, tt.intercept_, Xtr, ytr, C, "log")
    assert rel(f_sk, f_tt) < 1e-5, (f_sk, f_tt)
    acc_sk, acc_tt = np.mean(sk.predict(Xte) == yte), np.mean(tt.predict(Xte) == yte)
    assert acc_sk > 0.8 and abs(acc_sk - acc_tt) <= 0.005, (acc_sk, acc_tt)
    nz_sk, nz_tt = np.count_nonzero(sk_coef), np.count_nonzero(tt.coef_)
    assert abs(nz_sk - nz_tt) <= 0.05 * nz_sk, (nz_sk, nz_tt)
    assert nz_tt < 0.05 * tt.coef_.size  # sparse


def test_l1_svc_matches_liblinear(news4):
    Xtr, ytr, Xte, yte = news4
    C = 1.0
    sk = SkSVC(penalty="l1", dual=False, C=C, tol=1e-8, max_iter=5000).fit(Xtr, ytr)
    tt = topictag.LinearSVC(penalty="l1", dual=False, C=C, tol=1e-8, max_iter=5000).fit(Xtr, ytr)
    f_sk = objective(sk.coef_, sk.intercept_, Xtr, ytr, C, "squared_hinge")
    f_tt = objective(tt.coef_, tt.intercept_, Xtr, ytr, C, "squared_hinge")
    assert rel(f_sk, f_tt) < 1e-5, (f_sk, f_tt)
    acc_sk, acc_tt = np.mean(sk.predict(Xte) == yte), np.mean(tt.predict(Xte) == yte)
    assert acc_sk > 0.8 and abs(acc_sk - acc_tt) <= 0.005, (acc_sk, acc_tt)
    nz_sk, nz_tt = np.count_nonzero(sk.coef_), np.count_nonzero(tt.coef_)
    assert abs(nz_sk - nz_tt) <= 0.05 * nz_sk, (nz_sk, nz_tt)


def test_elasticnet_matches_saga(news4):
    Xtr, ytr, _, _ = news4
    two = np.isin(ytr, np.unique(ytr)[:2])
    X, y = Xtr[two], ytr[two]
    C, r = 2.0, 0.4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk = SkLR(l1_ratio=r, solver="saga", C=C, tol=1e-10, max_iter=20000).fit(X, y)
    tt = topictag.LogisticRegression(l1_ratio=r, solver="saga", C=C, tol=1e-10,
                                     max_iter=1000).fit(X, y)
    kw = dict(l1=r, l2=1 - r, free_bias=True)
    f_sk = objective(sk.coef_, sk.intercept_, X, y, C, "log", **kw)
    f_tt = objective(tt.coef_, tt.intercept_, X, y, C, "log", **kw)
    assert f_tt <= f_sk * (1 + 1e-6), (f_sk, f_tt)
    assert rel(f_sk, f_tt) < 1e-5, (f_sk, f_tt)
    assert np.mean(sk.predict(X) == tt.predict(X)) > 0.99
    nz_sk, nz_tt = np.count_nonzero(sk.coef_), np.count_nonzero(tt.coef_)
    assert abs(nz_sk - nz_tt) <= 0.1 * nz_sk + 2, (nz_sk, nz_tt)


def test_l1_model_file_is_several_times_smaller(news4, tmp_path):
    Xtr, ytr, Xte, _ = news4
    l2 = topictag.LinearSVC(C=1.0).fit(Xtr, ytr)
    l1 = topictag.LinearSVC(penalty="l1", dual=False, C=1.0).fit(Xtr, ytr)
    l2.save(tmp_path / "l2.tt")
    l1.save(tmp_path / "l1.tt")
    s2, s1 = (tmp_path / "l2.tt").stat().st_size, (tmp_path / "l1.tt").stat().st_size
    assert s1 * 4 < s2, (s1, s2)
    back = topictag.load(tmp_path / "l1.tt")
    np.testing.assert_array_equal(back.decision_function(Xte), l1.decision_function(Xte))
    np.testing.assert_array_equal(back.coef_, l1.coef_)


# ------------------------------------------------------------------ small cases


def _toy(n=300, d=40, seed=0, k=2):
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=0.3, random_state=seed, format="csr")
    w = np.zeros((d, k))
    w[:5] = rng.normal(size=(5, k)) * 3
    y = np.argmax(X @ w + 0.3 * rng.normal(size=(n, k)), axis=1)
    return X, y


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("C", [0.1, 10.0])
def test_small_l1_logistic_and_svc_match_liblinear(k, C):
    X, y = _toy(k=k, seed=k)
    for sk_est, tt_est, loss in [
        (SkLR(l1_ratio=1, solver="liblinear", C=C, tol=1e-10, max_iter=10000),
         topictag.LogisticRegression(penalty="l1", solver="liblinear", C=C, tol=1e-10, max_iter=10000), "log"),
        (SkSVC(penalty="l1", dual=False, C=C, tol=1e-10, max_iter=100000),
         topictag.LinearSVC(penalty="l1", dual=False, C=C, tol=1e-10, max_iter=100000), "squared_hinge"),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = OneVsRestClassifier(sk_est).fit(X, y) if k > 2 and loss == "log" else sk_est.fit(X, y)
        tt_est.fit(X, y)
        coef, b = stacked(sk) if hasattr(sk, "estimators_") else (sk.coef_, sk.intercept_)
        f_sk = objective(coef, b, X, y, C, loss)
        f_tt = objective(tt_est.coef_, tt_est.intercept_, X, y, C, loss)
        assert rel(f_sk, f_tt) < 1e-6, (loss, f_sk, f_tt)
        assert np.array_equal(coef != 0, tt_est.coef_ != 0) or np.sum((coef != 0) != (tt_est.coef_ != 0)) <= 1


def test_l1_intercept_scaling_and_no_intercept():
    X, y = _toy(seed=4)
    for kw in [dict(fit_intercept=False), dict(intercept_scaling=5.0)]:
        sk = SkLR(l1_ratio=1, solver="liblinear", C=1.0, tol=1e-10, max_iter=10000, **kw).fit(X, y)
        tt = topictag.LogisticRegression(l1_ratio=1, solver="liblinear", C=1.0, tol=1e-10, **kw).fit(X, y)
        s = kw.get("intercept_scaling", 1.0)
        f_sk = objective(sk.coef_, sk.intercept_, X, y, 1.0, "log", s=s)
        f_tt = objective(tt.coef_, tt.intercept_, X, y, 1.0, "log", s=s)
        assert rel(f_sk, f_tt) < 1e-6, (kw, f_sk, f_tt)
        if not kw.get("fit_intercept", True):
            assert np.all(tt.intercept_ == 0)


def test_l1_sample_and_class_weights_match_liblinear():
    X, y = _toy(seed=6)
    sw = np.random.default_rng(1).uniform(0.2, 2.0, size=len(y))
    cw = {0: 2.0, 1: 0.5}
    sk = SkLR(l1_ratio=1, solver="liblinear", C=1.0, tol=1e-10, max_iter=10000, class_weight=cw).fit(X, y, sample_weight=sw)
    tt = topictag.LogisticRegression(l1_ratio=1, solver="liblinear", C=1.0, tol=1e-10,
                                     class_weight=cw).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(tt.coef_, sk.coef_, atol=2e-4)
    np.testing.assert_allclose(tt.intercept_, sk.intercept_, atol=2e-4)


def test_a_strong_penalty_gives_an_all_zero_model():
    X, y = _toy(seed=8)
    tt = topictag.LinearSVC(penalty="l1", dual=False, C=1e-5).fit(X, y)
    assert np.count_nonzero(tt.coef_) == 0


def test_results_do_not_depend_on_n_jobs():
    X, y = _toy(k=3, seed=9)
    for make in [lambda nj: topictag.LogisticRegression(l1_ratio=1, solver="liblinear", n_jobs=nj),
                 lambda nj: topictag.LogisticRegression(l1_ratio=0.5, solver="saga", n_jobs=nj),
                 lambda nj: topictag.LinearSVC(penalty="l1", dual=False, n_jobs=nj)]:
        a, b = make(1).fit(X, y), make(2).fit(X, y)
        np.testing.assert_array_equal(a.coef_, b.coef_)
        np.testing.assert_array_equal(a.intercept_, b.intercept_)


def test_l1_models_pickle_and_predict_proba():
    import pickle

    X, y = _toy(k=3, seed=10)
    tt = topictag.LogisticRegression(l1_ratio=1, solver="liblinear").fit(X, y)
    p = tt.predict_proba(X)
    np.testing.assert_allclose(p.sum(1), 1.0)
    back = pickle.loads(pickle.dumps(tt))
    np.testing.assert_array_equal(back.predict_proba(X), p)
    svc = topictag.LinearSVC(penalty="l1", dual=False, probability=True).fit(X, y)
    assert svc.predict_proba(X).shape == (X.shape[0], 3)


# ------------------------------------------------------------------ refused combinations


@pytest.mark.parametrize("params", [
    dict(l1_ratio=1),  # lbfgs
    dict(penalty="l1", solver="newton-cg"),
    dict(l1_ratio=0.5, solver="liblinear"),
    dict(penalty="elasticnet", solver="saga", l1_ratio=None),
    dict(penalty="l1", solver="liblinear", dual=True),
    dict(l1_ratio=1.5, solver="saga"),
    dict(l1_ratio=-0.1, solver="saga"),
])
def test_refused_logistic_combinations_as_scikit_learn(params):
    X, y = _toy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as sk_err:
            SkLR(**params).fit(X, y)
    with pytest.raises(ValueError) as tt_err:
        topictag.LogisticRegression(**params).fit(X, y)
    # the same sense: both name the parameter or solver at fault
    words = [w for w in ("Solver", "saga", "l1_ratio", "dual") if w in str(sk_err.value)]
    assert words and all(w in str(tt_err.value) for w in words), (sk_err.value, tt_err.value)


@pytest.mark.parametrize("params", [
    dict(penalty="l1", loss="hinge", dual=False),
    dict(penalty="l1", loss="hinge"),
    dict(penalty="l1", dual=True),
    dict(penalty="elasticnet"),
])
def test_refused_svc_combinations_as_scikit_learn(params):
    X, y = _toy()
    with pytest.raises(ValueError) as sk_err:
        SkSVC(**params).fit(X, y)
    with pytest.raises(ValueError) as tt_err:
        topictag.LinearSVC(**params).fit(X, y)
    # (with dual="auto" scikit-learn names the dual it resolved from X's shape)
    words = ("penalty='l1'", "loss='hinge'", "elasticnet") + (("dual=True",) if "dual" in params else ())
    for w in words:
        if w in str(sk_err.value):
            assert w in str(tt_err.value), (sk_err.value, tt_err.value)


def test_l1_svc_dual_auto_is_the_primal():
    X, y = _toy()
    a = topictag.LinearSVC(penalty="l1").fit(X, y)
    b = topictag.LinearSVC(penalty="l1", dual=False).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# ------------------------------------------------------------------ TopicClassifier


def test_topic_classifier_l1_file_is_smaller(bbc, tmp_path):
    texts, labels = bbc
    texts, labels = texts[::2], labels[::2]
    l2 = topictag.TopicClassifier(n_jobs=1).fit(texts, labels)
    l1 = topictag.TopicClassifier(penalty="l1", C=4.0, n_jobs=1).fit(texts, labels)
    acc1 = np.mean(np.asarray(l1.predict(texts[1::7])) == np.asarray(labels[1::7]))
    assert acc1 > 0.85
    l2.save(tmp_path / "l2.tt")
    l1.save(tmp_path / "l1.tt")
    s2, s1 = (tmp_path / "l2.tt").stat().st_size, (tmp_path / "l1.tt").stat().st_size
    print("TopicClassifier file sizes: l2", s2, "l1", s1)
    assert s1 * 2 < s2, (s1, s2)
    back = topictag.load(tmp_path / "l1.tt")
    np.testing.assert_array_equal(np.asarray(back.predict(texts[:50])), np.asarray(l1.predict(texts[:50])))
    logit = topictag.TopicClassifier(model="logistic", penalty="l1", C=4.0, n_jobs=1).fit(texts, labels)
    assert np.mean(np.asarray(logit.predict(texts[1::7])) == np.asarray(labels[1::7])) > 0.85
    with pytest.raises(ValueError, match="penalty"):
        topictag.TopicClassifier(penalty="elasticnet").fit(texts[:20], labels[:20])
