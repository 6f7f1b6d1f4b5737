# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck install install-test clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e examples/copydesk-wordlist
	touch $@ $(STAMP)

install: $(STAMP)
install-test: $(TSTAMP)

run: $(STAMP)
	$(BIN)/copydesk run

lint: $(TSTAMP)
	$(BIN)/ruff check .

typecheck: $(TSTAMP)
	$(BIN)/mypy --strict pipeline plugins

test: $(TSTAMP) lint typecheck
	$(BIN)/python -m pytest

bench: $(TSTAMP)
	$(BIN)/python benchmarks/bench_batch.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
