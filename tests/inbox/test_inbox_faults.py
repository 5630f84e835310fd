"""Fault injection for the inbox sync: thousands of items written to the account while syncs
run against the fake network with connections refused, answers lost, 429s, 5xx before and
after the work, tokens revoked (and the account reconnected), and syncs killed after a page
is read and after it is stored. At the end every item is in the store exactly once: none
lost, none twice. The counts are printed.

TACTFUL_INBOX_FAULT_FETCHES sets how many item fetches to reach: 6,000 under ``CI=true``,
1,500 otherwise (as ``make test`` scales the publishing storm)."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fake_http import client
from fake_inbox_mastodon import BASE as MASTODON_BASE
from fake_inbox_mastodon import FakeMastodonInbox
from fake_inbox_x import BASE as X_BASE
from fake_inbox_x import USER_ID, FakeXMentions
from sqlalchemy import func, select

from tactful.inbox.sync import InboxSync
from tactful.publish.credentials import save_credentials
from tactful.publish.worker import Killed
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxItemRow, NoticeRow

CI = os.environ.get("CI", "").lower() == "true"
TARGET = int(os.environ.get("TACTFUL_INBOX_FAULT_FETCHES") or (6000 if CI else 1500))
NETWORK = (
    ["ok"] * 12
    + ["refuse"] * 2
    + ["drop"] * 2
    + ["429"] * 2
    + ["500-before"] * 2
    + ["502-after"] * 2
)


class _NoRefresh:
    """The account's connector as the sync sees it: no refresh (a token is reconnected)."""

    name = "none"


def _setup(store: Store, network: str, clock: Any) -> tuple[Any, str, dict[str, Any]]:
    if network == "mastodon":
        fake: Any = FakeMastodonInbox(clock=clock)
        creds = {"token": "good-token", "base_url": MASTODON_BASE}
        platform = "mastodon"
    else:
        fake = FakeXMentions(clock=clock)
        creds = {"token": "x-token", "base_url": X_BASE, "remote_user": USER_ID}
        platform = "x"
    with store.session() as s:
        add_account(s, "jo", platform=platform, kind="brand", handle="@jo")
        save_credentials(s, "jo", **creds)
    return fake, creds["token"], dict(fake.tokens)


@pytest.mark.parametrize("network", ["mastodon", "x"])
def test_thousands_of_faulty_fetches_lose_nothing_and_store_nothing_twice(
    store: Store, clock: Any, network: str
) -> None:
    rng = random.Random(20261210)
    target = TARGET if store.engine.dialect.name == "sqlite" else TARGET // 5
    fake, _token, granted = _setup(store, network, clock)
    faults: Counter[str] = Counter()
    kills: Counter[str] = Counter()
    revoked = refusals = runs = 0

    def network_fault(_request: httpx.Request) -> str | None:
        kind = rng.choice(NETWORK)
        faults[kind] += 1
        return None if kind == "ok" else kind

    def killer(step: str) -> None:
        if rng.random() < 0.15:
            kills[step] += 1
            raise Killed(step)

    def make(fault: Callable[[str], None], http: httpx.Client) -> InboxSync:
        return InboxSync(
            store,
            http=http,
            clock=clock,
            connector_for=lambda _p: _NoRefresh(),  # type: ignore[return-value]
            fault=fault,
        )

    written: list[str] = []
    texts: dict[str, str] = {}
    while sum(fake.served.values()) < target:
        runs += 1
        for _ in range(rng.randint(0, 25)):
            reply_to = rng.choice(written) if written and rng.random() < 0.3 else None
            text = f"note {len(written)}: {rng.randrange(10**6)} & <more>"
            written.append(fake.write(text, author=f"p{rng.randrange(50)}", reply_to=reply_to))
            texts[written[-1]] = text
        if fake.tokens and (runs % 25 == 5 or rng.random() < 0.02):
            fake.tokens.clear()  # the user revoked tactful's access
            revoked += 1
        elif not fake.tokens and rng.random() < 0.3:
            fake.tokens.update(granted)  # and connected it again
        sync = make(killer, client(fake, network_fault))
        try:
            for outcome in sync.run():
                refusals += outcome.notice is not None
        except Killed:
            pass
        clock.advance(seconds=rng.choice((0, 10, 60, 600)))
    fake.tokens.update(granted)
    for _ in range(50):  # the user runs it once more, on a calm day
        clock.advance(hours=1)
        (outcome,) = make(lambda _s: None, client(fake)).run()
        if outcome.finished:
            break
    assert outcome.finished, outcome.line()
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
        f"\ninbox fault injection ({network}, {store.engine.dialect.name}): "
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
