"""The inbox tests use the publishing tests' fake HTTP plumbing and lexicon checker."""

from __future__ import annotations

import sys
from pathlib import Path

PUBLISH = str(Path(__file__).resolve().parent.parent / "publish")
if PUBLISH not in sys.path:
    sys.path.insert(0, PUBLISH)

from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

import pytest  # noqa: E402


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Iterator[Clock]:
    yield Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def checker():  # type: ignore[no-untyped-def]
    """The one pipeline, without a store: what sorts the items these tests store."""
    from tactful.core.factory import checker_for

    return checker_for(None)
