"""Gaussian mixtures: known answers, scikit-learn equivalence, k-means limit, bad input."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import multivariate_normal

from emcore import fit_em
from emcore.em import DECREASE_RTOL
from emcore.gmm import COVARIANCE_TYPES, GaussianMixture, GMMData, GMMParams, kmeans_plusplus

SK_TYPES = ("full", "diag", "spherical", "tied")


def blobs(seed=0, n_per=150, d=3, k=3, spread=4.0):
    """Three elongated clusters."""
    rng = np.random.default_rng(seed)
    parts = [rng.normal(size=(n_per, d)) @ rng.normal(size=(d, d)) + rng.normal(scale=spread, size=d) for _ in range(k)]
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def X():
    return blobs()


def precisions_of(params):
    if params.covariance_type in ("full", "tied"):
        return np.linalg.inv(params.covariances)
    return 1.0 / params.covariances


def sklearn_fit(X, start, max_iter, **kw):
    from sklearn.mixture import GaussianMixture as SkGM

    sk = SkGM(
        start.n_components,
        covariance_type=start.covariance_type,
        tol=0.0,
        max_iter=max_iter,
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=precisions_of(start),
        **kw,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: tol=0 never "converges"
        return sk.fit(X)


def match(means_a, means_b):
    """Permutation p with means_a[p] ~ means_b."""
    cost = ((means_b[:, None, :] - means_a[None, :, :]) ** 2).sum(-1)
    _, cols = linear_sum_assignment(cost)
    return cols


# -- scikit-learn equivalence ---------------------------------------------------------
@pytest.mark.parametrize("covariance_type", SK_TYPES)
@pytest.mark.parametrize("max_iter", [1, 25])
def test_same_fit_as_sklearn_from_the_same_start(X, covariance_type, max_iter):
    model = GaussianMixture(3, covariance_type)
    start = model.initial_params(model.prepare(X), np.random.default_rng(3))
    ours = fit_em(model, X, init=start, tol=0.0, max_iter=max_iter)
    sk = sklearn_fit(X, start, max_iter)
    assert ours.n_iter == max_iter or ours.status == "converged"
    # scikit-learn's score is a per-sample mean at the final parameters; compare totals.
    total = sk.score(X) * X.shape[0]
    assert ours.loglik == pytest.approx(total, rel=1e-8)
    p = match(ours.params.means, sk.means_)
    np.testing.assert_allclose(ours.params.means[p], sk.means_, atol=1e-6)
    np.testing.assert_allclose(ours.params.weights[p], sk.weights_, atol=1e-6)
    cov = ours.params.covariances
    if covariance_type != "tied":
        cov = cov[p]
    np.testing.assert_allclose(cov, sk.covariances_, atol=1e-6)
    np.testing.assert_allclose(
        ours.params.precisions_cholesky if covariance_type == "tied" else ours.params.precisions_cholesky[p],
        sk.precisions_cholesky_,
        atol=1e-6,
    )
    # lower_bound_ is the per-sample mean log-likelihood *before* the last M-step.
    assert ours.history[-2].loglik / X.shape[0] == pytest.approx(sk.lower_bound_, rel=1e-8)
    np.testing.assert_allclose(model.score_samples(X, ours.params), sk.score_samples(X), rtol=1e-9)
    np.testing.assert_allclose(model.responsibilities(X, ours.params)[:, p], sk.predict_proba(X), atol=1e-8)


@pytest.mark.parametrize("covariance_type", SK_TYPES)
def test_same_optimum_as_sklearn_at_convergence_with_other_reg_covar(covariance_type):
    X = blobs(seed=5, n_per=80, d=4)
    model = GaussianMixture(3, covariance_type, reg_covar=1e-3)
    start = model.initial_params(model.prepare(X), np.random.default_rng(11))
    ours = fit_em(model, X, init=start, tol=1e-14, max_iter=5000)
    sk = sklearn_fit(X, start, ours.n_iter, reg_covar=1e-3)
    assert ours.converged
    assert ours.loglik == pytest.approx(sk.score(X) * X.shape[0], rel=1e-8)
    p = match(ours.params.means, sk.means_)
    np.testing.assert_allclose(ours.params.means[p], sk.means_, atol=1e-6)
    assert model.bic(X, ours.params) == pytest.approx(sk.bic(X), rel=1e-8)
    assert model.aic(X, ours.params) == pytest.approx(sk.aic(X), rel=1e-8)
    assert model.n_parameters(X.shape[1]) == sk._n_parameters()


def test_random_responsibilities_start_like_sklearn_random_init(X):
    model = GaussianMixture(3, init="random")
    a = model.initial_params(model.prepare(X), np.random.default_rng(0))
    b = model.initial_params(model.prepare(X), np.random.default_rng(0))
    np.testing.assert_array_equal(a.means, b.means)
    # random responsibilities put every mean near the overall mean
    assert np.abs(a.means - X.mean(axis=0)).max() < 0.2 * X.std(axis=0).max()


# -- known answers --------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_joint_is_weight_times_normal_density(X, covariance_type):
    model = GaussianMixture(3, covariance_type)
    params = model.initial_params(model.prepare(X), np.random.default_rng(1))
    full = params.full_covariances()
    expected = np.column_stack(
        [np.log(params.weights[k]) + multivariate_normal(params.means[k], full[k]).logpdf(X) for k in range(3)]
    )
    np.testing.assert_allclose(model.log_joint(X, params), expected, rtol=1e-11)
    post, ll = model.e_step(model.prepare(X), params)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, rtol=1e-14)
    assert ll == pytest.approx(np.logaddexp.reduce(expected, axis=1).sum(), rel=1e-13)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_component_is_the_sample_mean_and_covariance(X, covariance_type):
    model = GaussianMixture(1, covariance_type, reg_covar=0.0)
    result = fit_em(model, X, max_iter=1, seed=0)
    np.testing.assert_allclose(result.params.means[0], X.mean(axis=0), rtol=1e-12)
    cov = np.cov(X.T, bias=True)
    expected = {
        "full": cov[None],
        "tied": cov,
        "diag": np.diag(cov)[None],
        "spherical": np.array([np.trace(cov) / 3]),
        "tied_spherical": np.array(np.trace(cov) / 3),
    }[covariance_type]
    np.testing.assert_allclose(result.params.covariances, expected, rtol=1e-10)


def test_elbo_touches_the_loglik_at_the_posterior(X):
    model = GaussianMixture(3)
    data = model.prepare(X)
    params = model.initial_params(data, np.random.default_rng(2))
    q, ll = model.e_step(data, params)
    assert model.complete_loglik(data, params, q) + model.entropy(q) == pytest.approx(ll, rel=1e-12)
    other = np.full_like(q, 1 / 3)
    assert model.complete_loglik(data, params, other) + model.entropy(other) < ll
    onehot, ll2, closs = model.hard_e_step(data, params)
    assert ll2 == pytest.approx(ll, rel=1e-13)
    assert model.complete_loglik(data, params, onehot) == pytest.approx(closs, rel=1e-13)
    assert model.entropy(onehot) == 0.0


def test_labels_and_uncertainty(X):
    model = GaussianMixture(3)
    result = fit_em(model, X, n_init=3, seed=1)
    resp = model.responsibilities(X, result.params)
    np.testing.assert_array_equal(model.predict(X, result.params), resp.argmax(axis=1))
    u = model.uncertainty(X, result.params)
    np.testing.assert_allclose(u, 1 - resp.max(axis=1))
    assert u.min() >= 0 and u.max() <= 2 / 3


def test_chunking_does_not_change_the_answer(X, monkeypatch):
    from emcore import _gmm_kernels

    model = GaussianMixture(3)
    a = fit_em(model, X, seed=4, max_iter=5, tol=0)
    monkeypatch.setattr(_gmm_kernels, "CHUNK_ELEMENTS", 37)  # chunks of 4 rows
    b = fit_em(model, X, seed=4, max_iter=5, tol=0)
    np.testing.assert_allclose(a.loglik_trace, b.loglik_trace, rtol=1e-12)
    np.testing.assert_allclose(a.params.covariances, b.params.covariances, rtol=1e-9)


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_threads_do_not_change_a_single_bit(X, monkeypatch, covariance_type):
    from emcore import _gmm_kernels

    monkeypatch.setattr(_gmm_kernels, "CHUNK_ELEMENTS", 90)  # 450 rows -> 75 chunks
    model = GaussianMixture(3, covariance_type)
    monkeypatch.setattr(_gmm_kernels, "N_WORKERS", 1)
    serial = fit_em(model, X, seed=4, max_iter=5, tol=0)
    monkeypatch.setattr(_gmm_kernels, "N_WORKERS", 3)
    threaded = fit_em(model, X, seed=4, max_iter=5, tol=0)
    assert serial.loglik_trace.tolist() == threaded.loglik_trace.tolist()
    assert np.array_equal(serial.params.covariances, threaded.params.covariances)
    assert np.array_equal(serial.params.means, threaded.params.means)


def test_covariances_or_precisions_give_the_same_start(X):
    model = GaussianMixture(2, "full")
    means = X[:2]
    cov = np.array([[[2.0, 0.3, 0], [0.3, 1, 0], [0, 0, 1]], np.eye(3)])
    a = model.coerce_params({"means": means, "covariances": cov}, X)
    b = model.coerce_params({"means": means, "precisions": np.linalg.inv(cov)}, X)
    np.testing.assert_allclose(a.covariances, b.covariances, rtol=1e-12)
    c = model.coerce_params({"means": means}, X)  # defaults: equal weights, data covariance
    np.testing.assert_allclose(c.weights, [0.5, 0.5])
    np.testing.assert_allclose(c.covariances[0], np.cov(X.T, bias=True) + 1e-6 * np.eye(3), rtol=1e-10)


# -- EM behaviour ---------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("mode", ["soft", "hard"])
def test_objective_never_decreases(X, covariance_type, mode):
    model = GaussianMixture(4, covariance_type, init="random")
    result = fit_em(model, X, mode=mode, n_init=4, seed=9, tol=0, max_iter=60)
    for run in result.runs:
        trace = run.objective_trace
        assert np.all(np.diff(trace) >= -DECREASE_RTOL * np.maximum(1, np.abs(trace[:-1])))
        assert run.status in ("converged", "max_iter")
        assert np.all(np.isfinite(run.loglik_trace))


def test_restarts_are_reproducible_and_pick_the_best(X):
    model = GaussianMixture(3)
    a = fit_em(model, X, n_init=4, seed=123)
    b = fit_em(model, X, n_init=4, seed=123)
    assert [r.loglik for r in a.runs] == [r.loglik for r in b.runs]
    assert a.loglik == max(r.loglik for r in a.runs)


def test_kmeans_is_the_hard_shared_spherical_equal_weight_limit():
    from sklearn.cluster import KMeans

    X = blobs(seed=8, n_per=100, d=2, k=4, spread=3.0)
    seeds = kmeans_plusplus(X, 4, np.random.default_rng(0))
    model = GaussianMixture(4, "tied_spherical", fixed={"weights"})
    ours = fit_em(model, X, init={"means": seeds, "covariances": 1.0}, mode="hard", max_iter=300)
    km = KMeans(4, init=seeds, n_init=1, algorithm="lloyd", tol=0, max_iter=300).fit(X)
    assert ours.converged
    np.testing.assert_allclose(ours.params.means, km.cluster_centers_, rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X, ours.params), km.labels_)
    # the shared variance is the within-cluster sum of squares per coordinate (+ reg_covar)
    assert float(ours.params.covariances) == pytest.approx(km.inertia_ / X.size + 1e-6, rel=1e-10)


def test_a_collapsing_component_stays_finite():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(60, 2)), np.tile([[5.0, 5.0]], (5, 1))])
    model = GaussianMixture(2)
    start = {"means": [[0.0, 0.0], [5.0, 5.0]], "covariances": [np.eye(2), np.eye(2)]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning, no EMWarning
        result = fit_em(model, X, init=start, max_iter=50)
    np.testing.assert_allclose(result.params.covariances[1], 1e-6 * np.eye(2), rtol=1e-6)
    assert np.isfinite(result.loglik)
    with pytest.raises(ValueError, match=r"fewer components, a larger reg_covar \(now 0\), or scale the data"):
        fit_em(GaussianMixture(2, reg_covar=0.0), X, init=start, max_iter=50)


def test_an_empty_component_in_hard_em_keeps_its_place(X):
    model = GaussianMixture(2)
    far = {"means": [X.mean(axis=0), [1e3, 1e3, 1e3]], "covariances": [np.eye(3), np.eye(3)]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_em(model, X, init=far, mode="hard")
    assert result.converged
    assert result.params.weights.tolist()[1] == 0.0
    np.testing.assert_allclose(result.params.means[1], [1e3, 1e3, 1e3])
    assert np.isfinite(result.loglik)


def test_bic_and_aic_conventions(X):
    model = GaussianMixture(3, "diag")
    result = fit_em(model, X, seed=0)
    p = 3 * 3 + 3 * 3 + 2
    assert model.n_parameters(3) == p
    assert model.bic(X, result.params) == pytest.approx(-2 * result.loglik + p * np.log(len(X)), rel=1e-12)
    assert model.aic(X, result.params) == pytest.approx(-2 * result.loglik + 2 * p, rel=1e-12)
    assert GaussianMixture(3, "tied_spherical", fixed={"weights"}).n_parameters(3) == 10


def test_kmeans_plusplus_picks_distinct_rows():
    X = blobs(seed=1)
    seeds = kmeans_plusplus(X, 3, np.random.default_rng(0))
    assert len({tuple(s) for s in seeds}) == 3
    assert all(any(np.array_equal(s, x) for x in X) for s in seeds)
    tiny = np.zeros((4, 2))
    assert kmeans_plusplus(tiny, 3, np.random.default_rng(0)).shape == (3, 2)


def test_input_array_is_not_frozen_or_copied_into_params():
    X = blobs(seed=2)
    data = GMMData(X)
    assert X.flags.writeable and not data.X.flags.writeable
    X[0, 0] = 1e9
    assert data.X[0, 0] != 1e9


# -- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, exc, match",
    [
        (np.array([[0.0, 1.0], [np.nan, np.nan], [1, 1]]), ValueError, r"sample 1 has every feature missing"),
        (np.array([[0.0, np.inf], [1, 2.0], [1, 1]]), ValueError, r"sample 0, feature 1 is inf"),
        (np.arange(5.0), ValueError, r"2-D \(samples x features\); got an array of shape \(5,\).*reshape"),
        (np.zeros((3, 2, 2)), ValueError, r"2-D .* shape \(3, 2, 2\)"),
        (np.zeros((0, 2)), ValueError, "empty"),
        ([[1, 2], [3]], ValueError, "2-D array of numbers"),
        ([["a", "b"], ["c", "d"]], TypeError, "real numbers"),
        ("data", TypeError, "got a string"),
        (np.zeros((2, 2)), ValueError, r"fewer samples \(2\) than components \(3\)"),
    ],
)
def test_bad_data_gets_clear_errors(data, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(GaussianMixture(3), data, seed=0)


@pytest.mark.parametrize(
    "init, exc, match",
    [
        ({"means": np.zeros((2, 3))}, ValueError, r"means must have shape \(3, n_features\)"),
        ({"means": np.zeros((3, 2))}, ValueError, "means have 2 features but the data have 3"),
        ({"means": np.zeros((3, 3)), "weights": [0.5, 0.5]}, ValueError, r"weights must have shape \(3,\)"),
        ({"means": np.zeros((3, 3)), "weights": [0.5, 0.6, -0.1]}, ValueError, "positive and sum to 1"),
        ({"means": np.zeros((3, 3)), "covariances": np.ones((3, 3))}, ValueError, r"must have shape \(3, 3, 3\)"),
        (
            {"means": np.zeros((3, 3)), "covariances": -np.stack([np.eye(3)] * 3)},
            ValueError,
            "component 0 is not positive-definite",
        ),
        (
            {"means": np.zeros((3, 3)), "covariances": np.stack([np.eye(3), np.ones((3, 3)), np.eye(3)])},
            ValueError,
            "component 1 is not positive-definite",
        ),
        (
            {"means": np.zeros((3, 3)), "covariances": np.stack([np.eye(3), np.triu(np.ones((3, 3))), np.eye(3)])},
            ValueError,
            r"covariances\[1\] must be symmetric",
        ),
        ({"means": [[0, 0, np.nan]] * 3}, ValueError, "means must be finite"),
        (
            {"means": np.zeros((3, 3)), "precisions": np.stack([np.eye(3)] * 3), "covariances": 1},
            ValueError,
            "not both",
        ),
        ({"mean": np.zeros((3, 3))}, ValueError, "unknown keys"),
        ({"weights": [1 / 3] * 3}, ValueError, "need 'means'"),
        (np.zeros((3, 3)), TypeError, "init must be a GMMParams or a mapping"),
    ],
)
def test_bad_starting_points_get_clear_errors(X, init, exc, match):
    with pytest.raises(exc, match=match):
        fit_em(GaussianMixture(3), X, init=init)


def test_bad_covariances_for_each_type(X):
    with pytest.raises(ValueError, match="component 2 is not positive-definite"):
        fit_em(GaussianMixture(3, "diag"), X, init={"means": X[:3], "covariances": [[1, 1, 1], [1, 1, 1], [1, 0, 1]]})
    with pytest.raises(ValueError, match="component 1 is not positive-definite"):
        fit_em(GaussianMixture(3, "spherical"), X, init={"means": X[:3], "covariances": [1, -1, 1]})
    with pytest.raises(ValueError, match="shared covariance is not positive-definite"):
        fit_em(GaussianMixture(3, "tied"), X, init={"means": X[:3], "covariances": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"'tied_spherical' covariances must have shape \(\)"):
        fit_em(GaussianMixture(3, "tied_spherical"), X, init={"means": X[:3], "covariances": [1, 1, 1]})
    with pytest.raises(ValueError, match="this model has covariance_type='diag'"):
        params = GaussianMixture(3).coerce_params({"means": X[:3]}, X)
        fit_em(GaussianMixture(3, "diag"), X, init=params)
    with pytest.raises(ValueError, match="keeps the weights fixed and equal"):
        fit_em(GaussianMixture(3, fixed={"weights"}), X, init={"means": X[:3], "weights": [0.2, 0.3, 0.5]})


def test_bad_model_settings():
    with pytest.raises(ValueError, match="n_components must be an integer >= 1; got 0"):
        GaussianMixture(0)
    with pytest.raises(TypeError, match="n_components must be an integer"):
        GaussianMixture(2.0)
    with pytest.raises(ValueError, match="covariance_type must be one of"):
        GaussianMixture(2, "banana")
    with pytest.raises(ValueError, match="reg_covar must be a finite number >= 0"):
        GaussianMixture(2, reg_covar=-1e-6)
    with pytest.raises(ValueError, match="init must be one of"):
        GaussianMixture(2, init="kmeans")
    with pytest.raises(TypeError, match="learn_weights must be True or False"):
        GaussianMixture(2, learn_weights=1)


def test_params_object_checks_itself():
    with pytest.raises(ValueError, match="weights must be non-negative and sum to 1"):
        GMMParams([0.5, 0.6], np.zeros((2, 2)), np.ones(2), "spherical")
    with pytest.raises(ValueError, match=r"'diag' covariances must have shape \(2, 2\)"):
        GMMParams([0.5, 0.5], np.zeros((2, 2)), np.ones(2), "diag")
    params = GMMParams([0.5, 0.5], np.zeros((2, 2)), np.ones(2), "spherical")
    assert not params.means.flags.writeable
    assert "covariance_type='spherical'" in repr(params)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("learn_weights", [True, False])
def test_unconstrained_vector_round_trip(X, covariance_type, learn_weights):
    model = GaussianMixture(3, covariance_type=covariance_type, fixed=() if learn_weights else {"weights"})
    params = model.initial_params(model.prepare(X), np.random.default_rng(4))
    vector = model.to_unconstrained(params)
    K, d = 3, X.shape[1]
    n_cov = {
        "full": K * d * (d + 1) // 2,
        "tied": d * (d + 1) // 2,
        "diag": K * d,
        "spherical": K,
        "tied_spherical": 1,
    }[covariance_type]
    assert vector.shape == ((K - 1 if learn_weights else 0) + K * d + n_cov,)
    back = model.from_unconstrained(vector, params)
    np.testing.assert_allclose(back.weights, params.weights, rtol=1e-12)
    np.testing.assert_allclose(back.means, params.means, rtol=1e-12)
    np.testing.assert_allclose(back.covariances, params.covariances, rtol=1e-10, atol=1e-12)
    # any finite vector is a valid mixture
    moved = model.from_unconstrained(vector + np.random.default_rng(1).normal(size=vector.size), params)
    assert np.isclose(moved.weights.sum(), 1.0) and np.all(moved.weights > 0)
    with pytest.raises(ValueError, match="shape"):
        model.from_unconstrained(vector[:-1], params)
    with pytest.raises(ValueError, match="finite"):
        model.from_unconstrained(np.full_like(vector, np.nan), params)


# -- degenerate and extreme input: a clear error, never a warning, never NaN -------------
def test_scoring_new_data_needs_no_minimum_number_of_samples(X):
    model = GaussianMixture(3)
    result = fit_em(model, X, seed=0)
    one = X[:1]
    assert model.predict(one, result.params).shape == (1,)
    assert np.isfinite(model.score_samples(one, result.params)).all()
    assert np.isfinite(model.bic(X[:2], result.params))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_large_but_representable_data_fit_without_warnings(covariance_type):
    rng = np.random.default_rng(3)
    X = np.r_[rng.normal(size=(40, 2)), rng.normal(4.0, 1.0, size=(40, 2))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scale in (1e140, 1e-140):
            model = GaussianMixture(2, covariance_type, reg_covar=0.0)
            result = fit_em(model, X * scale, seed=0, max_iter=50)
            assert np.isfinite(result.loglik) and result.status in ("converged", "max_iter")
            assert np.isfinite(model.bic(X * scale, result.params))
        with pytest.raises(ValueError, match=r"data: values too large for float64 .*Rescale"):
            fit_em(GaussianMixture(2, covariance_type), X * 1e160, seed=0)


def test_degenerate_covariances_name_reg_covar_on_every_path():
    constant = np.ones((10, 2))
    column = np.c_[np.arange(10.0), np.ones(10)]
    with pytest.raises(ValueError, match=r"EM cannot start: .*every feature is constant.*reg_covar \(now 0"):
        fit_em(GaussianMixture(1, reg_covar=0.0), constant, seed=0)
    with pytest.raises(ValueError, match=r"feature 1 is constant.*reg_covar \(now 0"):
        fit_em(GaussianMixture(2, "diag", reg_covar=0.0), column, seed=0)
    with pytest.raises(ValueError, match=r"default starting covariances .*reg_covar \(now 0"):
        fit_em(GaussianMixture(1, reg_covar=0.0), column, init={"means": column[:1]})
    # and the regularised fits of the same data are finite
    assert np.isfinite(fit_em(GaussianMixture(1), constant, seed=0).loglik)
    assert np.isfinite(fit_em(GaussianMixture(2, "diag"), column, seed=0).loglik)


def test_no_private_exception_class_escapes():
    with pytest.raises(ValueError) as info:
        GMMParams([0.5, 0.5], np.zeros((2, 2)), [1.0, 0.0], "spherical")
    assert type(info.value) is ValueError and "component 1 is not positive-definite" in str(info.value)
    with pytest.raises(ValueError) as info:
        fit_em(GaussianMixture(1, reg_covar=0.0), np.ones((5, 2)), seed=0)
    assert type(info.value) is ValueError


def test_more_components_than_distinct_rows_is_refused():
    X = np.repeat([[0.0, 0.0], [1.0, 2.0]], 6, axis=0)
    with pytest.raises(ValueError, match=r"only 2 distinct rows .*n_components=3.*at most 2 components"):
        fit_em(GaussianMixture(3), X, seed=0)
    assert fit_em(GaussianMixture(2), X, seed=0).converged


def test_a_sample_far_from_every_component_is_refused_not_minus_inf(X):
    # data of ordinary size, but covariances so narrow that sample 3 is beyond float64
    model = GaussianMixture(3, "spherical")
    params = model.coerce_params({"means": X[:3], "covariances": [1e-310] * 3}, X)
    far = X[:4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in (model.score_samples, model.predict, model.loglik, model.bic, model.responsibilities):
            with pytest.raises(ValueError, match=r"sample 3 has density 0 .*under every component"):
                method(far, params)


def test_kmeans_plusplus_takes_a_seed():
    X = blobs(seed=1)
    np.testing.assert_array_equal(kmeans_plusplus(X, 3, 5), kmeans_plusplus(X, 3, np.random.default_rng(5)))


@pytest.mark.parametrize("d", [1, 2, 7])
@pytest.mark.parametrize("diagonal", [False, True])
def test_compiled_features_equal_the_numpy_features_bit_for_bit(d, diagonal):
    # the statistics path's features phi(x): one compiled loop when numba is installed,
    # d + 1 numpy calls otherwise; both must give the same numbers to the last bit
    from emcore import _gmm_kernels as kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed: only the numpy features exist")
    rng = np.random.default_rng(d)
    X = rng.normal(scale=1e3, size=(301, d))
    shift = rng.normal(size=d)
    F = kernels.n_moment_features(d, diagonal)
    compiled = kernels._features(X[7:290], shift, diagonal, np.full((F, 400), np.nan))
    reference = kernels._features(X[7:290], shift, diagonal, np.full((F, 400), np.nan), compiled=False)
    assert compiled.shape == (F, 283)
    np.testing.assert_array_equal(compiled, reference)


@pytest.mark.parametrize("diagonal", [False, True])
def test_compiled_statistics_equal_the_numpy_statistics_on_any_number_of_threads(diagonal):
    # the statistics kernel: compiled blocks shared by the BLAS's threads, or numpy
    # blocks in the calling thread; blocks are added in order, so one thread and two
    # give the same bits, and the compiled path agrees with numpy to rounding
    from threadpoolctl import threadpool_limits

    from emcore import _gmm_kernels as kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed: only the numpy statistics exist")
    rng = np.random.default_rng(11)
    d, K = 6, 4
    X = rng.normal(scale=3.0, size=(20_011, d))  # many blocks, the last one short
    shift = X.mean(axis=0)
    F = kernels.n_moment_features(d, diagonal)
    A = np.concatenate([np.full((K, 1), -5.0), rng.normal(size=(K, F - 1)) * 0.1], axis=1)
    A[:, 1 + d :] = -np.abs(A[:, 1 + d :])  # a proper (concave) log-joint on the squares
    rows_per_block = max(1, F * kernels.CHUNK_ELEMENTS // kernels.STATS_BLOCK_ELEMENTS)
    assert X.shape[0] > 4 * rows_per_block
    T, total, bad = kernels.moment_stats(X, shift, A, diagonal)
    with threadpool_limits(1, "blas"):
        T1, total1, bad1 = kernels.moment_stats(X, shift, A, diagonal)
    np.testing.assert_array_equal(T1, T)
    assert (total1, bad1, bad) == (total, -1, -1)
    T_np, total_np, bad_np = kernels.moment_stats(X, shift, A, diagonal, compiled=False)
    np.testing.assert_allclose(T, T_np, rtol=1e-12, atol=1e-12 * np.abs(T_np).max())
    assert abs(total - total_np) <= 1e-12 * abs(total_np) and bad_np == -1
    # a row with density 0 under every component is reported by both paths
    X[15_000] = 1e200
    assert kernels.moment_stats(X, shift, A, diagonal)[2] == 15_000
    assert kernels.moment_stats(X, shift, A, diagonal, compiled=False)[2] == 15_000


def test_compiled_exp_is_within_one_unit_in_the_last_place_on_its_range():
    # the statistics path's own exp (vectorised by the compiler on any CPU) against
    # numpy's, on the floored log-joint's range [-600, 0]; exp(0) is exactly 1 (the
    # largest entry of every column), NaN stays NaN
    from emcore import _gmm_kernels as kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed: the numpy statistics use numpy's exp")
    rng = np.random.default_rng(5)
    x = np.concatenate([
        -600.0 * rng.random(200_000), -rng.random(50_000), -np.log(2.0) * np.arange(0.0, 866.0, 0.5),
        [0.0, -0.0, -1e-300, -600.0, np.nan],
    ])  # fmt: skip
    x = x[(x >= -600.0) | np.isnan(x)]
    got = x.copy()
    kernels._exp_nonpositive(got, np.empty_like(got))
    want = np.exp(x)
    finite = ~np.isnan(x)
    assert np.isnan(got[~finite]).all()
    ulps = np.abs(got[finite] - want[finite]) / np.spacing(want[finite])
    assert ulps.max() <= 1.0, ulps.max()
    assert (got[x == 0.0] == 1.0).all()


def test_compiled_exp_gives_the_same_bits_when_compiled_for_a_generic_cpu():
    # no fused multiply-adds and no reassociation: the vectorised loop of this CPU and
    # the scalar loop numba compiles for a generic x86-64 round identically
    import subprocess
    import sys

    from emcore import _gmm_kernels as kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed: the numpy statistics use numpy's exp")
    code = (
        "import numpy as np; from emcore import _gmm_kernels as k; "
        "x = -600.0 * np.random.default_rng(3).random(100_003); "
        "k._exp_nonpositive(x, np.empty_like(x)); print(x.view(np.int64).sum())"
    )
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    generic = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "NUMBA_CPU_NAME": "generic"},
    )  # fmt: skip
    assert here.stdout == generic.stdout and here.stdout.strip()


def test_statistics_of_a_far_component_match_the_posterior_path():
    # a component hundreds of standard deviations from every sample: its log
    # responsibilities are about -1e5, below the statistics path's floor of -600
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(size=(400, 3)), rng.normal(loc=300.0, size=(5, 3))])
    model = GaussianMixture(3)
    params = model.coerce_params(
        {
            "weights": [0.5, 0.3, 0.2],
            "means": [[0, 0, 0], [1, 1, 1], [300, 300, 300]],
            "covariances": np.stack([np.eye(3)] * 3),
        },
        X,
    )
    data = model.prepare(X)
    posterior, loglik = model.e_step(data, params)
    stats, loglik_stats = model.expected_stats(data, params)
    assert abs(loglik_stats - loglik) <= 1e-12 * abs(loglik)
    plain = model.m_step(data, posterior, params)
    from_stats = model.m_step_stats(data, stats, params)
    np.testing.assert_allclose(from_stats.weights, plain.weights, rtol=1e-12)
    np.testing.assert_allclose(from_stats.means, plain.means, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(from_stats.covariances, plain.covariances, rtol=1e-8, atol=1e-10)
