"""Fault injection for the inbox sync, on each network's fake: thousands of items written to
the account while syncs run with connections refused, answers lost, 429s, 5xx before and
after the work, access revoked (and the account connected again once the user is told),
Bluesky sessions expiring and renewed, and syncs killed after a page is read and after it is
stored. At the end every item is in the store exactly once: none lost, none twice. The
counts are printed.

TACTFUL_INBOX_FAULT_FETCHES sets how many item fetches to reach on each network: 6,000 under
``CI=true``, 1,500 otherwise (as ``make test`` scales the publishing storm); and at least
MIN_RUNS syncs (100 under ``CI=true``, 30 otherwise), since Facebook, Instagram and LinkedIn
read every comment of the look-back window on each sync and reach the fetches in few."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fake_http import client
from fake_inbox_bluesky import FakeBlueskyInbox
from fake_inbox_graph import BASE as GRAPH_BASE
from fake_inbox_graph import IG_ID, PAGE_ID, FakeGraphInbox
from fake_inbox_graph import TOKEN as GRAPH_TOKEN
from fake_inbox_linkedin import BASE as LINKEDIN_BASE
from fake_inbox_linkedin import ORG, FakeLinkedInInbox
from fake_inbox_mastodon import BASE as MASTODON_BASE
from fake_inbox_mastodon import FakeMastodonInbox
from fake_inbox_x import BASE as X_BASE
from fake_inbox_x import USER_ID, FakeXMentions
from inbox_helpers import NoRefresh
from sqlalchemy import func, select

from tactful.inbox.sync import InboxSync
from tactful.publish.connectors.bluesky import BlueskyConnector
from tactful.publish.credentials import save_credentials
from tactful.publish.worker import Killed
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxCursorRow, InboxItemRow, NoticeRow

CI = os.environ.get("CI", "").lower() == "true"
TARGET = int(os.environ.get("TACTFUL_INBOX_FAULT_FETCHES") or (6000 if CI else 1500))
MIN_RUNS = 100 if CI else 30
NETWORKS = ["mastodon", "x", "bluesky", "facebook", "instagram", "linkedin"]
BLUESKY_BASE = "https://pds.fake.test"
FAULTS = (
    ["ok"] * 12
    + ["refuse"] * 2
    + ["drop"] * 2
    + ["429"] * 2
    + ["500-before"] * 2
    + ["502-after"] * 2
)


class _Network:
    """One network in the storm: its fake server, how people write to the account, how the
    user revokes tactful's access and connects the account again."""

    platform = ""

    def __init__(self, store: Store, clock: Any):
        self.store, self.clock = store, clock
        self.revoked = False

    def connect(self, **creds: Any) -> None:
        with self.store.session() as s:
            save_credentials(s, "jo", **creds)

    def connector(self, _platform: str) -> Any:
        return NoRefresh()

    def write(self, text: str, author: str, reply_to: str | None, rng: random.Random) -> str:
        return str(self.fake.write(text, author=author, reply_to=reply_to))

    def revoke(self) -> None:
        self.revoked = True
        self.fake.tokens.clear()

    def grant(self) -> None:
        self.revoked = False
        self.fake.tokens.update(self.granted)


class _Mastodon(_Network):
    platform = "mastodon"

    def __init__(self, store: Store, clock: Any):
        super().__init__(store, clock)
        self.fake: Any = FakeMastodonInbox(clock=clock)
        self.granted = dict(self.fake.tokens)
        self.connect(token="good-token", base_url=MASTODON_BASE)


class _X(_Network):
    platform = "x"

    def __init__(self, store: Store, clock: Any):
        super().__init__(store, clock)
        self.fake = FakeXMentions(clock=clock)
        self.granted = dict(self.fake.tokens)
        self.connect(token="x-token", base_url=X_BASE, remote_user=USER_ID)


class _Bluesky(_Network):
    """Sessions expire (two hours) and are renewed through the connector; a revoked app
    password revokes every session, and connecting again starts a new one."""

    platform = "bluesky"

    def __init__(self, store: Store, clock: Any):
        super().__init__(store, clock)
        self.fake = FakeBlueskyInbox(clock=clock)
        self.grant()

    def connector(self, _platform: str) -> Any:
        return BlueskyConnector()

    def write(self, text: str, author: str, reply_to: str | None, rng: random.Random) -> str:
        quote = reply_to is None and rng.random() < 0.1
        return self.fake.write(text, author=author, reply_to=reply_to,
                               reason="quote" if quote else None)  # fmt: skip

    def revoke(self) -> None:
        self.revoked = True
        self.fake.revoke_all()

    def grant(self) -> None:
        self.revoked = False
        access, refresh = self.fake._issue()
        self.connect(token=access, base_url=BLUESKY_BASE, remote_user=self.fake.did,
                     extra={"refresh_jwt": refresh})  # fmt: skip


class _Graph(_Network):
    """Comments on the Page's (or the Instagram account's) posts; the account posts now and
    then, and people comment on its recent posts and answer each other."""

    def __init__(self, store: Store, clock: Any, platform: str):
        super().__init__(store, clock)
        self.platform = platform
        self.fake = FakeGraphInbox(clock=clock)
        self.granted = dict(self.fake.tokens)
        self.connect(token=GRAPH_TOKEN, base_url=GRAPH_BASE,
                     remote_user=PAGE_ID if platform == "facebook" else IG_ID)  # fmt: skip
        self.posts: list[str] = []

    def write(self, text: str, author: str, reply_to: str | None, rng: random.Random) -> str:
        if not self.posts or rng.random() < 0.03:
            self.posts.append(self.fake.post(f"post {len(self.posts)}", network=self.platform))
        on = rng.choice(self.posts[-5:])
        return self.fake.write(text, author=author, reply_to=reply_to, network=self.platform,
                               on=on)  # fmt: skip


class _LinkedIn(_Network):
    """Comments on the page's recent posts (replies to comments are not read, so none are
    written). Its 429 carries a Retry-After here: a daily limit would stop the storm."""

    platform = "linkedin"

    def __init__(self, store: Store, clock: Any):
        super().__init__(store, clock)
        self.fake = FakeLinkedInInbox(clock=clock, retry_after_header="60")
        self.granted = {"good-token": self.fake.tokens["good-token"]}
        self.connect(token="good-token", base_url=LINKEDIN_BASE, remote_user=ORG)
        self.posts: list[str] = []

    def write(self, text: str, author: str, reply_to: str | None, rng: random.Random) -> str:
        if not self.posts or rng.random() < 0.03:
            self.posts.append(self.fake.post(f"post {len(self.posts)}"))
        return self.fake.write(text, author=author, on=rng.choice(self.posts[-5:]))


def _network(store: Store, clock: Any, platform: str) -> _Network:
    with store.session() as s:
        add_account(s, "jo", platform=platform, kind="brand", handle="@jo")
    if platform in ("facebook", "instagram"):
        return _Graph(store, clock, platform)
    made = {"mastodon": _Mastodon, "x": _X, "bluesky": _Bluesky, "linkedin": _LinkedIn}
    return made[platform](store, clock)


@pytest.mark.parametrize("platform", NETWORKS)
def test_thousands_of_faulty_fetches_lose_nothing_and_store_nothing_twice(
    store: Store, clock: Any, platform: str
) -> None:
    rng = random.Random(20261210)
    target = TARGET if store.engine.dialect.name == "sqlite" else TARGET // 5
    network = _network(store, clock, platform)
    fake = network.fake
    faults: Counter[str] = Counter()
    kills: Counter[str] = Counter()
    revoked = refusals = runs = 0
    noticed = False

    def network_fault(_request: httpx.Request) -> str | None:
        kind = rng.choice(FAULTS)
        faults[kind] += 1
        return None if kind == "ok" else kind

    def killer(step: str) -> None:
        # Each kill point is hit at least once (the first chance after a few syncs), however
        # short the run: PostgreSQL's runs are a fifth of SQLite's.
        forced = kills[step] == 0 and runs >= 3
        if forced or rng.random() < 0.15:
            kills[step] += 1
            raise Killed(step)

    def make(fault: Callable[[str], None], http: httpx.Client) -> InboxSync:
        return InboxSync(
            store, http=http, clock=clock, connector_for=network.connector, fault=fault
        )

    written: list[str] = []
    texts: dict[str, str] = {}
    while sum(fake.served.values()) < target or runs < MIN_RUNS:
        runs += 1
        for _ in range(rng.randint(0, 25)):
            reply_to = rng.choice(written) if written and rng.random() < 0.3 else None
            text = f"note {len(written)}: {rng.randrange(10**6)} & <more>"
            made = network.write(text, f"p{rng.randrange(50)}", reply_to, rng)
            written.append(made)
            texts[made] = text
        if not network.revoked and (runs % 25 == 5 or rng.random() < 0.02):
            network.revoke()  # the user revoked tactful's access
            revoked += 1
        elif (network.revoked or noticed) and rng.random() < 0.3:
            network.grant()  # and, told so, connected the account again
        sync = make(killer, client(fake, network_fault))
        try:
            for outcome in sync.run():
                refusals += outcome.notice is not None
                noticed = outcome.notice is not None
        except Killed:
            pass
        clock.advance(seconds=rng.choice((0, 10, 60, 600)))
    if network.revoked or noticed:
        network.grant()
    # The user runs it again on a calm day until a pass that started from the newest has
    # read to its end: a run that goes on from where the last one stopped ends at the end
    # of a look-back window (Facebook, Instagram, LinkedIn), its newer posts being the next
    # pass's, and a pass over a long window takes more than one run.
    from_newest = False
    for _ in range(50):
        clock.advance(hours=1)
        with store.session() as s:
            from_newest = from_newest or s.scalar(select(InboxCursorRow.resume)) is None
        (outcome,) = make(lambda _s: None, client(fake)).run()
        if outcome.finished and from_newest:
            break
    assert outcome.finished and from_newest, outcome.line()
    with store.session() as s:
        stored = Counter(s.scalars(select(InboxItemRow.remote_id)))
        notices = s.scalar(select(func.count()).select_from(NoticeRow)) or 0
        # Stored as written, markup and all (Mastodon's HTML read back to the words).
        texts_ok = all(
            row.text.endswith(texts[row.remote_id]) for row in s.scalars(select(InboxItemRow))
        )
    expected = set(written)
    duplicates = sum(n - 1 for n in stored.values() if n > 1)
    lost = len(expected - set(stored))
    extra = len(set(stored) - expected)
    print(
        f"\ninbox fault injection ({platform}, {store.engine.dialect.name}): "
        f"{len(written):,} items written, {sum(fake.served.values()):,} item fetches "
        f"({len(fake.requests):,} requests) in {runs:,} syncs; network faults {dict(faults)}; "
        f"syncs killed at {dict(kills)}; access revoked {revoked} times, {refusals} refusals, "
        f"{notices} notices\n"
        f"result: {len(stored):,} items stored, {duplicates} duplicated, {lost} lost, "
        f"{extra} unexpected"
    )
    assert sum(fake.served.values()) >= target
    assert duplicates == 0 and lost == 0 and extra == 0
    assert texts_ok
    assert kills["fetched"] > 0 and kills["stored"] > 0 and revoked > 0
