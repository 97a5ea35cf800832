"""Generic property checks for any model that follows emcore's EM protocol.

Each check takes a model, raw data (what ``fit_em`` accepts), parameters or a start,
and, for the bound, a sampler of distributions over completions; it asserts the
property and returns the measured worst case, so that tests can also report how much
room was left. The theory is in :mod:`emcore.em` ("The bound chain") and in the
chapter *Why EM works*:

- :func:`check_elbo` - ``elbo(q) <= log P(x)`` for any ``q``, with equality at the
  E-step's posterior;
- :func:`check_soft_em` - the observed-data log-likelihood of soft EM never
  decreases, and the recorded bound chain
  ``log P(x; theta_{t+1}) >= g_t(theta_{t+1}) >= g_t(theta_t) = log P(x; theta_t)``
  holds;
- :func:`check_hard_em` - the classification log-likelihood of hard EM never
  decreases (optionally with its own bound chain).

A model enters ``tests/test_em_properties.py`` as one :class:`EMCase`: a name, a
hypothesis strategy of random :class:`Problem` instances (build one from a plain
``make_problem(rng)`` function with :func:`problems_from_rng`) and a sampler of
random ``q`` in the layout of the model's E-step (for a mixture,
:func:`random_responsibilities`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from emcore.em import DECREASE_RTOL, elbo, fit_em

#: Relative tolerance of "equal" and "never decreases": the driver's own threshold.
RTOL = DECREASE_RTOL

#: ``sample_q(model, prepared_data, params, posterior, rng) -> q``: a random
#: distribution over completions in the layout of ``posterior`` (the E-step's).
QSampler = Callable[[Any, Any, Any, Any, np.random.Generator], Any]


@dataclass(frozen=True)
class Problem:
    """One random EM problem: a model, raw data (as ``fit_em`` takes it) and a start.

    ``init`` is a params object or a mapping that ``model.coerce_params`` accepts.
    ``seed`` seeds the generator handed to the q-sampler.
    """

    model: Any
    data: Any
    init: Any
    seed: int = 0


@dataclass(frozen=True)
class EMCase:
    """A model's entry in the property-test registry.

    Attributes
    ----------
    name : str
        Test id.
    problems : hypothesis strategy of Problem
        Random problems (data, model settings, starts).
    sample_q : QSampler
        Random distributions over completions in the E-step's layout.
    kl : callable, optional
        ``kl(q, posterior) -> float``, the Kullback-Leibler divergence in the
        E-step's layout (for a mixture, :func:`mixture_kl`). When given,
        :func:`check_elbo` also checks ``log P - elbo(q) = KL(q || posterior)``.
    hard : bool
        Whether the model has ``hard_e_step`` (classification EM).
    hard_bound : bool
        Whether to check the bound chain of hard EM too (``record_bound=True`` in
        hard mode evaluates ``complete_loglik`` with one-hot ``q`` at parameters
        where an emptied component can have log-probability ``-inf``).
    max_iter : int
        Iterations per run in the monotonicity checks.
    """

    name: str
    problems: st.SearchStrategy
    sample_q: QSampler
    kl: Callable[[Any, Any], float] | None = None
    hard: bool = True
    hard_bound: bool = True
    max_iter: int = 40


def problems_from_rng(make_problem: Callable[[np.random.Generator], Problem]) -> st.SearchStrategy:
    """A hypothesis strategy from a function that builds a :class:`Problem` from a generator.

    Hypothesis draws the seed; the function draws everything else with numpy. Simpler
    to write than a composite strategy, at the cost of coarser shrinking.
    """

    def build(seed: int) -> Problem:
        problem = make_problem(np.random.default_rng(seed))
        return Problem(problem.model, problem.data, problem.init, seed)

    return st.integers(min_value=0, max_value=2**32 - 1).map(build)


def random_responsibilities(model, data, params, posterior, rng: np.random.Generator) -> np.ndarray:
    """A random row-stochastic array shaped like ``posterior`` (a mixture's layout).

    Rows are Dirichlet draws with a random concentration, from nearly one-hot
    (concentration 0.05) to nearly uniform (20), so both the entropy and the cross
    term of the bound are exercised.
    """
    shape = np.shape(posterior)
    alpha = float(np.exp(rng.uniform(np.log(0.05), np.log(20.0))))
    q = rng.dirichlet(np.full(shape[-1], alpha), size=shape[:-1])
    # Dirichlet draws with a small concentration can underflow to exact zeros and
    # then fail to sum to one; renormalise so q is a distribution to rounding.
    q = np.maximum(q, 0.0)
    return q / q.sum(axis=-1, keepdims=True)


def _scale(value: float) -> float:
    return max(1.0, abs(value))


def _prepared(model, data, init):
    prepared = model.prepare(data)
    return prepared, model.coerce_params(init, prepared)


def mixture_kl(q: np.ndarray, posterior: np.ndarray) -> float:
    """``KL(q || posterior) = sum q log(q / posterior)`` for row-stochastic arrays (a mixture's layout)."""
    q = np.asarray(q, dtype=float)
    posterior = np.asarray(posterior, dtype=float)
    positive = q > 0
    with np.errstate(divide="ignore"):  # a posterior that underflowed to 0 gives inf
        return float(np.sum(q[positive] * (np.log(q[positive]) - np.log(posterior[positive]))))


def check_elbo(
    model, data, params, sample_q: QSampler, rng: np.random.Generator, n_q: int = 5, kl=None
) -> dict[str, float]:
    """``elbo(q) <= log P(x; params)`` for ``n_q`` random ``q``; equality at the posterior.

    Parameters
    ----------
    model, data, params
        A model, raw data and parameters (params object or mapping).
    sample_q : QSampler
        Draws a random ``q`` in the E-step's layout.
    rng : numpy.random.Generator
        Passed to ``sample_q``.
    n_q : int
        Number of random ``q``.
    kl : callable, optional
        ``kl(q, posterior)``; if given, the gap ``log P - elbo(q)`` must equal it
        (to ``1e-8`` relative to ``max(1, |log P|)``: the two are differences of
        numbers of the size of ``log P``).

    Returns
    -------
    dict
        ``"posterior_gap"``: ``|log P - elbo(posterior)| / max(1, |log P|)`` (the KL
        gap left at the posterior, ideally rounding); ``"bound_slack"``: the
        smallest ``(log P - elbo(q)) / max(1, |log P|)`` over the random ``q``
        (never below ``-RTOL``).
    """
    prepared, params = _prepared(model, data, params)
    posterior, loglik = model.e_step(prepared, params)
    scale = _scale(loglik)
    at_posterior = elbo(model, prepared, params, posterior)
    posterior_gap = abs(loglik - at_posterior) / scale
    assert posterior_gap <= RTOL, (
        f"elbo at the posterior {at_posterior!r} differs from log P {loglik!r} (relative {posterior_gap:.3g})"
    )
    slack = np.inf
    for _ in range(n_q):
        q = sample_q(model, prepared, params, posterior, rng)
        value = elbo(model, prepared, params, q)
        assert not np.isnan(value), "elbo of a random q is NaN"
        rel = (loglik - value) / scale
        assert rel >= -RTOL, f"elbo(q) = {value!r} exceeds log P = {loglik!r} (relative {rel:.3g})"
        slack = min(slack, rel)
        divergence = kl(q, posterior) if kl is not None and np.isfinite(value) else np.nan
        # A posterior probability that underflows to exactly 0 (a sample thousands of
        # nats more likely under another component) makes the KL computed from
        # probabilities infinite while the true gap is finite: only the bound is checked.
        if np.isfinite(divergence):
            assert abs((loglik - value) - divergence) <= 1e-8 * scale, (
                f"gap log P - elbo(q) = {loglik - value!r} but KL(q || posterior) = {divergence!r}"
            )
    return {"posterior_gap": posterior_gap, "bound_slack": float(slack)}


def _steps(values: np.ndarray) -> np.ndarray:
    """Relative change of each step, ``(v[t+1] - v[t]) / max(1, |v[t]|)``."""
    return np.diff(values) / np.maximum(1.0, np.abs(values[:-1]))


def check_bound_chain(result) -> dict[str, float]:
    """The chain ``objective_{t+1} >= bound_{t+1} >= objective_t`` of a recorded run.

    ``result`` comes from ``fit_em(..., record_bound=True)``. In soft mode the
    objective is ``log P(x; theta)``; in hard mode the classification
    log-likelihood. Returns the worst relative slack of each link
    (``"upper_slack"``: objective above the bound; ``"lower_slack"``: bound above
    the previous objective) and ``"max_kl_gap"``, the largest ``log P - bound``
    (the KL divergence between the old posterior and the new one).
    """
    history = result.history
    assert history[0].bound is None
    objective = result.objective_trace
    bound = result.bound_trace[1:]
    assert np.all(np.isfinite(bound)), f"recorded bounds are not all finite: {bound}"
    scale = np.maximum(1.0, np.abs(objective[:-1]))
    upper = (objective[1:] - bound) / scale
    lower = (bound - objective[:-1]) / scale
    assert np.all(upper >= -RTOL), f"objective below its bound: worst relative {upper.min():.3g}"
    assert np.all(lower >= -RTOL), f"M-step lowered the bound: worst relative {lower.min():.3g}"
    kl = objective[1:] - bound if result.mode == "soft" else np.array([0.0])
    return {
        "upper_slack": float(upper.min(initial=np.inf)),
        "lower_slack": float(lower.min(initial=np.inf)),
        "max_kl_gap": float(kl.max(initial=0.0)),
    }


def check_soft_em(model, data, init, max_iter: int = 40, record_bound: bool = True) -> dict[str, float]:
    """Soft EM from ``init`` never lowers its objective by more than ``RTOL`` (relative).

    The objective is ``log P(x; theta)``, plus ``log_prior`` for a MAP model.

    Runs ``fit_em(model, data, init=init, tol=0, max_iter=max_iter)`` and checks
    every step (and, with ``record_bound``, the bound chain). Returns
    ``"min_step"``, the most negative relative step (0 if none decreased), plus the
    numbers of :func:`check_bound_chain`.
    """
    result = fit_em(model, data, init=init, tol=0.0, max_iter=max_iter, record_bound=record_bound)
    assert result.status in ("converged", "max_iter"), f"soft EM stopped with status {result.status!r}"
    steps = _steps(result.objective_trace)
    assert np.all(steps >= -RTOL), f"the objective decreased: worst relative step {steps.min():.3g}"
    out = {"min_step": float(min(0.0, steps.min(initial=0.0)))}
    if record_bound:
        out.update(check_bound_chain(result))
    return out


def check_hard_em(model, data, init, max_iter: int = 40, record_bound: bool = False) -> dict[str, float]:
    """Hard (classification) EM never lowers ``max_z log P(x, z; theta)``.

    Returns ``"min_step"``, the most negative relative step of the classification
    log-likelihood (0 if none decreased), plus, with ``record_bound``, the numbers
    of :func:`check_bound_chain`. Also checks ``classification <= log P`` at every
    iterate.
    """
    result = fit_em(model, data, init=init, mode="hard", tol=0.0, max_iter=max_iter, record_bound=record_bound)
    assert result.status in ("converged", "max_iter"), f"hard EM stopped with status {result.status!r}"
    closs = result.objective_trace
    steps = _steps(closs)
    assert np.all(steps >= -RTOL), f"classification log-likelihood decreased: worst relative step {steps.min():.3g}"
    loglik = result.loglik_trace
    assert np.all(closs <= loglik + RTOL * np.maximum(1.0, np.abs(loglik)))
    out = {"min_step": float(min(0.0, steps.min(initial=0.0)))}
    if record_bound:
        out.update(check_bound_chain(result))
    return out
