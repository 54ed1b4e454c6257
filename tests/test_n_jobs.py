"""``n_jobs`` (issue 19): scikit-learn's numbers (1 = one thread, -1 = all cores, -2 = all but
one, ...; 0 is an error; None = all cores), clamped to the available cores, resolved in one
place (src/parallel.rs, whose unit tests check the arithmetic), never written to model files,
and never a change in the results."""

from __future__ import annotations

import json
import os
import pickle
import threading
import time

import numpy as np
import pytest

import topictag as tt
from topictag._persist import peek

ESTIMATORS = [tt.CountVectorizer, tt.TfidfVectorizer, tt.HashingVectorizer, tt.LinearSVC,
              tt.LogisticRegression, tt.TopicClassifier]
JOBS = [1, -1, -2, 10**5, -(10**9)]


def _threads() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.fixture(scope="module")
def news(news20_train):
    texts, labels = news20_train
    order = np.random.default_rng(1).permutation(len(texts))[:1500]
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_zero_is_an_error(cls):
    docs = ["alpha beta gamma", "beta gamma delta", "gamma delta alpha", "delta alpha beta"]
    y = ["x", "y", "x", "y"]
    est = cls(n_jobs=0)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        if hasattr(est, "transform"):
            est.fit_transform(docs)
        elif cls is tt.TopicClassifier:
            est.fit(docs, y)
        else:
            est.fit(tt.TfidfVectorizer().fit_transform(docs), y)


def test_vectorizers_identical_for_any_n_jobs(news):
    texts, _ = news
    for cls, kw in [(tt.TfidfVectorizer, dict(ngram_range=(1, 2), min_df=2)),
                    (tt.CountVectorizer, dict(analyzer="char_wb", ngram_range=(2, 4))),
                    (tt.HashingVectorizer, dict(n_features=2**18))]:
        ref = cls(n_jobs=1, **kw).fit_transform(texts)
        for n in JOBS[1:] if cls is tt.TfidfVectorizer else (-1, 10**5):
            X = cls(n_jobs=n, **kw).fit_transform(texts)
            assert (X != ref).nnz == 0 and X.shape == ref.shape, (cls.__name__, n)
            np.testing.assert_array_equal(X.indices, ref.indices)


def test_classifiers_identical_for_any_n_jobs(news):
    texts, labels = news
    X = tt.TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit_transform(texts)
    for make in (tt.LinearSVC, lambda **k: tt.LogisticRegression(max_iter=100, **k)):
        ref = make(n_jobs=1).fit(X, labels)
        for n in (-1, 10**5):
            m = make(n_jobs=n).fit(X, labels)
            np.testing.assert_array_equal(m.coef_, ref.coef_)
            np.testing.assert_array_equal(m.decision_function(X), ref.decision_function(X))
    ref = tt.TopicClassifier(n_jobs=1).fit(texts[:1000], labels[:1000])
    m = tt.TopicClassifier(n_jobs=-1).fit(texts[:1000], labels[:1000])
    np.testing.assert_array_equal(m.decision_function(texts[1000:]), ref.decision_function(texts[1000:]))


def _huge_n_jobs_stays_small(texts):
    before = _threads()
    t0 = time.monotonic()
    X = tt.TfidfVectorizer(n_jobs=10**5).fit_transform(texts)
    tt.LinearSVC(n_jobs=10**5).fit(X, ["a", "b"] * (len(texts) // 2))
    elapsed = time.monotonic() - t0
    # 10**5 threads took minutes; the pools hold at most a few threads per core
    assert elapsed < 60
    assert _threads() <= before + 4 * (os.cpu_count() or 1) + 4


def test_huge_n_jobs_is_clamped_to_the_cores(news):
    texts = news[0][:1000]
    _huge_n_jobs_stays_small(texts)
    # off the main thread (another path through the thread pools)
    errors = []
    t = threading.Thread(target=lambda: errors.append(None) or _huge_n_jobs_stays_small(texts))
    t.start()
    t.join()
    assert errors == [None]


@pytest.mark.parametrize("cls", [tt.TfidfVectorizer, tt.LinearSVC, tt.TopicClassifier])
def test_n_jobs_is_not_in_model_files(cls, news, tmp_path):
    texts, labels = news[0][:400], news[1][:400]
    if cls is tt.TfidfVectorizer:
        est = cls(n_jobs=10**5).fit(texts)
    elif cls is tt.LinearSVC:
        est = cls(n_jobs=3).fit(tt.TfidfVectorizer().fit_transform(texts), labels)
    else:
        est = cls(n_jobs=-2).fit(texts, labels)
    path = tmp_path / "m.ttm"
    est.save(path)
    assert "n_jobs" not in peek(path).metadata["params"]
    loaded = tt.load(path)
    assert loaded.n_jobs is None  # the loader's default
    # a file written by an older version, which stored n_jobs: ignored too
    meta = json.loads(est._metadata())
    meta["params"]["n_jobs"] = 10**5
    old = est._core_to_bytes(est._saved_core(), json.dumps(meta))
    assert tt.load(old).n_jobs is None
    # a pickle is a copy of the object, n_jobs included (as in scikit-learn)
    assert pickle.loads(pickle.dumps(est)).n_jobs == est.n_jobs
