# The EM Book. Two commands do all set-up on a fresh machine (Python 3.10+ and make):
#   make book   create .venv, install requirements.txt, build the HTML book
#   make test   the same set-up, then unit tests, strict nbval, strict build, browser tests
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

.PHONY: help install book test unit nbval strict-book browser lab notebooks bench clean

help:
	@echo "make book       set up .venv and build the HTML book into _build/html"
	@echo "make test       set up .venv, then unit tests, strict nbval, strict build, browser tests"
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

unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser -q

nbval: $(STAMP)
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in _toc.yml" >&2; exit 1; }
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 $(CHAPTERS)

strict-book: $(STAMP)
	rm -rf _build/html
	$(BIN)/jupyter-book build . -W -n --keep-going --all
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -q -rs

test: unit nbval strict-book browser

lab: $(STAMP)
	$(BIN)/jupyter lab chapters

notebooks: $(STAMP)
	@test -n "$(CHAPTERS)" || { echo "no chapter notebooks found in _toc.yml" >&2; exit 1; }
	$(BIN)/python tools/execute_notebooks.py $(CHAPTERS)

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python "$$script"; done

clean:
	rm -rf _build
