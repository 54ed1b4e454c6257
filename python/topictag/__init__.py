"""topictag: tag documents with topics, fast.

TF-IDF features and sparse linear classifiers (logistic regression, linear SVM) computed in
Rust, with scikit-learn's API, English and Spanish text handling, multi-label topics,
explanations and a safe model file.
"""

import os as _os

from . import _core
from ._core import __version__
from .exceptions import ConvergenceWarning, ModelFormatError, NotFittedError
from . import datasets

# -- vectorizers (issue: foundation)
from ._vectorizers import CountVectorizer, HashingVectorizer, TfidfVectorizer
# -- linear classifiers
from ._linear import LinearSVC, LogisticRegression
from ._path import regularization_path
# -- persistence
from ._persist import load
# -- streaming input (files and batches read in chunks)
from ._stream import Batches

__all__ = [
    "__version__",
    "ConvergenceWarning",
    "ModelFormatError",
    "NotFittedError",
    "datasets",
    "CountVectorizer",
    "TfidfVectorizer",
    "HashingVectorizer",
    "LinearSVC",
    "LogisticRegression",
    "regularization_path",
    "TopicClassifier",
    "load",
    "Batches",
    "cross_validate",
    "EvaluationReport",
    "CrossValidationResult",
    "Explanation",
    "Contribution",
]

# -- TopicClassifier, evaluation, explanations: imported on first use (PEP 562), so that a
# script that only vectorizes and fits does not pay for their imports.
_LAZY = {
    "TopicClassifier": "._classifier",
    "CrossValidationResult": "._evaluate",
    "EvaluationReport": "._evaluate",
    "cross_validate": "._evaluate",
    "Contribution": "._explain",
    "Explanation": "._explain",
}


def __getattr__(name):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


# The Rust thread pool does not survive fork(); children build fresh pools (see
# src/parallel.rs). Without this, multiprocessing with the "fork" start method could hang.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._after_fork)
