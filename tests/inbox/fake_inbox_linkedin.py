"""LinkedIn as the inbox reads it: comments on an organisation's posts. Built on the
publishing fake (:class:`fake_linkedin.FakeLinkedIn`: tokens and their 401 bodies, the
``LinkedIn-Version`` and ``X-Restli-Protocol-Version`` headers, the posts finder
``GET /rest/posts?q=author`` with ``start``/``count`` and a ``next`` link, its 403
``ACCESS_DENIED`` without ``r_organization_social`` or an admin role, the 429 with no
rate-limit headers), adding the Community Management API's READ contract for comments
(learn.microsoft.com/linkedin/marketing/community-management/shares/comments-api):

- ``GET /rest/socialActions/{post-urn}/comments`` with the URN URL-encoded (Rest.li 2.0;
  400 otherwise), ``start`` and ``count`` (at most 100); reading an organisation's post's
  comments needs ``r_organization_social`` and an admin role on the page (403
  ``ACCESS_DENIED`` otherwise); a post that is not there 404;
- ``{"paging": {"start", "count", "total", "links"}, "elements": [...]}``, each comment with
  ``id``, ``commentUrn`` (``urn:li:comment:(urn:li:activity:…,id)``), ``actor``, ``agent``,
  ``created`` and ``lastModified`` (``{actor, time}`` in epoch ms), ``message.text``,
  ``object`` (the post) and, for a reply, ``parentComment``.

Guessed: the order of comments (oldest first here, so offsets stay put as comments arrive),
that ``total`` counts the top-level comments the list holds, and that replies to comments are
listed under the comment's URN only (tactful does not read them, so the fault test writes
none)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

import httpx
from fake_linkedin import ORG, ORG_ID, FakeLinkedIn, Grant, _ms

BASE = "https://api.linkedin.test"


@dataclass
class FakeLinkedInInbox(FakeLinkedIn):
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # post -> oldest first
    served: Counter[str] = field(default_factory=Counter)  # comment URN -> times served
    _serial: int = 0

    def post(self, text: str, *, when: datetime | None = None) -> str:
        """The page posts (as tactful's publishing would)."""
        urn = self.seed(ORG, text, when or self.clock())
        self.comments.setdefault(urn, [])
        return urn

    def write(self, text: str, *, author: str = "someone", on: str | None = None) -> str:
        """A member comments on a page post (``on``, else the newest); returns the comment URN."""
        if not self.comments:
            self.post("Open today")
        urn = on or list(self.comments)[-1]
        self._serial += 1
        comment_id = str(7_000_000_000_000_000_000 + self._serial)
        activity = f"urn:li:activity:{urn.rsplit(':', 1)[-1]}"
        comment_urn = f"urn:li:comment:({activity},{comment_id})"
        actor = f"urn:li:person:{author}"
        stamp = {"actor": actor, "time": _ms(self.clock())}
        self.comments[urn].append(
            {
                "id": comment_id,
                "commentUrn": comment_urn,
                "actor": actor,
                "agent": actor,
                "created": stamp,
                "lastModified": stamp,
                "message": {"text": text, "attributes": []},
                "object": urn,
            }
        )
        return comment_urn

    def ids(self) -> set[str]:
        return {c["commentUrn"] for listed in self.comments.values() for c in listed}

    def handle(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.startswith("/rest/socialActions/"):
            return super().handle(request)
        self.requests.append(request)
        grant = self._grant(request)
        if isinstance(grant, httpx.Response):
            return grant
        refused = self._versioned(request)
        if refused is not None:
            return refused
        if request.method != "GET":
            return self._error(405, "METHOD_NOT_ALLOWED", "Only GET is served here")
        return self._list(request, grant)

    def _list(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        raw = request.url.raw_path.decode().split("?")[0].removeprefix("/rest/socialActions/")
        encoded, _, rest = raw.partition("/")
        urn = unquote(encoded)
        if rest != "comments":
            return self._error(404, "NOT_FOUND", "Could not find entity")
        if encoded != quote(urn, safe=""):
            return self._error(400, "ILLEGAL_ARGUMENT", "The URN in the path must be encoded")
        if urn not in self.comments:
            return self._error(404, "NOT_FOUND", f"Post {urn} not found")
        if "r_organization_social" not in grant.scopes or ORG_ID not in grant.admin_of:
            return self._denied("comments.GET.20260901")
        params = request.url.params
        start, count = int(params.get("start", "0")), int(params.get("count", "10"))
        if not 1 <= count <= 100 or start < 0:
            return self._error(400, "ILLEGAL_ARGUMENT", "count must be 1 to 100, start >= 0")
        listed = self.comments[urn]
        page = listed[start : start + count]
        links = []
        if start + count < len(listed):
            links.append(
                {
                    "rel": "next",
                    "type": "application/json",
                    "href": f"/rest/socialActions/{encoded}/comments?count={count}"
                    f"&start={start + count}",
                }
            )
        for comment in page:
            self.served[comment["commentUrn"]] += 1
        paging = {"start": start, "count": count, "total": len(listed), "links": links}
        return httpx.Response(200, json={"paging": paging, "elements": page})


__all__ = ["BASE", "ORG", "FakeLinkedInInbox"]
