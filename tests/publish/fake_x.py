"""X (API v2) in a function: the documented HTTP contract of the endpoints tactful uses,
served through httpx.MockTransport (see :mod:`fake_http`) so every request is a real HTTP
message. It counts what it has published, to find duplicates.

Modelled, with where it is documented or observed. "OpenAPI v2.167" is X's current OpenAPI
document for API v2 (github.com/xdevplatform/xdk, specs/openapi.json, info.version 2.167);
"v2.159" the one before it there (latest-openapi.json).

- OAuth 2.0 user-context bearer tokens with scopes; an unknown or expired token gets 401
  ``{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}``; a token
  without the scope an endpoint needs gets 403 ``{"title":"Forbidden",...,"detail":"Forbidden"}``
  (node-twitter-api-v2#265; scopes: docs.x.com/fundamentals/authentication/oauth-2-0/
  authorization-code; ``media.write`` for uploads: makerprism/ocaml-social-sdk#25).
- ``POST /2/tweets`` (docs.x.com/x-api/posts/creation-of-a-post; OpenAPI v2.167
  CreatePostsRequest, CreatePostsMedia, CreatePostsReply, none of which allows other fields):
  JSON only, ``text``, ``media.media_ids`` (1 to 4, ids this account uploaded),
  ``reply.in_reply_to_tweet_id``;
  201 ``{"data": {"id", "text"}}``. Refusals: a text over 280 weighted characters is a 400
  whose ``errors[0].message`` is "Your Tweet text is too long. ..." (as tweepy and
  twitter-api-v2 users report it); bad media ids a 400 "Your media IDs are invalid."; a
  reply to a post that does not exist a 403 "You attempted to reply to a Tweet that is
  deleted or not visible to you."; the same text as a recent post of the account a 403
  ``{"detail":"You are not allowed to create a Tweet with duplicate content.",
  "type":"about:blank","title":"Forbidden","status":403}`` (akrherz/iembot#163). X does not
  document how long "recent" is: here ``duplicate_window`` (a day).
- Text as X gives it back: NFC, links (and bare domains) as ``https://t.co/...`` links, one
  more t.co link appended for attached media, ``&``, ``<``, ``>`` HTML-escaped.
- The weighted length of twitter-text v3 (github.com/twitter/twitter-text): code points in
  U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and U+2032-U+2037 count 1, others 2, a link 23.
  Simplified: an emoji sequence counts 2 per code point where twitter-text counts 2 in all.
- ``POST /2/media/upload`` (OpenAPI v2.167 MediaUploadRequest): multipart, ``media`` and
  ``media_category`` required, ``additional_owners`` optional, nothing else
  (``additionalProperties: false``: the ``media_type`` and ``shared`` of v2.159's one-shot
  schema are gone); categories tweet_image, tweet_gif, tweet_video, dm_*, subtitles; images
  up to 5 MB (docs.x.com/x-api/media); 200 ``{"data": {"id", "media_key", "size",
  "expires_after_secs", "processing_info"?}}``; ids last a day. ``GET
  /2/media/upload?command=STATUS&media_id=`` gives ``processing_info.state`` (pending,
  in_progress, failed, succeeded) and ``check_after_secs``.
- ``POST /2/media/metadata`` (docs.x.com/x-api/media/create-media-metadata):
  ``{"id", "metadata": {"alt_text": {"text"}}}`` (at most 1,000 characters), 200 with
  ``associated_metadata``.
- ``GET /2/users/me`` and ``GET /2/users/:id/tweets`` (docs.x.com/x-api/posts/timelines;
  OpenAPI v2.167 parameters): newest first, ``max_results`` 5 to 100, ``start_time`` (RFC
  3339), ``pagination_token`` from ``meta.next_token``, ``exclude`` (replies, retweets), and
  the fields parameter: ``post.fields`` in v2.167 (``note_post``, ``conversation_id``...; no
  ``referenced_tweets``), ``tweet.fields`` in v2.159 (``note_tweet``,
  ``referenced_tweets``...); ``{"meta": {"result_count": 0}}`` when empty; a query parameter
  the endpoint does not take is refused with the 400 invalid-request body (``errors[].message``
  "The query parameter [name] is not one of [...]", ``title``, ``detail``, ``type``).
- ``POST /2/oauth2/token`` with ``grant_type=refresh_token`` (form-encoded, ``client_id``; HTTP
  Basic for a confidential client): a new access token for 7,200 s and a new refresh token,
  the old one refused from then on with 400 ``{"error":"invalid_request",
  "error_description":"Value passed for the token was invalid."}``.
- 429 with ``x-rate-limit-limit``, ``x-rate-limit-remaining`` and ``x-rate-limit-reset`` (epoch
  seconds), which X also sends on every other answer.

Guessed, and listed in docs/publishing.md:

- Which fields parameter the live API takes today: ``fields_param`` picks the contract this
  fake speaks, ``post.fields`` (v2.167, the default) or ``tweet.fields`` (v2.159); the
  connector must work with either.
- That a GIF sent as ``tweet_image`` (or a still image as ``tweet_gif``) is refused, and that
  a one-shot GIF upload is processed after the answer (``processing_info`` pending, then
  succeeded after ``gif_polls`` status reads), as chunked GIF uploads are documented to be.
- Where X's exact words for a refusal are not known (an empty post, a bad upload, a media
  category that does not fit the file), the fake uses the invalid-request shape with words
  of its own; tests must not depend on them."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

import httpx
from fake_http import asgi, client

BASE = "https://api.fake.test"
USER_ID = "2244994945"
USERNAME = "tactful_jo"
CLIENT_ID = "tactful-app"
LIMIT = 280
MAX_IMAGE_BYTES = 5 * 1024 * 1024
ALL_SCOPES = frozenset(
    {"tweet.read", "tweet.write", "tweet.moderate.write", "users.read", "media.write",
     "offline.access"}
)  # fmt: skip
READ_ONLY = frozenset({"tweet.read", "users.read", "offline.access"})

TOO_LONG = (
    "Your Tweet text is too long. For more information on how Twitter determines text "
    "length see https://github.com/twitter/twitter-text."
)
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
DELETED_PARENT = "You attempted to reply to a Tweet that is deleted or not visible to you."
BAD_MEDIA_IDS = "Your media IDs are invalid."
BAD_TOKEN = "Value passed for the token was invalid."
INVALID = "https://api.twitter.com/2/problems/invalid-request"
# OpenAPI v2.167: CreatePostsRequest, CreatePostsMedia, CreatePostsReply (no other fields).
POST_FIELDS = {
    "card_uri", "community_id", "direct_message_deep_link", "edit_options",
    "for_super_followers_only", "geo", "made_with_ai", "media", "nullcast",
    "paid_partnership", "poll", "quote_tweet_id", "reply", "reply_settings",
    "share_with_followers", "text",
}  # fmt: skip
MEDIA_FIELDS = {"call_to_actions", "description", "embeddable", "media_ids", "preview_media_id",
                "tagged_user_ids", "title"}  # fmt: skip
REPLY_FIELDS = {"auto_populate_reply_metadata", "exclude_reply_user_ids", "in_reply_to_tweet_id"}
# The fields parameter of GET /2/users/{id}/tweets and the values it takes: v2.167, v2.159.
FIELDS_ALLOWED = {
    "post.fields": {
        "article", "article_title", "attachments", "card_uri", "community_id",
        "context_annotations", "conversation_id", "created_at", "display_text_range",
        "edit_controls", "entities", "geo", "id", "lang", "matched_media_notes",
        "media_metadata", "non_public_metrics", "note_post", "note_request_suggestions",
        "organic_metrics", "paid_partnership", "possibly_sensitive", "promoted_metrics",
        "public_metrics", "reply_settings", "scopes", "source", "suggested_source_links",
        "suggested_source_links_with_counts", "text", "withheld",
    },
    "tweet.fields": {
        "article", "attachments", "author_id", "card_uri", "community_id",
        "context_annotations", "conversation_id", "created_at", "display_text_range",
        "edit_controls", "edit_history_tweet_ids", "entities", "geo", "id",
        "in_reply_to_user_id", "lang", "media_metadata", "non_public_metrics", "note_tweet",
        "organic_metrics", "possibly_sensitive", "promoted_metrics", "public_metrics",
        "referenced_tweets", "reply_settings", "scopes", "source", "suggested_source_links",
        "suggested_source_links_with_counts", "text", "withheld",
    },
}  # fmt: skip
TIMELINE_PARAMETERS = {"max_results", "pagination_token", "start_time", "end_time", "since_id",
                       "until_id", "exclude", "expansions", "user.fields", "media.fields",
                       "poll.fields", "place.fields"}  # fmt: skip
CATEGORIES = {"tweet_image", "tweet_video", "tweet_gif", "dm_image", "dm_video", "dm_gif",
              "subtitles"}  # fmt: skip

# MediaUploadRequest (OpenAPI v2.167): its only fields.
UPLOAD_FIELDS = {"media", "media_category", "additional_owners"}

# twitter-text's link detection, simplified: a scheme link, or a bare domain it links itself.
_LINK = re.compile(
    r"https?://[^\s]+?(?=[.,;:!?)\]]*(?:\s|$))"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|co|app|uk|de|fr|test)\b(?:/[^\s]*?(?=[.,;:!?)\]]*(?:\s|$)))?",
    re.IGNORECASE,
)
_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def weighted_length(text: str) -> int:
    """twitter-text v3's count (simplified, see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    links = list(_LINK.finditer(text))
    rest = _LINK.sub("", text)
    light = sum(1 for ch in rest if any(lo <= ord(ch) <= hi for lo, hi in _LIGHT))
    return 23 * len(links) + light + 2 * (len(rest) - light)


@dataclass
class FakeX:
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    users: dict[str, str] = field(default_factory=lambda: {USER_ID: USERNAME})
    tokens: dict[str, str] = field(
        default_factory=lambda: {"good-token": USER_ID, "read-only-token": USER_ID}
    )
    scopes: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"good-token": ALL_SCOPES, "read-only-token": READ_ONLY}
    )
    expiry: dict[str, datetime] = field(default_factory=dict)  # token -> when it stops working
    clients: dict[str, str | None] = field(
        default_factory=lambda: {CLIENT_ID: None, "confidential-app": "app-secret"}
    )  # client id -> secret (None: a public PKCE client)
    refresh_tokens: dict[str, tuple[str, str]] = field(
        default_factory=lambda: {"refresh-1": (USER_ID, CLIENT_ID)}
    )  # refresh token -> (user id, client id)
    duplicate_window: timedelta = timedelta(days=1)
    fields_param: str = "post.fields"  # the timeline's fields parameter (see the docstring)
    gif_polls: int = 1  # status reads before an uploaded GIF is processed (a guess)
    tweets: list[dict] = field(default_factory=list)
    media: dict[str, dict] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    issued: int = 0
    # one-time authorisation codes -> (user id, client id, redirect uri, PKCE challenge)
    codes: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)

    # -- answers ----------------------------------------------------------------------------

    def _answer(self, status: int, body: object, problem: bool = False) -> httpx.Response:
        kind = "application/problem+json" if problem else "application/json; charset=utf-8"
        # Resets are wall-clock times; connectors compare them with the real clock.
        reset = str(int(time.time()) + 900)  # real clock ok
        headers = {
            "content-type": kind,
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "99",
            "x-rate-limit-reset": reset,
        }
        return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)

    def _forbidden(self, detail: str = "Forbidden") -> httpx.Response:
        body = {"title": "Forbidden", "type": "about:blank", "status": 403, "detail": detail}
        return self._answer(403, body, problem=True)

    def _invalid(self, message: str, **parameters: list[str]) -> httpx.Response:
        error: dict[str, object] = {"message": message}
        if parameters:
            error["parameters"] = parameters
        body = {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID,
        }
        return self._answer(400, body, problem=True)

    def _oauth_error(self, status: int, error: str, description: str) -> httpx.Response:
        return self._answer(status, {"error": error, "error_description": description})

    def rate_limited(self) -> httpx.Response:
        """X's 429: x-rate-limit-* headers, the reset in epoch seconds (wall clock)."""
        body = {"title": "Too Many Requests", "detail": "Too Many Requests",
                "type": "about:blank", "status": 429}  # fmt: skip
        return httpx.Response(
            429,
            content=json.dumps(body).encode(),
            headers={
                "content-type": "application/json; charset=utf-8",
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                # Resets are wall-clock times; connectors compare them with the real clock.
                "x-rate-limit-reset": str(int(time.time()) + 30),  # real clock ok
            },
        )

    # -- routing ----------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        if method == "POST" and path == "/2/oauth2/token":
            return self._token(request)
        if method == "GET" and path == "/i/oauth2/authorize":
            return self._authorize(request)
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        user = self.tokens.get(token)
        expires = self.expiry.get(token)
        if user is None or (expires is not None and self.clock() >= expires):
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}  # fmt: skip
            return self._answer(401, body, problem=True)
        scopes = self.scopes.get(token, frozenset())

        def needs(*wanted: str) -> bool:
            return set(wanted) <= scopes

        if method == "POST" and path == "/2/tweets":
            if not needs("tweet.read", "tweet.write", "users.read"):
                return self._forbidden()
            return self._create(request, user)
        if method == "POST" and path == "/2/media/upload":
            return self._upload(request, user) if needs("media.write") else self._forbidden()
        if method == "GET" and path == "/2/media/upload":
            return self._status(request, user) if needs("media.write") else self._forbidden()
        if method == "POST" and path == "/2/media/metadata":
            return self._metadata(request, user) if needs("media.write") else self._forbidden()
        if method == "GET" and path == "/2/users/me":
            if not needs("tweet.read", "users.read"):
                return self._forbidden()
            data = {"id": user, "name": "Jo", "username": self.users[user]}
            return self._answer(200, {"data": data})
        if method == "GET" and (m := re.fullmatch(r"/2/users/(\d+)/tweets", path)):
            if not needs("tweet.read", "users.read"):
                return self._forbidden()
            return self._timeline(request, m[1])
        body = {"title": "Not Found Error", "type": "about:blank", "status": 404,
                "detail": f"{method} {path} is not an endpoint"}  # fmt: skip
        return self._answer(404, body, problem=True)

    # -- posts ------------------------------------------------------------------------------

    def _render(self, text: str, with_media: bool, tweet_id: str) -> str:
        """The text as X stores and serves it (see the module docstring)."""
        count = iter(range(1000))
        text = _LINK.sub(lambda _m: f"https://t.co/{tweet_id[-6:]}{next(count):04d}", text)
        if with_media:
            text = f"{text} https://t.co/m{tweet_id[-9:]}"
        return html.escape(unicodedata.normalize("NFC", text), quote=False)

    def _create(self, request: httpx.Request, user: str) -> httpx.Response:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self._invalid("Requests with bodies must have content-type of application/json.")
        try:
            body = json.loads(request.content or b"")
        except ValueError:
            return self._invalid("Request body is not valid JSON.")
        if not isinstance(body, dict):
            return self._invalid("Request body must be a JSON object.")
        unknown = sorted(set(body) - POST_FIELDS)
        if unknown:
            return self._invalid(f"The fields {unknown} are not allowed in a request body.")
        text = body.get("text", "")
        if not isinstance(text, str):
            return self._invalid("[text] must be a string.")
        for name, allowed in (("media", MEDIA_FIELDS), ("reply", REPLY_FIELDS)):
            extra = sorted(set(body.get(name) or {}) - allowed)
            if isinstance(body.get(name), dict) and extra:
                return self._invalid(f"The fields {extra} are not allowed in [{name}].")
        media = body.get("media") or {}
        media_ids = media.get("media_ids", []) if isinstance(media, dict) else None
        if media_ids is None or not isinstance(media_ids, list):
            return self._invalid("[media.media_ids] must be a list.")
        if "media" in body and not 1 <= len(media_ids) <= 4:
            return self._invalid("[media.media_ids]: size must be between 1 and 4.")
        bad = [
            str(m)
            for m in media_ids
            if not isinstance(m, str)
            or m not in self.media
            or self.media[m]["owner"] != user
            or self.clock() > self.media[m]["expires"]
            or self.media[m]["polls_left"] > 0
        ]
        if bad:
            return self._invalid(BAD_MEDIA_IDS, **{"media.media_ids": bad})
        if not text.strip() and not media_ids:
            return self._invalid("Post text or media is required.")
        if weighted_length(text) > LIMIT:
            return self._invalid(TOO_LONG)
        parent = None
        reply = body.get("reply")
        if reply is not None:
            parent_id = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            if not isinstance(parent_id, str) or not parent_id.isdigit():
                return self._invalid("[reply.in_reply_to_tweet_id] must be a post id string.")
            parent = next((t for t in self.tweets if t["id"] == parent_id), None)
            if parent is None:
                return self._forbidden(DELETED_PARENT)
        now = self.clock()
        same = unicodedata.normalize("NFC", text)
        for tweet in self.tweets:
            if (
                tweet["author_id"] == user
                and unicodedata.normalize("NFC", tweet["sent"]) == same
                and now - tweet["created"] < self.duplicate_window
            ):
                return self._forbidden(DUPLICATE)
        tweet = self._store(user, text, now, media_ids, parent)
        return self._answer(201, {"data": {"id": tweet["id"], "text": tweet["text"]}})

    def _store(
        self,
        user: str,
        text: str,
        created: datetime,
        media_ids: list[str] | None = None,
        parent: dict | None = None,
    ) -> dict:
        tweet_id = str(1_860_000_000_000_000_000 + 1_000 * (len(self.tweets) + 1))
        tweet = {
            "id": tweet_id,
            "author_id": user,
            "sent": text,
            "text": self._render(text, bool(media_ids), tweet_id),
            "created": created,
            "media_ids": list(media_ids or ()),
            "in_reply_to_tweet_id": parent["id"] if parent else None,
            "conversation_id": parent["conversation_id"] if parent else tweet_id,
        }
        self.tweets.append(tweet)
        return tweet

    def posted_earlier(self, text: str, created: datetime, user: str = USER_ID) -> str:
        """A post the account made without tactful (from the app, say); its id."""
        return str(self._store(user, text, created)["id"])

    def published(self) -> Counter[str]:
        return Counter(t["sent"] for t in self.tweets)

    # -- media ------------------------------------------------------------------------------

    def _upload(self, request: httpx.Request, user: str) -> httpx.Response:
        kind = request.headers.get("content-type", "")
        if not kind.startswith("multipart/form-data"):
            return self._invalid("The request must be multipart/form-data or JSON.")
        message = BytesParser(policy=HTTP).parsebytes(
            b"content-type: " + kind.encode() + b"\r\n\r\n" + request.content
        )
        fields: dict[str, bytes] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload
        unknown = sorted(set(fields) - UPLOAD_FIELDS)
        if unknown:
            return self._invalid(f"The fields {unknown} are not allowed in a media upload.")
        data = fields.get("media")
        if not data:
            return self._invalid("The media field is required.")
        if "media_category" not in fields:
            return self._invalid("The media_category field is required.")
        category = fields["media_category"].decode()
        if category not in CATEGORIES:
            return self._invalid(f"[media_category] {category} is not one of {sorted(CATEGORIES)}")
        if len(data) > MAX_IMAGE_BYTES:
            return self._invalid(f"File size exceeds {MAX_IMAGE_BYTES} bytes.")
        still = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
        gif = data.startswith((b"GIF87a", b"GIF89a"))
        if not (gif or data.startswith(still) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")):
            return self._invalid("media type unrecognized.")
        if gif != (category in ("tweet_gif", "dm_gif")):
            return self._invalid(f"[media_category] {category} does not fit the file uploaded.")
        media_id = str(1_870_000_000_000_000_000 + len(self.media) + 1)
        self.media[media_id] = {
            "owner": user,
            "category": category,
            "size": len(data),
            "alt_text": None,
            "expires": self.clock() + timedelta(seconds=86400),
            "polls_left": self.gif_polls if gif else 0,
        }
        return self._answer(200, {"data": self._media_data(media_id)})

    def _media_data(self, media_id: str) -> dict:
        media = self.media[media_id]
        data = {"id": media_id, "media_key": f"3_{media_id}", "size": media["size"],
                "expires_after_secs": 86400}  # fmt: skip
        if media["category"] == "tweet_gif":
            state = "succeeded" if media["polls_left"] <= 0 else "pending"
            data["processing_info"] = {"state": state, "check_after_secs": 1}
        return data

    def _status(self, request: httpx.Request, user: str) -> httpx.Response:
        params = request.url.params
        media_id = params.get("media_id", "")
        if params.get("command", "STATUS") != "STATUS":
            return self._invalid("[command] must be STATUS.")
        if self.media.get(media_id, {}).get("owner") != user:
            return self._invalid(BAD_MEDIA_IDS, media_id=[media_id])
        self.media[media_id]["polls_left"] -= 1
        return self._answer(200, {"data": self._media_data(media_id)})

    def _metadata(self, request: httpx.Request, user: str) -> httpx.Response:
        try:
            body = json.loads(request.content or b"")
        except ValueError:
            return self._invalid("Request body is not valid JSON.")
        media_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(media_id, str) or self.media.get(media_id, {}).get("owner") != user:
            return self._invalid(BAD_MEDIA_IDS, id=[str(media_id)])
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(alt, str) or not alt or len(alt) > 1000:
            return self._invalid("[metadata.alt_text.text] must be 1 to 1000 characters.")
        self.media[media_id]["alt_text"] = alt
        data = {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}
        return self._answer(200, {"data": data})

    # -- timeline ---------------------------------------------------------------------------

    def _timeline(self, request: httpx.Request, user: str) -> httpx.Response:
        params = request.url.params
        try:
            size = int(params.get("max_results", "10"))
        except ValueError:
            size = -1
        if not 5 <= size <= 100:
            value = params.get("max_results")
            return self._invalid(
                f"The `max_results` query parameter value [{value}] is not between 5 and 100",
                max_results=[str(value)],
            )
        taken = TIMELINE_PARAMETERS | {self.fields_param}
        for name in params:
            if name not in taken:
                return self._invalid(
                    f"The query parameter [{name}] is not one of [{','.join(sorted(taken))}]",
                    **{name: [params[name]]},
                )
        fields = [f for f in params.get(self.fields_param, "").split(",") if f]
        allowed = FIELDS_ALLOWED[self.fields_param]
        if set(fields) - allowed:
            return self._invalid(
                f"The `{self.fields_param}` query parameter value "
                f"{sorted(set(fields) - allowed)} is not one of the allowed values"
            )
        excluded = {e for e in params.get("exclude", "").split(",") if e}
        if excluded - {"retweets", "replies"}:
            return self._invalid(
                "The `exclude` query parameter value is not one of [retweets, replies]"
            )
        start = None
        if "start_time" in params:
            raw = params["start_time"]
            try:
                start = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                start = None
            if start is None or start.tzinfo is None:
                return self._invalid(
                    f"Invalid 'start_time':'{raw}'. 'start_time' must be a valid RFC 3339 time",
                    start_time=[raw],
                )
        offset = 0
        if "pagination_token" in params:
            offset = _offset(params["pagination_token"], user)
            if offset is None:
                return self._invalid(
                    "The `pagination_token` query parameter value is not valid",
                    pagination_token=[params["pagination_token"]],
                )
        if user not in self.users:
            error = {"value": user, "detail": f"Could not find user with id: [{user}].",
                     "title": "Not Found Error", "resource_type": "user", "parameter": "id",
                     "resource_id": user,
                     "type": "https://api.twitter.com/2/problems/resource-not-found"}  # fmt: skip
            return self._answer(200, {"errors": [error]})
        mine = [
            t
            for t in self.tweets
            if t["author_id"] == user
            and (start is None or t["created"] >= start)
            and not ("replies" in excluded and t["in_reply_to_tweet_id"])
        ]
        mine.sort(key=lambda t: int(t["id"]), reverse=True)
        page = mine[offset : offset + size]
        if not page:
            return self._answer(200, {"meta": {"result_count": 0}})
        data = []
        for t in page:
            item = {"id": t["id"], "text": t["text"], "edit_history_tweet_ids": [t["id"]]}
            if "created_at" in fields:
                item["created_at"] = t["created"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            if "conversation_id" in fields:
                item["conversation_id"] = t["conversation_id"]
            if {"referenced_tweets", "referenced_posts"} & set(fields) and t[
                "in_reply_to_tweet_id"
            ]:
                item["referenced_tweets"] = [
                    {"type": "replied_to", "id": t["in_reply_to_tweet_id"]}
                ]
            data.append(item)
        meta: dict[str, object] = {
            "result_count": len(page),
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
        }
        if offset + size < len(mine):
            meta["next_token"] = _token_for(offset + size, user)
        return self._answer(200, {"data": data, "meta": meta})

    # -- tokens -----------------------------------------------------------------------------

    def _token(self, request: httpx.Request) -> httpx.Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return self._oauth_error(400, "invalid_request", "Unsupported content type.")
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        basic = request.headers.get("authorization", "")
        basic_id = basic_secret = None
        if basic.startswith("Basic "):
            pair = base64.b64decode(basic.removeprefix("Basic ")).decode()
            basic_id, _, basic_secret = pair.partition(":")
        client_id = basic_id or form.get("client_id")
        if not client_id:
            return self._oauth_error(
                400, "invalid_request", "Missing required parameter [client_id]."
            )
        if client_id not in self.clients:
            return self._oauth_error(400, "invalid_request", BAD_TOKEN)
        secret = self.clients[client_id]
        if secret is not None and basic_secret != secret:
            return self._oauth_error(
                401, "unauthorized_client", "Missing valid authorization header"
            )
        if form.get("grant_type") == "authorization_code":
            granted = self.codes.pop(form.get("code", ""), None)
            if granted is None or granted[1] != client_id or granted[2] != form.get("redirect_uri"):
                return self._oauth_error(400, "invalid_request", BAD_TOKEN)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if challenge.decode().rstrip("=") != granted[3]:
                return self._oauth_error(400, "invalid_request", BAD_TOKEN)
            held = (granted[0], client_id)
        elif form.get("grant_type") == "refresh_token":
            held_ = self.refresh_tokens.get(form.get("refresh_token", ""))
            if held_ is None or held_[1] != client_id:
                return self._oauth_error(400, "invalid_request", BAD_TOKEN)
            held = held_
            del self.refresh_tokens[form["refresh_token"]]  # rotated: the old one is spent
        else:
            return self._oauth_error(
                400, "invalid_request", "Missing required parameter [grant_type]."
            )
        self.issued += 1
        access, refresh = f"access-{self.issued}", f"refresh-{self.issued + 1}"
        self.tokens[access] = held[0]
        self.scopes[access] = ALL_SCOPES
        self.expiry[access] = self.clock() + timedelta(seconds=7200)
        self.refresh_tokens[refresh] = held
        return self._answer(
            200,
            {
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": access,
                "scope": " ".join(sorted(ALL_SCOPES)),
                "refresh_token": refresh,
            },
        )

    def _authorize(self, request: httpx.Request) -> httpx.Response:
        """The consent page, as if the user clicked "Authorize app": a redirect back to the
        registered callback with a one-time code bound to the PKCE challenge."""
        q = request.url.params
        if q.get("response_type") != "code" or q.get("client_id") not in self.clients:
            return self._oauth_error(400, "invalid_request", "Something went wrong")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return self._oauth_error(400, "invalid_request", "PKCE is required")
        wanted = set(q.get("scope", "").split())
        if not wanted <= ALL_SCOPES:
            return self._oauth_error(400, "invalid_scope", "unknown scope")
        self.issued += 1
        code = f"code-{self.issued}"
        redirect = q["redirect_uri"]
        self.codes[code] = (USER_ID, q["client_id"], redirect, q["code_challenge"])
        target = httpx.URL(redirect, params={"code": code, "state": q.get("state", "")})
        return httpx.Response(302, headers={"location": str(target)})

    def revoke_app(self, user: str = USER_ID) -> None:
        """The user revoked the app's access in their X settings."""
        for token in [t for t, u in self.tokens.items() if u == user]:
            del self.tokens[token]
        for token in [t for t, held in self.refresh_tokens.items() if held[0] == user]:
            del self.refresh_tokens[token]


def _token_for(offset: int, user: str) -> str:
    return base64.b32encode(f"{user}:{offset}".encode()).decode().rstrip("=").lower()


def _offset(token: str, user: str) -> int | None:
    try:
        padded = token.upper() + "=" * (-len(token) % 8)
        owner, _, offset = base64.b32decode(padded).decode().partition(":")
        return int(offset) if owner == user else None
    except ValueError:
        return None


__all__ = ["BASE", "CLIENT_ID", "USER_ID", "FakeX", "asgi", "client", "weighted_length"]
