"""Sphinx extension of The EM Book: helpers of the emcore reference page (reference.md).

* The directive ``emcore-cli-help`` takes no argument and inserts the ``--help`` text
  of ``emcore`` and of each of its subcommands as literal blocks, from the argparse
  parser that :func:`emcore.cli.build_parser` returns, so that the page cannot drift
  from the program. The text is formatted for 78 columns (the width of the book's code
  blocks) and names the program ``emcore``, the installed console script.
* A constant documented where it is re-exported (``emcore.gmm.COVARIANCE_TYPES`` is
  defined in ``emcore.gmm.covariances``) has no doc comment there, and autodoc would
  show the docstring of its type instead ("Built-in immutable sequence."); that text
  is dropped, and the page gives the constant's description.
* The stylesheet ``static/emcore_reference.css`` lets the long object names in a
  page's table of contents wrap.
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

_WIDTH = "78"


def _help_texts() -> list[tuple[str, str]]:
    """``(command, help text)`` for ``emcore`` and each subcommand, in parser order."""
    from emcore.cli import build_parser

    with mock.patch.object(sys, "argv", ["emcore"]), mock.patch.dict(os.environ, {"COLUMNS": _WIDTH}):
        parser = build_parser()
        texts = [("emcore", parser.format_help())]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    texts.append((f"emcore {name}", sub.format_help()))
    return texts


class CLIHelp(SphinxDirective):
    """Literal blocks with the help of ``emcore`` and of every subcommand."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        for command, text in _help_texts():
            section_id = nodes.make_id(f"cli-{command}")
            rubric = nodes.rubric("", "", nodes.literal(text=f"{command} --help"), ids=[section_id])
            block = nodes.literal_block(text.rstrip() + "\n", text.rstrip() + "\n")
            block["language"] = "text"
            result += [rubric, block]
        return result


def _drop_type_docstring(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Empty the docstring of a data object when it is only its type's docstring."""
    if what not in ("data", "attribute") or inspect.isclass(obj) or inspect.isroutine(obj):
        return
    type_doc = inspect.cleandoc(type(obj).__doc__ or "")
    if type_doc and "\n".join(lines).strip() == type_doc.strip():
        lines.clear()


def _add_static(app: Any) -> None:
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app: Any) -> dict:
    app.add_directive("emcore-cli-help", CLIHelp)
    app.connect("builder-inited", _add_static)
    app.add_css_file("emcore_reference.css")
    # Before napoleon (priority 500), which would read "Name: text" as a type.
    app.connect("autodoc-process-docstring", _drop_type_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
