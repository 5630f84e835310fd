"""Fault injection: thousands of randomized publish attempts against the fake Mastodon server,
with workers killed at every step, connections refused, answers lost after the server
accepted the post, 429s, 5xx before and after the work, tokens revoked mid-run (and the
account reconnected), leases expiring and two workers racing. At the end every post is on
the server exactly once: no duplicate, none lost. The counts are printed.

TACTFUL_FAULT_ATTEMPTS sets how many publish attempts to reach (10,000 by default)."""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from datetime import timedelta

import httpx
from fake_mastodon import FakeMastodon, client
from sqlalchemy import func, select

from tactful.checker import Checker
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.outbox import requeue, schedule
from tactful.publish.times import parse_local, resolve
from tactful.publish.worker import Killed, Worker
from tactful.store import Store
from tactful.store.models import AttemptRow, DeliveryRow
from tactful.store.snapshot import EXTRAS_KEY, load_snapshot

TARGET = int(os.environ.get("TACTFUL_FAULT_ATTEMPTS", "10000"))
STEPS = ("claimed", "marked", "sent", "recorded")
NETWORK = (
    ["ok"] * 11
    + ["refuse"] * 3
    + ["drop"] * 3
    + ["429"] * 2
    + ["500-before"] * 2
    + ["502-after"] * 2
)


def _attempts(store: Store) -> int:
    with store.session() as s:
        return (
            s.scalar(
                select(func.count()).select_from(AttemptRow).where(AttemptRow.action == "publish")
            )
            or 0
        )


def _states(store: Store) -> Counter[str]:
    with store.session() as s:
        rows = s.execute(select(DeliveryRow.state, func.count()).group_by(DeliveryRow.state))
        return Counter({state: n for state, n in rows})


def test_thousands_of_faulty_attempts_end_with_no_duplicate_and_nothing_lost(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    rng = random.Random(20261122)
    # The full count on SQLite; a tenth on PostgreSQL (same code paths, slower round trips).
    target = TARGET if connected.engine.dialect.name == "sqlite" else TARGET // 10
    with connected.session() as s:
        checker = Checker(extras={EXTRAS_KEY: load_snapshot(s)})
    texts: list[str] = []
    kills: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    revocations = 0

    def add_posts(n: int) -> None:
        when = resolve(
            parse_local((clock.now + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")), "UTC"
        )
        with connected.session() as s:
            for _ in range(n):
                text = f"Update {len(texts) + 1}: notes from the team, item {rng.randrange(10**6)}."
                done = schedule(s, checker, text, ["jo-masto"], when, actor="test")
                assert done.state == "scheduled", done.problems
                texts.append(text)

    def network(request: httpx.Request) -> str | None:
        if request.method != "POST":
            return None if rng.random() < 0.9 else "refuse"  # reading the account can fail too
        kind = rng.choice(NETWORK)
        faults[kind] += 1
        return None if kind == "ok" else kind

    def make_worker(name: str) -> Worker:
        def fault(step: str) -> None:
            if rng.random() < 0.04:
                kills[step] += 1
                raise Killed(step)

        return Worker(
            connected,
            name=name,
            clock=clock,
            http=client(mastodon, network),
            connector_for=lambda _p: MastodonConnector(poll_wait=0),
            fault=fault,
            rng=rng,
        )

    workers = [make_worker(f"w{i}") for i in range(3)]
    rounds = 0
    while True:
        rounds += 1
        attempts = _attempts(connected)
        states = _states(connected)
        open_ = sum(n for state, n in states.items() if state != "published")
        if attempts < target and open_ < 40:
            add_posts(40)
        elif attempts >= target and open_ == 0:
            break
        assert rounds < 200_000, f"no progress: {states}"
        w = rng.choice(workers)
        try:
            w.run_once(limit=rng.randint(1, 6))
        except Killed:
            workers[workers.index(w)] = make_worker(w.name + "'")  # a new process
        if rng.random() < 0.003 and mastodon.tokens:
            mastodon.tokens.clear()  # the user revoked the app mid-run
            revocations += 1
        if not mastodon.tokens and rng.random() < 0.05:
            mastodon.tokens["good-token"] = "109"  # reconnected
        if states.get("needs_attention") and mastodon.tokens and rng.random() < 0.2:
            with connected.session() as s:  # the user presses "try again"
                ids = s.scalars(
                    select(DeliveryRow.post_id).where(DeliveryRow.state == "needs_attention")
                )
                for post_id in set(ids):
                    requeue(s, f"#{post_id}", now=clock.now)
        clock.advance(seconds=rng.choice((0, 5, 30, 90, 400)))  # 400 s: leases expire
        if rounds % 500 == 0:
            clock.advance(hours=2)  # past every backoff and every idempotency key

    published = mastodon.published()
    duplicates = sum(n - 1 for n in published.values() if n > 1)
    lost = sum(1 for t in texts if published[t] == 0)
    print(
        f"\nfault injection: {len(texts):,} posts, {_attempts(connected):,} publish attempts in "
        f"{rounds:,} worker rounds; network faults {dict(faults)}; workers killed at "
        f"{dict(kills)}; tokens revoked {revocations} times\n"
        f"result: {len(published):,} posts on the server, {duplicates} duplicates, {lost} lost"
    )
    assert _attempts(connected) >= target
    assert duplicates == 0 and lost == 0
    assert set(published) == set(texts)
    assert sum(kills.values()) > target // 20 and all(kills[s] > 0 for s in STEPS)


def test_two_workers_racing_never_publish_the_same_post(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    with connected.session() as s:
        checker = Checker(extras={EXTRAS_KEY: load_snapshot(s)})
    when = resolve(
        parse_local((clock.now + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")), "UTC"
    )
    texts = [f"Release notes, part {i}" for i in range(120)]
    with connected.session() as s:
        for text in texts:
            assert schedule(s, checker, text, ["jo-masto"], when, actor="test").state == "scheduled"
    clock.advance(minutes=2)
    lock = threading.Lock()

    def serialized(request: httpx.Request) -> httpx.Response:
        with lock:  # the fake server itself is not thread-safe; the workers are
            return mastodon.handle(request)

    def run(name: str) -> None:
        w = Worker(
            connected,
            name=name,
            clock=clock,
            http=httpx.Client(transport=httpx.MockTransport(serialized)),
            connector_for=lambda _p: MastodonConnector(poll_wait=0),
        )
        while w.run_once(limit=3):
            pass

    threads = [threading.Thread(target=run, args=(f"racer{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert _states(connected) == {"published": len(texts)}
    assert mastodon.published() == Counter({t: 1 for t in texts})
    # Every status went out with its delivery's key exactly once (no key sent twice).
    keys = Counter(r.headers["idempotency-key"] for r in mastodon.requests if r.method == "POST")
    assert max(keys.values()) == 1
