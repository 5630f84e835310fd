"""Mastodon's notifications as a fake server: the READ contract of
``GET /api/v1/notifications`` (methods/notifications.md, entities/Notification.md,
api/guidelines.md#pagination, api/rate-limits.md):

- a bearer token with ``read:notifications`` (or ``read``); without the scope 403
  ``{"error": "This action is outside the authorized scopes"}``, an unknown or revoked token
  401 ``{"error": "The access token is invalid"}``;
- ``types[]`` filters, ``limit`` at most 80 (default 40), ``max_id``, ``since_id``, ``min_id``;
  newest first; a ``Link`` header with ``rel="next"`` (``max_id``) and ``rel="prev"``
  (``min_id``) when the page is not empty;
- ``X-RateLimit-Limit``, ``-Remaining`` and ``-Reset`` (an ISO time) on every answer, and a 429
  ``{"error": "Too many requests"}`` when spent.

Guessed: that ``since_id`` with ``max_id`` pages back between the two (the documented
meaning of both), and the notification ids (increasing integers here, Snowflake-like
strings on a real server)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

BASE = "https://social.example"
SCOPED = frozenset({"read:notifications"})


@dataclass
class FakeMastodonInbox:
    clock: Callable[[], datetime]
    tokens: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"good-token": frozenset({"read", "write"})}
    )
    notifications: list[dict] = field(default_factory=list)  # oldest first
    served: Counter[str] = field(default_factory=Counter)  # status id -> times served
    requests: list[httpx.Request] = field(default_factory=list)

    def write(self, text: str, *, author: str = "someone", reply_to: str | None = None) -> str:
        """Someone mentions the account: a status and its notification."""
        n = len(self.notifications) + 1  # two notifications a write: ids keep increasing
        status_id = str(1000 + n)
        when = self.clock().isoformat().replace("+00:00", "Z")
        self.notifications.append(
            {
                "id": str(n),
                "type": "mention",
                "created_at": when,
                "account": {"id": f"a-{author}", "acct": f"{author}@elsewhere.example"},
                "status": {
                    "id": status_id,
                    "created_at": when,
                    "in_reply_to_id": reply_to,
                    "content": f'<p><span class="h-card">@jo</span> {_escape(text)}</p>',
                    "url": f"https://elsewhere.example/@{author}/{status_id}",
                },
            }
        )
        # A favourite the account got meanwhile: not a mention, filtered out by types[].
        self.notifications.append(
            {"id": str(n + 1), "type": "favourite", "created_at": when, "account": {}}
        )
        return status_id

    def _headers(self) -> dict[str, str]:
        reset = (self.clock() + timedelta(minutes=5)).isoformat()
        return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299",
                "X-RateLimit-Reset": reset}  # fmt: skip

    def rate_limited(self) -> httpx.Response:
        headers = {**self._headers(), "X-RateLimit-Remaining": "0"}
        return httpx.Response(429, json={"error": "Too many requests"}, headers=headers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method != "GET" or request.url.path != "/api/v1/notifications":
            return httpx.Response(404, json={"error": "Record not found"})
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        scopes = self.tokens.get(token)
        if scopes is None:
            return httpx.Response(401, json={"error": "The access token is invalid"})
        if not ({"read", "read:notifications"} & scopes):
            return httpx.Response(
                403, json={"error": "This action is outside the authorized scopes"}
            )
        params = request.url.params
        limit = int(params.get("limit", "40"))
        assert 1 <= limit <= 80, "limit is at most 80"
        assert set(params) <= {"types[]", "limit", "max_id", "since_id", "min_id"}, params
        types = set(params.get_list("types[]"))
        listed = [e for e in self.notifications if not types or e["type"] in types]
        if "max_id" in params:
            listed = [e for e in listed if int(e["id"]) < int(params["max_id"])]
        if "since_id" in params:
            listed = [e for e in listed if int(e["id"]) > int(params["since_id"])]
        page = list(reversed(listed))[:limit]
        headers = self._headers()
        if page:
            here = f"{BASE}/api/v1/notifications"
            headers["Link"] = (
                f'<{here}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{here}?min_id={page[0]["id"]}>; rel="prev"'
            )
        for e in page:
            if e.get("status"):
                self.served[e["status"]["id"]] += 1
        return httpx.Response(200, json=page, headers=headers)

    def status_ids(self) -> set[str]:
        return {e["status"]["id"] for e in self.notifications if e["type"] == "mention"}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
