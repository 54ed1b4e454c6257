"""``regularization_path``: one estimator fitted at a grid of ``C`` values, each fit starting
from the previous one's solution (``warm_start``), for tuning ``C`` at a fraction of the cost
of independent fits."""

from __future__ import annotations

from numbers import Real
from typing import Any, Iterable, List

from ._state import snapshot

__all__ = ["regularization_path"]


def regularization_path(estimator: Any, X, y, Cs: Iterable[float], *, sample_weight=None) -> List[Any]:
    """Fit ``estimator`` (unchanged: a clone is fitted) at every value of ``Cs``.

    The values are visited from the smallest ``C`` (the most regularised model, nearest
    zero) to the largest, each fit starting from the solution of the previous one
    (``warm_start=True``, for estimators that have it; the others are fitted from zero at
    each value). Returns one fitted estimator per value, in the order of ``Cs``; each has the
    parameters of ``estimator`` with its own ``C``.

    Like scikit-learn's ``LogisticRegressionCV``, which fits its grid of ``Cs`` along one
    path, but it returns the fitted models: score them on held-out data to choose ``C``.
    """
    if isinstance(Cs, (str, bytes)):
        raise TypeError(f"Cs must be a sequence of numbers, got {type(Cs).__name__}")
    Cs = [c for c in Cs]
    for c in Cs:
        if isinstance(c, bool) or not isinstance(c, Real):
            raise TypeError(f"every value of Cs must be a number, got {c!r}")
        if not c > 0 or c != c or c == float("inf"):
            raise ValueError(f"every value of Cs must be a finite number > 0, got {c!r}")
    if not Cs:
        raise ValueError("Cs is empty: give at least one value of C")
    if not hasattr(estimator, "get_params"):
        raise TypeError(f"estimator must be a scikit-learn style estimator, got {type(estimator).__name__}")
    params = estimator.get_params(deep=False)
    if "C" not in params:
        raise TypeError(f"{type(estimator).__name__} has no parameter C")
    warm = "warm_start" in params
    est = type(estimator)(**params)
    if warm:
        est.set_params(warm_start=True)
    fitted: List[Any] = [None] * len(Cs)
    kwargs = {} if sample_weight is None else {"sample_weight": sample_weight}
    for i in sorted(range(len(Cs)), key=lambda i: Cs[i]):
        est.set_params(C=Cs[i])
        est.fit(X, y, **kwargs)
        # A shallow copy: it keeps this fit's model (a refit builds a new one, never
        # changes it) and parameters; the next fit starts from it.
        out = snapshot(est)
        if warm:
            out.warm_start = params["warm_start"]
        fitted[i] = out
    return fitted
