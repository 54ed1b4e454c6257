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
# -- TopicClassifier, persistence, evaluation
from ._classifier import TopicClassifier
from ._evaluate import CrossValidationResult, EvaluationReport, cross_validate
from ._explain import Contribution, Explanation
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

# The Rust thread pool does not survive fork(); children build fresh pools (see
# src/parallel.rs). Without this, multiprocessing with the "fork" start method could hang.
if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._after_fork)
