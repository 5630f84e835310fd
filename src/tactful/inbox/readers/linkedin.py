"""LinkedIn: comments on an organisation's posts, where the API allows. The page's posts come
from the Posts API finder (``GET /rest/posts?q=author&author={urn}``, ``count`` and
``start``), their comments from the Community Management API
(``GET /rest/socialActions/{post-urn}/comments``, ``start`` and ``count``). Both need
``r_organization_social`` and the connected member must administer the page. LinkedIn gives
no read access to a member's own posts (``r_member_social`` is for approved partners), so a
member account is refused at once with one notice. Posts older than ``lookback_days``
(``inbox/limits.yml``) are not read for comments; one comments request a read
(:mod:`tactful.inbox.readers.posts`). Replies to comments (comments on a comment's URN) are
not read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from tactful.inbox.items import Incoming, Page, ThreadPost
from tactful.inbox.limits import limits
from tactful.inbox.readers.common import body, get, obj, string
from tactful.inbox.readers.posts import Comments, Posts, read_posts
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
        cutoff = now - timedelta(days=limits().lookback_days)
        return read_posts(_Page(http, creds, author, now), resume, cutoff)


class _Page:
    """An organisation's posts (offset paging) and their comments (offset paging)."""

    def __init__(self, http: httpx.Client, creds: Credentials, author: str, now: datetime):
        # The connector on the sync's clock: a daily limit waits until midnight UTC by it.
        connector = LinkedInConnector(clock=lambda: now)
        self.http, self.author, self.now = http, author, now
        self.api = connector.api_root(creds)
        self.headers = connector.rest_headers(creds)
        self.connector = connector

    def _refused(self, answer: httpx.Response) -> Result:
        return self.connector.refusal(answer, self.author, reading=True)

    def _get(self, url: str, params: dict[str, str | int], finder: bool) -> Any:
        headers = {**self.headers, "X-RestLi-Method": "FINDER"} if finder else self.headers
        answer = get(
            self.http, url, headers=headers, params=params, refusal=self._refused, now=self.now
        )
        return answer if isinstance(answer, Result) else body(answer)

    def posts(self, page: str | None) -> Posts | Result:
        start = int(page) if page and page.isdigit() else 0
        got = self._get(
            f"{self.api}/rest/posts",
            {
                "q": "author",
                "author": self.author,
                "count": POSTS_PER_PAGE,
                "start": start,
                "sortBy": "LAST_MODIFIED",
            },
            finder=True,
        )
        if isinstance(got, Result):
            return got
        posts = got.get("elements") if isinstance(got, dict) else None
        if not isinstance(posts, list):
            return Result("retry", status=200, detail="LinkedIn sent no list of posts")
        listed = [post for post in posts if isinstance(post, dict) and string(post.get("id"))]
        more = _has_next(obj(got.get("paging")), start, len(posts), POSTS_PER_PAGE)
        return Posts(listed, str(start + len(posts)) if more else None)

    def above(self, post: dict[str, Any]) -> ThreadPost:
        urn = str(post["id"])
        created = _millis(post.get("createdAt"))
        # Sorted by when a post last changed; a post edited lately is not old.
        changed = _millis(post.get("lastModifiedAt")) or created
        return ThreadPost(urn, str(post.get("commentary") or ""), None, post_url(urn), changed)

    def embedded(self, post: dict[str, Any]) -> Comments | None:
        return None  # the Posts API gives no comments: always asked for

    def comments(self, post: dict[str, Any], at: str | None) -> Comments | Result:
        start = int(at) if at and at.isdigit() else 0
        urn = quote(str(post["id"]), safe="")
        got = self._get(
            f"{self.api}/rest/socialActions/{urn}/comments",
            {"start": start, "count": COMMENTS_PER_PAGE},
            finder=False,
        )
        if isinstance(got, Result):
            return got
        elements = got.get("elements") if isinstance(got, dict) else None
        if not isinstance(elements, list):
            return Result("retry", status=200, detail="LinkedIn sent no list of comments")
        listed = [e for e in elements if isinstance(e, dict)]
        more = _has_next(obj(got.get("paging")), start, len(elements), COMMENTS_PER_PAGE)
        return Comments(listed, str(start + len(elements)) if more else None)

    def items(self, comment: dict[str, Any], above: ThreadPost) -> Iterator[Incoming | None]:
        yield _comment(comment, above)

    def more_replies(self, comment: dict[str, Any]) -> str | None:
        return None  # replies to comments are not read (see the module docstring)

    def replies(self, comment_id: str, at: str) -> Comments | Result:
        return Comments()


def _has_next(paging: dict[str, Any], start: int, got: int, asked: int) -> bool:
    """More follow: a ``next`` link, else ``total`` beyond this page, else a full page."""
    if not got:
        return False
    links = paging.get("links")
    if isinstance(links, list) and links:
        return any(isinstance(link, dict) and link.get("rel") == "next" for link in links)
    total = paging.get("total")
    if isinstance(total, int):
        return start + got < total
    return got >= asked


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
