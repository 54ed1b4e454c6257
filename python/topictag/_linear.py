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
import re
import warnings
from numbers import Integral, Real
from typing import Any, Dict

import numpy as np

from . import _core
from ._base import (BOOLEAN, BaseEstimator, ClassifierMixin, Condition, Interval, Options,
                    Unsupported, weighted_mean)
from ._matrix import csr_parts
from ._persist import PersistMixin, check_classes
from ._state import snapshot_reads, swap_in
from ._targets import check_label_types, class_weight_arg, encode_target, label_sets_of
from .exceptions import ConvergenceWarning, ModelFormatError, NotFittedError

__all__ = ["LogisticRegression", "LinearSVC"]


class _NotFittedAttributeError(NotFittedError, AttributeError):
    """Raised by fitted-attribute properties before ``fit``: a ``NotFittedError`` that is also
    an ``AttributeError``, so that ``hasattr(clf, "coef_")`` is False (as in scikit-learn)."""


# --------------------------------------------------------------------------------------
# helpers


def _seed(random_state) -> int:
    """The core's u64 seed of a checked ``random_state`` (None means 0)."""
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**63 - 1))
    return int(random_state)


def _is_json_label_array(classes) -> bool:
    try:
        values = classes.tolist()
        return json.loads(json.dumps(values)) == values and all(
            isinstance(v, (str, int, float, bool)) for v in values
        )
    except (TypeError, ValueError):
        return False


# the dtypes save() writes for JSON-able class labels (numpy's dtype.str): bool, integers and
# floats of 1-8 bytes, or unicode strings; anything else in a file is forged or corrupted
_CLASSES_DTYPE = re.compile(r"[<>|=]?(?:[biuf][1248]|U[0-9]{1,9})")


def _classes_from_meta(values, dt):
    """The class labels a file's metadata records, as the array ``save()`` wrote: only the
    dtypes it writes are accepted, and a unicode width is taken from the labels themselves
    (not from the file), so nothing is allocated that the labels do not justify."""
    if dt != "object" and (not isinstance(dt, str) or not _CLASSES_DTYPE.fullmatch(dt)):
        raise ModelFormatError(f"corrupted topictag file: unknown classes_dtype {dt!r}")
    try:
        if dt == "object":
            return np.array(values, dtype=object)
        if "U" in dt:
            return np.asarray(values, dtype=str)
        return np.asarray(values, dtype=np.dtype(dt))
    except (TypeError, ValueError, OverflowError) as e:
        raise ModelFormatError(
            f"corrupted topictag file: its class labels do not fit classes_dtype {dt!r} ({e})"
        ) from None


# --------------------------------------------------------------------------------------
# the estimators

# Types of the parameters both classifiers (and TopicClassifier) take. C > 0 and n_jobs != 0
# are the core's rules (src/linear/mod.rs check_params, src/parallel.rs resolve_n_jobs), as
# are non-negative class weights; the Intervals are rules the core does not check (yet).
LINEAR_CONSTRAINTS: Dict[str, list] = {
    "C": [Real],
    "class_weight": [dict, "balanced", None],
    # >= 1 is LinearParams::validate's rule; Python only keeps negative ints from reaching
    # the core's unsigned count, where they would fail as an OverflowError.
    "max_iter": [Interval(Integral, 0, None)],
    "tol": [Real],  # > 0: LinearParams::validate
    "fit_intercept": [BOOLEAN],
    "intercept_scaling": [Real],  # > 0 with fit_intercept: LinearParams::validate
    "n_jobs": [Integral, None],
    "random_state": [None, Condition(Integral, lambda v: 0 <= v < 2**64, "an int in [0, 2**64)"),
                     np.random.RandomState, np.random.Generator],
    "threshold": [Interval(Real, owner="LinearModel::predict_label_sets"), None],
    "allow_empty": [BOOLEAN],
}

# scikit-learn's parameters that choose among things topictag has one of: accepted when the
# value names what topictag does, else ValueError saying what is supported. verbose is
# accepted and prints nothing.
_L2_ONLY = ("topictag supports the penalties 'l2', 'l1' and 'elasticnet' (penalty=None, "
            "no penalty, is not supported)")
_SKLEARN_COMMON: Dict[str, list] = {
    "verbose": [Interval(Integral, 0, None), BOOLEAN],
}
_LR_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")


class _LinearClassifier(PersistMixin, ClassifierMixin, BaseEstimator):
    """Shared fit / predict / persistence of the two classifiers."""

    _core_type = _core.LinearClassifier
    _file_kind = "linear classifier"

    # -- hooks
    def _core_kind(self) -> str:
        raise NotImplementedError

    def _probability(self) -> bool:
        return False

    def _core_penalty(self):
        """``(penalty, l1_ratio)`` for the core: 'l2', 'l1' (LIBLINEAR's: the intercept
        feature penalised too) or 'elasticnet' (scikit-learn's saga: intercept free)."""
        return "l2", 0.0

    def fit(self, X, y, sample_weight=None):
        """Fit the model to features ``X`` and labels ``y`` (see the module docstring for
        the accepted kinds of ``y``). ``sample_weight`` multiplies each sample's loss."""
        self._validate_params()
        parts = csr_parts(X)
        kind, classes, payload = encode_target(y)
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
        cw = class_weight_arg(self.class_weight, classes)
        init = self._warm_start_core(kind)
        penalty, l1_ratio = self._core_penalty()
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
            init=init,
            penalty=penalty,
            l1_ratio=l1_ratio,
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

    def _warm_start_core(self, target_kind):
        """``warm_start=True``: the fitted model to start from, when there is one of the same
        kind (model and target). As scikit-learn, its coefficients are used whatever the
        labels, and a model of another number of features or classes is a ValueError (the
        core checks the shapes)."""
        core = self.__dict__.get("_core")
        if not getattr(self, "warm_start", False) or core is None:
            return None
        same = (core.kind == self._core_kind()
                and self.__dict__.get("_target_kind") == target_kind)
        return core if same else None

    # -- incremental training
    def _multilabel(self) -> bool:
        return self.__dict__.get("_target_kind", "multiclass") != "multiclass"

    def _pf_state_from_fit(self) -> Dict[str, Any]:
        """The partial_fit state of a model fitted by ``fit``: its classes and weights, in the
        layout partial_fit solves for (features x outputs; the SVM's bias as the last row)."""
        coef = np.asarray(self.coef_, dtype=np.float64)
        intercept = np.asarray(self.intercept_, dtype=np.float64).reshape(-1)
        if self._core_kind() == "svm_squared_hinge":
            bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
            W = coef.T.copy()
            if bias:
                W = np.vstack([W, intercept / bias])
            b = None
        else:
            W, b = coef.T.copy(), intercept.copy()
        return {"classes": np.asarray(list(self.classes_), dtype=object), "W": W, "b": b}

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Update the model with one batch of rows ``X`` (features with fixed columns:
        ``HashingVectorizer``, or a vectorizer with a fixed ``vocabulary``) and labels ``y``.

        The first call needs ``classes`` (every class the stream will have). Each call
        solves exactly, by scipy on this batch only, the batch's objective with the penalty
        centred on the previous weights ``W0`` (zero at the first call):

        - ``LinearSVC`` (squared hinge): ``0.5 ||W - W0||^2 + C sum_batch max(0, 1 - y z)^2``;
        - ``LogisticRegression`` (multinomial): ``(1/n) sum_batch loss + ||W - W0||^2 / (2 C n)``
          (``n`` the batch size, intercept not penalised).

        So a first call equals ``fit`` on that batch (up to the solvers' tolerance), and
        later batches move the weights as little as their data allow: a proximal (passive-
        aggressive-like) update, not the full-data optimum. Multi-label targets,
        ``class_weight``, ``sample_weight``, the hinge loss and ``multi_class="ovr"`` are not
        supported here.
        """
        from scipy.optimize import minimize

        from . import _objectives as obj
        from ._matrix import csr_parts

        self._validate_params()
        if sample_weight is not None or self.class_weight is not None:
            raise ValueError("partial_fit supports neither sample_weight nor class_weight")
        kind = self._core_kind()
        if kind not in ("svm_squared_hinge", "logistic_multinomial"):
            raise ValueError(f"partial_fit supports the squared hinge SVM and multinomial logistic regression, not {kind}")
        state = self.__dict__.get("_pf")
        if state is None and classes is None and self._is_fitted() and not self._multilabel():
            state = self._pf_state_from_fit()  # after fit, partial_fit continues from its weights
        if state is None:
            if classes is None:
                raise ValueError("the first call to partial_fit needs classes= (every class of the stream)")
            check_label_types(list(classes), "classes")
            cl = np.unique(np.asarray(list(classes), dtype=object))
            if len(cl) < 2:
                raise ValueError("classes must hold at least two classes")
            state = {"classes": cl, "W": None, "b": None}
        elif classes is not None and not np.array_equal(np.unique(np.asarray(list(classes), dtype=object)), state["classes"]):
            raise ValueError("classes differ from the first call to partial_fit")
        cl = state["classes"]
        data, indices, indptr, shape = csr_parts(X)
        import scipy.sparse as sp

        Xb = sp.csr_matrix((data.astype(np.float64), indices, indptr), shape=shape)
        yb = np.asarray(list(y), dtype=object)
        check_label_types(yb)
        if len(yb) != Xb.shape[0]:
            raise ValueError(f"Found input variables with inconsistent numbers of samples: [{Xb.shape[0]}, {len(yb)}]")
        unknown = set(yb.tolist()) - set(cl.tolist())
        if unknown:
            raise ValueError(f"y has classes not given in classes=: {sorted(map(str, unknown))[:5]}")
        nf = Xb.shape[1]
        k = 1 if len(cl) == 2 else len(cl)
        C, block = float(self.C), (Xb, yb)
        if kind == "svm_squared_hinge":
            bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
            d = nf + (1 if bias else 0)
            W0 = state["W"] if state["W"] is not None else np.zeros((d, k))
            if W0.shape != (d, k):
                raise ValueError(f"X has {nf} features, but {type(self).__name__} is expecting "
                                 f"{W0.shape[0] - (1 if bias else 0)} features as input")

            def fg(w):
                W = w.reshape(d, k)
                loss, G = obj.svm_loss_grad(block, W, list(cl), C, bias)
                D = W - W0
                return 0.5 * float(np.sum(D * D)) + loss, (D + G).ravel()

            def hessp(w, v):
                V = v.reshape(d, k)
                return (V + obj.svm_hessp(block, w.reshape(d, k), V, list(cl), C, bias)).ravel()

            res = minimize(fg, W0.ravel(), jac=True, hessp=hessp, method="trust-ncg",
                           options={"gtol": float(self.tol), "maxiter": int(self.max_iter)})
            W = res.x.reshape(d, k)
            state["W"] = W
            coef, intercept = W[:nf].T, (W[nf] * bias if bias else np.zeros(k))
        else:
            fi = bool(self.fit_intercept)
            W0 = state["W"] if state["W"] is not None else np.zeros((nf, k))
            b0 = state["b"] if state["b"] is not None else np.zeros(k)
            if W0.shape != (nf, k):
                raise ValueError(f"X has {nf} features, but {type(self).__name__} is expecting "
                                 f"{W0.shape[0]} features as input")
            S = float(Xb.shape[0])

            def fg(th):
                W = th[: nf * k].reshape(nf, k)
                b = th[nf * k:] if fi else np.zeros(k)
                loss, gW, gb = obj.lr_loss_grad(block, W, b, list(cl), S)
                D = W - W0
                g = [(gW + D / (C * S)).ravel()] + ([gb] if fi else [])
                return loss + float(np.sum(D * D)) / (2.0 * C * S), np.concatenate(g)

            x0 = np.concatenate([W0.ravel()] + ([b0] if fi else []))
            res = minimize(fg, x0, jac=True, method="L-BFGS-B",
                           options={"gtol": float(self.tol), "maxiter": int(self.max_iter), "maxcor": 10,
                                    "ftol": 64 * np.finfo(float).eps})
            W = res.x[: nf * k].reshape(nf, k)
            b = res.x[nf * k:] if fi else np.zeros(k)
            state["W"], state["b"] = W, b
            coef, intercept = W.T, b
        core = _core.LinearClassifier.from_coef(
            kind, np.ascontiguousarray(coef, dtype=np.float64), np.ascontiguousarray(intercept, dtype=np.float64),
            len(cl), False, bool(res.success), [int(res.nit)],
        )
        self._set_fitted(core, cl, "multiclass", _pf=state)
        return self

    def _set_fitted(self, core, classes, target_kind, **more):
        """Put a fitted model in place, every fitted attribute in one step (``_state``)."""
        swap_in(self, _core=core, _coef_cache=None, _intercept_cache=None, _coef_sparse=False,
                classes_=classes, multilabel_=bool(core.multilabel), _target_kind=target_kind,
                n_features_in_=int(core.n_features),
                n_iter_=self._n_iter_value(list(core.n_iter)), **more)

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
    def coef_(self):
        """Weights, shape ``(1, n_features)`` for two classes, else ``(n_classes, n_features)``;
        a ``scipy.sparse`` CSR matrix after ``sparsify()``.

        float64 like scikit-learn's, holding float32 values: the solvers round the weights to
        float32 when they finish (the precision the model predicts with and the model file
        stores, so a saved and loaded model is identical; the objective changes by about 1e-7
        relative). The array is read-only: an in-place write raises ValueError instead of
        being ignored. Assign ``coef_`` (and ``intercept_``) to change the model; the values
        are rounded to float32 like fitted ones."""
        core = self._fitted_core()
        if self.__dict__.get("_coef_cache") is None:
            coef = np.array(core.coef, dtype=np.float64)
            coef.flags.writeable = False
            if self.__dict__.get("_coef_sparse"):
                import scipy.sparse as sp

                coef = sp.csr_matrix(coef)
            self._coef_cache = coef
        return self._coef_cache

    @coef_.setter
    def coef_(self, value):
        import scipy.sparse as sp

        core = self._fitted_core()
        sparse = sp.issparse(value)
        coef = np.asarray(value.toarray() if sparse else value, dtype=np.float64)
        self._set_weights(core, coef, np.asarray(core.intercept, dtype=np.float64))
        self._coef_sparse = sparse

    @property
    def intercept_(self) -> np.ndarray:
        """Intercepts, shape ``(1,)`` for two classes, else ``(n_classes,)`` (zeros when
        ``fit_intercept=False``). Read-only; assign it to change the model."""
        core = self._fitted_core()
        if self.__dict__.get("_intercept_cache") is None:
            b = np.array(core.intercept, dtype=np.float64)
            b.flags.writeable = False
            self._intercept_cache = b
        return self._intercept_cache

    @intercept_.setter
    def intercept_(self, value):
        core = self._fitted_core()
        b = np.asarray(value, dtype=np.float64).reshape(-1)
        self._set_weights(core, np.asarray(core.coef, dtype=np.float64), b)

    def _set_weights(self, core, coef, intercept) -> None:
        want = np.asarray(core.coef).shape
        if coef.shape != want:
            raise ValueError(f"coef_ must have shape {want}, got {coef.shape}")
        if intercept.shape != (want[0],):
            raise ValueError(f"intercept_ must have shape ({want[0]},), got {intercept.shape}")
        if not (np.isfinite(coef).all() and np.isfinite(intercept).all()):
            raise ValueError("coef_ and intercept_ must be finite")
        swap_in(self, _core=core.with_weights(np.ascontiguousarray(coef),
                                              np.ascontiguousarray(intercept)),
                _coef_cache=None, _intercept_cache=None)

    def sparsify(self):
        """Store ``coef_`` as a ``scipy.sparse`` CSR matrix (as scikit-learn's; predictions
        do not change). Returns self."""
        self._fitted_core()
        self._coef_sparse = True
        self._coef_cache = None
        return self

    def densify(self):
        """Store ``coef_`` as a dense array again (the default). Returns self."""
        self._fitted_core()
        self._coef_sparse = False
        self._coef_cache = None
        return self

    # -- prediction
    def _X(self, X):
        core = self._fitted_core()
        parts = csr_parts(X)
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
        truth = label_sets_of(y, self.classes_, self._target_kind)
        hits = np.array([set(p) == t for p, t in zip(pred, truth)], dtype=float)
        return weighted_mean(hits, sample_weight)

    # -- persistence (PersistMixin hooks)
    def _saved_core(self):
        return self._fitted_core()

    def _metadata_extra(self, strict: bool) -> Dict[str, Any]:
        json_labels = _is_json_label_array(self.classes_)
        if strict and not json_labels:
            raise TypeError(
                f"cannot save {type(self).__name__}: its class labels are not JSON values "
                "(str, int, float, bool); pickle the model instead, or fit with such labels"
            )
        return {
            "target_kind": self._target_kind,
            "classes_dtype": self.classes_.dtype.str if self.classes_.dtype.kind != "O" else "object",
            "classes": self.classes_.tolist() if json_labels else None,
        }

    def _pickle_extra(self) -> Dict[str, Any]:
        extra: Dict[str, Any] = {"coef_sparse": bool(self.__dict__.get("_coef_sparse"))}
        if not _is_json_label_array(self.classes_):
            extra["classes_"] = self.classes_
        if self.__dict__.get("_pf") is not None:
            extra["partial_fit"] = self._pf  # float64 weights: later partial_fit calls continue exactly
        return extra

    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        classes = extra.get("classes_")
        if classes is None:
            if meta.get("classes") is None:
                raise ModelFormatError("this file does not record the class labels")
            classes = _classes_from_meta(meta["classes"], meta.get("classes_dtype", "object"))
            if classes.ndim != 1:
                raise ModelFormatError("corrupted topictag file: its class labels are not a list")
            check_classes(classes.tolist(), int(core.n_classes))
        target_kind = meta.get("target_kind", "multiclass")
        if not isinstance(target_kind, str):
            raise ModelFormatError("corrupted topictag file: its target kind is not a string")
        self._set_fitted(core, classes, target_kind)
        self._coef_sparse = bool(extra.get("coef_sparse", False))
        if extra.get("partial_fit") is not None:
            self._pf = extra["partial_fit"]

    def _is_fitted(self) -> bool:
        return self.__dict__.get("_core") is not None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


# The end of both classifiers' docstrings: the allow_empty parameter and the shared attributes.
_ALLOW_EMPTY_AND_ATTRIBUTES = """\
    allow_empty : bool, default True
        Multi-label prediction: with the default, the labels are exactly those whose
        decision value is above ``threshold`` (scikit-learn's ``decision_function > 0``), so
        a sample can get none; ``False`` gives such a sample its best label instead (the
        at-least-one-topic rule that ``TopicClassifier`` applies by default).

    Attributes
    ----------
    classes_, coef_, intercept_, n_features_in_, multilabel_
"""


def _shared_doc(cls):
    """Puts the shared docstring part in place of its ``{allow_empty_and_attributes}`` line."""
    if cls.__doc__:  # None under python -OO
        cls.__doc__ = cls.__doc__.replace("    {allow_empty_and_attributes}\n",
                                          _ALLOW_EMPTY_AND_ATTRIBUTES)
    return cls


@_shared_doc
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
        Coordinate-descent epochs (multinomial with 3 or more classes, and one-vs-rest) or
        L-BFGS iterations (two classes).
    tol : float, default 1e-4
        Multinomial: stop when the largest gradient entry of the objective divided by
        ``C * sum(s_i)`` is below ``tol`` (scikit-learn's lbfgs criterion). One-vs-rest:
        a binary model stops when its primal gradient norm is at most
        ``tol * max(min(n_pos, n_neg), 1) / n`` times its norm at zero (checked every 5
        epochs from the 10th; the rule of liblinear's primal solver, i.e. scikit-learn's
        ``solver="liblinear"``), or when the largest dual sub-problem gradient of an epoch
        is below ``tol`` (liblinear's dual rule), whichever comes first.
    multi_class : {"auto", "multinomial", "ovr"}, default "auto"
        Softmax over all classes (dual coordinate descent for maximum entropy, Yu, Huang and
        Lin 2011; a single binomial model by L-BFGS for two classes; both with an
        unpenalised intercept and scikit-learn's lbfgs optimum), or one binary model per class by
        dual coordinate descent (like scikit-learn's liblinear solver, intercept regularised
        as a feature of value ``intercept_scaling``). ``"auto"``: one-vs-rest with
        ``solver="liblinear"``, else multinomial. Multi-label targets are always
        one-vs-rest.
    penalty, l1_ratio, dual, solver, verbose
        scikit-learn's parameters, accepted with the values topictag implements. The L2
        penalty (``l1_ratio`` 0 or None, ``penalty`` "deprecated" or "l2"): either ``dual``
        and any of scikit-learn's solver names (topictag's solvers reach the same L2
        optimum; "liblinear" selects one-vs-rest). L1 (``l1_ratio=1`` or ``penalty="l1"``)
        with ``solver="liblinear"``: LIBLINEAR's objective ``||w||_1 + C sum_i s_i loss_i``
        with the intercept a feature of value ``intercept_scaling``, penalised too, one
        binary model per class, solved by newGLMNET (Yuan, Ho and Lin, JMLR 2012: Newton
        steps with coordinate descent on the quadratic model, shrinking and a line search);
        ``tol`` bounds the 1-norm of the minimum-norm subgradient relative to its value at
        zero, as liblinear's. Elastic net (``0 < l1_ratio < 1``, or L1 with ``solver="saga"``):
        ``l1_ratio ||w||_1 + (1 - l1_ratio) / 2 ||w||^2 + C sum_i s_i loss_i`` with an
        unpenalised intercept, scikit-learn's saga objective, solved by the same newGLMNET
        with the L2 part in its quadratic model; one-vs-rest for several classes (saga's is
        multinomial). The solver and ``dual`` rules are scikit-learn's (L1 needs
        "liblinear" or "saga" and ``dual=False``, the elastic net "saga"), with its error
        messages. ``verbose`` prints nothing. Other values raise
        ValueError saying what is supported.
    warm_start : bool, default False
        Start the next ``fit`` from this model's solution, as scikit-learn: a refit at a
        nearby ``C`` takes fewer epochs (see ``topictag.regularization_path``); X of another
        width or another number of classes is a ValueError, as in scikit-learn.
        Multinomial fits only; one-vs-rest fits start from zero.
    fit_intercept : bool, default True
    intercept_scaling : float, default 1.0
        One-vs-rest only: the value of the constant feature that carries the intercept.
    n_jobs : int or None
        Threads (None: all cores). Results do not depend on it.
    random_state : int, RandomState or None
        Seed of the coordinate-descent visiting order (None means 0: deterministic).
    threshold : float or None
        Multi-label prediction: labels whose probability is above it (None: those whose
        decision value is above 0, i.e. probability above 0.5, as scikit-learn).
    {allow_empty_and_attributes}
    n_iter_ : ndarray of shape (1,)
        Iterations of the solver (the largest over one-vs-rest problems).

    ``predict_proba``: softmax of the scores (multinomial), the sigmoid of the one score
    (two classes), per-class sigmoids normalised to sum 1 (one-vs-rest, as scikit-learn), or
    plain per-label sigmoids (multi-label).
    """

    _parameter_constraints = {
        **LINEAR_CONSTRAINTS,
        **_SKLEARN_COMMON,
        # the core takes a model kind (_core_kind), so Python checks the names
        "multi_class": [Options("multinomial", "ovr", "auto")],
        "penalty": [Options("deprecated", "l2", "l1", "elasticnet", hint=_L2_ONLY),
                    Unsupported(None, _L2_ONLY)],
        "l1_ratio": [None, Interval(Real, 0, 1)],
        "dual": [BOOLEAN],
        "solver": [Options(*_LR_SOLVERS, hint="these are the supported names (topictag's "
                           "solvers reach the same L2 optimum as scikit-learn's; 'liblinear' "
                           "also means one-vs-rest for several classes)")],
        "warm_start": [BOOLEAN],
    }

    def __init__(
        self,
        C=1.0,
        class_weight=None,
        max_iter=100,
        tol=1e-4,
        multi_class="auto",
        fit_intercept=True,
        intercept_scaling=1.0,
        n_jobs=None,
        random_state=None,
        threshold=None,
        allow_empty=True,
        *,
        penalty="deprecated",
        l1_ratio=0.0,
        dual=False,
        solver="lbfgs",
        verbose=0,
        warm_start=False,
    ):
        self._store_params(locals())

    def _core_kind(self):
        ovr = self.multi_class == "ovr" or (self.multi_class == "auto" and self.solver == "liblinear")
        return "logistic_ovr" if ovr else "logistic_multinomial"

    def _core_penalty(self):
        # scikit-learn 1.9's reading of penalty and l1_ratio, and its solver rules
        # (sklearn.linear_model._logistic._check_solver)
        r = self.l1_ratio
        if self.penalty == "deprecated":
            penalty = "l2" if r is None or r == 0 else "l1" if r == 1 else "elasticnet"
        else:
            penalty = self.penalty
        if penalty == "l2":
            return "l2", 0.0
        if self.solver not in ("liblinear", "saga"):
            raise ValueError(f"Solver {self.solver} supports only 'l2' or None penalties, got "
                             f"{penalty} penalty.")
        if penalty == "elasticnet" and self.solver != "saga":
            raise ValueError("Only 'saga' solver supports elasticnet penalty, got "
                             f"solver={self.solver}.")
        if penalty == "elasticnet" and r is None:
            raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
        if self.dual:
            raise ValueError(f"Unsupported set of arguments: The combination of penalty={penalty!r} "
                             "and loss='logistic_regression' are not supported when dual=True, "
                             f"Parameters: penalty={penalty!r}, loss='logistic_regression', dual=True")
        if self.solver == "saga":  # saga's objective: the intercept is not penalised
            return "elasticnet", 1.0 if penalty == "l1" else float(r)
        return "l1", 1.0

    def _n_iter_value(self, iters):
        return np.array([max(iters) if iters else 0], dtype=np.int32)

    def _multilabel_scores(self, core, parts):
        if self.threshold is None:  # scikit-learn's rule: decision_function > 0
            return core.decision_function(parts, self._n_jobs()), 0.0
        return core.predict_proba(parts, self._n_jobs()), 0.5

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)`` (see the class docstring)."""
        return self._proba(X)

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of ``predict_proba``."""
        with np.errstate(divide="ignore"):
            return np.log(self._proba(X))


@_shared_doc
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
    penalty, dual, multi_class, verbose
        scikit-learn's parameters, accepted with the values topictag implements:
        ``penalty="l1"`` with the squared hinge and ``dual=False`` (or "auto"), as
        scikit-learn: ``||w||_1 + sum_i C_i max(0, 1 - y_i f(x_i))^2``, the intercept's
        feature penalised too, solved by primal coordinate descent with a line search per
        feature and shrinking (Yuan, Chang, Hsieh and Lin, JMLR 2010; liblinear's solver), so
        most weights are exactly zero; ``penalty="l2"``, any ``dual`` (one dual coordinate-descent solver; ``dual=False``
        reaches the same optimum), ``multi_class="ovr"``; ``verbose`` prints nothing. Other
        values raise ValueError saying what is supported.
    {allow_empty_and_attributes}
    n_iter_ : int
        The largest number of epochs over the outputs.
    """

    _parameter_constraints = {
        **LINEAR_CONSTRAINTS,
        **_SKLEARN_COMMON,
        # the core takes a model kind (_core_kind), so Python checks the names
        "loss": [Options("squared_hinge", "hinge")],
        "probability": [BOOLEAN],
        "penalty": [Options("l2", "l1", hint="LinearSVC supports the penalties 'l2' and 'l1'")],
        "dual": [Options("auto"), BOOLEAN],
        "multi_class": [Options("ovr", hint="topictag supports multi_class='ovr' (one-vs-rest) "
                                "only; 'crammer_singer' is not supported")],
    }

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
        allow_empty=True,
        *,
        penalty="l2",
        dual="auto",
        multi_class="ovr",
        verbose=0,
    ):
        self._store_params(locals())

    def _core_kind(self):
        return "svm_hinge" if self.loss == "hinge" else "svm_squared_hinge"

    def _core_penalty(self):
        if self.penalty == "l2":
            return "l2", 0.0
        # scikit-learn's rules (sklearn.svm._base._get_liblinear_solver_type): L1 needs the
        # squared hinge and the primal (dual="auto" picks it)
        dual = False if self.dual == "auto" else self.dual
        if self.loss == "hinge":
            raise ValueError("Unsupported set of arguments: The combination of penalty='l1' and "
                             "loss='hinge' is not supported, Parameters: penalty='l1', "
                             f"loss='hinge', dual={dual!r}")
        if dual:
            raise ValueError("Unsupported set of arguments: The combination of penalty='l1' and "
                             "loss='squared_hinge' are not supported when dual=True, Parameters: "
                             "penalty='l1', loss='squared_hinge', dual=True")
        return "l1", 0.0

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


# a refit while another thread predicts: each call reads the old model or the new one (_state)
snapshot_reads(_LinearClassifier, ("decision_function", "predict", "predict_proba",
                                   "score"))
snapshot_reads(LogisticRegression, ("predict_proba", "predict_log_proba"))
