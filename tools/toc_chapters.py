"""Print the notebook paths of every chapter listed in _toc.yml, one per line.

Used by the Makefile (nbval, `make notebooks`) and by the guard tests, so the set of
chapters that are verified is exactly the set the book renders.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _files(entries):
    for entry in entries or []:
        if "file" in entry:
            yield entry["file"]
        yield from _files(entry.get("sections"))
        yield from _files(entry.get("chapters"))


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Paths (relative to `root`) of the `.ipynb` chapters named in `_toc.yml`."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries = [{"file": toc["root"]}] + list(toc.get("parts", [])) + list(toc.get("chapters", []))
    paths = []
    for name in _files(entries):
        path = Path(name)
        if path.suffix == "":
            path = path.with_suffix(".ipynb")
        if path.suffix == ".ipynb" and (root / path).exists():
            paths.append(path)
    return paths


if __name__ == "__main__":
    sys.stdout.write("".join(f"{p}\n" for p in toc_notebooks()))
