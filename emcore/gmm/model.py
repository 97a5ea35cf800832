"""The Gaussian mixture model for :func:`emcore.fit_em`: E- and M-steps, bound, acceleration, BIC/AIC, prediction."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from scipy.special import logsumexp, xlogy

from .. import _gmm_kernels as kernels
from .. import transforms as _tr
from .._validation import (
    as_float_array,
    check_choice,
    check_fixed,
    check_int,
    check_posterior,
    check_real,
    describe,
    legacy_learn_flag,
)
from . import information as _information
from . import missing as _missing
from .covariances import (
    _MAX_REG_COVAR,
    GMMParams,
    _cannot_continue,
    _check_covariance_type,
    _check_user_covariances,
    _constrain,
    _covariance_shape,
    _invert_precisions,
    _NotPositiveDefinite,
    _precision_cholesky,
)
from .data import _EPS, GMMData
from .starts import _INITS, _nearest_onehot, kmeans_plusplus


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
    fixed : collection of str
        The parameters held fixed, by name (as for every emcore model): ``()`` (the
        default) estimates everything; ``{"weights"}`` holds the mixing proportions
        equal, ``1 / n_components`` (with ``"tied_spherical"`` and ``mode="hard"``, this
        is k-means).
    learn_weights : bool, optional
        The old spelling (``learn_weights=False`` is ``fixed={"weights"}``); deprecated.
    missing : {"em", "error"}
        What a missing entry (NaN) in the data means. ``"em"`` (the default): missing
        at random, and EM fits the observed entries, with each row's missing part
        among the missing data (:mod:`emcore.gmm.missing`; :meth:`impute` fills
        them in at the fitted parameters). ``"error"``: refuse data with NaN.

    Notes
    -----
    The posterior over completions is an ``(n_samples, n_components)`` array of
    responsibilities. The E-step and M-step each make one pass over the data through
    a few large matrix products (see ``emcore._gmm_kernels``).
    """

    #: The dask collection this model fits (:mod:`emcore.scale`), an array with rows of numbers.
    DASK_COLLECTION = "array"

    #: The parameters ``fixed=`` may name.
    FIXABLE = ("weights",)

    def __init__(
        self,
        n_components: int = 2,
        covariance_type: str = "full",
        reg_covar: float = 1e-6,
        init: str = "kmeans++",
        fixed: Iterable[str] | None = None,
        *,
        learn_weights: bool | None = None,
        missing: str = "em",
    ):
        self.n_components = check_int(n_components, "n_components", minimum=1)
        self.covariance_type = _check_covariance_type(covariance_type)
        self.reg_covar = check_real(reg_covar, "reg_covar", minimum=0, maximum=_MAX_REG_COVAR)
        self.init = check_choice(init, "init", _INITS)
        if isinstance(fixed, bool):  # GaussianMixture(2, "full", 1e-6, "kmeans++", False): the old learn_weights
            learn_weights, fixed = fixed, None
        fixed = legacy_learn_flag(learn_weights, "learn_weights", "weights", fixed)
        self.fixed = check_fixed(() if fixed is None else fixed, self.FIXABLE, "equal weights, 1/n_components")
        self.missing = check_choice(missing, "missing", ("em", "error"))

    def __repr__(self) -> str:
        return (
            f"GaussianMixture(n_components={self.n_components}, "
            f"covariance_type={self.covariance_type!r}, reg_covar={self.reg_covar!r}, "
            f"init={self.init!r}, fixed={set(self.fixed) or '()'}"
            + (f", missing={self.missing!r})" if self.missing != "em" else ")")
        )

    @property
    def learn_weights(self) -> bool:
        """Whether the weights are estimated (``"weights"`` not in ``fixed``)."""
        return "weights" not in self.fixed

    def _learned(self) -> dict[str, _tr.Transform]:
        """Each learned field and its unconstrained transform (for SQUAREM)."""
        covariances = _tr.CHOLESKY if self.covariance_type in ("full", "tied") else _tr.LOG
        fields = {"weights": _tr.LOG_RATIO, "means": _tr.IDENTITY, "covariances": covariances}
        return {name: t for name, t in fields.items() if name not in self.fixed}

    # -- the EM model protocol ---------------------------------------------------------
    def prepare(self, data: Any) -> GMMData:
        """Validate ``data`` (an array of shape (n_samples, n_features) or a GMMData)
        for a fit: at least ``n_components`` samples, and at least that many distinct
        ones (a component with no data of its own is not identifiable)."""
        data = self._as_data(data)
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
        _check_observed_columns(data)
        K = self.n_components
        if self.init == "kmeans++":
            seeds = kmeans_plusplus(data.filled, K, rng)  # missing entries at their feature's mean
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
            data = self._as_data(data)
            if data.n_features != d:
                raise ValueError(f"means have {d} features but the data have {data.n_features}")
            _check_observed_columns(data)
        weights = as_float_array(fields.get("weights", np.full(K, 1.0 / K)), "weights")
        if weights.shape != (K,):
            raise ValueError(f"weights must have shape ({K},), one per component; got {weights.shape}")
        if np.any(weights <= 0) or abs(weights.sum() - 1.0) > 1e-9:
            raise ValueError(f"weights must be positive and sum to 1; got {weights.tolist()}")
        if not self.learn_weights and not np.allclose(weights, 1.0 / K, rtol=0, atol=1e-12):
            raise ValueError(
                f"this model keeps the weights fixed and equal (1/{K}); got {weights.tolist()}. "
                "Use fixed=() to estimate them."
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
        if data.has_missing:
            resp, total = self._missing_responsibilities(data, params)
        else:
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
        if data.has_missing:  # the complete-data M-step on the expected statistics
            shift, diagonal_stats = self._moments_setup(params)
            T = _missing.expected_moments(data.X, data.patterns, params, resp, shift, diagonal_stats)
            if not (np.all(np.isfinite(T[0])) and np.all(T[0] >= 0) and T[0].sum() > 0):
                raise ValueError(
                    "posterior must hold finite, non-negative responsibilities (each row a probability "
                    f"vector over the components); its column sums are {T[0].tolist()}"
                )
            return self.m_step_stats(data, {"moments": T}, params)
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
            raise _cannot_continue(exc, self.reg_covar) from None

    # -- expected sufficient statistics (chunked, distributed and online EM) -----------
    def split(self, data: Any, size: int) -> list[GMMData]:
        """The prepared data as pieces of at most ``size`` consecutive samples (views)."""
        data = self._as_data(data)
        size = check_int(size, "chunk_size", minimum=1)
        return [GMMData._rows(data, slice(a, min(a + size, data.n_samples))) for a in range(0, data.n_samples, size)]

    def _moments_setup(self, params: GMMParams) -> tuple[np.ndarray, bool]:
        shift = params.weights @ params.means  # the mixture mean: the same point for every piece
        return shift, self.covariance_type in ("diag", "spherical", "tied_spherical")

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]:
        """The expected sufficient statistics of ``data`` at ``params``, and its log-likelihood.

        ``{"moments": T}`` with ``T`` of shape ``(F, n_components)``: per component, the
        expected count ``sum_i r_ik``, first moment ``sum_i r_ik (x_i - s)`` and second
        moment ``sum_i r_ik (x_i - s)(x_i - s)^T`` (its upper triangle, or its diagonal
        for the diagonal covariance types) about the mixture mean ``s = sum_k w_k mu_k``
        of ``params``. Both the statistics and the log-likelihood add up over disjoint
        pieces of data; computed in one pass by a few matrix products
        (``emcore._gmm_kernels.moment_stats``).
        """
        if not isinstance(data, GMMData) or not isinstance(params, GMMParams):
            data, params = self._data_and_params(data, params)
        shift, diagonal = self._moments_setup(params)
        if data.has_missing:
            T, loglik, lj = _missing.expected_stats(data.X, data.patterns, params, shift, diagonal)
            if not math.isfinite(loglik):
                self._check_log_joint(data, params, lj)
            return {"moments": T}, loglik
        A = kernels.moment_coefficients(
            params.weights, params.means, params._precision_cholesky_stack(), shift, diagonal
        )
        T, total, bad = kernels.moment_stats(data.X, shift, A, diagonal)
        if bad >= 0 or not math.isfinite(total):
            self._check_log_joint(data, params, self._log_joint(data, params))
            raise ValueError(
                f"data: the log-likelihood of the {data.n_samples} samples is {total}: they lie extremely "
                "far from the means on the scale of the covariances. Rescale the data (e.g. standardise "
                "each feature), or use means and covariances that cover them"
            )
        return {"moments": T}, total

    def align_stats(self, stats: Mapping[str, Any], old: GMMParams, new: GMMParams) -> dict[str, np.ndarray]:
        """Statistics computed at ``old`` re-expressed about the mixture mean of ``new``.

        The moments of :meth:`expected_stats` are about the mixture mean ``s`` of the
        parameters they were computed at; online EM blends statistics of several
        iterates, so it moves them to one point first. With ``delta = s_new - s_old``:
        ``m1' = m1 - n delta`` and ``M2' = M2 - m1 delta^T - delta m1^T + n delta
        delta^T`` (exact algebra; ``delta`` is small between iterates, so little is
        lost to rounding).
        """
        T = np.array(stats["moments"], dtype=float)
        (s_old, diagonal), (s_new, _) = self._moments_setup(old), self._moments_setup(new)
        delta = s_new - s_old
        d = delta.size
        n, m1 = T[0], T[1 : d + 1]  # (K,), (d, K)
        if diagonal:
            T[d + 1 :] += -2.0 * delta[:, None] * m1 + n * delta[:, None] ** 2
        else:
            rows, cols = np.triu_indices(d)
            T[d + 1 :] += (
                -m1[rows] * delta[cols, None] - delta[rows, None] * m1[cols] + n * (delta[rows] * delta[cols])[:, None]
            )
        T[1 : d + 1] -= n * delta[:, None]
        return {"moments": T}

    def m_step_stats(self, data: Any, stats: Any, params: Any) -> GMMParams:
        """The M-step from summed statistics (:meth:`expected_stats`), same rules as :meth:`m_step`.

        ``data`` is not used beyond its number of features (any piece will do);
        ``params`` are the parameters the statistics were computed at.
        """
        if not isinstance(params, GMMParams) or params.covariance_type != self.covariance_type:
            params = self._coerce(params, None, "params")
        K, d = params.means.shape
        shift, diagonal = self._moments_setup(params)
        F = kernels.n_moment_features(d, diagonal)
        if not isinstance(stats, Mapping) or "moments" not in stats:
            raise TypeError(f"stats must be a mapping with 'moments' (from expected_stats); got {describe(stats)}")
        T = as_float_array(stats["moments"], "stats['moments']", finite=False)
        if T.shape != (F, K):
            raise ValueError(f"stats['moments'] must have shape {(F, K)} for this mixture; got {T.shape}")
        nk, first = T[0], T[1 : d + 1].T  # (K,), (K, d)
        if not (np.all(np.isfinite(T)) and np.all(nk >= 0) and nk.sum() > 0):
            raise ValueError(
                f"stats must hold finite expected counts, non-negative and not all zero; the counts are {nk.tolist()}"
            )
        kind = self.covariance_type
        alive = nk > 10 * _EPS
        nk_safe = np.where(alive, nk, 1.0)
        offset = first / nk_safe[:, None]  # mu_k - s
        means = np.where(alive[:, None], shift + offset, params.means)
        if diagonal:
            second = T[d + 1 :].T  # (K, d)
            scatter = second - nk[:, None] * offset**2  # about each new mean
            scatter = np.maximum(scatter, 0.0)
        else:
            rows, cols = np.triu_indices(d)
            second = np.zeros((K, d, d))
            second[:, rows, cols] = T[d + 1 :].T
            second[:, cols, rows] = T[d + 1 :].T
            scatter = second - nk[:, None, None] * np.einsum("ka,kb->kab", offset, offset)
        if kind == "full":
            cov = scatter / nk_safe[:, None, None] + self.reg_covar * np.eye(d)
            covariances = np.where(alive[:, None, None], cov, params.covariances)
        elif kind in ("diag", "spherical"):
            var = scatter / nk_safe[:, None] + self.reg_covar
            if kind == "spherical":
                covariances = np.where(alive, var.mean(axis=1), params.covariances)
            else:
                covariances = np.where(alive[:, None], var, params.covariances)
        elif kind == "tied":
            covariances = scatter.sum(axis=0) / nk.sum() + self.reg_covar * np.eye(d)
        else:  # tied_spherical
            covariances = np.array(scatter.sum() / nk.sum() / d + self.reg_covar)
        weights = nk / nk.sum() if self.learn_weights else params.weights
        try:
            return GMMParams(weights, means, covariances, kind)
        except ValueError as exc:
            raise _cannot_continue(exc, self.reg_covar) from None

    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """``sum_i sum_k q_ik log P(x_i, z_i = k)``, the expected complete-data log-likelihood."""
        data, params = self._data_and_params(data, params)
        if data.has_missing:
            raise ValueError(
                "the expected complete-data log-likelihood of data with missing entries needs the "
                "conditional distribution of the missing entries as well as the posterior over "
                "components; the bound is not recorded for such data (fit without record_bound=True)"
            )
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
        return _tr.pack(params, self._learned())

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
        fields = self._learned()
        expected = _tr.pack(like, fields).size
        if v.shape != (expected,):
            raise ValueError(f"vector must have shape ({expected},) for this mixture; got {v.shape}")
        values = {"weights": like.weights, **_tr.unpack(v, like, fields)}
        weights, means, covariances = values["weights"], values["means"], values["covariances"]
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

    def impute(self, data: Any, params: Any) -> tuple[np.ndarray, np.ndarray]:
        """Each missing entry's conditional mean and variance given its row's observed entries.

        Returns ``(completed, variance)``, both of the data's shape: observed entries
        unchanged with variance 0; a missing entry ``x_ij`` replaced by ``E[x_ij |
        x_o]`` under the mixture at ``params``, with ``Var[x_ij | x_o]`` (which includes
        the uncertainty over the component). Missing at random is assumed, as in the
        fit.
        """
        data, params = self._data_and_params(data, params)
        if not data.has_missing:
            return np.array(data.X), np.zeros(data.X.shape)
        resp, _ = self.e_step(data, params)
        return _missing.conditional_moments(data.X, data.patterns, params, resp)

    def standard_errors(self, data: Any, params: Any, method: str = "louis") -> _information.StandardErrors:
        """Standard errors of the fitted parameters from the observed information.

        ``method="louis"`` (the default): Louis' method, the complete-data information
        minus the information the missing data (components and missing entries)
        carry, from the E-step's moments; ``method="hessian"``: the numerical Hessian
        of the observed-data log-likelihood, a check that does not use EM. Assumes
        ``params`` are an interior maximum (EM run to convergence; ``reg_covar=0``
        for the exact maximiser), identifiability up to the order of the components,
        and entries missing at random. See :mod:`emcore.gmm.information`.
        """
        data, params = self._data_and_params(data, params)
        method = check_choice(method, "method", ("louis", "hessian"))
        return _information.standard_errors(self, data, params, method)

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
        data = self._as_data(data)
        if not isinstance(params, GMMParams) or params.covariance_type != self.covariance_type:
            params = self._coerce(params, data, "params")
        if params.n_components != self.n_components:
            raise ValueError(
                f"params have {params.n_components} components but this model has n_components={self.n_components}"
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
        if data.has_missing:
            return _missing.log_joint(data.X, data.patterns, params)
        return kernels.log_joint(data.X, data.center, self._whitening(data, params))

    def _missing_responsibilities(self, data: GMMData, params: GMMParams) -> tuple[np.ndarray, float]:
        return _missing.normalise(_missing.log_joint(data.X, data.patterns, params))

    def _as_data(self, data: Any) -> GMMData:
        """``data`` as checked data; NaN entries are missing values unless ``missing="error"``."""
        if isinstance(data, GMMData):
            if data.has_missing and self.missing == "error":
                data._refuse_missing()
            return data
        return GMMData(data, allow_missing=self.missing == "em")

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
        what = (
            "the default starting covariances (the covariance of the data)" if given else ("the covariance of the data")
        )
        return (
            f"EM cannot start: {what} plus reg_covar is not positive-definite ({why}). Use a larger "
            f"reg_covar (now {self.reg_covar:g}; e.g. 1e-6), drop constant or redundant features, or "
            "scale the data (e.g. standardise each feature)."
        )


def _check_observed_columns(data: GMMData) -> None:
    """Refuse data in which a feature is never observed: EM could not move its mean or
    variance from where they started (the data say nothing about them)."""
    if data.observed is None:
        return
    never = np.flatnonzero(~data.observed.any(axis=0))
    if never.size:
        raise ValueError(
            f"data: feature {int(never[0])} is missing (NaN) in every sample ({never.size} such "
            f"feature{'s' if never.size != 1 else ''}): the data say nothing about its mean or variance; "
            "drop it"
        )
