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
