"""The command line, ``python -m emcore MODEL ...``: one module per subcommand.

Each module in this package defines ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> str`` (the report to print). Raising
:class:`CLIError`, :class:`ValueError` or :class:`TypeError` makes the command exit
with status 2 and print one line on standard error, never a traceback. A mistake in
the arguments themselves is one line too (no usage block), and no warning text reaches
the terminal: a numerical warning raised while fitting becomes the error line, since a
fit that warned cannot be trusted.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import pkgutil
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


class CLIError(Exception):
    """A problem with the user's input, reported as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line and exit status 2."""

    def error(self, message: str):
        raise CLIError(f"{message} (see {self.prog} --help)")


def read_table(path: Path, parse: Callable[[Any], Any], what: str = "CSV file") -> Any:
    """``parse(handle)`` on ``path`` opened for the csv module; unreadable files become one CLIError line."""
    try:
        with path.open(newline="") as handle:
            return parse(handle)
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"{path} is not a readable {what}: {exc}") from None


def _subcommands():
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if hasattr(module, "run"):
                yield module


def _prog() -> str:
    """``emcore`` when run as the installed console script, else ``python -m emcore``."""
    return "emcore" if Path(sys.argv[0]).name in ("emcore", "emcore.exe") else "python -m emcore"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=_prog(), description="Fit EM models from the command line.")
    sub = parser.add_subparsers(dest="model", required=True, metavar="MODEL", parser_class=_Parser)
    for module in _subcommands():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except CLIError as exc:
        print(f"emcore: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    try:
        with warnings.catch_warnings():
            # numpy's RuntimeWarnings (overflow, invalid value) mean the input drove the
            # numerics out of range: report that as the error, with no file and line.
            warnings.simplefilter("error", RuntimeWarning)
            report = args.run(args)
    except (CLIError, ValueError, TypeError) as exc:
        print(f"emcore {args.model}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except ImportError as exc:  # an optional dependency of this subcommand is missing
        print(f"emcore {args.model}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except (RuntimeWarning, FloatingPointError, OverflowError) as exc:
        print(
            f"emcore {args.model}: error: the fit failed numerically ({_one_line(exc)}); "
            "check the input for extreme values, or rescale it",
            file=sys.stderr,
        )
        return 2
    try:
        print(report, flush=True)
    except BrokenPipeError:  # `python -m emcore ... | head`: the reader left early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
