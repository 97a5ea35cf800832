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

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.special import xlogy

from . import _hmm_kernels as _k
from . import transforms as _tr
from ._optional import MissingDependency
from ._validation import (
    as_float_array,
    check_choice,
    check_int,
    check_names,
    check_real,
    describe,
    is_int,
    readonly,
)

__all__ = ["HMMData", "HMMParams", "HMMPosterior", "DiscreteHMM", "PARAM_NAMES"]

#: The names of the parameters, as used by ``fixed=``.
PARAM_NAMES = ("start", "transitions", "emissions")

#: Rows of a probability matrix must sum to 1 within this tolerance.
_SUM_TOL = 1e-8

#: The recursions behind ``backend=``.
_BACKENDS = ("auto", "numba", "numpy")

#: How ``decode`` turns a posterior into one state per position.
_DECODERS = ("viterbi", "posterior")


# ---------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------
def _int_vector(values: Any, name: str, what: str) -> np.ndarray:
    """``values`` as a 1-D int64 array; floats, booleans, strings and objects are a
    TypeError (a code or a boundary is a whole number, and a silent cast would hide a
    mistake), a wrong dimension is a ValueError."""
    if isinstance(values, (str, bytes)) or values is None or isinstance(values, numbers.Number):
        raise TypeError(f"{name} must be {what}; got {describe(values)}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):  # ragged nested lists and the like
        raise ValueError(f"{name} must be {what}; got nested lists of different lengths {describe(values)}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be {what} (1-D); got an array of shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)  # np.asarray([]) is float64: the caller reports the emptiness
    if array.dtype.kind == "b":
        raise TypeError(f"{name} must be {what}; got booleans")
    if array.dtype.kind not in "iu":
        raise TypeError(f"{name} must be {what}; got values of dtype {array.dtype}")
    if array.dtype.kind == "u" and array.max() > np.iinfo(np.int64).max:
        i = int(np.argmax(array))
        raise ValueError(f"{name} must be {what}; entry {i} is {array[i]}, too large")
    return np.array(array, dtype=np.int64, copy=True)  # always a private copy


@dataclass(frozen=True, eq=False)
class HMMData:
    """One or more sequences of symbol codes, stored end to end.

    Built by :meth:`DiscreteHMM.prepare` (the usual way), or directly from the two
    arrays below; either way it checks itself when it is built, so the recursions
    never see inconsistent input. Both arrays are copied and made read-only.

    Attributes
    ----------
    symbols : ndarray of int64, shape (n_total,)
        The codes (0 .. n_symbols - 1) of all sequences, one after another
        (read-only). Integers only: floats and booleans are refused. Codes must be
        non-negative; a model checks them against its own alphabet size.
    offsets : ndarray of int64, shape (n_sequences + 1,)
        Sequence ``s`` is ``symbols[offsets[s]:offsets[s + 1]]``: integers that start
        at 0, increase strictly (no sequence is empty) and end at ``len(symbols)``.

    Raises
    ------
    TypeError
        For symbols or offsets that are not integer arrays.
    ValueError
        For a negative code, or offsets that do not cut ``symbols`` into non-empty
        sequences from its first to its last symbol.
    """

    symbols: np.ndarray
    offsets: np.ndarray
    _max_code: int = field(default=-1, init=False, repr=False)

    def __post_init__(self) -> None:
        symbols = _int_vector(self.symbols, "HMMData symbols", "a 1-D array of integer symbol codes")
        offsets = _int_vector(self.offsets, "HMMData offsets", "a 1-D array of integer sequence boundaries")
        if symbols.size == 0:
            raise ValueError("HMMData symbols is empty: at least one sequence of at least one symbol is needed")
        negative = symbols < 0
        if negative.any():
            i = int(np.flatnonzero(negative)[0])
            raise ValueError(f"HMMData symbols must be codes >= 0; entry {i} is {symbols[i]}")
        if offsets.size < 2:
            raise ValueError(
                "HMMData offsets must hold n_sequences + 1 boundaries, from 0 to len(symbols) "
                f"({symbols.size}); got {offsets.tolist()}"
            )
        if offsets[0] != 0:
            raise ValueError(f"HMMData offsets must start at 0; offsets[0] is {offsets[0]}")
        steps = np.diff(offsets)
        if np.any(steps <= 0):
            s = int(np.flatnonzero(steps <= 0)[0])
            what = "empty" if steps[s] == 0 else "of negative length"
            raise ValueError(
                f"HMMData offsets must increase strictly (every sequence needs at least one symbol); "
                f"sequence {s} is {what}: offsets[{s}] = {offsets[s]}, offsets[{s + 1}] = {offsets[s + 1]}"
            )
        if offsets[-1] != symbols.size:
            where = "past the end of" if offsets[-1] > symbols.size else "short of the end of"
            raise ValueError(
                f"HMMData offsets must end at len(symbols) = {symbols.size}; the last offset, "
                f"{offsets[-1]}, is {where} symbols"
            )
        object.__setattr__(self, "symbols", readonly(symbols, copy=False))
        object.__setattr__(self, "offsets", readonly(offsets, copy=False))
        object.__setattr__(self, "_max_code", int(symbols.max()))

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

    def locate(self, index: int) -> tuple[int, int]:
        """``(sequence, position)`` of entry ``index`` of :attr:`symbols`."""
        s = int(np.searchsorted(self.offsets, index, side="right")) - 1
        return s, int(index - self.offsets[s])

    def __repr__(self) -> str:
        return f"HMMData(n_sequences={self.n_sequences}, n_total={self.symbols.size})"


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
        where = idx[0] if len(idx) == 1 else list(idx)
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
            f"{where}{name} must sum to 1; got {rows[r].tolist()} (sum {float(sums[r])!r}). "
            "Normalise it first."
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
            object.__setattr__(self, name, readonly(np.array(getattr(self, name), dtype=float), copy=False))
        object.__setattr__(self, "entropy", float(self.entropy))


# ---------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------
def _symbol_name(code: int, alphabet: tuple[str, ...] | None) -> str:
    if alphabet is not None and 0 <= code < len(alphabet):
        return f"symbol {alphabet[code]!r} (code {code})"
    return f"symbol code {code}"


def _as_codes(seq: Any, index: int, alphabet: tuple[str, ...] | None, lookup: dict | None, n_symbols: int) -> np.ndarray:
    """One sequence as int64 codes 0..n_symbols-1, or an error naming it."""
    if isinstance(seq, str):
        if lookup is None and alphabet is not None:
            raise TypeError(
                f"sequence {index} is a string, but this model's alphabet has symbols longer than one "
                f"letter; pass each sequence as a list of symbols (e.g. {list(alphabet[:2])}) or of integer codes"
            )
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
    if isinstance(seq, (bytes, bytearray)):
        raise TypeError(
            f"sequence {index} is a bytes object; pass a str over the alphabet or integer codes "
            f"0..{n_symbols - 1}; got {describe(seq)}"
        )
    if seq is None or isinstance(seq, (numbers.Number, np.generic)):
        raise TypeError(
            f"sequence {index} must be a string over the alphabet or a 1-D sequence of integer codes "
            f"0..{n_symbols - 1}; got a single value {describe(seq)}. A list of numbers is one "
            "sequence; a list of lists (or strings) is several."
        )
    if isinstance(seq, (Mapping, set, frozenset)):
        raise TypeError(f"sequence {index} must be a string or a 1-D sequence of integer codes; got {describe(seq)}")
    try:
        array = np.asarray(seq)
    except (TypeError, ValueError):  # ragged nested lists
        raise ValueError(
            f"sequence {index} must be a flat (1-D) sequence of integer codes; it holds nested "
            f"lists of different lengths: {describe(seq)}"
        ) from None
    if array.ndim != 1:
        raise ValueError(f"sequence {index} must be 1-D; got an array of shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"sequence {index} is empty: every sequence needs at least one symbol")
    if array.dtype.kind == "U" and alphabet is not None:  # a list of symbols by name, e.g. ["sun", "rain"]
        names = {a: i for i, a in enumerate(alphabet)}
        items = array.tolist()
        for pos, item in enumerate(items):
            if item not in names:
                raise ValueError(
                    f"sequence {index} has symbol {item!r} at position {pos}, outside the alphabet {list(alphabet)}"
                )
        return np.array([names[item] for item in items], dtype=np.int64)
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        what = "booleans" if array.dtype.kind == "b" else f"values of type {array.dtype}"
        hint = " (strings of one-letter symbols are passed whole, e.g. 'ACGT')" if array.dtype.kind in "US" else ""
        raise TypeError(f"sequence {index} must hold integer symbol codes; got {what}{hint}")
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise ValueError(f"sequence {index} must hold integer codes; position {pos} is {array[pos]}")
        big = np.abs(array) > 2.0**62
        if big.any():
            pos = int(np.flatnonzero(big)[0])
            raise ValueError(
                f"sequence {index} has symbol code {array[pos]} at position {pos}, outside the "
                f"alphabet 0..{n_symbols - 1}"
            )
    if array.dtype.kind == "u":
        over = array >= n_symbols
        if over.any():
            pos = int(np.flatnonzero(over)[0])
            raise ValueError(
                f"sequence {index} has symbol code {array[pos]} at position {pos}, outside the "
                f"alphabet 0..{n_symbols - 1}"
            )
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

    Raises
    ------
    TypeError
        For an argument of the wrong type (``n_states=2.0``, ``fixed=3``,
        ``pseudocount="1"``, an alphabet that is not strings).
    ValueError
        For a wrong value: fewer than 1 state or symbol, an empty or repeated
        alphabet, unknown names in ``fixed``, a negative pseudocount, an unknown
        backend, parameter values that are not probabilities of the right shape.
    emcore.MissingDependency (an ImportError)
        For ``backend="numba"`` where numba is not installed (``pip install
        'emcore[hmm]'``); ``"auto"`` then runs the numpy recursions.

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
        self.n_states = check_int(n_states, "n_states", minimum=1)
        if alphabet is not None:
            if isinstance(alphabet, str):
                symbols = tuple(alphabet)
            else:
                if isinstance(alphabet, (bytes, Mapping)) or not isinstance(alphabet, Iterable):
                    raise TypeError(f"alphabet must be a string or a sequence of strings; got {describe(alphabet)}")
                symbols = tuple(alphabet)
                for i, a in enumerate(symbols):
                    if not isinstance(a, str):
                        raise TypeError(
                            f"alphabet must be a string or a sequence of strings; entry {i} is {describe(a)}"
                        )
                    if a == "":
                        raise ValueError(f"alphabet entry {i} is the empty string: every symbol needs a name")
            if len(symbols) == 0:
                raise ValueError("alphabet is empty: at least one symbol is needed")
            if len(set(symbols)) != len(symbols):
                seen: set[str] = set()
                repeated = next(a for a in symbols if a in seen or seen.add(a))
                raise ValueError(f"alphabet has repeated symbols ({repeated!r} twice): {list(symbols)}")
            if n_symbols is not None and check_int(n_symbols, "n_symbols", minimum=1) != len(symbols):
                raise ValueError(f"n_symbols is {n_symbols} but the alphabet has {len(symbols)} symbols")
            self.alphabet: tuple[str, ...] | None = symbols
            self.n_symbols = len(symbols)
            self._lookup = {a: i for i, a in enumerate(symbols)} if all(len(a) == 1 for a in symbols) else None
        elif n_symbols is None:
            raise ValueError("give the size of the alphabet: n_symbols=M or alphabet='...'")
        else:
            self.n_symbols = check_int(n_symbols, "n_symbols", minimum=1)
            self.alphabet = None
            self._lookup = None
        if state_names is None:
            state_names = [str(i) for i in range(self.n_states)]
        elif isinstance(state_names, (str, bytes, Mapping)) or not isinstance(state_names, Iterable):
            raise TypeError(
                f"state_names must be a sequence of {self.n_states} names (one per state); got {describe(state_names)}"
            )
        self.state_names = tuple(str(s) for s in state_names)
        if len(self.state_names) != self.n_states:
            raise ValueError(f"state_names must have {self.n_states} entries (one per state); got {len(self.state_names)}")
        if len(set(self.state_names)) != self.n_states:
            raise ValueError(f"state_names must be distinct; got {list(self.state_names)}")
        self.fixed = self._check_fixed(fixed)
        self.pseudocount = check_real(pseudocount, "pseudocount", minimum=0.0)
        self.defaults: dict[str, np.ndarray] = {}
        for name, value in (("start", start), ("transitions", transitions), ("emissions", emissions)):
            if value is not None:
                self.defaults[name] = readonly(_as_matrix(value, name, self._shape(name)))
        check_choice(backend, "backend", _BACKENDS)
        if backend == "numba" and not _k.HAVE_NUMBA:
            # an ImportError, as for every missing optional package (the CLI prints it as one line)
            raise MissingDependency(f"{_k.NUMBA_MISSING}; or use backend='numpy' or 'auto'", name="numba")
        self.backend = "numba" if backend == "auto" and _k.HAVE_NUMBA else ("numpy" if backend == "auto" else backend)

    def __repr__(self) -> str:
        alpha = f"alphabet={''.join(self.alphabet)!r}" if self._lookup else f"n_symbols={self.n_symbols}"
        fixed = f", fixed={sorted(self.fixed)}" if self.fixed else ""
        return f"DiscreteHMM(n_states={self.n_states}, {alpha}{fixed})"

    @staticmethod
    def _check_fixed(fixed: Iterable[str]) -> frozenset[str]:
        if isinstance(fixed, str) and fixed not in PARAM_NAMES:
            raise ValueError(
                f"fixed takes parameter names, not letter codes: e.g. fixed={{'emissions'}}; "
                f"the names are {list(PARAM_NAMES)}; got {fixed!r}"
            )
        if isinstance(fixed, Mapping):
            raise TypeError(
                f"fixed must be a collection of parameter names from {list(PARAM_NAMES)}; got {describe(fixed)} "
                "(values of fixed parameters are passed as start=, transitions=, emissions=)"
            )
        return check_names(fixed, "fixed", PARAM_NAMES)

    def _shape(self, name: str) -> tuple[int, ...]:
        K, M = self.n_states, self.n_symbols
        return {"start": (K,), "transitions": (K, K), "emissions": (K, M)}[name]

    # -- data ----------------------------------------------------------------------
    def prepare(self, data: Any) -> HMMData:
        """Validate sequences and return them as :class:`HMMData`.

        ``data`` is an :class:`HMMData`, one sequence (a string over the alphabet or a
        1-D array of integer codes, or a list of symbols of the alphabet such as
        ``["sun", "rain"]``), or a list of such sequences (of any lengths).
        Every sequence needs at least one symbol; codes are whole numbers in
        ``0 .. n_symbols - 1``. Errors name the sequence and the position.
        """
        if isinstance(data, HMMData):
            return self._check_codes(data)
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
            if all(is_int(v) for v in data):
                seqs = [np.asarray(data)]
            elif all(isinstance(v, (numbers.Number, np.generic)) and not isinstance(v, (str, bytes)) for v in data):
                seqs = [np.asarray(data)]  # one sequence of numbers: floats and booleans get their own message
            else:
                seqs = list(data)
        else:
            raise TypeError(
                "data must be a sequence of symbols (a string or a 1-D integer array), a list "
                f"of sequences, or HMMData; got {describe(data)}"
            )
        codes = [_as_codes(s, i, self.alphabet, self._lookup, self.n_symbols) for i, s in enumerate(seqs)]
        offsets = np.zeros(len(codes) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([c.size for c in codes])
        symbols = np.concatenate(codes) if len(codes) > 1 else codes[0]
        return HMMData(symbols, offsets)

    def _check_codes(self, data: HMMData) -> HMMData:
        """``data`` itself, once its codes are known to lie in this model's alphabet."""
        if data._max_code >= self.n_symbols:
            i = int(np.flatnonzero(data.symbols >= self.n_symbols)[0])
            s, t = data.locate(i)
            raise ValueError(
                f"HMMData sequence {s} has symbol code {data.symbols[i]} at position {t}, outside "
                f"this model's alphabet 0..{self.n_symbols - 1} (n_symbols={self.n_symbols})"
            )
        return data

    def encode(self, sequence: str) -> np.ndarray:
        """A string over the alphabet as an array of integer codes."""
        return self.prepare(sequence).symbols.copy()

    def decode_symbols(self, codes: Any) -> str:
        """Integer codes as a string over the (one-letter) alphabet."""
        if self._lookup is None:
            raise ValueError("this model has no alphabet of one-letter symbols")
        array = _int_vector(codes, "codes", "a 1-D sequence of integer symbol codes")
        out = (array < 0) | (array >= self.n_symbols)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise ValueError(f"codes entry {i} is {array[i]}, outside the alphabet 0..{self.n_symbols - 1}")
        return "".join(self.alphabet[c] for c in array.tolist())

    # -- the EM model protocol -----------------------------------------------------------
    def initial_params(self, data: HMMData, rng: np.random.Generator) -> HMMParams:
        """A random start: uniform ``start``, Dirichlet(1) rows for the matrices.

        Fixed parameters (and parameters given to the constructor) keep their values.
        With ``data`` (None draws a start without looking at data), raises ValueError
        when the start gives some observed symbol probability zero (possible only
        through zeros in the constructor's values).
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator; got {describe(rng)}")
        data = None if data is None else self._data(data)
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
        params = HMMParams(**values)
        if data is not None:
            self._refuse_impossible(data, params, "the start (the values given to DiscreteHMM)")
        return params

    def coerce_params(self, init: Any, data: Any = None) -> HMMParams:
        """Validate an :class:`HMMParams` or a mapping of its fields.

        Fields missing from a mapping are taken from the constructor's values. A fixed
        parameter given both here and to the constructor must agree. With ``data``,
        a start under which some sequence has probability zero (an observed symbol
        that no reachable state can emit) is refused with a ValueError naming the
        sequence and the position.
        """
        params = self._coerce(init, "init")
        if data is not None:
            self._refuse_impossible(self._data(data), params, "the starting parameters (init)")
        return params

    def _coerce(self, init: Any, what: str) -> HMMParams:
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
                values[name] = _as_matrix(given[name], name, self._shape(name))
                if name in self.fixed and name in self.defaults and not np.allclose(
                    values[name], self.defaults[name], rtol=0, atol=1e-12
                ):
                    raise ValueError(
                        f"this model keeps {name} fixed at the value given to DiscreteHMM; "
                        f"{what} holds a different {name}"
                    )
            elif name in self.defaults:
                values[name] = self.defaults[name]
            else:
                raise ValueError(f"starting parameters need {name!r} (or pass {name}=... to DiscreteHMM)")
        return HMMParams(**values)

    def _params(self, params: Any) -> HMMParams:
        return params if isinstance(params, HMMParams) and params.start.size == self.n_states and (
            params.n_symbols == self.n_symbols
        ) else self._coerce(params, "params")

    def _data(self, data: Any) -> HMMData:
        return self._check_codes(data) if isinstance(data, HMMData) else self.prepare(data)

    # -- sequences of probability zero --------------------------------------------------
    def _zero_message(self, data: HMMData, params: HMMParams, s: int, under: str) -> str:
        t = _first_impossible(data, params, s)
        if t < 0:  # the product of probabilities underflowed: no single symbol to blame
            return (
                f"sequence {s} has probability zero under {under}: its probability underflows "
                "(probabilities far below 1e-300). Give the parameters less extreme values."
            )
        code = int(data.symbols[data.offsets[s] + t])
        symbol = _symbol_name(code, self.alphabet)
        if not np.any(params.emissions[:, code] > 0):
            reason = f"no state emits it (column {code} of emissions is all zero)"
        elif t == 0:
            reason = "no state with a positive start probability emits it"
        else:
            reason = "no state the chain can be in at that position emits it"
        fixed = (
            "; emissions are fixed at the values given to DiscreteHMM, so change them there"
            if "emissions" in self.fixed
            else ""
        )
        return (
            f"sequence {s} has probability zero under {under}: {symbol} at position {t} cannot "
            f"be observed, as {reason}. Give positive emission probabilities to the symbols in the "
            f"data (and start/transitions that reach the states that emit them){fixed}"
        )

    def _refuse_impossible(self, data: HMMData, params: HMMParams, under: str) -> None:
        """Raise ValueError if some sequence of ``data`` has probability zero."""
        if all(np.all(getattr(params, name) > 0) for name in PARAM_NAMES):
            return  # every symbol can follow every history
        bad = self._forward_backward(data, params, want_counts=False)[5]
        if bad >= 0:
            raise ValueError(self._zero_message(data, params, bad, under))

    def _forward_backward(self, data: HMMData, params: HMMParams, want_counts=True, want_gamma=False):
        if data._max_code >= params.n_symbols or params.n_states != self.n_states:  # never reached via _data/_params
            raise ValueError("HMMData and parameters do not fit this model")
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

        Raises ValueError, naming the sequence and the position, when a sequence has
        probability zero under ``params`` (:func:`emcore.fit_em` refuses such a start
        before the first E-step; EM never reaches one from a possible start).
        """
        data, params = self._data(data), self._params(params)
        loglik, start, trans, emit, entropy, bad, _ = self._forward_backward(data, params)
        if bad >= 0 or not np.isfinite(loglik):
            raise ValueError(self._zero_message(data, params, max(bad, 0), "these parameters"))
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

    def _check_posterior(self, posterior: Any) -> HMMPosterior:
        if not isinstance(posterior, HMMPosterior):
            raise TypeError(f"posterior must be an HMMPosterior; got {describe(posterior)}")
        K, M = self.n_states, self.n_symbols
        if posterior.start_counts.shape != (K,) or posterior.transition_counts.shape != (K, K) or (
            posterior.emission_counts.shape != (K, M)
        ):
            raise ValueError(
                f"posterior counts have shapes {posterior.start_counts.shape}, {posterior.transition_counts.shape}, "
                f"{posterior.emission_counts.shape}; this model needs ({K},), ({K}, {K}), ({K}, {M}) "
                "(start, transitions, emissions)"
            )
        for name in ("start_counts", "transition_counts", "emission_counts"):
            counts = getattr(posterior, name)
            if not np.all(np.isfinite(counts)) or np.any(counts < 0):
                raise ValueError(f"posterior {name} must be finite and non-negative; got {counts.tolist()}")
        return posterior

    def m_step(self, data: HMMData, posterior: HMMPosterior, params: HMMParams) -> HMMParams:
        """Normalise the expected counts (plus pseudocounts), row by row.

        Fixed parameters are kept; a row that received no counts (a state never
        visited, possible in Viterbi training) keeps its current values.
        """
        posterior, params = self._check_posterior(posterior), self._params(params)
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
        self._check_posterior(posterior)
        total = (
            xlogy(posterior.start_counts, params.start).sum()
            + xlogy(posterior.transition_counts, params.transitions).sum()
            + xlogy(posterior.emission_counts, params.emissions).sum()
        )
        return float(total)

    def entropy(self, posterior: HMMPosterior) -> float:
        """Entropy (natural log) of the posterior over state paths (computed in the E-step)."""
        return self._check_posterior(posterior).entropy

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
            _tr.simplex_to_unconstrained(getattr(params, name)) for name in PARAM_NAMES if name not in self.fixed
        ]
        return np.concatenate(parts) if parts else np.zeros(0)

    def from_unconstrained(self, vector: Any, like: HMMParams) -> HMMParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the fixed parameters and the zero pattern. Raises ValueError
        for a vector of the wrong length or outside the parameter space.
        """
        like = self._params(like)
        v = as_float_array(vector, "vector", finite=False, min_size=0).ravel()
        values, used = {}, 0
        for name in PARAM_NAMES:
            if name in self.fixed:
                values[name] = getattr(like, name)
                continue
            values[name], k = _tr.simplex_from_unconstrained(v[used:], getattr(like, name))
            used += k
        if used != v.size:
            raise ValueError(f"vector must have {used} entries for these parameters; got {v.size}")
        return HMMParams(**values)

    # -- inference -----------------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Total observed-data log-likelihood ``sum_s log P(x_s; params)`` (natural log).

        Raises ValueError, naming the sequence and the position, when a sequence has
        probability zero under ``params`` (rather than returning ``-inf``).
        """
        data, params = self._data(data), self._params(params)
        loglik, *_, bad, _ = self._forward_backward(data, params, want_counts=False)
        if bad >= 0 or not np.isfinite(loglik):
            raise ValueError(self._zero_message(data, params, max(bad, 0), "these parameters"))
        return loglik

    def posterior_marginals(self, data: Any, params: Any) -> list[np.ndarray]:
        """``gamma_t(i) = P(z_t = i | x; params)`` for every sequence.

        Returns
        -------
        list of ndarray, each of shape (length of the sequence, n_states)
        """
        data, params = self._data(data), self._params(params)
        loglik, *_, bad, gamma = self._forward_backward(data, params, want_gamma=True)
        if bad >= 0 or not np.isfinite(loglik):
            raise ValueError(self._zero_message(data, params, max(bad, 0), "these parameters"))
        return data.split(gamma)

    def _viterbi(self, data: HMMData, params: HMMParams) -> tuple[list[np.ndarray], float]:
        if data._max_code >= params.n_symbols or params.n_states != self.n_states:  # never reached via _data/_params
            raise ValueError("HMMData and parameters do not fit this model")
        path = np.zeros(data.symbols.size, dtype=np.int64)
        kernel = _k.viterbi_numba if self.backend == "numba" else _k.viterbi_numpy
        with np.errstate(divide="ignore"):
            logs = [np.log(params.start), np.log(params.transitions), np.log(params.emissions)]
        best = float(kernel(data.symbols, data.offsets, *logs, path))
        if not np.isfinite(best):  # some sequence has no path of positive probability
            bad = self._forward_backward(data, params, want_counts=False)[5]
            raise ValueError(self._zero_message(data, params, max(bad, 0), "these parameters"))
        return data.split(path), best

    def viterbi(self, data: Any, params: Any) -> tuple[list[np.ndarray], float]:
        """The most probable state path of every sequence and its log-probability.

        Returns
        -------
        paths : list of ndarray of int
            One path (state indices) per sequence.
        log_prob : float
            ``sum_s max_z log P(x_s, z; params)``.

        Raises ValueError, naming the sequence and the position, when a sequence has
        probability zero under ``params``.
        """
        data, params = self._data(data), self._params(params)
        return self._viterbi(data, params)

    def decode(self, data: Any, params: Any, method: str = "viterbi") -> list[np.ndarray]:
        """State paths by ``"viterbi"`` (best path) or ``"posterior"`` (best state per position)."""
        check_choice(method, "method", _DECODERS)
        if method == "viterbi":
            return self.viterbi(data, params)[0]
        return [g.argmax(axis=1) for g in self.posterior_marginals(data, params)]

    def path_counts(self, data: Any, paths: Sequence[Any]) -> HMMPosterior:
        """The counts of known state paths, as a degenerate :class:`HMMPosterior`.

        ``paths`` holds one path per sequence: integer state indices ``0 .. K-1``, as
        long as its sequence.
        """
        data = self._data(data)
        if isinstance(paths, (str, bytes, Mapping)) or not isinstance(paths, Iterable):
            raise TypeError(f"paths must be a list of state paths, one per sequence; got {describe(paths)}")
        paths = list(paths)
        if len(paths) != data.n_sequences:
            raise ValueError(f"paths: need one path per sequence ({data.n_sequences}); got {len(paths)}")
        K, M = self.n_states, self.n_symbols
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

    def sample(
        self, params: Any, lengths: int | Sequence[int], rng: np.random.Generator
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Draw sequences from the model.

        Parameters
        ----------
        params : HMMParams or mapping
        lengths : int or sequence of int
            Length of each sequence to draw (each at least 1).
        rng : numpy.random.Generator
            The source of randomness (required: results are reproducible).

        Returns
        -------
        states, symbols : list of ndarray of int
            One array of hidden states and one of symbol codes per sequence.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)); got {describe(rng)}"
            )
        params = self._params(params)
        if is_int(lengths):
            lengths = [lengths]
        elif isinstance(lengths, (str, bytes, Mapping)) or not isinstance(lengths, Iterable):
            raise TypeError(
                f"lengths must be an integer or a sequence of integers (one length per sequence); got {describe(lengths)}"
            )
        else:
            lengths = list(lengths)
            if not lengths:
                raise ValueError("lengths is empty: give the length of each sequence")
        lengths = [check_int(n, "lengths" if len(lengths) == 1 else f"lengths[{i}]", minimum=1) for i, n in enumerate(lengths)]
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
