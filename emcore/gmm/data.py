"""The data of a Gaussian mixture: a checked, read-only samples x features matrix (GMMData)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _gmm_kernels as kernels
from .._validation import as_float_array, describe

_EPS = np.finfo(float).eps


#: The largest ``n * sum_a span_a^2`` (samples times the squared ranges of the
#: features) accepted in data: every second moment the fit forms (the scatter, the
#: k-means++ distances, a covariance plus ``reg_covar``) stays below it, far from the
#: float64 maximum (about 1.8e308).
_MAX_SECOND_MOMENT = float(np.finfo(float).max) / 2.0**20


# -- data ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GMMData:
    """Continuous observations for a Gaussian mixture.

    Attributes
    ----------
    X : ndarray of float64, shape (n_samples, n_features)
        The observations (read-only, C-contiguous).
    center : ndarray, shape (n_features,)
        Their mean; the computations centre the data on it to avoid cancellation.
    """

    X: np.ndarray
    center: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        X = _as_data_matrix(self.X)
        object.__setattr__(self, "X", X)
        center = X.mean(axis=0)
        center.setflags(write=False)
        object.__setattr__(self, "center", center)

    @classmethod
    def _rows(cls, whole: GMMData, rows: slice) -> GMMData:
        """The rows ``rows`` of checked data, as a view (no copy, no second check)."""
        piece = object.__new__(cls)
        object.__setattr__(piece, "X", whole.X[rows])
        object.__setattr__(piece, "center", whole.center)
        return piece

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @functools.cached_property
    def scatter(self) -> np.ndarray:
        """``sum_i (x_i - c)(x_i - c)^T``, shape (n_features, n_features)."""
        total = np.zeros((self.n_features, self.n_features))
        for rows in kernels.chunks(self.n_samples, self.n_features):
            Xc = self.X[rows] - self.center
            total += Xc.T @ Xc
        return 0.5 * (total + total.T)

    @functools.cached_property
    def _n_distinct_projections(self) -> int:
        """Distinct values of one fixed projection of the rows: a lower bound on the
        number of distinct rows, in one O(n d) pass and a sort of n numbers."""
        weights = 1.0 / np.sqrt(np.arange(self.n_features) + np.pi)
        return int(np.unique(self.X @ weights).size)

    @functools.cached_property
    def _n_distinct_rows(self) -> int:
        return int(np.unique(self.X, axis=0).shape[0])

    def _n_distinct_at_least(self, k: int) -> int:
        """The number of distinct rows if it is below ``k``, else a number >= ``k``."""
        if k <= 1:
            return self.n_samples
        bound = self._n_distinct_projections
        return bound if bound >= k else self._n_distinct_rows


_DATA = "a 2-D array of numbers (samples x features)"


def _as_data_matrix(values: Any, name: str = "data") -> np.ndarray:
    """``values`` as a read-only C-contiguous float64 matrix of finite real numbers,
    small enough that its second moments cannot overflow (see :func:`_check_scale`)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be {_DATA}; got a string {describe(values)}")
    if values is None:
        raise TypeError(f"{name} must be {_DATA}; got None")
    if not isinstance(values, np.ndarray):
        try:
            np.asarray(values)
        except (TypeError, ValueError):  # ragged nested lists
            raise ValueError(f"{name} must be {_DATA}; {_ragged(values)}") from None
    with np.errstate(over="ignore", invalid="ignore"):  # a long double beyond float64 becomes inf
        array = as_float_array(values, name, finite=False, min_size=0)
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = (
                f" (one feature: pass it as a column, x.reshape(-1, 1), shape ({array.size}, 1); "
                f"one sample: x.reshape(1, -1))"
            )
        elif array.ndim == 0:
            hint = " (a single number is not a data set)"
        raise ValueError(f"{name} must be 2-D (samples x features); got an array of shape {array.shape}{hint}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty: got shape {array.shape} (at least one sample and one feature are needed)")
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite; sample {i}, feature {j} is {array[i, j]} "
            f"({int(bad.sum())} non-finite entries in all)"
        )
    _check_scale(array, name)
    if array.base is not None or array is values:
        array = array.copy()
    array.setflags(write=False)
    return array


def _ragged(values: Any) -> str:
    """Why a nested sequence does not form a matrix: which row differs in length."""
    try:
        lengths = [len(row) for row in values]
    except TypeError:
        return "the rows are not all sequences of the same length (a ragged list)"
    for i, length in enumerate(lengths):
        if length != lengths[0]:
            return f"the rows have different lengths (row 0 has {lengths[0]} values, row {i} has {length})"
    return "the rows do not form a rectangular array of numbers"


def _check_scale(X: np.ndarray, name: str) -> None:
    """Refuse data whose second moments would overflow float64.

    ``sum_i |x_i - c|^2 <= n * sum_a span_a^2`` bounds the scatter, the k-means++
    distances and every covariance the M-step forms (``span_a``: the range of feature
    ``a`` plus the rounding error of a mean of its values); ``n * max |x|`` bounds the sums
    behind the means. Both must stay below :data:`_MAX_SECOND_MOMENT`. O(n d).
    """
    n = X.shape[0]
    hi, lo = X.max(axis=0), X.min(axis=0)
    with np.errstate(over="ignore"):
        largest = np.maximum(np.abs(hi), np.abs(lo))
        # How far a sample can be from a mean: the range, plus the rounding of a mean
        # of n numbers (for data far from 0 with a tiny range, that rounding dominates).
        span = (hi - lo) + (4.0 * (n + 1) * _EPS) * largest  # inf when it overflows
    limit = math.log(_MAX_SECOND_MOMENT)
    worst = float(span.max())
    too_big = not math.isfinite(worst)
    if not too_big and worst > 0:
        share = float(np.sum((span / worst) ** 2))
        too_big = math.log(n) + 2.0 * math.log(worst) + math.log(share) > limit
    top = float(largest.max())
    if not too_big and top > 0:
        too_big = math.log(n) + math.log(top) > limit
    if too_big:
        j = int(np.argmax(np.where(np.isfinite(span), span, np.inf))) if worst > 0 else int(np.argmax(largest))
        raise ValueError(
            f"{name}: values too large for float64 arithmetic: feature {j} reaches {largest[j]:.3g} "
            f"(it ranges from {lo[j]:.3g} to {hi[j]:.3g}), and the second moments of {n} such samples "
            "(sums of squares about the mean) overflow. "
            "Rescale the data first (e.g. standardise each feature, or divide by a power of ten)."
        )
