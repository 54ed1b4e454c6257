"""TopicClassifier: raw text in, topics out.

One Rust object (``_core.TopicModel``: TF-IDF vectorizer + sparse linear model + topic names)
does the work; prediction from raw text is a single Rust call that releases the GIL and makes
no Python object per document. This module parses labels, validates parameters and formats
results.
"""

from __future__ import annotations

import html
import os
import time
import warnings
from numbers import Integral, Real
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from . import _core
from ._base import BOOLEAN, BaseEstimator, ClassifierMixin, Condition, check_value
from ._evaluate import EvaluationReport
from ._explain import Contribution, Explanation, top_terms_output
from ._input import as_documents, n_documents
from ._linear import LINEAR_CONSTRAINTS
from ._persist import PersistMixin
from ._stream import Batches, concat_csr
from ._targets import (class_weight_arg, parse_topic_labels, sorted_topics,
                       topic_indices)
from ._vectorizers import TfidfVectorizer
from .exceptions import ConvergenceWarning

# The defaults below were chosen by measurement; the tables and the reasoning are in
# benchmarks/results/defaults.md.

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


def _is_exactly(c, kind) -> bool:
    return isinstance(c, kind) and (kind is bool or not isinstance(c, bool))


class TopicClassifier(PersistMixin, ClassifierMixin, BaseEstimator):
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
        are chosen by measurement for news text in English and Spanish (see
        ``benchmarks/results/defaults.md`` in the repository): word unigrams and bigrams,
        NFKC normalisation with accent folding, sub-linear term frequency, no stop words, no stemming. For
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
        it measured neutral to slightly worse, so it is not the default (evidence in
        ``benchmarks/results/defaults.md``). With it, the one-vs-rest problems of very rare
        topics may need more than ``max_iter=1000`` iterations (a ConvergenceWarning, as with
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

    _core_type = _core.TopicModel
    _file_kind = "TopicClassifier"
    # Types of the parameters: the vectorizer's as TfidfVectorizer's, the classifier's as
    # LinearSVC's (the same rules in one place). The core checks the model name and the
    # values those tables leave to it.
    _parameter_constraints = {
        **{k: TfidfVectorizer._parameter_constraints[k] for k in _VECTORIZER_PARAMS},
        **{k: LINEAR_CONSTRAINTS[k] for k in ("C", "class_weight", "max_iter", "tol",
                                              "threshold", "allow_empty", "n_jobs")},
        "model": [str],
        "probability": [BOOLEAN],
        "label_sep": [Condition(str, bool, "a non-empty str"), None],
        "random_state": [Integral, None],  # any int: the core takes it as i64
    }

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
        self._store_params(locals())

    # -- parameters -------------------------------------------------------------------------
    def _validate_params(self) -> None:
        super()._validate_params()
        # A rule across two parameters, which the core does not check (yet).
        if self.model == "logistic" and self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ValueError(
                "threshold is a probability for model='logistic' and must be in [0, 1], "
                f"got {self.threshold!r}"
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
        cw = class_weight_arg(self.class_weight, classes)
        return {
            "model": self.model,
            "C": float(self.C),
            # the core reads a dict topic index -> weight
            "class_weight": dict(enumerate(cw)) if isinstance(cw, list) else cw,
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
        return parse_topic_labels(y, n, self.label_sep)

    # -- fit --------------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Fit on raw text ``X`` (list of str, pandas/polars/pyarrow string column) and labels
        ``y`` (one topic per document, or a list of topics per document).

        ``X`` may also be a file path or glob pattern (CSV, TSV, JSON Lines or Parquet,
        optionally gzipped; columns ``text`` and ``label``, topics split on ``label_sep``)
        or a :class:`topictag.Batches`; then ``y`` is left out (the labels come from the
        source) and the fit streams: one pass counts document frequencies batch by batch,
        a second builds the features, so memory grows with the feature matrix, never with
        the raw text. The model equals a fit on the same documents in memory."""
        if isinstance(X, Batches) or (isinstance(X, (str, os.PathLike)) and y is None):
            if y is not None:
                raise TypeError(
                    "the labels come from the source (its label column); fit(source) takes no y"
                )
            if not isinstance(X, Batches):
                X = Batches(X, label_sep=self.label_sep)
            return self._fit_stream(X)
        if y is None:
            raise TypeError(
                "fit() needs the labels y, unless X is a file path or a topictag.Batches "
                "holding them"
            )
        self._validate_params()
        docs = as_documents(X)
        n = n_documents(docs)
        if n == 0:
            raise ValueError("fit needs at least one document; got an empty collection")
        sets, multilabel = self._parse_labels(y, n)
        classes = sorted_topics(sets)
        if len(classes) < 2:
            found = repr(classes[0]) if classes else "none"
            raise ValueError(
                f"fit needs at least two different topics in the labels; found only {found}"
            )
        self._class_list = classes
        y_idx = topic_indices(sets, classes, multilabel)
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

    def _fit_stream(self, batches: "Batches"):
        self._validate_params()
        t0 = time.perf_counter()
        vec = _core.TfidfCore(**self._vectorizer_params())
        counts = _core.DfCounts()
        labels: List[Any] = []
        for texts, labs in batches:
            if labs is None:
                raise ValueError("the source has no labels (label_col=None); fit needs them")
            vec.count_into(counts, as_documents(texts), self.n_jobs)
            labels.extend(labs)
        n = int(counts.n_docs)
        if n == 0:
            raise ValueError("fit needs at least one document; the source is empty")
        if any(isinstance(x, list) for x in labels):
            # some records hold a list of topics: multi-label data (as the file readers do)
            labels = [x if isinstance(x, list) else [x] for x in labels]
        sets, multilabel = self._parse_labels(labels, n)
        del labels
        classes = sorted_topics(sets)
        if len(classes) < 2:
            found = repr(classes[0]) if classes else "none"
            raise ValueError(
                f"fit needs at least two different topics in the labels; found only {found}"
            )
        y_idx = topic_indices(sets, classes, multilabel)
        del sets
        vec.fit_counts(counts)
        n_features = len(vec.feature_names())
        del counts
        blocks = [vec.transform(as_documents(texts), self.n_jobs, "float32") for texts, _ in batches]
        if sum(b[3][0] for b in blocks) != n:
            raise ValueError("the source changed between the two passes of the streaming fit")
        X = concat_csr(blocks, n_features)
        del blocks
        parts = (X.data, X.indices, X.indptr, (int(X.shape[0]), int(X.shape[1])))
        del X
        self._class_list = classes
        core = _core.TopicModel.fit_features(
            vec, parts, y_idx, multilabel, [str(c) for c in classes],
            self._linear_params(classes), n, self.n_jobs,
        )
        del parts
        self._set_fitted(core, classes, multilabel, fit_time=time.perf_counter() - t0)
        if not core.converged:
            warnings.warn(
                f"the {self.model} solver did not converge within max_iter={self.max_iter} "
                "iterations; increase max_iter or tol",
                ConvergenceWarning,
                stacklevel=3,
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
        extra = sorted_topics([[c for c in ls if c not in known] for ls in sets])
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

    # -- persistence (PersistMixin hooks) ---------------------------------------------------
    def _metadata_extra(self, strict: bool) -> Dict[str, Any]:
        classes_type = "str"
        for name, kind in (("bool", bool), ("int", int), ("float", float)):
            if self._class_list and all(_is_exactly(c, kind) for c in self._class_list):
                classes_type = name
                break
        return {"classes_type": classes_type, "training_summary": self.training_summary_}

    def _core_to_bytes(self, core, metadata: str, prune: Optional[float] = None) -> bytes:
        check_value("prune", prune, [Real, None])  # prune >= 0: TopicModel::to_bytes
        return core.to_bytes(metadata, None if prune is None else float(prune))

    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        conv = {"int": int, "float": float, "bool": lambda s: s == "True"}.get(
            meta.get("classes_type", "str"))
        names = list(core.classes)
        classes = [conv(c) for c in names] if conv else names
        self._set_fitted(core, classes, core.multilabel, summary=meta.get("training_summary"))

    def to_bytes(self, prune: Optional[float] = None) -> bytes:
        """The model as bytes in the topictag file format (see :meth:`save`)."""
        return super().to_bytes(prune=prune)

    def save(self, path, prune: Optional[float] = None) -> None:
        """Write the fitted model to ``path`` (topictag's own format: no code is executed when
        it is loaded with :func:`topictag.load`). The write is atomic: if it fails, a file
        already at ``path`` is left as it was.

        ``prune=eps`` drops every weight with ``|w| < eps`` and the vocabulary entries left
        with no weight, for a smaller file. A pruned model predicts with the remaining terms
        only (TF-IDF rows are normalised over the kept terms), so its predictions can differ
        slightly from the unpruned model's."""
        super().save(path, prune=prune)

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
