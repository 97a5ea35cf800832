"""Input checks shared by the models: clear errors instead of numpy tracebacks."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def as_count_array(values: Any, name: str) -> np.ndarray:
    """A 1-D array of non-negative integer counts, or a ValueError/TypeError naming ``name``."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of non-negative integers; got a string {values!r}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a 1-D sequence of non-negative integers; {exc}") from None
    if array.dtype == object or array.dtype.kind in "USV":
        raise TypeError(f"{name} must hold numbers; got values of type {array.dtype}")
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must hold integer counts; got booleans")
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one observation is needed")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real integer counts; got complex numbers")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} must be finite integer counts; entry {i} is {array[i]}")
        frac = array != np.round(array)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise ValueError(f"{name} must be whole numbers; entry {i} is {array[i]}")
    negative = array < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ValueError(f"{name} must be non-negative; entry {i} is {array[i]}")
    out = array.astype(np.int64)
    out.setflags(write=False)
    return out


def as_float_vector(values: Any, name: str, length: int | None = None) -> np.ndarray:
    """A finite 1-D float vector (of ``length`` entries if given)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of numbers; got a string {values!r}")
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of numbers; got {values!r}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {array.shape}")
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have {length} entries (one per component); got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {array.tolist()}")
    return array


def check_probability_vector(values: Any, name: str, length: int) -> np.ndarray:
    """Positive weights that sum to 1 (to 1e-9)."""
    array = as_float_vector(values, name, length)
    if np.any(array <= 0):
        raise ValueError(f"{name} must be positive; got {array.tolist()}")
    if abs(array.sum() - 1.0) > 1e-9:
        raise ValueError(f"{name} must sum to 1; got {array.tolist()} (sum {array.sum()!r})")
    return array
