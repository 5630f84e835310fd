"""Workers on a busy SQLite database: a round that meets a lock it cannot wait out ends and
the next round takes up what it had claimed; and several ``tactful worker`` processes on one
SQLite file, as the README suggests running them, race for the same posts against the fake
Mastodon server on a real socket. SQLite has one writer at a time, and here its busy timeout
is zero, so every collision is a "database is locked": each worker must wait and try again,
never die, and every post still goes out exactly once with nothing left claimed or
publishing."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fake_mastodon import BASE, FakeMastodon, client
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_cli_schedule import serve

from tactful.core.checker import Checker
from tactful.errors import DatabaseBusy
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.credentials import save_credentials
from tactful.publish.outbox import schedule
from tactful.publish.times import parse_local, resolve
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.db import patiently
from tactful.store.models import DeliveryRow
from tactful.store.snapshot import load_snapshot

WORKERS = 4
POSTS = 60
OPEN = ("scheduled", "claimed", "publishing")
GIVE_UP_S = 45.0  # a worker still going after this long is stuck: the test fails


def _store_with_posts(path: Path, base_url: str, texts: list[str], clock: Any) -> Store:
    """A SQLite store with a connected Mastodon account and ``texts`` due in a minute."""
    store = Store(f"sqlite:///{path}")
    with store.session() as s:
        add_account(s, "jo-masto", platform="mastodon", kind="professional", handle="@jo")
        save_credentials(s, "jo-masto", token="good-token", base_url=base_url, remote_user="109")
    with store.session() as s:
        checker = Checker(store=load_snapshot(s, now=clock.now))
    when = resolve(
        parse_local((clock.now + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")), "UTC"
    )
    with store.session() as s:
        for text in texts:
            done = schedule(s, checker, text, ["jo-masto"], when, actor="test")
            assert done.state == "scheduled", done.problems
    return store


def _states(store: Store) -> Counter[str]:
    with store.session() as s:
        rows = s.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state))
        return Counter({state: n for state, n in rows})


def test_a_round_cut_short_by_a_lock_is_taken_up_by_the_next(tmp_path: Path, clock) -> None:
    """The database stays locked past every try: the round ends without raising, its
    claims held; the next round publishes them at once instead of after the lease."""
    path = tmp_path / "tactful.db"
    texts = ["Doors open at nine.", "Tea is at eleven."]
    _store_with_posts(path, BASE, texts, clock).dispose()
    clock.advance(minutes=2)
    mastodon = FakeMastodon(clock=clock)
    holder = sqlite3.connect(path, isolation_level=None)

    def lock_after_claiming(step: str) -> None:
        if step == "claimed" and not holder.in_transaction:
            holder.execute("BEGIN IMMEDIATE")  # another program takes the write lock

    w = Worker(
        Store(f"sqlite:///{path}", migrate=False, timeout_s=0),
        name="w1",
        clock=clock,
        lease_clock=clock.database,
        http=client(mastodon),
        connector_for=lambda _p: MastodonConnector(poll_wait=0),
        fault=lock_after_claiming,
        busy_tries=2,
    )
    assert w.run_once() == 2  # taken on, then cut short: no exception
    assert mastodon.statuses == []
    holder.rollback()  # the other program is done
    w.fault = lambda _step: None
    assert w.run_once() == 2  # the same two, still held: no wait for the lease
    assert mastodon.published() == Counter({t: 1 for t in texts})
    assert _states(w.store) == {"published": 2} and w.tally.published == 2
    assert w.run_once() == 0
    holder.close()


class CountingStore(Store):
    """The real store, counting the transactions refused because SQLite was busy."""

    busy = 0

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with super().session() as s:
                yield s
        except DatabaseBusy:
            self.busy += 1
            raise


def _open(store: Store) -> int:
    def count() -> int:
        with store.session() as s:
            wanted = select(func.count()).where(DeliveryRow.state.in_(OPEN))
            return int(s.scalar(wanted) or 0)

    return patiently(count, tries=50)


def publish_until_done(url: str, name: str, now: datetime, start: Any, results: Any) -> None:
    """One worker process: rounds until nothing is open (a round that took nothing on may
    only mean the others hold the rest), then its tally and the locks it met."""
    store = CountingStore(url, migrate=False, timeout_s=0)  # no waiting inside SQLite
    worker = Worker(
        store,
        name=name,
        clock=lambda: now,
        http=httpx.Client(trust_env=False, timeout=30),
        connector_for=lambda _p: MastodonConnector(poll_wait=0),
    )
    start.wait(GIVE_UP_S)  # every process ready: they start together
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        if worker.run_once(limit=2) == 0 and _open(store) == 0:
            break
    results.put((name, worker.tally.published, store.busy))


def test_four_worker_processes_on_one_sqlite_file_publish_every_post_once(
    tmp_path: Path, clock
) -> None:
    path = tmp_path / "tactful.db"
    url = f"sqlite:///{path}"
    fake = FakeMastodon(clock=clock)
    texts = [f"Minutes of the committee, item {i}" for i in range(POSTS)]
    with serve(fake) as server:
        store = _store_with_posts(path, server, texts, clock)
        clock.advance(minutes=2)

        spawn = multiprocessing.get_context("spawn")  # no fork of a process running a server
        start, results = spawn.Barrier(WORKERS), spawn.Queue()
        workers = [
            spawn.Process(
                target=publish_until_done,
                args=(url, f"racer{i}", clock.now, start, results),
                daemon=True,
            )
            for i in range(WORKERS)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join(GIVE_UP_S + 60)
        assert [w.exitcode for w in workers] == [0] * WORKERS  # none died
        reports = [results.get(timeout=5) for _ in workers]

    states = _states(store)
    print(
        f"\n{WORKERS} worker processes: published {[p for _, p, _ in sorted(reports)]}, "
        f"refused by a locked database {[b for _, _, b in sorted(reports)]} times"
    )
    assert states == {"published": POSTS}  # nothing left claimed or publishing
    assert fake.published() == Counter({t: 1 for t in texts})  # each exactly once
    assert sum(published for _, published, _ in reports) == POSTS
    assert sum(busy for _, _, busy in reports) > 0  # the workers did meet a locked database
