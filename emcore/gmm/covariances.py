"""Parameters of a Gaussian mixture: the covariance types, GMMParams, and the Cholesky factors of the precisions.

A covariance that is not positive definite is refused with the fixes that apply
(``reg_covar``, fewer components, another covariance type)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import lapack

from .._validation import as_float_array, check_choice, readonly

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical", "tied_spherical")


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


#: The largest ``reg_covar``: far above any variance a fit can use, far below overflow.
_MAX_REG_COVAR = 1e300


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


def _cannot_continue(exc: ValueError, reg_covar: float) -> ValueError:
    """The error for an M-step whose covariances are not positive definite (others pass through)."""
    if not hasattr(exc, "not_positive_definite"):
        return exc
    return ValueError(
        f"EM cannot continue: {exc.not_positive_definite} (a component collapsed onto a few "
        "points, or features are (nearly) linearly dependent). " + _singular_fixes(reg_covar)
    )


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
        One of :data:`~emcore.gmm.COVARIANCE_TYPES`.
    precisions_cholesky : ndarray
        Computed: Cholesky factors of the precisions in the layout of
        ``covariances`` (see ``_precision_cholesky``).

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
