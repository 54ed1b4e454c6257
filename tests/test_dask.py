"""topictag.dask on a 2-worker LocalCluster on loopback (issue 21): the vocabulary from merged
per-partition counts equals a local fit's; the distributed solvers give the local model within
tolerance; prediction per partition."""

from __future__ import annotations

import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

import topictag  # noqa: E402
from topictag.datasets import load_starter  # noqa: E402




@pytest.fixture(autouse=True)
def _time_limit():
    """Bound every test in time (a hung cluster fails the test instead of the suite)."""
    import signal

    def _expired(signum, frame):
        raise TimeoutError("a topictag.dask test took more than 240 s")

    old = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(240)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None, memory_limit=0)
    c = distributed.Client(cluster, timeout="60s")
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def data():
    texts, topics = load_starter(return_X_y=True)
    labels = [t[0] for t in topics]
    df = pd.DataFrame({"text": list(texts), "label": labels})
    return df, dd.from_pandas(df, npartitions=4)


@pytest.mark.parametrize("params", [dict(ngram_range=(1, 2), min_df=2), dict(max_df=0.3, max_features=500, sublinear_tf=True)])
def test_vectorizer_equals_local_fit(client, data, params):
    import topictag.dask as tdask

    df, ddf = data
    local = topictag.TfidfVectorizer(**params).fit(df["text"].tolist())
    dv = tdask.TfidfVectorizer(**params).fit(ddf["text"])
    assert dv.get_feature_names_out().tolist() == local.get_feature_names_out().tolist()
    np.testing.assert_allclose(dv.idf_, local.idf_, rtol=1e-12)
    X = dv.transform(ddf["text"]).compute()
    Xl = local.transform(df["text"].tolist())
    assert X.shape == Xl.shape
    assert abs(X - Xl).max() < 1e-6


@pytest.mark.parametrize("est", ["svm", "logistic"])
@pytest.mark.parametrize("n_classes", [2, 7])
def test_distributed_solver_equals_local(client, data, est, n_classes):
    import topictag.dask as tdask

    df, ddf = data
    keep = sorted(df["label"].unique())[:n_classes]
    mask = df["label"].isin(keep)
    dfk = df[mask].reset_index(drop=True)
    ddk = dd.from_pandas(dfk, npartitions=3)
    vec = tdask.TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit(ddk["text"])
    X = vec.transform(ddk["text"])
    Xl = vec.transform(dfk["text"].tolist())
    if est == "svm":
        d = tdask.LinearSVC(C=1.0, tol=1e-8, max_iter=200).fit(X, ddk["label"])
        l = topictag.LinearSVC(C=1.0, tol=1e-6, max_iter=100000).fit(Xl, dfk["label"].tolist())
    else:
        d = tdask.LogisticRegression(C=10.0, tol=1e-8, max_iter=2000).fit(X, ddk["label"])
        l = topictag.LogisticRegression(C=10.0, tol=1e-8, max_iter=2000).fit(Xl, dfk["label"].tolist())
    assert d.classes_.tolist() == l.classes_.tolist()
    np.testing.assert_allclose(d.coef_, l.coef_, atol=2e-3)
    np.testing.assert_allclose(d.intercept_, l.intercept_, atol=2e-3)
    assert (d.predict(Xl) == l.predict(Xl)).mean() == 1.0
    # the solver's traffic: one broadcast of the weights (or of a direction) per round trip,
    # one summed reply; never the blocks
    st = d.dask_stats_
    width = X.shape[1] + 1  # the weights and the intercepts' row
    k = 1 if n_classes == 2 else n_classes
    assert st["workers"] == 2 and st["round_trips"] >= 2
    assert st["sent_mb"] <= st["round_trips"] * st["workers"] * width * k * 8 / 1e6 + 0.1
    assert st["received_mb"] <= st["round_trips"] * (width * k + k) * 8 / 1e6 + 0.1
    # per-partition prediction on the dask array
    assert d.predict(X).compute().tolist() == l.predict(Xl).tolist()


def test_topic_classifier_fit_and_predict_per_partition(client, data):
    import topictag.dask as tdask

    df, ddf = data
    m = tdask.TopicClassifier(model="svm", C=1.0, tol=1e-8, max_iter=200).fit(ddf["text"], ddf["label"])
    local = topictag.TopicClassifier(model="svm", C=1.0, tol=1e-6, max_iter=100000).fit(df["text"].tolist(), df["label"].tolist())
    assert m.classes_.tolist() == local.classes_.tolist()
    texts = df["text"].tolist()[:50]
    np.testing.assert_allclose(m.decision_function(texts), local.decision_function(texts), atol=5e-3)
    pred = m.predict(ddf["text"]).compute()
    assert len(pred) == len(df)
    assert pred.tolist() == [p for p in m.predict(df["text"].tolist())]
    # the fitted model is a local one: it pickles and predicts without dask
    import pickle

    again = pickle.loads(pickle.dumps(m))
    assert list(again.predict(texts)) == list(m.predict(texts))


def test_bad_input(client, data):
    import topictag.dask as tdask

    df, ddf = data
    with pytest.raises(ValueError, match="columns"):
        tdask.TfidfVectorizer().fit(ddf)
    vec = tdask.TfidfVectorizer().fit(ddf["text"])
    X = vec.transform(ddf["text"])
    with pytest.raises(ValueError, match="class_weight"):
        tdask.LinearSVC(class_weight="balanced").fit(X, ddf["label"])
    with pytest.raises(ValueError, match="sample_weight"):
        tdask.LinearSVC().fit(X, ddf["label"], sample_weight=np.ones(len(df)))
    with pytest.raises(ValueError, match="partitions"):
        tdask.LinearSVC().fit(X, dd.from_pandas(df["label"], npartitions=2))


def test_worker_lost_mid_fit_raises_or_recovers_never_half_fitted(client, data, monkeypatch):
    """A worker process killed in the middle of the solver: dask recomputes the lost blocks
    from their graph (the fit then ends with the same model) or the fit raises; the estimator
    is never left half-fitted."""
    import os

    import topictag.dask as tdask
    from topictag import _distributed

    df, ddf = data
    vec = tdask.TfidfVectorizer(min_df=2).fit(ddf["text"])
    X = vec.transform(ddf["text"])
    calls = {"n": 0}
    reduce = _distributed.Runner.reduce

    def killing_reduce(self, futures, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            victim = sorted(client.scheduler_info()["workers"])[0]
            try:
                client.run(os._exit, 1, workers=[victim])
            except Exception:
                pass
        return reduce(self, futures, *args, **kwargs)

    monkeypatch.setattr(_distributed.Runner, "reduce", killing_reduce)
    est = tdask.LinearSVC(C=1.0, tol=1e-6, max_iter=100)
    try:
        est.fit(X, ddf["label"])
    except Exception:
        assert calls["n"] >= 3  # it failed because of the lost worker, not before
        assert not est._is_fitted()
    else:
        local = topictag.LinearSVC(C=1.0, tol=1e-6, max_iter=100000).fit(vec.transform(df["text"].tolist()), df["label"].tolist())
        np.testing.assert_allclose(est.coef_, local.coef_, atol=2e-3)
    assert calls["n"] > 3
    client.wait_for_workers(2, timeout=60)
