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


def toc_pages(root: Path = ROOT) -> list[Path]:
    """Paths (relative to `root`) of every page named in `_toc.yml`, in order, with the
    suffix of the file that exists (`.ipynb` or `.md`)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    entries = [{"file": toc["root"]}] + list(toc.get("parts", [])) + list(toc.get("chapters", []))
    paths = []
    for name in _files(entries):
        path = Path(name)
        if path.suffix == "":
            found = [path.with_suffix(s) for s in (".ipynb", ".md") if (root / path.with_suffix(s)).exists()]
            path = found[0] if found else path.with_suffix(".md")
        paths.append(path)
    return paths


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Paths (relative to `root`) of the `.ipynb` chapters named in `_toc.yml`."""
    return [p for p in toc_pages(root) if p.suffix == ".ipynb" and (root / p).exists()]


if __name__ == "__main__":
    sys.stdout.write("".join(f"{p}\n" for p in toc_notebooks()))
