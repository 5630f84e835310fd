"""Bluesky: ``app.bsky.notification.listNotifications`` (lexicon in
``../shared/specs/atproto``) with ``reasons`` reply, mention and quote, ``limit`` up to 100,
newest first, paged with ``cursor``. It has no ``since``: a sync stops at the first
notification indexed before the newest one the last sync kept (``indexedAt``; one indexed
at that very time is read again, and stored once).
A server that ignores ``reasons`` is filtered here too. The session's access token expires
within hours; the sync renews it through the connector (``refreshSession``) and reads again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tactful.inbox.items import Incoming, ItemKind, Page
from tactful.inbox.readers.common import body, get, string, when
from tactful.publish.connectors.base import Credentials, Result
from tactful.publish.connectors.bluesky import PUBLIC_PDS, post_url, xrpc_refusal

NSID = "app.bsky.notification.listNotifications"
REASONS: tuple[ItemKind, ...] = ("reply", "mention", "quote")
PAGE_SIZE = 50


class BlueskyReader:
    network = "bluesky"

    def read(
        self,
        http: httpx.Client,
        creds: Credentials,
        *,
        since: str | None,
        resume: str | None,
        now: datetime,
    ) -> Page | Result:
        params: list[tuple[str, str | int]] = [("limit", PAGE_SIZE)]
        params += [("reasons", reason) for reason in REASONS]
        if resume:
            params.append(("cursor", resume))
        answer = get(
            http,
            (creds.base_url or PUBLIC_PDS).rstrip("/") + "/xrpc/" + NSID,
            headers={"Authorization": f"Bearer {creds.token}"},
            params=params,
            refusal=xrpc_refusal,
            now=now,
        )
        if isinstance(answer, Result):
            return answer
        got = body(answer)
        listed = got.get("notifications") if isinstance(got, dict) else None
        if not isinstance(listed, list):
            return Result("retry", status=200, detail="Bluesky sent no list of notifications")
        stop = when(since) if since else None
        items: list[Incoming] = []
        unreadable = 0
        top: datetime | None = None
        reached = False
        for entry in listed:
            indexed = when(entry.get("indexedAt")) if isinstance(entry, dict) else None
            if indexed is not None:
                top = indexed if top is None else max(top, indexed)
                if stop is not None and indexed < stop:
                    reached = True  # older ones were read by the last sync
                    continue
            item = _item(entry)
            if item is None:
                unreadable += isinstance(entry, dict) and entry.get("reason") in REASONS
            else:
                items.append(item)
        cursor = string(got.get("cursor")) if isinstance(got, dict) else None
        more = None if reached or not listed else cursor
        return Page(items, next=more, top=top.isoformat() if top else None, unreadable=unreadable)


def _item(entry: object) -> Incoming | None:
    if not isinstance(entry, dict) or entry.get("reason") not in REASONS:
        return None
    uri = string(entry.get("uri"))
    record = entry.get("record")
    author = entry.get("author") or {}
    if uri is None or not isinstance(record, dict) or not isinstance(author, dict):
        return None
    reason: ItemKind = entry["reason"]
    reply = record.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    if parent is None and reason == "quote":
        parent = _quoted(record.get("embed"))
    return Incoming(
        remote_id=uri,
        kind=reason,
        text=str(record.get("text") or ""),
        author_handle=string(author.get("handle")),
        author_id=string(author.get("did")),
        url=post_url(uri),
        created_at=when(record.get("createdAt")) or when(entry.get("indexedAt")),
        parent_id=string(parent.get("uri")) if isinstance(parent, dict) else None,
    )


def _quoted(embed: object) -> dict[str, Any] | None:
    """The strong ref of the post a quote embeds (``app.bsky.embed.record``, or
    ``recordWithMedia``'s ``record.record``)."""
    if not isinstance(embed, dict):
        return None
    inner = embed.get("record")
    if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
        inner = inner["record"]  # app.bsky.embed.recordWithMedia
    return inner if isinstance(inner, dict) else None
