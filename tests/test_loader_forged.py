"""Forged model files (issue 19): files an attacker or a broken writer could produce, each
with a valid checksum, must raise ModelFormatError naming what is wrong, quickly and
without allocating what the file claims. The layout is docs/model-format.md; the files are
built here byte by byte (or edited from real ones), so the container's checksum always
holds and only the rule under test is broken."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import pytest

import topictag
from topictag import ModelFormatError


# -- building files ---------------------------------------------------------------------------


def varint(v: int) -> bytes:
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def deflate(raw: bytes) -> bytes:
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(raw) + c.flush()


def container(kind: int, metadata: str, payload: bytes, compress: bool = True,
              declared: int | None = None) -> bytes:
    """A file image with a correct checksum; ``declared`` overrides the decompressed length."""
    version = b"0.0.0-forged"
    meta = metadata.encode()
    out = bytearray(b"TOPICTAG" + struct.pack("<HBBH", 1, kind, 1 if compress else 0, len(version)))
    out += version + struct.pack("<I", len(meta)) + meta
    body = deflate(payload) if compress else payload
    out += struct.pack("<Q", len(body))
    if compress:
        out += struct.pack("<Q", len(payload) if declared is None else declared)
    out += body
    return bytes(out + struct.pack("<I", zlib.crc32(out)))


def split(data: bytes):
    """(kind, metadata, raw payload) of a real file."""
    vlen = struct.unpack_from("<H", data, 12)[0]
    p = 14 + vlen
    mlen = struct.unpack_from("<I", data, p)[0]
    meta = data[p + 4:p + 4 + mlen].decode()
    p += 4 + mlen
    plen = struct.unpack_from("<Q", data, p)[0]
    p += 8
    if data[11] & 1:
        p += 8
        raw = zlib.decompress(data[p:p + plen], -15)
    else:
        raw = data[p:p + plen]
    return data[10], meta, raw


def edited(data: bytes, old: bytes, new: bytes, metadata: str | None = None) -> bytes:
    """``data`` with the one occurrence of ``old`` in its payload replaced by ``new``."""
    kind, meta, raw = split(data)
    assert raw.count(old) == 1, (old, raw.count(old))
    return container(kind, meta if metadata is None else metadata, raw.replace(old, new))


def f64(v: float) -> bytes:
    return struct.pack("<d", v)


def planes(values) -> bytes:
    b = b"".join(struct.pack("<f", v) for v in values)
    n = len(values)
    return bytes(b[4 * i + p] for p in range(4) for i in range(n))


def linear_payload(n_features: int, n_outputs: int, weights: bytes, n_classes: int = 2,
                   intercept=None) -> bytes:
    """A LinearSVC payload (squared hinge) with the stored weights given (their enum form)."""
    intercept = [0.0] * n_outputs if intercept is None else intercept
    return (varint(1) + b"\x00" + varint(n_features) + varint(n_classes) + b"\x00"
            + varint(len(intercept)) + b"".join(f64(v) for v in intercept)
            + b"\x01" + varint(n_outputs) + varint(1) * n_outputs + b"\x00"
            + varint(n_features) + varint(n_outputs) + weights)


def dense(values) -> bytes:
    p = planes(values)
    return varint(0) + varint(len(p)) + p


LINEAR_META = json.dumps({"class": "LinearSVC", "params": {}, "target_kind": "multiclass",
                          "classes_dtype": "<U1", "classes": ["a", "b"]})


def expect(data: bytes, *words: str) -> str:
    with pytest.raises(ModelFormatError) as e:
        topictag.load(data)
    msg = str(e.value)
    for w in words:
        assert w in msg, msg
    return msg


# -- fixtures: small real files ---------------------------------------------------------------

DOCS = ["peace talks resumed in Geneva", "rockets hit the army base", "talks on trade tariffs",
        "the army fired rockets", "trade deal signed after talks", "peace deal near the base"]
LABELS = ["peace", "war", "trade", "war", "trade", "peace"]


@pytest.fixture(scope="module")
def tfidf():
    return topictag.TfidfVectorizer().fit(DOCS)


@pytest.fixture(scope="module")
def linsvc(tfidf):
    return topictag.LinearSVC().fit(tfidf.transform(DOCS), LABELS)


@pytest.fixture(scope="module")
def topic_model():
    return topictag.TopicClassifier(model="svm", C=10.0).fit(DOCS, LABELS)


# -- the hand-built files load when nothing is broken -----------------------------------------


def test_forged_files_are_well_formed():
    x = np.array([[1.0, 0.0, -1.0]])
    clf = topictag.load(container(4, LINEAR_META, linear_payload(3, 1, dense([1.0, 2.0, -3.0]))))
    assert isinstance(clf, topictag.LinearSVC)
    assert clf.coef_.tolist() == [[1.0, 2.0, -3.0]]
    assert clf.predict(x).tolist() == ["b"]
    # the sparse form: output 0 has weight 2.5 at feature 1
    sparse = varint(1) + varint(1) + varint(1) + varint(1) + varint(4) + planes([2.5])
    clf = topictag.load(container(4, LINEAR_META, linear_payload(3, 1, sparse)))
    assert clf.coef_.tolist() == [[0.0, 2.5, 0.0]]


# -- sizes and inflation ----------------------------------------------------------------------


def test_huge_declared_feature_count_is_refused_before_allocating():
    # issue 19: a ~178-byte LinearSVC file declaring 2^29 features (4 GiB as float64 coef_)
    sparse = varint(1) + varint(1) + varint(1) + varint(0) + varint(4) + planes([1.0])
    data = container(4, LINEAR_META, linear_payload(1 << 29, 1, sparse))
    assert len(data) < 300
    expect(data, "536870912 features x 1 outputs", "expand at most")
    # the same through the row-coded form (one row and three indices)
    rows = varint(2) + varint(4) + planes([1.0]) + varint(3) + b"\x00\x00\x00"
    expect(container(4, LINEAR_META, linear_payload(1 << 29, 1, rows)), "from only 7 stored bytes")
    # within the allowance, a short index is a plain size error
    expect(container(4, LINEAR_META, linear_payload(1000, 1, rows)), "1 row weights and 3 row indices")


def test_inflation_is_capped_independently_of_the_claimed_length():
    raw = bytes(64 << 20)  # 64 MiB of zeros deflate to ~64 KiB (ratio ~1000)
    expect(container(1, "{}", raw), "claims to inflate to 67108864 bytes", "at most 64 times")
    # an absurd claim is refused the same way
    expect(container(1, "{}", b"\x00" * 100, declared=1 << 62), "claims to inflate")
    # a claim shorter than the stream: inflation stops at the claim
    expect(container(1, "{}", bytes(range(256)) * 40, declared=5000), "more than the declared 5000")


def test_trailing_bytes_are_refused(tfidf, linsvc):
    for obj in (tfidf, linsvc):
        kind, meta, raw = split(obj.to_bytes())
        for pad in (b"\x00", bytes(1 << 20)):
            expect(container(kind, meta, raw + pad, compress=len(pad) == 1),
                   f"{len(pad)} unexpected bytes after the end")
    # after the checksum, and after the end of the DEFLATE stream
    data = tfidf.to_bytes()
    expect(data + b"\x00" * 7, "7 unexpected bytes after the checksum")
    kind, meta, raw = split(data)
    body = deflate(raw) + b"\x00" * 5
    out = bytearray(data[:data.index(meta.encode()) + len(meta)])
    out += struct.pack("<QQ", len(body), len(raw)) + body
    expect(bytes(out + struct.pack("<I", zlib.crc32(out))), "5 unexpected bytes after the end of the compressed")


# -- decoded values ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_weights_intercepts_and_idf(bad, tfidf, topic_model):
    expect(container(4, LINEAR_META, linear_payload(3, 1, dense([1.0, bad, 0.0]))),
           "the weight of feature 1 for output 0 is not finite")
    expect(container(4, LINEAR_META, linear_payload(3, 1, dense([1.0, 2.0, 0.0]), intercept=[bad])),
           "the intercept of output 0 is not finite")
    # idf: the dictionary-coded values hold the idf of df = 1 once
    idf1 = f64(float(np.max(tfidf.idf_)))
    expect(edited(tfidf.to_bytes(), idf1, f64(bad)), "idf value", "not a finite number")
    # a TopicClassifier: its first intercept (the score of an empty document)
    b0 = f64(float(np.asarray(topic_model.decision_function([""]))[0, 0]))
    expect(edited(topic_model.to_bytes(), b0, f64(bad)), "the intercept of output 0 is not finite")


def test_platt_values_must_be_finite():
    platt = b"\x01" + varint(1) + f64(-1.5) + f64(float("nan"))
    payload = linear_payload(3, 1, dense([1.0, 2.0, 0.0])).replace(b"\x01\x01\x01\x00", b"\x01\x01\x01" + platt)
    expect(container(4, LINEAR_META, payload), "the Platt scaling of output 0 is not finite")


def test_vocabulary_terms_unique_and_sorted():
    fixed = topictag.CountVectorizer(vocabulary=["zebrax", "zebray"]).fit(["zebrax zebray"])
    # front coded: "zebrax", then 5 shared bytes and "y"
    expect(edited(fixed.to_bytes(), b"zebraxy", b"zebraxx"), 'the term "zebrax" twice')
    learned = topictag.CountVectorizer().fit(["apple zebra"])
    expect(edited(learned.to_bytes(), b"applezebra", b"zebraapple"), "not sorted")
    expect(edited(learned.to_bytes(), b"applezebra", b"appleapple"), 'the term "apple" twice')


def test_class_names_unique_and_consistent(topic_model, linsvc):
    # TopicClassifier: the topic names are in the payload ("peace", "trade", "war")
    data = topic_model.to_bytes()
    expect(edited(data, b"\x05trade", b"\x05peace"), '"peace" is listed twice')
    # linear classifiers: the labels are in the metadata and must match the weights
    kind, meta, raw = split(linsvc.to_bytes())
    m = json.loads(meta)
    for classes, words in [(["peace", "peace", "war"], "repeat a label"),
                           (["peace", "war"], "names 2 classes but the model has 3"),
                           (["a", "b", "c", "d"], "names 4 classes"),
                           ([["a"], ["b"], ["c"]], "")]:
        expect(container(kind, json.dumps(dict(m, classes=classes)), raw), words)
    # topic names that classes_type converts to the same label ("1" and "2" are both False)
    two = topictag.TopicClassifier().fit(DOCS, [1, 2, 1, 2, 1, 2])
    kind, meta, raw = split(two.to_bytes())
    expect(container(kind, json.dumps(dict(json.loads(meta), classes_type="bool")), raw), "repeat a label")


@pytest.mark.parametrize("meta", [
    "[]", "null", '"text"', "{not json", '{"class": 5}', '{"class": "LinearSVC", "params": []}',
    '{"class": "LinearSVC", "params": {"C": "high"}, "classes": ["peace", "trade", "war"]}',
    '{"class": "LinearSVC", "params": {}, "classes": ["peace", "trade", "war"], "classes_dtype": "no such dtype"}',
    # found by the atheris run: numpy parses ',U1' as a comma string (SyntaxError); a huge
    # unicode width, or labels that do not fit an integer dtype
    '{"class": "LinearSVC", "params": {}, "classes": ["peace", "trade", "war"], "classes_dtype": ",U1"}',
    '{"class": "LinearSVC", "params": {}, "classes": ["peace", "trade", "war"], "classes_dtype": ["<U5"]}',
    '{"class": "LinearSVC", "params": {}, "classes": ["peace", "trade", "war"], "classes_dtype": "<i8"}',
    '{"class": "LinearSVC", "params": {}, "classes": [1, 2, 3e400], "classes_dtype": "<i8"}',
    '{"class": "LinearSVC", "params": {}, "classes": ["peace", "trade", "war"], "target_kind": 3}',
    '{"class": "LinearSVC", "params": {}, "classes": 7}',
])
def test_odd_linear_metadata(meta, linsvc):
    kind, _, raw = split(linsvc.to_bytes())
    expect(container(kind, meta, raw))


@pytest.mark.parametrize("extra", [
    {"classes_type": "complex"}, {"classes_type": ["int"]}, {"classes_type": "int"},
    {"training_summary": [1, 2]}, {"training_summary": "x"}, {"target_kind": {}},
    {"params": {"ngram_range": "12"}}, {"params": [1]},
])
def test_odd_topic_classifier_metadata(extra, topic_model):
    kind, meta, raw = split(topic_model.to_bytes())
    expect(container(kind, json.dumps(dict(json.loads(meta), **extra)), raw))


def test_real_files_still_load(topic_model, linsvc, tfidf):
    for obj in (topic_model, linsvc, tfidf, topictag.HashingVectorizer(n_features=32)):
        back = topictag.load(obj.to_bytes())
        assert type(back) is type(obj)
    np.testing.assert_array_equal(topictag.load(topic_model.to_bytes()).decision_function(DOCS),
                                  topic_model.decision_function(DOCS))
