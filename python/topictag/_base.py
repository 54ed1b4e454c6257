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
from typing import Any, Dict

from .exceptions import NotFittedError


class BaseEstimator:
    """Parameter handling, ``repr`` and tags shared by every topictag estimator."""

    _estimator_type: str = ""

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
    """``score`` as mean accuracy (subset accuracy for multi-label), like scikit-learn's."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        import numpy as np

        pred = self.predict(X)
        if getattr(self, "multilabel_", False):
            truth = self._label_sets(y)
            hits = np.array([set(p) == set(t) for p, t in zip(pred, truth)], dtype=float)
        else:
            hits = (np.asarray(pred, dtype=object) == np.asarray(list(y), dtype=object)).astype(float)
        if sample_weight is None:
            return float(hits.mean())
        w = np.asarray(sample_weight, dtype=float)
        return float((hits * w).sum() / w.sum())

    def _input_tags(self) -> Dict[str, bool]:
        return {"sparse": True, "two_d_array": True}


class TransformerMixin:
    def fit_transform(self, X, y=None, **fit_params):
        return self.fit(X, y, **fit_params).transform(X)
