"""Baum-Welch speed: emcore.hmm against hmmlearn's CategoricalHMM, in one process.

Casino data (Durbin et al. 1998) of T = 10,000 and T = 1,000,000 rolls, 2 states, a
fixed 20 iterations from the same starting parameters. Prints seconds per iteration
and the ratio emcore / hmmlearn (below 1: emcore is faster). Not run by ``make test``.

Usage: .venv/bin/python benchmarks/bench_hmm.py [--iterations 20]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from hmmlearn import hmm

from emcore import fit_em
from emcore.hmm import DiscreteHMM

CASINO = {
    "start": [0.5, 0.5],
    "transitions": [[0.95, 0.05], [0.1, 0.9]],
    "emissions": [[1 / 6] * 6, [0.1] * 5 + [0.5]],
}
START = {
    "start": [0.5, 0.5],
    "transitions": [[0.8, 0.2], [0.2, 0.8]],
    "emissions": [[1 / 6] * 6, [0.15] * 5 + [0.25]],
}


def time_emcore(model, rolls, k):
    t0 = time.perf_counter()
    result = fit_em(model, rolls, init=START, tol=0, max_iter=k)
    seconds = time.perf_counter() - t0
    assert result.n_iter == k
    return seconds / k, result


def time_hmmlearn(rolls, k):
    ref = hmm.CategoricalHMM(n_components=2, n_features=6, n_iter=k, tol=-np.inf, init_params="", params="ste")
    ref.startprob_ = np.array(START["start"])
    ref.transmat_ = np.array(START["transitions"])
    ref.emissionprob_ = np.array(START["emissions"])
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.fit(rolls[:, None])
    seconds = time.perf_counter() - t0
    return seconds / k, ref


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1998)
    args = parser.parse_args()
    k = args.iterations
    model = DiscreteHMM(2, 6)
    rng = np.random.default_rng(args.seed)
    # warm up: compile the numba kernels outside the timing
    fit_em(model, model.sample(CASINO, 100, rng)[1], init=START, tol=0, max_iter=2)
    print(f"Baum-Welch, 2 states, 6 symbols, {k} iterations (seconds per iteration)")
    print(f"{'T':>10}  {'emcore':>9}  {'hmmlearn':>9}  {'ratio':>6}  max |dloglik|/|loglik|")
    for T in (10_000, 1_000_000):
        rolls = model.sample(CASINO, T, rng)[1][0]
        ours, result = time_emcore(model, rolls, k)
        theirs, ref = time_hmmlearn(rolls, k)
        history = np.asarray(ref.monitor_.history)
        agree = np.max(np.abs(result.loglik_trace[:k] - history) / np.abs(history))
        print(f"{T:>10,}  {ours:9.4f}  {theirs:9.4f}  {ours / theirs:6.3f}  {agree:.1e}")


if __name__ == "__main__":
    main()
