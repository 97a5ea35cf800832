"""Bad input for Gaussian mixtures: the model's settings, the data (types, shapes,
non-finite entries, magnitudes whose second moments overflow, duplicates, constant
features), starting and scoring parameters, the methods a user calls on a fitted
mixture, k-means++ seeding, and ``python -m emcore gmm`` (options and files)."""

from __future__ import annotations

import numpy as np

from bad_input import Case, CLICase
from emcore import fit_em
from emcore.em import elbo
from emcore.gmm import GaussianMixture, GMMParams, kmeans_plusplus

_rng = np.random.default_rng(12)
X = np.r_[_rng.normal(size=(30, 3)), _rng.normal(4.0, 1.0, size=(30, 3))]
#: Two distinct points, each repeated: at most two components are identifiable.
TWO_POINTS = np.repeat([[0.0, 0.0], [1.0, 1.0]], 5, axis=0)
#: The second feature is constant.
CONSTANT_COLUMN = np.c_[_rng.normal(size=20), np.ones(20)]
#: 60 points around 0 and 5 points exactly on (5, 5): a component collapses there.
COLLAPSING = np.r_[_rng.normal(size=(60, 2)), np.tile([[5.0, 5.0]], (5, 1))]
ON_POINTS = {"means": [[0.0, 0.0], [5.0, 5.0]], "covariances": [np.eye(2), np.eye(2)]}


def _fit(data, k=3, init=None, **kw):
    return lambda: fit_em(GaussianMixture(k, **kw), data, init=init, seed=0)


def _start(init, k=3, **kw):
    return lambda: fit_em(GaussianMixture(k, **kw), X, init=init)


def _params(k=3, covariance_type="full"):
    """Valid parameters for ``X`` (means on the first rows, the data's covariance)."""
    return GaussianMixture(k, covariance_type).coerce_params({"means": X[:k]}, X)


def _on(method, data, *args, k=3):
    return lambda: getattr(GaussianMixture(k), method)(data, _params(k) if not args else args[0])


EYE3 = np.stack([np.eye(3)] * 3)
CSV = "gene,a,b\n" + "".join(f"g{i},{x:.4f},{y:.4f}\n" for i, (x, y) in enumerate(_rng.normal(size=(12, 2))))

CASES = [
    # -- the model's settings ------------------------------------------------------------
    Case(
        "gmm-n-components-zero", lambda: GaussianMixture(0), ValueError, r"n_components must be an integer >= 1; got 0"
    ),
    Case("gmm-n-components-float", lambda: GaussianMixture(2.0), TypeError, r"n_components must be an integer"),
    Case("gmm-n-components-bool", lambda: GaussianMixture(True), TypeError, r"n_components .*bool"),
    Case(
        "gmm-covariance-type-bogus",
        lambda: GaussianMixture(2, "banana"),
        ValueError,
        r"covariance_type must be one of .*'banana'",
    ),
    Case("gmm-covariance-type-int", lambda: GaussianMixture(2, 3), TypeError, r"covariance_type must be one of"),
    Case(
        "gmm-reg-covar-negative",
        lambda: GaussianMixture(2, reg_covar=-1e-6),
        ValueError,
        r"reg_covar must be a finite number >= 0",
    ),
    Case("gmm-reg-covar-nan", lambda: GaussianMixture(2, reg_covar=float("nan")), ValueError, r"reg_covar .*nan"),
    Case("gmm-reg-covar-string", lambda: GaussianMixture(2, reg_covar="1e-6"), TypeError, r"reg_covar .*'1e-6'"),
    Case("gmm-init-bogus", lambda: GaussianMixture(2, init="kmeans"), ValueError, r"init must be one of .*'kmeans'"),
    Case(
        "gmm-fixed-unknown",
        lambda: GaussianMixture(2, fixed={"means"}),
        ValueError,
        r"fixed: unknown name 'means'; expected names from \('weights',\)",
    ),
    Case(
        "gmm-fixed-mapping",
        lambda: GaussianMixture(2, fixed={"weights": [0.5, 0.5]}),
        TypeError,
        r"fixed must be a collection of parameter names from \['weights'\]; got .*\(their values come from equal weights",
    ),
    Case(
        "gmm-fixed-and-learn-weights",
        lambda: GaussianMixture(2, fixed=(), learn_weights=True),
        ValueError,
        r"pass fixed= or learn_weights=, not both",
    ),
    Case(
        "gmm-learn-weights-int",
        lambda: GaussianMixture(2, learn_weights=1),
        TypeError,
        r"learn_weights must be True or False; got 1",
    ),
    # -- the data ------------------------------------------------------------------------
    Case("gmm-data-bool", _fit(X > 0), TypeError, r"data must hold numbers.*booleans"),
    Case("gmm-data-strings", _fit([["a", "b"], ["c", "d"]], k=1), TypeError, r"data must hold numbers"),
    Case("gmm-data-complex", _fit(X + 1j), TypeError, r"data .*complex"),
    Case(
        "gmm-data-object",
        _fit(np.array([[1.0, None], [2.0, 3.0]], dtype=object), k=1),
        TypeError,
        r"data must hold numbers.*object",
    ),
    Case("gmm-data-a-string", _fit("data.csv"), TypeError, r"data must be .*got a string"),
    Case("gmm-data-none", _fit(None), TypeError, r"data must be .*got None"),
    Case(
        "gmm-data-nan-refused",
        _fit(np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]), k=1, missing="error"),
        ValueError,
        r"data must be finite; sample 1, feature 0 is nan",
    ),
    Case(
        "gmm-data-row-all-missing",
        _fit(np.array([[0.0, 1.0], [np.nan, np.nan], [1.0, 1.0]]), k=1),
        ValueError,
        r"data: sample 1 has every feature missing \(NaN\)",
    ),
    Case(
        "gmm-data-column-all-missing",
        _fit(np.array([[0.0, np.nan], [2.0, np.nan], [1.0, np.nan]]), k=1),
        ValueError,
        r"data: feature 1 is missing \(NaN\) in every sample",
    ),
    Case(
        "gmm-missing-not-a-choice",
        lambda: GaussianMixture(2, missing="drop"),
        ValueError,
        r"missing must be one of",
    ),
    Case(
        "gmm-data-inf",
        _fit(np.array([[0.0, np.inf], [1.0, 2.0], [1.0, 1.0]]), k=1),
        ValueError,
        r"sample 0, feature 1 is inf",
    ),
    Case(
        "gmm-data-1d",
        _fit(np.arange(5.0), k=1),
        ValueError,
        r"data must be 2-D .*shape \(5,\).*as a column, x\.reshape\(-1, 1\)",
    ),
    Case("gmm-data-3d", _fit(np.zeros((3, 2, 2)), k=1), ValueError, r"data must be 2-D .*\(3, 2, 2\)"),
    Case("gmm-data-scalar", _fit(3.0, k=1), ValueError, r"data must be 2-D .*shape \(\)"),
    Case("gmm-data-no-rows", _fit(np.zeros((0, 2)), k=1), ValueError, r"data is empty: got shape \(0, 2\)"),
    Case("gmm-data-no-columns", _fit(np.zeros((3, 0)), k=1), ValueError, r"data is empty: got shape \(3, 0\)"),
    Case("gmm-data-ragged", _fit([[1.0, 2.0], [3.0]], k=1), ValueError, r"data .*row 1 has 1"),
    Case(
        "gmm-fewer-rows-than-components",
        _fit(np.zeros((2, 2))),
        ValueError,
        r"fewer samples \(2\) than components \(3\)",
    ),
    Case("gmm-duplicate-rows", _fit(TWO_POINTS), ValueError, r"data have only 2 distinct rows .*n_components=3"),
    Case("gmm-constant-data-k2", _fit(np.ones((10, 2)), k=2), ValueError, r"only 1 distinct row .*n_components=2"),
    Case(
        "gmm-data-overflow-1e160",
        _fit(X * 1e160),
        ValueError,
        r"data: values too large for float64 .*feature \d.*Rescale",
    ),
    Case(
        "gmm-data-overflow-1e300",
        _fit(X * 1e300, init=None, covariance_type="diag"),
        ValueError,
        r"data: values too large for float64 .*Rescale",
    ),
    Case(
        "gmm-data-overflow-offset",
        _fit(X[:, :1] * 1e-3 + 1e300, k=1, reg_covar=0.0),
        ValueError,
        r"data: values too large .*feature 0",
    ),
    # -- degenerate covariances: every path says to raise reg_covar -------------------------
    Case(
        "gmm-zero-variance-reg0-start",
        _fit(np.ones((10, 2)), k=1, reg_covar=0.0),
        ValueError,
        r"every feature is constant.*larger reg_covar \(now 0",
    ),
    Case(
        "gmm-constant-column-reg0",
        _fit(CONSTANT_COLUMN, k=2, reg_covar=0.0),
        ValueError,
        r"feature 1 is constant.*larger reg_covar \(now 0",
    ),
    Case(
        "gmm-constant-column-reg0-diag",
        _fit(CONSTANT_COLUMN, k=1, reg_covar=0.0, covariance_type="diag"),
        ValueError,
        r"feature 1 is constant.*reg_covar",
    ),
    Case(
        "gmm-default-covariances-reg0",
        lambda: fit_em(GaussianMixture(2, reg_covar=0.0), CONSTANT_COLUMN, init={"means": CONSTANT_COLUMN[:2]}),
        ValueError,
        r"default starting covariances.*feature 1 is constant.*reg_covar",
    ),
    Case(
        "gmm-collapse-reg0-mstep",
        lambda: fit_em(GaussianMixture(2, reg_covar=0.0), COLLAPSING, init=ON_POINTS, max_iter=50),
        ValueError,
        r"component 1 is not positive-definite .*larger reg_covar \(now 0\)",
    ),
    Case(
        "gmm-one-point-per-component-reg0",
        _fit(X[:4], k=4, reg_covar=0.0),
        ValueError,
        r"not positive-definite.*larger reg_covar \(now 0\)",
    ),
    # -- starting parameters -------------------------------------------------------------
    Case("gmm-init-wrong-type", _start(np.zeros((3, 3))), TypeError, r"init must be a GMMParams or a mapping"),
    Case("gmm-init-unknown-key", _start({"mean": X[:3]}), ValueError, r"init: .*unknown keys \['mean'\]"),
    Case("gmm-init-no-means", _start({"weights": [1 / 3] * 3}), ValueError, r"init: .*need 'means'"),
    Case("gmm-init-means-shape", _start({"means": X[:2]}), ValueError, r"means must have shape \(3, n_features\)"),
    Case(
        "gmm-init-means-features",
        _start({"means": X[:3, :2]}),
        ValueError,
        r"means have 2 features but the data have 3",
    ),
    Case("gmm-init-means-nan", _start({"means": [[0.0, 0.0, np.nan]] * 3}), ValueError, r"means must be finite"),
    Case("gmm-init-means-strings", _start({"means": [["a"] * 3] * 3}), TypeError, r"means must hold numbers"),
    Case(
        "gmm-init-weights-sum",
        _start({"means": X[:3], "weights": [0.5, 0.6, -0.1]}),
        ValueError,
        r"weights must be positive and sum to 1",
    ),
    Case(
        "gmm-init-weights-shape",
        _start({"means": X[:3], "weights": [0.5, 0.5]}),
        ValueError,
        r"weights must have shape \(3,\)",
    ),
    Case(
        "gmm-init-weights-bool",
        _start({"means": X[:3], "weights": [True, False, False]}),
        TypeError,
        r"weights must hold numbers.*booleans",
    ),
    Case(
        "gmm-init-weights-fixed",
        _start({"means": X[:3], "weights": [0.2, 0.3, 0.5]}, fixed={"weights"}),
        ValueError,
        r"keeps the weights fixed and equal .*Use fixed=\(\) to estimate them",
    ),
    Case(
        "gmm-init-covariances-shape",
        _start({"means": X[:3], "covariances": np.ones((3, 3))}),
        ValueError,
        r"'full' covariances must have shape \(3, 3, 3\)",
    ),
    Case(
        "gmm-init-covariances-not-pd",
        _start({"means": X[:3], "covariances": np.stack([np.eye(3), np.ones((3, 3)), np.eye(3)])}),
        ValueError,
        r"covariance of component 1 is not positive-definite",
    ),
    Case(
        "gmm-init-covariances-asymmetric",
        _start({"means": X[:3], "covariances": np.stack([np.eye(3), np.triu(np.ones((3, 3))) + np.eye(3), np.eye(3)])}),
        ValueError,
        r"covariances\[1\] must be symmetric",
    ),
    Case(
        "gmm-init-covariances-inf",
        _start({"means": X[:3], "covariances": np.where(EYE3 > 0, np.inf, 0.0)}),
        ValueError,
        r"covariances must be finite",
    ),
    Case(
        "gmm-init-diag-zero",
        _start({"means": X[:3], "covariances": [[1, 1, 1], [1, 1, 1], [1, 0, 1]]}, covariance_type="diag"),
        ValueError,
        r"component 2 is not positive-definite",
    ),
    Case(
        "gmm-init-tied-singular",
        _start({"means": X[:3], "covariances": np.zeros((3, 3))}, covariance_type="tied"),
        ValueError,
        r"shared covariance is not positive-definite",
    ),
    Case(
        "gmm-init-precisions-asymmetric",
        _start({"means": X[:3], "precisions": np.stack([np.triu(np.ones((3, 3))) + np.eye(3), np.eye(3), np.eye(3)])}),
        ValueError,
        r"precisions\[0\] must be symmetric",
    ),
    Case(
        "gmm-init-precisions-and-covariances",
        _start({"means": X[:3], "precisions": EYE3, "covariances": EYE3}),
        ValueError,
        r"'covariances' or 'precisions', not both",
    ),
    Case(
        "gmm-init-precisions-subnormal",
        _start({"means": X[:3], "precisions": [1e-320, 1.0, 1.0]}, covariance_type="spherical"),
        ValueError,
        r"starting precisions .*overflow",
    ),
    Case(
        "gmm-init-other-covariance-type",
        lambda: fit_em(GaussianMixture(3, "diag"), X, init=_params()),
        ValueError,
        r"this model has covariance_type='diag'",
    ),
    Case(
        "gmm-init-means-far-away",
        _start({"means": X[:3] * 1e300, "covariances": EYE3}),
        ValueError,
        r"data: sample 0 has density 0 .*under every component",
    ),
    # -- GMMParams built by hand ------------------------------------------------------------
    Case(
        "gmm-params-weights-sum",
        lambda: GMMParams([0.5, 0.6], np.zeros((2, 2)), np.ones(2), "spherical"),
        ValueError,
        r"weights must be non-negative and sum to 1",
    ),
    Case(
        "gmm-params-means-bool",
        lambda: GMMParams([0.5, 0.5], np.zeros((2, 2), bool), np.ones(2), "spherical"),
        TypeError,
        r"means must hold numbers.*booleans",
    ),
    Case(
        "gmm-params-not-pd",
        lambda: GMMParams([0.5, 0.5], np.zeros((2, 2)), [1.0, -1.0], "spherical"),
        ValueError,
        r"covariances: the covariance of component 1 is not positive-definite",
    ),
    Case(
        "gmm-params-asymmetric",
        lambda: GMMParams([1.0], np.zeros((1, 2)), [[[1.0, 0.5], [0.0, 1.0]]], "full"),
        ValueError,
        r"covariances\[0\] must be symmetric; entry \[0, 1\]",
    ),
    Case(
        "gmm-params-covariance-type",
        lambda: GMMParams([1.0], np.zeros((1, 2)), 1.0, "round"),
        ValueError,
        r"covariance_type must be one of .*'round'",
    ),
    Case(
        "gmm-params-covariances-shape",
        lambda: GMMParams([0.5, 0.5], np.zeros((2, 2)), np.ones(2), "diag"),
        ValueError,
        r"'diag' covariances must have shape \(2, 2\)",
    ),
    # -- a fitted mixture's methods ------------------------------------------------------------
    Case(
        "gmm-bic-wrong-columns",
        _on("bic", X[:, :2]),
        ValueError,
        r"data have 2 features \(columns\) but the params have 3",
    ),
    Case(
        "gmm-predict-all-missing",
        _on("predict", np.array([[np.nan, np.nan, np.nan]])),
        ValueError,
        r"sample 0 has every feature missing",
    ),
    Case(
        "gmm-score-samples-far",
        _on("score_samples", np.full((1, 3), 1e155)),
        ValueError,
        r"data: sample 0 has density 0",
    ),
    Case(
        "gmm-predict-far",
        _on("predict", np.full((2, 3), -1e155)),
        ValueError,
        r"data: sample 0 has density 0 .*\(2 such samples\)",
    ),
    Case("gmm-aic-1d", _on("aic", X[0]), ValueError, r"data must be 2-D .*shape \(3,\)"),
    Case(
        "gmm-responsibilities-params-none",
        lambda: GaussianMixture(3).responsibilities(X, None),
        TypeError,
        r"params must be a GMMParams or a mapping",
    ),
    Case(
        "gmm-loglik-params-wrong-k",
        lambda: GaussianMixture(3).loglik(X, _params(2)),
        ValueError,
        r"params have 2 components but this model has n_components=3",
    ),
    Case(
        "gmm-n-parameters-string",
        lambda: GaussianMixture(3).n_parameters("3"),
        TypeError,
        r"n_features must be an integer",
    ),
    Case(
        "gmm-entropy-negative",
        lambda: GaussianMixture(2).entropy([[1.5, -0.5]]),
        ValueError,
        r"posterior must be non-negative",
    ),
    Case(
        "gmm-entropy-rows-not-distributions",
        lambda: GaussianMixture(2).entropy([[0.5, 0.2]]),
        ValueError,
        r"posterior \(samples x components\) must be a distribution over completions: .*row 0 sums to 0.7",
    ),
    Case(
        "gmm-elbo-q-not-distribution",
        lambda: elbo(GaussianMixture(3), X, _params(), np.ones((60, 3))),
        ValueError,
        r"posterior \(samples x components\) must be a distribution over completions: .*row 0 sums to 3.0",
    ),
    Case(
        "gmm-elbo-q-shape",
        lambda: elbo(GaussianMixture(3), X, _params(), np.ones((60, 2)) / 2),
        ValueError,
        r"posterior must have shape \(60, 3\); got \(60, 2\)",
    ),
    Case(
        "gmm-m-step-nan-posterior",
        lambda: GaussianMixture(3).m_step(X, np.full((60, 3), np.nan), _params()),
        ValueError,
        r"posterior must hold finite, non-negative",
    ),
    Case(
        "gmm-m-step-posterior-shape",
        lambda: GaussianMixture(3).m_step(X, np.ones((60, 2)) / 2, _params()),
        ValueError,
        r"posterior must have shape \(60, 3\)",
    ),
    Case(
        "gmm-from-unconstrained-like",
        lambda: GaussianMixture(3).from_unconstrained(np.zeros(5), None),
        TypeError,
        r"like must be GMMParams",
    ),
    Case(
        "gmm-kmeanspp-zero-clusters",
        lambda: kmeans_plusplus(X, 0, np.random.default_rng(0)),
        ValueError,
        r"n_clusters must be an integer >= 1; got 0",
    ),
    Case("gmm-kmeanspp-bad-rng", lambda: kmeans_plusplus(X, 2, "seed"), TypeError, r"rng must be None, a non-negative"),
    Case(
        "gmm-kmeanspp-bool-data",
        lambda: kmeans_plusplus(X > 0, 2, np.random.default_rng(0)),
        TypeError,
        r"X must hold numbers.*booleans",
    ),
    # -- the command line: options ---------------------------------------------------------------
    CLICase("gmm-cli-k-zero", ("gmm", "{dir}/m.csv", "-k", "0"), r"--components must be at least 1", {"m.csv": CSV}),
    CLICase(
        "gmm-cli-k-letters",
        ("gmm", "{dir}/m.csv", "-k", "a-b"),
        r"--components must be a whole number .*'a-b'",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-k-reversed", ("gmm", "{dir}/m.csv", "-k", "5-2"), r"--components range '5-2' is empty", {"m.csv": CSV}
    ),
    CLICase(
        "gmm-cli-k-too-many",
        ("gmm", "{dir}/m.csv", "-k", "1-100000000000"),
        r"100000000000 components for 12 rows",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-covariance-bogus",
        ("gmm", "{dir}/m.csv", "--covariance", "bogus"),
        r"--covariance must be 'all' or a comma-separated list.*'bogus'",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-pca-too-large",
        ("gmm", "{dir}/m.csv", "--pca", "3"),
        r"--pca must be between 1 and 2.*got 3",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-pca-zero",
        ("gmm", "{dir}/m.csv", "--pca", "0"),
        r"--pca must be between 1 and 2.*got 0",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-pca-word", ("gmm", "{dir}/m.csv", "--pca", "two"), r"--pca: invalid int value: 'two'", {"m.csv": CSV}
    ),
    CLICase(
        "gmm-cli-reg-covar-negative",
        ("gmm", "{dir}/m.csv", "--reg-covar", "-1"),
        r"--reg-covar must be a finite number >= 0.*got -1",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-reg-covar-nan", ("gmm", "{dir}/m.csv", "--reg-covar", "nan"), r"--reg-covar .*got nan", {"m.csv": CSV}
    ),
    CLICase(
        "gmm-cli-n-init-zero",
        ("gmm", "{dir}/m.csv", "--n-init", "0"),
        r"--n-init must be an integer >= 1; got 0",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-seed-negative",
        ("gmm", "{dir}/m.csv", "--seed", "-1"),
        r"--seed must be an integer >= 0; got -1",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-max-iter-zero",
        ("gmm", "{dir}/m.csv", "--max-iter", "0"),
        r"--max-iter must be an integer >= 1",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-tol-negative",
        ("gmm", "{dir}/m.csv", "--tol", "-1"),
        r"--tol must be a finite number >= 0",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-show-uncertain",
        ("gmm", "{dir}/m.csv", "--show-uncertain", "2"),
        r"--show-uncertain must be a finite number >= 0 and <= 1",
        {"m.csv": CSV},
    ),
    CLICase(
        "gmm-cli-reg-covar-zero-collapse",
        ("gmm", "{dir}/m.csv", "-k", "4", "--reg-covar", "0"),
        r"K = 4, full: .*not positive-definite.*larger --reg-covar \(now 0\)",
        {"m.csv": "a,b\n0,0\n1,0\n0,1\n5,5\n6,5\n5,6\n9,0\n"},
    ),
    # -- the command line: files -------------------------------------------------------------------
    CLICase("gmm-cli-missing-file", ("gmm", "{dir}/nope.csv"), r"cannot read .*nope\.csv: No such file"),
    CLICase("gmm-cli-directory", ("gmm", "{dir}"), r"cannot read .*: Is a directory"),
    CLICase("gmm-cli-empty-file", ("gmm", "{dir}/e.csv"), r"e\.csv is empty", {"e.csv": ""}),
    CLICase("gmm-cli-header-only", ("gmm", "{dir}/h.csv"), r"h\.csv has no data rows", {"h.csv": "gene,a,b\n"}),
    CLICase(
        "gmm-cli-no-header",
        ("gmm", "{dir}/n.csv"),
        r"n\.csv, line 1: every field is a number .*header row",
        {"n.csv": "1,2\n3,4\n5,6\n7,9\n"},
    ),
    CLICase(
        "gmm-cli-non-numeric",
        ("gmm", "{dir}/x.csv"),
        r"x\.csv, line 3, column 'b': expected a finite number, got 'high'",
        {"x.csv": "gene,a,b\ng1,1.0,2.0\ng2,2.5,high\ng3,1,1\n"},
    ),
    CLICase(
        "gmm-cli-missing-value-refused",
        ("gmm", "{dir}/x.csv", "--refuse-missing"),
        r"x\.csv, line 3, column 'a': missing value",
        {"x.csv": "gene,a,b\ng1,1.0,2.0\ng2,NA,3.0\n"},
    ),
    CLICase(
        "gmm-cli-infinite-value",
        ("gmm", "{dir}/x.csv"),
        r"line 2, column 'a': expected a finite number, got '1e400'",
        {"x.csv": "gene,a,b\ng1,1e400,2.0\ng2,1,3.0\n"},
    ),
    CLICase(
        "gmm-cli-ragged",
        ("gmm", "{dir}/r.csv"),
        r"r\.csv, line 3: ragged row with 2 fields; the header has 3",
        {"r.csv": "gene,a,b\ng1,1.0,2.0\ng2,2.5\n"},
    ),
    CLICase(
        "gmm-cli-single-row",
        ("gmm", "{dir}/s.csv", "-k", "1"),
        r"s\.csv has a single data row",
        {"s.csv": "gene,a,b\ng1,1.0,2.0\n"},
    ),
    CLICase(
        "gmm-cli-constant-standardize",
        ("gmm", "{dir}/c.csv", "--standardize"),
        r"--standardize: column 'a' is constant",
        {"c.csv": "a,b\n1,2\n1,4\n1,7\n1,3\n"},
    ),
    CLICase(
        "gmm-cli-all-constant",
        ("gmm", "{dir}/c.csv", "-k", "2"),
        r"only 1 distinct row .*n_components=2",
        {"c.csv": "a,b\n1,2\n1,2\n1,2\n1,2\n"},
    ),
    CLICase(
        "gmm-cli-huge-values",
        ("gmm", "{dir}/big.csv"),
        r"big\.csv: values too large for float64 .*column 'a'.*Rescale",
        {"big.csv": "a,b\n1e300,1\n-1e300,2\n3,4\n5,6\n"},
    ),
    CLICase(
        "gmm-cli-binary",
        ("gmm", "{dir}/b.csv"),
        r"b\.csv is not a readable delimited text file",
        {"b.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"},
    ),
    CLICase(
        "gmm-cli-nul-bytes",
        ("gmm", "{dir}/z.csv"),
        r"z\.csv, line 2, column 'b': expected a finite number",
        {"z.csv": b"a,b\n1,\x002\n"},
    ),
    CLICase(
        "gmm-cli-only-row-names", ("gmm", "{dir}/o.csv"), r"o\.csv has no numeric columns", {"o.csv": "gene\ng1\ng2\n"}
    ),
]
