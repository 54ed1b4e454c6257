"""The model file (``src/model/format.rs``, docs/model-format.md) as the estimators write it:
TopicClassifier saved and loaded with identical predictions, pickle/joblib, pruning, exact
round trips of every payload, files of older format versions, and every kind of bad file
rejected with ModelFormatError. The persistence machinery itself (atomic save, pickling,
metadata, ``load``'s dispatch) is tested in test_persist.py."""

from __future__ import annotations

import pickle
import struct

import numpy as np
import pytest

import topictag
from topictag import ModelFormatError, TopicClassifier


@pytest.fixture(scope="module")
def bbc_split(bbc):
    texts, labels = bbc
    rng = np.random.default_rng(1)
    idx = rng.permutation(len(texts))
    tr, te = idx[:1600], idx[1600:]
    return ([texts[i] for i in tr], [labels[i] for i in tr], [texts[i] for i in te], [labels[i] for i in te])


@pytest.fixture(scope="module")
def fitted(bbc_split):
    xtr, ytr, _, _ = bbc_split
    return TopicClassifier().fit(xtr, ytr)


def test_save_load_identical_predictions(fitted, bbc_split, tmp_path):
    _, _, xte, _ = bbc_split
    path = tmp_path / "bbc.ttag"
    fitted.save(path)
    loaded = topictag.load(path)
    assert isinstance(loaded, TopicClassifier)
    assert loaded.get_params() == fitted.get_params()
    assert list(loaded.classes_) == list(fitted.classes_)
    assert loaded.vocabulary_size_ == fitted.vocabulary_size_
    assert loaded.training_summary_ == fitted.training_summary_
    np.testing.assert_array_equal(loaded.predict(xte), fitted.predict(xte))
    np.testing.assert_array_equal(loaded.decision_function(xte), fitted.decision_function(xte))
    # bytes and file objects load too
    data = path.read_bytes()
    assert data[:8] == b"TOPICTAG"
    np.testing.assert_array_equal(topictag.load(data).decision_function(xte[:20]),
                                  fitted.decision_function(xte[:20]))
    with open(path, "rb") as f:
        assert list(topictag.load(f).classes_) == list(fitted.classes_)


def test_multilabel_logistic_round_trip(tmp_path):
    x = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall", "trade tariffs"] * 3
    y = [["war"], ["peace"], ["trade", "peace"], ["war"], ["trade"]] * 3
    clf = TopicClassifier(model="logistic", threshold=0.3).fit(x, y)
    clf.save(tmp_path / "m.ttag")
    back = topictag.load(tmp_path / "m.ttag")
    assert back.multilabel_ and back.threshold == 0.3 and back.model == "logistic"
    assert back.predict(x) == clf.predict(x)
    np.testing.assert_array_equal(back.predict_proba(x), clf.predict_proba(x))


def test_pickle_and_joblib(fitted, bbc_split, tmp_path):
    _, _, xte, _ = bbc_split
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.decision_function(xte), fitted.decision_function(xte))
    unfitted = pickle.loads(pickle.dumps(TopicClassifier(C=3.0)))
    assert unfitted.C == 3.0 and not hasattr(unfitted, "classes_")
    joblib = pytest.importorskip("joblib")
    joblib.dump(fitted, tmp_path / "m.joblib")
    back = joblib.load(tmp_path / "m.joblib")
    np.testing.assert_array_equal(back.predict(xte), fitted.predict(xte))


def test_peek_header(fitted):
    from topictag._persist import peek

    h = peek(fitted.to_bytes())
    assert h.kind == "TopicClassifier"
    assert h.format_version == 1
    assert h.topictag_version == topictag.__version__
    assert h.metadata["params"]["C"] == 1.0


def _expect_format_error(data, match=None):
    with pytest.raises(ModelFormatError, match=match) as e:
        topictag.load(data)
    assert str(e.value)
    assert isinstance(e.value, ValueError)


def test_truncated_files_rejected(fitted):
    data = fitted.to_bytes()
    for i in range(10):
        cut = len(data) * i // 10
        _expect_format_error(data[:cut], match="truncated|empty|not a topictag")


def test_corrupted_foreign_and_newer_files_rejected(fitted, tmp_path):
    data = bytearray(fitted.to_bytes())
    rng = np.random.default_rng(0)
    for pos in list(rng.integers(0, len(data), 20)) + [len(data) // 2, len(data) - 1]:
        bad = bytearray(data)
        bad[pos] ^= 0x40
        _expect_format_error(bytes(bad))
    _expect_format_error(b"", match="empty")
    _expect_format_error(bytes(rng.integers(0, 256, 5000, dtype=np.uint8)), match="not a topictag")
    p = tmp_path / "model.pkl"
    with open(p, "wb") as f:
        pickle.dump({"a": 1}, f)
    _expect_format_error(p, match="not a topictag")
    newer = bytearray(data)
    newer[8:10] = struct.pack("<H", 99)
    _expect_format_error(bytes(newer), match="version 99 is not supported")
    # A CRC-valid file whose payload is garbage is still rejected cleanly.
    import zlib

    body = bytearray(data[:-4])
    vlen = struct.unpack("<H", body[12:14])[0]
    mlen = struct.unpack("<I", body[14 + vlen:18 + vlen])[0]
    start = 26 + vlen + mlen
    for i in range(start, min(start + 64, len(body))):
        body[i] = 0xFF
    forged = bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
    _expect_format_error(forged, match="corrupted|does not decode|invalid")


def test_prune_shrinks_and_keeps_accuracy(fitted, bbc_split, tmp_path):
    _, _, xte, yte = bbc_split
    full = fitted.to_bytes()
    pruned = fitted.to_bytes(prune=0.05)
    assert len(pruned) < 0.5 * len(full)
    m = topictag.load(pruned)
    assert m.vocabulary_size_ < fitted.vocabulary_size_
    acc_full = np.mean(fitted.predict(xte) == np.asarray(yte))
    acc_pruned = np.mean(m.predict(xte) == np.asarray(yte))
    print(f"prune=0.05: {len(full)} -> {len(pruned)} bytes, accuracy {acc_full:.4f} -> {acc_pruned:.4f}")
    assert acc_pruned >= acc_full - 0.01
    with pytest.raises(ValueError, match="prune"):
        fitted.to_bytes(prune=-1)
    # explanations still add up on a pruned model
    e = m.explain(xte[0])
    total = sum(c.contribution for c in e.contributions) + e.intercept
    assert abs(total - e.score) < 1e-5


def test_load_rejects_bad_argument():
    with pytest.raises(TypeError, match="path"):
        topictag.load(12)


def test_load_dispatches_to_vectorizers_and_linear_classifiers(tmp_path):
    from topictag._linear import LinearSVC, LogisticRegression
    from topictag._vectorizers import CountVectorizer, TfidfVectorizer

    x = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall", "trade tariffs"] * 3
    y = ["war", "peace", "trade", "war", "trade"] * 3
    for cls in (TfidfVectorizer, CountVectorizer):
        v = cls(ngram_range=(1, 2)).fit(x)
        v.save(tmp_path / "v.ttag")
        back = topictag.load(tmp_path / "v.ttag")
        assert type(back) is cls
        assert (back.transform(x) != v.transform(x)).nnz == 0
    X = TfidfVectorizer().fit_transform(x)
    for cls in (LinearSVC, LogisticRegression):
        m = cls().fit(X, y)
        m.save(tmp_path / "m.ttag")
        back = topictag.load(tmp_path / "m.ttag")
        assert type(back) is cls
        assert list(back.predict(X)) == list(m.predict(X))


# -- compact encodings round-trip exactly -----------------------------------

_TOY_X = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall", "trade tariffs",
          "café niño über", "日本 の ニュース", "Ελληνικά νέα"] * 2
_TOY_Y = ["war", "peace", "trade", "war", "trade", "peace", "trade", "war"] * 2


def _version(data):
    return struct.unpack("<H", data[8:10])[0]


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("kind", ["count", "tfidf", "tfidf_fixed", "tfidf_noidf"])
def test_vectorizer_save_round_trips_exactly(kind, tmp_path):
    from topictag._vectorizers import CountVectorizer, TfidfVectorizer

    if kind == "count":
        v = CountVectorizer(ngram_range=(1, 3)).fit(_TOY_X)
    elif kind == "tfidf":
        v = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float64).fit(_TOY_X)
    elif kind == "tfidf_fixed":
        # unsorted, with shared prefixes, accents and non-Latin scripts
        vocab = ["trade", "peace talks", "peace", "zebra", "café", "caf", "日本", "bombs fall", "a"]
        v = TfidfVectorizer(vocabulary=vocab, ngram_range=(1, 2), dtype=np.float64).fit(_TOY_X)
        assert list(v.get_feature_names_out()) == vocab
    else:
        v = TfidfVectorizer(use_idf=False).fit(_TOY_X)
    path = tmp_path / "v.ttag"
    v.save(path)
    data = path.read_bytes()
    assert _version(data) == 1
    back = topictag.load(path)
    assert type(back) is type(v)
    assert list(back.get_feature_names_out()) == list(v.get_feature_names_out())
    assert back.vocabulary_ == v.vocabulary_
    if kind in ("tfidf", "tfidf_fixed"):
        _same_bits(back._core.idf(), v._core.idf())
        _same_bits(back.idf_, v.idf_)
    a, b = v.transform(_TOY_X), back.transform(_TOY_X)
    _same_bits(a.data, b.data)
    _same_bits(a.indices, b.indices)
    assert back.to_bytes() == data
    assert pickle.loads(pickle.dumps(v)).vocabulary_ == v.vocabulary_


@pytest.mark.parametrize("cls_name", ["LinearSVC", "LogisticRegression"])
def test_linear_classifier_save_round_trips_exactly(cls_name, tmp_path):
    from topictag import _linear
    from topictag._vectorizers import TfidfVectorizer

    X = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(_TOY_X)
    for y in (_TOY_Y, [t == "war" for t in _TOY_Y]):  # three classes; two (one output)
        m = getattr(_linear, cls_name)().fit(X, y)
        # the fitted weights are float32 values (what the file stores), kept as float64
        assert m.coef_.dtype == np.float64
        _same_bits(m.coef_.astype(np.float32).astype(np.float64), m.coef_)
        m.save(tmp_path / "m.ttag")
        data = (tmp_path / "m.ttag").read_bytes()
        assert _version(data) == 1
        back = topictag.load(tmp_path / "m.ttag")
        _same_bits(back.coef_, m.coef_)
        _same_bits(back.intercept_, m.intercept_)
        _same_bits(back.decision_function(X), m.decision_function(X))
        assert back.to_bytes() == m.to_bytes()
        _same_bits(pickle.loads(pickle.dumps(m)).coef_, m.coef_)


def test_single_label_multilabel_classifier_round_trips():
    import scipy.sparse as sp

    from topictag import _linear

    X = sp.random(6, 5, density=0.5, format="csr", random_state=0)
    m = _linear.LinearSVC().fit(X, [["a"], ["a"], ["a"], ["a"], [], ["a"]])
    back = topictag.load(m.to_bytes())
    assert list(back.classes_) == ["a"]
    _same_bits(back.decision_function(X), m.decision_function(X))


def test_linear_classifier_file_stores_float32_weights_compactly():
    from topictag import _linear

    rng = np.random.default_rng(0)
    X = rng.random((60, 2000)) * (rng.random((60, 2000)) < 0.05)
    m = _linear.LinearSVC().fit(X, np.arange(60) % 4)
    # 4 x 2000 weights: 32,000 bytes as float32 before compression (64,000 as float64)
    assert len(m.to_bytes()) < 4 * 2000 * 4


@pytest.mark.parametrize("model", ["svm", "logistic"])
@pytest.mark.parametrize("prune", [None, 0.05])
def test_topic_classifier_save_round_trips_exactly(model, prune, tmp_path):
    clf = TopicClassifier(model=model, ngram_range=(1, 2)).fit(_TOY_X, _TOY_Y)
    path = tmp_path / "m.ttag"
    clf.save(path, prune=prune)
    data = path.read_bytes()
    assert _version(data) == 1
    back = topictag.load(path)
    if prune is None:
        assert back.vocabulary_size_ == clf.vocabulary_size_
        _same_bits(back.decision_function(_TOY_X), clf.decision_function(_TOY_X))
        assert back.top_terms(n=50, as_frame=False) == clf.top_terms(n=50, as_frame=False)
    else:
        assert back.vocabulary_size_ <= clf.vocabulary_size_
    # Saving the loaded model again gives the same bytes: vocabulary, idf and weights are
    # stored exactly.
    assert back.to_bytes() == data[:]
    again = topictag.load(back.to_bytes())
    _same_bits(again.decision_function(_TOY_X), back.decision_function(_TOY_X))
    np.testing.assert_array_equal(again.predict(_TOY_X), back.predict(_TOY_X))


def test_compact_file_is_smaller_than_plain_weights(fitted, bbc_split):
    """The weights of a fitted model are stored with each distinct weight row once: far less
    than 4 bytes per weight."""
    data = fitted.to_bytes()
    n_weights = fitted.vocabulary_size_ * len(fitted.classes_)
    assert len(data) < 2 * n_weights, (len(data), n_weights)
    back = topictag.load(data)
    _, _, xte, _ = bbc_split
    _same_bits(back.decision_function(xte), fitted.decision_function(xte))


def test_corrupted_compact_payloads_rejected(fitted):
    """Bytes flipped inside the (uncompressed) payload, with a valid checksum, are rejected
    cleanly whatever part of the payload they hit."""
    import zlib

    data = fitted.to_bytes()
    vlen = struct.unpack("<H", data[12:14])[0]
    mlen = struct.unpack("<I", data[14 + vlen:18 + vlen])[0]
    start = 34 + vlen + mlen  # payload start (compressed flag: 2 lengths)
    raw = zlib.decompress(data[start:-4], -15)
    rng = np.random.default_rng(3)
    for pos in list(rng.integers(0, len(raw), 40)) + [0, 1, 2, len(raw) - 1]:
        bad = bytearray(raw)
        bad[pos] ^= int(rng.integers(1, 256))
        body = bytearray(data[:start - 16])
        body[11] = 0  # stored uncompressed
        body += struct.pack("<Q", len(bad)) + bytes(bad)
        forged = bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
        try:
            m = topictag.load(forged)
        except ModelFormatError:
            continue
        # A flip that still decodes (a changed weight or term) must give a usable model.
        m.predict(["peace talks"])
