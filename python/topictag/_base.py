"""The scikit-learn estimator contract, without importing scikit-learn.

Constructor arguments are stored unchanged under their own names; ``get_params`` reads them
back through the constructor's signature; ``set_params`` sets them (nested ``step__param``
keys included); fitted state lives in attributes ending in ``_``. scikit-learn's ``clone``,
``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` rely only on this, plus the tags that
``__sklearn_tags__`` builds lazily (scikit-learn is imported only when scikit-learn itself
asks, so importing topictag never needs it).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any, Callable, Dict, Optional, Sequence

import numpy as np

from .exceptions import NotFittedError

# --------------------------------------------------------------------------------------------
# Parameter constraints
#
# Every estimator lists, in ``_parameter_constraints``, each constructor parameter with the
# Python values it accepts; ``check_params`` checks them all at ``fit``. An entry is a list of
# alternatives, each one of:
#
# * a type or ABC (``Real``, ``Integral``, ``str``, ``dict``, ``Mapping``): ``isinstance``,
#   where ``bool`` is not a number (``True`` is not a valid ``C``);
# * ``None``: the value ``None``;
# * a str: that string (``"balanced"``);
# * ``BOOLEAN``, ``CALLABLE``, ``ITERABLE`` (a collection that is not a str), ``UNCHECKED``
#   (converted, and so checked, elsewhere);
# * ``Options(...)``: one of some strings; ``Interval(...)``: a number in a range;
#   ``Condition(kind, predicate, description)``: any other rule;
# * ``Unsupported(kind, hint)``: values of a kind topictag rejects (ValueError with the hint).
#
# A value that no alternative accepts raises TypeError when its type fits none of them, and
# ValueError when its type fits but the value does not (``"heavy"`` for ``class_weight``,
# ``0`` for an ``Interval(Real, 0, None, closed="neither")``). The message names the
# parameter and the alternatives.
#
# Value rules (C > 0, tol > 0, ngram_range ordered, ...) belong to the Rust core, which
# raises ValueError naming the parameter. ``Interval`` holds the few that the core does not
# check (yet); its ``owner`` names the Rust function that should.


class _Marker:
    def __init__(self, name: str, description: str, accepts):
        self.name = name
        self.description = description
        self.accepts = accepts

    def __repr__(self) -> str:
        return self.name


def _is_bool(v) -> bool:
    return isinstance(v, (bool, np.bool_))


BOOLEAN = _Marker("BOOLEAN", "True or False", _is_bool)
CALLABLE = _Marker("CALLABLE", "a callable", callable)
ITERABLE = _Marker(
    "ITERABLE",
    "a list of str",
    lambda v: isinstance(v, Iterable) and not isinstance(v, (str, bytes, Mapping)),
)
UNCHECKED = _Marker("UNCHECKED", "anything", lambda v: True)


class Options:
    """One of the given strings; ``hint`` is added to the error message."""

    def __init__(self, *values: str, hint: str = ""):
        self.values = values
        self.hint = hint

    def type_fits(self, v) -> bool:
        return isinstance(v, str)

    def accepts(self, v) -> bool:
        return isinstance(v, str) and v in self.values

    @property
    def description(self) -> str:
        return _either([repr(x) for x in self.values])


@dataclass(frozen=True)
class Condition:
    """A value of ``kind`` for which ``predicate`` holds, e.g. ``Condition(str, bool, "a
    non-empty str")``. ``owner``: the Rust function that should check the rule instead, when
    it is a value rule the core does not check (yet)."""

    kind: Any
    predicate: Callable[[Any], Any]
    description: str
    owner: str = ""

    def type_fits(self, v) -> bool:
        return _type_fits(self.kind, v)

    def accepts(self, v) -> bool:
        return self.type_fits(v) and bool(self.predicate(v))


class Unsupported:
    """Values of a Python kind that topictag does not support (``CALLABLE`` for a
    ``preprocessor``): ValueError with ``hint``, and left out of the list of what is accepted."""

    def __init__(self, kind, hint: str):
        self.kind = kind
        self.hint = hint
        self.description = ""

    def type_fits(self, v) -> bool:
        return _type_fits(self.kind, v)

    def accepts(self, v) -> bool:
        return False


@dataclass(frozen=True)
class Interval:
    """A number of ``kind`` (``Real`` or ``Integral``) between ``low`` and ``high`` (``None``:
    unbounded); ``closed`` is "both", "left", "right" or "neither". Real intervals reject
    NaN and infinities. ``owner``: the Rust function that should check the rule instead."""

    kind: Any
    low: Optional[float] = None
    high: Optional[float] = None
    closed: str = "both"
    owner: str = ""

    def type_fits(self, v) -> bool:
        return _is_instance(v, self.kind)

    def accepts(self, v) -> bool:
        if not self.type_fits(v):
            return False
        if self.kind is Real and not math.isfinite(v):
            return False
        if self.low is not None:
            if v < self.low or (v == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if v > self.high or (v == self.high and self.closed in ("left", "neither")):
                return False
        return True

    @property
    def description(self) -> str:
        what = _type_description(self.kind)
        left_open = self.closed in ("right", "neither")
        right_open = self.closed in ("left", "neither")
        if self.low is not None and self.high is not None:
            lb, rb = "(" if left_open else "[", ")" if right_open else "]"
            return f"{what} in {lb}{self.low}, {self.high}{rb}"
        if self.low is not None:
            return f"{what} {'>' if left_open else '>='} {self.low}"
        if self.high is not None:
            return f"{what} {'<' if right_open else '<='} {self.high}"
        return f"a finite {what[2:]}" if self.kind is Real else what


def _is_instance(v, kind) -> bool:
    if kind in (Real, Integral, int, float) and _is_bool(v):
        return False
    return isinstance(v, kind)


_TYPE_NAMES = {Real: "a number", Integral: "an int", str: "a str", dict: "a dict",
               Mapping: "a mapping", list: "a list", tuple: "a tuple", type: "a type"}


def _type_description(kind) -> str:
    return _TYPE_NAMES.get(kind, f"a {getattr(kind, '__name__', kind)}")


def _either(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} or {items[-1]}"


def _describe(alternative) -> str:
    if alternative is None:
        return "None"
    if isinstance(alternative, str):
        return repr(alternative)
    if isinstance(alternative, (_Marker, Options, Interval, Condition, Unsupported)):
        return alternative.description
    return _type_description(alternative)


def _type_fits(alternative, v) -> bool:
    """Whether ``v`` has the type ``alternative`` asks for (its value may still be wrong)."""
    if alternative is None:
        return v is None
    if isinstance(alternative, str):
        return isinstance(v, str)
    if isinstance(alternative, _Marker):
        return alternative.accepts(v)
    if isinstance(alternative, (Options, Interval, Condition, Unsupported)):
        return alternative.type_fits(v)
    return _is_instance(v, alternative)


def _accepts(alternative, v) -> bool:
    if alternative is None:
        return v is None
    if isinstance(alternative, str):
        return isinstance(v, str) and v == alternative
    if isinstance(alternative, (_Marker, Options, Interval, Condition, Unsupported)):
        return alternative.accepts(v)
    return _is_instance(v, alternative)


def check_value(name: str, value, alternatives: Sequence) -> None:
    """Raise TypeError/ValueError naming ``name`` unless one of ``alternatives`` (the entries
    of a constraints table, see above) accepts ``value``."""
    if any(_accepts(a, value) for a in alternatives):
        return
    hints = [a.hint for a in alternatives
             if isinstance(a, (Options, Unsupported)) and a.hint and a.type_fits(value)]
    try:
        shown = repr(value)
    except Exception:  # a value whose repr fails still gets a message
        shown = f"a {type(value).__name__}"
    if len(shown) > 80:
        shown = shown[:77] + "..."
    accepted = _either([d for d in map(_describe, alternatives) if d])
    if not any(_type_fits(a, value) for a in alternatives):
        msg = f"{name} must be {accepted}, got {type(value).__name__} ({shown})"
        raise TypeError(msg + (f"; {hints[0]}" if hints else ""))
    msg = f"{name} must be {accepted}, got {shown}"
    raise ValueError(msg + (f"; {hints[0]}" if hints else ""))


def check_params(estimator, constraints: Optional[Dict[str, Sequence]] = None) -> None:
    """Check every constructor parameter of ``estimator`` against its class's
    ``_parameter_constraints`` (or ``constraints``)."""
    table = type(estimator)._parameter_constraints if constraints is None else constraints
    for name, alternatives in table.items():
        check_value(name, getattr(estimator, name), alternatives)


class BaseEstimator:
    """Parameter handling, ``repr`` and tags shared by every topictag estimator."""

    _estimator_type: str = ""
    #: constructor parameter -> accepted values (see ``check_params``); one entry per parameter
    _parameter_constraints: Dict[str, Sequence] = {}

    @classmethod
    def _get_param_names(cls):
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self" or p.kind == p.VAR_KEYWORD:
                continue
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(f"{cls.__name__} must not take *args in __init__")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for k, v in value.get_params(deep=True).items():
                    out[f"{name}__{k}"] = v
            out[name] = value
        return out

    def set_params(self, **params):
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: Dict[str, Dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._get_param_names())!r}."
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def _store_params(self, params: Dict[str, Any]) -> None:
        """Keep the constructor's arguments unchanged under their own names; an ``__init__``
        calls ``self._store_params(locals())`` and nothing else."""
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    def _validate_params(self) -> None:
        """Check the constructor parameters against ``_parameter_constraints`` (at ``fit``)."""
        check_params(self)

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.default is not p.empty
        }
        shown = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = defaults.get(name, inspect.Parameter.empty)
            try:
                same = value is default or bool(value == default)
            except Exception:  # arrays and other odd values
                same = False
            if not same:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __sklearn_tags__(self):
        # Only scikit-learn calls this, so scikit-learn is importable here.
        from sklearn.utils import ClassifierTags, InputTags, Tags, TargetTags, TransformerTags

        tags = Tags(
            estimator_type=self._estimator_type or None,
            target_tags=TargetTags(required=self._estimator_type == "classifier"),
            transformer_tags=TransformerTags() if hasattr(self, "transform") else None,
            classifier_tags=ClassifierTags() if self._estimator_type == "classifier" else None,
            input_tags=InputTags(**self._input_tags()),
        )
        return tags

    def _input_tags(self) -> Dict[str, bool]:
        return {"sparse": True, "two_d_array": True}

    def _more_tags(self):  # scikit-learn < 1.6
        return {}

    def __sklearn_is_fitted__(self) -> bool:
        return self._is_fitted()

    def _is_fitted(self) -> bool:
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

    def _check_is_fitted(self) -> None:
        if not self._is_fitted():
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )


class ClassifierMixin:
    """``score`` as mean accuracy, like scikit-learn's. Multi-label classifiers override
    ``score`` with their own measure."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        pred = self.predict(X)
        hits = (np.asarray(pred, dtype=object) == np.asarray(list(y), dtype=object)).astype(float)
        return weighted_mean(hits, sample_weight)


def weighted_mean(hits, sample_weight=None) -> float:
    """The mean of ``hits`` (1.0 per right prediction), weighted by ``sample_weight``."""
    hits = np.asarray(hits, dtype=float)
    if sample_weight is None:
        return float(hits.mean())
    w = np.asarray(sample_weight, dtype=float)
    return float((hits * w).sum() / w.sum())


class TransformerMixin:
    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y, **fit_params).transform(X)
