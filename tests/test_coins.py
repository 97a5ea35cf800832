"""The coin mixture: known answers, posterior algebra, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import comb

import emcore
from emcore import CoinData, CoinMixture, CoinParams, complete_data_mle, fit_em


def test_seed_coins_is_figure_1(coin_data):
    assert coin_data.heads.tolist() == [5, 9, 8, 4, 7]
    assert coin_data.tosses.tolist() == [10] * 5
    assert coin_data.tails.tolist() == [5, 1, 2, 6, 3]
    assert coin_data.labels == ("B", "A", "A", "B", "A")
    assert coin_data.sequences[0] == "HTTTHHTHTH"


def test_complete_data_mle_is_equation_1(coin_data):
    mle = complete_data_mle(coin_data)
    assert mle.theta == (24 / 30, 9 / 20)
    assert mle.weights == (3 / 5, 2 / 5)
    assert complete_data_mle(coin_data, [1, 0, 0, 1, 0]).theta == (0.8, 0.45)


def test_loglik_matches_a_direct_computation(coin_model, coin_data):
    ta, tb = 0.6, 0.5
    h, t = coin_data.heads, coin_data.tails
    direct = np.sum(np.log(0.5 * ta**h * (1 - ta) ** t + 0.5 * tb**h * (1 - tb) ** t))
    assert coin_model.loglik(coin_data, {"theta": [ta, tb]}) == pytest.approx(direct, rel=1e-14)


def test_posterior_is_bayes_rule_and_sums_to_one(coin_model, coin_data):
    params = coin_model.coerce_params({"theta": [0.6, 0.5]})
    post, _ = coin_model.e_step(coin_data, params)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, rtol=1e-15)
    la = 0.6**5 * 0.4**5
    lb = 0.5**10
    assert post[0, 0] == pytest.approx(la / (la + lb), rel=1e-14)
    heads, tails = coin_model.expected_counts(coin_data, post)
    # Figure 1b's totals: A 21.3 H 8.6 T, B 11.7 H 8.4 T.
    np.testing.assert_allclose(np.round(heads.sum(axis=0), 1), [21.3, 11.7])
    np.testing.assert_allclose(np.round(tails.sum(axis=0), 1), [8.6, 8.4])


def test_complete_loglik_with_known_labels(coin_model, coin_data):
    onehot = np.eye(2)[[1, 0, 0, 1, 0]]
    params = CoinParams(theta=(0.8, 0.45), weights=(0.5, 0.5))
    h, t = coin_data.heads, coin_data.tails
    theta = np.array([0.45, 0.8, 0.8, 0.45, 0.8])
    direct = np.sum(np.log(0.5) + h * np.log(theta) + t * np.log1p(-theta))
    assert coin_model.complete_loglik(coin_data, params, onehot) == pytest.approx(direct, rel=1e-14)


def test_symmetric_start_never_breaks_symmetry(coin_model, coin_data):
    result = fit_em(coin_model, coin_data, init={"theta": [0.5, 0.5]})
    assert result.converged
    np.testing.assert_allclose(result.params.theta, [33 / 50, 33 / 50], rtol=1e-14)


def test_label_switching_gives_the_mirror_optimum(coin_model, coin_data):
    a = fit_em(coin_model, coin_data, init={"theta": [0.6, 0.5]}, tol=1e-14)
    b = fit_em(coin_model, coin_data, init={"theta": [0.5, 0.6]}, tol=1e-14)
    np.testing.assert_allclose(a.params.theta, b.params.theta[::-1], atol=1e-6)
    assert a.loglik == pytest.approx(b.loglik, rel=1e-12)


def test_learned_weights_and_more_coins(coin_data):
    model = CoinMixture(n_coins=3, fixed=())
    result = fit_em(model, coin_data, n_init=5, seed=1)
    assert sum(result.params.weights) == pytest.approx(1.0)
    assert np.all(np.diff(result.loglik_trace) > -1e-9)
    fixed = fit_em(CoinMixture(), coin_data, init={"theta": [0.6, 0.5]})
    two = fit_em(CoinMixture(fixed=()), coin_data, init={"theta": [0.6, 0.5]})
    assert two.loglik >= fixed.loglik - 1e-9


def test_binomial_counts_only_shift_loglik_by_a_constant(coin_model):
    # Sets of different sizes; the coefficient is left out (sequence probability).
    heads, tosses = np.array([3, 0, 12]), np.array([4, 2, 20])
    ll = coin_model.loglik((heads, tosses), {"theta": [0.3, 0.7]})
    mix = 0.5 * 0.3**heads * 0.7 ** (tosses - heads) + 0.5 * 0.7**heads * 0.3 ** (tosses - heads)
    assert ll == pytest.approx(np.log(mix).sum(), rel=1e-14)
    assert np.log(comb(tosses, heads)).sum() > 0


def test_hard_em_with_an_empty_coin_keeps_its_bias(coin_model, coin_data):
    onehot = np.zeros((5, 2))
    onehot[:, 0] = 1
    new = coin_model.m_step(coin_data, onehot, CoinParams(theta=(0.6, 0.3), weights=(0.5, 0.5)))
    assert new.theta == (33 / 50, 0.3)
    # The symmetric start: ties go to A, so B gets nothing and keeps 0.5; the next
    # classification step then separates the coins.
    result = fit_em(coin_model, coin_data, init={"theta": [0.5, 0.5]}, mode="hard")
    assert result.history[1].params.theta == (0.66, 0.5)
    assert result.converged and result.params.theta == (0.8, 0.45)


@pytest.mark.parametrize(
    "heads, tosses, exc, match",
    [
        ([5, 11], [10, 10], ValueError, r"set 1 has more heads \(11\) than tosses \(10\)"),
        ([5, -1], [10, 10], ValueError, "heads must be non-negative; entry 1 is -1"),
        ([5, 2.5], [10, 10], ValueError, "heads must be whole numbers; entry 1 is 2.5"),
        ([5, np.nan], [10, 10], ValueError, "heads must be finite"),
        ([], [], ValueError, "heads is empty"),
        ([5, 6], [10], ValueError, "one entry per set; got 2 heads and 1 tosses"),
        ([[5, 6]], [[10, 10]], ValueError, "heads must be 1-D"),
        (["5", "6"], [10, 10], TypeError, "heads must hold numbers"),
        ("HHT", [3], TypeError, "got a string"),
        ([True, False], [1, 1], TypeError, "booleans"),
    ],
)
def test_bad_counts_get_clear_errors(coin_model, heads, tosses, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(coin_model, (heads, tosses), init={"theta": [0.6, 0.5]})


@pytest.mark.parametrize(
    "init, exc, match",
    [
        ({"theta": [0.6, 1.0]}, ValueError, "strictly between 0 and 1"),
        ({"theta": [0.0, 0.5]}, ValueError, "strictly between 0 and 1"),
        ({"theta": [0.6, np.nan]}, ValueError, "theta must be finite"),
        ({"theta": [0.6, 0.5, 0.4]}, ValueError, "theta must have 2 entries"),
        ({"theta": [0.6]}, ValueError, "theta must have 2 entries"),
        ({"thetas": [0.6, 0.5]}, ValueError, "unknown keys"),
        ({"weights": [0.5, 0.5]}, ValueError, "need 'theta'"),
        ({"theta": [0.6, 0.5], "weights": [0.3, 0.7]}, ValueError, "keeps the weights fixed"),
        ([0.6, 0.5], TypeError, "init must be a CoinParams or a mapping"),
    ],
)
def test_bad_starting_points_get_clear_errors(coin_model, coin_data, init, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(coin_model, coin_data, init=init)


def test_bad_model_settings():
    with pytest.raises(ValueError, match="n_coins must be an integer >= 1; got 0"):
        CoinMixture(n_coins=0)
    with pytest.raises(TypeError, match="n_coins must be an integer"):
        CoinMixture(n_coins=2.0)
    with pytest.raises(ValueError, match="weights must sum to 1"):
        CoinMixture(weights=[0.5, 0.6])
    with pytest.raises(ValueError, match="weights must have 2 entries"):
        CoinMixture(weights=[1.0])


def test_bad_labels_and_data_containers(coin_data):
    with pytest.raises(ValueError, match="label 2 is 'C'"):
        complete_data_mle(coin_data, ["A", "B", "C", "A", "B"])
    with pytest.raises(ValueError, match="one entry per set"):
        complete_data_mle(coin_data, ["A", "B"])
    with pytest.raises(ValueError, match="coin B has no labelled tosses"):
        complete_data_mle(coin_data, ["A"] * 5)
    with pytest.raises(ValueError, match="labels are needed"):
        complete_data_mle((coin_data.heads, coin_data.tosses))
    with pytest.raises(TypeError, match="coin data must be"):
        fit_em(CoinMixture(), [1, 2, 3])
    with pytest.raises(ValueError, match="missing \\['tosses'\\]"):
        fit_em(CoinMixture(), {"heads": [1, 2]})
    with pytest.raises(ValueError, match="letters other than H and T"):
        CoinData.from_sequences(["HTX"])


def test_mapping_and_params_inputs_agree(coin_model, coin_data):
    a = fit_em(coin_model, {"heads": coin_data.heads, "tosses": coin_data.tosses}, init={"theta": (0.6, 0.5)})
    b = fit_em(coin_model, coin_data, init=emcore.CoinParams(theta=(0.6, 0.5), weights=(0.5, 0.5)))
    assert a.history == b.history


def test_every_evaluation_accepts_params_or_a_mapping(coin_model, coin_data):
    params = CoinParams(theta=(0.6, 0.5), weights=(0.5, 0.5))
    mapping = {"theta": [0.6, 0.5]}
    np.testing.assert_array_equal(coin_model.log_joint(coin_data, params), coin_model.log_joint(coin_data, mapping))
    q = np.full((5, 2), 0.5)
    assert coin_model.complete_loglik(coin_data, params, q) == coin_model.complete_loglik(coin_data, mapping, q)
    assert coin_model.loglik(coin_data, params) == coin_model.loglik(coin_data, mapping)


def test_loglik_at_a_boundary_estimate(coin_model):
    # An M-step can put a bias exactly at 1 (a coin that only ever saw heads).
    data = ([10, 10, 2], [10, 10, 10])
    params = CoinParams(theta=(1.0, 0.2), weights=(0.5, 0.5))
    assert np.isfinite(coin_model.loglik(data, params))
    post, ll = coin_model.e_step(coin_model.prepare(data), params)
    assert post[2].tolist() == [0.0, 1.0] and np.isfinite(ll)


def test_an_empty_coin_with_learned_weights_is_quietly_dead(coin_data, recwarn):
    model = CoinMixture(fixed=())
    result = fit_em(model, coin_data, init={"theta": [0.1, 0.2]}, mode="hard")
    assert result.converged
    assert 0.0 in result.params.weights
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_fixed_is_the_one_spelling_and_the_old_keyword_still_works(coin_data):
    assert CoinMixture().fixed == {"weights"} and not CoinMixture().learn_weights
    assert CoinMixture(fixed=()).learn_weights
    with pytest.warns(DeprecationWarning, match=r"learn_weights= is replaced by fixed="):
        old = CoinMixture(learn_weights=True)
    assert old.fixed == frozenset()
    init = {"theta": [0.6, 0.5], "weights": [0.3, 0.7]}
    a = fit_em(old, coin_data, init=init)
    b = fit_em(CoinMixture(fixed=()), coin_data, init=init)
    assert a.loglik == b.loglik and np.array_equal(a.params.weights, b.params.weights)
    held = fit_em(CoinMixture(fixed={"weights"}, weights=[0.3, 0.7]), coin_data, init=init)
    assert np.array_equal(held.params.weights, [0.3, 0.7])
    assert repr(CoinMixture(fixed=())) == "CoinMixture(n_coins=2, fixed=())"
