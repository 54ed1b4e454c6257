"""``topictag._persist``: the persistence mixin every estimator uses. Atomic ``save`` (a
failed or interrupted save leaves the previous file and no temporary file), one pickle
contract (fitted and unfitted), one metadata codec, and ``topictag.load``'s dispatch."""

from __future__ import annotations

import json
import os
import pickle
import stat

import numpy as np
import pytest
import scipy.sparse as sp

import topictag as tt
from topictag import _persist

TOY_X = ["war and bombs", "peace talks", "trade deal and peace", "bombs fall", "trade tariffs",
         "café niño über", "peace deal signed", "bombs and war again"] * 2
TOY_Y = ["war", "peace", "trade", "war", "trade", "peace", "peace", "war"] * 2
KINDS = ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer", "LinearSVC",
         "LogisticRegression", "TopicClassifier"]


def make(kind, fitted=True):
    """An estimator of ``kind`` with some non-default parameters, fitted or not."""
    est = {
        "CountVectorizer": lambda: tt.CountVectorizer(ngram_range=(1, 2), dtype=np.float64),
        "TfidfVectorizer": lambda: tt.TfidfVectorizer(
            vocabulary={"war": 0, "peace": 1, "trade": 2}, sublinear_tf=True),
        "HashingVectorizer": lambda: tt.HashingVectorizer(n_features=64, languages=("spanish",)),
        "TopicClassifier": lambda: tt.TopicClassifier(
            model="logistic", class_weight={"war": 2.0}, ngram_range=(1, 1)),
        "LinearSVC": lambda: tt.LinearSVC(
            C=0.5, class_weight={0: 2.0, 2: 0.5}, random_state=np.random.RandomState(3)),
        "LogisticRegression": lambda: tt.LogisticRegression(
            C=0.5, class_weight={0: 2.0, 2: 0.5}, random_state=np.random.RandomState(3)),
    }[kind]()
    return fit(est) if fitted else est


def fit(est):
    if isinstance(est, tt.TopicClassifier):
        return est.fit(TOY_X, TOY_Y)
    if isinstance(est, (tt.LinearSVC, tt.LogisticRegression)):
        X = tt.TfidfVectorizer().fit_transform(TOY_X)
        return est.fit(X, np.array([["war", "peace", "trade"].index(t) for t in TOY_Y]))
    return est.fit(TOY_X)


def outputs(est):
    """What a fitted estimator computes on the toy data (to compare two copies)."""
    if isinstance(est, (tt.LinearSVC, tt.LogisticRegression)):
        return est.decision_function(tt.TfidfVectorizer().fit_transform(TOY_X))
    if isinstance(est, tt.TopicClassifier):
        return est.decision_function(TOY_X)
    return est.transform(TOY_X).toarray()


def same_params(a, b):
    pa, pb = a.get_params(), b.get_params()
    assert pa.keys() == pb.keys()
    for k in pa:
        if isinstance(pa[k], np.random.RandomState):
            assert isinstance(pb[k], np.random.RandomState)
        else:
            assert pa[k] == pb[k] and type(pa[k]) is type(pb[k]), k


# ---------------------------------------------------------------------------- pickling


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_round_trips_fitted(kind):
    est = make(kind)
    back = pickle.loads(pickle.dumps(est))
    assert type(back) is type(est)
    same_params(back, est)
    np.testing.assert_array_equal(outputs(back), outputs(est))
    assert back.__getstate__()["model"] == est.__getstate__()["model"]


@pytest.mark.parametrize("kind", KINDS)
def test_pickle_round_trips_unfitted(kind):
    est = make(kind, fitted=False)
    assert "model" not in est.__getstate__()  # only the parameters
    back = pickle.loads(pickle.dumps(est))
    assert type(back) is type(est)
    same_params(back, est)
    if kind != "HashingVectorizer":  # stateless, so always usable
        assert not back._is_fitted()
    # the copy fits as the original would
    np.testing.assert_array_equal(outputs(fit(back)), outputs(make(kind)))


def test_pickle_keeps_what_the_file_cannot_hold():
    """A RandomState parameter and tuple labels survive pickling (the file has neither)."""
    X = sp.random(12, 4, density=0.7, format="csr", random_state=0)
    y = np.empty(12, dtype=object)
    y[:] = [("g", i % 2) for i in range(12)]
    clf = tt.LinearSVC(random_state=np.random.RandomState(7)).fit(X, y)
    back = pickle.loads(pickle.dumps(clf))
    assert isinstance(back.random_state, np.random.RandomState)
    assert list(back.classes_) == list(clf.classes_)
    assert back.predict(X).tolist() == clf.predict(X).tolist()
    with pytest.raises(TypeError, match="not JSON values"):
        clf.to_bytes()


# ------------------------------------------------------------------------- atomic save


def _fail_midway(exc):
    def write(f, data):
        f.write(data[: len(data) // 2])
        f.flush()
        raise exc

    return write


@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["oserror", "interrupt"])
@pytest.mark.parametrize("kind", KINDS)
def test_failed_save_keeps_the_previous_file(kind, exc, tmp_path, monkeypatch):
    est = make(kind)
    path = tmp_path / "model.ttm"
    path.write_bytes(b"the previous model")
    monkeypatch.setattr(_persist, "_write_and_sync", _fail_midway(exc))
    with pytest.raises(type(exc)):
        est.save(path)
    assert path.read_bytes() == b"the previous model"
    assert os.listdir(tmp_path) == ["model.ttm"]  # no temporary file left
    monkeypatch.undo()
    est.save(path)
    assert os.listdir(tmp_path) == ["model.ttm"]
    np.testing.assert_array_equal(outputs(tt.load(path)), outputs(est))


@pytest.mark.parametrize("stage", ["serialise", "write"])
@pytest.mark.parametrize("kind", KINDS)
def test_failed_save_over_a_model_leaves_that_model_loadable(kind, stage, tmp_path, monkeypatch):
    """The previous file is a real model: after a save that fails while serialising (before
    any byte is written) or halfway through the write, it still loads and computes the same."""
    old = make(kind)
    path = tmp_path / "model.ttm"
    old.save(path)
    before = outputs(tt.load(path))
    new = make(kind)
    if stage == "serialise":
        def broken(*args, **kwargs):
            raise KeyboardInterrupt

        monkeypatch.setattr(type(new), "_core_to_bytes", broken)
    else:
        monkeypatch.setattr(_persist, "_write_and_sync", _fail_midway(OSError(5, "I/O error")))
    with pytest.raises((KeyboardInterrupt, OSError)):
        new.save(path)
    assert os.listdir(tmp_path) == ["model.ttm"]
    np.testing.assert_array_equal(outputs(tt.load(path)), before)


def test_failed_rename_removes_the_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "m.ttm"
    path.write_bytes(b"old")

    def no_replace(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_persist.os, "replace", no_replace)
    with pytest.raises(PermissionError):
        make("TfidfVectorizer").save(path)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["m.ttm"]


def test_save_refusal_before_writing_leaves_nothing(tmp_path):
    with pytest.raises(tt.NotFittedError):
        tt.TfidfVectorizer().save(tmp_path / "v.ttm")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_save_keeps_permissions(tmp_path):
    path = tmp_path / "m.ttm"
    est = make("CountVectorizer")
    est.save(path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    os.chmod(path, 0o640)
    est.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_write_atomic_takes_str_and_pathlike(tmp_path):
    _persist.write_atomic(str(tmp_path / "a"), b"1")
    _persist.write_atomic(tmp_path / "b", b"2")
    assert (tmp_path / "a").read_bytes() == b"1" and (tmp_path / "b").read_bytes() == b"2"


# ---------------------------------------------------------------------- metadata codec


@pytest.mark.parametrize("kind", KINDS)
def test_one_metadata_layout(kind):
    est = make(kind)
    meta = _persist.peek(est.to_bytes()).metadata
    assert meta["class"] == kind
    # every parameter but n_jobs, which belongs to the machine (tests/test_n_jobs.py)
    assert set(meta["params"]) == set(est.get_params(deep=False)) - {"n_jobs"}


def test_codec_round_trips_parameter_values():
    params = {
        "ngram_range": (1, 3),
        "languages": ["spanish"],
        "class_weight": {0: 2.0, "b": 1, 2.5: 3},
        "vocabulary": {"peace": 0, "war": 1},
        "stop_words": {"b", "a"},
        "dtype": np.float32,
        "n": np.int64(4),
        "x": np.float32(0.5),
        "arr": np.arange(3),
        "random_state": np.random.RandomState(0),
        "none": None,
    }
    encoded = json.loads(json.dumps(_persist.encode_params(params)))
    assert encoded["stop_words"] == ["a", "b"]
    assert encoded["random_state"] is None

    class Est:
        def __init__(self, ngram_range=(1, 1), languages=("english",), class_weight=None,
                     vocabulary=None, stop_words=None, dtype=np.float64, n=1, x=1.0, arr=None,
                     random_state=None, none=None):
            pass

    back = _persist.decode_params(Est, encoded)
    assert back["ngram_range"] == (1, 3)  # tuple again: the default is a tuple
    assert back["languages"] == ("spanish",)
    assert back["class_weight"] == {0: 2.0, "b": 1, 2.5: 3}  # keys keep their type
    assert back["vocabulary"] == {"peace": 0, "war": 1}
    assert back["dtype"] is np.float32
    assert back["n"] == 4 and back["x"] == 0.5 and back["arr"] == [0, 1, 2]


def test_codec_refuses_unwritable_values_naming_them():
    with pytest.raises(ValueError, match="cannot save the parameter tokenizer="):
        _persist.encode_params({"tokenizer": str.split})
    assert _persist.encode_params({"tokenizer": str.split}, strict=False) == {"tokenizer": None}


def test_linear_class_weight_keys_survive_save(tmp_path):
    """Fixed: a dict with int keys was saved as JSON with str keys, so a loaded classifier
    could not be refitted."""
    est = make("LinearSVC")
    est.save(tmp_path / "m.ttm")
    back = tt.load(tmp_path / "m.ttm")
    assert back.class_weight == {0: 2.0, 2: 0.5}
    X = tt.TfidfVectorizer().fit_transform(TOY_X)
    back.fit(X, np.arange(len(TOY_X)) % 3)


def test_bad_metadata_is_a_format_error():
    with pytest.raises(tt.ModelFormatError, match="metadata"):
        _persist.parse_metadata("[1, 2]")
    with pytest.raises(tt.ModelFormatError, match="metadata"):
        _persist.parse_metadata('{"params": 3}')
    assert _persist.parse_metadata('{"min_df": 2}') == {"params": {"min_df": 2}}  # old vectorizers


# ------------------------------------------------------------------------------ load


@pytest.mark.parametrize("kind", KINDS)
def test_load_finds_the_class(kind, tmp_path):
    est = make(kind)
    est.save(tmp_path / "m.ttm")
    back = tt.load(tmp_path / "m.ttm")
    assert type(back) is type(est)
    np.testing.assert_array_equal(outputs(back), outputs(est))
    assert back.to_bytes() == est.to_bytes()


def test_load_of_a_subclass_by_its_name():
    class MyTfidf(tt.TfidfVectorizer):
        pass

    v = MyTfidf().fit(TOY_X)
    assert type(tt.load(v.to_bytes())) is MyTfidf
