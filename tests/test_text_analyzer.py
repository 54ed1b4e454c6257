"""Analyzer output, feature by feature and in order, against scikit-learn's build_analyzer()."""

from __future__ import annotations

import pytest

import topictag as tt

skl_text = pytest.importorskip("sklearn.feature_extraction.text")

TRICKY = [
    "Hello, World! It's 2024: the U.S.A. & e-mail_addresses x y z.",
    "  leading and   multiple\t\tspaces\n\nnew lines  ",
    "Ñandú CAFÉ crème brûlée naïve façade résumé Ångström",
    "e\u0301cole (decomposed accent) and ﬁ ligature ① ½ ²",
    "Mixed123numbers 3.14 1,000 42nd _under_score__",
    "Straße İstanbul ΟΔΟΣ",
    "a",
    "",
]

CONFIGS = [
    dict(),
    dict(ngram_range=(1, 3)),
    dict(ngram_range=(2, 2), lowercase=False),
    dict(strip_accents="unicode", ngram_range=(1, 2)),
    dict(strip_accents="ascii"),
    dict(stop_words="english", ngram_range=(1, 2)),
    dict(token_pattern=r"(?u)\b\w+\b"),
    dict(token_pattern=r"[a-z]+"),
    dict(analyzer="char", ngram_range=(1, 3)),
    dict(analyzer="char", ngram_range=(2, 5), strip_accents="unicode"),
    dict(analyzer="char_wb", ngram_range=(1, 4)),
    dict(analyzer="char_wb", ngram_range=(3, 6), lowercase=False),
]


@pytest.mark.parametrize("params", CONFIGS, ids=[str(c) for c in CONFIGS])
def test_analyzer_matches_sklearn(params):
    ours = tt.CountVectorizer(**params).build_analyzer()
    theirs = skl_text.CountVectorizer(**params).build_analyzer()
    for doc in TRICKY:
        assert ours(doc) == theirs(doc), doc


def test_hashing_analyzer_matches_sklearn():
    ours = tt.HashingVectorizer(ngram_range=(1, 2)).build_analyzer()
    theirs = skl_text.HashingVectorizer(ngram_range=(1, 2)).build_analyzer()
    for doc in TRICKY:
        assert ours(doc) == theirs(doc)


def test_spans_cover_the_original_text():
    v = tt.TfidfVectorizer(ngram_range=(1, 2), strip_accents="unicode", stemmer="spanish")
    doc = "Las NEGOCIACIONES de paz 🙂 continúan en Ginebra"
    spans = v.analyze_spans(doc)
    assert [t for t, _, _ in spans] == v.build_analyzer()(doc)
    by_term = {t: doc[a:b] for t, a, b in spans}
    assert any(s == "NEGOCIACIONES" for s in by_term.values())
    assert any(s == "continúan en" for s in by_term.values())
    for kind in ("char", "char_wb"):
        v = tt.CountVectorizer(analyzer=kind, ngram_range=(1, 3), strip_accents="unicode")
        d = "Él  dijo sí 🙂"
        sp = v.analyze_spans(d)
        assert [t for t, _, _ in sp] == v.build_analyzer()(d)
        assert all(0 <= a <= b <= len(d) for _, a, b in sp)
