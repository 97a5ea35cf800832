"""Motif discovery in DNA by EM: the OOPS, ZOOPS and TCM models of MEME.

Given unaligned DNA sequences, find a pattern of width ``W`` that occurs (with
variation) in them (Lawrence & Reilly 1990; Bailey & Elkan 1994, 1995). The motif is
a position probability matrix ``ppm`` of shape ``(W, 4)`` (rows: motif columns,
columns: A, C, G, T); every letter outside a site comes from a zero-order background
``b``. The missing data is where the site starts (and on which strand).

Models
------
``"oops"``
    One occurrence per sequence: each sequence holds exactly one site, its start
    uniform over the ``m_i`` allowed windows (``2 m_i`` with both strands).
``"zoops"``
    Zero or one occurrence per sequence: a site with probability ``gamma`` (learned),
    otherwise none. ZOOPS with ``gamma = 1`` is OOPS; one E-step serves both.
``"tcm"``
    Two-component mixture: every window of every sequence is a site with
    probability ``gamma`` (Bailey & Elkan 1994's model of W-mers as independent
    draws, without MEME's overlap smoothing). Because nothing stops overlapping
    windows from all being called sites, TCM can lock onto self-overlapping or
    shifted copies of a motif (palindromes especially) and report more sites than
    there are; prefer ZOOPS unless sequences really hold several sites.

Let ``LO_ij = sum_k log(ppm[k, x_{i,j+k}] / b[x_{i,j+k}])`` be the log-odds of the
window starting at ``j`` in sequence ``i``. For OOPS/ZOOPS,

    P(x_i) = P_bg(x_i) * (1 - gamma + gamma * sum_j pi_ij exp(LO_ij)),

with ``pi_ij`` the prior over start positions (uniform over allowed windows and
strands; down-weighted where earlier motifs were found, see :func:`erase`). The
posterior of a start is the term ``j`` of that sum over the whole bracket.

Objective
---------
The M-step adds Dirichlet pseudocounts ``pseudocount * b`` to the expected letter
counts of each column: a MAP estimate under the prior whose log density is, up to
a constant,

    log_prior(ppm) = sum_k sum_a pseudocount * b_a * log ppm[k, a]

(:meth:`MotifModel.log_prior`, the optional MAP method of the EM protocol in
:mod:`emcore.em`; 0 with ``pseudocount=0``). EM therefore climbs the *penalised*
log-likelihood ``log P(x; ppm, gamma) + log_prior(ppm)``: this is what
:func:`emcore.fit_em` monitors and reports as ``EMResult.objective``, and what never
decreases (hard EM: the classification log-likelihood plus ``log_prior``). Every log-likelihood the model returns is the *plain* one, without the
prior: :meth:`MotifModel.e_step` and :meth:`MotifModel.loglik` return
``log P(x; ppm, gamma)``, :meth:`MotifModel.hard_e_step` also the plain
classification log-likelihood ``max_z log P(x, z)``, and
:meth:`MotifModel.complete_loglik` the plain ``E_q[log P(x, z)]``, so that
``complete_loglik + entropy`` (:func:`emcore.elbo`) bounds ``log P(x)`` and
that bound plus ``log_prior`` bounds the objective. ``EMResult.loglik`` and
``MotifResult.loglik`` are the plain log-likelihood. Natural logs, summed over
sequences, always.

Masked letters
--------------
N and the other IUPAC ambiguity codes (and lower case with ``mask_lowercase=True``)
are *masked*: a window that covers one is not a candidate site, and the letter
itself contributes nothing to the likelihood. A sequence with no allowed window
(shorter than ``W``, say) is skipped with a :class:`MotifWarning`.

Vectorisation
-------------
All window log-odds are computed at once: the letters of each window are cut into
chunks of up to five, each chunk is coded as one integer (a 5-mer is one of
``4**5 = 1024`` codes), and the log-odds of a window is the sum of a few table
look-ups. The M-step counts letters the same way with weighted ``bincount``. No
Python loop runs over sequences or positions.
"""

from __future__ import annotations

from .data import MotifData, MotifWarning, read_fasta
from .model import MODELS, MODES, MotifModel
from .output import ppm_similarity, to_meme
from .params import MotifParams, consensus, information_content, kmer_params
from .results import MotifResult, Site, sites_of
from .search import candidate_kmers, erase, find_motifs

__all__ = [
    "MODELS",
    "MODES",
    "MotifData",
    "MotifModel",
    "MotifParams",
    "MotifResult",
    "MotifWarning",
    "Site",
    "candidate_kmers",
    "consensus",
    "crp_sites",
    "chipseq_peaks",
    "erase",
    "find_motifs",
    "information_content",
    "kmer_params",
    "mutate_sites",
    "plant_sites",
    "ppm_similarity",
    "read_fasta",
    "sites_of",
    "to_meme",
]

#: Example data and simulators that moved to :mod:`emcore.datasets` (one home for data
#: sets and simulation); their old address here keeps working.
_MOVED = ("chipseq_peaks", "crp_sites", "mutate_sites", "plant_sites")


def __getattr__(name: str):
    if name in _MOVED:
        from ..datasets import motifs

        return getattr(motifs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MOVED))
