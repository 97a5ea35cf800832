"""Hidden Markov models with discrete emissions: Baum-Welch and Viterbi training.

A hidden Markov model (HMM) with ``K`` states and an alphabet of ``M`` symbols
generates a sequence ``x_1..x_T`` by walking a Markov chain of hidden states
``z_1..z_T`` and emitting one symbol from each state:

    P(x, z) = start[z_1] * emissions[z_1, x_1]
              * prod_{t=2..T} transitions[z_{t-1}, z_t] * emissions[z_t, x_t].

For :func:`emcore.fit_em` the missing data of a sequence is its whole state path.

* The E-step is the forward-backward algorithm (Baum et al. 1970; Rabiner 1989),
  with Rabiner's scaling so that sequences of millions of symbols neither underflow
  nor overflow. It returns the *expected counts*: how often each state starts a
  sequence, each transition ``i -> j`` is taken and each state emits each symbol,
  averaged over all state paths weighted by their posterior probability.
* The M-step normalises the expected counts row by row (plus optional
  pseudocounts). Soft EM is the Baum-Welch algorithm.
* Hard EM is *Viterbi training*: the single most probable path of each sequence
  (the Viterbi path) is counted as if it were known.

Several sequences of different lengths are fitted together; each starts afresh from
``start``. Parameters can be held fixed by name (``fixed={"emissions"}``). All
log-likelihoods are natural logs summed over every sequence.

Nothing here returns a log-likelihood of ``-inf``: a start or a set of parameters
under which some sequence is impossible (an observed symbol that no reachable state
emits) is refused with a ValueError naming the sequence and the position.
:class:`HMMData` and :class:`HMMParams` check themselves when they are built.
"""

from __future__ import annotations

from .data import HMMData
from .model import DiscreteHMM
from .params import PARAM_NAMES, HMMParams, HMMPosterior

__all__ = [
    "HMMData",
    "HMMParams",
    "HMMPosterior",
    "DiscreteHMM",
    "PARAM_NAMES",
]
