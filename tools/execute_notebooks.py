"""Re-execute chapters in place, reproducibly (``make notebooks``).

Each notebook runs top to bottom in a fresh ``python3`` kernel whose working
directory is the notebook's folder (as under nbval and JupyterLab). Timing metadata
is not recorded, and consecutive pieces of one stream (how the kernel splits a cell's
printout depends on timing) are joined into one output, so executing an unchanged
chapter twice changes no byte.

Usage: python tools/execute_notebooks.py chapters/a.ipynb [chapters/b.ipynb ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name (stdout, stderr) into one."""
    merged = []
    for out in outputs:
        if (
            merged
            and out.get("output_type") == "stream"
            and merged[-1].get("output_type") == "stream"
            and merged[-1].get("name") == out.get("name")
        ):
            merged[-1]["text"] += out["text"]
        else:
            merged.append(out)
    return merged


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    collapse_checks(nb)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def collapse_checks(nb) -> None:
    """Open the hidden check cells (tag ``remove-cell``) collapsed in JupyterLab, so that a
    learner reads the narrative; they still run, top to bottom, with the rest."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "remove-cell" in cell.metadata.get("tags", []):
            cell.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python tools/execute_notebooks.py NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        print(f"executing {path}", flush=True)
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
