"""Every request the inbox's answers send (reply, delete, hide, mute, block), held up to the
networks' published WRITE contracts: tables written from the documents, not from the fakes
(:mod:`contract`). Bluesky's requests are checked against its lexicons by its fake
(:class:`fake_inbox_actions.FakeBlueskyActions`); a request the fake refuses fails there."""

from __future__ import annotations

from typing import Any

from contract import Recorder, Row, fields, matching, mismatches, one_of
from fake_http import client
from fake_inbox_actions import GRAPH_BASE, FakeGraphActions, FakeMastodonActions, FakeXActions
from fake_mastodon import BASE as MASTODON_BASE
from fake_x import BASE as X_BASE
from fake_x import USER_ID
from inbox_helpers import NoRefresh, stored_item

from tactful.core.factory import checker_for
from tactful.inbox.actions import InboxActions
from tactful.inbox.items import Incoming
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account

BEARER = fields("authorization")
MD = "docs.joinmastodon.org/methods/"
X_DOC = "X API v2 OpenAPI v2.167"
FB = "developers.facebook.com/docs/graph-api/reference/comment"
IG = "developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment"

MASTODON = [
    Row("POST", "/api/v1/statuses", f"{MD}statuses/#create", body="json",
        required=fields("status"), allowed=fields("in_reply_to_id", "visibility", "media_ids"),
        headers=BEARER | fields("idempotency-key"),
        values={"visibility": one_of("public", "unlisted", "private", "direct")}),
    Row("DELETE", "/api/v1/statuses/{id}", f"{MD}statuses/#delete", headers=BEARER),
    Row("POST", "/api/v1/accounts/{id}/mute", f"{MD}accounts/#mute", headers=BEARER),
    Row("POST", "/api/v1/accounts/{id}/unmute", f"{MD}accounts/#unmute", headers=BEARER),
    Row("POST", "/api/v1/accounts/{id}/block", f"{MD}accounts/#block", headers=BEARER),
    Row("POST", "/api/v1/accounts/{id}/unblock", f"{MD}accounts/#unblock", headers=BEARER),
]  # fmt: skip
X = [
    Row("POST", "/2/tweets", f"{X_DOC} createPosts", body="json", required=fields("text"),
        allowed=fields("reply.in_reply_to_tweet_id"), headers=BEARER,
        values={"reply.in_reply_to_tweet_id": matching(r"\d{1,19}")}),
    Row("PUT", "/2/tweets/{id}/hidden", f"{X_DOC} hideReply", body="json",
        required=fields("hidden"), headers=BEARER,
        values={"hidden": lambda v: None if isinstance(v, bool) else "not a boolean"}),
    Row("DELETE", "/2/tweets/{id}", f"{X_DOC} deletePosts", headers=BEARER),
]  # fmt: skip
GRAPH = [
    Row("POST", "/{version}/{comment-id}/comments", f"{FB}/comments (Publishing)", body="form",
        required=fields("message"), headers=BEARER),
    Row("POST", "/{version}/{ig-comment-id}/replies", f"{IG}/replies (Creating)", body="form",
        required=fields("message"), headers=BEARER),
    Row("POST", "/{version}/{comment-id}", f"{FB} (Updating)", body="form",
        required=fields("is_hidden"), headers=BEARER, values={"is_hidden": one_of("true", "false")}),
    Row("POST", "/{version}/{ig-comment-id}", f"{IG} (Updating)", body="form",
        required=fields("hide"), headers=BEARER, values={"hide": one_of("true", "false")}),
    Row("DELETE", "/{version}/{id}", f"{FB} (Deleting); {IG} (Deleting)", headers=BEARER),
]  # fmt: skip


def _item(store: Store, account: str, incoming: Incoming, clock: Any) -> int:
    return stored_item(store, account, clock, incoming, checker_for(None))


def _every_action(store: Store, recorder: Recorder, clock: Any, item_id: int) -> None:
    actions = InboxActions(store, http=client(recorder), clock=clock, actor="jo",
                           connector_for=lambda _p: NoRefresh())  # type: ignore[arg-type, return-value]  # fmt: skip
    checker = checker_for(None)
    can = actions.moderator_for(actions.item(item_id).network).actions
    view, _ = actions.reply(item_id, "Thanks, we're on it.", checker=checker)
    done = [view] + [getattr(actions, a)(item_id) for a in ("hide", "mute", "block") if a in can]
    for made in done:
        assert made.outcome == "done", made.detail
        actions.undo(made.id)


def test_answers_follow_the_published_write_contracts(store: Store, clock: Any) -> None:
    with store.session() as s:
        for name, platform in (
            ("m", "mastodon"),
            ("x", "x"),
            ("f", "facebook"),
            ("i", "instagram"),
        ):
            add_account(s, name, platform=platform, kind="brand")
        save_credentials(s, "m", token="good-token", base_url=MASTODON_BASE)
        save_credentials(s, "x", token="good-token", base_url=X_BASE, remote_user=USER_ID)
        save_credentials(s, "f", token="page-token", base_url=GRAPH_BASE)
        save_credentials(s, "i", token="ig-token", base_url=GRAPH_BASE)
    masto = FakeMastodonActions(clock=clock)
    masto.statuses.append({"id": "5001", "account": "a-troll", "visibility": "public",
                           "content": "hi", "created_at": clock().isoformat()})  # fmt: skip
    x = FakeXActions(clock=clock)
    x.users["999"] = "troll"
    tweet = x._store("999", "hello", clock())
    x.replies_to_me[tweet["id"]] = False
    graph = FakeGraphActions()
    recorders = {name: Recorder(fake) for name, fake in (("m", masto), ("x", x), ("g", graph))}
    items = {
        "m": _item(store, "m", Incoming("5001", "mention", "hi", author_id="a-troll"), clock),
        "x": _item(store, "x", Incoming(tweet["id"], "reply", "hello", author_id="999"), clock),
        "f": _item(store, "f", Incoming(graph.comment("111", "facebook"), "comment", "hi"), clock),
        "i": _item(store, "i", Incoming(graph.comment("222", "instagram"), "comment", "hi"), clock),
    }
    for name, item_id in items.items():
        _every_action(store, recorders["g" if name in "fi" else name], clock, item_id)
    assert mismatches([recorders["m"]], MASTODON) == []
    assert mismatches([recorders["x"]], X) == []
    assert mismatches([recorders["g"]], GRAPH) == []
