"""MEME-style search: starting points from the data's own k-mers, short runs, the best start run
to convergence, and erasing the sites found before the next motif."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np

from .._sequences import MASKED
from .._validation import check_choice, check_int, check_real, check_seed
from ..em import fit_em
from .data import (
    _WEIGHT_FLOOR,
    MotifData,
    MotifWarning,
    _check_data,
    _keep_windows,
    _random_windows,
    _window_string,
    _window_sums,
)
from .model import MODES, MotifModel, _check_posterior, _check_rng
from .params import MotifParams, kmer_params
from .results import MotifResult, sites_of


# --------------------------------------------------------------------------- erasing
def erase(data: MotifData, posterior: np.ndarray) -> MotifData:
    """Down-weight the windows that overlap the sites of a motif already found.

    Each letter's weight is multiplied by the probability that it is *not* covered by
    a site of the motif (summed over starts and strands); a window's weight is the
    product of its letters' weights and enters the next search as a prior over
    start positions (so EM stays EM). This is MEME's probabilistic erasing.

    ``posterior`` is the E-step's posterior for ``data``, shape ``(n, S, J)``. A
    letter's weight never falls below the smallest normal float, however often it
    is erased, so the log weights stay finite.
    """
    q = _check_posterior(posterior, _check_data(data)).sum(axis=1)  # (n, J)
    n, L = data.codes.shape
    W = data.width
    start = np.zeros((n, L + 1))
    start[:, : q.shape[1]] = q
    # P(letter p covered) = sum of q over the W windows that start at p - W + 1 .. p
    cover = np.cumsum(start, axis=1)
    covered = cover[:, :L] - np.concatenate([np.zeros((n, W)), cover[:, : L - W]], axis=1)
    weight = np.ones((n, L)) if data.position_weight is None else data.position_weight.copy()
    weight *= np.clip(1.0 - covered, 1e-8, 1.0)
    np.maximum(weight, _WEIGHT_FLOOR, out=weight)
    log_w = _window_sums(np.log(weight), W)
    return replace(data, log_window_weight=log_w, position_weight=weight)


# --------------------------------------------------------------------------- search
@dataclass(frozen=True)
class _Settings:
    """The checked settings of one :func:`find_motifs` call."""

    mode: str
    n_candidates: int
    short_iter: int
    tol: float
    max_iter: int
    threshold: float
    shifts: int


def _check_settings(width, mode, n_candidates, short_iter, tol, max_iter, threshold, shifts) -> _Settings:
    shifts = check_int(shifts, "shifts", minimum=0)
    if shifts >= width:
        raise ValueError(f"shifts must be an integer >= 0 and <= {width - 1} (width - 1); got {shifts}")
    return _Settings(
        mode=check_choice(mode, "mode", MODES),
        n_candidates=check_int(n_candidates, "n_candidates", minimum=1),
        short_iter=check_int(short_iter, "short_iter", minimum=1),
        tol=check_real(tol, "tol", minimum=0.0),
        max_iter=check_int(max_iter, "max_iter", minimum=0),
        threshold=check_real(threshold, "threshold", minimum=0.0, maximum=1.0),
        shifts=shifts,
    )


def find_motifs(
    sequences: Any,
    width: int,
    *,
    model: str = "zoops",
    revcomp: bool = False,
    n_motifs: int = 1,
    background: Sequence[float] | None = None,
    pseudocount: float = 1.0,
    mask_lowercase: bool = False,
    mode: str = "soft",
    n_candidates: int = 30,
    short_iter: int = 3,
    tol: float = 1e-8,
    max_iter: int = 500,
    threshold: float = 0.5,
    shifts: int = 2,
    seed: Any = 0,
) -> list[MotifResult]:
    """Find ``n_motifs`` motifs one after another, MEME-style.

    For each motif: ``n_candidates`` distinct W-mers of the input are turned into
    starting matrices (:func:`kmer_params`), each is improved by ``short_iter`` EM
    iterations, and the best is run to convergence. Before the next motif is sought
    the sites of the last one are erased: :func:`erase` down-weights them (OOPS,
    ZOOPS); with TCM the letters of windows whose posterior exceeds 1/2 are masked.
    Nothing is erased after the last motif.

    Starts (and the shifted matrices tried after convergence) are ranked by the
    objective EM climbs, ``EMResult.objective``: the log-likelihood plus the
    Dirichlet term :meth:`MotifModel.log_prior` (in hard mode the classification
    log-likelihood plus that term). Ranking by the same quantity the runs
    maximise keeps the choice consistent with EM itself and with ``fit_em``'s
    choice among restarts; the reported ``MotifResult.loglik`` is the plain
    log-likelihood.

    Parameters
    ----------
    sequences : list of str, SeqRecords, mapping name -> sequence, Path, or MotifData
    width : int
        Motif width ``W`` >= 2.
    model, revcomp, background, pseudocount, mask_lowercase
        See :class:`MotifModel`.
    n_motifs : int
        Number of motifs to find (>= 1).
    mode : {"soft", "hard"}
        Soft EM, or hard EM (the single most likely site per sequence).
    n_candidates, short_iter : int
        The starting-point heuristic: how many W-mers to try (>= 1), how many EM
        iterations each gets before they are compared (>= 1).
    tol, max_iter : float, int
        Convergence settings of the final run (see :func:`emcore.fit_em`).
    threshold : float
        Posterior above which a site is reported, in [0, 1].
    shifts : int
        After convergence, the matrix shifted by up to ``shifts`` columns either way
        (new columns: the background) is also run to convergence, and the best kept:
        EM alone cannot escape a motif caught a letter or two off. ``0 <= shifts < W``.
    seed : None, int, numpy SeedSequence or numpy Generator
        Seeds the choice of candidate W-mers.

    Returns
    -------
    list of MotifResult
        One per motif found. With TCM, when the sites of the motifs found so far
        cover every window, the search stops early with a :class:`MotifWarning` and
        the list holds the motifs found so far.

    Raises
    ------
    TypeError, ValueError
        For a bad argument, named as passed (checked before any search runs).
    """
    n_motifs = check_int(n_motifs, "n_motifs", minimum=1)
    em_model = MotifModel(
        width,
        model,
        revcomp=revcomp,
        background=background,
        pseudocount=pseudocount,
        mask_lowercase=mask_lowercase,
    )
    settings = _check_settings(em_model.width, mode, n_candidates, short_iter, tol, max_iter, threshold, shifts)
    seed = check_seed(seed)
    data = em_model.prepare(sequences)
    rng = np.random.default_rng(seed)  # a Generator is used as it is
    results: list[MotifResult] = []
    for k in range(n_motifs):
        if k:  # erase between motifs, never after the last
            erased = _erase_found(em_model, data, cast(np.ndarray, results[-1].posterior))
            if erased is None:
                warnings.warn(
                    f"stopped after {k} of {n_motifs} motifs: the sites found so far cover every window "
                    f"of {em_model.width} letters, so none is left to search (TCM masks the sites it finds)",
                    MotifWarning,
                    stacklevel=2,
                )
                break
            data = erased
        results.append(_search(em_model, data, rng, settings))
    return results


def _erase_found(model: MotifModel, data: MotifData, posterior: np.ndarray) -> MotifData | None:
    """The data for the next motif (None: TCM masked every window)."""
    if model.model == "tcm":
        return _mask_sites(data, posterior)
    return erase(data, posterior)


def candidate_kmers(data: MotifData, rng: np.random.Generator, k: int) -> list[str]:
    """Up to ``k`` distinct W-mers drawn at random from the allowed windows of ``data``.

    These are MEME-style starting points: a site of the motif is a W-mer of the data.
    """
    data, rng = _check_data(data), _check_rng(rng)
    k = check_int(k, "k", minimum=1)
    ii, jj = _random_windows(data, rng, 4 * k)
    seen, out = set(), []
    for i, j in zip(ii.tolist(), jj.tolist()):
        kmer = _window_string(data, i, j)
        if kmer not in seen:
            seen.add(kmer)
            out.append(kmer)
        if len(out) == k:
            break
    return out


def _search(model: MotifModel, data: MotifData, rng: np.random.Generator, opts: _Settings) -> MotifResult:
    gamma0 = model._default_gamma(data)
    kmers = candidate_kmers(data, rng, opts.n_candidates)
    scored = []  # ranked by EMResult.objective = loglik + log_prior, the quantity EM climbs
    for kmer in kmers:
        run = fit_em(
            model, data, init=kmer_params(kmer, gamma=gamma0), mode=opts.mode, max_iter=opts.short_iter, tol=opts.tol
        )
        scored.append((kmer, run.objective, run.params))
    best = max(range(len(scored)), key=lambda t: scored[t][1])
    fit = fit_em(model, data, init=scored[best][2], mode=opts.mode, tol=opts.tol, max_iter=opts.max_iter)
    # EM cannot slide a matrix along the sequence: a start that caught the motif
    # one letter off converges to the shifted motif. Try the shifted matrices too.
    for shift in range(-opts.shifts, opts.shifts + 1):
        if shift == 0:
            continue
        trial = fit_em(
            model,
            data,
            init=_shifted(fit.params, shift, model.background(data)),
            mode=opts.mode,
            tol=opts.tol,
            max_iter=opts.max_iter,
        )
        if trial.objective > fit.objective + 1e-9 * abs(fit.objective):
            fit = trial
    posterior, loglik = model.e_step(data, fit.params)
    return MotifResult(
        params=fit.params,
        sites=sites_of(model, data, posterior, opts.threshold),
        loglik=loglik,
        loglik_background=model.background_loglik(data),
        fit=fit,
        candidates=tuple((k, float(o)) for k, o, _ in scored),
        posterior=posterior,
        background=model.background(data),
        log_prior=model.log_prior(data, fit.params),
    )


def _shifted(params: MotifParams, shift: int, background: np.ndarray) -> MotifParams:
    """The matrix moved ``shift`` columns to the left (negative: right), padded with the background."""
    W = params.width
    ppm = np.tile(background, (W, 1))
    if shift > 0:
        ppm[: W - shift] = params.ppm[shift:]
    else:
        ppm[-shift:] = params.ppm[: W + shift]
    return MotifParams(ppm=ppm, gamma=params.gamma)


def _mask_sites(data: MotifData, posterior: np.ndarray) -> MotifData | None:
    """TCM erasing: letters covered by a site with probability > 1/2 become masked.

    Letters masked already (N, IUPAC codes, lower case with ``mask_lowercase``) stay
    masked: they are written as N. Sequences left without an allowed window are
    dropped (``index`` still points into the user's input); None when no sequence
    has one.
    """
    q = _check_posterior(posterior, data).sum(axis=1)
    n, L = data.codes.shape
    W = data.width
    padded = np.zeros((n, L + W))
    padded[:, W : W + q.shape[1]] = q
    covered = _window_sums(padded, W)[:, 1 : L + 1]
    seqs = []
    for i, s in enumerate(data.sequences):  # rebuilding strings: once per motif, not per iteration
        hit = (covered[i, : len(s)] > 0.5) | (data.codes[i, : len(s)] == MASKED)
        seqs.append("".join("N" if h else c for c, h in zip(s, hit)))
    masked, _ = _keep_windows(list(data.names), seqs, W, False, data.index)
    return masked
