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
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import xlogy

from . import _hmm_kernels as _k
from . import accelerate as _acc

__all__ = ["HMMData", "HMMParams", "HMMPosterior", "DiscreteHMM", "PARAM_NAMES"]

#: The names of the parameters, as used by ``fixed=``.
PARAM_NAMES = ("start", "transitions", "emissions")

#: Rows of a probability matrix must sum to 1 within this tolerance.
_SUM_TOL = 1e-8


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


# ---------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HMMData:
    """One or more sequences of symbol codes, stored end to end.

    Attributes
    ----------
    symbols : ndarray of int64, shape (n_total,)
        The codes (0 .. n_symbols - 1) of all sequences, one after another (read-only).
    offsets : ndarray of int64, shape (n_sequences + 1,)
        Sequence ``s`` is ``symbols[offsets[s]:offsets[s + 1]]``.
    """

    symbols: np.ndarray
    offsets: np.ndarray

    @property
    def n_sequences(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        """Length of each sequence, shape (n_sequences,)."""
        return np.diff(self.offsets)

    @property
    def sequences(self) -> tuple[np.ndarray, ...]:
        """Each sequence as a read-only view, in order."""
        return tuple(self.symbols[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:]))

    def split(self, values: np.ndarray) -> list[np.ndarray]:
        """Cut an array with one row per symbol into one array per sequence."""
        return [values[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def __repr__(self) -> str:
        return f"HMMData(n_sequences={self.n_sequences}, n_total={self.symbols.size})"


# ---------------------------------------------------------------------------------
# parameters and posterior
# ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class HMMParams:
    """Parameters of a discrete-emission HMM (read-only float64 arrays).

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
        for name in PARAM_NAMES:
            value = np.array(getattr(self, name), dtype=float)
            object.__setattr__(self, name, _readonly(value))

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
            f"HMMParams(start={fmt(self.start)}, transitions={fmt(self.transitions)}, "
            f"emissions={fmt(self.emissions)})"
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
            object.__setattr__(self, name, _readonly(np.array(getattr(self, name), dtype=float)))
        object.__setattr__(self, "entropy", float(self.entropy))


# ---------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------
def _check_int(value: Any, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def _as_matrix(value: Any, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A finite float array of ``shape`` whose rows are probability vectors."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of probabilities; got a string {value!r}")
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of probabilities; got {value!r}") from None
    if array.shape != shape:
        what = "states" if len(shape) == 1 else "states x " + ("states" if name == "transitions" else "symbols")
        raise ValueError(f"{name} must have shape {shape} ({what}); got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite; got {array.tolist()}")
    rows = array.reshape(-1, shape[-1])
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
            f"{where}{name} must sum to 1; got {rows[r].tolist()} (sum {sums[r]!r}). "
            "Normalise it first."
        )
    return array


def _as_codes(seq: Any, index: int, alphabet: tuple[str, ...] | None, lookup: dict | None, n_symbols: int) -> np.ndarray:
    """One sequence as int64 codes 0..n_symbols-1, or a ValueError naming it."""
    if isinstance(seq, str):
        if lookup is None:
            raise TypeError(
                f"sequence {index} is a string, but this model has no alphabet of "
                "one-letter symbols; pass integer codes 0..n_symbols-1 or give alphabet="
            )
        if len(seq) == 0:
            raise ValueError(f"sequence {index} is empty: every sequence needs at least one symbol")
        try:
            codes = np.fromiter((lookup[ch] for ch in seq), dtype=np.int64, count=len(seq))
        except KeyError:
            pos = next(i for i, ch in enumerate(seq) if ch not in lookup)
            raise ValueError(
                f"sequence {index} has symbol {seq[pos]!r} at position {pos}, outside the "
                f"alphabet {''.join(alphabet)!r}"
            ) from None
        return codes
    array = np.asarray(seq)
    if array.ndim != 1:
        raise ValueError(f"sequence {index} must be 1-D; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"sequence {index} is empty: every sequence needs at least one symbol")
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise TypeError(f"sequence {index} must hold integer symbol codes; got values of type {array.dtype}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(f"sequence {index} must hold integer codes; position {pos} is {array[pos]}")
    codes = array.astype(np.int64)
    out = (codes < 0) | (codes >= n_symbols)
    if out.any():
        pos = int(np.flatnonzero(out)[0])
        shown = alphabet[0] + ".." + alphabet[-1] if alphabet else None
        extra = f" (the alphabet {shown})" if shown else ""
        raise ValueError(
            f"sequence {index} has symbol code {codes[pos]} at position {pos}, outside the "
            f"alphabet 0..{n_symbols - 1}{extra}"
        )
    return codes


def _is_scalar_int(value: Any) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


# ---------------------------------------------------------------------------------
# the model
# ---------------------------------------------------------------------------------
class DiscreteHMM:
    """A hidden Markov model with discrete emissions, for :func:`emcore.fit_em`.

    Parameters
    ----------
    n_states : int
        Number of hidden states ``K`` (at least 1).
    n_symbols : int, optional
        Size ``M`` of the alphabet; sequences hold integer codes ``0 .. M-1``.
        Either this or ``alphabet``.
    alphabet : str or sequence of str, optional
        The symbols themselves, e.g. ``"123456"`` or ``"ACGT"``; sequences may then be
        strings of one-letter symbols (as well as integer codes).
    state_names : sequence of str, optional
        Names of the states, for display (default ``"0", "1", ...``).
    fixed : iterable of str
        Parameters held fixed during fitting, by name: any of ``"start"``,
        ``"transitions"``, ``"emissions"``. Their values come from the starting
        parameters, or from the keyword of the same name below.
    pseudocount : float
        Added to every expected count before normalising (a symmetric Dirichlet prior
        with concentration ``1 + pseudocount``; hmmlearn's ``*_prior`` minus 1).
        0 (the default) is maximum likelihood.
    start, transitions, emissions : array_like, optional
        Values of fixed parameters (required for a fixed parameter when fitting from
        a random start), and the defaults for parameters missing from ``init``.
    backend : {"auto", "numba", "numpy"}
        The forward-backward and Viterbi recursions: compiled with numba (fast) or
        one numpy step per time point (the reference, for checking). "auto" uses
        numba when it is installed.

    Notes
    -----
    The posterior handed from the E-step to the M-step is an :class:`HMMPosterior`:
    the expected counts summed over all sequences, with the entropy of the posterior
    over state paths. For a single chain,

        H = - sum_{t=2..T} sum_ij xi_t(i,j) log xi_t(i,j)
            + sum_{t=2..T-1} sum_i gamma_t(i) log gamma_t(i),

    where ``gamma_t(i) = P(z_t = i | x)`` and ``xi_t(i,j) = P(z_{t-1} = i, z_t = j | x)``
    (for ``T = 1``, ``H = -sum_i gamma_1(i) log gamma_1(i)``): the posterior is itself
    a Markov chain, ``q(z) = prod_t xi_t(z_{t-1}, z_t) / prod_{t=2..T-1} gamma_t(z_t)``.
    """

    def __init__(
        self,
        n_states: int,
        n_symbols: int | None = None,
        *,
        alphabet: str | Sequence[str] | None = None,
        state_names: Sequence[str] | None = None,
        fixed: Iterable[str] = (),
        pseudocount: float = 0.0,
        start: Any = None,
        transitions: Any = None,
        emissions: Any = None,
        backend: str = "auto",
    ):
        self.n_states = _check_int(n_states, "n_states", 1)
        if alphabet is not None:
            if isinstance(alphabet, str):
                symbols = tuple(alphabet)
            else:
                symbols = tuple(alphabet)
                if not all(isinstance(a, str) for a in symbols):
                    raise TypeError(f"alphabet must be a string or a sequence of strings; got {alphabet!r}")
            if len(symbols) == 0:
                raise ValueError("alphabet is empty: at least one symbol is needed")
            if len(set(symbols)) != len(symbols):
                raise ValueError(f"alphabet has repeated symbols: {list(symbols)}")
            if n_symbols is not None and _check_int(n_symbols, "n_symbols", 1) != len(symbols):
                raise ValueError(f"n_symbols is {n_symbols} but the alphabet has {len(symbols)} symbols")
            self.alphabet: tuple[str, ...] | None = symbols
            self.n_symbols = len(symbols)
            self._lookup = {a: i for i, a in enumerate(symbols)} if all(len(a) == 1 for a in symbols) else None
        elif n_symbols is None:
            raise ValueError("give the size of the alphabet: n_symbols=M or alphabet='...'")
        else:
            self.n_symbols = _check_int(n_symbols, "n_symbols", 1)
            self.alphabet = None
            self._lookup = None
        if state_names is None:
            state_names = [str(i) for i in range(self.n_states)]
        self.state_names = tuple(str(s) for s in state_names)
        if len(self.state_names) != self.n_states:
            raise ValueError(f"state_names must have {self.n_states} entries (one per state); got {len(self.state_names)}")
        self.fixed = self._check_fixed(fixed)
        if isinstance(pseudocount, bool) or not isinstance(pseudocount, numbers.Real) or not (
            np.isfinite(pseudocount) and pseudocount >= 0
        ):
            raise ValueError(f"pseudocount must be a finite number >= 0; got {pseudocount!r}")
        self.pseudocount = float(pseudocount)
        self.defaults: dict[str, np.ndarray] = {}
        for name, value in (("start", start), ("transitions", transitions), ("emissions", emissions)):
            if value is not None:
                self.defaults[name] = _readonly(_as_matrix(value, name, self._shape(name)))
        if backend not in ("auto", "numba", "numpy"):
            raise ValueError(f"backend must be 'auto', 'numba' or 'numpy'; got {backend!r}")
        if backend == "numba" and not _k.HAVE_NUMBA:
            raise ValueError("backend='numba' needs the numba package; install it or use backend='numpy'")
        self.backend = "numba" if backend == "auto" and _k.HAVE_NUMBA else ("numpy" if backend == "auto" else backend)

    def __repr__(self) -> str:
        alpha = f"alphabet={''.join(self.alphabet)!r}" if self._lookup else f"n_symbols={self.n_symbols}"
        fixed = f", fixed={sorted(self.fixed)}" if self.fixed else ""
        return f"DiscreteHMM(n_states={self.n_states}, {alpha}{fixed})"

    @staticmethod
    def _check_fixed(fixed: Iterable[str]) -> frozenset[str]:
        if isinstance(fixed, str):
            if fixed in PARAM_NAMES:
                return frozenset([fixed])
            raise ValueError(
                f"fixed takes parameter names, not letter codes: e.g. fixed={{'emissions'}}; "
                f"the names are {list(PARAM_NAMES)}; got {fixed!r}"
            )
        names = frozenset(fixed)
        unknown = sorted(str(n) for n in names - set(PARAM_NAMES))
        if unknown:
            raise ValueError(f"fixed must name parameters among {list(PARAM_NAMES)}; got unknown {unknown}")
        return names

    def _shape(self, name: str) -> tuple[int, ...]:
        K, M = self.n_states, self.n_symbols
        return {"start": (K,), "transitions": (K, K), "emissions": (K, M)}[name]

    # -- data ----------------------------------------------------------------------
    def prepare(self, data: Any) -> HMMData:
        """Validate sequences and return them as :class:`HMMData`.

        ``data`` is an :class:`HMMData`, one sequence (a string over the alphabet or a
        1-D array of integer codes), or a list of such sequences (of any lengths).
        """
        if isinstance(data, HMMData):
            if data.symbols.size and (data.symbols.min() < 0 or data.symbols.max() >= self.n_symbols):
                raise ValueError(f"HMMData holds codes outside the alphabet 0..{self.n_symbols - 1}")
            return data
        if isinstance(data, str):
            seqs = [data]
        elif isinstance(data, np.ndarray):
            if data.ndim != 1:
                raise ValueError(
                    f"an array of symbols must be 1-D (one sequence); got shape {data.shape}. "
                    "Pass several sequences as a list of 1-D arrays."
                )
            seqs = [data]
        elif isinstance(data, (list, tuple)):
            if len(data) == 0:
                raise ValueError("no sequences: data is an empty list")
            if all(_is_scalar_int(v) for v in data):
                seqs = [np.asarray(data)]
            else:
                seqs = list(data)
        else:
            raise TypeError(
                "data must be a sequence of symbols (a string or a 1-D integer array), a list "
                f"of sequences, or HMMData; got {type(data).__name__}"
            )
        codes = [_as_codes(s, i, self.alphabet, self._lookup, self.n_symbols) for i, s in enumerate(seqs)]
        offsets = np.zeros(len(codes) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([c.size for c in codes])
        symbols = np.concatenate(codes) if len(codes) > 1 else codes[0].copy()
        return HMMData(_readonly(symbols), _readonly(offsets))

    def encode(self, sequence: str) -> np.ndarray:
        """A string over the alphabet as an array of integer codes."""
        return self.prepare(sequence).symbols.copy()

    def decode_symbols(self, codes: Any) -> str:
        """Integer codes as a string over the (one-letter) alphabet."""
        if self._lookup is None:
            raise ValueError("this model has no alphabet of one-letter symbols")
        return "".join(self.alphabet[int(c)] for c in np.asarray(codes))

    # -- the EM model protocol -----------------------------------------------------------
    def initial_params(self, data: HMMData, rng: np.random.Generator) -> HMMParams:
        """A random start: uniform ``start``, Dirichlet(1) rows for the matrices.

        Fixed parameters (and parameters given to the constructor) keep their values.
        """
        K, M = self.n_states, self.n_symbols
        values = {
            "start": np.full(K, 1.0 / K),
            "transitions": rng.dirichlet(np.ones(K), size=K),
            "emissions": rng.dirichlet(np.ones(M), size=K),
        }
        for name in PARAM_NAMES:
            if name in self.defaults:
                values[name] = self.defaults[name]
            elif name in self.fixed:
                raise ValueError(
                    f"{name} is fixed but has no value: pass {name}=... to DiscreteHMM, or "
                    "give the starting parameters with init="
                )
        return HMMParams(**values)

    def coerce_params(self, init: Any, data: Any = None) -> HMMParams:
        """Validate an :class:`HMMParams` or a mapping of its fields.

        Fields missing from a mapping are taken from the constructor's values. A fixed
        parameter given both here and to the constructor must agree.
        """
        if isinstance(init, HMMParams):
            given = {name: getattr(init, name) for name in PARAM_NAMES}
        elif isinstance(init, Mapping):
            unknown = sorted(str(k) for k in set(init) - set(PARAM_NAMES))
            if unknown:
                raise ValueError(f"HMM parameters are {list(PARAM_NAMES)}; got unknown keys {unknown}")
            given = dict(init)
        else:
            raise TypeError(
                "init must be an HMMParams or a mapping like {'start': ..., 'transitions': ..., "
                f"'emissions': ...}}; got {type(init).__name__}"
            )
        values = {}
        for name in PARAM_NAMES:
            if name in given:
                values[name] = _as_matrix(given[name], name, self._shape(name))
                if name in self.fixed and name in self.defaults and not np.allclose(
                    values[name], self.defaults[name], rtol=0, atol=1e-12
                ):
                    raise ValueError(
                        f"this model keeps {name} fixed at the value given to DiscreteHMM; "
                        f"init holds a different {name}"
                    )
            elif name in self.defaults:
                values[name] = self.defaults[name]
            else:
                raise ValueError(f"starting parameters need {name!r} (or pass {name}=... to DiscreteHMM)")
        return HMMParams(**values)

    def _params(self, params: Any) -> HMMParams:
        return params if isinstance(params, HMMParams) and params.start.size == self.n_states and (
            params.n_symbols == self.n_symbols
        ) else self.coerce_params(params)

    def _data(self, data: Any) -> HMMData:
        return data if isinstance(data, HMMData) else self.prepare(data)

    def _forward_backward(self, data: HMMData, params: HMMParams, want_counts=True, want_gamma=False):
        gamma = np.zeros((data.symbols.size if want_gamma else 1, self.n_states))
        kernel = _k.forward_backward_numba if self.backend == "numba" else _k.forward_backward_numpy
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            out = kernel(
                data.symbols, data.offsets, params.start, params.transitions, params.emissions,
                want_counts, want_counts, want_gamma, gamma,
            )
        loglik, start, trans, emit, entropy, bad = out
        return float(loglik), start, trans, emit, float(entropy), int(bad), gamma

    def e_step(self, data: HMMData, params: HMMParams) -> tuple[HMMPosterior, float]:
        """Forward-backward: the expected counts and the total log-likelihood.

        A sequence of probability zero under ``params`` gives a log-likelihood of
        ``-inf`` (and ``fit_em`` stops with status ``"nan"``).
        """
        data, params = self._data(data), self._params(params)
        loglik, start, trans, emit, entropy, bad, _ = self._forward_backward(data, params)
        if bad >= 0:
            nan = np.full_like
            return HMMPosterior(nan(start, np.nan), nan(trans, np.nan), nan(emit, np.nan), np.nan), -np.inf
        return HMMPosterior(start, trans, emit, entropy), loglik

    def hard_e_step(self, data: HMMData, params: HMMParams) -> tuple[HMMPosterior, float, float]:
        """Viterbi: the counts of the most probable path of each sequence.

        Returns the degenerate posterior (the path's counts, entropy 0), the observed-
        data log-likelihood and the classification log-likelihood
        ``log P(x, z_viterbi)`` summed over the sequences.
        """
        data, params = self._data(data), self._params(params)
        paths, best = self._viterbi(data, params)
        loglik = self.loglik(data, params)
        return self.path_counts(data, paths), loglik, best

    def m_step(self, data: HMMData, posterior: HMMPosterior, params: HMMParams) -> HMMParams:
        """Normalise the expected counts (plus pseudocounts), row by row.

        Fixed parameters are kept; a row that received no counts (a state never
        visited, possible in Viterbi training) keeps its current values.
        """
        values = {}
        counts = {
            "start": posterior.start_counts,
            "transitions": posterior.transition_counts,
            "emissions": posterior.emission_counts,
        }
        for name in PARAM_NAMES:
            old = getattr(params, name)
            if name in self.fixed:
                values[name] = old
                continue
            c = counts[name] + self.pseudocount
            c2 = c.reshape(-1, c.shape[-1])
            sums = c2.sum(axis=1, keepdims=True)
            empty = sums[:, 0] <= 0
            new = c2 / np.where(sums > 0, sums, 1.0)
            new[empty] = old.reshape(-1, c.shape[-1])[empty]
            values[name] = new.reshape(c.shape)
        return HMMParams(**values)

    def log_prior(self, data: Any, params: Any) -> float:
        """The Dirichlet term ``pseudocount * sum log p`` over the learned parameters.

        With pseudocounts the M-step is a MAP step: EM climbs ``loglik + log_prior``
        (the driver's objective), while ``loglik`` stays the plain log-likelihood.
        0 without pseudocounts.
        """
        if self.pseudocount == 0:
            return 0.0
        params = self._params(params)
        return float(
            sum(np.sum(xlogy(self.pseudocount, getattr(params, name))) for name in PARAM_NAMES if name not in self.fixed)
        )

    def complete_loglik(self, data: Any, params: Any, posterior: HMMPosterior) -> float:
        """``E_q[log P(x, z; params)]`` from the posterior's expected counts.

        With the counts of a single path this is the complete-data log-likelihood.
        """
        params = self._params(params)
        if not isinstance(posterior, HMMPosterior):
            raise TypeError(f"posterior must be an HMMPosterior; got {type(posterior).__name__}")
        if posterior.emission_counts.shape != params.emissions.shape:
            raise ValueError(
                f"posterior counts have shape {posterior.emission_counts.shape}; the model has "
                f"{params.emissions.shape} (states x symbols)"
            )
        total = (
            xlogy(posterior.start_counts, params.start).sum()
            + xlogy(posterior.transition_counts, params.transitions).sum()
            + xlogy(posterior.emission_counts, params.emissions).sum()
        )
        return float(total)

    def entropy(self, posterior: HMMPosterior) -> float:
        """Entropy (natural log) of the posterior over state paths (computed in the E-step)."""
        if not isinstance(posterior, HMMPosterior):
            raise TypeError(f"posterior must be an HMMPosterior; got {type(posterior).__name__}")
        return posterior.entropy

    # -- an unconstrained parametrisation (for SQUAREM acceleration) ------------------
    def to_unconstrained(self, params: HMMParams) -> np.ndarray:
        """The learned parameters as one unconstrained vector (see :mod:`emcore.accelerate`).

        ``start``, then each row of ``transitions``, then each row of ``emissions``, as
        centred log-probabilities of their positive entries. Fixed parameters are
        left out, and so are probabilities that are exactly 0 (structural zeros are
        fixed points of Baum-Welch).
        """
        params = self._params(params)
        parts = [
            _acc.simplex_to_unconstrained(getattr(params, name)) for name in PARAM_NAMES if name not in self.fixed
        ]
        return np.concatenate(parts) if parts else np.zeros(0)

    def from_unconstrained(self, vector: Any, like: HMMParams) -> HMMParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the fixed parameters and the zero pattern. Raises ValueError
        for a vector of the wrong length or outside the parameter space.
        """
        like = self._params(like)
        v = np.asarray(vector, dtype=float).ravel()
        values, used = {}, 0
        for name in PARAM_NAMES:
            if name in self.fixed:
                values[name] = getattr(like, name)
                continue
            values[name], k = _acc.simplex_from_unconstrained(v[used:], getattr(like, name))
            used += k
        if used != v.size:
            raise ValueError(f"vector must have {used} entries for these parameters; got {v.size}")
        return HMMParams(**values)

    # -- inference -----------------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Total observed-data log-likelihood ``sum_s log P(x_s; params)`` (natural log)."""
        data, params = self._data(data), self._params(params)
        loglik = self._forward_backward(data, params, want_counts=False)[0]
        return loglik

    def posterior_marginals(self, data: Any, params: Any) -> list[np.ndarray]:
        """``gamma_t(i) = P(z_t = i | x; params)`` for every sequence.

        Returns
        -------
        list of ndarray, each of shape (length of the sequence, n_states)
        """
        data, params = self._data(data), self._params(params)
        loglik, *_, bad, gamma = self._forward_backward(data, params, want_gamma=True)
        if bad >= 0:
            raise ValueError(f"sequence {bad} has probability zero under these parameters")
        return data.split(gamma)

    def _viterbi(self, data: HMMData, params: HMMParams) -> tuple[list[np.ndarray], float]:
        path = np.zeros(data.symbols.size, dtype=np.int64)
        kernel = _k.viterbi_numba if self.backend == "numba" else _k.viterbi_numpy
        with np.errstate(divide="ignore"):
            logs = [np.log(params.start), np.log(params.transitions), np.log(params.emissions)]
        best = float(kernel(data.symbols, data.offsets, *logs, path))
        return data.split(path), best

    def viterbi(self, data: Any, params: Any) -> tuple[list[np.ndarray], float]:
        """The most probable state path of every sequence and its log-probability.

        Returns
        -------
        paths : list of ndarray of int
            One path (state indices) per sequence.
        log_prob : float
            ``sum_s max_z log P(x_s, z; params)``.
        """
        data, params = self._data(data), self._params(params)
        paths, best = self._viterbi(data, params)
        if not np.isfinite(best):
            raise ValueError("a sequence has probability zero under these parameters")
        return paths, best

    def decode(self, data: Any, params: Any, method: str = "viterbi") -> list[np.ndarray]:
        """State paths by ``"viterbi"`` (best path) or ``"posterior"`` (best state per position)."""
        if method == "viterbi":
            return self.viterbi(data, params)[0]
        if method == "posterior":
            return [g.argmax(axis=1) for g in self.posterior_marginals(data, params)]
        raise ValueError(f"method must be 'viterbi' or 'posterior'; got {method!r}")

    def path_counts(self, data: Any, paths: Sequence[Any]) -> HMMPosterior:
        """The counts of known state paths, as a degenerate :class:`HMMPosterior`."""
        data = self._data(data)
        if len(paths) != data.n_sequences:
            raise ValueError(f"need one path per sequence ({data.n_sequences}); got {len(paths)}")
        K, M = self.n_states, self.n_symbols
        start = np.zeros(K)
        trans = np.zeros(K * K)
        emit = np.zeros(K * M)
        clean = []
        for s, (p, x) in enumerate(zip(paths, data.sequences)):
            p = np.asarray(p)
            if p.shape != x.shape or p.dtype.kind not in "iu" or (p.size and (p.min() < 0 or p.max() >= K)):
                raise ValueError(
                    f"path {s} must hold {x.size} state indices in 0..{K - 1}; got shape {p.shape}"
                )
            p = p.astype(np.int64)
            clean.append(_readonly(p))
            start[p[0]] += 1
            trans += np.bincount(p[:-1] * K + p[1:], minlength=K * K)
            emit += np.bincount(p * M + x, minlength=K * M)
        return HMMPosterior(start, trans.reshape(K, K), emit.reshape(K, M), 0.0, tuple(clean))

    def sample(
        self, params: Any, lengths: int | Sequence[int], rng: np.random.Generator
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Draw sequences from the model.

        Parameters
        ----------
        params : HMMParams or mapping
        lengths : int or sequence of int
            Length of each sequence to draw.
        rng : numpy.random.Generator
            The source of randomness (required: results are reproducible).

        Returns
        -------
        states, symbols : list of ndarray of int
            One array of hidden states and one of symbol codes per sequence.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        params = self._params(params)
        if _is_scalar_int(lengths):
            lengths = [lengths]
        lengths = [_check_int(n, "each length", 1) for n in lengths]
        if not lengths:
            raise ValueError("lengths is empty: give the length of each sequence")
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(lengths)
        n = int(offsets[-1])
        u_states = rng.random(n)
        u_symbols = rng.random(n)
        states = np.empty(n, dtype=np.int64)
        cum_pi = np.cumsum(params.start)
        cum_A = np.cumsum(params.transitions, axis=1)
        kernel = _k.sample_states_numba if self.backend == "numba" else _k.sample_states_numpy
        kernel(u_states, offsets, cum_pi, cum_A, states)
        cum_B = np.cumsum(params.emissions, axis=1)
        symbols = np.empty(n, dtype=np.int64)
        for k in range(self.n_states):
            idx = np.flatnonzero(states == k)
            cdf = cum_B[k, :-1]
            symbols[idx] = np.searchsorted(cdf, u_symbols[idx], side="right")
        split = lambda a: [a[i:j].copy() for i, j in zip(offsets[:-1], offsets[1:])]  # noqa: E731
        return split(states), split(symbols)
