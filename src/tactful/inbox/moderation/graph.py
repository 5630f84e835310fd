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

A reply cut off before its answer is looked for among the comment's replies (``GET
/{comment-id}/comments``, ``GET /{ig-comment-id}/replies``, with ``fields``, ``limit`` and the
``after`` cursor), by the account (``from.id``, when the account's id is known) and its words.

Docs: developers.facebook.com/docs/graph-api/reference/comment (Updating: ``is_hidden``;
Deleting), .../reference/object/comments (Publishing), and
developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-comment
(Updating: ``hide``; Deleting) and .../ig-comment/replies (Creating)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tactful.inbox.moderation.base import Target, Unoffered
from tactful.publish.connectors.base import Credentials, Result, json_object, send
from tactful.publish.connectors.graph import api_url, auth, get_json, graph_result

FIND_PAGES = 5  # pages of replies read back when looking for a cut-off reply


class _Graph(Unoffered):
    actions = frozenset({"reply", "hide"})
    undoable = frozenset({"reply", "hide"})
    label = "Facebook"
    permission = "pages_manage_engagement"
    replies = "comments"  # the edge a reply is created on
    words = "message"  # the field a reply's words come back in
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

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        wanted = " ".join(text.split())
        params = {"fields": f"id,{self.words},from", "limit": "100"}
        for _ in range(FIND_PAGES):
            got = get_json(http, creds, f"/{target.remote_id}/{self.replies}", params)
            if isinstance(got, Result):
                detail = f"could not read the comment's replies: {got.detail}"
                return Result("unknown", status=got.status, detail=detail)
            for reply in _objects(got.get("data")):
                author = reply.get("from")
                by = author.get("id") if isinstance(author, dict) else None
                mine = creds.remote_user is None or by in (None, creds.remote_user)
                words = " ".join(str(reply.get(self.words) or "").split())
                if mine and words == wanted and isinstance(reply.get("id"), str):
                    return Result("published", reply["id"], status=200)
            paging = got.get("paging")
            cursors = paging.get("cursors") if isinstance(paging, dict) else None
            after = cursors.get("after") if isinstance(cursors, dict) else None
            if not (isinstance(paging, dict) and paging.get("next") and isinstance(after, str)):
                return None  # every reply was read: it is not there
            params["after"] = after
        return Result("unknown", detail=f"not in the comment's first {FIND_PAGES * 100} replies")

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
    words = "text"
    hide_field = "hide"


def _objects(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
