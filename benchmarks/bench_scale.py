"""Benchmark: one Gaussian mixture fit, at scale, in memory, in chunks, on Dask, from disk.

The workload of ``bench_gmm.py`` (d = 10, K = 5, full covariances, overlapping
components) at n = 1,000,000 and 10,000,000 samples, the same start for every
configuration, a fixed number of EM iterations (``tol=0``):

* ``in-memory``: ``fit_em(model, X)``, the posterior path (the whole n x K posterior);
* ``chunked``: ``fit_em(model, X, chunk_size=131072)``, expected sufficient statistics
  summed over pieces;
* ``dask-threads``: a ``dask.array`` of the same rows, the threaded scheduler;
* ``dask-cluster``: the same array on a ``dask.distributed.LocalCluster`` of two
  worker processes (one thread each), whose workers generate their own partitions;
* ``zarr``: a zarr store on disk, read chunk by chunk at every iteration;
* ``spark``: Spark MLlib's ``GaussianMixture`` (``pyspark.mllib``, ``local[2]``,
  warmed up, the data cached) from the same start, when pyspark and a Java runtime
  are installed; skipped with a message otherwise (never a requirement of ``make
  test``). Its seconds per iteration are ``(T(iters) - T(1)) / (iters - 1)``, and its
  log-likelihood is evaluated by emcore at Spark's parameters. Spark's E-step is not
  exact EM: it adds machine epsilon to every weighted density (``EPSILON + w_k
  N(x; mu_k, Sigma_k)``, in linear space), which moves its responsibilities wherever
  densities are small (about 1e-9 for these data), so its path departs from EM's
  from the first iteration and the two log-likelihoods differ (printed).

Each configuration runs in a fresh process, so that its peak resident memory (the
process's, plus the largest worker's for the cluster) is its own. Seconds per
iteration are the time between the first and the last record of the run divided by
the iterations between them (set-up, data generation and persisting are not
counted). The log-likelihoods are printed so that the fits can be compared: every
configuration climbs from the same start through the same iterates.

Usage: python benchmarks/bench_scale.py [--sizes 1000000 10000000] [--iters 10]
       python benchmarks/bench_scale.py --zarr-only 20000000   (the out-of-core check)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

D, K = 10, 5
BLOCK = 250_000  # rows generated per block (the same rows whatever the configuration)
CHUNK = 1 << 17
SEED = 2024
CONFIGS = ("in-memory", "chunked", "dask-threads", "dask-cluster", "zarr", "spark")


def _mixture():
    rng = np.random.default_rng(SEED)
    centres = rng.normal(scale=0.5, size=(K, D))
    mixing = rng.normal(size=(K, D, D)) / np.sqrt(D)
    return centres, mixing


def make_block(index: int, rows: int) -> np.ndarray:
    """Block ``index`` of the data: ``rows`` samples, seeded by the block's index alone."""
    centres, mixing = _mixture()
    rng = np.random.default_rng([SEED, index])
    labels = rng.integers(K, size=rows)
    noise = rng.normal(size=(rows, D))
    X = np.empty((rows, D))
    for k in range(K):  # one component at a time: no (rows, D, D) temporary
        mine = labels == k
        X[mine] = centres[k] + noise[mine] @ mixing[k]
    return X


def block_sizes(n: int) -> list[int]:
    return [min(BLOCK, n - a) for a in range(0, n, BLOCK)]


def make_start() -> dict:
    first = make_block(0, BLOCK)
    rng = np.random.default_rng(SEED + 1)
    return {
        "weights": np.full(K, 1.0 / K),
        "means": first[rng.choice(BLOCK, K, replace=False)],
        "covariances": np.stack([np.cov(first[:10_000].T)] * K),
    }


def peak_rss_mib() -> float:
    """Peak resident memory of this process (and the largest child), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def matmul_rate(size: int = 2000) -> float:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(size, size)), rng.normal(size=(size, size))
    a @ b
    best = np.inf
    for _ in range(3):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2.0 * size**3 / best / 1e9


def timed_fit(data, start, iters, **kwargs) -> dict:
    from emcore import fit_em
    from emcore.gmm import GaussianMixture

    stamps: list[float] = []
    result = fit_em(
        GaussianMixture(K),
        data,
        init=start,
        tol=0.0,
        max_iter=iters,
        callback=lambda r: stamps.append(time.perf_counter()),
        **kwargs,
    )
    return {
        "s_per_iter": (stamps[-1] - stamps[0]) / max(1, len(stamps) - 1),
        "loglik": result.loglik,
        "iterations": result.n_iter,
    }


def dask_array(n: int):
    import dask
    import dask.array as da

    sizes = block_sizes(n)
    blocks = [
        da.from_delayed(dask.delayed(make_block)(i, rows), (rows, D), dtype=float) for i, rows in enumerate(sizes)
    ]
    return da.concatenate(blocks)


def run_one(config: str, n: int, iters: int, workdir: str) -> dict:
    start = make_start()
    if config in ("in-memory", "chunked"):
        X = np.concatenate([make_block(i, rows) for i, rows in enumerate(block_sizes(n))])
        out = timed_fit(X, start, iters, chunk_size=CHUNK if config == "chunked" else None)
    elif config == "dask-threads":
        import dask

        with dask.config.set(scheduler="threads"):
            out = timed_fit(dask_array(n), start, iters)
    elif config == "dask-cluster":
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
            ) as cluster,
            Client(cluster) as client,
        ):
            out = timed_fit(dask_array(n), start, iters)
            workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            out["worker_peak_mib"] = max(workers.values())
    elif config == "zarr":
        out = run_zarr(n, iters, workdir, start)
    elif config == "spark":
        out = run_spark(n, iters, start)
    else:  # pragma: no cover - argparse restricts the choices
        raise ValueError(config)
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def write_zarr(n: int, path: str):
    import zarr

    store = zarr.open_array(path, mode="w", shape=(n, D), chunks=(CHUNK, D), dtype="f8")
    a = 0
    for i, rows in enumerate(block_sizes(n)):
        store[a : a + rows] = make_block(i, rows)
        a += rows
    return store


def run_zarr(n: int, iters: int, workdir: str, start: dict) -> dict:
    import zarr

    path = os.path.join(workdir, f"x{n}.zarr")
    t = time.perf_counter()
    write_zarr(n, path)
    written = time.perf_counter() - t
    size = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files)
    out = timed_fit(zarr.open_array(path, mode="r"), start, iters, chunk_size=CHUNK)
    out["store_mib"] = size / 2**20
    out["write_s"] = written
    shutil.rmtree(path, ignore_errors=True)
    return out


class _SparkStart:
    """What ``pyspark.mllib``'s ``GaussianMixture.train(initialModel=...)`` reads of a model."""

    def __init__(self, start: dict) -> None:
        from pyspark.mllib.linalg import DenseMatrix, Vectors
        from pyspark.mllib.stat.distribution import MultivariateGaussian

        self.k = K
        self.weights = [float(w) for w in start["weights"]]
        self.gaussians = [
            MultivariateGaussian(Vectors.dense(mu), DenseMatrix(D, D, cov.ravel(order="F").tolist()))
            for mu, cov in zip(start["means"], start["covariances"])
        ]


def run_spark(n: int, iters: int, start: dict) -> dict:
    try:
        from pyspark.mllib.clustering import GaussianMixture as SparkGMM
        from pyspark.sql import SparkSession
    except ImportError:
        return {"skipped": "pyspark is not installed (pip install pyspark, with a Java runtime)"}
    if shutil.which("java") is None:
        return {"skipped": "no Java runtime (java) on PATH"}
    from emcore.gmm import GaussianMixture

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.driver.memory", "8g")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    sizes = block_sizes(n)
    rows = spark.sparkContext.parallelize(list(enumerate(sizes)), len(sizes)).flatMap(
        lambda block: list(make_block(*block))
    )
    rows = rows.cache()
    rows.count()
    initial = _SparkStart(start)

    def fit(max_iter: int):
        t = time.perf_counter()
        model = SparkGMM.train(rows, K, convergenceTol=0.0, maxIterations=max_iter, seed=0, initialModel=initial)
        return time.perf_counter() - t, model

    fit(1)  # warm up the JVM and the cached partitions
    one, _ = fit(1)
    full, model = fit(iters)
    params = {
        "weights": np.array(model.weights),
        "means": np.array([g.mu.toArray() for g in model.gaussians]),
        "covariances": np.array([g.sigma.toArray() for g in model.gaussians]),
    }
    spark.stop()
    mixture = GaussianMixture(K)
    loglik = sum(mixture.loglik(make_block(i, r), params) for i, r in enumerate(sizes))
    return {"s_per_iter": (full - one) / max(1, iters - 1), "loglik": loglik, "iterations": iters}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=CONFIGS)
    parser.add_argument("--zarr-only", type=int, metavar="N", help="fit an N x 10 zarr store on disk only")
    parser.add_argument("--one", nargs=3, metavar=("CONFIG", "N", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        config, n, workdir = args.one
        print(json.dumps(run_one(config, int(n), args.iters, workdir)))
        return
    sizes, configs = ([args.zarr_only], ["zarr"]) if args.zarr_only else (args.sizes, args.configs)
    print(f"numpy matmul (2000 x 2000): {matmul_rate():.1f} GFLOP/s; {os.cpu_count()} CPUs")
    print(f"full covariance, d = {D}, K = {K}, {args.iters} iterations from one start; pieces of {CHUNK:,} rows\n")
    with tempfile.TemporaryDirectory(prefix="bench_scale_") as workdir:
        for n in sizes:
            print(f"n = {n:,} (data {n * D * 8 / 2**20:,.0f} MiB as float64)")
            logliks: dict[str, float] = {}
            for config in configs:
                command = [sys.executable, __file__, "--iters", str(args.iters), "--one", config, str(n), workdir]
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode != 0:
                    last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
                    print(f"  {config:13s} failed: {last}")
                    continue
                out = json.loads(done.stdout.strip().splitlines()[-1])
                if "skipped" in out:
                    print(f"  {config:13s} skipped: {out['skipped']}")
                    continue
                extra = ""
                if "worker_peak_mib" in out:
                    extra += f", largest worker {out['worker_peak_mib']:,.0f} MiB"
                if "store_mib" in out:
                    extra += f", store {out['store_mib']:,.0f} MiB on disk (written in {out['write_s']:.0f} s)"
                print(
                    f"  {config:13s}{out['s_per_iter']:8.3f} s/iter  peak RSS {out['peak_rss_mib']:7,.0f} MiB{extra}  "
                    f"log-likelihood {out['loglik']:.10e} ({out['iterations']} iterations)"
                )
                logliks[config] = out["loglik"]
            ours = [v for c, v in logliks.items() if c != "spark"]
            if len(ours) > 1:
                spread = (max(ours) - min(ours)) / abs(min(ours))
                print(f"  same fit: emcore's log-likelihoods agree to {spread:.1e} relative")
            if "spark" in logliks and ours:
                gap = (logliks["spark"] - ours[0]) / abs(ours[0])
                print(
                    f"  spark's log-likelihood differs from emcore's by {gap:+.1e} relative "
                    "(its E-step adds machine epsilon to every weighted density; see this script's docstring)"
                )
            print()


if __name__ == "__main__":
    main()
