"""Guards on the chapters that strict nbval alone cannot give.

nbval never compares a cell that has no stored outputs and no execution count, so a
chapter saved unexecuted would pass it silently. Every chapter listed in _toc.yml must
have been executed top to bottom in a python3 kernel, with no stored error.
"""

from __future__ import annotations

import json

import pytest
from toc_chapters import ROOT, toc_notebooks

CHAPTERS = toc_notebooks()


def test_the_toc_lists_chapters():
    assert len(CHAPTERS) >= 3, CHAPTERS


@pytest.fixture(params=CHAPTERS, ids=str)
def notebook(request):
    path = ROOT / request.param
    return path, json.loads(path.read_text())


def test_kernel_is_python3(notebook):
    path, nb = notebook
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3", path


def test_every_code_cell_was_executed_in_order(notebook):
    path, nb = notebook
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path} has no code cells"
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), f"{path}: execution counts {counts}"


def test_no_stored_errors(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                assert "raises-exception" in tags, f"{path} cell {i}: stored error {out.get('ename')}"
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                pytest.fail(f"{path} cell {i}: stored stderr output (a warning?): {''.join(out['text'])[:200]}")


def test_chapters_have_stored_outputs(notebook):
    path, nb = notebook
    with_output = [c for c in nb["cells"] if c["cell_type"] == "code" and c.get("outputs")]
    assert with_output, f"{path} has no stored outputs"


def test_chapter_is_a_piece_of_writing(notebook):
    """Title, what the reader will learn, a summary and exercises with hidden solutions."""
    path, nb = notebook
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    first = "".join(nb["cells"][0]["source"]).lstrip()
    assert first.startswith("(") and "\n# " in first, f"{path}: first cell must be a label and a title"
    assert "What you will learn" in text, path
    assert "## Summary" in text and "## Exercises" in text, path
    assert "{exercise}" in text and "{solution}" in text and ":class: dropdown" in text, path
    assert "{cite:" in text, f"{path} cites nothing"


def test_library_is_checked_in_the_chapter(notebook):
    """Each chapter checks emcore against its inline computation in a hidden cell."""
    path, nb = notebook
    hidden = [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "code" and "remove-cell" in c.get("metadata", {}).get("tags", [])
    ]
    assert any("assert" in src for src in hidden), f"{path} has no hidden assert cell"


def test_check_cells_open_collapsed_in_jupyterlab(notebook):
    """The hidden check cells stay in the notebook but open collapsed, so a learner in
    JupyterLab reads the narrative (``make notebooks`` keeps the metadata)."""
    path, nb = notebook
    for i, cell in enumerate(nb["cells"]):
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            jupyter = cell["metadata"].get("jupyter", {})
            assert jupyter.get("source_hidden") is True and jupyter.get("outputs_hidden") is True, (
                f"{path} cell {i}: a check cell without jupyter.source_hidden/outputs_hidden "
                "(run tools/execute_notebooks.py, or set them)"
            )
