"""The generic EM driver.

One loop serves every model in the book. :func:`~emcore.fit_em` alternates an E-step (the
distribution over the missing data, or *completions*, given the current parameters)
and an M-step (the parameters that maximise the expected complete-data
log-likelihood under that distribution), records every iterate, and says why it
stopped.

The model protocol
------------------
A model is any object with these methods (no base class is needed). The core and
each optional capability below are typed protocols in :mod:`emcore.protocols`
(:class:`~emcore.protocols.EMModel`, ``HardEM``, ``Bound``, ``Prior``,
``DefaultStart``, ``Unconstrained``), and those protocols are exactly what the driver
checks before a run. ``data`` is whatever ``prepare`` returns, ``params`` a small
frozen dataclass of the model's own, ``posterior`` the model's own layout of a
distribution over completions (for a mixture, an ``(n_samples, n_components)`` array
of responsibilities).

``prepare(data) -> data``
    Validate the user's data and return the canonical form the other methods use.
    Raise :class:`ValueError` / :class:`TypeError` that says what was expected and
    what was received.
``initial_params(data, rng) -> params``
    A starting point drawn with the :class:`numpy.random.Generator` ``rng`` (the
    driver seeds it; a model never creates its own generator).
``coerce_params(init, data) -> params``
    Accept a params object or a plain mapping of its fields (``{"theta": [0.6,
    0.5]}``), validate it, and return a params object.
``e_step(data, params) -> (posterior, loglik)``
    The posterior over completions and the total observed-data log-likelihood
    ``log P(x; params)`` (natural log, summed over observations, *not* a mean).
``hard_e_step(data, params) -> (posterior, loglik, classification_loglik)``
    The single most likely completion, as a degenerate posterior in the same
    layout, with the observed-data log-likelihood and the classification
    log-likelihood ``max_z log P(x, z; params)``. What "most likely" means is the
    model's business: an argmax per observation for a mixture, the Viterbi path of
    a whole sequence for a hidden Markov model.
``m_step(data, posterior, params) -> params``
    The parameters that maximise the expected complete-data log-likelihood under
    ``posterior``. ``params`` (the current ones) is passed so that a model can keep
    fixed parts fixed, or keep a component that received no data where it was.

One optional method turns EM into MAP-EM (pseudocounts, Dirichlet priors):

``log_prior(data, params) -> float``
    ``log p(params)`` up to a constant. The M-step must then maximise the expected
    complete-data log-likelihood *plus* this term, and the driver climbs
    ``loglik + log_prior`` (recorded separately in :class:`~emcore.EMRecord`), while
    ``loglik`` stays the plain observed-data log-likelihood.

One optional method gives a model's own deterministic start:

``default_params(data) -> params``
    A start computed from the data alone (the haplotype model's centre, equal
    allele frequencies for gene counting). With ``init=None`` run 0 of
    :func:`~emcore.fit_em` starts there and further restarts from ``initial_params``, so
    ``n_init > 1`` can never end below the single default run.

Two optional methods give the evidence lower bound (the "Why EM works" chapter):

``complete_loglik(data, params, posterior) -> float``
    ``E_q[log P(x, z; params)]`` for a distribution ``q`` over completions given in
    the E-step's layout (with a degenerate ``q``, the complete-data log-likelihood).
``entropy(posterior) -> float``
    ``H(q)``, the entropy (natural log) of that distribution over completions.

Two optional methods let :func:`~emcore.fit_em` accelerate EM (``accelerate="squarem"``,
:mod:`emcore.accelerate`) by extrapolating in a space where every point is valid:

``to_unconstrained(params) -> vector``
    The parameters the model learns as one 1-D float64 array with no constraints:
    log-odds for a probability, centred log-ratios (or log-ratios against a
    reference entry) for a probability vector or the rows of a stochastic matrix,
    the Cholesky factor with a log diagonal for a covariance, means as they are.
    Parts the model holds fixed (``fixed=`` parameters, weights that are not
    learned) are left out, and so are probabilities that are exactly 0 (or a
    Bernoulli probability exactly 1): EM never moves them, they are fixed points.
``from_unconstrained(vector, like) -> params``
    The inverse: ``from_unconstrained(to_unconstrained(p), p)`` is ``p`` up to
    rounding. ``like`` is a params object of the same shapes; the parts left out of
    the vector (fixed parts, exact zeros) are taken from it. Raise
    :class:`ValueError` when the vector has the wrong length or lies outside the
    parameter space (non-finite values; a probability that underflows to 0): the
    accelerator then pulls its step back towards plain EM.

Without them, ``fit_em(..., accelerate="squarem")`` raises :class:`TypeError`.

Three optional methods let :func:`~emcore.fit_em` run from expected sufficient statistics
(``chunk_size=``, dask collections, arrays on disk; :mod:`emcore.scale`), so that an
E-step is a map over pieces of the data and a sum:

``split(data, size) -> list of pieces``
    Prepared data cut into pieces of at most ``size`` units (samples, sequences),
    in order; each piece is prepared data that carries whatever the model derives
    from the whole (the motif background). Models that derive something may also
    define ``data_summary(piece) -> dict`` (additive over pieces) and
    ``with_summary(piece, summary) -> piece``, which data not in memory use instead.
``expected_stats(data, params) -> (stats, loglik)``
    The expected sufficient statistics of ``data`` under the posterior at
    ``params``, a dict of float arrays, and the log-likelihood. For disjoint pieces
    both are sums (:func:`emcore.scale.add_stats`).
``m_step_stats(data, stats, params) -> params``
    The M-step from summed statistics; ``data`` is any piece (for shapes and
    shared settings). ``m_step_stats(d, expected_stats(d, p)[0], p)`` equals
    ``m_step(d, e_step(d, p)[0], p)`` to rounding.

With ``complete_loglik`` and ``entropy``, :func:`~emcore.elbo` gives the evidence lower bound
``F(q, params) = E_q[log P(x, z; params)] + H(q)``. For every distribution ``q``,
``log P(x; params) - F(q, params) = KL(q || P(z | x; params)) >= 0``, with equality
exactly at the E-step's posterior. ``fit_em(..., record_bound=True)`` records the
bound of each E-step at the parameters of the following M-step (see
:class:`~emcore.EMRecord`), so that the argument for monotonicity can be checked on every
iteration.

The bound chain
---------------
Write ``q_t`` for the E-step's distribution at ``theta_t`` (the posterior in soft
mode, the single most likely completion in hard mode) and ``g_t(theta) =
F(q_t, theta)``. The M-step maximises ``g_t``, so ``g_t(theta_{t+1}) >=
g_t(theta_t)``. In soft mode ``g_t(theta_t) = log P(x; theta_t)`` (the bound touches)
and ``log P(x; theta) >= g_t(theta)`` everywhere, hence

    log P(x; theta_{t+1}) >= g_t(theta_{t+1}) >= g_t(theta_t) = log P(x; theta_t).

In hard mode ``q_t`` is degenerate, ``H(q_t) = 0`` and ``g_t(theta_t)`` is the
classification log-likelihood ``C_t``; the chain reads ``C_{t+1} >= g_t(theta_{t+1})
>= C_t`` (the next hard E-step can only improve on the old completion). With
``record_bound=True`` the record of iteration ``t + 1`` holds ``g_t(theta_{t+1})`` in
``bound``, so both links of the chain are ``history[t + 1].bound`` against
``history[t + 1]`` and ``history[t]``.

Stopping
--------
The objective is the observed-data log-likelihood for ``mode="soft"`` (EM proper)
and the classification log-likelihood for ``mode="hard"`` (classification EM,
Celeux & Govaert 1992), each plus ``log_prior`` for a model that has one; both
never decrease. With ``L_t`` the objective after ``t``
M-steps, the run stops with status

* ``"converged"`` when ``|L_t - L_{t-1}| <= tol * max(1, |L_{t-1}|)``;
* ``"max_iter"`` after ``max_iter`` M-steps (``converged`` is then False);
* ``"decreased"`` when ``L_t < L_{t-1} - 1e-10 * max(1, |L_{t-1}|)``, i.e. the
  objective fell by more than rounding error (a bug or a numerical failure; a
  :class:`~emcore.EMWarning` is issued and the better, previous parameters are returned);
* ``"nan"`` when the objective is NaN or infinite (warned; the last finite iterate
  is returned).

With ``accelerate="squarem"`` (soft mode only) a record is one SQUAREM cycle
(see :mod:`emcore.accelerate`): ``iteration`` counts records, ``EMRecord.n_evals``
the EM maps (M-steps) spent so far, and ``max_iter`` bounds ``n_evals``. The tol rule
applies between successive records. A cycle never ends below the point that two
plain EM steps reach from its start, so ``"decreased"`` only reports a model whose
plain EM steps lowered the objective by more than rounding error; a cycle that
cannot climb above its start (rounding at a fixed point) stops the run with
``"converged"``.

"Converged" means the objective stopped changing, not that a maximum was found: EM
also stalls near saddle points (a symmetric start of a mixture, for instance) and
stops at local maxima. Restarts (``n_init``) and a look at the history are the cure.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

import numpy as np

from ._validation import (
    check_callable,
    check_choice,
    check_flag,
    check_int,
    check_real,
    describe,
    spawn_generators,
)
from .protocols import Bound, DefaultStart, EMModel, HardEM, Prior, has, require
from .results import DECREASE_RTOL, EMRecord, EMResult, EMWarning, finish, objective
from .scale import StatsModel, make_source

__all__ = [
    "Accelerator",
    "DECREASE_RTOL",
    "EMModel",
    "EMRecord",
    "EMResult",
    "EMWarning",
    "elbo",
    "fit_em",
    "register_accelerator",
]

_MODES = ("soft", "hard")


@dataclass(frozen=True)
class Accelerator:
    """An accelerator of EM, registered with :func:`register_accelerator`.

    ``check(model, mode, record_bound)`` raises TypeError/ValueError unless the
    run can be accelerated; ``run(model, data, params, tol, max_iter, callback)``
    returns the :class:`~emcore.EMResult` of one accelerated run from ``params``.
    """

    name: str
    check: Callable[[Any, str, bool], None]
    run: Callable[..., EMResult]


#: name -> Accelerator; filled by the accelerator modules (emcore.accelerate registers
#: "squarem" when emcore is imported), so the driver never imports them.
_ACCELERATORS: dict[str, Accelerator] = {}


def register_accelerator(accelerator: Accelerator) -> None:
    """Make ``fit_em(..., accelerate=accelerator.name)`` use ``accelerator``."""
    _ACCELERATORS[accelerator.name] = accelerator


def _accelerator(name: Any) -> Accelerator | None:
    if name is None:
        return None
    known = " or ".join(["None"] + [repr(n) for n in sorted(_ACCELERATORS)])
    if not isinstance(name, str):
        raise TypeError(f"accelerate must be {known}; got {describe(name)}")
    if name not in _ACCELERATORS:
        raise ValueError(f"accelerate must be {known}; got {name!r}")
    return _ACCELERATORS[name]


def elbo(model: Any, data: Any, params: Any, q: Any) -> float:
    """The evidence lower bound ``F(q, params) = E_q[log P(x, z; params)] + H(q)``.

    For every distribution ``q`` over completions,

        log P(x; params) = F(q, params) + KL(q || P(z | x; params)),

    so ``F`` is a lower bound on the observed-data log-likelihood, with equality
    exactly when ``q`` is the posterior that ``model.e_step(data, params)`` returns
    (Neal & Hinton 1998). EM maximises ``F`` alternately over ``q`` (the E-step)
    and over ``params`` (the M-step).

    Parameters
    ----------
    model : EMModel
        A model with the optional protocol methods ``complete_loglik`` and
        ``entropy``.
    data : object
        The data in the model's canonical form, as ``model.prepare`` returns it (the
        form the E-step receives; for :class:`~emcore.coins.CoinMixture` a
        :class:`~emcore.coins.CoinData`).
    params : object
        The model's params object, or a mapping of its fields (passed through
        ``model.coerce_params``).
    q : object
        A distribution over completions in the layout the E-step returns; for a
        mixture an ``(n_samples, n_components)`` array whose rows are probability
        vectors. The model's ``complete_loglik`` checks the layout.

    Returns
    -------
    float
        ``model.complete_loglik(data, params, q) + model.entropy(q)`` (natural log,
        total over the observations).

    Raises
    ------
    TypeError
        If ``model`` lacks ``complete_loglik`` or ``entropy``.
    """
    require(model, Bound, "the evidence lower bound")
    if isinstance(params, Mapping):
        params = model.coerce_params(params, data)
    return float(model.complete_loglik(data, params, q)) + float(model.entropy(q))


def fit_em(
    model: EMModel,
    data: Any,
    *,
    init: Any = None,
    mode: str = "soft",
    tol: float = 1e-10,
    max_iter: int = 1000,
    n_init: int = 1,
    seed: Any = None,
    callback: Callable[[EMRecord], Any] | None = None,
    record_bound: bool = False,
    accelerate: str | None = None,
    chunk_size: int | None = None,
) -> EMResult:
    """Fit ``model`` to ``data`` by expectation-maximization.

    Parameters
    ----------
    model : EMModel
        Any object implementing the protocol in :mod:`emcore.em`.
    data : object
        The observations, in any form ``model.prepare`` accepts.
    init : params or mapping, optional
        Starting parameters: the model's params object or a mapping of its fields,
        e.g. ``{"theta": [0.6, 0.5]}``. None (the default) draws a start with
        ``model.initial_params`` from the seeded generator.
    mode : {"soft", "hard"}
        ``"soft"`` is EM: the M-step uses the full posterior over completions.
        ``"hard"`` is classification EM: each observation's posterior is replaced by
        its single most likely completion before the M-step.
    tol : float
        Relative tolerance on the change of the objective (see the module docstring).
    max_iter : int
        Maximum number of M-steps; 0 evaluates the start only.
    n_init : int
        Number of starts. Run 0 starts from ``model.default_params(data)`` where
        the model defines that optional method (a deterministic start, e.g. the
        haplotype model's centre), otherwise from ``model.initial_params`` with the
        first spawned generator; every further run starts from
        ``model.initial_params`` with its own generator (``SeedSequence.spawn`` of
        ``seed``). Run 0 is therefore the ``n_init=1`` run, and more starts never end
        lower; the run with the highest objective is returned and all runs are
        kept in ``result.runs``.
    seed : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seeds the starting points. Results are reproducible for a fixed int seed.
    callback : callable, optional
        Called with each :class:`~emcore.EMRecord` as soon as it is computed.
    record_bound : bool
        If True, after every M-step evaluate the bound of the E-step that preceded
        it at the new parameters, ``g_t(theta_{t+1}) = elbo(model, data,
        theta_{t+1}, q_t)``, and store it as ``history[t + 1].bound`` (see
        :class:`~emcore.EMRecord` and "The bound chain" in :mod:`emcore.em`). Needs the
        optional protocol methods ``complete_loglik`` and ``entropy``; costs one
        extra bound evaluation per iteration and changes nothing else.
    accelerate : {None, "squarem"}
        None (the default) is plain EM. ``"squarem"`` accelerates it by squared
        extrapolation (Varadhan & Roland 2008, scheme SqS3, with safeguards; see
        :mod:`emcore.accelerate`): same fixed points, never a lower objective than
        the plain EM steps it extrapolates from, usually far fewer EM maps when much
        information is missing. The guarantee is per cycle, not per run: a long
        jump can cross into the basin of another local maximum, which may be lower
        than the one plain EM reaches from the same start (rare; restarts help as
        for plain EM). Needs ``mode="soft"`` and the optional protocol
        methods ``to_unconstrained`` and ``from_unconstrained``; cannot be combined
        with ``record_bound``. ``max_iter`` then bounds the number of EM maps
        (``EMRecord.n_evals``), and a record is one cycle.
    chunk_size : int, optional
        Fit from expected sufficient statistics summed over chunks of at most this
        many units (samples, sequences): memory for one chunk's posterior instead of
        the whole data's, the same fit to rounding (:mod:`emcore.scale`). Data that
        are not in memory take this path whatever ``chunk_size``: a dask array
        (rows are samples) or bag (one sequence per element) is fitted partition by
        partition on the active dask scheduler, and a zarr array or HDF5 dataset is
        read ``chunk_size`` rows at a time. Needs a model with the optional
        protocol methods ``split``, ``expected_stats`` and ``m_step_stats``, and
        ``mode="soft"`` without ``record_bound`` (there is no posterior to bound).
        Starts for data not in memory are drawn from an evenly spaced sample of at
        most :data:`emcore.scale.SAMPLE_SIZE` units (all of them when fewer).

    Returns
    -------
    EMResult

    Raises
    ------
    TypeError, ValueError
        For an object that is not a model, bad settings, or bad data or parameters
        (the model's own checks).
    """
    mode = check_choice(mode, "mode", _MODES)
    require(model, EMModel, "fit_em")
    if mode == "hard":
        require(model, HardEM, "mode='hard'")
    tol = check_real(tol, "tol", minimum=0)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    n_init = check_int(n_init, "n_init", minimum=1)
    callback = check_callable(callback, "callback")
    record_bound = check_flag(record_bound, "record_bound")
    accelerator = _accelerator(accelerate)
    if accelerator is not None:
        accelerator.check(model, mode, record_bound)
    if record_bound:
        require(model, Bound, "the evidence lower bound")
    if init is not None and n_init > 1:
        raise ValueError(
            "init and n_init > 1 cannot be combined: every restart would start from the "
            "same point. Pass init=None with a seed for seeded restarts, or call fit_em "
            "once per starting point."
        )

    source = make_source(model, data, chunk_size)
    if source is not None:
        what = "chunk_size" if chunk_size is not None else "a dask collection or an array on disk"
        if mode != "soft":
            raise ValueError(f"{what} fits from summed statistics, with no posterior to harden: use mode='soft'")
        if record_bound:
            raise ValueError(f"{what} fits from summed statistics, with no posterior to bound: drop record_bound")

    # SeedSequence.spawn: child 0 is the same whatever n_init, so restart 0 of
    # n_init=N is the n_init=1 run.
    generators = spawn_generators(seed, n_init)
    data = model.prepare(data) if source is None else source.start
    if init is not None:
        starts = [model.coerce_params(init, data)]
    else:
        # Restart 0 is the model's own deterministic start where it has one, so more
        # restarts can never end lower than the single default run.
        default = has(model, DefaultStart)
        starts = [
            cast(DefaultStart, model).default_params(data) if i == 0 and default else model.initial_params(data, rng)
            for i, rng in enumerate(generators)
        ]

    # From summed statistics, the E-step returns them in place of a posterior.
    runner, on = (model, data) if source is None else (StatsModel(model), source)
    if accelerator is None:
        runs = [_run(runner, on, start, mode, tol, max_iter, callback, record_bound) for start in starts]
    else:
        runs = [accelerator.run(runner, on, start, tol, max_iter, callback) for start in starts]
    if len(runs) == 1:
        return runs[0]
    scores = [r.objective if math.isfinite(r.objective) else -math.inf for r in runs]
    best = int(np.argmax(scores))
    return replace(runs[best], runs=tuple(runs), best_run=best)


def _run(model, data, params, mode, tol, max_iter, callback, record_bound=False) -> EMResult:
    history: list[EMRecord] = []
    status = "max_iter"
    bound = None  # g_{t-1}(theta_t), the previous E-step's bound at these params
    log_prior = model.log_prior if has(model, Prior) else None
    while True:
        prior = None if log_prior is None else float(log_prior(data, params))
        if mode == "soft":
            posterior, loglik = model.e_step(data, params)
            record = EMRecord(len(history), params, float(loglik), bound=bound, log_prior=prior)
        else:
            posterior, loglik, closs = model.hard_e_step(data, params)
            record = EMRecord(len(history), params, float(loglik), float(closs), bound=bound, log_prior=prior)
        history.append(record)
        if callback is not None:
            callback(record)

        current = objective(record, mode)
        if not math.isfinite(current) or math.isnan(record.loglik):
            status = "nan"
            warnings.warn(
                f"EM stopped at iteration {record.iteration}: the {mode} objective is "
                f"{current}; returning the last finite iterate",
                EMWarning,
                stacklevel=3,
            )
            break
        if len(history) > 1:
            previous = objective(history[-2], mode)
            scale = max(1.0, abs(previous))
            if current - previous < -DECREASE_RTOL * scale:
                status = "decreased"
                warnings.warn(
                    f"EM stopped at iteration {record.iteration}: the {mode} objective "
                    f"decreased from {previous!r} to {current!r}; returning the previous "
                    "iterate",
                    EMWarning,
                    stacklevel=3,
                )
                break
            if abs(current - previous) <= tol * scale:
                status = "converged"
                break
        if record.iteration >= max_iter:
            break
        params = model.m_step(data, posterior, params)
        if record_bound:
            bound = float(model.complete_loglik(data, params, posterior)) + float(model.entropy(posterior))
            if log_prior is not None:
                bound += float(log_prior(data, params))

    return finish(history, status, mode)
