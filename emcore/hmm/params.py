"""Parameters of a discrete hidden Markov model (HMMParams: start, transitions, emissions)
and its posterior (HMMPosterior: state marginals and expected transitions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import as_float_array, describe, readonly
from .data import HMMData, _symbol_name

#: The names of the parameters, as used by ``fixed=``.
PARAM_NAMES = ("start", "transitions", "emissions")


#: Rows of a probability matrix must sum to 1 within this tolerance.
_SUM_TOL = 1e-8


# ---------------------------------------------------------------------------------
# parameters and posterior
# ---------------------------------------------------------------------------------
def _what(name: str, ndim: int) -> str:
    if name == "start":
        return "states"
    return "states x states" if name == "transitions" else "states x symbols"


def _as_matrix(value: Any, name: str, shape: tuple[int | None, ...]) -> np.ndarray:
    """A finite float array of ``shape`` (None: any size) whose rows are probability
    vectors: non-negative, each summing to 1 within ``_SUM_TOL``."""
    if isinstance(value, Mapping):
        raise TypeError(f"{name} must be an array of probabilities; got {describe(value)}")
    try:
        array = as_float_array(value, name, finite=False, min_size=0)
    except ValueError:  # rows of different lengths
        raise ValueError(
            f"{name} must be a rectangular array of probabilities (rows of equal length); got {describe(value)}"
        ) from None
    if array.ndim != len(shape) or any(s is not None and s != a for s, a in zip(shape, array.shape)):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
        raise ValueError(f"{name} must have shape {want} ({_what(name, len(shape))}); got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: shape {array.shape}")
    if not np.all(np.isfinite(array)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        where: Any = idx[0] if len(idx) == 1 else list(idx)
        raise ValueError(f"{name} must be finite; entry {where} is {array[idx]}")
    rows = array.reshape(-1, array.shape[-1])
    if np.any(rows < 0):
        r = int(np.flatnonzero((rows < 0).any(axis=1))[0])
        where = "" if array.ndim == 1 else f" (row {r})"
        raise ValueError(f"{name} must be non-negative; got {rows[r].tolist()}{where}")
    sums = rows.sum(axis=1)
    off = np.abs(sums - 1.0) > _SUM_TOL
    if off.any():
        r = int(np.flatnonzero(off)[0])
        where = "" if array.ndim == 1 else f"row {r} of "
        raise ValueError(
            f"{where}{name} must sum to 1; got {rows[r].tolist()} (sum {float(sums[r])!r}). Normalise it first."
        )
    return array


@dataclass(frozen=True, eq=False)
class HMMParams:
    """Parameters of a discrete-emission HMM (read-only float64 arrays).

    Checked when built: finite, non-negative, every row a probability vector (sums
    to 1 within 1e-8), and the three shapes consistent with one another.

    Attributes
    ----------
    start : ndarray, shape (n_states,)
        ``start[i] = P(z_1 = i)``.
    transitions : ndarray, shape (n_states, n_states)
        ``transitions[i, j] = P(z_{t+1} = j | z_t = i)``; rows sum to 1.
    emissions : ndarray, shape (n_states, n_symbols)
        ``emissions[i, m] = P(x_t = m | z_t = i)``; rows sum to 1.
    """

    start: np.ndarray
    transitions: np.ndarray
    emissions: np.ndarray

    def __post_init__(self) -> None:
        start = _as_matrix(self.start, "start", (None,))
        K = start.size
        values = {
            "start": start,
            "transitions": _as_matrix(self.transitions, "transitions", (K, K)),
            "emissions": _as_matrix(self.emissions, "emissions", (K, None)),
        }
        for name in PARAM_NAMES:
            object.__setattr__(self, name, readonly(values[name]))

    @property
    def n_states(self) -> int:
        return int(self.start.size)

    @property
    def n_symbols(self) -> int:
        return int(self.emissions.shape[1])

    def as_dict(self) -> dict[str, np.ndarray]:
        """``{"start": ..., "transitions": ..., "emissions": ...}`` (copies)."""
        return {name: np.array(getattr(self, name)) for name in PARAM_NAMES}

    def __repr__(self) -> str:
        def fmt(a):
            return np.array2string(a, precision=4, separator=", ")

        return (
            f"HMMParams(start={fmt(self.start)}, transitions={fmt(self.transitions)}, emissions={fmt(self.emissions)})"
        )


@dataclass(frozen=True, eq=False)
class HMMPosterior:
    """What the E-step hands the M-step: expected counts, summed over all sequences.

    Attributes
    ----------
    start_counts : ndarray, shape (n_states,)
        Expected number of sequences that start in each state.
    transition_counts : ndarray, shape (n_states, n_states)
        Expected number of transitions ``i -> j``.
    emission_counts : ndarray, shape (n_states, n_symbols)
        Expected number of times state ``i`` emits symbol ``m``.
    entropy : float
        Entropy (natural log) of the posterior distribution over state paths,
        summed over the sequences (0 for a single path).
    paths : tuple of ndarray or None
        The state path of each sequence, when the posterior is a single path
        (Viterbi training); None for the full posterior of Baum-Welch.
    """

    start_counts: np.ndarray
    transition_counts: np.ndarray
    emission_counts: np.ndarray
    entropy: float
    paths: tuple[np.ndarray, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("start_counts", "transition_counts", "emission_counts"):
            object.__setattr__(self, name, readonly(np.array(getattr(self, name), dtype=float), copy=False))
        object.__setattr__(self, "entropy", float(self.entropy))


def _first_impossible(data: HMMData, params: HMMParams, s: int) -> int:
    """The first position of sequence ``s`` whose symbol has probability 0 given the
    symbols before it (the forward recursion in plain numpy), or -1 if none."""
    x = data.symbols[data.offsets[s] : data.offsets[s + 1]]
    BT = params.emissions.T
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        a = params.start * BT[x[0]]
        for t in range(x.size):
            if t > 0:
                a = (a @ params.transitions) * BT[x[t]]
            c = a.sum()
            if not c > 0.0:
                return t
            a = a / c
    return -1


def coerce_params(model: Any, init: Any, what: str) -> HMMParams:
    """HMMParams for ``model`` from a params object or a mapping of its fields.

    Fixed parameters come from the model; ``what`` names the argument in messages.
    """
    if isinstance(init, HMMParams):
        given = {name: getattr(init, name) for name in PARAM_NAMES}
    elif isinstance(init, Mapping):
        keys = list(init)
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"{what}: parameter names are strings {list(PARAM_NAMES)}; got key {describe(key)}")
        unknown = sorted(set(keys) - set(PARAM_NAMES))
        if unknown:
            raise ValueError(f"{what}: HMM parameters are {list(PARAM_NAMES)}; got unknown keys {unknown}")
        given = dict(init)
    else:
        raise TypeError(
            f"{what} must be an HMMParams or a mapping like {{'start': ..., 'transitions': ..., "
            f"'emissions': ...}}; got {describe(init)}"
        )
    values = {}
    for name in PARAM_NAMES:
        if name in given:
            values[name] = _as_matrix(given[name], name, model._shape(name))
            if (
                name in model.fixed
                and name in model.defaults
                and not np.allclose(values[name], model.defaults[name], rtol=0, atol=1e-12)
            ):
                raise ValueError(
                    f"this model keeps {name} fixed at the value given to DiscreteHMM; {what} holds a different {name}"
                )
        elif name in model.defaults:
            values[name] = model.defaults[name]
        else:
            raise ValueError(f"starting parameters need {name!r} (or pass {name}=... to DiscreteHMM)")
    return HMMParams(**values)


def zero_message(model: Any, data: HMMData, params: HMMParams, s: int, under: str) -> str:
    """Why sequence ``s`` has probability zero under ``params``: the first symbol no path can
    emit, and the parameter that forbids it (``under`` names the parameters in the message)."""
    t = _first_impossible(data, params, s)
    if t < 0:  # the product of probabilities underflowed: no single symbol to blame
        return (
            f"sequence {s} has probability zero under {under}: its probability underflows "
            "(probabilities far below 1e-300). Give the parameters less extreme values."
        )
    code = int(data.symbols[data.offsets[s] + t])
    symbol = _symbol_name(code, model.alphabet)
    if not np.any(params.emissions[:, code] > 0):
        reason = f"no state emits it (column {code} of emissions is all zero)"
    elif t == 0:
        reason = "no state with a positive start probability emits it"
    else:
        reason = "no state the chain can be in at that position emits it"
    fixed = (
        "; emissions are fixed at the values given to DiscreteHMM, so change them there"
        if "emissions" in model.fixed
        else ""
    )
    return (
        f"sequence {s} has probability zero under {under}: {symbol} at position {t} cannot "
        f"be observed, as {reason}. Give positive emission probabilities to the symbols in the "
        f"data (and start/transitions that reach the states that emit them){fixed}"
    )
