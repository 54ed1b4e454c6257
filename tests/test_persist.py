"""Saving and loading TopicClassifier: identical predictions, pickle/joblib, pruning, and
every kind of bad file rejected with ModelFormatError."""

from __future__ import annotations

import os
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
    _expect_format_error(bytes(newer), match="newer")
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


# -- format version 2: compact encodings round-trip exactly -----------------------------------

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


# Files written by a pre-release build (format version 1, plain vocabulary / idf / weights):
# still read, and re-saved in format version 2.
V1_COUNT = (
    "VE9QSUNUQUcBAAEBBQAwLjEuMN8BAAB7ImFuYWx5emVyIjogIndvcmQiLCAiYmluYXJ5IjogZmFsc2UsICJkZWNv"
    "ZGVfZXJyb3IiOiAic3RyaWN0IiwgImR0eXBlIjogIl9fZHR5cGVfXzpmbG9hdDMyIiwgImVuY29kaW5nIjogInV0"
    "Zi04IiwgImlucHV0IjogImNvbnRlbnQiLCAibGFuZ3VhZ2UiOiBudWxsLCAibGFuZ3VhZ2VzIjogWyJlbmdsaXNo"
    "IiwgInNwYW5pc2giXSwgImxvd2VyY2FzZSI6IHRydWUsICJtYXhfZGYiOiAxLjAsICJtYXhfZmVhdHVyZXMiOiBu"
    "dWxsLCAibWluX2RmIjogMSwgIm5fam9icyI6IG51bGwsICJuZ3JhbV9yYW5nZSI6IFsxLCAyXSwgIm5vcm1hbGl6"
    "YXRpb24iOiBudWxsLCAicHJlcHJvY2Vzc29yIjogbnVsbCwgInN0ZW1tZXIiOiBudWxsLCAic3RvcF93b3JkcyI6"
    "IG51bGwsICJzdHJpcF9hY2NlbnRzIjogbnVsbCwgInRva2VuX3BhdHRlcm4iOiAiKD91KVxcYlxcd1xcdytcXGIi"
    "LCAidG9rZW5pemVyIjogbnVsbCwgInZvY2FidWxhcnkiOiBudWxsfaUAAAAAAAAA8AAAAAAAAAAtjUEOwiAQRaEt"
    "Qdt065qlxkP0ImyGAtqItIEazuTSvbteyCMIo5PMm/n5kz9NmoOmFaX9cXicpJJJprNUBKvixl/cFK88LuDzJBVF"
    "g3yGPOmhBq/3uYWa7yrithgYDUPdIoUF59gIdnt2SOGn7TU32oDbFYgc0NhyhEaHFNtbmcAwrUOKFdwtMiRfIUzW"
    "ZhVAm3YtFCWr/61/u04QeO7ygWEg+QK4irVt"
)

V1_TFIDF = (
    "VE9QSUNUQUcBAAIBBQAwLjEuMEkCAAB7ImFuYWx5emVyIjogIndvcmQiLCAiYmluYXJ5IjogZmFsc2UsICJkZWNv"
    "ZGVfZXJyb3IiOiAic3RyaWN0IiwgImR0eXBlIjogIl9fZHR5cGVfXzpmbG9hdDMyIiwgImVuY29kaW5nIjogInV0"
    "Zi04IiwgImlucHV0IjogImNvbnRlbnQiLCAibGFuZ3VhZ2UiOiBudWxsLCAibGFuZ3VhZ2VzIjogWyJlbmdsaXNo"
    "IiwgInNwYW5pc2giXSwgImxvd2VyY2FzZSI6IHRydWUsICJtYXhfZGYiOiAxLjAsICJtYXhfZmVhdHVyZXMiOiBu"
    "dWxsLCAibWluX2RmIjogMSwgIm5fam9icyI6IG51bGwsICJuZ3JhbV9yYW5nZSI6IFsxLCAyXSwgIm5vcm0iOiAi"
    "bDIiLCAibm9ybWFsaXphdGlvbiI6IG51bGwsICJwcmVwcm9jZXNzb3IiOiBudWxsLCAic21vb3RoX2lkZiI6IHRy"
    "dWUsICJzdGVtbWVyIjogbnVsbCwgInN0b3Bfd29yZHMiOiBudWxsLCAic3RyaXBfYWNjZW50cyI6IG51bGwsICJz"
    "dWJsaW5lYXJfdGYiOiBmYWxzZSwgInRva2VuX3BhdHRlcm4iOiAiKD91KVxcYlxcd1xcdytcXGIiLCAidG9rZW5p"
    "emVyIjogbnVsbCwgInVzZV9pZGYiOiB0cnVlLCAidm9jYWJ1bGFyeSI6IFsidHJhZGUiLCAicGVhY2UiLCAiYm9t"
    "YnMiLCAiemVicmEiXX1+AAAAAAAAAO4AAAAAAAAAtY6xCoMwFEXfC4ZM/YD+QUvbqVOn9Ac6u2TJq4+20KoklYC7"
    "4CT4p/6AYHAUHL3LGQ7ce5NQuAwF4u6gq6MhE0w4GYI5QnH++n78W/nS5pEgcBYwaEBM5N/ZjGXJ9smSih95WTM5"
    "Gx0ibFS9uhoPPdLm2najXvJ82ae3Xt0nzufNbw=="
)

V1_TOPIC = (
    "VE9QSUNUQUcBAAUBBQAwLjEuMPgCAAB7ImNsYXNzIjogIlRvcGljQ2xhc3NpZmllciIsICJwYXJhbXMiOiB7IkMi"
    "OiAxLjAsICJhbGxvd19lbXB0eSI6IGZhbHNlLCAiYW5hbHl6ZXIiOiAid29yZCIsICJiaW5hcnkiOiBmYWxzZSwg"
    "ImNsYXNzX3dlaWdodCI6IG51bGwsICJsYWJlbF9zZXAiOiBudWxsLCAibGFuZ3VhZ2UiOiBudWxsLCAibGFuZ3Vh"
    "Z2VzIjogWyJlbmdsaXNoIiwgInNwYW5pc2giXSwgImxvd2VyY2FzZSI6IHRydWUsICJtYXhfZGYiOiAxLjAsICJt"
    "YXhfZmVhdHVyZXMiOiBudWxsLCAibWF4X2l0ZXIiOiAxMDAwLCAibWluX2RmIjogMSwgIm1vZGVsIjogInN2bSIs"
    "ICJuX2pvYnMiOiBudWxsLCAibmdyYW1fcmFuZ2UiOiBbMSwgMl0sICJub3JtIjogImwyIiwgIm5vcm1hbGl6YXRp"
    "b24iOiAibmZrYyIsICJwcm9iYWJpbGl0eSI6IGZhbHNlLCAicmFuZG9tX3N0YXRlIjogbnVsbCwgInNtb290aF9p"
    "ZGYiOiB0cnVlLCAic3RlbW1lciI6IG51bGwsICJzdG9wX3dvcmRzIjogbnVsbCwgInN0cmlwX2FjY2VudHMiOiAi"
    "dW5pY29kZSIsICJzdWJsaW5lYXJfdGYiOiB0cnVlLCAidGhyZXNob2xkIjogbnVsbCwgInRva2VuX3BhdHRlcm4i"
    "OiBudWxsLCAidG9rZW5pemVyIjogbnVsbCwgInRvbCI6IDAuMDAwMSwgInVzZV9pZGYiOiB0cnVlfSwgImNsYXNz"
    "ZXNfdHlwZSI6ICJzdHIiLCAidHJhaW5pbmdfc3VtbWFyeSI6IHsibl9kb2N1bWVudHMiOiA2LCAiZml0X3RpbWUi"
    "OiAwLjAwMDI5OTMzOTk5OTQwMTEyNywgImNvbnZlcmdlZCI6IHRydWUsICJuX2l0ZXIiOiAxNn19wAEAAAAAAAA+"
    "AwAAAAAAAK1QTUgbQRSe2Z9uYwktFHJpD1tPaaXYIraXuiuF9qQHQRQkCrPZWV2y2YTdxICCFxEF/1ARL+JN8KYI"
    "ShScgIgoEUVzEQVPIoiKXkUEZ1aFVRA9OMx875v38715I2QSjg45CINhNf01okUykUxJRANQSttmNKFjKNhGLAoA"
    "4CRsN1um2yK5SWRTCzhI3XRfqBQgW6+nFuKRrQfokbVEXHM9lsQoikXvXuShbCDLEqLIwAEGsm3aCUHHyHrLQKbV"
    "gsEymD/AQE5r2BE9nXceyilkxVzRQymFHNMw6M1BOi5KMZSZUPCW3oUFpsFnkCPRw3oAGKqu7yrrGbhWZyYaxqZE"
    "rvLePuW/j7/UPqfzXPxxH/72D0RvMDYLgIAP8a2/61Y+f8rnAH/0qza/k9s6GJ9fa9vOQf7D+yAAf7dqponZvllR"
    "W1ys7JIqMlHqkvXKZeXjfhMp680qV2sKmSlskPaTPEn+L1Xj5ghZLOkguOJY+XmZVf5N1pPwaSPxc3+tn7+kdjTe"
    "qSyUy3/6B5cItyep5clZElvtfsDnDodIX/hcaaH+AiyQgex3tZfm+3v5c/xv88/o52++fRkGC2c/1Bsq5InQ"
)

V1_TOPIC_PRUNED = (
    "VE9QSUNUQUcBAAUBBQAwLjEuMPgCAAB7ImNsYXNzIjogIlRvcGljQ2xhc3NpZmllciIsICJwYXJhbXMiOiB7IkMi"
    "OiAxLjAsICJhbGxvd19lbXB0eSI6IGZhbHNlLCAiYW5hbHl6ZXIiOiAid29yZCIsICJiaW5hcnkiOiBmYWxzZSwg"
    "ImNsYXNzX3dlaWdodCI6IG51bGwsICJsYWJlbF9zZXAiOiBudWxsLCAibGFuZ3VhZ2UiOiBudWxsLCAibGFuZ3Vh"
    "Z2VzIjogWyJlbmdsaXNoIiwgInNwYW5pc2giXSwgImxvd2VyY2FzZSI6IHRydWUsICJtYXhfZGYiOiAxLjAsICJt"
    "YXhfZmVhdHVyZXMiOiBudWxsLCAibWF4X2l0ZXIiOiAxMDAwLCAibWluX2RmIjogMSwgIm1vZGVsIjogInN2bSIs"
    "ICJuX2pvYnMiOiBudWxsLCAibmdyYW1fcmFuZ2UiOiBbMSwgMl0sICJub3JtIjogImwyIiwgIm5vcm1hbGl6YXRp"
    "b24iOiAibmZrYyIsICJwcm9iYWJpbGl0eSI6IGZhbHNlLCAicmFuZG9tX3N0YXRlIjogbnVsbCwgInNtb290aF9p"
    "ZGYiOiB0cnVlLCAic3RlbW1lciI6IG51bGwsICJzdG9wX3dvcmRzIjogbnVsbCwgInN0cmlwX2FjY2VudHMiOiAi"
    "dW5pY29kZSIsICJzdWJsaW5lYXJfdGYiOiB0cnVlLCAidGhyZXNob2xkIjogbnVsbCwgInRva2VuX3BhdHRlcm4i"
    "OiBudWxsLCAidG9rZW5pemVyIjogbnVsbCwgInRvbCI6IDAuMDAwMSwgInVzZV9pZGYiOiB0cnVlfSwgImNsYXNz"
    "ZXNfdHlwZSI6ICJzdHIiLCAidHJhaW5pbmdfc3VtbWFyeSI6IHsibl9kb2N1bWVudHMiOiA2LCAiZml0X3RpbWUi"
    "OiAwLjAwMDI5OTMzOTk5OTQwMTEyNywgImNvbnZlcmdlZCI6IHRydWUsICJuX2l0ZXIiOiAxNn19sAEAAAAAAAA+"
    "AwAAAAAAAK1QTyhsURg/5/55943X9F69ms17i/t280hIWLlXip2FEqWhzp17Lre5c2e6d8YUZSNR/oVkIztlR4qG"
    "cqYk0SgxO8pKSoithXLOZepSYuF0zu/7ne/P7zvfETIJR4cchMGwmv4f0SKZSKYsogEopW0zmtAxFGwjFgUAcBK2"
    "eyzT7ZXcJLKpBRykbrrvVQqQra9TC/HI1gP0yFoirrkeS2IUxaJ3L/FQNpBlCVFk4AAD2TbthKBjZH1nINNqwWAZ"
    "zB9gIKc17Iiezg8P5RSyYq7ooZRCjmkY9OYgHZekGMpMKPhMX8IC0+AzyJHoYT0ADLV0DFePTj6qq4ud88si11C0"
    "7/mL8c/aj3Q+ir/twz//gegNxmYBEPAhvq+ufffvn3wO8Je1bfmT3NH5wsZ+/3EO8r9+BgFoPGpdIcC3FitcctCw"
    "o/w+6ybVY1mFhVYLh2TgOk+SzRVq3JwlW2WDBNdfKVUPWaVpqYOEb7qIn/tr/fwztXPxIa/nxNQ24U4ltSa5RmJ7"
    "I6/4+sU0GQ/fKb3UX4AFMpktV8dovr+XP8f/NjZPcUY//1b6bwZs3laqTx4Pg1w="
)

_V1_DECISION = [[-0.7916257811648177, -0.7524812293835472, 0.604567340972781], [0.5662321709522049, -0.7151339233413655, -0.7832690598030085], [-0.7330722879644511, 0.5579053316816093, -0.7715329598880141], [-0.7646773100922102, -0.7971139520619275, 0.6276465374225841], [-0.767103855275838, 0.6182024875394774, -0.7832689205218211], [0.5960731825610515, -0.7645568745153204, -0.7577224212090856]]
_V1_X = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall", "trade tariffs", "café niño über"]


def test_format_version_1_files_still_load():
    import base64

    from topictag._vectorizers import CountVectorizer, TfidfVectorizer

    def raw(parts):
        return base64.b64decode("".join(parts))

    clf = topictag.load(raw(V1_TOPIC))
    assert _version(raw(V1_TOPIC)) == 1
    np.testing.assert_array_equal(clf.decision_function(_V1_X), np.array(_V1_DECISION))
    resaved = clf.to_bytes()
    assert _version(resaved) == 3
    np.testing.assert_array_equal(topictag.load(resaved).decision_function(_V1_X), np.array(_V1_DECISION))
    pruned = topictag.load(raw(V1_TOPIC_PRUNED))
    assert pruned.vocabulary_size_ <= clf.vocabulary_size_
    assert list(pruned.predict(_V1_X)) == list(topictag.load(pruned.to_bytes()).predict(_V1_X))
    c = topictag.load(raw(V1_COUNT))
    assert type(c) is CountVectorizer and "peace talks" in c.vocabulary_
    t = topictag.load(raw(V1_TFIDF))
    assert type(t) is TfidfVectorizer
    assert list(t.get_feature_names_out()) == ["trade", "peace", "bombs", "zebra"]
    assert t.transform(_V1_X).shape == (6, 4)
    back = topictag.load(t.to_bytes())
    _same_bits(back._core.idf(), t._core.idf())
    # a version-1 file cut short or with a flipped byte is still a ModelFormatError
    data = raw(V1_TOPIC)
    _expect_format_error(data[: len(data) // 2])
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0x40
    _expect_format_error(bytes(bad))


# Linear classifiers saved by format version 2 (float64 weights), from this repository's
# build of 2026-11-22, with their decision values and coefficients then.
V2_SVC3 = (
    "VE9QSUNUQUcCAAQBBQAwLjEuMGMBAAB7ImNsYXNzIjogIkxpbmVhclNWQyIsICJwYXJhbXMiOiB7IkMiOiAwLjcs"
    "ICJhbGxvd19lbXB0eSI6IGZhbHNlLCAiY2xhc3Nfd2VpZ2h0IjogbnVsbCwgImZpdF9pbnRlcmNlcHQiOiB0cnVl"
    "LCAiaW50ZXJjZXB0X3NjYWxpbmciOiAxLjAsICJsb3NzIjogInNxdWFyZWRfaGluZ2UiLCAibWF4X2l0ZXIiOiAx"
    "MDAwLCAibl9qb2JzIjogbnVsbCwgInByb2JhYmlsaXR5IjogZmFsc2UsICJyYW5kb21fc3RhdGUiOiBudWxsLCAi"
    "dGhyZXNob2xkIjogbnVsbCwgInRvbCI6IDAuMDAwMX0sICJ0YXJnZXRfa2luZCI6ICJtdWx0aWNsYXNzIiwgImNs"
    "YXNzZXNfZHR5cGUiOiAiPFUxIiwgImNsYXNzZXMiOiBbImEiLCAiYiIsICJjIl19igAAAAAAAACFAAAAAAAAAAGF"
    "AHr/AQAMDFWCcncy1L9wdZoxtQHDP2oyCVwCBeQ/OWwQWi8V67/Ho2O8uMbXvzBDijKQAa8/AEkXtYHN7L8pzWAy"
    "HdKzPwEK0QGt9ck/qi8yTmxz5r9gaZ3O11PBvzy0iHV/7+U/A7VJgeKIYdG/LGPh3RoB2z+mHvyIvnzfvwQDAAED"
    "KyMtAJ4zDNg="
)
V2_SVC3_DECISION = [[0.6640646732365425, -1.7497341354559925, -0.5599212134115795], [-0.9694244884932701, 0.5599260832000705, -0.5080928886168103], [-2.064654859253234, -0.6151447464894322, 0.8019266044862171], [0.6510126865422066, -0.3570262362431553, -2.0305393719904523], [-0.4386686706031029, 0.11099723529109684, -0.9907685601942638], [-0.7130272113764946, -1.2233804484080342, 0.608240059591045]]
V2_SVC3_COEF = [[-0.3155802362683324, 0.14848961755789558, 0.6256114766670866, -0.8463360556664902], [-0.37150400540718603, 0.06055880181259565, -0.900086263364102, 0.07742483596739604], [0.20280993069361844, -0.7015897300020602, -0.13537118519418367, 0.6854855819307271]]
V2_LR2 = (
    "VE9QSUNUQUcCAAQBBQAwLjEuMFEBAAB7ImNsYXNzIjogIkxvZ2lzdGljUmVncmVzc2lvbiIsICJwYXJhbXMiOiB7"
    "IkMiOiAyLjAsICJhbGxvd19lbXB0eSI6IGZhbHNlLCAiY2xhc3Nfd2VpZ2h0IjogbnVsbCwgImZpdF9pbnRlcmNl"
    "cHQiOiB0cnVlLCAiaW50ZXJjZXB0X3NjYWxpbmciOiAxLjAsICJtYXhfaXRlciI6IDEwMCwgIm11bHRpX2NsYXNz"
    "IjogIm11bHRpbm9taWFsIiwgIm5fam9icyI6IG51bGwsICJyYW5kb21fc3RhdGUiOiBudWxsLCAidGhyZXNob2xk"
    "IjogbnVsbCwgInRvbCI6IDAuMDAwMX0sICJ0YXJnZXRfa2luZCI6ICJtdWx0aWNsYXNzIiwgImNsYXNzZXNfZHR5"
    "cGUiOiAiPGk4IiwgImNsYXNzZXMiOiBbMCwgMV19OAAAAAAAAAAzAAAAAAAAAAEzAMz/AAEER8hoWJOe9L/zkXsq"
    "Rr/lP0kE7pG1y74/GZQZsM6N7D8B/fmN2Nxmy78EAgABAQsAGGLvjA=="
)
V2_LR2_DECISION = [-1.2621996448837645, 1.3578327380939625, -3.1879103639993236, 1.26541701158129, -0.8231924706596233, 1.8111360343985656]
V2_LR2_COEF = [[-1.2887147382248416, 0.6795988874187614, 0.12029585659731014, 0.8923104705287442]]


def test_format_version_2_linear_classifiers_still_load():
    import base64

    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[1, 0, 2, 0], [0, 1, 0, 1], [3, 0, 0, 1], [0, 2, 1, 0], [1, 1, 0, 0], [0, 0, 2, 2]],
                               dtype=np.float64))
    for parts, coef, decision, classes in ((V2_SVC3, V2_SVC3_COEF, V2_SVC3_DECISION, ["a", "b", "c"]),
                                           (V2_LR2, V2_LR2_COEF, V2_LR2_DECISION, [0, 1])):
        data = base64.b64decode("".join(parts))
        assert _version(data) == 2
        m = topictag.load(data)
        assert list(m.classes_) == classes
        # float64 weights come back rounded to float32, as this version keeps them
        _same_bits(m.coef_, np.array(coef).astype(np.float32).astype(np.float64))
        np.testing.assert_allclose(m.decision_function(X), np.array(decision), rtol=1e-6, atol=1e-6)
        resaved = m.to_bytes()
        assert _version(resaved) == 3
        _same_bits(topictag.load(resaved).decision_function(X), m.decision_function(X))
        _expect_format_error(data[: len(data) // 2])
