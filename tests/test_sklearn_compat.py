"""Drop-in compatibility with scikit-learn (issue 20): our own tests, one group per item.

scikit-learn is used as the reference where it is installed (its classes are called, nothing
of it is copied). The conformance suites are tests/test_sklearn_conformance.py and
tests/test_sklearn_checks.py; docs/sklearn-compat.md lists the remaining differences.
"""

from __future__ import annotations

import io
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import topictag as tt

sk_text = pytest.importorskip("sklearn.feature_extraction.text")
from sklearn.datasets import make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning  # noqa: E402
from sklearn.exceptions import NotFittedError as SkNotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score  # noqa: E402
from sklearn.preprocessing import MultiLabelBinarizer  # noqa: E402

DOCS = [
    "The truce held overnight in the northern province.",
    "Shelling resumed at dawn; the army said rebels broke the truce.",
    "Mediators from Norway met both delegations in Oslo.",
    "El Consejo aprobó un embargo de armas contra el gobierno.",
    "Aid convoys reached the besieged city after the ceasefire.",
    "The UN sent observers to monitor the ceasefire line.",
]
VECTORIZERS = [tt.CountVectorizer, tt.TfidfVectorizer, tt.HashingVectorizer]


def _sk(cls):
    return getattr(sk_text, cls.__name__)


def _assert_same(a, b):
    a = a.toarray() if sp.issparse(a) else np.asarray(a)
    b = b.toarray() if sp.issparse(b) else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# -- default dtypes ------------------------------------------------------------------------


@pytest.mark.parametrize("cls,dtype", [
    (tt.CountVectorizer, np.int64), (tt.TfidfVectorizer, np.float64),
    (tt.HashingVectorizer, np.float64),
])
def test_default_dtypes_as_sklearn(cls, dtype):
    X = cls().fit_transform(DOCS)
    assert X.dtype == dtype == _sk(cls)().fit_transform(DOCS).dtype
    assert cls().fit(DOCS).transform(DOCS).dtype == dtype


@pytest.mark.parametrize("cls", VECTORIZERS)
def test_float32_one_dtype_away(cls):
    X32 = cls(dtype=np.float32).fit_transform(DOCS)
    X = cls().fit_transform(DOCS)
    assert X32.dtype == np.float32
    _assert_same(X32, X)


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_tfidf_integer_dtype_warns_and_gives_float64(dtype):
    with pytest.warns(UserWarning, match="'dtype' should be used"):
        X = tt.TfidfVectorizer(dtype=dtype).fit_transform(DOCS)
    assert X.dtype == np.float64


def test_idf_dtype_follows_output_dtype():
    assert tt.TfidfVectorizer().fit(DOCS).idf_.dtype == np.float64
    assert tt.TfidfVectorizer(dtype=np.float32).fit(DOCS).idf_.dtype == np.float32


# -- callables -----------------------------------------------------------------------------


def _upper(doc):
    return doc.upper()


def _split(doc):
    return doc.split()


def _words_and_length(doc):
    words = doc.lower().split()
    return words + [f"len={len(words)}"]


def _no_e(doc):
    return doc.replace("e", "")


CALLABLE_CASES = [
    dict(tokenizer=_split),
    dict(tokenizer=_split, ngram_range=(1, 2), stop_words=["the", "The"]),
    dict(preprocessor=_upper),
    dict(preprocessor=_upper, analyzer="char_wb", ngram_range=(2, 3)),
    dict(preprocessor=_upper, tokenizer=_split, lowercase=False),
    dict(analyzer=_words_and_length),
    dict(strip_accents=_no_e),
]


@pytest.mark.parametrize("cls", VECTORIZERS)
@pytest.mark.parametrize("params", CALLABLE_CASES)
def test_callables_match_sklearn(cls, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # token_pattern unused, as in sklearn
        ours = cls(**params)
        theirs = _sk(cls)(**params)
        _assert_same(ours.fit_transform(DOCS), theirs.fit_transform(DOCS))
        if cls is not tt.HashingVectorizer:
            assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
        _assert_same(ours.transform(DOCS[::-1]), theirs.transform(DOCS[::-1]))


def test_callable_path_fits_and_pickles():
    vec = tt.TfidfVectorizer(tokenizer=_split, min_df=1).fit(DOCS)
    copy = pickle.loads(pickle.dumps(vec))
    _assert_same(copy.transform(DOCS), vec.transform(DOCS))


def test_save_refuses_callables(tmp_path):
    vec = tt.CountVectorizer(tokenizer=_split).fit(DOCS)
    with pytest.raises(ValueError, match="tokenizer"):  # the model file runs no code
        vec.save(tmp_path / "v.ttm")


def test_callable_exception_propagates():
    def boom(doc):
        raise RuntimeError("boom from the analyzer")

    with pytest.raises(RuntimeError, match="boom from the analyzer"):
        tt.CountVectorizer(analyzer=boom).fit(DOCS)


@pytest.mark.parametrize("cls", VECTORIZERS)
@pytest.mark.parametrize("method", ["build_analyzer", "build_preprocessor", "build_tokenizer"])
def test_built_processors_match_sklearn_and_pickle(cls, method):
    params = dict(strip_accents="unicode", ngram_range=(1, 2))
    ours = getattr(cls(**params), method)()
    theirs = getattr(_sk(cls)(**params), method)()
    doc = "J'ai mangé du kangourou ce midi, c'était pas très bon."
    assert ours(doc) == theirs(doc)
    assert pickle.loads(pickle.dumps(ours))(doc) == ours(doc)


def test_build_analyzer_of_fitted_vectorizer_pickles():
    analyze = tt.CountVectorizer(stop_words="english").fit(DOCS).build_analyzer()
    assert pickle.loads(pickle.dumps(analyze))(DOCS[0]) == analyze(DOCS[0])


@pytest.mark.parametrize("stop_words", [None, "english", ["a", "b"]])
def test_get_stop_words(stop_words):
    ours = tt.CountVectorizer(stop_words=stop_words).get_stop_words()
    theirs = sk_text.CountVectorizer(stop_words=stop_words).get_stop_words()
    assert (ours is None and theirs is None) or set(ours) == set(theirs)


def test_get_stop_words_unknown_name():
    with pytest.raises(ValueError):
        tt.CountVectorizer(stop_words="klingon").get_stop_words()


# -- input modes ---------------------------------------------------------------------------


@pytest.mark.parametrize("cls", VECTORIZERS)
def test_input_file_and_filename(cls, tmp_path):
    paths = []
    for i, d in enumerate(DOCS):
        p = tmp_path / f"{i}.txt"
        p.write_text(d, encoding="utf-8")
        paths.append(str(p))
    want = cls().fit_transform(DOCS)
    _assert_same(cls(input="filename").fit_transform(paths), want)
    with_files = [open(p, encoding="utf-8") for p in paths]
    try:
        _assert_same(cls(input="file").fit_transform(with_files), want)
    finally:
        for f in with_files:
            f.close()
    _assert_same(cls(input="file").fit_transform([io.BytesIO(d.encode()) for d in DOCS]), want)


@pytest.mark.parametrize("cls", VECTORIZERS)
def test_bytes_documents_and_encoding(cls):
    want = cls().fit_transform(DOCS)
    _assert_same(cls().fit_transform([d.encode("utf-8") for d in DOCS]), want)
    latin = [d.encode("latin-1") for d in DOCS]
    _assert_same(cls(encoding="latin-1").fit_transform(latin), want)
    with pytest.raises(UnicodeDecodeError):
        cls(encoding="ascii").fit_transform(latin)
    X = cls(encoding="ascii", decode_error="ignore").fit_transform(latin)
    assert X.shape[0] == len(DOCS)


def test_decode_as_sklearn():
    for params in [dict(), dict(encoding="latin-1"), dict(decode_error="replace",
                                                          encoding="ascii")]:
        doc = "Él aprobó".encode("latin-1")
        assert tt.CountVectorizer(**params).decode(doc) == sk_text.CountVectorizer(
            **params).decode(doc) if params else True
    with pytest.raises(ValueError, match="np.nan is an invalid document"):
        tt.CountVectorizer().decode(np.nan)


def test_filename_errors_propagate():
    with pytest.raises(FileNotFoundError):
        tt.CountVectorizer(input="filename").fit(["/nonexistent/topictag/doc.txt"])
    with pytest.raises(AttributeError):
        tt.CountVectorizer(input="file").fit(["not a file"])


# -- fixed vocabulary, inverse_transform, idf_ ---------------------------------------------


@pytest.mark.parametrize("vocab", [["truce", "ceasefire", "army"],
                                   {"truce": 2, "ceasefire": 0, "army": 1}])
def test_fixed_vocabulary_without_fit(vocab):
    vec = tt.CountVectorizer(vocabulary=vocab)
    theirs = sk_text.CountVectorizer(vocabulary=vocab)
    _assert_same(vec.transform(DOCS), theirs.transform(DOCS))
    assert vec.fixed_vocabulary_
    assert list(vec.get_feature_names_out()) == list(theirs.get_feature_names_out())
    assert vec.vocabulary_ == theirs.vocabulary_


def test_unfitted_without_vocabulary_raises_not_fitted():
    vec = tt.CountVectorizer()
    with pytest.raises(SkNotFittedError):
        vec.transform(DOCS)
    with pytest.raises(ValueError):
        vec.get_feature_names_out()
    assert not vec.fixed_vocabulary_


@pytest.mark.parametrize("cls", [tt.CountVectorizer, tt.TfidfVectorizer])
@pytest.mark.parametrize("as_", ["csr", "csc", "dense"])
def test_inverse_transform_as_sklearn(cls, as_):
    ours, theirs = cls().fit(DOCS), _sk(cls)().fit(DOCS)
    X = theirs.transform(DOCS)
    X = {"csr": X, "csc": X.tocsc(), "dense": X.toarray()}[as_]
    got, want = ours.inverse_transform(X), theirs.inverse_transform(X)
    assert isinstance(got, list) and len(got) == len(want)
    for g, w in zip(got, want):
        assert sorted(g) == sorted(w)


def test_idf_setter():
    orig = tt.TfidfVectorizer().fit(DOCS)
    copy = tt.TfidfVectorizer(vocabulary=orig.vocabulary_)
    copy.idf_ = orig.idf_
    _assert_same(copy.transform(DOCS), orig.transform(DOCS))
    copy.idf_ = np.ones(len(orig.vocabulary_))
    _assert_same(copy.transform(DOCS), tt.TfidfVectorizer(
        vocabulary=orig.vocabulary_, use_idf=False).fit(DOCS).transform(DOCS))
    with pytest.raises(ValueError):
        copy.idf_ = np.ones(len(orig.vocabulary_) + 1)
    with pytest.raises(ValueError, match="cannot be set"):
        tt.TfidfVectorizer(vocabulary=orig.vocabulary_, use_idf=False).idf_ = orig.idf_


# -- warnings ------------------------------------------------------------------------------


@pytest.mark.parametrize("params,message,then", [
    # an upper-case vocabulary warns at fit only, not again at transform
    (dict(vocabulary=["Truce", "army"]), "Upper case characters found in vocabulary", "transform"),
    # inconsistent stop words warn once, not again at a second fit
    (dict(stop_words=["you've", "the"]), "stop_words may be inconsistent", "fit"),
])
def test_warns_once(params, message, then):
    vec = tt.CountVectorizer(**params)
    with pytest.warns(UserWarning, match=message):
        vec.fit(DOCS)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        getattr(vec, then)(DOCS)


@pytest.mark.parametrize("params,unused", [
    (dict(analyzer="char", stop_words=["the"]), "stop_words"),
    (dict(analyzer="char", token_pattern=r"\w+"), "token_pattern"),
    (dict(analyzer="char", tokenizer=_split), "tokenizer"),
    (dict(tokenizer=_split, token_pattern=r"\w+"), "token_pattern"),
    (dict(analyzer=_split, preprocessor=_upper), "preprocessor"),
    (dict(analyzer=_split, ngram_range=(1, 2)), "ngram_range"),
])
def test_unused_parameter_warnings(params, unused):
    with pytest.warns(UserWarning, match=f"The parameter '{unused}' will not be used"):
        tt.CountVectorizer(**params).fit(DOCS)


def test_default_parameters_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for cls in VECTORIZERS:
            cls().fit_transform(DOCS)
            cls(tokenizer="unicode").fit_transform(DOCS)


# -- error types and messages --------------------------------------------------------------


@pytest.mark.parametrize("cls", VECTORIZERS)
def test_nan_document(cls):
    with pytest.raises(ValueError, match="np.nan is an invalid document"):
        cls().fit_transform(["a b", np.nan])


@pytest.mark.parametrize("cls", VECTORIZERS)
def test_single_string_input(cls):
    msg = "Iterable over raw text documents expected, string object received."
    with pytest.raises(ValueError, match=msg):
        cls().fit("hello world")


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_classifier_input_errors(cls):
    X = np.random.RandomState(0).rand(10, 3)
    y = np.array([0, 1] * 5)
    with pytest.raises(ValueError, match="Complex data not supported"):
        cls().fit(X + 1j, y)
    Xo = X.astype(object)
    Xo[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="argument must be .* string.* number"):
        cls().fit(Xo, y)
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        cls().fit(X, None)


# -- exceptions ----------------------------------------------------------------------------


def test_exceptions_subclass_sklearn():
    assert issubclass(tt.NotFittedError, SkNotFittedError)
    assert issubclass(tt.NotFittedError, (ValueError, AttributeError))
    assert issubclass(tt.ConvergenceWarning, SkConvergenceWarning)
    with pytest.raises(SkNotFittedError):
        tt.LinearSVC().decision_function(np.ones((2, 2)))
    with pytest.raises(SkNotFittedError):
        tt.TfidfVectorizer().transform(DOCS)


# -- linear classifiers: attributes --------------------------------------------------------


def _binary():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 5)
    y = (X[:, 0] + 0.3 * rng.randn(60) > 0).astype(int)
    return X, y


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_coef_and_intercept_can_be_set(cls):
    X, y = _binary()
    clf = cls().fit(X, y)
    clf.coef_ = np.zeros_like(clf.coef_)
    clf.intercept_ = np.array([1.5])
    np.testing.assert_allclose(clf.decision_function(X), 1.5)
    assert (clf.predict(X) == 1).all()


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_in_place_coef_write_is_refused(cls):
    X, y = _binary()
    clf = cls().fit(X, y)
    before = clf.decision_function(X)
    with pytest.raises(ValueError, match="read-only"):
        clf.coef_[:] = 0
    with pytest.raises(ValueError, match="read-only"):
        clf.intercept_[0] = 3.0
    np.testing.assert_array_equal(clf.decision_function(X), before)


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_sparsify_densify(cls):
    X, y = _binary()
    clf = cls().fit(X, y)
    dense = clf.coef_.copy()
    scores = clf.decision_function(X)
    assert clf.sparsify() is clf and sp.issparse(clf.coef_)
    np.testing.assert_allclose(clf.coef_.toarray(), dense)
    np.testing.assert_allclose(clf.decision_function(X), scores)
    assert clf.densify() is clf and isinstance(clf.coef_, np.ndarray)
    np.testing.assert_allclose(clf.coef_, dense)


def test_n_iter_as_sklearn():
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.svm import LinearSVC as SkSVC

    X, y = _binary()
    y3 = np.arange(len(y)) % 3
    for ours, theirs in [(tt.LinearSVC(), SkSVC()), (tt.LogisticRegression(), SkLR())]:
        for target in (y, y3):
            a, b = ours.fit(X, target).n_iter_, theirs.fit(X, target).n_iter_
            assert type(a) is type(b) or (np.ndim(a) == 0 and np.ndim(b) == 0)
            assert np.shape(a) == np.shape(b)


# -- linear classifiers: constructor parameters --------------------------------------------


def test_constructor_accepts_sklearn_parameters():
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.svm import LinearSVC as SkSVC

    for ours, theirs in [(tt.LinearSVC, SkSVC), (tt.LogisticRegression, SkLR)]:
        missing = set(theirs().get_params()) - set(ours().get_params())
        assert not missing, f"{ours.__name__} lacks {sorted(missing)}"


@pytest.mark.parametrize("cls,params", [
    (tt.LinearSVC, dict(penalty="l2", dual=True, verbose=0)),
    (tt.LinearSVC, dict(dual="auto", multi_class="ovr")),
    (tt.LogisticRegression, dict(solver="lbfgs", l1_ratio=0.0, verbose=0, warm_start=False)),
    (tt.LogisticRegression, dict(dual=True, solver="liblinear")),
    (tt.LogisticRegression, dict(solver="newton-cholesky", penalty="l2")),
    (tt.LogisticRegression, dict(warm_start=True)),
    (tt.LinearSVC, dict(penalty="l1")),
    (tt.LogisticRegression, dict(l1_ratio=0.5, solver="saga")),
    (tt.LogisticRegression, dict(penalty="l1", solver="liblinear")),
])
def test_supported_sklearn_parameter_values_fit(cls, params):
    X, y = _binary()
    assert cls(**params).fit(X, y).score(X, y) > 0.8


@pytest.mark.parametrize("cls,params,word", [
    (tt.LinearSVC, dict(multi_class="crammer_singer"), "multi_class"),
    (tt.LogisticRegression, dict(solver="quasi-newton"), "solver"),
    (tt.LogisticRegression, dict(penalty=None), "penalty"),
])
def test_unsupported_sklearn_parameter_values_say_what_is_supported(cls, params, word):
    X, y = _binary()
    with pytest.raises(ValueError, match=word) as e:
        cls(**params).fit(X, y)
    assert "supported" in str(e.value)


# -- multi-label targets -------------------------------------------------------------------


def _multilabel():
    return make_multilabel_classification(n_samples=80, n_features=10, n_classes=4,
                                          random_state=0)


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
@pytest.mark.parametrize("kind", ["dense", "sparse", "lists01"])
def test_indicator_targets_predict_decision_above_zero(cls, kind):
    X, Y = _multilabel()
    target = {"dense": Y, "sparse": sp.csr_matrix(Y), "lists01": Y.tolist()}[kind]
    clf = cls().fit(X, target)
    pred = clf.predict(X)
    pred = pred.toarray() if sp.issparse(pred) else np.asarray(pred)
    np.testing.assert_array_equal(pred, (clf.decision_function(X) > 0).astype(int))


@pytest.mark.parametrize("cls", [tt.LinearSVC, tt.LogisticRegression])
def test_multilabel_model_selection(cls):
    X, Y = _multilabel()
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(cls(), X, Y, cv=cv)
    assert scores.shape == (3,)
    gs = GridSearchCV(cls(), {"C": [0.1, 1.0]}, cv=cv).fit(X, Y)
    assert gs.best_params_["C"] in (0.1, 1.0)
    GridSearchCV(cls(), {"C": [0.1, 1.0]}, cv=cv).fit(X, sp.csr_matrix(Y))


def _topic_data():
    texts, topics = tt.datasets.load_starter(return_X_y=True)
    mlb = MultiLabelBinarizer()
    return list(texts), mlb.fit_transform(topics), mlb


@pytest.mark.parametrize("sparse_output", [False, True])
def test_topic_classifier_indicator_targets(sparse_output):
    texts, Y, mlb = _topic_data()
    Yk = sp.csr_matrix(Y) if sparse_output else Y
    clf = tt.TopicClassifier().fit(texts, Yk)
    pred = clf.predict(texts[:10])
    assert sp.issparse(pred) == sparse_output
    pred = pred.toarray() if sparse_output else pred
    assert pred.shape == (10, Y.shape[1])
    assert (pred.sum(axis=1) >= 1).all()  # TopicClassifier keeps the at-least-one rule


def test_topic_classifier_multilabel_model_selection():
    texts, Y, _ = _topic_data()
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(tt.TopicClassifier(), texts, Y, cv=cv)
    assert scores.shape == (3,) and (scores > 0).all()
    GridSearchCV(tt.TopicClassifier(), {"C": [0.5, 1.0]}, cv=cv).fit(texts, Y)
