"""Bluesky (the AT Protocol), over XRPC against the account's PDS with plain httpx.

Endpoints: ``com.atproto.server.createSession`` (connect with an app password),
``com.atproto.server.refreshSession`` (the refresh JWT as bearer), ``com.atproto.repo.uploadBlob``
(an image's raw bytes, Content-Type its mime), ``com.atproto.identity.resolveHandle`` (the DID
of each @mention), ``com.atproto.repo.createRecord`` (the ``app.bsky.feed.post`` record) and
``com.atproto.repo.getRecord`` (to look a post up).

The record holds what the lexicon says and nothing the lexicon refuses: a text of at most 300
graphemes and 3,000 UTF-8 bytes (a longer one is refused here, never sent), link, mention and
hashtag facets at UTF-8 byte offsets (:mod:`.bluesky_richtext`), at most 4 images of at most
2,000,000 bytes each with its alt text and ``aspectRatio`` (the pixel size of the bytes sent,
as shown), and for a thread part the reply's root and parent strong refs.

Never a duplicate: the post is created under a *deterministic* record key (``rkey``), a TID
built from the time the post was scheduled for and a hash of the delivery's key, so every
attempt of one delivery names the same record. A repository holds one record per key: a
resend after a lost answer cannot make a second post. The reference PDS answers a create at
a key that is taken with ``500 InternalServerError`` (bluesky-social/atproto#3718, #4725; an
open change, #4728, will give it a named XRPC error, and other PDS implementations answer
``409 RecordAlreadyExists``), so after any 5xx or such an error the connector reads the record
at that key and reports ``published`` when it holds this post's text, ``rejected`` when
another post sits there.

Errors are XRPC errors, ``{"error": name, "message": text}``, not plain HTTP: an expired or
unverifiable token is a *400* (``ExpiredToken``/``InvalidToken``), so the mapping is this
module's own (:func:`_classify`); the rate-limit reset comes in ``ratelimit-reset`` (epoch
seconds), which :func:`base.retry_after` does not read."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    Outgoing,
    Posted,
    Result,
    classify,
    json_object,
    plain,
    retry_after,
    send,
    unknown_as_retry,
)
from tactful.publish.connectors.bluesky_richtext import (
    TEXT_LIMIT,
    TEXT_MAX_BYTES,
    facets,
    mention_handles,
    text_too_long,
)

PUBLIC_PDS = "https://bsky.social"
APP_URL = "https://bsky.app"
POST = "app.bsky.feed.post"
MAX_IMAGES = 4  # app.bsky.embed.images: images maxLength 4
IMAGE_MAX_BYTES = 2_000_000  # app.bsky.embed.images#image: image maxSize 2000000

TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
TID_SYNTAX = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
# When a post has no scheduled time, its key's hash picks a time in the year after this.
_FALLBACK_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

_AUTH_ERRORS = {
    "ExpiredToken",
    "InvalidToken",
    "AuthMissing",
    "AuthenticationRequired",
    "AccountTakedown",
    "AccountDeactivated",
}
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")


def record_key(post: Outgoing) -> str:
    """The post's record key: a TID (13 base32-sortable characters: 53 bits of microseconds
    since the Unix epoch, then a 10-bit clock id) that is the same on every attempt.

    The time is the second the post was scheduled for plus a sub-second offset taken from a
    hash of ``post.key``, and the clock id comes from the same hash: parts of a thread due in
    the same second get different keys (two collide about once in 10⁹, not once in 1,024).
    Without a scheduled time, the hash alone places it in 2024, a fixed function of the key."""
    digest = hashlib.sha256(post.key.encode()).digest()
    if post.when is not None:
        when = post.when if post.when.tzinfo else post.when.replace(tzinfo=UTC)
        seconds = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
    else:
        offset = int.from_bytes(digest[6:10], "big") % (366 * 86400)
        seconds = (_FALLBACK_EPOCH - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
        seconds += offset
    micros = seconds * 1_000_000 + int.from_bytes(digest[0:4], "big") % 1_000_000
    clock_id = int.from_bytes(digest[4:6], "big") & 0x3FF
    return tid(micros, clock_id)


def tid(micros: int, clock_id: int) -> str:
    """A TID from microseconds since the epoch and a clock id (0-1023)."""
    if not 0 <= micros < 2**53 or not 0 <= clock_id < 1024:
        raise ValueError("a TID holds 53 bits of microseconds and a 10-bit clock id")
    value = (micros << 10) | clock_id
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def post_url(uri: str) -> str | None:
    """The bsky.app address of an ``at://<did>/app.bsky.feed.post/<rkey>`` post."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != POST:
        return None
    return f"{APP_URL}/profile/{parts[0]}/post/{parts[2]}"


def jwt_expiry(token: str) -> datetime | None:
    """When a JWT expires, from its ``exp`` claim (the payload is read, not verified)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError, OverflowError):
        return None


def _datetime(when: datetime) -> str:
    """An atproto datetime: RFC 3339 in UTC with milliseconds and a ``Z``."""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _xrpc_url(base_url: str | None, nsid: str) -> str:
    return (base_url or PUBLIC_PDS).rstrip("/") + "/xrpc/" + nsid


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """The XRPC error name and message (``{"error": ..., "message": ...}``)."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", str(body)[:200]
    return str(body.get("error") or ""), str(body.get("message") or "")[:300]


def _rate_limit_wait(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds until ``ratelimit-reset`` (epoch seconds), else whatever base reads."""
    reset = response.headers.get("ratelimit-reset", "").strip()
    if reset.isdigit():
        return max(0.0, float(reset) - (time.time() if now is None else now))
    return retry_after(response)


def _classify(response: httpx.Response) -> Result:
    """A non-2xx XRPC answer as a Result (see the module docstring)."""
    status = response.status_code
    name, message = _xrpc_error(response)
    detail = f"{status} {name}: {message}" if name else f"{status}: {message}"
    if status == 429:
        wait = _rate_limit_wait(response)
        return Result("retry", retry_after=wait, status=status, detail=detail)
    if status == 401 or name in _AUTH_ERRORS:
        return Result("auth", status=status, detail=detail)
    # The PDS's wording: lex-schema's today ("blob too big (maximum 2000000, got …) at
    # $.record.embed…", "grapheme too big … at $.record.text"), @atproto/lexicon's before
    # ("BlobTooLarge", "Record/text must not be longer than 300 graphemes").
    if name == "BlobTooLarge" or status == 413 or "blob too big" in message:
        return Result(
            "rejected", status=status, detail=f"an image is too large for Bluesky: {message}"
        )
    text_refused = "record.text" in message or "Record/text" in message
    if "grapheme" in message or (text_refused and ("too big" in message or "longer" in message)):
        return Result(
            "rejected",
            status=status,
            detail=f"the text is longer than Bluesky takes ({TEXT_LIMIT} graphemes, "
            f"{TEXT_MAX_BYTES:,} bytes): {message}",
        )
    return replace(classify(response), detail=detail)


# Public for the inbox's reader, which reads the same XRPC errors.
xrpc_refusal = _classify


def _taken(response: httpx.Response) -> bool:
    """An answer that may mean the record key is taken: the reference PDS's 500 today, or a
    named error saying so (other PDSes, and the reference one once #4728 lands)."""
    if response.status_code >= 500:
        return True
    name, message = _xrpc_error(response)
    said = f"{name} {message}".lower()
    return response.status_code in (400, 409) and ("exist" in said or "already" in said)


def _login(
    http: httpx.Client, base_url: str | None, identifier: str, app_password: str
) -> httpx.Response | Result:
    request = http.build_request(
        "POST",
        _xrpc_url(base_url, "com.atproto.server.createSession"),
        json={"identifier": identifier, "password": app_password},
    )
    return send(http, request)


def _session_credentials(
    base_url: str | None, session: Mapping[str, Any], extra: Mapping[str, Any]
) -> Credentials:
    """Credentials from a createSession/refreshSession answer, keeping the rest of ``extra``."""
    access, refresh = str(session["accessJwt"]), str(session["refreshJwt"])
    kept = dict(extra)
    kept["refresh_jwt"] = refresh
    if "token" in kept:  # a sealed secret that also holds the access token
        kept["token"] = access
    if session.get("handle"):
        kept["handle"] = str(session["handle"])
    return Credentials(base_url, access, str(session["did"]), kept, expires_at=jwt_expiry(access))


def _session_or_retry(
    base_url: str | None, answer: httpx.Response, extra: Mapping[str, Any]
) -> Credentials | Result:
    try:
        return _session_credentials(base_url, answer.json(), extra)
    except (ValueError, KeyError, TypeError):
        return Result("retry", status=answer.status_code, detail="the PDS's session was unreadable")


def create_session(
    http: httpx.Client, base_url: str | None, identifier: str, app_password: str
) -> Credentials:
    """Connect an account with its handle (or DID, or email) and an app password
    (com.atproto.server.createSession). The Credentials keep the identifier and app password
    in ``extra`` so that :meth:`BlueskyConnector.refresh` can sign in again once the refresh
    token has expired (after 90 days unused) or been revoked.

    Raises :class:`tactful.errors.InputError` (one line, no secret in it) when the server
    cannot be reached or refuses the sign-in."""
    from tactful.errors import InputError

    server = base_url or PUBLIC_PDS
    answer = _login(http, base_url, identifier, app_password)
    if isinstance(answer, Result):
        raise InputError(f"cannot reach {server}: {answer.detail.splitlines()[0]}")
    if answer.status_code == 200:
        try:
            extra = {"identifier": identifier, "app_password": app_password}
            return _session_credentials(base_url, answer.json(), extra)
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{server} answered the sign-in with something unexpected") from exc
    name, message = _xrpc_error(answer)
    if name == "AuthFactorTokenRequired":
        raise InputError(
            f"{server} wants an emailed sign-in code for {identifier}: use an app password "
            "instead (Bluesky: Settings > Privacy and security > App passwords)"
        )
    if answer.status_code == 401 or name in _AUTH_ERRORS:
        raise InputError(
            f"{server} refused the sign-in for {identifier}: wrong handle or app password"
            + (f" ({message})" if message and "password" not in message.lower() else "")
        )
    if answer.status_code == 429:
        wait = _rate_limit_wait(answer)
        when = f" in {max(1, round(wait / 60))} min" if wait else " later"
        raise InputError(f"{server} has had too many sign-in attempts: try again{when}")
    raise InputError(f"{server} refused the sign-in: {answer.status_code} {name} {message}".strip())


# An image to attach: its bytes, mime type, alt text and (width, height) as shown.
_Image = tuple[bytes, str, str, tuple[int, int] | None]


def _read_images(post: Outgoing) -> list[_Image] | Result:
    """The post's images as they will be sent, or ``rejected`` for one the lexicon refuses
    (more than 4, not an image, over 2,000,000 bytes) or that cannot be read."""
    if len(post.media) > MAX_IMAGES:
        return Result(
            "rejected",
            detail=f"Bluesky takes at most {MAX_IMAGES} images a post ({len(post.media)} attached)",
        )
    images: list[_Image] = []
    for media in post.media:
        from tactful.networks.media_fit import displayed_size  # Pillow, only when needed

        name = Path(media.path).name
        if not media.mime.startswith("image/"):
            return Result(
                "rejected", detail=f"Bluesky posts take images only ({name} is {media.mime})"
            )
        try:
            data = Path(media.path).read_bytes()
        except OSError as exc:
            return Result("rejected", detail=f"the image {name} cannot be read: {exc}")
        if len(data) > IMAGE_MAX_BYTES:
            return Result(
                "rejected",
                detail=f"the image {name} is {len(data):,} bytes; Bluesky takes images "
                f"up to {IMAGE_MAX_BYTES:,} bytes",
            )
        images.append((data, media.mime, media.alt_text or "", displayed_size(data)))
    return images


class BlueskyConnector:
    """Posts to Bluesky through the account's PDS (``creds.base_url``, else bsky.social).

    ``resend_safe_for`` is ten years: resending is *always* safe, because the record key is a
    function of the delivery (see :func:`record_key`) and a repository cannot hold two records
    under one key: a resend either creates the post (the first attempt never landed) or finds
    it there and reports it published."""

    name = "bluesky"
    resend_safe_for: timedelta | None = timedelta(days=3650)

    def __init__(self, clock: Callable[[], datetime] | None = None):
        self.clock = clock or (lambda: datetime.now(UTC))  # for the record's createdAt

    # -- publishing -------------------------------------------------------------------------

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        repo = creds.remote_user
        if not repo:
            return Result("auth", detail="the account's Bluesky DID is not known: connect it again")
        too_long = text_too_long(post.text)
        if too_long:  # the lexicon's limits: never sent
            return Result("rejected", detail=too_long)
        images = _read_images(post)
        if isinstance(images, Result):
            return images
        reply = self._reply(post)
        if isinstance(reply, Result):
            return reply
        dids = self._resolve(http, creds, mention_handles(post.text))
        if isinstance(dids, Result):
            return dids

        record: dict[str, Any] = {
            "$type": POST,
            "text": post.text,
            "createdAt": _datetime(self.clock()),
        }
        annotations = facets(post.text, dids)
        if annotations:
            record["facets"] = annotations
        if reply:
            record["reply"] = reply
        if images:
            embedded = []
            for data, mime, alt, size in images:
                blob = self._upload(http, creds, data, mime)
                if isinstance(blob, Result):
                    return blob
                image: dict[str, Any] = {"alt": alt, "image": blob}
                if size is not None:
                    image["aspectRatio"] = {"width": size[0], "height": size[1]}
                embedded.append(image)
            record["embed"] = {"$type": "app.bsky.embed.images", "images": embedded}

        rkey = record_key(post)
        request = http.build_request(
            "POST",
            _xrpc_url(creds.base_url, "com.atproto.repo.createRecord"),
            headers=self._auth(creds),
            json={"repo": repo, "collection": POST, "rkey": rkey, "record": record},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer  # the worker resends (same rkey) or looks it up with find
        if answer.status_code == 200:
            created = json_object(answer)
            uri, cid = created.get("uri"), created.get("cid")
            if isinstance(uri, str) and isinstance(cid, str):
                return Result("published", uri, post_url(uri), status=200, ref={"cid": cid})
            # Accepted, but the answer does not name the post: read it back by its key.
            there = self._lookup(http, creds, repo, rkey, post)
            if there is not None and there.kind == "published":
                return there
            return Result("unknown", status=200, detail="the PDS's answer did not name the post")
        result = _classify(answer)
        if result.kind in ("auth", "retry") or not _taken(answer):
            return result
        there = self._lookup(http, creds, repo, rkey, post)
        if there is not None and there.kind in ("published", "rejected"):
            return there
        if result.kind == "rejected":  # "it exists", yet it could not be read back
            return Result("unknown", status=result.status, detail=result.detail)
        return result

    def _auth(self, creds: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds.token}"}

    def _reply(self, post: Outgoing) -> dict[str, Any] | Result | None:
        if post.reply_to is None:
            return None
        root = post.root or post.reply_to

        def strong(part: Posted) -> dict[str, str] | None:
            cid = part.ref.get("cid")
            return {"uri": part.remote_id, "cid": cid} if cid else None

        parent_ref, root_ref = strong(post.reply_to), strong(root)
        if parent_ref is None or root_ref is None:
            return Result(
                "rejected", detail="the earlier part of the thread has no Bluesky cid to cite"
            )
        return {"root": root_ref, "parent": parent_ref}

    def _resolve(
        self, http: httpx.Client, creds: Credentials, handles: list[str]
    ) -> dict[str, str] | Result:
        """Each mentioned handle's DID (com.atproto.identity.resolveHandle, no auth needed).
        A handle the PDS cannot resolve (400: ``HandleNotFound`` for its own domain,
        ``InvalidRequest`` for others, or an answer without a DID) is left out, so its
        mention stays plain text. Nothing has been sent yet, so an answer that may come right
        later (no connection, a 429, a 5xx) is ``retry``: a mention is not dropped for a
        hiccup."""
        dids: dict[str, str] = {}
        for handle in handles:
            request = http.build_request(
                "GET",
                _xrpc_url(creds.base_url, "com.atproto.identity.resolveHandle"),
                params={"handle": handle},
            )
            answer = send(http, request)
            if isinstance(answer, Result):
                return unknown_as_retry(answer)
            status = answer.status_code
            if status == 429 or (status >= 500 and status != 501):
                result = unknown_as_retry(_classify(answer))
                return replace(result, detail=f"could not resolve @{handle}: {result.detail}")
            if status == 200:
                did = json_object(answer).get("did")
                if isinstance(did, str) and _DID.match(did):
                    dids[handle] = did
        return dids

    def _upload(
        self, http: httpx.Client, creds: Credentials, data: bytes, mime: str
    ) -> dict[str, Any] | Result:
        request = http.build_request(
            "POST",
            _xrpc_url(creds.base_url, "com.atproto.repo.uploadBlob"),
            headers={**self._auth(creds), "Content-Type": mime},
            content=data,
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            # An orphan blob is never shown (the PDS drops unreferenced blobs): retry is safe.
            return unknown_as_retry(answer)
        if answer.status_code != 200:  # a 5xx is the same: an orphan blob at worst
            return unknown_as_retry(_classify(answer))
        blob = answer.json().get("blob")
        if not isinstance(blob, dict):
            return Result("retry", status=200, detail="the PDS answered the upload without a blob")
        return blob

    # -- looking a post up ------------------------------------------------------------------

    def _lookup(
        self, http: httpx.Client, creds: Credentials, repo: str, rkey: str, post: Outgoing
    ) -> Result | None:
        """The record at ``rkey``: ``published`` if it is this post, ``rejected`` if another
        post sits there, None if there is none, ``unknown`` if it could not be read."""
        request = http.build_request(
            "GET",
            _xrpc_url(creds.base_url, "com.atproto.repo.getRecord"),
            params={"repo": repo, "collection": POST, "rkey": rkey},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return Result("unknown", detail=f"could not read the post back: {answer.detail}")
        if answer.status_code == 200:
            found = json_object(answer)
            value = found.get("value")
            value = value if isinstance(value, dict) else {}
            uri, cid = str(found.get("uri", "")), str(found.get("cid", ""))
            if plain(str(value.get("text", ""))) == plain(post.text):
                return Result("published", uri, post_url(uri), status=200, ref={"cid": cid})
            return Result(
                "rejected",
                status=200,
                detail=f"another post already sits at this post's record key ({uri}); "
                "it was not sent again",
            )
        name, message = _xrpc_error(answer)
        if name == "RecordNotFound" or (answer.status_code == 400 and "locate" in message):
            return None
        return Result(
            "unknown",
            status=answer.status_code,
            detail=f"could not read the post back: {_classify(answer).detail}",
        )

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """The record at the post's deterministic key (com.atproto.repo.getRecord; no paging
        through the account, ``since`` is not needed). None when there is none, and also when
        another post sits there: this one is certainly not on the account, and publishing it
        then answers ``rejected`` with the reason."""
        if not creds.remote_user:
            return Result("unknown", detail="the account's Bluesky DID is not known")
        found = self._lookup(http, creds, creds.remote_user, record_key(post), post)
        if found is not None and found.kind == "rejected":
            return None
        return found

    # -- tokens -----------------------------------------------------------------------------

    def refresh(self, http: httpx.Client, creds: Credentials) -> Credentials | Result:
        """New tokens from com.atproto.server.refreshSession (the refresh JWT as bearer; the
        PDS rotates it, so the returned ``extra`` holds the new one). When the refresh token
        is refused and ``extra`` holds the identifier and app password, sign in again with
        them; otherwise ``auth``: the account must be connected again."""
        refresh_jwt = str(creds.extra.get("refresh_jwt") or "")
        refused = "no refresh token is stored"
        if refresh_jwt:
            request = http.build_request(
                "POST",
                _xrpc_url(creds.base_url, "com.atproto.server.refreshSession"),
                headers={"Authorization": f"Bearer {refresh_jwt}"},
            )
            answer = send(http, request)
            if isinstance(answer, Result):
                return answer
            if answer.status_code == 200:
                return _session_or_retry(creds.base_url, answer, creds.extra)
            result = _classify(answer)
            if result.kind != "auth":
                return result
            refused = f"Bluesky refused the refresh token ({result.detail})"
        identifier = creds.extra.get("identifier")
        password = creds.extra.get("app_password")
        if not (identifier and password):
            return Result("auth", detail=f"{refused}: connect the account again")
        login = _login(http, creds.base_url, str(identifier), str(password))
        if isinstance(login, Result):
            return login
        if login.status_code == 200:
            return _session_or_retry(creds.base_url, login, creds.extra)
        result = _classify(login)
        if result.kind == "auth" or result.kind == "rejected":
            return Result(
                "auth",
                status=result.status,
                detail=f"{refused}, and the app password was refused too ({result.detail}): "
                "connect the account again",
            )
        return result
