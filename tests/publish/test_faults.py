"""Fault injection: thousands of randomized publish attempts against the fake Mastodon server,
with workers killed at every step, connections refused, answers lost after the server
accepted the post, 429s, 5xx before and after the work, tokens revoked mid-run (and the
account reconnected), leases expiring and two workers racing. At the end every post is on
the server exactly once: no duplicate, none lost. The counts are printed.

TACTFUL_FAULT_ATTEMPTS sets how many publish attempts to reach (10,000 by default)."""

from __future__ import annotations

import itertools
import os
import random
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx
from fake_mastodon import FakeMastodon, client
from sqlalchemy import func, select

from tactful.core.checker import Checker
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.outbox import requeue, schedule
from tactful.publish.times import parse_local, resolve
from tactful.publish.worker import Killed, Worker
from tactful.store import Store
from tactful.store.models import AttemptRow, DeliveryRow
from tactful.store.snapshot import load_snapshot

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


def _killer(rng: random.Random, kills: Counter[str]) -> Callable[[str], None]:
    """A worker's fault hook: at any step, now and then, the process dies (kill -9)."""

    def fault(step: str) -> None:
        if rng.random() < 0.04:
            kills[step] += 1
            raise Killed(step)

    return fault


def _storm(
    store: Store,
    rng: random.Random,
    make_worker: Callable[[str], Worker],
    *,
    workers: int,
    target: int,
    batch: int,
    add_posts: Callable[[int], None],
    limit: int,
    max_rounds: int,
    between: Callable[[int, Counter[str]], None],
) -> int:
    """Run workers chosen at random (a killed one is replaced by a new process) until
    ``target`` publish attempts are reached and nothing is left open; ``batch`` posts are
    added whenever fewer are open. ``between`` acts after each round (the user, the clock).
    Returns the number of rounds."""
    running = [make_worker(f"w{i}") for i in range(workers)]
    rounds = 0
    while True:
        rounds += 1
        attempts = _attempts(store)
        states = _states(store)
        open_ = sum(n for state, n in states.items() if state != "published")
        if attempts < target and open_ < batch:
            add_posts(batch)
        elif attempts >= target and open_ == 0:
            return rounds
        assert rounds < max_rounds, f"no progress: {states}"
        w = rng.choice(running)
        try:
            w.run_once(limit=rng.randint(1, limit))
        except Killed:
            running[running.index(w)] = make_worker(w.name + "'")  # a new process
        between(rounds, states)


def test_thousands_of_faulty_attempts_end_with_no_duplicate_and_nothing_lost(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    rng = random.Random(20261122)
    # The full count on SQLite; a tenth on PostgreSQL (same code paths, slower round trips).
    target = TARGET if connected.engine.dialect.name == "sqlite" else TARGET // 10
    with connected.session() as s:
        checker = Checker(store=load_snapshot(s))
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
        return Worker(
            connected,
            name=name,
            clock=clock,
            lease_clock=clock.database,
            http=client(mastodon, network),
            connector_for=lambda _p: MastodonConnector(poll_wait=0),
            fault=_killer(rng, kills),
            rng=rng,
        )

    def between(rounds: int, states: Counter[str]) -> None:
        nonlocal revocations
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

    rounds = _storm(
        connected, rng, make_worker, workers=3, target=target, batch=40, add_posts=add_posts,
        limit=6, max_rounds=200_000, between=between,
    )  # fmt: skip
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
        checker = Checker(store=load_snapshot(s))
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
            lease_clock=clock.database,
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


X_TARGET = int(os.environ.get("TACTFUL_FAULT_ATTEMPTS_X", "1500"))


def test_x_without_idempotency_keys_with_expiring_tokens_and_threads(store: Store, clock) -> None:
    """The same storm against X, which has no idempotency key: every resend is decided by
    looking for the post on the account. Access tokens live two hours and expire mid-publish
    at random; refresh tokens rotate, so a refresh whose answer is lost leaves the account
    needing the user (who reconnects). One post in four is a thread. Every part of every
    post ends on X exactly once, each reply under the part before."""
    from fake_x import BASE as X_BASE
    from fake_x import CLIENT_ID, USER_ID, FakeX

    from tactful.publish.connectors.x import XConnector
    from tactful.publish.credentials import save_credentials
    from tactful.publish.outbox import open_notices
    from tactful.store.accounts import add_account

    rng = random.Random(20261123)
    fake = FakeX(clock=clock)
    target = X_TARGET if store.engine.dialect.name == "sqlite" else X_TARGET // 5
    minted = 0

    def connect_again() -> None:
        nonlocal minted
        minted += 1
        token, refresh = f"reconnected-{minted}", f"reconnected-refresh-{minted}"
        fake.tokens[token] = USER_ID
        fake.scopes[token] = frozenset(
            {"tweet.read", "tweet.write", "users.read", "media.write", "offline.access"}
        )
        fake.expiry[token] = clock.now + timedelta(hours=2)
        fake.refresh_tokens[refresh] = (USER_ID, CLIENT_ID)
        with store.session() as s:
            save_credentials(
                s, "jo-x", token=token, base_url=X_BASE, remote_user=USER_ID,
                expires_at=clock.now + timedelta(hours=2),
                extra={"refresh_token": refresh, "client_id": CLIENT_ID},
            )  # fmt: skip

    with store.session() as s:
        add_account(s, "jo-x", platform="x", kind="professional", handle="@tactful_jo")
    connect_again()
    with store.session() as s:
        checker = Checker(store=load_snapshot(s))
    texts: list[str] = []
    kills: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    expired = reconnects = 0

    def add_posts(n: int) -> None:
        when = resolve(
            parse_local((clock.now + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")), "UTC"
        )
        with store.session() as s:
            for _ in range(n):
                text = f"Update {len(texts) + 1}: notes from the team, item {rng.randrange(10**6)}."
                long = rng.random() < 0.25
                if long:
                    text += (
                        " We met the new volunteers, planned the spring fair and agreed the rota"
                        " for the library desk. Thanks to everyone who came along on Tuesday."
                        " The next meeting is in the community room, as before, at seven."
                        " Bring a friend if you can: there is tea, and plenty of biscuits."
                        f" (Notes {len(texts) + 1}.)"  # X refuses a part it has seen before
                    )
                done = schedule(s, checker, text, ["jo-x"], when, actor="test", thread=long)
                assert done.state == "scheduled", done.problems
                assert done.parts == (2 if long else 1)
                texts.append(text)

    def network(request: httpx.Request) -> str | None:
        nonlocal expired
        if request.method != "POST":
            return None if rng.random() < 0.9 else "refuse"
        if request.url.path == "/2/tweets" and rng.random() < 0.02:
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            fake.expiry[token] = clock.now  # the token lapses as the request goes out
            expired += 1
        kind = rng.choice(NETWORK)
        faults[kind] += 1
        return None if kind == "ok" else kind

    def make_worker(name: str) -> Worker:
        return Worker(
            store,
            name=name,
            clock=clock,
            lease_clock=clock.database,
            http=client(fake, network),
            connector_for=lambda _p: XConnector(clock=clock),
            fault=_killer(rng, kills),
            rng=rng,
        )

    def between(rounds: int, states: Counter[str]) -> None:
        nonlocal reconnects
        if states.get("needs_attention") and rng.random() < 0.2:
            with store.session() as s:
                stuck = {
                    d.post_id: d.last_error or ""
                    for d in s.scalars(
                        select(DeliveryRow).where(DeliveryRow.state == "needs_attention")
                    )
                }
                told = bool(open_notices(s))
            if told or any("access was refused" in why for why in stuck.values()):
                connect_again()  # the user reads the notice and connects the account again
                reconnects += 1
            with store.session() as s:
                for post_id in stuck:
                    requeue(s, f"#{post_id}", now=clock.now)
        clock.advance(seconds=rng.choice((0, 5, 30, 90, 400)))
        if rounds % 300 == 0:
            clock.advance(hours=2)  # past every backoff; access tokens lapse

    rounds = _storm(
        store, rng, make_worker, workers=2, target=target, batch=20, add_posts=add_posts,
        limit=4, max_rounds=100_000, between=between,
    )  # fmt: skip
    published = fake.published()
    with store.session() as s:
        expected = [
            part
            for d in s.scalars(select(DeliveryRow).order_by(DeliveryRow.id))
            for part in (d.parts or [d.post.text])
        ]
    duplicates = sum(n - 1 for n in published.values() if n > 1)
    lost = sum(1 for t in expected if published[t] == 0)
    by_text = {t["sent"]: t for t in fake.tweets}
    with store.session() as s:
        threads = [list(d.parts) for d in s.scalars(select(DeliveryRow)) if d.parts]
    broken = sum(
        1
        for parts in threads
        for before, after in itertools.pairwise(parts)
        if by_text[after]["in_reply_to_tweet_id"] != by_text[before]["id"]
    )
    print(
        f"\nfault injection (X): {len(texts):,} posts ({len(expected):,} parts), "
        f"{_attempts(store):,} publish attempts in {rounds:,} worker rounds; network faults "
        f"{dict(faults)}; tokens expired mid-publish {expired}; reconnected {reconnects}; "
        f"workers killed at {dict(kills)}\n"
        f"result: {len(published):,} posts on X, {duplicates} duplicates, {lost} lost, "
        f"{broken} replies under the wrong post"
    )
    assert _attempts(store) >= target
    assert duplicates == 0 and lost == 0 and broken == 0
    assert set(published) == set(expected)
    assert expired > 0 and sum(kills.values()) > 0
