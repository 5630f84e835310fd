"""The inbox's size limits (``inbox/limits.yml``) and how an item is fitted to them: kept,
cut and marked, never refused."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from tactful.core.data import DataModel, PositiveWholeNumber, Source
from tactful.inbox.items import Incoming, ThreadPost


class InboxLimits(DataModel):
    text_chars: PositiveWholeNumber
    handle_chars: PositiveWholeNumber
    url_chars: PositiveWholeNumber
    thread_posts: PositiveWholeNumber
    thread_text_chars: PositiveWholeNumber
    pages_per_sync: PositiveWholeNumber
    lookback_days: PositiveWholeNumber


@cache
def limits() -> InboxLimits:
    return Source.package("tactful.inbox", "limits.yml").load(InboxLimits)


def _cut(value: str | None, most: int) -> str | None:
    return None if value is None else value[:most]


def fit(item: Incoming, rules: InboxLimits | None = None) -> tuple[Incoming, int | None]:
    """The item within the limits, and its text's length when that was cut (else None)."""
    rules = rules or limits()
    text = item.text.encode("utf-8", "replace").decode("utf-8")  # no lone surrogates
    original = len(text) if len(text) > rules.text_chars else None
    thread = tuple(
        replace(
            post,
            text=post.text[: rules.thread_text_chars],
            author=_cut(post.author, rules.handle_chars),
            url=_cut(post.url, rules.url_chars),
        )
        for post in item.thread[-rules.thread_posts :]
    )
    fitted = replace(
        item,
        text=text[: rules.text_chars],
        author_handle=_cut(item.author_handle, rules.handle_chars),
        author_id=_cut(item.author_id, rules.handle_chars),
        url=_cut(item.url, rules.url_chars),
        thread=thread,
    )
    return fitted, original


__all__ = ["InboxLimits", "ThreadPost", "fit", "limits"]
