"""X: a reply is a post with ``reply.in_reply_to_tweet_id`` (through the connector), taken
back with ``DELETE /2/tweets/:id`` and, cut off before its answer, looked for in the
account's posts (``GET /2/users/:id/tweets``); a reply to the account's own conversation is
hidden with ``PUT /2/tweets/:id/hidden`` (``{"hidden": true}``; ``false`` shows it again),
which needs the ``tweet.moderate.write`` scope and only works on replies in conversations
the account started (X answers 403 otherwise). X's API has mute and block endpoints, but
the guidance for X is to hide and report; reports go by link.

Documents: X API v2 OpenAPI document v2.167 (``hideReply``: PUT /2/tweets/{tweet_id}/hidden,
TweetHideRequest ``{hidden}``, TweetHideResponse ``{data: {hidden}}``; ``deletePosts``:
DELETE /2/tweets/{id}, ``{data: {deleted}}``), https://docs.x.com/x-api/posts/hide-replies."""

from __future__ import annotations

from datetime import datetime

import httpx

from tactful.inbox.moderation.base import Target, Unoffered
from tactful.publish.connectors.base import Credentials, Outgoing, Posted, Result, json_object, send
from tactful.publish.connectors.x import XConnector, api_root, problem


class XModerator(Unoffered):
    network = "x"
    actions = frozenset({"reply", "hide"})
    undoable = frozenset({"reply", "hide"})

    def __init__(self, connector: XConnector | None = None):
        self.connector = connector or XConnector()

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result:  # fmt: skip
        post = Outgoing(text=text, key=key, when=now, reply_to=Posted(target.remote_id))
        return self.connector.publish(http, creds, post)

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result:
        return self._call(http, creds, "DELETE", f"/2/tweets/{remote_id}", None, "deleted")

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        """The account's posts since the reply was asked for, matched on the words and the
        post replied to (the connector's :meth:`~XConnector.find`)."""
        post = Outgoing(text=text, key=key, when=now, reply_to=Posted(target.remote_id))
        return self.connector.find(http, creds, post, now)

    def hide(self, http: httpx.Client, creds: Credentials, target: Target, hidden: bool) -> Result:
        if target.kind != "reply":
            return Result("rejected", detail="X hides replies only; this post mentions the account")
        result = self._call(
            http, creds, "PUT", f"/2/tweets/{target.remote_id}/hidden", {"hidden": hidden},
            "hidden",
        )  # fmt: skip
        if result.kind == "auth" and result.status == 403:
            return Result(
                "auth",
                status=403,
                detail=f"{result.detail} (hiding needs the tweet.moderate.write permission and "
                "a reply in a conversation the account started: connect it again to grant it)",
            )
        return result

    def _call(
        self,
        http: httpx.Client,
        creds: Credentials,
        method: str,
        path: str,
        body: dict[str, bool] | None,
        answer_field: str,
    ) -> Result:
        request = http.build_request(
            method,
            api_root(creds.base_url) + path,
            headers={"Authorization": f"Bearer {creds.token}"},
            json=body,
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code != 200:
            return problem(answer)
        data = json_object(answer).get("data")
        if not isinstance(data, dict) or answer_field not in data:
            return Result("unknown", status=200, detail=f"X's answer did not say {answer_field}")
        return Result("published", status=200)
