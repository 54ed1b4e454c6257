"""Write the loader seed corpus, fuzz/corpus/loader/: small valid model files of every kind,
saved by the installed topictag, each also repacked with an uncompressed payload (so that
mutations hit the payload decoders directly, not the DEFLATE stream).

Run with a Python that has topictag installed (e.g. `.venv/bin/python fuzz/make_seeds.py`)
after a change to the model format; commit the result. Files are named without the `.ttm`
extension (which .gitignore excludes).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import topictag
from topictag.datasets import load_starter

OUT = Path(__file__).resolve().parent / "corpus" / "loader"


def uncompressed(b: bytes) -> bytes:
    """The same file with flags = 0 and the raw payload (layout: docs/model-format.md)."""
    vlen = struct.unpack_from("<H", b, 12)[0]
    p = 14 + vlen
    mlen = struct.unpack_from("<I", b, p)[0]
    p += 4 + mlen
    head = bytearray(b[:p])
    plen = struct.unpack_from("<Q", b, p)[0]
    p += 8
    if not b[11] & 1:
        return b
    p += 8  # decompressed length
    raw = zlib.decompress(b[p : p + plen], -15)
    head[11] = 0
    out = bytes(head) + struct.pack("<Q", len(raw)) + raw
    return out + struct.pack("<I", zlib.crc32(out))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    texts, topics = load_starter(return_X_y=True)
    texts, topics = list(texts)[::12], list(topics)[::12]  # 25 paragraphs: small files
    single = [t[0] for t in topics]
    objs = {
        "topic_svm": topictag.TopicClassifier(model="svm").fit(texts, topics),
        "topic_logistic_auto": topictag.TopicClassifier(
            model="logistic", language="auto", stop_words="auto", stemmer="auto"
        ).fit(texts, single),
        "count_char": topictag.CountVectorizer(analyzer="char_wb", ngram_range=(2, 3), max_features=200).fit(texts),
        "tfidf_bigram": topictag.TfidfVectorizer(ngram_range=(1, 2), max_features=200).fit(texts),
        "hashing": topictag.HashingVectorizer(n_features=64),
    }
    x = topictag.TfidfVectorizer(max_features=100).fit_transform(texts)
    objs["logreg"] = topictag.LogisticRegression().fit(x, single)
    objs["linsvc"] = topictag.LinearSVC().fit(x, single)
    for name, obj in objs.items():
        b = obj.to_bytes()
        topictag.load(b)  # must round-trip
        (OUT / name).write_bytes(b)
        raw = uncompressed(b)
        topictag.load(raw)
        (OUT / f"{name}-raw").write_bytes(raw)
        print(f"{name}: {len(b)} bytes ({len(raw)} uncompressed)")
    forged()


def forged() -> None:
    """Seeds in the shapes of tests/test_loader_forged.py's files (issue 19): each valid but
    for one rule (a weight table declaring 2^29 features, a claimed inflation beyond 64x,
    non-finite weights, bytes after the payload), so mutations start next to the checks."""
    import sys

    sys.path.insert(0, str(OUT.parents[2] / "tests"))
    import test_loader_forged as f

    sparse = f.varint(1) + f.varint(1) + f.varint(1) + f.varint(0) + f.varint(4) + f.planes([1.0])
    seeds = {
        "forged-linear-ok": f.container(4, f.LINEAR_META, f.linear_payload(3, 1, f.dense([1.0, 2.0, -3.0]))),
        "forged-linear-2e29-features": f.container(4, f.LINEAR_META, f.linear_payload(1 << 29, 1, sparse), compress=False),
        "forged-linear-nan": f.container(4, f.LINEAR_META, f.linear_payload(3, 1, f.dense([1.0, float("nan"), 0.0])), compress=False),
        "forged-inflation-claim": f.container(1, "{}", b"\x00" * 100, declared=1 << 40),
        "forged-trailing": f.container(4, f.LINEAR_META, f.linear_payload(3, 1, f.dense([1.0, 2.0, 0.0])) + b"\x00" * 8, compress=False),
    }
    for name, b in seeds.items():
        (OUT / name).write_bytes(b)
        print(f"{name}: {len(b)} bytes")


if __name__ == "__main__":
    main()
