"""The fast path of :mod:`emcore.gmm`: one pass over the data per E-step and per M-step.

Nothing here is new mathematics; it is the arithmetic of :mod:`emcore.gmm` arranged so
that the work goes to a few large matrix products (BLAS) instead of one small product
per mixture component.

E-step
    With ``P_k`` the upper-triangular Cholesky factor of the precision of component
    ``k`` (``P_k P_k^T = Sigma_k^{-1}``), the squared Mahalanobis distance is
    ``|(x - mu_k) P_k|^2``. Stacking the ``K`` factors side by side into one
    ``(d, K d)`` matrix ``W = [P_1 | ... | P_K]`` whitens a block of rows for *all*
    components in one matrix product, ``Y = (X - c) W - b`` with
    ``b_k = (mu_k - c) P_k``; summing the squares of each component's ``d`` columns
    gives the ``K`` squared Mahalanobis distances of every row.
M-step
    Two passes: the weighted counts and sums (one product ``R^T X``), then every
    component's weighted scatter about its *new* mean, all components in one
    batched product. Taking residuals about each component's own mean, as the
    textbook formula does, avoids the cancellation of ``E[x x^T] - mu mu^T``, which
    would swamp ``reg_covar`` for a component that collapses far from the origin.

The data are centred on their overall mean ``c`` on the fly (chunk by chunk) in the
E-step, and every temporary is bounded by :data:`CHUNK_ELEMENTS` numbers, so memory
does not grow with the number of samples beyond the ``(n_samples, n_components)``
responsibilities.

Threads
    The matrix products of a chunk are small (an inner dimension of ``d``), too small
    for a multi-threaded BLAS to pay for its synchronisation: on a busy machine its
    spinning threads make them several times slower. So the BLAS runs single-threaded
    here, and large inputs are split instead: the chunks go to a pool of
    :data:`N_WORKERS` threads (numpy releases the GIL in BLAS and in its loops). Each
    chunk's result is computed alone and the partial sums are added in chunk order,
    so the answer does not depend on the number of threads or their timing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, NamedTuple

import numpy as np
from threadpoolctl import ThreadpoolController

#: The largest temporary of a chunk, in float64 numbers (``rows * n_components *
#: n_features``). 2**16 numbers (512 kB) keep a chunk in the processor's cache.
CHUNK_ELEMENTS = 1 << 16

#: Threads that share the chunks of a large input (at most 4, at most the CPUs).
N_WORKERS = max(1, min(4, os.cpu_count() or 1))

_LOG_2PI = float(np.log(2.0 * np.pi))
_POOL: ThreadPoolExecutor | None = None
_CONTROLLER: ThreadpoolController | None = None


def chunks(n_rows: int, row_size: int) -> Iterator[slice]:
    """Slices of ``range(n_rows)`` with about ``CHUNK_ELEMENTS / row_size`` rows each."""
    step = max(1, CHUNK_ELEMENTS // max(1, row_size))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def map_chunks(fn: Callable[[slice], Any], n_rows: int, row_size: int) -> list[Any]:
    """``[fn(rows) for rows in chunks(n_rows, row_size)]``, in chunk order.

    With several chunks per worker the calls run on the thread pool, with the BLAS
    limited to one thread; small inputs run in the calling thread unchanged.
    """
    global _POOL, _CONTROLLER
    parts = list(chunks(n_rows, row_size))
    if len(parts) < 2 * N_WORKERS or N_WORKERS == 1:
        return [fn(rows) for rows in parts]
    if _POOL is None:
        _POOL = ThreadPoolExecutor(N_WORKERS, thread_name_prefix="emcore-gmm")
        _CONTROLLER = ThreadpoolController()
    controller = _CONTROLLER
    assert controller is not None  # made together with the pool
    limit = controller.limit(limits=1, user_api="blas") if controller.info() else nullcontext()
    with limit:
        return list(_POOL.map(fn, parts))


class Whitening(NamedTuple):
    """Everything the E-step needs, precomputed once per parameter set.

    Attributes
    ----------
    W : ndarray, shape (n_features, n_components * n_features)
        The precision Cholesky factors side by side.
    b : ndarray, shape (n_components * n_features,)
        ``(mu_k - c) P_k`` for each component, side by side.
    const : ndarray, shape (n_components,)
        ``log w_k + log det P_k - d/2 log(2 pi)``; ``-inf`` for a zero weight.
    """

    W: np.ndarray
    b: np.ndarray
    const: np.ndarray


def whitening(weights: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, center: np.ndarray) -> Whitening:
    """Precompute the stacked whitening transform.

    Parameters
    ----------
    weights : ndarray, shape (K,)
    means : ndarray, shape (K, d)
    prec_chol : ndarray, shape (K, d, d)
        Upper-triangular ``P_k`` with ``P_k P_k^T`` the precision of component ``k``.
    center : ndarray, shape (d,)
        The point the data are centred on.
    """
    n_components, n_features = means.shape
    W = np.ascontiguousarray(prec_chol.transpose(1, 0, 2).reshape(n_features, n_components * n_features))
    # Means extremely far from the data (on the scale of the precisions) overflow to
    # inf here; such a component's log-joint is then -inf (density 0), as it should be.
    with np.errstate(over="ignore", invalid="ignore"):
        b = np.einsum("ka,kab->kb", means - center, prec_chol).reshape(-1)
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    with np.errstate(divide="ignore"):  # a component that lost all its data has weight 0
        log_weights = np.log(weights)
    const = log_weights + log_det - 0.5 * n_features * _LOG_2PI
    return Whitening(W, b, const)


def log_joint_chunk(X: np.ndarray, rows: slice, center: np.ndarray, wh: Whitening) -> np.ndarray:
    """``log w_k + log N(x_i; mu_k, Sigma_k)`` for the rows ``rows``, shape ``(m, K)``.

    A squared Mahalanobis distance that overflows gives a log-joint of ``-inf`` (the
    density underflows to 0) without a warning; the callers refuse a sample that is
    ``-inf`` (or NaN) under every component.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        Y = (X[rows] - center) @ wh.W  # (m, K d): every component's whitened residual
        Y -= wh.b
        np.square(Y, out=Y)
        m, n_components = Y.shape[0], wh.const.size
        out = np.einsum("mkd->mk", Y.reshape(m, n_components, -1))  # (m, K): squared Mahalanobis distances
        out *= -0.5
        out += wh.const
    return out


def log_joint(X: np.ndarray, center: np.ndarray, wh: Whitening) -> np.ndarray:
    """The whole ``(n, K)`` matrix of log joint probabilities."""
    n_components = wh.const.size
    out = np.empty((X.shape[0], n_components))

    def fill(rows: slice) -> None:
        out[rows] = log_joint_chunk(X, rows, center, wh)

    map_chunks(fill, X.shape[0], wh.W.shape[1])
    return out


def responsibilities(X: np.ndarray, center: np.ndarray, wh: Whitening) -> tuple[np.ndarray, float]:
    """Posterior responsibilities ``(n, K)`` and the total log-likelihood.

    Log-sum-exp per row: subtract the row maximum before exponentiating, so that no
    density underflows to 0 for every component at once. The total is not finite
    when some row is ``-inf`` for every component (the caller checks it).
    """
    resp = np.empty((X.shape[0], wh.const.size))

    def fill(rows: slice) -> float:
        lj = log_joint_chunk(X, rows, center, wh)
        # A row that is -inf for every component gives NaN here, without a warning:
        # the total is then NaN, and the caller refuses it.
        with np.errstate(over="ignore", invalid="ignore"):
            top = lj.max(axis=1, keepdims=True)
            lj -= top
            np.exp(lj, out=lj)
            norm = lj.sum(axis=1, keepdims=True)
            np.divide(lj, norm, out=resp[rows])
            return float(np.log(norm).sum() + top.sum())

    total = 0.0
    for part in map_chunks(fill, X.shape[0], wh.W.shape[1]):
        total += part
    return resp, total


def weighted_sums(X: np.ndarray, center: np.ndarray, resp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First pass of the M-step: ``n_k = sum_i r_ik`` and ``sum_i r_ik (x_i - c)``.

    Returns arrays of shapes (K,) and (K, d).
    """
    n_samples, n_features = X.shape
    nk = np.zeros(resp.shape[1])
    first = np.zeros((resp.shape[1], n_features))

    def part(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        Rc = resp[rows]
        return Rc.sum(axis=0), Rc.T @ (X[rows] - center)

    for count, total in map_chunks(part, n_samples, resp.shape[1] + n_features):
        nk += count
        first += total
    return nk, first


def weighted_scatter(X: np.ndarray, resp: np.ndarray, means: np.ndarray, diagonal: bool) -> np.ndarray:
    """Second pass of the M-step: each component's weighted scatter about its own mean.

    ``S_k = sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T``, shape (K, d, d), or only its
    diagonal, shape (K, d). Residuals are taken about each component's own mean,
    so no large numbers cancel (a component collapsed onto a point gets exactly 0).
    All components are handled at once: ``D`` holds every component's residuals,
    shape (K, m, d), and one batched matrix product forms all ``K`` scatters.
    """
    n_samples, n_features = X.shape
    n_components = means.shape[0]
    shape = (n_components, n_features) if diagonal else (n_components, n_features, n_features)
    total = np.zeros(shape)

    def part(rows: slice) -> np.ndarray:
        D = X[rows][None, :, :] - means[:, None, :]  # (K, m, d)
        Z = D * resp[rows].T[:, :, None]  # r_ik (x_i - mu_k)
        if diagonal:
            return np.einsum("kmd,kmd->kd", Z, D)
        return np.matmul(D.transpose(0, 2, 1), Z)

    for scatter in map_chunks(part, n_samples, n_components * n_features):
        total += scatter
    if not diagonal:
        total = 0.5 * (total + total.transpose(0, 2, 1))  # exactly symmetric
    return total
