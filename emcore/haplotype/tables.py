"""Tables of haplotype pairs: enumeration, ligation and the vectorised EM sums.

Private helpers of :mod:`emcore.haplotype`. A *pair table* lists, for every
individual, the haplotype pairs consistent with its genotype as flat arrays sorted by
individual: ``ind`` (the individual), ``h1``, ``h2`` (haplotype indices into a
haplotype matrix, shape ``(n_haplotypes, n_loci)`` of allele codes). An *ordered*
table lists every ordered pair ``(h1, h2)``; an *unordered* one keeps ``h1 <= h2``
and the multiplicity ``c`` (2 if ``h1 != h2``, else 1), so that the likelihood of an
individual is ``sum c * p[h1] * p[h2]`` over its rows. Every sum over individuals is
an ``np.bincount`` over the rows: no Python loop over individuals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MISSING = -1


@dataclass(frozen=True, eq=False)
class OrderedTable:
    """Ordered pairs: ``ind``, ``a``, ``b`` (haplotype indices), ``haps`` (H, loci)."""

    ind: np.ndarray
    a: np.ndarray
    b: np.ndarray
    haps: np.ndarray
    parts: tuple | None = None


@dataclass(frozen=True, eq=False)
class PairTable:
    """Unordered pairs (``h1 <= h2``) with multiplicity ``c``; sorted by ``ind``."""

    ind: np.ndarray
    h1: np.ndarray
    h2: np.ndarray
    c: np.ndarray
    haps: np.ndarray
    parts: tuple | None = None

    @property
    def n_rows(self) -> int:
        return int(self.ind.size)

    @property
    def n_haplotypes(self) -> int:
        return int(self.haps.shape[0])


def locus_options(codes: np.ndarray, n_alleles: int) -> OrderedTable:
    """Ordered allele pairs consistent with one locus.

    ``codes`` has shape ``(n, 2)`` (allele codes, ``-1`` missing). A homozygote gives
    one ordered pair, a heterozygote two, ``{a, ?}`` the ``2K - 1`` pairs with at least
    one ``a``, and ``{?, ?}`` all ``K**2`` pairs: the sum over these pairs of
    ``p[u] p[v]`` is the probability of the observed (possibly incomplete) genotype.
    """
    x, y = codes[:, 0], codes[:, 1]
    full = (x >= 0) & (y >= 0)
    ind_list, a_list, b_list = [], [], []
    idx = np.flatnonzero(full)
    ind_list.append(idx)
    a_list.append(x[idx])
    b_list.append(y[idx])
    het = idx[x[idx] != y[idx]]
    ind_list.append(het)
    a_list.append(y[het])
    b_list.append(x[het])
    part = np.flatnonzero(~full)
    if part.size:
        k = n_alleles
        u = np.repeat(np.arange(k), k)
        v = np.tile(np.arange(k), k)
        known = np.where(x[part] >= 0, x[part], y[part])  # -1 when both missing
        ok = (known[:, None] < 0) | (u[None, :] == known[:, None]) | (v[None, :] == known[:, None])
        rr, cc = np.nonzero(ok)
        ind_list.append(part[rr])
        a_list.append(u[cc])
        b_list.append(v[cc])
    ind = np.concatenate(ind_list)
    order = np.argsort(ind, kind="stable")
    haps = np.arange(n_alleles, dtype=np.int32)[:, None]
    return OrderedTable(
        ind[order].astype(np.int64),
        np.concatenate(a_list)[order].astype(np.int64),
        np.concatenate(b_list)[order].astype(np.int64),
        haps,
    )


def option_counts(codes: np.ndarray, n_alleles: int) -> np.ndarray:
    """Number of ordered allele pairs per individual at one locus, shape ``(n,)``."""
    x, y = codes[:, 0], codes[:, 1]
    out = np.where(x == y, 1, 2).astype(float)
    one = (x < 0) ^ (y < 0)
    out[one] = 2 * n_alleles - 1
    out[(x < 0) & (y < 0)] = n_alleles**2
    return out


def _cross(
    left: OrderedTable, right: OrderedTable, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-individual cross product of two ordered tables (both sorted by ``ind``)."""
    n_right = np.bincount(right.ind, minlength=n)
    off_right = np.concatenate(([0], np.cumsum(n_right)[:-1]))
    reps = n_right[left.ind]
    total = int(reps.sum())
    rep_left = np.repeat(np.arange(left.ind.size), reps)
    starts = np.repeat(np.cumsum(reps) - reps, reps)
    t = np.arange(total) - starts
    rows_right = off_right[left.ind[rep_left]] + t
    return left.ind[rep_left], left.a[rep_left], left.b[rep_left], right.a[rows_right], right.b[rows_right]


def _compress(ind, code1, code2, haps_left, haps_right, n_right_haps, keep_ordered: bool):
    if not keep_ordered:
        keep = code1 <= code2
        ind, code1, code2 = ind[keep], code1[keep], code2[keep]
    space = int(haps_left.shape[0]) * int(n_right_haps)
    if space <= max(8 * (code1.size + code2.size), 1 << 20):
        # codes are bounded: a presence table is faster than sorting
        present = np.zeros(space, dtype=bool)
        present[code1] = True
        present[code2] = True
        uniq = np.flatnonzero(present)
        rank = np.cumsum(present) - 1
        h1, h2 = rank[code1], rank[code2]
    else:
        uniq, inverse = np.unique(np.concatenate([code1, code2]), return_inverse=True)
        m = code1.size
        h1, h2 = inverse[:m], inverse[m:]
    left, right = uniq // n_right_haps, uniq % n_right_haps
    haps = np.concatenate([haps_left[left], haps_right[right]], axis=1)
    return ind, h1.astype(np.int64), h2.astype(np.int64), haps, (left, right)


def ligate(left: OrderedTable, right: OrderedTable, n: int, ordered: bool) -> OrderedTable | PairTable:
    """Join two ordered tables over neighbouring loci into one over both.

    Each individual's consistent pairs over the union of the loci are all
    combinations of its ordered pairs on the left and on the right. With
    ``ordered=False`` the result keeps one row per unordered pair.
    """
    ind, la, lb, ra, rb = _cross(left, right, n)
    hr = right.haps.shape[0]
    code1 = la * hr + ra
    code2 = lb * hr + rb
    ind, h1, h2, haps, parts = _compress(ind, code1, code2, left.haps, right.haps, hr, keep_ordered=ordered)
    if ordered:
        return OrderedTable(ind, h1, h2, haps, parts)
    c = np.where(h1 == h2, 1.0, 2.0)
    return PairTable(ind, h1, h2, c, haps, parts)


def to_ordered(table: PairTable) -> OrderedTable:
    """Both orders of every unordered pair, sorted by individual."""
    het = table.h1 != table.h2
    ind = np.concatenate([table.ind, table.ind[het]])
    a = np.concatenate([table.h1, table.h2[het]])
    b = np.concatenate([table.h2, table.h1[het]])
    order = np.argsort(ind, kind="stable")
    return OrderedTable(ind[order], a[order], b[order], table.haps)


def to_unordered(table: OrderedTable) -> PairTable:
    keep = table.a <= table.b
    h1, h2 = table.a[keep], table.b[keep]
    return PairTable(table.ind[keep], h1, h2, np.where(h1 == h2, 1.0, 2.0), table.haps)


def segment_starts(ind: np.ndarray) -> np.ndarray:
    """Index of the first row of each individual (rows sorted by individual)."""
    if ind.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], ind[1:] != ind[:-1])))


def log_weights(c, f1, f2):
    with np.errstate(divide="ignore"):
        return np.log(c) + np.log(f1) + np.log(f2)


def segment_argmax(ind: np.ndarray, w: np.ndarray, n: int) -> np.ndarray:
    """Row index of the largest weight of each individual (first one on ties)."""
    starts = segment_starts(ind)
    if starts.size != n:
        raise ValueError("an individual has no consistent haplotype pair")
    best = np.maximum.reduceat(w, starts)
    is_best = w == best[ind]
    rows = np.flatnonzero(is_best)
    first = segment_starts(ind[rows])
    return rows[first]


def em_frequencies(
    table: PairTable, n: int, start: np.ndarray, tol: float = 1e-8, max_iter: int = 2000, prune: float = 0.0
) -> np.ndarray:
    """EM on the pair table of one block inside partition-ligation: a documented fast path.

    Each iteration is the E- and M-step of :class:`~emcore.haplotype.HaplotypeModel` on
    this table, and the run stops by the rule of :func:`emcore.fit_em`
    (``|L_t - L_{t-1}| <= tol * max(1, |L_{t-1}|)``), returning the M-step taken at
    the stopping point (one EM map past the driver's ``params``). It departs from the
    model in one deliberate way, its pruning: a haplotype below ``prune`` whose
    frequency is falling is dropped whenever every individual keeps a consistent pair
    (the model also asks that the log-likelihood not fall, to stay monotone), and its
    rows leave the table. Partition-ligation uses these frequencies only to choose the
    haplotypes each block keeps, and the smaller tables are what let it scale. With
    ``prune=0`` it is EM exactly: ``tests/test_haplotype.py`` checks it against
    :func:`emcore.fit_em` on the same table.
    """
    p = start.copy()
    ind, h1, h2, c = table.ind, table.h1, table.h2, table.c
    H = table.n_haplotypes
    old = -np.inf
    for _ in range(max_iter):
        w = c * p[h1] * p[h2]
        like = np.bincount(ind, weights=w, minlength=n)
        ll = float(np.sum(np.log(like)))
        q = w / like[ind]
        new = (np.bincount(h1, weights=q, minlength=H) + np.bincount(h2, weights=q, minlength=H)) / (2.0 * n)
        if prune > 0:
            small = (new < prune) & (new > 0) & (new < p)
            if small.any():
                trial = np.where(small, 0.0, new)
                trial /= trial.sum()
                wt = c * trial[h1] * trial[h2]
                lt = np.bincount(ind, weights=wt, minlength=n)
                if np.all(lt > 0):
                    new = trial
                    keep = (trial[h1] > 0) & (trial[h2] > 0)
                    ind, h1, h2, c = ind[keep], h1[keep], h2[keep], c[keep]
        p = new
        if math.isfinite(old) and abs(ll - old) <= tol * max(1.0, abs(old)):
            break
        old = ll
    return p
