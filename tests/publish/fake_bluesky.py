"""A Bluesky PDS in a function: the XRPC endpoints tactful uses, served through
httpx.MockTransport (see :mod:`fake_http`) so every request is a real HTTP message. It counts
what it has published, to find duplicates.

**Checked against the lexicons.** Every request and every answer goes through the atproto
lexicons in ``../shared/specs/atproto`` (:mod:`atproto_lexicon`; without them the test is
skipped, and fails under CI): the method (a procedure is a POST, a query a GET), the query
parameters, the input's encoding and schema, the ``app.bsky.feed.post`` record with its
facets, embeds and reply (and its record key, a TID), and the output. A request the lexicons
refuse gets the reference PDS's ``400 InvalidRequest`` with lex-schema's wording; an answer
of this fake's own that they refuse raises AssertionError (a bug in the fake). Lexicons:
``com.atproto.server.createSession``, ``com.atproto.server.refreshSession``,
``com.atproto.repo.uploadBlob``, ``com.atproto.repo.createRecord`` (with
``app.bsky.feed.post``, ``app.bsky.richtext.facet``, ``app.bsky.embed.images``,
``app.bsky.embed.defs``, ``com.atproto.repo.strongRef``), ``com.atproto.repo.getRecord`` and
``com.atproto.identity.resolveHandle``. ``com.atproto.repo.defs`` (createRecord's
``commit``) is not in the shared copy: that part of the answer is only checked to be an
object.

**Modelled on the reference PDS** (bluesky-social/atproto, packages/pds and
packages/xrpc-server, at the commit the lexicons come from), beyond the lexicons:

- XRPC errors are JSON ``{"error": name, "message": text}``.
- Sessions: ``createSession`` (a wrong identifier or password is ``401
  AuthenticationRequired "Invalid identifier or password"``) and ``refreshSession`` (the
  refresh JWT as bearer; it is rotated, and a revoked one is ``400 ExpiredToken "Token has
  been revoked"``). The JWTs carry ``exp``: access tokens live 120 minutes, refresh tokens 90
  days. Bearer checks as the auth verifier does them: no token ``401 AuthMissing``, an
  expired one ``400 ExpiredToken "Token has expired"``, an unknown one ``400 InvalidToken
  "Token could not be verified"``, the wrong kind ``400 InvalidToken "Invalid token type"``.
- ``uploadBlob``: raw bytes; answers a typed blob ref (``bafkrei…``, a raw-codec CIDv1); a
  body over the upload limit is ``413 PayloadTooLarge``.
- ``createRecord``: a record the lexicon refuses is ``400 InvalidRequest "Invalid
  app.bsky.feed.post record: grapheme too big (maximum 300, got 301) at $.record.text"``
  (the lexicon's blob ``maxSize`` and ``accept`` included: ``blob too big (maximum 2000000,
  got …)``); a referenced blob must have been uploaded (``400 BlobNotFound "Could not find
  blob: …"``) with the same mime type and size (``InvalidMimeType``, ``InvalidSize``). A
  record key that is already taken answers ``500 InternalServerError`` as the reference PDS
  does today (atproto issues #3718, #4725); ``taken_answer="409"`` answers ``409
  RecordAlreadyExists`` as other PDS implementations do. Success: ``{uri, cid, commit: {cid,
  rev}, validationStatus: "valid"}``.
- ``getRecord`` (no auth): ``{uri, cid, value}``, or ``400 RecordNotFound "Could not locate
  record: at://..."``.
- ``resolveHandle`` (no auth): ``{did}`` for a handle it knows (the account's and
  ``known_handles``, matched without case); an unknown handle under the PDS's own domain
  (``.bsky.social``) is ``400 HandleNotFound "Unable to resolve handle"``, any other ``400
  InvalidRequest "Unable to resolve handle"`` (the PDS asked DNS and the AppView and got
  nothing).
- Rate limits: ``429 RateLimitExceeded`` with ``ratelimit-limit``, ``ratelimit-remaining``,
  ``ratelimit-reset`` (epoch seconds) and ``ratelimit-policy`` (``5000;w=3600``) headers.

**Guessed or simplified** (listed in docs/publishing.md): error messages other than the
lex-schema ones follow the PDS source, not a documented contract; record CIDs hash the JSON,
not DAG-CBOR (valid CID strings, not the PDS's values); the blob's mime type is the
Content-Type sent (the PDS sniffs the bytes and falls back to it); the PDS's grace period
for a just-rotated refresh token is not modelled (revoked at once). ``text_limit`` and
``image_max`` make this PDS stricter than the lexicon, to see its refusals."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import regex
from atproto_lexicon import LexiconInvalid, Lexicons, shared_lexicons
from atproto_syntax import make_cid
from fake_http import asgi, client

BASE = "https://pds.fake.test"
DID = "did:plc:tactfultestjo2345abcdefg"
HANDLE = "jo.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
POST = "app.bsky.feed.post"
ACCESS_LIFE = timedelta(minutes=120)
REFRESH_LIFE = timedelta(days=90)
# Others on the network, whom posts mention.
KNOWN_HANDLES = {
    "alice.bsky.social": "did:plc:alice7abcdefghijklmnopqr",
    "bob.example.com": "did:web:bob.example.com",
}
SERVICE_DOMAIN = ".bsky.social"  # handles this PDS hands out
# Not in the shared lexicons: createRecord's answer names it for its "commit".
ABSENT_OK = frozenset({"com.atproto.repo.defs#commitMeta"})

_GRAPHEME = regex.compile(r"\X")
_serial = itertools.count(1)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _cid(data: bytes, codec: int = 0x71) -> str:
    return make_cid(hashlib.sha256(data).digest(), codec)


class _Invalid(Exception):
    def __init__(self, message: str, name: str = "InvalidRequest", status: int = 400):
        super().__init__(message)
        self.name, self.status = name, status


Handler = Callable[[httpx.Request, Any], httpx.Response]


@dataclass
class FakeBluesky:
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    did: str = DID
    account_handle: str = HANDLE
    app_password: str = APP_PASSWORD
    known_handles: dict[str, str] = field(default_factory=lambda: dict(KNOWN_HANDLES))
    text_limit: int | None = None  # graphemes; None: the lexicon's only
    image_max: int | None = None  # bytes; None: the lexicon's only
    upload_limit: int = 50 * 1024 * 1024
    taken_answer: str = "500"  # "500": the reference PDS today; "409": RecordAlreadyExists
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey -> uri, cid, value
    blobs: dict[str, tuple[str, int]] = field(default_factory=dict)  # cid -> mime, size
    access: dict[str, str] = field(default_factory=dict)  # access JWT -> did
    refresh: dict[str, str] = field(default_factory=dict)  # refresh JWT -> did
    revoked: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    # Every request handled and the answer it got (faults injected around it are not here).
    exchanges: list[tuple[httpx.Request, httpx.Response]] = field(default_factory=list)
    access_jwt: str = ""
    refresh_jwt: str = ""
    lexicons: Lexicons | None = None

    def __post_init__(self) -> None:
        if self.lexicons is None:
            self.lexicons = shared_lexicons(ABSENT_OK)
        if not self.access_jwt:
            self.access_jwt, self.refresh_jwt = self._issue()

    @property
    def lex(self) -> Lexicons:
        assert self.lexicons is not None
        return self.lexicons

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
        response = self._answer(request)
        self.exchanges.append((request, response))
        return response

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if not path.startswith("/xrpc/"):
            return self._error(404, "NotFound", "Not Found")
        nsid = path.removeprefix("/xrpc/")
        routes: dict[str, Handler] = {
            "com.atproto.server.createSession": self._create_session,
            "com.atproto.server.refreshSession": self._refresh_session,
            "com.atproto.repo.uploadBlob": self._upload_blob,
            "com.atproto.repo.createRecord": self._create_record,
            "com.atproto.repo.getRecord": self._get_record,
            "com.atproto.identity.resolveHandle": self._resolve_handle,
        }
        if nsid not in routes:
            return self._error(501, "MethodNotImplemented", "Method Not Implemented")
        method = self.lex.method(nsid)
        if request.method != method:
            return self._error(
                400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected {method}"
            )
        try:
            given = self._input(nsid, request)
            response = routes[nsid](request, given)
        except _Invalid as exc:
            return self._error(exc.status, exc.name, str(exc))
        if response.status_code == 200:
            try:
                body = response.json() if response.content else None
                self.lex.validate_output(nsid, response.headers.get("content-type"), body)
            except LexiconInvalid as exc:
                raise AssertionError(
                    f"the fake's own {nsid} answer breaks the lexicon: {exc}"
                ) from exc
        return response

    def _input(self, nsid: str, request: httpx.Request) -> Any:
        """The request's parameters (a query) or body (a procedure), checked against the
        lexicon as the XRPC server does before the handler runs."""
        try:
            if self.lex.method(nsid) == "GET":
                return self.lex.validate_params(nsid, dict(request.url.params))
            content_type = request.headers.get("content-type")
            kind = (content_type or "").split(";")[0].strip()
            body: Any = request.content
            if kind == "application/json":
                try:
                    body = json.loads(request.content)
                except ValueError:
                    raise _Invalid("Request body is not valid JSON") from None
            self.lex.validate_input(nsid, content_type, body)
            return body
        except LexiconInvalid as exc:
            raise _Invalid(str(exc)) from None

    def _create_session(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        known = body["identifier"].lower() in (self.account_handle, self.did)
        if not known or body["password"] != self.app_password:
            raise _Invalid("Invalid identifier or password", "AuthenticationRequired", 401)
        return self._session()

    def _refresh_session(self, request: httpx.Request, _body: Any) -> httpx.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self._bearer(request, "refresh")
        self.revoked.add(token)  # rotated: the old refresh token is spent
        return self._session()

    def _upload_blob(self, request: httpx.Request, data: bytes) -> httpx.Response:
        self._bearer(request, "access")
        mime = request.headers.get("content-type", "").split(";")[0].strip()
        if len(data) > self.upload_limit:
            raise _Invalid("request entity too large", "PayloadTooLarge", 413)
        cid = _cid(data, codec=0x55)
        self.blobs[cid] = (mime, len(data))
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        return httpx.Response(200, json={"blob": blob})

    def _create_record(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        did = self._bearer(request, "access")
        if body["repo"] not in (self.did, self.account_handle):
            raise _Invalid(f"Could not find repo: {body['repo']}")
        if did != self.did:
            raise _Invalid("Authentication Required", "AuthenticationRequired", 401)
        collection, record = body["collection"], body["record"]
        if collection != POST:
            raise _Invalid(f"this fake only knows {POST}, not {collection}")
        if "$type" not in record:  # the PDS names the collection where the record does not
            record = {"$type": collection, **record}
        if record["$type"] != collection:
            raise _Invalid(f"Invalid $type: expected {collection}, got {record['$type']}")
        rkey = body.get("rkey") or _tid_now(self.clock())
        try:
            blobs = self.lex.validate_record(collection, record, rkey=rkey)
            self._stricter(record)
        except LexiconInvalid as exc:
            if exc.path == "$.rkey":
                raise _Invalid(f"Invalid record key for {collection}: {exc.issue}") from None
            raise _Invalid(f"Invalid {collection} record: {exc}") from None
        for blob in blobs:
            if blob.cid not in self.blobs:
                raise _Invalid(f"Could not find blob: {blob.cid}", "BlobNotFound")
            mime, size = self.blobs[blob.cid]
            if blob.mime != mime:
                raise _Invalid(
                    "Referenced Mimetype does not match stored blob. "
                    f"Expected: {mime}, Got: {blob.mime}",
                    "InvalidMimeType",
                )
            if blob.size != size:
                raise _Invalid(
                    f"Referenced Size does not match stored blob. Expected: {size}, "
                    f"Got: {blob.size}",
                    "InvalidSize",
                )
        if rkey in self.records:
            if self.taken_answer == "409":
                raise _Invalid(f"Record already exists: {rkey}", "RecordAlreadyExists", 409)
            raise _Invalid("Internal Server Error", "InternalServerError", 500)
        uri = f"at://{self.did}/{collection}/{rkey}"
        cid = _cid(json.dumps(record, sort_keys=True).encode())
        self.records[rkey] = {"uri": uri, "cid": cid, "value": record}
        commit = {"cid": _cid(uri.encode()), "rev": _tid_now(self.clock())}
        return httpx.Response(
            200, json={"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}
        )

    def _stricter(self, record: dict[str, Any]) -> None:
        """A PDS with lower limits than the lexicon's (``text_limit``, ``image_max``)."""
        graphemes = len(_GRAPHEME.findall(record["text"]))
        if self.text_limit is not None and graphemes > self.text_limit:
            raise LexiconInvalid(
                f"grapheme too big (maximum {self.text_limit}, got {graphemes})", "$.record.text"
            )
        images = (record.get("embed") or {}).get("images") or []
        for i, image in enumerate(images):
            size = image["image"]["size"]
            if self.image_max is not None and size > self.image_max:
                raise LexiconInvalid(
                    f"blob too big (maximum {self.image_max}, got {size})",
                    f"$.record.embed.images[{i}].image",
                )

    def _get_record(self, request: httpx.Request, params: dict[str, Any]) -> httpx.Response:
        if params["repo"] not in (self.did, self.account_handle):
            raise _Invalid(f"Could not find repo: {params['repo']}")
        uri = f"at://{self.did}/{params['collection']}/{params['rkey']}"
        found = self.records.get(params["rkey"]) if params["collection"] == POST else None
        if found is None:
            raise _Invalid(f"Could not locate record: {uri}", "RecordNotFound")
        return httpx.Response(200, json=found)

    def _resolve_handle(self, request: httpx.Request, params: dict[str, Any]) -> httpx.Response:
        handle = params["handle"].lower()
        known = {self.account_handle: self.did, **self.known_handles}
        if handle in known:
            return httpx.Response(200, json={"did": known[handle]})
        if handle.endswith(SERVICE_DOMAIN):
            raise _Invalid("Unable to resolve handle", "HandleNotFound")
        raise _Invalid("Unable to resolve handle")

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


__all__ = [
    "APP_PASSWORD",
    "BASE",
    "DID",
    "HANDLE",
    "KNOWN_HANDLES",
    "FakeBluesky",
    "asgi",
    "client",
]
