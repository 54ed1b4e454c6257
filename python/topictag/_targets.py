"""Labels in, class indices out: target encoding for the linear classifiers and the
TopicClassifier, and the one parser of ``class_weight``.

The linear classifiers take scikit-learn's kinds of ``y`` (:func:`encode_target`); the
TopicClassifier takes one topic or topic list per document, or delimiter-joined topics
(:func:`parse_topic_labels`). Both give the core class indices: an int64 array (multi-class)
or label sets as ``(indptr, indices)`` / lists of indices (multi-label).
"""

from __future__ import annotations

from numbers import Real
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from ._base import check_value


def is_label_collection(v) -> bool:
    """Whether one sample's label is a collection of labels (multi-label data)."""
    return isinstance(v, (list, tuple, set, frozenset, np.ndarray))


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


class MixedLabelTypesError(TypeError, ValueError):
    """Labels mixing strings with numbers. A TypeError (the kinds of the values are wrong),
    and a ValueError too, since scikit-learn's ``unique_labels`` raises ValueError for the
    same list (``except ValueError`` written for scikit-learn still catches it)."""


def check_label_types(labels, name: str = "y") -> None:
    """Raise :class:`MixedLabelTypesError` when ``labels`` (a flat iterable of labels) holds
    both strings and non-strings, scikit-learn's rule (``unique_labels``: "Mix of label
    input types (string and number)"). Without it ``['a', 2]`` would become the classes
    ``'2'`` and ``'a'`` (numpy makes one str array) and ``['1', 1]`` one class ``'1'``, or
    two classes both printed ``1``. A numpy array of a non-object dtype is one type."""
    if isinstance(labels, np.ndarray) and labels.dtype.kind != "O":
        return
    first_str = first_other = None
    for v in labels:
        if isinstance(v, str):
            if first_str is None:
                first_str = v
        elif first_other is None:
            first_other = v
        if first_str is not None and first_other is not None:
            raise MixedLabelTypesError(
                f"Mix of label input types (string and number) in {name}: "
                f"{first_str!r} ({type(first_str).__name__}) and {first_other!r} "
                f"({type(first_other).__name__}); use labels of one type, e.g. all str"
            )


# -------------------------------------------------------------------------------------------
# scikit-learn's kinds of y (LinearSVC, LogisticRegression)


def encode_target(y):
    """Returns ``(kind, classes, payload)``; kind is "multiclass", "lists", "indicator" or
    "sparse_indicator"; payload is int64 indices (multi-class) or ``(indptr, indices)``."""
    import scipy.sparse as sp

    if y is None:
        raise ValueError("This classifier requires y to be passed, but the target y is None")
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
    if isinstance(y, (list, tuple)) and len(y) > 0 and all(is_label_collection(v) for v in y):
        if not _is_indicator_rows(y):
            return _encode_label_lists(y)
    if hasattr(y, "dtype") and getattr(y, "ndim", 0) == 1 and y.dtype == object and len(y) > 0:
        # e.g. a pandas Series or object array holding one label list per sample
        # (tuples in an object array are taken as hashable labels, not label lists)
        items = list(y)
        if all(isinstance(v, (list, set, frozenset, np.ndarray)) for v in items):
            return _encode_label_lists(items)
    if isinstance(y, (list, tuple)) or (hasattr(y, "tolist") and getattr(y, "dtype", None) in
                                         (None, np.dtype(object))):
        # before numpy turns ['a', 2] into one str array (a list, an object array or
        # Series); a 2-D y is checked row by row. Other array-likes convert to one dtype.
        check_label_types(_flat(y))
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
        if any(_is_missing(v) for v in arr):
            raise ValueError("y contains missing values (None or NaN): every sample needs a label")
    try:
        classes, idx = np.unique(arr, return_inverse=True)
    except TypeError:
        raise TypeError(
            "y mixes label types that cannot be sorted together (e.g. str and int); use "
            "labels of one type"
        ) from None
    return "multiclass", classes, np.ascontiguousarray(idx.ravel().astype(np.int64))


def _flat(y):
    """The labels of a 1-D y, or the entries of a y given as rows (a 2-D y). A tuple is one
    (hashable) label, as in :func:`encode_target`."""
    for v in (y.tolist() if hasattr(y, "tolist") else y):
        if isinstance(v, (list, np.ndarray)):
            yield from (v.tolist() if isinstance(v, np.ndarray) else v)
        else:
            yield v


def _is_indicator_rows(y) -> bool:
    """Whether a list of per-sample sequences is a label-indicator matrix written as rows
    (``Y.tolist()``, ``list(Y)``): equal lengths, only 0 and 1 (ints or bools). scikit-learn
    reads such a y as a matrix, so topictag does too; anything else (ragged lists, label
    names, sets) is one label list per sample."""
    if any(isinstance(v, (set, frozenset)) for v in y):
        return False
    if len({len(v) for v in y}) != 1:
        return False
    for v in y:
        for x in v:
            if isinstance(x, (bool, np.bool_)):
                continue
            if not isinstance(x, (int, np.integer)) or x not in (0, 1):
                return False
    return True


def _encode_label_lists(y):
    labels = set()
    for v in y:
        for lab in v:
            if _is_missing(lab):
                raise ValueError("y contains a missing label (None or NaN) in a label list")
            labels.add(lab)
    if not labels:
        raise ValueError("y has no labels at all: every label list is empty")
    check_label_types(labels)
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


def label_sets_of(y, classes, kind):
    """Truth label sets (as class indices) of y in the fitted encoding, for ``score``."""
    import scipy.sparse as sp

    if kind in ("indicator", "sparse_indicator") or sp.issparse(y) or (
        isinstance(y, np.ndarray) and y.ndim == 2
    ):
        Y = sp.csr_matrix(y)
        return [set(Y.indices[Y.indptr[i] : Y.indptr[i + 1]].tolist()) for i in range(Y.shape[0])]
    pos = {lab: i for i, lab in enumerate(classes.tolist())}
    return [{pos.get(lab, -1) for lab in v} for v in y]


# -------------------------------------------------------------------------------------------
# topics (TopicClassifier, cross_validate)


def _check_scalar_label(v, i) -> Any:
    if _is_missing(v):
        raise ValueError(f"labels[{i}] is missing ({v!r}); every document needs a topic")
    if isinstance(v, np.generic):
        v = v.item()
    if not isinstance(v, (str, int, float, bool)):
        raise TypeError(
            f"labels[{i}] is of type {type(v).__name__}; expected a topic name (str or int), "
            "or a list of topic names for multi-label data"
        )
    return v


def _as_label_list(y) -> list:
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
        return y.tolist()
    if hasattr(y, "tolist"):  # pandas / polars Series
        return y.tolist()
    try:
        return list(y)
    except TypeError:
        raise TypeError(
            f"labels must be a sequence (one topic per document), got {type(y).__name__}"
        ) from None


def _split(t, label_sep: Optional[str]) -> list:
    if isinstance(t, str) and label_sep is not None:
        return [p.strip() for p in t.split(label_sep) if p.strip()]
    return [t]


def indicator_topic_lists(y) -> Optional[Tuple[List[List[int]], int, str]]:
    """A label-indicator matrix (dense 2-D array or scipy sparse, as ``MultiLabelBinarizer``
    makes) as ``(topic lists of column indices, number of columns, kind)`` with kind
    "indicator" or "sparse_indicator"; None for any other kind of labels."""
    import scipy.sparse as sp

    if sp.issparse(y):
        Y = sp.csr_matrix(y)
        kind = "sparse_indicator"
    elif isinstance(y, np.ndarray) and y.ndim == 2:
        if y.dtype.kind not in "biuf":
            raise ValueError(
                "a 2-D array of labels is read as a label-indicator matrix and must hold "
                f"numbers 0 and 1, got dtype {y.dtype}"
            )
        Y = sp.csr_matrix(y)
        kind = "indicator"
    else:
        return None
    Y.eliminate_zeros()
    if Y.nnz and not np.all(Y.data == 1):
        raise ValueError("a label-indicator matrix must contain only 0 and 1")
    Y.sort_indices()
    lists = [Y.indices[Y.indptr[i] : Y.indptr[i + 1]].tolist() for i in range(Y.shape[0])]
    return lists, int(Y.shape[1]), kind


def indicator_matrix(indptr, indices, n_columns: int, kind: str):
    """Predicted label sets as an indicator matrix: int64, dense (kind "indicator") or CSR."""
    import scipy.sparse as sp

    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    Y = sp.csr_matrix((np.ones(len(indices), np.int64), indices, indptr),
                      shape=(len(indptr) - 1, n_columns))
    Y.sort_indices()
    return Y if kind == "sparse_indicator" else Y.toarray()


def parse_topic_labels(y, n: int, label_sep: Optional[str]) -> Tuple[List[List[Any]], bool]:
    """(one topic list per document, multilabel?) for ``n`` documents. A list of topics per
    document, or a str label with ``label_sep`` set, makes the task multi-label."""
    y = _as_label_list(y)
    if len(y) != n:
        raise ValueError(
            f"got {n} documents but {len(y)} labels; give exactly one label (or topic list) per document"
        )
    multilabel = any(is_label_collection(v) for v in y) or (
        label_sep is not None and any(isinstance(v, str) for v in y)
    )
    if not multilabel:
        out1 = [[_check_scalar_label(v, i)] for i, v in enumerate(y)]
        check_label_types((ls[0] for ls in out1), "the labels")
        return out1, False
    out: List[List[Any]] = []
    for i, v in enumerate(y):
        if is_label_collection(v):
            items = v.tolist() if isinstance(v, np.ndarray) else v
            topics = [p for t in items for p in _split(_check_scalar_label(t, i), label_sep)]
        elif v is None:
            topics = []
        else:
            topics = _split(_check_scalar_label(v, i), label_sep)
        seen: List[Any] = []
        for t in topics:
            if t not in seen:
                seen.append(t)
        out.append(seen)
    check_label_types((t for ls in out for t in ls), "the labels")
    return out, True


def sort_key(c):
    """Sort like numpy's unique for homogeneous labels; mixed types by (type name, str)."""
    return (type(c).__name__, c) if isinstance(c, (int, float, str)) else (type(c).__name__, str(c))


def sorted_topics(sets) -> List[Any]:
    """The distinct topics of some topic lists, sorted."""
    return sorted({c for ls in sets for c in ls}, key=sort_key)


def topic_indices(sets, classes: Sequence, multilabel: bool, strict: bool = True):
    """Class indices of topic lists: one index per document (multi-class) or a list per
    document (multi-label). Topics not in ``classes`` raise ValueError (``strict``) or are
    dropped. Labels equal as Python values (1 == 1.0 == True) map together."""
    index = {c: i for i, c in enumerate(classes)}

    def idx(c, i):
        j = index.get(c)
        if j is None and strict:
            raise ValueError(
                f"labels[{i}] is topic {c!r}, which the model was not trained on "
                f"(known topics: {list(classes)!r})"
            )
        return j

    if multilabel:
        return [[j for j in (idx(c, i) for c in ls) if j is not None] for i, ls in enumerate(sets)]
    return [idx(ls[0], i) for i, ls in enumerate(sets)]


# -------------------------------------------------------------------------------------------
# class weights


def class_weight_arg(class_weight, classes):
    """``class_weight`` as the core takes it: None, "balanced", or one float per class of
    ``classes`` (1.0 for the classes the dict leaves out). Whether the weights are
    positive and finite is the core's rule (``src/linear/params.rs``, ``LinearParams::validate``)."""
    check_value("class_weight", class_weight, [dict, "balanced", None])
    if not isinstance(class_weight, dict):
        return class_weight
    names = classes.tolist() if isinstance(classes, np.ndarray) else list(classes)
    pos = {c: i for i, c in enumerate(names)}
    unknown = [k for k in class_weight if _plain(k) not in pos]
    if unknown:
        raise ValueError(
            f"class_weight has keys that are not classes of y: {unknown!r} "
            f"(classes are {names!r})"
        )
    out = [1.0] * len(names)
    for k, w in class_weight.items():
        check_value(f"class_weight[{k!r}]", w, [Real])
        out[pos[_plain(k)]] = float(w)
    return out


def _plain(k):
    return k.item() if isinstance(k, np.generic) else k
