"""The occasionally dishonest casino (Durbin, Eddy, Krogh & Mitchison 1998, section 3.2).

A casino rolls a fair die, and now and then switches to a loaded one that shows a six
half the time: a two-state hidden Markov model over the symbols ``"123456"``, the
standard first example of an HMM.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..hmm import DiscreteHMM, HMMParams

__all__ = ["CASINO_ALPHABET", "CASINO_STATES", "casino_model", "casino_params"]

#: The faces of the die, as the symbols of the model.
CASINO_ALPHABET = "123456"
#: The hidden states: which die is in use.
CASINO_STATES = ("fair", "loaded")


def casino_params() -> HMMParams:
    """The casino's parameters: switch fair -> loaded with probability 0.05 and back with
    0.10 per roll; the loaded die shows 1-5 with probability 0.1 each and 6 with 0.5;
    either die to start, with probability 1/2."""
    return HMMParams(
        start=np.array([0.5, 0.5]),
        transitions=np.array([[0.95, 0.05], [0.10, 0.90]]),
        emissions=np.array([[1 / 6] * 6, [0.1] * 5 + [0.5]]),
    )


def casino_model(**settings: Any) -> DiscreteHMM:
    """A :class:`~emcore.hmm.DiscreteHMM` with the casino's two states and six faces;
    ``settings`` go to the model (``fixed=``, ``start=``, ``pseudocount=``, ``backend=`` ...)."""
    return DiscreteHMM(2, alphabet=CASINO_ALPHABET, state_names=CASINO_STATES, **settings)
