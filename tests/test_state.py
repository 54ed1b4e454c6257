"""A refit while other threads predict (``topictag._state``): every result a reading thread
gets is the old model's or the new model's, never a mix (issue 19)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import topictag as tt
from topictag import _state
from topictag.datasets import load_starter


def _data():
    """Two training sets with different topic names and models: the starter corpus with the
    first topic of each document (A), and its second half with the names prefixed (B)."""
    b = load_starter()
    first = [ls[0] for ls in b.target]
    half = len(first) // 2
    return (list(b.data), first), (list(b.data[half:]), ["B-" + t for t in first[half:]])


def _race(make, fit, read, n_reads=60, data=None):
    """Refit one instance alternately on A and B in one thread while two threads read; every
    read must equal what a model fitted on A alone, or on B alone, gives."""
    (xa, ya), (xb, yb) = data or _data()
    queries = xa[:40]
    want = [read(fit(make(), xa, ya), queries), read(fit(make(), xb, yb), queries)]
    shared = fit(make(), xa, ya)
    stop = threading.Event()
    seen, errors = [], []

    def refit():
        i = 0
        while not stop.is_set():
            try:
                fit(shared, *((xb, yb) if i % 2 == 0 else (xa, ya)))
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
                return
            i += 1

    def reader():
        for _ in range(n_reads):
            try:
                got = read(shared, queries)
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)
                return
            seen.append(next((k for k, w in enumerate(want) if _equal(got, w)), None))

    writer = threading.Thread(target=refit)
    readers = [threading.Thread(target=reader) for _ in range(2)]
    writer.start()
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    stop.set()
    writer.join()
    assert not errors, errors
    assert None not in seen, f"{seen.count(None)} of {len(seen)} reads matched neither model"
    return seen


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.all(a == b))
    if hasattr(a, "toarray"):
        return a.shape == b.shape and (a != b).nnz == 0
    return a == b


def test_topic_classifier_refit_while_predicting():
    """Each read is one call (two calls may straddle a refit, legitimately)."""
    seen = _race(lambda: tt.TopicClassifier(min_df=1),
                 lambda m, x, y: m.fit(x, y),
                 lambda m, q: m.predict(q).tolist())
    assert len(seen) == 120


@pytest.mark.parametrize("method", ["predict_top", "predict_proba", "decision_function"])
def test_topic_classifier_scores_while_refitting(method):
    _race(lambda: tt.TopicClassifier(model="logistic", min_df=1),
          lambda m, x, y: m.fit(x, y),
          lambda m, q: np.asarray(getattr(m, method)(q), dtype=object).tolist())


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_linear_classifier_refit_while_predicting(cls):
    vec = tt.TfidfVectorizer().fit(_data()[0][0] + _data()[1][0])

    def fit(m, x, y):
        return m.fit(vec.transform(x), y)

    _race(cls, fit, lambda m, q: m.predict(vec.transform(q)).tolist())


def test_vectorizer_refit_while_transforming():
    (xa, _), (xb, _) = _data()
    _race(lambda: tt.TfidfVectorizer(ngram_range=(1, 2)),
          lambda v, x, y: v.fit(x[: len(x) // 2] if y[0].startswith("B-") else x),
          lambda v, q: v.transform(q))


def test_fit_swaps_every_fitted_attribute_at_once(monkeypatch):
    """Each estimator's fit sets its fitted attributes in one ``swap_in`` call (the rule the
    threaded tests rely on), not one by one."""
    calls = []
    real = _state.swap_in

    def spy(obj, **state):
        calls.append((type(obj).__name__, sorted(state)))
        real(obj, **state)

    for mod in ("_classifier", "_linear", "_vectorizers"):
        monkeypatch.setattr(f"topictag.{mod}.swap_in", spy)
    (xa, ya), _ = _data()
    tt.TopicClassifier(min_df=1).fit(xa, ya)
    X = tt.TfidfVectorizer().fit_transform(xa)
    tt.LinearSVC().fit(X, ya)
    names = [c[0] for c in calls]
    assert names == ["TopicClassifier", "TfidfVectorizer", "LinearSVC"], calls
    assert {"_core", "classes_", "_class_list", "multilabel_"} <= set(calls[0][1])
    assert {"_core", "_step", "_cache", "fixed_vocabulary_", "_idf_pending"} <= set(calls[1][1])
    assert {"_core", "classes_", "n_features_in_", "_coef_cache"} <= set(calls[2][1])


def test_snapshot_shares_state_and_keeps_it():
    m = tt.TopicClassifier(min_df=1).fit(*_data()[0])
    snap = _state.snapshot(m)
    assert snap._core is m._core and snap.classes_ is m.classes_
    m.fit(*_data()[1])
    assert snap._core is not m._core and snap.classes_[0] != m.classes_[0]


@pytest.mark.parametrize("method", ["suggest_keywords", "uncertain"])
def test_keyword_methods_while_refitting_from_keywords(method):
    """suggest_keywords reads the model and its keywords, uncertain the model and its
    settings: each reads one snapshot while the instance is refitted from keywords (A: the
    starter keywords on every text; B: on the second half, no self-training)."""
    from topictag import _keywords
    from test_keywords import STARTER_KEYWORDS

    texts = list(load_starter().data)
    data = ((texts, (STARTER_KEYWORDS, 2)), (texts[len(texts) // 2:], (STARTER_KEYWORDS, 0)))

    def fit(m, x, kw):
        return _keywords.fit_from_keywords(m, kw[0], x, False, kw[1], 0.8, 1)

    def read(m, q):
        return m.suggest_keywords("ceasefire", 8) if method == "suggest_keywords" else m.uncertain(q, 10).tolist()

    make = lambda: tt.TopicClassifier(**_keywords.KEYWORD_DEFAULTS)  # noqa: E731
    a, b = (read(fit(make(), x, kw), texts[:40]) for x, kw in data)
    assert a != b  # the race can tell the two models apart
    seen = _race(make, fit, read, n_reads=15, data=data)
    assert set(seen) <= {0, 1}
