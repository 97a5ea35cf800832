"""Results: what one run of EM leaves behind (the bottom layer of emcore).

:class:`EMRecord` is one iterate, :class:`EMResult` a whole run (or the best of several
restarts), with ``status`` for programs and ``message`` for people, as scipy's
``OptimizeResult`` has. Nothing here knows about models or the driver; the driver
(:mod:`emcore.em`) and the accelerators (:mod:`emcore.accelerate`) build these.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["DECREASE_RTOL", "EMRecord", "EMResult", "EMWarning", "STATUS_MESSAGES", "finish", "objective"]

#: A decrease of the objective larger than this (relative to ``max(1, |L|)``) is a
#: real decrease, not rounding: the run stops with status ``"decreased"``.
DECREASE_RTOL = 1e-10

#: ``EMResult.message`` for each ``status``.
STATUS_MESSAGES = {
    "converged": "converged: the objective changed by at most tol * max(1, |objective|)",
    "max_iter": "stopped after max_iter iterations before meeting the tolerance",
    "decreased": "stopped because the objective decreased (returned the iterate before the decrease)",
    "nan": "stopped because the objective became NaN or infinite (returned the last finite iterate)",
}


class EMWarning(UserWarning):
    """Issued when a run stops because its objective decreased or became NaN."""


@dataclass(frozen=True)
class EMRecord:
    """One iterate of a run.

    Attributes
    ----------
    iteration : int
        Number of M-steps taken to reach these parameters (0 is the starting point).
    params : object
        The model's parameters at this iterate.
    loglik : float
        Total observed-data log-likelihood ``log P(x; params)`` (natural log).
    classification_loglik : float or None
        ``max_z log P(x, z; params)``, the objective of hard EM; None in soft mode.
    bound : float or None
        Only with ``fit_em(..., record_bound=True)``, and only from iteration 1 on:
        ``g_{t-1}(params) = elbo(model, data, params, q_{t-1})`` for this record's
        iteration ``t``, the lower bound built by the *previous* E-step (its
        distribution ``q_{t-1}`` over completions, at the previous parameters)
        evaluated at *these* parameters, the M-step's answer. In soft mode
        ``loglik >= bound >= previous.loglik``; in hard mode
        ``classification_loglik >= bound >= previous.classification_loglik``.
        ``loglik - bound`` is ``KL(q_{t-1} || P(z | x; params))``, the gap that the
        next E-step closes. None at iteration 0 and when not recorded. For a model
        with ``log_prior`` the bound includes ``log_prior(params)``, so the chain
        holds for ``loglik + log_prior`` (and ``loglik + log_prior - bound`` is the
        KL gap).
    log_prior : float or None
        ``model.log_prior(data, params)`` for a MAP model (pseudocounts); None for a
        model without a prior. The driver's objective is ``loglik + log_prior``.
    n_evals : int
        Cumulative number of EM-map evaluations ``F(x) = M(E(x))`` (M-steps) spent
        to reach this record: ``iteration`` for plain EM; with
        ``accelerate="squarem"`` 2 or 3 per cycle (see :mod:`emcore.accelerate`).
        Compare runs by this, not by ``iteration``. Defaults to ``iteration``.
    n_e_steps : int
        Cumulative number of E-steps, the evaluation at the start included:
        ``iteration + 1`` for plain EM (the default); with acceleration it also
        counts the E-steps spent on objective checks.
    squarem : str or None
        None for plain EM and for the start. With ``accelerate="squarem"``, how the
        cycle that produced this record ended: ``"jump"`` (the extrapolated point
        was accepted and stabilised by one EM map), ``"pullback"`` (accepted after
        pulling the step back towards plain EM because it left the parameter
        space), ``"rejected"`` (the extrapolated point had a lower objective than
        two plain EM steps, or was pulled back all the way: the plain EM point was
        kept) or ``"em"`` (plain EM steps only: no jump was tried).
    """

    iteration: int
    params: Any
    loglik: float
    classification_loglik: float | None = None
    bound: float | None = None
    log_prior: float | None = None
    n_evals: int | None = None
    n_e_steps: int | None = None
    squarem: str | None = None

    def __post_init__(self) -> None:
        if self.n_evals is None:
            object.__setattr__(self, "n_evals", int(self.iteration))
        if self.n_e_steps is None:
            object.__setattr__(self, "n_e_steps", int(self.iteration) + 1)


@dataclass(frozen=True)
class EMResult:
    """What :func:`fit_em` returns.

    Attributes
    ----------
    params : object
        The fitted parameters (the model's params dataclass).
    loglik : float
        Total observed-data log-likelihood at ``params`` (natural log), computed by an
        E-step at exactly these parameters.
    objective : float
        The maximised objective at ``params``: ``loglik`` in soft mode, the
        classification log-likelihood in hard mode, each plus ``log_prior`` for a
        model that has one (MAP-EM).
    history : tuple of EMRecord
        Every iterate of the returned run; ``history[0]`` is the starting point.
    n_iter : int
        Number of M-steps taken.
    converged : bool
        True only when the tolerance was met (never when ``max_iter`` stopped it).
    status : str
        ``"converged"``, ``"max_iter"``, ``"decreased"`` or ``"nan"``.
    mode : str
        ``"soft"`` or ``"hard"``.
    runs : tuple of EMResult
        With ``n_init > 1``, every restart (each with its own history), in the order
        they were run; ``runs[best_run]`` is this result. Empty for a single run.
    best_run : int
        Index of the returned run among ``runs`` (0 for a single run).
    accelerate : str or None
        ``"squarem"`` for an accelerated run, None for plain EM.
    """

    params: Any
    loglik: float
    objective: float
    history: tuple[EMRecord, ...]
    n_iter: int
    converged: bool
    status: str
    mode: str
    runs: tuple[EMResult, ...] = field(default=(), repr=False)
    best_run: int = 0
    accelerate: str | None = None

    @property
    def message(self) -> str:
        """``status`` in words, for a person reading the result."""
        return STATUS_MESSAGES.get(self.status, self.status)

    @property
    def n_evals(self) -> int:
        """The EM-map evaluations (M-steps) the run spent, the last record's ``n_evals``."""
        return int(self.history[-1].n_evals or 0)  # filled in by EMRecord itself

    @property
    def loglik_trace(self) -> np.ndarray:
        """Observed-data log-likelihood of every iterate, shape ``(n_iter + 1,)``."""
        return np.array([r.loglik for r in self.history])

    @property
    def objective_trace(self) -> np.ndarray:
        """The mode's objective at every iterate, shape ``(n_iter + 1,)``."""
        return np.array([objective(r, self.mode) for r in self.history])

    @property
    def bound_trace(self) -> np.ndarray:
        """``history[t].bound`` for every iterate, shape ``(n_iter + 1,)``.

        NaN where no bound was recorded (always at iteration 0; everywhere unless
        the run used ``record_bound=True``).
        """
        return np.array([math.nan if r.bound is None else r.bound for r in self.history])

    def __repr__(self) -> str:
        return (
            f"EMResult(status={self.status!r}, n_iter={self.n_iter}, "
            f"loglik={self.loglik:.6f}, mode={self.mode!r}, params={self.params!r})"
        )


def objective(record: EMRecord, mode: str) -> float:
    """The objective the run climbs at ``record``: the log-likelihood for ``mode="soft"``,
    the classification log-likelihood for ``"hard"``, plus ``log_prior`` when recorded."""
    value = record.loglik if mode == "soft" else record.classification_loglik
    if value is None:
        raise ValueError(
            f"record {record.iteration} has no classification log-likelihood: it is not a hard-mode record"
        )
    return value if record.log_prior is None else value + record.log_prior


def finish(history: list[EMRecord], status: str, mode: str, accelerate: str | None = None) -> EMResult:
    """The result of one run: its last record, or after a decrease or a non-finite
    objective the last record with a finite objective before the stop."""
    if status in ("decreased", "nan"):
        finite = [r for r in history[:-1] if math.isfinite(objective(r, mode))]
        chosen = finite[-1] if finite else history[-1]
    else:
        chosen = history[-1]
    return EMResult(
        params=chosen.params,
        loglik=chosen.loglik,
        objective=objective(chosen, mode),
        history=tuple(history),
        n_iter=len(history) - 1,
        converged=status == "converged",
        status=status,
        mode=mode,
        accelerate=accelerate,
    )
