"""Facebook and Instagram exports ("Download your information", JSON). Text is repaired
from Meta's mojibake; posts carry no id or link, so the id is the time plus a hash.
Instagram's comments (2024 on: ``your_instagram_activity/comments/post_comments_1.json``,
the text under ``string_map_data``) are read as replies to the post's owner. An export
downloaded as HTML cannot be read: ``diagnose`` says how to download the JSON one."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tactful.archives.base import (
    ArchivedPost,
    Item,
    Skipped,
    Unreadable,
    guard_file,
)
from tactful.archives.boundedjson import ANY_KEY
from tactful.archives.jsstream import stream_records
from tactful.archives.source import ArchiveSource
from tactful.archives.textutil import fix_mojibake
from tactful.core.post import Post

FB_POSTS = (
    "your_facebook_activity/posts/your_posts*.json",
    "your_activity_across_facebook/posts/your_posts*.json",
    "posts/your_posts*.json",
)
FB_COMMENTS = (
    "your_facebook_activity/comments_and_reactions/comments*.json",
    "your_activity_across_facebook/comments_and_reactions/comments*.json",
    "comments_and_reactions/comments*.json",
    "comments/comments*.json",
)
IG_POSTS = (
    "your_instagram_activity/content/posts_*.json",
    "your_instagram_activity/media/posts_*.json",
    "content/posts_*.json",
)
IG_COMMENTS = (
    "your_instagram_activity/comments/post_comments*.json",
    "your_instagram_activity/comments/reels_comments*.json",
    "comments/post_comments*.json",
    "comments/reels_comments*.json",
)

# The same exports downloaded as HTML (the default format of "Download your information").
FB_HTML = (
    *(p.removesuffix(".json") + ".html" for p in FB_POSTS),
    "your_facebook_activity/*/*.html",
    "html/timeline.htm",
)
IG_HTML = (
    *(p.removesuffix(".json") + ".html" for p in IG_POSTS + IG_COMMENTS),
    "your_instagram_activity/*/*.html",
)
JSON_ADVICE = (
    "{name}: this {network} export is in HTML, which tactful cannot read; download it again "
    "as JSON ({network}: Settings, Accounts Center, Your information and permissions, "
    "Download your information, Download or transfer information; choose Format: JSON)"
)


def _html_advice(source: ArchiveSource, patterns: tuple[str, ...], network: str) -> str | None:
    # A JSON export has HTML pages too at times; one with any JSON is not an HTML export.
    if not source.find(*patterns) or source.find("*.json"):
        return None
    return JSON_ADVICE.format(name=source.path.name, network=network)


def _id(ts: int, text: str) -> str:
    return f"{ts}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def _when(ts: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(ts), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _media(
    items: list[dict[str, Any]], source: ArchiveSource
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found: list[str] = []
    missing: list[str] = []
    for m in items:
        uri = str(m.get("uri") or "")
        if not uri or uri.startswith("http"):
            continue
        (found if source.exists(uri) else missing).append(uri)
    return tuple(found), tuple(missing)


def _stream(
    source: ArchiveSource, name: str, convert: Callable[[Any, str, ArchiveSource], Item]
) -> Iterator[Item]:
    """The records of a JSON array, at the top or under a key of the top object
    (``{"comments_v2": [...]}``)."""
    with source.open(name) as fh:
        yield from stream_records(fh, (ANY_KEY,), name, partial(_repaired, convert, source))


def _repaired(
    convert: Callable[[Any, str, ArchiveSource], Item], source: ArchiveSource, raw: Any, where: str
) -> Item:
    return convert(fix_mojibake(raw), where, source)


class FacebookImporter:
    name = "facebook"
    platform = "facebook"

    def detect(self, source: ArchiveSource) -> bool:
        return bool(source.find(*FB_POSTS))

    def diagnose(self, source: ArchiveSource) -> str | None:
        """Why an export this importer does not detect is still Facebook's, and what to do."""
        return _html_advice(source, FB_HTML, "Facebook")

    def inputs(self, source: ArchiveSource) -> list[str]:
        return source.find(*FB_POSTS, *FB_COMMENTS)

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        for name in source.find(*FB_POSTS):
            yield from guard_file(name, _stream(source, name, self._post))
        for name in source.find(*FB_COMMENTS):
            yield from guard_file(name, _stream(source, name, self._comment))

    def _post(self, raw: Any, where: str, source: ArchiveSource) -> Item:
        if not isinstance(raw, dict):
            return Unreadable(where, "not a post object")
        when = _when(raw.get("timestamp"))
        if when is None:
            return Unreadable(where, "a post without a readable timestamp")
        text = "\n\n".join(
            d["post"] for d in raw.get("data") or [] if isinstance(d, dict) and d.get("post")
        )
        media_items = [
            d["media"]
            for a in raw.get("attachments") or []
            if isinstance(a, dict)
            for d in a.get("data") or []
            if isinstance(d, dict) and isinstance(d.get("media"), dict)
        ]
        if not text.strip():
            return Skipped(where, "post without text (photo, link or share)")
        media, missing = _media(media_items, source)
        return ArchivedPost(
            post=Post.build(
                text,
                platform="facebook",
                created_at=when,
                source_id=_id(int(when.timestamp()), text),
            ),
            kind="post",
            media=media,
            missing_media=missing,
        )

    @staticmethod
    def _comment(raw: Any, where: str, source: ArchiveSource) -> Item:
        comment = next(
            (
                d["comment"]
                for d in (raw.get("data") or [] if isinstance(raw, dict) else [])
                if isinstance(d, dict) and isinstance(d.get("comment"), dict)
            ),
            None,
        )
        if comment is None or not str(comment.get("comment") or "").strip():
            return Skipped(where, "comment without text")
        when = _when(comment.get("timestamp") or raw.get("timestamp"))
        if when is None:
            return Unreadable(where, "a comment without a readable timestamp")
        text = str(comment["comment"])
        return ArchivedPost(
            post=Post.build(
                text,
                platform="facebook",
                created_at=when,
                source_id="comment-" + _id(int(when.timestamp()), text),
                reply_to=str(raw.get("title") or "post"),
            ),
            kind="comment",
        )


class InstagramImporter:
    name = "instagram"
    platform = "instagram"

    def detect(self, source: ArchiveSource) -> bool:
        return bool(source.find(*IG_POSTS, *IG_COMMENTS))

    def diagnose(self, source: ArchiveSource) -> str | None:
        """Why an export this importer does not detect is still Instagram's, and what to do."""
        return _html_advice(source, IG_HTML, "Instagram")

    def inputs(self, source: ArchiveSource) -> list[str]:
        return source.find(*IG_POSTS) + source.find(*IG_COMMENTS)

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        for name in source.find(*IG_POSTS):
            yield from guard_file(name, _stream(source, name, self._post))
        for name in source.find(*IG_COMMENTS):
            yield from guard_file(name, _stream(source, name, self._comment))

    @staticmethod
    def _comment(raw: Any, where: str, source: ArchiveSource) -> Item:
        fields = raw.get("string_map_data") if isinstance(raw, dict) else None
        if not isinstance(fields, dict):
            return Unreadable(where, "not a comment object (no string_map_data)")
        text = str((fields.get("Comment") or {}).get("value") or "")
        owner = str((fields.get("Media Owner") or {}).get("value") or "")
        stamp = (fields.get("Time") or {}).get("timestamp") or next(
            (f["timestamp"] for f in fields.values() if isinstance(f, dict) and "timestamp" in f),
            None,
        )
        if not text.strip():
            return Skipped(where, "comment without text")
        when = _when(stamp)
        if when is None:
            return Unreadable(where, "a comment without a readable timestamp")
        return ArchivedPost(
            post=Post.build(
                text,
                platform="instagram",
                created_at=when,
                source_id="comment-" + _id(int(when.timestamp()), text),
                reply_to=f"@{owner}" if owner else "post",
            ),
            kind="comment",
        )

    def _post(self, raw: Any, where: str, source: ArchiveSource) -> Item:
        if not isinstance(raw, dict) or not isinstance(raw.get("media"), list) or not raw["media"]:
            return Unreadable(where, "not a post object with media")
        first = raw["media"][0] if isinstance(raw["media"][0], dict) else {}
        caption = str(raw.get("title") or first.get("title") or "")
        when = _when(raw.get("creation_timestamp") or first.get("creation_timestamp"))
        if when is None:
            return Unreadable(where, "a post without a readable timestamp")
        if not caption.strip():
            return Skipped(where, "post without a caption")
        media, missing = _media([m for m in raw["media"] if isinstance(m, dict)], source)
        return ArchivedPost(
            post=Post.build(
                caption,
                platform="instagram",
                created_at=when,
                source_id=_id(int(when.timestamp()), caption),
            ),
            kind="post",
            media=media,
            missing_media=missing,
        )
