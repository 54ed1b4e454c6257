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
from ._base import BOOLEAN, BaseEstimator, ClassifierMixin, Condition, Options, check_value
from ._evaluate import EvaluationReport
from ._explain import (ArticleEvidence, Contribution, Explanation, SegmentEvidence,
                       TermEvidence, TopicEvidence, top_terms_output)
from ._input import as_documents, n_documents
from . import _keywords
from ._linear import LINEAR_CONSTRAINTS
from ._persist import PersistMixin, check_classes
from ._state import snapshot_reads, swap_in
from ._stream import Batches, count_slice, slices, transform_slice
from ._targets import (class_weight_arg, indicator_matrix, indicator_topic_lists,
                       parse_topic_labels, sorted_topics,
                       topic_indices)
from ._vectorizers import TfidfVectorizer
from .exceptions import ConvergenceWarning, ModelFormatError

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
    penalty : {"l2", "l1"}, default "l2"
        ``"l1"``: an L1 penalty (scikit-learn's ``LinearSVC(penalty="l1", dual=False)``, or
        liblinear's L1 logistic regression, one-vs-rest): most weights are exactly zero, so
        the model file is several times smaller and each topic's features are few enough to
        read, usually at a little cost in accuracy and some in fit time.
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
    segments : bool, default True
        Multi-label only: also score each segment (paragraph, or group of sentences) of a
        document and combine segment and document scores by the rule (document only, best
        segment, mean of both) that cross-validation on the training data finds best. Long
        articles that move from topic to topic get all their topics this way.
    calibration : {"platt", "isotonic"} or None, default "platt"
        Multi-label only: per-topic calibration of the (combined) scores into probabilities,
        fitted on cross-validated scores of the training documents; ``predict_proba`` and
        ``predict_top`` then give these probabilities. This replaces ``probability=True``
        (no separate Platt fit is run).
    threshold : "auto", float or None, default "auto"
        Multi-label only: a topic is assigned when its score reaches the threshold.
        ``"auto"``: one threshold per topic, tuned for F1 on the cross-validated (calibrated)
        scores of the training documents (see :meth:`tune_thresholds` to re-tune them on
        other data); a topic whose tuned F1 stays below 0.5 there (typically a rare topic)
        keeps the untuned threshold instead (0.5 on probabilities; Yang's SCutFBR). A number: that threshold for every topic, on the calibrated probability
        when ``calibration`` is set, else on the score: the probability for
        ``model="logistic"`` and the decision value for ``model="svm"``. ``None``: 0.5 for
        logistic models and calibrated scores, 0.0 for SVM decision values.
        ``segments=False, calibration=None, threshold=<float or None>`` is the behaviour of
        topictag 0.x (one document score, one threshold).
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
        "penalty": [Options("l2", "l1")],
        "model": [str],
        "probability": [BOOLEAN],
        "segments": [BOOLEAN],
        "calibration": [str, None],  # 'platt' / 'isotonic': CalibrationKind::parse
        "threshold": [str, *LINEAR_CONSTRAINTS["threshold"]],  # 'auto': parse_article_params
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
        penalty: str = "l2",
        class_weight=None,
        max_iter: int = 1000,
        tol: float = 1e-4,
        probability: bool = False,
        segments: bool = True,
        calibration: Optional[str] = "platt",
        threshold="auto",
        allow_empty: bool = False,
        label_sep: Optional[str] = None,
        n_jobs: Optional[int] = None,
        random_state: Optional[int] = None,
    ):
        self._store_params(locals())

    @classmethod
    def from_keywords(cls, keywords, texts, *, labels=None, multilabel: bool = False,
                      rounds: int = 5, coverage: float = 0.8, min_keywords: int = 1,
                      **params) -> "TopicClassifier":
        """A fitted TopicClassifier from a few keywords per topic and unlabelled ``texts``.

        ``keywords`` maps each topic to words and phrases, in any language the model
        handles. They are matched after the same normalisation, accent folding, stop words
        and stemming as the features (``negociaciones`` matches ``negociación``; a phrase
        matches its words in sequence). Unless ``params`` say otherwise, ``language``,
        ``stop_words`` and ``stemmer`` are ``"auto"`` (each text's language detected among
        ``languages``); the other parameters are TopicClassifier's.

        Each text is labelled with the topic whose keywords it contains most (distinct
        keywords, at least ``min_keywords``); a text with none, or with a tie between
        topics, is left unlabelled (``multilabel=True``: every topic with at least
        ``min_keywords`` keywords). A model trained on the labelled texts then labels the
        rest over ``rounds`` self-training rounds, each adding the texts it is surest about
        per topic, up to ``coverage`` of the unlabelled texts in the last round; the keyword
        labels stay fixed. Everything runs in Rust.

        ``labels`` combines labelled data with the keywords: ``{text index: topic}`` (or a
        list of topics when ``multilabel``) for texts labelled by hand, say the ones
        :meth:`uncertain` picked; their labels replace the keyword labels and stay fixed.

        Bad input: a topic with no keywords, a keyword that analyses to nothing (a stop
        word), or a topic none of whose keywords occurs in the texts raise ValueError naming
        the topic. A keyword given to two topics (after normalisation and stemming) is
        ignored for both, with a UserWarning.

        The fitted model has ``keywords_`` (the keywords) and ``keyword_report_``: per
        keyword the number of texts it occurs in, per topic the texts labelled from keywords,
        and how many texts were labelled in all."""
        kw_params = {k: v for k, v in _keywords.KEYWORD_DEFAULTS.items() if k not in params}
        model = cls(**params, **kw_params)
        return _keywords.fit_from_keywords(model, keywords, texts, multilabel, rounds,
                                           coverage, min_keywords, labels)

    # -- parameters -------------------------------------------------------------------------
    def _validate_params(self) -> None:
        super()._validate_params()
        # A rule across two parameters, which the core does not check (yet).
        if ((self.model == "logistic" or self.calibration is not None)
                and isinstance(self.threshold, Real) and not isinstance(self.threshold, bool)
                and not 0.0 <= self.threshold <= 1.0):
            raise ValueError(
                "threshold is a probability (model='logistic', or a calibration set) and must "
                f"be in [0, 1], got {self.threshold!r}"
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
            "penalty": self.penalty,
            # the core reads a dict topic index -> weight
            "class_weight": dict(enumerate(cw)) if isinstance(cw, list) else cw,
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "random_state": self.random_state,
            "probability": bool(self.probability),
        }

    def _article_params(self) -> Optional[Dict[str, Any]]:
        """The core's ``article_params`` for a multi-label fit, or None when segments,
        calibration and tuned thresholds are all off (the one-score, one-threshold model)."""
        thr = self.threshold
        if not self.segments and self.calibration is None and not isinstance(thr, str):
            return None
        if thr is None:
            thr = 0.5 if (self.calibration is not None or self.model == "logistic") else 0.0
        return {
            "segments": bool(self.segments),
            "calibration": self.calibration,
            "threshold": thr if isinstance(thr, str) else float(thr),
            "metric": "f1",
        }

    def _threshold(self) -> float:
        """The one threshold of a model without article-level state."""
        if self.threshold is not None and not isinstance(self.threshold, str):
            return float(self.threshold)
        return 0.5 if self.model == "logistic" else 0.0

    def _articles(self) -> bool:
        """Whether the fitted model has article-level state (segments, calibrators, tuned
        thresholds)."""
        return getattr(self, "article_info_", None) is not None

    # -- labels -----------------------------------------------------------------------------
    def _parse_labels(self, y, n: int) -> Tuple[List[List[Any]], bool]:
        """(one topic list per document, multilabel?). A label-indicator matrix gives the
        column indices of each row."""
        ind = indicator_topic_lists(y)
        if ind is not None:
            if len(ind[0]) != n:
                raise ValueError(
                    f"got {n} documents but {len(ind[0])} label rows; give exactly one row "
                    "per document"
                )
            return ind[0], True
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
        ind = indicator_topic_lists(y)
        # an indicator matrix names its topics by column: all columns are classes, even one
        # without positives in this sample (a cross-validation fold), so predictions keep
        # the matrix's shape
        classes = list(range(ind[1])) if ind is not None else sorted_topics(sets)
        if len(classes) < 2:
            found = repr(classes[0]) if classes else "none"
            raise ValueError(
                f"fit needs at least two different topics in the labels; found only {found}"
            )
        y_idx = topic_indices(sets, classes, multilabel)
        article_params = self._article_params() if multilabel else None
        linear_params = self._linear_params(classes)
        if article_params is not None and article_params["calibration"] is not None:
            # the article-level calibrators give the probabilities: no separate Platt CV
            linear_params["probability"] = False
        t0 = time.perf_counter()
        core = _core.TopicModel.fit(
            docs, y_idx, multilabel, [str(c) for c in classes],
            self._vectorizer_params(), linear_params, self.n_jobs, article_params,
        )
        elapsed = time.perf_counter() - t0
        self._set_fitted(core, classes, multilabel, fit_time=elapsed,
                         target_kind=ind[2] if ind is not None else "labels")
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
        texts = labs = None
        # the core's working memory grows with a call's documents: large batches go in slices
        step = count_slice(self.n_jobs)
        for texts, labs in batches:
            if labs is None:
                raise ValueError("the source has no labels (label_col=None); fit needs them")
            for part in slices(texts, step):
                vec.count_into(counts, as_documents(part), self.n_jobs)
            labels.extend(labs)
        del texts, labs  # the last batch's texts would stay alive through the fit
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
        del counts
        blocks = [vec.transform(as_documents(part), self.n_jobs, "float32")
                  for texts, _ in batches for part in slices(texts, transform_slice(self.n_jobs))]
        if sum(b[3][0] for b in blocks) != n:
            raise ValueError("the source changed between the two passes of the streaming fit")
        # the core takes the blocks over (emptying the list as it copies them into one
        # matrix) and lays the solvers' X out in that matrix's own buffers: X exists once
        core = _core.TopicModel.fit_features(
            vec, blocks, y_idx, multilabel, [str(c) for c in classes],
            self._linear_params(classes), n, self.n_jobs,
        )
        del blocks
        self._set_fitted(core, classes, multilabel, fit_time=time.perf_counter() - t0)
        if multilabel and self._article_params() is not None:
            # segments, calibrators and tuned thresholds are learned by cross-validation on
            # the texts held in memory; a streamed fit keeps one score and one threshold
            warnings.warn(
                "a streamed fit learns no article-level state (segments, calibration, "
                "tuned per-topic thresholds): predictions use one score per topic and the "
                f"threshold {self._threshold()}; fit on texts in memory for the article-level "
                "model, or pass segments=False, calibration=None, threshold=None to silence this",
                UserWarning,
                stacklevel=3,
            )
        if not core.converged:
            warnings.warn(
                f"the {self.model} solver did not converge within max_iter={self.max_iter} "
                "iterations; increase max_iter or tol",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _set_fitted(self, core, classes, multilabel, fit_time=None, summary=None,
                    target_kind="labels", **more):
        """Put a fitted model in place, every fitted attribute in one step (``_state``);
        ``more``: further fitted attributes swapped in with them (from_keywords')."""
        for name in ("keywords_", "keyword_report_", "_keyword_surface"):
            if name not in more:
                self.__dict__.pop(name, None)  # a model not from keywords has none
        if summary is None:
            summary = self._core_summary(core, fit_time)
        swap_in(self, _core=core, _class_list=list(classes), classes_=np.asarray(classes),
                multilabel_=bool(multilabel), vocabulary_size_=int(core.n_features),
                article_info_=core.article_info(), training_summary_=dict(summary),
                _target_kind=target_kind, **more)

    @staticmethod
    def _core_summary(core, fit_time=None) -> Dict[str, Any]:
        """``training_summary_`` of a freshly fitted core."""
        return {
            "n_documents": int(core.n_documents),
            "fit_time": float(fit_time if fit_time is not None else core.fit_seconds),
            "converged": bool(core.converged),
            "n_iter": int(core.n_iter),
        }

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
        """Topic probabilities, columns in ``classes_`` order (with ``as_frame=True`` a
        DataFrame with topic columns and, when ``X`` is a pandas Series, its index). Multi-label models fitted with ``calibration`` give the
        calibrated article probabilities (those ``predict`` thresholds). Otherwise logistic
        models give their probabilities; SVM models give Platt-scaled scores when the solver
        fitted them (``probability=True``), else a ValueError. For multi-label
        models each column is that topic's own probability (rows need not sum to 1)."""
        core = self._fitted_core()
        if self._calibrated():
            _, p = self._article_predictions(self._docs(X))
        else:
            p = core.predict_proba(self._docs(X), self.n_jobs)
        if as_frame:
            import pandas as pd

            # one row per input document, under the input's own index (a pandas Series's)
            index = X.index if isinstance(getattr(X, "index", None), pd.Index) else None
            return pd.DataFrame(p, columns=[str(c) for c in self._class_list], index=index)
        return p

    def predict(self, X):
        """Multi-class: a numpy array of topics. Multi-label: a list of topic lists, or, for a
        model fitted on a label-indicator matrix (dense or sparse, as ``MultiLabelBinarizer``
        makes), an indicator matrix of the same kind (int64; columns are ``classes_``).

        An empty or whitespace-only text is a document with no words: it is kept and scored
        by the intercepts alone, as any text with no known word (an all-zero TF-IDF row, as
        in a scikit-learn pipeline); ``fit`` takes it the same way. The command line follows
        the same rule (docs/reliability.md)."""
        self._fitted_core()
        res = self._predict_indices(self._docs(X))
        if self.multilabel_:
            kind = self.__dict__.get("_target_kind", "labels")
            if kind != "labels":  # fitted on an indicator matrix: predict one, of the same kind
                indptr = np.cumsum([0] + [len(s) for s in res])
                indices = [j for s in res for j in s]
                return indicator_matrix(indptr, indices, len(self._class_list), kind)
            cl = self._class_list
            return [[cl[j] for j in s] for s in res]
        return self.classes_[res]

    def _calibrated(self) -> bool:
        return self._articles() and self.article_info_.get("calibration") is not None

    def _article_predictions(self, docs):
        """(topic index lists, article scores) of a model with article-level state."""
        (indptr, indices), z = self._core.predict_articles(docs, bool(self.segments), self.n_jobs)
        indptr = indptr.tolist()
        indices = indices.tolist()
        sets = [indices[indptr[i]:indptr[i + 1]] for i in range(len(indptr) - 1)]
        if self.allow_empty:
            # the core keeps the best topic when none reaches its threshold; drop it
            thr = self.article_info_["thresholds"]
            sets = [[j for j in s if z[i, j] >= thr[j]] for i, s in enumerate(sets)]
        return sets, z

    def _predict_indices(self, docs):
        """Multi-label: a list of topic index lists; multi-class: an int array."""
        if self._articles():
            return self._article_predictions(docs)[0]
        res = self._core.predict(docs, self._threshold(), bool(self.allow_empty), self.n_jobs)
        if self.multilabel_:
            indptr, indices = res
            indices = indices.tolist()
            indptr = indptr.tolist()
            return [indices[indptr[i]:indptr[i + 1]] for i in range(len(indptr) - 1)]
        return res

    def predict_top(self, X, k: int = 3) -> List[List[Tuple[Any, float]]]:
        """The ``k`` best topics of each document as ``(topic, score)`` pairs, best first. The
        score is the calibrated probability for multi-label models fitted with
        ``calibration``, else the probability for logistic models and the decision value for
        SVMs."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"k must be a positive int, got {k!r}")
        core = self._fitted_core()
        if self._calibrated():
            _, z = self._article_predictions(self._docs(X))
            kk = min(int(k), z.shape[1])
            # best first, ties to the lower topic index (as the core's predict_top)
            idx = np.argsort(-z, axis=1, kind="stable")[:, :kk]
            scores = np.take_along_axis(z, idx, axis=1)
        else:
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

    def tune_thresholds(self, X, y, metric: str = "f1"):
        """Re-tune the per-topic thresholds for ``metric`` ("f1", "f0.5", "f2", ...) on the
        labelled documents ``X``, ``y`` (for example a validation set, or the documents of a
        new source), keeping the model's weights, combination rule and calibrators. A topic
        whose tuned score stays below 0.5 on them keeps the untuned threshold (as in fit). Needs a
        multi-label model fitted with article-level state (``segments``, ``calibration`` or
        ``threshold="auto"``). Returns ``self``; ``article_info_["thresholds"]`` has the new
        thresholds."""
        core = self._fitted_core()
        if not self._articles():
            raise ValueError(
                "tune_thresholds needs a multi-label model fitted with article-level state "
                "(segments=True, a calibration or threshold='auto')"
            )
        check_value("metric", metric, [str])
        docs = self._docs(X)
        n = n_documents(docs)
        if n == 0:
            raise ValueError("tune_thresholds needs at least one document; got an empty collection")
        sets, _ = self._parse_labels(y, n)
        known = {c: i for i, c in enumerate(self._class_list)}
        unknown = sorted({str(c) for ls in sets for c in ls if c not in known})
        if unknown:
            raise ValueError(f"unknown topics in y: {unknown}; the model's topics are {self._class_list!r}")
        y_idx = [[known[c] for c in ls] for ls in sets]
        new = core.retune_thresholds(docs, y_idx, bool(self.segments), metric, self.n_jobs)
        swap_in(self, _core=new, article_info_=new.article_info())
        return self

    # -- explanations -----------------------------------------------------------------------
    def _topic_index(self, topic) -> int:
        if isinstance(topic, np.generic):
            topic = topic.item()
        for i, c in enumerate(self._class_list):
            if c == topic or str(c) == str(topic):
                return i
        raise ValueError(f"unknown topic {topic!r}; the model's topics are {self._class_list!r}")

    def top_terms(self, topic=None, n: int = 20, as_frame: Optional[bool] = None,
                  keep_numbers: bool = False, keep_stop_words: bool = False):
        """The ``n`` strongest positive and negative terms of each topic (or of ``topic``).

        Terms are shown as written (the most frequent surface form in the training text, with
        its accents and case, for models fitted with article-level state; the normalised
        feature otherwise). Numbers and stop words are left out unless ``keep_numbers`` /
        ``keep_stop_words``.

        Returns a pandas DataFrame with columns topic, polarity ("positive"/"negative"), rank,
        term, weight when pandas is installed (or ``as_frame=True``), else a list of such
        tuples. For a two-topic multi-class model the second topic's weights are the first's
        negated (there is one weight vector)."""
        core = self._fitted_core()
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        check_value("keep_numbers", keep_numbers, [BOOLEAN])
        check_value("keep_stop_words", keep_stop_words, [BOOLEAN])
        topics = range(len(self._class_list)) if topic is None else [self._topic_index(topic)]
        rows = []
        for k in topics:
            pos, neg = core.top_terms_readable(k, int(n), bool(keep_numbers), bool(keep_stop_words))
            name = self._class_list[k]
            rows.extend((name, "positive", r + 1, t, w) for r, (t, w) in enumerate(pos))
            rows.extend((name, "negative", r + 1, t, w) for r, (t, w) in enumerate(neg))
        return top_terms_output(rows, as_frame)

    def suggest_keywords(self, topic, n: int = 10) -> List[str]:
        """Up to ``n`` candidate keywords for ``topic``: its most discriminative terms (the
        largest positive weights), as written in the training texts, leaving out numbers,
        stop words and the topic's current keywords (``keywords_``). Add the good ones to the
        keywords and call :meth:`from_keywords` again."""
        return _keywords.suggest_keywords(self, topic, n)

    def uncertain(self, texts, n: int = 10) -> np.ndarray:
        """Indices of the ``n`` texts the model is least sure about (smallest margin first):
        multi-class, the gap between the two best topic scores; multi-label, the smallest
        distance of a topic score to its threshold. Labelling these teaches the model most
        (margin-based active learning)."""
        return _keywords.uncertain(self, texts, n)

    def explain(self, text: str, topic=None, n: int = 10, max_segments: int = 3):
        """Why ``text`` gets its topics.

        Without ``topic``, for a multi-label model fitted with article-level state: an
        :class:`~topictag._explain.ArticleEvidence` with, for every predicted topic, its
        (calibrated) probability and the segments of the text that support it most (at most
        ``max_segments``), each with its own probability and its ``n`` strongest terms as
        written in the text (with their character offsets). It prints as text, converts to
        JSON-ready dicts (``to_dict()``) and renders in a notebook as the article with each
        topic's evidence highlighted in its colour, with a legend.

        With ``topic`` (or for other models: the best-scoring topic): an
        :class:`~topictag._explain.Explanation` of the topic's decision value for the whole
        text. Every term's contribution is its TF-IDF value times the topic's weight; the
        contributions plus the intercept equal ``decision_function`` for that topic. It
        prints the top ``n`` terms and renders, in a notebook, the original text with
        contributing words highlighted (green for, red against)."""
        core = self._fitted_core()
        if not isinstance(text, str):
            raise TypeError(f"explain() takes one document as a str, got {type(text).__name__}")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        if topic is None and self._articles():
            if (isinstance(max_segments, bool) or not isinstance(max_segments, (int, np.integer))
                    or max_segments < 1):
                raise ValueError(f"max_segments must be a positive int, got {max_segments!r}")
            raw = core.explain_article(text, bool(self.segments), int(max_segments), int(n))
            return ArticleEvidence(text, [
                TopicEvidence(
                    self._class_list[t["topic"]], float(t["score"]),
                    [SegmentEvidence(int(sg["start"]), int(sg["end"]), float(sg["support"]),
                                     [TermEvidence(w, float(c), [tuple(x) for x in sp])
                                      for w, c, sp in sg["terms"]])
                     for sg in t["segments"]])
                for t in raw
            ], calibrated=self._calibrated())
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
        pred = self._predict_indices(docs)
        if multilabel:
            y_idx = [[index[c] for c in ls] for ls in sets]
            y_pred = pred
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
        extra = {"classes_type": classes_type, "training_summary": self.training_summary_,
                 "target_kind": self.__dict__.get("_target_kind", "labels")}
        if getattr(self, "keywords_", None) is not None:
            extra["keywords"] = [[str(t), w] for t, w in self.keywords_.items()]
            extra["keyword_surface"] = self.__dict__.get("_keyword_surface") or {}
        return extra

    def _core_to_bytes(self, core, metadata: str, prune: Optional[float] = None) -> bytes:
        check_value("prune", prune, [Real, None])  # prune >= 0: TopicModel::to_bytes
        return core.to_bytes(metadata, None if prune is None else float(prune))

    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        convs = {"str": None, "int": int, "float": float, "bool": lambda s: s == "True"}
        ctype = meta.get("classes_type", "str")
        summary = meta.get("training_summary")
        target_kind = meta.get("target_kind", "labels")
        if not isinstance(ctype, str) or ctype not in convs:
            raise ModelFormatError(
                f"corrupted topictag file: unknown classes_type {ctype!r} in its metadata")
        if not (summary is None or isinstance(summary, dict)) or not isinstance(target_kind, str):
            raise ModelFormatError(
                "corrupted topictag file: its training summary or target kind is not valid")
        conv = convs[ctype]
        names = list(core.classes)
        classes = [conv(c) for c in names] if conv else names
        check_classes(classes, len(names))
        more = {}
        if isinstance(meta.get("keywords"), list):
            by_name = {str(c): c for c in classes}
            more = {"keywords_": {by_name.get(t, t): list(w) for t, w in meta["keywords"]},
                    "_keyword_surface": dict(meta.get("keyword_surface") or {})}
        self._set_fitted(core, classes, core.multilabel, summary=summary,
                         target_kind=target_kind, **more)

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


# a refit while another thread predicts: each call reads the old model or the new one (_state)
snapshot_reads(TopicClassifier, ("decision_function", "predict_proba", "predict", "predict_top",
                                 "score", "evaluate", "explain", "top_terms", "suggest_keywords",
                                 "uncertain"))
