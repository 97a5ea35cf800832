"""EM for a Gaussian mixture with missing entries (NaN): the marginal likelihood, the
expected statistics with the conditional-covariance term, the fixed point against a
direct maximisation of the observed-data log-likelihood, monotone ascent, imputation
and the errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from em_properties import check_soft_em
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.stats import multivariate_normal

from emcore import fit_em
from emcore.gmm import COVARIANCE_TYPES, GaussianMixture, GMMData
from emcore.gmm import missing as gm


def correlated(n, d, rng, k=1, spread=3.0):
    centres = rng.normal(scale=spread, size=(k, d))
    mixing = rng.normal(size=(k, d, d)) / np.sqrt(d) + np.eye(d)
    labels = rng.integers(k, size=n)
    return centres[labels] + np.einsum("ia,iab->ib", rng.normal(size=(n, d)), mixing[labels])


def knock_out(X, rng, rate=0.2, depend=True):
    """Missing at random: entries of columns 1.. go missing more often where column 0 is high."""
    n, d = X.shape
    p = np.full((n, d), rate)
    if depend and d > 1:
        p[:, 1:] = np.clip(rate * 2 / (1 + np.exp(-X[:, :1])), 0, 0.9)
    missing = rng.uniform(size=(n, d)) < p
    missing[missing.all(axis=1), 0] = False  # every row keeps one observed value
    Y = X.copy()
    Y[missing] = np.nan
    return Y


def observed_loglik(X, weights, means, covs):
    """sum_i log sum_k w_k N(x_io; mu_k[o], Sigma_k[o, o]), one row at a time (scipy)."""
    total = 0.0
    for row in X:
        o = ~np.isnan(row)
        dens = [w * multivariate_normal(m[o], c[np.ix_(o, o)]).pdf(row[o]) for w, m, c in zip(weights, means, covs)]
        total += np.log(np.sum(dens))
    return total


def test_patterns_group_rows_in_order_of_first_appearance():
    observed = np.array([[1, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=bool)
    groups = gm.patterns(observed)
    assert [g[2].tolist() for g in groups] == [[0, 2], [1], [3]]
    assert groups[0][0].tolist() == [0, 2] and groups[0][1].tolist() == [1]


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_the_log_likelihood_is_the_marginal_of_the_observed_entries(kind):
    rng = np.random.default_rng(1)
    X = knock_out(correlated(60, 3, rng, k=2), rng, rate=0.3)
    model = GaussianMixture(2, kind)
    params = model.initial_params(model.prepare(X), np.random.default_rng(0))
    covs = gm.full_covariances(params)
    expected = observed_loglik(X, params.weights, params.means, covs)
    assert model.loglik(X, params) == pytest.approx(expected, rel=1e-12)


def test_complete_data_take_the_complete_data_path_unchanged():
    rng = np.random.default_rng(2)
    X = correlated(200, 3, rng, k=2)
    assert GMMData(X, allow_missing=True).observed is None
    a = fit_em(GaussianMixture(2), X, seed=0)
    b = fit_em(GaussianMixture(2, missing="error"), X, seed=0)
    assert a.loglik == b.loglik and np.array_equal(a.params.means, b.params.means)


@pytest.mark.parametrize("seed", range(4))
def test_the_em_fixed_point_maximises_the_observed_data_likelihood(seed):
    # one multivariate normal (K = 1): EM's fixed point against scipy's optimiser over
    # the mean and a Cholesky factor of the covariance, no EM involved
    rng = np.random.default_rng(seed)
    d = 2 + seed % 3
    X = knock_out(correlated(150, d, rng), rng, rate=0.25)
    model = GaussianMixture(1, reg_covar=0.0)
    em = fit_em(model, X, seed=0, tol=1e-13, max_iter=5000)
    assert em.converged
    rows, cols = np.tril_indices(d)

    def negative(theta):
        mean = theta[:d]
        L = np.zeros((d, d))
        L[rows, cols] = theta[d:]
        L[np.diag_indices(d)] = np.exp(np.diagonal(L))
        return -observed_loglik(X, [1.0], [mean], [L @ L.T])

    start_cov = np.diag(np.nanvar(X, axis=0))
    L0 = np.linalg.cholesky(start_cov)
    L0[np.diag_indices(d)] = np.log(np.diagonal(L0))
    theta0 = np.concatenate([np.nanmean(X, axis=0), L0[rows, cols]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        direct = minimize(negative, theta0, method="BFGS", options={"gtol": 1e-9, "maxiter": 5000})
    assert abs(-direct.fun - em.loglik) <= 1e-6 * abs(em.loglik)
    assert em.loglik >= -direct.fun - 1e-8 * abs(em.loglik)  # EM is at least as high


def test_the_m_step_adds_the_conditional_covariance():
    # K = 1, one pattern: the M-step's covariance is the mean of (xhat xhat^T + C) minus
    # mu mu^T, computed here by hand from the regression of the missing on the observed
    rng = np.random.default_rng(5)
    X = correlated(40, 2, rng)
    X[::2, 1] = np.nan
    model = GaussianMixture(1, reg_covar=0.0)
    params = model.coerce_params({"means": [[0.5, -0.5]], "covariances": [[[2.0, 0.8], [0.8, 1.5]]]}, X)
    post, _ = model.e_step(X, params)
    new = model.m_step(X, post, params)
    mu, S = params.means[0], params.covariances[0]
    xhat = X.copy()
    gone = np.isnan(X[:, 1])
    xhat[gone, 1] = mu[1] + S[1, 0] / S[0, 0] * (X[gone, 0] - mu[0])
    C = S[1, 1] - S[1, 0] ** 2 / S[0, 0]
    mean = xhat.mean(axis=0)
    second = xhat.T @ xhat / len(X)
    second[1, 1] += gone.mean() * C
    np.testing.assert_allclose(new.means[0], mean, rtol=1e-12)
    np.testing.assert_allclose(new.covariances[0], second - np.outer(mean, mean), rtol=1e-11)


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(COVARIANCE_TYPES), k=st.integers(1, 3))
def test_soft_em_never_decreases_with_random_missingness(seed, kind, k):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 4))
    X = knock_out(correlated(int(rng.integers(20, 80)), d, rng, k=k), rng, rate=float(rng.uniform(0.05, 0.4)))
    model = GaussianMixture(k, kind)
    try:
        init = model.initial_params(model.prepare(X), rng)
    except ValueError as exc:  # a random draw can leave a feature never observed or too few distinct rows
        assert "missing (NaN) in every sample" in str(exc) or "distinct" in str(exc) or "samples" in str(exc)
        return
    check_soft_em(model, X, init, max_iter=30, record_bound=False)


@pytest.mark.parametrize("kind", COVARIANCE_TYPES)
def test_chunked_statistics_equal_the_posterior_path(kind):
    rng = np.random.default_rng(6)
    X = knock_out(correlated(500, 3, rng, k=2), rng)
    model = GaussianMixture(2, kind)
    plain = fit_em(model, X, seed=1, max_iter=40, tol=0)
    chunked = fit_em(model, X, seed=1, max_iter=40, tol=0, chunk_size=64)
    for a, b in zip(plain.history, chunked.history):
        assert abs(a.loglik - b.loglik) <= 1e-12 * abs(a.loglik)
    np.testing.assert_allclose(chunked.params.means, plain.params.means, rtol=1e-9, atol=1e-12)


def test_a_dask_array_with_missing_entries_fits_as_in_memory():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(7)
    X = knock_out(correlated(400, 3, rng, k=2), rng)
    model = GaussianMixture(2)
    plain = fit_em(model, X, seed=1, max_iter=30, tol=0)
    on_dask = fit_em(model, da.from_array(X, chunks=(100, -1)), init=plain.history[0].params, max_iter=30, tol=0)
    assert abs(on_dask.loglik - plain.loglik) <= 1e-10 * abs(plain.loglik)


def test_imputation_is_the_conditional_mean_and_variance():
    rng = np.random.default_rng(8)
    X = correlated(30, 2, rng)
    X[:10, 1] = np.nan
    model = GaussianMixture(1)
    params = model.coerce_params({"means": [[0.0, 1.0]], "covariances": [[[1.0, 0.6], [0.6, 2.0]]]}, X)
    completed, variance = model.impute(X, params)
    np.testing.assert_array_equal(completed[10:], X[10:])
    assert np.all(variance[10:] == 0) and np.all(variance[:10, 0] == 0)
    np.testing.assert_allclose(completed[:10, 1], 1.0 + 0.6 * X[:10, 0], rtol=1e-12)
    np.testing.assert_allclose(variance[:10, 1], 2.0 - 0.36, rtol=1e-12)


def test_imputation_of_a_mixture_includes_the_spread_between_components():
    rng = np.random.default_rng(9)
    X = correlated(300, 2, rng, k=2, spread=4.0)
    X[::3, 1] = np.nan
    model = GaussianMixture(2)
    result = fit_em(model, X, seed=0)
    completed, variance = model.impute(X, result.params)
    assert not np.isnan(completed).any() and np.all(variance[::3, 1] > 0)
    assert np.all(variance[1::3] == 0)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 1.0], [0.0, 0.0]]), "sample 1 has every feature missing"),
        (np.array([[1.0, np.inf], [2.0, 1.0], [3.0, 1.0]]), r"finite or NaN \(missing\); sample 0, feature 1 is inf"),
        (np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]]), "feature 1 is missing \\(NaN\\) in every sample"),
    ],
)
def test_data_that_cannot_be_fitted_get_a_clear_error(data, match):
    with pytest.raises(ValueError, match=match):
        fit_em(GaussianMixture(2), data, seed=0)


def test_missing_error_refuses_nan_and_names_the_entry():
    X = np.array([[1.0, 2.0], [3.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"data must be finite; sample 1, feature 1 is nan"):
        fit_em(GaussianMixture(1, missing="error"), X, seed=0)
    prepared = GaussianMixture(1).prepare(X)
    with pytest.raises(ValueError, match=r"sample 1, feature 1 is missing \(NaN\).*missing='error'"):
        GaussianMixture(1, missing="error").prepare(prepared)
    with pytest.raises(ValueError, match="missing must be one of"):
        GaussianMixture(1, missing="drop")


def test_the_bound_is_refused_for_missing_data_with_a_reason():
    rng = np.random.default_rng(10)
    X = knock_out(correlated(50, 2, rng), rng)
    with pytest.raises(ValueError, match="bound is not recorded for such data"):
        fit_em(GaussianMixture(1), X, seed=0, record_bound=True)


@pytest.mark.parametrize("kind", ["full", "diag"])
def test_restarts_squarem_and_hard_em_work_with_missing_entries(kind):
    rng = np.random.default_rng(11)
    X = knock_out(correlated(300, 3, rng, k=2, spread=4.0), rng)
    model = GaussianMixture(2, kind)
    plain = fit_em(model, X, seed=2, tol=1e-10, max_iter=2000)
    fast = fit_em(model, X, seed=2, tol=1e-10, max_iter=2000, accelerate="squarem")
    assert plain.converged and fast.converged
    assert abs(fast.loglik - plain.loglik) <= 1e-6 * abs(plain.loglik)
    best = fit_em(model, X, seed=2, n_init=3)
    assert best.loglik >= max(r.loglik for r in best.runs) - 1e-9 * abs(best.loglik)
    hard = fit_em(model, X, seed=2, mode="hard")
    assert np.isfinite(hard.loglik)
    # BIC counts the same parameters as for complete data
    assert model.bic(X, plain.params) == pytest.approx(
        -2 * plain.loglik + model.n_parameters(3) * np.log(len(X)), rel=1e-12
    )


# -- standard errors --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("k", "kind", "seed", "missing"),
    [
        (1, "full", 0, True),
        (1, "full", 1, False),
        (2, "full", 2, True),
        (2, "diag", 3, True),
        (2, "spherical", 4, True),
        (2, "tied", 5, True),
        (2, "tied_spherical", 6, False),
    ],
)
def test_louis_standard_errors_equal_the_numerical_hessian(k, kind, seed, missing):
    # Louis' method (complete-data information minus the missing information, from the
    # E-step's exact moments) against finite differences of the observed-data
    # log-likelihood itself
    rng = np.random.default_rng(seed)
    X = correlated(300, 3, rng, k=k, spread=5.0) * np.array([1.0, 10.0, 0.1])  # features on different scales
    if missing:
        X = knock_out(X, rng, rate=0.2)
    model = GaussianMixture(k, kind, reg_covar=0.0)
    fit = fit_em(model, X, seed=0, tol=1e-14, max_iter=20_000)
    assert fit.converged
    louis = model.standard_errors(X, fit.params)
    check = model.standard_errors(X, fit.params, method="hessian")
    assert louis.method == "louis" and check.method == "hessian" and louis.names == check.names
    np.testing.assert_allclose(
        louis.information, check.information, rtol=1e-4, atol=1e-6 * np.abs(check.information).max()
    )
    for name in ("weights", "means", "covariances"):
        np.testing.assert_allclose(getattr(louis, name), getattr(check, name), rtol=1e-4)
        assert np.shape(getattr(louis, name)) == np.shape(getattr(fit.params, name))


def test_standard_errors_of_one_normal_from_complete_data_are_the_textbook_ones():
    # sd(mean_a) = sqrt(Sigma_aa / n) and sd(Sigma_aa) = sqrt(2 Sigma_aa^2 / n) at the MLE
    rng = np.random.default_rng(12)
    X = correlated(400, 2, rng)
    model = GaussianMixture(1, reg_covar=0.0)
    fit = fit_em(model, X, seed=0)
    se = model.standard_errors(X, fit.params)
    sigma = fit.params.covariances[0]
    np.testing.assert_allclose(se.means[0], np.sqrt(np.diagonal(sigma) / 400), rtol=1e-5)
    np.testing.assert_allclose(np.diagonal(se.covariances[0]), np.sqrt(2 * np.diagonal(sigma) ** 2 / 400), rtol=1e-5)
    # missing entries cost precision: the standard errors grow
    Y = knock_out(X, rng, rate=0.3, depend=False)
    fit_y = fit_em(model, Y, seed=0, tol=1e-13, max_iter=5000)
    assert np.all(model.standard_errors(Y, fit_y.params).means > se.means)


def test_standard_errors_refuse_a_point_that_is_not_a_maximum():
    rng = np.random.default_rng(13)
    X = correlated(200, 2, rng)
    model = GaussianMixture(2, reg_covar=0.0)
    same = model.coerce_params({"means": [X.mean(axis=0)] * 2, "covariances": np.stack([np.cov(X.T)] * 2)}, X)
    with pytest.raises(ValueError, match="not positive-definite: params are not an interior maximum"):
        model.standard_errors(X, same)
    with pytest.raises(ValueError, match="method must be one of"):
        model.standard_errors(X, same, method="sem")
