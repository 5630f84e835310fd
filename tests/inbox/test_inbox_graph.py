"""Facebook Page and Instagram comments against the fake Graph API: pages of posts with the
``after`` cursor, a post's comments past the first page, replies, the look-back window, one
notice for a missing permission with what was synced kept, items over the limits, and
Meta's throttling waited out."""

from __future__ import annotations

from typing import Any

import pytest
from fake_http import client
from fake_inbox_graph import BASE, IG_ID, PAGE_ID, TOKEN, FakeGraphInbox, days_ago
from sqlalchemy import select

from tactful.inbox.limits import limits
from tactful.inbox.sync import NOTICE, InboxSync
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxItemRow, NoticeRow

NETWORKS = ["facebook", "instagram"]
PERMISSION = {"facebook": "pages_read_user_content", "instagram": "instagram_manage_comments"}


def _connect(store: Store, network: str) -> None:
    with store.session() as s:
        add_account(s, "bakery", platform=network, kind="brand")
        save_credentials(s, "bakery", token=TOKEN, base_url=BASE,
                         remote_user=PAGE_ID if network == "facebook" else IG_ID)  # fmt: skip


def _sync(store: Store, fake: Any, clock: Any, **kw: Any) -> Any:
    return InboxSync(store, http=client(fake), clock=clock, **kw)


def _stored(store: Store) -> dict[str, InboxItemRow]:
    with store.session() as s:
        return {row.remote_id: row for row in s.scalars(select(InboxItemRow))}


@pytest.mark.parametrize("network", NETWORKS)
def test_every_comment_of_every_recent_post_once(store: Store, clock: Any, network: str) -> None:
    _connect(store, network)
    fake = FakeGraphInbox(clock=clock)
    posts = [fake.post(f"post {n}", network=network, when=days_ago(clock, 1)) for n in range(30)]
    written = [fake.write(f"on {n}", network=network, on=p) for n, p in enumerate(posts)]
    busy = posts[-1]  # 250 comments: three pages of comments under one post
    written += [fake.write(f"busy {n}", network=network, on=busy) for n in range(250)]
    # 60 replies to one comment: on Instagram past the first page that comes with it
    replies = [fake.write("agreed", network=network, reply_to=written[5]) for _ in range(60)]
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.finished) == (340, True)
    rows = _stored(store)
    assert set(rows) == set(written + replies) == fake.ids(network)
    reply = rows[replies[0]]
    assert reply.kind == "reply" and reply.parent_id == written[5]
    first = rows[written[0]]
    assert first.kind == "comment" and first.parent_id == posts[0]
    assert first.thread and first.thread[0]["text"] == "post 0"
    # Each read asked for one page of posts and at most one page of comments.
    comments = [r for r in fake.requests if r.url.path.endswith("/comments")]
    assert all("after" in r.url.params for r in comments) or network == "instagram"
    later = fake.write("and another", network=network, on=posts[2])
    (again,) = _sync(store, fake, clock).run()
    assert (again.new, again.seen) == (1, 340)
    assert later in _stored(store)


@pytest.mark.parametrize("network", NETWORKS)
def test_posts_older_than_the_look_back_are_not_read(
    store: Store, clock: Any, network: str
) -> None:
    _connect(store, network)
    fake = FakeGraphInbox(clock=clock)
    days = limits().lookback_days
    ancient = [fake.post(f"old {n}", network=network, when=days_ago(clock, days + 5 + n))
               for n in reversed(range(40))]  # fmt: skip
    recent = fake.post("new", network=network, when=days_ago(clock, 2))
    fake.write("on an old post", network=network, on=ancient[-1])
    kept = fake.write("on the new one", network=network, on=recent)
    (done,) = _sync(store, fake, clock).run()
    assert done.finished and set(_stored(store)) == {kept}
    posts_pages = [r for r in fake.requests if not r.url.path.endswith("/comments")]
    assert len(posts_pages) == 1  # the first page reached the look-back: no more pages


@pytest.mark.parametrize("network", NETWORKS)
def test_a_missing_permission_gives_one_notice_and_keeps_what_was_synced(
    store: Store, clock: Any, network: str
) -> None:
    _connect(store, network)
    fake = FakeGraphInbox(clock=clock)
    fake.write("first", network=network)
    assert _sync(store, fake, clock).run()[0].new == 1
    everything = fake.tokens[TOKEN]
    fake.tokens[TOKEN] = everything - {PERMISSION[network]}
    fake.write("second", network=network)
    for _ in range(3):
        (outcome,) = _sync(store, fake, clock).run()
        assert outcome.notice and PERMISSION[network] in outcome.notice
    with store.session() as s:
        (notice,) = s.scalars(select(NoticeRow).where(NoticeRow.kind == NOTICE)).all()
    assert "bakery" in notice.message and len(_stored(store)) == 1
    fake.tokens[TOKEN] = everything
    assert _sync(store, fake, clock).run()[0].new == 1
    fake.tokens.clear()  # access revoked: code 190
    (revoked,) = _sync(store, fake, clock).run()
    assert revoked.notice and "connect the account again" in revoked.notice


@pytest.mark.parametrize("network", NETWORKS)
def test_items_over_the_limits_are_kept_and_marked(store: Store, clock: Any, network: str) -> None:
    _connect(store, network)
    fake = FakeGraphInbox(clock=clock)
    fake.write("spam " * (limits().text_chars // 4), author="a" * 1000, network=network)
    fake.write("fine", network=network)
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.cut, done.finished) == (2, 1, True)
    with store.session() as s:
        row = s.scalar(select(InboxItemRow).where(InboxItemRow.oversize.is_(True)))
    assert row is not None and len(row.text) == limits().text_chars
    assert row.original_chars is not None and row.original_chars > limits().text_chars
    assert row.author_handle is not None and len(row.author_handle) == limits().handle_chars


@pytest.mark.parametrize("network", NETWORKS)
def test_throttling_is_waited_out(store: Store, clock: Any, network: str) -> None:
    _connect(store, network)
    fake = FakeGraphInbox(clock=clock)
    fake.write("hello", network=network)
    (throttled,) = InboxSync(store, http=client(fake, lambda _r: "429"), clock=clock).run()
    assert throttled.stopped and "throttling" in throttled.stopped
    (waiting,) = _sync(store, fake, clock).run()
    assert waiting.stopped and "wait until 09:05:00" in waiting.stopped  # 5 minutes, as told
    clock.advance(minutes=6)
    assert _sync(store, fake, clock).run()[0].new == 1


def test_a_sync_cut_short_goes_on_and_finishes_without_reading_the_window_again(
    store: Store, clock: Any
) -> None:
    _connect(store, "instagram")
    fake = FakeGraphInbox(clock=clock)
    media = [fake.post(f"media {n}", network="instagram") for n in range(6)]
    written = [fake.write("hi", network="instagram", on=m) for m in media]
    (cut,) = _sync(store, fake, clock, max_pages=4).run()  # one media's comments a read
    assert (cut.new, cut.finished) == (4, False) and cut.stopped
    (rest,) = _sync(store, fake, clock, max_pages=4).run()
    # It goes on where it stopped to the end of the window and stops there: another pass
    # from the newest would read the whole window again, which the next sync does anyway.
    assert (rest.new, rest.seen, rest.pages, rest.finished) == (2, 0, 2, True)
    assert set(_stored(store)) == set(written)
