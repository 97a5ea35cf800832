# The EM Book. Two commands do all set-up on a fresh machine (Python 3.10+ and make):
#   make book   create .venv, install requirements.txt, build the HTML book
#   make test   the same set-up, then lint, format and type checks, unit tests, strict
#               nbval (native, then on baseline CPU kernels), strict build, browser tests
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed
# Kernels, jupyter-book and pytest all run from the virtual environment.
export PATH := $(BIN):$(PATH)
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

CHAPTERS = $(shell $(BIN)/python tools/toc_chapters.py)

.PHONY: help install book test check lint typecheck unit nbval nbval-portable strict-book browser lab notebooks bench clean

help:
	@echo "make book       set up .venv and build the HTML book into _build/html"
	@echo "make test       set up .venv, then lint and type checks, unit tests, strict nbval (native and portable),"
	@echo "                strict build, browser tests"
	@echo "make check      the edit loop: lint, format check, type check, unit tests (a few minutes)"
	@echo "make nbval-portable  strict nbval with numpy, OpenBLAS and numba on baseline kernels"
	@echo "make lab        open the chapters in JupyterLab"
	@echo "make notebooks  re-execute every chapter in place (stored outputs)"
	@echo "make bench      run the benchmarks against the reference libraries (slow)"
	@echo "make clean      remove _build (keep .venv)"

install: $(STAMP)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 10) else f"The EM Book needs Python 3.10 or newer; $(PYTHON) is {v.major}.{v.minor}. Run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	@touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --all
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

# Lint and format of the code (the chapters are checked by nbval instead), types of emcore.
LINTED = emcore tests tools benchmarks _ext

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck unit

unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser -q

nbval: $(STAMP)
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in _toc.yml" >&2; exit 1; }
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 $(CHAPTERS)

# The same strict comparison with the CPU-specific kernels switched off: numpy limited to
# its baseline (every feature it dispatches at run time disabled; the list is read from
# numpy itself, so it fits any build), both OpenBLAS libraries (numpy's and scipy's) on
# the old Prescott kernels (OpenBLAS reports them as "Katmai", its alias for that table),
# numba compiling for a generic x86-64. Values already in the environment are
# overridden. A stored output that moves with the last bits of a sum, an exp or a matrix
# product fails here, as it would on a CPU other than the one that executed the chapter.
# See CONTRIBUTING.md, "Outputs that reproduce on every CPU".
PORTABLE_OPENBLAS ?= Prescott
PORTABLE_NUMBA    ?= generic
NUMPY_DISPATCH = $(shell env -u NPY_DISABLE_CPU_FEATURES $(BIN)/python -c 'from numpy._core._multiarray_umath import __cpu_dispatch__ as d; print(" ".join(d))' 2>/dev/null)
PORTABLE_ENV = NPY_DISABLE_CPU_FEATURES="$(NUMPY_DISPATCH)" OPENBLAS_CORETYPE=$(PORTABLE_OPENBLAS) \
    NUMBA_CPU_NAME=$(PORTABLE_NUMBA)
define CHECK_PORTABLE
import numpy, scipy.linalg, threadpoolctl
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
on = [f for f in __cpu_dispatch__ if __cpu_features__[f]]
blas = {i["filepath"].rsplit("/", 1)[-1]: i["architecture"] for i in threadpoolctl.threadpool_info() if i["internal_api"] == "openblas"}
print("portable pass: numpy dispatch", on or "baseline only", "| OpenBLAS", blas)
assert not on, f"numpy still dispatches {on}"
assert len(blas) >= 2 and all(a in ("Prescott", "Katmai") for a in blas.values()), f"OpenBLAS kernels {blas}"
endef
export CHECK_PORTABLE

nbval-portable: $(STAMP)
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in _toc.yml" >&2; exit 1; }
	@test -n "$(NUMPY_DISPATCH)" || { echo "cannot read numpy's dispatched CPU features" >&2; exit 1; }
	$(PORTABLE_ENV) $(BIN)/python -c "$$CHECK_PORTABLE"
	$(PORTABLE_ENV) $(BIN)/python -m pytest -q -p no:cacheprovider --nbval \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 $(CHAPTERS)

strict-book: $(STAMP)
	rm -rf _build/html
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q -rs

test: lint typecheck unit nbval nbval-portable strict-book browser

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

notebooks: $(STAMP)
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in _toc.yml" >&2; exit 1; }
	$(BIN)/python tools/execute_notebooks.py $(CHAPTERS)

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python "$$script"; done

clean:
	rm -rf _build
