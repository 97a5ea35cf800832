"""Motif parameters: position probability matrices (MotifParams), k-mer starting points,
consensus and information content."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import xlogy

from .._sequences import ALPHABET
from .._validation import as_float_array, check_real, check_stochastic_matrix, describe, readonly
from .data import _SUM_TOL


# --------------------------------------------------------------------------- params
@dataclass(frozen=True, eq=False)
class MotifParams:
    """Parameters of a motif model.

    Attributes
    ----------
    ppm : ndarray, shape (W, 4)
        Position probability matrix: row ``k`` is the distribution of A, C, G, T at
        motif column ``k`` (read-only).
    gamma : float
        ZOOPS: probability that a sequence holds a site; OOPS: 1; TCM: probability
        that a window is a site.
    """

    ppm: np.ndarray
    gamma: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "ppm", readonly(_as_ppm(self.ppm, "ppm")))
        object.__setattr__(self, "gamma", _check_gamma(self.gamma))

    @property
    def width(self) -> int:
        return int(self.ppm.shape[0])

    @property
    def consensus(self) -> str:
        return consensus(self.ppm)

    def __repr__(self) -> str:
        return f"MotifParams(consensus={self.consensus!r}, gamma={self.gamma:.4g})"


def _as_matrix(values: Any, name: str, width: int | None = None) -> np.ndarray:
    """A finite, non-negative float array of shape (W, 4) with W >= 1 (``width`` if given)."""
    if isinstance(values, Mapping):
        raise TypeError(f"{name} must be a (W, 4) array (columns A, C, G, T); got {describe(values)}")
    try:
        array = as_float_array(values, name, finite=False, min_size=0)
    except ValueError:  # rows of different lengths
        raise ValueError(f"{name} must be a (W, 4) array with rows of equal length; got {describe(values)}") from None
    rows = "W" if width is None else str(width)
    if array.ndim != 2 or array.shape[1] != 4 or (width is not None and array.shape[0] != width):
        raise ValueError(f"{name} must have shape ({rows}, 4) (W rows, columns A C G T); got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty: a motif needs at least one column; got shape {array.shape}")
    return as_float_array(array, name, nonnegative=True)


def _as_ppm(values: Any, name: str, width: int | None = None, atol: float = _SUM_TOL) -> np.ndarray:
    """A position probability matrix: (W, 4), finite, non-negative, each row summing to 1."""
    return check_stochastic_matrix(_as_matrix(values, name, width), name, atol=atol)


def _check_gamma(gamma: Any) -> float:
    return check_real(gamma, "gamma", minimum=0.0, maximum=1.0, lo_open=True)


def kmer_params(kmer: str, weight: float = 0.5, gamma: float = 1.0) -> MotifParams:
    """MEME's starting point from a W-mer: its letter gets ``weight``, the others share the rest.

    ``kmer`` is a non-empty string of A, C, G, T (either case), ``weight`` lies in
    ``[0.25, 1)`` and ``gamma`` in ``(0, 1]``.
    """
    if not isinstance(kmer, str):
        raise TypeError(f"kmer must be a string of A, C, G, T; got {describe(kmer)}")
    if not kmer:
        raise ValueError("kmer is empty: a starting W-mer needs at least one letter of A, C, G, T")
    upper = kmer.upper()
    if set(upper) - set(ALPHABET):
        raise ValueError(f"a starting W-mer must consist of A, C, G, T; got {kmer!r}")
    weight = check_real(weight, "weight", minimum=0.25, maximum=1.0, hi_open=True)
    gamma = _check_gamma(gamma)
    ppm = np.full((len(upper), 4), (1 - weight) / 3)
    ppm[np.arange(len(upper)), [ALPHABET.index(c) for c in upper]] = weight
    return MotifParams(ppm=ppm, gamma=gamma)


def consensus(ppm: Any) -> str:
    """The most probable letter of each column.

    ``ppm`` is a (W, 4) array of probabilities or counts (columns A, C, G, T),
    finite and non-negative, with no all-zero row.
    """
    ppm = _as_matrix(ppm, "ppm")
    empty = ~(ppm.sum(axis=1) > 0)
    if empty.any():
        raise ValueError(f"ppm row {int(np.flatnonzero(empty)[0])} is all zero: it has no most probable letter")
    return "".join(ALPHABET[k] for k in np.argmax(ppm, axis=1))


def information_content(ppm: Any) -> np.ndarray:
    """Information content of each column in bits, ``2 + sum_a f_a log2 f_a``, shape (W,).

    ``ppm`` must be probabilities: (W, 4), non-negative, each row summing to 1
    (within 1e-6; normalise counts first).
    """
    ppm = _as_ppm(ppm, "ppm", atol=1e-6)
    return 2.0 + np.sum(xlogy(ppm, ppm), axis=1) / math.log(2)


def _revcomp_matrix(matrix: np.ndarray) -> np.ndarray:
    """Reverse complement of a (W, 4) matrix over A, C, G, T."""
    return np.ascontiguousarray(matrix[::-1, ::-1])


def _check_background(values: Any, name: str = "background") -> np.ndarray:
    """4 positive probabilities of A, C, G, T (a sequence, or a mapping letter -> probability)."""
    if isinstance(values, Mapping):
        given = {}
        for key, value in values.items():
            if not isinstance(key, str) or key.upper() not in ALPHABET:
                raise ValueError(f"{name} mapping keys must be the letters A, C, G, T; got key {describe(key)}")
            if key.upper() in given:
                raise ValueError(f"{name} mapping gives the letter {key.upper()} twice")
            given[key.upper()] = value
        missing = set(ALPHABET) - set(given)
        if missing:
            raise ValueError(f"{name} mapping needs the letters A, C, G, T; missing {sorted(missing)}")
        values = [given[c] for c in ALPHABET]
    try:
        b = as_float_array(values, name, finite=False, min_size=0)
    except ValueError:  # nested lists of different lengths
        raise ValueError(f"{name} must be 4 probabilities for A, C, G, T; got {describe(values)}") from None
    if b.shape != (4,) or not np.all(np.isfinite(b)) or np.any(b <= 0) or abs(b.sum() - 1) > _SUM_TOL:
        raise ValueError(f"{name} must be 4 positive probabilities (A, C, G, T) summing to 1; got {b.tolist()}")
    return b
