"""Decoding a hidden Markov model: the Viterbi path, posterior marginals, and the counts of
given state paths (the complete-data statistics of Viterbi training)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import _hmm_kernels as _k
from .._validation import describe, readonly
from .data import HMMData
from .params import HMMParams, HMMPosterior


def path_counts(model: Any, data: Any, paths: Sequence[Any]) -> HMMPosterior:
    """Start, transition and emission counts of given state paths, one per sequence, as an
    HMMPosterior (the E-step of Viterbi training; see :meth:`DiscreteHMM.path_counts`)."""
    data = model._data(data)
    if isinstance(paths, (str, bytes, Mapping)) or not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a list of state paths, one per sequence; got {describe(paths)}")
    paths = list(paths)
    if len(paths) != data.n_sequences:
        raise ValueError(f"paths: need one path per sequence ({data.n_sequences}); got {len(paths)}")
    K, M = model.n_states, model.n_symbols
    start = np.zeros(K)
    trans = np.zeros(K * K)
    emit = np.zeros(K * M)
    clean = []
    for s, (p, x) in enumerate(zip(paths, data.sequences)):
        what = f"{x.size} state indices in 0..{K - 1}"
        if isinstance(p, (str, bytes, Mapping)) or p is None or isinstance(p, (numbers.Number, np.generic)):
            raise TypeError(f"path {s} must hold {what}; got {describe(p)}")
        try:
            p = np.asarray(p)
        except (TypeError, ValueError):
            raise ValueError(f"path {s} must be a flat sequence of {what}; got {describe(p)}") from None
        if p.size and p.dtype.kind not in "iu":
            kind = "booleans" if p.dtype.kind == "b" else f"values of dtype {p.dtype}"
            raise TypeError(f"path {s} must hold {what}; got {kind}")
        if p.shape != x.shape or (p.size and (p.min() < 0 or p.max() >= K)):
            raise ValueError(
                f"path {s} must hold {what}; got shape {p.shape}"
                + (f" with values {p.min()}..{p.max()}" if p.size and p.shape == x.shape else "")
            )
        p = p.astype(np.int64)
        clean.append(readonly(p, copy=False))
        start[p[0]] += 1
        trans += np.bincount(p[:-1] * K + p[1:], minlength=K * K)
        emit += np.bincount(p * M + x, minlength=K * M)
    return HMMPosterior(start, trans.reshape(K, K), emit.reshape(K, M), 0.0, tuple(clean))


def posterior_marginals(model: Any, data: Any, params: Any) -> list[np.ndarray]:
    """``P(z_t = k | x)`` for every position of every sequence (forward-backward)."""
    data, params = model._data(data), model._params(params)
    loglik, *_, bad, gamma = model._forward_backward(data, params, want_gamma=True)
    if bad >= 0 or not np.isfinite(loglik):
        raise ValueError(model._zero_message(data, params, max(bad, 0), "these parameters"))
    return data.split(gamma)


def viterbi(model: Any, data: HMMData, params: HMMParams) -> tuple[list[np.ndarray], float]:
    """The Viterbi path of every sequence and the total log-probability of the paths, by the
    model's backend; a sequence of probability zero is named with its first impossible symbol."""
    if data._max_code >= params.n_symbols or params.n_states != model.n_states:  # never reached via _data/_params
        raise ValueError("HMMData and parameters do not fit this model")
    path = np.zeros(data.symbols.size, dtype=np.int64)
    kernel: Any = _k.viterbi_numba if model.backend == "numba" else _k.viterbi_numpy
    with np.errstate(divide="ignore"):
        logs = [np.log(params.start), np.log(params.transitions), np.log(params.emissions)]
    best = float(kernel(data.symbols, data.offsets, *logs, path))
    if not np.isfinite(best):  # some sequence has no path of positive probability
        bad = model._forward_backward(data, params, want_counts=False)[5]
        raise ValueError(model._zero_message(data, params, max(bad, 0), "these parameters"))
    return data.split(path), best
