"""``topictag._input`` and the document rules every estimator shares: tables refused where a
column of texts is expected, pandas indexes kept by ``as_frame`` outputs, and the empty-text
rule (a document with no words)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import topictag as tt
from topictag.datasets import load_starter


@pytest.fixture(scope="module")
def starter():
    b = load_starter()
    return list(b.data), [ls[0] for ls in b.target]


@pytest.fixture(scope="module")
def logistic(starter):
    return tt.TopicClassifier(model="logistic").fit(*starter)


def test_predict_proba_as_frame_keeps_the_index(logistic, starter):
    texts = starter[0][:6]
    index = pd.Index([f"doc-{i}" for i in (5, 3, 9, 1, 0, 7)], name="doc_id")
    s = pd.Series(texts, index=index)
    df = logistic.predict_proba(s, as_frame=True)
    assert df.index.equals(index)
    assert list(df.columns) == [str(c) for c in logistic.classes_]
    np.testing.assert_array_equal(df.to_numpy(), logistic.predict_proba(texts))
    # a list has no index: 0..n-1, as pandas gives
    assert list(logistic.predict_proba(texts, as_frame=True).index) == list(range(6))
    # a filtered Series keeps its gaps
    sub = pd.Series(starter[0][:10])[lambda x: x.index % 3 == 0]
    assert list(logistic.predict_proba(sub, as_frame=True).index) == [0, 3, 6, 9]


def _tables():
    out = [("pandas", pd.DataFrame({"text": ["a truce"]}))]
    try:
        import pyarrow as pa

        out += [("pyarrow", pa.table({"text": ["a truce"]})),
                ("pyarrow", pa.record_batch({"text": ["a truce"]}))]
    except ImportError:  # pragma: no cover
        pass
    try:
        import polars as pl

        out.append(("polars", pl.DataFrame({"text": ["a truce"]})))
    except ImportError:  # pragma: no cover
        pass
    return out


@pytest.mark.parametrize("lib,table", _tables(), ids=lambda v: v if isinstance(v, str) else type(v).__name__)
def test_a_table_where_a_column_is_expected_is_a_type_error(lib, table, logistic):
    for call in (logistic.predict, logistic.predict_proba, tt.TfidfVectorizer().fit,
                 lambda X: logistic.fit(X, ["a"])):
        with pytest.raises(TypeError, match=f"one column of text, not a {lib} "
                                            f"{type(table).__name__}; select the text column"):
            call(table)


def test_pyarrow_and_polars_columns_still_work(logistic, starter):
    texts = starter[0][:5]
    want = logistic.predict(texts)
    pa = pytest.importorskip("pyarrow", reason="pyarrow not installed")
    np.testing.assert_array_equal(logistic.predict(pa.table({"t": texts})["t"]), want)
    try:
        import polars as pl
    except ImportError:
        pytest.skip("polars not installed")
    np.testing.assert_array_equal(logistic.predict(pl.Series(texts)), want)


def test_empty_texts_are_documents_with_no_words(logistic, starter):
    """One rule: an empty or blank text is kept and scored by the intercepts alone, exactly
    as a text whose words the model does not know; fit keeps it as a document."""
    d = logistic.decision_function(["", "   \n\t", "zzqx wwvy"])
    np.testing.assert_array_equal(d[0], d[2])
    np.testing.assert_array_equal(d[1], d[2])
    assert len(logistic.predict(["", "a truce"])) == 2
    texts, labels = starter
    m = tt.TopicClassifier(model="logistic").fit(texts + ["", " "], labels + labels[:2])
    assert m.training_summary_["n_documents"] == len(texts) + 2
    # scikit-learn's vectorizer agrees: an empty text is an all-zero row
    X = tt.TfidfVectorizer().fit(texts).transform(["", "  "])
    assert X.shape == (2, X.shape[1]) and X.nnz == 0
