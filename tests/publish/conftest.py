"""A store with a Mastodon account connected to the fake server, and a clock tests move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fake_mastodon import BASE, FakeMastodon

from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def database(self, _session: object) -> datetime:
        """The database's clock in a test that moves time (the worker's ``lease_clock``):
        every worker on the test's clock shares it, as they share a real database's."""
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def mastodon(clock: Clock) -> FakeMastodon:
    return FakeMastodon(clock=clock)


@pytest.fixture
def connected(store: Store) -> Iterator[Store]:
    with store.session() as s:
        add_account(s, "jo-masto", platform="mastodon", kind="professional", handle="@jo")
        save_credentials(s, "jo-masto", token="good-token", base_url=BASE, remote_user="109")
    yield store
