"""``python -m emcore coins FILE.csv``: fit a mixture of coins to sets of tosses.

The CSV has a header row and either the columns ``heads`` and ``tosses`` (one row
per set) or a column ``sequence`` holding strings of H and T. Prints the estimates,
the log-likelihood and each set's posterior over the coins.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from .._validation import check_int, check_real, parse_count
from ..coins import CoinData, CoinMixture, toss_string
from ..em import fit_em
from . import CLIError, read_table

NAME = "coins"
HELP = "mixture of coins from a CSV of sets of tosses"


def _read_coin_csv(path: Path) -> CoinData:
    rows = read_table(path, lambda handle: list(csv.DictReader(handle)))
    if not rows:
        raise CLIError(f"{path} has no data rows (expected a header row, then one row per set)")
    columns = {(c or "").strip().lower() for c in rows[0]}
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in rows]
    if "sequence" in columns:
        sequences = []
        for line, row in enumerate(rows, start=2):
            try:
                seq = toss_string(row["sequence"], line - 2)
            except ValueError:
                seq = ""
            if not seq:
                raise CLIError(f"{path}, line {line}: a sequence must be a string of H and T; got {row['sequence']!r}")
            sequences.append(seq)
        return CoinData.from_sequences(sequences)
    if {"heads", "tosses"} <= columns:
        heads, tosses = [], []
        for line, row in enumerate(rows, start=2):
            h, n = parse_count(row["heads"]), parse_count(row["tosses"])
            if h is None or n is None:
                raise CLIError(
                    f"{path}, line {line}: heads and tosses must be whole numbers >= 0; "
                    f"got {row['heads']!r} and {row['tosses']!r}"
                )
            if h > n:
                raise CLIError(f"{path}, line {line}: {h} heads in {n} tosses (heads cannot exceed tosses)")
            heads.append(h)
            tosses.append(n)
        if not any(tosses):
            raise CLIError(f"{path} holds no tosses at all: every set has 0 tosses")
        return CoinData(np.array(heads), np.array(tosses))
    raise CLIError(f"{path} needs columns 'heads' and 'tosses', or 'sequence'; found {sorted(columns)}")


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers like 0.6,0.5; got {text!r}") from None


def _check_options(args: argparse.Namespace) -> None:
    """Every numeric option, named as the user typed it (before the file is read)."""
    coins = check_int(args.coins, "--coins", minimum=1)
    check_int(args.n_init, "--n-init", minimum=1)
    check_int(args.seed, "--seed", minimum=0)
    check_int(args.max_iter, "--max-iter", minimum=0)
    check_real(args.tol, "--tol", minimum=0)
    if args.init is not None:
        if len(args.init) != coins:
            raise CLIError(f"--init must give one bias per coin ({coins}); got {len(args.init)}")
        for value in args.init:
            check_real(value, "each --init bias", minimum=0, maximum=1, lo_open=True, hi_open=True)
        if args.n_init > 1:
            raise CLIError("--init and --n-init > 1 cannot be combined: every start would be the same")


def run(args: argparse.Namespace) -> str:
    _check_options(args)
    data = _read_coin_csv(Path(args.file))
    model = CoinMixture(n_coins=args.coins, fixed=() if args.learn_weights else {"weights"})
    init = None if args.init is None else {"theta": args.init}
    result = fit_em(
        model,
        data,
        init=init,
        mode=args.mode,
        tol=args.tol,
        max_iter=args.max_iter,
        n_init=args.n_init,
        seed=args.seed,
    )
    posterior, _ = model.e_step(data, result.params)
    lines = [
        f"coin mixture: {data.n_sets} sets, {int(data.tosses.sum())} tosses, {model.n_coins} coins, {args.mode} EM",
        f"status: {result.status} after {result.n_iter} iterations",
        f"log-likelihood (natural log, total): {result.loglik:.6f}",
        "",
        "coin  P(heads)  weight",
    ]
    for name, theta, weight in zip(model.names, result.params.theta, result.params.weights):
        lines.append(f"{name:<4}  {theta:8.4f}  {weight:6.4f}")
    lines += ["", "set  heads  tosses  " + "  ".join(f"P({n})" for n in model.names)]
    for i, (h, n) in enumerate(zip(data.heads, data.tosses), start=1):
        probs = "  ".join(f"{p:5.3f}" for p in posterior[i - 1])
        lines.append(f"{i:<3}  {int(h):5d}  {int(n):6d}  {probs}")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV with columns heads,tosses or sequence")
    parser.add_argument("--coins", type=int, default=2, help="number of coins (default 2)")
    parser.add_argument("--learn-weights", action="store_true", help="estimate the coin-choice probabilities too")
    parser.add_argument("--mode", choices=("soft", "hard"), default="soft", help="soft EM or hard (classification) EM")
    parser.add_argument("--init", type=_floats, help="starting biases, e.g. 0.6,0.5")
    parser.add_argument("--n-init", type=int, default=1, help="number of seeded random starts")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random starts (default 0)")
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--tol", type=float, default=1e-10)
