"""Read labelled (or unlabelled) documents from CSV, JSON Lines and Parquet files.

Every reader returns ``(texts, labels)``: ``texts`` a list of ``str``; ``labels`` a list with
one entry per text (a ``str``, or a ``list`` of ``str`` for multi-label data), or ``None`` when
``label_col=None``. Rows are never dropped: a row that cannot be read raises ``ValueError``
with its line (CSV, JSONL) or row (Parquet) number. Only the standard library is needed,
except for Parquet (pyarrow).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import sys
import zlib
from typing import Any, Iterable, Iterator, List, Optional, Tuple, Union

Label = Union[str, List[str]]
PathLike = Union[str, "os.PathLike[str]"]

# Python's csv module caps one field at 128 KiB by default; news articles can be longer.
_FIELD_LIMIT = 2**31 - 1


def _raise_field_limit() -> None:
    limit = _FIELD_LIMIT
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # C long is 32 bits on some platforms
            limit //= 2


def _is_stream(path: Any) -> bool:
    return hasattr(path, "read") and not isinstance(path, (str, bytes, os.PathLike))


def _describe(path: Any) -> str:
    if _is_stream(path):
        return str(getattr(path, "name", "<stream>"))
    return "<stdin>" if path == "-" else os.fspath(path)


def _check_label_sep(label_sep: Optional[str]) -> None:
    if label_sep is not None and (not isinstance(label_sep, str) or label_sep == ""):
        raise ValueError(f"label_sep must be a non-empty string or None, got {label_sep!r}")


def _split_label(value: str, label_sep: Optional[str]) -> Label:
    if label_sep is None:
        return value.strip()
    parts = [p.strip() for p in value.split(label_sep)]
    return [p for p in parts if p]


def _missing_column(kind: str, col: str, available: Iterable[str], where: str) -> ValueError:
    cols = ", ".join(repr(c) for c in available) or "(none)"
    return ValueError(f"{where}: no {kind} column {col!r}; available columns: {cols}")


def _check_columns(names: Iterable[str], text_col: str, label_col: Optional[str], where: str) -> None:
    """Raises the missing-column error of the text column, or of the label column when one is
    asked for."""
    names = list(names)
    if text_col not in names:
        raise _missing_column("text", text_col, names, where)
    if label_col is not None and label_col not in names:
        raise _missing_column("label", label_col, names, where)


def _id_index(id_col: Optional[str], names: List[str], where: str, optional: bool):
    if id_col is None:
        return None
    if id_col in names:
        return list(names).index(id_col)
    if optional:
        return None
    raise _missing_column("id", id_col, names, where)


def _result(texts, labels, ids, id_col):
    if labels and any(isinstance(x, list) for x in labels):
        # some records hold a list of topics: the data is multi-label, so make every label a list
        labels = [x if isinstance(x, list) else [x] for x in labels]
    if id_col is None:
        return texts, labels
    return texts, labels, ids


def _check_label(label: Label, where: str, allow_empty_labels: bool) -> Label:
    empty = (label == "") if isinstance(label, str) else (len(label) == 0)
    if empty and not allow_empty_labels:
        raise ValueError(
            f"{where}: missing label (an empty label is allowed only with "
            "allow_empty_labels=True, for multi-label data where a document may have no topic)"
        )
    if empty and isinstance(label, str):
        return []
    return label


def _open_text(path: PathLike, encoding: str):
    if _is_stream(path):
        return path
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding=encoding, newline="") if hasattr(
            sys.stdin, "buffer"
        ) else sys.stdin
    if os.path.isdir(path):
        raise IsADirectoryError(f"{_describe(path)}: is a directory, expected a file")
    if os.fspath(path).lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def _close(path: Any, f: Any) -> None:
    if _is_stream(path):
        return  # the caller's stream: the caller closes it
    if path != "-":
        f.close()
    elif f is not sys.stdin:
        f.detach()  # leave sys.stdin.buffer open


def _decode_error(path: PathLike, err: UnicodeDecodeError, encoding: str) -> ValueError:
    return ValueError(
        f"{_describe(path)}: not valid {encoding} text ({err.reason} at byte {err.start} of a "
        "read block); pass the file's encoding, e.g. encoding='latin-1'"
    )


def load_csv(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
):
    """Read documents and their topics from a CSV file with a header row.

    Parameters
    ----------
    path : str or path-like
        The file (``"-"`` reads standard input; an open text stream is read too).
    text_col, label_col : str
        Header names of the text and label columns. ``label_col=None`` reads texts only and
        returns ``(texts, None)``.
    label_sep : str, optional
        Separator of several topics in one label cell (e.g. ``"|"``): each label becomes a
        list of topics (multi-label data). Without it each label is one topic string.
    delimiter : str
        Field delimiter (``","``; ``"\\t"`` for TSV).
    encoding : str
        Text encoding; the default accepts UTF-8 with or without a byte-order mark.
    allow_empty_labels : bool
        Accept an empty label cell as "no topic" (an empty list). Otherwise an empty label is
        an error, since it is more often a mistake than a deliberate "none of the topics".
    id_col : str, optional
        Also return the values of this column, one per text: ``(texts, labels, ids)``.

    Returns
    -------
    texts : list of str
    labels : list of str, list of list of str, or None
    ids : list of str
        Only when ``id_col`` is given.

    Raises
    ------
    ValueError
        A missing column (the message lists the available ones), or a row with the wrong
        number of fields, an empty text or an empty label (the message gives its line).
    """
    texts: List[str] = []
    labels: Optional[List[Label]] = [] if label_col is not None else None
    ids: List[Any] = []
    for text, label, rid in iter_csv(path, text_col, label_col, label_sep, delimiter=delimiter,
                                     encoding=encoding, allow_empty_labels=allow_empty_labels,
                                     id_col=id_col, _ids_optional=_ids_optional):
        texts.append(text)
        if labels is not None:
            labels.append(label)
        if id_col is not None:
            ids.append(rid)
    return _result(texts, labels, ids, id_col)


def iter_csv(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
) -> Iterator[Tuple[str, Optional[Label], Any]]:
    """The records of :func:`load_csv` one at a time, as ``(text, label, id)`` (``label``
    None without ``label_col``, ``id`` None without ``id_col``), with the same checks and
    messages; a ``.gz`` file is decompressed on the fly."""
    _check_label_sep(label_sep)
    _raise_field_limit()
    where = _describe(path)
    f = _open_text(path, encoding)
    try:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as e:
            raise ValueError(f"{where}, line 1: malformed CSV header ({e})") from None
        if header is None or not any(h.strip() for h in header):
            raise ValueError(f"{where}: empty file, expected a header row naming the columns")
        header = [h.strip() for h in header]
        _check_columns(header, text_col, label_col, where)
        ti = header.index(text_col)
        li = header.index(label_col) if label_col is not None else None
        ii = _id_index(id_col, header, where, _ids_optional)
        n = len(header)
        prev_end = reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                raise ValueError(f"{where}, line {prev_end + 1}: malformed CSV ({e})") from None
            line = prev_end + 1  # first physical line of this record
            prev_end = reader.line_num
            if not row:  # a blank line holds no record
                continue
            here = f"{where}, line {line}"
            if len(row) != n:
                raise ValueError(
                    f"{here}: {len(row)} fields, expected {n} (as in the header); "
                    "is a text with a comma or a quote left unquoted?"
                )
            text = row[ti]
            if not text.strip():
                raise ValueError(f"{here}: empty text in column {text_col!r}")
            label = None
            if li is not None:
                label = _check_label(_split_label(row[li], label_sep), here, allow_empty_labels)
            rid = None
            if id_col is not None:
                rid = row[ii] if ii is not None else str(line)
            yield text, label, rid
    except UnicodeDecodeError as e:
        raise _decode_error(path, e, encoding) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise ValueError(f"{where}: cannot read the compressed file ({e})") from None
    finally:
        _close(path, f)


def _json_label(value: Any, label_sep: Optional[str], here: str, col: str) -> Label:
    if isinstance(value, str):
        return _split_label(value, label_sep)
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{here}: label {col!r} is {value!r}; expected a string or a list of strings")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                raise ValueError(
                    f"{here}: label {col!r}[{i}] is {v!r} ({type(v).__name__}); "
                    "expected a string"
                )
            v = str(v).strip()
            if not v:
                raise ValueError(f"{here}: label {col!r}[{i}] is an empty string")
            out.append(v)
        return out
    raise ValueError(
        f"{here}: label {col!r} is of type {type(value).__name__}; "
        "expected a string or a list of strings"
    )


def load_jsonl(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    encoding: str = "utf-8-sig",
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
):
    """Read documents and their topics from a JSON Lines file (one JSON object per line).

    The label field may hold a string (split on ``label_sep`` when given) or a list of
    strings (multi-label). Blank lines are ignored; any other line that is not a JSON object
    with a non-empty text and a label raises ``ValueError`` giving its line number.
    ``label_col=None`` reads texts only and returns ``(texts, None)``. See :func:`load_csv`
    for the other parameters.
    """
    texts: List[str] = []
    labels: Optional[List[Label]] = [] if label_col is not None else None
    ids: List[Any] = []
    for text, label, rid in iter_jsonl(path, text_col, label_col, label_sep, encoding=encoding,
                                       allow_empty_labels=allow_empty_labels, id_col=id_col,
                                       _ids_optional=_ids_optional):
        texts.append(text)
        if labels is not None:
            labels.append(label)
        if id_col is not None:
            ids.append(rid)
    return _result(texts, labels, ids, id_col)


def iter_jsonl(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    encoding: str = "utf-8-sig",
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
) -> Iterator[Tuple[str, Optional[Label], Any]]:
    """The records of :func:`load_jsonl` one at a time, as ``(text, label, id)``, with the
    same checks and messages; a ``.gz`` file is decompressed on the fly."""
    _check_label_sep(label_sep)
    where = _describe(path)
    f = _open_text(path, encoding)
    first = True
    lineno = 0
    has_id = False
    try:
        for lineno, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            here = f"{where}, line {lineno}"
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as e:
                raise ValueError(f"{here}: invalid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(rec, dict):
                raise ValueError(
                    f"{here}: expected a JSON object per line, got {type(rec).__name__}"
                )
            if first:
                _check_columns(rec.keys(), text_col, label_col, here)
                has_id = id_col is not None and id_col in rec
                if id_col is not None and not has_id and not _ids_optional:
                    raise _missing_column("id", id_col, rec.keys(), here)
                first = False
            if text_col not in rec:
                raise ValueError(f"{here}: no field {text_col!r} (the text)")
            text = rec[text_col]
            if not isinstance(text, str):
                raise ValueError(
                    f"{here}: {text_col!r} is of type {type(text).__name__}; expected a string"
                )
            if not text.strip():
                raise ValueError(f"{here}: empty text in field {text_col!r}")
            label = None
            if label_col is not None:
                if label_col not in rec:
                    raise ValueError(f"{here}: missing label (no field {label_col!r})")
                label = _check_label(_json_label(rec[label_col], label_sep, here, label_col), here,
                                     allow_empty_labels)
            rid = None
            if id_col is not None:
                if has_id and id_col not in rec:
                    raise ValueError(f"{here}: no field {id_col!r} (the id)")
                rid = rec[id_col] if has_id else lineno
            yield text, label, rid
    except UnicodeDecodeError as e:
        raise _decode_error(path, e, encoding) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise ValueError(f"{where}: cannot read the compressed file ({e})") from None
    finally:
        _close(path, f)
    if first:
        raise ValueError(f"{where}: no records (the file is empty)")


def load_parquet(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
):
    """Read documents and their topics from a Parquet file (needs pyarrow).

    The label column may be a string column (split on ``label_sep`` when given) or a list of
    strings column (multi-label). A null or empty text, or a null label, raises ``ValueError``
    giving its row number (1-based). See :func:`load_csv` for the other parameters.
    """
    _check_label_sep(label_sep)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(
            "reading Parquet files needs pyarrow: pip install pyarrow "
            "(or pip install 'topictag[arrow]')"
        ) from None
    where = _describe(path)
    if not _is_stream(path) and os.path.isdir(path):
        raise IsADirectoryError(f"{where}: is a directory, expected a file")
    try:
        schema = pq.read_schema(path)
    except FileNotFoundError:
        raise
    except Exception as e:  # pyarrow raises ArrowInvalid (a ValueError) and others
        raise ValueError(f"{where}: not a readable Parquet file ({e})") from None
    names = list(schema.names)
    _check_columns(names, text_col, label_col, where)
    cols = [text_col]
    if label_col is not None and label_col != text_col:
        cols.append(label_col)
    ii = _id_index(id_col, names, where, _ids_optional)
    if ii is not None and id_col not in cols:
        cols.append(id_col)
    table = pq.read_table(path, columns=cols)
    raw_texts = table.column(text_col).to_pylist()
    raw_labels = table.column(label_col).to_pylist() if label_col is not None else None
    raw_ids = table.column(id_col).to_pylist() if ii is not None else None
    texts: List[str] = []
    labels: Optional[List[Label]] = [] if label_col is not None else None
    ids: List[Any] = []
    for i, text in enumerate(raw_texts):
        here = f"{where}, row {i + 1}"
        if not isinstance(text, str):
            what = "null" if text is None else f"of type {type(text).__name__}"
            raise ValueError(f"{here}: text {text_col!r} is {what}; expected a string")
        if not text.strip():
            raise ValueError(f"{here}: empty text in column {text_col!r}")
        texts.append(text)
        if raw_labels is not None:
            value = raw_labels[i]
            if value is None:
                raise ValueError(f"{here}: missing label (null in column {label_col!r})")
            label = _json_label(value, label_sep, here, label_col)
            labels.append(_check_label(label, here, allow_empty_labels))
        if id_col is not None:
            ids.append(raw_ids[i] if raw_ids is not None else i + 1)
    return _result(texts, labels, ids, id_col)


FORMATS = ("csv", "tsv", "jsonl", "parquet")


def format_from_path(path: PathLike) -> Optional[str]:
    """The reader a file extension calls for, or None when the extension is not known."""
    name = os.fspath(path).lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    return None


def load_file(
    path: PathLike,
    text_col: str = "text",
    label_col: Optional[str] = "label",
    label_sep: Optional[str] = None,
    *,
    format: Optional[str] = None,
    allow_empty_labels: bool = False,
    id_col: Optional[str] = None,
    _ids_optional: bool = False,
):
    """Dispatch to :func:`load_csv`, :func:`load_jsonl` or :func:`load_parquet` by ``format``
    (``"csv"``, ``"tsv"``, ``"jsonl"``, ``"parquet"``) or, when it is None, by extension."""
    stream = _is_stream(path)
    fmt = format or (None if stream else format_from_path(path))
    if fmt is None:
        raise ValueError(
            f"{_describe(path)}: cannot tell the file format from its name; "
            f"give it explicitly (one of {', '.join(FORMATS)})"
        )
    if not stream and os.fspath(path).lower().endswith(".gz"):
        raise ValueError(f"{_describe(path)}: compressed files are not read; decompress it first")
    kw = dict(text_col=text_col, label_col=label_col, label_sep=label_sep,
              allow_empty_labels=allow_empty_labels, id_col=id_col, _ids_optional=_ids_optional)
    if fmt == "csv":
        return load_csv(path, **kw)
    if fmt == "tsv":
        return load_csv(path, delimiter="\t", **kw)
    if fmt == "jsonl":
        return load_jsonl(path, **kw)
    if fmt == "parquet":
        return load_parquet(path, **kw)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
