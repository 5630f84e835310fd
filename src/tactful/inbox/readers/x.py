"""X: ``GET /2/users/{id}/mentions`` (API v2), newest first, ``max_results`` up to 100,
paged with ``pagination_token`` (the answer's ``meta.next_token``) and ``since_id`` for where
the last sync stopped (``meta.newest_id``). Authors come from ``expansions=author_id``; the
post replied to or quoted from ``referenced_tweets.id``, kept as the item's thread. Rate
limits: a 429 with ``x-rate-limit-reset`` (epoch seconds).

Which name the fields parameter has today is a guess, as for publishing (docs/publishing.md):
``tweet.fields`` is asked first; if X answers that it is not a parameter it takes, the reader
asks with ``post.fields`` (OpenAPI v2.167) and remembers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tactful.inbox.items import Incoming, ItemKind, Page, ThreadPost
from tactful.inbox.readers.common import body, get, obj, string, when
from tactful.publish.connectors.base import Credentials, Result
from tactful.publish.connectors.x import api_root, problem, status_url, unknown_parameter

PAGE_SIZE = 100
FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets"


class XReader:
    network = "x"

    def __init__(self) -> None:
        self.fields_param = "tweet.fields"

    def read(
        self,
        http: httpx.Client,
        creds: Credentials,
        *,
        since: str | None,
        resume: str | None,
        now: datetime,
    ) -> Page | Result:
        if not creds.remote_user:
            return Result("rejected", detail="the account's X user id is not known")
        url = api_root(creds.base_url) + f"/2/users/{creds.remote_user}/mentions"
        for _ in range(2):
            params: dict[str, str | int] = {
                "max_results": PAGE_SIZE,
                self.fields_param: FIELDS,
                "expansions": "author_id,referenced_tweets.id",
                "user.fields": "username",
            }
            if since:
                params["since_id"] = since
            if resume:
                params["pagination_token"] = resume
            answer = get(
                http,
                url,
                headers={"Authorization": f"Bearer {creds.token}"},
                params=params,
                refusal=_refusal(self.fields_param),
                now=now,
            )
            if isinstance(answer, Result) and answer.detail == _RENAMED:
                self.fields_param = "post.fields"
                continue
            break
        if isinstance(answer, Result):
            return answer
        got = body(answer)
        if not isinstance(got, dict):
            return Result("retry", status=200, detail="X sent no JSON object")
        meta = obj(got.get("meta"))
        includes = obj(got.get("includes"))
        users = {
            str(u["id"]): u
            for u in includes.get("users") or ()
            if isinstance(u, dict) and "id" in u
        }
        tweets = {
            str(t["id"]): t
            for t in includes.get("tweets") or ()
            if isinstance(t, dict) and "id" in t
        }
        items: list[Incoming] = []
        unreadable = 0
        for entry in got.get("data") or ():
            item = _item(entry, users, tweets)
            if item is None:
                unreadable += 1
            else:
                items.append(item)
        return Page(
            items,
            next=string(meta.get("next_token")),
            top=string(meta.get("newest_id")),
            unreadable=unreadable,
        )


_RENAMED = "x: the fields parameter has another name"


def _refusal(fields_param: str) -> Any:
    def refusal(answer: httpx.Response) -> Result:
        if unknown_parameter(answer, fields_param):
            return Result("rejected", status=400, detail=_RENAMED)
        return problem(answer)

    return refusal


def _item(
    entry: object, users: dict[str, dict[str, Any]], tweets: dict[str, dict[str, Any]]
) -> Incoming | None:
    if not isinstance(entry, dict) or not string(entry.get("id")):
        return None
    kind: ItemKind = "mention"
    parent: str | None = None
    for ref in entry.get("referenced_tweets") or ():
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            kind, parent = "reply", string(ref.get("id"))
        elif isinstance(ref, dict) and ref.get("type") == "quoted" and kind == "mention":
            kind, parent = "quote", string(ref.get("id"))
    author_id = string(entry.get("author_id"))
    author = users.get(author_id or "", {})
    above = tweets.get(parent or "")
    thread: tuple[ThreadPost, ...] = ()
    if above is not None:
        above_author = users.get(str(above.get("author_id")), {})
        thread = (
            ThreadPost(
                remote_id=str(above["id"]),
                text=str(above.get("text") or ""),
                author=string(above_author.get("username")),
                url=status_url(str(above["id"])),
                created_at=when(above.get("created_at")),
            ),
        )
    return Incoming(
        remote_id=str(entry["id"]),
        kind=kind,
        text=str(entry.get("text") or ""),
        author_handle=string(author.get("username")),
        author_id=author_id,
        url=status_url(str(entry["id"])),
        created_at=when(entry.get("created_at")),
        parent_id=parent,
        thread=thread,
    )
