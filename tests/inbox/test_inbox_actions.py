"""Answering the inbox against the fake networks: a reply checked as a reply (a hostile one
flagged, a blocking one stopped unless overridden, and the override recorded), the drafted
complaint reply, hide, mute, block and report through each network's write contract, every
action recorded with who and when, and undone where the network allows it."""

from __future__ import annotations

import json
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
from tactful.inbox.actions import InboxActions, ReplyStopped, check_reply, suggested_reply
from tactful.inbox.items import Incoming
from tactful.inbox.store import get_item
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import InboxActionRow, InboxItemRow

COMPLAINT = "My order arrived broken and nobody answers my emails. Really disappointed."
HOSTILE = "You clearly have no idea what you're talking about. Do your research."
INSULT = "You are an idiot and a liar"


def _actions(store: Store, fake: Any, clock: Any, actor: str = "jo") -> InboxActions:
    return InboxActions(store, http=client(fake), clock=clock, actor=actor,
                        connector_for=lambda _p: NoRefresh())  # type: ignore[arg-type, return-value]  # fmt: skip


def _mastodon(store: Store, fake: FakeMastodonActions, clock: Any, checker: Any, text: str,
              author: str = "a-sam") -> int:  # fmt: skip
    with store.session() as s:
        if s.scalar(select(InboxItemRow.id).limit(1)) is None:
            add_account(s, "acme-masto", platform="mastodon", kind="brand")
            save_credentials(s, "acme-masto", token="good-token", base_url=MASTODON_BASE)
    status_id = str(5000 + len(fake.statuses) + len(fake.requests))
    fake.statuses.append({"id": status_id, "account": author, "visibility": "public",
                          "content": text, "created_at": clock().isoformat()})  # fmt: skip
    return stored_item(store, "acme-masto", clock, Incoming(
        remote_id=status_id, kind="mention", text=text, author_handle=f"{author[2:]}@elsewhere.example",
        author_id=author, url=f"https://elsewhere.example/@x/{status_id}", created_at=clock(),
    ), checker)  # fmt: skip


def test_a_complaint_gets_a_drafted_reply_that_goes_out_recorded_and_can_be_deleted(
    store: Store, clock: Any, checker: Any
) -> None:
    fake = FakeMastodonActions(clock=clock)
    fake.tokens["good-token"] = "109"
    item_id = _mastodon(store, fake, clock, checker, COMPLAINT)
    actions = _actions(store, fake, clock)
    item = actions.item(item_id)
    assert item.category == "complaint"
    draft = suggested_reply(item, actions.account_of(item))
    assert draft is not None and draft.startswith("Hi @sam@elsewhere.example")
    assert "sorry" in draft and "a private mention" in draft  # apologises, moves it private
    check = check_reply(checker, item, actions.account_of(item), draft)
    assert check.report["verdict"] == "ok" and not check.flagged and check.hold_back is None

    view, _ = actions.reply(item_id, draft, checker=checker)
    assert (view.outcome, view.actor, view.acted_at) == ("done", "jo", clock())
    (sent,) = fake.replies_to(item.remote_id)
    assert view.remote_id == sent["id"] and view.undoable
    clock.advance(minutes=3)
    undone = _actions(store, fake, clock, actor="sam").undo(view.id)
    assert (undone.undone_at, undone.undone_by, undone.undoable) == (clock(), "sam", False)
    assert fake.replies_to(item.remote_id) == []
    with pytest.raises(InputError, match="undone already"):
        actions.undo(view.id)


def test_a_reply_that_picks_a_fight_is_flagged_and_an_insult_stopped_unless_overridden(
    store: Store, clock: Any, checker: Any
) -> None:
    fake = FakeMastodonActions(clock=clock)
    item_id = _mastodon(store, fake, clock, checker, "Your product is garbage, you clowns")
    actions = _actions(store, fake, clock)
    item = actions.item(item_id)
    flagged = check_reply(checker, item, actions.account_of(item), HOSTILE)
    assert [f["rule_id"] for f in flagged.flagged] == ["engagement.hostile_reply"]
    assert flagged.report["verdict"] == "review" and not flagged.blocking
    if item.category == "trolling":
        assert "Don't feed the troll" in (flagged.hold_back or "")

    with pytest.raises(ReplyStopped, match="--override") as stopped:
        actions.reply(item_id, INSULT, checker=checker)
    assert "offense.insult" in stopped.value.check.blocking
    assert fake.replies_to(item.remote_id) == []
    with store.session() as s:
        assert s.scalars(select(InboxActionRow)).all() == []  # nothing sent, nothing recorded

    view, _ = actions.reply(
        item_id, INSULT, checker=checker, override="quoting them back, on purpose"
    )
    assert view.outcome == "done"
    assert view.override_reason == "quoting them back, on purpose"
    assert "offense.insult" in (view.override_rules or [])
    assert view.checked is not None and view.checked["verdict"] == "blocked"


def test_mastodon_mute_and_block_then_undo_and_a_report_by_link(
    store: Store, clock: Any, checker: Any
) -> None:
    fake = FakeMastodonActions(clock=clock)
    item_id = _mastodon(
        store, fake, clock, checker, "lol you clowns, nobody cares", author="a-troll"
    )
    actions = _actions(store, fake, clock)
    muted = actions.mute(item_id)
    blocked = actions.block(item_id)
    assert (muted.outcome, blocked.outcome) == ("done", "done")
    assert fake.muting == {"a-troll"} and fake.blocking == {"a-troll"}
    actions.undo(muted.id)
    actions.undo(blocked.id)
    assert fake.muting == set() and fake.blocking == set()
    reported = actions.report(item_id)
    assert reported.outcome == "link" and reported.url == get_item_url(store, item_id)
    assert "Report" in (reported.detail or "")
    with pytest.raises(InputError, match="does not let apps hide"):
        actions.hide(item_id)


def get_item_url(store: Store, item_id: int) -> str | None:
    with store.session() as s:
        return get_item(s, item_id).url


def test_a_token_without_the_scope_is_told_which_to_grant(
    store: Store, clock: Any, checker: Any
) -> None:
    fake = FakeMastodonActions(clock=clock)
    fake.scopes["good-token"] = frozenset({"read", "write:statuses"})
    item_id = _mastodon(store, fake, clock, checker, "nobody asked, clown", author="a-troll")
    view = _actions(store, fake, clock).mute(item_id)
    assert view.outcome == "failed" and "write:mutes" in (view.detail or "")
    assert fake.muting == set() and not view.undoable


def test_bluesky_reply_mute_block_and_report(store: Store, clock: Any, checker: Any) -> None:
    fake = FakeBlueskyActions(clock=clock)
    connect(store, "acme-bsky", "bluesky", token=fake.access_jwt, base_url="https://pds.fake.test",
             remote_user=fake.did)  # fmt: skip
    root = fake.write("What time do you open on Saturday?", author="lee")
    clock.advance(minutes=1)
    uri = fake.write("you lot are useless clowns", author="troll", reply_to=root)
    entry = next(n for n in fake.notifications if n["uri"] == uri)
    item_id = stored_item(store, "acme-bsky", clock, Incoming(
        remote_id=uri, kind="reply", text=entry["record"]["text"],
        author_handle=entry["author"]["handle"], author_id=entry["author"]["did"],
        parent_id=root, created_at=clock()), checker)  # fmt: skip
    actions = _actions(store, fake, clock)

    view, _ = actions.reply(item_id, "Thanks, we'll take a look.", checker=checker)
    assert view.outcome == "done", view.detail
    (posted,) = fake.records.values()
    reply = posted["value"]["reply"]
    assert reply["parent"]["uri"] == uri and reply["root"]["uri"] == root  # strong refs
    assert reply["parent"]["cid"] == entry["cid"]

    assert actions.mute(item_id).outcome == "done" and fake.muted == {entry["author"]["did"]}
    blocked = actions.block(item_id)
    assert blocked.outcome == "done" and blocked.remote_id
    (block,) = fake.blocks()
    assert block["value"]["subject"] == entry["author"]["did"]
    report = actions.report(item_id, "calls us clowns under every post")
    assert report.outcome == "done"
    (made,) = fake.reports
    assert made["subject"] == {
        "$type": "com.atproto.repo.strongRef",
        "uri": uri,
        "cid": entry["cid"],
    }
    assert made["reasonType"].startswith("com.atproto.moderation.defs#reason")
    assert not report.undoable  # a report cannot be taken back

    actions.undo(blocked.id)
    assert fake.blocks() == []
    actions.undo(view.id)
    assert not [r for r in fake.records.values() if r["value"].get("$type") == "app.bsky.feed.post"]
    with store.session() as s:
        rows = s.scalars(select(InboxActionRow).order_by(InboxActionRow.id)).all()
        assert [r.action for r in rows] == ["reply", "mute", "block", "report"]
        assert all(r.actor == "jo" and r.acted_at == clock() for r in rows)


def _x_item(store: Store, fake: FakeXActions, clock: Any, checker: Any, kind: str) -> int:
    fake.users["999"] = "troll"
    tweet = fake._store("999", "ratio + you fell off, clowns", clock())
    if kind == "reply":
        fake.replies_to_me[tweet["id"]] = False
    return stored_item(store, "acme-x", clock, Incoming(
        remote_id=tweet["id"], kind=kind, text=tweet["sent"], author_handle="troll",
        author_id="999", created_at=clock()), checker)  # fmt: skip


def test_x_hides_a_reply_and_shows_it_again_but_not_a_mention(
    store: Store, clock: Any, checker: Any
) -> None:
    connect(store, "acme-x", "x", token="good-token", base_url=X_BASE, remote_user=USER_ID)
    fake = FakeXActions(clock=clock)
    actions = _actions(store, fake, clock)
    reply_id = _x_item(store, fake, clock, checker, "reply")
    hidden = actions.hide(reply_id)
    tweet_id = actions.item(reply_id).remote_id
    assert hidden.outcome == "done" and fake.replies_to_me[tweet_id] is True
    actions.undo(hidden.id)
    assert fake.replies_to_me[tweet_id] is False
    mention_id = _x_item(store, fake, clock, checker, "mention")
    refused = actions.hide(mention_id)
    assert refused.outcome == "failed" and "replies only" in (refused.detail or "")
    fake.scopes["good-token"] = frozenset({"tweet.read", "tweet.write", "users.read"})
    no_scope = actions.hide(reply_id)
    assert no_scope.outcome == "failed" and "tweet.moderate.write" in (no_scope.detail or "")
    assert actions.report(reply_id).url.startswith("https://help.x.com/")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("platform", "token"), [("facebook", "page-token"), ("instagram", "ig-token")]
)
def test_facebook_and_instagram_hide_and_reply_to_comments(
    store: Store, clock: Any, checker: Any, platform: str, token: str
) -> None:
    connect(store, "acme", platform, token=token, base_url=GRAPH_BASE, remote_user="17841400000")
    fake = FakeGraphActions()
    comment = fake.comment("1780000000000001", platform)
    item_id = stored_item(store, "acme", clock, Incoming(remote_id=comment, kind="comment",
                    text="Scam company, don't buy from these clowns", author_handle="angry",
                    created_at=clock()), checker)  # fmt: skip
    actions = _actions(store, fake, clock)
    hidden = actions.hide(item_id)
    assert hidden.outcome == "done" and fake.comments[comment]["hidden"] is True
    actions.undo(hidden.id)
    assert fake.comments[comment]["hidden"] is False
    view, _ = actions.reply(
        item_id, "Sorry to hear that. Please send us a message.", checker=checker
    )
    assert view.outcome == "done" and fake.replies[view.remote_id or ""][0] == comment
    actions.undo(view.id)
    assert fake.replies == {}
    fake.tokens[token] = frozenset({"pages_read_engagement"})
    refused = actions.hide(item_id)
    assert refused.outcome == "failed" and "connect the account again" in (refused.detail or "")


def test_linkedin_offers_a_report_link_and_refuses_what_its_api_cannot_do(
    store: Store, clock: Any, checker: Any
) -> None:
    connect(store, "acme-li", "linkedin", token="t", remote_user="urn:li:organization:1")
    item_id = stored_item(store, "acme-li", clock, Incoming(remote_id="urn:li:comment:(1,2)",
                    kind="comment", text="useless", created_at=clock()), checker)  # fmt: skip
    actions = _actions(store, FakeGraphActions(), clock)
    with pytest.raises(InputError, match="tactful can: nothing"):
        actions.block(item_id)
    assert actions.report(item_id).url == "https://www.linkedin.com/help/linkedin/answer/a1344213"


def test_cli_reply_draft_send_show_and_undo(
    store: Store, clock: Any, checker: Any, monkeypatch: Any
) -> None:
    fake = FakeMastodonActions(clock=clock)
    item_id = _mastodon(store, fake, clock, checker, COMPLAINT)
    import tactful.cli.inbox as cli_inbox

    def bound(s: Store, actor: str | None) -> InboxActions:
        return _actions(s, fake, clock, actor=actor or "jo")

    monkeypatch.setattr(cli_inbox, "_actions", bound)  # the fake network, not the real one
    runner = CliRunner()
    db = ["--db", store.url]
    out = runner.invoke(main, ["inbox", "reply", str(item_id), "--draft", *db])
    assert out.exit_code == 0, out.output
    assert "Hi @sam@elsewhere.example" in out.output and "check: ok" in out.output
    assert fake.replies_to(actions_remote(store, item_id)) == []
    stopped = runner.invoke(main, ["inbox", "reply", str(item_id), "--text", INSULT, "--yes", *db])
    assert stopped.exit_code == 2 and "--override" in stopped.output
    sent = runner.invoke(main, ["inbox", "reply", str(item_id), "--yes", "--by", "sam", *db])
    assert sent.exit_code == 0 and "reply" in sent.output and "done" in sent.output, sent.output
    shown = runner.invoke(main, ["inbox", "show", str(item_id), "--json", *db])
    (action,) = json.loads(shown.output)["actions"]
    assert action["actor"] == "sam" and action["undoable"]
    undone = runner.invoke(main, ["inbox", "undo", str(action["id"]), *db])
    assert undone.exit_code == 0 and "deleted" in undone.output
    linked = runner.invoke(main, ["inbox", "report", str(item_id), *db])
    assert linked.exit_code == 0 and "report it there" in linked.output


def actions_remote(store: Store, item_id: int) -> str:
    with store.session() as s:
        return get_item(s, item_id).remote_id
