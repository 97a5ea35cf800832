"""``python -m emcore gmm MATRIX.csv``: cluster the rows of a numeric matrix with a Gaussian mixture.

The file is a CSV (or, for ``.tsv``/``.tab``/``.txt``, tab-separated) table with a
header row naming the columns and one row per sample. When the first column is
not numeric it holds the row names (gene or sample identifiers) and is not a
feature. Every other cell is a number or missing (empty, ``NA``, ``NaN``, ``null``,
``none`` or ``.``): missing cells are fitted as missing at random (EM uses each
row's observed cells, :mod:`emcore.gmm.missing`), and ``--out`` adds each missing
cell's conditional mean at the fitted mixture. ``--refuse-missing`` makes a missing
cell an error instead; a non-numeric cell always is, naming its line and column.

An expression matrix usually has genes as rows and samples as columns; cluster
the samples with ``--transpose``, the genes without it (``--standardize`` first, so
that genes are compared by their profiles, not their levels). With many more
features than rows, ``--pca N`` clusters the scores on the first N principal
components instead (a full covariance needs more rows than features).

Give ``--components`` one number, or a range such as ``1-8`` and several
``--covariance`` types: every combination is fitted (``--n-init`` seeded starts
each) and the one with the lowest BIC (``-2 log L + p log n``) is reported. A start
that leaves a component with fewer rows than its covariance needs (d + 1 for full,
2 for diag and spherical) is a spurious maximiser and is not used. Prints
the BIC table, the chosen model's log-likelihood, cluster sizes and weights, the
cluster means (up to 8 features) and the least certain rows; ``--out`` writes each
row's cluster, uncertainty and responsibilities to a CSV.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from pathlib import Path

import numpy as np

from .._validation import check_int, check_real, parse_number
from ..em import fit_em
from ..gmm import COVARIANCE_TYPES, GaussianMixture, GMMData
from . import CLIError, read_table

NAME = "gmm"
HELP = "Gaussian-mixture clustering of the rows of a numeric matrix (CSV/TSV), e.g. expression data"

_MISSING = {"", "na", "nan", "null", "none", "."}


def read_matrix(
    path: Path, delimiter: str | None = None, allow_missing: bool = False
) -> tuple[list[str], list[str], np.ndarray]:
    """Row names, column names and the numeric matrix of a delimited text file
    (missing cells as NaN with ``allow_missing``, else an error)."""
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab", ".txt") else ","
    rows = read_table(
        path,
        lambda handle: [r for r in csv.reader(handle, delimiter=delimiter) if any(c.strip() for c in r)],
        "delimited text file",
    )
    if not rows:
        raise CLIError(f"{path} is empty (expected a header row, then one row per sample)")
    if len(rows) < 2:
        raise CLIError(f"{path} has no data rows (expected a header row, then one row per sample)")
    header, body = [c.strip() for c in rows[0]], rows[1:]
    width = len(header)
    if all(parse_number(c) is not None for c in header):
        raise CLIError(
            f"{path}, line 1: every field is a number ({', '.join(header[:4])}{', ...' if width > 4 else ''}), "
            "so it looks like data, not a header row; add a header row naming the columns (names "
            "that are not bare numbers, e.g. t0, t2 rather than 0, 2)"
        )
    for line, row in enumerate(body, start=2):
        if len(row) != width:
            raise CLIError(f"{path}, line {line}: ragged row with {len(row)} fields; the header has {width}")
    first = [row[0].strip() for row in body]
    named = any(parse_number(c) is None and c.lower() not in _MISSING for c in first)
    start = 1 if named else 0
    if width - start < 1:
        raise CLIError(f"{path} has no numeric columns (only the row names)")
    values = np.empty((len(body), width - start))
    for line, row in enumerate(body, start=2):
        for j, cell in enumerate(row[start:], start=start):
            cell = cell.strip()
            value = parse_number(cell)
            column = header[j] or f"#{j + 1}"
            if cell.lower() in _MISSING or (value is not None and math.isnan(value)):
                if allow_missing:
                    values[line - 2, j - start] = np.nan
                    continue
                raise CLIError(
                    f"{path}, line {line}, column {column!r}: missing value, and --refuse-missing asks for "
                    "a complete matrix (drop the option to fit missing cells, or drop the row)"
                )
            if value is None or not math.isfinite(value):
                raise CLIError(f"{path}, line {line}, column {column!r}: expected a finite number, got {cell!r}")
            values[line - 2, j - start] = value
    names = first if named else [str(i + 1) for i in range(len(body))]
    columns = [h or f"#{j + 1}" for j, h in enumerate(header[start:], start=start)]
    return names, columns, values


def _components(text: str) -> range:
    """``"3"`` or ``"1-8"`` as a range of component counts (lazy: no list is built)."""
    try:
        if "-" in text.strip().lstrip("-"):
            low, high = (int(part) for part in text.strip().split("-", 1))
        else:
            low = high = int(text)
    except ValueError:
        raise CLIError(f"--components must be a whole number or a range such as 1-8; got {text!r}") from None
    if low > high:
        raise CLIError(f"--components range {text!r} is empty: write low-high with low <= high, e.g. 1-8")
    if low < 1:
        raise CLIError(f"--components must be at least 1 (each count, or a range low-high with low >= 1); got {text!r}")
    return range(low, high + 1)


def _covariances(text: str) -> list[str]:
    types = list(COVARIANCE_TYPES) if text == "all" else [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in types if t not in COVARIANCE_TYPES]
    if bad or not types:
        raise CLIError(
            f"--covariance must be 'all' or a comma-separated list of {', '.join(COVARIANCE_TYPES)}; got {text!r}"
        )
    return list(dict.fromkeys(types))  # each type once, in the order given


def _check_options(args: argparse.Namespace) -> None:
    """Every numeric option, named as the user typed it (before the file is read)."""
    check_int(args.n_init, "--n-init", minimum=1)
    check_int(args.seed, "--seed", minimum=0)
    check_int(args.max_iter, "--max-iter", minimum=1)
    check_real(args.reg_covar, "--reg-covar", minimum=0, maximum=1e300)
    check_real(args.tol, "--tol", minimum=0)
    check_real(args.show_uncertain, "--show-uncertain", minimum=0, maximum=1)


def _degenerate(params, covariance: str, n: int, d: int) -> bool:
    """True when a component holds fewer rows than its own covariance needs.

    Such a component sits on a few points with a covariance propped up only by
    ``reg_covar``: its likelihood is unbounded as ``reg_covar -> 0`` and BIC would
    favour a spurious maximiser. Each model keeps its best start without such a
    component; a model with none is left out of the selection.
    """
    need = {"full": d + 1, "diag": 2, "spherical": 2}.get(covariance, 1)
    return bool(np.any(np.asarray(params.weights) * n < need - 1e-9))


def run(args: argparse.Namespace) -> str:
    _check_options(args)
    ks, types = _components(args.components), _covariances(args.covariance)
    allow_missing = not args.refuse_missing
    names, columns, X = read_matrix(Path(args.file), "\t" if args.tab else None, allow_missing)
    if args.transpose:
        names, columns, X = columns, names, X.T.copy()
    try:
        # values whose sums of squares overflow, rows or columns with nothing observed:
        # refused here, naming the file, the row and the column
        GMMData(X, allow_missing=allow_missing)
        never = np.flatnonzero(np.isnan(X).all(axis=0))
        if never.size:
            raise ValueError(f"feature {int(never[0])} has no value in any row (every cell is missing); drop it")
    except ValueError as exc:
        message = re.sub(r"\bfeature (\d+)", lambda m: f"column {columns[int(m.group(1))]!r}", str(exc))
        message = re.sub(r"\bsample (\d+)", lambda m: f"row {names[int(m.group(1))]!r}", message)
        raise CLIError(f"{args.file}: {message.removeprefix('data: ')}") from None
    n_missing = int(np.isnan(X).sum())
    if X.shape[0] < 2:
        raise CLIError(
            f"{args.file} has a single {'column' if args.transpose else 'data row'} to cluster "
            f"({'--transpose clusters the columns' if args.transpose else 'one sample'}); "
            "clustering needs at least 2"
        )
    if args.standardize:  # over each column's observed cells
        sd = np.nanstd(X, axis=0)
        if np.any(sd == 0):
            constant = columns[int(np.flatnonzero(sd == 0)[0])]
            raise CLIError(f"--standardize: column {constant!r} is constant (standard deviation 0); drop it")
        X = (X - np.nanmean(X, axis=0)) / sd
    explained = None
    if args.pca is not None and n_missing:
        i, j = (int(v) for v in np.argwhere(np.isnan(X))[0])
        raise CLIError(
            f"--pca needs a complete matrix, and {n_missing} cells are missing (the first: row "
            f"{names[i]!r}, column {columns[j]!r}); fit without --pca (EM uses the observed cells), "
            "or drop the incomplete rows first"
        )
    if args.pca is not None:
        if not 1 <= args.pca <= min(X.shape):
            raise CLIError(f"--pca must be between 1 and {min(X.shape)} (rows and features); got {args.pca}")
        centred = X - X.mean(axis=0)
        u, singular, _ = np.linalg.svd(centred, full_matrices=False)
        total = float(np.sum(singular**2))
        explained = float(np.sum(singular[: args.pca] ** 2)) / total if total > 0 else 1.0
        X = u[:, : args.pca] * singular[: args.pca]
        columns = [f"PC{j + 1}" for j in range(args.pca)]
    n, d = X.shape
    if ks[-1] > n:  # ks is a range: its last entry is the largest (max() would walk it)
        raise CLIError(f"{ks[-1]} components for {n} rows: each component needs data; use fewer components")
    accelerate = "squarem" if args.accelerate else None
    fits = []
    for k in ks:
        for covariance in types:
            model = GaussianMixture(k, covariance, reg_covar=args.reg_covar, missing="em" if allow_missing else "error")
            try:
                fit = fit_em(
                    model,
                    X,
                    n_init=args.n_init,
                    seed=args.seed,
                    tol=args.tol,
                    max_iter=args.max_iter,
                    accelerate=accelerate,
                )
            except ValueError as exc:  # the library names reg_covar; here it is --reg-covar
                raise CLIError(f"K = {k}, {covariance}: {str(exc).replace('reg_covar', '--reg-covar')}") from None
            proper = [r for r in (fit.runs or (fit,)) if not _degenerate(r.params, covariance, n, d)]
            if proper:  # the best run whose components all hold enough rows
                best = max(proper, key=lambda r: r.loglik)
                fits.append((model.bic(X, best.params), k, covariance, model, best))
            else:
                fits.append((math.inf, k, covariance, model, fit))
    usable = [f for f in fits if math.isfinite(f[0])]
    if not usable:
        raise CLIError(
            f"every model fitted is degenerate (a component with fewer rows than its covariance needs: "
            f"{d + 1} for full with {d} features, 2 for diag or spherical); use fewer components, "
            "--covariance diag or spherical, or fewer features"
        )
    bic, k, covariance, model, fit = min(usable, key=lambda f: f[0])
    resp = model.responsibilities(X, fit.params)
    label = resp.argmax(axis=1)
    uncertain = 1.0 - resp.max(axis=1)
    lines = [
        f"gmm: {n} rows x {d} features{' (transposed)' if args.transpose else ''}"
        f"{', standardized' if args.standardize else ''}"
        f"{f', first {d} principal components ({explained:.1%} of the variance)' if explained is not None else ''}"
        f"; {args.n_init} start(s) per model, seed {args.seed}"
        f"{', SQUAREM' if accelerate else ''}",
    ]
    if n_missing:
        lines.append(
            f"missing cells: {n_missing} of {n * d} ({n_missing / (n * d):.1%}), in "
            f"{int(np.isnan(X).any(axis=1).sum())} rows; fitted as missing at random"
        )
    if len(fits) > 1:
        lines += ["", "BIC (lower is better)", f"{'K':>3}  " + "".join(f"{t:>15}" for t in types)]
        table = {(f[1], f[2]): (f"{f[0]:.2f}" if math.isfinite(f[0]) else "degenerate") for f in fits}
        for kk in ks:
            lines.append(f"{kk:>3}  " + "".join(f"{table[kk, t]:>15}" for t in types))
        if len(usable) < len(fits):
            lines.append("degenerate: every start left a component with fewer rows than its covariance needs")
    lines += [
        "",
        f"model: K = {k}, {covariance} covariance{' (lowest BIC)' if len(fits) > 1 else ''}; BIC {bic:.2f}",
        f"status: {fit.status} after {fit.n_iter} iterations (best of {args.n_init} start(s)"
        f"{' without a degenerate component' if args.n_init > 1 else ''})",
        f"log-likelihood (natural log, total): {fit.loglik:.4f}",
        "",
        "cluster  size  weight"
        + ("".join(f"  {c[:10]:>10}" for c in columns) if d <= 8 else "  (means not shown: more than 8 features)"),
    ]
    for j in range(k):
        row = f"{j + 1:>7}  {int(np.sum(label == j)):>4}  {fit.params.weights[j]:>6.3f}"
        if d <= 8:
            row += "".join(f"  {m:>10.4g}" for m in fit.params.means[j])
        lines.append(row)
    doubtful = np.argsort(-uncertain, kind="stable")
    doubtful = doubtful[uncertain[doubtful] > args.show_uncertain][:10]
    lines += [
        "",
        f"rows with uncertainty 1 - max r above {args.show_uncertain:g}: {int(np.sum(uncertain > args.show_uncertain))}",
    ]
    for i in doubtful:
        lines.append(f"  {names[i]:<20} cluster {label[i] + 1}  uncertainty {uncertain[i]:.3f}")
    if args.out:
        out = Path(args.out)
        try:
            with out.open("w", newline="") as handle:
                writer = csv.writer(handle)
                header = ["name", "cluster", "uncertainty"] + [f"r{j + 1}" for j in range(k)]
                completed = None
                if n_missing:  # each missing cell's conditional mean at the fitted mixture
                    completed, _ = model.impute(X, fit.params)
                    header += [f"imputed {c}" for c in columns]
                writer.writerow(header)
                for i in range(n):
                    cells = [names[i], label[i] + 1, f"{uncertain[i]:.6g}"] + [f"{r:.6g}" for r in resp[i]]
                    if completed is not None:
                        cells += [f"{v:.6g}" for v in completed[i]]
                    writer.writerow(cells)
        except OSError as exc:
            raise CLIError(f"cannot write {out}: {exc.strerror}") from None
        lines.append(
            f"wrote each row's cluster, uncertainty and responsibilities"
            f"{' and its imputed cells' if n_missing else ''} to {out}"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV/TSV with a header row, optional row names in the first column")
    parser.add_argument(
        "-k", "--components", default="2", help="number of clusters, or a range such as 1-8 (BIC picks)"
    )
    parser.add_argument(
        "--covariance",
        default="full",
        help="full, tied, diag, spherical, a comma-separated list, or all (default full)",
    )
    parser.add_argument("--transpose", action="store_true", help="cluster the columns instead of the rows")
    parser.add_argument("--standardize", action="store_true", help="scale every feature to mean 0, variance 1 first")
    parser.add_argument(
        "--pca",
        type=int,
        metavar="N",
        help="cluster the scores on the first N principal components (after --standardize)",
    )
    parser.add_argument("--tab", action="store_true", help="the file is tab-separated whatever its extension")
    parser.add_argument(
        "--refuse-missing",
        action="store_true",
        help="treat a missing cell as an error (by default missing cells are fitted as missing at random)",
    )
    parser.add_argument("--n-init", type=int, default=5, help="seeded k-means++ starts per model (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the starts (default 0)")
    parser.add_argument("--reg-covar", type=float, default=1e-6, help="added to covariance diagonals (default 1e-6)")
    parser.add_argument("--accelerate", action="store_true", help="SQUAREM acceleration")
    parser.add_argument(
        "--show-uncertain",
        type=float,
        default=0.1,
        help="list (up to 10) rows whose uncertainty exceeds this (default 0.1)",
    )
    parser.add_argument("--out", help="write each row's cluster, uncertainty and responsibilities to this CSV")
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--tol", type=float, default=1e-8)
