"""topictag's vectorizers against scikit-learn (the oracle) on real documents, plus input
kinds, bad input, Unicode robustness, Spanish handling, persistence and sklearn integration."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

import topictag as tt

skl_text = pytest.importorskip("sklearn.feature_extraction.text")


# ------------------------------------------------------------------------------------------
# helpers


def assert_same(ours, theirs, X_ours, X_theirs, fitted=True):
    if fitted:
        assert ours.vocabulary_ == {k: int(v) for k, v in theirs.vocabulary_.items()}
        assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert X_ours.shape == X_theirs.shape
    assert sp.isspmatrix_csr(X_ours) and X_ours.has_sorted_indices
    diff = abs(X_ours.astype(np.float64) - X_theirs.astype(np.float64))
    assert (diff.max() if diff.nnz else 0.0) < 1e-6


@pytest.fixture(scope="module")
def news(news20_train, news20_test):
    return news20_train[0][:1500], news20_test[0][:500]


@pytest.fixture(scope="module")
def news_small(news):
    return news[0][:250], news[1][:100]


GRID = [
    {},
    dict(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
    dict(ngram_range=(2, 3), min_df=2),
    dict(min_df=0.01, max_df=0.5),
    dict(min_df=3, max_df=200),
    dict(norm="l1", use_idf=False),
    dict(norm=None, smooth_idf=False),
    dict(binary=True, norm=None),
    dict(stop_words="english", ngram_range=(1, 2), min_df=2),
    dict(stop_words=["the", "of", "and", "subject", "lines"], sublinear_tf=True),
    dict(lowercase=False),
    dict(strip_accents="unicode", ngram_range=(1, 2), min_df=3),
    dict(strip_accents="ascii"),
    dict(token_pattern=r"(?u)\b\w+\b"),
    dict(token_pattern=r"([a-z]+)\d*"),
]

CHAR_GRID = [
    dict(analyzer="char", ngram_range=(2, 4)),
    dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    dict(analyzer="char_wb", ngram_range=(1, 3), min_df=2, strip_accents="unicode"),
    dict(analyzer="char", ngram_range=(3, 3), max_features=300),
]


def _parity(params, train, test):
    ours = tt.TfidfVectorizer(dtype=np.float64, **params)
    theirs = skl_text.TfidfVectorizer(dtype=np.float64, **params)
    Xo, Xt = ours.fit_transform(train), theirs.fit_transform(train)
    assert_same(ours, theirs, Xo, Xt)
    np.testing.assert_allclose(ours.idf_, theirs.idf_, rtol=1e-12) if theirs.use_idf else None
    assert_same(ours, theirs, ours.transform(test), theirs.transform(test))


@pytest.mark.parametrize("params", GRID, ids=[str(p) for p in GRID])
def test_tfidf_parity_news(news, params):
    _parity(params, *news)


@pytest.mark.parametrize("params", CHAR_GRID, ids=[str(p) for p in CHAR_GRID])
def test_tfidf_parity_char(news_small, params):
    _parity(params, *news_small)


def test_tfidf_parity_bbc(bbc):
    docs = bbc[0][:800]
    _parity(dict(ngram_range=(1, 2), min_df=2, max_df=0.9, sublinear_tf=True), docs[:600], docs[600:])


@pytest.mark.parametrize(
    "params",
    [dict(strip_accents="unicode"), dict(strip_accents="ascii", ngram_range=(1, 2)),
     dict(analyzer="char_wb", ngram_range=(2, 4), strip_accents="unicode"), {}],
)
def test_tfidf_parity_spanish(spanish_cameo, params):
    docs = spanish_cameo[0]
    _parity(params, docs[:250], docs[250:])


def test_max_features_parity(news):
    train, test = news
    for k in (50, 1000):
        ours = tt.CountVectorizer(max_features=k, dtype=np.float64)
        theirs = skl_text.CountVectorizer(max_features=k)
        Xo, Xt = ours.fit_transform(train), theirs.fit_transform(train)
        # scikit-learn ranks with an unstable argsort: terms tied at the cut-off may differ.
        tfs = np.asarray(Xt.sum(axis=0)).ravel()
        cut = np.sort(tfs)[0]
        ours_set, theirs_set = set(ours.vocabulary_), set(theirs.vocabulary_)
        tied = {t for t in theirs_set | ours_set
                if t in theirs.vocabulary_ and tfs[theirs.vocabulary_[t]] == cut}
        assert (ours_set ^ theirs_set) <= tied | (ours_set - theirs_set)
        assert len(ours_set) == len(theirs_set) == k
        if ours_set == theirs_set:
            assert_same(ours, theirs, Xo, Xt)
        # (scikit-learn 1.9 no longer has stop_words_; topictag keeps it)
        full = set(skl_text.CountVectorizer().fit(train).vocabulary_)
        assert ours.stop_words_ | ours_set == full and not (ours.stop_words_ & ours_set)


def test_count_parity_and_fixed_vocabulary(news):
    train, test = news
    ours = tt.CountVectorizer(ngram_range=(1, 2), min_df=2, dtype=np.float64)
    theirs = skl_text.CountVectorizer(ngram_range=(1, 2), min_df=2)
    assert_same(ours, theirs, ours.fit_transform(train), theirs.fit_transform(train))
    full = set(skl_text.CountVectorizer(ngram_range=(1, 2)).fit(train).vocabulary_)
    assert ours.stop_words_ == full - set(theirs.vocabulary_)
    vocab = ["peace", "talks", "the", "nasa", "god", "hockey game"]
    for v in (vocab, {t: i for i, t in enumerate(reversed(vocab))}):
        o = tt.TfidfVectorizer(vocabulary=v, ngram_range=(1, 2), dtype=np.float64)
        t = skl_text.TfidfVectorizer(vocabulary=v, ngram_range=(1, 2))
        assert_same(o, t, o.fit_transform(train), t.fit_transform(train))
        assert_same(o, t, o.transform(test), t.transform(test))
        assert o.fixed_vocabulary_


def test_count_integer_dtype(news):
    X = tt.CountVectorizer(dtype=np.int64).fit_transform(news[0][:50])
    assert X.dtype == np.int64
    Y = skl_text.CountVectorizer().fit_transform(news[0][:50])
    assert (X != Y).nnz == 0


HASH_GRID = [
    {},
    dict(ngram_range=(1, 2), alternate_sign=False),
    dict(n_features=2**10, binary=True),
    dict(n_features=2**8, norm=None),
    dict(analyzer="char_wb", ngram_range=(2, 4), norm="l1"),
    dict(stop_words="english", n_features=2**12, strip_accents="unicode"),
]


@pytest.mark.parametrize("params", HASH_GRID, ids=[str(p) for p in HASH_GRID])
def test_hashing_parity(news_small, params):
    docs = news_small[0]
    Xo = tt.HashingVectorizer(dtype=np.float64, **params).transform(docs)
    Xt = skl_text.HashingVectorizer(dtype=np.float64, **params).transform(docs)
    assert Xo.shape == Xt.shape
    assert abs(Xo - Xt).max() < 1e-9
    Xt.sum_duplicates()
    assert Xo.has_sorted_indices


def test_hashing_int32_min_feature():
    # Find a token whose signed MurmurHash3 is -2**31 is impractical; check the index rule
    # against scikit-learn's on many tokens instead, with tiny n_features (all collide).
    docs = [" ".join(f"tok{i}x{j}" for j in range(50)) for i in range(40)]
    for n in (1, 3, 7):
        Xo = tt.HashingVectorizer(n_features=n, norm=None, dtype=np.float64).transform(docs)
        Xt = skl_text.HashingVectorizer(n_features=n, norm=None).transform(docs)
        assert abs(Xo - Xt).max() == 0


# ------------------------------------------------------------------------------------------
# n_jobs and input kinds


def test_n_jobs_bit_identical(news):
    train = news[0]
    ref = tt.TfidfVectorizer(ngram_range=(1, 2), min_df=2, n_jobs=1).fit_transform(train)
    for n in (2, 3, -1):
        X = tt.TfidfVectorizer(ngram_range=(1, 2), min_df=2, n_jobs=n).fit_transform(train)
        assert (X.indptr == ref.indptr).all() and (X.indices == ref.indices).all()
        assert (X.data == ref.data).all()


def test_input_kinds_equal():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    docs = ["Peace talks resume", "Rebels attack the convoy", "", "la negociación de paz", "talks"]
    v = tt.TfidfVectorizer(ngram_range=(1, 2))
    ref = v.fit_transform(docs)
    kinds = [
        lambda: tuple(docs),
        lambda: (d for d in docs),
        lambda: np.array(docs),
        lambda: np.array(docs, dtype=object),
        lambda: pd.Series(docs),
        lambda: pd.Series(docs, dtype="string[pyarrow]"),
        lambda: pa.array(docs),
        lambda: pa.chunked_array([docs[:2], docs[2:]]),
        lambda: pl.Series(docs),
    ]
    for make in kinds:
        X = tt.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(make())
        assert X.shape == ref.shape and (X != ref).nnz == 0, type(make())
        Y = v.transform(make())
        assert Y.shape == ref.shape and (Y != ref).nnz == 0


# ------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    "docs, exc, msg",
    [
        (["ok", None], TypeError, r"documents\[1\].*NoneType"),
        (["ok", "fine", float("nan")], ValueError, r"np.nan is an invalid document.*documents\[2\]"),
        ([b"\xff"], UnicodeDecodeError, "utf-8"),  # bytes are decoded with `encoding`
        (["a", 3], TypeError, r"documents\[1\].*int"),
        ("a bare string", ValueError, "Iterable over raw text"),
    ],
)
def test_bad_documents(docs, exc, msg):
    for cls in (tt.TfidfVectorizer, tt.CountVectorizer, tt.HashingVectorizer):
        with pytest.raises(exc, match=msg):
            cls().fit_transform(docs)


@pytest.mark.parametrize(
    "params, exc, msg",
    [
        (dict(min_df=-1), ValueError, "min_df"),
        (dict(min_df=1.5), ValueError, "min_df"),
        (dict(max_df=2.0), ValueError, "max_df"),
        (dict(min_df="x"), TypeError, "min_df"),
        (dict(max_df=1, min_df=2), ValueError, "max_df corresponds to < documents than min_df"),
        (dict(ngram_range=(2, 1)), ValueError, "ngram_range"),
        (dict(ngram_range=(0, 1)), ValueError, "ngram_range"),
        (dict(ngram_range="ab"), TypeError, "ngram_range"),
        (dict(analyzer="words"), ValueError, "analyzer"),
        (dict(stop_words="klingon"), ValueError, "stop list"),
        (dict(stemmer="klingon"), ValueError, "stemmer"),
        (dict(strip_accents="both"), ValueError, "strip_accents"),
        (dict(norm="l3"), ValueError, "norm"),
        (dict(token_pattern="(unclosed"), ValueError, "token_pattern"),
        (dict(token_pattern=r"(a)(b)"), ValueError, "More than 1 capturing group"),
        (dict(max_features=0), ValueError, "max_features"),
        (dict(vocabulary=["a", "a"]), ValueError, "Duplicate term"),
        (dict(vocabulary={"a": 0, "b": 0}), ValueError, "repeated indices"),
        (dict(vocabulary={"a": 0, "b": 2}), ValueError, "doesn't contain index 1"),
        (dict(tokenizer=3), TypeError, "tokenizer"),
        (dict(dtype=np.complex64), ValueError, "dtype"),
        (dict(input="url"), ValueError, "input"),
    ],
)
def test_bad_params(params, exc, msg):
    with pytest.raises(exc, match=msg):
        tt.TfidfVectorizer(**params).fit(["peace talks", "war and peace", "talks"])


def test_empty_vocabulary_messages():
    with pytest.raises(ValueError, match="empty vocabulary; perhaps the documents only contain stop words"):
        tt.TfidfVectorizer(stop_words="english").fit(["the and of", "a"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        tt.CountVectorizer().fit(["", "!"])
    with pytest.raises(ValueError, match="no terms remain"):
        tt.CountVectorizer(min_df=2).fit(["a bb", "cc dd"])


def test_not_fitted():
    for cls in (tt.TfidfVectorizer, tt.CountVectorizer):
        v = cls()
        with pytest.raises(tt.NotFittedError):
            v.transform(["x"])
        with pytest.raises(tt.NotFittedError):
            v.get_feature_names_out()
        with pytest.raises(AttributeError):
            v.vocabulary_


# ------------------------------------------------------------------------------------------
# Unicode


UNICODE_DOCS = [
    "",
    "   ",
    "e\u0301te\u0301 cafe\u0301 na\u0308ive",
    "emoji 🙂🙂 👩‍👩‍👧 flags 🇪🇸🇬🇧",
    "שלום עולם مرحبا بالعالم",
    "lone \ud800 surrogate \udfff here",
    "ΟΔΟΣ Σίσυφος ΣΑΣ",
    "İstanbul ǅemal ﬁne ß",
    "\x00\x1c\x1f control\u200b zero\u2028width",
    "日本語のテキスト 中文文本",
]


@pytest.mark.parametrize("analyzer", ["word", "char", "char_wb"])
@pytest.mark.parametrize("strip", [None, "unicode", "ascii"])
def test_unicode_no_crash(analyzer, strip):
    for cls in (tt.TfidfVectorizer, tt.CountVectorizer, tt.HashingVectorizer):
        v = cls(analyzer=analyzer, strip_accents=strip, ngram_range=(1, 3))
        X = v.fit_transform(UNICODE_DOCS)
        assert X.shape[0] == len(UNICODE_DOCS)
        assert X[0].nnz == 0
        for d in UNICODE_DOCS:
            for term, a, b in v.analyze_spans(d):
                assert 0 <= a <= b <= len(d)
    v = tt.TfidfVectorizer(tokenizer="unicode", normalization="nfkc", stemmer="english",
                           language="auto", stop_words="auto")
    assert v.fit_transform(UNICODE_DOCS).shape[0] == len(UNICODE_DOCS)


def test_unicode_matches_sklearn_on_accents():
    docs = [d for d in UNICODE_DOCS if "\ud800" not in d]
    for strip in (None, "unicode", "ascii"):
        o = tt.CountVectorizer(strip_accents=strip, dtype=np.float64)
        t = skl_text.CountVectorizer(strip_accents=strip)
        assert_same(o, t, o.fit_transform(docs), t.fit_transform(docs))


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.text(max_size=60), min_size=1, max_size=12),
    st.sampled_from(["word", "char", "char_wb"]),
)
def test_property_random_unicode(docs, analyzer):
    docs = docs + ["anchor words here"]
    kw = dict(analyzer=analyzer, ngram_range=(1, 2), strip_accents="unicode")
    X1 = tt.TfidfVectorizer(n_jobs=1, **kw).fit_transform(docs)
    X2 = tt.TfidfVectorizer(n_jobs=2, **kw).fit_transform(docs)
    assert X1.shape[0] == len(docs)
    assert (X1.indices == X2.indices).all() and (X1.data == X2.data).all()
    assert (X1.indptr == X2.indptr).all()


# ------------------------------------------------------------------------------------------
# Spanish and language detection


def test_spanish_stemming_unifies_forms():
    v = tt.CountVectorizer(stemmer="spanish", strip_accents="unicode")
    v.fit(["negociación", "negociaciones", "negociacion", "NEGOCIACIÓN"])
    assert len(v.vocabulary_) == 1
    term = next(iter(v.vocabulary_))
    assert term.isascii() and term.startswith("negoci")
    spans = v.analyze_spans("Las NEGOCIACIONES siguen")
    assert [(t, "Las NEGOCIACIONES siguen"[a:b]) for t, a, b in spans][1] == (term, "NEGOCIACIONES")


def test_language_auto_stop_words():
    en = "The rebels and the government agreed to a ceasefire in the north of the country"
    es = "Los rebeldes y el gobierno acordaron un alto el fuego en el norte del país"
    v = tt.CountVectorizer(language="auto", stop_words="auto")
    an = v.build_analyzer()
    en_t, es_t = an(en), an(es)
    assert "the" not in en_t and "rebels" in en_t and "el" in en_t or "el" not in en.split()
    assert "el" not in es_t and "los" not in es_t and "rebeldes" in es_t
    # Spanish doc keeps English stop-like words it does not have; English list not applied
    v2 = tt.CountVectorizer(language="auto", stop_words="auto", stemmer="auto")
    X = v2.fit_transform([en, es])
    names = set(v2.get_feature_names_out())
    assert "rebel" in names and "rebeld" in names
    assert "the" not in names and "los" not in names


def test_stop_words_language_list_union():
    v = tt.CountVectorizer(stop_words=["english", "spanish"])
    v.fit(["the peace and la paz de los pueblos"])
    assert set(v.vocabulary_) == {"peace", "paz", "pueblos"}


# ------------------------------------------------------------------------------------------
# persistence and scikit-learn integration


def test_pickle_and_save_round_trip(tmp_path, news):
    train, test = news
    for v in (tt.TfidfVectorizer(ngram_range=(1, 2), min_df=2, stemmer="english"),
              tt.CountVectorizer(vocabulary=["god", "nasa"]),
              tt.HashingVectorizer(n_features=2**12)):
        X = v.fit_transform(train[:300])
        w = pickle.loads(pickle.dumps(v))
        assert w.get_params() == v.get_params()
        assert (w.transform(test[:50]) != v.transform(test[:50])).nnz == 0
        p = tmp_path / "v.ttm"
        v.save(p)
        u = tt.load(p)
        assert type(u) is type(v)
        assert (u.transform(test[:50]) != v.transform(test[:50])).nnz == 0
        assert X.shape[0] == 300
    un = pickle.loads(pickle.dumps(tt.TfidfVectorizer(min_df=2)))
    assert un.min_df == 2 and not un._is_fitted()


def test_sklearn_clone_pipeline_gridsearch(news20_train):
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    docs, labels = news20_train
    docs, labels = docs[::25], labels[::25]
    v = tt.TfidfVectorizer(ngram_range=(1, 2), stop_words="english")
    c = clone(v)
    assert c.get_params() == v.get_params() and c is not v
    pipe = Pipeline([("tfidf", tt.TfidfVectorizer()), ("clf", LogisticRegression(max_iter=200))])
    gs = GridSearchCV(pipe, {"tfidf__min_df": [1, 2], "tfidf__sublinear_tf": [True, False]}, cv=2)
    gs.fit(docs, labels)
    assert gs.best_score_ > 0.3
    assert gs.best_estimator_.named_steps["tfidf"].vocabulary_


def test_import_does_not_import_sklearn():
    import subprocess
    import sys

    code = "import sys, topictag; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
