"""Sparse linear classifiers with scikit-learn's API: ``LogisticRegression`` and ``LinearSVC``.

The solvers run in the Rust core (``src/linear``): dual coordinate descent for the linear SVM
(Hsieh et al., ICML 2008) and for one-vs-rest logistic regression (Yu, Huang and Lin, Machine
Learning 2011), L-BFGS for multinomial logistic regression (Nocedal and Wright, 2006). The
objectives, the meaning of ``C``, ``tol``, ``class_weight``, ``intercept_scaling`` and the
shapes of ``coef_`` and ``intercept_`` follow scikit-learn 1.9.

Inputs
    ``X``: a ``scipy.sparse`` matrix (CSR, CSC, COO, ...) of any numeric dtype, or a dense 2-D
    array. float32 data stays float32; other dtypes become float64. The solvers accumulate in
    float64, except ``LinearSVC``'s first phase: it keeps its weights and sums a row's inner
    products in float32 down to a tolerance of ``max(tol, 1e-4)`` (far above that rounding),
    and hands over to float64 when ``tol`` is smaller or convergence is slow.

    ``y``: labels of any hashable, sortable kind (multi-class, ``classes_`` sorted as
    ``np.unique`` sorts them), or, for multi-label tagging, either a list of label lists/sets
    (``predict`` then returns label lists, best first) or a 0/1 indicator matrix, dense or
    sparse (``predict`` then returns an indicator matrix of the same kind). Multi-label
    problems are one-vs-rest; ``multilabel_`` tells which kind was fitted.

Determinism
    Results depend only on the data and ``random_state`` (``None`` means 0), never on
    ``n_jobs``.

Persistence
    ``pickle`` stores the same bytes as ``save(path)`` (the topictag model container, loaded
    without executing code by ``topictag.load``). The class labels are written into the
    file's JSON metadata when they are JSON values (str, int, float, bool); other labels (for
    example tuples) survive pickling, where they are kept in the pickle state, but ``save``
    refuses them with a ``TypeError``.
"""

from __future__ import annotations

import json
import numbers
import warnings
from typing import Any, Dict, Optional

import numpy as np

from . import _core
from ._base import BaseEstimator, ClassifierMixin
from .exceptions import ConvergenceWarning, NotFittedError

__all__ = ["LogisticRegression", "LinearSVC"]


class _NotFittedAttributeError(NotFittedError, AttributeError):
    """Raised by fitted-attribute properties before ``fit``: a ``NotFittedError`` that is also
    an ``AttributeError``, so that ``hasattr(clf, "coef_")`` is False (as in scikit-learn)."""


# --------------------------------------------------------------------------------------
# input preparation


def _csr_parts(X, what: str = "X"):
    """``(data, indices, indptr, shape)`` of X as CSR, float32 kept, other dtypes float64."""
    import scipy.sparse as sp

    if sp.issparse(X):
        X = X.tocsr()
        if X.dtype not in (np.float32, np.float64):
            if X.dtype.kind == "c":
                raise TypeError(f"{what} has complex values; expected real numbers")
            if X.dtype.kind not in "biuf":
                raise TypeError(f"{what} has dtype {X.dtype}; expected a numeric dtype")
            X = X.astype(np.float64)
    else:
        if isinstance(X, (str, bytes)) or (
            isinstance(X, (list, tuple)) and len(X) > 0 and isinstance(X[0], str)
        ):
            raise TypeError(
                f"{what} looks like raw text; linear classifiers take a feature matrix. "
                "Vectorize the documents first (e.g. topictag.TfidfVectorizer), or use "
                "topictag.TopicClassifier, which does both."
            )
        try:
            arr = np.asarray(X)
        except Exception as e:  # ragged lists and the like
            raise ValueError(f"{what} could not be read as a 2-D array: {e}") from None
        if arr.dtype.kind == "c":
            raise TypeError(f"{what} has complex values; expected real numbers")
        if arr.dtype.kind not in "biuf":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"{what} must be numeric, got an array of dtype {arr.dtype}; vectorize "
                    "text first (e.g. topictag.TfidfVectorizer)"
                ) from None
        if arr.ndim != 2:
            raise ValueError(
                f"Expected a 2D array for {what}, got a {arr.ndim}D array instead "
                f"(shape {arr.shape}). Reshape your data with array.reshape(-1, 1) for a "
                "single feature or array.reshape(1, -1) for a single sample."
            )
        if arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
        X = sp.csr_matrix(arr)
    indices = X.indices if X.indices.dtype in (np.int32, np.int64) else X.indices.astype(np.int64)
    indptr = X.indptr if X.indptr.dtype in (np.int32, np.int64) else X.indptr.astype(np.int64)
    return (
        np.ascontiguousarray(X.data),
        np.ascontiguousarray(indices),
        np.ascontiguousarray(indptr),
        (int(X.shape[0]), int(X.shape[1])),
    )


def _is_label_collection(v) -> bool:
    return isinstance(v, (list, tuple, set, frozenset, np.ndarray))


def _encode_target(y):
    """Returns ``(kind, classes, payload)``; kind is "multiclass", "lists", "indicator" or
    "sparse_indicator"; payload is int64 indices (multi-class) or ``(indptr, indices)``."""
    import scipy.sparse as sp

    if y is None:
        raise ValueError("y is required: this classifier needs labels to fit")
    if sp.issparse(y):
        Y = sp.csr_matrix(y)
        Y.eliminate_zeros()
        if Y.nnz and not np.all(Y.data == 1):
            raise ValueError("a sparse multi-label indicator y must contain only 0 and 1")
        Y.sort_indices()
        return (
            "sparse_indicator",
            np.arange(Y.shape[1]),
            (Y.indptr.astype(np.int64), Y.indices.astype(np.int64)),
        )
    if isinstance(y, (list, tuple)) and len(y) > 0 and all(_is_label_collection(v) for v in y):
        if not all(isinstance(v, np.ndarray) for v in y) or len({len(v) for v in y}) > 1:
            return _encode_label_lists(y)
    if hasattr(y, "dtype") and getattr(y, "ndim", 0) == 1 and y.dtype == object and len(y) > 0:
        # e.g. a pandas Series or object array holding one label list per sample
        # (tuples in an object array are taken as hashable labels, not label lists)
        items = list(y)
        if all(isinstance(v, (list, set, frozenset, np.ndarray)) for v in items):
            return _encode_label_lists(items)
    arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
    if arr.ndim == 2 and arr.shape[1] == 1 and not isinstance(y, list):
        arr = arr.ravel()
    if arr.ndim == 2:
        if arr.dtype.kind not in "biuf" or not np.isin(arr, (0, 1)).all():
            raise ValueError(
                "a 2-D y is read as a multi-label indicator matrix and must contain only 0 "
                "and 1; for label lists pass a list of lists"
            )
        Y = sp.csr_matrix((arr != 0).astype(np.int8))
        return (
            "indicator",
            np.arange(arr.shape[1]),
            (Y.indptr.astype(np.int64), Y.indices.astype(np.int64)),
        )
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (labels) or 2-D (indicator), got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError("y contains NaN: every sample needs a label")
        if not np.all(arr == np.round(arr)):
            raise ValueError(
                "Unknown label type: continuous. y has non-integer float values; a "
                "classifier needs discrete labels"
            )
    if arr.dtype.kind == "O":
        if any(v is None or (isinstance(v, float) and v != v) for v in arr):
            raise ValueError("y contains missing values (None or NaN): every sample needs a label")
    try:
        classes, idx = np.unique(arr, return_inverse=True)
    except TypeError:
        raise TypeError(
            "y mixes label types that cannot be sorted together (e.g. str and int); use "
            "labels of one type"
        ) from None
    return "multiclass", classes, np.ascontiguousarray(idx.ravel().astype(np.int64))


def _encode_label_lists(y):
    labels = set()
    for v in y:
        for lab in v:
            if lab is None or (isinstance(lab, float) and lab != lab):
                raise ValueError("y contains a missing label (None or NaN) in a label list")
            labels.add(lab)
    if not labels:
        raise ValueError("y has no labels at all: every label list is empty")
    try:
        ordered = sorted(labels)
    except TypeError:
        raise TypeError(
            "the label lists in y mix label types that cannot be sorted together (e.g. str "
            "and int); use labels of one type"
        ) from None
    pos = {lab: i for i, lab in enumerate(ordered)}
    indptr = [0]
    indices = []
    for v in y:
        row = sorted({pos[lab] for lab in v})
        indices.extend(row)
        indptr.append(len(indices))
    classes = np.empty(len(ordered), dtype=object)
    classes[:] = ordered
    try:  # a plain dtype when the labels allow it (str, int, ...)
        plain = np.asarray(ordered)
        if plain.dtype.kind != "O" and plain.ndim == 1 and list(plain.tolist()) == ordered:
            classes = plain
    except Exception:
        pass
    return "lists", classes, (np.asarray(indptr, np.int64), np.asarray(indices, np.int64))


def _label_sets_of(y, classes, kind):
    """Truth label sets (as class indices) of y in the fitted encoding, for ``score``."""
    import scipy.sparse as sp

    if kind in ("indicator", "sparse_indicator") or sp.issparse(y) or (
        isinstance(y, np.ndarray) and y.ndim == 2
    ):
        Y = sp.csr_matrix(y)
        return [set(Y.indices[Y.indptr[i] : Y.indptr[i + 1]].tolist()) for i in range(Y.shape[0])]
    pos = {lab: i for i, lab in enumerate(classes.tolist())}
    return [{pos.get(lab, -1) for lab in v} for v in y]


def _seed(random_state) -> int:
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0 or random_state >= 2**64:
            raise ValueError(f"random_state must be in [0, 2**64), got {random_state}")
        return int(random_state)
    raise TypeError(
        f"random_state must be None, an int or a numpy RandomState, got {type(random_state).__name__}"
    )


def _check_number(name, value, low=None, low_inclusive=True, integer=False):
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f"{name} must be {'an int' if integer else 'a number'}, got {type(value).__name__} ({value!r})"
        )
    if not integer and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if low is not None and (value < low or (value == low and not low_inclusive)):
        op = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {op} {low}, got {value!r}")


def _check_bool(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")


def _is_json_label_array(classes) -> bool:
    try:
        values = classes.tolist()
        return json.loads(json.dumps(values)) == values and all(
            isinstance(v, (str, int, float, bool)) for v in values
        )
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------
# the estimators


class _LinearClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit / predict / persistence of the two classifiers."""

    _name = "linear classifier"

    # -- hooks
    def _core_kind(self) -> str:
        raise NotImplementedError

    def _validate_params(self) -> None:
        _check_number("C", self.C, 0.0, low_inclusive=False)
        _check_number("tol", self.tol, 0.0)
        _check_number("max_iter", self.max_iter, 0, integer=True)
        _check_bool("fit_intercept", self.fit_intercept)
        _check_number("intercept_scaling", self.intercept_scaling, 0.0, low_inclusive=False)
        if self.n_jobs is not None:
            _check_number("n_jobs", self.n_jobs, integer=True)
            if self.n_jobs == 0:
                raise ValueError("n_jobs == 0 has no meaning; use None, -1 or a positive number")
        if self.threshold is not None:
            _check_number("threshold", self.threshold)
        _check_bool("allow_empty", self.allow_empty)

    def _probability(self) -> bool:
        return False

    # -- fit
    def _class_weight_arg(self, classes):
        cw = self.class_weight
        if cw is None:
            return None
        if isinstance(cw, str):
            if cw != "balanced":
                raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}")
            return "balanced"
        if isinstance(cw, dict):
            pos = {c: i for i, c in enumerate(classes.tolist())}
            unknown = [k for k in cw if k not in pos]
            if unknown:
                raise ValueError(
                    f"class_weight has keys that are not classes of y: {unknown!r} "
                    f"(classes are {classes.tolist()!r})"
                )
            out = [1.0] * len(classes)
            for k, w in cw.items():
                _check_number(f"class_weight[{k!r}]", w, 0.0)
                out[pos[k]] = float(w)
            return out
        raise TypeError(f"class_weight must be None, 'balanced' or a dict, got {type(cw).__name__}")

    def fit(self, X, y, sample_weight=None):
        """Fit the model to features ``X`` and labels ``y`` (see the module docstring for
        the accepted kinds of ``y``). ``sample_weight`` multiplies each sample's loss."""
        self._validate_params()
        parts = _csr_parts(X)
        kind, classes, payload = _encode_target(y)
        n = parts[3][0]
        n_y = len(payload) if kind == "multiclass" else len(payload[0]) - 1
        if n_y != n:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: [{n}, {n_y}]"
            )
        if n == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0, {parts[3][1]})) while a minimum of 1 "
                "is required."
            )
        if kind == "multiclass" and len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[:1].tolist()[0]!r}"
            )
        sw = None
        if sample_weight is not None:
            sw = np.asarray(sample_weight, dtype=np.float64)
            if sw.ndim == 0:
                sw = np.full(n, float(sw))
            if sw.ndim != 1 or sw.shape[0] != n:
                raise ValueError(
                    f"sample_weight has shape {sw.shape}, expected ({n},): one weight per sample"
                )
            sw = np.ascontiguousarray(sw)
        cw = self._class_weight_arg(classes)
        core = _core.LinearClassifier.fit(
            parts,
            payload,
            kind != "multiclass",
            len(classes),
            sw,
            self._core_kind(),
            float(self.C),
            cw,
            float(self.tol),
            int(self.max_iter),
            bool(self.fit_intercept),
            float(self.intercept_scaling),
            _seed(self.random_state),
            self._probability(),
            None if self.n_jobs is None else int(self.n_jobs),
        )
        self._set_fitted(core, classes, kind)
        if not core.converged:
            warnings.warn(
                f"{type(self).__name__} did not converge in max_iter={self.max_iter} "
                f"iterations (tol={self.tol}); increase max_iter, or check the scaling of the "
                "features.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _set_fitted(self, core, classes, target_kind):
        self._core = core
        self._coef_cache = None
        self.classes_ = classes
        self.multilabel_ = bool(core.multilabel)
        self._target_kind = target_kind
        self.n_features_in_ = int(core.n_features)
        iters = list(core.n_iter)
        self.n_iter_ = self._n_iter_value(iters)

    def _n_iter_value(self, iters):
        return int(max(iters)) if iters else 0

    # -- fitted attributes
    def _fitted_core(self):
        core = self.__dict__.get("_core")
        if core is None:
            raise _NotFittedAttributeError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return core

    @property
    def coef_(self) -> np.ndarray:
        """Weights, shape ``(1, n_features)`` for two classes, else ``(n_classes, n_features)``.

        float64 like scikit-learn's, holding float32 values: the solvers round the weights to
        float32 when they finish (the precision the model predicts with and the model file
        stores, so a saved and loaded model is identical; the objective changes by about 1e-7
        relative)."""
        core = self._fitted_core()
        if self.__dict__.get("_coef_cache") is None:
            self._coef_cache = core.coef
        return self._coef_cache

    @property
    def intercept_(self) -> np.ndarray:
        """Intercepts, shape ``(1,)`` for two classes, else ``(n_classes,)`` (zeros when
        ``fit_intercept=False``)."""
        return self._fitted_core().intercept

    # -- prediction
    def _X(self, X):
        core = self._fitted_core()
        parts = _csr_parts(X)
        if parts[3][1] != core.n_features:
            raise ValueError(
                f"X has {parts[3][1]} features, but {type(self).__name__} is expecting "
                f"{core.n_features} features as input."
            )
        return core, parts

    def _n_jobs(self):
        return None if self.n_jobs is None else int(self.n_jobs)

    def decision_function(self, X) -> np.ndarray:
        """Signed distances to the hyperplanes: shape ``(n_samples,)`` for two classes (the
        score of ``classes_[1]``), else ``(n_samples, n_classes)``."""
        core, parts = self._X(X)
        s = core.decision_function(parts, self._n_jobs())
        if s.shape[1] == 1 and not self.multilabel_:
            return s.ravel()
        return s

    def _multilabel_scores(self, core, parts):
        """Per-class scores for multi-label prediction, and the default threshold."""
        return core.decision_function(parts, self._n_jobs()), 0.0

    def predict(self, X):
        """Predicted labels: ``classes_`` entries (multi-class), label lists best first (label
        list input) or an indicator matrix (indicator input)."""
        core, parts = self._X(X)
        if not self.multilabel_:
            s = core.decision_function(parts, self._n_jobs())
            return self.classes_[core.predict_labels(s)]
        scores, default_thr = self._multilabel_scores(core, parts)
        thr = default_thr if self.threshold is None else float(self.threshold)
        sets = core.predict_label_sets(scores, thr, bool(self.allow_empty))
        return self._format_sets(sets)

    def _format_sets(self, sets):
        if self._target_kind == "lists":
            cl = self.classes_
            return [[cl[k].item() if hasattr(cl[k], "item") else cl[k] for k in s] for s in sets]
        n, k = len(sets), len(self.classes_)
        indptr = np.zeros(n + 1, np.int64)
        indptr[1:] = np.cumsum([len(s) for s in sets])
        indices = np.fromiter((c for s in sets for c in sorted(s)), np.int64, int(indptr[-1]))
        import scipy.sparse as sp

        Y = sp.csr_matrix((np.ones(len(indices), np.int64), indices, indptr), shape=(n, k))
        return Y if self._target_kind == "sparse_indicator" else Y.toarray()

    def _proba(self, X) -> np.ndarray:
        core, parts = self._X(X)
        return core.predict_proba(parts, self._n_jobs())

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy; for multi-label models, subset accuracy (every label right)."""
        if not getattr(self, "multilabel_", False):
            return super().score(X, y, sample_weight)
        core, parts = self._X(X)
        scores, default_thr = self._multilabel_scores(core, parts)
        thr = default_thr if self.threshold is None else float(self.threshold)
        pred = core.predict_label_sets(scores, thr, bool(self.allow_empty))
        truth = _label_sets_of(y, self.classes_, self._target_kind)
        hits = np.array([set(p) == t for p, t in zip(pred, truth)], dtype=float)
        if sample_weight is None:
            return float(hits.mean())
        w = np.asarray(sample_weight, dtype=float)
        return float((hits * w).sum() / w.sum())

    # -- persistence
    def _params_json(self) -> Dict[str, Any]:
        out = {}
        for k, v in self.get_params(deep=False).items():
            if isinstance(v, np.random.RandomState):
                v = None
            try:
                json.dumps(v)
                out[k] = v
            except TypeError:
                out[k] = repr(v)
        return out

    def _metadata(self, require_json_labels: bool) -> str:
        meta: Dict[str, Any] = {
            "class": type(self).__name__,
            "params": self._params_json(),
            "target_kind": self._target_kind,
            "classes_dtype": self.classes_.dtype.str if self.classes_.dtype.kind != "O" else "object",
        }
        if _is_json_label_array(self.classes_):
            meta["classes"] = self.classes_.tolist()
        elif require_json_labels:
            raise TypeError(
                f"cannot save {type(self).__name__}: its class labels are not JSON values "
                "(str, int, float, bool); pickle the model instead, or fit with such labels"
            )
        else:
            meta["classes"] = None
        return json.dumps(meta)

    def to_bytes(self) -> bytes:
        """The model file image that ``save`` writes and ``topictag.load`` reads."""
        core = self._fitted_core()
        return bytes(core.to_bytes(self._metadata(require_json_labels=True)))

    def save(self, path) -> None:
        """Write the fitted model to ``path`` (topictag's model container; see
        ``topictag.load``)."""
        data = self.to_bytes()
        with open(path, "wb") as f:
            f.write(data)

    @classmethod
    def _from_bytes(cls, b: bytes, classes=None):
        core, meta_json = _core.LinearClassifier.from_bytes(bytes(b))
        meta = json.loads(meta_json) if meta_json else {}
        params = meta.get("params", {})
        valid = set(cls._get_param_names())
        obj = cls(**{k: v for k, v in params.items() if k in valid})
        if classes is None:
            if meta.get("classes") is None:
                from .exceptions import ModelFormatError

                raise ModelFormatError("this file does not record the class labels")
            dt = meta.get("classes_dtype", "object")
            classes = (
                np.array(meta["classes"], dtype=object)
                if dt == "object"
                else np.asarray(meta["classes"], dtype=np.dtype(dt))
            )
        obj._set_fitted(core, classes, meta.get("target_kind", "multiclass"))
        return obj

    def __getstate__(self):
        state = dict(self.__dict__)
        core = state.pop("_core", None)
        state.pop("_coef_cache", None)
        if core is not None:
            state["_core_bytes"] = bytes(core.to_bytes(self._metadata(require_json_labels=False)))
        return state

    def __setstate__(self, state):
        state = dict(state)
        b = state.pop("_core_bytes", None)
        self.__dict__.update(state)
        if b is not None:
            self._core, _ = _core.LinearClassifier.from_bytes(b)
            self._coef_cache = None

    def _is_fitted(self) -> bool:
        return self.__dict__.get("_core") is not None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


class LogisticRegression(_LinearClassifier):
    """L2-regularised logistic regression on sparse features (scikit-learn's API).

    Minimises ``0.5 ||W||^2 + C * sum_i s_i * loss_i`` where ``s_i`` is the sample weight
    times the class weight of the sample's class.

    Parameters
    ----------
    C : float, default 1.0
        Inverse regularisation strength.
    class_weight : dict, 'balanced' or None
        Class weights, as in scikit-learn. For ``multi_class="ovr"`` (and multi-label
        targets) a class's weight scales the loss of its positive samples in its own binary
        problem (LIBLINEAR's rule); 'balanced' for multi-label targets balances each label's
        positives against its negatives.
    max_iter : int, default 100
        L-BFGS iterations (multinomial) or coordinate-descent epochs (one-vs-rest).
    tol : float, default 1e-4
        Multinomial: stop when the largest gradient entry of the objective divided by
        ``C * sum(s_i)`` is below ``tol`` (scikit-learn's lbfgs criterion). One-vs-rest:
        a binary model stops when its primal gradient norm is at most
        ``tol * max(min(n_pos, n_neg), 1) / n`` times its norm at zero (checked every 5
        epochs from the 10th; the rule of liblinear's primal solver, i.e. scikit-learn's
        ``solver="liblinear"``), or when the largest dual sub-problem gradient of an epoch
        is below ``tol`` (liblinear's dual rule), whichever comes first.
    multi_class : {"multinomial", "ovr"}, default "multinomial"
        Softmax over all classes (L-BFGS; a single binomial model for two classes, with an
        unpenalised intercept, like scikit-learn's lbfgs), or one binary model per class by
        dual coordinate descent (like scikit-learn's liblinear solver, intercept regularised
        as a feature of value ``intercept_scaling``). Multi-label targets are always
        one-vs-rest.
    fit_intercept : bool, default True
    intercept_scaling : float, default 1.0
        One-vs-rest only: the value of the constant feature that carries the intercept.
    n_jobs : int or None
        Threads (None: all cores). Results do not depend on it.
    random_state : int, RandomState or None
        Seed of the coordinate-descent visiting order (None means 0: deterministic).
    threshold : float or None
        Multi-label prediction: labels whose probability is above it (None: 0.5).
    allow_empty : bool, default False
        Multi-label prediction: when no label passes ``threshold``, return no label instead
        of the best one.

    Attributes
    ----------
    classes_, coef_, intercept_, n_features_in_, multilabel_
    n_iter_ : ndarray of shape (1,)
        Iterations of the solver (the largest over one-vs-rest problems).

    ``predict_proba``: softmax of the scores (multinomial), the sigmoid of the one score
    (two classes), per-class sigmoids normalised to sum 1 (one-vs-rest, as scikit-learn), or
    plain per-label sigmoids (multi-label).
    """

    def __init__(
        self,
        C=1.0,
        class_weight=None,
        max_iter=100,
        tol=1e-4,
        multi_class="multinomial",
        fit_intercept=True,
        intercept_scaling=1.0,
        n_jobs=None,
        random_state=None,
        threshold=None,
        allow_empty=False,
    ):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.threshold = threshold
        self.allow_empty = allow_empty

    def _validate_params(self):
        super()._validate_params()
        if self.multi_class not in ("multinomial", "ovr", "auto"):
            raise ValueError(
                f"multi_class must be 'multinomial' or 'ovr', got {self.multi_class!r}"
            )

    def _core_kind(self):
        return "logistic_ovr" if self.multi_class == "ovr" else "logistic_multinomial"

    def _n_iter_value(self, iters):
        return np.array([max(iters) if iters else 0], dtype=np.int32)

    def _multilabel_scores(self, core, parts):
        return core.predict_proba(parts, self._n_jobs()), 0.5

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)`` (see the class docstring)."""
        return self._proba(X)

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self._proba(X))


class LinearSVC(_LinearClassifier):
    """Linear support vector classifier on sparse features (scikit-learn's API).

    Minimises, for each one-vs-rest output ``k``,
    ``0.5 ||w_k||^2 + sum_i C_i loss(y_ik f_k(x_i))`` with ``loss`` the squared hinge (default)
    or the hinge, by dual coordinate descent with shrinking (Hsieh et al., ICML 2008; the
    stopping rule on the projected gradient is LIBLINEAR's, so ``tol`` means what it means in
    scikit-learn; see the module notes for the float32 first phase). The intercept is the weight of an extra feature of value
    ``intercept_scaling``, regularised like the others. ``C_i`` is ``C`` times the sample
    weight, times the class weight of class ``k`` for the positives of output ``k``
    (LIBLINEAR's one-vs-rest rule). Two classes give one output (``coef_`` of shape
    ``(1, n_features)``).

    Parameters
    ----------
    C : float, default 1.0
    loss : {"squared_hinge", "hinge"}, default "squared_hinge"
    class_weight : dict, 'balanced' or None
        As in scikit-learn; for multi-label targets, 'balanced' balances each label's
        positives against its negatives.
    max_iter : int, default 1000
        Coordinate-descent epochs per output.
    tol : float, default 1e-4
    fit_intercept : bool, default True
    intercept_scaling : float, default 1.0
    n_jobs : int or None
        Threads (outputs are solved in parallel). Results do not depend on it.
    random_state : int, RandomState or None
        Seed of the visiting order (None means 0: deterministic).
    probability : bool, default False
        Also fit Platt scaling (Platt 1999; fitted with the numerically safe Newton method of
        Lin, Lin and Weng 2007, with Platt's smoothed targets) so that ``predict_proba`` is
        available. The sigmoid of each output is fitted on out-of-fold decision values: the
        training set is split into 5 folds (stratified by class for multi-class targets,
        shuffled with ``random_state``), a model with the same parameters is trained on
        each 4 folds and scores the fifth. The final model is the one trained on all the
        data; its scores go through the fitted sigmoids. Multi-class probabilities are the
        per-class sigmoids normalised to sum 1; multi-label ones are not normalised. This
        costs about 5 more fits. Without it, ``predict_proba`` does not exist
        (``hasattr(clf, "predict_proba")`` is False), as in scikit-learn.
    threshold : float or None
        Multi-label prediction: labels whose decision value is above it (None: 0).
    allow_empty : bool, default False
        Multi-label prediction: when no label passes ``threshold``, return no label instead
        of the best one.

    Attributes
    ----------
    classes_, coef_, intercept_, n_features_in_, multilabel_
    n_iter_ : int
        The largest number of epochs over the outputs.
    """

    def __init__(
        self,
        C=1.0,
        loss="squared_hinge",
        class_weight=None,
        max_iter=1000,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1.0,
        n_jobs=None,
        random_state=None,
        probability=False,
        threshold=None,
        allow_empty=False,
    ):
        self.C = C
        self.loss = loss
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.probability = probability
        self.threshold = threshold
        self.allow_empty = allow_empty

    def _validate_params(self):
        super()._validate_params()
        if self.loss not in ("squared_hinge", "hinge"):
            raise ValueError(f"loss must be 'squared_hinge' or 'hinge', got {self.loss!r}")
        _check_bool("probability", self.probability)

    def _core_kind(self):
        return "svm_hinge" if self.loss == "hinge" else "svm_squared_hinge"

    def _probability(self) -> bool:
        return bool(self.probability)

    def _check_proba(self):
        if not self.probability:
            raise AttributeError(
                "predict_proba is not available when probability=False; use "
                "LinearSVC(probability=True) to fit Platt-scaled probabilities"
            )
        core = self.__dict__.get("_core")
        if core is not None and not core.has_platt:
            raise AttributeError(
                "predict_proba is not available: this LinearSVC was fitted with "
                "probability=False; refit it"
            )

    @property
    def predict_proba(self):
        """Platt-scaled class probabilities, shape ``(n_samples, n_classes)``; exists only
        with ``probability=True`` (see the class docstring)."""
        self._check_proba()
        return self._proba

    @property
    def predict_log_proba(self):
        """Logarithm of ``predict_proba``; exists only with ``probability=True``."""
        self._check_proba()

        def predict_log_proba(X):
            with np.errstate(divide="ignore"):
                return np.log(self._proba(X))

        return predict_log_proba
