"""Streaming fits (issue 21): files and batches read twice in chunks, never all in memory;
TfidfVectorizer.partial_fit; the same vocabulary, idf and model as a fit in memory."""

from __future__ import annotations

import csv
import gzip
import json
import warnings

import numpy as np
import pytest

import topictag
from topictag import Batches, TfidfVectorizer, TopicClassifier
from topictag.datasets import load_starter


@pytest.fixture(scope="module")
def starter():
    texts, topics = load_starter(return_X_y=True)
    # single-label: the first topic of each paragraph
    return list(texts), [t[0] for t in topics]


def _write(path, texts, labels, fmt):
    if fmt in ("jsonl", "jsonl.gz"):
        op = gzip.open if fmt.endswith(".gz") else open
        with op(path, "wt", encoding="utf-8") as f:
            for t, l in zip(texts, labels):
                f.write(json.dumps({"text": t, "label": l}) + "\n")
    elif fmt in ("csv", "tsv", "csv.gz"):
        op = gzip.open if fmt.endswith(".gz") else open
        with op(path, "wt", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t" if fmt == "tsv" else ",")
            w.writerow(["label", "text"])
            for t, l in zip(texts, labels):
                w.writerow([l, t])
    elif fmt == "parquet":
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"text": texts, "label": labels}), path, row_group_size=50)


@pytest.mark.parametrize("fmt", ["jsonl", "jsonl.gz", "csv", "tsv", "csv.gz", "parquet"])
def test_classifier_fit_on_a_file_equals_fit_in_memory(tmp_path, starter, fmt):
    texts, labels = starter
    path = tmp_path / f"data.{fmt}"
    _write(path, texts, labels, fmt)
    params = dict(ngram_range=(1, 2), min_df=2, model="svm")
    local = TopicClassifier(**params).fit(texts, labels)
    streamed = TopicClassifier(**params).fit(Batches(str(path), batch_size=37))
    assert streamed.classes_.tolist() == local.classes_.tolist()
    assert streamed.vocabulary_size_ == local.vocabulary_size_
    probe = texts[:40] + ["Mediators secured a 72-hour truce between the army and the rebels."]
    np.testing.assert_allclose(streamed.decision_function(probe), local.decision_function(probe), atol=1e-5)
    # a plain path (no Batches) streams too
    again = TopicClassifier(**params).fit(str(path))
    np.testing.assert_allclose(again.decision_function(probe), local.decision_function(probe), atol=1e-5)


def test_glob_of_several_files(tmp_path, starter):
    texts, labels = starter
    for i in range(3):
        sl = slice(i * 100, (i + 1) * 100)
        _write(tmp_path / f"part-{i}.jsonl.gz", texts[sl], labels[sl], "jsonl.gz")
    v_all = TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit(texts)
    v_glob = TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit(Batches(str(tmp_path / "part-*.jsonl.gz"), label_col=None, batch_size=64))
    assert v_glob.get_feature_names_out().tolist() == v_all.get_feature_names_out().tolist()
    np.testing.assert_allclose(v_glob.idf_, v_all.idf_)


@pytest.mark.parametrize("params", [dict(), dict(ngram_range=(1, 2), min_df=2, max_df=0.5),
                                    dict(max_features=300, sublinear_tf=True), dict(analyzer="char_wb", ngram_range=(2, 4), min_df=3)])
def test_vectorizer_batches_and_partial_fit_equal_one_fit(starter, params):
    texts, _ = starter
    whole = TfidfVectorizer(**params).fit(texts)
    batches = [texts[i:i + 41] for i in range(0, len(texts), 41)]
    streamed = TfidfVectorizer(**params).fit(Batches(batches))
    inc = TfidfVectorizer(**params)
    for b in batches:
        inc.partial_fit(b)
    for v in (streamed, inc):
        assert v.get_feature_names_out().tolist() == whole.get_feature_names_out().tolist()
        np.testing.assert_allclose(v.idf_, whole.idf_, rtol=1e-12)
        assert (v.transform(texts[:30]) != whole.transform(texts[:30])).nnz == 0


def test_partial_fit_with_a_fixed_vocabulary_keeps_columns(starter):
    texts, _ = starter
    vocab = ["ceasefire", "truce", "sanctions", "aid", "peacekeepers"]
    v = TfidfVectorizer(vocabulary=vocab)
    v.partial_fit(texts[:50])
    first = v.transform(texts[:5]).shape
    v.partial_fit(texts[50:])
    assert v.transform(texts[:5]).shape == first == (5, 5)
    np.testing.assert_allclose(v.idf_, TfidfVectorizer(vocabulary=vocab).fit(texts).idf_)


# ---- bad input ------------------------------------------------------------------------------

def test_a_generator_is_refused_with_the_reason(starter):
    texts, labels = starter
    gen = ((texts[i:i + 10], labels[i:i + 10]) for i in range(0, 100, 10))
    with pytest.raises(TypeError, match="read only once"):
        Batches(gen)
    # a function returning a fresh iterator is fine
    v = TfidfVectorizer().fit(Batches(lambda: (texts[i:i + 10] for i in range(0, 100, 10)), label_col=None))
    assert len(v.vocabulary_) > 0


def test_bad_files(tmp_path, starter):
    texts, labels = starter
    with pytest.raises(FileNotFoundError, match="no such file"):
        Batches(str(tmp_path / "missing.jsonl"))
    with pytest.raises(FileNotFoundError, match="no file matches"):
        Batches(str(tmp_path / "nothing-*.jsonl"))
    with pytest.raises(IsADirectoryError):
        Batches(str(tmp_path))
    (tmp_path / "data.txt").write_text("hello\n")
    with pytest.raises(ValueError, match="format"):
        Batches(str(tmp_path / "data.txt"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "a truce", "label": "ceasefire"}) + "\n{not json\n")
    with pytest.raises(ValueError, match="line 2"):
        TopicClassifier().fit(str(bad))
    nocol = tmp_path / "nocol.jsonl"
    nocol.write_text(json.dumps({"body": "a truce", "label": "x"}) + "\n")
    with pytest.raises(ValueError, match="'text'"):
        TopicClassifier().fit(str(nocol))
    gz = tmp_path / "fake.jsonl.gz"
    gz.write_bytes(b"this is not gzip")
    with pytest.raises(ValueError, match="cannot read"):
        TopicClassifier().fit(str(gz))
    with pytest.raises(ValueError, match="batch_size"):
        Batches([(["a"], ["b"])], batch_size=0)
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        TopicClassifier().fit(Batches([(["a truce", "a war"], ["x"])]))
    one = tmp_path / "one.jsonl"
    _write(one, texts[:20], ["ceasefire"] * 20, "jsonl")
    with pytest.raises(ValueError, match="two different topics|at least 2"):
        TopicClassifier().fit(str(one))
    with pytest.raises(ValueError, match="Iterable over raw text"):
        TopicClassifier().fit(str(one), labels[:20])  # a str with labels: one document, as before
    with pytest.raises(TypeError, match="labels come from the source"):
        TopicClassifier().fit(Batches(str(one)), labels[:20])


def test_multilabel_file_streams_like_memory(tmp_path, starter):
    texts, _ = starter
    _, topics = load_starter(return_X_y=True)
    path = tmp_path / "ml.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for t, ts in zip(texts, topics):
            f.write(json.dumps({"text": t, "label": ts[0] if len(ts) == 1 else list(ts)}) + "\n")
    local = TopicClassifier(min_df=2).fit(texts, [list(ts) for ts in topics])
    # the defaults ask for article-level state, which a streamed fit cannot learn: it says so
    with pytest.warns(UserWarning, match="streamed fit learns no article-level state"):
        streamed = TopicClassifier(min_df=2).fit(str(path))
    assert streamed.multilabel_ and local.multilabel_
    assert getattr(streamed, "article_info_", None) is None and local.article_info_ is not None
    np.testing.assert_allclose(streamed.decision_function(texts[:20]), local.decision_function(texts[:20]), atol=1e-5)
    # without article-level parameters there is nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = TopicClassifier(min_df=2, segments=False, calibration=None, threshold=None).fit(str(path))
    np.testing.assert_allclose(plain.decision_function(texts[:20]), local.decision_function(texts[:20]), atol=1e-5)


@pytest.mark.parametrize("slice_docs", [None, 256])
def test_streamed_model_is_the_in_memory_model_on_20_newsgroups(tmp_path, news20_train, monkeypatch, slice_docs):
    # the solvers lay out the streamed X in its own buffers (no copy); the model is the
    # one fitted on the same documents in memory, to the bit, whatever the slices the
    # batches are handed to the core in (each batch of 700 counted in 3 slices and
    # transformed in 6)
    if slice_docs is not None:
        import topictag._classifier as classifier

        monkeypatch.setattr(classifier, "count_slice", lambda n_jobs: slice_docs)
        monkeypatch.setattr(classifier, "transform_slice", lambda n_jobs: slice_docs // 2)
    texts, labels = news20_train
    texts, labels = list(texts[:3000]), list(labels[:3000])
    path = tmp_path / "news.jsonl"
    _write(path, texts, labels, "jsonl")
    params = dict(ngram_range=(1, 2), min_df=2, model="svm")
    local = TopicClassifier(**params).fit(texts, labels)
    streamed = TopicClassifier(**params).fit(Batches(str(path), batch_size=700))
    assert streamed.vocabulary_size_ == local.vocabulary_size_
    np.testing.assert_array_equal(streamed.decision_function(texts[:300]), local.decision_function(texts[:300]))


def test_fit_features_takes_row_blocks_over_and_checks_them(starter):
    from topictag import _core

    texts, labels = starter
    m = TopicClassifier(ngram_range=(1, 2), min_df=2)
    vec = _core.TfidfCore(**m._vectorizer_params())
    counts = _core.DfCounts()
    vec.count_into(counts, texts, None)
    vec.fit_counts(counts)
    classes = sorted(set(labels))
    y = [classes.index(l) for l in labels]
    fit = lambda blocks: _core.TopicModel.fit_features(vec, blocks, y, False, classes, m._linear_params(classes), len(texts), 1)  # noqa: E731
    blocks = [vec.transform(texts[:100], 1, "float32"), vec.transform(texts[100:], 1, "float32")]
    before = vec.transform(texts[:100], 1, "float32")
    core = fit(blocks)
    assert blocks == [None, None]  # taken over
    assert int(core.n_features) == len(vec.feature_names())
    # the fit dropped the vectorizer's lookup tables for the solve: rebuilt, same rows
    a = vec.transform(texts[:100], 1, "float32")
    for p, q in zip(a[:3], before[:3]):
        np.testing.assert_array_equal(p, q)
    wide = (a[0], a[1], a[2], (a[3][0], a[3][1] + 1))
    with pytest.raises(ValueError, match="different widths"):
        fit([a, wide])
    with pytest.raises(TypeError, match="one dtype"):
        fit([vec.transform(texts[:100], 1, "float32"), vec.transform(texts[100:], 1, "float64")])
    with pytest.raises(ValueError, match="no row blocks"):
        fit([])


def test_slices_bound_the_documents_per_core_call():
    from topictag._stream import count_slice, slices, transform_slice

    assert count_slice(1) == 8192 and count_slice(8) == 16384
    assert transform_slice(1) == 4096 and transform_slice(8) == 8192
    assert transform_slice(None) == transform_slice(-1) >= 4096
    assert [len(p) for p in slices(list(range(10)), 4)] == [3, 3, 4]
    assert [len(p) for p in slices(list(range(8)), 4)] == [4, 4]
    assert sum(slices(list(range(5000)), 4096), []) == list(range(5000))
    assert list(slices([], 4)) == []
