"""Gene counting (Ceppellini, Siniscalco & Smith 1955): allele frequencies of one locus from
phenotype counts, such as the ABO blood groups."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import as_count_array, as_float_array, as_float_vector, describe, readonly

# -- gene counting: allele frequencies from phenotypes ------------------------------------
#: The ABO blood groups: each phenotype and the genotypes that show it (O is recessive).
ABO_PHENOTYPES: dict[str, tuple[tuple[str, str], ...]] = {
    "A": (("A", "A"), ("A", "O")),
    "B": (("B", "B"), ("B", "O")),
    "AB": (("A", "B"),),
    "O": (("O", "O"),),
}


@dataclass(frozen=True, eq=False)
class PhenotypeCounts:
    """Phenotype counts at one locus and the genotypes behind each phenotype.

    Attributes
    ----------
    phenotypes : tuple of str
    counts : ndarray of float, shape (n_phenotypes,)
    alleles : tuple of str
    genotype_phenotype : ndarray of int, shape (n_genotypes,)
        The phenotype of each genotype row.
    genotype_alleles : ndarray of int, shape (n_genotypes, 2)
        The two alleles (indices into ``alleles``) of each genotype row.
    """

    phenotypes: tuple[str, ...]
    counts: np.ndarray
    alleles: tuple[str, ...]
    genotype_phenotype: np.ndarray
    genotype_alleles: np.ndarray


@dataclass(frozen=True)
class AlleleParams:
    """Allele frequencies (in the order of ``PhenotypeCounts.alleles``)."""

    frequencies: tuple[float, ...]

    def __post_init__(self) -> None:
        f = as_float_array(self.frequencies, "frequencies", nonnegative=True).ravel()
        object.__setattr__(self, "frequencies", tuple(float(x) for x in f))


class GeneCounting:
    """Allele frequencies from phenotype counts under Hardy-Weinberg, for :func:`emcore.fit_em`.

    The gene-counting method of Ceppellini, Siniscalco & Smith (1955): the E-step
    splits each phenotype's count among the genotypes that show it, in proportion to
    their Hardy-Weinberg probabilities (``p_a**2`` or ``2 p_a p_b``); the M-step counts
    alleles in the split counts and divides by ``2n``.

    Parameters
    ----------
    phenotypes : mapping of str to sequence of (allele, allele)
        The genotypes that show each phenotype; default the ABO system
        (:data:`ABO_PHENOTYPES`). Every genotype must belong to exactly one phenotype.

    Notes
    -----
    The posterior is an array over the genotype rows of the data: the share of its
    phenotype's count that each genotype receives.
    """

    def __init__(self, phenotypes: Mapping[str, Sequence[tuple[str, str]]] | None = None):
        phenotypes = ABO_PHENOTYPES if phenotypes is None else phenotypes
        if not isinstance(phenotypes, Mapping):
            raise TypeError(
                "phenotypes must map each phenotype to the genotypes that show it, e.g. "
                f"{{'A': [('A', 'A'), ('A', 'O')], ...}}; got {describe(phenotypes)}"
            )
        if not phenotypes:
            raise ValueError("phenotypes is empty: it must map each phenotype to the genotypes that show it")
        labels: set[str] = set()
        listed: dict[str, list[tuple[str, str]]] = {}
        for ph, genotypes in phenotypes.items():
            if not isinstance(ph, str) or not ph:
                raise TypeError(f"phenotypes: each phenotype is named by a non-empty string; got {describe(ph)}")
            if isinstance(genotypes, (str, bytes)) or isinstance(genotypes, Mapping):
                raise TypeError(
                    f"phenotype {ph!r}: expected a list of genotypes (pairs of allele names); got {describe(genotypes)}"
                )
            try:
                genotypes = list(genotypes)
            except TypeError:
                raise TypeError(
                    f"phenotype {ph!r}: expected a list of genotypes (pairs of allele names); got {describe(genotypes)}"
                ) from None
            if not genotypes:
                raise ValueError(f"phenotype {ph!r} lists no genotype; every phenotype needs at least one")
            pairs = []
            for g in genotypes:
                try:
                    pair = tuple(g)
                except TypeError:
                    raise TypeError(f"phenotype {ph!r}: a genotype is two alleles; got {describe(g)}") from None
                if len(pair) != 2:
                    raise ValueError(f"phenotype {ph!r}: a genotype is two alleles; got {g!r}")
                for a in pair:
                    if not isinstance(a, str) or not a.strip():
                        raise TypeError(
                            f"phenotype {ph!r}: alleles are named by non-empty strings; got {describe(a)} in {g!r}"
                        )
                pairs.append(pair)
                labels.update(pair)
            listed[ph] = pairs
        alleles = sorted(labels)
        if len(alleles) < 2:
            raise ValueError(f"phenotypes name one allele only ({alleles[0]!r}); gene counting needs at least two")
        index = {a: k for k, a in enumerate(alleles)}
        seen: dict[tuple[str, str], str] = {}
        rows, owner = [], []
        for j, (ph, pairs) in enumerate(listed.items()):
            for g in pairs:
                key = (min(g), max(g))
                if key in seen:
                    raise ValueError(f"genotype {key} belongs to two phenotypes: {seen[key]!r} and {ph!r}")
                seen[key] = ph
                rows.append([index[g[0]], index[g[1]]])
                owner.append(j)
        missing = [(a, b) for i, a in enumerate(alleles) for b in alleles[i:] if (a, b) not in seen]
        if missing:
            raise ValueError(f"genotypes {missing} belong to no phenotype; every genotype needs one")
        self.phenotypes = tuple(listed)
        self.alleles = tuple(alleles)
        self._rows = readonly(np.array(rows, dtype=np.int64), copy=False)
        self._owner = readonly(np.array(owner, dtype=np.int64), copy=False)

    def __repr__(self) -> str:
        return f"GeneCounting(phenotypes={list(self.phenotypes)}, alleles={list(self.alleles)})"

    def prepare(self, data: Any) -> PhenotypeCounts:
        """Validate a mapping ``{phenotype: count}`` (or counts in phenotype order).

        Counts are non-negative whole numbers, not all zero; a phenotype left out of
        a mapping counts 0.
        """
        if isinstance(data, PhenotypeCounts):
            if data.phenotypes != self.phenotypes or data.alleles != self.alleles:
                raise ValueError(
                    f"these phenotype counts were prepared for phenotypes {list(data.phenotypes)}; this model "
                    f"has {list(self.phenotypes)}"
                )
            return data
        if isinstance(data, Mapping):
            unknown = [k for k in data if k not in self.phenotypes]
            if unknown:
                raise ValueError(f"unknown phenotypes {[str(k) for k in unknown]}; expected {list(self.phenotypes)}")
            values = [data.get(ph, 0) for ph in self.phenotypes]
            for ph, v in zip(self.phenotypes, values):
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.generic)):
                    raise TypeError(f"phenotype counts: the count of {ph!r} must be a whole number; got {describe(v)}")
        else:
            values = data
        counts = as_count_array(values, "phenotype counts").astype(float)
        if counts.size != len(self.phenotypes):
            raise ValueError(
                f"phenotype counts must have one entry per phenotype {list(self.phenotypes)}; got {counts.size}"
            )
        if counts.sum() == 0:
            raise ValueError("phenotype counts are all zero")
        counts.setflags(write=False)
        return PhenotypeCounts(self.phenotypes, counts, self.alleles, self._owner, self._rows)

    def initial_params(self, data: PhenotypeCounts, rng: np.random.Generator) -> AlleleParams:
        """Frequencies drawn from a flat Dirichlet."""
        return AlleleParams(tuple(rng.dirichlet(np.ones(len(self.alleles))).tolist()))

    def default_params(self, data: Any) -> AlleleParams:
        """The deterministic start: equal allele frequencies. :func:`emcore.fit_em`
        starts its first run here."""
        return AlleleParams((1.0 / len(self.alleles),) * len(self.alleles))

    def coerce_params(self, init: Any, data: PhenotypeCounts) -> AlleleParams:
        """Accept AlleleParams, a mapping ``{allele: frequency}`` or frequencies in allele order.

        The frequencies must be positive and sum to 1 (an allele at frequency 0 would
        stay there, and a phenotype that needs it would get probability 0).
        """
        k = len(self.alleles)
        if isinstance(init, AlleleParams):
            f = np.array(init.frequencies)
        elif isinstance(init, Mapping):
            unknown = [a for a in init if a not in self.alleles]
            if unknown:
                raise ValueError(f"unknown alleles {[str(a) for a in unknown]}; expected {list(self.alleles)}")
            for a, v in init.items():
                if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.generic)):
                    raise TypeError(f"init: the frequency of allele {a!r} must be a number; got {describe(v)}")
            f = np.array([float(init.get(a, 0.0)) for a in self.alleles])
        elif isinstance(init, (str, bytes)) or init is None:
            raise TypeError(f"init must be AlleleParams, a mapping or a sequence of frequencies; got {describe(init)}")
        else:
            f = as_float_vector(init, "init")
        if f.size != k or not np.all(np.isfinite(f)) or np.any(f <= 0) or abs(f.sum() - 1) > 1e-9:
            raise ValueError(
                f"init: starting allele frequencies must be {k} positive numbers summing to 1 "
                f"(alleles {', '.join(self.alleles)}); got {f.tolist()}"
            )
        return AlleleParams(tuple(f.tolist()))

    def _joint(self, data: PhenotypeCounts, params: AlleleParams) -> np.ndarray:
        p = np.asarray(params.frequencies)
        a, b = data.genotype_alleles[:, 0], data.genotype_alleles[:, 1]
        return np.where(a == b, 1.0, 2.0) * p[a] * p[b]

    def e_step(self, data: PhenotypeCounts, params: AlleleParams) -> tuple[np.ndarray, float]:
        """Share of each phenotype's count given to each of its genotypes; total log-likelihood."""
        g = self._joint(data, params)
        ph = np.bincount(data.genotype_phenotype, weights=g, minlength=len(data.phenotypes))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(ph[data.genotype_phenotype] > 0, g / ph[data.genotype_phenotype], 0.0)
            ll = float(np.sum(np.where(data.counts > 0, data.counts * np.log(ph), 0.0)))
        return share, ll

    def hard_e_step(self, data: PhenotypeCounts, params: AlleleParams):
        """Every individual of a phenotype gets that phenotype's most likely genotype."""
        share, ll = self.e_step(data, params)
        g = self._joint(data, params)
        hard = np.zeros_like(share)
        for j in range(len(data.phenotypes)):
            rows = np.flatnonzero(data.genotype_phenotype == j)
            hard[rows[np.argmax(g[rows])]] = 1.0
        with np.errstate(divide="ignore"):
            closs = float(np.sum(data.counts[data.genotype_phenotype] * hard * np.where(hard > 0, np.log(g), 0.0)))
        return hard, ll, closs

    def m_step(self, data: PhenotypeCounts, posterior: np.ndarray, params: AlleleParams) -> AlleleParams:
        """Allele counts in the split genotype counts, over ``2n``."""
        n_g = data.counts[data.genotype_phenotype] * posterior
        k = len(data.alleles)
        counts = np.bincount(data.genotype_alleles[:, 0], weights=n_g, minlength=k) + np.bincount(
            data.genotype_alleles[:, 1], weights=n_g, minlength=k
        )
        return AlleleParams(counts / (2.0 * data.counts.sum()))

    def expected_genotype_counts(self, data: Any, params: Any) -> dict[str, float]:
        """The E-step's split of the phenotype counts, keyed ``"AO"`` etc."""
        data = self.prepare(data)
        if not isinstance(params, AlleleParams):
            params = self.coerce_params(params, data)
        share, _ = self.e_step(data, params)
        n_g = data.counts[data.genotype_phenotype] * share
        return {data.alleles[a] + data.alleles[b]: float(x) for (a, b), x in zip(data.genotype_alleles, n_g)}

    def loglik(self, data: Any, params: Any) -> float:
        """Total multinomial log-likelihood of the phenotype counts (without the coefficient)."""
        data = self.prepare(data)
        if not isinstance(params, AlleleParams):
            params = self.coerce_params(params, data)
        return self.e_step(data, params)[1]
