"""Motif search speed on the MafK ChIP-seq peaks (3,900 x 200 bp), W = 15, ZOOPS, both strands.

Prints seconds per EM iteration (E-step + M-step, vectorised over all sequences and
positions), the same for a plain per-sequence loop as a reference, and seconds for
the whole single-motif search with MEME's starting-point heuristic.

Goals (2-core machine): one iteration < 50 ms; the whole search < 60 s.

Usage: python benchmarks/bench_motif.py
"""

from __future__ import annotations

import time

import numpy as np

from emcore import fit_em
from emcore.datasets import chipseq_peaks
from emcore.motif import MotifModel, find_motifs, kmer_params

WIDTH = 15


def per_sequence_iteration(model, data, params):
    """One E-step and M-step written the obvious way: a Python loop over sequences."""
    b = model.background(data)
    lr = np.log(params.ppm) - np.log(b)
    lrc = lr[::-1, ::-1]
    counts = np.zeros((WIDTH, 4))
    cols = np.arange(WIDTH)
    for i in range(data.n_sequences):
        x = data.codes[i, : data.lengths[i]].astype(int)
        windows = np.lib.stride_tricks.sliding_window_view(x, WIDTH)
        ok = (windows < 4).all(axis=1)
        xs = np.minimum(windows, 3)
        lo = np.stack([lr[cols, xs].sum(axis=1), lrc[cols, xs].sum(axis=1)])
        lo[:, ~ok] = -np.inf
        a = lo + np.log(params.gamma / (2 * ok.sum()))
        top = max(a.max(), np.log1p(-params.gamma))
        e = np.exp(a - top)
        q = e / (e.sum() + np.exp(np.log1p(-params.gamma) - top))
        for k in range(WIDTH):
            np.add.at(counts[k], xs[:, k], q[0])
            np.add.at(counts[WIDTH - 1 - k], 3 - xs[:, k], q[1])
    return counts


def main() -> None:
    names, seqs = chipseq_peaks("mafk")
    print(f"MafK peaks: {len(seqs)} sequences, {sum(map(len, seqs))} letters; W = {WIDTH}, ZOOPS, both strands")
    model = MotifModel(WIDTH, "zoops", revcomp=True)
    data = model.prepare(seqs)
    start = kmer_params("TGCTGACTCAGCATT", gamma=0.5)

    fit_em(model, data, init=start, max_iter=2, tol=0)  # warm up (caches, BLAS threads)
    n_iter = 30
    t0 = time.perf_counter()
    run = fit_em(model, data, init=start, max_iter=n_iter, tol=0)
    per_iter = (time.perf_counter() - t0) / (n_iter + 1)  # n_iter M-steps and n_iter + 1 E-steps
    print(f"vectorised EM iteration: {per_iter * 1e3:.1f} ms  (goal < 50 ms)  -> {run.params.consensus}")

    t0 = time.perf_counter()
    reference = per_sequence_iteration(model, data, start)
    loop = time.perf_counter() - t0
    q, _ = model.e_step(data, start)
    np.testing.assert_allclose(reference, model.expected_counts(data, q), rtol=1e-8)
    print(f"per-sequence Python loop: {loop * 1e3:.0f} ms per iteration  (ratio {loop / per_iter:.0f}x)")

    t0 = time.perf_counter()
    (result,) = find_motifs(seqs, WIDTH, model="zoops", revcomp=True, seed=0)
    whole = time.perf_counter() - t0
    print(
        f"whole single-motif search: {whole:.1f} s  (goal < 60 s): {result.consensus}, "
        f"{result.fit.n_iter} final iterations, {len(result.candidates)} starting W-mers, "
        f"gamma {result.params.gamma:.3f}, LLR {result.llr:.1f}"
    )
    print(
        f"  log-likelihood {result.loglik:.1f} (plain) + log prior {result.log_prior:.1f}"
        f" = objective {result.objective:.1f} (what EM climbed)"
    )


if __name__ == "__main__":
    main()
