"""Facebook Page comments and Instagram comments, through Meta's Graph API (the token in an
``Authorization`` header, errors read by :func:`tactful.publish.connectors.graph.graph_result`),
read as posts, then each post's comments (:mod:`tactful.inbox.readers.posts`).

- Facebook: ``GET /{page-id}/feed`` with ``fields=id,message,permalink_url,created_time,
  comments.filter(stream).limit(N){...}``, newest first, paged with the ``after`` cursor; a
  post's further comments with ``GET /{post-id}/comments?filter=stream`` and its own cursor.
  ``filter=stream`` gives every comment, replies to comments included, oldest first (the
  default, ``toplevel``, leaves replies out). Needs ``pages_read_engagement`` and
  ``pages_read_user_content``.
- Instagram: ``GET /{ig-user-id}/media`` (``fields=id,caption,permalink,timestamp,
  comments_count``), then ``GET /{ig-media-id}/comments`` (``fields=id,text,timestamp,
  username,from,parent_id,replies{...}``) for each media with comments; a comment's replies
  come with it, and those past their first page from ``GET /{ig-comment-id}/replies``.
  Needs ``instagram_manage_comments``.

Comments arrive on old posts as well as new ones, and neither edge has a ``since`` for
comments, so a sync reads the posts of the last ``lookback_days`` (``inbox/limits.yml``) and
stores each comment once (the store's key). The post a comment is on is kept as its thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

from tactful.inbox.items import Incoming, Page, ThreadPost
from tactful.inbox.limits import limits
from tactful.inbox.readers.common import obj, string, when
from tactful.inbox.readers.posts import Comments, Posts, Source, read_posts
from tactful.publish.connectors.base import Credentials, Result
from tactful.publish.connectors.graph import get_json

POSTS_PER_PAGE = 25
COMMENTS_PER_PAGE = 100
FB_COMMENT_FIELDS = "id,message,from,created_time,permalink_url,parent{id}"
FB_POST_FIELDS = (
    "id,message,permalink_url,created_time,"
    f"comments.filter(stream).limit({COMMENTS_PER_PAGE}){{{FB_COMMENT_FIELDS}}}"
)
IG_COMMENT_FIELDS = "id,text,timestamp,username,from,parent_id"
IG_COMMENTS_WITH_REPLIES = f"{IG_COMMENT_FIELDS},replies{{{IG_COMMENT_FIELDS}}}"
IG_MEDIA_FIELDS = "id,caption,permalink,timestamp,comments_count"


def _after(got: dict[str, Any]) -> str | None:
    """The ``after`` cursor when ``paging.next`` says more follows."""
    paging = got.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    return string(cursors.get("after")) if isinstance(cursors, dict) else None


def _listed(got: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for entry in got.get("data") or () if isinstance(entry, dict)]


class _Graph:
    """What the two Graph sources share: the posts edge, paged with ``after``."""

    edge = ""
    post_fields = ""
    comment_params: tuple[tuple[str, str], ...] = ()

    def __init__(self, http: httpx.Client, creds: Credentials):
        self.http, self.creds = http, creds

    def posts(self, page: str | None) -> Posts | Result:
        params = {"fields": self.post_fields, "limit": str(POSTS_PER_PAGE)}
        if page:
            params["after"] = page
        got = get_json(self.http, self.creds, f"/{self.creds.remote_user}/{self.edge}", params)
        if isinstance(got, Result):
            return got
        posts = [post for post in _listed(got) if string(post.get("id"))]
        return Posts(posts, _after(got))

    def comments(self, post: dict[str, Any], at: str | None) -> Comments | Result:
        params = {**dict(self.comment_params), "limit": str(COMMENTS_PER_PAGE)}
        if at:
            params["after"] = at
        got = get_json(self.http, self.creds, f"/{post['id']}/comments", params)
        if isinstance(got, Result):
            return got
        return Comments(_listed(got), _after(got))

    def more_replies(self, comment: dict[str, Any]) -> str | None:
        return None

    def replies(self, comment_id: str, at: str) -> Comments | Result:
        return Comments()


class _FacebookPage(_Graph):
    edge = "feed"
    post_fields = FB_POST_FIELDS
    comment_params = (("fields", FB_COMMENT_FIELDS), ("filter", "stream"))

    def above(self, post: dict[str, Any]) -> ThreadPost:
        return ThreadPost(
            str(post["id"]), str(post.get("message") or ""), None,
            string(post.get("permalink_url")), when(post.get("created_time")),
        )  # fmt: skip

    def embedded(self, post: dict[str, Any]) -> Comments | None:
        got = obj(post.get("comments"))  # absent: the post has no comments
        return Comments(_listed(got), _after(got))

    def items(self, comment: dict[str, Any], above: ThreadPost) -> Iterator[Incoming | None]:
        yield _facebook_comment(comment, above)


class _Instagram(_Graph):
    edge = "media"
    post_fields = IG_MEDIA_FIELDS
    comment_params = (("fields", IG_COMMENTS_WITH_REPLIES),)

    def above(self, post: dict[str, Any]) -> ThreadPost:
        return ThreadPost(
            str(post["id"]), str(post.get("caption") or ""), None,
            string(post.get("permalink")), when(post.get("timestamp")),
        )  # fmt: skip

    def embedded(self, post: dict[str, Any]) -> Comments | None:
        # comments_count 0: nothing to ask for (hidden comments are not counted, nor read).
        return Comments() if post.get("comments_count") == 0 else None

    def items(self, comment: dict[str, Any], above: ThreadPost) -> Iterator[Incoming | None]:
        yield _instagram_comment(comment, above)
        for reply in _listed(obj(comment.get("replies"))):
            yield _instagram_comment(reply, above, replies_to=string(comment.get("id")))

    def more_replies(self, comment: dict[str, Any]) -> str | None:
        return _after(obj(comment.get("replies")))

    def replies(self, comment_id: str, at: str) -> Comments | Result:
        params = {"fields": IG_COMMENT_FIELDS, "limit": str(COMMENTS_PER_PAGE), "after": at}
        got = get_json(self.http, self.creds, f"/{comment_id}/replies", params)
        if isinstance(got, Result):
            return got
        return Comments(_listed(got), _after(got))


class _GraphReader:
    """A Graph API account: the posts of the last ``lookback_days`` and their comments."""

    network: str
    _id_of: str  # how a refusal names the id the account needs
    _source: Callable[[httpx.Client, Credentials], Source]

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
            return Result("rejected", detail=f"the account's {self._id_of} is not known")
        cutoff = now - timedelta(days=limits().lookback_days)
        return read_posts(self._source(http, creds), resume, cutoff)


class FacebookReader(_GraphReader):
    network = "facebook"
    _id_of = "Facebook Page id"
    _source = _FacebookPage


class InstagramReader(_GraphReader):
    network = "instagram"
    _id_of = "Instagram id"
    _source = _Instagram


def _facebook_comment(comment: dict[str, Any], above: ThreadPost) -> Incoming | None:
    comment_id = string(comment.get("id"))
    if comment_id is None:
        return None
    author = obj(comment.get("from"))
    parent = string(obj(comment.get("parent")).get("id"))
    return Incoming(
        remote_id=comment_id,
        kind="reply" if parent else "comment",
        text=str(comment.get("message") or ""),
        author_handle=string(author.get("name")),
        author_id=string(author.get("id")),
        url=string(comment.get("permalink_url")),
        created_at=when(comment.get("created_time")),
        parent_id=parent or above.remote_id,
        thread=(above,),
    )


def _instagram_comment(
    comment: dict[str, Any], above: ThreadPost, replies_to: str | None = None
) -> Incoming | None:
    comment_id = string(comment.get("id"))
    if comment_id is None:
        return None
    author = obj(comment.get("from"))
    parent = string(comment.get("parent_id")) or replies_to
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
