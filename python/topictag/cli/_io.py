"""The command line's files: reading documents and labels, writing results, loading and
saving models, and the one-line error every problem becomes."""

from __future__ import annotations

import io
import json
import os
import sys
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


# ------------------------------------------------------------------------------------ input


def read_labelled(args) -> Tuple[List[str], List[Any]]:
    from ..datasets import load_file

    _check_input_file(args.data)
    with progress(f"reading {args.data}"):
        texts, labels = load_file(
            args.data,
            text_col=args.text_col,
            label_col=args.label_col,
            label_sep=args.label_sep,
            format=args.format,
        )
    if not texts:
        raise CLIError(f"{args.data}: no documents")
    return texts, labels


def _check_input_file(path: str) -> None:
    if path == "-":
        return
    if not os.path.exists(path):
        raise CLIError(f"{path}: no such file")
    if os.path.isdir(path):
        raise CLIError(f"{path}: is a directory, expected a file")


def read_stdin_text() -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CLIError(f"<stdin>: not valid UTF-8 text (byte {e.start})") from None
    return data


def _text_lines(content: str) -> Tuple[List[str], List[int]]:
    texts, ids = [], []
    for lineno, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            texts.append(line)
            ids.append(lineno)
    return texts, ids


def _looks_like_jsonl(content: str, text_col: str) -> bool:
    for line in content.splitlines():
        if line.strip():
            try:
                rec = json.loads(line)
            except ValueError:
                return False
            return isinstance(rec, dict) and text_col in rec
    return False


def read_unlabelled(path: Optional[str], fmt: Optional[str], text_col: str, id_col: Optional[str]):
    """(texts, ids) of the documents to tag: CSV/TSV/JSONL/Parquet by extension or ``fmt``,
    else one document per non-blank line; ``None``/``"-"`` is stdin (JSONL when its first
    line is a JSON object with the text field, else text lines)."""
    from ..datasets import format_from_path, load_file

    stdin = path is None or path == "-"
    if not stdin:
        _check_input_file(path)
    if fmt is None and not stdin:
        fmt = format_from_path(path) or "text"
    if stdin:
        content = read_stdin_text()
        if fmt is None:
            fmt = "jsonl" if _looks_like_jsonl(content, text_col) else "text"
        if fmt == "text":
            return _text_lines(content)
        if fmt == "parquet":
            raise CLIError("Parquet cannot be read from stdin; give the file name")
        stream = io.StringIO(content)
        stream.name = "<stdin>"
        src: Any = stream
    else:
        if fmt == "text":
            try:
                with open(path, encoding="utf-8-sig") as f:
                    return _text_lines(f.read())
            except UnicodeDecodeError as e:
                raise CLIError(f"{path}: not valid UTF-8 text (byte {e.start})") from None
        src = path
    texts, _, ids = load_file(
        src,
        text_col=text_col,
        label_col=None,
        format=fmt,
        id_col=id_col or "id",
        _ids_optional=id_col is None,
    )
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
