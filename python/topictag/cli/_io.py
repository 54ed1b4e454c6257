"""The command line's files: reading documents and labels, writing results, loading and
saving models, and the one-line error every problem becomes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import sys
import zlib
from typing import Any, List, Optional, Tuple

from .._persist import write_atomic
from .._progress import progress

PROG = "topictag"


class CLIError(Exception):
    """A runtime problem to report as one line (exit status 1)."""


def one_line(e: BaseException) -> str:
    """An exception's message on one line."""
    msg = " ".join(str(e).split())
    if isinstance(e, KeyError) and msg.startswith("'"):
        msg = f"missing key {msg}"
    return msg or type(e).__name__


# Python names in messages (from the estimators and the file readers) and the flags that set
# them on the command line.
_FLAGS = {"ngram_range": "--ngram-max", "stemmer": "--stem", "stop_words": "--stop-words",
          "random_state": "--seed", "format": "--format", "encoding": "--encoding",
          "delimiter": "--delimiter", "label_sep": "--label-sep", "text_col": "--text-col",
          "label_col": "--label-col", "id_col": "--id-col", "n_jobs": "--n-jobs",
          "allow_empty_labels": "--allow-empty-labels", "min_df": "--min-df",
          "max_features": "--max-features", "class_weight": "--class-weight",
          "threshold": "--threshold", "language": "--language", "model": "--model", "C": "--C",
          "min_keywords": "--min-keywords"}
_PY_OPTION = re.compile(r"\b(" + "|".join(map(re.escape, _FLAGS)) + r")=('[^']*'|\"[^\"]*\"|[\w.-]*)")
# names with an underscore are never English words: name the flag wherever they appear
_PY_NAME = re.compile(r"\b(" + "|".join(n for n in _FLAGS if "_" in n) + r")\b(?!=)")
_MISSING_COLUMN = re.compile(r"no (text|label|id) column '")
_ONE_COLUMN = re.compile(r"available columns: '([^']*)'$")


def flag_of(name: str) -> str:
    """The command-line flag of a TopicClassifier parameter or reader option."""
    return _FLAGS.get(name, "--" + name.replace("_", "-"))


def cli_message(msg: str) -> str:
    """A library message with its hints in command-line terms: ``encoding='latin-1'`` becomes
    ``--encoding latin-1``, ``allow_empty_labels=True`` ``--allow-empty-labels``, and a
    missing column names the flag that chooses it."""

    def flag(m):
        value = m.group(2).strip("'\"")
        return flag_of(m.group(1)) + ("" if value in ("True", "") else f" {value}")

    msg = _PY_OPTION.sub(flag, msg)
    msg = _PY_NAME.sub(lambda m: flag_of(m.group(1)), msg)
    m = _MISSING_COLUMN.search(msg)
    if m:
        one = _ONE_COLUMN.search(msg)
        sep = next((c for c in (";", "\\t", "\t", "|") if one and c in one.group(1)), None)
        if sep is not None:  # the header did not split: another delimiter
            msg += f" (the header is one column: is the delimiter {sep!r}? pass --delimiter)"
        else:
            msg += f" (choose it with --{m.group(1)}-col)"
    return msg


# ------------------------------------------------------------------------------------ input


# Every input is read as records: one document per line for plain text, one row or JSON
# object per record otherwise. A record whose text is empty is a document with no words (kept,
# as TopicClassifier keeps it); only lines that hold no record at all (blank lines) are
# skipped, and the count is reported on stderr.


def _check_input_file(path: str) -> None:
    if path == "-":
        return
    if not os.path.exists(path):
        raise CLIError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CLIError(f"{path}: is a directory, expected a file")


def note(msg: str) -> None:
    sys.stderr.write(f"{PROG}: {msg}\n")


def split_records(content: str) -> List[str]:
    """The lines of plain text: split on "\\n" only, with the "\\r" of a "\\r\\n" dropped.
    Not ``str.splitlines``, which also splits on form feed, vertical tab, U+001C-1E, U+0085,
    U+2028/2029 and a lone "\\r", so ids would stop matching line numbers."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _text_lines(content: str, where: str) -> Tuple[List[str], List[int]]:
    texts, ids, blank = [], [], []
    for lineno, line in enumerate(split_records(content), start=1):
        if line.strip():
            texts.append(line)
            ids.append(lineno)
        else:
            blank.append(lineno)
    report_skipped(where, blank)
    return texts, ids


def report_skipped(where: str, lines) -> None:
    """One note on stderr naming the blank lines skipped (the first ten)."""
    lines = sorted(lines)
    if not lines:
        return
    shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
    word = "line" if len(lines) == 1 else "lines"
    note(f"note: {where}: skipped {len(lines):,} blank {word} (no document): {word} {shown}")


def _decode(data: bytes, where: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CLIError(f"{where}: not valid {encoding} text (byte {e.start}); give the file's "
                       "encoding with --encoding, e.g. --encoding latin-1") from None
    except LookupError:
        raise CLIError(f"unknown --encoding {encoding!r}") from None


def read_stdin_text(encoding: str = "utf-8-sig") -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        data = _decode(data, "<stdin>", encoding)
    return data


def _read_text_file(path: str, encoding: str) -> str:
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise CLIError(f"{path}: cannot read the compressed file ({e})") from None
    return _decode(data, path, encoding)


def sniff_format(content: str, text_col: str, delimiter: Optional[str] = None) -> Optional[str]:
    """The format of data on stdin, from its first non-blank line: "jsonl" (a JSON object with
    the text field), "csv"/"tsv" (a header row naming the text column, every name of at most
    three words), else None."""
    first = next((ln for ln in split_records(content[:1 << 20]) if ln.strip()), None)
    if first is None:
        return None
    try:
        rec = json.loads(first)
        if isinstance(rec, dict) and text_col in rec:
            return "jsonl"
    except ValueError:
        pass
    for fmt, sep in (("csv", delimiter or ","), ("tsv", "\t")):
        try:
            fields = next(csv.reader([first], delimiter=sep))
        except csv.Error:
            continue
        names = [f.strip() for f in fields]
        if text_col in names and all(_HEADER_NAME.fullmatch(n) for n in names):
            return fmt
    return None


# a column name in a header row: a few words at most (a document's first line has more)
_HEADER_NAME = re.compile(r"[^\s]{1,64}(?: [^\s]{1,64}){0,2}")


def _stdin_source(args, fmt: Optional[str], labelled: bool):
    """(stdin as a named text stream, its format); the format sniffed when not given."""
    content = read_stdin_text(args.encoding)
    if fmt is None:
        fmt = sniff_format(content, args.text_col, args.delimiter)
        if fmt is None:
            if labelled:
                raise CLIError("cannot tell the format of standard input; give it with "
                               "--format csv, tsv or jsonl")
            fmt = "text"
    if fmt == "parquet":
        raise CLIError("Parquet cannot be read from stdin; give the file name")
    stream = io.StringIO(content) if fmt != "text" else content
    if fmt != "text":
        stream.name = "<stdin>"
    return stream, fmt


def iter_records(src, fmt: str, args, label_col: Optional[str], id_col: Optional[str] = None,
                 skipped: Optional[set] = None, ids_optional: bool = False):
    """(text, label, id) records of a CSV, TSV or JSON Lines file or stream (optionally
    gzipped), read with the command's --encoding and --delimiter; empty texts are kept."""
    from ..datasets._readers import iter_csv, iter_jsonl

    kw = dict(encoding=args.encoding, allow_empty_texts=True, id_col=id_col,
              _ids_optional=ids_optional, _skipped=skipped,
              allow_empty_labels=getattr(args, "allow_empty_labels", False))
    label_sep = getattr(args, "label_sep", None)
    if fmt == "jsonl":
        return iter_jsonl(src, args.text_col, label_col, label_sep, **kw)
    if fmt in ("csv", "tsv"):
        delimiter = args.delimiter or ("," if fmt == "csv" else "\t")
        return iter_csv(src, args.text_col, label_col, label_sep, delimiter=delimiter, **kw)
    raise ValueError(f"unknown format {fmt!r}")


def read_labelled(args) -> Tuple[List[str], List[Any]]:
    """(texts, labels) of the command's DATA: a file by extension or --format, or stdin."""
    from ..datasets import format_from_path, load_parquet

    where = "<stdin>" if args.data == "-" else args.data
    fmt = args.format
    if args.data == "-":
        src, fmt = _stdin_source(args, fmt, labelled=True)
    else:
        _check_input_file(args.data)
        src = args.data
        fmt = fmt or format_from_path(args.data)
        if fmt is None:
            raise CLIError(f"{args.data}: cannot tell the file format from its name; give it "
                           "with --format csv, tsv, jsonl or parquet")
    skipped: set = set()
    with progress(f"reading {where}"):
        if fmt == "parquet":
            texts, labels = load_parquet(src, args.text_col, args.label_col, args.label_sep,
                                         allow_empty_texts=True,
                                         allow_empty_labels=args.allow_empty_labels)
        else:
            texts, labels = [], []
            for t, lab, _ in iter_records(src, fmt, args, args.label_col, skipped=skipped):
                texts.append(t)
                labels.append(lab)
            if any(isinstance(x, list) for x in labels):  # multi-label: every label a list
                labels = [x if isinstance(x, list) else [x] for x in labels]
    report_skipped(where, skipped)
    if not texts:
        raise CLIError(f"{where}: no documents")
    warn_label_sep(labels, args.label_sep)
    return texts, labels


LIKELY_SEPARATORS = ("|", ";", ",", "/", "+")


def warn_label_sep(labels, label_sep: Optional[str]) -> None:
    """Without --label-sep, warn when labels look like several topics joined by a separator
    (each such label would be trained as one combined topic)."""
    if label_sep is not None:
        return
    names = [x for x in labels if isinstance(x, str)]
    best = None
    for sep in LIKELY_SEPARATORS:
        hits = [x for x in names if sep in x and sum(1 for p in x.split(sep) if p.strip()) > 1]
        if hits and (best is None or len(hits) > len(best[1])):
            best = (sep, hits)
    if best is None:
        return
    sep, hits = best
    note(f"warning: {len(hits):,} of {len(names):,} labels contain {sep!r} (e.g. {hits[0]!r}) "
         f"and are read as single topics; if they list several topics, pass --label-sep '{sep}'")


def read_unlabelled(path: Optional[str], fmt: Optional[str], args, id_col: Optional[str]):
    """(texts, ids) of the documents to tag: CSV/TSV/JSONL/Parquet by extension or ``fmt``,
    else one document per line; ``None``/``"-"`` is stdin (its format sniffed: JSONL when its
    first line is a JSON object with the text field, CSV/TSV when it is a header row naming
    the text column, else text lines). Empty texts of records are kept; blank lines of text
    input are skipped and reported."""
    from ..datasets import format_from_path, load_parquet

    stdin = path is None or path == "-"
    where = "<stdin>" if stdin else path
    if stdin:
        src, fmt = _stdin_source(args, fmt, labelled=False)
        if fmt == "text":
            return _text_lines(src, where)
    else:
        _check_input_file(path)
        fmt = fmt or format_from_path(path) or "text"
        if fmt == "text":
            return _text_lines(_read_text_file(path, args.encoding), where)
        src = path
    if fmt == "parquet":
        texts, _, ids = load_parquet(src, args.text_col, None, id_col=id_col or "id",
                                     _ids_optional=id_col is None, allow_empty_texts=True)
        return texts, ids
    skipped: set = set()
    texts, ids = [], []
    for t, _, rid in iter_records(src, fmt, args, None, id_col=id_col or "id", skipped=skipped,
                                  ids_optional=id_col is None):
        texts.append(t)
        ids.append(rid)
    report_skipped(where, skipped)
    return texts, ids


class Output:
    """stdout, or a file written (atomically) only once everything succeeded: no half-written
    outputs."""

    def __init__(self, path: Optional[str]):
        self.path = path if path not in (None, "-") else None
        self.buf = io.StringIO() if self.path else None

    def __enter__(self):
        return self.buf if self.buf is not None else sys.stdout

    def __exit__(self, exc_type, *_):
        if self.buf is not None and exc_type is None:
            try:
                write_atomic(self.path, self.buf.getvalue().encode("utf-8"))
            except OSError as e:
                raise CLIError(f"{self.path}: cannot write ({e.strerror or e})") from None


# ------------------------------------------------------------------------------------ models


def load_model(path: str):
    from .._persist import load
    from ..exceptions import ModelFormatError

    _check_input_file(path)
    try:
        model = load(path)
    except ModelFormatError as e:
        raise CLIError(f"{path}: not a usable topictag model file ({one_line(e)})") from None
    if not hasattr(model, "predict"):
        raise CLIError(
            f"{path}: holds a {type(model).__name__}, not a topic classifier; "
            "train one with 'topictag train'"
        )
    return model


def save_model(model, path: str) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise CLIError(f"{path}: the folder {parent} does not exist")
    try:
        model.save(path)
    except OSError as e:
        raise CLIError(f"{path}: cannot write the model ({e.strerror or e})") from None
