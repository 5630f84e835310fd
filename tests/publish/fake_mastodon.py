"""A Mastodon server in a function: the documented HTTP contract of the endpoints tactful
uses (paths, bearer tokens, Idempotency-Key kept for an hour, 202 media processing, 422 and
401 error bodies, X-RateLimit-* headers), served through httpx.MockTransport (see
:mod:`fake_http`) so every request is a real HTTP message. It counts what it has published,
to find duplicates.

From Mastodon's documentation (github.com/mastodon/documentation, content/en/):

- Scopes (api/oauth-scopes.md): each endpoint names the scope it needs, and a token sent
  without it gets 403 ``{"error": "This action is outside the authorized scopes"}``, even on
  an endpoint that is public without a token. ``read`` and ``write`` cover every
  ``read:*`` and ``write:*`` scope. ``POST /api/v1/statuses`` needs ``write:statuses``,
  ``POST /api/v2/media`` and ``GET /api/v1/media/:id`` ``write:media``, ``GET
  /api/v1/accounts/verify_credentials`` ``read:accounts`` (or ``profile``, 4.3+), and ``GET
  /api/v1/accounts/:id/statuses`` ``read:statuses`` when a token is sent; without one it
  is public and lists public and unlisted statuses (methods/accounts.md, 2.7.0), unless the
  server requires sign-in for its API (``public_api=False``: 401 "This API requires an
  authenticated user").
- ``POST /api/v1/apps`` (methods/apps.md): ``scopes`` space-separated, ``read`` when none;
  the authorisation may ask only for scopes the app registered (Doorkeeper's
  ``invalid_scope`` otherwise), and the token is granted those asked for.
- ``GET /api/v2/instance`` (methods/instance.md, entities/Instance.md): public;
  ``configuration.statuses`` holds ``max_characters``, ``max_media_attachments`` and
  ``characters_reserved_per_url`` (4.0+).

Guessed (not documented): the scopes of a token made by hand in the server's settings
(tokens this fake holds no scopes for are granted ``read write``)."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
from fake_http import asgi, client

BASE = "https://social.example"
LIMIT = 500
URL_CHARS = 23  # characters_reserved_per_url
# What tactful asks for now, and what it asked for before it read statuses back.
SCOPES = frozenset({"read:accounts", "read:statuses", "write:statuses", "write:media"})
OLD_SCOPES = frozenset({"read:accounts", "write:statuses", "write:media"})
OUT_OF_SCOPE = "This action is outside the authorized scopes"


def allows(granted: frozenset[str], needed: str) -> bool:
    """``read`` covers ``read:statuses``, ``write`` covers ``write:media`` (oauth-scopes.md)."""
    return needed in granted or needed.split(":")[0] in granted


@dataclass
class FakeMastodon:
    tokens: dict[str, str] = field(
        default_factory=lambda: {"good-token": "109", "old-token": "109"}
    )
    # token -> scopes granted; a token not listed was made by hand with "read write"
    scopes: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"good-token": SCOPES, "old-token": OLD_SCOPES}
    )
    public_api: bool = True  # False: the server shows nothing to a reader without a token
    url_chars: int = URL_CHARS
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    statuses: list[dict] = field(default_factory=list)
    keys: dict[tuple[str, str], tuple[dict, datetime]] = field(default_factory=dict)
    media: dict[str, int] = field(default_factory=dict)  # id -> polls left before ready
    requests: list[httpx.Request] = field(default_factory=list)
    limit: int = LIMIT  # the instance's max_characters
    # app id -> (secret, redirect, scopes registered)
    apps: dict[str, tuple[str, str, frozenset[str]]] = field(default_factory=dict)
    codes: dict[str, tuple[str, str, frozenset[str]]] = field(default_factory=dict)

    def _error(self, status: int, message: str, **headers: str) -> httpx.Response:
        return httpx.Response(status, json={"error": message}, headers=headers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and request.url.path == "/api/v2/instance":
            return httpx.Response(200, json=self.instance())  # public: no token needed
        if request.url.path in ("/api/v1/apps", "/oauth/authorize", "/oauth/token"):
            return self._oauth(request)
        path, method = request.url.path, request.method
        auth = request.headers.get("authorization")
        listing = re.fullmatch(r"/api/v1/accounts/(\w+)/statuses", path)
        if auth is None and method == "GET" and listing:
            if not self.public_api:
                return self._error(401, "This API requires an authenticated user")
            return self._statuses(request, listing[1], public=True)
        token = (auth or "").removeprefix("Bearer ")
        account = self.tokens.get(token)
        if account is None:
            return self._error(401, "The access token is invalid")
        needed = _SCOPE_NEEDED.get((method, re.sub(r"/\d+(?=/|$)", "/:id", path)))
        granted = self.scopes.get(token, frozenset({"read", "write"}))
        if needed and not any(allows(granted, scope) for scope in needed):
            return self._error(403, OUT_OF_SCOPE)
        if method == "POST" and path == "/api/v1/statuses":
            return self._status(request, account)
        if method == "POST" and path == "/api/v2/media":
            if b"filename=" not in request.content:
                return self._error(422, "Validation failed: File can't be blank")
            media_id = str(len(self.media) + 1)
            self.media[media_id] = 1
            return httpx.Response(202, json={"id": media_id, "type": "image", "url": None})
        if m := re.fullmatch(r"/api/v1/media/(\w+)", path):
            left = self.media.get(m[1])
            if left is None:
                return self._error(404, "Record not found")
            self.media[m[1]] = max(0, left - 1)
            url = None if left else f"{BASE}/media/{m[1]}.jpg"
            return httpx.Response(200, json={"id": m[1], "type": "image", "url": url})
        if listing:
            return self._statuses(request, listing[1], public=False)
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, json={"id": account, "username": "jo", "acct": "jo"})
        return self._error(404, "Not found")

    def _statuses(self, request: httpx.Request, account: str, public: bool) -> httpx.Response:
        """An account's statuses, newest first; without a token only public and unlisted."""
        shown = ("public", "unlisted") if public else ("public", "unlisted", "private", "direct")
        mine = [
            s
            for s in reversed(self.statuses)
            if s["account"] == account and s["visibility"] in shown
        ]
        max_id = request.url.params.get("max_id")
        if max_id:
            mine = [s for s in mine if int(s["id"]) < int(max_id)]
        limit = min(40, int(request.url.params.get("limit", 20)))
        return httpx.Response(200, json=mine[:limit])

    def _oauth(self, request: httpx.Request) -> httpx.Response:
        """App registration and the authorisation-code grant (Doorkeeper's answers)."""
        path = request.url.path
        if path == "/api/v1/apps":
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            if not form.get("client_name") or not form.get("redirect_uris"):
                return self._error(422, "Validation failed: Application name can't be blank")
            app_id = f"app-{len(self.apps) + 1}"
            registered = frozenset((form.get("scopes") or "read").split())
            self.apps[app_id] = (f"secret-{app_id}", form["redirect_uris"], registered)
            return httpx.Response(
                200,
                json={"id": app_id, "name": form["client_name"], "client_id": app_id,
                      "client_secret": self.apps[app_id][0],
                      "redirect_uri": form["redirect_uris"], "scopes": sorted(registered)},
            )  # fmt: skip
        if path == "/oauth/authorize":
            q = request.url.params
            app = self.apps.get(q.get("client_id", ""))
            if app is None or q.get("redirect_uri") != app[1]:
                return self._error(400, "invalid_client")
            asked = frozenset((q.get("scope") or "read").split())
            if not asked <= app[2]:
                target = httpx.URL(app[1], params={"error": "invalid_scope",
                                                   "state": q.get("state", "")})  # fmt: skip
                return httpx.Response(302, headers={"location": str(target)})
            code = f"code-{len(self.codes) + 1}"
            self.codes[code] = (q["client_id"], q.get("code_challenge", ""), asked)
            target = httpx.URL(app[1], params={"code": code, "state": q.get("state", "")})
            return httpx.Response(302, headers={"location": str(target)})
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        granted = self.codes.pop(form.get("code", ""), None)
        app = self.apps.get(form.get("client_id", ""))
        if granted is None or app is None or form.get("client_secret") != app[0]:
            return httpx.Response(400, json={"error": "invalid_grant",
                                             "error_description": "The provided authorization grant is invalid"})  # fmt: skip
        token = f"oauth-token-{len(self.tokens)}"
        self.tokens[token] = "109"
        self.scopes[token] = granted[2]
        return httpx.Response(
            200, json={"access_token": token, "token_type": "Bearer",
                       "scope": " ".join(sorted(granted[2])), "created_at": 1700000000},
        )  # fmt: skip

    def instance(self) -> dict:
        return {
            "domain": "social.example",
            "configuration": {
                "statuses": {
                    "max_characters": self.limit,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": self.url_chars,
                },
                "media_attachments": {
                    "supported_mime_types": ["image/jpeg", "image/png", "video/mp4"],
                    "image_size_limit": 16777216,
                },
            },
        }

    def _status(self, request: httpx.Request, account: str) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        text = str(body.get("status", ""))
        key = request.headers.get("idempotency-key")
        now = self.clock()
        if key:
            seen = self.keys.get((account, key))
            if seen and now - seen[1] < timedelta(hours=1):
                return httpx.Response(200, json=seen[0])
        if not text.strip() and not body.get("media_ids"):
            return self._error(422, "Validation failed: Text can't be blank")
        if len(text) > self.limit:
            return self._error(
                422, f"Validation failed: Text character limit of {self.limit} exceeded"
            )
        reply_to = body.get("in_reply_to_id")
        if reply_to is not None and not any(s["id"] == str(reply_to) for s in self.statuses):
            return self._error(404, "Record not found")
        for media_id in body.get("media_ids") or []:
            if self.media.get(str(media_id)) != 0:
                return self._error(422, "Cannot attach files that have not finished processing")
        status_id = str(100000 + len(self.statuses))
        status = {
            "id": status_id,
            "account": account,
            "url": f"{BASE}/@jo/{status_id}",
            "content": "<p>" + html.escape(text).replace("\n", "<br />") + "</p>",
            "text": text,
            "visibility": str(body.get("visibility") or "public"),
            "created_at": now.isoformat(),
            "in_reply_to_id": str(reply_to) if reply_to is not None else None,
            "media_attachments": [{"id": m} for m in body.get("media_ids") or []],
        }
        self.statuses.append(status)
        if key:
            self.keys[(account, key)] = (status, now)
        return httpx.Response(200, json=status)

    def rate_limited(self) -> httpx.Response:
        """Mastodon's 429: X-RateLimit-* headers, the reset as an ISO time (wall clock)."""
        # Resets are wall-clock times; connectors compare them with the real clock.
        reset = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()  # real clock ok
        return httpx.Response(
            429,
            json={"error": "Too many requests"},
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        )

    def published(self) -> Counter[str]:
        return Counter(s["text"] for s in self.statuses)


# (method, path) -> the scopes any one of which lets a token through (methods/*.md, "OAuth:")
_SCOPE_NEEDED: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/api/v1/statuses"): ("write:statuses",),
    ("POST", "/api/v2/media"): ("write:media",),
    ("GET", "/api/v1/media/:id"): ("write:media",),
    ("GET", "/api/v1/accounts/verify_credentials"): ("read:accounts", "profile"),
    ("GET", "/api/v1/accounts/:id/statuses"): ("read:statuses",),
}

__all__ = ["BASE", "OLD_SCOPES", "SCOPES", "FakeMastodon", "asgi", "client"]
