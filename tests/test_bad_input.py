"""The bad-input catalogue: every public entry point and every CLI subcommand, fed what
a new user might feed it, must answer with a clear error that names the culprit.

The cases live in ``tests/bad_input/cases_*.py`` (one module per area); this file runs
them. A library case asserts the exact exception type (``TypeError`` for a wrong type,
``ValueError`` for a wrong value, never a numpy or numba error) and that the message
matches. A command-line case asserts exit status 2, an empty standard output, and one
line on standard error that matches, with no traceback and no warning.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import warnings
from pathlib import Path

import bad_input
import pytest
from bad_input import Case, CLICase

from emcore.cli import main

MODULES = [
    importlib.import_module(f"bad_input.{info.name}")
    for info in sorted(pkgutil.iter_modules(bad_input.__path__), key=lambda i: i.name)
    if info.name.startswith("cases_")
]
ALL = [case for module in MODULES for case in module.CASES]
LIBRARY = [c for c in ALL if isinstance(c, Case)]
CLI = [c for c in ALL if isinstance(c, CLICase)]


def test_catalogue_is_large_and_ids_are_unique():
    ids = [c.id for c in ALL]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, duplicates
    assert len(ALL) >= 150, len(ALL)


@pytest.mark.parametrize("case", LIBRARY, ids=[c.id for c in LIBRARY])
def test_library_error(case: Case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning on the way to the error is a defect too
        with pytest.raises(Exception) as info:
            case.call()
    assert type(info.value) is case.error, f"{type(info.value).__name__}: {info.value}"
    assert re.search(case.match, str(info.value)), str(info.value)


@pytest.mark.parametrize("case", CLI, ids=[c.id for c in CLI])
def test_cli_error(case: CLICase, tmp_path: Path, capsys):
    for name, text in case.files.items():
        target = tmp_path / name
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)
    argv = [arg.replace("{dir}", str(tmp_path)) for arg in case.argv]
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        code = main(argv)
    captured = capsys.readouterr()
    assert code == 2, (code, captured.err)
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err and "Warning" not in captured.err, captured.err
    assert re.search(case.match, lines[0]), lines[0]
