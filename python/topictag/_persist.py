"""Persistence of every topictag estimator: the model file, pickling and ``topictag.load``.

Every topictag object saves to the same container (``src/persist/container.rs``; documented in
``docs/model-format.md``): a header naming the object kind, JSON metadata with the Python-side
constructor parameters, and a plain-data payload with a checksum. Loading never executes
code (unlike pickle): the header is checked first, then the payload is decoded into known
Rust types. A truncated, corrupted, foreign or unsupported-version file raises
:class:`topictag.ModelFormatError`.

One implementation serves every estimator (:class:`PersistMixin`):

* ``save(path)`` writes the file atomically (:func:`write_atomic`): a failed or interrupted
  save leaves the previous file as it was and no temporary file behind;
* the metadata is one JSON object ``{"class": ..., "params": {...}, ...}`` written and read
  by one codec (:func:`encode_params` / :func:`decode_params`);
* pickling stores the constructor parameters and, when fitted, the model-file bytes;
* :func:`load` finds the class from the header and the metadata.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, NamedTuple, Optional, Union

import numpy as np

from . import _core
from ._base import check_params
from .exceptions import ModelFormatError


class Header(NamedTuple):
    kind: str
    format_version: int
    topictag_version: str
    metadata: Dict[str, Any]


# -------------------------------------------------------------------------------------------
# the metadata codec
#
# Parameter values are written as JSON: tuples and sets as lists, a dict as
# {"__dict__": [[key, value], ...]} (keys keep their type), a numpy dtype or scalar type as
# "__dtype__:<name>", numpy scalars and arrays as Python values and lists, and a numpy
# RandomState or Generator as null (it cannot be written; pickling keeps it). Reading turns
# a list back into a tuple where the constructor's default is a tuple. Files written before
# this codec (flat vectorizer metadata, plain dicts) read the same way.

_DTYPE_TAG = "__dtype__:"


class _Unsaveable(Exception):
    pass


def _encode(v: Any, strict: bool) -> Any:
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, (list, tuple)):
        return [_encode(x, strict) for x in v]
    if isinstance(v, (set, frozenset)):
        items = [_encode(x, strict) for x in v]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(v, dict):
        return {"__dict__": [[_encode(k, strict), _encode(x, strict)] for k, x in v.items()]}
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, (np.generic, float, int))):
        return _DTYPE_TAG + np.dtype(v).name
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return _encode(v.tolist(), strict)
    if isinstance(v, (np.random.RandomState, np.random.Generator)) or not strict:
        return None
    raise _Unsaveable(v)


# Parameters of the machine a model runs on, not of the model: never written to a file and
# ignored when a file (written by an older version) has them, so a loaded model takes the
# loader's default (n_jobs=None: all cores).
_RUNTIME_PARAMS = frozenset({"n_jobs"})


def encode_params(params: Dict[str, Any], strict: bool = True) -> Dict[str, Any]:
    """JSON values of constructor parameters (but not ``n_jobs``). A value that cannot be
    written raises ValueError naming the parameter (``strict``) or is written as null."""
    out = {}
    for name, value in params.items():
        if name in _RUNTIME_PARAMS:
            continue
        try:
            out[name] = _encode(value, strict)
        except _Unsaveable:
            raise ValueError(
                f"cannot save the parameter {name}={value!r}: only JSON-like values (str, "
                "numbers, bool, None, lists, dicts, numpy dtypes) can be written to a model "
                "file; pickle the estimator instead"
            ) from None
    return out


def _decode(v: Any, default: Any = None) -> Any:
    if isinstance(v, str) and v.startswith(_DTYPE_TAG):
        return np.dtype(v[len(_DTYPE_TAG):]).type
    if isinstance(v, list):
        items = [_decode(x) for x in v]
        return tuple(items) if isinstance(default, tuple) else items
    if isinstance(v, dict):
        if set(v) == {"__dict__"} and isinstance(v["__dict__"], list):
            return {_hashable(_decode(k)): _decode(x) for k, x in v["__dict__"]}
        return {k: _decode(x) for k, x in v.items()}
    return v


def _hashable(v: Any) -> Any:
    return tuple(_hashable(x) for x in v) if isinstance(v, list) else v


def decode_params(cls, params: Dict[str, Any]) -> Dict[str, Any]:
    """Constructor arguments of ``cls`` from the JSON values in a file's metadata (unknown
    names are dropped: a file from a newer topictag may have more; so is ``n_jobs``)."""
    import inspect

    sig = inspect.signature(cls.__init__).parameters
    return {
        name: _decode(value, sig[name].default)
        for name, value in params.items()
        if name in sig and name != "self" and name not in _RUNTIME_PARAMS
    }


def parse_metadata(meta_json: str) -> Dict[str, Any]:
    """The metadata object; ``"params"`` holds the constructor parameters (for old vectorizer
    files, whose metadata was the parameters themselves, it is filled in)."""
    try:
        meta = json.loads(meta_json) if meta_json else {}
    except ValueError:
        meta = None
    if not isinstance(meta, dict):
        raise ModelFormatError("corrupted topictag file: the metadata is not a JSON object")
    if "params" not in meta:
        meta = {"params": dict(meta)}
    if not isinstance(meta["params"], dict):
        raise ModelFormatError("corrupted topictag file: the metadata parameters are not valid")
    return meta


def check_classes(classes, n_classes: int) -> None:
    """The class labels restored from a file must be ``n_classes`` distinct values (the
    payload's weights have one output per class); anything else is a corrupted or forged
    file."""
    labels = list(classes)
    if len(labels) != n_classes:
        raise ModelFormatError(
            f"corrupted topictag file: its metadata names {len(labels)} classes but the model "
            f"has {n_classes}")
    try:
        distinct = len(set(labels))
    except TypeError:
        raise ModelFormatError(
            "corrupted topictag file: its class labels are not plain values") from None
    if distinct != len(labels):
        raise ModelFormatError("corrupted topictag file: its class labels repeat a label")


# -------------------------------------------------------------------------------------------
# atomic file writes


def _write_and_sync(f, data: bytes) -> None:
    f.write(data)
    f.flush()
    os.fsync(f.fileno())


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no other way to read it; set it straight back
    os.umask(mask)
    return mask


def write_atomic(path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` ends up holding either its previous content
    or all of ``data``: a temporary file in the same folder is written and synced, then
    renamed over ``path``. On any failure, KeyboardInterrupt included, the temporary file is
    removed. The file gets the permissions of the file it replaces, or the usual ones for a
    new file (0o666 minus the umask)."""
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_and_sync(f, data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; not possible everywhere)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# -------------------------------------------------------------------------------------------
# the mixin

_CLASSES: Dict[str, type] = {}


class PersistMixin:
    """``to_bytes``, ``save``, pickling and loading for an estimator whose fitted state is a
    Rust core object in ``self._core`` (with ``to_bytes(metadata)`` and a static
    ``from_bytes(data) -> (core, metadata)``).

    A class sets ``_core_type`` (the ``_core`` class) and ``_file_kind`` (the kind its core
    writes in the header), and implements ``_restore``; the other hooks have defaults.
    """

    _core_type: Any = None
    _file_kind: str = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls._file_kind:
            _CLASSES[cls.__name__] = cls

    # -- hooks ------------------------------------------------------------------------------
    def _saved_core(self):
        """The core object that ``save`` writes; NotFittedError when there is none."""
        self._check_is_fitted()
        return self.__dict__["_core"]

    def _core_to_bytes(self, core, metadata: str, **options) -> bytes:
        return bytes(core.to_bytes(metadata))

    def _metadata_extra(self, strict: bool) -> Dict[str, Any]:
        """Fitted-state fields for the metadata beside ``class`` and ``params``. ``strict``
        (a file, not a pickle): raise rather than leave out what cannot be written."""
        return {}

    def _pickle_extra(self) -> Dict[str, Any]:
        """Fitted state that the model file cannot hold but a pickle keeps."""
        return {}

    def _restore(self, core, meta: Dict[str, Any], extra: Dict[str, Any]) -> None:
        """Set the fitted state from a decoded core and the file's metadata."""
        raise NotImplementedError

    # -- the model file ---------------------------------------------------------------------
    def _metadata(self, strict: bool = True) -> str:
        meta = {"class": type(self).__name__,
                "params": encode_params(self.get_params(deep=False), strict)}
        meta.update(self._metadata_extra(strict))
        return json.dumps(meta)

    def to_bytes(self, **options) -> bytes:
        """The model-file image that ``save`` writes and ``topictag.load`` reads."""
        return self._core_to_bytes(self._saved_core(), self._metadata(strict=True), **options)

    def save(self, path, **options) -> None:
        """Write the model file to ``path`` (read it back with ``topictag.load``). The write is
        atomic: if it fails, a file already at ``path`` is left as it was."""
        write_atomic(path, self.to_bytes(**options))

    @classmethod
    def _from_bytes(cls, data: bytes, extra: Optional[Dict[str, Any]] = None):
        core, meta_json = cls._core_type.from_bytes(bytes(data))
        meta = parse_metadata(meta_json)
        try:
            obj = cls(**decode_params(cls, meta["params"]))
            check_params(obj)
            obj._restore(core, meta, extra or {})
        except ModelFormatError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
            # The checksum held, so the bytes are as written: metadata that cannot rebuild
            # the object is a corrupted or forged file, never a crash of the caller's code.
            raise ModelFormatError(
                f"corrupted topictag file: its metadata does not describe a valid "
                f"{cls.__name__} ({type(e).__name__}: {e})") from e
        return obj

    # -- pickling ---------------------------------------------------------------------------
    def __getstate__(self):
        state: Dict[str, Any] = {"params": self.get_params(deep=False)}
        core = self.__dict__.get("_core")
        if core is not None:
            state["model"] = self._core_to_bytes(core, self._metadata(strict=False))
            state["extra"] = self._pickle_extra()
        return state

    def __setstate__(self, state):
        if state.get("model") is not None:
            other = type(self)._from_bytes(state["model"], state.get("extra"))
            self.__dict__.update(other.__dict__)
        self.__dict__.update(state["params"])


# -------------------------------------------------------------------------------------------
# reading


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


def _class_of(h: Header):
    from . import _classifier, _linear, _vectorizers  # noqa: F401  (they register their classes)

    meta = h.metadata if isinstance(h.metadata, dict) else {}
    name = meta.get("class")
    cls = _CLASSES.get(name) if isinstance(name, str) else None
    if cls is not None and cls._file_kind == h.kind:
        return cls
    cls = _CLASSES.get(h.kind)  # the vectorizers' and TopicClassifier's kinds are class names
    if cls is not None and cls._file_kind == h.kind:
        return cls
    if h.kind == "linear classifier":  # metadata without a class name
        params = meta.get("params", meta)
        return _linear.LinearSVC if "loss" in params else _linear.LogisticRegression
    raise ModelFormatError(f"this topictag file holds a {h.kind}, which this version cannot load")


def load(source: Union[str, os.PathLike, bytes]) -> Any:
    """Load a TopicClassifier, vectorizer or linear classifier saved by topictag.

    ``source`` is a path, a binary file object, or the bytes themselves. Raises
    :class:`topictag.ModelFormatError` when the data is not a complete, intact topictag file
    of a format version this topictag reads.
    """
    b = _read_bytes(source)
    return _class_of(peek(b))._from_bytes(b)
