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
    so the answer does not depend on the number of threads or their timing. The
    statistics path (:func:`moment_stats`) does the same with compiled blocks that
    hold no interpreter lock, on as many threads as the BLAS may use.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg  # noqa: F401  # loads scipy's BLAS (numba's np.dot calls it) before a controller looks
from threadpoolctl import ThreadpoolController

from ._optional import MissingDependency, require

# numba is optional: with it, each block of the statistics path is one compiled call;
# without it (or when it does not import), numpy calls compute the same numbers to rounding.
try:
    numba = require("numba", "scale", "the compiled blocks of the statistics path")
    HAVE_NUMBA = True
except MissingDependency:  # pragma: no cover - exercised only where numba is absent
    numba = None  # type: ignore[assignment]  # the module is absent
    HAVE_NUMBA = False

#: The largest temporary of a chunk, in float64 numbers (``rows * n_components *
#: n_features``). 2**16 numbers (512 kB) keep a chunk in the processor's cache.
CHUNK_ELEMENTS = 1 << 16

#: Threads that share the chunks of a large input (at most 4, at most the CPUs).
N_WORKERS = max(1, min(4, os.cpu_count() or 1))

_LOG_2PI = float(np.log(2.0 * np.pi))
_POOL: ThreadPoolExecutor | None = None
_CONTROLLER: ThreadpoolController | None = None
_POOL_LOCK = threading.Lock()  # callers may be threads themselves (dask's threaded scheduler)


def chunks(n_rows: int, row_size: int) -> Iterator[slice]:
    """Slices of ``range(n_rows)`` with about ``CHUNK_ELEMENTS / row_size`` rows each."""
    step = max(1, CHUNK_ELEMENTS // max(1, row_size))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def _pool() -> tuple[ThreadPoolExecutor, ThreadpoolController]:
    """The kernels' thread pool and the controller of the BLAS threads, made once."""
    global _POOL, _CONTROLLER
    with _POOL_LOCK:
        if _CONTROLLER is None:
            _CONTROLLER = ThreadpoolController()
        if _POOL is None:
            _POOL = ThreadPoolExecutor(N_WORKERS, thread_name_prefix="emcore-gmm")
        return _POOL, _CONTROLLER


def _one_blas_thread(controller: ThreadpoolController) -> Any:
    """A context in which the BLAS runs single-threaded (nothing to do without one)."""
    return controller.limit(limits=1, user_api="blas") if controller.info() else nullcontext()


def map_chunks(fn: Callable[[slice], Any], n_rows: int, row_size: int) -> list[Any]:
    """``[fn(rows) for rows in chunks(n_rows, row_size)]``, in chunk order.

    With several chunks per worker the calls run on the thread pool, with the BLAS
    limited to one thread; small inputs run in the calling thread unchanged.
    """
    parts = list(chunks(n_rows, row_size))
    if len(parts) < 2 * N_WORKERS or N_WORKERS == 1:
        return [fn(rows) for rows in parts]
    pool, controller = _pool()
    limit = _one_blas_thread(controller)
    with limit:
        return list(pool.map(fn, parts))


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


# -- the statistics path: one pass, expected sufficient statistics ----------------------
#
# The log-joint of a Gaussian component is a quadratic polynomial in x. With the data
# shifted by a point s (x~ = x - s) and the features
#
#     phi(x) = [1, x~_1 .. x~_d, x~_a x~_b for a <= b]    (full and tied)
#     phi(x) = [1, x~_1 .. x~_d, x~_1^2 .. x~_d^2]          (diag, spherical, tied_spherical)
#
# it is one inner product, log w_k + log N(x; mu_k, Sigma_k) = A_k . phi(x), and the
# expected sufficient statistics of a block of rows are one matrix product too:
# T = sum_i phi(x_i) r_i^T holds, per component, sum_i r_ik (the count), sum_i r_ik x~_i
# (the first moment) and sum_i r_ik x~_i x~_i^T (the second moment, its upper triangle
# or its diagonal). So an E-step with its statistics is: form phi for a block (one
# product per feature pair, on contiguous rows of the transposed block), one product
# A phi (K x F times F x m), a log-sum-exp per row, one product phi r^T (F x m times
# m x K). The moments are taken about s, the current mixture mean (a point of the
# parameters, the same for every block), so that what the M-step subtracts,
# n_k (mu_k - s)(mu_k - s)^T, is small against the second moment when the components
# sit near one another; the cost of that choice is the cancellation of
# E[x x^T] - mu mu^T for a tight component far from the others (relative error about
# eps |mu_k - s|^2 / sigma_k^2).


def n_moment_features(n_features: int, diagonal: bool) -> int:
    """``F``, the length of ``phi(x)``: ``1 + 2d`` (diagonal) or ``1 + d + d(d + 1)/2``."""
    d = n_features
    return 1 + 2 * d if diagonal else 1 + d + d * (d + 1) // 2


def moment_coefficients(
    weights: np.ndarray, means: np.ndarray, prec_chol: np.ndarray, shift: np.ndarray, diagonal: bool
) -> np.ndarray:
    """``A``, shape ``(K, F)``: ``A_k . phi(x) = log w_k + log N(x; mu_k, Sigma_k)``.

    ``prec_chol`` is the stack of upper-triangular factors ``P_k`` (``P_k P_k^T =
    Sigma_k^{-1}``), shape (K, d, d), as :func:`whitening` takes it.
    """
    n_components, d = means.shape
    precision = np.matmul(prec_chol, prec_chol.transpose(0, 2, 1))  # (K, d, d)
    centred = means - shift
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        linear = np.einsum("kab,kb->ka", precision, centred)  # Lambda_k (mu_k - s)
        log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
        const = np.log(weights) + log_det - 0.5 * d * _LOG_2PI - 0.5 * np.einsum("ka,ka->k", linear, centred)
    A = np.empty((n_components, n_moment_features(d, diagonal)))
    A[:, 0] = const
    A[:, 1 : d + 1] = linear
    if diagonal:
        A[:, d + 1 :] = -0.5 * np.diagonal(precision, axis1=1, axis2=2)
    else:
        rows, cols = np.triu_indices(d)
        A[:, d + 1 :] = np.where(rows == cols, -0.5, -1.0) * precision[:, rows, cols]
    return A


def _features_loops(block: np.ndarray, shift: np.ndarray, diagonal: bool, out: np.ndarray) -> None:
    """:func:`_features` as explicit loops (compiled by numba): one pass, the same numbers.

    Every entry is one subtraction or one product of two doubles, exactly as numpy
    computes it, so the compiled and the numpy features agree to the last bit.
    """
    m, d = block.shape
    for i in range(m):
        out[0, i] = 1.0
    for i in range(m):  # row by row: the block is read in its own (row-major) order
        for a in range(d):
            out[1 + a, i] = block[i, a] - shift[a]
    o = d + 1
    if diagonal:
        for a in range(d):
            for i in range(m):
                out[o + a, i] = out[1 + a, i] * out[1 + a, i]
        return
    for a in range(d):
        for b in range(a, d):
            for i in range(m):
                out[o, i] = out[1 + a, i] * out[1 + b, i]
            o += 1


if HAVE_NUMBA:
    _features_numba = numba.njit(cache=True, nogil=True)(_features_loops)
else:  # pragma: no cover - exercised only where numba is absent
    _features_numba = None


def _features(
    block: np.ndarray, shift: np.ndarray, diagonal: bool, out: np.ndarray, compiled: bool = True
) -> np.ndarray:
    """``phi`` of the rows of ``block``, transposed: shape ``(F, m)`` (written into ``out``).

    With numba installed the features are written in one compiled pass (three to four
    times faster than the ``d + 1`` numpy calls below, which are the reference and the
    fallback); both give the same numbers.
    """
    m, d = block.shape
    phi = out[:, :m]
    if compiled and _features_numba is not None:
        _features_numba(np.ascontiguousarray(block), shift, diagonal, phi)
        return phi
    phi[0] = 1.0
    xt = phi[1 : d + 1]
    np.subtract(block.T, shift[:, None], out=xt)
    if diagonal:
        np.square(xt, out=phi[d + 1 :])
        return phi
    o = d + 1
    for a in range(d):
        np.multiply(xt[a], xt[a:], out=phi[o : o + d - a])
        o += d - a
    return phi


#: The floor of ``log r_ik - log max_k r_ik`` in the statistics path: responsibilities
#: below ``e^-600`` (1e-261) are taken as 1e-261. Without it a far component's
#: ``exp`` underflows to subnormal numbers, and the arithmetic on them (in ``exp`` and
#: in the product with ``phi``) made an iteration twice as slow once EM had separated
#: the components; the change to any sum is below 1e-250 of one sample's weight.
_LOG_R_FLOOR = -600.0

#: Numbers of ``phi`` in one block of the statistics path (0.8 MB, well inside one
#: core's L2 cache: the two products read the block again while it is there); 1,515
#: rows for d = 10 with full covariances, 4,761 with diagonal ones.
STATS_BLOCK_ELEMENTS = 100_000

#: Rows whose normalising constants are multiplied together before one logarithm is
#: taken (each constant is at most ``K``; ``K**32`` overflows only for ``K > 4e9``).
_LOG_GROUP = 32


_LOCAL = threading.local()


def _workspace(n_features: int, n_components: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """This thread's buffers for a block of ``rows`` (kept between calls): ``phi``, the
    log-joint (then the responsibilities), one number per row and a scratch array of
    the log-joint's size.

    Allocating a block's megabyte of ``phi`` afresh for every block costs page faults
    wherever the allocator returns large blocks to the system at once (dask's
    worker processes set ``MALLOC_TRIM_THRESHOLD_``, which made the kernel four
    times slower there); reusing them costs nothing.
    """
    held = getattr(_LOCAL, "buffers", None)
    if held is None or held[0].shape[0] != n_features or held[1].shape[0] != n_components or held[0].shape[1] < rows:
        held = (
            np.empty((n_features, rows)),
            np.empty((n_components, rows)),
            np.empty(rows),
            np.empty(n_components * rows),
        )
        _LOCAL.buffers = held
    return held


def _block_log_joint_loops(
    block: np.ndarray, shift: np.ndarray, A: np.ndarray, diagonal: bool, phi: np.ndarray, lj: np.ndarray,
    top: np.ndarray, floor: float,
) -> int:  # fmt: skip
    """First half of a block (compiled by numba): ``phi``, ``lj = A phi``, ``top`` the
    largest entry of each column and ``lj <- max(lj - top, floor)``.

    Returns the first row whose ``top`` is not finite (-1 when there is none).
    """
    _features_numba(block, shift, diagonal, phi)
    np.dot(A, phi, lj)
    n_components, m = lj.shape
    for i in range(m):
        top[i] = lj[0, i]
    for c in range(1, n_components):
        row = lj[c]
        for i in range(m):
            v, t = row[i], top[i]
            top[i] = t if v <= t else v  # a NaN entry makes top NaN (or the row's sum NaN below)
    n_bad = 0
    for i in range(m):  # counted without branches (the loop vectorises); searched only if needed
        n_bad += not (abs(top[i]) < np.inf)
    first = -1
    if n_bad:
        for i in range(m):
            if not np.isfinite(top[i]):
                first = i
                break
    for c in range(n_components):
        row = lj[c]
        for i in range(m):
            gap = row[i] - top[i]
            row[i] = floor if gap < floor else gap  # NaN stays NaN
    return first


def _block_stats_loops(phi: np.ndarray, r: np.ndarray, top: np.ndarray) -> tuple[np.ndarray, float]:
    """Second half of a block (compiled by numba): ``r`` holds ``exp(lj)``; it is
    normalised to responsibilities (each column times the reciprocal of its sum), and
    ``r phi^T`` (shape ``(K, F)``) is returned with the block's log-likelihood
    ``sum_i (log sum_k exp(lj_ik) + top_i)``.

    The column sums lie in ``[1, K]`` (the largest entry of a column is ``exp(0)``),
    so a product of :data:`_LOG_GROUP` of them cannot overflow for any practical
    ``K``: one logarithm per group instead of one per row.
    """
    n_components, m = r.shape
    norm = np.empty(m)
    for i in range(m):
        norm[i] = r[0, i]
    for c in range(1, n_components):
        for i in range(m):
            norm[i] += r[c, i]
    for i in range(m):
        norm[i] = 1.0 / norm[i]
    for c in range(n_components):
        for i in range(m):
            r[c, i] *= norm[i]
    total = 0.0
    for start in range(0, m, _LOG_GROUP):
        inverse = 1.0
        for i in range(start, min(m, start + _LOG_GROUP)):
            inverse *= norm[i]
        total -= np.log(inverse)
    for i in range(m):
        total += top[i]
    return np.dot(r, phi.T), total


# exp of the floored log-joint, vectorised by the compiler on any CPU. numpy's own exp is
# vectorised only where it has AVX-512 kernels (scalar libm elsewhere: five times
# slower on AVX2), and calling it between two compiled halves hands the block back to
# the interpreter. The classic construction (Cody and Waite's reduction, then 2**k
# written into the exponent bits): x = k ln2 + r with k = round(x / ln2) and |r| <=
# ln2 / 2, exp(r) by its Taylor polynomial of degree 13 (remainder below 5e-18
# relative), 2**k exact. Plain multiplications and additions (no fused multiply-add,
# no reassociation), so the same bits on every CPU; within one unit in the last place
# of the exact value for the arguments it gets, [-600, 0] (NaN stays NaN).
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # ln 2 to 32 bits: k * _LN2_HI is exact for |k| < 2**20
_LN2_LO = 1.90821492927058770002e-10  # the rest of ln 2
_ROUNDER = 6755399441055744.0  # 1.5 * 2**52: x + _ROUNDER rounds x to an integer, held in the low bits
_EXPONENT_BIAS = 1023 - int(np.array(_ROUNDER).view(np.int64))  # low bits of x + _ROUNDER -> k + 1023
_TAYLOR = tuple(1.0 / math.factorial(n) for n in range(14))
(_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13) = _TAYLOR[2:]


def _exp_nonpositive_loops(x: np.ndarray, scratch: np.ndarray) -> None:
    """``x <- exp(x)`` in place, for a 1-D ``x`` with entries in ``[-600, 0]`` (compiled
    by numba; ``scratch`` is a float array of at least ``x``'s size)."""
    n = x.size
    for i in range(n):
        v = x[i]
        t = v * _LOG2E + _ROUNDER
        k = t - _ROUNDER  # round(v / ln 2)
        r = (v - k * _LN2_HI) - k * _LN2_LO
        p = _C13
        p = p * r + _C12
        p = p * r + _C11
        p = p * r + _C10
        p = p * r + _C9
        p = p * r + _C8
        p = p * r + _C7
        p = p * r + _C6
        p = p * r + _C5
        p = p * r + _C4
        p = p * r + _C3
        p = p * r + _C2
        p = p * r + 1.0
        x[i] = p * r + 1.0
        scratch[i] = t
    bits = scratch[:n].view(np.int64)
    for i in range(n):
        bits[i] = (bits[i] + _EXPONENT_BIAS) << 52  # the bits of 2.0**k
    for i in range(n):
        x[i] *= scratch[i]


def _block_loops(
    block: np.ndarray, shift: np.ndarray, A: np.ndarray, diagonal: bool, phi: np.ndarray, lj: np.ndarray,
    top: np.ndarray, scratch: np.ndarray, floor: float,
) -> tuple[np.ndarray, float, int]:  # fmt: skip
    """A whole block in one compiled call: the first half, ``exp``, the second half."""
    first = _block_log_joint(block, shift, A, diagonal, phi, lj, top, floor)
    _exp_nonpositive(lj.reshape(-1), scratch)
    stats, total = _block_stats(phi, lj, top)
    return stats, total, first


if HAVE_NUMBA:
    _block_log_joint = numba.njit(cache=True, nogil=True)(_block_log_joint_loops)
    _block_stats = numba.njit(cache=True, nogil=True)(_block_stats_loops)
    _exp_nonpositive = numba.njit(cache=True, nogil=True)(_exp_nonpositive_loops)
    _block = numba.njit(cache=True, nogil=True)(_block_loops)
else:  # pragma: no cover - exercised only where numba is absent
    _block_log_joint = _block_stats = _exp_nonpositive = _block = None


def _blas_threads() -> int:
    """How many threads the BLAS may use now (1 inside ``threadpool_limits(1)`` and in
    dask's worker processes, which set ``OPENBLAS_NUM_THREADS=1``)."""
    _, controller = _pool()
    counts = [lib.num_threads for lib in controller.lib_controllers if lib.user_api == "blas"]
    return min(counts) if counts else N_WORKERS


def _stats_block_numpy(X: np.ndarray, shift: np.ndarray, A: np.ndarray, diagonal: bool, rows: slice):
    """One block of :func:`moment_stats` in numpy calls (the reference, and the path
    without numba): ``(r phi^T, log-likelihood, first bad row)``."""
    m = rows.stop - rows.start
    phi_buffer, lj_buffer, _, _ = _workspace(A.shape[1], A.shape[0], m)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        phi = _features(X[rows], shift, diagonal, phi_buffer, compiled=False)
        lj = np.matmul(A, phi, out=lj_buffer[:, :m])  # (K, m)
        top = lj.max(axis=0)
        bad = ~np.isfinite(top)
        lj -= top
        np.maximum(lj, _LOG_R_FLOOR, out=lj)
        np.exp(lj, out=lj)
        norm = lj.sum(axis=0)
        lj *= 1.0 / norm
        total = float(np.log(norm).sum() + top.sum())
    first = int(np.argmax(bad)) + rows.start if bad.any() else -1
    return lj @ phi.T, total, first  # (K, m) @ (m, F): the faster order for OpenBLAS


def _stats_block_compiled(X: np.ndarray, shift: np.ndarray, A: np.ndarray, diagonal: bool, rows: slice):
    """:func:`_stats_block_numpy` as one compiled call that holds no interpreter lock
    (so two threads run two blocks at once).

    The same arithmetic in the same order, except the products (another BLAS call, so
    the last bits of ``r phi^T``), ``exp`` (:func:`_exp_nonpositive_loops`, within
    one unit in the last place of numpy's) and the log-likelihood (one logarithm
    per group of rows): the two paths agree to rounding.
    """
    m = rows.stop - rows.start
    phi_buffer, lj_buffer, top_buffer, scratch = _workspace(A.shape[1], A.shape[0], m)
    phi, lj, top = phi_buffer[:, :m], lj_buffer[:, :m], top_buffer[:m]
    if m < phi_buffer.shape[1]:  # the last, shorter block: contiguous buffers of its size
        phi, lj, top = np.empty_like(phi), np.empty_like(lj), np.empty_like(top)
    stats, total, bad = _block(np.ascontiguousarray(X[rows]), shift, A, diagonal, phi, lj, top, scratch, _LOG_R_FLOOR)
    return stats, total, bad + rows.start if bad >= 0 else -1


def moment_stats(
    X: np.ndarray, shift: np.ndarray, A: np.ndarray, diagonal: bool, compiled: bool = True
) -> tuple[np.ndarray, float, int]:
    """Expected sufficient statistics of the rows of ``X`` under the log-joint ``A``.

    Returns ``T``, shape ``(F, K)`` (``T[f, k] = sum_i phi_f(x_i) r_ik``), the total
    log-likelihood of the rows, and the index of the first row whose density is 0
    under every component (-1 when there is none; the log-likelihood is then -inf or
    NaN and ``T`` meaningless). Blocks of :data:`STATS_BLOCK_ELEMENTS` numbers are
    computed one by one and added in block order, so the answer does not depend on
    the threads: with numba, the blocks go to as many threads as the BLAS may use
    (at most :data:`N_WORKERS`; the BLAS itself runs single-threaded meanwhile);
    without it (or with ``compiled=False``), numpy computes them in the calling
    thread (a second thread gains nothing there: the many small numpy calls
    contend for the interpreter lock).
    """
    n_rows = X.shape[0]
    n_features, n_components = A.shape[1], A.shape[0]
    parts = list(chunks(n_rows, max(1, n_features * CHUNK_ELEMENTS // STATS_BLOCK_ELEMENTS)))
    if compiled and _block is not None:
        block = _stats_block_compiled
        A = np.ascontiguousarray(A)
        threads = min(N_WORKERS, _blas_threads(), len(parts))
    else:
        block, threads = _stats_block_numpy, 1

    def part(rows: slice) -> tuple[np.ndarray, float, int]:
        return block(X, shift, A, diagonal, rows)

    if threads > 1:
        pool, controller = _pool()
        # one task per thread, each taking every `threads`-th block (no per-block hand-off)
        runs = [parts[i::threads] for i in range(threads)]
        with _one_blas_thread(controller):
            done = list(pool.map(lambda run: [part(rows) for rows in run], runs))
        results = [done[i % threads][i // threads] for i in range(len(parts))]
    else:
        results = [part(rows) for rows in parts]
    T = np.zeros((n_components, n_features))
    total, first = 0.0, -1
    for stats, loglik, bad in results:
        T += stats
        total += loglik
        if first < 0 and bad >= 0:
            first = bad
    return np.ascontiguousarray(T.T), total, first
