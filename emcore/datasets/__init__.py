"""Data sets and simulations: the one home for example data (no downloads).

Real data come from packages installed from the registry (their data files are read,
never downloaded); simulated data are drawn with a :class:`numpy.random.Generator`
the caller passes in.

- :func:`casino_params`, :func:`casino_model` - the occasionally dishonest casino, a
  two-state hidden Markov model (Durbin et al. 1998);
- :func:`seed_coins` - the coin-flipping experiment of Do & Batzoglou (2008), Figure 1;
- :func:`crp_sites`, :func:`chipseq_peaks` - E. coli CRP binding sites (logomaker) and
  MafK/Oct4 ChIP-seq peaks (the janggu wheel's data files);
  :func:`mutate_sites`, :func:`plant_sites` - simulated sequences with planted sites.
"""

from __future__ import annotations

from .casino import CASINO_ALPHABET, CASINO_STATES, casino_model, casino_params
from .coins import seed_coins
from .motifs import chipseq_peaks, crp_sites, mutate_sites, plant_sites

__all__ = [
    "CASINO_ALPHABET",
    "CASINO_STATES",
    "casino_model",
    "casino_params",
    "chipseq_peaks",
    "crp_sites",
    "mutate_sites",
    "plant_sites",
    "seed_coins",
]
