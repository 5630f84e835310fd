"""LinkedIn: comments on an organisation's posts, where the API allows. The page's posts come
from the Posts API finder (``GET /rest/posts?q=author&author={urn}``, ``count`` and
``start``), their comments from the Community Management API
(``GET /rest/socialActions/{post-urn}/comments``, ``start`` and ``count``). Both need
``r_organization_social`` and the connected member must administer the page. LinkedIn gives
no read access to a member's own posts (``r_member_social`` is for approved partners), so a
member account is refused at once with one notice. Posts older than ``lookback_days``
(``inbox/limits.yml``) are not read for comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from tactful.inbox.items import Incoming, Page, ThreadPost
from tactful.inbox.limits import limits
from tactful.inbox.readers.common import body, get, obj, string
from tactful.publish.connectors.base import Credentials, Result
from tactful.publish.connectors.linkedin import LinkedInConnector

POSTS_PER_PAGE = 20
COMMENTS_PER_PAGE = 100


def _millis(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and value > 0:
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


class LinkedInReader:
    network = "linkedin"

    def __init__(self) -> None:
        self.connector = LinkedInConnector()

    def read(
        self,
        http: httpx.Client,
        creds: Credentials,
        *,
        since: str | None,
        resume: str | None,
        now: datetime,
    ) -> Page | Result:
        author = creds.remote_user or ""
        if not author.startswith("urn:li:organization:"):
            return Result(
                "rejected",
                detail="LinkedIn lets tactful read comments on a company page's posts only "
                "(a member's own posts cannot be read); nothing to sync for this account",
            )
        api = self.connector._api(creds)
        headers = self.connector._headers(creds)

        def refused(answer: httpx.Response) -> Result:
            return self.connector._classify(answer, author, reading=True)

        start = int(resume) if resume and resume.isdigit() else 0
        answer = get(
            http,
            f"{api}/rest/posts",
            headers={**headers, "X-RestLi-Method": "FINDER"},
            params={
                "q": "author",
                "author": author,
                "count": POSTS_PER_PAGE,
                "start": start,
                "sortBy": "LAST_MODIFIED",
            },
            refusal=refused,
        )
        if isinstance(answer, Result):
            return answer
        got = body(answer)
        posts = got.get("elements") if isinstance(got, dict) else None
        if not isinstance(posts, list):
            return Result("retry", status=200, detail="LinkedIn sent no list of posts")
        cutoff = now - timedelta(days=limits().lookback_days)
        items: list[Incoming] = []
        unreadable, old = 0, False
        for post in posts:
            urn = string(post.get("id")) if isinstance(post, dict) else None
            if urn is None:
                continue
            created = _millis(post.get("createdAt"))
            changed = _millis(post.get("lastModifiedAt")) or created
            old = old or (changed is not None and changed < cutoff)
            above = ThreadPost(urn, str(post.get("commentary") or ""), None, post_url(urn), created)
            comments = self._comments(http, api, headers, urn, refused)
            if isinstance(comments, Result):
                return comments
            for comment in comments:
                item = _comment(comment, above)
                if item is None:
                    unreadable += 1
                else:
                    items.append(item)
        more = not old and len(posts) >= POSTS_PER_PAGE
        return Page(items, next=str(start + len(posts)) if more else None, unreadable=unreadable)

    def _comments(
        self, http: httpx.Client, api: str, headers: dict[str, str], urn: str, refused: Any
    ) -> list[dict[str, Any]] | Result:
        found: list[dict[str, Any]] = []
        start = 0
        for _ in range(limits().comments_per_post_pages):
            answer = get(
                http,
                f"{api}/rest/socialActions/{quote(urn, safe='')}/comments",
                headers=headers,
                params={"start": start, "count": COMMENTS_PER_PAGE},
                refusal=refused,
            )
            if isinstance(answer, Result):
                return answer
            got = body(answer)
            elements = got.get("elements") if isinstance(got, dict) else None
            if not isinstance(elements, list):
                return Result("retry", status=200, detail="LinkedIn sent no list of comments")
            found += [e for e in elements if isinstance(e, dict)]
            paging = obj(got.get("paging"))
            total = paging.get("total")
            start += len(elements)
            if not elements or not isinstance(total, int) or start >= total:
                break
        return found


def _comment(comment: dict[str, Any], above: ThreadPost) -> Incoming | None:
    urn = string(comment.get("commentUrn")) or string(comment.get("$URN"))
    comment_id = urn or string(comment.get("id"))
    if comment_id is None:
        return None
    message = obj(comment.get("message"))
    created = obj(comment.get("created"))
    parent = string(comment.get("parentComment"))
    return Incoming(
        remote_id=comment_id,
        kind="reply" if parent else "comment",
        text=str(message.get("text") or ""),
        author_handle=string(comment.get("actor")) or string(created.get("actor")),
        author_id=string(comment.get("actor")) or string(created.get("actor")),
        url=above.url,
        created_at=_millis(created.get("time")),
        parent_id=parent or above.remote_id,
        thread=(above,),
    )
