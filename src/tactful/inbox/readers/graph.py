"""Facebook Page comments and Instagram comments, through Meta's Graph API (the token in an
``Authorization`` header, errors read by :func:`tactful.publish.connectors.graph.graph_result`).

- Facebook: ``GET /{page-id}/feed`` with ``fields=id,message,permalink_url,created_time,
  comments.limit(N){...}``, newest first, paged with the ``after`` cursor; a post's further
  comments with ``GET /{post-id}/comments`` and its own cursor. Needs
  ``pages_read_engagement`` and ``pages_read_user_content``.
- Instagram: ``GET /{ig-user-id}/media`` (``fields=id,caption,permalink,timestamp``), then
  ``GET /{ig-media-id}/comments`` (``fields=id,text,timestamp,username,from,replies{...}``)
  for each. Needs ``instagram_manage_comments``.

Comments arrive on old posts as well as new ones, and neither edge has a ``since`` for
comments, so a sync reads the posts of the last ``lookback_days`` (``inbox/limits.yml``) and
stores each comment once (the store's key). The post a comment is on is kept as its thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from tactful.inbox.items import Incoming, Page, ThreadPost
from tactful.inbox.limits import limits
from tactful.inbox.readers.common import obj, string, when
from tactful.publish.connectors.base import Credentials, Result
from tactful.publish.connectors.graph import get_json

POSTS_PER_PAGE = 25
COMMENTS_PER_PAGE = 100
FB_COMMENT_FIELDS = "id,message,from,created_time,permalink_url,parent{id}"
IG_COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"


def _after(got: dict[str, Any]) -> str | None:
    """The ``after`` cursor when ``paging.next`` says more follows."""
    paging = got.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    return string(cursors.get("after")) if isinstance(cursors, dict) else None


def _comments(
    http: httpx.Client,
    creds: Credentials,
    path: str,
    fields: str,
    first: dict[str, Any] | None,
) -> list[dict[str, Any]] | Result:
    """A post's comments: ``first`` (the page the feed embedded) and the pages after it."""
    got: dict[str, Any] | Result = first if first is not None else {}
    if first is None:
        got = get_json(http, creds, path, {"fields": fields, "limit": str(COMMENTS_PER_PAGE)})
    found: list[dict[str, Any]] = []
    for _ in range(limits().comments_per_post_pages):
        if isinstance(got, Result):
            return got
        found += [c for c in got.get("data") or () if isinstance(c, dict)]
        after = _after(got)
        if after is None:
            break
        params = {"fields": fields, "limit": str(COMMENTS_PER_PAGE), "after": after}
        got = get_json(http, creds, path, params)
    return found


def _page_of(
    got: dict[str, Any], items: list[Incoming], unreadable: int, now: datetime, old: bool
) -> Page:
    more = None if old else _after(got)
    return Page(items, next=more, top=None, unreadable=unreadable)


class FacebookReader:
    network = "facebook"

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
            return Result("rejected", detail="the account's Facebook Page id is not known")
        fields = (
            "id,message,permalink_url,created_time,"
            f"comments.limit({COMMENTS_PER_PAGE}){{{FB_COMMENT_FIELDS}}}"
        )
        params = {"fields": fields, "limit": str(POSTS_PER_PAGE)}
        if resume:
            params["after"] = resume
        got = get_json(http, creds, f"/{creds.remote_user}/feed", params)
        if isinstance(got, Result):
            return got
        cutoff = now - timedelta(days=limits().lookback_days)
        items: list[Incoming] = []
        unreadable, old = 0, False
        for post in got.get("data") or ():
            if not isinstance(post, dict) or not string(post.get("id")):
                continue
            created = when(post.get("created_time"))
            old = old or (created is not None and created < cutoff)
            embedded = obj(post.get("comments"))
            comments = _comments(
                http, creds, f"/{post['id']}/comments", FB_COMMENT_FIELDS, embedded
            )
            if isinstance(comments, Result):
                return comments
            above = ThreadPost(
                str(post["id"]), str(post.get("message") or ""), None,
                string(post.get("permalink_url")), created,
            )  # fmt: skip
            for comment in comments:
                item = _facebook_comment(comment, above)
                if item is None:
                    unreadable += 1
                else:
                    items.append(item)
        return _page_of(got, items, unreadable, now, old)


def _facebook_comment(comment: dict[str, Any], above: ThreadPost) -> Incoming | None:
    comment_id = string(comment.get("id"))
    if comment_id is None:
        return None
    author = obj(comment.get("from"))
    parent = comment.get("parent") if isinstance(comment.get("parent"), dict) else None
    return Incoming(
        remote_id=comment_id,
        kind="reply" if parent else "comment",
        text=str(comment.get("message") or ""),
        author_handle=string(author.get("name")),
        author_id=string(author.get("id")),
        url=string(comment.get("permalink_url")),
        created_at=when(comment.get("created_time")),
        parent_id=string(parent.get("id")) if parent else above.remote_id,
        thread=(above,),
    )


class InstagramReader:
    network = "instagram"

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
            return Result("rejected", detail="the account's Instagram id is not known")
        params = {"fields": "id,caption,permalink,timestamp", "limit": str(POSTS_PER_PAGE)}
        if resume:
            params["after"] = resume
        got = get_json(http, creds, f"/{creds.remote_user}/media", params)
        if isinstance(got, Result):
            return got
        cutoff = now - timedelta(days=limits().lookback_days)
        items: list[Incoming] = []
        unreadable, old = 0, False
        for media in got.get("data") or ():
            if not isinstance(media, dict) or not string(media.get("id")):
                continue
            created = when(media.get("timestamp"))
            old = old or (created is not None and created < cutoff)
            comments = _comments(http, creds, f"/{media['id']}/comments", IG_COMMENT_FIELDS, None)
            if isinstance(comments, Result):
                return comments
            above = ThreadPost(
                str(media["id"]), str(media.get("caption") or ""), None,
                string(media.get("permalink")), created,
            )  # fmt: skip
            for comment in comments:
                item = _instagram_comment(comment, above)
                if item is None:
                    unreadable += 1
                else:
                    items.append(item)
        return _page_of(got, items, unreadable, now, old)


def _instagram_comment(comment: dict[str, Any], above: ThreadPost) -> Incoming | None:
    comment_id = string(comment.get("id"))
    if comment_id is None:
        return None
    author = obj(comment.get("from"))
    parent = string(comment.get("parent_id"))
    return Incoming(
        remote_id=comment_id,
        kind="reply" if parent else "comment",
        text=str(comment.get("text") or ""),
        author_handle=string(comment.get("username")) or string(author.get("username")),
        author_id=string(author.get("id")),
        url=above.url,  # Instagram gives a comment no address of its own
        created_at=when(comment.get("timestamp")),
        parent_id=parent or above.remote_id,
        thread=(above,),
    )
