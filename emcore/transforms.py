"""Transforms: maps between constrained parameters and flat unconstrained vectors.

Accelerators (:mod:`emcore.accelerate`) extrapolate EM in an unconstrained space, so
that every point they try is a valid parameter. A model declares one
:class:`Transform` per field it learns (``{"theta": LOGIT, "weights": SIMPLEX}``) and
gets ``to_unconstrained``/``from_unconstrained`` from :func:`pack` and :func:`unpack`
(fields held fixed are simply not declared). The pieces:

- :data:`SIMPLEX` (:func:`simplex_to_unconstrained` / :func:`simplex_from_unconstrained`):
  rows of probabilities (mixture weights, transition rows, position weight matrices,
  haplotype frequencies) as centred log-ratios;
- :data:`LOG_RATIO`: one probability vector as log-ratios against its last entry
  (``log(w_k / w_K)``, k < K);
- :data:`LOGIT` (:func:`bernoulli_to_unconstrained` / :func:`bernoulli_from_unconstrained`):
  probabilities in (0, 1) (coin biases) as log-odds;
- :data:`LOG`: positive numbers (variances) as their logs;
- :data:`CHOLESKY`: covariance matrices (one ``(d, d)`` matrix or a stack of them) as
  the lower triangle, row by row, of the Cholesky factor with its diagonal on the log
  scale;
- :data:`IDENTITY`: unconstrained values (means) as they are.

For :data:`SIMPLEX` and :data:`LOGIT`, entries exactly at the boundary (a probability of
0, or a bias of 0 or 1) are fixed points of EM: they are left out of the vector and
copied back from ``like``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp

__all__ = [
    "CHOLESKY",
    "IDENTITY",
    "LOG",
    "LOGIT",
    "LOG_RATIO",
    "SIMPLEX",
    "Transform",
    "bernoulli_from_unconstrained",
    "bernoulli_to_unconstrained",
    "pack",
    "simplex_from_unconstrained",
    "simplex_to_unconstrained",
    "unpack",
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


def _take(vector: np.ndarray, k: int) -> np.ndarray:
    chunk = np.asarray(vector[:k], dtype=float)
    if chunk.size != k:
        raise ValueError(f"the vector is too short: needs {k} entries, has {len(vector)}")
    if not np.all(np.isfinite(chunk)):
        raise ValueError("the vector must be finite")
    return chunk


def _identity_to(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float).ravel()


def _identity_from(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    like = np.asarray(like, dtype=float)
    return _take(vector, like.size).reshape(like.shape), like.size


def _log_to(x: Any) -> np.ndarray:
    return np.log(np.atleast_1d(np.asarray(x, dtype=float))).ravel()


def _log_from(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    like = np.asarray(like, dtype=float)
    with np.errstate(over="ignore"):
        values = np.exp(_take(vector, like.size))
    if not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError("a positive value overflowed or underflowed: the vector is outside the parameter space")
    return values.reshape(like.shape), like.size


def _log_ratio_to(w: Any) -> np.ndarray:
    with np.errstate(divide="ignore"):
        logw = np.log(np.maximum(np.asarray(w, dtype=float), np.finfo(float).tiny))
    return logw[:-1] - logw[-1]


def _log_ratio_from(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    k = np.asarray(like).size - 1
    logits = np.append(_take(vector, k), 0.0)
    return np.exp(logits - logsumexp(logits)), k


def _cholesky_to(cov: Any) -> np.ndarray:
    cov = np.asarray(cov, dtype=float)
    stack = cov[None] if cov.ndim == 2 else cov
    d = stack.shape[-1]
    rows, cols = np.tril_indices(d)
    parts = []
    for sigma in stack:
        L = np.linalg.cholesky(sigma)
        L[np.diag_indices(d)] = np.log(np.diagonal(L))
        parts.append(L[rows, cols])
    return np.concatenate(parts)


def _cholesky_from(vector: np.ndarray, like: Any) -> tuple[np.ndarray, int]:
    like = np.asarray(like, dtype=float)
    d = like.shape[-1]
    m = 1 if like.ndim == 2 else like.shape[0]
    k = m * d * (d + 1) // 2
    chunk = _take(vector, k)
    rows, cols = np.tril_indices(d)
    stack = np.zeros((m, d, d))
    with np.errstate(over="ignore", invalid="ignore"):  # a non-finite result is refused by the caller
        for j, part in enumerate(chunk.reshape(m, -1)):
            L = np.zeros((d, d))
            L[rows, cols] = part
            L[np.diag_indices(d)] = np.exp(np.diagonal(L))
            stack[j] = L @ L.T
    return (stack[0] if like.ndim == 2 else stack), k


@dataclass(frozen=True)
class Transform:
    """One field's map to unconstrained numbers: ``to(value) -> vector`` and
    ``back(vector, like) -> (value, entries read)`` (``like`` gives the shape and any
    entries left out of the vector)."""

    name: str
    to: Callable[[Any], np.ndarray]
    back: Callable[[np.ndarray, Any], tuple[np.ndarray, int]]


SIMPLEX = Transform("centred log-ratio", simplex_to_unconstrained, simplex_from_unconstrained)
LOG_RATIO = Transform("log-ratio to the last entry", _log_ratio_to, _log_ratio_from)
LOGIT = Transform("log-odds", bernoulli_to_unconstrained, bernoulli_from_unconstrained)
LOG = Transform("log", _log_to, _log_from)
CHOLESKY = Transform("Cholesky factor with log diagonal", _cholesky_to, _cholesky_from)
IDENTITY = Transform("identity", _identity_to, _identity_from)


def pack(params: Any, fields: Mapping[str, Transform]) -> np.ndarray:
    """The fields of ``params`` named in ``fields``, each transformed, as one 1-D vector."""
    parts = [transform.to(getattr(params, name)) for name, transform in fields.items()]
    return np.concatenate(parts) if parts else np.zeros(0)


def unpack(vector: Any, like: Any, fields: Mapping[str, Transform]) -> dict[str, Any]:
    """Inverse of :func:`pack`: ``{field: value}`` read from ``vector`` in order.

    ``like`` (a params object of the same shapes) gives each field's shape and the
    entries left out of the vector. Raises ValueError when ``vector`` is not 1-D, has
    the wrong length, or encodes a point outside the parameter space.
    """
    v = np.asarray(vector, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"vector must be 1-D; got shape {v.shape}")
    values: dict[str, Any] = {}
    used = 0
    for name, transform in fields.items():
        try:
            values[name], k = transform.back(v[used:], getattr(like, name))
        except ValueError:
            needed = sum(transform.to(getattr(like, f)).size for f, transform in fields.items())
            if v.size != needed:
                raise ValueError(f"vector must have {needed} entries for these parameters; got {v.size}") from None
            raise
        used += k
    if used != v.size:
        raise ValueError(f"vector must have {used} entries for these parameters; got {v.size}")
    return values
