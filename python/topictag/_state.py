"""Fitted state swapped in one step, read as one snapshot (issue 19).

Refitting an estimator while another thread predicts with it must give that thread the old
model or the new one, never a mix (the new weights with the old class names, say). Two
rules make it so, for every estimator:

* ``fit`` (and ``partial_fit``, ``tune_thresholds``, ...) builds the new fitted state
  aside and puts it in place with :func:`swap_in`: one ``dict.update`` of the instance's
  ``__dict__``, which runs in C under the GIL (and under the dict's lock on free-threaded
  Python), so no thread sees part of it;
* every public method that reads the fitted state runs on a snapshot of the instance
  (:func:`reads_one_state`): a shallow copy of ``__dict__``, taken in one step as well, so a
  swap during the call does not change what the call reads.

Neither rule takes a lock, and nothing is copied but references (the Rust models are never
changed after they are built: a refit builds a new one). Two threads fitting the same
instance at once end with the state of whichever finished last.
"""

from __future__ import annotations

import functools
from typing import Any


def swap_in(obj: Any, **state: Any) -> None:
    """Set the attributes ``state`` of ``obj`` in one step."""
    obj.__dict__.update(state)


def snapshot(obj: Any) -> Any:
    """A shallow copy of ``obj`` sharing its attribute values, taken in one step."""
    snap = object.__new__(type(obj))
    snap.__dict__ = obj.__dict__.copy()
    return snap


def reads_one_state(method):
    """Run ``method`` on a snapshot of the instance (see the module docstring). State that an
    estimator builds lazily on first use (a fixed vocabulary's) is built on the instance
    first (``_ensure_vocabulary``), so it is built once, not on every snapshot."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        ensure = getattr(self, "_ensure_vocabulary", None)
        if ensure is not None:
            ensure()
        return method(snapshot(self), *args, **kwargs)

    wrapper.__wrapped_reads_one_state__ = True
    return wrapper


def snapshot_reads(cls, names) -> None:
    """Make the methods ``names`` of ``cls`` (those it defines itself) run on snapshots."""
    for name in names:
        m = cls.__dict__.get(name)
        if m is not None and not getattr(m, "__wrapped_reads_one_state__", False):
            setattr(cls, name, reads_one_state(m))
