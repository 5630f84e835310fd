"""What every connector shares: the post as it goes out, what came back (published, safe to
retry, unknown, rejected, or access lost), and how an HTTP exchange maps onto those.

The line that matters is between *retry* and *unknown*. A request that cannot have reached
the network (the connection was refused, a 429) is retried after a wait. One that may have
been accepted (a timeout after it was sent, a 5xx from a proxy) is *unknown*: the worker
reconciles it first, by resending with the same idempotency key where the network honours
one, or by looking for the post on the account, and never simply posts again."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import httpx

Kind = Literal["published", "retry", "unknown", "rejected", "auth"]


@dataclass(frozen=True, slots=True)
class MediaFile:
    path: str
    mime: str
    alt_text: str | None = None


@dataclass(frozen=True, slots=True)
class Posted:
    """A post already on the network: what a reply in a thread points at. ``ref`` holds
    what else the network needs to name it (Bluesky's ``cid``, LinkedIn's URN)."""

    remote_id: str
    url: str | None = None
    ref: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One post (or one part of a thread) as the connector sees it. ``key`` is the same on
    every attempt, and so is ``when``, the time it was scheduled for (Bluesky builds its
    deterministic record key from both). In a thread, part 2 on has ``reply_to`` (the part
    before) and ``root`` (part 1); media go with part 1 only."""

    text: str
    key: str
    media: tuple[MediaFile, ...] = ()
    when: datetime | None = None
    reply_to: Posted | None = None
    root: Posted | None = None


@dataclass(frozen=True, slots=True)
class Result:
    kind: Kind
    remote_id: str | None = None
    url: str | None = None
    retry_after: float | None = None  # seconds, from Retry-After or a rate-limit reset
    status: int | None = None
    detail: str = ""
    ref: Mapping[str, str] = field(default_factory=dict)  # see Posted.ref

    def posted(self) -> Posted:
        assert self.remote_id is not None, "only a published Result names a post"
        return Posted(self.remote_id, self.url, dict(self.ref))


@dataclass
class Credentials:
    """What the worker hands a connector: the server (None: the network's public API), the
    access token, the network's id for the account, and the rest of the sealed secret
    (a refresh token, a client id, an app password, a page id) in ``extra``."""

    base_url: str | None
    token: str
    remote_user: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


class Connector(Protocol):
    name: str
    # How long after the first attempt a resend with the same key cannot make a duplicate
    # (Mastodon keeps idempotency keys for an hour; None: resending is never safe).
    resend_safe_for: timedelta | None

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result: ...

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """The post if it is on the account already (after a crash or an unknown answer):
        a ``published`` Result, None when it is not there, or ``unknown`` when the account
        could not be read. ``since`` is when the first attempt started."""
        ...


def retry_after(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait, from ``Retry-After`` (seconds or an HTTP date) or a rate-limit reset
    header (``X-RateLimit-Reset`` as an ISO time or epoch seconds, ``x-rate-limit-reset``)."""
    now = now or datetime.now(UTC)
    value = response.headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, (when - now).total_seconds())
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("x-ratelimit-reset") or response.headers.get("x-rate-limit-reset")
    if reset:
        reset = reset.strip()
        try:
            if reset.isdigit():
                epoch = float(reset)
                return max(0.0, epoch - now.timestamp()) if epoch > 1e9 else epoch
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
            return max(0.0, (when - now).total_seconds())
        except ValueError:
            return None
    return None


def error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        for key in ("error_description", "error", "message", "detail", "title"):
            if isinstance(body.get(key), str):
                return str(body[key])[:300]
    return str(body)[:300]


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object, or ``{}`` when the body is not one."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def plain(text: str | None) -> str:
    """Text compared whitespace-normalised, as ``find`` matches a post."""
    return " ".join((text or "").split())


def unknown_as_retry(result: Result) -> Result:
    """For a step whose leftovers are never shown (an image uploaded but not attached, an
    unpublished photo, an Instagram container): an answer lost on the way is safe to redo."""
    if result.kind != "unknown":
        return result
    return Result("retry", status=result.status, detail=result.detail)


def classify(response: httpx.Response) -> Result:
    """A non-2xx answer as a Result."""
    status = response.status_code
    detail = f"{status}: {error_text(response)}"
    if status == 429:
        return Result("retry", retry_after=retry_after(response), status=status, detail=detail)
    if status in (401, 403) and "scope" not in detail.lower():
        return Result("auth", status=status, detail=detail)
    if status == 503 and response.headers.get("retry-after"):
        # Refused before any work: the server says when to come back.
        return Result("retry", retry_after=retry_after(response), status=status, detail=detail)
    if status >= 500:
        return Result("unknown", status=status, detail=detail)
    return Result("rejected", status=status, detail=detail)


def send(http: httpx.Client, request: httpx.Request) -> httpx.Response | Result:
    """Send, turning transport failures into a Result: before the request was written it is
    safe to retry; once it may have been written the outcome is unknown."""
    try:
        return http.send(request)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        return Result("retry", detail=f"could not connect: {exc}")
    except httpx.TransportError as exc:  # read/write timeouts, dropped connections
        return Result("unknown", detail=f"no answer: {type(exc).__name__}: {exc}")
