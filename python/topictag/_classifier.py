"""TopicClassifier: raw text in, topics out.

One Rust object (``_core.TopicModel``: TF-IDF vectorizer + sparse linear model + topic names)
does the work; prediction from raw text is a single Rust call that releases the GIL and makes
no Python object per document. This module parses labels, validates parameters and formats
results.
"""

from __future__ import annotations

import html
import json
import os
import time
import warnings
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._base import BaseEstimator, ClassifierMixin
from ._evaluate import EvaluationReport
from ._explain import Contribution, Explanation, top_terms_output
from ._input import as_documents, n_documents
from .exceptions import ConvergenceWarning

_MODELS = ("svm", "logistic")

# Default features, chosen by measurement (2026-11-22, `svm`, C=1, word uni+bigrams, sublinear
# tf; BBC stratified 75/25 seed 0; ConfliBERT cameo_class train/test; bilingual = cameo_class
# train + half of the Spanish CAMEO sentences (roots mapped to PentaClass), scored on the other
# half; Reuters R90 micro-F1):
#
#   features                          BBC     cameo   es(bi)  cameo(bi)  Reuters
#   sklearn-like (no norm/fold/lang)  0.9874  0.6408  0.9333  0.6452     0.8355
#   NFKC + accent folding + auto      0.9874  0.6408  0.9333  0.6475     0.8355
#   + stemmer="auto"                  0.9892  0.6430  0.9481  0.6253     0.8345
#   + stop_words="auto"               0.9856  0.6075  0.9407  0.6075     0.8512
#   + both                            0.9856  0.5787  0.9481  0.5854     0.8519
#
# Stop words cost 3-6 points on the CAMEO event sentences (function words such as "against"
# or "not" carry the event type) and stemming is mixed (+1.5 on Spanish, -2 on the bilingual
# English test), so neither is on by default; both are one parameter away for topic-style
# corpora (Reuters gains 1.6 points from stop words). Per-document language detection only
# matters with stemmer="auto" / stop_words="auto", and it made prediction 3.5x slower on AG
# News (0.149 s vs 0.042 s for 3,800 items) at equal accuracy, so language=None by default.
# NFKC + accent folding cost nothing measurable (0.042 s vs 0.044 s plain) and make
# unaccented Spanish ("accion", "negociacion") match accented text, so they stay on.
#
# allow_empty, class_weight, min_df (2026-11-22, second round; same splits, except BBC is
# shuffled with seed 0 before the split as in tests/test_classifier.py, hence 0.973 rather
# than 0.987 above). Multi-class columns: accuracy (cameo also macro-F1). Reuters R90 test:
# micro-F1 / macro-F1 / subset accuracy and fit time (2 shared cores). Starter corpus
# (multi-label, 297 paragraphs): 5-fold cross_validate macro-F1 / micro-F1. All rows but the
# first use allow_empty=False.
#
#   svm, C=1                  BBC    cameo (mF1)    es(bi) cameo(bi) Reuters                  starter
#   allow_empty=True (old)    .9731  .6408 (.6201)  .9333  .6475     .8355/.3228/.7741  18 s  .520/.544
#   allow_empty=False (new)   .9731  .6408 (.6201)  .9333  .6475     .8671/.4523/.8370  10 s  .739/.751
#   + min_df=2                .9749  .6341 (.6219)  .9407  .6319     .8690/.4631/.8400   6 s  .778/.788
#   + class_weight=balanced   .9731  .6364 (.6152)  .9259  .6319     .8641/.4829/.8294 136 s* .808/.814
#   + balanced, min_df=2      .9749  .6408 (.6291)  .9407  .6341     .8667/.4911/.8357  90 s* .847/.853
#   + balanced, stemmer=auto  .9767  .6430 (.6296)  .9481  .6253     .8674/.4831/.8347 135 s* .822/.828
#   + balanced, stop_words=a. .9803  .6053 (.5873)  .9407  .5987     .8739/.4958/.8364 134 s* .811/.818
#   (* did not converge within max_iter=1000)
#   logistic, C=1             .9641  .5809 (.5475)  .8815  .5831     -                        .707/.718
#   logistic, balanced        .9695  .5876 (.5694)  .8741  .5610     -                        .807/.811
#   logistic, allow_empty=True                                                                .000/.000
#
# Decisions. allow_empty=False: it only changes multi-label predictions, and there it is the
# largest gain measured (Reuters +3.2 micro-F1 / +13 macro-F1, starter +22 points; with
# model="logistic" on the starter corpus allow_empty=True predicted nothing at all), and it
# matches topictag.LinearSVC/LogisticRegression. class_weight stays None: on multi-class data
# "balanced" is neutral to negative (cameo -0.4, bilingual English -1.6), and on multi-label
# data it raises macro-F1 (rare topics) but lowers Reuters micro-F1 by 0.3, makes the Reuters
# fit 14x slower and stops it converging in 1000 iterations (each one-vs-rest problem of a rare
# topic gets a positive weight of n/(2 n_pos), up to ~4,000, i.e. a very large effective C);
# it is the first setting to try for multi-label data where rare topics matter (the demo uses
# it). min_df stays 1: min_df=2 helps the multi-label sets but costs 0.7-1.6 points on the
# CAMEO sentences. Stemming and stop words stay off (mixed, as in the first table).
#
# The ConvergenceWarning of class_weight="balanced" on Reuters is expected: scikit-learn's
# OneVsRestClassifier(LinearSVC(class_weight="balanced")) (max_iter=1000, tol=1e-4) on the same
# scikit-learn TF-IDF matrix also stops at 1000 iterations for 7 of the 90 topics (alum,
# carcass, ipi, oat, silver, tin, yen); topictag.LinearSVC on that matrix stops for the same 7
# plus jobs (median 47.5 iterations over the 90 topics, 28 without weights), and both give
# micro-F1 0.8515 / macro-F1 0.4102 (positive decision values; 0.8641 / 0.4829 with the best
# topic forced, as here). Wall time on that matrix (2 busy shared cores): scikit-learn 27 s
# unweighted / 72 s balanced, topictag.LinearSVC 15 s / 135 s.

# Parameters handed to the TF-IDF vectorizer core (same names and meanings as
# topictag.TfidfVectorizer).
_VECTORIZER_PARAMS = (
    "analyzer", "ngram_range", "lowercase", "strip_accents", "normalization", "stop_words",
    "stemmer", "language", "languages", "token_pattern", "tokenizer", "min_df", "max_df", "max_features",
    "sublinear_tf", "norm", "use_idf", "smooth_idf", "binary",
)


# ISO 639-1 codes of the languages with a Snowball stemmer in the core (src/text/analyzer.rs),
# for `language="en"` etc.; the values are the names the vectorizer takes.
_ISO_639_1 = {
    "ar": "arabic", "da": "danish", "nl": "dutch", "en": "english", "fi": "finnish",
    "fr": "french", "de": "german", "el": "greek", "hu": "hungarian", "it": "italian",
    "no": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "es": "spanish",
    "sv": "swedish", "ta": "tamil", "tr": "turkish",
}


def _is_label_collection(v) -> bool:
    return isinstance(v, (list, tuple, set, frozenset, np.ndarray))


def _check_scalar_label(v, i) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        raise ValueError(f"labels[{i}] is missing ({v!r}); every document needs a topic")
    if isinstance(v, np.generic):
        v = v.item()
    if not isinstance(v, (str, int, float, bool)):
        raise TypeError(
            f"labels[{i}] is of type {type(v).__name__}; expected a topic name (str or int), "
            "or a list of topic names for multi-label data"
        )
    return v


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Tag documents with topics: TF-IDF features and a sparse linear classifier, in Rust.

    Multi-class (one topic per document) or multi-label (any number of topics per document),
    decided by the labels given to :meth:`fit`: a list of topic lists (or delimiter-joined
    strings with ``label_sep``) means multi-label.

    Parameters
    ----------
    model : {"svm", "logistic"}, default "svm"
        Linear SVM (squared hinge loss, L2 penalty: scikit-learn's ``LinearSVC``) or logistic
        regression (``LogisticRegression``). Logistic regression gives calibrated-ish
        probabilities; the SVM is usually a little more accurate on news topics.
    analyzer, ngram_range, lowercase, strip_accents, normalization, stop_words, stemmer,
    language, languages, token_pattern, tokenizer, min_df, max_df, max_features, sublinear_tf, norm,
    use_idf, smooth_idf, binary
        The TF-IDF vectorizer's parameters (see ``topictag.TfidfVectorizer``). The defaults
        are chosen by measurement for news text in English and Spanish (see the comment at
        the top of ``topictag/_classifier.py``): word unigrams and bigrams, NFKC normalisation
        with accent folding, sub-linear term frequency, no stop words, no stemming. For
        per-language stop words and stemming use ``language="auto", stop_words="auto",
        stemmer="auto"`` (each document's language detected among ``languages``).
    language : None, "auto" or one language, default None
        Which language's stop words and stemmer ``stop_words="auto"`` / ``stemmer="auto"``
        use. ``None``: the first of ``languages``; ``"auto"``: each document's detected
        language among ``languages``; one language, as a Snowball name (``"english"``,
        ``"spanish"``, ``"french"``, ...) or a two-letter ISO 639-1 code (``"en"``, ``"es"``,
        ...): that language for every document (the same as ``language=None,
        languages=(that,)``; ``languages`` is then ignored). With the default ``stop_words=None,
        stemmer=None`` the language changes nothing.
    C : float, default 1.0
        Inverse regularisation strength.
    class_weight : None, "balanced" or dict topic -> weight, default None
        ``"balanced"`` weighs topics inversely to their frequency, as scikit-learn's
        ``class_weight="balanced"`` (for multi-label data, within each topic's yes/no
        problem). On multi-label data it raises macro-F1
        (rare topics get predicted) at some cost in micro-F1 and fit time; on multi-class news
        it measured neutral to slightly worse, so it is not the default (evidence at the top
        of ``topictag/_classifier.py``). With it, the one-vs-rest problems of very rare topics
        may need more than ``max_iter=1000`` iterations (a ConvergenceWarning, as with
        scikit-learn's ``LinearSVC`` on the same data; the predictions are still usable).
    max_iter : int, default 1000
    tol : float, default 1e-4
    probability : bool, default False
        SVM only: also fit Platt scaling (on 5 held-out folds, so fitting takes about six
        times longer) so that ``predict_proba`` is available and ``predict_top`` scores are
        probabilities.
    threshold : float or None
        Multi-label only: a topic is assigned when its score reaches the threshold. The score
        is the probability for ``model="logistic"`` (default 0.5) and the decision value for
        ``model="svm"`` (default 0.0).
    allow_empty : bool, default False
        Multi-label only. By default every document gets at least its best-scoring topic,
        even when no topic reaches the threshold (as ``topictag.LinearSVC`` and
        ``LogisticRegression``); ``allow_empty=True`` predicts ``[]`` for such documents.
    label_sep : str or None
        When set, string labels are split on it into topic lists ("ceasefire|mediation"),
        which makes the task multi-label.
    n_jobs : int or None
        Threads (scikit-learn convention: None or -1 = all cores). Results do not depend on it.
    random_state : int or None
        Seed for the solvers' coordinate order.

    Attributes
    ----------
    classes_ : numpy array of topics.
    multilabel_ : bool.
    vocabulary_size_ : int, number of features.
    training_summary_ : dict: ``n_documents``, ``fit_time`` (seconds), ``converged``,
        ``n_iter``.

    ``score(X, y)`` is accuracy for multi-class data and micro-averaged F1 for multi-label
    data (so ``GridSearchCV`` and ``cross_val_score`` work on raw text without a ``scoring``
    argument).
    """

    def __init__(
        self,
        model: str = "svm",
        *,
        analyzer: str = "word",
        ngram_range: Tuple[int, int] = (1, 2),
        lowercase: bool = True,
        strip_accents: Optional[str] = "unicode",
        normalization: Optional[str] = "nfkc",
        stop_words=None,
        stemmer=None,
        language: Optional[str] = None,
        languages: Sequence[str] = ("english", "spanish"),
        token_pattern: Optional[str] = None,
        tokenizer: Optional[str] = None,
        min_df=1,
        max_df=1.0,
        max_features: Optional[int] = None,
        sublinear_tf: bool = True,
        norm: Optional[str] = "l2",
        use_idf: bool = True,
        smooth_idf: bool = True,
        binary: bool = False,
        C: float = 1.0,
        class_weight=None,
        max_iter: int = 1000,
        tol: float = 1e-4,
        probability: bool = False,
        threshold: Optional[float] = None,
        allow_empty: bool = False,
        label_sep: Optional[str] = None,
        n_jobs: Optional[int] = None,
        random_state: Optional[int] = None,
    ):
        self.model = model
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.normalization = normalization
        self.stop_words = stop_words
        self.stemmer = stemmer
        self.language = language
        self.languages = languages
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.binary = binary
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.probability = probability
        self.threshold = threshold
        self.allow_empty = allow_empty
        self.label_sep = label_sep
        self.n_jobs = n_jobs
        self.random_state = random_state

    # -- parameters -------------------------------------------------------------------------
    def _validate_params(self) -> None:
        if self.model not in _MODELS:
            raise ValueError(f"model must be 'svm' or 'logistic', got {self.model!r}")
        if isinstance(self.C, bool) or not isinstance(self.C, (int, float, np.number)) or not self.C > 0:
            raise ValueError(f"C must be a positive number, got {self.C!r}")
        if isinstance(self.max_iter, bool) or not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive int, got {self.max_iter!r}")
        if not isinstance(self.tol, (int, float, np.number)) or not self.tol > 0:
            raise ValueError(f"tol must be a positive number, got {self.tol!r}")
        if self.threshold is not None:
            if not isinstance(self.threshold, (int, float, np.number)) or self.threshold != self.threshold:
                raise ValueError(f"threshold must be a number or None, got {self.threshold!r}")
            if self.model == "logistic" and not 0.0 <= self.threshold <= 1.0:
                raise ValueError(
                    "threshold is a probability for model='logistic' and must be in [0, 1], "
                    f"got {self.threshold!r}"
                )
        if self.label_sep is not None and (not isinstance(self.label_sep, str) or not self.label_sep):
            raise ValueError(f"label_sep must be a non-empty str or None, got {self.label_sep!r}")
        if self.class_weight is not None and self.class_weight != "balanced" and not isinstance(self.class_weight, dict):
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict topic -> weight, got {self.class_weight!r}"
            )

    def _language(self) -> Tuple[Optional[str], Any]:
        """(language, languages) for the vectorizer: a single language ``L`` (name or ISO
        code) becomes ``(None, [L's Snowball name])``."""
        lang = self.language
        if lang is None or lang == "auto":
            return lang, self.languages
        if not isinstance(lang, str):
            raise TypeError(
                f"language must be None, 'auto' or a language name, got {type(lang).__name__}"
            )
        key = lang.strip().lower()
        name = _ISO_639_1.get(key, key)
        if name not in _ISO_639_1.values():
            raise ValueError(
                f"language={lang!r} is not supported; use None, 'auto', a language name "
                f"({', '.join(sorted(_ISO_639_1.values()))}) or its two-letter code "
                f"({', '.join(sorted(_ISO_639_1))})"
            )
        return None, [name]

    def _vectorizer_params(self) -> Dict[str, Any]:
        out = {}
        language, languages = self._language()
        for name in _VECTORIZER_PARAMS:
            v = getattr(self, name)
            if name == "language":
                v = language
            elif name == "languages":
                v = languages
            if isinstance(v, (tuple, np.ndarray)):
                v = list(v)
            elif isinstance(v, (set, frozenset)):
                v = sorted(v)
            if name == "token_pattern" and v is None:
                continue  # the vectorizer's default pattern (scikit-learn's)
            out[name] = v
        return out

    def _linear_params(self, classes) -> Dict[str, Any]:
        cw = self.class_weight
        if isinstance(cw, dict):
            index = {c: i for i, c in enumerate(classes)}
            cwd = {}
            for k, w in cw.items():
                key = k.item() if isinstance(k, np.generic) else k
                if key not in index:
                    raise ValueError(f"class_weight names topic {k!r}, which is not in the training labels")
                cwd[index[key]] = float(w)
            cw = cwd
        return {
            "model": self.model,
            "C": float(self.C),
            "class_weight": cw,
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "random_state": self.random_state,
            "probability": bool(self.probability),
        }

    def _threshold(self) -> float:
        if self.threshold is not None:
            return float(self.threshold)
        return 0.5 if self.model == "logistic" else 0.0

    # -- labels -----------------------------------------------------------------------------
    def _parse_labels(self, y, n: int) -> Tuple[List[List[Any]], bool]:
        """(one topic list per document, multilabel?)."""
        if y is None:
            raise ValueError("fit needs labels: one topic per document (or a list of topics)")
        if isinstance(y, str):
            raise ValueError("labels must be one topic per document, not a single str")
        if isinstance(y, np.ndarray):
            if y.ndim != 1:
                raise ValueError(
                    "labels must be one-dimensional (one topic or topic list per document), "
                    f"got an array of shape {y.shape}"
                )
            y = y.tolist()
        elif hasattr(y, "tolist"):  # pandas / polars Series
            y = y.tolist()
        else:
            try:
                y = list(y)
            except TypeError:
                raise TypeError(
                    f"labels must be a sequence (one topic per document), got {type(y).__name__}"
                ) from None
        if len(y) != n:
            raise ValueError(
                f"got {n} documents but {len(y)} labels; give exactly one label (or topic list) per document"
            )
        multilabel = any(_is_label_collection(v) for v in y) or (
            self.label_sep is not None and any(isinstance(v, str) for v in y)
        )
        out: List[List[Any]] = []
        if multilabel:
            for i, v in enumerate(y):
                if _is_label_collection(v):
                    items = list(v.tolist() if isinstance(v, np.ndarray) else v)
                    ls = []
                    for t in items:
                        t = _check_scalar_label(t, i)
                        if isinstance(t, str) and self.label_sep is not None:
                            ls.extend(p.strip() for p in t.split(self.label_sep) if p.strip())
                        else:
                            ls.append(t)
                elif isinstance(v, str) and self.label_sep is not None:
                    ls = [p.strip() for p in v.split(self.label_sep) if p.strip()]
                elif v is None:
                    ls = []
                else:
                    ls = [_check_scalar_label(v, i)]
                seen = []
                for t in ls:
                    if t not in seen:
                        seen.append(t)
                out.append(seen)
        else:
            for i, v in enumerate(y):
                out.append([_check_scalar_label(v, i)])
        return out, multilabel

    @staticmethod
    def _sorted_classes(sets) -> List[Any]:
        from ._evaluate import _sort_key

        return sorted({c for ls in sets for c in ls}, key=_sort_key)

    def _encode(self, sets, multilabel, strict: bool = True):
        index = {c: i for i, c in enumerate(self._class_list)}
        # Labels equal as Python values (1 == 1.0 == True) map together.
        def idx(c, i):
            j = index.get(c)
            if j is None:
                if strict:
                    raise ValueError(
                        f"labels[{i}] is topic {c!r}, which the model was not trained on "
                        f"(known topics: {self._class_list!r})"
                    )
            return j

        if multilabel:
            return [[j for j in (idx(c, i) for c in ls) if j is not None] for i, ls in enumerate(sets)]
        return [idx(ls[0], i) for i, ls in enumerate(sets)]

    # -- fit --------------------------------------------------------------------------------
    def fit(self, X, y):
        """Fit on raw text ``X`` (list of str, pandas/polars/pyarrow string column) and labels
        ``y`` (one topic per document, or a list of topics per document)."""
        self._validate_params()
        docs = as_documents(X)
        n = n_documents(docs)
        if n == 0:
            raise ValueError("fit needs at least one document; got an empty collection")
        sets, multilabel = self._parse_labels(y, n)
        classes = self._sorted_classes(sets)
        if len(classes) < 2:
            found = repr(classes[0]) if classes else "none"
            raise ValueError(
                f"fit needs at least two different topics in the labels; found only {found}"
            )
        self._class_list = classes
        y_idx = self._encode(sets, multilabel)
        t0 = time.perf_counter()
        core = _core.TopicModel.fit(
            docs, y_idx, multilabel, [str(c) for c in classes],
            self._vectorizer_params(), self._linear_params(classes), self.n_jobs,
        )
        elapsed = time.perf_counter() - t0
        self._set_fitted(core, classes, multilabel, fit_time=elapsed)
        if not core.converged:
            warnings.warn(
                f"the {self.model} solver did not converge within max_iter={self.max_iter} "
                "iterations; increase max_iter or tol",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _set_fitted(self, core, classes, multilabel, fit_time=None, summary=None):
        self._core = core
        self._class_list = list(classes)
        self.classes_ = np.asarray(classes)
        self.multilabel_ = bool(multilabel)
        self.vocabulary_size_ = int(core.n_features)
        if summary is None:
            summary = {
                "n_documents": int(core.n_documents),
                "fit_time": float(fit_time if fit_time is not None else core.fit_seconds),
                "converged": bool(core.converged),
                "n_iter": int(core.n_iter),
            }
        self.training_summary_ = dict(summary)

    def _fitted_core(self):
        self._check_is_fitted()
        return self._core

    def _is_fitted(self) -> bool:
        return getattr(self, "_core", None) is not None and hasattr(self, "classes_")

    def _docs(self, X):
        return as_documents(X)

    # -- prediction -------------------------------------------------------------------------
    def decision_function(self, X) -> np.ndarray:
        """Decision values: shape (n_documents,) for a two-topic multi-class model (positive
        means ``classes_[1]``, as in scikit-learn), else (n_documents, n_topics)."""
        core = self._fitted_core()
        d = core.decision_function(self._docs(X), self.n_jobs)
        if d.shape[1] == 1:
            return d[:, 0]
        return d

    def predict_proba(self, X, as_frame: bool = False):
        """Topic probabilities, columns in ``classes_`` order (a DataFrame with topic columns
        when ``as_frame=True``). Logistic models give their probabilities; SVM models give
        Platt-scaled scores when the solver fitted them, else a ValueError. For multi-label
        models each column is that topic's own probability (rows need not sum to 1)."""
        core = self._fitted_core()
        p = core.predict_proba(self._docs(X), self.n_jobs)
        if as_frame:
            import pandas as pd

            return pd.DataFrame(p, columns=[str(c) for c in self._class_list])
        return p

    def predict(self, X):
        """Multi-class: a numpy array of topics. Multi-label: a list of topic lists."""
        core = self._fitted_core()
        res = core.predict(self._docs(X), self._threshold(), bool(self.allow_empty), self.n_jobs)
        if self.multilabel_:
            indptr, indices = res
            cl = self._class_list
            return [[cl[j] for j in indices[indptr[i]:indptr[i + 1]]] for i in range(len(indptr) - 1)]
        return self.classes_[res]

    def predict_top(self, X, k: int = 3) -> List[List[Tuple[Any, float]]]:
        """The ``k`` best topics of each document as ``(topic, score)`` pairs, best first. The
        score is the probability for logistic models and the decision value for SVMs."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        core = self._fitted_core()
        idx, scores = core.predict_top(self._docs(X), int(k), self.n_jobs)
        cl = self._class_list
        return [
            [(cl[j], float(s)) for j, s in zip(ri, rs)]
            for ri, rs in zip(idx.tolist(), scores.tolist())
        ]

    def score(self, X, y, sample_weight=None) -> float:
        """Accuracy (multi-class) or micro-averaged F1 (multi-label)."""
        if not getattr(self, "multilabel_", False):
            return super().score(X, y, sample_weight=sample_weight)
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported by score() for multi-label models")
        return float(self.evaluate(X, y).micro["f1"])

    # -- explanations -----------------------------------------------------------------------
    def _topic_index(self, topic) -> int:
        if isinstance(topic, np.generic):
            topic = topic.item()
        for i, c in enumerate(self._class_list):
            if c == topic or str(c) == str(topic):
                return i
        raise ValueError(f"unknown topic {topic!r}; the model's topics are {self._class_list!r}")

    def top_terms(self, topic=None, n: int = 20, as_frame: Optional[bool] = None):
        """The ``n`` strongest positive and negative terms of each topic (or of ``topic``).

        Returns a pandas DataFrame with columns topic, polarity ("positive"/"negative"), rank,
        term, weight when pandas is installed (or ``as_frame=True``), else a list of such
        tuples. For a two-topic multi-class model the second topic's weights are the first's
        negated (there is one weight vector)."""
        core = self._fitted_core()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        topics = range(len(self._class_list)) if topic is None else [self._topic_index(topic)]
        rows = []
        for k in topics:
            pos, neg = core.top_terms(k, int(n))
            name = self._class_list[k]
            rows.extend((name, "positive", r + 1, t, w) for r, (t, w) in enumerate(pos))
            rows.extend((name, "negative", r + 1, t, w) for r, (t, w) in enumerate(neg))
        return top_terms_output(rows, as_frame)

    def explain(self, text: str, topic=None, n: int = 10) -> Explanation:
        """Why ``text`` gets the score it does for ``topic`` (default: its predicted topic, the
        best-scoring one). Every term's contribution is its TF-IDF value times the topic's
        weight; the contributions plus the intercept equal ``decision_function`` for that
        topic. The result prints the top ``n`` terms and renders, in a notebook, the original
        text with contributing words highlighted (green for, red against)."""
        core = self._fitted_core()
        if not isinstance(text, str):
            raise TypeError(f"explain() takes one document as a str, got {type(text).__name__}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        if topic is None:
            k = int(core.predict_top([text], 1, self.n_jobs)[0][0, 0])
        else:
            k = self._topic_index(topic)
        contribs, intercept, score, spans = core.explain(text, k)
        return Explanation(
            text, self._class_list[k], score, intercept,
            [Contribution(*c) for c in contribs], {t: [tuple(s) for s in v] for t, v in spans.items()},
            n=int(n),
        )

    # -- evaluation -------------------------------------------------------------------------
    def evaluate(self, X, y) -> EvaluationReport:
        """Precision, recall, F1 per topic and averaged, accuracy (subset accuracy and Hamming
        loss for multi-label) and the confusion matrix (multi-class), on labelled text. Topics
        in ``y`` that the model was not trained on are reported too (after the model's
        topics), with zero recall."""
        core = self._fitted_core()
        docs = self._docs(X)
        n = n_documents(docs)
        if n == 0:
            raise ValueError("evaluate needs at least one document; got an empty collection")
        sets, multilabel = self._parse_labels(y, n)
        if self.multilabel_ and not multilabel:
            multilabel = True  # single topic per document, scored against a multi-label model
        if multilabel and not self.multilabel_:
            raise ValueError(
                "this model predicts one topic per document, but the labels are topic lists"
            )
        # Topics in the labels that the model never saw count too (with zero recall), as in
        # scikit-learn's classification_report.
        known = set(self._class_list)
        extra = self._sorted_classes([[c for c in ls if c not in known] for ls in sets])
        classes = self._class_list + extra
        index = {c: i for i, c in enumerate(classes)}
        pred = core.predict(docs, self._threshold(), bool(self.allow_empty), self.n_jobs)
        if multilabel:
            y_idx = [[index[c] for c in ls] for ls in sets]
            indptr, indices = pred
            indices = indices.tolist()
            indptr = indptr.tolist()
            y_pred = [indices[indptr[i]:indptr[i + 1]] for i in range(len(indptr) - 1)]
        else:
            y_idx = [index[ls[0]] for ls in sets]
            y_pred = pred.tolist()
        raw = _core.classification_report(y_idx, y_pred, len(classes), multilabel)
        return EvaluationReport(raw, classes)

    # -- persistence ------------------------------------------------------------------------
    def _metadata(self) -> str:
        params = self.get_params(deep=False)
        clean = {}
        for k, v in params.items():
            if isinstance(v, tuple):
                v = list(v)
            if isinstance(v, (set, frozenset)):
                v = sorted(v)
            if isinstance(v, dict):
                v = {"__dict__": [[kk, vv] for kk, vv in v.items()]}
            clean[k] = v
        classes_type = "str"
        if self._class_list and all(isinstance(c, bool) for c in self._class_list):
            classes_type = "bool"
        elif self._class_list and all(isinstance(c, int) and not isinstance(c, bool) for c in self._class_list):
            classes_type = "int"
        elif self._class_list and all(isinstance(c, float) for c in self._class_list):
            classes_type = "float"
        meta = {
            "class": "TopicClassifier",
            "params": clean,
            "classes_type": classes_type,
            "training_summary": self.training_summary_,
        }
        try:
            return json.dumps(meta)
        except TypeError as e:
            raise ValueError(f"a parameter value cannot be saved ({e})") from None

    def to_bytes(self, prune: Optional[float] = None) -> bytes:
        """The model as bytes in the topictag file format (see :meth:`save`)."""
        core = self._fitted_core()
        if prune is not None:
            if isinstance(prune, bool) or not isinstance(prune, (int, float, np.number)) or not prune >= 0:
                raise ValueError(f"prune must be a non-negative number or None, got {prune!r}")
            prune = float(prune)
        return core.to_bytes(self._metadata(), prune)

    def save(self, path, prune: Optional[float] = None) -> None:
        """Write the fitted model to ``path`` (topictag's own format: no code is executed when
        it is loaded with :func:`topictag.load`).

        ``prune=eps`` drops every weight with ``|w| < eps`` and the vocabulary entries left
        with no weight, for a smaller file. A pruned model predicts with the remaining terms
        only (TF-IDF rows are normalised over the kept terms), so its predictions can differ
        slightly from the unpruned model's."""
        data = self.to_bytes(prune=prune)
        tmp = f"{os.fspath(path)}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    @classmethod
    def _from_bytes(cls, data: bytes) -> "TopicClassifier":
        core, meta_json = _core.TopicModel.from_bytes(bytes(data))
        from .exceptions import ModelFormatError

        try:
            meta = json.loads(meta_json)
            params = dict(meta["params"])
        except (ValueError, KeyError, TypeError):
            raise ModelFormatError("corrupted topictag file: TopicClassifier metadata is not valid") from None
        for k, v in list(params.items()):
            if isinstance(v, dict) and "__dict__" in v:
                params[k] = {kk: vv for kk, vv in v["__dict__"]}
            elif k == "ngram_range" and isinstance(v, list):
                params[k] = tuple(v)
            elif k == "languages" and isinstance(v, list):
                params[k] = tuple(v)
        known = set(cls._get_param_names())
        est = cls(**{k: v for k, v in params.items() if k in known})
        names = list(core.classes)
        ctype = meta.get("classes_type", "str")
        conv = {"int": int, "float": float, "bool": lambda s: s == "True"}.get(ctype)
        classes = [conv(c) for c in names] if conv else names
        est._set_fitted(core, classes, core.multilabel, summary=meta.get("training_summary"))
        return est

    def __getstate__(self):
        state = {"params": self.get_params(deep=False)}
        if self._is_fitted():
            state["model"] = self.to_bytes()
        return state

    def __setstate__(self, state):
        params = state["params"]
        if "model" in state:
            other = type(self)._from_bytes(state["model"])
            self.__dict__.update(other.__dict__)
        for k, v in params.items():
            setattr(self, k, v)

    # -- display ----------------------------------------------------------------------------
    def _input_tags(self) -> Dict[str, bool]:
        return {"string": True, "two_d_array": False, "sparse": False}

    def _repr_html_(self) -> str:
        if not self._is_fitted():
            return f"<pre>{html.escape(repr(self))}</pre>"
        s = self.training_summary_
        topics = ", ".join(html.escape(str(c)) for c in self._class_list[:50])
        if len(self._class_list) > 50:
            topics += f", ... ({len(self._class_list)} in all)"
        rows = [
            ("estimator", html.escape(repr(self))),
            ("task", "multi-label" if self.multilabel_ else "multi-class"),
            (f"topics ({len(self._class_list)})", topics),
            ("vocabulary size", f"{self.vocabulary_size_:,}"),
            ("training documents", f"{s.get('n_documents', 0):,}"),
            ("fit time", f"{s.get('fit_time', 0.0):.2f} s"),
            ("converged", f"{s.get('converged')} ({s.get('n_iter')} iterations)"),
        ]
        body = "".join(f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>" for k, v in rows)
        return f"<div class='topictag-model'><table>{body}</table></div>"
