"""SQUAREM against plain EM on every emcore model (``python benchmarks/bench_squarem.py``).

One problem per model, each with much missing information (EM converges slowly):
an overlapping two-component Gaussian mixture, haplotype frequencies of 1,000
msprime-simulated individuals at 14 SNPs (many ambiguous phases), coins with
overlapping biases, a weak motif, an HMM whose two states look alike. For each,
plain EM is first run to a standstill (``tol=0``) to get the optimum ``L*``; then
plain and accelerated EM are timed from the same start until the objective first
comes within 1e-8 (relative) of ``L*``. Printed: EM-map evaluations (M-steps; the
E-steps in brackets, objective checks included), seconds (best of ``--repeat``),
the ratios plain / SQUAREM, and how far a full accelerated run (``tol=1e-12``) ends
from ``L*``. Goal of issue 8: at least 3x fewer evaluations and 2x less time on the
Gaussian mixture and on haplotype EM. Not run by ``make test``.
"""

from __future__ import annotations

import argparse
import time

import msprime
import numpy as np

import emcore
from emcore import fit_em
from emcore import haplotype as hap
from emcore.datasets import mutate_sites, plant_sites
from emcore.gmm import GaussianMixture
from emcore.motif import MotifModel

RTOL = 1e-8


class _Reached(Exception):
    pass


def reach(model, data, init, target, accelerate, max_iter=100_000):
    """(EM maps, E-steps, seconds) until the objective is within RTOL of ``target``."""
    found = []

    def stop(record):
        objective = record.loglik + (record.log_prior or 0.0)
        if abs(objective - target) <= RTOL * abs(target):
            found.append((record.n_evals, record.n_e_steps, time.perf_counter() - t0))
            raise _Reached

    t0 = time.perf_counter()
    try:
        fit_em(model, data, init=init, tol=0, max_iter=max_iter, accelerate=accelerate, callback=stop)
    except _Reached:
        return found[0]
    raise RuntimeError(f"{type(model).__name__}: never came within {RTOL} of the optimum")


# -- the problems ------------------------------------------------------------------------------
def gaussian_mixture(rng):
    X = np.r_[rng.normal(0.0, 1.0, (500, 1)), rng.normal(1.5, 1.0, (500, 1))]
    model = GaussianMixture(2)
    data = model.prepare(X)
    return model, data, model.initial_params(data, rng)


def haplotypes(rng, n=1000, n_snps=14, seed=7):
    ts = msprime.sim_ancestry(
        samples=n, ploidy=2, sequence_length=300_000, recombination_rate=1e-8, population_size=10_000, random_seed=seed
    )
    ts = msprime.sim_mutations(ts, rate=1e-8, random_seed=seed + 1)
    chroms = np.array([v.genotypes for v in ts.variants() if len(v.alleles) == 2]).T
    freq = chroms.mean(axis=0)
    common = np.flatnonzero(np.minimum(freq, 1 - freq) >= 0.1)
    pairs = chroms[:, common[np.linspace(0, common.size - 1, n_snps).astype(int)]].reshape(n, 2, n_snps)
    g = np.empty((n, 2 * n_snps), dtype=np.int64)
    g[:, 0::2], g[:, 1::2] = pairs[:, 0], pairs[:, 1]
    model = hap.HaplotypeModel(method="full")
    return model, model.prepare(g), "centre"


def coins(rng):
    coin = rng.integers(0, 2, size=500)
    data = emcore.CoinData(rng.binomial(10, np.where(coin == 0, 0.6, 0.4)), np.full(500, 10))
    return emcore.CoinMixture(fixed=()), data, {"theta": [0.9, 0.1]}


def motif(rng):
    n_sites = int(rng.binomial(40, 0.7))  # a weak motif: 30% of the sequences have none
    sites = mutate_sites("TGACGTCA", n_sites, 0.3, rng)
    seqs, _, _ = plant_sites(sites, 120, rng, n_empty=40 - n_sites)
    model = MotifModel(8, "oops")
    return model, model.prepare(seqs), "TGACGTCA"


def hmm(rng):
    model = emcore.DiscreteHMM(2, alphabet="abc")
    truth = {
        "start": [0.5, 0.5],
        "transitions": [[0.95, 0.05], [0.1, 0.9]],
        "emissions": [[0.3, 0.3, 0.4], [0.4, 0.3, 0.3]],
    }
    _, seqs = model.sample(truth, [3000], rng)
    init = {
        "start": [0.5, 0.5],
        "transitions": [[0.8, 0.2], [0.2, 0.8]],
        "emissions": [[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]],
    }
    return model, model.prepare(seqs), init


PROBLEMS = {
    "Gaussian mixture (2 overlapping, n=1000)": gaussian_mixture,
    "haplotypes (msprime, 1000 x 14 SNPs)": haplotypes,
    "coins (biases 0.6/0.4, weights learned)": coins,
    "motif (weak, OOPS, 40 sequences)": motif,
    "HMM (2 similar states, T=3000)": hmm,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2008)
    args = parser.parse_args()
    print(
        f"time and EM maps to reach the plain-EM optimum (objective within {RTOL:g} relative); "
        f"seconds: best of {args.repeat}"
    )
    print(f"{'problem':<42}{'EM maps (E-steps)':>22}{'ratio':>7}{'seconds':>17}{'ratio':>7}  final")
    print(f"{'':<42}{'plain':>10}{'SQUAREM':>12}{'':>7}{'plain':>8}{'SQUAREM':>9}{'':>7}  rel. gap")
    for name, make in PROBLEMS.items():
        model, data, init = make(np.random.default_rng(args.seed))
        optimum = fit_em(model, data, init=init, tol=0, max_iter=100_000).objective
        rows = {}
        for accelerate in (None, "squarem"):
            runs = [reach(model, data, init, optimum, accelerate) for _ in range(args.repeat)]
            maps, e_steps, _ = runs[0]
            rows[accelerate] = (maps, e_steps, min(r[2] for r in runs))
        final = fit_em(model, data, init=init, tol=1e-12, max_iter=100_000, accelerate="squarem").objective
        (pm, pe, ps), (sm, se, ss) = rows[None], rows["squarem"]
        print(
            f"{name:<42}{f'{pm} ({pe})':>10}{f'{sm} ({se})':>12}{pm / sm:>6.1f}x"
            f"{ps:>8.3f}{ss:>9.3f}{ps / ss:>6.1f}x  {(final - optimum) / abs(optimum):+.1e}",
            flush=True,
        )


if __name__ == "__main__":
    main()
