"""Leases run on the database's clock: workers whose own clocks disagree by minutes or an
hour never both send a post. A second worker runs while the first one's request is in
flight (from the fake network's transport), and exactly one POST goes out."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from fake_mastodon import FakeMastodon, client

from tactful.core.checker import Checker
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.outbox import get_post, schedule
from tactful.publish.times import parse_local, resolve
from tactful.publish.worker import Killed, Worker
from tactful.store import Store
from tactful.store.snapshot import load_snapshot

TEXT = "Our spring report is out."
STATUSES = "/api/v1/statuses"


class DatabaseClock:
    """The database's clock, moved by the test; the workers' own clocks stay where they are."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self, _session: object) -> datetime:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def rules() -> Checker:
    return Checker()


def _schedule(store: Store, clock) -> int:  # type: ignore[no-untyped-def]
    when = clock.now + timedelta(minutes=1)
    with store.session() as s:
        checker = Checker(store=load_snapshot(s, now=clock.now))
        done = schedule(
            s,
            checker,
            TEXT,
            ["jo-masto"],
            resolve(parse_local(when.strftime("%Y-%m-%d %H:%M")), "UTC"),
            actor="jo",
        )
    assert done.state == "scheduled", done.problems
    return done.post_id


def _worker(store: Store, name: str, now: datetime, http: httpx.Client, rules: Checker, **kw):  # type: ignore[no-untyped-def]
    return Worker(
        store,
        name=name,
        clock=lambda: now,
        http=http,
        connector_for=lambda _p: MastodonConnector(poll_wait=0),
        base=lambda: rules,
        **kw,
    )


def _state(store: Store, post_id: int) -> str:
    with store.session() as s:
        return get_post(s, f"#{post_id}").deliveries[0].state


SKEWS = [
    pytest.param(0, 6, id="second-6-min-ahead"),
    pytest.param(0, 70, id="second-70-min-ahead"),
    pytest.param(-6, 0, id="first-6-min-behind"),
    pytest.param(-70, 0, id="first-70-min-behind"),
    pytest.param(70, -70, id="first-ahead-second-behind"),
]


@pytest.mark.parametrize(("first_skew", "second_skew"), SKEWS)
def test_a_worker_on_another_clock_never_sends_what_is_in_flight(
    connected: Store,
    mastodon: FakeMastodon,
    clock,
    rules: Checker,
    first_skew: int,
    second_skew: int,
) -> None:
    """Both workers time leases on the database's own clock (the default): the second one,
    run while the first one's POST is on the wire, finds the lease held and takes nothing."""
    post_id = _schedule(connected, clock)
    due = clock.now + timedelta(hours=2)  # due on both workers' clocks, whatever their skew
    posts: list[httpx.Request] = []
    second_took: list[int] = []

    def in_flight(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path == STATUSES:
            posts.append(request)
            if len(posts) == 1:  # the first worker's request is on the wire now
                second_took.append(second.run_once())
        return None

    first = _worker(
        connected, "first", due + timedelta(minutes=first_skew), client(mastodon, in_flight), rules
    )
    second = _worker(
        connected, "second", due + timedelta(minutes=second_skew), client(mastodon, in_flight),
        rules,
    )  # fmt: skip
    assert first.run_once() == 1
    assert second_took == [0]  # the lease was held: nothing taken over
    assert len(posts) == 1  # exactly one send
    assert mastodon.published() == {TEXT: 1}
    assert _state(connected, post_id) == "published"
    assert second.run_once() == 0 and len(posts) == 1


@pytest.mark.parametrize("second_skew", [-70, 70])
def test_a_dead_workers_lease_runs_out_on_the_databases_clock(
    connected: Store, mastodon: FakeMastodon, clock, rules: Checker, second_skew: int
) -> None:
    """The first worker dies after marking its request (nothing sent). Another worker, an
    hour and more off, takes the delivery over when the database's clock passes the lease,
    not before and not never, and it goes out once."""
    post_id = _schedule(connected, clock)
    due = clock.now + timedelta(hours=2)
    database = DatabaseClock(clock.now)  # the one clock the database keeps

    def killed(step: str) -> None:
        if step == "marked":
            raise Killed

    first = _worker(
        connected, "first", due, client(mastodon), rules,
        fault=killed, lease_clock=database,
    )  # fmt: skip
    second = _worker(
        connected, "second", due + timedelta(minutes=second_skew), client(mastodon), rules,
        lease_clock=database,
    )  # fmt: skip
    with pytest.raises(Killed):
        first.run_once()
    assert _state(connected, post_id) == "publishing"
    database.advance(minutes=4)
    assert second.run_once() == 0  # still the first worker's
    database.advance(minutes=2)
    assert second.run_once() == 1  # run out: reconciled and sent
    assert mastodon.published() == {TEXT: 1}
    assert _state(connected, post_id) == "published"
