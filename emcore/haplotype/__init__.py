"""Haplotype frequencies from unphased genotypes (Excoffier & Slatkin 1995).

A diploid individual carries two haplotypes, one from each parent; a genotyping assay
reports only the unordered pair of alleles at each locus. The missing data is the
*phase*: which pair of haplotypes ``{h1, h2}`` makes up the genotype. With haplotype
frequencies ``p`` and random mating (Hardy-Weinberg), the probability of an
individual's genotype ``G_i`` is

    P(G_i; p) = sum over pairs {h1, h2} consistent with G_i of  c * p[h1] * p[h2],

with ``c = 2`` if ``h1 != h2`` and ``c = 1`` otherwise. The E-step gives each
consistent pair its posterior share of the individual; the M-step counts haplotypes
(each pair contributes one copy of ``h1`` and one of ``h2``, weighted by its
posterior) and divides by ``2n``. This is *gene counting* (Ceppellini, Siniscalco &
Smith 1955), the first EM algorithm.

Genotypes come as a table with two allele columns per locus (the convention of R's
``haplo.stats``): an array of shape ``(n_individuals, 2 * n_loci)`` or a pandas
DataFrame (:func:`as_genotypes`), or a CSV file with a header row
(:func:`read_genotypes`). Alleles may be integers or strings, loci may have any number
of alleles, and a missing allele is summed over all of its completions. A missing
allele is ``None`` or ``NaN`` in a table; R's ``haplo.em`` (``miss.val = c(0, NA)``)
and PLINK code it ``0``, and so :func:`read_genotypes` and ``python -m emcore haplo``
read ``0`` as missing by default (``zero_missing=False``, ``--no-missing-zero`` turn
that off), while :func:`as_genotypes` reads ``0`` as missing only when told
(``missing=0``), since arrays made in Python number alleles from 0.

The test of linkage equilibrium (:class:`HaplotypeResult`) compares the maximised
log-likelihood with the one maximised under linkage equilibrium, for the same
individuals, on ``prod(K_l) - 1 - sum(K_l - 1)`` degrees of freedom; a p-value is
given only where the chi-square approximation holds.

Every log-likelihood is a natural log summed over individuals.

Scale
-----
``method="full"`` enumerates every consistent pair: ``2**(h - 1)`` for ``h``
heterozygous loci. ``method="ligation"`` is partition-ligation EM (Qin, Niu & Liu
2002): phase short blocks of loci, keep the haplotypes above a frequency threshold
(plus those of every individual's most likely pair), then join neighbouring blocks
and phase again, up a binary tree; the final join is the table that
:func:`emcore.fit_em` maximises. During EM, haplotypes whose frequency falls below
``prune`` (and keeps falling) are dropped when doing so does not lower the
log-likelihood, so the table shrinks as EM converges.
"""

from __future__ import annotations

from .equilibrium import equilibrium_fit
from .gene_counting import ABO_PHENOTYPES, AlleleParams, GeneCounting, PhenotypeCounts
from .genotypes import ALWAYS_MISSING, GenotypeData, as_genotypes
from .model import HaplotypeData, HaplotypeModel, HaplotypeParams, HaplotypePosterior
from .reading import read_genotypes
from .results import HaplotypeResult, estimate_haplotypes, format_haplotype, phase_accuracy, summarise

__all__ = [
    "ABO_PHENOTYPES",
    "ALWAYS_MISSING",
    "AlleleParams",
    "GeneCounting",
    "GenotypeData",
    "HaplotypeData",
    "HaplotypeModel",
    "HaplotypeParams",
    "HaplotypePosterior",
    "HaplotypeResult",
    "PhenotypeCounts",
    "as_genotypes",
    "equilibrium_fit",
    "estimate_haplotypes",
    "format_haplotype",
    "phase_accuracy",
    "read_genotypes",
    "summarise",
]
