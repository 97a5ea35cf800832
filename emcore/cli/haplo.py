"""``python -m emcore haplo GENOTYPES.csv``: haplotype frequencies from unphased genotypes.

The CSV has a header row naming the two allele columns of each locus (for example
``DQB.a1,DQB.a2,DRB.a1,DRB.a2``), then one row per individual with its two alleles at
each locus, in either order, as in R's haplo.stats. Alleles are numbers or strings.
``0`` is a missing allele, as in haplo.stats (``miss.val = c(0, NA)``) and PLINK
(``--no-missing-zero`` reads it as an allele); an empty cell, ``NA``, ``NaN``, ``N/A``,
``.`` and ``?`` are always missing, and ``--missing`` adds more codes. Prints the
haplotype frequencies (most frequent first), the log-likelihood, the log-likelihood
under linkage equilibrium and the likelihood-ratio test between the two.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .._validation import check_int, check_real
from ..em import fit_em
from ..haplotype import HaplotypeModel, format_haplotype, read_genotypes, summarise
from . import CLIError, read_table

NAME = "haplo"
HELP = "haplotype frequencies from a CSV of unphased genotypes (two columns per locus; 0 = missing)"


def _check_options(args: argparse.Namespace) -> None:
    """Every numeric option, named as the user typed it."""
    check_int(args.n_init, "--n-init", minimum=1)
    check_int(args.max_iter, "--max-iter", minimum=0)
    check_int(args.block_size, "--block-size", minimum=2)
    check_real(args.tol, "--tol", minimum=0.0)
    check_real(args.min_frequency, "--min-frequency", minimum=0.0, maximum=1.0)
    prune = check_real(args.prune, "--prune", minimum=0.0)
    if prune >= 1.0:
        raise CLIError(f"--prune must be a frequency in [0, 1); got {prune!r}")
    if args.seed < 0:
        raise CLIError(f"--seed must be a non-negative integer; got {args.seed}")


def _monomorphic(g, zero_missing: bool, path: Path, reread) -> None:
    """A locus with one allele carries no information: refuse it, saying why."""
    for l, labels in enumerate(g.alleles):
        if len(labels) == 1:
            hint = ""
            if zero_missing and 0 in reread().alleles[l]:
                hint = (
                    " (its other allele, 0, is read as missing: if 0 is an allele in this file, pass --no-missing-zero)"
                )
            raise CLIError(
                f"{path}: locus {g.loci[l]} (columns {2 * l + 1}-{2 * l + 2}) has one allele only "
                f"({labels[0]!r}); it carries no information about haplotypes: remove its two "
                f"columns{hint}"
            )


def _degrees(df: int) -> str:
    return f"{df}" if df < 10**9 else f"{float(df):.3g}"


def _df_formula(k: tuple[int, ...], df: int) -> str:
    if len(k) > 6:
        return f"{_degrees(df)}"
    cells = " x ".join(str(x) for x in k)
    return f"({cells} - 1) - ({' + '.join(str(x - 1) for x in k)}) = {_degrees(df)}"


def run(args: argparse.Namespace) -> str:
    _check_options(args)
    extra = [c for c in args.missing.split(",")] if args.missing else None
    zero_missing = not args.no_missing_zero
    path = Path(args.file)

    def read(zeros: bool):
        return read_table(path, lambda handle: read_genotypes(handle, ids=args.ids, zero_missing=zeros, missing=extra))

    genotypes = read(zero_missing)
    _monomorphic(genotypes, zero_missing, path, lambda: read(False))
    model = HaplotypeModel(args.method, block_size=args.block_size, prune=args.prune)
    try:
        data = model.prepare(genotypes)
    except ValueError as exc:
        if "max_pairs" in str(exc):
            raise CLIError(f"{path}: {str(exc).split(';')[0]}; use --method ligation (partition-ligation)") from None
        raise
    # Restart 0 is the model's default start (linkage equilibrium), the others are
    # seeded random starts: more starts never end lower than one.
    fit = fit_em(model, data, mode=args.mode, tol=args.tol, max_iter=args.max_iter, n_init=args.n_init, seed=args.seed)
    result = summarise(model, data, fit)
    g = data.genotypes
    n_missing = int(np.sum(g.codes < 0))
    coding = "0 read as missing" if zero_missing else "0 read as an allele"
    k = g.n_alleles
    lr_line = f"likelihood-ratio statistic: {result.lr_statistic:.4f} on {_degrees(result.df)} degrees of freedom"
    if result.p_value is not None:
        lr_line += f" (chi-square p = {result.p_value:.3g})"
    else:
        lr_line += f"; {result.test_note}"
    lines = [
        f"haplotypes: {g.n_individuals} individuals, {g.n_loci} loci ({', '.join(g.loci[:6])}"
        f"{', ...' if g.n_loci > 6 else ''}), {n_missing} missing alleles ({coding})",
        f"method: {data.method} ({data.n_pairs} candidate haplotype pairs), {args.mode} EM, "
        f"{args.n_init} start(s)" + (" (the first from linkage equilibrium)" if args.n_init > 1 else ""),
        f"status: {fit.status} after {fit.n_iter} iterations",
        f"log-likelihood (natural log, total): {result.loglik:.4f}",
        f"log-likelihood under linkage equilibrium: {result.loglik_equilibrium:.4f}",
        lr_line,
        "  (linkage equilibrium: allele frequencies fitted locus by locus to the same individuals; degrees "
        f"of freedom: free haplotype minus free allele frequencies, {_df_formula(k, result.df)}; "
        f"{result.n_estimated} haplotypes estimated above 0)",
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
            who = g.ids[i] if g.ids is not None else str(i + 1)
            lines.append(f"{who:<10}  {format_haplotype(a)} / {format_haplotype(b)}  {result.best_pair_prob[i]:.3f}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        help="CSV with a header row and two allele columns per locus "
        "(e.g. DQB.a1,DQB.a2,DRB.a1,DRB.a2), one row per individual",
    )
    parser.add_argument(
        "--method",
        choices=("auto", "full", "ligation"),
        default="auto",
        help="full enumeration or partition-ligation (default: auto)",
    )
    parser.add_argument("--block-size", type=int, default=8, help="loci per block for partition-ligation (>= 2)")
    parser.add_argument(
        "--prune",
        type=float,
        default=1e-6,
        help="drop haplotypes below this frequency during EM (in [0, 1); default 1e-6)",
    )
    parser.add_argument("--mode", choices=("soft", "hard"), default="soft", help="soft EM or hard (classification) EM")
    parser.add_argument(
        "--n-init",
        type=int,
        default=1,
        help="number of starts: the first from linkage equilibrium, the others seeded random "
        "starts; the best is reported (default 1)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for the random starts (default 0)")
    parser.add_argument(
        "--min-frequency", type=float, default=0.001, help="smallest frequency to print (default 0.001)"
    )
    parser.add_argument("--phases", action="store_true", help="print each individual's most likely pair")
    parser.add_argument("--ids", action="store_true", help="the first column holds individual identifiers")
    parser.add_argument(
        "--no-missing-zero",
        action="store_true",
        help="read 0 as an allele (by default 0 is a missing allele, as in haplo.stats and PLINK)",
    )
    parser.add_argument(
        "--missing",
        default="",
        help="more comma-separated codes for a missing allele, e.g. -9 (0, empty, NA, NaN, N/A, "
        ". and ? are missing already)",
    )
    parser.add_argument("--max-iter", type=int, default=5000, help="largest number of EM iterations (default 5000)")
    parser.add_argument(
        "--tol", type=float, default=1e-10, help="relative tolerance on the log-likelihood (default 1e-10)"
    )
