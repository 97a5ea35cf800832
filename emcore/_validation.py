"""The validation vocabulary every public entry point of emcore uses.

One rule for every check: a value of the wrong *type* raises :class:`TypeError`, a
value of the right type but a wrong *value* raises :class:`ValueError`, and the
message names the argument as the user passed it, says what was expected and shows
what was received (``"n_components must be an integer >= 1; got 0"``). Models,
:func:`emcore.fit_em`, :func:`emcore.motif.find_motifs` and the command line all use
these functions, so the same mistake reads the same way everywhere, and no numpy or
numba traceback ever reaches a user.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "as_count_array",
    "as_float_array",
    "as_float_vector",
    "check_callable",
    "check_choice",
    "check_flag",
    "check_int",
    "check_names",
    "check_posterior",
    "check_probability_vector",
    "check_real",
    "check_seed",
    "check_stats",
    "check_stochastic_matrix",
    "describe",
    "is_int",
    "readonly",
    "spawn_generators",
]


def describe(value: Any, limit: int = 60) -> str:
    """A short account of ``value`` for an error message: its repr, cut to ``limit``
    characters, and its type where the repr does not show it."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    try:
        text = repr(value)
    except Exception:  # a user's object with a broken __repr__
        text = f"<{type(value).__name__} object>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if isinstance(value, (bool, np.bool_)):
        return f"{text} (a bool)"
    if isinstance(value, (int, float, str, type(None))) or isinstance(value, np.generic):
        return text
    return f"{text} (type {type(value).__name__})"


def is_int(value: Any) -> bool:
    """True for a Python or numpy integer, False for a bool (which Python counts as one)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _bounds_text(minimum: float | None, maximum: float | None, lo_open: bool = False, hi_open: bool = False) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if lo_open else '>='} {minimum}")
    if maximum is not None:
        parts.append(f"{'<' if hi_open else '<='} {maximum}")
    return " and ".join(parts)


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as a Python int, within ``[minimum, maximum]`` where given.

    A bool, a float (even ``3.0``) or a string is a :class:`TypeError`: the caller
    meant something else, and silently truncating would hide it.
    """
    bounds = _bounds_text(minimum, maximum)
    expected = f"an integer {bounds}".rstrip() if bounds else "an integer"
    if not is_int(value):
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {expected}; got {value}")
    return value


def check_real(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    allow_inf: bool = False,
) -> float:
    """``value`` as a finite Python float within the given bounds.

    ``lo_open``/``hi_open`` make a bound strict (``> 0`` rather than ``>= 0``).
    NaN is always refused; infinity unless ``allow_inf``.
    """
    bounds = _bounds_text(minimum, maximum, lo_open, hi_open)
    expected = f"a finite number {bounds}".rstrip() if not allow_inf else f"a number {bounds}".rstrip()
    if not _is_real(value):
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise ValueError(f"{name} must be {expected}; got {value}")
    if minimum is not None and (value < minimum or (lo_open and value == minimum)):
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    if maximum is not None and (value > maximum or (hi_open and value == maximum)):
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """One of ``choices`` (strings are compared exactly, case included)."""
    options = tuple(choices)
    listed = ", ".join(repr(c) for c in options)
    if all(isinstance(c, str) for c in options) and not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}; got {describe(value)}")
    try:
        ok = value in options
    except TypeError:  # unhashable or uncomparable
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {listed}; got {describe(value)}")
    return value


def check_flag(value: Any, name: str) -> bool:
    """True or False (numpy's bool too); never a truthy number or string."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def check_callable(value: Any, name: str, *, allow_none: bool = True) -> Any:
    if value is None and allow_none:
        return None
    if not callable(value):
        expected = "a callable or None" if allow_none else "a callable"
        raise TypeError(f"{name} must be {expected}; got {describe(value)}")
    return value


def check_seed(seed: Any, name: str = "seed") -> None | int | np.random.SeedSequence | np.random.Generator:
    """None, a non-negative int, a :class:`numpy.random.SeedSequence` or a
    :class:`numpy.random.Generator`, returned as given (ints as Python ints)."""
    if seed is None or isinstance(seed, (np.random.SeedSequence, np.random.Generator)):
        return seed
    if not is_int(seed):
        raise TypeError(
            f"{name} must be None, a non-negative integer, a numpy SeedSequence or a numpy "
            f"Generator; got {describe(seed)}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {int(seed)}")
    return int(seed)


def spawn_generators(seed: Any, n: int, name: str = "seed") -> list[np.random.Generator]:
    """``n`` independent generators from one seed (``SeedSequence.spawn``)."""
    seed = check_seed(seed, name)
    if isinstance(seed, np.random.Generator):
        return list(seed.spawn(n))
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return [np.random.default_rng(child) for child in sequence.spawn(n)]


def readonly(values: Any, *, copy: bool = True) -> np.ndarray:
    """An array whose write flag is off (a copy unless ``copy=False``), so that a
    params object or a prepared data set cannot be changed behind the caller's back."""
    array = np.array(values, copy=True) if copy else np.asarray(values)
    array.setflags(write=False)
    return array


def _numeric_array(values: Any, name: str, what: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be {what}; got a string {describe(values)}")
    if values is None:
        raise TypeError(f"{name} must be {what}; got None")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be {what}; could not form an array ({exc})") from None
    if array.dtype == object or array.dtype.kind in "USVOMm":
        raise TypeError(f"{name} must hold numbers ({what}); got values of dtype {array.dtype}")
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must hold numbers ({what}); got booleans")
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers ({what}); got complex numbers")
    return array


def _first_bad(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _where(index: tuple[int, ...]) -> str:
    return "entry " + (str(index[0]) if len(index) == 1 else str(list(index)))


def as_float_array(
    values: Any,
    name: str,
    *,
    ndim: int | None = None,
    shape: tuple[int | None, ...] | None = None,
    finite: bool = True,
    nonnegative: bool = False,
    allow_nan: bool = False,
    min_size: int = 1,
) -> np.ndarray:
    """A float64 array of real numbers, checked for dimension, shape and finiteness.

    ``shape`` may hold None for a free axis. ``allow_nan`` lets NaN through (missing
    values) while still refusing infinities when ``finite``. Booleans, strings,
    complex numbers and objects are a :class:`TypeError`.
    """
    what = "an array of real numbers" if ndim is None else f"a {ndim}-D array of real numbers"
    array = _numeric_array(values, name, what)
    array = array.astype(np.float64, copy=False)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D; got an array of shape {array.shape}")
    if shape is not None:
        if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got {array.shape}")
    if array.size < min_size:
        raise ValueError(
            f"{name} is empty: at least {min_size} value{'s' if min_size != 1 else ''} needed; got shape {array.shape}"
        )
    if finite:
        bad = ~np.isfinite(array)
        if allow_nan:
            bad &= ~np.isnan(array)
        if bad.any():
            idx = _first_bad(bad)
            raise ValueError(f"{name} must be finite; {_where(idx)} is {array[idx]}")
    if nonnegative:
        neg = array < 0
        if neg.any():
            idx = _first_bad(neg)
            raise ValueError(f"{name} must be non-negative; {_where(idx)} is {array[idx]}")
    return array


def as_float_vector(values: Any, name: str, length: int | None = None) -> np.ndarray:
    """A finite 1-D float vector (of ``length`` entries if given); a scalar is a
    vector of one."""
    if _is_real(values):
        values = [values]
    array = as_float_array(values, name, ndim=1, min_size=0)
    if length is not None and array.size != length:
        raise ValueError(f"{name} must have {length} entries (one per component); got {array.size}")
    return array


def as_count_array(values: Any, name: str) -> np.ndarray:
    """A read-only 1-D int64 array of non-negative whole numbers (floats such as
    ``3.0`` are accepted, ``3.5`` is not)."""
    what = "a 1-D sequence of non-negative integers"
    try:
        array = _numeric_array(values, name, what)
    except TypeError:
        _refuse_huge_ints(values, name)
        raise
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one observation is needed")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{name} must be finite integer counts; entry {i} is {array[i]}")
        frac = array != np.round(array)
        if frac.any():
            i = int(np.flatnonzero(frac)[0])
            raise ValueError(f"{name} must be whole numbers; entry {i} is {array[i]}")
        if np.any(np.abs(array) > 2.0**62):
            i = int(np.flatnonzero(np.abs(array) > 2.0**62)[0])
            raise ValueError(f"{name} must be counts below 2**62; entry {i} is {array[i]}")
    negative = array < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise ValueError(f"{name} must be non-negative; entry {i} is {array[i]}")
    return readonly(array.astype(np.int64), copy=False)


def _refuse_huge_ints(values: Any, name: str) -> None:
    """Python ints too large for int64 make numpy fall back to objects: say so."""
    try:
        items = list(values)
    except TypeError:
        return
    for i, item in enumerate(items):
        if is_int(item) and abs(int(item)) >= 2**62:
            raise ValueError(f"{name} must be counts below 2**62; entry {i} is {describe(item)}")


def check_probability_vector(
    values: Any,
    name: str,
    length: int | None = None,
    *,
    allow_zero: bool = False,
    atol: float = 1e-9,
) -> np.ndarray:
    """Weights that sum to 1 (to ``atol``): positive, or non-negative with
    ``allow_zero``."""
    array = as_float_vector(values, name, length)
    if array.size == 0:
        raise ValueError(f"{name} is empty: a probability vector needs at least one entry")
    bad = array < 0 if allow_zero else array <= 0
    if bad.any():
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {sign}; got {array.tolist()}")
    if abs(array.sum() - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1; got {array.tolist()} (sum {float(array.sum())!r})")
    return array


def check_stochastic_matrix(
    values: Any,
    name: str,
    shape: tuple[int, int] | None = None,
    *,
    allow_zero: bool = True,
    atol: float = 1e-9,
) -> np.ndarray:
    """A 2-D array whose rows are probability vectors (non-negative unless
    ``allow_zero`` is False; each row sums to 1 to ``atol``)."""
    array = as_float_array(values, name, ndim=2, shape=shape)
    bad = array < 0 if allow_zero else array <= 0
    if bad.any():
        idx = _first_bad(bad)
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {sign}; entry {list(idx)} is {array[idx]}")
    sums = array.sum(axis=1)
    off = np.abs(sums - 1.0) > atol
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise ValueError(f"each row of {name} must sum to 1; row {row} sums to {float(sums[row])!r}")
    return array


def check_posterior(
    values: Any, name: str, shape: tuple[int | None, ...], axes: str = "", *, atol: float = 1e-6
) -> np.ndarray:
    """A distribution over completions, one row per observation: finite,
    non-negative, each row summing to 1 (to ``atol``). ``shape`` may hold None for a
    free axis; ``axes`` names them for the message (``"samples x components"``)."""
    array = as_float_array(values, name, shape=shape, nonnegative=True, min_size=0)
    sums = array.reshape(array.shape[0], -1).sum(axis=1) if array.ndim else array
    off = np.abs(sums - 1.0) > atol
    if off.any():
        row = int(np.flatnonzero(off)[0])
        unit = f" ({axes})" if axes else ""
        raise ValueError(
            f"{name}{unit} must be a distribution over completions: each row sums to 1; "
            f"row {row} sums to {float(sums[row])!r}"
        )
    return array


def check_stats(
    stats: Any, shapes: Mapping[str, int | tuple[int, ...]], *, nonnegative: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Summed expected sufficient statistics: a mapping with exactly the keys of
    ``shapes``, each a finite float array of that shape; the keys in ``nonnegative``
    (all of them by default: expected counts) hold no negative entry."""
    if not isinstance(stats, Mapping):
        raise TypeError(f"stats must be a mapping of arrays (from expected_stats); got {describe(stats)}")
    if set(stats) != set(shapes):
        raise ValueError(
            f"stats must have the keys {sorted(shapes)} (from expected_stats); got {sorted(map(str, stats))}"
        )
    positive = set(shapes) if nonnegative is None else set(nonnegative)
    checked = {}
    for key, shape in shapes.items():
        want = (shape,) if isinstance(shape, int) else tuple(shape)
        checked[key] = as_float_array(
            stats[key], f"stats[{key!r}]", shape=want, nonnegative=key in positive, min_size=0
        )
    return checked


def check_names(values: Any, name: str, allowed: Iterable[str]) -> frozenset[str]:
    """A set of names drawn from ``allowed`` (a single string is one name)."""
    options = tuple(allowed)
    if isinstance(values, str):
        values = [values]
    try:
        items = list(values)
    except TypeError:
        raise TypeError(f"{name} must be a collection of names from {options}; got {describe(values)}") from None
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold names (strings) from {options}; got {describe(item)}")
        if item not in options:
            raise ValueError(f"{name}: unknown name {item!r}; expected names from {options}")
    return frozenset(items)


def check_fixed(fixed: Any, allowed: Iterable[str], values_from: str = "") -> frozenset[str]:
    """The parameters a model holds fixed, by name: ``fixed={"weights"}``.

    Every model spells it the same way: a collection of field names of its params
    (a single string is one name). ``values_from`` says where the values of fixed
    parameters come from, for the message when a mapping is passed instead.
    """
    options = tuple(allowed)
    if isinstance(fixed, Mapping):
        where = f" (their values come from {values_from})" if values_from else ""
        raise TypeError(
            f"fixed must be a collection of parameter names from {list(options)}; got {describe(fixed)}{where}"
        )
    if isinstance(fixed, str) and fixed not in options:
        raise ValueError(
            f"fixed takes parameter names, not letter codes: e.g. fixed={{{options[-1]!r}}}; the names are {list(options)}; got {fixed!r}"
        )
    return check_names(fixed, "fixed", options)


def legacy_learn_flag(value: Any, flag: str, field: str, fixed: Any) -> Any:
    """Map an old ``learn_<field>=True/False`` keyword onto ``fixed`` (with a DeprecationWarning).

    Returns the ``fixed`` argument to use: ``fixed`` itself when ``value`` is None.
    """
    if value is None:
        return fixed
    learn = check_flag(value, flag)
    if fixed is not None:
        raise ValueError(f"pass fixed= or {flag}=, not both")
    warnings.warn(
        f"{flag}= is replaced by fixed=: use fixed={{{field!r}}} to hold the {field} fixed, fixed=() to learn them",
        DeprecationWarning,
        stacklevel=3,
    )
    return () if learn else (field,)


# -- cells of text files (the command line, genotype tables) ---------------------------
def parse_number(text: str) -> float | None:
    """The number a cell of a text file holds (``"2.5"``, ``"-1e3"``, ``"nan"``), or None."""
    try:
        return float(text)
    except ValueError:
        return None


def parse_count(text: str, limit: int = 2**62) -> int | None:
    """A whole number ``0 <= n < limit`` written with digits only (``"12"``), or None."""
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if value < limit else None
