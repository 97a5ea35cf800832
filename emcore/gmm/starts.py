"""Starting points of a Gaussian mixture: k-means++ seeding and random starts."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_int, check_seed
from .data import GMMData, _as_data_matrix

_INITS = ("kmeans++", "random")


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


def _nearest_onehot(data: GMMData, centres: np.ndarray) -> np.ndarray:
    """One-hot responsibilities: each sample to its nearest centre (Euclidean)."""
    d2 = np.empty((data.n_samples, centres.shape[0]))
    for k, c in enumerate(centres):
        diff = data.filled - c  # missing entries at their feature's mean
        d2[:, k] = np.einsum("ij,ij->i", diff, diff)
    onehot = np.zeros_like(d2)
    onehot[np.arange(data.n_samples), np.argmin(d2, axis=1)] = 1.0
    return onehot
