"""Exception and warning classes of topictag.

``ModelFormatError`` is defined in the Rust extension (so the core can raise it) and
re-exported here; it subclasses ``ValueError``.

``NotFittedError`` and ``ConvergenceWarning`` become subclasses of scikit-learn's classes of
the same names once scikit-learn is imported, before or after topictag, so ``except
sklearn.exceptions.NotFittedError`` and scikit-learn's own checks catch topictag's. Importing
topictag never imports scikit-learn (that takes seconds): when ``sklearn.exceptions`` is
already loaded the base classes are swapped at once, otherwise right after it gets imported
(an import hook that only watches for that module). ``NotFittedError`` is always a
``ValueError`` and an ``AttributeError`` (as scikit-learn's) and a subclass of the Rust
extension's ``_core.NotFittedError``.
"""

from __future__ import annotations

import importlib.util
import sys

from ._core import ModelFormatError
from ._core import NotFittedError as _CoreNotFittedError


class _NotFittedBase(ValueError, AttributeError):
    """Stands where scikit-learn's ``NotFittedError`` goes once it is imported: a class of the
    same shape (``ValueError`` and ``AttributeError``), so that ``__bases__`` can swap them."""


class NotFittedError(_CoreNotFittedError, _NotFittedBase):
    """An estimator was used before ``fit``."""


class _ConvergenceBase(UserWarning):
    """Stands where scikit-learn's ``ConvergenceWarning`` (a ``UserWarning``) goes."""


class ConvergenceWarning(_ConvergenceBase):
    """A solver stopped at ``max_iter`` before reaching ``tol``."""


def _adopt_sklearn_bases(sk_exceptions) -> None:
    """Make our classes subclasses of scikit-learn's (same instance layout, so ``__bases__``
    can change; idempotent; never breaks scikit-learn's import)."""
    sk_nfe = getattr(sk_exceptions, "NotFittedError", None)
    sk_cw = getattr(sk_exceptions, "ConvergenceWarning", None)
    try:
        if isinstance(sk_nfe, type) and not issubclass(NotFittedError, sk_nfe):
            NotFittedError.__bases__ = (_CoreNotFittedError, sk_nfe)
        if isinstance(sk_cw, type) and not issubclass(ConvergenceWarning, sk_cw):
            ConvergenceWarning.__bases__ = (sk_cw,)
    except TypeError:  # a scikit-learn whose classes have another shape: stay independent
        pass


class _SklearnExceptionsHook:
    """Calls ``_adopt_sklearn_bases`` right after ``sklearn.exceptions`` has run. A meta path
    finder by its ``find_spec`` (importing ``importlib.abc`` for the base class would cost
    more than the rest of this module)."""

    _name = "sklearn.exceptions"

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self._name:
            return None
        sys.meta_path.remove(self)  # let the normal finders find it
        try:
            spec = importlib.util.find_spec(fullname)
        except Exception:
            spec = None
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _AdoptingLoader(spec.loader)
        return spec


class _AdoptingLoader:
    """A loader by its ``create_module``/``exec_module`` (see the hook above)."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _adopt_sklearn_bases(module)

    def __getattr__(self, name):  # get_code, get_source, is_package, ...
        return getattr(self._loader, name)


if "sklearn.exceptions" in sys.modules:
    _adopt_sklearn_bases(sys.modules["sklearn.exceptions"])
elif not any(isinstance(f, _SklearnExceptionsHook) for f in sys.meta_path):
    sys.meta_path.insert(0, _SklearnExceptionsHook())


__all__ = ["ModelFormatError", "NotFittedError", "ConvergenceWarning"]
