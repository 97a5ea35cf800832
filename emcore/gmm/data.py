"""The data of a Gaussian mixture: a checked, read-only samples x features matrix (GMMData)."""

from __future__ import annotations

import functools
import math
from dataclasses import InitVar, dataclass, field
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
        The observations (read-only, C-contiguous); NaN marks a missing entry when
        the data were built with ``allow_missing=True``.
    center : ndarray, shape (n_features,)
        Their mean (of the observed entries); the computations centre the data on it
        to avoid cancellation.
    observed : ndarray of bool, shape (n_samples, n_features), or None
        Which entries are observed; None when every entry is (the complete-data
        paths run unchanged then).
    """

    X: np.ndarray
    allow_missing: InitVar[bool] = False
    center: np.ndarray = field(init=False)
    observed: np.ndarray | None = field(init=False)

    def __post_init__(self, allow_missing: bool = False) -> None:
        X = _as_data_matrix(self.X, allow_missing=allow_missing)
        object.__setattr__(self, "X", X)
        observed = None
        if allow_missing:
            nan = np.isnan(X)
            if nan.any():
                observed = ~nan
                observed.setflags(write=False)
        object.__setattr__(self, "observed", observed)
        if observed is None:
            center = X.mean(axis=0)
        else:  # a column with nothing observed (possible in a piece of the data) is centred on 0
            counts = observed.sum(axis=0)
            sums = np.where(observed, X, 0.0).sum(axis=0)
            center = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
        center.setflags(write=False)
        object.__setattr__(self, "center", center)

    @classmethod
    def _rows(cls, whole: GMMData, rows: slice) -> GMMData:
        """The rows ``rows`` of checked data, as a view (no copy, no second check)."""
        piece = object.__new__(cls)
        object.__setattr__(piece, "X", whole.X[rows])
        object.__setattr__(piece, "center", whole.center)
        observed = None if whole.observed is None else whole.observed[rows]
        if observed is not None and observed.all():
            observed = None
        object.__setattr__(piece, "observed", observed)
        return piece

    def _refuse_missing(self) -> None:
        assert self.observed is not None
        i, j = (int(v) for v in np.argwhere(~self.observed)[0])
        raise ValueError(
            f"data must be finite; sample {i}, feature {j} is missing (NaN) "
            f"({int((~self.observed).sum())} missing entries in all), and this model has missing='error'"
        )

    @property
    def has_missing(self) -> bool:
        """Whether some entry is missing (NaN)."""
        return self.observed is not None

    @functools.cached_property
    def patterns(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The rows grouped by their pattern of observed features, as ``(observed, missing, rows)``."""
        from .missing import patterns

        observed = self.observed if self.observed is not None else np.ones(self.X.shape, dtype=bool)
        return patterns(observed)

    @functools.cached_property
    def filled(self) -> np.ndarray:
        """The data with each missing entry replaced by its feature's mean (for starts only)."""
        if self.observed is None:
            return self.X
        filled = np.where(self.observed, self.X, self.center)
        filled.setflags(write=False)
        return filled

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
            Xc = self.filled[rows] - self.center
            total += Xc.T @ Xc
        return 0.5 * (total + total.T)

    @functools.cached_property
    def _n_distinct_projections(self) -> int:
        """Distinct values of one fixed projection of the rows: a lower bound on the
        number of distinct rows, in one O(n d) pass and a sort of n numbers."""
        weights = 1.0 / np.sqrt(np.arange(self.n_features) + np.pi)
        return int(np.unique(self.filled @ weights).size)

    @functools.cached_property
    def _n_distinct_rows(self) -> int:
        return int(np.unique(self.filled, axis=0).shape[0])

    def _n_distinct_at_least(self, k: int) -> int:
        """The number of distinct rows if it is below ``k``, else a number >= ``k``."""
        if k <= 1:
            return self.n_samples
        bound = self._n_distinct_projections
        return bound if bound >= k else self._n_distinct_rows


_DATA = "a 2-D array of numbers (samples x features)"


def _as_data_matrix(values: Any, name: str = "data", allow_missing: bool = False) -> np.ndarray:
    """``values`` as a read-only C-contiguous float64 matrix of finite real numbers
    (or NaN, for a missing entry, with ``allow_missing``), small enough that its second
    moments cannot overflow (see :func:`_check_scale`)."""
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
    if allow_missing:
        nan = np.isnan(array)
        bad &= ~nan
        empty = nan.all(axis=1)
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise ValueError(
                f"{name}: sample {i} has every feature missing (NaN) ({int(empty.sum())} such "
                f"sample{'s' if empty.sum() != 1 else ''}): a row with nothing observed says nothing "
                "about the mixture; drop it (e.g. X[~np.isnan(X).all(axis=1)])"
            )
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        what = "finite or NaN (missing)" if allow_missing else "finite"
        raise ValueError(
            f"{name} must be {what}; sample {i}, feature {j} is {array[i, j]} "
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
    if np.isnan(X).any():  # missing entries: the observed ones bound the moments
        observed = ~np.isnan(X)
        hi = np.where(observed, X, -np.inf).max(axis=0)
        lo = np.where(observed, X, np.inf).min(axis=0)
        hi, lo = np.where(np.isfinite(hi), hi, 0.0), np.where(np.isfinite(lo), lo, 0.0)
    else:
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
