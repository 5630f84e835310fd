"""Mastodon: ``GET /api/v1/notifications`` with ``types[]=mention`` (a reply notifies its
author as a mention), newest first, ``limit`` up to 40, paged back with the ``max_id`` of the
``Link`` header's ``rel="next"``, and ``since_id`` for where the last sync stopped. The token
needs ``read:notifications`` (methods/notifications.md); one without it is refused with 403
and the account gets one notice.

Docs (github.com/mastodon/documentation, content/en/): methods/notifications.md,
entities/Notification.md, entities/Status.md, api/guidelines.md#pagination (Link header)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from tactful.inbox.items import Incoming, Page
from tactful.inbox.readers.common import body, get, not_json, string, text_of_html, when
from tactful.publish.connectors.base import Credentials, Result

PAGE_SIZE = 40


def next_max_id(answer: httpx.Response) -> str | None:
    """The ``max_id`` of the ``Link`` header's ``rel="next"`` address, if any."""
    for part in answer.headers.get("link", "").split(","):
        m = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', part)
        if m:
            found = parse_qs(urlsplit(m[1]).query).get("max_id")
            return found[0] if found else None
    return None


class MastodonReader:
    network = "mastodon"

    def read(
        self,
        http: httpx.Client,
        creds: Credentials,
        *,
        since: str | None,
        resume: str | None,
        now: datetime,
    ) -> Page | Result:
        if not creds.base_url:
            return Result("rejected", detail="the account's Mastodon server is not known")
        params: list[tuple[str, str | int]] = [("types[]", "mention"), ("limit", PAGE_SIZE)]
        if since:
            params.append(("since_id", since))
        if resume:
            params.append(("max_id", resume))
        answer = get(
            http,
            creds.base_url.rstrip("/") + "/api/v1/notifications",
            headers={"Authorization": f"Bearer {creds.token}"},
            params=params,
            now=now,
        )
        if isinstance(answer, Result):
            return answer
        listed = body(answer)
        if not isinstance(listed, list):
            return not_json(answer, "Mastodon")
        items: list[Incoming] = []
        unreadable = 0
        for entry in listed:
            item = _item(entry)
            if item is None:
                unreadable += 1
            else:
                items.append(item)
        ids = [str(e["id"]) for e in listed if isinstance(e, dict) and string(e.get("id"))]
        top = max(ids, key=_order) if ids else None
        more = next_max_id(answer) if listed else None
        return Page(items, next=more, top=top, unreadable=unreadable)


def _order(remote_id: str) -> tuple[int, str]:
    """Mastodon ids are numbers in strings (Snowflake-like): longer is newer."""
    return (len(remote_id), remote_id)


def _item(entry: object) -> Incoming | None:
    if not isinstance(entry, dict) or entry.get("type") != "mention":
        return None
    status = entry.get("status")
    account = entry.get("account") or {}
    notification_id = string(entry.get("id"))
    if not isinstance(status, dict) or notification_id is None or not string(status.get("id")):
        return None
    replies_to = string(status.get("in_reply_to_id"))
    return Incoming(
        remote_id=str(status["id"]),
        kind="reply" if replies_to else "mention",
        text=text_of_html(str(status.get("content") or "")),
        author_handle=string(account.get("acct")) if isinstance(account, dict) else None,
        author_id=string(account.get("id")) if isinstance(account, dict) else None,
        url=string(status.get("url")) or string(status.get("uri")),
        created_at=when(status.get("created_at")) or when(entry.get("created_at")),
        parent_id=replies_to,
    )
