"""What the readers share: an HTTP read as a JSON body or a Result, and times and HTML read
from what networks send."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx

from tactful.publish.connectors.base import (
    Result,
    classify,
    retry_after,
    send,
    unknown_as_retry,
)

Refusal = Callable[[httpx.Response], Result]


def get(
    http: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str],
    params: Any = None,
    refusal: Refusal = classify,
    now: datetime | None = None,
) -> httpx.Response | Result:
    """A GET whose answer is 200, else a Result. A read changes nothing on the network, so
    an answer lost on the way is simply asked again (``retry``, never ``unknown``). ``now``
    is the sync's clock: a 429's reset time is measured from it (see :func:`reset_wait`)."""
    answer = send(http, http.build_request("GET", url, headers=dict(headers), params=params))
    if isinstance(answer, Result):
        return unknown_as_retry(answer)
    if answer.status_code != 200:
        result = unknown_as_retry(refusal(answer))
        if now is not None and result.kind == "retry" and answer.status_code == 429:
            wait = reset_wait(answer, now)
            if wait is not None:
                result = replace(result, retry_after=wait)
        return result
    return answer


def reset_wait(answer: httpx.Response, now: datetime) -> float | None:
    """Seconds from ``now`` until a rate limit resets: ``Retry-After``, ``X-RateLimit-Reset``
    (Mastodon, an ISO time), ``x-rate-limit-reset`` (X, epoch seconds) or ``ratelimit-reset``
    (Bluesky's PDS: epoch seconds; seconds from now, as the IETF draft has it, when small).
    The connectors measure from the machine's clock; the inbox's sync has its own, so the
    time it waits until is the network's reset on that clock."""
    told = retry_after(answer, now)
    if told is not None:
        return told
    reset = answer.headers.get("ratelimit-reset", "").strip()
    if reset.isdigit():
        value = float(reset)
        return max(0.0, value - now.timestamp()) if value > 1e9 else value
    return None


def body(answer: httpx.Response) -> Any:
    """The JSON body, or None when it is not JSON (a proxy's page)."""
    try:
        return answer.json()
    except ValueError:
        return None


def not_json(answer: httpx.Response, network: str) -> Result:
    return Result("retry", status=answer.status_code, detail=f"{network} sent no JSON list")


def when(value: object) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset; Graph's ``+0000`` too), None when unreadable."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    text = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def text_of_html(content: str) -> str:
    """Mastodon's status HTML as the words people read: paragraphs and breaks as new lines."""
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.I)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def string(value: object) -> str | None:
    return str(value) if isinstance(value, (str, int)) and str(value) else None


def obj(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}
