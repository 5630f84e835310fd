"""Sync against the fake networks: pages, cursors, a refusal that gives one notice per account
and keeps what was synced, items over the size limits kept and marked; the CLI's read side."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from fake_http import client
from fake_inbox_mastodon import BASE, FakeMastodonInbox
from fake_inbox_x import BASE as X_BASE
from fake_inbox_x import USER_ID, FakeXMentions
from inbox_helpers import NoRefresh
from sqlalchemy import select

from tactful.cli.main import main
from tactful.inbox.limits import limits
from tactful.inbox.sync import NOTICE, InboxSync
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxItemRow, NoticeRow


def _sync(store: Store, fake: Any, clock: Any) -> Any:
    return InboxSync(store, http=client(fake), clock=clock, connector_for=lambda _p: NoRefresh())  # type: ignore[arg-type, return-value]


def _connect(store: Store) -> None:
    with store.session() as s:
        add_account(s, "acme-masto", platform="mastodon", kind="brand")
        save_credentials(s, "acme-masto", token="good-token", base_url=BASE)


def test_pages_back_and_then_reads_only_what_is_new(store: Store, clock: Any) -> None:
    _connect(store)
    fake = FakeMastodonInbox(clock=clock)
    first = [fake.write(f"hello {n}") for n in range(95)]
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.finished, done.pages) == (95, True, 4)  # 40 + 40 + 15 + empty
    later = [fake.write(f"again {n}") for n in range(3)]
    (again,) = _sync(store, fake, clock).run()
    assert (again.new, again.seen) == (3, 0)
    since = [r.url.params.get("since_id") for r in fake.requests[-2:]]
    assert since[0] is not None  # read from where the last sync stopped
    with store.session() as s:
        assert set(s.scalars(select(InboxItemRow.remote_id))) == set(first + later)


def test_a_refused_read_gives_one_notice_and_keeps_what_was_synced(
    store: Store, clock: Any
) -> None:
    _connect(store)
    with store.session() as s:
        add_account(s, "acme-x", platform="x", kind="brand")
        save_credentials(s, "acme-x", token="x-token", base_url=X_BASE, remote_user=USER_ID)
    masto, x = FakeMastodonInbox(clock=clock), FakeXMentions(clock=clock)
    masto.write("first")
    x.write("on X")

    def both(request: Any) -> Any:
        return (masto if request.url.host == "social.example" else x).handle(request)

    class Both:
        def handle(self, request: Any) -> Any:
            return both(request)

        def rate_limited(self) -> Any:
            return masto.rate_limited()

    sync = InboxSync(store, http=client(Both()), clock=clock,
                     connector_for=lambda _p: NoRefresh())  # type: ignore[arg-type, return-value]  # fmt: skip
    assert [o.new for o in sync.run()] == [1, 1]
    masto.tokens["good-token"] = frozenset({"write"})  # no read:notifications any more
    masto.write("second")
    for _ in range(3):
        outcomes = sync.run()
        assert "outside the authorized scopes" in (outcomes[0].notice or "")
        assert outcomes[1].notice is None  # the other account is read as before
    with store.session() as s:
        notices = s.scalars(select(NoticeRow).where(NoticeRow.kind == NOTICE)).all()
        kept = s.scalar(select(InboxItemRow).where(InboxItemRow.text == "@jo first"))
    assert len(notices) == 1 and "acme-masto" in notices[0].message
    assert kept is not None
    masto.tokens["good-token"] = frozenset({"read"})  # connected again with the scope
    assert sync.run()[0].new == 1
    with store.session() as s:
        assert s.scalar(select(NoticeRow.dismissed_at).where(NoticeRow.kind == NOTICE))


def test_items_over_the_limits_are_kept_and_marked(store: Store, clock: Any) -> None:
    _connect(store)
    fake = FakeMastodonInbox(clock=clock)
    huge = "spam " * (limits().text_chars // 4)
    fake.write(huge, author="a" * 1000)
    fake.write("fine")
    fake.notifications.append({"id": "9999", "type": "mention", "status": None})  # no item
    (done,) = _sync(store, fake, clock).run()
    assert (done.new, done.cut, done.unreadable, done.finished) == (2, 1, 1, True)
    with store.session() as s:
        row = s.scalar(select(InboxItemRow).where(InboxItemRow.oversize.is_(True)))
    assert row is not None and len(row.text) == limits().text_chars
    assert row.original_chars is not None and row.original_chars > limits().text_chars
    assert row.author_handle is not None and len(row.author_handle) == limits().handle_chars


def test_cli_list_show_and_done(store: Store, clock: Any) -> None:
    _connect(store)
    fake = FakeMastodonInbox(clock=clock)
    fake.write("I know where you live, I'll be waiting outside your house", author="creep")
    fake.write("What time do you open on Saturday?", author="customer")
    _sync(store, fake, clock).run()
    url = store.engine.url.render_as_string(hide_password=False)
    from tactful.core.factory import checker_for
    from tactful.inbox.store import triage_pending

    assert triage_pending(store, checker_for(store), now=clock()) == 2
    run = CliRunner()
    listed = run.invoke(main, ["inbox", "list", "--db", url])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert "WHERE YOU ARE" in lines[0] and "creep" in lines[0] and "question" in lines[1]
    item_id = lines[0].split()[0].lstrip("#")
    shown = run.invoke(main, ["inbox", "show", item_id, "--db", url])
    assert (
        "where you live, work or will be" in shown.output and "action: Do not reply" in shown.output
    )
    assert run.invoke(main, ["inbox", "done", item_id, "--db", url]).exit_code == 0
    assert "creep" not in run.invoke(main, ["inbox", "list", "--db", url]).output
    assert "creep" in run.invoke(main, ["inbox", "list", "--all", "--db", url]).output
    missing = run.invoke(main, ["inbox", "show", "999", "--db", url])
    assert missing.exit_code == 2 and "no inbox item #999" in missing.output
    bad = run.invoke(main, ["inbox", "list", "--class", "rude", "--db", url])
    assert bad.exit_code == 2 and "use one of" in bad.output
