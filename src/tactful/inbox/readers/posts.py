"""Networks read as posts, then each post's comments (Facebook Pages, Instagram, LinkedIn).

Neither has a ``since`` for comments, and comments arrive on old posts as well as new ones,
so a sync reads the posts of the last ``lookback_days`` (``inbox/limits.yml``), newest first,
and every comment under each; the store keeps each once.

**One comments request per read.** A read asks for one page of posts and at most one page
of comments (comments that came with the post, as Facebook's field expansion gives them,
cost nothing), then hands back what it has with a :class:`Spot` to go on from: the page of
posts, how many of its posts are read, and the cursor inside the next post's comments. So a
read that fails (a 429, a 5xx, a dropped answer) loses one request's work, never a whole
page of posts, and a post with thousands of comments (a comment with hundreds of replies, where
they come as a nested edge) is read to its end over several reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tactful.inbox.items import Incoming, Page, ThreadPost
from tactful.publish.connectors.base import Result


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a sync stands: the page of posts (a cursor or an offset; None: the newest),
    how many of its posts are read, the cursor inside the next one's comments, and the
    replies still to read under comments already read (post number, comment id, cursor)."""

    page: str | None = None
    post: int = 0
    comments: str | None = None
    replies: tuple[tuple[int, str, str], ...] = ()

    def mark(self) -> str:
        got: dict[str, Any] = {"page": self.page, "post": self.post, "comments": self.comments}
        if self.replies:
            got["replies"] = [list(entry) for entry in self.replies]
        return json.dumps(got, separators=(",", ":"))

    @classmethod
    def of(cls, mark: str | None) -> Spot:
        """The spot a mark names; a mark written before spots (a bare cursor or offset) is
        that page, from its first post."""
        if not mark:
            return cls()
        try:
            got = json.loads(mark)
        except ValueError:
            return cls(page=mark)
        if not isinstance(got, dict):
            return cls(page=mark)
        page, post, comments = got.get("page"), got.get("post"), got.get("comments")
        replies = tuple(
            (entry[0], entry[1], entry[2])
            for entry in got.get("replies") or ()
            if isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], int)
            and all(isinstance(part, str) and part for part in entry[1:])
        )
        return cls(
            page=page if isinstance(page, str) and page else None,
            post=post if isinstance(post, int) and post >= 0 else 0,
            comments=comments if isinstance(comments, str) and comments else None,
            replies=replies,
        )


@dataclass(frozen=True, slots=True)
class Comments:
    """One page of a post's comments and the cursor of the next (None: the last)."""

    entries: Sequence[dict[str, Any]] = ()
    next: str | None = None


@dataclass(frozen=True, slots=True)
class Posts:
    """One page of posts and the mark of the next (None: the last)."""

    entries: Sequence[dict[str, Any]]
    next: str | None


class Source(Protocol):
    """One network's posts and comments."""

    def posts(self, page: str | None) -> Posts | Result: ...

    def above(self, post: dict[str, Any]) -> ThreadPost:
        """The post as the thread above its comments (its time decides the look-back)."""
        ...

    def embedded(self, post: dict[str, Any]) -> Comments | None:
        """The first page of comments that came with the post, an empty one when the post
        says it has none, or None: they must be asked for."""
        ...

    def comments(self, post: dict[str, Any], at: str | None) -> Comments | Result: ...

    def items(self, comment: dict[str, Any], above: ThreadPost) -> Iterable[Incoming | None]:
        """The comment (and replies that came with it) as items; None for each unreadable."""
        ...

    def more_replies(self, comment: dict[str, Any]) -> str | None:
        """The cursor of the comment's replies past those that came with it, if any."""
        ...

    def replies(self, comment_id: str, at: str) -> Comments | Result:
        """One page of a comment's replies from ``at``."""
        ...


def read_posts(source: Source, resume: str | None, cutoff: datetime) -> Page | Result:
    """One read from ``resume`` (a :meth:`Spot.mark`): see the module docstring."""
    spot = Spot.of(resume)
    listed = source.posts(spot.page)
    if isinstance(listed, Result):
        return listed
    items: list[Incoming] = []
    unreadable = 0
    if spot.replies:  # replies past the first page, under comments already read
        number, comment_id, at = spot.replies[0]
        rest = spot.replies[1:]
        if number < len(listed.entries):
            got = source.replies(comment_id, at)
            if isinstance(got, Result):
                return got
            above = source.above(listed.entries[number])
            for reply in got.entries:
                for item in source.items(reply, above):
                    if item is None:
                        unreadable += 1
                    else:
                        items.append(item)
            if got.next is not None:
                rest = ((number, comment_id, got.next), *rest)
        mark = Spot(spot.page, spot.post, spot.comments, rest).mark()
        return Page(items, next=mark, unreadable=unreadable)
    asked = old = False
    for index, post in enumerate(listed.entries):
        above = source.above(post)
        if above.created_at is not None and above.created_at < cutoff:
            old = True  # past the look-back: its comments are not read, nor later pages
            continue
        if index < spot.post:
            continue
        going_on = index == spot.post and spot.comments is not None
        found = None if going_on else source.embedded(post)
        if found is None:
            if asked:  # one comments request a read: the next read goes on from this post
                return Page(items, next=Spot(spot.page, index).mark(), unreadable=unreadable)
            asked = True
            got = source.comments(post, spot.comments if going_on else None)
            if isinstance(got, Result):
                return got
            found = got
        later: list[tuple[int, str, str]] = []
        for comment in found.entries:
            for item in source.items(comment, above):
                if item is None:
                    unreadable += 1
                else:
                    items.append(item)
            more_replies = source.more_replies(comment)
            if more_replies is not None and isinstance(comment.get("id"), str):
                later.append((index, comment["id"], more_replies))
        if found.next is not None or later:  # more under this post: the next reads ask
            going = (
                Spot(spot.page, index, found.next, tuple(later))
                if found.next is not None
                else Spot(spot.page, index + 1, None, tuple(later))
            )
            return Page(items, next=going.mark(), unreadable=unreadable)
    more = None if old or listed.next is None else Spot(listed.next).mark()
    return Page(items, next=more, unreadable=unreadable)
