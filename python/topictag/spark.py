"""topictag on Spark: tag a text column of a Spark DataFrame with a fitted model.

``predict_udf(model)`` returns an Arrow-batched pandas UDF (``pyspark.sql.functions.pandas_udf``):
Spark hands each Python worker Arrow batches of the text column, the worker scores a whole
batch with one Rust call, and the model is broadcast once (``SparkContext.broadcast``) and
unpickled once per Python worker process, not per batch or row::

    from topictag.spark import predict_udf
    tag = predict_udf(model)                       # a fitted TopicClassifier
    df = df.withColumn("topic", tag("text"))

Needs pyspark (and Java); ``pip install pyspark``.
"""

import pickle
import threading
from typing import Any, Dict

__all__ = ["predict_udf"]

_MODELS: Dict[Any, Any] = {}
_LOCK = threading.Lock()


def _model_of(bc):
    """The model of broadcast ``bc``, unpickled once per Python worker process."""
    key = bc.id if hasattr(bc, "id") else id(bc)
    m = _MODELS.get(key)
    if m is None:
        with _LOCK:
            m = _MODELS.get(key)
            if m is None:
                m = pickle.loads(bc.value)
                _MODELS[key] = m
    return m


def predict_udf(model, output: str = "topic", k: int = 3):
    """A Spark pandas UDF tagging a column of text with ``model``.

    Parameters
    ----------
    model : a fitted ``topictag.TopicClassifier`` (or a pipeline with ``predict`` on raw text).
    output : ``"topic"`` (default): the predicted topic (a string; for multi-label models
        the list of topics); ``"top"``: the ``k`` best topics as a list of strings;
        ``"scores"``: the decision score of every topic, in ``model.classes_`` order.
    k : topics per row for ``output="top"``.

    Null texts give null results. Must be called with an active ``SparkSession``.
    """
    try:
        import pandas as pd
        from pyspark.sql import SparkSession
        from pyspark.sql.functions import pandas_udf
        from pyspark.sql.types import ArrayType, DoubleType, StringType
    except ImportError as e:  # pragma: no cover
        raise ImportError("topictag.spark needs pyspark: pip install pyspark") from e
    if output not in ("topic", "top", "scores"):
        raise ValueError(f"output must be 'topic', 'top' or 'scores', got {output!r}")
    if not hasattr(model, "predict") or not hasattr(model, "classes_"):
        raise ValueError(
            f"predict_udf needs a fitted model with predict() and classes_; got {type(model).__name__}"
            + ("" if hasattr(model, "predict") else "") + " (call fit first?)"
        )
    if output == "top" and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise ValueError(f"k must be a positive int, got {k!r}")
    spark = SparkSession.getActiveSession()
    if spark is None:
        raise RuntimeError("predict_udf needs an active SparkSession (SparkSession.builder.getOrCreate())")
    bc = spark.sparkContext.broadcast(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    multilabel = bool(getattr(model, "multilabel_", False))
    if output == "scores":
        rtype = ArrayType(DoubleType())
    elif output == "top" or multilabel:
        rtype = ArrayType(StringType())
    else:
        rtype = StringType()

    @pandas_udf(rtype)
    def _tag(texts: pd.Series) -> pd.Series:
        m = _model_of(bc)
        ok = texts.notna().to_numpy()
        out = pd.Series([None] * len(texts), index=texts.index, dtype=object)
        if not ok.any():
            return out
        docs = texts[ok].astype(str).tolist()
        if output == "scores":
            s = m.decision_function(docs)
            vals = [list(map(float, row)) for row in (s if s.ndim == 2 else s.reshape(-1, 1))]
        elif output == "top":
            vals = [[str(t) for t, _ in row] for row in m.predict_top(docs, k=k)]
        else:
            p = m.predict(docs)
            vals = [[str(t) for t in row] for row in p] if multilabel else [str(t) for t in p]
        out[ok] = pd.Series(vals, index=texts.index[ok], dtype=object)
        return out

    return _tag
