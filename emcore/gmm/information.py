"""Standard errors of a fitted Gaussian mixture: the observed information by Louis' method.

EM gives the maximum-likelihood estimate but not its precision. Louis (1982) showed
that the observed information, the negative Hessian of the observed-data
log-likelihood, is what the complete-data information loses to the missing data:

    I_obs(theta) = E[ -d^2 l_c / d theta^2 | x_obs ] - sum_i Cov[ S_c,i | x_obs,i ],

(at the maximum, where the observed score is zero), with ``l_c`` the complete-data
log-likelihood and ``S_c,i`` row ``i``'s complete-data score. For a Gaussian mixture
the complete data (the rows, their missing entries and their components) form an
exponential family: row ``i``'s complete-data log-likelihood is ``eta(theta) . t_i``
with the statistics ``t_i = (z_ik, z_ik x_i, z_ik vech(x_i x_i^T))_k``. So

* the first term is the negative Hessian of ``eta(theta) . T`` with ``T = sum_i
  E[t_i | x_obs,i]``, the E-step's expected statistics (the M-step's objective);
* the score is ``S_c,i = J^T t_i`` with ``J = d eta / d theta``, and its conditional
  covariance is ``J^T Cov[t_i | x_obs,i] J``; ``Cov[t_i | x_obs,i]`` needs the
  moments of ``x_i`` up to order four under each component's conditional normal
  (Isserlis' theorem), weighted by the responsibilities.

``J`` and the Hessian are taken by central differences of the explicit ``eta``; the
moments are exact. The parameters are the free ones: the weights ``w_1 .. w_{K-1}``
(``w_K = 1 - sum``), every mean, and the covariance entries the covariance type
lets vary (the upper triangle for full and tied). Standard errors are the square
roots of the diagonal of ``I_obs^{-1}``; that of ``w_K`` follows by the delta
method. Assumed: ``params`` are an interior maximum of the likelihood (EM run to
convergence, with ``reg_covar = 0`` for the exact maximiser), the model is
identifiable up to the order of the components, and the missing entries are missing
at random. :func:`observed_information` with ``method="hessian"`` is the check: the
numerical Hessian of the observed-data log-likelihood itself, with no use of EM.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import missing as _missing
from .covariances import GMMParams

_LOG_2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class StandardErrors:
    """Standard errors of a Gaussian mixture's parameters, in the shapes of the parameters.

    Attributes
    ----------
    weights, means, covariances : ndarray
        The standard error of every entry of ``params.weights``, ``params.means`` and
        ``params.covariances`` (0 for an entry held fixed).
    covariance : ndarray, shape (p, p)
        The estimated covariance matrix of the free parameters, ``I_obs^{-1}``.
    information : ndarray, shape (p, p)
        The observed information ``I_obs``.
    complete_information : ndarray, shape (p, p), or None
        Louis' first term, the complete-data information given the observed data
        ``I_com``; ``I_com^-1 (I_com - I_obs)`` is the fraction of missing information,
        whose largest eigenvalue is EM's rate of convergence (None for ``"hessian"``).
    names : tuple of str
        The free parameters, in the order of the rows of ``covariance``.
    method : str
        ``"louis"`` or ``"hessian"``.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance: np.ndarray
    information: np.ndarray
    names: tuple[str, ...]
    method: str
    complete_information: np.ndarray | None = None


class _Layout:
    """The free parameters of a mixture as one vector, and back."""

    def __init__(self, params: GMMParams, learn_weights: bool) -> None:
        self.kind = params.covariance_type
        self.K, self.d = params.means.shape
        self.learn_weights = learn_weights and self.K > 1
        K, d = self.K, self.d
        self.rows, self.cols = np.triu_indices(d)
        names: list[str] = []
        if self.learn_weights:
            names += [f"weights[{k}]" for k in range(K - 1)]
        names += [f"means[{k}, {a}]" for k in range(K) for a in range(d)]
        if self.kind == "full":
            names += [f"covariances[{k}, {a}, {b}]" for k in range(K) for a, b in zip(self.rows, self.cols)]
        elif self.kind == "tied":
            names += [f"covariances[{a}, {b}]" for a, b in zip(self.rows, self.cols)]
        elif self.kind == "diag":
            names += [f"covariances[{k}, {a}]" for k in range(K) for a in range(d)]
        elif self.kind == "spherical":
            names += [f"covariances[{k}]" for k in range(K)]
        else:
            names += ["covariances"]
        self.names = tuple(names)
        self.fixed_weights = np.asarray(params.weights, dtype=float)

    def pack(self, params: GMMParams) -> np.ndarray:
        parts = [np.asarray(params.weights[:-1])] if self.learn_weights else []
        parts.append(np.asarray(params.means).ravel())
        cov = np.asarray(params.covariances, dtype=float)
        if self.kind == "full":
            parts.append(cov[:, self.rows, self.cols].ravel())
        elif self.kind == "tied":
            parts.append(cov[self.rows, self.cols])
        else:
            parts.append(cov.ravel())
        return np.concatenate(parts)

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Weights (K,), means (K, d) and full covariances (K, d, d) of ``theta``."""
        K, d = self.K, self.d
        at = 0
        if self.learn_weights:
            head = theta[: K - 1]
            weights = np.append(head, 1.0 - head.sum())
            at = K - 1
        else:
            weights = self.fixed_weights
        means = theta[at : at + K * d].reshape(K, d)
        at += K * d
        rest = theta[at:]
        if self.kind in ("full", "tied"):
            n_tri = self.rows.size
            tri = rest.reshape(-1, n_tri)
            cov = np.zeros((tri.shape[0], d, d))
            cov[:, self.rows, self.cols] = tri
            cov[:, self.cols, self.rows] = tri
            covs = np.broadcast_to(cov, (K, d, d)) if self.kind == "tied" else cov
        elif self.kind == "diag":
            covs = np.stack([np.diag(v) for v in rest.reshape(K, d)])
        elif self.kind == "spherical":
            covs = rest[:, None, None] * np.eye(d)
        else:
            covs = np.broadcast_to(rest[0] * np.eye(d), (K, d, d))
        return weights, means, covs

    def steps(self, params: GMMParams) -> np.ndarray:
        """Central-difference steps on each parameter's own scale: a mean by 1e-4 of its
        feature's standard deviation, ``Sigma_ab`` by 1e-4 of ``sqrt(Sigma_aa Sigma_bb)``."""
        sigmas = _missing.full_covariances(params)
        sd = np.sqrt(np.diagonal(sigmas, axis1=1, axis2=2))  # (K, d)
        K = self.K
        parts = []
        if self.learn_weights:
            w = np.asarray(params.weights)
            parts.append(np.full(K - 1, 1e-4 * min(float(w.min()), 0.5)))
        parts.append(1e-4 * sd.ravel())
        if self.kind == "full":
            parts.append(1e-4 * (sd[:, self.rows] * sd[:, self.cols]).ravel())
        elif self.kind == "tied":
            parts.append(1e-4 * sd[0, self.rows] * sd[0, self.cols])
        elif self.kind == "diag":
            parts.append(1e-4 * (sd**2).ravel())
        elif self.kind == "spherical":
            parts.append(1e-4 * sd[:, 0] ** 2)
        else:
            parts.append(np.array([1e-4 * sd[0, 0] ** 2]))
        return np.concatenate(parts)


def _natural(layout: _Layout, theta: np.ndarray) -> np.ndarray:
    """``eta(theta)``: per component the coefficients of ``(1, x, vech(x x^T))``."""
    weights, means, covs = layout.unpack(theta)
    d = layout.d
    off = np.where(layout.rows == layout.cols, -0.5, -1.0)
    out = []
    for w, mu, sigma in zip(weights, means, covs):
        chol = np.linalg.cholesky(sigma)
        precision = np.linalg.inv(sigma)
        linear = precision @ mu
        log_det = 2.0 * float(np.log(np.diagonal(chol)).sum())
        const = math.log(w) - 0.5 * (d * _LOG_2PI + log_det + float(mu @ linear))
        out.append(np.concatenate([[const], linear, off * precision[layout.rows, layout.cols]]))
    return np.concatenate(out)


def _jacobian(fn: Callable[[np.ndarray], np.ndarray], theta: np.ndarray, h: np.ndarray) -> np.ndarray:
    columns = []
    for j in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[j] += h[j]
        down[j] -= h[j]
        columns.append((fn(up) - fn(down)) / (2.0 * h[j]))
    return np.stack(columns, axis=-1)


def _statistic_moments(
    X: np.ndarray, groups: list[_missing.Pattern], params: GMMParams, resp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``sum_i E[t_i | x_obs,i]`` and ``sum_i Cov[t_i | x_obs,i]``, exactly.

    ``t_i`` stacks ``z_ik (1, x_i, vech(x_i x_i^T))`` over the components; given row
    ``i``'s observed entries and component ``k``, ``x_i`` is normal with mean
    ``xhat_ik`` and covariance ``C_ik`` (zero on the observed coordinates).
    """
    K, d = params.means.shape
    rows_u, cols_u = np.triu_indices(d)
    width = 1 + d + rows_u.size
    total_mean = np.zeros(K * width)
    second = np.zeros((K * width, K * width))
    outer = np.zeros((K * width, K * width))
    for (obs, mis, rows), per_k in zip(groups, _missing._conditionals(params, groups)):
        x_o = X[np.ix_(rows, obs)]
        n_p = rows.size
        means_i = np.zeros((n_p, K * width))
        for k, c in enumerate(per_k):
            xhat = np.array(X[rows], dtype=float)
            C = np.zeros((d, d))
            if mis.size:
                xhat[:, mis] = c.conditional_mean(x_o, params.means[k, mis], params.means[k, obs])
                C[np.ix_(mis, mis)] = c.cond_cov
            m2 = np.einsum("ia,ib->iab", xhat, xhat) + C
            m3 = (
                np.einsum("ia,ib,ic->iabc", xhat, xhat, xhat)
                + np.einsum("ia,bc->iabc", xhat, C)
                + np.einsum("ib,ac->iabc", xhat, C)
                + np.einsum("ic,ab->iabc", xhat, C)
            )
            xx = np.einsum("ia,ib->iab", xhat, xhat)
            m4 = (
                np.einsum("iab,icd->iabcd", xx, xx)
                + np.einsum("iab,cd->iabcd", xx, C)
                + np.einsum("iac,bd->iabcd", xx, C)
                + np.einsum("iad,bc->iabcd", xx, C)
                + np.einsum("ibc,ad->iabcd", xx, C)
                + np.einsum("ibd,ac->iabcd", xx, C)
                + np.einsum("icd,ab->iabcd", xx, C)
                + (np.einsum("ab,cd->abcd", C, C) + np.einsum("ac,bd->abcd", C, C) + np.einsum("ad,bc->abcd", C, C))[
                    None
                ]
            )
            v2 = m2[:, rows_u, cols_u]  # (n_p, p)
            u_mean = np.concatenate([np.ones((n_p, 1)), xhat, v2], axis=1)  # E[u | k]
            block = np.zeros((n_p, width, width))
            block[:, 0, :] = u_mean
            block[:, :, 0] = u_mean
            block[:, 1 : d + 1, 1 : d + 1] = m2
            m3v = m3[:, :, rows_u, cols_u]  # (n_p, d, p): E[x_a x_b x_c], (b, c) upper
            block[:, 1 : d + 1, d + 1 :] = m3v
            block[:, d + 1 :, 1 : d + 1] = m3v.transpose(0, 2, 1)
            block[:, d + 1 :, d + 1 :] = m4[:, rows_u, cols_u][:, :, rows_u, cols_u]
            r = resp[rows, k]
            s = slice(k * width, (k + 1) * width)
            second[s, s] += np.einsum("i,iab->ab", r, block)
            means_i[:, s] = r[:, None] * u_mean
        total_mean += means_i.sum(axis=0)
        outer += means_i.T @ means_i
    return total_mean, second - outer


def observed_information(
    model: Any, data: Any, params: GMMParams, method: str = "louis"
) -> tuple[np.ndarray, np.ndarray | None, Any]:
    """``I_obs``, ``I_com`` (Louis only) at ``params``, and the layout of the parameters."""
    layout = _Layout(params, model.learn_weights)
    theta = layout.pack(params)
    h = layout.steps(params)
    if method == "hessian":

        def loglik(vector: np.ndarray) -> float:
            weights, means, covs = layout.unpack(vector)
            trial = GMMParams(weights, means, _as_type(covs, layout.kind), layout.kind)
            return float(model.loglik(data, trial))

        def gradient(vector: np.ndarray) -> np.ndarray:
            return _jacobian(lambda v: np.array([loglik(v)]), vector, h)[0]

        hessian = _jacobian(gradient, theta, h)
        return -0.5 * (hessian + hessian.T), None, layout
    resp, _ = model.e_step(data, params)
    # The information does not change when the data and the means move together: work
    # about the data's mean, so that the moments up to order four stay small.
    center = np.asarray(data.center)
    params = GMMParams(params.weights, params.means - center, params.covariances, params.covariance_type)
    theta = layout.pack(params)
    T, V = _statistic_moments(data.X - center, data.patterns, params, resp)

    def natural(vector: np.ndarray) -> np.ndarray:
        return _natural(layout, vector)

    J = _jacobian(natural, theta, h)  # (|t|, p)

    def q_gradient(vector: np.ndarray) -> np.ndarray:
        return _jacobian(natural, vector, h).T @ T

    complete = -_jacobian(q_gradient, theta, h)
    complete = 0.5 * (complete + complete.T)
    lost = J.T @ V @ J
    return complete - 0.5 * (lost + lost.T), complete, layout


def _as_type(covs: np.ndarray, kind: str) -> np.ndarray:
    if kind == "full":
        return np.array(covs)
    if kind == "tied":
        return np.array(covs[0])
    if kind == "diag":
        return np.diagonal(covs, axis1=1, axis2=2).copy()
    if kind == "spherical":
        return covs[:, 0, 0].copy()
    return np.array(covs[0, 0, 0])


def standard_errors(model: Any, data: Any, params: GMMParams, method: str = "louis") -> StandardErrors:
    information, complete, layout = observed_information(model, data, params, method)
    try:
        chol = np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the observed information at params is not positive-definite: params are not an interior "
            "maximum of the likelihood (run EM to convergence, with reg_covar=0), or the model is not "
            "identifiable (a component with almost no data, or more parameters than the data determine)"
        ) from None
    inverse = np.linalg.inv(chol)
    covariance = inverse.T @ inverse
    se = np.sqrt(np.diagonal(covariance))
    K, d = layout.K, layout.d
    at = 0
    if layout.learn_weights:
        var_last = float(covariance[: K - 1, : K - 1].sum())
        weights = np.append(se[: K - 1], math.sqrt(max(var_last, 0.0)))
        at = K - 1
    else:
        weights = np.zeros(K)
    means = se[at : at + K * d].reshape(K, d)
    at += K * d
    rest = se[at:]
    if layout.kind in ("full", "tied"):
        tri = rest.reshape(-1, layout.rows.size)
        cov = np.zeros((tri.shape[0], d, d))
        cov[:, layout.rows, layout.cols] = tri
        cov[:, layout.cols, layout.rows] = tri
        covariances = cov if layout.kind == "full" else cov[0]
    elif layout.kind == "tied_spherical":
        covariances = np.array(rest[0])
    else:
        covariances = rest.reshape(np.shape(params.covariances))
    return StandardErrors(weights, means, covariances, covariance, information, layout.names, method, complete)
