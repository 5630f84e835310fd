"""LinkedIn page comments against the fake: pages of posts and of comments with
``start``/``count``, a member account refused at once, one notice for a member who is not an
admin of the page with what was synced kept, items over the limits, the daily limit waited
out until midnight UTC on the sync's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fake_http import client
from fake_inbox_linkedin import BASE, ORG, FakeLinkedInInbox
from fake_linkedin import MEMBER
from sqlalchemy import select

from tactful.inbox.limits import limits
from tactful.inbox.sync import NOTICE, InboxSync
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxItemRow, NoticeRow


def _connect(store: Store, token: str = "good-token", who: str = ORG) -> None:
    with store.session() as s:
        add_account(s, "acme-li", platform="linkedin", kind="brand")
        save_credentials(s, "acme-li", token=token, base_url=BASE, remote_user=who)


def _sync(store: Store, fake: Any, clock: Any) -> Any:
    return InboxSync(store, http=client(fake), clock=clock)


def _stored(store: Store) -> dict[str, InboxItemRow]:
    with store.session() as s:
        return {row.remote_id: row for row in s.scalars(select(InboxItemRow))}


def test_every_comment_of_every_recent_post_once(store: Store, clock: Any) -> None:
    _connect(store)
    fake = FakeLinkedInInbox(clock=clock)
    posts = [fake.post(f"post {n}", when=clock() - timedelta(hours=30 - n)) for n in range(25)]
    written = [fake.write(f"on {n}", author=f"m{n}", on=p) for n, p in enumerate(posts)]
    written += [fake.write(f"busy {n}", on=posts[0]) for n in range(150)]  # two pages
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.finished) == (175, True)
    rows = _stored(store)
    assert set(rows) == set(written) == fake.ids()
    first = rows[written[0]]
    assert (first.kind, first.parent_id, first.author_id) == (
        "comment",
        posts[0],
        "urn:li:person:m0",
    )
    assert first.thread and first.thread[0]["text"] == "post 0"
    assert first.url == f"https://www.linkedin.com/feed/update/{posts[0]}/"
    lists = [r for r in fake.requests if "/comments" in r.url.path]
    assert all(int(r.url.params["count"]) <= 100 for r in lists)
    later = fake.write("one more", on=posts[3])
    (again,) = _sync(store, fake, clock).run()
    assert (again.new, again.seen) == (1, 175) and later in _stored(store)


def test_a_member_account_is_refused_at_once(store: Store, clock: Any) -> None:
    _connect(store, who=MEMBER)
    fake = FakeLinkedInInbox(clock=clock)
    (outcome,) = _sync(store, fake, clock).run()
    assert outcome.notice and "company page" in outcome.notice
    assert fake.requests == []


def test_a_member_who_is_no_admin_gives_one_notice_and_keeps_what_was_synced(
    store: Store, clock: Any
) -> None:
    _connect(store)
    fake = FakeLinkedInInbox(clock=clock)
    fake.write("first")
    assert _sync(store, fake, clock).run()[0].new == 1
    grant = fake.tokens["good-token"]
    fake.tokens["good-token"] = fake.tokens["not-admin-token"]
    fake.write("second")
    for _ in range(3):
        (outcome,) = _sync(store, fake, clock).run()
        assert outcome.notice and "r_organization_social" in outcome.notice
    with store.session() as s:
        (notice,) = s.scalars(select(NoticeRow).where(NoticeRow.kind == NOTICE)).all()
    assert "acme-li" in notice.message and len(_stored(store)) == 1
    fake.tokens["good-token"] = grant
    assert _sync(store, fake, clock).run()[0].new == 1


def test_items_over_the_limits_are_kept_and_marked(store: Store, clock: Any) -> None:
    _connect(store)
    fake = FakeLinkedInInbox(clock=clock)
    fake.write("spam " * (limits().text_chars // 4), author="a" * 1000)
    fake.write("fine")
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.cut, done.finished) == (2, 1, True)
    with store.session() as s:
        row = s.scalar(select(InboxItemRow).where(InboxItemRow.oversize.is_(True)))
    assert row is not None and len(row.text) == limits().text_chars
    assert row.author_id is not None and len(row.author_id) == limits().handle_chars


def test_the_daily_limit_is_waited_out_until_midnight_on_the_syncs_clock(
    store: Store, clock: Any
) -> None:
    _connect(store)
    fake = FakeLinkedInInbox(clock=clock)
    fake.write("hello")
    (limited,) = InboxSync(store, http=client(fake, lambda _r: "429"), clock=clock).run()
    assert limited.stopped and "rate limit" in limited.stopped
    (waiting,) = _sync(store, fake, clock).run()
    assert waiting.stopped and "wait until 00:00:00" in waiting.stopped
    clock.advance(hours=15)  # 09:00 -> past midnight UTC
    assert _sync(store, fake, clock).run()[0].new == 1
