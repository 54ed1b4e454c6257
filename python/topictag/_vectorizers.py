"""Text vectorizers with scikit-learn's API, computed in Rust.

``CountVectorizer``, ``TfidfVectorizer`` and ``HashingVectorizer`` take scikit-learn's parameter
names and give the same vocabulary, columns and values (to float rounding) for the same
parameters, plus topictag extensions for multilingual news:

* ``stop_words``: ``None``, ``"english"`` (scikit-learn's list), ``"spanish"`` (Snowball's list),
  ``"auto"`` (the detected language's list with ``language="auto"``, else the first of
  ``languages``), a list of language names (the union of their lists) or a list of words. Stop
  words go through the same lowercasing / accent stripping / normal form as the text, so
  ``"Él"`` in a list matches the token ``"el"`` after folding (scikit-learn compares the raw list).
* ``stemmer``: ``None``, a Snowball language (``"english"``, ``"spanish"``, ``"french"``,
  ``"german"``, ``"italian"``, ``"portuguese"``, ...) or ``"auto"`` (the document's language with
  ``language="auto"``, else the first of ``languages``). Tokens are found in the lowercased
  text, stop words dropped, each token stemmed with its accents (Snowball's Spanish suffixes
  carry accents: "-ación"), then accents are stripped from the stem if ``strip_accents`` is set.
  With Spanish stemming and accent stripping, a word ending in an unaccented "-ion" is read as
  "-ión" (the accent is usually just missing), so "negociacion" joins "negociación".
* ``language``: ``None`` or ``"auto"``: detect each document's language (whatlang, first 1,024
  bytes) among ``languages`` (default ``("english", "spanish")``); undetected -> the first.
* ``normalization``: ``None``, ``"nfc"`` or ``"nfkc"``, applied before everything else.
* ``tokenizer``: ``None`` (use ``token_pattern``) or ``"unicode"`` (UAX #29 words that contain a
  letter or digit, single letters included). Callables are not supported (analysis runs in
  Rust without the GIL).
* ``dtype``: float32 by default (float64 on request; ``CountVectorizer`` also takes integer
  dtypes), ``n_jobs``: threads (``None`` = all cores); results are identical for any value.

Processing order: normal form, lowercase, strip accents (scikit-learn's order), tokenise,
stop words, stem, n-grams. ``token_pattern`` other than the default runs on Rust's ``regex``
engine (same syntax for common patterns; no look-around or back-references).
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, Dict

import numpy as np

from . import _core
from ._base import (BOOLEAN, CALLABLE, ITERABLE, UNCHECKED, BaseEstimator, Options,
                    TransformerMixin, Unsupported)
from ._input import as_documents
from ._matrix import csr_from_parts
from ._persist import PersistMixin
from ._stream import Batches, concat_csr
from .exceptions import NotFittedError

_ANALYZER_PARAMS = (
    "analyzer", "ngram_range", "lowercase", "token_pattern", "tokenizer", "strip_accents",
    "normalization", "stop_words", "stemmer", "language", "languages",
)
_COUNT_PARAMS = ("min_df", "max_df", "max_features", "vocabulary", "binary")
_TFIDF_PARAMS = ("norm", "use_idf", "smooth_idf", "sublinear_tf")
_HASHING_PARAMS = ("n_features", "alternate_sign", "norm", "binary")

_DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def _dtype(dtype, allow_int: bool):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a numpy float dtype, got {dtype!r}") from None
    if dt in (np.float32, np.float64):
        return dt, dt.name
    if allow_int and dt.kind in "iu":
        return dt, "float64"
    raise ValueError(
        f"dtype must be float32 or float64{' or an integer dtype' if allow_int else ''}, got {dt}"
    )


# Types of the parameters. The core checks the values (analyzer, norm, strip_accents,
# stemmer and stop-word names, ngram_range order, min_df/max_df ranges, max_features,
# n_features, the vocabulary, callables given for analyzer or tokenizer) and raises
# ValueError naming the parameter. input and preprocessor never reach the core.
_ANALYZER_CONSTRAINTS: Dict[str, list] = {
    "input": [Options("content", hint="topictag reads the documents themselves "
                      "(input='content'); read files into str first")],
    "encoding": [str],
    "decode_error": [str],
    "strip_accents": [str, None],
    "lowercase": [BOOLEAN],
    "preprocessor": [None, Unsupported(CALLABLE, "callables are not supported by topictag")],
    "tokenizer": [str, CALLABLE, None],
    "stop_words": [str, ITERABLE, None],
    "token_pattern": [str, None],
    "ngram_range": [tuple, list],
    "analyzer": [str, CALLABLE],
    "dtype": [UNCHECKED],  # converted by _dtype
    "normalization": [str, None],
    "stemmer": [str, None],
    "language": [str, None],
    "languages": [ITERABLE, None],
    "n_jobs": [Integral, None],
}
_COUNT_CONSTRAINTS: Dict[str, list] = {
    **_ANALYZER_CONSTRAINTS,
    "max_df": [Real],
    "min_df": [Real],
    "max_features": [Integral, None],
    "vocabulary": [Mapping, ITERABLE, None],
    "binary": [BOOLEAN],
}


class _VectorizerBase(PersistMixin, TransformerMixin, BaseEstimator):
    _param_names: tuple = ()
    _allow_int_dtype = False

    # -- parameters ------------------------------------------------------------------------
    def _core_params(self) -> Dict[str, Any]:
        out = {}
        for name in self._param_names:
            v = getattr(self, name)
            if isinstance(v, (set, frozenset)):
                v = sorted(v)
            out[name] = v
        return out

    def _new_core(self):
        self._validate_params()
        _dtype(self.dtype, self._allow_int_dtype)
        return self._core_type(**self._core_params())

    def _out_dtype(self):
        return _dtype(self.dtype, self._allow_int_dtype)

    # -- fitting ---------------------------------------------------------------------------
    def _set_core(self, core) -> None:
        self._core = core
        self._cache = {}
        self.fixed_vocabulary_ = bool(core.fixed_vocabulary())

    def fit(self, raw_documents, y=None):
        """Learn the vocabulary (and idf) of ``raw_documents``: an iterable of str, or a
        :class:`topictag.Batches` (files or batches read one batch at a time: the vocabulary
        and idf are those of a fit on all the documents, and memory holds one batch and the
        counts of the distinct features, never all the texts)."""
        if isinstance(raw_documents, Batches):
            core = self._new_core()
            counts = _core.DfCounts()
            for texts, _ in raw_documents:
                core.count_into(counts, as_documents(texts, "raw_documents"), self.n_jobs)
            self._fit_counts(core, counts)
            return self
        core = self._new_core()
        core.fit(as_documents(raw_documents, "raw_documents"), self.n_jobs)
        self._set_core(core)
        self.__dict__.pop("_df_counts", None)
        return self

    def partial_fit(self, raw_documents, y=None):
        """Add ``raw_documents`` (an iterable of str) to what the vectorizer has seen: the
        vocabulary and idf become those of a ``fit`` on every document given to
        ``partial_fit`` so far (document and term frequencies are kept per distinct feature,
        not the documents). With a fixed ``vocabulary`` the columns never change, so a
        classifier's ``partial_fit`` can follow; a learned vocabulary may grow with each
        call."""
        counts = self.__dict__.get("_df_counts")
        if counts is None:
            counts = _core.DfCounts()
        core = self._new_core()
        core.count_into(counts, as_documents(raw_documents, "raw_documents"), self.n_jobs)
        self._fit_counts(core, counts)
        return self

    def fit_counts(self, counts):
        """Fit from document-frequency counts (``topictag._core.DfCounts``) made elsewhere,
        e.g. merged from the partitions of a cluster: the same vocabulary and idf as a fit on
        all the counted documents."""
        self._fit_counts(self._new_core(), counts)
        return self

    def _fit_counts(self, core, counts) -> None:
        core.fit_counts(counts)
        self._set_core(core)
        self._df_counts = counts

    def _pickle_extra(self) -> Dict[str, Any]:
        counts = self.__dict__.get("_df_counts")
        return {} if counts is None else {"df_counts": bytes(counts.to_bytes())}

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary (and idf) and return the document-term matrix (CSR)."""
        if isinstance(raw_documents, Batches):
            return self.fit(raw_documents).transform(raw_documents)
        self.__dict__.pop("_df_counts", None)
        core = self._new_core()
        dt, core_dt = self._out_dtype()
        parts = core.fit_transform(as_documents(raw_documents, "raw_documents"), self.n_jobs, core_dt)
        self._set_core(core)
        return csr_from_parts(parts, dt)

    def transform(self, raw_documents):
        """The document-term matrix (CSR, sorted indices) of ``raw_documents`` (an iterable
        of str, or a :class:`topictag.Batches`: transformed a batch at a time, one matrix)."""
        self._check_is_fitted()
        dt, core_dt = self._out_dtype()
        if isinstance(raw_documents, Batches):
            blocks = [self._core.transform(as_documents(t, "raw_documents"), self.n_jobs, core_dt)
                      for t, _ in raw_documents]
            return concat_csr(blocks, len(self._names()), dt)
        parts = self._core.transform(as_documents(raw_documents, "raw_documents"), self.n_jobs, core_dt)
        return csr_from_parts(parts, dt)

    def _is_fitted(self) -> bool:
        return "_core" in vars(self) and "fixed_vocabulary_" in vars(self)

    # -- fitted attributes (built on first access) -------------------------------------------
    def _names(self):
        if not self._is_fitted():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        c = self._cache
        if "names" not in c:
            c["names"] = self._core.feature_names()
        return c["names"]

    @property
    def vocabulary_(self) -> Dict[str, int]:
        """Mapping term -> column."""
        if not self._is_fitted():
            raise AttributeError("vocabulary_")
        c = self._cache
        if "vocab" not in c:
            names = self._names()
            c["vocab"] = dict(zip(names, range(len(names))))
        return c["vocab"]

    @property
    def stop_words_(self):
        """Terms dropped by ``min_df``, ``max_df`` or ``max_features`` in the last fit (a set;
        ``None`` for a loaded model: it is not saved). Absent with a fixed vocabulary."""
        if not self._is_fitted() or self.fixed_vocabulary_:
            raise AttributeError("stop_words_")
        c = self._cache
        if "stop" not in c:
            sw = self._core.stop_words()
            c["stop"] = None if sw is None else set(sw)
        return c["stop"]

    def get_feature_names_out(self, input_features=None):
        """Column names: the terms, in column order (alphabetical after fit)."""
        return np.asarray(self._names(), dtype=object)

    def build_analyzer(self):
        """A callable doc -> list of features (runs the Rust analyzer)."""
        core = self._core if self._is_fitted() else self._new_core()

        def analyze(doc):
            return core.analyze(doc)

        return analyze

    def analyze_spans(self, doc: str):
        """``[(feature, start, end)]`` for every feature occurrence in ``doc``, with ``start`` and
        ``end`` str indices into ``doc`` (n-grams span from their first to their last token)."""
        core = self._core if self._is_fitted() else self._new_core()
        return core.analyze_spans(doc)

    # -- persistence (PersistMixin hooks) ---------------------------------------------------
    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        self._set_core(core)
        if extra.get("df_counts") is not None:
            self._df_counts = _core.DfCounts.from_bytes(extra["df_counts"])

    def _input_tags(self) -> Dict[str, bool]:
        return {"string": True, "two_d_array": False, "sparse": False}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


class CountVectorizer(_VectorizerBase):
    """Token (n-gram) counts, as ``sklearn.feature_extraction.text.CountVectorizer``.

    Parameters match scikit-learn's (see the module docstring for the topictag extensions
    ``normalization``, ``stemmer``, ``language``, ``languages``, ``tokenizer='unicode'`` and
    ``n_jobs``). ``min_df``/``max_df``: an int is a document count, a float in [0, 1] a
    proportion; ``max_features`` keeps the terms of highest corpus frequency (ties: alphabetical).
    ``vocabulary``: a mapping term -> column or an iterable of terms (fixed; no pruning).
    Returns ``scipy.sparse.csr_matrix`` with sorted indices, float32 unless ``dtype`` says else.
    """

    _core_type = _core.CountCore
    _file_kind = "CountVectorizer"
    _parameter_constraints = _COUNT_CONSTRAINTS
    _param_names = _ANALYZER_PARAMS + _COUNT_PARAMS
    _allow_int_dtype = True

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=_DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        analyzer="word",
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.float32,
        normalization=None,
        stemmer=None,
        language=None,
        languages=("english", "spanish"),
        n_jobs=None,
    ):
        self._store_params(locals())


class TfidfVectorizer(CountVectorizer):
    """TF-IDF features, as ``sklearn.feature_extraction.text.TfidfVectorizer``.

    ``idf = ln((1 + n) / (1 + df)) + 1`` (``ln(n / df) + 1`` without ``smooth_idf``);
    ``sublinear_tf`` uses ``1 + ln(tf)``; rows are normalised by ``norm`` ('l2', 'l1' or None).
    All of ``CountVectorizer``'s parameters apply (see the module docstring). Output is float32
    by default (``dtype=np.float64`` for double precision).
    """

    _core_type = _core.TfidfCore
    _file_kind = "TfidfVectorizer"
    _parameter_constraints = {
        **_COUNT_CONSTRAINTS,
        "norm": [str, None],
        "use_idf": [BOOLEAN],
        "smooth_idf": [BOOLEAN],
        "sublinear_tf": [BOOLEAN],
    }
    _param_names = _ANALYZER_PARAMS + _COUNT_PARAMS + _TFIDF_PARAMS
    _allow_int_dtype = False

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        analyzer="word",
        stop_words=None,
        token_pattern=_DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.float32,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=False,
        normalization=None,
        stemmer=None,
        language=None,
        languages=("english", "spanish"),
        n_jobs=None,
    ):
        self._store_params(locals())

    @property
    def idf_(self):
        """The idf of each column (only with ``use_idf=True``)."""
        if not self._is_fitted() or not self.use_idf:
            raise AttributeError("idf_")
        c = self._cache
        if "idf" not in c:
            idf = self._core.idf()
            if idf is None:
                raise AttributeError("idf_")
            c["idf"] = idf.astype(self._out_dtype()[0], copy=False)
        return c["idf"]


class HashingVectorizer(_VectorizerBase):
    """Hashed n-gram features, as ``sklearn.feature_extraction.text.HashingVectorizer``:
    column ``|h| % n_features`` of the signed 32-bit MurmurHash3 (seed 0) ``h`` of each feature,
    sign of ``h`` with ``alternate_sign``, then ``binary`` and the row ``norm``. Stateless:
    ``fit`` only checks the parameters. Output float32 unless ``dtype`` says else.
    """

    _core_type = _core.HashingCore
    _file_kind = "HashingVectorizer"
    _parameter_constraints = {
        **_ANALYZER_CONSTRAINTS,
        "n_features": [Integral],
        "binary": [BOOLEAN],
        "norm": [str, None],
        "alternate_sign": [BOOLEAN],
    }
    _param_names = _ANALYZER_PARAMS + _HASHING_PARAMS

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=_DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        analyzer="word",
        n_features=2**20,
        binary=False,
        norm="l2",
        alternate_sign=True,
        dtype=np.float32,
        normalization=None,
        stemmer=None,
        language=None,
        languages=("english", "spanish"),
        n_jobs=None,
    ):
        self._store_params(locals())

    def _set_core(self, core) -> None:
        self._core = core
        self._cache = {}

    def _is_fitted(self) -> bool:
        return True  # stateless, like scikit-learn's

    def fit(self, X=None, y=None):
        """Check the parameters (nothing to learn)."""
        self._set_core(self._new_core())
        return self

    def partial_fit(self, X=None, y=None):
        return self

    def transform(self, X):
        """The hashed feature matrix (CSR, sorted indices) of ``X``."""
        core = self._new_core()
        dt, core_dt = self._out_dtype()
        parts = core.transform(as_documents(X, "X"), self.n_jobs, core_dt)
        return csr_from_parts(parts, dt)

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def build_analyzer(self):
        core = self._new_core()
        return lambda doc: core.analyze(doc)

    def analyze_spans(self, doc: str):
        return self._new_core().analyze_spans(doc)

    def _saved_core(self):
        return self._new_core()  # stateless: nothing to fit before saving

    def get_feature_names_out(self, input_features=None):
        raise AttributeError("HashingVectorizer has no feature names (features are hashed)")

    @property
    def vocabulary_(self):
        raise AttributeError("HashingVectorizer has no vocabulary_ (features are hashed)")

    @property
    def stop_words_(self):
        raise AttributeError("HashingVectorizer has no stop_words_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


__all__ = ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"]
