"""Mastodon account archive (.tar.gz, folder or outbox.json alone): the outbox's Create
activities are the user's own posts (HTML to text with each link's target in place of its
shortened display, visibility from the addressing, a poll's options after its question);
boosts carry no text of their own and are counted as skipped."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from tactful.archives.base import (
    ArchivedPost,
    Item,
    Skipped,
    Unreadable,
    guard_file,
    parse_iso,
)
from tactful.archives.jsstream import stream_records
from tactful.archives.source import ArchiveSource
from tactful.archives.textutil import html_text_and_links, html_to_text
from tactful.core.post import Post

PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})


def visibility(obj: dict[str, Any]) -> str:
    to = set(obj.get("to") or [])
    cc = set(obj.get("cc") or [])
    if to & PUBLIC:
        return "public"
    if cc & PUBLIC:
        return "unlisted"
    if any(str(a).endswith("/followers") for a in to | cc):
        return "followers"
    return "direct"


def poll_options(obj: dict[str, Any]) -> list[str]:
    """A poll's (``Question``) options: ``oneOf`` for one choice, ``anyOf`` for several."""
    if obj.get("type") != "Question":
        return []
    choices = obj.get("oneOf") or obj.get("anyOf") or []
    return [
        str(c["name"]).strip()
        for c in choices
        if isinstance(c, dict) and isinstance(c.get("name"), str) and c["name"].strip()
    ]


class MastodonImporter:
    name = "mastodon"
    platform = "mastodon"

    def detect(self, source: ArchiveSource) -> bool:
        names = source.find("outbox.json")
        if not names:
            return False
        with source.open(names[0]) as fh:
            head = fh.read(4096)
        return b"OrderedCollection" in head or b"orderedItems" in head

    def inputs(self, source: ArchiveSource) -> list[str]:
        return source.find("outbox.json")

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        names = source.find("outbox.json")
        if not names:
            yield Unreadable(source.path.name, "no outbox.json in this export")
            return
        # Attachments by their path from "media_attachments/" on (real paths are deep).
        media_files = {
            n[n.index("media_attachments/") :]: n for n in source.names if "media_attachments/" in n
        }
        yield from guard_file(names[0], self._file(source, names[0], media_files))

    def _file(
        self, source: ArchiveSource, name: str, media_files: dict[str, str]
    ) -> Iterator[Item]:
        with source.open(name) as fh:
            convert = partial(self._item, media_files=media_files)
            yield from stream_records(fh, ("orderedItems",), name, convert)

    def _item(self, activity: Any, where: str, media_files: dict[str, str]) -> Item:
        if not isinstance(activity, dict):
            return Unreadable(where, "not an activity object")
        kind = activity.get("type")
        if kind == "Announce":
            return Skipped(where, "boost (the archive holds no text for it)")
        obj = activity.get("object")
        if kind != "Create" or not isinstance(obj, dict):
            return Skipped(where, f"{kind or 'unknown'} activity")
        text, links = html_text_and_links(str(obj.get("content") or ""))
        options = poll_options(obj)
        if options:
            text = "\n\n".join(p for p in (text, "\n".join(f"- {o}" for o in options)) if p)
        if obj.get("summary"):
            text = f"{html_to_text(str(obj['summary']))}\n\n{text}".strip()
        if not text:
            return Skipped(where, "empty post")
        published = obj.get("published") or activity.get("published")
        when = parse_iso(published)
        if when is None:
            return Unreadable(where, f"unreadable date {published!r}")
        media: list[str] = []
        missing: list[str] = []
        for att in obj.get("attachment") or []:
            url = str(att.get("url") or "") if isinstance(att, dict) else ""
            if not url:
                continue
            rel = url[url.find("media_attachments/") :] if "media_attachments/" in url else url
            match = media_files.get(rel)
            (media if match else missing).append(match or rel)
        reply = obj.get("inReplyTo")
        quote = obj.get("quote") or obj.get("quoteUri") or obj.get("_misskey_quote")
        return ArchivedPost(
            post=Post.build(
                text,
                platform="mastodon",
                created_at=when,
                source_id=str(obj.get("id") or activity.get("id") or where),
                reply_to=str(reply) if reply else None,
            ),
            kind="reply" if reply else ("quote" if quote else "post"),
            url=str(obj.get("url") or obj.get("id") or "") or None,
            visibility=visibility(obj),
            media=tuple(media),
            missing_media=tuple(missing),
            links=links,
        )
