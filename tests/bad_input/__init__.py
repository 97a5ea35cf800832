"""The bad-input catalogue, one module per area (``cases_<area>.py``).

Each module defines ``CASES``, a list of :class:`Case` (a call into the library) and
:class:`CLICase` (a command line). ``tests/test_bad_input.py`` runs them all: a
library case must raise exactly its ``error`` type (``TypeError`` for a wrong type,
``ValueError`` for a wrong value) with a message that matches ``match`` (a regular
expression that names the culprit: the argument, the entry, the line); a command-line
case must exit with status 2 and print one line on standard error that matches
``match``, with no traceback and no warning text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """``call()`` must raise ``error`` with a message matching ``match`` (re.search)."""

    id: str
    call: Callable[[], Any]
    error: type[Exception]
    match: str


@dataclass(frozen=True)
class CLICase:
    """``python -m emcore *argv`` must exit 2 with one stderr line matching ``match``.

    ``files`` maps file names to their text (or bytes); they are written into a fresh
    folder, and every ``{dir}`` in ``argv`` is replaced by that folder's path.
    """

    id: str
    argv: tuple[str, ...]
    match: str
    files: Mapping[str, str | bytes] = field(default_factory=dict)
