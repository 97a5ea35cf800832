"""Online (stepwise) EM: many M-steps per pass over the data, from running statistics.

Batch EM reads all the data for every M-step. When the data are large, or arrive as a
stream, most of that pass is spent confirming what the first part already said.
Stepwise EM (Cappé & Moulines 2009; Sato & Ishii 2000; Liang & Klein 2009 for the
step sizes) keeps a running average of the expected sufficient statistics, one
mini-batch at a time. It starts from one pass over the data, the first E-step of
batch EM, ``s_0 = S(x; theta_0)`` and ``theta_1 = M(s_0)``; then, batch by batch::

    s_t = (1 - gamma_t) s_{t-1} + gamma_t * (n / |B_t|) * S(B_t; theta_t),
    theta_{t+1} = M(s_t),

where ``S(B; theta)`` is the batch's statistics (``model.expected_stats``), scaled
from the batch's ``|B_t|`` units to the ``n`` units of the whole data so that priors
and pseudocounts weigh as in batch EM, and ``M`` is ``model.m_step_stats``. The step
sizes are::

    gamma_t = (t + 1) ** (-alpha),    t = 1, 2, ...,    0.5 < alpha <= 1,

so no batch ever replaces the statistics of the whole data outright (a haplotype
or a letter that one batch lacks keeps a positive expected count), and
``sum gamma_t = inf``, ``sum gamma_t**2 < inf``: the conditions under which the
running statistics converge to a fixed point of batch EM (a stationary point of the
log-likelihood). A smaller ``alpha`` forgets the early, poorly fitted batches faster;
``alpha = 1`` averages all batches equally (for a single pass, the statistics of the
data at parameters that change as it goes). Statistics that refer to the
parameters they were computed at (the Gaussian mixture's moments are about the
mixture mean) are moved to the new parameters after every M-step by the model's
``align_stats``. Any model with the optional
:class:`emcore.protocols.Statistics` protocol works, on data in memory, on a dask
collection or on an array on disk (the same sources as ``fit_em``'s statistics
path, :mod:`emcore.scale`).

Online EM does not climb the log-likelihood monotonically: each step follows one
batch. The result's history has one record per epoch (the start, then after each
pass), each with the log-likelihood of the whole data (one extra pass per epoch,
for the record only; ``evaluate=False`` skips it and records NaN).

In memory, ``fit_online`` with ``batch_size`` equal to the data is not batch EM:
the statistics are averaged over iterates. It is for data that batch EM would read
too many times.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from ._validation import check_callable, check_flag, check_int, check_real, spawn_generators
from .protocols import DefaultStart, EMModel, Prior, Statistics, has, require
from .results import EMRecord, EMResult, finish
from .scale import make_source

__all__ = ["fit_online", "step_sizes"]


def step_sizes(n_steps: int, alpha: float = 0.6) -> np.ndarray:
    """The step sizes ``gamma_t = (t + 1) ** -alpha`` of steps ``t = 1 .. n_steps``."""
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    alpha = check_real(alpha, "alpha", minimum=0.5, maximum=1.0, lo_open=True)
    return np.arange(2, n_steps + 2, dtype=float) ** (-alpha)


def _blend(old: dict[str, Any], new: dict[str, Any], weight: float, gamma: float) -> dict[str, Any]:
    return {key: (1.0 - gamma) * old[key] + gamma * weight * np.asarray(new[key], dtype=float) for key in new}


def fit_online(
    model: EMModel,
    data: Any,
    *,
    batch_size: int,
    n_epochs: int = 1,
    alpha: float = 0.6,
    init: Any = None,
    seed: Any = None,
    evaluate: bool = True,
    callback: Callable[[EMRecord], Any] | None = None,
) -> EMResult:
    """Fit ``model`` by stepwise (online) EM over mini-batches of ``batch_size`` units.

    Parameters
    ----------
    model : EMModel
        A model with the optional protocol methods ``split``, ``expected_stats``
        and ``m_step_stats``.
    data : object
        Data in any form ``model.prepare`` accepts, a dask array or bag, or a zarr
        array (as for :func:`emcore.fit_em`). A dask collection's partitions are its
        batches (``batch_size`` is then ignored; pass None); an array on disk is
        read ``batch_size`` rows at a time. Units should come in random order
        (shuffle sorted data once): a batch should look like the data.
    batch_size : int
        Units (samples, sequences, individuals) per mini-batch.
    n_epochs : int
        Passes over the data; every pass visits the batches in a fresh random order
        (drawn from ``seed``).
    alpha : float
        The step-size exponent, ``0.5 < alpha <= 1`` (see the module docstring).
    init : params or mapping, optional
        The start; None draws one with ``model.initial_params`` from ``seed`` (or
        takes the model's default start, as run 0 of ``fit_em`` does).
    seed : None, int, SeedSequence or Generator
        The start and the batch order.
    evaluate : bool
        Record the log-likelihood of the whole data after each epoch (one extra
        pass each); False records NaN. The start's log-likelihood comes with the
        first pass and is always recorded.
    callback : callable, optional
        Called with each epoch's :class:`~emcore.EMRecord`.

    Returns
    -------
    EMResult
        ``history`` holds the start and one record per epoch (``iteration`` counts
        epochs); ``n_evals`` counts the M-steps (one after the first pass, then one
        per batch) and ``n_e_steps`` the E-steps (the first pass, the batches, and
        the whole-data passes of ``evaluate``). The status is
        ``"max_iter"`` (online EM has no convergence test of its own; compare its
        log-likelihood with a batch fit's, as the "EM at scale" chapter does).
    """
    require(model, EMModel, "fit_online")
    require(model, Statistics, "online EM")
    n_epochs = check_int(n_epochs, "n_epochs", minimum=1)
    alpha = check_real(alpha, "alpha", minimum=0.5, maximum=1.0, lo_open=True)
    evaluate = check_flag(evaluate, "evaluate")
    callback = check_callable(callback, "callback")
    source = make_source(model, data, None if batch_size is None else check_int(batch_size, "batch_size", minimum=1))
    if source is None:  # batch_size None with data in memory
        raise TypeError("batch_size must be an int (units per mini-batch) for data in memory; got None")
    start_rng, order_rng = spawn_generators(seed, 2)
    if init is not None:
        params = model.coerce_params(init, source.start)
    elif has(model, DefaultStart):
        params = cast(DefaultStart, model).default_params(source.start)
    else:
        params = model.initial_params(source.start, start_rng)

    stats_model = cast(Statistics, model)
    log_prior = model.log_prior if has(model, Prior) else None  # type: ignore[attr-defined]
    n_units = source.n_units if source.n_units > 0 else sum(source.sizes)
    history: list[EMRecord] = []
    align = getattr(model, "align_stats", None)
    t = 0

    def record(epoch: int, loglik: float, n_e_steps: int) -> None:
        prior = None if log_prior is None else float(log_prior(source.template, params))
        rec = EMRecord(epoch, params, loglik, log_prior=prior, n_evals=t + 1, n_e_steps=n_e_steps)
        if epoch == 0:
            rec = EMRecord(0, params, loglik, log_prior=prior)
        history.append(rec)
        if callback is not None:
            callback(rec)

    # s_0: one pass at the start (batch EM's first E-step), then theta_1 = M(s_0).
    running, loglik = source.stats(model, params)
    running = {key: np.asarray(value, dtype=float) for key, value in running.items()}
    record(0, float(loglik), 1)
    new = stats_model.m_step_stats(source.template, running, params)
    if align is not None:  # statistics that refer to the parameters (the mixture's moments)
        running = align(running, params, new)
    params = new
    n_e_steps = 1
    for epoch in range(1, n_epochs + 1):
        for index in order_rng.permutation(source.n_pieces):
            t += 1
            stats, _ = source.piece_stats(model, int(index), params)
            running = _blend(running, stats, n_units / source.sizes[index], (t + 1) ** (-alpha))
            new = stats_model.m_step_stats(source.template, running, params)
            if align is not None:
                running = align(running, params, new)
            params = new
        n_e_steps += source.n_pieces
        if evaluate:
            n_e_steps += 1
            loglik = float(source.stats(model, params)[1])
        record(epoch, loglik if evaluate else math.nan, n_e_steps)
    return finish(history, "max_iter", "soft")
