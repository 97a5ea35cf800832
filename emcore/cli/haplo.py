"""``python -m emcore haplo GENOTYPES.csv``: haplotype frequencies from unphased genotypes.

The CSV has a header row and two columns per locus (the two alleles of each
individual at that locus, in either order), one row per individual, as in R's
haplo.stats. Alleles are numbers or strings; an empty cell, ``NA``, ``.`` or ``?``
is a missing allele. Prints the haplotype frequencies (most frequent first), the
log-likelihood, the log-likelihood under linkage equilibrium and the
likelihood-ratio statistic.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from ..em import fit_em
from ..haplotype import HaplotypeModel, _locus_name, as_genotypes, format_haplotype, summarise
from . import CLIError, read_table

NAME = "haplo"
HELP = "haplotype frequencies from a CSV of unphased genotypes (two columns per locus)"


def _read_genotype_csv(path: Path, missing: set[str], ids: bool):
    rows = read_table(path, lambda handle: [r for r in csv.reader(handle) if any(cell.strip() for cell in r)])
    if not rows:
        raise CLIError(f"{path} is empty (expected a header row, then one row per individual)")
    header, body = [c.strip() for c in rows[0]], rows[1:]
    if ids:
        header = header[1:]
    if not body:
        raise CLIError(f"{path} has no data rows (expected a header row, then one row per individual)")
    if len(header) == 0 or len(header) % 2:
        raise CLIError(
            f"{path} has {len(header)} allele column(s) in its header; expected two columns per locus "
            "(an even number)"
        )
    width = len(header) + (1 if ids else 0)
    table = []
    for line, row in enumerate(body, start=2):
        if len(row) != width:
            raise CLIError(
                f"{path}, line {line}: ragged row with {len(row)} fields; the header has {width}"
            )
        cells = [c.strip() for c in (row[1:] if ids else row)]
        table.append([None if c in missing else c for c in cells])
    array = np.array(table, dtype=object)
    for j in range(0, array.shape[1], 2):  # numeric labels when every allele at a locus is a whole number
        block = array[:, j:j + 2]
        observed = [c for c in block.ravel() if c is not None]
        if observed and all(c.lstrip("-").isdigit() for c in observed):
            array[:, j:j + 2] = [[None if c is None else int(c) for c in r] for r in block]
    loci = [_locus_name(header[j], header[j + 1]) if (header[j] or header[j + 1]) else f"L{j // 2 + 1}"
            for j in range(0, len(header), 2)]
    try:
        return as_genotypes(array, loci=loci)
    except ValueError as exc:
        raise CLIError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> str:
    missing = {"", "NA", "na", "NaN", "nan", ".", "?"} | set(args.missing.split(",") if args.missing else [])
    genotypes = _read_genotype_csv(Path(args.file), missing, args.ids)
    model = HaplotypeModel(args.method, block_size=args.block_size, prune=args.prune)
    data = model.prepare(genotypes)
    init = "centre" if args.n_init == 1 else None
    fit = fit_em(model, data, init=init, mode=args.mode, tol=args.tol, max_iter=args.max_iter,
                 n_init=args.n_init, seed=args.seed)
    result = summarise(model, data, fit)
    g = data.genotypes
    n_missing = int(np.sum(g.codes < 0))
    lines = [
        f"haplotypes: {g.n_individuals} individuals, {g.n_loci} loci ({', '.join(g.loci[:6])}"
        f"{', ...' if g.n_loci > 6 else ''}), {n_missing} missing alleles",
        f"method: {data.method} ({data.n_pairs} candidate haplotype pairs), {args.mode} EM, "
        f"{args.n_init} start(s)",
        f"status: {fit.status} after {fit.n_iter} iterations",
        f"log-likelihood (natural log, total): {result.loglik:.4f}",
        f"log-likelihood under linkage equilibrium: {result.loglik_equilibrium:.4f}",
        f"likelihood-ratio statistic: {result.lr_statistic:.4f} on {result.df} degrees of freedom"
        + (f" (chi-square p = {result.p_value:.3g})" if result.df <= 1000 else ""),
        "",
        f"haplotype ({'-'.join(g.loci) if g.n_loci <= 8 else 'alleles in locus order'})  frequency",
    ]
    shown = [(h, f) for h, f in zip(result.haplotypes, result.frequencies) if f >= args.min_frequency]
    width = max([len(format_haplotype(h)) for h, _ in shown] + [9])
    for h, f in shown:
        lines.append(f"{format_haplotype(h):<{width}}  {f:.4f}")
    hidden = len(result.haplotypes) - len(shown)
    if hidden:
        lines.append(f"({hidden} haplotypes below {args.min_frequency:g} not shown)")
    if args.phases:
        lines += ["", "individual  most likely pair  posterior"]
        for i in range(g.n_individuals):
            a, b = result.phase(i)
            lines.append(f"{i + 1:<10}  {format_haplotype(a)} / {format_haplotype(b)}  {result.best_pair_prob[i]:.3f}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV with a header row and two allele columns per locus")
    parser.add_argument("--method", choices=("auto", "full", "ligation"), default="auto",
                        help="full enumeration or partition-ligation (default: auto)")
    parser.add_argument("--block-size", type=int, default=8, help="loci per block for partition-ligation")
    parser.add_argument("--prune", type=float, default=1e-6, help="drop haplotypes below this frequency during EM")
    parser.add_argument("--mode", choices=("soft", "hard"), default="soft", help="soft EM or hard (classification) EM")
    parser.add_argument("--n-init", type=int, default=1, help="number of seeded random starts (1: linkage-equilibrium start)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random starts (default 0)")
    parser.add_argument("--min-frequency", type=float, default=0.001, help="smallest frequency to print (default 0.001)")
    parser.add_argument("--phases", action="store_true", help="print each individual's most likely pair")
    parser.add_argument("--ids", action="store_true", help="the first column holds individual identifiers")
    parser.add_argument("--missing", default="", help="extra comma-separated codes for a missing allele, e.g. 0")
    parser.add_argument("--max-iter", type=int, default=5000)
    parser.add_argument("--tol", type=float, default=1e-10)
