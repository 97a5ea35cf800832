"""Allele frequencies per locus and the linkage-equilibrium fit (the null model of the
likelihood-ratio test for linkage disequilibrium)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..em import fit_em
from .genotypes import as_genotypes

# -- one locus ---------------------------------------------------------------------------
#: Gene counting at one locus runs to this tol of the driver's rule (|dL| <= tol max(1, |L|)):
#: the frequencies are then good to about 1e-7, and the log-likelihood to rounding.
_LOCUS_TOL, _LOCUS_MAX_ITER = 1e-14, 10_000


@dataclass(frozen=True, eq=False)
class _LocusCounts:
    """One locus: the genotype codes, the alleles counted outright, the lone known alleles."""

    codes: np.ndarray  # (n, 2), -1 for a missing allele
    fixed: np.ndarray  # (k,) alleles of the complete genotypes
    known: np.ndarray  # the known allele of each genotype with one allele missing
    n_alleles: float  # 2 x (individuals with at least one allele)


class _LocusAlleles:
    """Gene counting at one locus where some genotypes have one allele missing, for fit_em.

    A genotype ``{a, ?}`` is the phenotype "carries a": ``P = p_a (2 - p_a)``. The
    E-step splits it into ``{a, a}`` (share ``p_a / (2 - p_a)``) and ``{a, x}``
    (``2 p_x / (2 - p_a)`` each); the M-step counts alleles over ``2n``.
    """

    def __init__(self, k: int):
        self.k = k

    def prepare(self, data: _LocusCounts) -> _LocusCounts:
        return data

    def initial_params(self, data: _LocusCounts, rng: np.random.Generator) -> np.ndarray:
        return self.default_params(data)

    def default_params(self, data: _LocusCounts) -> np.ndarray:
        """The allele counts of all known alleles, slightly smoothed (every allele positive)."""
        return (data.fixed + np.bincount(data.known, minlength=self.k) + 1e-3) / (
            data.fixed.sum() + data.known.size + 1e-3 * self.k
        )

    def coerce_params(self, init: Any, data: _LocusCounts) -> np.ndarray:
        return np.asarray(init, dtype=float)

    def e_step(self, data: _LocusCounts, p: np.ndarray) -> tuple[np.ndarray, float]:
        return p, _locus_loglik(data.codes, p)

    def m_step(self, data: _LocusCounts, posterior: np.ndarray, p: np.ndarray) -> np.ndarray:
        pa = p[data.known]
        share = 1.0 / (2.0 - pa)  # P({a, x}) = 2 p_a p_x (x != a), p_a^2 (x == a)
        k = self.k
        counts = data.fixed + np.bincount(data.known, weights=1.0 + pa * share, minlength=k)
        counts = counts + 2.0 * p * np.sum(share) - np.bincount(data.known, weights=2.0 * pa * share, minlength=k)
        return counts / data.n_alleles


def _locus_allele_frequencies(codes: np.ndarray, k: int) -> np.ndarray:
    """MLE of one locus's allele frequencies: allele counting, or gene counting by EM
    (run by :func:`emcore.fit_em`) where genotypes have one allele missing."""
    x, y = codes[:, 0], codes[:, 1]
    full = (x >= 0) & (y >= 0)
    half = (x >= 0) ^ (y >= 0)
    fixed = np.bincount(x[full], minlength=k) + np.bincount(y[full], minlength=k)
    known = np.where(x >= 0, x, y)[half]
    if known.size == 0:
        return fixed / fixed.sum()
    data = _LocusCounts(codes, fixed, known, 2.0 * (full.sum() + half.sum()))
    fit = fit_em(_LocusAlleles(k), data, tol=_LOCUS_TOL, max_iter=_LOCUS_MAX_ITER)
    return np.asarray(fit.params)


def _locus_loglik(codes: np.ndarray, p: np.ndarray) -> float:
    x, y = codes[:, 0], codes[:, 1]
    full = (x >= 0) & (y >= 0)
    half = (x >= 0) ^ (y >= 0)
    px, py = p[x[full]], p[y[full]]
    c = np.where(x[full] == y[full], 1.0, 2.0)
    pa = p[np.where(x >= 0, x, y)[half]]
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(c * px * py)) + np.sum(np.log(pa * (2.0 - pa))))


def equilibrium_fit(genotypes: Any) -> tuple[tuple[np.ndarray, ...], float]:
    """Allele frequencies and log-likelihood under linkage equilibrium.

    Under linkage equilibrium a haplotype's frequency is the product of its allele
    frequencies, and the likelihood of a genotype factorises over loci, so the
    maximum-likelihood fit is one single-locus fit per locus (allele counting; gene
    counting by EM where alleles are missing).

    Returns
    -------
    frequencies : tuple of ndarray
        Allele frequencies of each locus, in the order of ``GenotypeData.alleles``.
    loglik : float
        The maximised total log-likelihood (natural log).
    """
    g = as_genotypes(genotypes)
    freqs, total = [], 0.0
    for l, k in enumerate(g.n_alleles):
        p = _locus_allele_frequencies(g.codes[:, l, :], k)
        freqs.append(p)
        total += _locus_loglik(g.codes[:, l, :], p)
    return tuple(freqs), float(total)
