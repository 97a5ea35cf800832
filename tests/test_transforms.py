"""The per-field transforms: every piece maps back to what it was given, and a model's
unconstrained vector is the concatenation of its learned fields' pieces."""

from __future__ import annotations

import numpy as np
import pytest

from emcore import transforms as tr
from emcore.coins import CoinMixture, CoinParams


def _spd(rng, d, m=None):
    a = rng.normal(size=(d, d) if m is None else (m, d, d))
    return a @ np.swapaxes(a, -1, -2) + d * np.eye(d)


@pytest.mark.parametrize(
    "transform, value",
    [
        (tr.SIMPLEX, np.array([[0.2, 0.0, 0.8], [0.5, 0.25, 0.25]])),
        (tr.SIMPLEX, np.array([0.1, 0.6, 0.3])),
        (tr.LOG_RATIO, np.array([0.1, 0.6, 0.3])),
        (tr.LOGIT, np.array([0.0, 0.3, 1.0, 0.99])),
        (tr.LOG, np.array([[0.5, 2.0], [3.0, 1e-3]])),
        (tr.IDENTITY, np.array([[-1.0, 2.5], [0.0, 7.0]])),
        (tr.CHOLESKY, _spd(np.random.default_rng(0), 3)),
        (tr.CHOLESKY, _spd(np.random.default_rng(1), 2, m=4)),
    ],
    ids=lambda v: getattr(v, "name", None),
)
def test_each_piece_round_trips(transform, value):
    vector = transform.to(value)
    assert vector.ndim == 1 and np.isfinite(vector).all()
    back, used = transform.back(np.append(vector, [9.0, 9.0]), value)  # reads only its own entries
    assert used == vector.size
    np.testing.assert_allclose(back, value, rtol=1e-12, atol=1e-15)


def test_pack_and_unpack_follow_the_declared_fields():
    params = CoinParams(theta=(0.2, 0.7), weights=(0.4, 0.6))
    fields = {"theta": tr.LOGIT, "weights": tr.SIMPLEX}
    v = tr.pack(params, fields)
    assert v.size == 4
    out = tr.unpack(v, params, fields)
    np.testing.assert_allclose(out["theta"], params.theta)
    np.testing.assert_allclose(out["weights"], params.weights)
    only = tr.pack(params, {"theta": tr.LOGIT})
    assert only.size == 2


@pytest.mark.parametrize(
    "vector, match",
    [
        (np.zeros(3), r"vector must have 4 entries for these parameters; got 3"),
        (np.zeros(5), r"vector must have 4 entries for these parameters; got 5"),
        (np.array([0.0, np.nan, 0.0, 0.0]), r"the vector must be finite"),
        (np.zeros((2, 2)), r"vector must be 1-D"),
    ],
)
def test_unpack_refuses_a_vector_that_does_not_fit(vector, match):
    params = CoinParams(theta=(0.2, 0.7), weights=(0.4, 0.6))
    with pytest.raises(ValueError, match=match):
        tr.unpack(vector, params, {"theta": tr.LOGIT, "weights": tr.SIMPLEX})


def test_a_model_declares_only_what_it_learns():
    params = CoinParams(theta=(0.2, 0.7), weights=(0.4, 0.6))
    assert CoinMixture().to_unconstrained(params).size == 2
    assert CoinMixture(fixed=()).to_unconstrained(params).size == 4
    model = CoinMixture(fixed=())
    back = model.from_unconstrained(model.to_unconstrained(params), params)
    np.testing.assert_allclose(back.theta, params.theta)
    np.testing.assert_allclose(back.weights, params.weights)
