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
* ``tokenizer``: ``None`` (use ``token_pattern``), ``"unicode"`` (UAX #29 words that contain a
  letter or digit, single letters included) or a callable, as scikit-learn's.
* ``analyzer``, ``preprocessor``, ``tokenizer``, ``strip_accents`` may be Python callables, and
  ``input`` may be ``"file"`` or ``"filename"``, as in scikit-learn: those steps run in Python
  per document, the rest in Rust (see ``_SEP`` below; the cost is in docs/sklearn-compat.md).
* ``dtype``: scikit-learn's defaults (int64 counts, float64 TF-IDF and hashing); float32 is
  one ``dtype=np.float32`` away. ``n_jobs``: threads (``None`` = all cores, ``-2`` all but
  one, at most the cores); results are identical for any value.

Processing order: normal form, lowercase, strip accents (scikit-learn's order), tokenise,
stop words, stem, n-grams. ``token_pattern`` other than the default runs on Rust's ``regex``
engine (same syntax for common patterns; no look-around or back-references).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from . import _core
from ._base import (BOOLEAN, CALLABLE, ITERABLE, UNCHECKED, BaseEstimator, Options,
                    TransformerMixin)
from ._input import as_document_list, as_documents
from ._matrix import csr_from_parts, import_scipy_sparse_beside
from ._persist import PersistMixin
from ._state import snapshot_reads, swap_in
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


def _dtype(dtype, allow_int: bool, warn: bool = False):
    """``(numpy dtype of the output, dtype the core computes in)``. An integer dtype where
    only floats make sense (TF-IDF, hashing) gives float64 with scikit-learn's warning."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a numpy float dtype, got {dtype!r}") from None
    if dt in (np.float32, np.float64):
        return dt, dt.name
    if dt.kind in "iu":
        if allow_int:
            return dt, "float64"
        if warn:
            warnings.warn(
                f"Only float64 and float32 'dtype' should be used. {dt} 'dtype' will be "
                "converted to np.float64.",
                UserWarning,
                stacklevel=4,
            )
        return np.dtype(np.float64), "float64"
    raise ValueError(
        f"dtype must be float32 or float64{' or an integer dtype' if allow_int else ''}, got {dt}"
    )


# -- the per-document Python steps (callables, file input, bytes) ---------------------------
#
# The Rust analyzer runs the whole pipeline (normal form, lowercase, strip accents, tokenize,
# stop words, stem, n-grams) with the GIL released. When a step is a Python callable
# (``analyzer``, ``preprocessor``, ``tokenizer``, ``strip_accents``, or an overridden
# ``build_*`` method), that step runs in Python per document, in scikit-learn's order, and the
# rest stays in Rust:
#
# * a callable analyzer gives the features themselves; they are joined with U+001F and the
#   core splits them back (``token_pattern=[^\x1f]+``, no lowercasing, stop words or n-grams),
#   so vocabulary, document frequencies, idf, hashing and norms are the core's;
# * a callable tokenizer gives tokens (of the preprocessed text); joined the same way, the
#   core drops stop words, stems and builds n-grams from them;
# * a callable preprocessor (or strip_accents) gives the text the core tokenizes.
#
# Features or tokens that contain U+001F raise ValueError; empty ones are dropped (scikit-
# learn would count an empty string as a feature). docs/sklearn-compat.md has the cost.

_SEP = "\x1f"
_SEP_PATTERN = r"[^\x1f]+"
_WHOLE_TEXT_PATTERN = r"(?s).+"

_NAN_MESSAGE = "np.nan is an invalid document, expected byte or unicode string."


def _is_nan(doc) -> bool:
    return isinstance(doc, float) and doc != doc


def _join(items) -> str:
    items = list(items)  # any iterable of str, as scikit-learn (a str gives its characters)
    joined = _SEP.join(items)
    if items and joined.count(_SEP) != len(items) - 1:
        bad = next(t for t in items if _SEP in t)
        raise ValueError(f"feature {bad!r} contains U+001F, which topictag cannot count")
    return joined


def _overridden(obj, name: str) -> bool:
    """Whether a subclass overrides the build_* method ``name`` (scikit-learn's idiom for a
    custom analysis: its own fit then uses the override)."""
    return getattr(type(obj), name) is not getattr(_VectorizerBase, name)


class _Built:
    """The callable returned by ``build_analyzer``, ``build_preprocessor`` and
    ``build_tokenizer``: it holds the vectorizer's class and parameters (so it pickles when
    they do) and runs the same steps as ``fit``/``transform``."""

    def __init__(self, vectorizer, what: str):
        self._cls = type(vectorizer)
        self._params = vectorizer.get_params(deep=False)
        self._what = what
        self._fn = vectorizer._make(what)  # checks the parameters now, as scikit-learn does

    def __call__(self, doc):
        return self._fn(doc)

    def __getstate__(self):
        return {"cls": self._cls, "params": self._params, "what": self._what}

    def __setstate__(self, state):
        self._cls, self._params, self._what = state["cls"], state["params"], state["what"]
        self._fn = self._cls(**self._params)._make(self._what)

    def __repr__(self) -> str:
        return f"<topictag {self._what} of {self._cls.__name__}>"


# Types of the parameters. The core checks the values (analyzer, norm, strip_accents,
# stemmer and stop-word names, min_df/max_df ranges, max_features, n_features, the
# vocabulary) and raises ValueError naming the parameter. input, encoding, decode_error,
# preprocessor and callables never reach the core (see _VectorizerBase._plan); the
# ngram_range order is checked in Python too, with scikit-learn's message.
_ANALYZER_CONSTRAINTS: Dict[str, list] = {
    "input": [Options("content", "file", "filename")],
    "encoding": [str],
    "decode_error": [Options("strict", "ignore", "replace")],
    "strip_accents": [str, CALLABLE, None],
    "lowercase": [BOOLEAN],
    "preprocessor": [None, CALLABLE],
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

    def _core_type_params(self, extra: Dict[str, Any]) -> Dict[str, Any]:
        params = {**self._core_params(), **extra}
        if "vocabulary" not in self._param_names:
            params.pop("vocabulary", None)
        return params

    def _check_ngram_range(self) -> None:
        nr = self.ngram_range
        try:
            low, high = nr
        except (TypeError, ValueError):
            return  # the core names the type error
        if isinstance(low, Integral) and isinstance(high, Integral) and low > high:
            raise ValueError(
                f"Invalid value for ngram_range={nr} lower boundary larger than the upper "
                "boundary."
            )

    def _plan(self, with_analyzer_override: bool = True) -> Tuple[Dict[str, Any], Optional[Callable]]:
        """``(core parameters, step)``: ``step`` is None when Rust runs the whole analysis,
        else the per-document Python function whose output (a text, or features/tokens
        joined by U+001F) the core analyses (see the comment above ``_SEP``)."""
        self._validate_params()
        self._check_ngram_range()
        params = self._core_params()
        decode = self.decode
        if with_analyzer_override and _overridden(self, "build_analyzer"):
            analyze = self.build_analyzer()
            params.update(_passthrough())
            return params, _FeaturesStep(analyze, None)
        if callable(self.analyzer):
            params.update(_passthrough())
            return params, _FeaturesStep(self.analyzer, decode)
        pre = None
        if callable(self.preprocessor) or _overridden(self, "build_preprocessor"):
            pre = self.build_preprocessor() if _overridden(self, "build_preprocessor") else self.preprocessor
            params.update(lowercase=False, strip_accents=None, normalization=None)
        elif callable(self.strip_accents):
            pre = _python_preprocessor(self.strip_accents, self.lowercase)
            params.update(lowercase=False, strip_accents=None)
        if params["analyzer"] == "word" and (
            callable(self.tokenizer) or _overridden(self, "build_tokenizer")
        ):
            tokenize = self.build_tokenizer() if _overridden(self, "build_tokenizer") else self.tokenizer
            if pre is None:
                pre = self._make("preprocessor")
            params.update(token_pattern=_SEP_PATTERN, tokenizer=None, lowercase=False,
                          strip_accents=None, normalization=None)
            return params, _TokensStep(tokenize, pre, decode)
        if callable(params["tokenizer"]):
            params["tokenizer"] = None  # not used with a char analyzer (warned at fit)
        if pre is not None:
            return params, _TextStep(pre, decode)
        return params, None

    def _new_core(self, with_analyzer_override: bool = True):
        params, step = self._plan(with_analyzer_override)
        _dtype(self.dtype, self._allow_int_dtype)
        return self._core_type(**params), step

    def _out_dtype(self, warn: bool = False):
        return _dtype(self.dtype, self._allow_int_dtype, warn)

    # -- documents ---------------------------------------------------------------------------
    def decode(self, doc):
        """Turn one input item into text, as scikit-learn's ``decode``: read it
        (``input="file"``: ``doc.read()``; ``"filename"``: the file's bytes), decode bytes
        with ``encoding`` and ``decode_error``; NaN raises ValueError."""
        if self.input == "filename":
            with open(doc, "rb") as fh:
                doc = fh.read()
        elif self.input == "file":
            doc = doc.read()
        if isinstance(doc, bytes):
            doc = doc.decode(self.encoding, self.decode_error)
        if _is_nan(doc):
            raise ValueError(_NAN_MESSAGE)
        return doc

    def _documents(self, raw_documents, step):
        """What the core reads: the documents as given (list, Arrow buffers) when Rust does
        everything and they are all str; otherwise the per-document Python steps' output."""
        if step is None and self.input == "content":
            docs = as_documents(raw_documents, "raw_documents")
            if isinstance(docs, list) and not all(type(d) is str for d in docs):
                docs = [self._decode_at(i, d) if isinstance(d, bytes) or _is_nan(d) else d
                        for i, d in enumerate(docs)]
            return docs
        docs = as_document_list(raw_documents, "raw_documents")
        if step is None:
            return [self._decode_at(i, d) for i, d in enumerate(docs)]
        return [step(d) for d in docs]

    def _decode_at(self, i: int, doc):
        if _is_nan(doc):
            raise ValueError(f"{_NAN_MESSAGE} (documents[{i}])")
        return self.decode(doc)

    # -- processors --------------------------------------------------------------------------
    def _make(self, what: str):
        """The plain function behind ``build_<what>()``."""
        if what == "preprocessor":
            if callable(self.preprocessor):
                return self.preprocessor
            self._validate_params()
            if callable(self.strip_accents):
                return _python_preprocessor(self.strip_accents, self.lowercase)
            return _RustStep(self._core_type(**self._core_type_params(_whole_text())), joined=True)
        if what == "tokenizer":
            if callable(self.tokenizer):
                return self.tokenizer
            self._validate_params()
            return _RustStep(self._core_type(**self._core_type_params(_tokens_only())),
                             joined=False)
        core, step = self._new_core(with_analyzer_override=False)
        return _Analyze(core, step, self.decode)

    def build_analyzer(self):
        """A picklable callable doc -> list of features: the analysis ``fit`` and
        ``transform`` run (decoding included)."""
        return _Built(self, "analyzer")

    def build_preprocessor(self):
        """A picklable callable text -> preprocessed text (the normal form, lowercasing and
        accent stripping of the analysis, or the ``preprocessor`` callable)."""
        return _Built(self, "preprocessor")

    def build_tokenizer(self):
        """A picklable callable text -> list of tokens (``token_pattern`` or ``tokenizer``)."""
        return _Built(self, "tokenizer")

    def get_stop_words(self):
        """The stop words in effect: None, or a frozenset of words. A list name
        (``"english"``: scikit-learn's list, ``"spanish"``), a list of list names or
        ``"auto"`` (the lists of ``languages``) gives the union of those lists; an unknown
        name raises ValueError."""
        sw = self.stop_words
        if sw is None:
            return None
        names = _stop_list_names(sw, self.languages)
        if names is None:
            return frozenset(sw)
        words = set()
        for name in names:
            words.update(_core.stop_word_list(name))
        return frozenset(words)

    # -- warnings (at fit, as scikit-learn) ------------------------------------------------------
    def _warn_at_fit(self) -> None:
        def warn(msg):
            warnings.warn(msg, UserWarning, stacklevel=4)

        default_pattern = self.token_pattern in (None, _DEFAULT_TOKEN_PATTERN)
        # scikit-learn warns for any tokenizer; topictag's tokenizer="unicode" only when a
        # token_pattern other than the default was given too
        if self.tokenizer is not None and self.token_pattern is not None and (
            callable(self.tokenizer) or not default_pattern
        ):
            warn("The parameter 'token_pattern' will not be used since 'tokenizer' is not None")
        if self.preprocessor is not None and callable(self.analyzer):
            warn("The parameter 'preprocessor' will not be used since 'analyzer' is callable")
        if (self.ngram_range is not None and tuple(self.ngram_range) != (1, 1)
                and callable(self.analyzer)):
            warn("The parameter 'ngram_range' will not be used since 'analyzer' is callable")
        if self.analyzer != "word" or callable(self.analyzer):
            if self.stop_words is not None:
                warn("The parameter 'stop_words' will not be used since 'analyzer' != 'word'")
            if not default_pattern:
                warn("The parameter 'token_pattern' will not be used since 'analyzer' != 'word'")
            if self.tokenizer is not None:
                warn("The parameter 'tokenizer' will not be used since 'analyzer' != 'word'")
        vocab = getattr(self, "vocabulary", None)
        if vocab is not None and self.lowercase:
            terms = vocab.keys() if isinstance(vocab, Mapping) else vocab
            if isinstance(terms, (list, tuple, set, frozenset, type({}.keys()))) and any(
                isinstance(t, str) and t != t.lower() for t in terms
            ):
                warn(
                    "Upper case characters found in vocabulary while 'lowercase' is True. "
                    "These entries will not be matched with any documents"
                )
        self._warn_stop_words()

    def _warn_stop_words(self) -> None:
        """scikit-learn's warning about stop words that the preprocessing and tokenizer turn
        into other tokens (so these never match), once per stop-word list. topictag folds
        stop words like the text, so a stop word is consistent when its tokens are stop
        words as written or as preprocessed."""
        sw = self.stop_words
        if sw is None or isinstance(sw, str) or callable(self.analyzer) or self.analyzer != "word":
            return
        if _stop_list_names(sw, self.languages) is not None:
            return
        words = [w for w in sw if isinstance(w, str)]
        if not words:
            return
        key = (tuple(sorted(set(words))), repr(self.preprocessor), repr(self.tokenizer),
               self.token_pattern, self.lowercase, repr(self.strip_accents))
        if self.__dict__.get("_stop_words_checked") == key:
            return
        try:
            pre, tok = self._make("preprocessor"), self._make("tokenizer")
            known = set(words) | {pre(w) for w in words}
            inconsistent = set()
            for w in words:
                for t in tok(pre(w)):
                    if t not in known:
                        inconsistent.add(t)
        except Exception:  # a preprocessor that cannot take a str: nothing to say
            return
        self._stop_words_checked = key
        if inconsistent:
            warnings.warn(
                "Your stop_words may be inconsistent with your preprocessing. Tokenizing the "
                f"stop words generated tokens {sorted(inconsistent)!r} not in stop_words.",
                UserWarning,
                stacklevel=5,
            )

    # -- fitting ---------------------------------------------------------------------------
    def _set_core(self, core, step=None, **more) -> None:
        """Put a fitted core in place, with the state that goes with it, in one step
        (``_state``)."""
        swap_in(self, _core=core, _step=step, _cache={},
                fixed_vocabulary_=bool(core.fixed_vocabulary()), **more)

    def fit(self, raw_documents, y=None):
        """Learn the vocabulary (and idf) of ``raw_documents``: an iterable of str, bytes or,
        with ``input="file"``/``"filename"``, files; or a :class:`topictag.Batches` (files or
        batches read one batch at a time: the vocabulary and idf are those of a fit on all the
        documents, and memory holds one batch and the counts of the distinct features, never
        all the texts)."""
        core, step = self._new_core()
        self._out_dtype(warn=True)
        self._warn_at_fit()
        if isinstance(raw_documents, Batches):
            counts = _core.DfCounts()
            for texts, _ in raw_documents:
                core.count_into(counts, self._documents(texts, step), self.n_jobs)
            self._fit_counts(core, counts, step)
            return self
        if isinstance(raw_documents, (str, bytes)):
            as_documents(raw_documents, "raw_documents")  # scikit-learn's ValueError
        core.fit(self._documents(raw_documents, step), self.n_jobs)
        self._set_core(core, step, _df_counts=None)
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
        core, step = self._new_core()
        core.count_into(counts, self._documents(raw_documents, step), self.n_jobs)
        self._fit_counts(core, counts, step)
        return self

    def fit_counts(self, counts):
        """Fit from document-frequency counts (``topictag._core.DfCounts``) made elsewhere,
        e.g. merged from the partitions of a cluster: the same vocabulary and idf as a fit on
        all the counted documents."""
        self._fit_counts(self._new_core()[0], counts)
        return self

    def _fit_counts(self, core, counts, step=None) -> None:
        core.fit_counts(counts)
        self._set_core(core, step, _df_counts=counts)

    def _pickle_extra(self) -> Dict[str, Any]:
        counts = self.__dict__.get("_df_counts")
        return {} if counts is None else {"df_counts": bytes(counts.to_bytes())}

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary (and idf) and return the document-term matrix (CSR)."""
        if isinstance(raw_documents, Batches):
            return self.fit(raw_documents).transform(raw_documents)
        if isinstance(raw_documents, (str, bytes)):
            as_documents(raw_documents, "raw_documents")
        core, step = self._new_core()
        dt, core_dt = self._out_dtype(warn=True)
        self._warn_at_fit()
        import_scipy_sparse_beside()
        parts = core.fit_transform(self._documents(raw_documents, step), self.n_jobs, core_dt)
        self._set_core(core, step, _df_counts=None)
        return csr_from_parts(parts, dt)

    def transform(self, raw_documents):
        """The document-term matrix (CSR, sorted indices) of ``raw_documents`` (an iterable
        of documents, or a :class:`topictag.Batches`: transformed a batch at a time, one
        matrix)."""
        if isinstance(raw_documents, (str, bytes)):
            as_documents(raw_documents, "raw_documents")
        core = self._transform_core()
        dt, core_dt = self._out_dtype()
        step = self.__dict__.get("_step")
        if isinstance(raw_documents, Batches):
            blocks = [core.transform(self._documents(t, step), self.n_jobs, core_dt)
                      for t, _ in raw_documents]
            return concat_csr(blocks, len(self._names()), dt)
        import_scipy_sparse_beside()
        parts = core.transform(self._documents(raw_documents, step), self.n_jobs, core_dt)
        return csr_from_parts(parts, dt)

    def _transform_core(self):
        self._ensure_vocabulary()
        self._check_is_fitted()
        return self._core

    def _ensure_vocabulary(self) -> None:
        """With a fixed ``vocabulary``, the fitted state needs no documents: build it on first
        use (as scikit-learn's transform, vocabulary_ and get_feature_names_out do)."""
        if self._is_fitted():
            return
        if getattr(self, "vocabulary", None) is None:
            # on the instance, not on the snapshot a reading method runs on: scikit-learn's
            # vocabulary check leaves fixed_vocabulary_ = False on an unfitted vectorizer
            self.fixed_vocabulary_ = False
            return
        core, step = self._new_core()
        core.fit([], self.n_jobs)
        self._set_core(core, step)

    def _is_fitted(self) -> bool:
        return "_core" in vars(self) and "fixed_vocabulary_" in vars(self)

    # -- fitted attributes (built on first access) -------------------------------------------
    def _names(self):
        self._ensure_vocabulary()
        if not self._is_fitted():
            self.fixed_vocabulary_ = False  # as scikit-learn's vocabulary check leaves it
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
        if not self._is_fitted() and getattr(self, "vocabulary", None) is None:
            raise AttributeError("vocabulary_")
        names = self._names()
        c = self._cache
        if "vocab" not in c:
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

    def inverse_transform(self, X):
        """The terms with a non-zero value in each row of ``X`` (sparse or dense, one row per
        document): a list of arrays, as scikit-learn's."""
        import scipy.sparse as sp

        names = self.get_feature_names_out()
        if sp.issparse(X):
            X = sp.csr_matrix(X, copy=True)
        else:
            arr = np.asarray(X)
            if arr.ndim != 2:
                raise ValueError(f"Expected a 2D array, got shape {arr.shape}")
            X = sp.csr_matrix(arr)
        if X.shape[1] != len(names):
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} has "
                f"{len(names)} columns"
            )
        X.eliminate_zeros()
        X.sort_indices()
        return [names[X.indices[X.indptr[i] : X.indptr[i + 1]]] for i in range(X.shape[0])]

    def analyze_spans(self, doc: str):
        """``[(feature, start, end)]`` for every feature occurrence in ``doc``, with ``start`` and
        ``end`` str indices into ``doc`` (n-grams span from their first to their last token).
        Rust analysis only: not with callables."""
        core, step = self._new_core()
        if step is not None:
            raise ValueError("analyze_spans needs the Rust analysis; it does not run callables")
        return core.analyze_spans(doc)

    # -- persistence (PersistMixin hooks) ---------------------------------------------------
    def _saved_core(self):
        core = super()._saved_core()
        _refuse_python_steps(self, self.__dict__.get("_step"))
        return core

    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        self._set_core(core)
        if extra.get("df_counts") is not None:
            self._df_counts = _core.DfCounts.from_bytes(extra["df_counts"])

    def __setstate__(self, state):
        super().__setstate__(state)
        if self.__dict__.get("_core") is not None:  # the callables come back with the params
            try:
                self._step = self._plan()[1]
            except Exception:
                self._step = None

    def _input_tags(self) -> Dict[str, bool]:
        return {"string": True, "two_d_array": False, "sparse": False}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _refuse_python_steps(vectorizer, step) -> None:
    """The model file runs no code, so it cannot hold an analysis with Python steps."""
    if step is not None:
        raise ValueError(
            f"cannot save this {type(vectorizer).__name__}: part of its analysis runs Python "
            "code (a callable analyzer, tokenizer, preprocessor or strip_accents, or an "
            "overridden build_* method), which a topictag model file cannot hold; pickle it "
            "instead"
        )


def _passthrough() -> Dict[str, Any]:
    """Core parameters that count features given joined by U+001F, unchanged."""
    return dict(analyzer="word", token_pattern=_SEP_PATTERN, tokenizer=None, lowercase=False,
                strip_accents=None, normalization=None, stop_words=None, stemmer=None,
                language=None, ngram_range=(1, 1))


def _whole_text() -> Dict[str, Any]:
    """Core parameters whose analysis is the preprocessing alone (one token: the text)."""
    return dict(analyzer="word", token_pattern=_WHOLE_TEXT_PATTERN, tokenizer=None,
                stop_words=None, stemmer=None, ngram_range=(1, 1), vocabulary=None)


def _tokens_only() -> Dict[str, Any]:
    """Core parameters whose analysis is the tokenizer alone (no preprocessing)."""
    return dict(analyzer="word", lowercase=False, strip_accents=None, normalization=None,
                stop_words=None, stemmer=None, ngram_range=(1, 1), vocabulary=None)


def _python_preprocessor(strip_accents, lowercase: bool):
    return _LowerStrip(strip_accents) if lowercase else strip_accents


class _LowerStrip:
    """scikit-learn's order: lowercase, then the accent function."""

    def __init__(self, strip):
        self.strip = strip

    def __call__(self, doc):
        return self.strip(doc.lower())


class _FeaturesStep:
    """A callable analyzer's features, joined for the core (decoding first unless the
    analyzer is a built one, which decodes itself)."""

    def __init__(self, analyzer, decode):
        self.analyzer, self.decode = analyzer, decode

    def __call__(self, doc):
        return _join(self.analyzer(doc if self.decode is None else self.decode(doc)))


class _TokensStep:
    def __init__(self, tokenize, preprocess, decode):
        self.tokenize, self.preprocess, self.decode = tokenize, preprocess, decode

    def __call__(self, doc):
        return _join(self.tokenize(self.preprocess(self.decode(doc))))


class _TextStep:
    def __init__(self, preprocess, decode):
        self.preprocess, self.decode = preprocess, decode

    def __call__(self, doc):
        return self.preprocess(self.decode(doc))


class _RustStep:
    """A core's analysis as one processing step (preprocessor or tokenizer)."""

    def __init__(self, core, joined: bool):
        self.core, self.joined = core, joined

    def __call__(self, doc):
        out = self.core.analyze(doc)
        if self.joined:
            return out[0] if out else ""
        return out


class _Analyze:
    """``build_analyzer()``'s function: the Python steps, then the core's analysis."""

    def __init__(self, core, step, decode):
        self.core, self.step, self.decode = core, step, decode

    def __call__(self, doc):
        if self.step is not None:
            return self.core.analyze(self.step(doc))
        return self.core.analyze(self.decode(doc))


def _stop_list_names(stop_words, languages) -> Optional[List[str]]:
    """The built-in list names that ``stop_words`` stands for, or None for a list of words
    (the core's rule: a list whose items are all built-in list names is a list of names)."""
    known = set(_core.stop_word_languages())
    if isinstance(stop_words, str):
        return list(languages or ()) if stop_words == "auto" else [stop_words]
    items = list(stop_words)
    if items and all(isinstance(w, str) and w.lower() in known for w in items):
        return items
    return None


class CountVectorizer(_VectorizerBase):
    """Token (n-gram) counts, as ``sklearn.feature_extraction.text.CountVectorizer``.

    Parameters match scikit-learn's (see the module docstring for the topictag extensions
    ``normalization``, ``stemmer``, ``language``, ``languages``, ``tokenizer='unicode'`` and
    ``n_jobs``). ``min_df``/``max_df``: an int is a document count, a float in [0, 1] a
    proportion; ``max_features`` keeps the terms of highest corpus frequency (ties: alphabetical).
    ``vocabulary``: a mapping term -> column or an iterable of terms (fixed; no pruning).
    Returns ``scipy.sparse.csr_matrix`` with sorted indices, int64 unless ``dtype`` says else
    (scikit-learn's default; float32/float64 come from the same counting).
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
        dtype=np.int64,
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
    All of ``CountVectorizer``'s parameters apply (see the module docstring). Output is float64
    by default, as scikit-learn's (``dtype=np.float32`` computes in single precision, faster
    and half the memory). ``idf_`` can be set (scikit-learn's way to reuse an idf).
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
        dtype=np.float64,
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
        """The idf of each column (only with ``use_idf=True``), in the output dtype,
        read-only. Can be set (scikit-learn's way to reuse an idf): one value per column of
        the fitted or fixed vocabulary."""
        if not self._is_fitted() or not self.use_idf or self.__dict__.get("_idf_pending"):
            raise AttributeError("idf_")
        c = self._cache
        if "idf" not in c:
            idf = self._core.idf()
            if idf is None:
                raise AttributeError("idf_")
            idf = np.array(idf, dtype=self._out_dtype()[0])
            idf.flags.writeable = False  # the core holds the values: set idf_ to change them
            c["idf"] = idf
        return c["idf"]

    @idf_.setter
    def idf_(self, value):
        if not self.use_idf:
            # scikit-learn's message, word for word ("user_idf" included): code matches on it
            raise ValueError("`idf_` cannot be set when `user_idf=False`.")
        self._ensure_vocabulary()
        if not self._is_fitted():
            raise NotFittedError(
                "idf_ can be set on a fitted TfidfVectorizer or on one with a fixed vocabulary"
            )
        idf = np.asarray(value, dtype=np.float64)
        n = len(self._names())
        if idf.ndim != 1 or idf.shape[0] != n:
            raise ValueError(
                f"idf length = {idf.shape[0] if idf.ndim == 1 else idf.shape} must be equal "
                f"to vocabulary size = {n}"
            )
        self._core.set_idf(np.ascontiguousarray(idf))
        self._cache.pop("idf", None)
        self._idf_pending = False

    def _set_core(self, core, step=None, **more) -> None:
        super()._set_core(core, step, _idf_pending=False, **more)

    def _ensure_vocabulary(self) -> None:
        fresh = not self._is_fitted()
        super()._ensure_vocabulary()
        if fresh and self._is_fitted() and self.use_idf:
            self._idf_pending = True  # the vocabulary is known, the idf is not

    def _transform_core(self):
        core = super()._transform_core()
        if self.__dict__.get("_idf_pending"):
            raise NotFittedError(
                "The TF-IDF vectorizer is not fitted: call fit, or set idf_ (the vocabulary "
                "is fixed, the idf is not)"
            )
        return core


class HashingVectorizer(_VectorizerBase):
    """Hashed n-gram features, as ``sklearn.feature_extraction.text.HashingVectorizer``:
    column ``|h| % n_features`` of the signed 32-bit MurmurHash3 (seed 0) ``h`` of each feature,
    sign of ``h`` with ``alternate_sign``, then ``binary`` and the row ``norm``. Stateless:
    ``fit`` only checks the parameters. Output float64 unless ``dtype`` says else.
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
        dtype=np.float64,
        normalization=None,
        stemmer=None,
        language=None,
        languages=("english", "spanish"),
        n_jobs=None,
    ):
        self._store_params(locals())

    def _set_core(self, core, step=None, **more) -> None:
        swap_in(self, _core=core, _step=step, _cache={}, **more)

    def _is_fitted(self) -> bool:
        return True  # stateless, like scikit-learn's

    def fit(self, X=None, y=None):
        """Check the parameters (nothing to learn)."""
        if isinstance(X, (str, bytes)):
            as_documents(X, "raw_documents")
        self._set_core(*self._new_core())
        self._out_dtype(warn=True)
        self._warn_at_fit()
        return self

    def partial_fit(self, X=None, y=None):
        return self

    def transform(self, X):
        """The hashed feature matrix (CSR, sorted indices) of ``X``."""
        if isinstance(X, (str, bytes)):
            as_documents(X, "raw_documents")
        core, step = self._new_core()
        dt, core_dt = self._out_dtype()
        import_scipy_sparse_beside()
        parts = core.transform(self._documents(X, step), self.n_jobs, core_dt)
        return csr_from_parts(parts, dt)

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def _saved_core(self):
        core, step = self._new_core()  # stateless: nothing to fit before saving
        _refuse_python_steps(self, step)
        return core

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


# a refit while another thread transforms: each call reads the old state or the new one (_state)
for _cls in (_VectorizerBase, CountVectorizer, TfidfVectorizer, HashingVectorizer):
    snapshot_reads(_cls, ("transform", "inverse_transform"))
