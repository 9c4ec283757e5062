"""Population-weighted quantiles: the one definition every table, map and error figure uses."""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_quantile"]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Smallest value v such that at least share q of the weight has value <= v.

    NumPy's weighted ``inverted_cdf`` quantile; rows of zero weight are ignored, no
    weight at all gives NaN. :func:`group_stats` computes the same for many groups at
    once (checked against this in tests/test_packaging.py).

    >>> weighted_quantile(np.array([10.0, 20.0, 30.0]), np.array([1, 1, 2]), 0.5)
    20.0
    """
    w = np.asarray(weights, float)
    keep = w > 0
    if not keep.any():
        return float("nan")
    return float(np.quantile(np.asarray(values, float)[keep], q, weights=w[keep], method="inverted_cdf"))
