"""Command line: ``python -m emcore MODEL FILE [options]``.

Models
------
``coins FILE.csv``
    Fit a mixture of coins to sets of tosses. The CSV has a header row and either
    the columns ``heads`` and ``tosses`` (one row per set) or a column ``sequence``
    holding strings of H and T. Prints the estimates, the log-likelihood and each
    set's posterior over the coins.

Malformed input exits with status 2 and one line on standard error.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from .coins import CoinData, CoinMixture
from .em import fit_em


class CLIError(Exception):
    """A problem with the user's input, reported as one line."""


def _read_coin_csv(path: Path) -> CoinData:
    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"{path} is not a readable CSV file: {exc}") from None
    if not rows:
        raise CLIError(f"{path} has no data rows (expected a header row, then one row per set)")
    columns = {c.strip().lower() for c in rows[0] if c is not None}
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in rows]
    if "sequence" in columns:
        return CoinData.from_sequences([row["sequence"] for row in rows])
    if {"heads", "tosses"} <= columns:
        heads, tosses = [], []
        for line, row in enumerate(rows, start=2):
            try:
                heads.append(int(row["heads"]))
                tosses.append(int(row["tosses"]))
            except ValueError:
                raise CLIError(
                    f"{path}, line {line}: heads and tosses must be whole numbers; "
                    f"got {row['heads']!r} and {row['tosses']!r}"
                ) from None
        return CoinData(heads, tosses)
    raise CLIError(f"{path} needs columns 'heads' and 'tosses', or 'sequence'; found {sorted(columns)}")


def _floats(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers like 0.6,0.5; got {text!r}") from None


def _coins(args: argparse.Namespace) -> str:
    data = _read_coin_csv(Path(args.file))
    model = CoinMixture(n_coins=args.coins, learn_weights=args.learn_weights)
    init = None if args.init is None else {"theta": args.init}
    result = fit_em(
        model, data, init=init, mode=args.mode, tol=args.tol, max_iter=args.max_iter,
        n_init=args.n_init, seed=args.seed,
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emcore", description="Fit EM models from the command line.")
    sub = parser.add_subparsers(dest="model", required=True, metavar="MODEL")
    coins = sub.add_parser("coins", help="mixture of coins from a CSV of sets of tosses")
    coins.add_argument("file", help="CSV with columns heads,tosses or sequence")
    coins.add_argument("--coins", type=int, default=2, help="number of coins (default 2)")
    coins.add_argument("--learn-weights", action="store_true", help="estimate the coin-choice probabilities too")
    coins.add_argument("--mode", choices=("soft", "hard"), default="soft", help="soft EM or hard (classification) EM")
    coins.add_argument("--init", type=_floats, help="starting biases, e.g. 0.6,0.5")
    coins.add_argument("--n-init", type=int, default=1, help="number of seeded random starts")
    coins.add_argument("--seed", type=int, default=0, help="seed for the random starts (default 0)")
    coins.add_argument("--max-iter", type=int, default=1000)
    coins.add_argument("--tol", type=float, default=1e-10)
    coins.set_defaults(run=_coins)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        print(args.run(args))
    except (CLIError, ValueError, TypeError) as exc:
        print(f"emcore {args.model}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
