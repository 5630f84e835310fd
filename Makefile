# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
ARGS   ?= serve --demo

DATA   ?= ../shared/data

.PHONY: run test lint typecheck unit test-next-year docs bench bench-web bench-text bench-audit bench-start \
	train distil calibrate eval clean

# The fault-injection run reaches 10,000 publish attempts in CI; 1,500 keeps a local run quick.
ifneq ($(CI),true)
export TACTFUL_FAULT_ATTEMPTS ?= 1500
endif

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

## test: set up .venv with dev tools; run ruff, mypy and the test suite, the store tests on
## SQLite and on a throwaway PostgreSQL that it starts and stops (.ci/with_postgres.py)
test: $(VENV)/.installed-dev lint typecheck unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# -rs lists every skipped test with its reason; the last lines count the PostgreSQL half.
unit: $(VENV)/.installed-dev
	$(BIN)/python .ci/with_postgres.py $(BIN)/pytest -n auto -rs

## test-next-year: the suite again with the clock a year ahead (Debian's faketime), so a date
## that only works this year fails now; CI runs it after `make test`
test-next-year: $(VENV)/.installed-dev
	.ci/next_year.sh $(BIN)

## docs: regenerate docs/rules.md from the rule data
docs: $(VENV)/.installed
	$(BIN)/python -m tactful.cli.docgen > docs/rules.md

## bench: checking on real tweets from $(DATA) (benchmarks/bench_check.py): posts/s of the fast
## tier, the rules and `scan` on 1 and 2 workers, escalation rate, p50/p95/p99, peak RSS and
## alt-profanity-check on the same posts; templated posts as a second table (BENCH_ARGS, --help)
bench: $(VENV)/.installed-train
	$(BIN)/python benchmarks/bench_check.py --data $(DATA) $(BENCH_ARGS)

## bench-web: POST /api/check over HTTP next to the in-process check (latency percentiles)
bench-web: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_web.py

## bench-text: check time against text length (1k, 10k, 100k characters) for hostile shapes
## of text on each platform (BENCH_ARGS="--platforms x --lengths 1000,10000")
bench-text: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_text_length.py $(BENCH_ARGS)

## bench-audit: audit posts/s, wall time and peak RSS of real tweets from $(DATA) as an X export
## at 100k and 1M posts, synthetic archives as a second row (BENCH_ARGS="--sizes 2000", --help)
bench-audit: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_audit.py --data $(DATA) $(BENCH_ARGS)

## bench-start: cold-start wall time and peak RSS of check, scan and serve (see --help;
## BENCH_ARGS="--baseline v0.4.0" measures that revision beside this tree)
bench-start: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_start.py --data $(DATA) $(BENCH_ARGS)

$(VENV)/.installed-train: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -e '.[dev,train]'
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

## train: fine-tune the teacher (MiniLM, about an hour on 2 cores), distil the fast tier from
## it, then calibrate; every step from $(DATA) and the corpus, fixed seeds
train: $(VENV)/.installed-train
	$(BIN)/python -m tactful.training.teacher --data $(DATA)
	$(MAKE) distil

## distil: the fast tier and the cascade band again from the shipped teacher (minutes), then
## calibrate
distil: $(VENV)/.installed-train
	$(BIN)/python -m tactful.training.train --data $(DATA)
	$(BIN)/python -m tactful.training.calibrate --data $(DATA)

## calibrate: measure the model's precision per score on the real-text calibration split
## (writes src/tactful/models/calibration.yml; make train runs it after training)
calibrate: $(VENV)/.installed
	$(BIN)/python -m tactful.training.calibrate --data $(DATA)

## eval: score the checker on the validation sets (and alt-profanity-check beside it)
eval: $(VENV)/.installed-train
	mkdir -p benchmarks/out
	$(BIN)/tactful eval --data $(DATA) --json benchmarks/out/eval.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
