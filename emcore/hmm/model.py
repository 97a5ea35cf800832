"""The discrete hidden Markov model for :func:`emcore.fit_em`: Baum-Welch and Viterbi training,
decoding, fixed parameters and Dirichlet pseudocounts."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy.special import xlogy

from .. import _hmm_kernels as _k
from .. import transforms as _tr
from .._optional import MissingDependency
from .._validation import (
    as_float_array,
    check_choice,
    check_fixed,
    check_int,
    check_real,
    check_stats,
    describe,
    is_int,
    readonly,
)
from . import decoding as _decoding
from . import params as _pm
from . import sampling as _sampling
from .data import HMMData, _as_codes, _int_vector
from .params import PARAM_NAMES, HMMParams, HMMPosterior, _as_matrix

#: The recursions behind ``backend=``.
_BACKENDS = ("auto", "numba", "numpy")


#: How ``decode`` turns a posterior into one state per position.
_DECODERS = ("viterbi", "posterior")


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
    emcore.MissingDependency
        An :class:`ImportError`, for ``backend="numba"`` where numba is not installed (``pip install
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

    #: The dask collection this model fits (:mod:`emcore.scale`), a bag of one sequence per element.
    DASK_COLLECTION = "bag"

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
                repeated = next(a for i, a in enumerate(symbols) if a in symbols[:i])
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
            raise ValueError(
                f"state_names must have {self.n_states} entries (one per state); got {len(self.state_names)}"
            )
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
        alpha = f"alphabet={''.join(self.alphabet or ())!r}" if self._lookup else f"n_symbols={self.n_symbols}"
        fixed = f", fixed={sorted(self.fixed)}" if self.fixed else ""
        return f"DiscreteHMM(n_states={self.n_states}, {alpha}{fixed})"

    @staticmethod
    def _check_fixed(fixed: Iterable[str]) -> frozenset[str]:
        return check_fixed(fixed, PARAM_NAMES, "start=, transitions=, emissions=")

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
        seqs: list[Any]
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
        alphabet = self.alphabet
        assert alphabet is not None  # checked above: this model has an alphabet
        return "".join(alphabet[c] for c in array.tolist())

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
        return _pm.coerce_params(self, init, what)

    def _params(self, params: Any) -> HMMParams:
        return (
            params
            if isinstance(params, HMMParams)
            and params.start.size == self.n_states
            and (params.n_symbols == self.n_symbols)
            else self._coerce(params, "params")
        )

    def _data(self, data: Any) -> HMMData:
        return self._check_codes(data) if isinstance(data, HMMData) else self.prepare(data)

    # -- sequences of probability zero --------------------------------------------------
    def _zero_message(self, data: HMMData, params: HMMParams, s: int, under: str) -> str:
        return _pm.zero_message(self, data, params, s, under)

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
                data.symbols,
                data.offsets,
                params.start,
                params.transitions,
                params.emissions,
                want_counts,
                want_counts,
                want_gamma,
                gamma,
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
        if (
            posterior.start_counts.shape != (K,)
            or posterior.transition_counts.shape != (K, K)
            or (posterior.emission_counts.shape != (K, M))
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

    # -- expected sufficient statistics (chunked, distributed and online EM) -----------
    def split(self, data: Any, size: int) -> list[HMMData]:
        """The sequences of ``data`` in pieces of at most ``size`` consecutive sequences."""
        data = self._data(data)
        size = check_int(size, "chunk_size", minimum=1)
        pieces = []
        for a in range(0, data.n_sequences, size):
            b = min(a + size, data.n_sequences)
            lo, hi = int(data.offsets[a]), int(data.offsets[b])
            pieces.append(HMMData(data.symbols[lo:hi], data.offsets[a : b + 1] - lo))
        return pieces

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]:
        """The expected start, transition and emission counts of ``data``; its log-likelihood.

        ``{"start": (K,), "transitions": (K, K), "emissions": (K, M)}``, the counts of
        :class:`HMMPosterior`: sums over sequences, so they add up over disjoint
        pieces of the sequences.
        """
        posterior, loglik = self.e_step(data, params)
        return {
            "start": posterior.start_counts,
            "transitions": posterior.transition_counts,
            "emissions": posterior.emission_counts,
        }, loglik

    def m_step_stats(self, data: Any, stats: Any, params: Any) -> HMMParams:
        """The M-step from summed :meth:`expected_stats`: :meth:`m_step` of those counts."""
        K, M = self.n_states, self.n_symbols
        stats = check_stats(stats, {"start": K, "transitions": (K, K), "emissions": (K, M)})
        posterior = HMMPosterior(stats["start"], stats["transitions"], stats["emissions"], 0.0)
        return self.m_step(data, posterior, params)

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
            sum(
                np.sum(xlogy(self.pseudocount, getattr(params, name))) for name in PARAM_NAMES if name not in self.fixed
            )
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
        return _tr.pack(self._params(params), self._learned())

    def from_unconstrained(self, vector: Any, like: HMMParams) -> HMMParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the fixed parameters and the zero pattern. Raises ValueError
        for a vector of the wrong length or outside the parameter space.
        """
        like = self._params(like)
        v = as_float_array(vector, "vector", finite=False, min_size=0).ravel()
        values = {name: getattr(like, name) for name in PARAM_NAMES}
        values.update(_tr.unpack(v, like, self._learned()))
        return HMMParams(**values)

    def _learned(self) -> dict[str, _tr.Transform]:
        """Each learned field and its unconstrained transform (rows of probabilities)."""
        return {name: _tr.SIMPLEX for name in PARAM_NAMES if name not in self.fixed}

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
        return _decoding.posterior_marginals(self, data, params)

    def _viterbi(self, data: HMMData, params: HMMParams) -> tuple[list[np.ndarray], float]:
        return _decoding.viterbi(self, data, params)

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
        return _decoding.path_counts(self, data, paths)

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
        return _sampling.sample(self, params, lengths, rng)
