"""Facebook Page and Instagram comments, through Meta's Graph API with the account's token
and the connectors' error mapping (:func:`~tactful.publish.connectors.graph.graph_result`).

- Facebook: a reply is ``POST /{comment-id}/comments`` (``message``), taken back with
  ``DELETE /{comment-id}``; a comment is hidden with ``POST /{comment-id}`` and
  ``is_hidden=true`` (``false`` shows it again): hidden, it stays visible to its author and
  their friends only. Needs ``pages_manage_engagement``.
- Instagram: a reply is ``POST /{ig-comment-id}/replies`` (``message``), taken back with
  ``DELETE /{ig-comment-id}``; a comment is hidden with ``POST /{ig-comment-id}`` and
  ``hide=true``. Needs ``instagram_manage_comments``.

Neither API takes reports or blocks from apps: reports go by link.

Docs: developers.facebook.com/docs/graph-api/reference/comment (Updating: ``is_hidden``;
Deleting), .../reference/object/comments (Publishing), and
developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment
(Updating: ``hide``; Deleting) and .../ig-comment/replies (Creating)."""

from __future__ import annotations

from datetime import datetime

import httpx

from tactful.inbox.moderation.base import Target, Unoffered
from tactful.publish.connectors.base import Credentials, Result, json_object, send
from tactful.publish.connectors.graph import api_url, auth, graph_result


class _Graph(Unoffered):
    actions = frozenset({"reply", "hide"})
    undoable = frozenset({"reply", "hide"})
    label = "Facebook"
    permission = "pages_manage_engagement"
    replies = "comments"  # the edge a reply is created on
    hide_field = "is_hidden"

    def _call(
        self,
        http: httpx.Client,
        creds: Credentials,
        method: str,
        path: str,
        data: dict[str, str] | None,
        creating: bool,
    ) -> Result:
        request = http.build_request(method, api_url(creds, path), headers=auth(creds), data=data)
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code != 200:
            return graph_result(
                answer, creating=creating, permission=self.permission, network=self.label
            )
        body = json_object(answer)
        if creating:
            made = body.get("id")
            if not isinstance(made, str):
                return Result("unknown", status=200, detail=f"{self.label} did not name the reply")
            return Result("published", made, status=200)
        if body.get("success") is not True:
            return Result("unknown", status=200, detail=f"{self.label} did not say it was done")
        return Result("published", status=200)

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result:  # fmt: skip
        path = f"/{target.remote_id}/{self.replies}"
        return self._call(http, creds, "POST", path, {"message": text}, creating=True)

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result:
        return self._call(http, creds, "DELETE", f"/{remote_id}", None, creating=False)

    def hide(self, http: httpx.Client, creds: Credentials, target: Target, hidden: bool) -> Result:
        data = {self.hide_field: "true" if hidden else "false"}
        return self._call(http, creds, "POST", f"/{target.remote_id}", data, creating=False)


class FacebookModerator(_Graph):
    network = "facebook"


class InstagramModerator(_Graph):
    network = "instagram"
    label = "Instagram"
    permission = "instagram_manage_comments"
    replies = "replies"
    hide_field = "hide"
