"""topictag.spark.predict_udf on pyspark local[2] (issue 21). Skipped, with the reason, when
pyspark or Java is absent."""

from __future__ import annotations

import shutil

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[test]')")
if shutil.which("java") is None:
    pytest.skip("Java is not installed: pyspark needs a JVM", allow_module_level=True)

import topictag  # noqa: E402
from topictag.datasets import load_starter  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    import os
    import sys

    from pyspark.sql import SparkSession

    # Spark's Python workers must run this interpreter (with topictag, pandas and pyarrow).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    s = (SparkSession.builder.master("local[2]").appName("topictag-test")
         .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
         .config("spark.driver.bindAddress", "127.0.0.1")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.sql.shuffle.partitions", "2").getOrCreate())
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def model_and_texts():
    texts, topics = load_starter(return_X_y=True)
    labels = [t[0] for t in topics]
    return topictag.TopicClassifier().fit(texts, labels), list(texts)


def test_predict_udf_equals_local_predict(spark, model_and_texts):
    from topictag.spark import predict_udf

    model, texts = model_and_texts
    rows = [(i, t) for i, t in enumerate(texts[:120])] + [(1000, None)]
    df = spark.createDataFrame(rows, "id long, text string").repartition(3)
    out = df.withColumn("topic", predict_udf(model)("text")).orderBy("id").collect()
    local = [str(p) for p in model.predict(texts[:120])]
    assert [r["topic"] for r in out[:-1]] == local
    assert out[-1]["topic"] is None
    top = df.withColumn("top", predict_udf(model, output="top", k=2)("text")).orderBy("id").collect()
    assert [r["top"] for r in top[:5]] == [[str(t) for t, _ in row] for row in model.predict_top(texts[:5], k=2)]


def test_bad_arguments(spark, model_and_texts):
    from topictag.spark import predict_udf

    model, _ = model_and_texts
    with pytest.raises(ValueError, match="output"):
        predict_udf(model, output="labels")
    with pytest.raises(ValueError, match="fitted"):
        predict_udf(topictag.TopicClassifier())
    with pytest.raises(ValueError, match="k must"):
        predict_udf(model, output="top", k=0)
