"""What a haplotype fit reports: HaplotypeResult (frequencies, phase calls, the test for linkage
disequilibrium), estimate_haplotypes, summarise, phase_accuracy."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import chi2

from .._validation import check_real, check_seed, describe
from ..em import EMResult, fit_em
from .equilibrium import equilibrium_fit
from .genotypes import GenotypeData, as_genotypes
from .model import HaplotypeData, HaplotypeModel, HaplotypePosterior


def format_haplotype(labels: Sequence[Any], sep: str | None = None) -> str:
    """Join allele labels: without a separator when all are single characters, else ``-``."""
    if isinstance(labels, (str, bytes)) or isinstance(labels, Mapping):
        labels = [labels] if isinstance(labels, str) else labels
    try:
        text = [str(x) for x in labels]
    except TypeError:
        raise TypeError(f"labels must be a sequence of allele labels; got {describe(labels)}") from None
    if sep is not None and not isinstance(sep, str):
        raise TypeError(f"sep must be a string or None; got {describe(sep)}")
    if sep is None:
        sep = "" if all(len(t) == 1 for t in text) else "-"
    return sep.join(text)


# -- results -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HaplotypeResult:
    """Haplotype frequencies, phases and the test of linkage equilibrium.

    Attributes
    ----------
    data : HaplotypeData
    fit : EMResult
        The run of :func:`emcore.fit_em` (with all restarts).
    haplotypes : tuple of tuple
        Haplotypes (allele labels) with positive estimated frequency, most frequent first.
    frequencies : ndarray, shape (n_listed,)
        Their frequencies.
    loglik : float
        Maximised total log-likelihood (natural log).
    loglik_equilibrium : float
        Maximised log-likelihood under linkage equilibrium, of the same individuals
        and the same genotypes: each locus's allele frequencies are fitted by maximum
        likelihood (gene counting where alleles are missing, a missing allele summed
        over its completions exactly as in ``loglik``), and a haplotype's frequency
        is the product of its allele frequencies over all ``prod(K_l)`` possible
        haplotypes. The two log-likelihoods are maxima of the same likelihood over
        nested parameter sets, so ``lr_statistic`` is a likelihood ratio.
    lr_statistic : float
        ``2 (loglik - loglik_equilibrium)``, the likelihood-ratio statistic against
        linkage equilibrium.
    df : int
        ``prod(K_l) - 1 - sum(K_l - 1)`` over the loci's numbers of observed alleles
        ``K_l``: the free haplotype frequencies of the alternative (every possible
        haplotype) minus the free allele frequencies of linkage equilibrium, the
        degrees of freedom of the test's chi-square limit. A locus with one allele
        adds nothing; one locus, or fewer than two loci with two or more alleles,
        gives 0 (there is no disequilibrium to test).
    test_note : str or None
        Why :attr:`p_value` is None, in words: no degrees of freedom, or too few
        chromosomes for the chi-square approximation (see :attr:`p_value`); None when
        the p-value is given.
    best_pairs : ndarray of int, shape (n_individuals, 2)
        Each individual's most likely pair, as indices into ``data.haplotypes``.
    best_pair_prob : ndarray, shape (n_individuals,)
        Its posterior probability.
    posterior : HaplotypePosterior
        The posterior over every individual's consistent pairs at the estimate
        (see :meth:`pairs`).

    Notes
    -----
    R's ``haplo.em`` reports the same test differently, and its numbers are not
    comparable with these. Its ``lnlike.noLD`` takes allele frequencies from the
    observed alleles only, forms their products over just the haplotypes its own
    fit retained, rescales those products to sum to 1 and sums them over the pairs
    left after trimming: that is not the likelihood maximised under linkage
    equilibrium (it is higher, since the rescaling moves onto a few haplotypes the
    probability that equilibrium spreads over all ``prod(K_l)``), and its source
    calls it a rough approximation. Its ``df.lr`` is the number of haplotypes with
    estimated frequency above 1e-7, less 1, less ``sum(K_l - 1)``: a count that
    depends on the data, is the degrees of freedom of no nested test, and can be
    zero or negative. Here both log-likelihoods are maxima of one likelihood over
    nested models, and ``df`` is the dimension of the alternative less that of the
    null.
    """

    data: HaplotypeData
    fit: EMResult
    haplotypes: tuple[tuple[Any, ...], ...]
    frequencies: np.ndarray
    loglik: float
    loglik_equilibrium: float
    lr_statistic: float
    df: int
    best_pairs: np.ndarray
    best_pair_prob: np.ndarray
    posterior: HaplotypePosterior | None = None
    test_note: str | None = None

    def _individual(self, i: Any) -> int:
        last = self.data.n_individuals - 1
        if not isinstance(i, numbers.Integral) or isinstance(i, (bool, np.bool_)):
            raise TypeError(f"individual must be an integer in 0..{last}; got {describe(i)}")
        if not 0 <= int(i) <= last:
            raise ValueError(f"individual must be in 0..{last}; got {int(i)}")
        return int(i)

    @property
    def n_estimated(self) -> int:
        """Number of haplotypes with positive estimated frequency."""
        return len(self.haplotypes)

    def pairs(self, i: int, min_prob: float = 0.0) -> list[tuple[tuple[Any, ...], tuple[Any, ...], float]]:
        """Individual ``i``'s consistent pairs with their posterior probabilities, most probable first."""
        i = self._individual(i)
        min_prob = check_real(min_prob, "min_prob", minimum=0.0, maximum=1.0)
        post = self.posterior
        assert post is not None  # summarise always sets it
        mine = self.data.ind[post.rows] == i
        rows, prob = post.rows[mine], post.prob[mine]
        order = np.argsort(-prob, kind="stable")
        return [
            (
                self.data.haplotype_labels(int(self.data.h1[r])),
                self.data.haplotype_labels(int(self.data.h2[r])),
                float(q),
            )
            for r, q in zip(rows[order], prob[order])
            if q >= min_prob
        ]

    @property
    def p_value(self) -> float | None:
        """Chi-square p-value of ``lr_statistic`` on ``df`` degrees of freedom, or None.

        None when the test has no degrees of freedom, or when the sample is too small
        for the chi-square approximation: it is given only when, under the fitted
        linkage equilibrium, every one of the ``prod(K_l)`` possible haplotypes has an
        expected count of at least 1 among the ``2n`` chromosomes and four in five of
        them at least 5 (Cochran's rule). ``test_note`` says which. With many
        rare haplotypes use a permutation test instead (Excoffier & Slatkin 1995).
        """
        if self.df <= 0 or self.test_note is not None:
            return None
        return float(chi2.sf(max(self.lr_statistic, 0.0), float(self.df)))

    def phase(self, i: int) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """Individual ``i``'s most likely pair of haplotypes (allele labels)."""
        a, b = self.best_pairs[self._individual(i)]
        return self.data.haplotype_labels(int(a)), self.data.haplotype_labels(int(b))

    def phased_alleles(self) -> np.ndarray:
        """Allele codes of each individual's most likely pair, shape (n_individuals, 2, n_loci)."""
        return self.data.haplotypes[self.best_pairs]

    def table(self, min_frequency: float = 0.0) -> list[tuple[str, float]]:
        """``(haplotype, frequency)`` rows, most frequent first."""
        min_frequency = check_real(min_frequency, "min_frequency", minimum=0.0, maximum=1.0)
        return [
            (format_haplotype(h), float(f)) for h, f in zip(self.haplotypes, self.frequencies) if f >= min_frequency
        ]


def estimate_haplotypes(
    genotypes: Any,
    *,
    method: str = "auto",
    mode: str = "soft",
    init: Any = None,
    n_init: int = 1,
    seed: Any = None,
    tol: float = 1e-10,
    max_iter: int = 5000,
    block_size: int = 8,
    keep: float | None = None,
    prune: float = 1e-6,
    max_pairs: int = 5_000_000,
    missing: Any = None,
) -> HaplotypeResult:
    """Estimate haplotype frequencies and phases by EM.

    Parameters
    ----------
    genotypes : array-like, DataFrame, GenotypeData or HaplotypeData
        Two allele columns per locus (see :func:`as_genotypes`; to read a file, see
        :func:`read_genotypes`).
    method, block_size, keep, prune, max_pairs
        See :class:`HaplotypeModel`.
    mode : {"soft", "hard"}
        EM, or classification EM (each individual's single most likely pair).
    init : optional
        Starting point (see :meth:`HaplotypeModel.coerce_params`). By default the
        first run starts from :meth:`HaplotypeModel.default_params` (linkage
        equilibrium for full enumeration), so more restarts never end lower.
    n_init, seed
        Restarts through :func:`emcore.fit_em`: the default start, then seeded random
        starts.
    tol, max_iter
        Passed to :func:`emcore.fit_em`.
    missing : optional
        More codes read as a missing allele, e.g. ``missing=0`` for a table coded as
        in R's haplo.stats or PLINK (see :func:`as_genotypes`).

    Returns
    -------
    HaplotypeResult
    """
    model = HaplotypeModel(method, block_size=block_size, keep=keep, prune=prune, max_pairs=max_pairs)
    check_seed(seed)
    if missing is not None and not isinstance(genotypes, (GenotypeData, HaplotypeData)):
        genotypes = as_genotypes(genotypes, missing=missing)
    elif missing is not None:
        raise ValueError("missing applies to a table of alleles; genotypes is already coded")
    data = model.prepare(genotypes)
    if init is None and n_init == 1:
        init = model.default_params(data)  # the start fit_em gives its first run
    fit = fit_em(model, data, init=init, mode=mode, tol=tol, max_iter=max_iter, n_init=n_init, seed=seed)
    return summarise(model, data, fit)


#: Cochran's rule for the chi-square approximation: every expected count at least
#: ``_MIN_EXPECTED`` and a share ``_SHARE_FIVE`` of them at least 5.
_MIN_EXPECTED, _SHARE_FIVE = 1.0, 0.8


def _equilibrium_test_note(g: GenotypeData, allele_freqs: Sequence[np.ndarray], df: int) -> str | None:
    """Why the test of linkage equilibrium gives no p-value (None when it does)."""
    k = g.n_alleles
    if g.n_loci == 1:
        return (
            "no test of linkage equilibrium: there is one locus only, so there is no linkage "
            "disequilibrium to test (0 degrees of freedom)"
        )
    if df <= 0:
        mono = [f"{locus} ({g.alleles[l][0]!r})" for l, locus in enumerate(g.loci) if k[l] == 1]
        return (
            "no test of linkage equilibrium: fewer than two loci have two or more alleles "
            f"(one allele only at {', '.join(mono)}), so disequilibrium has no free parameter "
            "(0 degrees of freedom)"
        )
    chromosomes = 2 * g.n_individuals
    cells = math.prod(k)
    if 4 * cells > chromosomes:  # mean expected count below 4: four in five cannot reach 5
        return (
            f"no p-value: {chromosomes} chromosomes are too few for a chi-square approximation over "
            f"{_count(cells)} possible haplotypes (Cochran's rule: expected counts under linkage "
            "equilibrium of at least 5 for four in five of them); use a permutation test"
        )
    expected = np.full(1, float(chromosomes))
    for p in allele_freqs:
        expected = np.multiply.outer(expected, p).ravel()
    low = float(expected.min())
    share = float(np.mean(expected >= 5.0))
    if low < _MIN_EXPECTED or share < _SHARE_FIVE:
        return (
            f"no p-value: too few chromosomes for a chi-square approximation (Cochran's rule: expected "
            f"counts under linkage equilibrium of at least 1 for every possible haplotype and at least 5 "
            f"for four in five of them; here the smallest is {low:.2g} and {share:.0%} reach 5, with "
            f"{chromosomes} chromosomes over {_count(cells)} possible haplotypes); use a permutation test"
        )
    return None


def _count(n: int) -> str:
    return f"{n:,}" if n < 10**9 else f"{float(n):.3g}"


def summarise(model: HaplotypeModel, data: HaplotypeData, fit: EMResult) -> HaplotypeResult:
    """Build a :class:`HaplotypeResult` from a :func:`~emcore.fit_em` run of ``model``."""
    f = fit.params.frequencies
    order = np.lexsort((np.arange(f.size), -f))
    order = order[f[order] > 0]
    haps = tuple(data.haplotype_labels(int(k)) for k in order)
    rows, prob = model.best_pairs(data, fit.params)
    posterior, _ = model.e_step(data, fit.params)
    pairs = np.stack([data.h1[rows], data.h2[rows]], axis=1)
    allele_freqs, ll_eq = equilibrium_fit(data.genotypes)
    k = data.genotypes.n_alleles
    df = math.prod(k) - 1 - sum(x - 1 for x in k)
    lr = 2.0 * (float(fit.loglik) - ll_eq)
    if not math.isfinite(lr):  # pragma: no cover - both log-likelihoods are finite by construction
        raise ValueError("the likelihood-ratio statistic is not finite")
    return HaplotypeResult(
        data=data,
        fit=fit,
        haplotypes=haps,
        frequencies=f[order].copy(),
        loglik=float(fit.loglik),
        loglik_equilibrium=ll_eq,
        lr_statistic=max(lr, 0.0) if lr > -1e-8 * max(1.0, abs(ll_eq)) else lr,
        df=int(df),
        best_pairs=pairs,
        best_pair_prob=prob.copy(),
        posterior=posterior,
        test_note=_equilibrium_test_note(data.genotypes, allele_freqs, int(df)),
    )


def _allele_code_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, Mapping):
        raise TypeError(f"{name} must be an integer array of shape (n, 2, n_loci); got {describe(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of shape (n, 2, n_loci); could not form an array") from None
    if array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer allele codes; got values of dtype {array.dtype}")
    if array.ndim != 3 or array.shape[1] != 2 or array.size == 0:
        raise ValueError(f"{name} must have shape (n, 2, n_loci) with n, n_loci >= 1; got {array.shape}")
    return array


def phase_accuracy(truth: np.ndarray, estimate: np.ndarray) -> tuple[float, float]:
    """Share of individuals phased correctly and the switch error rate.

    Parameters
    ----------
    truth, estimate : array of int, shape (n_individuals, 2, n_loci)
        The two haplotypes of each individual (allele codes), true and estimated;
        both must have the same genotypes.

    Returns
    -------
    share_correct : float
        Fraction of individuals whose estimated unordered pair is the true one
        (individuals with at most one heterozygous locus count as correct).
    switch_error_rate : float
        Over all individuals, the number of switches (neighbouring heterozygous
        loci whose relative phase is wrong) divided by the number of neighbouring
        heterozygous pairs (``h - 1`` for ``h`` heterozygous loci).
    """
    truth = _allele_code_array(truth, "truth")
    estimate = _allele_code_array(estimate, "estimate")
    if truth.shape != estimate.shape or truth.ndim != 3 or truth.shape[1] != 2:
        raise ValueError(
            f"truth and estimate must both have shape (n, 2, n_loci); got {truth.shape} and {estimate.shape}"
        )
    if not np.array_equal(np.sort(truth, axis=1), np.sort(estimate, axis=1)):
        raise ValueError("truth and estimate must have the same genotypes")
    het = truth[:, 0, :] != truth[:, 1, :]
    same = estimate[:, 0, :] == truth[:, 0, :]  # orientation at each locus
    # relative phase between consecutive heterozygous loci
    switches, pairs, correct = 0, 0, 0
    flat_same = np.where(het, same, False)
    n_het = het.sum(axis=1)
    # order heterozygous loci per individual; compare consecutive orientations
    idx = np.argsort(~het, axis=1, kind="stable")
    orient = np.take_along_axis(flat_same, idx, axis=1)
    valid = np.arange(het.shape[1])[None, :] < n_het[:, None]
    change = (orient[:, 1:] != orient[:, :-1]) & valid[:, 1:]
    per_ind = change.sum(axis=1)
    switches = int(per_ind.sum())
    pairs = int(np.sum(np.maximum(n_het - 1, 0)))
    correct = int(np.sum(per_ind == 0))
    return correct / truth.shape[0], (switches / pairs if pairs else 0.0)
