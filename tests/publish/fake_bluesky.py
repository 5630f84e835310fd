"""A Bluesky PDS in a function: the XRPC endpoints tactful uses, served through
httpx.MockTransport (see :mod:`fake_http`) so every request is a real HTTP message. It counts
what it has published, to find duplicates.

What it models, from the reference PDS (github.com/bluesky-social/atproto, packages/pds and
packages/xrpc-server) and the lexicons (docs.bsky.app/docs/api, atproto.com/specs):

- XRPC errors are JSON ``{"error": name, "message": text}``.
- Sessions: ``com.atproto.server.createSession`` (``{identifier, password}``; a wrong one is
  ``401 AuthenticationRequired "Invalid identifier or password"``) and
  ``com.atproto.server.refreshSession`` (the refresh JWT as bearer; it is rotated, and a
  revoked one is ``400 ExpiredToken "Token has been revoked"``). The JWTs carry ``exp``: access
  tokens live 120 minutes, refresh tokens 90 days. Bearer checks as the auth verifier does
  them: no token ``401 AuthMissing``, an expired one ``400 ExpiredToken "Token has expired"``,
  an unknown one ``400 InvalidToken "Token could not be verified"``, the wrong kind
  ``400 InvalidToken "Invalid token type"``. (The PDS lets a just-rotated refresh token be
  used again for a grace period; this fake revokes it at once.)
- ``com.atproto.repo.uploadBlob``: raw bytes with the mime as Content-Type; answers
  ``{"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType", "size"}}``; a body over the
  upload limit is ``413 PayloadTooLarge``.
- ``com.atproto.repo.createRecord`` for ``app.bsky.feed.post``: the record key must be a TID
  (the post lexicon's key type); the record is validated against the lexicon (``text`` at most
  300 graphemes and 3000 bytes, ``createdAt`` an atproto datetime, link facets with byte
  indexes inside the text, at most 4 images each with ``alt``, reply strong refs) and a
  failure is ``400 InvalidRequest "Invalid app.bsky.feed.post record: Record/text must not be
  longer than 300 graphemes"``; an embedded blob must have been uploaded (``400 BlobNotFound``)
  and be at most 1,000,000 bytes (``400 BlobTooLarge "This file is too large. It is 1.01MB
  but the maximum size is 976.56KB."``, checked when the record is written). A record key
  that is already taken answers ``500 InternalServerError`` as the reference PDS does today
  (atproto issues #3718, #4725); ``taken_answer="409"`` answers ``409 RecordAlreadyExists``
  as other PDS implementations do. Success: ``{uri, cid, commit: {cid, rev},
  validationStatus: "valid"}``.
- ``com.atproto.repo.getRecord`` (no auth): ``{uri, cid, value}``, or ``400 RecordNotFound
  "Could not locate record: at://..."``.
- Rate limits: ``429 RateLimitExceeded`` with ``ratelimit-limit``, ``ratelimit-remaining``,
  ``ratelimit-reset`` (epoch seconds) and ``ratelimit-policy`` (``5000;w=3600``) headers."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import regex
from fake_http import asgi, client

BASE = "https://pds.fake.test"
DID = "did:plc:tactfultestjo2345abcdefg"
HANDLE = "jo.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
POST = "app.bsky.feed.post"
ACCESS_LIFE = timedelta(minutes=120)
REFRESH_LIFE = timedelta(days=90)

_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_RECORD_KEY = re.compile(r"^[A-Za-z0-9.\-_:~]{1,512}$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
_GRAPHEME = regex.compile(r"\X")
_serial = itertools.count(1)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _cid(prefix: str, data: bytes) -> str:
    return prefix + base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")


def _pretty(size: int) -> str:
    return f"{size / 1024 / 1024:.2f}MB" if size >= 1024 * 1024 else f"{size / 1024:.2f}KB"


class _Invalid(Exception):
    def __init__(self, message: str, name: str = "InvalidRequest", status: int = 400):
        super().__init__(message)
        self.name, self.status = name, status


@dataclass
class FakeBluesky:
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    did: str = DID
    account_handle: str = HANDLE
    app_password: str = APP_PASSWORD
    text_limit: int = 300
    image_max: int = 1_000_000
    upload_limit: int = 50 * 1024 * 1024
    taken_answer: str = "500"  # "500": the reference PDS today; "409": RecordAlreadyExists
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey -> uri, cid, value
    blobs: dict[str, tuple[str, int]] = field(default_factory=dict)  # cid -> mime, size
    access: dict[str, str] = field(default_factory=dict)  # access JWT -> did
    refresh: dict[str, str] = field(default_factory=dict)  # refresh JWT -> did
    revoked: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    access_jwt: str = ""
    refresh_jwt: str = ""

    def __post_init__(self) -> None:
        if not self.access_jwt:
            self.access_jwt, self.refresh_jwt = self._issue()

    # -- sessions ---------------------------------------------------------------------------

    def _jwt(self, typ: str, claims: dict[str, Any]) -> str:
        signature = base64.urlsafe_b64encode(hashlib.sha256(f"{next(_serial)}".encode()).digest())
        return (
            f"{_b64({'typ': typ, 'alg': 'ES256K'})}.{_b64(claims)}.{signature.decode().rstrip('=')}"
        )

    def _issue(self) -> tuple[str, str]:
        now = self.clock()
        common = {"sub": self.did, "aud": "did:web:pds.fake.test", "iat": int(now.timestamp())}
        access = self._jwt(
            "at+jwt",
            {
                **common,
                "scope": "com.atproto.appPass",
                "exp": int((now + ACCESS_LIFE).timestamp()),
            },
        )
        refresh = self._jwt(
            "refresh+jwt",
            {
                **common,
                "scope": "com.atproto.refresh",
                "jti": f"jti-{next(_serial)}",
                "exp": int((now + REFRESH_LIFE).timestamp()),
            },
        )
        self.access[access] = self.did
        self.refresh[refresh] = self.did
        return access, refresh

    def _session(self) -> httpx.Response:
        access, refresh = self._issue()
        return httpx.Response(
            200,
            json={
                "accessJwt": access,
                "refreshJwt": refresh,
                "handle": self.account_handle,
                "did": self.did,
                "active": True,
            },
        )

    def revoke(self, token: str) -> None:
        """The user revoked the app password (or the session): the token stops working."""
        self.revoked.add(token)

    def _bearer(self, request: httpx.Request, kind: str) -> str:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            raise _Invalid("Authentication Required", "AuthMissing", 401)
        token = header.removeprefix("Bearer ")
        mine, other = (
            (self.access, self.refresh) if kind == "access" else (self.refresh, self.access)
        )
        if token in other:
            raise _Invalid("Invalid token type", "InvalidToken")
        if token not in mine:
            raise _Invalid("Token could not be verified", "InvalidToken")
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if claims["exp"] <= self.clock().timestamp():
            raise _Invalid("Token has expired", "ExpiredToken")
        if token in self.revoked:
            if kind == "refresh":
                raise _Invalid("Token has been revoked", "ExpiredToken")
            raise _Invalid("Token could not be verified", "InvalidToken")
        return mine[token]

    # -- the server -------------------------------------------------------------------------

    def _error(self, status: int, name: str, message: str) -> httpx.Response:
        return httpx.Response(status, json={"error": name, "message": message})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if not path.startswith("/xrpc/"):
            return self._error(404, "NotFound", "Not Found")
        nsid = path.removeprefix("/xrpc/")
        routes: dict[str, tuple[str, Callable[[httpx.Request], httpx.Response]]] = {
            "com.atproto.server.createSession": ("POST", self._create_session),
            "com.atproto.server.refreshSession": ("POST", self._refresh_session),
            "com.atproto.repo.uploadBlob": ("POST", self._upload_blob),
            "com.atproto.repo.createRecord": ("POST", self._create_record),
            "com.atproto.repo.getRecord": ("GET", self._get_record),
        }
        if nsid not in routes:
            return self._error(501, "MethodNotImplemented", "Method Not Implemented")
        method, handler = routes[nsid]
        if request.method != method:
            return self._error(
                400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {method}"
            )
        try:
            return handler(request)
        except _Invalid as exc:
            return self._error(exc.status, exc.name, str(exc))

    def _json(self, request: httpx.Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/json":
            raise _Invalid(f"Wrong request encoding (Content-Type): {kind or 'none'}")
        try:
            body = json.loads(request.content)
        except ValueError:
            raise _Invalid("Request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise _Invalid("Input must be an object")
        return body

    def _create_session(self, request: httpx.Request) -> httpx.Response:
        body = self._json(request)
        for name in ("identifier", "password"):
            if not isinstance(body.get(name), str):
                raise _Invalid(f'Input must have the property "{name}"')
        known = body["identifier"].lower() in (self.account_handle, self.did)
        if not known or body["password"] != self.app_password:
            raise _Invalid("Invalid identifier or password", "AuthenticationRequired", 401)
        return self._session()

    def _refresh_session(self, request: httpx.Request) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self._bearer(request, "refresh")
        self.revoked.add(token)  # rotated: the old refresh token is spent
        return self._session()

    def _upload_blob(self, request: httpx.Request) -> httpx.Response:
        self._bearer(request, "access")
        mime = request.headers.get("content-type", "").split(";")[0].strip()
        if not mime:
            raise _Invalid("Request encoding (Content-Type) required but not provided")
        data = request.content
        if len(data) > self.upload_limit:
            raise _Invalid("request entity too large", "PayloadTooLarge", 413)
        cid = _cid("bafkrei", data)
        self.blobs[cid] = (mime, len(data))
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        return httpx.Response(200, json={"blob": blob})

    def _create_record(self, request: httpx.Request) -> httpx.Response:
        did = self._bearer(request, "access")
        body = self._json(request)
        for name in ("repo", "collection", "record"):
            if name not in body:
                raise _Invalid(f'Input must have the property "{name}"')
        if body["repo"] not in (self.did, self.account_handle):
            raise _Invalid(f"Could not find repo: {body['repo']}")
        if did != self.did:
            raise _Invalid("Authentication Required", "AuthenticationRequired", 401)
        collection, record = body["collection"], body["record"]
        if collection != POST:
            raise _Invalid(f"this fake only knows {POST}, not {collection}")
        if not isinstance(record, dict):
            raise _Invalid("Input/record must be an object")
        record = {"$type": collection, **record}
        if record["$type"] != collection:
            raise _Invalid(f"Invalid $type: expected {collection}, got {record['$type']}")
        rkey = body.get("rkey")
        if rkey is not None:
            if not isinstance(rkey, str) or not _RECORD_KEY.match(rkey) or rkey in (".", ".."):
                raise _Invalid(f"Invalid record key: {rkey}")
            if not _TID.match(rkey):
                raise _Invalid(f"Invalid record key for {POST}: Invalid TID: {rkey}")
        else:
            rkey = _tid_now(self.clock())
        try:
            self._validate_post(record)
        except _Invalid as exc:
            raise _Invalid(f"Invalid {POST} record: {exc}") from None
        self._check_blobs(record)
        if rkey in self.records:
            if self.taken_answer == "409":
                raise _Invalid(f"Record already exists: {rkey}", "RecordAlreadyExists", 409)
            raise _Invalid("Internal Server Error", "InternalServerError", 500)
        uri = f"at://{self.did}/{collection}/{rkey}"
        cid = _cid("bafyrei", json.dumps(record, sort_keys=True).encode())
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        commit = {"cid": _cid("bafyrei", uri.encode()), "rev": _tid_now(self.clock())}
        return httpx.Response(
            200, json={"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}
        )

    def _validate_post(self, record: dict[str, Any]) -> None:
        text = record.get("text")
        if not isinstance(text, str):
            raise _Invalid('Record must have the property "text"')
        if len(text.encode()) > 3000:
            raise _Invalid("Record/text must not be longer than 3000 characters")
        if len(_GRAPHEME.findall(text)) > self.text_limit:
            raise _Invalid(f"Record/text must not be longer than {self.text_limit} graphemes")
        created = record.get("createdAt")
        if not isinstance(created, str):
            raise _Invalid('Record must have the property "createdAt"')
        if not _DATETIME.match(created):
            raise _Invalid("Record/createdAt must be an valid atproto datetime")
        size = len(text.encode())
        for i, facet in enumerate(record.get("facets") or []):
            index = facet.get("index") or {}
            start, end = index.get("byteStart"), index.get("byteEnd")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
                raise _Invalid(f"Record/facets/{i}/index must lie inside the text's bytes")
            features = facet.get("features")
            if not isinstance(features, list) or not features:
                raise _Invalid(f'Record/facets/{i} must have the property "features"')
            for feature in features:
                if feature.get("$type") == "app.bsky.richtext.facet#link" and not isinstance(
                    feature.get("uri"), str
                ):
                    raise _Invalid(f'Record/facets/{i}/features/0 must have the property "uri"')
        embed = record.get("embed")
        if embed is not None:
            if embed.get("$type") != "app.bsky.embed.images":
                raise _Invalid(f"this fake only knows image embeds, not {embed.get('$type')}")
            images = embed.get("images")
            if not isinstance(images, list):
                raise _Invalid('Record/embed must have the property "images"')
            if len(images) > 4:
                raise _Invalid("Record/embed/images must not have more than 4 elements")
            for i, image in enumerate(images):
                if not isinstance(image.get("alt"), str):
                    raise _Invalid(f'Record/embed/images/{i} must have the property "alt"')
                blob = image.get("image")
                if not isinstance(blob, dict) or blob.get("$type") != "blob":
                    raise _Invalid(f"Record/embed/images/{i}/image should be a blob ref")
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = reply.get(part)
                if not isinstance(ref, dict):
                    raise _Invalid(f'Record/reply must have the property "{part}"')
                for name in ("uri", "cid"):
                    if not isinstance(ref.get(name), str):
                        raise _Invalid(f'Record/reply/{part} must have the property "{name}"')
                if not ref["uri"].startswith("at://"):
                    raise _Invalid(f"Record/reply/{part}/uri must be a valid at-uri")

    def _check_blobs(self, record: dict[str, Any]) -> None:
        for image in (record.get("embed") or {}).get("images") or []:
            cid = image["image"].get("ref", {}).get("$link")
            if cid not in self.blobs:
                raise _Invalid(f"Could not find blob: {cid}", "BlobNotFound")
            mime, size = self.blobs[cid]
            if not mime.startswith("image/"):
                raise _Invalid(
                    f"Wrong type of file. It is {mime} but it must match image/*.",
                    "InvalidMimeType",
                )
            if size > self.image_max:
                raise _Invalid(
                    f"This file is too large. It is {_pretty(size)} but the maximum size is "
                    f"{_pretty(self.image_max)}.",
                    "BlobTooLarge",
                )

    def _get_record(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        for name in ("repo", "collection", "rkey"):
            if not params.get(name):
                raise _Invalid(f'Params must have the property "{name}"')
        if params["repo"] not in (self.did, self.account_handle):
            raise _Invalid(f"Could not find repo: {params['repo']}")
        uri = f"at://{self.did}/{params['collection']}/{params['rkey']}"
        found = self.records.get(params["rkey"]) if params["collection"] == POST else None
        if found is None:
            raise _Invalid(f"Could not locate record: {uri}", "RecordNotFound")
        return httpx.Response(200, json=found)

    def rate_limited(self) -> httpx.Response:
        """The PDS's 429: ratelimit-* headers (draft-ietf-httpapi-ratelimit-headers), the reset
        as epoch seconds (wall clock), and an XRPC error body."""
        return httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                # Resets are wall-clock times; connectors compare them with the real clock.
                "ratelimit-reset": str(int(time.time()) + 30),  # real clock ok
                "ratelimit-policy": "5000;w=3600",
            },
        )

    def published(self) -> Counter[str]:
        return Counter(r["value"]["text"] for r in self.records.values())


def _tid_now(now: datetime) -> str:
    value = (int(now.timestamp() * 1_000_000) << 10) | next(_serial) % 1024
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[(value >> (5 * i)) & 31] for i in reversed(range(13)))


__all__ = ["APP_PASSWORD", "BASE", "DID", "HANDLE", "FakeBluesky", "asgi", "client"]
