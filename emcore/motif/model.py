"""The motif model for :func:`emcore.fit_em`: OOPS, ZOOPS and TCM E- and M-steps on one or both strands."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np
from scipy.special import xlogy

from .. import transforms as _tr
from .._sequences import MASKED
from .._validation import (
    as_float_array,
    check_choice,
    check_fixed,
    check_flag,
    check_int,
    check_real,
    check_stats,
    describe,
    legacy_learn_flag,
)
from .data import MotifData, _as_sequences, _keep_windows, _prepare, _random_windows, _window_string, _window_sums
from .params import MotifParams, _as_ppm, _check_background, _check_gamma, _revcomp_matrix, kmer_params

MODELS = ("oops", "zoops", "tcm")


MODES = ("soft", "hard")


# --------------------------------------------------------------------------- model
class MotifModel:
    """A motif of width ``W`` in DNA sequences, for :func:`emcore.fit_em`.

    Parameters
    ----------
    width : int
        Motif width ``W`` (at least 2).
    model : {"zoops", "oops", "tcm"}
        Occurrences per sequence: zero or one (default), exactly one, any number.
    revcomp : bool
        Search both strands: a site may be the reverse complement of the motif.
    background : sequence of 4 floats, optional
        Zero-order background probabilities of A, C, G, T. Default: the letter
        frequencies of the data (averaged over both strands with ``revcomp``; if a
        letter never occurs, one of each letter is added to the counts so that no
        background probability is 0).
    pseudocount : float
        Total Dirichlet pseudocount added to each column, spread in proportion to
        the background (MEME's prior; its log density is :meth:`log_prior`); 0
        gives the plain maximum-likelihood M-step.
    fixed : collection of str
        The parameters held fixed, by name (as for every emcore model): ``()`` (the
        default) estimates ``gamma`` too (ZOOPS and TCM); ``{"gamma"}`` keeps the
        starting value of ``gamma``.
    learn_gamma : bool, optional
        The old spelling (``learn_gamma=False`` is ``fixed={"gamma"}``); deprecated.
    mask_lowercase : bool
        Treat lower-case letters (soft-masked repeats) as masked. Default False:
        lower case is read as ordinary bases.

    Notes
    -----
    The posterior over completions is an array of shape ``(n, S, J)`` (``S = 2``
    strands with ``revcomp``, else 1): the probability that the site of sequence
    ``i`` starts at window ``j`` on strand ``s`` (strand 1 = minus; its window is
    read as the reverse complement). For OOPS/ZOOPS, ``1 - q[i].sum()`` is the
    probability of no site; for TCM, ``1 - q[i, :, j].sum()`` that window ``j`` is
    background.
    """

    #: The dask collection this model fits (:mod:`emcore.scale`), a bag of one sequence per element.
    DASK_COLLECTION = "bag"

    #: The parameters ``fixed=`` may name.
    FIXABLE = ("gamma",)

    def __init__(
        self,
        width: int,
        model: str = "zoops",
        *,
        revcomp: bool = False,
        background: Sequence[float] | None = None,
        pseudocount: float = 1.0,
        fixed: Iterable[str] | None = None,
        learn_gamma: bool | None = None,
        mask_lowercase: bool = False,
    ):
        self.width = check_int(width, "width", minimum=2)
        self.model = check_choice(model, "model", MODELS)
        self.revcomp = check_flag(revcomp, "revcomp")
        fixed = legacy_learn_flag(learn_gamma, "learn_gamma", "gamma", fixed)
        self.fixed = check_fixed(() if fixed is None else fixed, self.FIXABLE, "the start (init=)")
        self.mask_lowercase = check_flag(mask_lowercase, "mask_lowercase")
        self.pseudocount = check_real(pseudocount, "pseudocount", minimum=0.0)
        self.n_strands = 2 if self.revcomp else 1
        self._background = None if background is None else _check_background(background)

    def __repr__(self) -> str:
        return f"MotifModel(width={self.width}, model={self.model!r}, revcomp={self.revcomp})"

    # -- data ------------------------------------------------------------------
    def prepare(self, data: Any) -> MotifData:
        """Check and encode sequences (list of str, SeqRecords, mapping name->seq, Path)."""
        if isinstance(data, MotifData):
            if data.width != self.width:
                raise ValueError(f"data were prepared for width {data.width}; this model has width {self.width}")
            return data
        names, seqs = _as_sequences(data)
        return _prepare(names, seqs, self.width, self.mask_lowercase)

    def background(self, data: Any) -> np.ndarray:
        """The background probabilities of A, C, G, T, shape (4,)."""
        if self._background is not None:
            return self._background
        data = self.prepare(data)
        shared = data._cache.get("background")
        if shared is not None:  # a piece of larger data: the background of the whole
            return cast(np.ndarray, shared)
        return self._background_from(cast(np.ndarray, data.letter_counts))  # filled in by MotifData

    def _background_from(self, counts: np.ndarray) -> np.ndarray:
        if self.revcomp:
            counts = (counts + counts[::-1]) / 2
        if np.any(counts == 0):  # a letter absent from the data: add one of each, never b = 0
            counts = counts + 1.0
        return counts / counts.sum()

    # -- parameters ------------------------------------------------------------
    def initial_params(self, data: Any, rng: np.random.Generator) -> MotifParams:
        """MEME's start: an actual W-mer of the data (a random allowed window)."""
        data = self.prepare(data)
        i, j = _random_windows(data, _check_rng(rng), 1)
        kmer = _window_string(data, int(i[0]), int(j[0]))
        return kmer_params(kmer, gamma=self._default_gamma(data))

    def _default_gamma(self, data: MotifData) -> float:
        if self.model == "oops":
            return 1.0
        if self.model == "zoops":
            return 0.5
        return float(min(0.5, 1.0 / max(1.0, data.n_windows.mean())))

    def coerce_params(self, init: Any, data: Any = None) -> MotifParams:
        """Validate a :class:`MotifParams`, a mapping ``{"ppm": ..., "gamma": ...}`` or a W-mer string."""
        return self._coerce(init, data, "init")

    def _params(self, params: Any, data: Any = None) -> MotifParams:
        """``params`` as MotifParams of this model (checked unless it already is one)."""
        if (
            isinstance(params, MotifParams)
            and params.width == self.width
            and (self.model != "oops" or params.gamma == 1.0)
        ):
            return params
        return self._coerce(params, data, "params")

    def _coerce(self, init: Any, data: Any, what: str) -> MotifParams:
        data = None if data is None else self.prepare(data)
        if isinstance(init, str):
            if len(init) != self.width:
                raise ValueError(
                    f"{what}: the W-mer {init!r} has {len(init)} letters; this model has width {self.width}"
                )
            init = kmer_params(init, gamma=self._default_gamma(data) if data is not None else 1.0)
        if isinstance(init, MotifParams):
            ppm, gamma = init.ppm, init.gamma
        elif isinstance(init, Mapping):
            keys = list(init)
            for key in keys:
                if not isinstance(key, str):
                    raise TypeError(f"{what}: motif parameters are named 'ppm' and 'gamma'; got key {describe(key)}")
            unknown = sorted(set(keys) - {"ppm", "gamma"})
            if unknown:
                raise ValueError(f"{what}: motif parameters are 'ppm' and 'gamma'; got unknown keys {unknown}")
            if "ppm" not in init:
                raise ValueError(f"{what}: motif parameters need 'ppm', a (W, 4) position probability matrix")
            ppm = init["ppm"]
            gamma = init.get("gamma", 1.0 if self.model == "oops" else self._default_gamma(data) if data else 0.5)
        else:
            raise TypeError(
                f"{what} must be MotifParams, a mapping {{'ppm': ..., 'gamma': ...}} or a W-mer; got {describe(init)}"
            )
        ppm = _as_ppm(ppm, "ppm", self.width)
        gamma = _check_gamma(gamma)
        if self.model == "oops" and gamma != 1.0:
            raise ValueError(f"OOPS has one site per sequence: gamma must be 1; got {gamma}")
        return MotifParams(ppm=ppm, gamma=gamma)

    # -- the E-step ------------------------------------------------------------
    def log_odds(self, data: MotifData, params: MotifParams) -> np.ndarray:
        """Log-odds ``log P(window | motif) - log P(window | background)``.

        Returns
        -------
        ndarray, shape (n, S, J)
            ``-inf`` at windows that are not allowed. Strand 1 is the minus strand.
        """
        data = self.prepare(data)
        out = self._raw_log_odds(data, self._params(params, data))
        out[~np.broadcast_to(data.valid[:, None, :], out.shape)] = -np.inf
        return out

    def _cached(self, data: MotifData):
        """Strand-stacked chunk codes and the log prior over starts, computed once per data.

        Kept on the data (``MotifData._cache``), keyed by the settings they depend on.
        """
        key = ("windows", self.model, self.n_strands)
        if key not in data._cache:
            S = self.n_strands
            codes = tuple(
                (offset, size, code[:, None, :] + (4**size) * np.arange(S)[:, None])
                for offset, size, code in cast(tuple, data.chunks)  # filled in by MotifData
            )
            data._cache[key] = (codes, self._log_start_prior(data))
        return data._cache[key]

    def _raw_log_odds(self, data: MotifData, params: MotifParams) -> np.ndarray:
        """Window log-odds, shape (n, S, J), not yet masked: one table look-up per chunk."""
        with np.errstate(divide="ignore"):
            lr = np.log(params.ppm) - np.log(self.background(data))
        mats = [lr] if not self.revcomp else [lr, _revcomp_matrix(lr)]
        codes, _ = self._cached(data)
        out = None
        for offset, size, code in codes:
            table = np.concatenate([_chunk_table(m[offset : offset + size]) for m in mats])
            if out is None:
                out = np.take(table, code)
            else:
                out += np.take(table, code)
        return cast(np.ndarray, out)  # a width has at least one chunk

    def _log_start_prior(self, data: MotifData) -> np.ndarray:
        """Log prior of a start position, shape (n, 1, J): given a site (OOPS/ZOOPS), or 0/-inf (TCM).

        Part of the model of the sequences (``pi_ij``), not of :meth:`log_prior`.
        """
        S = self.n_strands
        if self.model == "tcm":
            return np.where(data.valid, 0.0, -np.inf)[:, None, :]
        if data.log_window_weight is None:
            lw = np.where(data.valid, 0.0, -np.inf)
        else:
            lw = np.where(data.valid, data.log_window_weight, -np.inf)
        top = lw.max(axis=1, keepdims=True)
        norm = top + np.log(np.exp(lw - top).sum(axis=1, keepdims=True) * S)
        return (lw - norm)[:, None, :]

    def _background_loglik(self, data: MotifData) -> float:
        return float(data.letter_counts @ np.log(self.background(data)))

    def _tcm_window_background(self, data: MotifData) -> float:
        logb = np.log(self.background(data))
        per = np.where(data.codes == MASKED, 0.0, logb[np.minimum(data.codes, 3)])
        return float(_window_sums(per, self.width)[data.valid].sum())

    def log_prior(self, data: Any, params: Any) -> float:
        """Log Dirichlet prior of the matrix, up to a constant (MAP-EM, see :mod:`emcore.em`).

        ``sum_k sum_a pseudocount * b_a * log ppm[k, a]``: each column has a
        Dirichlet prior with parameters ``1 + pseudocount * b`` (``b`` the
        background), whose mode is what the M-step's pseudocounts produce. The
        driver climbs ``loglik + log_prior``; 0 with ``pseudocount=0``.

        Parameters
        ----------
        data : MotifData or sequences
            The data (the background ``b`` may be estimated from it).
        params : MotifParams or mapping

        Returns
        -------
        float
            ``<= 0``; ``-inf`` for a matrix with a zero where the prior has mass.
        """
        data = self.prepare(data)
        params = self._params(params, data)
        if self.pseudocount == 0:
            return 0.0
        beta = self.pseudocount * self.background(data)
        return float(np.sum(xlogy(np.broadcast_to(beta, params.ppm.shape), params.ppm)))

    def _terms(self, data: MotifData, params: MotifParams):
        """Log joint of each completion relative to the background, and of 'no site'."""
        site = self._raw_log_odds(data, params)
        gamma = params.gamma
        site += self._cached(data)[1] + (math.log(gamma / self.n_strands) if self.model == "tcm" else math.log(gamma))
        none = math.log1p(-gamma) if gamma < 1 else -math.inf
        return site, none

    def _normalise(self, site: np.ndarray, none: float):
        """Posterior and log normaliser per sequence (OOPS/ZOOPS) or window (TCM)."""
        axes = (1, 2) if self.model != "tcm" else 1
        top = np.maximum(site.max(axis=axes, keepdims=True), none)
        # A window with no possible completion (TCM with gamma = 1 at a window that
        # is not allowed): posterior 0, log normaliser -inf, and no NaN on the way.
        top[top == -np.inf] = 0.0
        weights = np.subtract(site, top, out=site)  # site is a fresh array: reuse it
        np.exp(weights, out=weights)
        total = weights.sum(axis=axes, keepdims=True)
        if none > -math.inf:
            total = total + np.exp(none - top)
        np.divide(weights, total, out=weights, where=total > 0)
        with np.errstate(divide="ignore"):
            log_norm = top + np.log(total)
        return weights, log_norm

    def _constant(self, data: MotifData) -> float:
        """The background log-likelihood that the log-odds terms are relative to."""
        return self._tcm_window_background(data) if self.model == "tcm" else self._background_loglik(data)

    def e_step(self, data: MotifData, params: MotifParams) -> tuple[np.ndarray, float]:
        """Posterior over site starts, shape (n, S, J), and the log-likelihood.

        The log-likelihood is the plain ``log P(x; params)`` (natural log, total),
        without the Dirichlet term :meth:`log_prior`; the driver adds that itself.
        """
        data = self.prepare(data)
        site, none = self._terms(data, self._params(params, data))
        post, log_norm = self._normalise(site, none)
        if self.model == "tcm":
            log_norm = log_norm[np.broadcast_to(data.valid[:, None, :], log_norm.shape)]
        return post, float(log_norm.sum()) + self._constant(data)

    def hard_e_step(self, data: MotifData, params: MotifParams) -> tuple[np.ndarray, float, float]:
        """The single most likely site per sequence (or none, if that is likelier).

        For TCM: each window is a site (on its better strand) or background,
        whichever is likelier. Returns the degenerate posterior, the plain
        log-likelihood ``log P(x)`` and the plain classification log-likelihood
        ``max_z log P(x, z)`` (neither includes :meth:`log_prior`).
        """
        data = self.prepare(data)
        site, none = self._terms(data, self._params(params, data))
        _, log_norm = self._normalise(site.copy(), none)
        n, S, J = site.shape
        hard = np.zeros_like(site)
        if self.model == "tcm":
            best_s = np.argmax(site, axis=1)  # (n, J)
            best = np.take_along_axis(site, best_s[:, None, :], axis=1)[:, 0, :]
            is_site = (best > none) & data.valid
            ii, jj = np.nonzero(is_site)
            hard[ii, best_s[ii, jj], jj] = 1.0
            closs = np.where(is_site, best, none)[data.valid].sum()
            ll = log_norm[np.broadcast_to(data.valid[:, None, :], log_norm.shape)].sum()
        else:
            flat = site.reshape(n, -1)
            k = np.argmax(flat, axis=1)
            best = flat[np.arange(n), k]
            is_site = best >= none
            hard.reshape(n, -1)[np.flatnonzero(is_site), k[is_site]] = 1.0
            closs = np.where(is_site, best, none).sum()
            ll = log_norm.sum()
        const = self._constant(data)
        return hard, float(ll) + const, float(closs) + const

    # -- the M-step ------------------------------------------------------------
    def expected_counts(self, data: MotifData, posterior: np.ndarray) -> np.ndarray:
        """Expected letter counts of each motif column, shape (W, 4).

        Minus-strand sites are counted as their reverse complement.
        """
        data = self.prepare(data)
        q = np.ascontiguousarray(as_float_array(posterior, "posterior", finite=False, min_size=0))
        S = self.n_strands
        if q.shape != (data.n_sequences, S, data.valid.shape[1]):
            raise ValueError(f"posterior must have shape {(data.n_sequences, S, data.valid.shape[1])}; got {q.shape}")
        raw = np.zeros((S, self.width, 4))
        codes, _ = self._cached(data)
        weights = q.ravel()
        for offset, size, code in codes:
            joint = np.bincount(code.ravel(), weights=weights, minlength=S * 4**size)
            joint = joint.reshape((S,) + (4,) * size)
            for m in range(size):
                raw[:, offset + m] = joint.sum(axis=tuple(a for a in range(1, size + 1) if a != m + 1))
        counts = raw[0]
        if S == 2:
            counts = counts + _revcomp_matrix(raw[1])
        return counts

    def m_step(self, data: MotifData, posterior: np.ndarray, params: MotifParams) -> MotifParams:
        """Expected counts plus pseudocounts, normalised per column; gamma = expected sites."""
        data = self.prepare(data)
        params = self._params(params, data)
        expected = self.expected_counts(data, posterior)
        sites = float(np.sum(posterior))
        return self._update(data, expected, sites, float(data.n_sequences), float(data.n_windows.sum()), params)

    def _update(
        self, data: MotifData, expected: np.ndarray, sites: float, sequences: float, windows: float, params: MotifParams
    ) -> MotifParams:
        counts = expected + self.pseudocount * self.background(data)
        totals = counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore"):
            ppm = np.where(totals > 0, counts / np.where(totals > 0, totals, 1), params.ppm)
        gamma = params.gamma
        if self.learn_gamma and self.model == "zoops":
            gamma = float(np.clip(sites / sequences, 0.0, 1.0))
        elif self.learn_gamma and self.model == "tcm":
            gamma = float(np.clip(sites / windows, 0.0, 1.0))
        if gamma == 0.0:  # no site anywhere: keep the model defined
            gamma = params.gamma
        return MotifParams(ppm=ppm, gamma=gamma)

    # -- expected sufficient statistics (chunked, distributed and online EM) -----------
    def split(self, data: Any, size: int) -> list[MotifData]:
        """The sequences of ``data`` in pieces of at most ``size``, each carrying the background of the whole."""
        data = self.prepare(data)
        size = check_int(size, "chunk_size", minimum=1)
        pieces = [self._piece(data, slice(a, a + size)) for a in range(0, data.n_sequences, size)]
        return [self.with_summary(piece, self.data_summary(data)) for piece in pieces]

    def _piece(self, data: MotifData, rows: slice) -> MotifData:
        piece, _ = _keep_windows(
            list(data.names[rows]), list(data.sequences[rows]), self.width, self.mask_lowercase, data.index[rows]
        )
        assert piece is not None  # every sequence of prepared data has an allowed window
        return piece

    def data_summary(self, data: Any) -> dict[str, np.ndarray]:
        """What the model derives from the whole data, as sums over sequences: the letter counts.

        Pieces of the data get the total through :meth:`with_summary`, so that each
        scores its windows against the background of the whole data, not its own.
        """
        return {"letters": np.asarray(self.prepare(data).letter_counts, dtype=float)}

    def with_summary(self, data: Any, summary: Mapping[str, Any]) -> MotifData:
        """``data`` scored with the background of the whole data whose :meth:`data_summary` is ``summary``."""
        data = self.prepare(data)
        letters = as_float_array(summary["letters"], "summary['letters']", shape=(4,), nonnegative=True)
        data._cache["background"] = self._background_from(letters)
        return data

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]:
        """The expected letter counts of the motif columns and the expected number of sites; the log-likelihood.

        ``{"counts": (W, 4), "sites": (), "sequences": (), "windows": ()}``: the
        :meth:`expected_counts`, the posterior mass of sites, and the numbers of
        sequences and allowed windows (what the ``gamma`` update divides by); sums
        over sequences, so they add up over disjoint pieces.
        """
        data = self.prepare(data)
        posterior, loglik = self.e_step(data, params)
        return {
            "counts": self.expected_counts(data, posterior),
            "sites": np.array(float(np.sum(posterior))),
            "sequences": np.array(float(data.n_sequences)),
            "windows": np.array(float(data.n_windows.sum())),
        }, loglik

    def m_step_stats(self, data: Any, stats: Any, params: Any) -> MotifParams:
        """The M-step from summed :meth:`expected_stats`: the same rules as :meth:`m_step`.

        ``data`` (any piece) gives the background.
        """
        data = self.prepare(data)
        params = self._params(params, data)
        stats = check_stats(stats, {"counts": (self.width, 4), "sites": (), "sequences": (), "windows": ()})
        return self._update(
            data, stats["counts"], float(stats["sites"]), float(stats["sequences"]), float(stats["windows"]), params
        )

    # -- lower bound -----------------------------------------------------------
    def complete_loglik(self, data: Any, params: Any, posterior: np.ndarray) -> float:
        """``E_q[log P(x, z; params)]``, plain (without :meth:`log_prior`).

        ``q`` is in the E-step's layout ``(n, S, J)``; for OOPS/ZOOPS the mass
        ``1 - q[i].sum()`` is the 'no site' completion of sequence ``i``. With
        :meth:`entropy` this gives the evidence lower bound on the plain
        log-likelihood; add :meth:`log_prior` for the bound on the objective.
        """
        data = self.prepare(data)
        params = self._params(params, data)
        site, none = self._terms(data, params)
        q = np.asarray(posterior, dtype=float)
        if q.shape != site.shape:
            raise ValueError(f"posterior must have shape {site.shape}; got {q.shape}")
        axes = (1, 2) if self.model != "tcm" else 1
        rest = np.clip(1.0 - q.sum(axis=axes), 0.0, 1.0)
        if self.model == "tcm":
            rest = rest[data.valid]
        used = q > 0  # only where q has mass: site is -inf at windows that are not allowed
        total = np.sum(q[used] * site[used])
        if none > -math.inf:  # with gamma = 1 'no site' has probability 0 (rest is rounding)
            total += np.sum(rest) * none
        return float(total) + self._constant(data)

    def entropy(self, posterior: np.ndarray) -> float:
        """Entropy (natural log) of the posterior over completions, 'no site' included."""
        q = np.asarray(posterior, dtype=float)
        axes = (1, 2) if self.model != "tcm" else 1
        rest = np.clip(1.0 - q.sum(axis=axes), 0.0, 1.0)
        return float(-np.sum(xlogy(q, q)) - np.sum(xlogy(rest, rest)))

    # -- an unconstrained parametrisation (for SQUAREM acceleration) -------------
    @property
    def learn_gamma(self) -> bool:
        """Whether ``gamma`` is estimated (``"gamma"`` not in ``fixed``)."""
        return "gamma" not in self.fixed

    def _gamma_learned(self, gamma: float) -> bool:
        return self.learn_gamma and self.model in ("zoops", "tcm") and 0.0 < gamma < 1.0

    def _learned(self, params: MotifParams) -> dict[str, _tr.Transform]:
        """Each field in the unconstrained vector and its transform (for SQUAREM)."""
        fields = {"ppm": _tr.SIMPLEX}
        if self._gamma_learned(params.gamma):
            fields["gamma"] = _tr.LOGIT
        return fields

    def to_unconstrained(self, params: MotifParams) -> np.ndarray:
        """The learned parameters as one unconstrained vector (see :mod:`emcore.accelerate`).

        Each column of the matrix (row of ``ppm``) as centred log-probabilities of
        its positive entries, then the log-odds of ``gamma`` when it is learned
        (ZOOPS, TCM) and strictly between 0 and 1. The background is not a parameter
        (it is fixed); zeros of ``ppm`` and ``gamma = 1`` are fixed points of EM and
        left out.
        """
        if not isinstance(params, MotifParams) or params.ppm.shape != (self.width, 4):
            raise TypeError(f"params must be MotifParams of width {self.width}; got {describe(params)}")
        return _tr.pack(params, self._learned(params))

    def from_unconstrained(self, vector: Any, like: MotifParams) -> MotifParams:
        """Parameters from a vector made by :meth:`to_unconstrained`.

        ``like`` gives the zero pattern of ``ppm`` and ``gamma`` when it is not in
        the vector. Raises ValueError for a vector of the wrong length or outside
        the parameter space.
        """
        if not isinstance(like, MotifParams) or like.ppm.shape != (self.width, 4):
            raise TypeError(f"like must be MotifParams of width {self.width}; got {describe(like)}")
        v = np.asarray(vector, dtype=float).ravel()
        values = _tr.unpack(v, like, self._learned(like))
        gamma = float(np.ravel(values["gamma"])[0]) if "gamma" in values else like.gamma
        return MotifParams(ppm=values["ppm"], gamma=gamma)

    # -- conveniences ----------------------------------------------------------
    def loglik(self, data: Any, params: Any) -> float:
        """Plain observed-data log-likelihood ``log P(x; params)`` (natural log, total)."""
        data = self.prepare(data)
        params = self._params(params, data)
        _, loglik = self.e_step(data, params)
        return loglik

    def background_loglik(self, data: Any) -> float:
        """Log-likelihood of the background-only model (no motif at all)."""
        data = self.prepare(data)
        if self.model == "tcm":
            return self._tcm_window_background(data)
        return self._background_loglik(data)


def _check_rng(rng: Any, name: str = "rng") -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)); got {describe(rng)}"
        )
    return rng


def _check_posterior(posterior: Any, data: MotifData, n_strands: int | None = None) -> np.ndarray:
    """A posterior over site starts for ``data``: shape (n, S, J), entries in [0, 1], no mass
    on windows that are not allowed."""
    n, J = data.valid.shape
    q = as_float_array(posterior, "posterior", ndim=3, min_size=0)
    strands = (1, 2) if n_strands is None else (n_strands,)
    if q.shape[0] != n or q.shape[2] != J or q.shape[1] not in strands:
        S = "S" if n_strands is None else n_strands
        raise ValueError(
            f"posterior must have shape ({n}, {S}, {J}) (sequences, strands, windows) for these data; got {q.shape}"
        )
    bad = (q < 0) | (q > 1 + 1e-9)
    if bad.any():
        i, s, j = (int(k) for k in np.argwhere(bad)[0])
        raise ValueError(f"posterior must hold probabilities in [0, 1]; entry [{i}, {s}, {j}] is {q[i, s, j]}")
    off = (q > 0) & ~data.valid[:, None, :]
    if off.any():
        i, s, j = (int(k) for k in np.argwhere(off)[0])
        raise ValueError(f"posterior puts mass on window {j} of sequence {i}, which is not an allowed site start")
    return q


def _chunk_table(block: np.ndarray) -> np.ndarray:
    """Sum of the log-odds of a chunk for every one of the 4**size letter combinations."""
    size = block.shape[0]
    table = np.zeros((4,) * size)
    for m in range(size):
        shape = [1] * size
        shape[m] = 4
        table = table + block[m].reshape(shape)
    return table.ravel()
