"""Transforms: maps between constrained parameters and flat unconstrained vectors.

Accelerators (:mod:`emcore.accelerate`) extrapolate EM in an unconstrained space, so
that every point they try is a valid parameter. Each model builds its
``to_unconstrained``/``from_unconstrained`` from these pieces, one per field:

- :func:`simplex_to_unconstrained` / :func:`simplex_from_unconstrained`: rows of
  probabilities (mixture weights, transition rows, position weight matrices, haplotype
  frequencies) as centred log-ratios;
- :func:`bernoulli_to_unconstrained` / :func:`bernoulli_from_unconstrained`:
  probabilities in (0, 1) (coin biases) as log-odds.

Entries exactly at the boundary (a probability of 0, or a bias of 0 or 1) are fixed
points of EM: they are left out of the vector and copied back from ``like``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "bernoulli_from_unconstrained",
    "bernoulli_to_unconstrained",
    "simplex_from_unconstrained",
    "simplex_to_unconstrained",
]


def simplex_to_unconstrained(p: Any) -> np.ndarray:
    """Rows of probabilities as centred log-probabilities of their positive entries.

    ``p`` has shape ``(..., n)``, each row summing to 1. For each row, the entries
    that are exactly 0 are left out (0 is a fixed point of EM: they are taken back
    from ``like`` by :func:`simplex_from_unconstrained`); the others become ``log
    p_j - mean_j log p_j`` (the centred log-ratio, which treats all entries alike;
    it sums to 0 over a row, and any vector maps back through the softmax). Rows are
    concatenated in C order.
    """
    p = np.asarray(p, dtype=float)
    if p.ndim == 1:  # one probability vector (haplotype frequencies): the short way
        logs = np.log(p[p > 0])
        return logs - logs.sum() / max(logs.size, 1)
    rows = p.reshape(-1, p.shape[-1])
    mask = rows > 0
    logs = np.log(rows, out=np.zeros_like(rows), where=mask)
    centre = logs.sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    return (logs - centre[:, None])[mask]


def simplex_from_unconstrained(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    """Inverse of :func:`simplex_to_unconstrained`: the rows, and how much of ``vector`` they used.

    ``like`` gives the shape and the zero pattern. The leading entries of ``vector``
    are read (one per positive entry of ``like``); returns the probabilities, shape
    ``like.shape``, and the number of entries read.

    Raises
    ------
    ValueError
        When ``vector`` is too short or not finite, or a positive entry underflows
        to 0 (the point left the parameter space).
    """
    like = np.asarray(like, dtype=float)
    rows = like.reshape(-1, like.shape[-1])
    mask = rows > 0
    k = int(mask.sum())
    chunk = np.asarray(vector[:k], dtype=float)
    if chunk.size != k:
        raise ValueError(f"the vector is too short: needs {k} entries, has {len(vector)}")
    if not np.isfinite(chunk).all():
        raise ValueError("the vector must be finite")
    if like.ndim == 1:  # one probability vector: the short way
        e = np.exp(chunk - chunk.max())
        e /= e.sum()
        if not (e > 0).all():
            raise ValueError("a probability underflowed to 0: the vector is outside the parameter space")
        out = np.zeros_like(like)
        out[mask[0]] = e
        return out, k
    z = np.full(rows.shape, -np.inf)
    z[mask] = chunk
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    if not np.all(e[mask] > 0):
        raise ValueError("a probability underflowed to 0: the vector is outside the parameter space")
    return e.reshape(like.shape), k


def bernoulli_to_unconstrained(p: Any) -> np.ndarray:
    """Probabilities in (0, 1) as log-odds; entries exactly 0 or 1 are left out (fixed points)."""
    p = np.atleast_1d(np.asarray(p, dtype=float)).ravel()
    inside = p[(p > 0) & (p < 1)]
    return np.log(inside) - np.log1p(-inside)


def bernoulli_from_unconstrained(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    """Inverse of :func:`bernoulli_to_unconstrained`: the probabilities and the entries read.

    Entries of ``like`` that are exactly 0 or 1 are copied; raises ValueError for a
    short or non-finite vector and for a value that rounds to 0 or 1.
    """
    like = np.atleast_1d(np.asarray(like, dtype=float))
    flat = like.ravel().copy()
    inside = (flat > 0) & (flat < 1)
    k = int(inside.sum())
    chunk = np.asarray(vector[:k], dtype=float)
    if chunk.size != k:
        raise ValueError(f"the vector is too short: needs {k} entries, has {len(vector)}")
    if not np.all(np.isfinite(chunk)):
        raise ValueError("the vector must be finite")
    values = 1.0 / (1.0 + np.exp(-chunk))
    if np.any((values <= 0) | (values >= 1)):
        raise ValueError("a probability rounded to 0 or 1: the vector is outside the parameter space")
    flat[inside] = values
    return flat.reshape(like.shape), k
