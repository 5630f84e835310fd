"""Mastodon: a reply is a status with ``in_reply_to_id`` (through the connector, with its
``Idempotency-Key``), taken back with ``DELETE /api/v1/statuses/:id``; the author is muted or
blocked with ``POST /api/v1/accounts/:id/mute|unmute|block|unblock`` (the id is the account's
id on the user's server, as the notification named it). A reply cut off before its answer
is looked for among the account's statuses (``GET /api/v1/accounts/:id/statuses``). The
token needs ``write:mutes`` and ``write:blocks`` (or ``write``/``follow``); one without them
is refused with 403 "This action is outside the authorized scopes". Mastodon's API takes
reports (``POST /api/v1/reports``), but the guidance sends a person to the post's own page,
where the report can be forwarded to the sender's server: a link.

Docs (github.com/mastodon/documentation, content/en/): methods/accounts.md (mute, unmute,
block, unblock; entities/Relationship.md), methods/statuses.md (create, delete),
api/oauth-scopes.md."""

from __future__ import annotations

from datetime import datetime

import httpx

from tactful.inbox.moderation.base import Target, Unoffered
from tactful.publish.connectors.base import (
    Credentials,
    Outgoing,
    Posted,
    Result,
    classify,
    json_object,
    send,
)
from tactful.publish.connectors.mastodon import MastodonConnector

SCOPES = {"mute": "write:mutes", "block": "write:blocks", "reply": "write:statuses"}


class MastodonModerator(Unoffered):
    network = "mastodon"
    actions = frozenset({"reply", "mute", "block"})
    undoable = frozenset({"reply", "mute", "block"})

    def __init__(self, connector: MastodonConnector | None = None):
        self.connector = connector or MastodonConnector()

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result:  # fmt: skip
        post = Outgoing(text=text, key=key, when=now, reply_to=Posted(target.remote_id))
        return _scoped(self.connector.publish(http, creds, post), "reply")

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result:
        return self._call(http, creds, "DELETE", f"/api/v1/statuses/{remote_id}", "reply")

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        """The account's statuses since the reply was asked for, matched on the words and
        the status replied to (the connector's :meth:`~MastodonConnector.find`)."""
        post = Outgoing(text=text, key=key, when=now, reply_to=Posted(target.remote_id))
        return self.connector.find(http, creds, post, now)

    def mute(self, http: httpx.Client, creds: Credentials, target: Target, muted: bool) -> Result:
        return self._account(http, creds, target, "mute" if muted else "unmute")

    def block(
        self,
        http: httpx.Client,
        creds: Credentials,
        target: Target,
        undo: str | None,
        *,
        now: datetime,
    ) -> Result:
        return self._account(http, creds, target, "unblock" if undo is not None else "block")

    def _account(self, http: httpx.Client, creds: Credentials, target: Target, verb: str) -> Result:
        if not target.author_id:
            return Result("rejected", detail="the notification did not name the author's account")
        path = f"/api/v1/accounts/{target.author_id}/{verb}"
        return self._call(http, creds, "POST", path, verb.removeprefix("un"))

    def _call(
        self, http: httpx.Client, creds: Credentials, method: str, path: str, action: str
    ) -> Result:
        if not creds.base_url:
            return Result("rejected", detail="the account's Mastodon server is not known")
        request = http.build_request(
            method,
            creds.base_url.rstrip("/") + path,
            headers={"Authorization": f"Bearer {creds.token}"},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code == 200:
            body = json_object(answer)
            return Result("published", str(body.get("id") or "") or None, status=200)
        return _scoped(classify(answer), action)


def _scoped(result: Result, action: str) -> Result:
    """A refusal for a missing scope, said so with the scope to grant."""
    if result.kind in ("rejected", "auth") and "scope" in result.detail.lower():
        return Result(
            "auth",
            status=result.status,
            detail=f"the token lacks {SCOPES[action]}: connect the account again "
            f"(tactful accounts connect NAME --oauth); {result.detail}",
        )
    return result
