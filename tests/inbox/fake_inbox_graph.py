"""Meta's Graph API as the inbox reads it: one Facebook Page's feed with its comments and the
linked Instagram account's media with theirs. The READ contract
(https://developers.facebook.com/docs/graph-api/reference/page/feed,
.../reference/object/comments, .../graph-api/results (cursor paging), .../field-expansion,
.../guides/error-handling, .../overview/rate-limiting;
.../instagram-platform/instagram-graph-api/reference/ig-user/media,
.../reference/ig-media/comments, .../reference/ig-comment, .../guides/comment-moderation):

- the API root ``/v25.0``; the token in ``Authorization: Bearer``; no token ``400`` code 104,
  an unknown or revoked one ``400`` code 190 (``OAuthException``, subcode 458 "the user has
  not authorized application"), a permission missing ``403`` code 10 naming it
  (``pages_read_engagement``, ``pages_read_user_content`` for the feed and Facebook
  comments; ``instagram_manage_comments`` for Instagram comments); a field the node does
  not have ``400`` code 100 "Tried accessing nonexisting field";
- ``fields`` with field expansion (``comments.filter(stream).limit(100){id,message}``), and
  only the fields asked for in the answer;
- ``GET /{page-id}/feed`` newest first; ``GET /{post-id}/comments`` with ``filter``
  (``toplevel``, the default: no replies; ``stream``: every comment, oldest first) and the
  embedded ``comments`` of a post the same way; ``GET /{ig-user-id}/media`` newest first,
  with ``comments_count`` (replies included); ``GET /{ig-media-id}/comments`` top-level
  comments with their ``replies`` (the first page), ``GET /{ig-comment-id}/replies`` the rest;
- cursor paging: ``{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}``,
  ``next`` only when more follow; ``limit`` at most 100;
- throttling: ``400`` code 80001 (a Page) or 80002 (Instagram) with
  ``X-Business-Use-Case-Usage`` giving ``estimated_time_to_regain_access`` in minutes; the
  usage header on every answer.

Guessed: the cursors' form (opaque here: the id of the last entry served, read as "after
that one", so entries added meanwhile neither shift nor repeat a page); the order of
Instagram's comments (oldest first, as Facebook's stream) and that of replies; that
``.filter(stream)`` works inside field expansion as it does as a parameter; that a reply to a
reply hangs under the top-level comment (both networks show two levels); the first page of
an Instagram comment's ``replies`` holds 25."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BASE = "https://graph.fake.test/v25.0"
PAGE_ID = "104857600000001"
IG_ID = "17841400000000001"
TOKEN = "page-token"
ALL = frozenset(
    {"pages_read_engagement", "pages_read_user_content", "instagram_basic",
     "instagram_manage_comments"}
)  # fmt: skip
REPLIES_PAGE = 25
NODE_FIELDS = {
    "post": {"id", "message", "permalink_url", "created_time", "updated_time", "from",
             "comments"},
    "fb_comment": {"id", "message", "from", "created_time", "permalink_url", "parent",
                   "like_count", "comment_count", "is_hidden"},
    "media": {"id", "caption", "permalink", "timestamp", "comments_count", "like_count",
              "media_type", "username", "comments"},
    "ig_comment": {"id", "text", "timestamp", "username", "from", "parent_id", "replies",
                   "like_count", "hidden"},
}  # fmt: skip


class _Refused(Exception):
    def __init__(self, response: httpx.Response):
        self.response = response


def _fields(text: str) -> dict[str, tuple[dict[str, str], dict[str, Any] | None]]:
    """``a,b.limit(5){c,d}`` -> {name: (modifiers, subfields or None)} (field expansion)."""
    out: dict[str, tuple[dict[str, str], dict[str, Any] | None]] = {}
    i = 0
    while i < len(text):
        m = re.compile(r"\s*([a-z_]+)").match(text, i)
        if not m:
            raise ValueError(text[i:])
        name, i = m[1], m.end()
        modifiers: dict[str, str] = {}
        while i < len(text) and text[i] == ".":
            mod = re.compile(r"\.([a-z_]+)\(([^)]*)\)").match(text, i)
            if not mod:
                raise ValueError(text[i:])
            modifiers[mod[1]], i = mod[2], mod.end()
        sub = None
        if i < len(text) and text[i] == "{":
            depth, j = 0, i
            while True:
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            sub, i = _fields(text[i + 1 : j]), j + 1
        out[name] = (modifiers, sub)
        if i < len(text):
            if text[i] != ",":
                raise ValueError(text[i:])
            i += 1
    return out


def _time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


@dataclass
class FakeGraphInbox:
    clock: Callable[[], datetime]
    tokens: dict[str, frozenset[str]] = field(default_factory=lambda: {TOKEN: ALL})
    posts: list[dict[str, Any]] = field(default_factory=list)  # Facebook, oldest first
    media: list[dict[str, Any]] = field(default_factory=list)  # Instagram, oldest first
    served: Counter[str] = field(default_factory=Counter)  # comment id -> times served
    requests: list[httpx.Request] = field(default_factory=list)
    _seq: int = 0

    # -- what people do ---------------------------------------------------------------------

    def _id(self) -> str:
        self._seq += 1
        return str(10**15 + self._seq)

    def post(self, text: str, *, network: str = "facebook", when: datetime | None = None) -> str:
        """The account posts (a Page post, an Instagram media); returns its id."""
        created = when or self.clock()
        if network == "facebook":
            post_id = f"{PAGE_ID}_{self._id()}"
            self.posts.append({"id": post_id, "message": text, "created": created,
                               "permalink_url": f"https://www.facebook.test/{post_id}",
                               "comments": []})  # fmt: skip
            return post_id
        media_id = self._id()
        self.media.append({"id": media_id, "caption": text, "created": created,
                           "permalink": f"https://www.instagram.test/p/{media_id}/",
                           "comments": []})  # fmt: skip
        return media_id

    def write(
        self,
        text: str,
        *,
        author: str = "someone",
        reply_to: str | None = None,
        network: str = "facebook",
        on: str | None = None,
    ) -> str:
        """Someone comments on a post (``on``, else the newest), or replies to a comment."""
        nodes = self.posts if network == "facebook" else self.media
        if not nodes:
            self.post("Open today", network=network)
        top: str | None = None
        node = nodes[-1]
        if reply_to is not None:
            node, comment = self._comment(reply_to)
            top = comment.get("parent") or comment["id"]
        elif on is not None:
            node = next(n for n in nodes if n["id"] == on)
        comment_id = f"{node['id'].split('_')[-1]}_{self._id()}"
        node["comments"].append({"id": comment_id, "text": text, "author": author,
                                 "created": self.clock(), "parent": top})  # fmt: skip
        return comment_id

    def _comment(self, comment_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for node in (*self.posts, *self.media):
            for comment in node["comments"]:
                if comment["id"] == comment_id:
                    return node, comment
        raise KeyError(comment_id)

    def ids(self, network: str = "facebook") -> set[str]:
        nodes = self.posts if network == "facebook" else self.media
        return {c["id"] for n in nodes for c in n["comments"]}

    # -- answers ----------------------------------------------------------------------------

    def _error(self, status: int, code: int, message: str, kind: str = "OAuthException",
               subcode: int | None = None) -> httpx.Response:  # fmt: skip
        error: dict[str, Any] = {"message": message, "type": kind, "code": code,
                                 "fbtrace_id": "AbCdEf123"}  # fmt: skip
        if subcode is not None:
            error["error_subcode"] = subcode
        return httpx.Response(status, json={"error": error}, headers=self._usage())

    def _usage(self, minutes: int = 0, code_type: str = "pages") -> dict[str, str]:
        usage = {PAGE_ID: [{"type": code_type, "call_count": 100 if minutes else 4,
                            "total_cputime": 1, "total_time": 1,
                            "estimated_time_to_regain_access": minutes}]}  # fmt: skip
        return {"X-Business-Use-Case-Usage": json.dumps(usage)}

    def rate_limited(self) -> httpx.Response:
        body = {"error": {"message": "(#80001) There have been too many calls to this Page "
                          "account. Wait a bit and try again.", "type": "OAuthException",
                          "code": 80001, "fbtrace_id": "AbCdEf123"}}  # fmt: skip
        return httpx.Response(400, json=body, headers=self._usage(minutes=5))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        try:
            return self._route(request)
        except _Refused as refused:
            return refused.response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = re.sub(r"^/v\d+\.\d+", "", request.url.path)
        if request.method != "GET":
            return self._error(400, 100, "Unsupported request", "GraphMethodException")
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return self._error(400, 104, "An access token is required to request this resource.")
        granted = self.tokens.get(auth.removeprefix("Bearer "))
        if granted is None:
            return self._error(400, 190, "Error validating access token: The user has not "
                               "authorized application 1234567890123456.", subcode=458)  # fmt: skip
        params = request.url.params
        try:
            asked = _fields(params.get("fields", "id"))
        except ValueError as exc:
            return self._error(400, 100, f"Syntax error in fields near: {exc}", "OAuthException")
        limit = int(params.get("limit", "25"))
        if not 1 <= limit <= 100:
            return self._error(400, 100, "(#100) The limit parameter must be between 1 and 100")
        after = params.get("after")
        if path == f"/{PAGE_ID}/feed":
            self._needs(granted, "pages_read_engagement", "pages_read_user_content")
            nodes = list(reversed(self.posts))
            return self._answer(nodes, after, limit, lambda p: self._post(p, asked), "post", asked)
        if path == f"/{IG_ID}/media":
            self._needs(granted, "instagram_basic")
            nodes = list(reversed(self.media))
            return self._answer(nodes, after, limit, lambda m: self._media(m, asked), "media",
                                asked)  # fmt: skip
        m = re.fullmatch(r"/([0-9_]+)/comments", path)
        if m:
            for node in self.posts:
                if node["id"] == m[1]:
                    self._needs(granted, "pages_read_engagement", "pages_read_user_content")
                    chosen = self._fb_comments(node, params.get("filter", "toplevel"))
                    return self._answer(chosen, after, limit, lambda c: self._fb(c, asked),
                                        "fb_comment", asked)  # fmt: skip
            for node in self.media:
                if node["id"] == m[1]:
                    self._needs(granted, "instagram_basic", "instagram_manage_comments")
                    chosen = [c for c in node["comments"] if c["parent"] is None]
                    media = node
                    return self._answer(chosen, after, limit,
                                        lambda c: self._ig(c, media, asked),  # noqa: B023
                                        "ig_comment", asked)  # fmt: skip
        m = re.fullmatch(r"/([0-9_]+)/replies", path)
        if m:
            for node in self.media:
                if any(c["id"] == m[1] and c["parent"] is None for c in node["comments"]):
                    self._needs(granted, "instagram_basic", "instagram_manage_comments")
                    chosen = [c for c in node["comments"] if c["parent"] == m[1]]
                    media = node
                    return self._answer(chosen, after, limit,
                                        lambda c: self._ig(c, media, asked),  # noqa: B023
                                        "ig_comment", asked)  # fmt: skip
        return self._error(400, 100, f"(#100) Unsupported get request. Object with ID "
                           f"'{path.strip('/')}' does not exist", "GraphMethodException", 33)  # fmt: skip

    def _needs(self, granted: frozenset[str], *permissions: str) -> None:
        for permission in permissions:
            if permission not in granted:
                raise _Refused(self._error(403, 10, f"(#10) This endpoint requires the "
                                           f"'{permission}' permission"))  # fmt: skip

    def _check_fields(self, node: str, asked: dict[str, Any]) -> None:
        unknown = sorted(set(asked) - NODE_FIELDS[node])
        if unknown:
            raise _Refused(self._error(400, 100, f"(#100) Tried accessing nonexisting field "
                                       f"({unknown[0]}) on node type ({node})"))  # fmt: skip

    def _answer(self, nodes: list[dict[str, Any]], after: str | None, limit: int,
                show: Callable[[dict[str, Any]], dict[str, Any]], node: str,
                asked: dict[str, Any]) -> httpx.Response:  # fmt: skip
        self._check_fields(node, asked)
        return httpx.Response(200, json=self._edge(nodes, after, limit, show),
                              headers=self._usage())  # fmt: skip

    def _edge(self, nodes: list[dict[str, Any]], after: str | None, limit: int,
              show: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:  # fmt: skip
        """A cursor-paged list: ``after`` is the id of the last entry the page before held."""
        start = 0
        if after:
            ids = [n["id"] for n in nodes]
            start = ids.index(after) + 1 if after in ids else len(nodes)
        page = nodes[start : start + limit]
        body: dict[str, Any] = {"data": [show(n) for n in page]}
        if page:
            body["paging"] = {"cursors": {"before": page[0]["id"], "after": page[-1]["id"]}}
            if start + limit < len(nodes):
                body["paging"]["next"] = f"{BASE}/next?after={page[-1]['id']}"
        return body

    def _fb_comments(self, node: dict[str, Any], how: str) -> list[dict[str, Any]]:
        if how == "stream":
            return list(node["comments"])
        return [c for c in node["comments"] if c["parent"] is None]

    def _post(self, post: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = {"id": post["id"], "message": post["message"],
                                 "permalink_url": post["permalink_url"],
                                 "created_time": _time(post["created"])}  # fmt: skip
        shown = {k: v for k, v in shown.items() if k in asked or k == "id"}
        if "comments" in asked:
            modifiers, sub = asked["comments"]
            sub = sub or {"id": ({}, None)}
            self._check_fields("fb_comment", sub)
            chosen = self._fb_comments(post, modifiers.get("filter", "toplevel"))
            if chosen:  # Graph leaves out an edge with nothing in it
                limit = int(modifiers.get("limit", "25"))
                shown["comments"] = self._edge(chosen, None, limit, lambda c: self._fb(c, sub))
        return shown

    def _fb(self, comment: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
        self.served[comment["id"]] += 1
        shown: dict[str, Any] = {
            "id": comment["id"],
            "message": comment["text"],
            "from": {"name": comment["author"], "id": f"u-{comment['author']}"},
            "created_time": _time(comment["created"]),
            "permalink_url": f"https://www.facebook.test/{comment['id']}",
        }
        if comment["parent"]:
            shown["parent"] = {"id": comment["parent"]}
        return {k: v for k, v in shown.items() if k in asked or k == "id"}

    def _media(self, media: dict[str, Any], asked: dict[str, Any]) -> dict[str, Any]:
        shown = {"id": media["id"], "caption": media["caption"], "permalink": media["permalink"],
                 "timestamp": _time(media["created"]),
                 "comments_count": len(media["comments"])}  # fmt: skip
        return {k: v for k, v in shown.items() if k in asked or k == "id"}

    def _ig(self, comment: dict[str, Any], media: dict[str, Any],
            asked: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
        self.served[comment["id"]] += 1
        shown: dict[str, Any] = {
            "id": comment["id"],
            "text": comment["text"],
            "timestamp": _time(comment["created"]),
            "username": comment["author"],
            "from": {"id": f"igsid-{comment['author']}", "username": comment["author"]},
        }
        if comment["parent"]:
            shown["parent_id"] = comment["parent"]
        shown = {k: v for k, v in shown.items() if k in asked or k == "id"}
        if "replies" in asked and comment["parent"] is None:
            sub = asked["replies"][1] or {"id": ({}, None)}
            self._check_fields("ig_comment", sub)
            replies = [c for c in media["comments"] if c["parent"] == comment["id"]]
            if replies:
                shown["replies"] = self._edge(replies, None, REPLIES_PAGE,
                                              lambda c: self._ig(c, media, sub))  # fmt: skip
        return shown


def days_ago(clock: Callable[[], datetime], days: float) -> datetime:
    return clock() - timedelta(days=days)
