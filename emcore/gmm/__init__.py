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

``"full"`` (VVV)
    each component its own covariance, shape (K, d, d);
``"tied"`` (EEE)
    one covariance shared by all components, shape (d, d);
``"diag"`` (VVI)
    each component a diagonal covariance, shape (K, d);
``"spherical"`` (VII)
    each component ``sigma_k^2 I``, shape (K,);
``"tied_spherical"`` (EII)
    one ``sigma^2 I`` for all components, shape () — with equal fixed weights and
    hard assignments, this is k-means.

Every log-likelihood is a natural log summed over the samples (not a mean).

``reg_covar`` keeps a component that collapses onto a few points from a singular
covariance (the likelihood is unbounded there). It is added after the maximisation,
as scikit-learn does, so the M-step is the exact maximiser only for
``reg_covar = 0``; for ``reg_covar`` far below the variances in the data the
difference is below rounding error.

Missing entries (NaN) are missing data too: with ``missing="em"`` (the default) EM
works with each row's observed coordinates, the marginal likelihood and the
conditional mean and covariance of the missing part (:mod:`emcore.gmm.missing`);
:meth:`GaussianMixture.impute` returns the conditional means and variances at fitted
parameters.
"""

from __future__ import annotations

from .covariances import COVARIANCE_TYPES, GMMParams
from .data import GMMData
from .model import GaussianMixture
from .starts import kmeans_plusplus

__all__ = [
    "COVARIANCE_TYPES",
    "GaussianMixture",
    "GMMData",
    "GMMParams",
    "kmeans_plusplus",
]
