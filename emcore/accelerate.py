"""SQUAREM: squared extrapolation of the EM map (Varadhan & Roland 2008).

EM is a fixed-point iteration ``theta_{t+1} = F(theta_t)`` with ``F(theta) =
M(E(theta))``, the *EM map*. Near a maximum it converges linearly: the error
shrinks by a factor close to the largest eigenvalue of the fraction of missing
information at every step, slowly when much information is missing. SQUAREM takes
two EM steps, reads off the direction and curvature of the path, and jumps along
it:

    r = F(x) - x,       v = F(F(x)) - 2 F(x) + x,
    alpha = -sqrt(<r, r> / <v, v>)                      (scheme SqS3),
    x'    = x - 2 alpha r + alpha**2 v,

with ``alpha <= -1`` (``alpha = -1`` gives ``x' = F(F(x))``, two plain EM steps).
A last EM step from ``x'`` stabilises the jump. All of this happens in an
*unconstrained* parametrisation, so that ``x'`` is always a valid point: each
model maps its parameters to and from a flat vector (``to_unconstrained``,
``from_unconstrained``; see the protocol in :mod:`emcore.em`). This module holds
the cycle (:func:`run_squarem`, which registers itself with the driver, so that
:func:`emcore.fit_em` runs it for ``accelerate="squarem"``); the transforms the models
share live in :mod:`emcore.transforms`.

One cycle, from an evaluated point ``x0`` (its E-step done)
-----------------------------------------------------------------
1. ``x1 = F(x0)``, ``x2 = F(x1)``: two EM maps, and the E-steps at ``x1`` and
   ``x2`` (the one at ``x2`` gives the objective of the plain EM point).
2. If the unconstrained vectors of ``x0, x1, x2`` differ in length (a zero entered
   the parameters, e.g. a pruned haplotype), or ``v = 0``: the cycle ends at ``x2``.
3. ``alpha = -min(step_max, max(1, sqrt(<r,r>/<v,v>)))`` and ``x'`` as above;
   ``from_unconstrained`` and the E-step at ``x'``. If ``from_unconstrained``
   raises :class:`ValueError` (the vector left the parameter space, e.g. a
   probability underflowed to 0) or the objective at ``x'`` is not finite, the step
   is *pulled back*: ``alpha <- (alpha - 1) / 2``, halfway towards -1 (the plain EM
   point), and tried again; once ``alpha`` is within 0.01 of -1 the cycle ends at
   ``x2``.
4. If the objective at ``x'`` is below the objective at ``x2``, the jump is
   *rejected* and the cycle ends at ``x2``. Otherwise ``x_new = F(x')`` (the
   stabilising EM map; EM cannot lower the objective) and the cycle ends at
   ``x_new`` (or at ``x2`` in the rounding-level case that ``x_new`` is worse).
5. Step length (the adaptive scheme of the paper and of the R package SQUAREM,
   ``step.max0 = 1``, ``mstep = 4``): ``|alpha|`` is capped at ``step_max``, which
   starts at 1 (so the first cycle is two plain EM steps). An accepted full step
   (``alpha = -step_max``) multiplies ``step_max`` by ``mstep``; a rejected full
   step divides it by ``mstep`` (never below 1).

The objective is the one plain EM climbs, ``loglik + log_prior`` (soft mode only),
so every cycle ends at least as high as the two plain EM steps from its start, and
the objective trace of an accelerated run never decreases. That is a guarantee
per cycle, not per run: a long jump can land in the basin of another local maximum
(a haplotype frequency driven to 1e-30 that plain EM would have kept, for
instance), and that maximum can be lower than the one plain EM reaches from the
same start. In the tests' scan of 540 haplotype problems and starts this happened
once (0.06 nats lower; ``tests/test_squarem.py``); restarts are the cure, as for
plain EM.

What is counted
---------------
``EMRecord.n_evals`` counts EM maps ``F = M o E``, i.e. M-steps: 2 per cycle, plus 1
for the stabilising step of an accepted jump (3 per accepted cycle). The E-step at
``x'`` belongs to its EM map; the extra E-steps are the one at ``x2`` (every
cycle) and one per pulled-back or rejected trial point. ``EMRecord.n_e_steps``
counts every E-step, so the overhead is ``n_e_steps - n_evals - 1`` (for plain EM,
``n_e_steps = n_evals + 1``: the E-step at the start). Memory: three parameter
vectors (``x0``, ``r``, ``v``) on top of plain EM.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .em import Accelerator, register_accelerator
from .protocols import Prior, Unconstrained, has, require
from .results import DECREASE_RTOL, EMRecord, EMResult, EMWarning, finish
from .transforms import (  # noqa: F401  (their old address; they live in emcore.transforms)
    bernoulli_from_unconstrained,
    bernoulli_to_unconstrained,
    simplex_from_unconstrained,
    simplex_to_unconstrained,
)

__all__ = ["run_squarem"]

#: Default step-length adaptation (R package SQUAREM's ``step.max0`` and ``mstep``).
STEP_MAX0 = 1.0
MSTEP = 4.0
#: A pulled-back alpha this close to -1 is the plain EM point: stop trying.
_ALPHA_FLOOR = 0.01


def _check_squarem(model: Any, mode: str, record_bound: bool) -> None:
    """Raise ValueError/TypeError unless ``fit_em(..., accelerate="squarem")`` can run.

    The driver has checked the name and the core protocol; this checks what SQUAREM
    adds: soft mode, no bound chain, and the :class:`~emcore.protocols.Unconstrained`
    methods.
    """
    if mode != "soft":
        raise ValueError(
            "accelerate='squarem' needs mode='soft': hard (classification) EM is not a smooth "
            "fixed-point map and its objective is not the log-likelihood"
        )
    if record_bound:
        raise ValueError(
            "record_bound=True records the bound chain of plain EM steps; it cannot be combined "
            "with accelerate='squarem'"
        )
    require(model, Unconstrained, "accelerate='squarem'")


# -- the cycle -----------------------------------------------------------------------------
@dataclass
class _Point:
    """Parameters with their E-step done."""

    params: Any
    posterior: Any
    loglik: float
    prior: float | None
    _vector: np.ndarray | None = None

    def vector(self, model) -> np.ndarray:
        """The unconstrained vector of ``params`` (computed once: a cycle's end starts the next)."""
        if self._vector is None:
            self._vector = np.asarray(model.to_unconstrained(self.params), dtype=float)
        return self._vector

    @property
    def objective(self) -> float:
        return self.loglik if self.prior is None else self.loglik + self.prior

    @property
    def finite(self) -> bool:
        return math.isfinite(self.objective) and not math.isnan(self.loglik)


class _Stop(Exception):
    """An EM map produced a non-finite objective (status "nan")."""


def run_squarem(model, data, params, tol, max_iter, callback, *, step_max0=STEP_MAX0, mstep=MSTEP) -> EMResult:
    """Accelerated EM from ``params`` (soft mode); see the module docstring.

    ``max_iter`` bounds the number of EM maps (``n_evals``): a cycle is started only
    when 3 maps remain; otherwise the run finishes with plain EM steps. The run
    stops with ``"converged"`` when the objective of two successive records differs
    by at most ``tol * max(1, |L|)``, or when a cycle cannot get above its start
    (EM at a fixed point up to rounding).
    """
    log_prior = model.log_prior if has(model, Prior) else None
    counts = {"maps": 0, "e": 0}
    history: list[EMRecord] = []

    def evaluate(p) -> _Point:
        posterior, loglik = model.e_step(data, p)
        counts["e"] += 1
        prior = None if log_prior is None else float(log_prior(data, p))
        return _Point(p, posterior, float(loglik), prior)

    def em_map(point: _Point) -> _Point:
        new = model.m_step(data, point.posterior, point.params)
        counts["maps"] += 1
        out = evaluate(new)
        if not out.finite:
            raise _Stop(out)
        return out

    def record(point: _Point, outcome: str | None) -> None:
        rec = EMRecord(
            len(history),
            point.params,
            point.loglik,
            log_prior=point.prior,
            n_evals=counts["maps"],
            n_e_steps=counts["e"],
            squarem=outcome,
        )
        history.append(rec)
        if callback is not None:
            callback(rec)

    x0 = evaluate(params)
    record(x0, None)
    status = "max_iter"
    step_max = float(step_max0)
    if not x0.finite:
        status = "nan"
        _warn_nan(0, x0.objective)
    while status == "max_iter" and counts["maps"] < max_iter:
        try:
            if max_iter - counts["maps"] < 3:
                new, outcome = em_map(x0), "em"
            else:
                new, step_max, outcome = _cycle(model, x0, em_map, evaluate, step_max, step_max0, mstep)
        except _Stop as stop:
            point = stop.args[0]
            record(point, "em")
            status = "nan"
            _warn_nan(len(history) - 1, point.objective)
            break
        previous = x0.objective
        scale = max(1.0, abs(previous))
        if new.objective < previous:
            # EM itself went down: rounding at a fixed point, or (by more than
            # DECREASE_RTOL) a model whose EM map is not monotone.
            if previous - new.objective > DECREASE_RTOL * scale:
                record(new, outcome)
                status = "decreased"
                warnings.warn(
                    f"EM stopped at iteration {len(history) - 1}: the plain EM steps of a SQUAREM "
                    f"cycle lowered the objective from {previous!r} to {new.objective!r} (the model's "
                    "EM map is not monotone); returning the previous iterate",
                    EMWarning,
                    stacklevel=4,
                )
            else:
                status = "converged"
            break
        record(new, outcome)
        x0 = new
        if new.objective - previous <= tol * scale:
            status = "converged"
            break

    return finish(history, status, "soft", accelerate="squarem")


def _warn_nan(iteration: int, value: float) -> None:
    warnings.warn(
        f"EM stopped at iteration {iteration}: the soft objective is {value}; returning the last finite iterate",
        EMWarning,
        stacklevel=4,
    )


def _cycle(model, x0: _Point, em_map, evaluate, step_max: float, step_max0: float, mstep: float):
    """One SQUAREM cycle from ``x0``: the point it ends at, the new step_max, the outcome."""
    x1 = em_map(x0)
    x2 = em_map(x1)
    u0, u1, u2 = x0.vector(model), x1.vector(model), x2.vector(model)
    if not (u0.shape == u1.shape == u2.shape) or not (
        np.isfinite(u0).all() and np.isfinite(u1).all() and np.isfinite(u2).all()
    ):
        return x2, step_max, "em"  # the zero pattern changed (or a value is infinite): plain EM
    r = u1 - u0
    v = (u2 - u1) - r
    with np.errstate(over="ignore"):  # a start far out (|u| ~ 1e185) squares to inf: plain EM
        rr, vv = float(r @ r), float(v @ v)
    if not (vv > 0 and rr > 0 and math.isfinite(rr) and math.isfinite(vv)):
        return x2, step_max, "em"
    alpha = -min(step_max, max(1.0, math.sqrt(rr / vv)))
    full = alpha == -step_max
    if alpha >= -1.0 - _ALPHA_FLOOR:  # x' is (nearly) x2: the two plain EM steps
        return x2, (step_max * mstep if full else step_max), "em"
    first = alpha
    trial = None
    while alpha < -1.0 - _ALPHA_FLOOR:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflowing jump is pulled back below
            u = u0 - 2.0 * alpha * r + alpha * alpha * v
        try:
            candidate = evaluate(model.from_unconstrained(u, x2.params))
        except ValueError:
            candidate = None
        if candidate is not None and candidate.finite:
            trial = candidate
            break
        alpha = (alpha - 1.0) / 2.0  # pull back, halfway towards -1 (the plain EM point)
    if trial is None or trial.objective < x2.objective:
        # rejected (or pulled back all the way): the plain EM point
        return x2, (max(step_max0, step_max / mstep) if full else step_max), "rejected"
    try:
        new = em_map(trial)  # the stabilising EM step
    except _Stop:
        return x2, step_max, "rejected"
    if full and alpha == first:
        step_max = step_max * mstep
    if new.objective < x2.objective:
        return x2, step_max, "rejected"
    return new, step_max, ("jump" if alpha == first else "pullback")


register_accelerator(Accelerator("squarem", _check_squarem, run_squarem))
