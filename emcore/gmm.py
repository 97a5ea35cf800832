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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import lapack
from scipy.special import logsumexp, xlogy

from . import _gmm_kernels as kernels
from ._validation import (
    as_float_array,
    check_choice,
    check_flag,
    check_int,
    check_posterior,
    check_real,
    check_seed,
    describe,
    readonly,
)

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
    return check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)


#: The largest ``n * sum_a span_a^2`` (samples times the squared ranges of the
#: features) accepted in data: every second moment the fit forms (the scatter, the
#: k-means++ distances, a covariance plus ``reg_covar``) stays below it, far from the
#: float64 maximum (about 1.8e308).
_MAX_SECOND_MOMENT = float(np.finfo(float).max) / 2.0**20
#: The largest ``reg_covar``: far above any variance a fit can use, far below overflow.
_MAX_REG_COVAR = 1e300


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

    @functools.cached_property
    def _n_distinct_projections(self) -> int:
        """Distinct values of one fixed projection of the rows: a lower bound on the
        number of distinct rows, in one O(n d) pass and a sort of n numbers."""
        weights = 1.0 / np.sqrt(np.arange(self.n_features) + np.pi)
        return int(np.unique(self.X @ weights).size)

    @functools.cached_property
    def _n_distinct_rows(self) -> int:
        return int(np.unique(self.X, axis=0).shape[0])

    def _n_distinct_at_least(self, k: int) -> int:
        """The number of distinct rows if it is below ``k``, else a number >= ``k``."""
        if k <= 1:
            return self.n_samples
        bound = self._n_distinct_projections
        return bound if bound >= k else self._n_distinct_rows


_DATA = "a 2-D array of numbers (samples x features)"


def _as_data_matrix(values: Any, name: str = "data") -> np.ndarray:
    """``values`` as a read-only C-contiguous float64 matrix of finite real numbers,
    small enough that its second moments cannot overflow (see :func:`_check_scale`)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be {_DATA}; got a string {describe(values)}")
    if values is None:
        raise TypeError(f"{name} must be {_DATA}; got None")
    if not isinstance(values, np.ndarray):
        try:
            np.asarray(values)
        except (TypeError, ValueError):  # ragged nested lists
            raise ValueError(f"{name} must be {_DATA}; {_ragged(values)}") from None
    with np.errstate(over="ignore", invalid="ignore"):  # a long double beyond float64 becomes inf
        array = as_float_array(values, name, finite=False, min_size=0)
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = (
                f" (one feature: pass it as a column, x.reshape(-1, 1), shape ({array.size}, 1); "
                f"one sample: x.reshape(1, -1))"
            )
        elif array.ndim == 0:
            hint = " (a single number is not a data set)"
        raise ValueError(f"{name} must be 2-D (samples x features); got an array of shape {array.shape}{hint}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name} is empty: got shape {array.shape} (at least one sample and one feature are needed)"
        )
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must be finite; sample {i}, feature {j} is {array[i, j]} "
            f"({int(bad.sum())} non-finite entries in all)"
        )
    _check_scale(array, name)
    if array.base is not None or array is values:
        array = array.copy()
    array.setflags(write=False)
    return array


def _ragged(values: Any) -> str:
    """Why a nested sequence does not form a matrix: which row differs in length."""
    try:
        lengths = [len(row) for row in values]
    except TypeError:
        return "the rows are not all sequences of the same length (a ragged list)"
    for i, length in enumerate(lengths):
        if length != lengths[0]:
            return f"the rows have different lengths (row 0 has {lengths[0]} values, row {i} has {length})"
    return "the rows do not form a rectangular array of numbers"


def _check_scale(X: np.ndarray, name: str) -> None:
    """Refuse data whose second moments would overflow float64.

    ``sum_i |x_i - c|^2 <= n * sum_a span_a^2`` bounds the scatter, the k-means++
    distances and every covariance the M-step forms (``span_a``: the range of feature
    ``a`` plus the rounding error of a mean of its values); ``n * max |x|`` bounds the sums
    behind the means. Both must stay below :data:`_MAX_SECOND_MOMENT`. O(n d).
    """
    n = X.shape[0]
    hi, lo = X.max(axis=0), X.min(axis=0)
    with np.errstate(over="ignore"):
        largest = np.maximum(np.abs(hi), np.abs(lo))
        # How far a sample can be from a mean: the range, plus the rounding of a mean
        # of n numbers (for data far from 0 with a tiny range, that rounding dominates).
        span = (hi - lo) + (4.0 * (n + 1) * _EPS) * largest  # inf when it overflows
    limit = math.log(_MAX_SECOND_MOMENT)
    worst = float(span.max())
    too_big = not math.isfinite(worst)
    if not too_big and worst > 0:
        share = float(np.sum((span / worst) ** 2))
        too_big = math.log(n) + 2.0 * math.log(worst) + math.log(share) > limit
    top = float(largest.max())
    if not too_big and top > 0:
        too_big = math.log(n) + math.log(top) > limit
    if too_big:
        j = int(np.argmax(np.where(np.isfinite(span), span, np.inf))) if worst > 0 else int(np.argmax(largest))
        raise ValueError(
            f"{name}: values too large for float64 arithmetic: feature {j} reaches {largest[j]:.3g} "
            f"(it ranges from {lo[j]:.3g} to {hi[j]:.3g}), and the second moments of {n} such samples "
            "(sums of squares about the mean) overflow. "
            "Rescale the data first (e.g. standardise each feature, or divide by a power of ten)."
        )


# -- parameters -----------------------------------------------------------------------
class _NotPositiveDefinite(Exception):
    """Raised by :func:`_precision_cholesky`; never leaves this module (each caller turns it
    into a :class:`ValueError` that says what to do)."""

    def __init__(self, component: int | None):
        self.component = component
        where = "the shared covariance" if component is None else f"the covariance of component {component}"
        super().__init__(f"{where} is not positive-definite")


def _not_positive_definite(message: str, where: str) -> ValueError:
    """A plain ValueError, marked (``not_positive_definite``) so that the M-step and the
    start can replace it with advice that knows ``reg_covar``."""
    error = ValueError(message)
    error.not_positive_definite = where  # type: ignore[attr-defined]
    return error


def _singular_fixes(reg_covar: float) -> str:
    """The advice every "not positive-definite" message ends with."""
    return (
        f"Use fewer components, a larger reg_covar (now {reg_covar:g}), or scale the data "
        "(e.g. standardise each feature)."
    )


def _check_symmetric(matrices: np.ndarray, covariance_type: str, name: str) -> None:
    """Full and tied covariances (or precisions) must be symmetric (to rounding)."""
    if covariance_type not in ("full", "tied"):
        return
    stack = matrices[None] if covariance_type == "tied" else matrices
    scale = np.abs(stack).max(axis=(1, 2), keepdims=True)
    off = np.abs(stack - stack.transpose(0, 2, 1)) > 1e-10 * np.abs(stack) + 1e-12 * scale
    if off.any():
        k, i, j = (int(v) for v in np.argwhere(off)[0])
        where = f"the tied {name[:-1]}" if covariance_type == "tied" else f"{name}[{k}]"
        raise ValueError(
            f"{where} must be symmetric; entry [{i}, {j}] is {float(stack[k, i, j])!r} but [{j}, {i}] is "
            f"{float(stack[k, j, i])!r} (got {stack[k].tolist()})"
        )


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
        weights = readonly(as_float_array(self.weights, "weights"))
        means = readonly(as_float_array(self.means, "means"))
        covariances = readonly(as_float_array(self.covariances, "covariances"))
        if means.ndim != 2:
            raise ValueError(f"means must have shape (n_components, n_features); got {means.shape}")
        n_components, n_features = means.shape
        if weights.shape != (n_components,):
            raise ValueError(f"weights must have shape ({n_components},), one per component; got {weights.shape}")
        expected = _covariance_shape(kind, n_components, n_features)
        if covariances.shape != expected:
            raise ValueError(f"{kind!r} covariances must have shape {expected}; got {covariances.shape}")
        if np.any(weights < 0) or abs(weights.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be non-negative and sum to 1; got {weights.tolist()}")
        _check_symmetric(covariances, kind, "covariances")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covariances)
        try:
            precisions_cholesky = _precision_cholesky(covariances, kind)
        except _NotPositiveDefinite as exc:
            raise _not_positive_definite(
                f"covariances: {exc} (every covariance needs positive eigenvalues)", str(exc)
            ) from None
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
        (or a seed for :func:`numpy.random.default_rng`: None or a non-negative int)

    Returns
    -------
    ndarray, shape (n_clusters, n_features)
        The chosen rows (copies).
    """
    X = X.X if isinstance(X, GMMData) else _as_data_matrix(X, "X")
    n_clusters = check_int(n_clusters, "n_clusters", minimum=1)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(check_seed(rng, "rng"))
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
        self.n_components = check_int(n_components, "n_components", minimum=1)
        self.covariance_type = _check_covariance_type(covariance_type)
        self.reg_covar = check_real(reg_covar, "reg_covar", minimum=0, maximum=_MAX_REG_COVAR)
        self.init = check_choice(init, "init", _INITS)
        self.learn_weights = check_flag(learn_weights, "learn_weights")

    def __repr__(self) -> str:
        return (
            f"GaussianMixture(n_components={self.n_components}, "
            f"covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar!r}, "
            f"init={self.init!r}, learn_weights={self.learn_weights})"
        )

    # -- the EM model protocol ---------------------------------------------------------
    def prepare(self, data: Any) -> GMMData:
        """Validate ``data`` (an array of shape (n_samples, n_features) or a GMMData)
        for a fit: at least ``n_components`` samples, and at least that many distinct
        ones (a component with no data of its own is not identifiable)."""
        if not isinstance(data, GMMData):
            data = GMMData(data)
        K = self.n_components
        if data.n_samples < K:
            raise ValueError(
                f"fewer samples ({data.n_samples}) than components ({K}): "
                "each component needs data; use fewer components"
            )
        distinct = data._n_distinct_at_least(K)
        if distinct < K:
            raise ValueError(
                f"data have only {distinct} distinct row{'s' if distinct != 1 else ''} (samples) among "
                f"{data.n_samples}, fewer than n_components={K}: the components beyond {distinct} would "
                f"sit on duplicates of the same points; use at most {distinct} component"
                f"{'s' if distinct != 1 else ''}"
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
        try:
            fallback = GMMParams(
                weights=np.full(K, 1.0 / K),
                means=seeds,
                covariances=_constrain(np.broadcast_to(spread, (K,) + spread.shape), self.covariance_type),
                covariance_type=self.covariance_type,
            )
        except ValueError as exc:
            if not hasattr(exc, "not_positive_definite"):
                raise
            raise ValueError(self._singular_data_message(data)) from None
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

        Raises
        ------
        TypeError
            For something other than a GMMParams or a mapping, or values that are not
            real numbers.
        ValueError
            For unknown keys, wrong shapes, non-finite values, weights that are not
            positive or do not sum to 1, covariances or precisions that are not
            symmetric or not positive-definite.
        """
        return self._coerce(init, data, "init")

    def _coerce(self, init: Any, data: Any, name: str) -> GMMParams:
        if isinstance(init, GMMParams):
            fields = {"weights": init.weights, "means": init.means, "covariances": init.covariances}
            if init.covariance_type != self.covariance_type:
                raise ValueError(
                    f"{name}: this model has covariance_type={self.covariance_type!r}; the parameters "
                    f"have {init.covariance_type!r}"
                )
        elif isinstance(init, Mapping):
            unknown = [key for key in init if key not in ("weights", "means", "covariances", "precisions")]
            if unknown:
                raise ValueError(
                    f"{name}: mixture parameters are 'weights', 'means' and 'covariances' (or "
                    f"'precisions'); got unknown keys {sorted(map(str, unknown))}"
                )
            if "means" not in init:
                raise ValueError(f"{name}: mixture parameters need 'means', shape (n_components, n_features)")
            if "covariances" in init and "precisions" in init:
                raise ValueError(f"{name}: give 'covariances' or 'precisions', not both")
            fields = dict(init)
        else:
            raise TypeError(
                f"{name} must be a GMMParams or a mapping like {{'means': ..., 'covariances': ...}}; "
                f"got {describe(init)}"
            )
        K = self.n_components
        means = as_float_array(fields["means"], "means")
        if means.ndim != 2 or means.shape[0] != K:
            raise ValueError(f"means must have shape ({K}, n_features), one row per component; got {means.shape}")
        d = means.shape[1]
        if data is not None:
            if not isinstance(data, GMMData):
                data = GMMData(data)
            if data.n_features != d:
                raise ValueError(f"means have {d} features but the data have {data.n_features}")
        weights = as_float_array(fields.get("weights", np.full(K, 1.0 / K)), "weights")
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
            precisions = as_float_array(fields["precisions"], "precisions")
            if precisions.shape != expected:
                raise ValueError(
                    f"{self.covariance_type!r} precisions must have shape {expected}; got {precisions.shape}"
                )
            covariances = _invert_precisions(precisions, self.covariance_type)
        elif "covariances" in fields:
            covariances = as_float_array(fields["covariances"], "covariances")
        else:
            if data is None:
                raise ValueError(f"{name}: without data, the starting parameters need 'covariances'")
            spread = data.scatter / data.n_samples + self.reg_covar * np.eye(d)
            covariances = _constrain(np.broadcast_to(spread, (K, d, d)), self.covariance_type)
            try:
                _precision_cholesky(covariances, self.covariance_type)
            except _NotPositiveDefinite:
                raise ValueError(self._singular_data_message(data, given=True)) from None
        if covariances.shape != expected:
            raise ValueError(
                f"{self.covariance_type!r} covariances must have shape {expected}; got {covariances.shape}"
            )
        _check_user_covariances(covariances, self.covariance_type)
        return GMMParams(weights, means, covariances, self.covariance_type)

    def e_step(self, data: GMMData, params: GMMParams) -> tuple[np.ndarray, float]:
        """Responsibilities, shape (n_samples, n_components), and the total log-likelihood.

        Raises
        ------
        ValueError
            When the log-likelihood is not finite: a sample whose density underflows
            to 0 under every component (see :meth:`log_joint`).
        """
        if not isinstance(data, GMMData) or not isinstance(params, GMMParams):
            data, params = self._data_and_params(data, params)
        wh = self._whitening(data, params)
        resp, total = kernels.responsibilities(data.X, data.center, wh)
        if not math.isfinite(total):
            self._check_log_joint(data, params, self._log_joint(data, params))
            raise ValueError(
                f"data: the log-likelihood of the {data.n_samples} samples is {total}: they lie extremely "
                "far from the means on the scale of the covariances. Rescale the data (e.g. standardise "
                "each feature), or use means and covariances that cover them"
            )
        return resp, total

    def hard_e_step(self, data: GMMData, params: GMMParams) -> tuple[np.ndarray, float, float]:
        """Each sample to its most probable component (ties to the first).

        Returns the one-hot responsibilities, the observed-data log-likelihood and
        the classification log-likelihood ``sum_i max_k log P(x_i, z_i = k)``.
        """
        if not isinstance(data, GMMData) or not isinstance(params, GMMParams):
            data, params = self._data_and_params(data, params)
        lj = self._log_joint(data, params)
        best = np.argmax(lj, axis=1)
        rows = np.arange(lj.shape[0])
        with np.errstate(over="ignore", invalid="ignore"):
            closs = float(lj[rows, best].sum())
        if not math.isfinite(closs):
            self._check_log_joint(data, params, lj)
        onehot = np.zeros_like(lj)
        onehot[rows, best] = 1.0
        with np.errstate(over="ignore"):
            loglik = float(logsumexp(lj, axis=1).sum())
        if not math.isfinite(loglik):
            raise ValueError(
                f"data: the log-likelihood of the {data.n_samples} samples overflows float64 ({loglik}). "
                "Rescale the data (e.g. standardise each feature)"
            )
        return onehot, loglik, closs

    def m_step(self, data: GMMData, posterior: np.ndarray, params: GMMParams) -> GMMParams:
        """Weights, means and covariances that maximise the expected complete-data log-likelihood.

        A component whose responsibilities sum to (almost) nothing keeps its mean and
        covariance and gets weight 0 (possible in hard EM).

        Raises
        ------
        ValueError
            If a covariance cannot be factorised (a component collapsed), naming the
            fixes; for a posterior of the wrong shape or with non-finite or negative
            column sums.
        """
        if not isinstance(data, GMMData) or not isinstance(params, GMMParams):
            data, params = self._data_and_params(data, params)
        resp = as_float_array(posterior, "posterior", finite=False)
        if resp.shape != (data.n_samples, self.n_components):
            raise ValueError(
                f"posterior must have shape {(data.n_samples, self.n_components)} (samples x components); "
                f"got {resp.shape}"
            )
        kind = self.covariance_type
        nk, first = kernels.weighted_sums(data.X, data.center, resp)
        if not (np.all(np.isfinite(nk)) and np.all(nk >= 0) and nk.sum() > 0):
            raise ValueError(
                "posterior must hold finite, non-negative responsibilities (each row a probability "
                f"vector over the components); its column sums are {nk.tolist()}"
            )
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
        except ValueError as exc:
            if not hasattr(exc, "not_positive_definite"):
                raise
            raise ValueError(
                f"EM cannot continue: {exc.not_positive_definite} (a component collapsed onto a few "
                "points, or features are (nearly) linearly dependent). " + _singular_fixes(self.reg_covar)
            ) from None

    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """``sum_i sum_k q_ik log P(x_i, z_i = k)``, the expected complete-data log-likelihood."""
        data, params = self._data_and_params(data, params)
        lj = self._log_joint(data, params)
        q = check_posterior(posterior, "posterior", lj.shape, "samples x components")
        # 0 * log 0 counts as 0: a component with weight 0 has log-joint -inf.
        mask = q > 0
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.sum(q[mask] * lj[mask]))
        if not math.isfinite(total):
            self._check_log_joint(data, params, lj)
            raise ValueError(
                f"posterior puts weight on a component of log-probability -inf (weight 0) for some "
                f"sample; the expected complete-data log-likelihood is {total}"
            )
        return total

    def entropy(self, posterior: np.ndarray) -> float:
        """``-sum_i sum_k q_ik log q_ik`` (natural log)."""
        q = check_posterior(posterior, "posterior", (None, self.n_components), "samples x components")
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
        if not isinstance(like, GMMParams) or like.covariance_type != self.covariance_type:
            raise TypeError(
                f"like must be GMMParams with covariance_type={self.covariance_type!r}; got {describe(like)}"
            )
        v = as_float_array(vector, "vector", finite=False, min_size=0)
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
        with np.errstate(over="ignore", invalid="ignore"):  # refused below (not finite)
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
        except ValueError as exc:
            raise ValueError(f"the vector encodes invalid parameters: {exc}") from None

    # -- what a user asks of a fitted mixture -------------------------------------------
    def log_joint(self, data: Any, params: Any) -> np.ndarray:
        """``log w_k + log N(x_i; mu_k, Sigma_k)``, shape (n_samples, n_components).

        Raises
        ------
        ValueError
            For a sample whose density underflows to 0 under every component (it lies
            so far from every mean, on the scale of the covariances, that its squared
            Mahalanobis distances overflow float64): its log density would be -inf.
        """
        data, params = self._data_and_params(data, params)
        lj = self._log_joint(data, params)
        self._check_log_joint(data, params, lj)
        return lj

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
        K, d = self.n_components, check_int(n_features, "n_features", minimum=1)
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
        """Data to evaluate (any number of samples: scoring needs no minimum) and
        parameters that fit this model and those data."""
        if not isinstance(data, GMMData):
            data = GMMData(data)
        if not isinstance(params, GMMParams) or params.covariance_type != self.covariance_type:
            params = self._coerce(params, data, "params")
        if params.n_components != self.n_components:
            raise ValueError(
                f"params have {params.n_components} components but this model has "
                f"n_components={self.n_components}"
            )
        if params.n_features != data.n_features:
            raise ValueError(
                f"data have {data.n_features} feature{'s' if data.n_features != 1 else ''} (columns) but "
                f"the params have {params.n_features}"
            )
        return data, params

    def _whitening(self, data: GMMData, params: GMMParams) -> kernels.Whitening:
        if params.n_features != data.n_features:
            raise ValueError(f"parameters have {params.n_features} features but the data have {data.n_features}")
        return kernels.whitening(params.weights, params.means, params._precision_cholesky_stack(), data.center)

    def _log_joint(self, data: GMMData, params: GMMParams) -> np.ndarray:
        return kernels.log_joint(data.X, data.center, self._whitening(data, params))

    def _check_log_joint(self, data: GMMData, params: GMMParams, lj: np.ndarray) -> None:
        """Refuse a log-joint matrix with a sample of log density -inf (or NaN).

        Each row needs one finite entry: otherwise the sample's density underflowed
        to 0 under every component, and every log-likelihood, BIC or responsibility
        computed from it would be -inf or NaN. Also refuses a finite total that
        overflows.
        """
        top = lj.max(axis=1)
        bad = ~np.isfinite(top) | np.isnan(lj).any(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"data: sample {i} has density 0 (log density -inf) under every component: it lies "
                "so far from every mean, on the scale of the covariances, that its squared Mahalanobis "
                f"distances overflow float64 ({int(bad.sum())} such sample{'s' if bad.sum() != 1 else ''}). "
                "Rescale the data (e.g. standardise each feature), or use means and covariances that "
                "cover them"
            )
        with np.errstate(over="ignore"):
            total = float(np.sum(top))
        if not math.isfinite(total):
            raise ValueError(
                f"data: the log-likelihood of the {data.n_samples} samples overflows float64 ({total}): "
                "they lie extremely far from the means on the scale of the covariances. Rescale the data "
                "(e.g. standardise each feature), or use means and covariances that cover them"
            )

    def _singular_data_message(self, data: GMMData, given: bool = False) -> str:
        """Why the covariance of the data cannot start EM, and what to do."""
        variances = np.diagonal(data.scatter) / data.n_samples
        constant = np.flatnonzero(variances == 0)
        n, d = data.n_samples, data.n_features
        if constant.size == d:
            why = "every feature is constant" if d > 1 else "the feature is constant"
        elif constant.size and self.covariance_type in ("full", "tied", "diag"):
            why = f"feature {int(constant[0])} is constant"
        elif n <= d and self.covariance_type in ("full", "tied"):
            why = f"{n} samples cannot span {d} features"
        else:
            why = "features are (nearly) linearly dependent, or their variances far apart"
        what = "the default starting covariances (the covariance of the data)" if given else (
            "the covariance of the data")
        return (
            f"EM cannot start: {what} plus reg_covar is not positive-definite ({why}). Use a larger "
            f"reg_covar (now {self.reg_covar:g}; e.g. 1e-6), drop constant or redundant features, or "
            "scale the data (e.g. standardise each feature)."
        )


# -- helpers --------------------------------------------------------------------------
def _check_user_covariances(covariances: np.ndarray, covariance_type: str) -> None:
    _check_symmetric(covariances, covariance_type, "covariances")
    try:
        _precision_cholesky(covariances, covariance_type)
    except _NotPositiveDefinite as exc:
        raise ValueError(
            f"starting covariances: {exc} (every covariance needs positive eigenvalues; leave "
            f"'covariances' out to start from the covariance of the data); got {covariances.tolist()}"
        ) from None


def _invert_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    if covariance_type in ("full", "tied"):
        _check_symmetric(precisions, covariance_type, "precisions")
        try:
            _precision_cholesky(precisions, covariance_type)  # checks positive-definite
        except _NotPositiveDefinite as exc:
            raise ValueError(f"starting precisions: {str(exc).replace('covariance', 'precision')}") from None
        with np.errstate(over="ignore", invalid="ignore"):
            covariances = np.linalg.inv(precisions)
    else:
        if np.any(~(precisions > 0)):
            raise ValueError(f"starting precisions must be positive; got {precisions.tolist()}")
        with np.errstate(over="ignore", divide="ignore"):
            covariances = 1.0 / precisions
    if not np.all(np.isfinite(covariances)):
        raise ValueError(
            "starting precisions are so close to singular that the covariances they imply overflow "
            f"float64; got {precisions.tolist()}"
        )
    return covariances


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
