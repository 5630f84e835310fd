# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?= serve --demo

DATA   ?= ../shared/data

.PHONY: run test lint typecheck unit docs bench bench-web bench-audit train eval clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

## run: set up .venv and start the web app on a seeded demo database; open the printed link
## (another job: make run ARGS='scan examples/posts.jsonl --format text')
# Exit status 1 means "findings were reported" (check, scan), which is what examples are for.
run: $(VENV)/.installed
	$(BIN)/tactful $(ARGS) || [ $$? -eq 1 ]

## test: set up .venv with dev tools; run ruff, mypy and the test suite
test: $(VENV)/.installed-dev lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -n auto

## docs: regenerate docs/rules.md from the rule data
docs: $(VENV)/.installed
	$(BIN)/python -m tactful.cli.docgen > docs/rules.md

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_check.py

## bench-web: POST /api/check over HTTP next to the in-process check (latency percentiles)
bench-web: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_web.py

## bench-audit: audit throughput and memory per export format, size and engine (see --help)
bench-audit: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_audit.py $(BENCH_ARGS)

$(VENV)/.installed-train: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

## train: retrain the models from $(DATA) and the corpus (a few minutes on 2 cores)
train: $(VENV)/.installed-train
	$(BIN)/python -m tactful.training.train --data $(DATA)

## eval: score the checker on the validation sets (and alt-profanity-check beside it)
eval: $(VENV)/.installed-train
	mkdir -p benchmarks/out
	$(BIN)/tactful eval --data $(DATA) --json benchmarks/out/eval.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
