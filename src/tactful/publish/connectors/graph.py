"""What the Facebook Page and Instagram connectors share: Meta's Graph API (the API root, the
token, its error model, its rate-limit headers, its paging) and a ``whoami`` look-up.

The Graph API does not speak plain HTTP errors, so :func:`classify` is not enough here. It
answers nearly every refusal with HTTP 400 (403 for some permissions, 500 for its own
trouble) and a body ``{"error": {"message", "type", "code", "error_subcode",
"error_user_msg", "is_transient", "fbtrace_id"}}``; the ``code`` says what happened
(https://developers.facebook.com/docs/graph-api/guides/error-handling):

* 190 (OAuthException; subcodes 458 app removed, 459 checkpoint, 460 password changed,
  463 expired, 464 unconfirmed user, 467 invalid), 102 and 104 (no or a dead session):
  ``auth``, the account must be connected again;
* 10, 3 and 200-299 (a permission missing or removed): ``auth``, naming the permission
  (``pages_manage_posts``, ``instagram_content_publish``...);
* 4, 17, 32, 341, 613 (platform and Page throttling) and 80000-80099 (Business Use Case
  throttling: 80001 a Page, 80002 an Instagram account): ``retry``, after
  ``estimated_time_to_regain_access`` (minutes) from ``X-Business-Use-Case-Usage`` /
  ``X-Page-Usage`` where given, else :data:`THROTTLE_WAIT`
  (https://developers.facebook.com/docs/graph-api/overview/rate-limiting); Instagram's
  daily publishing cap (9 / 2207042) is a ``retry`` too;
* 1, 2, -1, -2 or ``is_transient`` (Meta's own trouble): ``unknown`` for a call that creates
  something (it may have been done), ``retry`` for one that does not;
* 9007 / 2207027 (Instagram: "the media is not ready for publishing"): the caller waits and
  asks again (:func:`not_ready`);
* 100 (invalid parameter), 506 (a duplicate post), 368 (blocked for a while for policy
  reasons), the Instagram media codes (36000-36004, 9004 / 2207xxx): ``rejected``.

An answer without that body (a proxy's 502, a 500 page) goes to :func:`classify`.
The token travels in an ``Authorization: Bearer`` header, never in a URL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    Kind,
    Result,
    classify,
    plain,
    retry_after,
    send,
    unknown_as_retry,
)

GRAPH_VERSION = "v25.0"
GRAPH_URL = f"https://graph.facebook.com/{GRAPH_VERSION}"
THROTTLE_WAIT = 300.0  # seconds, when a throttled answer does not say how long
PUBLISH_CAP_WAIT = 3600.0  # Instagram's 24-hour rolling publishing cap: look again in an hour

AUTH_CODES = {102, 104, 190}
PERMISSION_CODES = {3, 10, *range(200, 300)}
THROTTLE_CODES = {4, 17, 32, 341, 613}
TEMPORARY_CODES = {-2, -1, 1, 2}
NOT_READY = (9007, 2207027)
PUBLISH_CAP = (9, 2207042)
SPAM_RESTRICTED = 2207051  # code 4 with this subcode: Instagram suspects spam, not throttling
ACCOUNT_RESTRICTED = 2207050  # the Instagram account is inactive, checkpointed or restricted

_SESSION_WHY = {
    458: "the app was removed from the account",
    459: "Facebook wants the account holder to log in at facebook.com first",
    460: "the password was changed",
    463: "the token has expired",
    464: "the account is not confirmed",
    467: "the token is no longer valid",
    492: "the person who connected it no longer manages the Page",
}
_PERMISSION = re.compile(
    r"\b(pages_[a-z_]+|instagram_[a-z_]+|publish_[a-z_]+|business_management|ads_[a-z_]+)\b"
)


@dataclass(frozen=True, slots=True)
class GraphError:
    code: int | None
    subcode: int | None
    type: str
    message: str
    user_message: str
    transient: bool


def api_url(creds: Credentials, path: str) -> str:
    """``path`` (``/{id}/feed``) under the account's API root: ``creds.base_url`` when set
    (a test's fake), else :data:`GRAPH_URL` (the version included)."""
    return (creds.base_url or GRAPH_URL).rstrip("/") + path


def auth(creds: Credentials) -> dict[str, str]:
    return {"Authorization": f"Bearer {creds.token}"}


def graph_error(response: httpx.Response) -> GraphError | None:
    """The Graph API's error body, if the answer carries one."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None

    def number(value: object) -> int | None:
        try:
            return int(str(value))
        except ValueError:
            return None

    return GraphError(
        code=number(error.get("code")),
        subcode=number(error.get("error_subcode")),
        type=str(error.get("type") or ""),
        message=str(error.get("message") or "")[:300],
        user_message=str(error.get("error_user_msg") or "")[:300],
        transient=error.get("is_transient") is True,
    )


def not_ready(response: httpx.Response) -> bool:
    """Instagram's "the media is not ready for publishing, please wait" (9007 / 2207027)."""
    error = graph_error(response)
    return error is not None and (error.code, error.subcode) == NOT_READY


def _usage(response: httpx.Response, name: str) -> list[Mapping[str, Any]]:
    raw = response.headers.get(name)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return []
    if not isinstance(value, dict):
        return []
    if name == "x-business-use-case-usage":  # {"<id>": [{"type": "pages", ...}, ...]}
        return [
            entry
            for entries in value.values()
            if isinstance(entries, list)
            for entry in entries
            if isinstance(entry, dict)
        ]
    return [value]  # X-App-Usage, X-Page-Usage: one flat object


def throttle_wait(response: httpx.Response) -> float:
    """Seconds until a throttled app, Page or Instagram account may call again:
    ``Retry-After`` if sent, else the largest ``estimated_time_to_regain_access`` (minutes)
    in ``X-Business-Use-Case-Usage`` or ``X-Page-Usage``, else :data:`THROTTLE_WAIT`
    (``X-App-Usage`` gives percentages only, over a rolling hour)."""
    told = retry_after(response)
    if told is not None:
        return told
    minutes = [
        float(entry["estimated_time_to_regain_access"])
        for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage")
        for entry in _usage(response, name)
        if isinstance(entry.get("estimated_time_to_regain_access"), int | float)
    ]
    longest = max(minutes, default=0.0)
    return longest * 60 if longest > 0 else THROTTLE_WAIT


def graph_result(
    response: httpx.Response,
    *,
    creating: bool = True,
    permission: str | None = None,
    network: str = "Facebook",
) -> Result:
    """A Graph API refusal as a Result (see the module docstring for the mapping).
    ``creating``: the call makes something, so Meta's own trouble leaves it unknown;
    ``permission``: the one the call needs, named when the answer does not say."""
    status = response.status_code
    error = graph_error(response)
    if error is None:
        return classify(response)
    code, sub = error.code, error.subcode
    said = error.user_message or error.message
    raw = f"{status}: {error.message} (code {code}{f'/{sub}' if sub else ''})"
    if code in AUTH_CODES or (error.type == "OAuthException" and code is None):
        why = _SESSION_WHY.get(sub or 0, "the token is not valid")
        return Result(
            "auth",
            status=status,
            detail=f"{network} refused the access token ({why}): connect the account again; {raw}",
        )
    if code == 4 and sub == SPAM_RESTRICTED:
        return Result("rejected", status=status, detail=f"{network} restricted it as spam: {raw}")
    if code in THROTTLE_CODES or (code is not None and 80000 <= code <= 80099):
        wait = throttle_wait(response)
        return Result(
            "retry",
            retry_after=wait,
            status=status,
            detail=f"{network} is throttling calls for about {wait:.0f} s: {raw}",
        )
    if (code, sub) == PUBLISH_CAP:
        told = retry_after(response)
        return Result(
            "retry",
            retry_after=told if told is not None else PUBLISH_CAP_WAIT,
            status=status,
            detail=f"{network}'s daily publishing limit is reached: {raw}",
        )
    if code in PERMISSION_CODES:
        named = sorted(set(_PERMISSION.findall(error.message)))
        needs = ", ".join(named) or permission or "a permission"
        return Result(
            "auth",
            status=status,
            detail=f"the token lacks {needs}: connect the account again granting it; {raw}",
        )
    if sub == ACCOUNT_RESTRICTED:
        return Result(
            "auth",
            status=status,
            detail=f"the {network} account is restricted: sign in to the app to clear it; {raw}",
        )
    if (code, sub) == NOT_READY:
        return Result("retry", status=status, detail=f"{network} is still preparing it: {raw}")
    if code in TEMPORARY_CODES or error.transient:
        kind: Kind = "unknown" if creating else "retry"
        return Result(kind, status=status, detail=f"{network} had a temporary problem: {raw}")
    if code == 506:
        return Result(
            "rejected", status=status, detail=f"{network} refuses a duplicate of a recent post"
        )
    if code == 368:
        return Result(
            "rejected",
            status=status,
            detail=f"{network} has blocked posting for a while (policy): {said}; {raw}",
        )
    if status >= 500:
        return Result("unknown" if creating else "retry", status=status, detail=raw)
    return Result("rejected", status=status, detail=f"{network} refused it: {said}; {raw}")


def get_json(
    http: httpx.Client, creds: Credentials, path: str, params: Mapping[str, str] | None = None
) -> dict[str, Any] | Result:
    """A read: the JSON object, or a Result when it could not be had (nothing was changed,
    so Meta's own trouble is ``retry``, never ``unknown``)."""
    request = http.build_request(
        "GET", api_url(creds, path), headers=auth(creds), params=dict(params or {})
    )
    answer = send(http, request)
    if isinstance(answer, Result):
        return unknown_as_retry(answer)
    if answer.status_code != 200:
        return graph_result(answer, creating=False)
    try:
        body = answer.json()
    except ValueError:
        return Result("retry", status=200, detail="the answer was not JSON")
    return body if isinstance(body, dict) else Result("retry", detail="unexpected answer")


def whoami(
    http: httpx.Client, creds: Credentials, fields: str = "id,name"
) -> dict[str, Any] | Result:
    """Who the token speaks for (``GET /me``): with a Page token, the Page."""
    return get_json(http, creds, "/me", {"fields": fields})


def linked_instagram(http: httpx.Client, creds: Credentials, page_id: str) -> str | Result | None:
    """The Instagram professional account linked to a Page (``instagram_business_account``),
    None when there is none."""
    page = get_json(http, creds, f"/{page_id}", {"fields": "instagram_business_account"})
    if isinstance(page, Result):
        return page
    linked = page.get("instagram_business_account")
    return str(linked["id"]) if isinstance(linked, dict) and linked.get("id") else None


def walk(
    http: httpx.Client,
    creds: Credentials,
    path: str,
    params: Mapping[str, str],
    max_pages: int,
) -> Iterator[list[dict[str, Any]] | Result]:
    """The pages of a Graph edge, newest first, by ``paging.next`` (cursor paging): each
    page's ``data``; a Result (``unknown``) when a page could not be read or ``max_pages``
    were read with more to come. Ends quietly after the last page."""
    url: str | httpx.URL = api_url(creds, path)
    query: dict[str, str] | None = dict(params)
    for _ in range(max_pages):
        request = http.build_request("GET", url, headers=auth(creds), params=query)
        answer = send(http, request)
        if isinstance(answer, Result) or answer.status_code != 200:
            why = answer.detail if isinstance(answer, Result) else graph_result(answer).detail
            yield Result("unknown", detail=f"could not read the account's posts: {why}")
            return
        body = answer.json()
        data = body.get("data") if isinstance(body, dict) else None
        yield [item for item in data or [] if isinstance(item, dict)]
        paging = body.get("paging") if isinstance(body, dict) else None
        following = paging.get("next") if isinstance(paging, dict) else None
        if not following or not data:
            return
        # The next page's URL as Meta wrote it, less any token in it (ours goes in a header).
        url, query = httpx.URL(str(following)).copy_remove_param("access_token"), None
    yield Result("unknown", detail=f"not in the newest {max_pages} pages of posts")


def first_match(
    http: httpx.Client,
    creds: Credentials,
    path: str,
    params: Mapping[str, str],
    *,
    text_key: str,
    time_key: str,
    wanted: str,
    cutoff: datetime | None,
    max_pages: int,
) -> dict[str, Any] | Result | None:
    """The first item of a Graph edge (newest first) whose ``text_key`` is ``wanted``
    (whitespace-normalised), back to ``cutoff``: None when it is not there (back past the
    cutoff, or the end), an ``unknown`` Result when the edge could not be read."""
    for batch in walk(http, creds, path, params, max_pages):
        if isinstance(batch, Result):
            return batch
        for item in batch:
            when = graph_time(item.get(time_key))
            if cutoff is not None and when is not None and when < cutoff:
                return None  # back past the first attempt: it never went out
            if plain(item.get(text_key)) == wanted:
                return item
    return None


def graph_time(value: object) -> datetime | None:
    """A Graph timestamp (``2026-11-23T09:00:00+0000``) as an aware datetime."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
