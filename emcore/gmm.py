"""Gaussian mixtures fitted by EM: soft clustering of continuous data.

Each observation ``x_i`` (a row of ``n_features`` numbers, e.g. one sample's
expression of ``d`` genes) comes from one of ``K`` components; which one is the
missing datum ``z_i``. Component ``k`` is chosen with probability ``w_k`` and is a
multivariate normal with mean ``mu_k`` and covariance ``Sigma_k``::

    P(x_i, z_i = k) = w_k N(x_i; mu_k, Sigma_k).

E-step
    The responsibility ``r_ik = P(z_i = k | x_i)`` is Bayes' rule, computed in log
    space: ``log N(x; mu, Sigma) = -d/2 log(2 pi) + log det P - |(x - mu) P|^2 / 2``
    with ``P`` the upper-triangular Cholesky factor of the precision
    (``P P^T = Sigma^{-1}``), then log-sum-exp over the components.
M-step
    ``n_k = sum_i r_ik``; ``w_k = n_k / n``; ``mu_k = sum_i r_ik x_i / n_k``; the
    covariance is the responsibility-weighted scatter about ``mu_k`` divided by
    ``n_k``, constrained by ``covariance_type``, plus ``reg_covar`` on its diagonal.

Covariance types (``covariances`` shapes as in scikit-learn; mclust's names in
brackets):

``"full"``            (VVV) each component its own covariance, shape (K, d, d);
``"tied"``            (EEE) one covariance shared by all components, shape (d, d);
``"diag"``            (VVI) each component a diagonal covariance, shape (K, d);
``"spherical"``       (VII) each component ``sigma_k^2 I``, shape (K,);
``"tied_spherical"``  (EII) one ``sigma^2 I`` for all components, shape () —
                      with equal fixed weights and hard assignments, this is k-means.

Every log-likelihood is a natural log summed over the samples (not a mean).

``reg_covar`` keeps a component that collapses onto a few points from a singular
covariance (the likelihood is unbounded there). It is added after the maximisation,
as scikit-learn does, so the M-step is the exact maximiser only for
``reg_covar = 0``; for ``reg_covar`` far below the variances in the data the
difference is below rounding error.
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import lapack
from scipy.special import logsumexp, xlogy

from . import _gmm_kernels as kernels

__all__ = [
    "COVARIANCE_TYPES",
    "GaussianMixture",
    "GMMData",
    "GMMParams",
    "kmeans_plusplus",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical", "tied_spherical")
_INITS = ("kmeans++", "random")
_EPS = np.finfo(float).eps


def _covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple[int, ...]:
    return {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
        "tied_spherical": (),
    }[covariance_type]


def _check_covariance_type(covariance_type: Any) -> str:
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {list(COVARIANCE_TYPES)}; got {covariance_type!r}")
    return covariance_type


# -- data ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GMMData:
    """Continuous observations for a Gaussian mixture.

    Attributes
    ----------
    X : ndarray of float64, shape (n_samples, n_features)
        The observations (read-only, C-contiguous).
    center : ndarray, shape (n_features,)
        Their mean; the computations centre the data on it to avoid cancellation.
    """

    X: np.ndarray
    center: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        X = _as_data_matrix(self.X)
        object.__setattr__(self, "X", X)
        center = X.mean(axis=0)
        center.setflags(write=False)
        object.__setattr__(self, "center", center)

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
            Xc = self.X[rows] - self.center
            total += Xc.T @ Xc
        return 0.5 * (total + total.T)


def _as_data_matrix(values: Any) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"data must be a 2-D array of numbers (samples x features); got a string {values!r}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise ValueError(f"data must be a 2-D array of numbers (samples x features); {exc}") from None
    if array.dtype == object or array.dtype.kind in "USVc":
        raise TypeError(f"data must hold real numbers; got values of type {array.dtype}")
    if array.ndim != 2:
        hint = " (for one feature, use x.reshape(-1, 1))" if array.ndim == 1 else ""
        raise ValueError(f"data must be 2-D (samples x features); got an array of shape {array.shape}{hint}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"data is empty: got shape {array.shape}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"data must be finite; sample {i}, feature {j} is {array[i, j]} "
            f"({int(bad.sum())} non-finite entries in all)"
        )
    if array.base is not None or array is values:
        array = array.copy()
    array.setflags(write=False)
    return array


# -- parameters -----------------------------------------------------------------------
class _NotPositiveDefinite(ValueError):
    def __init__(self, component: int | None):
        self.component = component
        where = "the shared covariance" if component is None else f"the covariance of component {component}"
        super().__init__(f"{where} is not positive-definite")


def _precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Cholesky factors of the precisions, in the layout of ``covariances``.

    ``"full"``/``"tied"``: upper-triangular ``P`` with ``P P^T = Sigma^{-1}``;
    ``"diag"``/``"spherical"``/``"tied_spherical"``: ``1 / sqrt(variance)``.
    """
    if covariance_type in ("full", "tied"):
        stack = covariances[None] if covariance_type == "tied" else covariances
        out = np.empty_like(stack)
        for k, cov in enumerate(stack):
            try:
                chol = np.linalg.cholesky(cov)
            except np.linalg.LinAlgError:
                raise _NotPositiveDefinite(None if covariance_type == "tied" else k) from None
            inverse, info = lapack.dtrtri(chol, lower=1)  # L^{-1}, lower-triangular
            if info != 0:
                raise _NotPositiveDefinite(None if covariance_type == "tied" else k)
            out[k] = inverse.T  # P = L^{-T}: P P^T = (L L^T)^{-1}
        return out[0] if covariance_type == "tied" else out
    bad = ~(covariances > 0)
    if np.any(bad):
        if covariance_type == "tied_spherical":
            raise _NotPositiveDefinite(None)
        raise _NotPositiveDefinite(int(np.argwhere(bad)[0][0]))
    return 1.0 / np.sqrt(covariances)


def _readonly(values: Any) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class GMMParams:
    """Parameters of a Gaussian mixture.

    Attributes
    ----------
    weights : ndarray, shape (n_components,)
        Mixing proportions (non-negative, sum to 1).
    means : ndarray, shape (n_components, n_features)
    covariances : ndarray
        Shape (K, d, d) for "full", (d, d) for "tied", (K, d) for "diag", (K,) for
        "spherical", () for "tied_spherical".
    covariance_type : str
        One of :data:`COVARIANCE_TYPES`.
    precisions_cholesky : ndarray
        Computed: Cholesky factors of the precisions in the layout of
        ``covariances`` (see :func:`_precision_cholesky`).

    Raises
    ------
    ValueError
        For shapes that do not fit together, non-finite values, weights that are not
        a probability vector, or a covariance that is not positive-definite.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    precisions_cholesky: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        kind = _check_covariance_type(self.covariance_type)
        weights = _readonly(self.weights)
        means = _readonly(self.means)
        covariances = _readonly(self.covariances)
        if means.ndim != 2:
            raise ValueError(f"means must have shape (n_components, n_features); got {means.shape}")
        n_components, n_features = means.shape
        if weights.shape != (n_components,):
            raise ValueError(f"weights must have shape ({n_components},), one per component; got {weights.shape}")
        expected = _covariance_shape(kind, n_components, n_features)
        if covariances.shape != expected:
            raise ValueError(f"{kind!r} covariances must have shape {expected}; got {covariances.shape}")
        for name, values in (("weights", weights), ("means", means), ("covariances", covariances)):
            if not np.all(np.isfinite(values)):
                raise ValueError(f"{name} must be finite; got {values.tolist()}")
        if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be non-negative and sum to 1; got {weights.tolist()}")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covariances)
        precisions_cholesky = _precision_cholesky(covariances, kind)
        precisions_cholesky.setflags(write=False)
        object.__setattr__(self, "precisions_cholesky", precisions_cholesky)

    @property
    def n_components(self) -> int:
        return int(self.means.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.means.shape[1])

    def full_covariances(self) -> np.ndarray:
        """Every component's covariance as a full matrix, shape (K, d, d)."""
        K, d = self.means.shape
        cov = self.covariances
        if self.covariance_type == "full":
            return cov.copy()
        if self.covariance_type == "tied":
            return np.broadcast_to(cov, (K, d, d)).copy()
        if self.covariance_type == "diag":
            return np.einsum("ka,ab->kab", cov, np.eye(d))
        variances = np.broadcast_to(cov, (K,))  # spherical or tied_spherical
        return variances[:, None, None] * np.eye(d)

    def _precision_cholesky_stack(self) -> np.ndarray:
        """The precision Cholesky factors as full matrices, shape (K, d, d)."""
        K, d = self.means.shape
        pc = self.precisions_cholesky
        if self.covariance_type == "full":
            return pc
        if self.covariance_type == "tied":
            return np.broadcast_to(pc, (K, d, d))
        if self.covariance_type == "diag":
            return np.einsum("ka,ab->kab", pc, np.eye(d))
        return np.broadcast_to(pc, (K,))[:, None, None] * np.eye(d)

    def __repr__(self) -> str:
        w = ", ".join(f"{x:.4g}" for x in self.weights)
        return (
            f"GMMParams(n_components={self.n_components}, n_features={self.n_features}, "
            f"covariance_type={self.covariance_type!r}, weights=[{w}])"
        )


# -- k-means++ ------------------------------------------------------------------------
def kmeans_plusplus(X: Any, n_clusters: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007): ``n_clusters`` rows of ``X``.

    The first seed is a uniformly chosen sample; each next one is a sample chosen
    with probability proportional to its squared distance to the nearest seed so far.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    n_clusters : int
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n_clusters, n_features)
        The chosen rows (copies).
    """
    X = X.X if isinstance(X, GMMData) else _as_data_matrix(X)
    n = X.shape[0]
    if n < n_clusters:
        raise ValueError(f"k-means++ needs at least n_clusters={n_clusters} samples; got {n}")
    index = [int(rng.integers(n))]
    d2 = np.einsum("ij,ij->i", X - X[index[0]], X - X[index[0]])
    for _ in range(1, n_clusters):
        cumulative = np.cumsum(d2)
        if cumulative[-1] > 0:
            i = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
            i = min(i, n - 1)
        else:  # every sample sits on a seed already
            i = int(rng.integers(n))
        index.append(i)
        diff = X - X[i]
        np.minimum(d2, np.einsum("ij,ij->i", diff, diff), out=d2)
    return X[index].copy()


# -- the model ------------------------------------------------------------------------
class GaussianMixture:
    """A mixture of ``n_components`` multivariate normals, for :func:`emcore.fit_em`.

    Parameters
    ----------
    n_components : int
        Number of components ``K``, at least 1.
    covariance_type : str
        ``"full"`` (default), ``"tied"``, ``"diag"``, ``"spherical"`` or
        ``"tied_spherical"`` (see the module docstring).
    reg_covar : float
        Added to the diagonal of every covariance in the M-step (default 1e-6, as
        in scikit-learn), so that a component collapsing onto a point keeps a
        positive-definite covariance. Scale the data so that it is small against
        their variances.
    init : {"kmeans++", "random"}
        How :meth:`initial_params` draws a start: k-means++ seeds, each sample
        assigned to its nearest seed, then an M-step ("kmeans++"); or random
        responsibilities (uniform, normalised per sample), then an M-step
        ("random"). Pass ``init=`` to :func:`emcore.fit_em` for your own start.
    learn_weights : bool
        True (default) estimates the mixing proportions; False keeps the weights of
        the start (equal, for the model's own starts).

    Notes
    -----
    The posterior over completions is an ``(n_samples, n_components)`` array of
    responsibilities. The E-step and M-step each make one pass over the data through
    a few large matrix products (see :mod:`emcore._gmm_kernels`).
    """

    def __init__(
        self,
        n_components: int = 2,
        covariance_type: str = "full",
        reg_covar: float = 1e-6,
        init: str = "kmeans++",
        learn_weights: bool = True,
    ):
        if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
            raise TypeError(f"n_components must be an integer >= 1; got {n_components!r}")
        if n_components < 1:
            raise ValueError(f"n_components must be an integer >= 1; got {n_components}")
        self.n_components = int(n_components)
        self.covariance_type = _check_covariance_type(covariance_type)
        if isinstance(reg_covar, bool) or not isinstance(reg_covar, numbers.Real) or not (
            reg_covar >= 0 and math.isfinite(reg_covar)
        ):
            raise ValueError(f"reg_covar must be a finite number >= 0; got {reg_covar!r}")
        self.reg_covar = float(reg_covar)
        if init not in _INITS:
            raise ValueError(f"init must be one of {list(_INITS)}; got {init!r}")
        self.init = init
        if not isinstance(learn_weights, bool):
            raise TypeError(f"learn_weights must be True or False; got {learn_weights!r}")
        self.learn_weights = learn_weights

    def __repr__(self) -> str:
        return (
            f"GaussianMixture(n_components={self.n_components}, "
            f"covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar!r}, "
            f"init={self.init!r}, learn_weights={self.learn_weights})"
        )

    # -- the EM model protocol ---------------------------------------------------------
    def prepare(self, data: Any) -> GMMData:
        """Validate ``data`` (an array of shape (n_samples, n_features) or a GMMData)."""
        if not isinstance(data, GMMData):
            data = GMMData(data)
        if data.n_samples < self.n_components:
            raise ValueError(
                f"fewer samples ({data.n_samples}) than components ({self.n_components}): "
                "each component needs data; use fewer components"
            )
        return data

    def initial_params(self, data: GMMData, rng: np.random.Generator) -> GMMParams:
        """A start drawn with ``rng`` according to ``self.init`` (see the class docs)."""
        data = self.prepare(data)
        K = self.n_components
        if self.init == "kmeans++":
            seeds = kmeans_plusplus(data.X, K, rng)
            resp = _nearest_onehot(data, seeds)
        else:
            seeds = np.broadcast_to(data.center, (K, data.n_features))
            resp = rng.uniform(size=(data.n_samples, K))
            resp /= resp.sum(axis=1, keepdims=True)
        # Fallback for a component that receives no data: its seed, the data's spread.
        spread = data.scatter / data.n_samples + self.reg_covar * np.eye(data.n_features)
        fallback = GMMParams(
            weights=np.full(K, 1.0 / K),
            means=seeds,
            covariances=_constrain(np.broadcast_to(spread, (K,) + spread.shape), self.covariance_type),
            covariance_type=self.covariance_type,
        )
        start = self.m_step(data, resp, fallback)
        if not self.learn_weights:
            start = GMMParams(np.full(K, 1.0 / K), start.means, start.covariances, self.covariance_type)
        return start

    def coerce_params(self, init: Any, data: Any = None) -> GMMParams:
        """Validate a :class:`GMMParams` or a mapping of its fields.

        A mapping needs ``"means"`` (shape (K, d)); ``"weights"`` default to equal and
        ``"covariances"`` to the covariance of the data (in the shape of
        ``covariance_type``, plus ``reg_covar``); ``"precisions"`` may be given
        instead of ``"covariances"``.
        """
        if isinstance(init, GMMParams):
            fields = {"weights": init.weights, "means": init.means, "covariances": init.covariances}
            if init.covariance_type != self.covariance_type:
                raise ValueError(
                    f"this model has covariance_type={self.covariance_type!r}; the parameters "
                    f"have {init.covariance_type!r}"
                )
        elif isinstance(init, Mapping):
            unknown = set(init) - {"weights", "means", "covariances", "precisions"}
            if unknown:
                raise ValueError(
                    "mixture parameters are 'weights', 'means' and 'covariances' (or "
                    f"'precisions'); got unknown keys {sorted(unknown)}"
                )
            if "means" not in init:
                raise ValueError("mixture parameters need 'means', shape (n_components, n_features)")
            if "covariances" in init and "precisions" in init:
                raise ValueError("give 'covariances' or 'precisions', not both")
            fields = dict(init)
        else:
            raise TypeError(
                "init must be a GMMParams or a mapping like {'means': ..., 'covariances': ...}; "
                f"got {type(init).__name__}"
            )
        K = self.n_components
        means = _as_float_array(fields["means"], "means")
        if means.ndim != 2 or means.shape[0] != K:
            raise ValueError(f"means must have shape ({K}, n_features), one row per component; got {means.shape}")
        d = means.shape[1]
        if data is not None:
            data = self.prepare(data)
            if data.n_features != d:
                raise ValueError(f"means have {d} features but the data have {data.n_features}")
        weights = _as_float_array(fields.get("weights", np.full(K, 1.0 / K)), "weights")
        if weights.shape != (K,):
            raise ValueError(f"weights must have shape ({K},), one per component; got {weights.shape}")
        if np.any(weights <= 0) or abs(weights.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be positive and sum to 1; got {weights.tolist()}")
        if not self.learn_weights and not np.allclose(weights, 1.0 / K, rtol=0, atol=1e-12):
            raise ValueError(
                f"this model keeps the weights fixed and equal (1/{K}); got {weights.tolist()}. "
                "Use learn_weights=True to estimate them."
            )
        expected = _covariance_shape(self.covariance_type, K, d)
        if "precisions" in fields:
            precisions = _as_float_array(fields["precisions"], "precisions")
            if precisions.shape != expected:
                raise ValueError(
                    f"{self.covariance_type!r} precisions must have shape {expected}; got {precisions.shape}"
                )
            covariances = _invert_precisions(precisions, self.covariance_type)
        elif "covariances" in fields:
            covariances = _as_float_array(fields["covariances"], "covariances")
        else:
            if data is None:
                raise ValueError("without data, the starting parameters need 'covariances'")
            spread = data.scatter / data.n_samples + self.reg_covar * np.eye(d)
            covariances = _constrain(np.broadcast_to(spread, (K, d, d)), self.covariance_type)
        if covariances.shape != expected:
            raise ValueError(
                f"{self.covariance_type!r} covariances must have shape {expected}; got {covariances.shape}"
            )
        _check_user_covariances(covariances, self.covariance_type)
        return GMMParams(weights, means, covariances, self.covariance_type)

    def e_step(self, data: GMMData, params: GMMParams) -> tuple[np.ndarray, float]:
        """Responsibilities, shape (n_samples, n_components), and the total log-likelihood."""
        wh = self._whitening(data, params)
        return kernels.responsibilities(data.X, data.center, wh)

    def hard_e_step(self, data: GMMData, params: GMMParams) -> tuple[np.ndarray, float, float]:
        """Each sample to its most probable component (ties to the first).

        Returns the one-hot responsibilities, the observed-data log-likelihood and
        the classification log-likelihood ``sum_i max_k log P(x_i, z_i = k)``.
        """
        lj = self._log_joint(data, params)
        best = np.argmax(lj, axis=1)
        rows = np.arange(lj.shape[0])
        onehot = np.zeros_like(lj)
        onehot[rows, best] = 1.0
        return onehot, float(logsumexp(lj, axis=1).sum()), float(lj[rows, best].sum())

    def m_step(self, data: GMMData, posterior: np.ndarray, params: GMMParams) -> GMMParams:
        """Weights, means and covariances that maximise the expected complete-data log-likelihood.

        A component whose responsibilities sum to (almost) nothing keeps its mean and
        covariance and gets weight 0 (possible in hard EM).

        Raises
        ------
        ValueError
            If a covariance cannot be factorised (a component collapsed), naming the
            fixes.
        """
        resp = np.asarray(posterior, dtype=float)
        if resp.shape != (data.n_samples, self.n_components):
            raise ValueError(
                f"posterior must have shape {(data.n_samples, self.n_components)} (samples x components); "
                f"got {resp.shape}"
            )
        kind = self.covariance_type
        nk, first = kernels.weighted_sums(data.X, data.center, resp)
        alive = nk > 10 * _EPS  # a component with no data keeps its place
        nk_safe = np.where(alive, nk, 1.0)
        means = np.where(alive[:, None], data.center + first / nk_safe[:, None], params.means)
        d = data.n_features
        diagonal = kind in ("diag", "spherical")
        scatter = kernels.weighted_scatter(data.X, resp, means, diagonal)
        if kind == "full":
            cov = scatter / nk_safe[:, None, None] + self.reg_covar * np.eye(d)
            covariances = np.where(alive[:, None, None], cov, params.covariances)
        elif diagonal:
            var = scatter / nk_safe[:, None] + self.reg_covar
            if kind == "spherical":
                covariances = np.where(alive, var.mean(axis=1), params.covariances)
            else:
                covariances = np.where(alive[:, None], var, params.covariances)
        else:  # tied, tied_spherical: the scatter about each component's mean, pooled
            cov = scatter.sum(axis=0) / nk.sum() + self.reg_covar * np.eye(d)
            covariances = cov if kind == "tied" else np.array(np.trace(cov) / d)

        weights = nk / nk.sum() if self.learn_weights else params.weights
        try:
            return GMMParams(weights, means, covariances, kind)
        except _NotPositiveDefinite as exc:
            raise ValueError(
                f"EM cannot continue: {exc} (a component collapsed onto a few points, or "
                "features are (nearly) linearly dependent). Use fewer components, a larger "
                f"reg_covar (now {self.reg_covar:g}), or scale the data (e.g. standardise "
                "each feature)."
            ) from None

    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """``sum_i sum_k q_ik log P(x_i, z_i = k)``, the expected complete-data log-likelihood."""
        data, params = self._data_and_params(data, params)
        lj = self._log_joint(data, params)
        q = np.asarray(posterior, dtype=float)
        if q.shape != lj.shape:
            raise ValueError(f"posterior must have shape {lj.shape} (samples x components); got {q.shape}")
        # 0 * log 0 counts as 0: a component with weight 0 has log-joint -inf.
        mask = q > 0
        return float(np.sum(q[mask] * lj[mask]))

    def entropy(self, posterior: np.ndarray) -> float:
        """``-sum_i sum_k q_ik log q_ik`` (natural log)."""
        q = np.asarray(posterior, dtype=float)
        return float(-np.sum(xlogy(q, q)))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) ---------------------
    def to_unconstrained(self, params: GMMParams) -> np.ndarray:
        """The parameters as one unconstrained vector, for extrapolation (SQUAREM).

        In order: the weights as log-ratios ``log(w_k / w_K)``, k < K (only when
        they are learned); the means, row by row; the covariances as the log
        variances (``"diag"``, ``"spherical"``, ``"tied_spherical"``) or, for
        ``"full"`` and ``"tied"``, the lower Cholesky factor ``L`` of each covariance
        (``L L^T = Sigma``) with its diagonal on the log scale, row by row. Every
        vector maps back to valid parameters (:meth:`from_unconstrained`).
        """
        if not isinstance(params, GMMParams) or params.covariance_type != self.covariance_type:
            raise TypeError(f"params must be GMMParams with covariance_type={self.covariance_type!r}")
        parts = []
        if self.learn_weights:
            with np.errstate(divide="ignore"):
                logw = np.log(np.maximum(params.weights, np.finfo(float).tiny))
            parts.append(logw[:-1] - logw[-1])
        parts.append(params.means.ravel())
        cov = params.covariances
        if self.covariance_type in ("full", "tied"):
            stack = cov[None] if self.covariance_type == "tied" else cov
            d = params.n_features
            rows, cols = np.tril_indices(d)
            for sigma in stack:
                L = np.linalg.cholesky(sigma)
                L[np.diag_indices(d)] = np.log(np.diagonal(L))
                parts.append(L[rows, cols])
        else:
            parts.append(np.log(np.atleast_1d(cov)).ravel())
        return np.concatenate(parts)

    def from_unconstrained(self, vector: Any, like: GMMParams) -> GMMParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the shapes (and the weights when they are not learned).

        Raises
        ------
        ValueError
            For a vector of the wrong length, or one whose values overflow (the
            covariance it encodes cannot be factorised).
        """
        v = np.asarray(vector, dtype=float)
        K, d = like.n_components, like.n_features
        n_cov = {"full": K * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": K * d, "spherical": K,
                 "tied_spherical": 1}[self.covariance_type]
        n_w = K - 1 if self.learn_weights else 0
        expected = n_w + K * d + n_cov
        if v.shape != (expected,):
            raise ValueError(f"vector must have shape ({expected},) for this mixture; got {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError("vector must be finite")
        if self.learn_weights:
            logits = np.append(v[:n_w], 0.0)
            weights = np.exp(logits - logsumexp(logits))
        else:
            weights = like.weights
        means = v[n_w:n_w + K * d].reshape(K, d)
        c = v[n_w + K * d:]
        with np.errstate(over="ignore"):
            if self.covariance_type in ("full", "tied"):
                m = 1 if self.covariance_type == "tied" else K
                rows, cols = np.tril_indices(d)
                stack = np.zeros((m, d, d))
                for k, chunk in enumerate(c.reshape(m, -1)):
                    L = np.zeros((d, d))
                    L[rows, cols] = chunk
                    L[np.diag_indices(d)] = np.exp(np.diagonal(L))
                    stack[k] = L @ L.T
                covariances = stack[0] if self.covariance_type == "tied" else stack
            else:
                covariances = np.exp(c).reshape(_covariance_shape(self.covariance_type, K, d))
        try:
            return GMMParams(weights, means, covariances, self.covariance_type)
        except _NotPositiveDefinite as exc:
            raise ValueError(f"the vector encodes invalid parameters: {exc}") from None

    # -- what a user asks of a fitted mixture -------------------------------------------
    def log_joint(self, data: Any, params: Any) -> np.ndarray:
        """``log w_k + log N(x_i; mu_k, Sigma_k)``, shape (n_samples, n_components)."""
        return self._log_joint(*self._data_and_params(data, params))

    def score_samples(self, data: Any, params: Any) -> np.ndarray:
        """Each sample's log density ``log P(x_i)``, shape (n_samples,)."""
        return logsumexp(self.log_joint(data, params), axis=1)

    def loglik(self, data: Any, params: Any) -> float:
        """Total observed-data log-likelihood ``sum_i log P(x_i)`` (natural log)."""
        data, params = self._data_and_params(data, params)
        return self.e_step(data, params)[1]

    def responsibilities(self, data: Any, params: Any) -> np.ndarray:
        """Posterior probability of each component for each sample, shape (n_samples, n_components)."""
        data, params = self._data_and_params(data, params)
        return self.e_step(data, params)[0]

    def predict(self, data: Any, params: Any) -> np.ndarray:
        """Hard labels: each sample's most probable component, shape (n_samples,)."""
        return np.argmax(self.log_joint(data, params), axis=1)

    def uncertainty(self, data: Any, params: Any) -> np.ndarray:
        """``1 - max_k r_ik``: 0 for a sure assignment, up to ``1 - 1/K``. Shape (n_samples,)."""
        return 1.0 - self.responsibilities(data, params).max(axis=1)

    def n_parameters(self, n_features: int) -> int:
        """Number of free parameters: means, covariances and (if learned) ``K - 1`` weights."""
        K, d = self.n_components, int(n_features)
        cov = {
            "full": K * d * (d + 1) // 2,
            "tied": d * (d + 1) // 2,
            "diag": K * d,
            "spherical": K,
            "tied_spherical": 1,
        }[self.covariance_type]
        return K * d + cov + (K - 1 if self.learn_weights else 0)

    def bic(self, data: Any, params: Any) -> float:
        """Bayesian information criterion ``-2 log L + p log n``: lower is better.

        This is scikit-learn's sign convention; mclust reports ``2 log L - p log n``,
        the negative, and there higher is better.
        """
        data, params = self._data_and_params(data, params)
        return -2.0 * self.loglik(data, params) + self.n_parameters(data.n_features) * math.log(data.n_samples)

    def aic(self, data: Any, params: Any) -> float:
        """Akaike information criterion ``-2 log L + 2 p``: lower is better."""
        data, params = self._data_and_params(data, params)
        return -2.0 * self.loglik(data, params) + 2.0 * self.n_parameters(data.n_features)

    # -- internals ----------------------------------------------------------------------
    def _data_and_params(self, data: Any, params: Any) -> tuple[GMMData, GMMParams]:
        data = self.prepare(data)
        if not isinstance(params, GMMParams) or params.covariance_type != self.covariance_type:
            params = self.coerce_params(params, data)
        if params.n_components != self.n_components or params.n_features != data.n_features:
            raise ValueError(
                f"parameters for {params.n_components} components x {params.n_features} features "
                f"do not fit this model and data ({self.n_components} x {data.n_features})"
            )
        return data, params

    def _whitening(self, data: GMMData, params: GMMParams) -> kernels.Whitening:
        if params.n_features != data.n_features:
            raise ValueError(f"parameters have {params.n_features} features but the data have {data.n_features}")
        return kernels.whitening(params.weights, params.means, params._precision_cholesky_stack(), data.center)

    def _log_joint(self, data: GMMData, params: GMMParams) -> np.ndarray:
        return kernels.log_joint(data.X, data.center, self._whitening(data, params))


# -- helpers --------------------------------------------------------------------------
def _as_float_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers; got a string {values!r}")
    try:
        array = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers; got {values!r}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {array.tolist()}")
    return array


def _check_user_covariances(covariances: np.ndarray, covariance_type: str) -> None:
    if covariance_type in ("full", "tied"):
        stack = covariances[None] if covariance_type == "tied" else covariances
        for k, cov in enumerate(stack):
            where = "the tied covariance" if covariance_type == "tied" else f"covariances[{k}]"
            if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * np.abs(cov).max()):
                raise ValueError(f"{where} must be symmetric; got {cov.tolist()}")
    try:
        _precision_cholesky(covariances, covariance_type)
    except _NotPositiveDefinite as exc:
        raise ValueError(f"starting covariances: {exc}; got {covariances.tolist()}") from None


def _invert_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    if covariance_type in ("full", "tied"):
        try:
            _precision_cholesky(precisions, covariance_type)  # checks positive-definite
        except _NotPositiveDefinite as exc:
            raise ValueError(f"starting precisions: {str(exc).replace('covariance', 'precision')}") from None
        return np.linalg.inv(precisions)
    if np.any(~(precisions > 0)):
        raise ValueError(f"starting precisions must be positive; got {precisions.tolist()}")
    return 1.0 / precisions


def _constrain(full: np.ndarray, covariance_type: str) -> np.ndarray:
    """Full covariances (K, d, d) in the shape of ``covariance_type`` (shared ones averaged)."""
    if covariance_type == "full":
        return np.array(full)
    if covariance_type == "diag":
        return np.diagonal(full, axis1=1, axis2=2).copy()
    if covariance_type == "spherical":
        return np.diagonal(full, axis1=1, axis2=2).mean(axis=1)
    pooled = full.mean(axis=0)
    return pooled if covariance_type == "tied" else np.array(np.trace(pooled) / pooled.shape[0])


def _nearest_onehot(data: GMMData, centres: np.ndarray) -> np.ndarray:
    """One-hot responsibilities: each sample to its nearest centre (Euclidean)."""
    d2 = np.empty((data.n_samples, centres.shape[0]))
    for k, c in enumerate(centres):
        diff = data.X - c
        d2[:, k] = np.einsum("ij,ij->i", diff, diff)
    onehot = np.zeros_like(d2)
    onehot[np.arange(data.n_samples), np.argmin(d2, axis=1)] = 1.0
    return onehot
