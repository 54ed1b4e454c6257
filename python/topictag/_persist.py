"""``topictag.load``: read any saved topictag object.

Every topictag object saves to the same container (``src/model/format.rs``; documented in
``docs/model-format.md``): a header naming the object kind, JSON metadata with the Python-side
constructor parameters, and a plain-data payload with a checksum. Loading never executes
code (unlike pickle): the header is checked first, then the payload is decoded into known
Rust types. A truncated, corrupted, foreign or newer-format file raises
:class:`topictag.ModelFormatError`.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, NamedTuple, Union

from . import _core
from .exceptions import ModelFormatError


class Header(NamedTuple):
    kind: str
    format_version: int
    topictag_version: str
    metadata: Dict[str, Any]


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read()
    if hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError("the file object must be opened in binary mode ('rb')")
        return bytes(data)
    raise TypeError(
        f"load() takes a path, a binary file object or bytes, not {type(source).__name__}"
    )


def peek(source) -> Header:
    """Read and check a saved object's header (kind, format version, topictag version that
    wrote it, metadata) without building the object."""
    b = _read_bytes(source)
    kind, fv, ver, meta = _core.peek_header(b)
    try:
        metadata = json.loads(meta) if meta else {}
    except ValueError:
        raise ModelFormatError("corrupted topictag file: the metadata is not valid JSON") from None
    return Header(kind, int(fv), ver, metadata)


def _linear_class(metadata: Dict[str, Any]):
    from . import _linear

    name = metadata.get("class") or metadata.get("__class__") or metadata.get("estimator")
    if name and hasattr(_linear, str(name)):
        return getattr(_linear, str(name))
    # Fall back on the parameter names only one of the two classes has.
    if "loss" in metadata and "penalty" in metadata and "solver" not in metadata:
        return _linear.LinearSVC
    return _linear.LogisticRegression


def load(source: Union[str, os.PathLike, bytes]) -> Any:
    """Load a TopicClassifier, vectorizer or linear classifier saved by topictag.

    ``source`` is a path, a binary file object, or the bytes themselves. Raises
    :class:`topictag.ModelFormatError` when the data is not a complete, intact topictag file
    of a format version this topictag reads.
    """
    b = _read_bytes(source)
    h = peek(b)
    if h.kind == "TopicClassifier":
        from ._classifier import TopicClassifier

        return TopicClassifier._from_bytes(b)
    if h.kind in ("TfidfVectorizer", "CountVectorizer", "HashingVectorizer"):
        from . import _vectorizers

        return getattr(_vectorizers, h.kind)._from_bytes(b)
    if h.kind == "linear classifier":
        return _linear_class(h.metadata)._from_bytes(b)
    raise ModelFormatError(f"this topictag file holds a {h.kind}, which this version cannot load")
