"""The ``store`` fixture (loaded by tests/conftest.py): every store test runs on SQLite and
on PostgreSQL.

PostgreSQL comes from ``TACTFUL_TEST_PG_URL``: ``make test`` starts a throwaway server and
sets it (.ci/with_postgres.py). Each test gets its own schema, so tests run in parallel. Where
no server is reachable the PostgreSQL half is skipped, except under CI (``CI=true``), where
that is a failure. The run ends with one line counting the PostgreSQL half: how many ran, how
many skipped and why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tactful.store import Store

PG_URL = os.environ.get("TACTFUL_TEST_PG_URL", "")
MIGRATIONS = Path(__file__).parents[1] / "src" / "tactful" / "store" / "migrations" / "versions"


def latest_revision() -> str:
    """The newest migration's revision ("0009"): what a store is upgraded to."""
    return max(p.name.split("_", 1)[0] for p in MIGRATIONS.glob("[0-9]*_*.py"))


def _pg_engine_url() -> str:
    return "postgresql+psycopg://" + PG_URL.split("://", 1)[1]


def pg_available() -> str | None:
    """None when usable, else why not."""
    if not PG_URL:
        return "TACTFUL_TEST_PG_URL is not set (make test starts a server and sets it)"
    try:
        engine = create_engine(_pg_engine_url())
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any driver or network error means "not reachable"
        return f"PostgreSQL at {PG_URL} not reachable: {type(exc).__name__}"
    return None


_PG_PROBLEM = pg_available()
# Set on every test that runs on PostgreSQL; it travels with the reports from xdist workers.
PG_MARK = ("store_engine", "postgresql")


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must test the store on PostgreSQL too: {reason}")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tactful.db'}"
        return
    request.node.user_properties.append(PG_MARK)
    if _PG_PROBLEM:
        _skip_or_fail(_PG_PROBLEM)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(_pg_engine_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{_pg_engine_url()}{sep}options=-csearch_path%3D{schema}"
    with engine.connect() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    yield s
    s.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many store tests ran on PostgreSQL, so a skipped half cannot pass unseen."""
    outcome: dict[str, str] = {}
    for key in ("failed", "error", "skipped", "passed"):  # a test's worst outcome wins
        for report in terminalreporter.stats.get(key, []):
            if PG_MARK in getattr(report, "user_properties", ()):
                outcome.setdefault(report.nodeid, key)
    if not outcome:
        return
    counts = {key: list(outcome.values()).count(key) for key in ("passed", "skipped")}
    failed = len(outcome) - counts["passed"] - counts["skipped"]
    line = (
        f"PostgreSQL store tests: ran {counts['passed'] + failed} (failed {failed}), "
        f"skipped {counts['skipped']}"
    )
    if counts["skipped"] and _PG_PROBLEM:
        line += f": {_PG_PROBLEM}"
    terminalreporter.write_line(line, bold=True, red=bool(counts["skipped"] or failed))
