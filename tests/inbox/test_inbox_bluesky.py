"""Bluesky's inbox against the fake PDS (every request and answer held to the lexicons):
pages with ``cursor``, a sync that stops at the last one's mark, the session renewed, one
notice for a revoked app password with what was synced kept, items over the limits."""

from __future__ import annotations

from typing import Any

from fake_http import client
from fake_inbox_bluesky import LIST, FakeBlueskyInbox
from sqlalchemy import func, select

from tactful.inbox.limits import limits
from tactful.inbox.sync import NOTICE, InboxSync
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxItemRow, NoticeRow

BASE = "https://pds.fake.test"


def _connect(store: Store, fake: FakeBlueskyInbox) -> None:
    with store.session() as s:
        add_account(s, "jo-sky", platform="bluesky", kind="brand")
        save_credentials(s, "jo-sky", token=fake.access_jwt, base_url=BASE, remote_user=fake.did,
                         extra={"refresh_jwt": fake.refresh_jwt})  # fmt: skip


def _sync(store: Store, fake: Any, clock: Any) -> Any:
    return InboxSync(store, http=client(fake), clock=clock)


def _lists(fake: FakeBlueskyInbox) -> list[Any]:
    return [r for r in fake.requests if r.url.path == f"/xrpc/{LIST}"]


def test_pages_with_the_cursor_then_stops_at_the_last_syncs_mark(store: Store, clock: Any) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    first = []
    for n in range(120):
        first.append(fake.write(f"hello {n}", author=f"p{n % 7}"))
        clock.advance(seconds=1)
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.seen, done.finished, done.pages) == (120, 0, True, 3)  # 50 + 50 + 20
    asked = _lists(fake)
    assert [r.url.params.get_list("reasons") for r in asked] == [["reply", "mention", "quote"]] * 3
    assert [r.url.params.get("cursor") is None for r in asked] == [True, False, False]
    clock.advance(minutes=5)
    later = [fake.write("again", reply_to=first[3]), fake.write("and quoted", reason="quote")]
    (again,) = _sync(store, fake, clock).run()
    # One page: it met the newest notification the last sync kept (read again, stored once).
    assert (again.new, again.seen, again.pages, again.finished) == (2, 1, 1, True)
    with store.session() as s:
        rows = {r.remote_id: r for r in s.scalars(select(InboxItemRow))}
    assert set(rows) == set(first + later)
    assert rows[later[0]].kind == "reply" and rows[later[0]].parent_id == first[3]
    assert rows[later[1]].kind == "quote" and rows[later[1]].parent_id  # the quoted post
    assert rows[first[0]].author_handle == "p0.bsky.social"
    assert rows[first[0]].url and rows[first[0]].url.startswith("https://bsky.app/profile/")


def test_a_sync_cut_short_goes_on_then_reads_what_arrived_meanwhile(
    store: Store, clock: Any
) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    old = [fake.write(f"old {n}") for n in range(80)]
    clock.advance(minutes=1)
    InboxSync(store, http=client(fake), clock=clock, max_pages=1).run()  # 50 of 80
    clock.advance(minutes=1)
    new = [fake.write(f"new {n}") for n in range(5)]
    (done,) = _sync(store, fake, clock).run()
    assert done.finished
    with store.session() as s:
        assert sorted(s.scalars(select(InboxItemRow.remote_id))) == sorted(old + new)


def test_an_expired_session_is_renewed_and_the_read_goes_on(store: Store, clock: Any) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    fake.write("before")
    clock.advance(hours=3)  # the access JWT lives two hours
    fake.write("after")
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.notice, done.finished) == (2, None, True)
    paths = [r.url.path.rsplit("/", 1)[-1] for r in fake.requests]
    assert paths == [LIST, "com.atproto.server.refreshSession", LIST]


def test_a_revoked_app_password_gives_one_notice_and_keeps_what_was_synced(
    store: Store, clock: Any
) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    fake.write("first")
    assert _sync(store, fake, clock).run()[0].new == 1
    fake.revoke_all()
    fake.write("second")
    for _ in range(3):
        (outcome,) = _sync(store, fake, clock).run()
        assert outcome.notice and "InvalidToken" in outcome.notice  # renewing failed too
    with store.session() as s:
        # (the token renewer leaves its own notice that the refresh token was refused)
        (notice,) = s.scalars(select(NoticeRow).where(NoticeRow.kind == NOTICE)).all()
        assert "tactful accounts connect jo-sky" in notice.message
        assert s.scalar(select(func.count()).select_from(InboxItemRow)) == 1
    fresh, refresh = fake._issue()  # connected again
    with store.session() as s:
        save_credentials(s, "jo-sky", token=fresh, base_url=BASE, remote_user=fake.did,
                         extra={"refresh_jwt": refresh})  # fmt: skip
    assert _sync(store, fake, clock).run()[0].new == 1
    with store.session() as s:
        assert s.scalar(select(NoticeRow.dismissed_at).where(NoticeRow.kind == NOTICE))


def test_items_over_the_limits_are_kept_and_marked(store: Store, clock: Any) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    fake.write("spam " * (limits().text_chars // 4))
    fake.write("fine")
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.cut, done.finished) == (2, 1, True)
    with store.session() as s:
        row = s.scalar(select(InboxItemRow).where(InboxItemRow.oversize.is_(True)))
    assert row is not None and len(row.text) == limits().text_chars
    assert row.original_chars is not None and row.original_chars > limits().text_chars


def test_a_rate_limit_is_waited_out_on_the_syncs_clock(store: Store, clock: Any) -> None:
    fake = FakeBlueskyInbox(clock=clock)
    _connect(store, fake)
    fake.write("hello")
    limited = InboxSync(store, http=client(fake, lambda _r: "429"), clock=clock)
    (stopped,) = limited.run()
    assert stopped.stopped and "429" in stopped.stopped
    (waiting,) = _sync(store, fake, clock).run()
    assert waiting.stopped and "wait until 09:00:30" in waiting.stopped
    clock.advance(seconds=31)
    assert _sync(store, fake, clock).run()[0].new == 1
