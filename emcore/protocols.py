"""The model contract: what :func:`emcore.fit_em` requires, and what each option adds.

A model is any object with the methods of :class:`EMModel` (no base class is needed).
Each optional capability is a protocol of its own; a model has the capability when it
has every method of that protocol, and the driver checks exactly these lists (with
:func:`require`), so the typed contract and the checked contract cannot drift apart:

============================  ========================================  =====================================
protocol                      methods                                   needed for
============================  ========================================  =====================================
:class:`EMModel`              prepare, initial_params, coerce_params,   every run of :func:`~emcore.fit_em`
                              e_step, m_step
:class:`HardEM`               hard_e_step                               ``mode="hard"`` (classification EM)
:class:`Bound`                complete_loglik, entropy                  :func:`~emcore.elbo`, ``record_bound=True``
:class:`Prior`                log_prior                                 MAP-EM: the driver climbs loglik + log_prior
:class:`DefaultStart`         default_params                            run 0 starts there when ``init=None``
:class:`Unconstrained`        to_unconstrained, from_unconstrained      ``accelerate="squarem"``
:class:`Statistics`           split, expected_stats, m_step_stats       ``chunk_size=``, dask and on-disk data,
                                                                        online EM (:mod:`emcore.scale`)
============================  ========================================  =====================================

What each method must do is written in :mod:`emcore.em` ("The model protocol").
``isinstance(model, HardEM)`` works too (the protocols are runtime-checkable; like any
``runtime_checkable`` protocol it looks at the names, not the signatures).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "CAPABILITIES",
    "Bound",
    "DefaultStart",
    "EMModel",
    "HardEM",
    "Prior",
    "Statistics",
    "Unconstrained",
    "capabilities",
    "has",
    "methods",
    "require",
]


@runtime_checkable
class EMModel(Protocol):
    """The core every model has: prepare the data, start, and alternate E- and M-steps."""

    def prepare(self, data: Any) -> Any: ...

    def initial_params(self, data: Any, rng: np.random.Generator) -> Any: ...

    def coerce_params(self, init: Any, data: Any) -> Any: ...

    def e_step(self, data: Any, params: Any) -> tuple[Any, float]: ...

    def m_step(self, data: Any, posterior: Any, params: Any) -> Any: ...


@runtime_checkable
class HardEM(Protocol):
    """Hard (classification) EM: the single most likely completion."""

    def hard_e_step(self, data: Any, params: Any) -> tuple[Any, float, float]: ...


@runtime_checkable
class Bound(Protocol):
    """The evidence lower bound ``E_q[log P(x, z; params)] + H(q)``."""

    def complete_loglik(self, data: Any, params: Any, posterior: Any) -> float: ...

    def entropy(self, posterior: Any) -> float: ...


@runtime_checkable
class Prior(Protocol):
    """MAP-EM: a log prior over the parameters (pseudocounts, Dirichlet priors)."""

    def log_prior(self, data: Any, params: Any) -> float: ...


@runtime_checkable
class DefaultStart(Protocol):
    """A deterministic start computed from the data alone."""

    def default_params(self, data: Any) -> Any: ...


@runtime_checkable
class Unconstrained(Protocol):
    """The learned parameters as one unconstrained vector, and back (for SQUAREM)."""

    def to_unconstrained(self, params: Any) -> np.ndarray: ...

    def from_unconstrained(self, vector: Any, like: Any) -> Any: ...


@runtime_checkable
class Statistics(Protocol):
    """EM from expected sufficient statistics, which add up over disjoint pieces of data.

    ``expected_stats(piece, params)`` returns the piece's expected sufficient
    statistics under the posterior at ``params`` (a dict of float arrays) and its
    observed-data log-likelihood; for disjoint pieces both are sums, so the statistics
    of the whole data are the key-by-key sum over the pieces
    (:func:`emcore.scale.add_stats`). ``m_step_stats(data, stats, params)`` is the
    M-step from summed statistics: ``m_step_stats(data, expected_stats(data, p)[0], p)``
    equals ``m_step(data, e_step(data, p)[0], p)`` to rounding. ``split(data, size)``
    cuts prepared data into pieces of at most ``size`` units (rows, sequences,
    individuals), in order, each a prepared piece that carries whatever the model
    derives from the whole data (the motif background).
    """

    def split(self, data: Any, size: int) -> list[Any]: ...

    def expected_stats(self, data: Any, params: Any) -> tuple[dict[str, np.ndarray], float]: ...

    def m_step_stats(self, data: Any, stats: dict[str, np.ndarray], params: Any) -> Any: ...


#: What each optional protocol is for, in words (used in error messages).
CAPABILITIES: dict[type, str] = {
    HardEM: "hard (classification) EM",
    Bound: "the evidence lower bound",
    Prior: "a log prior (MAP-EM)",
    DefaultStart: "a default start",
    Unconstrained: "acceleration (an unconstrained parametrisation)",
    Statistics: "expected sufficient statistics (chunked, distributed and online EM)",
}


def methods(protocol: type) -> tuple[str, ...]:
    """The method names of ``protocol``, in the order they are declared."""
    return tuple(name for name, value in vars(protocol).items() if callable(value) and not name.startswith("_"))


def has(model: Any, protocol: type) -> bool:
    """Whether ``model`` (an instance, not a class) has every method of ``protocol``."""
    return not isinstance(model, type) and all(callable(getattr(model, name, None)) for name in methods(protocol))


def capabilities(model: Any) -> tuple[type, ...]:
    """The optional protocols ``model`` implements, e.g. ``(HardEM, Bound, Unconstrained)``."""
    return tuple(protocol for protocol in CAPABILITIES if has(model, protocol))


def require(model: Any, protocol: type, needed_for: str) -> None:
    """Raise TypeError naming the methods of ``protocol`` that ``model`` lacks.

    ``needed_for`` says what asked for them ("the evidence lower bound",
    "accelerate='squarem'", ...). A class passed instead of an instance is refused
    with the hint to instantiate it.
    """
    if isinstance(model, type):
        raise TypeError(
            f"model must be a model object, e.g. {model.__name__}(...); got the class {model.__name__} itself"
        )
    missing = [name for name in methods(protocol) if not callable(getattr(model, name, None))]
    if not missing:
        return
    if protocol is EMModel:
        what = "model must implement the EM model protocol"
    else:
        listed = methods(protocol)
        names = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        what = f"{needed_for} needs the optional protocol methods {names}"
    raise TypeError(f"{what} (see emcore.protocols); {type(model).__name__} lacks: {', '.join(missing)}")
