"""EM for a Gaussian mixture when some entries of the data are missing (NaN).

The missing entries are missing at random: whether a value is missing may depend on
the values observed in its row, not on the value itself. Then the likelihood of the
observed data is the product over rows of the *marginal* density of each row's
observed coordinates ``o``,

    P(x_o) = sum_k w_k N(x_o; mu_k[o], Sigma_k[o, o]),

and EM treats the missing coordinates ``m`` as part of the missing data, with the
component label (Dempster, Laird & Rubin 1977; Little & Rubin, ch. 11). Given the
component ``k`` and the observed part, the missing part is normal,

    x_m | x_o, z = k  ~  N(xhat_k, C_k),
    xhat_k = mu_k[m] + Sigma_k[m, o] Sigma_k[o, o]^-1 (x_o - mu_k[o]),
    C_k    = Sigma_k[m, m] - Sigma_k[m, o] Sigma_k[o, o]^-1 Sigma_k[o, m],

so the E-step's expected sufficient statistics are, per component,

    N_k = sum_i r_ik,  S_k = sum_i r_ik xhat_ik,  Q_k = sum_i r_ik (xhat_ik xhat_ik^T + C_ik),

with ``xhat_ik`` the row completed by its conditional mean and ``C_ik`` its
conditional covariance embedded at the missing coordinates (zero elsewhere). The
M-step is the complete-data M-step on these statistics; the term ``C_ik`` is what
single imputation forgets. Rows are grouped by their pattern of observed
coordinates, so each pattern needs one Cholesky factor per component.

Everything here works with the statistics in the form of
``emcore._gmm_kernels.moment_stats`` (moments about a shift ``s``), so that the
M-step, the chunked, distributed and online paths are those of complete data.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from scipy.linalg import cho_solve, solve_triangular
from scipy.special import logsumexp
from threadpoolctl import ThreadpoolController

from .covariances import GMMParams

_LOG_2PI = math.log(2.0 * math.pi)

#: A group of rows sharing one pattern: the observed and the missing coordinates, and the rows.
Pattern = tuple[np.ndarray, np.ndarray, np.ndarray]

_F = TypeVar("_F", bound=Callable[..., Any])


@functools.cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread(fn: _F) -> _F:
    """Run ``fn`` with the BLAS on one thread: its products are a few numbers wide, and
    a multi-threaded BLAS spinning on them made a fit several times slower on a busy
    machine (the reason :mod:`emcore._gmm_kernels` limits it too)."""

    @functools.wraps(fn)
    def limited(*args: Any, **kwargs: Any) -> Any:
        with _controller().limit(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return limited  # type: ignore[return-value]


def patterns(observed: np.ndarray) -> list[Pattern]:
    """The rows of ``observed`` (bool, samples x features) grouped by pattern, in order of first appearance."""
    _, first, inverse = np.unique(observed, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    groups: list[Pattern] = []
    for label in np.argsort(first, kind="stable"):
        rows = np.flatnonzero(inverse == label)
        seen = observed[rows[0]]
        groups.append((np.flatnonzero(seen), np.flatnonzero(~seen), rows))
    return groups


def full_covariances(params: GMMParams) -> np.ndarray:
    """The covariance matrices of every component, shape (K, d, d), whatever the covariance type."""
    K, d = params.means.shape
    cov = np.asarray(params.covariances, dtype=float)
    kind = params.covariance_type
    if kind == "full":
        return cov
    if kind == "tied":
        return np.broadcast_to(cov, (K, d, d))
    if kind == "diag":
        return np.stack([np.diag(v) for v in cov])
    if kind == "spherical":
        return cov[:, None, None] * np.eye(d)
    return np.broadcast_to(float(cov) * np.eye(d), (K, d, d))  # tied_spherical


class _Conditional:
    """One component's marginal and conditional quantities for one pattern."""

    __slots__ = ("chol", "whiten", "log_det", "gain", "cond_cov")

    def __init__(self, sigma: np.ndarray, obs: np.ndarray, mis: np.ndarray) -> None:
        s_oo = sigma[np.ix_(obs, obs)]
        self.chol = np.linalg.cholesky(s_oo)
        # L^-1 of the (small) factor: one product then whitens all rows of the pattern
        self.whiten = solve_triangular(self.chol, np.eye(obs.size), lower=True, check_finite=False)
        self.log_det = 2.0 * float(np.log(np.diagonal(self.chol)).sum())
        if mis.size:
            s_om = sigma[np.ix_(obs, mis)]
            # gain = Sigma_mo Sigma_oo^-1, shape (d_m, d_o)
            self.gain = cho_solve((self.chol, True), s_om).T
            self.cond_cov = sigma[np.ix_(mis, mis)] - self.gain @ s_om
        else:
            self.gain = np.zeros((0, obs.size))
            self.cond_cov = np.zeros((0, 0))

    def conditional_mean(self, x_o: np.ndarray, mean_m: np.ndarray, mean_o: np.ndarray) -> np.ndarray:
        """``mean_m + Sigma_mo Sigma_oo^-1 (x_o - mean_o)`` for the rows ``x_o`` of the pattern."""
        return mean_m + (x_o - mean_o) @ self.gain.T


@_one_blas_thread
def _conditionals(params: GMMParams, groups: list[Pattern]) -> list[list[_Conditional]]:
    sigmas = full_covariances(params)
    return [[_Conditional(sigmas[k], obs, mis) for k in range(params.n_components)] for obs, mis, _ in groups]


@_one_blas_thread
def log_joint(
    X: np.ndarray, groups: list[Pattern], params: GMMParams, conds: list[list[_Conditional]] | None = None
) -> np.ndarray:
    """``log w_k + log N(x_o; mu_k[o], Sigma_k[o, o])`` for every row, shape (n, K)."""
    n, K = X.shape[0], params.n_components
    out = np.empty((n, K))
    with np.errstate(divide="ignore"):
        log_w = np.log(params.weights)
    for (obs, _, rows), per_k in zip(groups, conds or _conditionals(params, groups)):
        x_o = X[np.ix_(rows, obs)]
        for k, c in enumerate(per_k):
            z = (x_o - params.means[k, obs]) @ c.whiten.T
            with np.errstate(over="ignore"):
                maha = np.einsum("ij,ij->i", z, z)
            out[rows, k] = log_w[k] - 0.5 * (obs.size * _LOG_2PI + c.log_det + maha)
    return out


@_one_blas_thread
def expected_moments(
    X: np.ndarray,
    groups: list[Pattern],
    params: GMMParams,
    resp: np.ndarray,
    shift: np.ndarray,
    diagonal: bool,
    conds: list[list[_Conditional]] | None = None,
) -> np.ndarray:
    """The expected sufficient statistics ``T`` (the layout of ``_gmm_kernels.moment_stats``).

    ``T[:, k]`` holds ``sum_i r_ik``, ``sum_i r_ik (xhat_ik - s)`` and the upper triangle
    (or, for the diagonal types, the diagonal) of ``sum_i r_ik ((xhat_ik - s)(xhat_ik -
    s)^T + C_ik)``, with the conditional means and covariances at ``params``.
    """
    K, d = params.means.shape
    rows_u, cols_u = np.triu_indices(d)
    F = 1 + 2 * d if diagonal else 1 + d + rows_u.size
    T = np.zeros((F, K))
    for (obs, mis, rows), per_k in zip(groups, conds or _conditionals(params, groups)):
        block = X[rows] - shift  # the observed coordinates, shifted; missing ones filled below
        x_o = X[np.ix_(rows, obs)]
        for k, c in enumerate(per_k):
            r = resp[rows, k]
            total = float(r.sum())
            y = block.copy()
            if mis.size:
                y[:, mis] = c.conditional_mean(x_o, params.means[k, mis] - shift[mis], params.means[k, obs])
            T[0, k] += total
            T[1 : d + 1, k] += r @ y
            if diagonal:
                second = r @ (y * y)
                if mis.size:
                    second[mis] += total * np.diagonal(c.cond_cov)
                T[d + 1 :, k] += second
            else:
                second_full = y.T @ (y * r[:, None])
                if mis.size:
                    second_full[np.ix_(mis, mis)] += total * c.cond_cov
                T[d + 1 :, k] += second_full[rows_u, cols_u]
    return T


@_one_blas_thread
def conditional_moments(
    X: np.ndarray, groups: list[Pattern], params: GMMParams, resp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each entry's conditional mean and variance given the observed part of its row.

    Observed entries are returned as they are, with variance 0; a missing entry gets
    ``E[x_ij | x_o] = sum_k r_ik xhat_ikj`` and ``Var[x_ij | x_o] = sum_k r_ik (C_ikjj +
    xhat_ikj^2) - E[x_ij | x_o]^2`` (the mixture of the components' conditionals).
    """
    mean = np.array(X, dtype=float)
    var = np.zeros_like(mean)
    for (obs, mis, rows), per_k in zip(groups, _conditionals(params, groups)):
        if not mis.size:
            continue
        x_o = X[np.ix_(rows, obs)]
        first = np.zeros((rows.size, mis.size))
        second = np.zeros((rows.size, mis.size))
        for k, c in enumerate(per_k):
            r = resp[rows, k][:, None]
            xhat = c.conditional_mean(x_o, params.means[k, mis], params.means[k, obs])
            first += r * xhat
            second += r * (xhat**2 + np.diagonal(c.cond_cov))
        mean[np.ix_(rows, mis)] = first
        var[np.ix_(rows, mis)] = np.maximum(second - first**2, 0.0)
    return mean, var


def expected_stats(
    X: np.ndarray, groups: list[Pattern], params: GMMParams, shift: np.ndarray, diagonal: bool
) -> tuple[np.ndarray, float, np.ndarray]:
    """One E-step: the statistics of :func:`expected_moments`, the total log-likelihood,
    and the log-joint (for the caller's checks), with one set of factors per pattern."""
    conds = _conditionals(params, groups)
    lj = log_joint(X, groups, params, conds)
    resp, total = normalise(lj)
    T = expected_moments(X, groups, params, resp, shift, diagonal, conds)
    return T, total, lj


def normalise(lj: np.ndarray) -> tuple[np.ndarray, float]:
    """Responsibilities from the log-joint (log-sum-exp over components) and the total log-likelihood."""
    with np.errstate(over="ignore", invalid="ignore"):
        norm = logsumexp(lj, axis=1)
        return np.exp(lj - norm[:, None]), float(norm.sum())
