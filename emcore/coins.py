"""Mixtures of coins: the coin-flipping experiment of Do & Batzoglou (2008).

Each observation is a *set* of tosses of one coin, chosen at random from ``K`` coins;
which coin made a set is the missing data. Coin ``k`` comes up heads with probability
``theta[k]`` and is chosen with probability ``weights[k]``. A set with ``h`` heads in
``n`` tosses has the complete-data probability

    P(set, coin = k) = weights[k] * theta[k]**h * (1 - theta[k])**(n - h),

the probability of that particular *sequence* of tosses: the binomial coefficient
is left out, as in the paper, since it does not depend on the parameters. Every
log-likelihood here is a natural log, summed over the sets.

The paper's model picks each coin with probability 1/2 and only learns the biases:
that is ``CoinMixture()`` (``fixed={"weights"}``); ``CoinMixture(fixed=())`` learns the weights too.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import logsumexp, xlog1py, xlogy

from . import transforms as _tr
from ._validation import (
    as_count_array,
    as_float_vector,
    check_fixed,
    check_int,
    check_posterior,
    check_probability_vector,
    check_stats,
    describe,
    is_int,
    legacy_learn_flag,
)

__all__ = ["CoinData", "CoinParams", "CoinMixture", "coin_names", "complete_data_mle", "toss_string"]


def coin_names(n_coins: int) -> tuple[str, ...]:
    """Letters naming the coins in order: ``('A', 'B', ...)``."""
    if n_coins > len(string.ascii_uppercase):
        return tuple(f"C{k}" for k in range(n_coins))
    return tuple(string.ascii_uppercase[:n_coins])


def _items(values: Any, name: str) -> list[Any]:
    """A list of one entry per set; a single string is refused (it is one set, not many)."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a list with one entry per set; got a single string {describe(values)}")
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name} must be a list with one entry per set; got {describe(values)}") from None


def toss_string(seq: Any, i: int) -> str:
    """One set of tosses as a string of H and T (upper case, spaces stripped).

    ``i`` numbers the set in the messages. Raises TypeError for a value that is not a
    string and ValueError for a letter other than H or T (in either case).
    """
    if not isinstance(seq, str):
        raise TypeError(f"sequence {i} must be a string of H and T; got {describe(seq)}")
    s = seq.strip().upper()
    bad = set(s) - {"H", "T"}
    if bad:
        raise ValueError(f"sequence {i} ({seq!r}) holds letters other than H and T: {sorted(bad)}")
    return s


@dataclass(frozen=True)
class CoinData:
    """Sets of coin tosses.

    Attributes
    ----------
    heads, tosses : ndarray of int, shape (n_sets,)
        Heads and tosses in each set (read-only).
    labels : tuple of str, optional
        The coin that made each set ('A', 'B', ...), when known.
    sequences : tuple of str, optional
        The tosses themselves as strings of 'H' and 'T', when known.
    """

    heads: np.ndarray
    tosses: np.ndarray
    labels: tuple[str, ...] | None = None
    sequences: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        heads = as_count_array(self.heads, "heads")
        tosses = as_count_array(self.tosses, "tosses")
        if heads.shape != tosses.shape:
            raise ValueError(
                f"heads and tosses must have one entry per set; got {heads.size} heads and {tosses.size} tosses"
            )
        over = heads > tosses
        if over.any():
            i = int(np.flatnonzero(over)[0])
            raise ValueError(f"set {i} has more heads ({heads[i]}) than tosses ({tosses[i]})")
        object.__setattr__(self, "heads", heads)
        object.__setattr__(self, "tosses", tosses)
        if self.labels is not None:
            labels = tuple(str(x) for x in _items(self.labels, "labels"))
            if len(labels) != heads.size:
                raise ValueError(f"labels must have one entry per set ({heads.size}); got {len(labels)}")
            object.__setattr__(self, "labels", labels)
        if self.sequences is not None:
            sequences = tuple(toss_string(seq, i) for i, seq in enumerate(_items(self.sequences, "sequences")))
            if len(sequences) != heads.size:
                raise ValueError(f"sequences must have one entry per set ({heads.size}); got {len(sequences)}")
            for i, seq in enumerate(sequences):
                if seq.count("H") != heads[i] or len(seq) != tosses[i]:
                    raise ValueError(
                        f"sequence {i} ({seq!r}) has {seq.count('H')} heads in {len(seq)} tosses, "
                        f"but heads[{i}] = {heads[i]} and tosses[{i}] = {tosses[i]}"
                    )
            object.__setattr__(self, "sequences", sequences)

    @classmethod
    def from_sequences(cls, sequences: Sequence[str], labels: Sequence[str] | None = None) -> CoinData:
        """Build from strings of 'H' and 'T' (case-insensitive), one per set."""
        seqs = [toss_string(seq, i) for i, seq in enumerate(_items(sequences, "sequences"))]
        heads = [s.count("H") for s in seqs]
        tosses = [len(s) for s in seqs]
        return cls(
            np.array(heads), np.array(tosses), labels=None if labels is None else tuple(labels), sequences=tuple(seqs)
        )

    @property
    def tails(self) -> np.ndarray:
        """Tails per set, shape (n_sets,)."""
        return self.tosses - self.heads

    @property
    def n_sets(self) -> int:
        return int(self.heads.size)


@dataclass(frozen=True)
class CoinParams:
    """Parameters of a coin mixture.

    Attributes
    ----------
    theta : tuple of float
        Probability of heads of each coin, in order A, B, ...
    weights : tuple of float
        Probability of choosing each coin for a set (sums to 1).
    """

    theta: tuple[float, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        theta = as_float_vector(self.theta, "theta")
        if theta.size == 0:
            raise ValueError("theta is empty: one probability of heads per coin is needed")
        outside = (theta < 0) | (theta > 1)
        if outside.any():
            k = int(np.flatnonzero(outside)[0])
            raise ValueError(f"theta must hold probabilities in [0, 1]; entry {k} is {float(theta[k])!r}")
        weights = check_probability_vector(self.weights, "weights", theta.size, allow_zero=True)
        object.__setattr__(self, "theta", tuple(theta.tolist()))
        object.__setattr__(self, "weights", tuple(weights.tolist()))

    @property
    def n_coins(self) -> int:
        return len(self.theta)


def _floats(values: Any) -> tuple[float, ...]:
    """A vector of numbers as the tuple of floats a :class:`CoinParams` field holds."""
    return tuple(np.asarray(values, dtype=float).ravel().tolist())


def _as_data(data: Any) -> CoinData:
    if isinstance(data, CoinData):
        return data
    if isinstance(data, Mapping):
        missing = {"heads", "tosses"} - set(data)
        if missing:
            raise ValueError(f"coin data mapping needs keys 'heads' and 'tosses'; missing {sorted(missing)}")
        unknown = set(data) - {"heads", "tosses", "labels", "sequences"}
        if unknown:
            raise ValueError(
                "coin data mapping takes the keys 'heads', 'tosses' and optionally 'labels' and "
                f"'sequences'; got unknown keys {sorted(map(str, unknown))}"
            )
        return CoinData(data["heads"], data["tosses"], data.get("labels"), data.get("sequences"))
    if hasattr(data, "heads") and hasattr(data, "tosses"):
        return CoinData(data.heads, data.tosses)
    if isinstance(data, tuple) and len(data) == 2:
        return CoinData(*data)
    raise TypeError(
        "coin data must be a CoinData, a (heads, tosses) tuple or a mapping with 'heads' "
        f"and 'tosses'; got {type(data).__name__}"
    )


class CoinMixture:
    """A mixture of ``n_coins`` coins, for :func:`emcore.fit_em`.

    Parameters
    ----------
    n_coins : int
        Number of coins (mixture components), at least 1.
    fixed : collection of str
        The parameters held fixed, by name (as for every emcore model). The default
        ``{"weights"}`` is the paper's model: each set's coin is chosen with the
        fixed ``weights``; ``fixed=()`` estimates the weights too.
    weights : sequence of float, optional
        The coin-choice probabilities (default: equal): the fixed ones, or, when the
        weights are learned, those of every starting point drawn by the model.
    learn_weights : bool, optional
        The old spelling (``learn_weights=True`` is ``fixed=()``); deprecated.

    Notes
    -----
    The posterior over completions is an ``(n_sets, n_coins)`` array: entry
    ``(i, k)`` is the probability that set ``i`` was made with coin ``k``.
    """

    #: The parameters ``fixed=`` may name.
    FIXABLE = ("weights",)

    def __init__(
        self,
        n_coins: int = 2,
        fixed: Iterable[str] | None = None,
        weights: Sequence[float] | None = None,
        *,
        learn_weights: bool | None = None,
    ):
        self.n_coins = check_int(n_coins, "n_coins", minimum=1)
        if isinstance(fixed, bool):  # CoinMixture(2, True): the old positional learn_weights
            learn_weights, fixed = fixed, None
        fixed = legacy_learn_flag(learn_weights, "learn_weights", "weights", fixed)
        self.fixed = check_fixed(("weights",) if fixed is None else fixed, self.FIXABLE, "CoinMixture(weights=...)")
        given = np.full(self.n_coins, 1.0 / self.n_coins) if weights is None else weights
        self.weights = tuple(check_probability_vector(given, "weights", self.n_coins).tolist())
        self.names = coin_names(self.n_coins)

    def __repr__(self) -> str:
        return f"CoinMixture(n_coins={self.n_coins}, fixed={set(self.fixed) or '()'})"

    @property
    def learn_weights(self) -> bool:
        """Whether the weights are estimated (``"weights"`` not in ``fixed``)."""
        return "weights" not in self.fixed

    def _learned(self) -> dict[str, _tr.Transform]:
        """Each learned field and its unconstrained transform (for SQUAREM)."""
        fields = {"theta": _tr.LOGIT, "weights": _tr.SIMPLEX}
        return {name: t for name, t in fields.items() if name not in self.fixed}

    # -- the EM model protocol -------------------------------------------------
    def prepare(self, data: Any) -> CoinData:
        """Validate ``data`` (a :class:`CoinData`, ``(heads, tosses)`` or a mapping).

        Data without a single toss are refused: they say nothing about any coin.
        """
        data = _as_data(data)
        if not data.tosses.any():
            raise ValueError(f"the data hold no tosses at all ({data.n_sets} sets of 0 tosses): nothing to estimate")
        return data

    def initial_params(self, data: CoinData, rng: np.random.Generator) -> CoinParams:
        """Biases drawn uniformly from (0.1, 0.9); the model's weights."""
        theta = rng.uniform(0.1, 0.9, size=self.n_coins)
        return CoinParams(theta=_floats(theta), weights=self.weights)

    def coerce_params(self, init: Any, data: Any = None, *, name: str = "init") -> CoinParams:
        """Validate a :class:`CoinParams` or a mapping ``{"theta": [...], "weights": [...]}``.

        ``name`` is the argument the user passed them as, for the error messages.
        """
        theta: Any
        weights: Any
        if isinstance(init, CoinParams):
            theta, weights = init.theta, init.weights
        elif isinstance(init, Mapping):
            unknown = set(init) - {"theta", "weights"}
            if unknown:
                raise ValueError(f"coin parameters are 'theta' and 'weights'; got unknown keys {sorted(unknown)}")
            if "theta" not in init:
                raise ValueError("coin parameters need 'theta', the probability of heads of each coin")
            theta = init["theta"]
            weights = init.get("weights", self.weights)
        else:
            raise TypeError(
                f"{name} must be a CoinParams or a mapping like {{'theta': [0.6, 0.5]}}; got {describe(init)}"
            )
        theta = as_float_vector(theta, "theta", self.n_coins)
        if np.any((theta <= 0) | (theta >= 1)):
            raise ValueError(f"each theta in {name} must lie strictly between 0 and 1; got {theta.tolist()}")
        weights = check_probability_vector(weights, "weights", self.n_coins)
        if not self.learn_weights and not np.allclose(weights, self.weights, rtol=0, atol=1e-12):
            raise ValueError(
                f"this model keeps the weights fixed at {list(self.weights)}; got {weights.tolist()}. "
                "Use CoinMixture(weights=...) to fix other weights, or fixed=() to learn them."
            )
        return CoinParams(theta=_floats(theta), weights=_floats(weights))

    def log_joint(self, data: Any, params: Any) -> np.ndarray:
        """``log P(set i, coin k)``, shape ``(n_sets, n_coins)``.

        ``params`` is a :class:`CoinParams` or a mapping like ``{"theta": [0.6, 0.5]}``.
        """
        data = _as_data(data)
        if not isinstance(params, CoinParams):
            params = self.coerce_params(params, data, name="params")
        elif params.n_coins != self.n_coins:
            raise ValueError(f"params must be for {self.n_coins} coins; got {params.n_coins}")
        theta = np.asarray(params.theta)
        h = data.heads[:, None]
        t = data.tails[:, None]
        with np.errstate(divide="ignore"):  # a learned weight can reach 0 (an empty coin)
            log_weights = np.log(params.weights)
        return log_weights + xlogy(h, theta) + xlog1py(t, -theta)

    def e_step(self, data: CoinData, params: CoinParams) -> tuple[np.ndarray, float]:
        """Posterior of each coin for each set, and the total log-likelihood."""
        lj = self.log_joint(data, params)
        per_set = logsumexp(lj, axis=1)
        return np.exp(lj - per_set[:, None]), float(per_set.sum())

    def hard_e_step(self, data: CoinData, params: CoinParams) -> tuple[np.ndarray, float, float]:
        """The most likely coin for each set (ties go to the first coin)."""
        lj = self.log_joint(data, params)
        best = np.argmax(lj, axis=1)
        onehot = np.zeros_like(lj)
        onehot[np.arange(lj.shape[0]), best] = 1.0
        return onehot, float(logsumexp(lj, axis=1).sum()), float(lj[np.arange(lj.shape[0]), best].sum())

    def m_step(self, data: CoinData, posterior: np.ndarray, params: CoinParams) -> CoinParams:
        """Expected heads over expected tosses per coin.

        A coin that receives no tosses at all (possible in hard EM) keeps its bias.
        """
        expected_heads = posterior.T @ data.heads
        expected_tosses = posterior.T @ data.tosses
        old = np.asarray(params.theta)
        with np.errstate(invalid="ignore", divide="ignore"):
            theta = np.where(
                expected_tosses > 0, expected_heads / np.where(expected_tosses > 0, expected_tosses, 1), old
            )
        weights = posterior.mean(axis=0) if self.learn_weights else params.weights
        return CoinParams(theta=_floats(theta), weights=_floats(weights))

    # -- expected sufficient statistics (chunked, distributed and online EM) -----------
    def split(self, data: Any, size: int) -> list[CoinData]:
        """The sets of ``data`` in pieces of at most ``size`` consecutive sets."""
        data = _as_data(data)
        size = check_int(size, "chunk_size", minimum=1)
        return [CoinData(data.heads[a : a + size], data.tosses[a : a + size]) for a in range(0, data.n_sets, size)]

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]:
        """Per coin, the expected heads, tosses and sets of ``data`` at ``params``; the log-likelihood.

        ``{"heads": sum_i q_ik h_i, "tosses": sum_i q_ik n_i, "sets": sum_i q_ik}``:
        sums over sets, so they add up over disjoint pieces of the data.
        """
        data = _as_data(data)
        posterior, loglik = self.e_step(data, params)
        return {
            "heads": posterior.T @ data.heads,
            "tosses": posterior.T @ data.tosses,
            "sets": posterior.sum(axis=0),
        }, loglik

    def m_step_stats(self, data: Any, stats: Any, params: Any) -> CoinParams:
        """The M-step from summed :meth:`expected_stats`: the same rules as :meth:`m_step`."""
        if not isinstance(params, CoinParams):
            params = self.coerce_params(params, data, name="params")
        stats = check_stats(stats, {"heads": self.n_coins, "tosses": self.n_coins, "sets": self.n_coins})
        heads, tosses, sets = stats["heads"], stats["tosses"], stats["sets"]
        old = np.asarray(params.theta)
        theta = np.where(tosses > 0, heads / np.where(tosses > 0, tosses, 1), old)
        weights = sets / sets.sum() if self.learn_weights else params.weights
        return CoinParams(theta=_floats(np.clip(theta, 0.0, 1.0)), weights=_floats(weights))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) ----------------
    def to_unconstrained(self, params: CoinParams) -> np.ndarray:
        """The learned parameters as one unconstrained vector (see :mod:`emcore.transforms`).

        The log-odds ``log(theta_k / (1 - theta_k))`` of each bias, then, when the
        weights are learned, the centred log-weights. Biases that are exactly 0 or 1
        and weights that are exactly 0 are fixed points of EM and left out.
        """
        if not isinstance(params, CoinParams) or params.n_coins != self.n_coins:
            raise TypeError(f"params must be CoinParams with {self.n_coins} coins; got {params!r}")
        return _tr.pack(params, self._learned())

    def from_unconstrained(self, vector: Any, like: CoinParams) -> CoinParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` (a :class:`CoinParams`) gives the parts left out of the vector: the
        fixed weights, and biases or weights that are exactly 0 (or 1). Raises
        ValueError for a vector of the wrong length or outside the parameter space.
        """
        if not isinstance(like, CoinParams) or like.n_coins != self.n_coins:
            raise TypeError(f"like must be CoinParams with {self.n_coins} coins; got {like!r}")
        v = as_float_vector(vector, "vector")
        return replace(like, **_tr.unpack(v, like, self._learned()))

    # -- conveniences ------------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Total observed-data log-likelihood ``log P(x; params)`` (natural log).

        ``params`` is a :class:`CoinParams` or a mapping like ``{"theta": [0.6, 0.5]}``.
        """
        return float(logsumexp(self.log_joint(data, params), axis=1).sum())

    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """Expected complete-data log-likelihood ``sum_i sum_k q_ik log P(set i, coin k)``.

        With a one-hot ``posterior`` (known coins) this is the complete-data
        log-likelihood itself.
        """
        lj = self.log_joint(data, params)
        q = check_posterior(posterior, "posterior", lj.shape, "sets x coins")
        support = q > 0  # 0 * log 0 = 0: a completion with no mass contributes nothing
        return float(np.sum(q[support] * lj[support]))

    def entropy(self, posterior: np.ndarray) -> float:
        """Entropy ``-sum_i sum_k q_ik log q_ik`` (natural log) of a posterior over coins."""
        q = check_posterior(posterior, "posterior", (None, self.n_coins), "sets x coins")
        return float(-np.sum(xlogy(q, q)))

    def expected_counts(self, data: Any, posterior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected heads and tails each coin contributes to each set, each ``(n_sets, n_coins)``.

        These are the numbers in the table of Figure 1b of Do & Batzoglou (2008).
        """
        data = self.prepare(data)
        q = check_posterior(posterior, "posterior", (data.n_sets, self.n_coins), "sets x coins")
        return q * data.heads[:, None], q * data.tails[:, None]


def _label_indices(labels: Sequence[Any], n_coins: int) -> np.ndarray:
    names = coin_names(n_coins)
    index = []
    for i, label in enumerate(labels):
        if isinstance(label, str):
            if label not in names:
                raise ValueError(f"label {i} is {label!r}; expected one of {list(names)}")
            index.append(names.index(label))
        elif is_int(label) and 0 <= label < n_coins:
            index.append(int(label))
        else:
            raise ValueError(
                f"label {i} is {label!r}; expected a coin letter {list(names)} or an index 0..{n_coins - 1}"
            )
    return np.asarray(index, dtype=int)


def complete_data_mle(data: Any, labels: Sequence[Any] | None = None, *, n_coins: int = 2) -> CoinParams:
    """Maximum-likelihood estimates when the coin of every set is known.

    ``theta[k]`` is the number of heads made with coin ``k`` over the number of its
    tosses (equation 1 of Do & Batzoglou 2008); ``weights[k]`` is the fraction of
    sets made with coin ``k``.

    Parameters
    ----------
    data : CoinData, (heads, tosses) or mapping
        The sets of tosses.
    labels : sequence of str or int, optional
        The coin of each set (letters 'A', 'B', ... or indices); defaults to
        ``data.labels``.
    n_coins : int
        Number of coins.
    """
    model = CoinMixture(n_coins=n_coins, fixed=())
    coin_data = model.prepare(data)
    if labels is None:
        labels = coin_data.labels
        if labels is None:
            raise ValueError("labels are needed: the coin that made each set")
    if isinstance(labels, str):
        labels = list(labels)  # "ABBA": one letter per set
    labels = _items(labels, "labels")
    if len(labels) != coin_data.n_sets:
        raise ValueError(f"labels must have one entry per set ({coin_data.n_sets}); got {len(labels)}")
    index = _label_indices(labels, n_coins)
    onehot = np.zeros((coin_data.n_sets, n_coins))
    onehot[np.arange(coin_data.n_sets), index] = 1.0
    tosses = onehot.T @ coin_data.tosses
    if np.any(tosses == 0):
        k = int(np.flatnonzero(tosses == 0)[0])
        raise ValueError(f"coin {model.names[k]} has no labelled tosses: its bias cannot be estimated")
    start = CoinParams(theta=(0.5,) * n_coins, weights=_floats(np.full(n_coins, 1.0 / n_coins)))
    return model.m_step(coin_data, onehot, start)
