"""Benchmark: emcore's Gaussian mixture EM against scikit-learn's, in one process.

Same synthetic data, same starting parameters, full covariances, d = 10 features,
K = 5 components, a fixed 50 EM iterations (scikit-learn with ``tol=0``), for
n = 100,000 and 1,000,000 samples. Reports seconds per iteration for both, their
ratio, the peak memory of a few iterations (tracemalloc, which sees numpy's
buffers), and the achieved floating-point rate next to numpy's own matrix-multiply
rate measured in the same run.

Seconds per iteration are ``(T(51 iterations) - T(1 iteration)) / 50`` for both
libraries, so that set-up (scikit-learn's initialisation pass, emcore's validation)
and the last E-step are not counted as iteration time.

Usage: python benchmarks/bench_gmm.py [--sizes 100000 1000000] [--iters 50]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from emcore import fit_em
from emcore.gmm import GaussianMixture

D, K = 10, 5


def matmul_rate(size: int = 2000, repeats: int = 3) -> float:
    """numpy's dense matrix-multiply rate on this machine, in GFLOP/s (best of a few)."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(size, size)), rng.normal(size=(size, size))
    a @ b
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2.0 * size**3 / best / 1e9


def make_data(n: int, rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """``n`` samples from five overlapping, correlated Gaussians, and a start."""
    centres = rng.normal(scale=0.5, size=(K, D))  # overlapping: EM converges slowly
    mixing = rng.normal(size=(K, D, D)) / np.sqrt(D)
    labels = rng.integers(K, size=n)
    X = centres[labels] + np.einsum("ia,iab->ib", rng.normal(size=(n, D)), mixing[labels])
    start = {
        "weights": np.full(K, 1.0 / K),
        "means": X[rng.choice(n, K, replace=False)],
        "covariances": np.stack([np.cov(X[:10_000].T)] * K),
    }
    return X, start


def nominal_flops(n: int) -> float:
    """Floating-point operations of one EM iteration, counted the same for both:
    whitening every sample for every component (2 n K d^2), the weighted scatter
    matrices (2 n K d^2) and the weighted means (2 n K d)."""
    return 4.0 * n * K * D * D + 2.0 * n * K * D


def run_emcore(X, start, iters):
    model = GaussianMixture(K, "full")
    t = time.perf_counter()
    result = fit_em(model, X, init=start, tol=0.0, max_iter=iters)
    return time.perf_counter() - t, result


def run_sklearn(X, start, iters):
    sk = SkGaussianMixture(
        K,
        covariance_type="full",
        tol=0.0,
        max_iter=iters,
        init_params="random_from_data",
        weights_init=start["weights"],
        means_init=start["means"],
        precisions_init=np.linalg.inv(start["covariances"]),
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter()
        sk.fit(X)
        return time.perf_counter() - t, sk


def peak_mib(fn) -> float:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--iters", type=int, default=50)
    args = parser.parse_args()

    rate = matmul_rate()
    print(f"numpy matmul (2000 x 2000): {rate:.1f} GFLOP/s")
    print(f"full covariance, d = {D}, K = {K}, {args.iters} iterations each\n")
    rng = np.random.default_rng(2024)
    for n in args.sizes:
        X, start = make_data(n, rng)
        data_mib = X.nbytes / 2**20
        e_one, _ = run_emcore(X, start, 1)
        e_all, ours = run_emcore(X, start, args.iters + 1)
        s_one, _ = run_sklearn(X, start, 1)
        s_all, sk = run_sklearn(X, start, args.iters + 1)
        if ours.n_iter != args.iters + 1:  # the log-likelihood stopped changing at all
            print(f"  note: emcore stopped after {ours.n_iter} iterations (converged exactly)")
        e_it = (e_all - e_one) / (ours.n_iter - 1)
        s_it = (s_all - s_one) / (sk.n_iter_ - 1)
        total_sk = sk.score(X) * n
        rel = abs(ours.loglik - total_sk) / abs(total_sk)
        e_mem = peak_mib(lambda X=X, start=start: run_emcore(X, start, 3))
        s_mem = peak_mib(lambda X=X, start=start: run_sklearn(X, start, 3))
        flops = nominal_flops(n)
        print(f"n = {n:,} (data {data_mib:.0f} MiB)")
        print(
            f"  emcore   {e_it:8.4f} s/iter  {flops / e_it / 1e9:6.2f} GFLOP/s "
            f"({100 * flops / e_it / 1e9 / rate:4.1f}% of matmul)  peak {e_mem:6.0f} MiB"
        )
        print(
            f"  sklearn  {s_it:8.4f} s/iter  {flops / s_it / 1e9:6.2f} GFLOP/s "
            f"({100 * flops / s_it / 1e9 / rate:4.1f}% of matmul)  peak {s_mem:6.0f} MiB"
        )
        print(f"  ratio emcore / sklearn time per iteration: {e_it / s_it:.3f} (sklearn {s_it / e_it:.1f}x slower)")
        print(f"  same fit: emcore {ours.n_iter} iterations, total log-likelihood relative difference {rel:.1e}\n")


if __name__ == "__main__":
    main()
