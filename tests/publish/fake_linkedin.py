"""LinkedIn in a function: the documented HTTP contract of the endpoints tactful uses, served
through httpx.MockTransport (see :mod:`fake_http`) so every request is a real HTTP message.

Modelled (docs under https://learn.microsoft.com/en-us/linkedin/):

- ``/rest/*`` needs ``LinkedIn-Version: YYYYMM`` (400 ``VERSION_MISSING`` without it, 426
  ``NONEXISTENT_VERSION`` for one not served, i.e. older than a year) and
  ``X-Restli-Protocol-Version: 2.0.0`` (shared/api-guide/concepts/versioning, protocol-version).
- Tokens: 401 bodies ``{"status", "serviceErrorCode", "code", "message"}`` for an empty,
  invalid (65600), revoked (65601 ``REVOKED_ACCESS_TOKEN``) or expired
  (``EXPIRED_ACCESS_TOKEN``) token; 403 ``ACCESS_DENIED`` (serviceErrorCode 100) for a missing
  permission: ``w_member_social`` to post as the member, ``w_organization_social`` and an
  admin role on the page to post as a page ("Field Value validation failed in REQUEST_BODY:
  Data Processing Exception while processing fields [/author]"), ``r_member_social`` /
  ``r_organization_social`` to list posts, ``openid``/``profile`` for ``/v2/userinfo``.
- ``POST /rest/posts`` (community-management/shares/posts-api): the body's required fields
  and values, 201 with the post URN in ``x-restli-id`` and no body; ``content.media`` (one
  image) or ``content.multiImage`` (2 to 20, multiimage-post-api) whose images must be
  uploaded and owned by the author; commentary over 3,000 characters refused with 400
  ("ShareCommentary text length (N characters) exceeded the maximum allowed (3000
  characters)"); the same text from the same author within ``duplicate_window`` refused with
  422 ``DUPLICATE_POST`` ("Content is a duplicate of urn:li:share:..."), remembered even after
  the post is deleted (as reported in ComposioHQ/composio#2710). Guessed: how long LinkedIn
  remembers (undocumented; ten minutes here) and that the message names the deleted post.
- ``DELETE /rest/posts/{encoded URN}`` (posts-api, Delete Posts): 204, again 204 for a post
  already deleted (deletes are idempotent); the author's write permission is needed. The
  post leaves the author's list, and its text still counts as a duplicate.
- The commentary is the "little" text format (shares/little-text-format): ``\\``-escapes,
  ``{hashtag|\\#|tag}`` templates, ``#tag``, ``@[Name](urn:li:...)`` mentions. As reported
  (alexey-pelykh/linkedctl#194, apoorvdarshan/crossposter v1.1.5), an unescaped reserved
  character that starts no element makes LinkedIn cut the post there and still answer 201:
  :meth:`published` counts the text a reader sees. Stored commentary keeps hashtags as
  templates, as LinkedIn returns them.
- ``GET /rest/posts?author=<urn-encoded>&q=author&count&start&sortBy`` (Find Posts by
  Authors): the URN must be encoded (Rest.li 2.0), newest first by ``lastModifiedAt`` (or
  ``createdAt`` with ``sortBy=CREATED``), ``count`` at most 100, a ``next`` link in ``paging``
  while more remain; elements carry ``id``, ``author``, ``commentary``, ``createdAt``,
  ``lastModifiedAt``, ``publishedAt`` (epoch ms) and ``lifecycleState``.
- ``POST /rest/images?action=initializeUpload`` (shares/images-api): ``{"value": {"uploadUrl",
  "uploadUrlExpiresAt", "image"}}``; the PUT of the bytes to ``uploadUrl`` (on the upload host,
  with the bearer token) answers 201; the image is then ``AVAILABLE`` (or failed processing
  when the bytes are no JPEG, PNG or GIF); a post naming one not uploaded is refused with
  ``MEDIA_ASSET_WAITING_UPLOAD``.
- ``GET /v2/userinfo`` (OpenID Connect): ``sub``, ``name``...
- ``POST /oauth/v2/accessToken`` with ``grant_type=refresh_token`` (form-encoded, on the OAuth
  host): a new 60-day access token, the same refresh token and its remaining life
  (shared/authentication/programmatic-refresh-tokens); 400 ``invalid_request`` "The provided
  authorization grant or refresh token is invalid, expired or revoked"; 401
  ``invalid_client``.
- 429 (shared/api-guide/concepts/rate-limits): limits are per day, reset at midnight UTC, and
  the answer carries no rate-limit headers; ``retry_after_header`` adds a ``Retry-After``.
- The Authorization Code Flow (shared/authentication/authorization-code-flow):
  ``GET /oauth/v2/authorization`` (``response_type=code``, ``client_id``, ``redirect_uri``,
  ``state``, space-separated ``scope``) sends the browser back with ``code`` and ``state``;
  a member who cancels comes back with ``error=user_cancelled_login`` or
  ``user_cancelled_authorize`` (and ``error_description``, ``state``); a scope the app's
  products do not grant, ``error=unauthorized_scope_error``. ``POST /oauth/v2/accessToken``
  with ``grant_type=authorization_code`` (form: ``code``, ``redirect_uri``, ``client_id``,
  ``client_secret``; the code lives 30 minutes and works once, with the same redirect_uri)
  answers ``access_token``, ``expires_in`` (5184000, 60 days), ``scope`` (comma-separated),
  ``token_type``, ``id_token`` (with ``openid``) and, for apps approved for programmatic
  refresh (``programmatic_refresh``), ``refresh_token`` and ``refresh_token_expires_in``
  (a year) (shared/authentication/programmatic-refresh-tokens).

Not modelled: videos, documents, articles, polls, editing posts,
mention name matching, PKCE (LinkedIn's native-client flow), the login page itself."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode

import httpx
from fake_http import asgi, client

BASE = "https://api.linkedin.test"
OAUTH_BASE = "https://www.linkedin.test"  # the OAuth and upload host
LIMIT = 3000
MEMBER = "urn:li:person:abc123"
ORG_ID = "2414183"
ORG = f"urn:li:organization:{ORG_ID}"
CLIENT_ID, CLIENT_SECRET = "tactful-app", "app-secret"
CODE_LIFE = timedelta(minutes=30)  # an authorization code's life (authorization-code-flow)
ACCESS_LIFE = 5184000  # seconds: 60 days
REFRESH_LIFE = 31536000  # seconds: a year
CANCELLED = {
    "cancel_login": ("user_cancelled_login", "The user cancelled LinkedIn login"),
    "cancel_authorize": ("user_cancelled_authorize", "The user cancelled the authorization"),
}
CODE_REFUSED = (
    "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
    "authorization code. Or authorization code expired. Or external member binding exists"
)

EVERYTHING = frozenset(
    {
        "openid",
        "profile",
        "w_member_social",
        "r_member_social",
        "w_organization_social",
        "r_organization_social",
    }
)
SHARE_ON_LINKEDIN = frozenset({"openid", "profile", "w_member_social"})  # the self-serve product

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_TEMPLATE = re.compile(r"\{hashtag\|\\[#\uff03]\|((?:\\.|[^}\\|])+)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])+)\]\((urn:li:(?:person|organization):[^)\s]+)\)")
_HASHTAG = re.compile(r"#([^\W_]+)")
_PERSON = re.compile(r"urn:li:person:([A-Za-z0-9_-]+)")
_ORGANIZATION = re.compile(r"urn:li:organization:(\d+)")
_VERSION = re.compile(r"(\d{4})(\d{2})(?:\.\d{2})?")


@dataclass
class Grant:
    """What an access token stands for: the member, the permissions granted, the pages the
    member administers (organization ids), and whether it expired or was revoked."""

    sub: str
    scopes: frozenset[str] = EVERYTHING
    admin_of: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    revoked: bool = False


def _tokens() -> dict[str, Grant]:
    return {
        "good-token": Grant("abc123", admin_of=frozenset({ORG_ID})),
        "not-admin-token": Grant("zed999"),  # a member who is no admin of the page
        "share-only-token": Grant("wo555", SHARE_ON_LINKEDIN),  # cannot read posts
        "revoked-token": Grant("abc123", revoked=True),
        "expired-token": Grant("abc123", expires_at=datetime(2020, 1, 1, tzinfo=UTC)),
    }


def parse_little(text: str) -> tuple[str, str]:
    """(what a reader sees, the commentary as LinkedIn stores it), cut at the first
    reserved character that is neither escaped nor the start of an element."""
    seen: list[str] = []
    kept: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 < n and text[i + 1] in RESERVED:
                seen.append(text[i + 1])
                kept.append(text[i : i + 2])
                i += 2
                continue
            break
        m = None
        if c == "{" and (m := _TEMPLATE.match(text, i)):
            seen.append("#" + re.sub(r"\\(.)", r"\1", m.group(1)))
            kept.append(m.group())
        elif c == "@" and (m := _MENTION.match(text, i)):
            seen.append(re.sub(r"\\(.)", r"\1", m.group(1)))
            kept.append(m.group())
        elif c == "#" and (m := _HASHTAG.match(text, i)):
            seen.append(m.group())
            kept.append("{hashtag|\\#|" + m.group(1) + "}")
        elif c in RESERVED:
            break
        if m is not None:
            i = m.end()
            continue
        seen.append(c)
        kept.append(c)
        i += 1
    return "".join(seen), "".join(kept)


def _escape(text: str) -> str:
    return "".join("\\" + c if c in RESERVED else c for c in text)


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def _id_token(sub: str, now: datetime) -> str:
    """An OpenID Connect ID token's shape (a JWT: header, claims, signature; unsigned)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    issued = int(now.timestamp())
    claims = {
        "iss": "https://www.linkedin.com/oauth",
        "aud": CLIENT_ID,
        "sub": sub,
        "iat": issued,
        "exp": issued + 3600,
        "name": "Jo Example",
    }
    return f"{part({'alg': 'RS256', 'kid': 'fake'})}.{part(claims)}.fake-signature"


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@dataclass
class FakeLinkedIn:
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    tokens: dict[str, Grant] = field(default_factory=_tokens)
    refresh_tokens: dict[str, str] = field(default_factory=lambda: {"good-refresh": "abc123"})
    refresh_expires: dict[str, datetime] = field(default_factory=dict)
    upload_base: str = OAUTH_BASE
    duplicate_window: timedelta = timedelta(minutes=10)
    retry_after_header: str | None = None  # LinkedIn documents none; set to add Retry-After
    posts: list[dict[str, Any]] = field(default_factory=list)
    images: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, str] = field(default_factory=dict)  # upload key -> image URN
    recent: dict[tuple[str, str], tuple[str, datetime]] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)  # post URN -> its author
    requests: list[httpx.Request] = field(default_factory=list)
    issued: int = 0
    # The browser sign-in: who signs in, the pages that member administers, the scopes the
    # app's products grant, whether LinkedIn approved the app for refresh tokens, and what
    # the member does on the consent page ("allow", "cancel_login", "cancel_authorize").
    signs_in: str = "abc123"
    signs_in_admin_of: frozenset[str] = frozenset({ORG_ID})
    app_scopes: frozenset[str] = EVERYTHING
    programmatic_refresh: bool = False
    user_answer: str = "allow"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    # ------------------------------------------------------------------ answers

    def _error(
        self, status: int, code: str, message: str, service: int = 100, **extra: Any
    ) -> httpx.Response:
        body = {"status": status, "serviceErrorCode": service, "code": code, "message": message}
        return httpx.Response(
            status, json={**body, **extra}, headers={"x-restli-error-response": "true"}
        )

    def _denied(self, what: str) -> httpx.Response:
        return self._error(403, "ACCESS_DENIED", f"Not enough permissions to access: {what}")

    def rate_limited(self) -> httpx.Response:
        """LinkedIn's 429: a daily limit, no rate-limit headers (Retry-After only if set)."""
        headers = {"x-restli-error-response": "true"}
        if self.retry_after_header:
            headers["Retry-After"] = self.retry_after_header
        body = {
            "status": 429,
            "serviceErrorCode": 101,
            "code": "TOO_MANY_REQUESTS",
            "message": "Resource level throttle APPLICATION DAY limit for calls to this "
            "resource is reached.",
        }
        return httpx.Response(429, json=body, headers=headers)

    # ------------------------------------------------------------------ routing

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        if path == "/oauth/v2/authorization" and method == "GET":
            return self._authorization(request)
        if (
            path == "/oauth/v2/accessToken"
            and method == "POST"
            and _form(request).get("grant_type") == "authorization_code"
        ):
            return self._code_grant(request)
        if path == "/oauth/v2/accessToken" and method == "POST":
            return self._token(request)
        grant = self._grant(request)
        if isinstance(grant, httpx.Response):
            return grant
        if path.startswith("/dms-uploads/") and method == "PUT":
            return self._receive_upload(request, grant)
        if path == "/v2/userinfo" and method == "GET":
            if not {"openid", "profile"} <= grant.scopes:
                return self._denied("userinfo.GET.NO_VERSION")
            return httpx.Response(
                200,
                json={
                    "sub": grant.sub,
                    "name": "Jo Example",
                    "given_name": "Jo",
                    "family_name": "Example",
                    "picture": "https://media.licdn.test/jo.jpg",
                    "locale": {"country": "GB", "language": "en"},
                },
            )
        if not path.startswith("/rest/"):
            return self._error(404, "NOT_FOUND", f"No resource found at {path}")
        refused = self._versioned(request)
        if refused is not None:
            return refused
        if path == "/rest/posts" and method == "POST":
            return self._create(request, grant)
        if path == "/rest/posts" and method == "GET":
            return self._find(request, grant)
        if path.startswith("/rest/posts/") and method == "DELETE":
            return self._delete(request, grant)
        if path == "/rest/images" and method == "POST":
            if request.url.params.get("action") != "initializeUpload":
                return self._error(400, "ILLEGAL_ARGUMENT", "Unknown action")
            return self._initialize(request, grant)
        return self._error(404, "NOT_FOUND", "Could not find entity")

    def _grant(self, request: httpx.Request) -> Grant | httpx.Response:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth.removeprefix("Bearer ").strip():
            return self._error(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2_access_token", 65604)
        grant = self.tokens.get(auth.removeprefix("Bearer ").strip())
        if grant is None:
            return self._error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        if grant.revoked:
            return self._error(
                401,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
                65601,
            )
        if grant.expires_at is not None and grant.expires_at <= self.clock():
            return self._error(
                401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired", 65602
            )
        return grant

    def _versioned(self, request: httpx.Request) -> httpx.Response | None:
        version = request.headers.get("linkedin-version")
        if not version:
            return self._error(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            )
        m = _VERSION.fullmatch(version)
        now = self.clock()
        months = (now.year * 12 + now.month) - (int(m[1]) * 12 + int(m[2])) if m else -1
        if not m or not 0 <= months < 12 or not 1 <= int(m[2]) <= 12:
            return self._error(
                426, "NONEXISTENT_VERSION", f"Requested version {version} is not active"
            )
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return self._error(
                400, "ILLEGAL_ARGUMENT", "This API requires X-Restli-Protocol-Version: 2.0.0"
            )
        return None

    def _may_write(self, grant: Grant, author: str) -> httpx.Response | None:
        if m := _ORGANIZATION.fullmatch(author):
            if "w_organization_social" in grant.scopes and m[1] in grant.admin_of:
                return None
            return self._error(
                403,
                "ACCESS_DENIED",
                "Field Value validation failed in REQUEST_BODY: Data Processing Exception "
                "while processing fields [/author]",
            )
        if _PERSON.fullmatch(author):
            if "w_member_social" not in grant.scopes:
                return self._denied("partnerApiPostsExternal.CREATE.20260901")
            if author != f"urn:li:person:{grant.sub}":
                return self._error(
                    403,
                    "ACCESS_DENIED",
                    "Field Value validation failed in REQUEST_BODY: Data Processing "
                    "Exception while processing fields [/author]",
                )
            return None
        return self._error(
            400, "INVALID_URN_TYPE", f"/author value {author} must be a person or organization URN"
        )

    # ------------------------------------------------------------------ posts

    def _json(self, request: httpx.Request) -> dict[str, Any] | httpx.Response:
        if "application/json" not in request.headers.get("content-type", ""):
            return self._error(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be JSON")
        try:
            body = json.loads(request.content or b"")
        except ValueError:
            return self._error(400, "ILLEGAL_ARGUMENT", "Request body is not valid JSON")
        if not isinstance(body, dict):
            return self._error(400, "ILLEGAL_ARGUMENT", "Request body must be an object")
        return body

    def _create(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        body = self._json(request)
        if isinstance(body, httpx.Response):
            return body
        for name in ("author", "commentary", "visibility", "distribution", "lifecycleState"):
            if name not in body:
                return self._error(400, "MISSING_FIELD", f"/{name} is required but missing")
        author = str(body["author"])
        refused = self._may_write(grant, author)
        if refused is not None:
            return refused
        if body["lifecycleState"] != "PUBLISHED":
            return self._error(
                400,
                "INVALID_VALUE_FOR_FIELD",
                f"/lifecycleState can't be set to {body['lifecycleState']}",
            )
        if body["visibility"] not in ("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"):
            return self._error(
                400, "INVALID_VALUE_FOR_FIELD", f"/visibility can't be set to {body['visibility']}"
            )
        distribution = body["distribution"]
        if not isinstance(distribution, dict) or distribution.get("feedDistribution") not in (
            "MAIN_FEED",
            "NONE",
        ):
            return self._error(
                400, "MISSING_FIELD", "/distribution/feedDistribution is required but missing"
            )
        if not isinstance(body.get("isReshareDisabledByAuthor", False), bool):
            return self._error(
                400, "INVALID_VALUE_FOR_FIELD", "/isReshareDisabledByAuthor must be a boolean"
            )
        if not isinstance(body["commentary"], str):
            return self._error(400, "INVALID_VALUE_FOR_FIELD", "/commentary must be a string")
        text, stored = parse_little(body["commentary"])
        if len(text) > LIMIT:
            message = (
                "com.linkedin.content.common.exception.BadRequestResponseException: "
                f"ShareCommentary text length ({len(text)} characters) exceeded the maximum "
                f"allowed ({LIMIT} characters)"
            )
            return httpx.Response(
                400,
                json={
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": message,
                    "errorDetails": {
                        "inputErrors": [
                            {
                                "description": "Size of array cannot be higher than the maxLength",
                                "input": {"inputPath": {"fieldPath": "/commentary"}},
                                "code": "FIELD_ARRAY_SIZE_TOO_HIGH",
                                "maxLength": LIMIT,
                            }
                        ]
                    },
                    "status": 400,
                },
                headers={"x-restli-error-response": "true"},
            )
        if "content" in body:
            refused = self._check_content(body["content"], author)
            if refused is not None:
                return refused
        now = self.clock()
        key = (author, " ".join(text.split()))
        earlier = self.recent.get(key)
        if earlier is not None and now - earlier[1] < self.duplicate_window:
            message = (
                "com.linkedin.content.common.exception.BadRequestResponseException: "
                f"Content is a duplicate of {earlier[0]}"
            )
            return httpx.Response(
                422,
                json={
                    "errorDetailType": "com.linkedin.common.error.BadRequest",
                    "message": message,
                    "errorDetails": {
                        "inputErrors": [
                            {
                                "description": "Duplicate post is detected",
                                "input": {},
                                "code": "DUPLICATE_POST",
                            }
                        ]
                    },
                    "status": 422,
                },
                headers={"x-restli-error-response": "true"},
            )
        urn = self._store(author, text, stored, now, body)
        self.recent[key] = (urn, now)
        return httpx.Response(201, headers={"x-restli-id": urn, "x-linkedin-id": urn})

    def _check_content(self, content: Any, author: str) -> httpx.Response | None:
        if not isinstance(content, dict):
            return self._error(400, "INVALID_VALUE_FOR_FIELD", "/content must be an object")
        if "media" in content:
            media = content["media"]
            ids = [media.get("id")] if isinstance(media, dict) else [None]
        elif "multiImage" in content:
            images = (content["multiImage"] or {}).get("images")
            if not isinstance(images, list) or not 2 <= len(images) <= 20:
                return self._error(
                    400,
                    "INVALID_VALUE_FOR_FIELD",
                    "/content/multiImage/images must hold between 2 and 20 images",
                )
            ids = [i.get("id") if isinstance(i, dict) else None for i in images]
        else:
            return self._error(400, "INVALID_VALUE_FOR_FIELD", "/content has no supported type")
        for image_id in ids:
            image = self.images.get(str(image_id))
            if image is None:
                return self._error(400, "INVALID_IMAGE_ID", "This Image ID is invalid")
            if image["owner"] != author:
                return self._error(
                    403,
                    "ACCESS_DENIED",
                    "Accessing this image resource is forbidden. Please check your "
                    "permissions for this resource",
                )
            if image["status"] == "WAITING_UPLOAD":
                return self._error(
                    400, "MEDIA_ASSET_WAITING_UPLOAD", "Media asset is waiting upload"
                )
            if image["status"] != "AVAILABLE":
                return self._error(
                    400, "MEDIA_ASSET_PROCESSING_FAILED", "Media asset failed processing"
                )
        return None

    def _store(
        self,
        author: str,
        text: str,
        stored: str,
        when: datetime,
        body: dict[str, Any] | None = None,
    ) -> str:
        self.issued += 1
        urn = f"urn:li:share:{7400000000000000000 + self.issued}"
        body = body or {}
        post: dict[str, Any] = {
            "id": urn,
            "author": author,
            "commentary": stored,
            "visibility": body.get("visibility", "PUBLIC"),
            "distribution": body.get("distribution", {"feedDistribution": "MAIN_FEED"}),
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": body.get("isReshareDisabledByAuthor", False),
            "createdAt": _ms(when),
            "lastModifiedAt": _ms(when),
            "publishedAt": _ms(when),
            "lifecycleStateInfo": {"isEditedByAuthor": False},
            "_text": text,
        }
        if "content" in body:
            post["content"] = body["content"]
        self.posts.append(post)
        return urn

    def _find(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        params = request.url.params
        if params.get("q") != "author":
            return self._error(400, "ILLEGAL_ARGUMENT", "Unknown finder")
        author = params.get("author", "")
        if f"author={quote(author, safe='')}" not in request.url.query.decode():
            return self._error(
                400, "ILLEGAL_ARGUMENT", "Invalid param: author must be an encoded URN"
            )
        if m := _ORGANIZATION.fullmatch(author):
            if "r_organization_social" not in grant.scopes or m[1] not in grant.admin_of:
                return self._denied("partnerApiPostsExternal.FINDER-author.20260901")
        elif _PERSON.fullmatch(author):
            if "r_member_social" not in grant.scopes or author != f"urn:li:person:{grant.sub}":
                return self._denied("partnerApiPostsExternal.FINDER-author.20260901")
        else:
            return self._error(400, "INVALID_URN_TYPE", "author must be a person or org URN")
        order = "createdAt" if params.get("sortBy") == "CREATED" else "lastModifiedAt"
        mine = sorted((p for p in self.posts if p["author"] == author), key=lambda p: -p[order])
        start = int(params.get("start", 0))
        count = min(100, int(params.get("count", 10)))
        page = mine[start : start + count]
        links = []
        if start + count < len(mine):
            links.append(
                {
                    "rel": "next",
                    "type": "application/json",
                    "href": f"/rest/posts?author={quote(author, safe='')}&q=author"
                    f"&count={count}&start={start + count}",
                }
            )
        elements = [{k: v for k, v in p.items() if not k.startswith("_")} for p in page]
        return httpx.Response(
            200,
            json={"paging": {"start": start, "count": count, "links": links}, "elements": elements},
        )

    def _delete(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        raw = request.url.raw_path.decode().split("?")[0].removeprefix("/rest/posts/")
        urn = unquote(raw)
        if raw == urn and ":" in urn:
            return self._error(400, "ILLEGAL_ARGUMENT", "The post URN must be URL-encoded")
        post = next((p for p in self.posts if p["id"] == urn), None)
        author = post["author"] if post else self.deleted.get(urn)
        if author is None:
            return self._error(404, "NOT_FOUND", f"Post {urn} not found")
        refused = self._may_write(grant, author)
        if refused is not None:
            return refused
        self.delete(urn)
        return httpx.Response(204)

    # ------------------------------------------------------------------ images

    def _initialize(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        body = self._json(request)
        if isinstance(body, httpx.Response):
            return body
        owner = (body.get("initializeUploadRequest") or {}).get("owner")
        if not isinstance(owner, str):
            return self._error(
                400, "MISSING_FIELD", "/initializeUploadRequest/owner is required but missing"
            )
        refused = self._may_write(grant, owner)
        if refused is not None:
            return refused
        self.issued += 1
        key = f"D4E10AQ{self.issued:09d}"
        urn = f"urn:li:image:{key}"
        now = self.clock()
        self.images[urn] = {"owner": owner, "status": "WAITING_UPLOAD", "bytes": b""}
        self.uploads[key] = urn
        upload = (
            f"{self.upload_base}/dms-uploads/sp/{key}/uploaded-image/0"
            f"?ca=vector_feedshare&cn=uploads&m=AQ{self.issued}&app=201094746&sync=0&v=beta"
        )
        return httpx.Response(
            200,
            json={
                "value": {
                    "uploadUrlExpiresAt": _ms(now + timedelta(hours=1)),
                    "uploadUrl": upload,
                    "image": urn,
                }
            },
        )

    def _receive_upload(self, request: httpx.Request, grant: Grant) -> httpx.Response:
        m = re.fullmatch(r"/dms-uploads/sp/(\w+)/uploaded-image/0", request.url.path)
        urn = self.uploads.get(m[1]) if m else None
        if urn is None:
            return httpx.Response(404, text="Not Found")
        content = request.content
        image = self.images[urn]
        image["bytes"] = content
        is_image = content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF8"))
        image["status"] = "AVAILABLE" if is_image else "PROCESSING_FAILED"
        return httpx.Response(201)

    # ------------------------------------------------------------------ OAuth

    def _oauth_error(self, status: int, error: str, description: str) -> httpx.Response:
        return httpx.Response(status, json={"error": error, "error_description": description})

    def _token(self, request: httpx.Request) -> httpx.Response:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return self._oauth_error(400, "invalid_request", "Unsupported content type")
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        for name in ("grant_type", "refresh_token", "client_id", "client_secret"):
            if not form.get(name):
                return self._oauth_error(
                    400, "invalid_request", f'A required parameter "{name}" is missing'
                )
        if form["grant_type"] != "refresh_token":
            return self._oauth_error(400, "unsupported_grant_type", "Unsupported grant type")
        if form["client_id"] != CLIENT_ID or form["client_secret"] != CLIENT_SECRET:
            return self._oauth_error(401, "invalid_client", "Client authentication failed")
        now = self.clock()
        refresh = form["refresh_token"]
        sub = self.refresh_tokens.get(refresh)
        year = now + timedelta(days=365)
        ends = self.refresh_expires.setdefault(refresh, year) if sub is not None else now
        if sub is None or ends <= now:
            return self._oauth_error(
                400,
                "invalid_request",
                "The provided authorization grant or refresh token is invalid, expired or revoked",
            )
        model = next((g for g in self.tokens.values() if g.sub == sub and not g.revoked), None)
        self.issued += 1
        token = f"fresh-token-{self.issued}"
        self.tokens[token] = Grant(
            sub,
            model.scopes if model else EVERYTHING,
            model.admin_of if model else frozenset(),
            expires_at=now + timedelta(days=60),
        )
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "expires_in": 60 * 86400,
                "refresh_token": refresh,
                "refresh_token_expires_in": int((ends - now).total_seconds()),
                "scope": ",".join(sorted(model.scopes if model else EVERYTHING)),
            },
        )

    def _authorization(self, request: httpx.Request) -> httpx.Response:
        """LinkedIn's consent page, as a member who allows (or cancels) and is sent back."""
        params = request.url.params
        redirect = params.get("redirect_uri", "")
        if params.get("client_id") != CLIENT_ID:
            return httpx.Response(400, text="<html>Invalid client_id</html>")
        if not redirect.startswith(("https://", "http://")) or "#" in redirect:
            return httpx.Response(400, text="<html>Invalid redirect_uri</html>")
        state = params.get("state")

        def back(**query: str) -> httpx.Response:
            if state is not None:
                query["state"] = state
            sep = "&" if "?" in redirect else "?"
            return httpx.Response(302, headers={"location": redirect + sep + urlencode(query)})

        if params.get("response_type") != "code":
            return back(error="invalid_request", error_description="response_type must be code")
        scopes = frozenset(params.get("scope", "").split())
        refused = sorted(scopes - self.app_scopes)
        if refused:
            return back(
                error="unauthorized_scope_error",
                error_description=f'Scope "{refused[0]}" is not authorized for your application',
            )
        if self.user_answer in CANCELLED:
            error, description = CANCELLED[self.user_answer]
            return back(error=error, error_description=description)
        self.issued += 1
        code = f"AQT-code-{self.issued}"
        self.codes[code] = {
            "redirect_uri": redirect,
            "client_id": CLIENT_ID,
            "scopes": scopes,
            "sub": self.signs_in,
            "admin_of": self.signs_in_admin_of,
            "issued_at": self.clock(),
            "used": False,
        }
        return back(code=code)

    def _code_grant(self, request: httpx.Request) -> httpx.Response:
        if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
            return self._oauth_error(400, "invalid_request", "Unsupported content type")
        form = _form(request)
        for name in ("code", "redirect_uri", "client_id", "client_secret"):
            if not form.get(name):
                return self._oauth_error(
                    400, "invalid_request", f'A required parameter "{name}" is missing'
                )
        if form["client_id"] != CLIENT_ID or form["client_secret"] != CLIENT_SECRET:
            return self._oauth_error(401, "invalid_client", "Client authentication failed")
        now = self.clock()
        code = self.codes.get(form["code"])
        if (
            code is None
            or code["used"]
            or now - code["issued_at"] > CODE_LIFE
            or code["redirect_uri"] != form["redirect_uri"]
            or code["client_id"] != form["client_id"]
        ):
            return self._oauth_error(400, "invalid_request", CODE_REFUSED)
        code["used"] = True
        self.issued += 1
        token = f"member-token-{self.issued}"
        scopes: frozenset[str] = code["scopes"]
        self.tokens[token] = Grant(
            code["sub"], scopes, code["admin_of"], expires_at=now + timedelta(seconds=ACCESS_LIFE)
        )
        body: dict[str, Any] = {
            "access_token": token,
            "expires_in": ACCESS_LIFE,
            "scope": ",".join(sorted(scopes)),
            "token_type": "Bearer",
        }
        if "openid" in scopes:
            body["id_token"] = _id_token(code["sub"], now)
        if self.programmatic_refresh:
            refresh = f"member-refresh-{self.issued}"
            self.refresh_tokens[refresh] = code["sub"]
            self.refresh_expires[refresh] = now + timedelta(seconds=REFRESH_LIFE)
            body["refresh_token"] = refresh
            body["refresh_token_expires_in"] = REFRESH_LIFE
        return httpx.Response(200, json=body)

    # ------------------------------------------------------------------ for tests

    def seed(self, author: str, text: str, when: datetime) -> str:
        """A post already on the account, created at ``when``."""
        return self._store(author, text, _escape(text), when)

    def delete(self, urn: str) -> None:
        """The author deleted the post (LinkedIn still remembers it as a duplicate)."""
        for post in self.posts:
            if post["id"] == urn:
                self.deleted[urn] = post["author"]
        self.posts = [p for p in self.posts if p["id"] != urn]

    def published(self) -> Counter[str]:
        """What readers see, post by post."""
        return Counter(p["_text"] for p in self.posts)


__all__ = [
    "BASE",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "MEMBER",
    "OAUTH_BASE",
    "ORG",
    "FakeLinkedIn",
    "Grant",
    "asgi",
    "client",
    "parse_little",
]
