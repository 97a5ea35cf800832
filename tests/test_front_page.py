"""The code on the book's front page (intro.md) runs and prints what its comments say."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

INTRO = Path(__file__).resolve().parents[1] / "intro.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _matches(value, claimed) -> bool:
    """``value`` agrees with the literal ``claimed`` to the digits ``claimed`` shows."""
    if isinstance(claimed, str):
        return value == claimed
    if isinstance(claimed, tuple):
        return len(value) == len(claimed) and all(_matches(v, c) for v, c in zip(value, claimed))
    digits = len(repr(claimed).split(".")[1]) if "." in repr(claimed) else 0
    return round(float(value), digits) == claimed


def test_the_front_page_example_gives_the_values_it_shows():
    blocks = _python_blocks(INTRO.read_text())
    assert blocks, "intro.md has no python example"
    checked = 0
    for block in blocks:
        namespace: dict = {}
        for line in block.splitlines():
            code, _, comment = line.partition("#")
            if not code.strip():
                continue
            try:
                claimed = ast.literal_eval(comment.strip())
            except (ValueError, SyntaxError):
                claimed = None
            tree = ast.parse(code.strip())
            if claimed is not None and isinstance(tree.body[0], ast.Expr):
                value = eval(compile(ast.Expression(tree.body[0].value), "intro.md", "eval"), namespace)
                assert _matches(value, claimed), f"intro.md: {code.strip()} is {value!r}, the page says {claimed!r}"
                checked += 1
            else:
                exec(compile(tree, "intro.md", "exec"), namespace)
    if checked == 0:
        pytest.fail("intro.md: no `expression  # value` line to check")
