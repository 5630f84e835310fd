"""What the readers share: an HTTP read as a JSON body or a Result, and times and HTML read
from what networks send."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from tactful.publish.connectors.base import Result, classify, send, unknown_as_retry

Refusal = Callable[[httpx.Response], Result]


def get(
    http: httpx.Client,
    url: str,
    *,
    headers: Mapping[str, str],
    params: Any = None,
    refusal: Refusal = classify,
) -> httpx.Response | Result:
    """A GET whose answer is 200, else a Result. A read changes nothing on the network, so
    an answer lost on the way is simply asked again (``retry``, never ``unknown``)."""
    answer = send(http, http.build_request("GET", url, headers=dict(headers), params=params))
    if isinstance(answer, Result):
        return unknown_as_retry(answer)
    if answer.status_code != 200:
        return unknown_as_retry(refusal(answer))
    return answer


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
