"""Drawing state paths and symbol sequences from a hidden Markov model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import _hmm_kernels as _k
from .._validation import check_int, describe, is_int


def sample(
    model: Any, params: Any, lengths: int | Sequence[int], rng: np.random.Generator
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sequences of the given ``lengths`` drawn from ``model`` at ``params`` with ``rng``
    (:meth:`DiscreteHMM.sample <emcore.hmm.DiscreteHMM.sample>`): states, then symbols."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)); got {describe(rng)}"
        )
    params = model._params(params)
    if is_int(lengths):
        lengths = [lengths]  # type: ignore[list-item]  # an int, as is_int says
    elif isinstance(lengths, (str, bytes, Mapping)) or not isinstance(lengths, Iterable):
        raise TypeError(
            f"lengths must be an integer or a sequence of integers (one length per sequence); got {describe(lengths)}"
        )
    else:
        lengths = list(lengths)
        if not lengths:
            raise ValueError("lengths is empty: give the length of each sequence")
    lengths = [
        check_int(n, "lengths" if len(lengths) == 1 else f"lengths[{i}]", minimum=1) for i, n in enumerate(lengths)
    ]
    total = sum(lengths)
    if total > 2**40:
        raise ValueError(f"lengths ask for {total} symbols in all; that is more than can be held in memory")
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lengths)
    n = int(offsets[-1])
    try:
        u_states = rng.random(n)
        u_symbols = rng.random(n)
        states = np.empty(n, dtype=np.int64)
    except MemoryError:
        raise ValueError(f"lengths ask for {n} symbols in all; that is more than can be held in memory") from None
    cum_pi = np.cumsum(params.start)
    cum_A = np.cumsum(params.transitions, axis=1)
    kernel = _k.sample_states_numba if model.backend == "numba" else _k.sample_states_numpy
    kernel(u_states, offsets, cum_pi, cum_A, states)
    cum_B = np.cumsum(params.emissions, axis=1)
    symbols = np.empty(n, dtype=np.int64)
    for k in range(model.n_states):
        idx = np.flatnonzero(states == k)
        cdf = cum_B[k, :-1]
        symbols[idx] = np.searchsorted(cdf, u_symbols[idx], side="right")
    split = lambda a: [a[i:j].copy() for i, j in zip(offsets[:-1], offsets[1:])]  # noqa: E731
    return split(states), split(symbols)
