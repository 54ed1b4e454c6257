"""Evaluation: :class:`EvaluationReport` and :func:`cross_validate`.

The metrics are computed in Rust (``src/eval/metrics.rs``) from class indices; this module
only formats them. Definitions follow scikit-learn's (``zero_division=0``).
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from . import _core


class EvaluationReport:
    """Per-topic precision, recall, F1 and support, with averages.

    Attributes
    ----------
    classes : list of topics.
    precision, recall, f1 : numpy arrays, one value per topic.
    support : numpy int array, true documents per topic.
    micro, macro, weighted : dicts ``{"precision", "recall", "f1", "support"}``; ``samples``
        too for multi-label data.
    accuracy : float. Multi-class: the fraction of documents whose topic is right.
        Multi-label: the subset accuracy (the predicted topic set equals the true set).
    subset_accuracy : float or None (multi-label only; equals ``accuracy``).
    hamming_loss : float or None (multi-label only): the fraction of wrong (document, topic)
        decisions.
    confusion_matrix : numpy array ``[true, predicted]`` (multi-class only, else None).
    multilabel : bool.
    n_samples : int.
    """

    def __init__(self, raw: Dict[str, Any], classes: Sequence):
        self.classes = list(classes)
        self.multilabel = bool(raw["multilabel"])
        self.n_samples = int(raw["n_samples"])
        self.precision = np.asarray(raw["precision"], dtype=float)
        self.recall = np.asarray(raw["recall"], dtype=float)
        self.f1 = np.asarray(raw["f1"], dtype=float)
        self.support = np.asarray(raw["support"], dtype=np.int64)
        self.micro = dict(raw["micro"])
        self.macro = dict(raw["macro"])
        self.weighted = dict(raw["weighted"])
        self.samples = dict(raw["samples"]) if raw.get("samples") is not None else None
        self.accuracy = float(raw["accuracy"])
        self.subset_accuracy = self.accuracy if self.multilabel else None
        hl = raw.get("hamming_loss")
        self.hamming_loss = float(hl) if hl is not None else None
        cm = raw.get("confusion")
        self.confusion_matrix = np.asarray(cm, dtype=np.int64) if cm is not None else None

    # -- views ------------------------------------------------------------------------------
    def _averages(self):
        out = []
        if not self.multilabel:
            out.append(("micro avg", self.micro))
        else:
            out.append(("micro avg", self.micro))
        out.append(("macro avg", self.macro))
        out.append(("weighted avg", self.weighted))
        if self.samples is not None:
            out.append(("samples avg", self.samples))
        return out

    def to_dict(self) -> Dict[str, Any]:
        """A nested dict like scikit-learn's ``classification_report(output_dict=True)``, plus
        ``accuracy`` (subset accuracy for multi-label), ``hamming_loss`` and
        ``confusion_matrix`` (lists) where they apply."""
        out: Dict[str, Any] = {}
        for i, c in enumerate(self.classes):
            out[str(c)] = {
                "precision": float(self.precision[i]),
                "recall": float(self.recall[i]),
                "f1-score": float(self.f1[i]),
                "support": int(self.support[i]),
            }
        for name, d in self._averages():
            out[name] = {
                "precision": d["precision"],
                "recall": d["recall"],
                "f1-score": d["f1"],
                "support": int(d["support"]),
            }
        out["accuracy"] = self.accuracy
        if self.multilabel:
            out["subset_accuracy"] = self.subset_accuracy
            out["hamming_loss"] = self.hamming_loss
        else:
            out["confusion_matrix"] = self.confusion_matrix.tolist()
        out["n_samples"] = self.n_samples
        return out

    def to_frame(self):
        """A pandas DataFrame: one row per topic and per average, columns precision, recall,
        f1-score, support."""
        import pandas as pd

        rows = {}
        for i, c in enumerate(self.classes):
            rows[str(c)] = [self.precision[i], self.recall[i], self.f1[i], int(self.support[i])]
        for name, d in self._averages():
            rows[name] = [d["precision"], d["recall"], d["f1"], int(d["support"])]
        df = pd.DataFrame.from_dict(
            rows, orient="index", columns=["precision", "recall", "f1-score", "support"]
        )
        df["support"] = df["support"].astype("int64")
        return df

    def confusion_frame(self):
        """The confusion matrix as a DataFrame (rows: true topic, columns: predicted)."""
        if self.confusion_matrix is None:
            raise ValueError("a confusion matrix is only defined for multi-class (single-topic) data")
        import pandas as pd

        names = [str(c) for c in self.classes]
        return pd.DataFrame(self.confusion_matrix, index=pd.Index(names, name="true"),
                            columns=pd.Index(names, name="predicted"))

    def __str__(self) -> str:
        names = [str(c) for c in self.classes]
        avg_names = [n for n, _ in self._averages()]
        width = max([len(n) for n in names + avg_names] + [len("accuracy")])
        head = f"{'':>{width}}  {'precision':>9}  {'recall':>9}  {'f1-score':>9}  {'support':>9}"
        lines = [head, ""]
        for i, n in enumerate(names):
            lines.append(
                f"{n:>{width}}  {self.precision[i]:9.4f}  {self.recall[i]:9.4f}  "
                f"{self.f1[i]:9.4f}  {int(self.support[i]):9d}"
            )
        lines.append("")
        if not self.multilabel:
            lines.append(
                f"{'accuracy':>{width}}  {'':>9}  {'':>9}  {self.accuracy:9.4f}  {self.n_samples:9d}"
            )
        for name, d in self._averages():
            if not self.multilabel and name == "micro avg":
                continue  # equals accuracy for single-label data
            lines.append(
                f"{name:>{width}}  {d['precision']:9.4f}  {d['recall']:9.4f}  "
                f"{d['f1']:9.4f}  {int(d['support']):9d}"
            )
        if self.multilabel:
            lines.append("")
            lines.append(f"subset accuracy {self.accuracy:.4f}   hamming loss {self.hamming_loss:.4f}"
                         f"   documents {self.n_samples}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        kind = "multi-label" if self.multilabel else "multi-class"
        return (
            f"<EvaluationReport {kind}, {len(self.classes)} topics, {self.n_samples} documents: "
            f"accuracy={self.accuracy:.4f} micro_f1={self.micro['f1']:.4f} "
            f"macro_f1={self.macro['f1']:.4f}>"
        )

    def _repr_html_(self) -> str:
        try:
            return self.to_frame()._repr_html_()
        except ImportError:  # pragma: no cover
            import html

            return "<pre>" + html.escape(str(self)) + "</pre>"


class CrossValidationResult(dict):
    """``cross_validate``'s result: a dict of numpy arrays with one value per fold
    (``fit_time``, ``score_time``, ``test_accuracy``, ``test_f1_micro``, ``test_f1_macro``,
    ``test_f1_weighted``; ``test_hamming_loss`` for multi-label), like scikit-learn's
    ``cross_validate``. ``.mean`` gives the mean of each, ``to_frame()`` a table with a
    mean row, and ``reports`` the per-fold :class:`EvaluationReport` objects."""

    reports: List[EvaluationReport]

    @property
    def mean(self) -> Dict[str, float]:
        return {k: float(np.mean(v)) for k, v in self.items()}

    @property
    def std(self) -> Dict[str, float]:
        return {k: float(np.std(v)) for k, v in self.items()}

    def to_frame(self):
        import pandas as pd

        df = pd.DataFrame({k: np.asarray(v) for k, v in self.items()})
        df.index = [f"fold {i}" for i in range(len(df))]
        df.loc["mean"] = df.mean()
        return df

    def __str__(self) -> str:
        return "\n".join(
            f"{k:>18}: mean {np.mean(v):.4f} (std {np.std(v):.4f})  folds "
            + " ".join(f"{x:.4f}" for x in v)
            for k, v in self.items()
        )


def cross_validate(model, texts, labels, cv: int = 5, random_state: Optional[int] = 0,
                   return_reports: bool = True) -> CrossValidationResult:
    """Stratified k-fold cross-validation of a :class:`TopicClassifier` on raw text.

    Folds are stratified by topic: for multi-class data each topic's documents are shuffled
    (seeded by ``random_state``) and dealt to the folds in turn; for multi-label data the
    folds come from iterative stratification (Sechidis, Tsoumakas and Vlahavas, ECML PKDD
    2011), which keeps rare topics spread over the folds. A fresh, unfitted copy of ``model``
    (same parameters) is fitted on each training split.

    Returns a :class:`CrossValidationResult` (dict of per-fold numpy arrays, like
    scikit-learn's ``cross_validate``): ``fit_time``, ``score_time``, ``test_accuracy`` (subset
    accuracy for multi-label), ``test_f1_micro``, ``test_f1_macro``, ``test_f1_weighted``, and
    ``test_hamming_loss`` for multi-label data. ``result.mean`` has the fold means.
    """
    from ._input import as_documents, n_documents
    from ._targets import parse_topic_labels, sorted_topics, topic_indices

    if not isinstance(cv, (int, np.integer)) or isinstance(cv, bool):
        raise TypeError(f"cv must be an int (number of folds), got {type(cv).__name__}")
    if random_state is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    elif isinstance(random_state, (int, np.integer)):
        seed = int(random_state) % (2**64)
    else:
        raise TypeError("random_state must be an int or None")
    docs = as_documents(texts)
    if not isinstance(docs, list):  # Arrow-backed column: fold subsets are taken from str lists
        if hasattr(texts, "to_pylist"):
            docs = texts.to_pylist()
        elif hasattr(texts, "to_list"):
            docs = texts.to_list()
        else:
            docs = [str(t) for t in texts]
    n = n_documents(docs)
    y_sets, multilabel = parse_topic_labels(labels, n, getattr(model, "label_sep", None))
    classes = sorted_topics(y_sets)
    y_idx = topic_indices(y_sets, classes, multilabel)
    folds = np.asarray(
        _core.stratified_folds(y_idx, len(classes), int(cv), seed, multilabel), dtype=np.int64
    )
    keys = ["fit_time", "score_time", "test_accuracy", "test_f1_micro", "test_f1_macro",
            "test_f1_weighted"]
    if multilabel:
        keys.append("test_hamming_loss")
    out = {k: [] for k in keys}
    reports = []
    labels_list = [list(ls) for ls in y_sets] if multilabel else [ls[0] for ls in y_sets]
    for f in range(int(cv)):
        test = np.flatnonzero(folds == f)
        train = np.flatnonzero(folds != f)
        est = type(model)(**model.get_params(deep=False))
        t0 = time.perf_counter()
        est.fit([docs[i] for i in train], [labels_list[i] for i in train])
        t1 = time.perf_counter()
        rep = est.evaluate([docs[i] for i in test], [labels_list[i] for i in test])
        t2 = time.perf_counter()
        out["fit_time"].append(t1 - t0)
        out["score_time"].append(t2 - t1)
        out["test_accuracy"].append(rep.accuracy)
        out["test_f1_micro"].append(rep.micro["f1"])
        out["test_f1_macro"].append(rep.macro["f1"])
        out["test_f1_weighted"].append(rep.weighted["f1"])
        if multilabel:
            out["test_hamming_loss"].append(rep.hamming_loss)
        reports.append(rep)
    res = CrossValidationResult({k: np.asarray(v, dtype=float) for k, v in out.items()})
    if return_reports:
        res.reports = reports
    return res
