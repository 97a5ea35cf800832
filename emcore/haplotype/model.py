"""The haplotype model for :func:`emcore.fit_em`: haplotype frequencies from unphased genotypes,
by full enumeration of the compatible pairs or by partition-ligation."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import xlogy

from .. import transforms as _tr
from .._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_probability_vector,
    check_real,
    check_stats,
    describe,
    readonly,
)
from . import tables as T
from .equilibrium import equilibrium_fit
from .genotypes import GenotypeData, as_genotypes

_METHODS = ("auto", "full", "ligation")


# -- the prepared data ----------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HaplotypeData:
    """Genotypes and the table of haplotype pairs consistent with them.

    Attributes
    ----------
    genotypes : GenotypeData
    haplotypes : ndarray of int, shape (n_haplotypes, n_loci)
        The candidate haplotypes (allele codes), those appearing in some consistent pair.
    ind, h1, h2 : ndarray of int, shape (n_pairs,)
        One row per unordered consistent pair ``{h1, h2}`` (``h1 <= h2``) of individual
        ``ind``, sorted by individual.
    c : ndarray of float, shape (n_pairs,)
        2 for a heterozygous pair, 1 for a homozygous one.
    centre : ndarray of float, shape (n_haplotypes,)
        The default starting frequencies: linkage equilibrium (``method="full"``) or
        the product of the frequencies of the two joined halves (``"ligation"``).
    method : str
        ``"full"`` or ``"ligation"``.
    n_enumerated : int
        Rows of every pair table that EM runs on, a measure of the work: the one
        table of full enumeration, or the tables of all blocks and joins of
        partition-ligation (the last join being this table).
    """

    genotypes: GenotypeData
    haplotypes: np.ndarray
    ind: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    c: np.ndarray
    centre: np.ndarray
    method: str
    n_enumerated: int
    #: Live rows of the pair table per zero pattern of the frequencies (see
    #: ``HaplotypeModel._support``): the model keeps no state of its own.
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_individuals(self) -> int:
        return self.genotypes.n_individuals

    @property
    def n_haplotypes(self) -> int:
        return int(self.haplotypes.shape[0])

    @property
    def n_pairs(self) -> int:
        return int(self.ind.size)

    def haplotype_labels(self, index: int) -> tuple[Any, ...]:
        return self.genotypes.labels(self.haplotypes[index])


#: The one learned field and its unconstrained transform (for SQUAREM).
_LEARNED = {"frequencies": _tr.SIMPLEX}

#: How many zero patterns' live rows a HaplotypeData keeps (a run needs one per pruning).
_SUPPORTS_KEPT = 16


@dataclass(frozen=True, eq=False)
class _Support:
    """The rows of the pair table whose two haplotypes both have positive frequency."""

    rows: np.ndarray | None  # None: every row of the table
    ind: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    c: np.ndarray


@dataclass(frozen=True, eq=False)
class HaplotypeParams:
    """Haplotype frequencies over the candidate haplotypes of a :class:`HaplotypeData`.

    Attributes
    ----------
    frequencies : ndarray of float, shape (n_haplotypes,)
        Sums to 1; entry ``k`` is the frequency of ``data.haplotypes[k]``. Pruned
        haplotypes have frequency exactly 0.
    """

    frequencies: np.ndarray

    def __post_init__(self) -> None:
        f = self.frequencies
        if not (isinstance(f, np.ndarray) and f.dtype == np.float64 and f.ndim == 1 and not f.flags.writeable):
            f = readonly(as_float_array(f, "frequencies", ndim=1, nonnegative=True))
        object.__setattr__(self, "frequencies", f)

    def __repr__(self) -> str:
        return f"HaplotypeParams(n_haplotypes={self.frequencies.size}, n_positive={int(np.sum(self.frequencies > 0))})"


@dataclass(frozen=True, eq=False)
class HaplotypePosterior:
    """Posterior over each individual's consistent pairs.

    Attributes
    ----------
    rows : ndarray of int, shape (n_rows,)
        Rows of the data's pair table (pairs with zero prior weight are left out).
    prob : ndarray of float, shape (n_rows,)
        Posterior probability of each row's pair; sums to 1 within each individual.
    hard : bool
        True for the degenerate posterior of hard EM.
    """

    rows: np.ndarray
    prob: np.ndarray
    hard: bool = False


def _full_table(g: GenotypeData, loci: Sequence[int], ordered: bool):
    n = g.n_individuals
    table: Any = T.locus_options(g.codes[:, loci[0], :], g.n_alleles[loci[0]])
    for l in loci[1:]:
        right = T.locus_options(g.codes[:, l, :], g.n_alleles[l])
        table = T.ligate(table, right, n, ordered=True)
    if ordered:
        return table, table.ind.size
    table = T.to_unordered(table)
    return table, table.n_rows


def _equilibrium_centre(g: GenotypeData, haps: np.ndarray, loci: Sequence[int], allele_freqs) -> np.ndarray:
    centre = np.ones(haps.shape[0])
    for j, l in enumerate(loci):
        centre = centre * allele_freqs[l][haps[:, j]]
    centre = np.maximum(centre, 1e-300)
    return centre / centre.sum()


def _retain(table: T.PairTable, freq: np.ndarray, n: int, keep: float) -> tuple[T.PairTable, np.ndarray]:
    """Keep haplotypes above ``keep`` plus those of each individual's best pair."""
    w = table.c * freq[table.h1] * freq[table.h2]
    best = T.segment_argmax(table.ind, w, n)
    retained = freq >= keep
    retained[table.h1[best]] = True
    retained[table.h2[best]] = True
    rows = retained[table.h1] & retained[table.h2]
    new_index = np.cumsum(retained) - 1
    f = freq[retained]
    out = T.PairTable(
        table.ind[rows], new_index[table.h1[rows]], new_index[table.h2[rows]], table.c[rows], table.haps[retained]
    )
    return out, f / f.sum()


def _predicted_pairs(g: GenotypeData) -> float:
    counts = np.ones(g.n_individuals)
    for l, k in enumerate(g.n_alleles):
        counts = counts * T.option_counts(g.codes[:, l, :], k)
    return float(np.sum((counts + 1) / 2))


def _check_frequency(value: Any, name: str) -> float:
    """A threshold in [0, 1) (``keep``, ``prune``)."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a frequency in [0, 1); got {describe(value)}")
    value = float(value)
    if not (0.0 <= value < 1.0):  # NaN fails too
        raise ValueError(f"{name} must be a frequency in [0, 1); got {value!r}")
    return value


class HaplotypeModel:
    """Haplotype frequencies from unphased genotypes, for :func:`emcore.fit_em`.

    ``fit_em(..., chunk_size=n)`` runs EM from expected haplotype counts summed over
    pieces of ``n`` individuals (without pruning, see :meth:`m_step_stats`). A dask
    collection is refused: the table of candidate haplotypes is built from the whole
    sample, so partitions cannot be prepared one at a time.

    Parameters
    ----------
    method : {"auto", "full", "ligation"}
        ``"full"`` enumerates every consistent pair; ``"ligation"`` is
        partition-ligation (Qin, Niu & Liu 2002); ``"auto"`` (default) enumerates when
        the table would have at most ``max_pairs`` rows and ligates otherwise.
    block_size : int
        Loci per block for partition-ligation (default 8).
    keep : float, optional
        Partition-ligation keeps a block's haplotypes with frequency at least ``keep``
        (plus those of every individual's most likely pair). Default ``1 / (4n)``:
        half a copy among the ``2n`` haplotypes of the sample.
    prune : float
        During EM, a haplotype whose frequency falls below ``prune`` and is still
        falling is set to zero (and its pairs dropped) whenever that does not lower
        the log-likelihood. 0 disables pruning. Default ``1e-6``.
    max_pairs : int
        Largest pair table ``method="full"`` builds (default 5,000,000).

    Notes
    -----
    The posterior (:class:`HaplotypePosterior`) lists, for each individual, its
    consistent haplotype pairs with their posterior probabilities.
    """

    #: Partitions of a dask collection cannot be prepared one by one (see above).
    PARTITIONS = False

    def __init__(
        self,
        method: str = "auto",
        *,
        block_size: int = 8,
        keep: float | None = None,
        prune: float = 1e-6,
        max_pairs: int = 5_000_000,
    ):
        self.method = check_choice(method, "method", _METHODS)
        self.block_size = check_int(block_size, "block_size", minimum=2)
        self.keep = None if keep is None else _check_frequency(keep, "keep")
        self.prune = _check_frequency(prune, "prune")
        self.max_pairs = check_int(max_pairs, "max_pairs", minimum=1)

    def __repr__(self) -> str:
        return f"HaplotypeModel(method={self.method!r}, block_size={self.block_size}, prune={self.prune:g})"

    # -- the EM model protocol -------------------------------------------------
    def prepare(self, data: Any) -> HaplotypeData:
        """Validate genotypes and build the table of consistent haplotype pairs."""
        if isinstance(data, HaplotypeData):
            return data
        g = as_genotypes(data)
        allele_freqs, _ = equilibrium_fit(g)
        method = self.method
        predicted = _predicted_pairs(g)
        if method == "auto":
            method = "full" if predicted <= self.max_pairs else "ligation"
        if method == "full" or g.n_loci <= self.block_size:
            if predicted > self.max_pairs:
                raise ValueError(
                    f"full enumeration needs about {predicted:.3g} haplotype pairs, more than "
                    f"max_pairs={self.max_pairs}; use method='ligation' (partition-ligation)"
                )
            table, work = _full_table(g, list(range(g.n_loci)), ordered=False)
            centre = _equilibrium_centre(g, table.haps, range(g.n_loci), allele_freqs)
            return HaplotypeData(g, table.haps, table.ind, table.h1, table.h2, table.c, centre, "full", work)
        return self._ligation(g, allele_freqs)

    def _ligation(self, g: GenotypeData, allele_freqs) -> HaplotypeData:
        n = g.n_individuals
        keep = self.keep if self.keep is not None else 1.0 / (4.0 * n)
        bounds = list(range(0, g.n_loci, self.block_size)) + [g.n_loci]
        blocks, work = [], 0
        table: Any
        for a, b in zip(bounds[:-1], bounds[1:]):
            loci = list(range(a, b))
            table, w = _full_table(g, loci, ordered=False)
            work += w
            start = _equilibrium_centre(g, table.haps, loci, allele_freqs)
            freq = T.em_frequencies(table, n, start, prune=self.prune)
            blocks.append(_retain(table, freq, n, keep))
        while len(blocks) > 1:
            joined = []
            last = len(blocks) == 2
            for j in range(0, len(blocks) - 1, 2):
                (ta, fa), (tb, fb) = blocks[j], blocks[j + 1]
                table = T.ligate(T.to_ordered(ta), T.to_ordered(tb), n, ordered=False)
                work += table.n_rows
                # start: product of the two halves' frequencies
                left, right = table.parts
                start = fa[left] * fb[right]
                start = start / start.sum()
                if last:
                    return HaplotypeData(g, table.haps, table.ind, table.h1, table.h2, table.c, start, "ligation", work)
                freq = T.em_frequencies(table, n, start, prune=self.prune)
                joined.append(_retain(table, freq, n, keep))
            if len(blocks) % 2:
                joined.append(blocks[-1])
            blocks = joined
        raise AssertionError("unreachable")  # pragma: no cover

    def initial_params(self, data: HaplotypeData, rng: np.random.Generator) -> HaplotypeParams:
        """The centre (see :class:`HaplotypeData`) times independent Exp(1) factors."""
        f = data.centre * rng.exponential(1.0, size=data.n_haplotypes)
        return HaplotypeParams(f / f.sum())

    def default_params(self, data: HaplotypeData) -> HaplotypeParams:
        """The deterministic start: the centre of :class:`HaplotypeData` (linkage
        equilibrium for full enumeration, the product of the two halves' frequencies
        for partition-ligation). :func:`emcore.fit_em` starts its first run here."""
        data = self.prepare(data)
        return HaplotypeParams(readonly(data.centre))

    def coerce_params(self, init: Any, data: HaplotypeData) -> HaplotypeParams:
        """Accept params, ``"centre"``, ``"uniform"``, ``{"frequencies": [...]}`` or
        ``{"haplotypes": {labels: frequency}}`` (unlisted haplotypes get 0).

        Frequencies must be non-negative, sum to 1 and give every individual a pair of
        haplotypes with positive frequency; ``{"frequencies": ...}`` needs one entry per
        candidate haplotype (``data.haplotypes``), and every haplotype named in
        ``{"haplotypes": ...}`` must be a candidate (allele labels, one per locus).
        """
        n_hap = data.n_haplotypes
        if isinstance(init, HaplotypeParams):
            f = np.asarray(init.frequencies, dtype=float)
            name = "init"
            if f.shape != (n_hap,):
                raise ValueError(
                    f"init has {f.size} frequencies; these data have {n_hap} candidate haplotypes "
                    "(params of another data set?)"
                )
        elif isinstance(init, str):
            if init == "centre":
                f, name = data.centre, "init"
            elif init == "uniform":
                f, name = np.full(n_hap, 1.0 / n_hap), "init"
            else:
                raise ValueError(f"init must be 'centre', 'uniform', params or a mapping; got {init!r}")
        elif isinstance(init, Mapping):
            unknown = set(init) - {"frequencies", "haplotypes"}
            if unknown or len(init) != 1:
                raise ValueError(
                    "haplotype parameters are given as {'frequencies': [...]} (one per candidate "
                    f"haplotype) or {{'haplotypes': {{labels: frequency}}}}; got keys {sorted(map(str, init))}"
                )
            if "frequencies" in init:
                name = "init frequencies"
                values = init["frequencies"]
                if isinstance(values, Mapping):
                    raise TypeError(
                        f"{name} must be a sequence of {n_hap} frequencies (one per candidate haplotype); "
                        "use init={'haplotypes': {labels: frequency}} to name haplotypes"
                    )
                f = as_float_array(values, name, min_size=0)
                if f.ndim != 1 or f.size != n_hap:
                    raise ValueError(
                        f"frequencies must have one entry per candidate haplotype ({n_hap}); got shape {f.shape}"
                    )
            else:
                name = "init haplotype frequencies"
                f = self._named_frequencies(init["haplotypes"], data, name)
        else:
            raise TypeError(f"init must be a HaplotypeParams, a string or a mapping; got {type(init).__name__}")
        f = check_probability_vector(f, name, allow_zero=True, atol=1e-9)
        params = HaplotypeParams(f)
        if not np.all(np.isfinite(self._per_individual(data, params)[1])):
            raise ValueError(
                f"{name}: these frequencies give some individual probability 0: every genotype needs a "
                "pair of haplotypes with positive frequency"
            )
        return params

    @staticmethod
    def _named_frequencies(table: Any, data: HaplotypeData, name: str) -> np.ndarray:
        if not isinstance(table, Mapping):
            raise TypeError(
                f"{name} must map haplotypes (tuples of allele labels) to frequencies; got {describe(table)}"
            )
        n_loci = data.genotypes.n_loci
        lookup = {data.haplotype_labels(k): k for k in range(data.n_haplotypes)}
        f = np.zeros(data.n_haplotypes)
        for hap, value in table.items():
            if isinstance(hap, (str, bytes)) and n_loci > 1 or not isinstance(hap, (tuple, list, str)):
                raise TypeError(
                    f"{name}: a haplotype is a tuple of {n_loci} allele labels, one per locus; got {describe(hap)}"
                )
            key = (hap,) if isinstance(hap, str) else tuple(x.item() if isinstance(x, np.generic) else x for x in hap)
            if len(key) != n_loci:
                raise ValueError(
                    f"{name}: haplotype {key!r} has {len(key)} allele(s); these data have {n_loci} loci "
                    f"({', '.join(data.genotypes.loci)})"
                )
            if key not in lookup:
                raise ValueError(f"haplotype {key!r} is not consistent with any genotype ({name})")
            f[lookup[key]] = check_real(value, f"{name}[{key!r}]", minimum=0.0)
        return f

    def _support(self, data: HaplotypeData, params: HaplotypeParams) -> _Support:
        """The live rows of the pair table (both haplotypes positive) for these frequencies.

        They depend only on which frequencies are 0, so they are kept on the data
        (``HaplotypeData._cache``), keyed by that zero pattern: a run prunes a few
        times, and every E-step between two prunings reuses the same rows.
        """
        f = params.frequencies
        if np.all(f > 0):
            return _Support(None, data.ind, data.h1, data.h2, data.c)
        key = ("support", np.flatnonzero(f == 0).tobytes())
        support = data._cache.get(key)
        if support is None:
            rows = np.flatnonzero((f[data.h1] > 0) & (f[data.h2] > 0))
            support = _Support(rows, data.ind[rows], data.h1[rows], data.h2[rows], data.c[rows])
            if len(data._cache) >= _SUPPORTS_KEPT:
                data._cache.clear()
            data._cache[key] = support
        return support

    def _per_individual(self, data: HaplotypeData, params: HaplotypeParams):
        """Row weights ``c p[h1] p[h2]`` (support rows) and the log-likelihood per individual."""
        s = self._support(data, params)
        f = params.frequencies
        n = data.n_individuals
        w = s.c * f[s.h1] * f[s.h2]
        like = np.bincount(s.ind, weights=w, minlength=n)
        if np.all(like > 0) and np.all(np.isfinite(like)):
            return s, np.log(like), w, like
        lw = T.log_weights(s.c, f[s.h1], f[s.h2])
        starts = T.segment_starts(s.ind)
        if starts.size != n:
            return s, np.full(n, -np.inf), w, like
        top = np.maximum.reduceat(lw, starts)
        top = np.where(np.isfinite(top), top, 0.0)
        scaled = np.exp(lw - top[s.ind])
        like = np.bincount(s.ind, weights=scaled, minlength=n)
        with np.errstate(divide="ignore"):
            return s, top + np.log(like), scaled, like

    def _evaluate(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[HaplotypePosterior, float]:
        s, ll, w, like = self._per_individual(data, params)
        q = w / like[s.ind]
        rows = np.arange(data.n_pairs) if s.rows is None else s.rows
        return HaplotypePosterior(rows, q), float(np.sum(ll))

    def e_step(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[HaplotypePosterior, float]:
        """Posterior of every consistent pair, and the total log-likelihood."""
        return self._evaluate(data, params)

    def hard_e_step(self, data: HaplotypeData, params: HaplotypeParams):
        """Each individual's single most likely pair (ties go to the first row)."""
        s, ll, w, like = self._per_individual(data, params)
        f = params.frequencies
        lw = T.log_weights(s.c, f[s.h1], f[s.h2])
        best = T.segment_argmax(s.ind, lw, data.n_individuals)
        rows = np.arange(data.n_pairs) if s.rows is None else s.rows
        post = HaplotypePosterior(rows[best], np.ones(best.size), hard=True)
        return post, float(np.sum(ll)), float(np.sum(lw[best]))

    def _counts(self, data: HaplotypeData, posterior: HaplotypePosterior) -> np.ndarray:
        H = data.n_haplotypes
        r, q = posterior.rows, posterior.prob
        return np.bincount(data.h1[r], weights=q, minlength=H) + np.bincount(data.h2[r], weights=q, minlength=H)

    def m_step(self, data: HaplotypeData, posterior: HaplotypePosterior, params: HaplotypeParams) -> HaplotypeParams:
        """Expected haplotype counts over ``2n``; then prune (see the class docstring)."""
        new = self._counts(data, posterior) / (2.0 * data.n_individuals)
        new.setflags(write=False)
        if posterior.hard:
            return HaplotypeParams(new)
        candidate = HaplotypeParams(new)
        if self.prune > 0:
            small = (new > 0) & (new < self.prune) & (new < params.frequencies)
            if small.any():
                pruned = np.where(small, 0.0, new)
                pruned /= pruned.sum()
                pruned.setflags(write=False)
                trial = HaplotypeParams(pruned)
                ll_trial = self._evaluate(data, trial)[1]
                ll_new = self._evaluate(data, candidate)[1]
                if ll_trial >= ll_new:
                    return trial
        return candidate

    # -- expected sufficient statistics (chunked, distributed and online EM) -----------
    def split(self, data: Any, size: int) -> list[HaplotypeData]:
        """The individuals of ``data`` in pieces of at most ``size``, sharing the one candidate table.

        Each piece keeps every candidate haplotype (the table is built from the
        whole sample, so that all pieces count the same haplotypes) and the rows of
        the pair table of its own individuals.
        """
        data = self.prepare(data)
        size = check_int(size, "chunk_size", minimum=1)
        pieces = []
        for a in range(0, data.n_individuals, size):
            b = min(a + size, data.n_individuals)
            lo, hi = np.searchsorted(data.ind, [a, b])
            g = data.genotypes
            part = GenotypeData(g.codes[a:b], g.alleles, g.loci, None if g.ids is None else g.ids[a:b])
            rows = slice(int(lo), int(hi))
            pieces.append(
                HaplotypeData(
                    part,
                    data.haplotypes,
                    data.ind[rows] - a,
                    data.h1[rows],
                    data.h2[rows],
                    data.c[rows],
                    data.centre,
                    data.method,
                    int(hi - lo),
                )
            )
        return pieces

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]:
        """Expected copies of each candidate haplotype and the number of individuals; the log-likelihood.

        ``{"copies": (n_haplotypes,), "individuals": ()}``: sums over individuals, so
        they add up over disjoint pieces of the sample.
        """
        data = self.prepare(data)
        if not isinstance(params, HaplotypeParams):
            params = self.coerce_params(params, data)
        posterior, loglik = self._evaluate(data, params)
        return {"copies": self._counts(data, posterior), "individuals": np.array(float(data.n_individuals))}, loglik

    def m_step_stats(self, data: Any, stats: Any, params: Any) -> HaplotypeParams:
        """Frequencies from summed :meth:`expected_stats`: expected copies over ``2n``.

        The EM map itself, without :meth:`m_step`'s pruning (which compares the
        log-likelihood of the whole sample with and without the smallest
        frequencies, and so needs the whole sample): with ``prune=0`` the two are the
        same; otherwise tiny frequencies go to 0 at EM's own pace.
        """
        data = self.prepare(data)
        stats = check_stats(stats, {"copies": data.n_haplotypes, "individuals": ()})
        n = float(stats["individuals"])
        if n <= 0:
            raise ValueError(f"stats['individuals'] must be positive; got {n}")
        new = stats["copies"] / (2.0 * n)
        new.setflags(write=False)
        return HaplotypeParams(new)

    # -- the evidence lower bound ---------------------------------------------------
    def complete_loglik(self, data: HaplotypeData, params: HaplotypeParams, posterior: HaplotypePosterior) -> float:
        """``E_q[log P(G, phase; p)] = sum q * log(c p[h1] p[h2])`` over the posterior's rows."""
        if not isinstance(params, HaplotypeParams):
            params = self.coerce_params(params, data)
        r, q = posterior.rows, np.asarray(posterior.prob, dtype=float)
        f = params.frequencies
        lw = T.log_weights(data.c[r], f[data.h1[r]], f[data.h2[r]])
        support = q > 0  # 0 * log 0 = 0: a pair with no mass contributes nothing
        return float(np.sum(q[support] * lw[support]))

    def entropy(self, posterior: HaplotypePosterior) -> float:
        """``H(q) = -sum q log q`` (natural log), summed over individuals."""
        q = np.asarray(posterior.prob, dtype=float)
        return float(-np.sum(xlogy(q, q)))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) ---------------------
    def to_unconstrained(self, params: HaplotypeParams) -> np.ndarray:
        """The positive frequencies as centred log-frequencies (see :mod:`emcore.accelerate`).

        Frequencies that are exactly 0 (pruned haplotypes, or haplotypes a start
        leaves out) are fixed points of EM: they are left out of the vector and stay
        0 in :meth:`from_unconstrained`.
        """
        if not isinstance(params, HaplotypeParams):
            raise TypeError(f"params must be HaplotypeParams; got {type(params).__name__}")
        return _tr.pack(params, _LEARNED)

    def from_unconstrained(self, vector: Any, like: HaplotypeParams) -> HaplotypeParams:
        """Frequencies from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the number of candidate haplotypes and which of them have
        frequency 0 (they stay 0). Raises ValueError for a vector of the wrong
        length or outside the parameter space (a frequency that underflows to 0).
        """
        if not isinstance(like, HaplotypeParams):
            raise TypeError(f"like must be HaplotypeParams; got {type(like).__name__}")
        v = as_float_array(vector, "vector", min_size=0).ravel()
        f = _tr.unpack(v, like, _LEARNED)["frequencies"]
        f.setflags(write=False)
        return HaplotypeParams(f)

    # -- conveniences ---------------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Total log-likelihood ``sum_i log P(G_i; p)`` (natural log)."""
        data = self.prepare(data)
        if not isinstance(params, HaplotypeParams):
            params = self.coerce_params(params, data)
        return float(np.sum(self._per_individual(data, params)[1]))

    def best_pairs(self, data: HaplotypeData, params: HaplotypeParams) -> tuple[np.ndarray, np.ndarray]:
        """Each individual's most likely pair (row of the pair table) and its posterior."""
        post, _ = self.e_step(data, params)
        ind = data.ind[post.rows]
        best = T.segment_argmax(ind, post.prob, data.n_individuals)
        return post.rows[best], post.prob[best]
