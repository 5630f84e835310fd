#!/usr/bin/env bash
# The test suite again with the clock a year ahead (Debian's faketime), so a test or a default
# that only works this year (a hard-coded date now in the past, "next March" computed once, a
# token that never expires) fails today instead of on a New Year's morning. CI runs it after
# `make test`; locally: make test-next-year.
#
# Usage: .ci/next_year.sh [VENV_BIN] [PYTEST_ARGS...]
# PostgreSQL starts inside the shifted clock too, so the server's now() agrees with Python's.
# The fault-injection run is about crashes, not dates: it runs at 1,500 attempts here
# (TACTFUL_FAULT_ATTEMPTS overrides). The browser tests run too: Chromium itself keeps the real
# clock (tests/web/chromium.py drops LD_PRELOAD, under which its timers stall), while the app
# that serves the pages runs a year ahead.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.venv/bin}"
shift || true
SHIFT="${TACTFUL_CLOCK_SHIFT:-+365d}"

if ! command -v faketime >/dev/null 2>&1; then
  echo "next year: faketime is not installed (apt-get install faketime)" >&2
  exit 2
fi
# Only the wall clock moves (a shifted monotonic clock makes thread waits last a year), and
# Python sleeps in a way this libfaketime leaves alone: see .ci/faketime/sitecustomize.py.
export FAKETIME_DONT_FAKE_MONOTONIC=1
export PYTHONPATH="$PWD/.ci/faketime${PYTHONPATH:+:$PYTHONPATH}"
export TACTFUL_FAULT_ATTEMPTS="${TACTFUL_FAULT_ATTEMPTS:-1500}"
echo "next year: the suite with the clock at $(faketime -f "$SHIFT" date -u '+%Y-%m-%d %H:%M UTC')"
exec faketime -f "$SHIFT" "$BIN/python" .ci/with_postgres.py \
  "$BIN/pytest" -n auto -rs -p no:cacheprovider "$@"
