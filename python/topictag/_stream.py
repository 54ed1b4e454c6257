"""Documents in batches, for fits that never hold all the texts (issue 21).

:class:`Batches` is a re-iterable source of ``(texts, labels)`` batches: files (a path, a glob
pattern or a list of them; CSV, TSV, JSON Lines or Parquet, optionally gzipped) read a batch
at a time, or batches the caller gives (a list of ``(texts, labels)`` pairs or of pandas
DataFrames, or a function returning a fresh iterator of them). A streaming fit reads the
source twice (document frequencies first, then the features), so a one-shot iterator (a
generator) is refused with a ``TypeError`` that says so.
"""

from __future__ import annotations

import glob
import gzip
import os
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

from .datasets._readers import (_check_columns, _check_label, _check_label_sep, _json_label,
                                _split_label, iter_csv, iter_jsonl)

DEFAULT_BATCH_SIZE = 5_000
_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}
_GLOB_CHARS = set("*?[")

Batch = Tuple[List[str], Optional[List[Any]]]


def _format_of(path: str, fmt: Optional[str]) -> str:
    if fmt is not None:
        if fmt not in ("csv", "tsv", "jsonl", "parquet"):
            raise ValueError(f"format must be one of 'csv', 'tsv', 'jsonl', 'parquet' or None, got {fmt!r}")
        return fmt
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    ext = os.path.splitext(name)[1]
    if ext not in _FORMATS:
        raise ValueError(
            f"{path}: cannot tell the file format from its name; give format= "
            "('csv', 'tsv', 'jsonl' or 'parquet'; '.gz' compression is recognised)"
        )
    return _FORMATS[ext]


def _expand(source) -> List[str]:
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    paths: List[str] = []
    for item in items:
        p = os.fspath(item)
        if any(c in _GLOB_CHARS for c in p):
            found = sorted(glob.glob(p, recursive=True))
            if not found:
                raise FileNotFoundError(f"{p}: no file matches this pattern")
            paths.extend(f for f in found if not os.path.isdir(f))
        else:
            if not os.path.exists(p):
                raise FileNotFoundError(f"{p}: no such file")
            if os.path.isdir(p):
                raise IsADirectoryError(f"{p}: is a directory; give a file or a glob pattern such as '{p}/*.jsonl'")
            paths.append(p)
    if not paths:
        raise ValueError("no input files")
    return paths


def _grouped(records, batch_size: int, labelled: bool) -> Iterator[Batch]:
    texts: List[str] = []
    labels: Optional[List[Any]] = [] if labelled else None
    for text, label, _ in records:
        texts.append(text)
        if labels is not None:
            labels.append(label)
        if len(texts) >= batch_size:
            yield texts, labels
            texts, labels = [], ([] if labelled else None)
    if texts:
        yield texts, labels


def _parquet_batches(path, text_col, label_col, label_sep, batch_size,
                     allow_empty_texts: bool = False) -> Iterator[Batch]:
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a test dependency
        raise ImportError("reading Parquet needs pyarrow: pip install pyarrow") from None
    src = gzip.open(path, "rb") if path.lower().endswith(".gz") else path
    try:
        pf = pq.ParquetFile(src)
    except Exception as e:  # pyarrow raises ArrowInvalid for non-Parquet data
        raise ValueError(f"{path}: not a Parquet file ({e})") from None
    _check_columns(pf.schema_arrow.names, text_col, label_col, path)
    cols = [text_col] if label_col is None else [text_col, label_col]
    row = 0
    for rb in pf.iter_batches(batch_size=batch_size, columns=cols):
        texts = rb.column(0).to_pylist()
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise ValueError(f"{path}, row {row + i + 1}: {text_col!r} is {type(t).__name__}; expected a string")
            if not t.strip() and not allow_empty_texts:
                raise ValueError(f"{path}, row {row + i + 1}: empty text in column {text_col!r}")
        labels = None
        if label_col is not None:
            labels = []
            for i, v in enumerate(rb.column(1).to_pylist()):
                here = f"{path}, row {row + i + 1}"
                labels.append(_check_label(_json_label(v, label_sep, here, label_col), here, False))
        row += len(texts)
        yield texts, labels


def _frame_batch(b, text_col: str, label_col: Optional[str], label_sep, where: str) -> Batch:
    """A caller's batch: ``(texts, labels)``, ``texts`` alone, or a DataFrame / dict."""
    if isinstance(b, tuple) and len(b) == 2:
        texts, labels = b
    elif hasattr(b, "columns") or isinstance(b, dict):
        _check_columns(b.columns if hasattr(b, "columns") else b.keys(), text_col, label_col, where)
        texts = b[text_col]
        labels = b[label_col] if label_col is not None else None
    elif isinstance(b, (str, bytes)):
        raise TypeError(f"{where}: a batch is a (texts, labels) pair or a DataFrame, got a single {type(b).__name__}")
    else:
        texts, labels = b, None
    texts = list(texts.tolist() if hasattr(texts, "tolist") else texts)
    if labels is not None:
        labels = list(labels.tolist() if hasattr(labels, "tolist") else labels)
        if len(labels) != len(texts):
            raise ValueError(f"{where}: {len(texts)} texts but {len(labels)} labels")
        if label_sep is not None:
            labels = [_split_label(x, label_sep) if isinstance(x, str) else x for x in labels]
    return texts, labels


class Batches:
    """A re-iterable source of ``(texts, labels)`` batches for streaming fits.

    Parameters
    ----------
    source : path, glob pattern, list of paths, list of batches, or callable
        Files: ``.csv``, ``.tsv``, ``.jsonl`` (``.ndjson``), ``.parquet``, each optionally
        ``.gz``; a pattern such as ``"data/part-*.jsonl.gz"`` (files in name order). Batches:
        a list (or any re-iterable) of ``(texts, labels)`` pairs, of texts alone (for
        vectorizers), or of DataFrames with ``text_col`` / ``label_col``; or a function
        returning a fresh iterator of those.
    text_col, label_col : column (field) names in files and DataFrames. ``label_col=None``
        reads texts only.
    label_sep : split string labels on this separator (multi-label data).
    format : ``"csv"``, ``"tsv"``, ``"jsonl"`` or ``"parquet"``; by default from the file names.
    batch_size : documents per batch read from files (memory grows with it; default 5,000).
    encoding : text encoding of CSV, TSV and JSON Lines files.
    allow_empty_texts : keep file records whose text is empty (documents with no words, as
        the estimators take them); by default they are an error naming the line.
    """

    def __init__(self, source, text_col: str = "text", label_col: Optional[str] = "label",
                 label_sep: Optional[str] = None, format: Optional[str] = None,
                 batch_size: int = DEFAULT_BATCH_SIZE, encoding: str = "utf-8-sig",
                 allow_empty_texts: bool = False):
        _check_label_sep(label_sep)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.text_col, self.label_col, self.label_sep = text_col, label_col, label_sep
        self.batch_size, self.encoding = batch_size, encoding
        self.allow_empty_texts = allow_empty_texts
        self._paths: Optional[List[str]] = None
        self._formats: List[str] = []
        self._source = source
        if isinstance(source, Batches):
            self._source = source._source
            self._paths, self._formats = source._paths, source._formats
        elif is_file_source(source):
            self._paths = _expand(source)
            self._formats = [_format_of(p, format) for p in self._paths]
        elif callable(source):
            pass
        elif iter(source) is source:
            raise TypeError(
                "a streaming fit reads its data twice (document frequencies, then features), "
                "and this iterator can be read only once; pass a list of batches, a function "
                "returning a fresh iterator, or file paths"
            )

    @property
    def paths(self) -> Optional[List[str]]:
        return self._paths

    def __iter__(self) -> Iterator[Batch]:
        if self._paths is not None:
            for p, fmt in zip(self._paths, self._formats):
                labelled = self.label_col is not None
                if fmt == "jsonl":
                    recs = iter_jsonl(p, self.text_col, self.label_col, self.label_sep, encoding=self.encoding,
                                      allow_empty_texts=self.allow_empty_texts)
                    yield from _grouped(recs, self.batch_size, labelled)
                elif fmt in ("csv", "tsv"):
                    recs = iter_csv(p, self.text_col, self.label_col, self.label_sep,
                                    delimiter="," if fmt == "csv" else "\t", encoding=self.encoding,
                                    allow_empty_texts=self.allow_empty_texts)
                    yield from _grouped(recs, self.batch_size, labelled)
                else:
                    yield from _parquet_batches(p, self.text_col, self.label_col, self.label_sep,
                                                self.batch_size, self.allow_empty_texts)
            return
        it = self._source() if callable(self._source) else self._source
        for i, b in enumerate(it):
            yield _frame_batch(b, self.text_col, self.label_col, self.label_sep, f"batch {i}")


def _threads(n_jobs) -> int:
    cores = os.cpu_count() or 1
    if n_jobs is None:
        return cores
    if n_jobs < 0:
        return max(1, cores + 1 + n_jobs)
    return max(1, n_jobs)


def count_slice(n_jobs=None) -> int:
    """Most documents a streaming fit counts in one call to the core (its first pass): the
    call's working memory (per-document tables) grows with them, its fixed cost (sorting and
    merging the call's vocabulary into the totals) falls. The counts do not depend on it."""
    return max(8192, 2048 * _threads(n_jobs))


def transform_slice(n_jobs=None) -> int:
    """Most documents a streaming fit transforms in one call (its second pass): the call's
    row chunks and their joined copy live beside the blocks made so far, so slices are
    small; 1,024 documents per thread at least (at least 4,096). The rows do not depend on
    it."""
    return max(4096, 1024 * _threads(n_jobs))


def slices(texts: List[Any], step: int) -> Iterator[List[Any]]:
    """``texts`` in as few consecutive slices of at most ``step`` documents as can be, of
    sizes as equal as can be."""
    n = len(texts)
    k = -(-n // step) if n else 0
    for i in range(k):
        yield texts[i * n // k:(i + 1) * n // k]


def is_file_source(x) -> bool:
    """A path, or a non-empty list of paths."""
    if isinstance(x, (str, os.PathLike)):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(p, os.PathLike) for p in x)


def is_stream_source(x) -> bool:
    """Does ``fit`` stream ``x`` (a path, a pattern, a :class:`Batches`) rather than take it as
    documents in memory? A list of ``str`` is documents, as always: wrap lists of paths or of
    batches in :class:`Batches`."""
    return isinstance(x, (Batches, os.PathLike)) or (isinstance(x, str))


def concat_csr(parts: Sequence[Tuple[Any, Any, Any, Tuple[int, int]]], n_cols: int, dtype=None):
    """One ``scipy.sparse.csr_matrix`` from row blocks ``(data, indices, indptr, shape)``,
    each block freed as soon as it is copied (peak: the result plus one block)."""
    import numpy as np
    import scipy.sparse as sp

    if not isinstance(parts, list):
        parts = list(parts)
    n_rows = sum(p[3][0] for p in parts)
    nnz = sum(len(p[0]) for p in parts)
    dt = parts[0][0].dtype if parts else np.float32
    idx_t = np.int64 if nnz > np.iinfo(np.int32).max else np.int32
    data = np.empty(nnz, dtype=dt)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = np.empty(n_rows + 1, dtype=idx_t)
    indptr[0] = 0
    r = k = 0
    for i in range(len(parts)):
        d, ix, ip, (nr, _) = parts[i]
        parts[i] = None  # free the block once copied
        m = len(d)
        data[k:k + m] = d
        indices[k:k + m] = ix
        indptr[r + 1:r + nr + 1] = np.asarray(ip[1:], dtype=idx_t) + k
        r += nr
        k += m
        del d, ix, ip
    X = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_cols), copy=False)
    X.has_sorted_indices = True
    if dtype is not None and X.dtype != dtype:
        X = X.astype(dtype)
    return X
