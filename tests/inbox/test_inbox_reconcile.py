"""An answer cut off mid-send is settled, never left "sending": tactful is killed (a
BaseException, as kill -9 would stop it) between writing the action and hearing back,
before or after the network did the work; a later tactful, once the grace period has passed
on its clock, asks a hide, mute, block or undo again and records what the network says,
looks for a reply (found: done; certainly not there: failed; cannot tell: unknown, with
where to look) and never sends it again. Trying again is explicit, and never posts a reply
twice either."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from fake_http import client
from fake_inbox_actions import (
    GRAPH_BASE,
    FakeBlueskyActions,
    FakeGraphActions,
    FakeMastodonActions,
    FakeXActions,
)
from fake_mastodon import BASE as MASTODON_BASE
from fake_x import BASE as X_BASE
from fake_x import USER_ID
from inbox_helpers import NoRefresh, connect, stored_item
from sqlalchemy import select

from tactful.cli.main import main
from tactful.errors import InputError
from tactful.inbox.actions import SENDING_GRACE, InboxActions
from tactful.inbox.items import Incoming
from tactful.inbox.moderation import Moderator
from tactful.inbox.moderation import moderator as real_moderator
from tactful.publish.credentials import save_credentials
from tactful.publish.worker import Killed
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import CredentialRow, InboxActionRow

COMPLAINT = "My order arrived broken and nobody answers my emails. Really disappointed."
ANSWER = "Sorry about that! Please send us a private mention with your order number."
LATER = SENDING_GRACE.total_seconds() / 60 + 1  # minutes: past the grace period


class _Dies:
    """The network's moderator in a tactful killed around one call (``method``): after the
    network did it (``after``: the answer is lost with the process) or before the request
    left. Everything else goes through."""

    def __init__(self, inner: Moderator, method: str, after: bool):
        self.inner, self.method, self.after = inner, method, after

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if name != self.method:
            return real

        def killed(*args: Any, **kwargs: Any) -> Any:
            if self.after:
                real(*args, **kwargs)
            raise Killed(name)

        return killed


def _actions(
    store: Store, fake: Any, clock: Any, dies: tuple[str, bool] | None = None
) -> InboxActions:
    def moderator_for(network: str) -> Moderator:
        made = real_moderator(network)
        return _Dies(made, *dies) if dies else made  # type: ignore[return-value]

    return InboxActions(store, http=client(fake), clock=clock, actor="jo",
                        moderator_for=moderator_for,
                        connector_for=lambda _p: NoRefresh())  # type: ignore[arg-type, return-value]  # fmt: skip


def _killed(act: Callable[[], Any]) -> None:
    with pytest.raises(Killed):
        act()


def _mastodon(store: Store, clock: Any, checker: Any, *, readable: bool = True) -> tuple[Any, int]:
    """A connected Mastodon account (its id known when ``readable``: the account's statuses
    can be read back) and a complaint in its inbox."""
    fake = FakeMastodonActions(clock=clock)
    creds: dict[str, Any] = {"token": "good-token", "base_url": MASTODON_BASE}
    connect(
        store, "acme-masto", "mastodon", **creds, **({"remote_user": "109"} if readable else {})
    )
    fake.statuses.append({"id": "5001", "account": "a-sam", "visibility": "public",
                          "content": COMPLAINT, "created_at": clock().isoformat()})  # fmt: skip
    item_id = stored_item(store, "acme-masto", clock, Incoming(
        remote_id="5001", kind="mention", text=COMPLAINT, author_handle="sam@elsewhere.example",
        author_id="a-sam", url="https://elsewhere.example/@sam/5001", created_at=clock(),
    ), checker)  # fmt: skip
    return fake, item_id


def _rows(store: Store) -> list[InboxActionRow]:
    with store.session() as s:
        rows = list(s.scalars(select(InboxActionRow).order_by(InboxActionRow.id)))
        s.expunge_all()
        return rows


# ---------------------------------------------------------------------------- replies


def test_a_reply_that_went_out_before_the_kill_is_found_not_sent_again(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("reply", True)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    (row,) = _rows(store)
    assert row.outcome == "sending" and len(fake.replies_to("5001")) == 1

    later = _actions(store, fake, clock)
    assert later.reconcile() == []  # still within the grace: it may be in flight elsewhere
    assert _rows(store)[0].outcome == "sending"
    clock.advance(minutes=LATER)
    (settled,) = later.reconcile()
    (posted,) = fake.replies_to("5001")
    assert (settled.outcome, settled.remote_id, settled.actor) == ("done", posted["id"], "jo")
    assert settled.undoable and "found there" in (settled.detail or "")
    assert later.reconcile() == []  # settled once

    with pytest.raises(InputError, match="went out already"):
        later.reply(item_id, ANSWER, checker=checker)
    with pytest.raises(InputError, match="only a failed or unclear action"):
        later.retry(settled.id, checker=checker)
    assert len(fake.replies_to("5001")) == 1  # never posted twice


def test_a_reply_killed_before_it_left_is_failed_and_sent_once_when_retried(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("reply", False)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    assert fake.replies_to("5001") == []
    clock.advance(minutes=LATER)
    later = _actions(store, fake, clock)
    (settled,) = later.reconcile(item_id)
    assert settled.outcome == "failed" and "never went out" in (settled.detail or "")
    assert settled.retryable and f"tactful inbox retry {settled.id}" in settled.line()

    again = later.retry(settled.id, checker=checker)
    assert again.outcome == "done" and again.id != settled.id
    assert len(fake.replies_to("5001")) == 1


def test_a_reply_that_cannot_be_looked_for_is_unknown_and_a_retry_looks_first(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker, readable=False)
    _killed(lambda: _actions(store, fake, clock, ("reply", True)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    clock.advance(minutes=LATER)
    later = _actions(store, fake, clock)
    (settled,) = later.reconcile()
    assert settled.outcome == "unknown"
    assert "https://elsewhere.example/@sam/5001" in (settled.detail or "")  # where to look
    assert f"try again with: tactful inbox retry {settled.id}" in settled.line()
    with pytest.raises(InputError, match="may have gone out already"):
        later.reply(item_id, ANSWER, checker=checker)  # the same words: not by accident

    # The account's id is known now: its statuses can be read back.
    with store.session() as s:
        save_credentials(s, "acme-masto", token="good-token", base_url=MASTODON_BASE,
                         remote_user="109")  # fmt: skip
    found = later.retry(settled.id, checker=checker)
    assert (found.id, found.outcome) == (settled.id, "done")
    assert len(fake.replies_to("5001")) == 1 and len(_rows(store)) == 1


def test_every_later_action_on_the_item_settles_it_first(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("reply", True)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    clock.advance(minutes=LATER)
    muted = _actions(store, fake, clock).mute(item_id)
    reply, mute = _rows(store)
    assert (reply.outcome, mute.id, muted.outcome) == ("done", muted.id, "done")


@pytest.mark.parametrize("after", [True, False])
def test_x_and_graph_replies_are_looked_for_on_the_network(
    store: Store, clock: Any, checker: Any, after: bool
) -> None:
    connect(store, "acme-x", "x", token="good-token", base_url=X_BASE, remote_user=USER_ID)
    x = FakeXActions(clock=clock)
    x.users["999"] = "sam"
    tweet = x._store("999", COMPLAINT, clock())
    x_item = stored_item(store, "acme-x", clock, Incoming(remote_id=tweet["id"], kind="mention",
                   text=COMPLAINT, author_id="999", created_at=clock()), checker)  # fmt: skip
    _killed(lambda: _actions(store, x, clock, ("reply", after)).reply(
        x_item, ANSWER, checker=checker))  # fmt: skip

    connect(store, "acme-fb", "facebook", token="page-token", base_url=GRAPH_BASE,
             remote_user="1001")  # fmt: skip
    graph = FakeGraphActions(owners={"page-token": "1001"})
    comment = graph.comment("1001_555", "facebook")
    fb_item = stored_item(store, "acme-fb", clock, Incoming(remote_id=comment, kind="comment",
                    text=COMPLAINT, created_at=clock()), checker)  # fmt: skip
    _killed(lambda: _actions(store, graph, clock, ("reply", after)).reply(
        fb_item, ANSWER, checker=checker))  # fmt: skip

    clock.advance(minutes=LATER)
    (on_x,) = _actions(store, x, clock).reconcile(x_item)
    (on_fb,) = _actions(store, graph, clock).reconcile(fb_item)
    mine = [t for t in x.tweets if t.get("author_id") == USER_ID]
    assert len(mine) == (1 if after else 0) and len(graph.replies) == (1 if after else 0)
    if after:
        assert (on_x.outcome, on_x.remote_id) == ("done", mine[0]["id"])
        assert (on_fb.outcome, on_fb.remote_id) == ("done", next(iter(graph.replies)))
    else:
        assert on_x.outcome == on_fb.outcome == "failed"


def test_bluesky_reply_found_at_its_record_key(store: Store, clock: Any, checker: Any) -> None:
    fake = FakeBlueskyActions(clock=clock)
    connect(store, "acme-bsky", "bluesky", token=fake.access_jwt, base_url="https://pds.fake.test",
             remote_user=fake.did)  # fmt: skip
    uri = fake.write(COMPLAINT, author="sam")
    entry = next(n for n in fake.notifications if n["uri"] == uri)
    item_id = stored_item(store, "acme-bsky", clock, Incoming(remote_id=uri, kind="mention",
                    text=COMPLAINT, author_id=entry["author"]["did"], created_at=clock()),
                    checker)  # fmt: skip
    _killed(lambda: _actions(store, fake, clock, ("reply", True)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    clock.advance(minutes=LATER)
    (settled,) = _actions(store, fake, clock).reconcile()
    posts = [r for r in fake.records.values() if r["value"].get("$type") == "app.bsky.feed.post"]
    assert len(posts) == 1 and (settled.outcome, settled.remote_id) == ("done", posts[0]["uri"])


# ---------------------------------------------------------------------------- moderation


@pytest.mark.parametrize("after", [True, False])
def test_mute_and_block_are_asked_again_and_the_real_outcome_recorded(
    store: Store, clock: Any, checker: Any, after: bool
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("mute", after)).mute(item_id))
    _killed(lambda: _actions(store, fake, clock, ("block", after)).block(item_id))
    assert [r.outcome for r in _rows(store)] == ["sending", "sending"]
    clock.advance(minutes=LATER)
    later = _actions(store, fake, clock)
    settled = later.reconcile()
    assert [(v.action, v.outcome) for v in settled] == [("mute", "done"), ("block", "done")]
    assert "asked again" in (settled[0].detail or "") and settled[0].undoable
    assert fake.muting == {"a-sam"} and fake.blocking == {"a-sam"}
    later.undo(settled[1].id)
    assert fake.blocking == set()


def test_a_bluesky_block_asked_again_makes_no_second_block(
    store: Store, clock: Any, checker: Any
) -> None:
    fake = FakeBlueskyActions(clock=clock)
    connect(store, "acme-bsky", "bluesky", token=fake.access_jwt, base_url="https://pds.fake.test",
             remote_user=fake.did)  # fmt: skip
    uri = fake.write("you lot are useless clowns", author="troll")
    did = next(n for n in fake.notifications if n["uri"] == uri)["author"]["did"]
    item_id = stored_item(store, "acme-bsky", clock, Incoming(remote_id=uri, kind="mention",
                    text="you lot are useless clowns", author_id=did, created_at=clock()),
                    checker)  # fmt: skip
    _killed(lambda: _actions(store, fake, clock, ("block", True)).block(item_id))
    _killed(lambda: _actions(store, fake, clock, ("report", True)).report(item_id))
    clock.advance(minutes=LATER)
    later = _actions(store, fake, clock)
    block, report = later.reconcile()
    (record,) = fake.blocks()
    assert (block.outcome, block.remote_id) == ("done", record["uri"])
    assert report.outcome == "unknown" and "second" in (report.detail or "")
    assert len(fake.reports) == 1  # a report is never sent again by itself
    later.undo(block.id)
    assert fake.blocks() == []  # one undo takes the one block away


def test_an_undo_cut_off_is_asked_again_and_a_deleted_reply_counts_as_undone(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    first = _actions(store, fake, clock)
    reply, _ = first.reply(item_id, ANSWER, checker=checker)
    muted = first.mute(item_id)
    _killed(lambda: _actions(store, fake, clock, ("unreply", True)).undo(reply.id))
    _killed(lambda: _actions(store, fake, clock, ("mute", False)).undo(muted.id))
    assert [r.outcome for r in _rows(store)] == ["undoing", "undoing"]
    assert fake.replies_to("5001") == [] and fake.muting == {"a-sam"}
    clock.advance(minutes=LATER)
    settled = _actions(store, fake, clock).reconcile()
    assert [(v.outcome, v.undone_by, v.undoable) for v in settled] == [("done", "jo", False)] * 2
    assert all(v.undone_at is not None for v in settled)
    assert fake.muting == set()


def test_an_account_no_longer_connected_leaves_it_unknown_with_where_to_look(
    store: Store, clock: Any, checker: Any
) -> None:
    fake, item_id = _mastodon(store, clock, checker)
    with store.session() as s:  # the row as a killed tactful left it, written directly
        s.add(InboxActionRow(item_id=item_id, action="hide", outcome="sending", actor="jo",
                             acted_at=clock()))  # fmt: skip
        for creds in s.scalars(select(CredentialRow)):
            s.delete(creds)
    clock.advance(minutes=LATER)
    (settled,) = _actions(store, fake, clock).reconcile()
    assert settled.outcome == "unknown" and "not connected" in (settled.detail or "")
    assert "https://elsewhere.example/@sam/5001" in (settled.detail or "")


def test_not_connected_is_refused_before_anything_is_recorded(
    store: Store, clock: Any, checker: Any
) -> None:
    with store.session() as s:
        add_account(s, "acme-masto", platform="mastodon", kind="brand")
    item_id = stored_item(store, "acme-masto", clock, Incoming(remote_id="5001", kind="mention",
                    text=COMPLAINT, author_id="a-sam", created_at=clock()), checker)  # fmt: skip
    with pytest.raises(InputError, match="not connected"):
        _actions(store, FakeMastodonActions(clock=clock), clock).mute(item_id)
    assert _rows(store) == []  # no "sending" row left behind


# ---------------------------------------------------------------------------- surfaces


def test_cli_show_settles_and_retry_sends_once(
    store: Store, clock: Any, checker: Any, monkeypatch: Any
) -> None:
    import tactful.cli.inbox as cli_inbox

    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("reply", False)).reply(
        item_id, ANSWER, checker=checker))  # fmt: skip
    monkeypatch.setattr(cli_inbox, "_actions", lambda s, _actor: _actions(s, fake, clock))
    runner = CliRunner()
    db = ["--db", store.url]
    early = runner.invoke(main, ["inbox", "show", str(item_id), *db])
    assert "reply #1 sending" in early.output and "no answer from the network yet" in early.output
    clock.advance(minutes=LATER)
    shown = runner.invoke(main, ["inbox", "show", str(item_id), *db])
    assert shown.exit_code == 0, shown.output
    assert "settled action #1: reply" in shown.output and "never went out" in shown.output
    as_json = json.loads(runner.invoke(main, ["inbox", "show", str(item_id), "--json", *db]).output)
    assert [a["outcome"] for a in as_json["actions"]] == ["failed"]
    assert as_json["actions"][0]["retryable"]
    retried = runner.invoke(main, ["inbox", "retry", "1", "--yes", *db])
    assert retried.exit_code == 0 and "done" in retried.output, retried.output
    assert len(fake.replies_to("5001")) == 1


def test_the_workers_sync_settles_what_was_left_in_flight(
    store: Store, clock: Any, checker: Any
) -> None:
    from tactful.inbox.periodic import PeriodicSync
    from tactful.inbox.sync import InboxSync

    fake, item_id = _mastodon(store, clock, checker)
    _killed(lambda: _actions(store, fake, clock, ("mute", True)).mute(item_id))
    clock.advance(minutes=LATER)
    periodic = PeriodicSync(
        store,
        make_sync=lambda: InboxSync(store, http=client(fake), clock=clock,
                                    connector_for=lambda _p: NoRefresh()),  # type: ignore[arg-type, return-value]
        checker=lambda: checker, clock=clock,
    )  # fmt: skip
    periodic.run_once()
    status = periodic.status()
    assert status["last_error"] is None, status
    assert [line.split(":")[0] for line in status["settled"]] == ["action #1"]
    assert _rows(store)[0].outcome == "done" and fake.muting == {"a-sam"}
