"""topictag.LogisticRegression and topictag.LinearSVC: API, shapes, inputs, errors,
persistence, scikit-learn interoperability and properties (fast, synthetic data)."""

from __future__ import annotations

import io
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import topictag
from topictag import ConvergenceWarning, LinearSVC, LogisticRegression, NotFittedError

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

ALL = [
    lambda **k: LinearSVC(**k),
    lambda **k: LinearSVC(loss="hinge", **k),
    lambda **k: LogisticRegression(**k),
    lambda **k: LogisticRegression(multi_class="ovr", **k),
]
IDS = ["svc_sqhinge", "svc_hinge", "lr_multinomial", "lr_ovr"]


def make_data(n=240, d=60, k=3, seed=0, density=0.15):
    rng = np.random.RandomState(seed)
    centers = rng.rand(k, d) * (rng.rand(k, d) < 0.3) * 3
    y = rng.randint(0, k, n)
    noise = sp.random(n, d, density=density, random_state=rng, format="csr")
    X = sp.csr_matrix(centers[y] * (rng.rand(n, d) < 0.5)) + noise
    return X.tocsr(), y


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_fit_predict_shapes_multiclass(make, data):
    X, y = data
    labels = np.array(["alpha", "beta", "gamma"])[y]
    clf = make().fit(X, labels)
    assert list(clf.classes_) == ["alpha", "beta", "gamma"]
    assert clf.coef_.shape == (3, X.shape[1])
    assert clf.intercept_.shape == (3,)
    assert clf.n_features_in_ == X.shape[1]
    assert clf.multilabel_ is False
    assert clf.decision_function(X).shape == (X.shape[0], 3)
    pred = clf.predict(X)
    assert pred.dtype == labels.dtype
    assert (pred == labels).mean() > 0.9
    assert clf.score(X, labels) == pytest.approx((pred == labels).mean())


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_binary_has_one_output(make, data):
    X, y = data
    yb = np.where(y == 1, 7, 3)
    clf = make().fit(X, yb)
    assert list(clf.classes_) == [3, 7]
    assert clf.coef_.shape == (1, X.shape[1])
    assert clf.intercept_.shape == (1,)
    d = clf.decision_function(X)
    assert d.shape == (X.shape[0],)
    np.testing.assert_array_equal(clf.predict(X), np.where(d > 0, 7, 3))


def test_n_iter_types(data):
    X, y = data
    svc = LinearSVC().fit(X, y)
    assert isinstance(svc.n_iter_, int) and svc.n_iter_ > 0
    lr = LogisticRegression().fit(X, y)
    assert lr.n_iter_.shape == (1,) and lr.n_iter_[0] > 0


def test_matches_sklearn_on_small_problem(data):
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.svm import LinearSVC as SkSVC

    X, y = data
    ours = LinearSVC(C=0.5, tol=1e-8, max_iter=10000).fit(X, y)
    theirs = SkSVC(C=0.5, tol=1e-8, max_iter=10000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-5)
    ours = LogisticRegression(C=2.0, tol=1e-10, max_iter=5000).fit(X, y)
    theirs = SkLR(C=2.0, tol=1e-10, max_iter=5000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize(
    "convert",
    [
        lambda X: X.tocsc(),
        lambda X: X.tocoo(),
        lambda X: X.astype(np.float32),
        lambda X: X.toarray(),
        lambda X: X.toarray().astype(np.float32),
        lambda X: (X.toarray() * 10).astype(np.int64),
        lambda X: sp.csr_matrix((X.toarray() > 0.5).astype(bool)),
        lambda X: (X.toarray() * 10).astype(np.int32).tolist(),
    ],
    ids=["csc", "coo", "f32", "dense", "dense_f32", "dense_int", "bool_sparse", "list"],
)
def test_input_kinds(convert, data):
    X, y = data
    Xc = convert(X)
    clf = LinearSVC().fit(Xc, y)
    assert clf.predict(Xc).shape == (X.shape[0],)


def test_float32_kept_and_close_to_float64(data):
    X, y = data
    a = LinearSVC(tol=1e-8).fit(X.astype(np.float32), y)
    b = LinearSVC(tol=1e-8).fit(X.astype(np.float32).astype(np.float64), y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-9)


def test_probabilities(data):
    X, y = data
    for lr in (LogisticRegression(), LogisticRegression(multi_class="ovr")):
        p = lr.fit(X, y).predict_proba(X)
        assert p.shape == (X.shape[0], 3)
        np.testing.assert_allclose(p.sum(1), 1.0)
        np.testing.assert_allclose(lr.predict_log_proba(X), np.log(p))
        np.testing.assert_array_equal(lr.classes_[p.argmax(1)], lr.predict(X))
    svc = LinearSVC().fit(X, y)
    assert not hasattr(svc, "predict_proba")
    assert not hasattr(svc, "predict_log_proba")
    with pytest.raises(AttributeError, match="probability=True"):
        svc.predict_proba(X)
    svc = LinearSVC(probability=True).fit(X, y)
    p = svc.predict_proba(X)
    np.testing.assert_allclose(p.sum(1), 1.0)
    assert (svc.classes_[p.argmax(1)] == svc.predict(X)).mean() > 0.95
    yb = (y == 1).astype(int)
    svc = LinearSVC(probability=True).fit(X, yb)
    p = svc.predict_proba(X)
    assert p.shape == (X.shape[0], 2)
    assert np.all((p[:, 1] > 0.5) == (svc.decision_function(X) > 0)) or (
        np.mean((p[:, 1] > 0.5) == (svc.decision_function(X) > 0)) > 0.97
    )


def multilabel_data():
    X, y = make_data(n=300, k=4, seed=3)
    sets = [sorted({int(c), (int(c) + 1) % 4}) if c % 2 else [int(c)] for c in y]
    return X, sets


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_multilabel_lists(make):
    X, sets = multilabel_data()
    names = {0: "aid", 1: "ceasefire", 2: "clash", 3: "talks"}
    y = [[names[c] for c in s] for s in sets]
    clf = make().fit(X, y)
    assert clf.multilabel_ is True
    assert list(clf.classes_) == ["aid", "ceasefire", "clash", "talks"]
    assert clf.coef_.shape == (4, X.shape[1])
    pred = clf.predict(X)
    assert isinstance(pred, list) and all(isinstance(p, list) for p in pred)
    assert all(len(p) >= 1 for p in pred)
    exact = np.mean([sorted(p) == sorted(t) for p, t in zip(pred, y)])
    assert exact > 0.8
    assert clf.score(X, y) == pytest.approx(exact)
    # best first
    d = clf.decision_function(X)
    for row, p in zip(d, pred):
        idx = [list(clf.classes_).index(lab) for lab in p]
        assert list(row[idx]) == sorted(row[idx], reverse=True)


def test_multilabel_indicator_threshold_allow_empty():
    X, sets = multilabel_data()
    Y = np.zeros((X.shape[0], 4), dtype=int)
    for i, s in enumerate(sets):
        Y[i, s] = 1
    clf = LogisticRegression(multi_class="ovr").fit(X, Y)
    assert list(clf.classes_) == [0, 1, 2, 3]
    P = clf.predict(X)
    assert isinstance(P, np.ndarray) and P.shape == Y.shape
    # scikit-learn's rule by default: exactly the labels with decision_function > 0
    np.testing.assert_array_equal(P, (clf.decision_function(X) > 0).astype(int))
    strict = LogisticRegression(multi_class="ovr", threshold=0.999).fit(X, Y)
    assert strict.predict(X).sum(1).min() == 0
    loose = LogisticRegression(multi_class="ovr", threshold=0.999, allow_empty=False).fit(X, Y)
    assert loose.predict(X).sum(1).min() == 1
    Ps = LinearSVC().fit(X, sp.csr_matrix(Y)).predict(X)
    assert sp.issparse(Ps) and Ps.shape == Y.shape
    assert LinearSVC().fit(X, Y).score(X, Y) > 0.8
    proba = LogisticRegression().fit(X, Y).predict_proba(X)
    assert proba.shape == Y.shape and proba.max() <= 1


# ---------------------------------------------------------------------------- bad input


def test_errors(data):
    X, y = data
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[240, 239\]"):
        LinearSVC().fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 'x'"):
        LinearSVC().fit(X, ["x"] * X.shape[0])
    Xn = X.copy()
    Xn.data[5] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        LinearSVC().fit(Xn, y)
    Xi = X.toarray()
    Xi[3, 2] = np.inf
    with pytest.raises(ValueError, match=r"NaN or infinity \(first at row 3, column 2\)"):
        LogisticRegression().fit(Xi, y)
    for C in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="C must be"):
            LinearSVC(C=C).fit(X, y)
    with pytest.raises(TypeError, match="C must be a number"):
        LinearSVC(C="1").fit(X, y)
    with pytest.raises(ValueError, match=r"sample_weight\[0\] = -1"):
        LinearSVC().fit(X, y, sample_weight=-np.ones(X.shape[0]))
    with pytest.raises(ValueError, match="sample_weight has shape"):
        LinearSVC().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=r"class_weight has keys that are not classes of y: \[9\]"):
        LinearSVC(class_weight={0: 1.0, 9: 2.0}).fit(X, y)
    with pytest.raises(ValueError, match="class_weight must be"):
        LinearSVC(class_weight="heavy").fit(X, y)
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        LinearSVC().fit(sp.csr_matrix((0, 5)), [])
    with pytest.raises(ValueError, match=r"0 feature\(s\)"):
        LinearSVC().fit(sp.csr_matrix((4, 0)), [0, 1, 0, 1])
    clf = LinearSVC().fit(X, y)
    with pytest.raises(ValueError, match="X has 59 features, but LinearSVC is expecting 60"):
        clf.predict(X[:, :59])
    with pytest.raises(TypeError, match="raw text"):
        LinearSVC().fit(["some text", "more text"], [0, 1])
    with pytest.raises(ValueError, match="Expected a 2D array"):
        LinearSVC().fit(np.arange(10.0), np.arange(10) % 2)
    with pytest.raises(ValueError, match="continuous"):
        LinearSVC().fit(X, np.linspace(0, 1, X.shape[0]))
    with pytest.raises(ValueError, match="loss must be"):
        LinearSVC(loss="log").fit(X, y)
    with pytest.raises(ValueError, match="multi_class must be"):
        LogisticRegression(multi_class="softmax").fit(X, y)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        LinearSVC(n_jobs=0).fit(X, y)
    with pytest.raises(ValueError, match="missing values"):
        LinearSVC().fit(X[:4], np.array(["a", None, "b", "a"], dtype=object))
    with pytest.raises(NotFittedError):
        LinearSVC().predict(X)
    with pytest.raises(NotFittedError):
        LogisticRegression().coef_


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predict_input_checked_in_place(data, dtype, index_dtype):
    """Prediction reads scipy's arrays in place (no copy); bad values and indices are still
    found, and the first bad row is named whatever the thread count."""
    X, y = data
    for clf in (LinearSVC(n_jobs=2).fit(X, y), LogisticRegression(n_jobs=2).fit(X, y)):
        Xp = sp.csr_matrix(X, dtype=dtype)
        Xp.indices = Xp.indices.astype(index_dtype)
        Xp.indptr = Xp.indptr.astype(index_dtype)
        ref = np.asarray(X @ clf.coef_.T + clf.intercept_)
        np.testing.assert_allclose(clf.decision_function(Xp), ref, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(clf.predict(Xp), clf.predict(X))
        bad = Xp.copy()
        r = 200  # in the second block of 128+ rows that a thread scores
        bad.data[bad.indptr[r] + 1] = np.inf
        bad.data[bad.indptr[r + 5]] = np.nan
        with pytest.raises(ValueError, match=rf"NaN or infinity \(first at row {r}, column"):
            clf.predict(bad)
        with pytest.raises(ValueError, match=rf"NaN or infinity \(first at row {r}, column"):
            clf.decision_function(bad)
        with pytest.raises(ValueError, match=rf"NaN or infinity \(first at row {r}, column"):
            clf.predict_proba(bad) if hasattr(clf, "predict_proba") else clf.predict(bad)
        # Hand-made arrays with an index out of range (scipy would refuse to build these).
        parts = (Xp.data, Xp.indices.copy(), Xp.indptr, Xp.shape)
        parts[1][7] = Xp.shape[1] + 3
        core = clf._core
        with pytest.raises(ValueError, match="out of range"):
            core.decision_function(parts, None)
        parts[1][7] = -1
        with pytest.raises(ValueError, match="negative column index"):
            core.decision_function(parts, None)
        with pytest.raises(ValueError, match="indptr"):
            core.decision_function((Xp.data, Xp.indices, Xp.indptr[:-1], Xp.shape), None)


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_convergence_warning(make, data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        make(max_iter=1, tol=1e-12, C=100.0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        make(max_iter=5000).fit(X, y)


# ---------------------------------------------------------------------------- persistence


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_pickle_and_save_round_trip(make, data, tmp_path):
    X, y = data
    labels = np.array(["neg", "neu", "pos"])[y]
    clf = make(C=0.7).fit(X, labels)
    back = pickle.loads(pickle.dumps(clf))
    assert back.get_params() == clf.get_params()
    np.testing.assert_array_equal(back.decision_function(X), clf.decision_function(X))
    np.testing.assert_array_equal(back.classes_, clf.classes_)
    path = tmp_path / "m.topictag"
    clf.save(path)
    loaded = type(clf)._from_bytes(path.read_bytes())
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.C == 0.7
    if hasattr(topictag, "load"):
        again = topictag.load(path)
        assert type(again) is type(clf)
        np.testing.assert_array_equal(again.predict(X), clf.predict(X))


def test_pickle_keeps_non_json_labels_and_save_refuses(data, tmp_path):
    X, y = data
    labels = [("g", int(c)) for c in y]
    arr = np.empty(len(labels), dtype=object)
    arr[:] = labels
    clf = LinearSVC().fit(X, arr)
    back = pickle.loads(pickle.dumps(clf))
    assert list(back.classes_) == list(clf.classes_)
    assert back.predict(X[:3]).tolist() == clf.predict(X[:3]).tolist()
    with pytest.raises(TypeError, match="not JSON values"):
        clf.save(tmp_path / "x")


def test_pickle_multilabel_and_unfitted():
    X, sets = multilabel_data()
    clf = LinearSVC(probability=True).fit(X, sets)
    back = pickle.loads(pickle.dumps(clf))
    assert back.predict(X[:20]) == clf.predict(X[:20])
    np.testing.assert_array_equal(back.predict_proba(X[:20]), clf.predict_proba(X[:20]))
    u = pickle.loads(pickle.dumps(LogisticRegression(C=3.0)))
    assert u.C == 3.0 and not hasattr(u, "classes_")


def test_from_bytes_rejects_corruption(data):
    X, y = data
    b = bytearray(LinearSVC().fit(X, y).to_bytes())
    b[len(b) // 2] ^= 0xFF
    with pytest.raises(topictag.ModelFormatError):
        LinearSVC._from_bytes(bytes(b))


# ---------------------------------------------------------------------------- scikit-learn


def test_sklearn_interop():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import Pipeline

    rng = np.random.RandomState(0)
    words = {0: "truce ceasefire talks agreement envoy", 1: "shelling clashes troops attack fire",
             2: "aid convoy food relief shelter"}
    docs, y = [], []
    for i in range(90):
        c = i % 3
        w = words[c].split() + "the a of in report says".split()
        docs.append(" ".join(rng.choice(w, 8)))
        y.append(["diplomacy", "fighting", "aid"][c])
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LinearSVC())])
    pipe.fit(docs, y)
    assert pipe.score(docs, y) > 0.9
    scores = cross_val_score(pipe, docs, y, cv=3)
    assert scores.mean() > 0.8
    gs = GridSearchCV(pipe, {"clf__C": [0.1, 1.0]}, cv=3).fit(docs, y)
    assert gs.best_params_["clf__C"] in (0.1, 1.0)
    c = clone(LogisticRegression(C=2.0, multi_class="ovr"))
    assert c.get_params()["C"] == 2.0 and not hasattr(c, "coef_")
    lr_pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())]).fit(docs, y)
    assert lr_pipe.predict_proba(docs).shape == (90, 3)


def test_sample_and_class_weight_equivalence(data):
    """class_weight on the multinomial model is the same as multiplying sample weights."""
    X, y = data
    cw = {0: 2.0, 1: 0.5, 2: 1.0}
    a = LogisticRegression(class_weight=cw, tol=1e-10, max_iter=2000).fit(X, y)
    b = LogisticRegression(tol=1e-10, max_iter=2000).fit(
        X, y, sample_weight=np.array([cw[c] for c in y])
    )
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)
    bal = LinearSVC(class_weight="balanced").fit(X, y)
    assert bal.predict(X).shape == y.shape


# ---------------------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), which=st.integers(0, 3))
def test_row_order_does_not_change_predictions(seed, which):
    X, y = make_data(n=120, d=30, seed=seed % 7)
    perm = np.random.RandomState(seed).permutation(X.shape[0])
    make = ALL[which]
    a = make(tol=1e-10, max_iter=100_000).fit(X, y)
    b = make(tol=1e-10, max_iter=100_000).fit(X[perm], y[perm])
    np.testing.assert_allclose(a.decision_function(X), b.decision_function(X), atol=1e-5)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), jobs=st.sampled_from([1, 2, 3, -1]), which=st.integers(0, 3))
def test_n_jobs_never_changes_results(seed, jobs, which):
    X, y = make_data(n=150, d=40, seed=seed % 5)
    make = ALL[which]
    a = make(n_jobs=1, random_state=seed).fit(X, y)
    b = make(n_jobs=jobs, random_state=seed).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))


def test_label_lists_in_object_array_and_series():
    X, sets = multilabel_data()
    arr = np.empty(len(sets), dtype=object)
    arr[:] = [list(s) for s in sets]
    a = LinearSVC().fit(X, arr)
    assert a.multilabel_ and list(a.classes_) == [0, 1, 2, 3]
    pd = pytest.importorskip("pandas")
    b = LinearSVC().fit(X, pd.Series([list(s) for s in sets]))
    assert b.predict(X[:5]) == a.predict(X[:5])


def test_int64_index_arrays(data):
    X, y = data
    X64 = X.copy()
    X64.indices = X64.indices.astype(np.int64)
    X64.indptr = X64.indptr.astype(np.int64)
    clf = LinearSVC().fit(X, y)
    np.testing.assert_array_equal(clf.decision_function(X64), clf.decision_function(X))
    np.testing.assert_array_equal(LinearSVC().fit(X64, y).coef_, clf.coef_)


@pytest.mark.parametrize("make", ALL, ids=IDS)
def test_fit_reads_input_in_place_and_checks_it(make, data):
    """fit reads scipy's arrays in place (any float/index dtype, or a copy for other
    layouts) with the same result, and still rejects bad indices and values by name."""
    X, y = data
    ref = make().fit(X, y).coef_
    X32 = X.astype(np.float32)
    np.testing.assert_allclose(make().fit(X32, y).coef_, make().fit(X32.copy(), y).coef_, rtol=0, atol=0)
    strided = X.copy()
    big = np.zeros(2 * strided.indices.size, dtype=strided.indices.dtype)
    big[::2] = strided.indices
    strided.indices = big[::2]  # not contiguous: goes through the copying parser
    assert not strided.indices.flags.c_contiguous
    np.testing.assert_array_equal(make().fit(strided, y).coef_, ref)
    bad = X.copy()
    bad.indices[7] = X.shape[1] + 3  # scipy does not re-check after construction
    with pytest.raises(ValueError, match=rf"column index {X.shape[1] + 3} out of range"):
        make().fit(bad, y)
    bad.indices[7] = -1
    with pytest.raises(ValueError, match="negative"):
        make().fit(bad, y)
    bad = X.copy()
    r = 11
    bad.data[bad.indptr[r] + 2] = np.nan
    col = bad.indices[bad.indptr[r] + 2]
    with pytest.raises(ValueError, match=rf"NaN or infinity \(first at row {r}, column {col}\)"):
        make().fit(bad, y)
