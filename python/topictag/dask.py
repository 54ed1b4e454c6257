"""topictag on Dask: fit on dask Series / DataFrame columns, predict per partition.

Install with ``pip install "topictag[dask]"``. The classes here are the local ones
(``topictag.TfidfVectorizer`` etc.) whose ``fit``, ``transform`` and ``predict`` also take dask
collections; given local data they behave exactly like the local classes, and once fitted
they *are* local models (pickle, save, predict on lists) that happen to have been trained on a
cluster.

How the work is split:

- **Vocabulary** (:class:`TfidfVectorizer`, and the one inside :class:`TopicClassifier`): each
  partition's document and term frequencies are counted in Rust on its worker
  (``DfCounts``, one entry per distinct feature; never the documents), the counts are merged
  in a tree, and ``min_df`` / ``max_df`` / ``max_features`` are applied once to the merged
  totals. The vocabulary and idf equal those of a local fit on all the documents.
- **Training** (:class:`LinearSVC`, :class:`LogisticRegression`): an exact distributed solver.
  Each partition's training block (CSR rows, class codes) is computed once and kept on its
  worker. In each step the driver sends the current weights once to each worker
  (``Client.scatter(broadcast=True)``), a task per block computes that block's share of the
  loss and gradient (and, for the SVM, Hessian-vector products) in Rust with the GIL released
  (``topictag._core.sq_hinge_loss_grad`` etc.), the shares are summed in a tree on the
  workers and the driver receives one sum. The driver optimises: trust-region Newton per
  one-vs-rest output for the SVM's squared hinge loss (all outputs share each round trip;
  an output that has converged leaves the messages), L-BFGS for logistic regression. The
  objectives are the local solvers' (see ``topictag.LinearSVC`` and
  ``topictag.LogisticRegression``), so the model equals a local fit's up to the solvers'
  tolerances. ``dask_stats_`` on the fitted estimator counts the round trips and megabytes.
  Without a distributed client the same steps run in this process.
- **Prediction / transform**: per partition, with the fitted model shipped once to each
  worker (one task key in the graph), returning dask collections.

Not supported on dask input (a ``ValueError`` says so): ``sample_weight``, ``class_weight``,
multi-label targets, ``LogisticRegression(multi_class="ovr")``, ``penalty`` other than L2.
"""

from __future__ import annotations

import itertools
from typing import Any, List, Optional, Sequence

import numpy as np

try:
    import dask
    import dask.array as da
    import dask.dataframe as dd
    from dask import delayed
except ImportError as e:  # pragma: no cover - exercised only without the extra
    raise ImportError('topictag.dask needs dask: pip install "topictag[dask]"') from e

from . import _core
from . import _distributed as _dist
from ._distributed import _dots
from ._classifier import TopicClassifier as _LocalTopicClassifier
from ._input import as_documents
from ._linear import LinearSVC as _LocalLinearSVC
from ._linear import LogisticRegression as _LocalLogisticRegression
from ._vectorizers import TfidfVectorizer as _LocalTfidfVectorizer
from ._targets import check_label_types

__all__ = ["TfidfVectorizer", "LinearSVC", "LogisticRegression", "TopicClassifier"]

_FAN_IN = 8


def _is_dask(x) -> bool:
    return isinstance(x, (dd.Series, dd.DataFrame, da.Array)) or dask.is_dask_collection(x)


def _text_partitions(X, what: str = "X") -> List[Any]:
    if isinstance(X, dd.DataFrame):
        if len(X.columns) != 1:
            raise ValueError(
                f"{what}: a dask DataFrame with {len(X.columns)} columns; pass the text column, "
                "e.g. df['text']"
            )
        X = X[X.columns[0]]
    if not isinstance(X, dd.Series):
        raise TypeError(f"{what} must be a dask Series of str (a text column), got {type(X).__name__}")
    return list(X.to_delayed())


def _docs(part) -> list:
    """A partition's texts as a list of str (a clear error for missing values)."""
    vals = part.tolist() if hasattr(part, "tolist") else list(part)
    return vals


# ---- vocabulary: per-partition counts in Rust, merged in a tree ------------------------------

def _count_partition(vec: _LocalTfidfVectorizer, part) -> bytes:
    counts = _core.DfCounts()
    core, step = vec._new_core()
    core.count_into(counts, vec._documents(_docs(part), step), 1)
    return counts.to_bytes()


def _merge_counts(*blobs: bytes) -> bytes:
    total = _core.DfCounts.from_bytes(blobs[0])
    for b in blobs[1:]:
        total.merge(_core.DfCounts.from_bytes(b))
    return total.to_bytes()


def _tree(items: Sequence[Any], combine) -> Any:
    items = list(items)
    while len(items) > 1:
        items = [delayed(combine, pure=True)(*items[i:i + _FAN_IN]) for i in range(0, len(items), _FAN_IN)]
    return items[0]


def _transform_partition(vec, part):
    return vec.transform(_docs(part))


class TfidfVectorizer(_LocalTfidfVectorizer):
    """``topictag.TfidfVectorizer`` whose ``fit``/``transform`` also take a dask Series of text.

    ``fit`` on dask input learns the vocabulary and idf from per-partition document-frequency
    counts merged on the cluster: the same vocabulary and idf as a local fit on all the texts.
    ``transform`` on dask input returns a dask array of ``scipy.sparse.csr_matrix`` blocks, one
    per partition (row counts unknown until computed)."""

    def fit(self, raw_documents, y=None):
        if not _is_dask(raw_documents):
            return super().fit(raw_documents, y)
        self._new_core()  # validates the parameters
        proto = delayed(_LocalTfidfVectorizer(**self.get_params()), pure=True)
        blobs = [delayed(_count_partition, pure=True)(proto, p) for p in _text_partitions(raw_documents, "raw_documents")]
        blob = _tree(blobs, _merge_counts).compute()
        self.fit_counts(_core.DfCounts.from_bytes(blob))
        return self

    def transform(self, raw_documents):
        if not _is_dask(raw_documents):
            return super().transform(raw_documents)
        import scipy.sparse as sp

        self._check_is_fitted()
        n = len(self._names())
        model = delayed(_as_local(self), pure=True)  # one key: shipped once per worker
        blocks = [
            da.from_delayed(delayed(_transform_partition)(model, p), shape=(np.nan, n), dtype=np.float32,
                            meta=sp.csr_matrix((0, n), dtype=np.float32))
            for p in _text_partitions(raw_documents, "raw_documents")
        ]
        return da.concatenate(blocks, axis=0, allow_unknown_chunksizes=True)

    def fit_transform(self, raw_documents, y=None):
        if not _is_dask(raw_documents):
            return super().fit_transform(raw_documents, y)
        return self.fit(raw_documents).transform(raw_documents)


def _as_local(est):
    """A local (``topictag``) estimator with ``est``'s parameters and fitted state."""
    local_cls = {TfidfVectorizer: _LocalTfidfVectorizer, LinearSVC: _LocalLinearSVC,
                 LogisticRegression: _LocalLogisticRegression,
                 TopicClassifier: _LocalTopicClassifier}.get(type(est))
    if local_cls is None:
        return est
    out = local_cls.__new__(local_cls)
    out.__dict__.update(est.__dict__)
    return out


# ---- training: exact distributed solvers ----------------------------------------------------

def _feature_blocks(X) -> List[Any]:
    if isinstance(X, da.Array):
        if X.ndim != 2 or X.numblocks[1] != 1:
            raise ValueError("X must be a 2-d dask array chunked by rows only (one block of columns)")
        return list(X.to_delayed().ravel())
    raise TypeError(f"X must be a dask array of sparse row blocks (TfidfVectorizer.transform's output), got {type(X).__name__}")


def _label_blocks(y) -> List[Any]:
    if isinstance(y, dd.DataFrame):
        if len(y.columns) != 1:
            raise ValueError("y: pass one label column, e.g. df['label']")
        y = y[y.columns[0]]
    if isinstance(y, (dd.Series, da.Array)):
        return list(y.to_delayed().ravel()) if isinstance(y, da.Array) else list(y.to_delayed())
    raise TypeError(f"y must be a dask Series or array of labels, got {type(y).__name__}")


def _block(xb, yb):
    """A worker's training block: the rows transposed (X^T as a CSR tuple, i.e. the block in
    CSC form: float32 data, int32 indices and pointers, what the Rust kernels read in place;
    see ``linear/blockwise.rs`` for why transposed) and the labels as a numpy array."""
    import scipy.sparse as sp

    X = sp.csc_matrix(xb)
    y = np.asarray(yb.tolist() if hasattr(yb, "tolist") else list(yb), dtype=object)
    if X.shape[0] != len(y):
        raise ValueError(f"a partition has {X.shape[0]} rows of X but {len(y)} labels")
    for v in y:
        if isinstance(v, (list, tuple, set)) or v is None:
            raise ValueError("multi-label targets (or missing labels) are not supported on dask input")
    check_label_types(set(y.tolist()))
    idx = np.int32 if X.nnz < 2**31 else np.int64
    parts = (np.ascontiguousarray(X.data, dtype=np.float32), np.ascontiguousarray(X.indices, dtype=idx),
             np.ascontiguousarray(X.indptr, dtype=idx), (X.shape[1], X.shape[0]))
    return parts, y


def _block_summary(b):
    """(n_rows, n_cols, sorted labels) of a block."""
    parts, y = b
    return parts[3][1], parts[3][0], sorted(set(y.tolist()))


def _encode(b, classes):
    """The block with its labels as class codes (uint32)."""
    parts, y = b
    code = {c: i for i, c in enumerate(classes)}
    return parts, np.fromiter((code[v] for v in y.tolist()), dtype=np.uint32, count=len(y))


def _ready(a):
    """``a`` C-contiguous and aligned (arrays received over the wire may be misaligned in
    their frame; only those are copied)."""
    return np.require(a, requirements="CA")


def _parts(b):
    parts, y = b
    return (_ready(parts[0]), _ready(parts[1]), _ready(parts[2]), parts[3]), _ready(y)


def _hinge_share(b, W, outputs, n_classes, C, bias):
    return _core.sq_hinge_loss_grad(_parts(b), n_classes, _ready(outputs), _ready(W), C, bias)


def _loss_grad(share):
    return share[0], share[1]


def _active(share):
    return share[2]


def _hinge_hv(b, V, sel, C, bias, *acts):
    """The block's share of H V, column j at the active set ``acts[sel[j][0]][:, sel[j][1]]``."""
    parts, _ = _parts(b)
    A = np.empty((parts[3][1], len(sel)), dtype=np.uint8)
    for j, (w, p) in enumerate(sel):
        A[:, j] = acts[w][:, p]
    return _core.sq_hinge_hessp(parts, A, _ready(V).astype(np.float64), C, bias).astype(np.float32)


def _logistic_share(b, Wb, n_classes):
    return _core.logistic_loss_grad(_parts(b), n_classes, _ready(Wb))


class _DistributedMixin:
    def _prepare(self, X, y):
        """The training blocks, computed once and kept on the workers (futures), the classes,
        the number of features and of rows."""
        xs, ys = _feature_blocks(X), _label_blocks(y)
        if len(xs) != len(ys):
            raise ValueError(f"X has {len(xs)} partitions but y has {len(ys)}; build both from the same DataFrame")
        run = _dist.Runner()
        raw = run.compute([delayed(_block)(a, b) for a, b in zip(xs, ys)])
        per = run.gather([run.submit(_block_summary, b) for b in raw])
        labels = set().union(*(set(p[2]) for p in per))
        check_label_types(labels)
        classes = sorted(labels)
        if len(classes) < 2:
            raise ValueError(f"fit needs samples of at least 2 classes; found {classes}")
        blocks = [run.submit(_encode, b, classes) for b in raw]
        del raw
        n_features = per[0][1]
        if any(p[1] != n_features for p in per):
            raise ValueError("the blocks of X have different numbers of columns")
        return run, blocks, classes, n_features, sum(p[0] for p in per)

    def _check_unsupported(self, sample_weight):
        if sample_weight is not None:
            raise ValueError("sample_weight is not supported on dask input")
        if getattr(self, "class_weight", None) is not None:
            raise ValueError("class_weight is not supported on dask input")

    def _finish(self, kind, coef, intercept, classes, n_iter, converged, run):
        core = _core.LinearClassifier.from_coef(
            kind, np.ascontiguousarray(coef, dtype=np.float64), np.ascontiguousarray(intercept, dtype=np.float64),
            len(classes), False, bool(converged), [int(n_iter)],
        )
        self._set_fitted(core, np.asarray(classes), "multiclass")
        self.__dict__["dask_stats_"] = run.stats()
        return self

    def predict(self, X):
        """Labels; on a dask array of row blocks, a dask array (one block per block of X,
        the model shipped once per worker)."""
        if not _is_dask(X):
            return super().predict(X)
        model = delayed(_as_local(self), pure=True)
        dt = np.asarray(self.classes_).dtype
        return da.concatenate(
            [da.from_delayed(delayed(_predict_block)(model, b), shape=(np.nan,), dtype=dt) for b in _feature_blocks(X)],
            axis=0, allow_unknown_chunksizes=True,
        )

    def decision_function(self, X):
        if not _is_dask(X):
            return super().decision_function(X)
        model = delayed(_as_local(self), pure=True)
        k = 1 if len(self.classes_) == 2 else len(self.classes_)
        return da.concatenate(
            [da.from_delayed(delayed(_scores_block)(model, b), shape=(np.nan, k), dtype=np.float64)
             for b in _feature_blocks(X)],
            axis=0, allow_unknown_chunksizes=True,
        )


def _predict_block(model, b):
    return np.asarray(model.predict(b))


def _scores_block(model, b):
    return np.asarray(model.decision_function(b)).reshape(b.shape[0], -1)


class LinearSVC(_DistributedMixin, _LocalLinearSVC):
    """``topictag.LinearSVC`` that also fits on dask input (an exact distributed solver; see
    the module docstring). Objective: ``0.5 ||w||^2 + C sum_i max(0, 1 - y_i w.x_i)^2`` per
    class (one-vs-rest), the bias feature ``intercept_scaling`` regularised like the others:
    the local ``LinearSVC(loss="squared_hinge")``'s. Solved by trust-region Newton per
    output (all outputs in lockstep), each stopping when its gradient norm is below ``tol``
    times its norm at zero; ``max_iter`` bounds the Newton steps. After a fit on dask input,
    ``dask_stats_`` has the solver's round trips, megabytes sent and received, and seconds."""

    def fit(self, X, y, sample_weight=None):
        if not _is_dask(X):
            return super().fit(X, y, sample_weight)
        self._validate_params()
        self._check_unsupported(sample_weight)
        if getattr(self, "loss", "squared_hinge") != "squared_hinge":
            raise ValueError("on dask input LinearSVC supports loss='squared_hinge' only")
        run, blocks, classes, nf, _ = self._prepare(X, y)
        C = float(self.C)
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        k = 1 if len(classes) == 2 else len(classes)
        outs = np.arange(k, dtype=np.uint32) if k > 1 else np.array([1], dtype=np.uint32)
        d = nf + (1 if bias else 0)
        points = {}  # point id -> (its outputs, its blocks' active sets)
        ids = itertools.count()

        def fg(W, cols):
            Wf = run.scatter(np.ascontiguousarray(W))
            shares = [run.submit(_hinge_share, b, Wf, outs[cols], len(classes), C, bias) for b in blocks]
            pid = next(ids)
            points[pid] = (np.asarray(cols), [run.submit(_active, s) for s in shares])
            f, G = run.reduce([run.submit(_loss_grad, s) for s in shares])
            return f + 0.5 * _dots(W, W), G + W, pid

        def hessp(V, cols, pids):
            at = sorted(set(pids.tolist()))
            sel = [(at.index(p), int(np.flatnonzero(points[p][0] == c)[0])) for c, p in zip(cols, pids)]
            # CG directions and their products travel as float32 (half the bytes); the losses
            # and gradients that TRON accepts steps and stops on stay float64, so the optimum
            # is the exact one
            Vf = run.scatter(V.astype(np.float32))
            parts = [run.submit(_hinge_hv, b, Vf, sel, C, bias, *[points[p][1][i] for p in at])
                     for i, b in enumerate(blocks)]
            return run.reduce(parts, np.float32) + V

        def release(live):
            for p in [p for p in points if p not in live]:
                del points[p]

        W, n_iter, ok = _dist.tron(fg, hessp, d, k, float(self.tol), int(self.max_iter), release=release)
        points.clear()
        coef = W[:nf].T
        intercept = W[nf] * bias if bias else np.zeros(k)
        return self._finish("svm_squared_hinge", coef, intercept, classes, n_iter, ok, run)


class LogisticRegression(_DistributedMixin, _LocalLogisticRegression):
    """``topictag.LogisticRegression`` that also fits on dask input (exact distributed
    L-BFGS; see the module docstring). Objective: ``(1/S) sum_i loss_i + ||W||^2 / (2 C S)``
    (multinomial for three or more classes, binomial for two), intercept not penalised: the
    local ``LogisticRegression``'s."""

    def fit(self, X, y, sample_weight=None):
        if not _is_dask(X):
            return super().fit(X, y, sample_weight)
        from scipy.optimize import minimize

        self._validate_params()
        self._check_unsupported(sample_weight)
        if getattr(self, "multi_class", "multinomial") == "ovr":
            raise ValueError("on dask input LogisticRegression supports multi_class='multinomial' only")
        run, blocks, classes, nf, n = self._prepare(X, y)
        C, S = float(self.C), float(n)
        k = 1 if len(classes) == 2 else len(classes)
        fi = bool(self.fit_intercept)

        def fg(theta):
            Wb = np.zeros((nf + 1, k))
            Wb[:nf] = theta[: nf * k].reshape(nf, k)
            if fi:
                Wb[nf] = theta[nf * k:]
            Wf = run.scatter(Wb)
            loss, gW, gb = run.reduce([run.submit(_logistic_share, b, Wf, len(classes)) for b in blocks])
            W = Wb[:nf]
            f = float(loss) / S + float(np.sum(W * W)) / (2.0 * C * S)
            g = [(gW / S + W / (C * S)).ravel()]
            if fi:
                g.append(gb / S)
            return f, np.concatenate(g)

        x0 = np.zeros(nf * k + (k if fi else 0))
        res = minimize(fg, x0, jac=True, method="L-BFGS-B",
                       options={"gtol": float(self.tol), "maxiter": int(self.max_iter), "maxcor": 10,
                                "ftol": 64 * np.finfo(float).eps})
        W = res.x[: nf * k].reshape(nf, k)
        b = res.x[nf * k:] if fi else np.zeros(k)
        return self._finish("logistic_multinomial", W.T, b, classes, res.nit, res.success, run)


# ---- the whole pipeline ----------------------------------------------------------------------

def _core_count_partition(params: dict, part) -> bytes:
    counts = _core.DfCounts()
    _core.TfidfCore(**params).count_into(counts, as_documents(_docs(part), "X"), 1)
    return counts.to_bytes()


def _core_transform_partition(vec_bytes: bytes, part):
    from ._matrix import csr_from_parts

    core, _ = _core.TfidfCore.from_bytes(vec_bytes)
    return csr_from_parts(core.transform(as_documents(_docs(part), "X"), 1, "float32"), np.float32)


class TopicClassifier(_LocalTopicClassifier):
    """``topictag.TopicClassifier`` that also fits on a dask Series of text with a dask Series
    of labels (one topic per document, same partitions): the vocabulary from merged
    per-partition counts, the weights by the distributed solvers above (``model="svm"``:
    :class:`LinearSVC`; ``"logistic"``: :class:`LogisticRegression`); the result is a local
    ``TopicClassifier``'s model. ``predict`` / ``decision_function`` on a dask Series run per
    partition with the model shipped once per worker."""

    def fit(self, X, y=None):
        if not _is_dask(X):
            return super().fit(X, y)
        self._validate_params()
        if self.label_sep is not None:
            raise ValueError("label_sep (multi-label) is not supported on dask input")
        if self.class_weight is not None:
            raise ValueError("class_weight is not supported on dask input")
        if self.probability:
            raise ValueError("probability=True is not supported on dask input")
        parts = _text_partitions(X, "X")
        params = self._vectorizer_params()
        pd_ = delayed(params, pure=True)
        blob = _tree([delayed(_core_count_partition, pure=True)(pd_, p) for p in parts], _merge_counts).compute()
        counts = _core.DfCounts.from_bytes(blob)
        vec = _core.TfidfCore(**params)
        vec.fit_counts(counts)
        n_docs = int(counts.n_docs)
        del counts
        n_features = len(vec.feature_names())
        vb = delayed(bytes(vec.to_bytes("")), pure=True)  # one key: shipped once per worker
        import scipy.sparse as sp

        blocks = [da.from_delayed(delayed(_core_transform_partition)(vb, p), shape=(np.nan, n_features),
                                  dtype=np.float32, meta=sp.csr_matrix((0, n_features), dtype=np.float32))
                  for p in parts]
        Xf = da.concatenate(blocks, axis=0, allow_unknown_chunksizes=True)
        common = dict(C=self.C, tol=self.tol, max_iter=self.max_iter)
        est = (LinearSVC(**common) if self.model == "svm" else LogisticRegression(**common)).fit(Xf, y)
        classes = [c.item() if hasattr(c, "item") else c for c in est.classes_]
        core = _core.TopicModel.from_parts(vec, est._core, [str(c) for c in classes], n_docs)
        self._set_fitted(core, classes, False)
        self.__dict__["dask_stats_"] = est.dask_stats_
        return self

    def predict(self, X):
        if not _is_dask(X):
            return super().predict(X)
        model = delayed(_as_local(self), pure=True)
        return X.map_partitions(lambda part, m: _series_like(part, m.predict(_docs(part))), model,
                                meta=(X.name, object))

    def decision_function(self, X):
        if not _is_dask(X):
            return super().decision_function(X)
        model = delayed(_as_local(self), pure=True)
        k = len(self.classes_) if len(self.classes_) > 2 else 1
        parts = [da.from_delayed(delayed(lambda p, m: np.asarray(m.decision_function(_docs(p))).reshape(len(p), -1))(p, model),
                                 shape=(np.nan, k), dtype=np.float64) for p in _text_partitions(X)]
        return da.concatenate(parts, axis=0, allow_unknown_chunksizes=True)


def _series_like(part, values):
    import pandas as pd

    vals = list(values) if not isinstance(values, np.ndarray) else values
    return pd.Series(vals, index=part.index, name=part.name, dtype=object)


# Importing this module must not change what ``topictag.load`` builds: the subclasses above
# registered themselves under the local classes' names (PersistMixin); put the local ones back.
from ._persist import _CLASSES  # noqa: E402

for _cls in (_LocalTfidfVectorizer, _LocalLinearSVC, _LocalLogisticRegression, _LocalTopicClassifier):
    _CLASSES[_cls.__name__] = _cls
