"""partial_fit of LinearSVC and LogisticRegression (issue 21): a first call equals fit on its
batch; later calls minimise the batch objective with the penalty centred on the previous
weights (documented in LinearSVC.partial_fit); fixed columns from HashingVectorizer or a
fixed vocabulary; pickling keeps the state."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import topictag
from topictag import HashingVectorizer, LinearSVC, LogisticRegression, TfidfVectorizer
from topictag.datasets import load_starter


@pytest.fixture(scope="module")
def data():
    texts, topics = load_starter(return_X_y=True)
    y = np.array([t[0] for t in topics], dtype=object)
    X = HashingVectorizer(n_features=2**11, alternate_sign=False).transform(list(texts))
    return X, y


@pytest.mark.parametrize("cls,kw", [(LinearSVC, dict(tol=1e-8, max_iter=500)),
                                    (LogisticRegression, dict(C=10.0, tol=1e-7, max_iter=1000))])
def test_first_call_equals_fit_then_batches_improve(data, cls, kw):
    X, y = data
    classes = np.unique(y)
    first = cls(**kw).partial_fit(X[:150], y[:150], classes=classes)
    full_kw = dict(kw, tol=1e-7, max_iter=100000) if cls is LinearSVC else kw
    ref = cls(**full_kw).fit(X[:150], y[:150])
    if set(y[:150]) == set(classes):
        np.testing.assert_allclose(first.coef_, ref.coef_, atol=2e-3)
    inc = cls(**kw)
    for i in range(0, X.shape[0], 100):
        inc.partial_fit(X[i:i + 100], y[i:i + 100], classes=classes if i == 0 else None)
    assert inc.classes_.tolist() == classes.tolist()
    assert inc.score(X, y) > 0.6
    again = pickle.loads(pickle.dumps(inc))
    np.testing.assert_array_equal(again.predict(X), inc.predict(X))
    again.partial_fit(X[:30], y[:30])
    inc.partial_fit(X[:30], y[:30])
    np.testing.assert_allclose(again.coef_, inc.coef_)


def test_partial_fit_with_a_fixed_vocabulary_pipeline(data):
    texts, topics = load_starter(return_X_y=True)
    y = [t[0] for t in topics]
    vec = TfidfVectorizer(vocabulary=["ceasefire", "truce", "sanctions", "embargo", "aid", "troops", "talks"])
    clf = LinearSVC()
    classes = sorted(set(y))
    for i in range(0, len(texts), 100):
        vec.partial_fit(texts[i:i + 100])
        clf.partial_fit(vec.transform(texts[i:i + 100]), y[i:i + 100], classes=classes)
    assert clf.coef_.shape == (len(classes), 7)


def test_bad_input(data):
    X, y = data
    with pytest.raises(ValueError, match="classes="):
        LinearSVC().partial_fit(X[:10], y[:10])
    clf = LinearSVC().partial_fit(X[:50], y[:50], classes=np.unique(y))
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:10, :100], y[:10])
    with pytest.raises(ValueError, match="not given in classes"):
        clf.partial_fit(X[:2], ["not a topic", "nor this"])
    with pytest.raises(ValueError, match="differ"):
        clf.partial_fit(X[:2], y[:2], classes=["a", "b"])
    with pytest.raises(ValueError, match="class_weight"):
        LinearSVC(class_weight="balanced").partial_fit(X[:10], y[:10], classes=np.unique(y))
    with pytest.raises(ValueError, match="not svm_hinge|squared hinge"):
        LinearSVC(loss="hinge").partial_fit(X[:10], y[:10], classes=np.unique(y))
    with pytest.raises(ValueError, match="inconsistent"):
        LinearSVC().partial_fit(X[:10], y[:9], classes=np.unique(y))
