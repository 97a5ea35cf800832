"""The generic EM driver: history, stopping, restarts, modes, bad settings."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import emcore
from emcore import CoinMixture, CoinParams, EMWarning, fit_em
from emcore.em import DECREASE_RTOL


def test_history_starts_at_init_and_loglik_is_at_returned_params(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]})
    assert result.history[0].params.theta == (0.6, 0.5)
    assert result.history[0].iteration == 0
    assert [r.iteration for r in result.history] == list(range(result.n_iter + 1))
    assert result.params == result.history[-1].params
    assert result.loglik == pytest.approx(coin_model.loglik(coin_data, result.params), rel=0, abs=0)
    assert result.objective == result.loglik


def test_soft_em_loglik_never_decreases(coin_model, coin_data):
    rng = np.random.default_rng(20080801)
    for _ in range(50):
        start = rng.uniform(0.01, 0.99, size=2)
        result = fit_em(coin_model, coin_data, init={"theta": start}, tol=0, max_iter=200)
        trace = result.loglik_trace
        steps = np.diff(trace)
        assert np.all(steps >= -DECREASE_RTOL * np.maximum(1, np.abs(trace[:-1])))
        assert result.status in ("converged", "max_iter")


def test_max_iter_is_not_convergence(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, max_iter=3)
    assert result.n_iter == 3
    assert result.converged is False
    assert result.status == "max_iter"
    assert len(result.history) == 4


def test_max_iter_zero_evaluates_the_start(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, max_iter=0)
    assert result.n_iter == 0 and result.params.theta == (0.6, 0.5)
    assert result.status == "max_iter" and not result.converged


def test_converged_run_meets_tolerance(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, tol=1e-12)
    assert result.converged and result.status == "converged"
    last, before = result.history[-1].loglik, result.history[-2].loglik
    assert abs(last - before) <= 1e-12 * max(1, abs(before))
    # The fixed point: one more EM step does not move the parameters.
    posterior, _ = coin_model.e_step(coin_data, result.params)
    again = coin_model.m_step(coin_data, posterior, result.params)
    np.testing.assert_allclose(again.theta, result.params.theta, atol=1e-5)


def test_em_reaches_the_numerical_maximum(coin_model, coin_data):
    from scipy.optimize import minimize

    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, tol=1e-14, max_iter=10_000)
    best = minimize(
        lambda t: -coin_model.loglik(coin_data, {"theta": t}),
        x0=[0.7, 0.5],
        bounds=[(1e-6, 1 - 1e-6)] * 2,
        method="L-BFGS-B",
        options={"ftol": 1e-15, "gtol": 1e-12},
    )
    assert result.loglik >= -best.fun - 1e-9
    np.testing.assert_allclose(result.params.theta, best.x, atol=1e-4)


def test_paper_figure_1b_numbers(coin_model, coin_data):
    one = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, max_iter=1)
    ten = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, max_iter=10)
    assert np.round(one.params.theta, 2).tolist() == [0.71, 0.58]
    assert np.round(ten.params.theta, 2).tolist() == [0.80, 0.52]


def test_hard_mode_differs_from_soft_as_the_chapter_says(coin_model, coin_data):
    hard = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, mode="hard")
    soft = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]})
    assert hard.converged and soft.converged
    # Hard EM assigns sets 2, 3, 5 to A and 1, 4 to B: the complete-data MLE.
    np.testing.assert_allclose(hard.params.theta, [0.80, 0.45], rtol=1e-15)
    assert hard.n_iter == 2
    assert hard.loglik < soft.loglik - 0.1
    assert np.round(soft.params.theta, 2).tolist() == [0.80, 0.52]
    # Hard mode records and maximises the classification log-likelihood.
    closs = hard.objective_trace
    assert np.all(np.diff(closs) >= 0)
    assert hard.objective == hard.history[-1].classification_loglik
    assert all(r.classification_loglik <= r.loglik for r in hard.history)
    assert all(r.classification_loglik is None for r in soft.history)


def test_restarts_pick_the_best_and_keep_every_trace(coin_data):
    model = CoinMixture(n_coins=3, fixed=())
    result = fit_em(model, coin_data, n_init=8, seed=7, max_iter=50)
    assert len(result.runs) == 8
    assert result.runs[result.best_run].history == result.history
    assert result.runs[result.best_run].runs == ()
    assert result.loglik == max(r.loglik for r in result.runs)
    assert len({r.history[0].params for r in result.runs}) == 8  # independent starts


def test_restarts_are_reproducible(coin_model, coin_data):
    a = fit_em(coin_model, coin_data, n_init=4, seed=123)
    b = fit_em(coin_model, coin_data, n_init=4, seed=123)
    assert [r.history for r in a.runs] == [r.history for r in b.runs]
    c = fit_em(coin_model, coin_data, n_init=4, seed=np.random.SeedSequence(123))
    assert [r.history[0] for r in c.runs] == [r.history[0] for r in a.runs]
    d = fit_em(coin_model, coin_data, n_init=2, seed=np.random.default_rng(5))
    assert len(d.runs) == 2


def test_callback_sees_every_record(coin_model, coin_data):
    seen = []
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, callback=seen.append)
    assert tuple(seen) == result.history


@dataclass(frozen=True)
class _P:
    value: float


class _Broken:
    """A model whose log-likelihood falls, then becomes NaN: the driver must notice."""

    def __init__(self, logliks):
        self.logliks = logliks

    def prepare(self, data):
        return data

    def initial_params(self, data, rng):
        return _P(0.0)

    def coerce_params(self, init, data):
        return _P(float(init["value"]))

    def e_step(self, data, params):
        return None, self.logliks[int(params.value)]

    def m_step(self, data, posterior, params):
        return _P(params.value + 1)


def test_decrease_stops_with_a_warning_and_returns_the_better_iterate():
    model = _Broken([-10.0, -5.0, -7.0, -1.0])
    with pytest.warns(EMWarning, match="decreased"):
        result = fit_em(model, None, init={"value": 0})
    assert result.status == "decreased" and not result.converged
    assert result.params == _P(1.0) and result.loglik == -5.0
    assert len(result.history) == 3


def test_nan_stops_with_a_warning():
    model = _Broken([-10.0, -5.0, math.nan])
    with pytest.warns(EMWarning, match="nan"):
        result = fit_em(model, None, init={"value": 0})
    assert result.status == "nan" and result.params == _P(1.0) and result.loglik == -5.0


def test_rounding_sized_dips_are_not_decreases():
    model = _Broken([-10.0, -10.0 - 1e-13, -10.0 - 1e-13])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_em(model, None, init={"value": 0})
    assert result.status == "converged"


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"mode": "medium"}, ValueError, "mode must be one of 'soft', 'hard'"),
        ({"tol": -1}, ValueError, "tol must be"),
        ({"tol": float("nan")}, ValueError, "tol must be"),
        ({"max_iter": -1}, ValueError, "max_iter must be an integer >= 0"),
        ({"max_iter": 2.5}, TypeError, "max_iter must be an integer"),
        ({"n_init": 0}, ValueError, "n_init must be an integer >= 1"),
        ({"n_init": 3, "init": {"theta": [0.6, 0.5]}}, ValueError, "init and n_init > 1"),
        ({"seed": "seven"}, TypeError, "seed must be"),
        ({"seed": -3}, ValueError, "seed must be a non-negative"),
        ({"callback": 3}, TypeError, "callback must be a callable or None"),
    ],
)
def test_bad_settings_get_clear_errors(coin_model, coin_data, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(coin_model, coin_data, **kwargs)


def test_an_object_that_is_not_a_model_is_named():
    with pytest.raises(TypeError, match="lacks: prepare, initial_params"):
        fit_em(object(), None)
    with pytest.raises(TypeError, match="hard_e_step"):
        fit_em(_Broken([0.0]), None, init={"value": 0}, mode="hard")


def test_models_satisfy_the_protocol():
    assert isinstance(CoinMixture(), emcore.EMModel)


def test_params_are_frozen_and_hashable(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init=CoinParams(theta=(0.6, 0.5), weights=(0.5, 0.5)))
    with pytest.raises(AttributeError):
        result.params.theta = (0.1, 0.2)
    assert hash(result.params) == hash(CoinParams(theta=result.params.theta, weights=(0.5, 0.5)))


class _WithPrior(_Broken):
    """A MAP model: the driver climbs loglik + log_prior and keeps loglik plain."""

    def log_prior(self, data, params):
        return -2.0 * params.value


def test_map_models_climb_loglik_plus_log_prior():
    # loglik rises by 3 then 1, the prior falls by 2 each step: the objective rises
    # by 1, then falls by 1 -> "decreased" at iteration 2, though loglik rose.
    model = _WithPrior([-10.0, -7.0, -6.0])
    with pytest.warns(EMWarning, match="decreased"):
        result = fit_em(model, None, init={"value": 0})
    assert [r.log_prior for r in result.history] == [0.0, -2.0, -4.0]
    assert [r.loglik for r in result.history] == [-10.0, -7.0, -6.0]
    assert result.loglik == -7.0 and result.objective == -9.0
    assert result.objective_trace.tolist() == [-10.0, -9.0, -10.0]


def test_models_without_a_prior_record_none(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]})
    assert all(r.log_prior is None for r in result.history)
    assert result.objective == result.loglik


@pytest.mark.parametrize("seed", [0, 7])
def test_restart_zero_is_the_single_run(coin_model, coin_data, seed):
    """Run 0 of n_init=5 is the n_init=1 run (spawned child 0 does not depend on n), so
    more restarts never end lower."""
    one = emcore.fit_em(coin_model, coin_data, seed=seed)
    five = emcore.fit_em(coin_model, coin_data, seed=seed, n_init=5)
    assert five.runs[0].loglik == one.loglik
    assert np.array_equal(five.runs[0].params.theta, one.params.theta)
    assert five.objective >= one.objective


def test_restart_zero_uses_default_params():
    """A model with default_params starts run 0 there; the other runs are random."""

    class Centred(emcore.CoinMixture):
        def default_params(self, data):
            return self.coerce_params({"theta": [0.6, 0.4]}, data)

    data = emcore.datasets.seed_coins()
    result = emcore.fit_em(Centred(), data, seed=3, n_init=3, max_iter=0)
    assert np.allclose(result.runs[0].history[0].params.theta, [0.6, 0.4])
    assert not np.allclose(result.runs[1].history[0].params.theta, [0.6, 0.4])


def test_every_status_has_a_message_in_words(coin_model, coin_data):
    """``status`` is for programs, ``message`` for people (as scipy's OptimizeResult)."""
    start = {"theta": [0.6, 0.5]}
    converged = fit_em(coin_model, coin_data, init=start)
    assert converged.status == "converged" and converged.message.startswith("converged")
    capped = fit_em(coin_model, coin_data, init=start, max_iter=3)
    assert "max_iter" in capped.message
    with pytest.warns(EMWarning):
        fell = fit_em(_Broken([-10.0, -5.0, -7.0]), None, init={"value": 0})
    assert fell.status == "decreased" and "decreased" in fell.message
    with pytest.warns(EMWarning):
        lost = fit_em(_Broken([-10.0, math.nan]), None, init={"value": 0})
    assert lost.status == "nan" and "NaN" in lost.message
    from emcore.results import STATUS_MESSAGES

    assert set(STATUS_MESSAGES) == {"converged", "max_iter", "decreased", "nan"}


def test_an_unregistered_accelerator_lists_the_registered_ones(coin_model, coin_data):
    with pytest.raises(ValueError, match=r"accelerate must be None or 'squarem'; got 'anderson'"):
        fit_em(coin_model, coin_data, accelerate="anderson")
