"""Motifs written out and compared: MEME minimal format (to_meme), similarity of two matrices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._sequences import ALPHABET
from .._validation import check_flag, check_int, describe
from .params import _as_matrix, _check_background, _revcomp_matrix
from .results import MotifResult


# --------------------------------------------------------------------------- output
def _check_results(results: Any) -> list[MotifResult]:
    if isinstance(results, MotifResult):
        return [results]
    if isinstance(results, (str, bytes, Mapping)) or not hasattr(results, "__iter__"):
        raise TypeError(f"results must be a MotifResult or a list of them (from find_motifs); got {describe(results)}")
    results = list(results)
    for i, res in enumerate(results):
        if not isinstance(res, MotifResult):
            raise TypeError(f"results[{i}] must be a MotifResult (from find_motifs); got {describe(res)}")
    if not results:
        raise ValueError("results is empty: no motifs to write")
    return results


def to_meme(results: Sequence[MotifResult], background: Any = None, revcomp: bool = True) -> str:
    """The motifs in MEME's minimal motif format (readable by FIMO, Tomtom, ...).

    ``results`` is a MotifResult or a non-empty list of them; ``background`` (4
    probabilities of A, C, G, T) defaults to the first result's.
    """
    results = _check_results(results)
    revcomp = check_flag(revcomp, "revcomp")
    if background is None and results[0].background is None:
        raise ValueError("results[0] carries no background: pass background=[pA, pC, pG, pT]")
    b = _check_background(results[0].background if background is None else background)
    lines = [
        "MEME version 4",
        "",
        "ALPHABET= ACGT",
        "",
        f"strands: {'+ -' if revcomp else '+'}",
        "",
        "Background letter frequencies",
        " ".join(f"{a} {p:.3f}" for a, p in zip(ALPHABET, b)),
        "",
    ]
    for k, res in enumerate(results, start=1):
        W = res.params.width
        lines += [
            f"MOTIF MOTIF{k} {res.consensus}",
            f"letter-probability matrix: alength= 4 w= {W} nsites= {max(len(res.sites), 1)} E= 0",
        ]
        lines += ["  " + "  ".join(f"{p:.6f}" for p in row) for row in res.params.ppm]
        lines.append("")
    return "\n".join(lines)


def ppm_similarity(a: Any, b: Any, min_overlap: int = 5) -> tuple[float, int, str]:
    """Best column-wise similarity of two matrices over offsets and strands.

    ``a`` and ``b`` are (W, 4) arrays (columns A, C, G, T) of probabilities or
    counts (the correlation does not depend on the scale of a row); at least
    ``min_overlap`` columns must align, so ``1 <= min_overlap <= min(W_a, W_b)``.
    Returns the mean Pearson correlation of the aligned columns (``1`` is perfect),
    the offset of ``b`` relative to ``a`` and the strand of ``b`` (``"-"``: its
    reverse complement aligns better).
    """
    a = _as_matrix(a, "a")
    b = _as_matrix(b, "b")
    min_overlap = check_int(min_overlap, "min_overlap", minimum=1)
    narrow = min(a.shape[0], b.shape[0])
    if min_overlap > narrow:
        raise ValueError(f"min_overlap must be at most the width of the narrower matrix ({narrow}); got {min_overlap}")
    best = (-np.inf, 0, "+")
    for strand, mat in (("+", b), ("-", _revcomp_matrix(b))):
        for off in range(-(mat.shape[0] - min_overlap), a.shape[0] - min_overlap + 1):
            lo, hi = max(0, off), min(a.shape[0], off + mat.shape[0])
            if hi - lo < min_overlap:
                continue
            x = a[lo:hi] - a[lo:hi].mean(axis=1, keepdims=True)
            y = mat[lo - off : hi - off] - mat[lo - off : hi - off].mean(axis=1, keepdims=True)
            den = np.sqrt((x**2).sum(axis=1) * (y**2).sum(axis=1))
            r = np.where(den > 0, (x * y).sum(axis=1) / np.where(den > 0, den, 1), 0.0)
            score = float(r.mean())
            if score > best[0] + 1e-12:
                best = (score, off, strand)
    return best
