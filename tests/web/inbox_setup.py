"""What the inbox's web tests share: the fake networks on the test path, and a store with a
connected Mastodon account whose inbox holds a threat, a complaint, trolling, a question and
praise, sorted by the one checker (not from the network: the sync has its own tests)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
for folder in ("publish", "inbox"):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

from fake_inbox_actions import FakeMastodonActions  # noqa: E402
from fake_mastodon import BASE  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tactful.core.checker import Checker  # noqa: E402
from tactful.inbox.items import Incoming  # noqa: E402
from tactful.inbox.store import triage_pending  # noqa: E402
from tactful.inbox.sync import store_items  # noqa: E402
from tactful.publish.credentials import save_credentials  # noqa: E402
from tactful.store import Store  # noqa: E402
from tactful.store.accounts import add_account  # noqa: E402
from tactful.store.models import AccountRow  # noqa: E402

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ITEMS = [  # (status id, author, text, hours before T0)
    ("7001", "lee", "What time do you open on Saturday?", 1),
    (
        "7002",
        "sam",
        "My order arrived broken and nobody answers my emails. Really disappointed.",
        30,
    ),
    ("7003", "troll", "lol you clowns, nobody cares about your stupid launch", 2),
    ("7004", "creep", "I know where you live. I'll be waiting outside your house, bitch", 3),
    ("7005", "fan", "Love the new app, thank you so much!", 4),
    ("7006", "pat", "Still no refund after three weeks. This is the worst service ever.", 50),
]


def seed_inbox(store: Store, fake: FakeMastodonActions, checker: Checker) -> None:
    with store.session() as s:
        add_account(s, "acme-masto", platform="mastodon", kind="brand")
        save_credentials(s, "acme-masto", token="good-token", base_url=BASE)
        add_account(s, "acme-bsky", platform="bluesky", kind="brand")
        owner = s.scalar(select(AccountRow).where(AccountRow.name == "acme-masto"))
        assert owner is not None
        incoming = []
        for status_id, author, text, hours in ITEMS:
            fake.accounts.add(f"a-{author}")
            fake.statuses.append({"id": status_id, "account": f"a-{author}", "visibility": "public",
                                  "content": text, "created_at": T0.isoformat()})  # fmt: skip
            incoming.append(Incoming(
                remote_id=status_id, kind="mention", text=text,
                author_handle=f"{author}@elsewhere.example", author_id=f"a-{author}",
                url=f"https://elsewhere.example/@{author}/{status_id}",
                created_at=T0 - timedelta(hours=hours),
            ))  # fmt: skip
        store_items(s, owner.id, "mastodon", incoming, T0)
    triage_pending(store, checker, now=T0)


class Networks:
    """The fake networks behind one client, by host (Mastodon, Meta's Graph API)."""

    def __init__(self, *servers: tuple[str, object]):
        self.servers = dict(servers)

    def handle(self, request: object) -> object:
        host = request.url.host  # type: ignore[attr-defined]
        return self.servers[host].handle(request)  # type: ignore[attr-defined]

    def rate_limited(self) -> object:
        return next(iter(self.servers.values())).rate_limited()  # type: ignore[attr-defined]


def seed_facebook(store: Store, graph: object, checker: Checker) -> None:
    """A Facebook Page whose post has a trolling comment (hidden only through the Page)."""
    from fake_inbox_actions import GRAPH_BASE

    with store.session() as s:
        add_account(s, "acme-fb", platform="facebook", kind="brand")
        save_credentials(s, "acme-fb", token="page-token", base_url=GRAPH_BASE, remote_user="1001")
        owner = s.scalar(select(AccountRow).where(AccountRow.name == "acme-fb"))
        assert owner is not None
        comment = graph.comment("1001_555", "facebook")  # type: ignore[attr-defined]
        store_items(s, owner.id, "facebook", [Incoming(
            remote_id=comment, kind="comment", text="Typical clowns. Nobody asked for your opinion lol",
            author_handle="Angry Person", author_id="9876", created_at=T0 - timedelta(hours=5),
            url="https://www.facebook.com/1001_555",
        )], T0)  # fmt: skip
    triage_pending(store, checker, now=T0)
