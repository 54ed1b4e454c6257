"""Exception and warning classes of topictag.

``ModelFormatError`` and ``NotFittedError`` are defined in the Rust extension (so the core can
raise them) and re-exported here. Both subclass ``ValueError``.
"""

from ._core import ModelFormatError, NotFittedError


class ConvergenceWarning(UserWarning):
    """A solver stopped at ``max_iter`` before reaching ``tol``."""


__all__ = ["ModelFormatError", "NotFittedError", "ConvergenceWarning"]
