"""Bad input for the generic driver: ``fit_em``'s settings (mode, tol, max_iter,
n_init, seed, callback, record_bound, accelerate), objects that are not models or
lack an optional capability, and the evidence lower bound ``elbo``."""

from __future__ import annotations

import numpy as np

from bad_input import Case
from emcore import fit_em
from emcore.coins import CoinMixture
from emcore.em import elbo

DATA = ([5, 9, 8, 4, 7], [10] * 5)
START = {"theta": [0.6, 0.5]}
Q = np.full((5, 2), 0.5)


def _fit(model=None, data=DATA, **kw):
    return lambda: fit_em(CoinMixture() if model is None else model, data, **kw)


class _Minimal:
    """The required protocol only: no hard E-step, no bound, no unconstrained form."""

    def prepare(self, data):
        return CoinMixture().prepare(data)

    def initial_params(self, data, rng):
        return CoinMixture().initial_params(data, rng)

    def coerce_params(self, init, data):
        return CoinMixture().coerce_params(init, data)

    def e_step(self, data, params):
        return CoinMixture().e_step(data, params)

    def m_step(self, data, posterior, params):
        return CoinMixture().m_step(data, posterior, params)


class _NoMStep:
    prepare = initial_params = coerce_params = e_step = staticmethod(lambda *a: None)


class _NotCallable(_Minimal):
    m_step = 3  # type: ignore[assignment]


def _elbo(model=None, data=DATA, params=START, q=Q):
    return lambda: elbo(CoinMixture() if model is None else model, data, params, q)


CASES = [
    # -- mode ------------------------------------------------------------------------
    Case("driver-mode-unknown", _fit(mode="medium"), ValueError, r"mode must be one of 'soft', 'hard'; got 'medium'"),
    Case("driver-mode-capitalised", _fit(mode="Soft"), ValueError, r"mode must be one of 'soft', 'hard'; got 'Soft'"),
    Case("driver-mode-int", _fit(mode=1), TypeError, r"mode must be one of 'soft', 'hard'; got 1"),
    Case(
        "driver-mode-list",
        _fit(mode=["soft"]),
        TypeError,
        r"mode must be one of 'soft', 'hard'; got \['soft'\] \(type list\)",
    ),
    Case("driver-mode-none", _fit(mode=None), TypeError, r"mode must be one of 'soft', 'hard'; got None"),
    # -- tol -------------------------------------------------------------------------
    Case("driver-tol-negative", _fit(tol=-1), ValueError, r"tol must be a finite number >= 0; got -1.0"),
    Case("driver-tol-nan", _fit(tol=float("nan")), ValueError, r"tol must be a finite number >= 0; got nan"),
    Case("driver-tol-inf", _fit(tol=float("inf")), ValueError, r"tol must be a finite number >= 0; got inf"),
    Case("driver-tol-string", _fit(tol="1e-3"), TypeError, r"tol must be a finite number >= 0; got '1e-3'"),
    Case("driver-tol-none", _fit(tol=None), TypeError, r"tol must be a finite number >= 0; got None"),
    Case("driver-tol-bool", _fit(tol=True), TypeError, r"tol must be a finite number >= 0; got True \(a bool\)"),
    Case("driver-tol-array", _fit(tol=np.array([1e-3])), TypeError, r"tol must be a finite number >= 0; got an array"),
    # -- max_iter and n_init ---------------------------------------------------------
    Case("driver-max-iter-negative", _fit(max_iter=-1), ValueError, r"max_iter must be an integer >= 0; got -1"),
    Case("driver-max-iter-float", _fit(max_iter=2.5), TypeError, r"max_iter must be an integer >= 0; got 2.5"),
    Case(
        "driver-max-iter-whole-float", _fit(max_iter=100.0), TypeError, r"max_iter must be an integer >= 0; got 100.0"
    ),
    Case("driver-max-iter-inf", _fit(max_iter=float("inf")), TypeError, r"max_iter must be an integer >= 0; got inf"),
    Case("driver-max-iter-string", _fit(max_iter="10"), TypeError, r"max_iter must be an integer >= 0; got '10'"),
    Case("driver-max-iter-none", _fit(max_iter=None), TypeError, r"max_iter must be an integer >= 0; got None"),
    Case("driver-n-init-zero", _fit(n_init=0), ValueError, r"n_init must be an integer >= 1; got 0"),
    Case("driver-n-init-float", _fit(n_init=2.0), TypeError, r"n_init must be an integer >= 1; got 2.0"),
    Case("driver-n-init-bool", _fit(n_init=True), TypeError, r"n_init must be an integer >= 1; got True \(a bool\)"),
    Case(
        "driver-init-with-restarts", _fit(init=START, n_init=3), ValueError, r"init and n_init > 1 cannot be combined"
    ),
    # -- seed ------------------------------------------------------------------------
    Case(
        "driver-seed-string",
        _fit(seed="abc"),
        TypeError,
        r"seed must be None, a non-negative integer, a numpy SeedSequence or a numpy Generator; got 'abc'",
    ),
    Case("driver-seed-negative", _fit(seed=-1), ValueError, r"seed must be a non-negative integer; got -1"),
    Case("driver-seed-float", _fit(seed=1.5), TypeError, r"seed must be None, a non-negative integer.*got 1.5"),
    Case(
        "driver-seed-bool",
        _fit(seed=True),
        TypeError,
        r"seed must be None, a non-negative integer.*got True \(a bool\)",
    ),
    Case(
        "driver-seed-legacy-randomstate",
        _fit(seed=np.random.RandomState(0)),
        TypeError,
        r"seed must be None, a non-negative integer, a numpy SeedSequence or a numpy Generator; got .*RandomState",
    ),
    Case("driver-seed-list", _fit(seed=[1, 2]), TypeError, r"seed must be None.*got \[1, 2\] \(type list\)"),
    # -- callback and record_bound ---------------------------------------------------
    Case("driver-callback-int", _fit(callback=3), TypeError, r"callback must be a callable or None; got 3"),
    Case(
        "driver-callback-string", _fit(callback="print"), TypeError, r"callback must be a callable or None; got 'print'"
    ),
    Case("driver-record-bound-int", _fit(record_bound=1), TypeError, r"record_bound must be True or False; got 1"),
    Case(
        "driver-record-bound-string",
        _fit(record_bound="yes"),
        TypeError,
        r"record_bound must be True or False; got 'yes'",
    ),
    Case(
        "driver-record-bound-without-bound",
        _fit(model=_Minimal(), record_bound=True),
        TypeError,
        r"the evidence lower bound needs the optional protocol methods .*_Minimal lacks: complete_loglik, entropy",
    ),
    # -- accelerate ------------------------------------------------------------------
    Case(
        "driver-accelerate-unknown",
        _fit(accelerate="SQUAREM"),
        ValueError,
        r"accelerate must be None or 'squarem'; got 'SQUAREM'",
    ),
    Case(
        "driver-accelerate-bool",
        _fit(accelerate=True),
        TypeError,
        r"accelerate must be None or 'squarem'; got True \(a bool\)",
    ),
    Case(
        "driver-accelerate-hard",
        _fit(accelerate="squarem", mode="hard"),
        ValueError,
        r"accelerate='squarem' needs mode='soft'",
    ),
    Case(
        "driver-accelerate-bound",
        _fit(accelerate="squarem", record_bound=True),
        ValueError,
        r"record_bound=True .*cannot be combined with accelerate='squarem'",
    ),
    Case(
        "driver-accelerate-without-transforms",
        _fit(model=_Minimal(), accelerate="squarem"),
        TypeError,
        r"accelerate='squarem' needs the optional protocol methods .*_Minimal lacks: to_unconstrained, from_unconstrained",
    ),
    # -- the model -------------------------------------------------------------------
    Case(
        "driver-model-none",
        lambda: fit_em(None, DATA),
        TypeError,
        r"model must implement the EM model protocol .*NoneType lacks: prepare, initial_params, coerce_params, e_step, m_step",
    ),
    Case(
        "driver-model-class",
        lambda: fit_em(CoinMixture, DATA),
        TypeError,
        r"model must be a model object, e.g. CoinMixture\(...\); got the class CoinMixture itself",
    ),
    Case(
        "driver-model-string",
        lambda: fit_em("gmm", DATA),
        TypeError,
        r"model must implement the EM model protocol .*str lacks",
    ),
    Case("driver-model-no-m-step", lambda: fit_em(_NoMStep(), DATA), TypeError, r"_NoMStep lacks: m_step"),
    Case(
        "driver-model-m-step-not-callable",
        lambda: fit_em(_NotCallable(), DATA),
        TypeError,
        r"_NotCallable lacks: m_step",
    ),
    Case(
        "driver-model-hard-without-hard-e-step",
        _fit(model=_Minimal(), mode="hard"),
        TypeError,
        r"_Minimal lacks: hard_e_step",
    ),
    # -- elbo ------------------------------------------------------------------------
    Case(
        "driver-elbo-model-none",
        _elbo(model=None or object()),
        TypeError,
        r"the evidence lower bound needs the optional protocol methods complete_loglik and entropy .*object lacks",
    ),
    Case("driver-elbo-model-class", _elbo(model=CoinMixture), TypeError, r"got the class CoinMixture itself"),
    Case(
        "driver-elbo-model-without-bound",
        _elbo(model=_Minimal()),
        TypeError,
        r"_Minimal lacks: complete_loglik, entropy",
    ),
    Case(
        "driver-elbo-q-not-distribution",
        _elbo(q=np.full((5, 2), 2.0)),
        ValueError,
        r"posterior \(sets x coins\) must be a distribution over completions: each row sums to 1; row 0 sums to 4.0",
    ),
    Case(
        "driver-elbo-q-shape",
        _elbo(q=np.ones((2, 2)) / 2),
        ValueError,
        r"posterior must have shape \(5, 2\); got \(2, 2\)",
    ),
    Case("driver-elbo-q-nan", _elbo(q=np.full((5, 2), np.nan)), ValueError, r"posterior must be finite"),
    Case("driver-elbo-q-none", _elbo(q=None), TypeError, r"posterior must be an array of real numbers; got None"),
    Case(
        "driver-elbo-params-list", _elbo(params=[0.6, 0.5]), TypeError, r"params must be a CoinParams or a mapping like"
    ),
    Case(
        "driver-elbo-params-outside",
        _elbo(params={"theta": [1.5, 0.5]}),
        ValueError,
        r"each theta in init must lie strictly between 0 and 1",
    ),
]
