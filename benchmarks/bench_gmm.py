"""Benchmark: emcore's Gaussian mixture EM against scikit-learn's, in one process.

Same synthetic data, same starting parameters, d = 10 features, K = 5 components, a
fixed 50 EM iterations (scikit-learn with ``tol=0``), for n = 100,000 and 1,000,000
samples, for full, diagonal and spherical covariances. emcore runs twice: its
default path (the E-step's posterior in memory, which the chapters show) and the
statistics path (``chunk_size=``: expected sufficient statistics formed by a few
matrix products per block, :mod:`emcore.scale`). Reports seconds per iteration,
the ratios to scikit-learn, the peak memory of a few iterations (tracemalloc, which
sees numpy's buffers), the relative difference of the log-likelihoods, and the
achieved floating-point rate next to numpy's own matrix-multiply rate measured in
the same run.

Seconds per iteration are ``(T(51 iterations) - T(1 iteration)) / 50`` for both
libraries, so that set-up (scikit-learn's initialisation pass, emcore's validation)
and the last E-step are not counted as iteration time.

Usage: python benchmarks/bench_gmm.py [--sizes 100000 1000000] [--iters 50] [--types full diag spherical]
"""

from __future__ import annotations

import argparse
import functools
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from emcore import fit_em
from emcore.gmm import GaussianMixture

D, K = 10, 5
#: Rows per piece of the statistics path (each piece is split into cache-sized blocks
#: over the kernel's threads).
CHUNK = 1 << 17


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


def start_for(start: dict, kind: str) -> dict:
    """The full-covariance start, as the covariances of ``kind``."""
    cov = start["covariances"]
    if kind == "diag":
        cov = np.stack([np.diag(c) for c in cov])
    elif kind == "spherical":
        cov = np.array([np.diag(c).mean() for c in cov])
    return {**start, "covariances": cov}


def nominal_flops(n: int, kind: str) -> float:
    """Floating-point operations of one EM iteration, counted the same for both:
    whitening every sample for every component and the weighted scatter matrices
    (2 n K d^2 each for full covariances, 2 n K d each for diagonal ones), and the
    weighted means (2 n K d)."""
    per = D * D if kind == "full" else D
    return 4.0 * n * K * per + 2.0 * n * K * D


def run_emcore(X, start, iters, *, kind, chunk_size=None):
    model = GaussianMixture(K, kind)
    t = time.perf_counter()
    result = fit_em(model, X, init=start, tol=0.0, max_iter=iters, chunk_size=chunk_size)
    return time.perf_counter() - t, result


def run_sklearn(X, start, iters, *, kind):
    cov = start["covariances"]
    sk = SkGaussianMixture(
        K,
        covariance_type=kind,
        tol=0.0,
        max_iter=iters,
        init_params="random_from_data",
        weights_init=start["weights"],
        means_init=start["means"],
        precisions_init=np.linalg.inv(cov) if kind == "full" else 1.0 / cov,
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


def per_iteration(run, iters) -> tuple[float, object, int]:
    """``(T(iters + 1) - T(1)) / iters`` and the longer run's result.

    A first one-iteration run warms up (numba compiles the statistics path's feature
    loop on its first call when the cache is cold) and is not counted.
    """
    run(1)
    one, _ = run(1)
    full, result = run(iters + 1)
    n_iter = result.n_iter if hasattr(result, "n_iter") else result.n_iter_
    return (full - one) / max(1, n_iter - 1), result, n_iter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--iters", type=int, default=50)
    parser.add_argument("--types", nargs="+", default=["full", "diag", "spherical"])
    args = parser.parse_args()

    rate = matmul_rate()
    print(f"numpy matmul (2000 x 2000): {rate:.1f} GFLOP/s")
    print(f"d = {D}, K = {K}, {args.iters} iterations each; statistics path in pieces of {CHUNK:,} rows\n")
    rng = np.random.default_rng(2024)
    for n in args.sizes:
        X, full_start = make_data(n, rng)
        print(f"n = {n:,} (data {X.nbytes / 2**20:.0f} MiB)")
        for kind in args.types:
            start = start_for(full_start, kind)
            emcore_run = functools.partial(run_emcore, X, start, kind=kind)
            stats_run = functools.partial(run_emcore, X, start, kind=kind, chunk_size=CHUNK)
            sklearn_run = functools.partial(run_sklearn, X, start, kind=kind)
            d_it, ours, d_n = per_iteration(emcore_run, args.iters)
            c_it, chunked, c_n = per_iteration(stats_run, args.iters)
            s_it, sk, s_n = per_iteration(sklearn_run, args.iters)
            total_sk = sk.score(X) * n
            flops = nominal_flops(n, kind)
            mem = {
                "emcore": peak_mib(functools.partial(emcore_run, 3)),
                "emcore stats": peak_mib(functools.partial(stats_run, 3)),
                "sklearn": peak_mib(functools.partial(sklearn_run, 3)),
            }
            print(f"  {kind}")
            for name, it, n_it, loglik in (
                ("emcore", d_it, d_n, ours.loglik),
                ("emcore stats", c_it, c_n, chunked.loglik),
                ("sklearn", s_it, s_n, total_sk),
            ):
                gflops = flops / it / 1e9
                print(
                    f"    {name:13s}{it:8.4f} s/iter  {gflops:6.2f} GFLOP/s ({100 * gflops / rate:4.1f}% of matmul)  "
                    f"peak {mem[name]:6.0f} MiB  {n_it} iterations  log-likelihood {loglik:.10e}"
                )
            print(
                f"    ratio to sklearn time per iteration: emcore {d_it / s_it:.3f}, emcore stats {c_it / s_it:.3f} "
                f"(sklearn {s_it / c_it:.1f}x slower than emcore stats)"
            )
            rel = max(abs(ours.loglik - total_sk), abs(chunked.loglik - total_sk)) / abs(total_sk)
            print(f"    same fit: largest relative difference of the log-likelihoods {rel:.1e}")
        print()


if __name__ == "__main__":
    main()
