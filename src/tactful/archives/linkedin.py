"""LinkedIn data export: Shares.csv (your posts) and Comments.csv (your comments). Dates are
``YYYY-MM-DD HH:MM:SS`` in UTC; a multi-line post is one quoted field whose every line is
also wrapped in quotes; comments escape quotes with a backslash."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import unquote

from tactful.archives.base import ArchivedPost, Item, Skipped, Unreadable, guard_file
from tactful.archives.source import ArchiveSource
from tactful.core.post import Post

csv.field_size_limit(10 * 1024 * 1024)


def unwrap_lines(text: str) -> str:
    """Undo the per-line quoting of a multi-line ShareCommentary."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    out = []
    for i, line in enumerate(lines):
        if i > 0 and line.startswith('"'):
            line = line[1:]
        if i < len(lines) - 1 and line.endswith('"'):
            line = line[:-1]
        out.append(line)
    return "\n".join(out)


def _date(value: str) -> datetime:
    return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _rows(
    source: ArchiveSource, name: str, escapechar: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    with source.open(name) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.DictReader(text, escapechar=escapechar)
        for row in reader:
            yield reader.line_num, row


class LinkedInImporter:
    name = "linkedin"
    platform = "linkedin"

    def detect(self, source: ArchiveSource) -> bool:
        return bool(source.find("Shares*.csv", "Comments.csv"))

    def inputs(self, source: ArchiveSource) -> list[str]:
        return source.find("Shares*.csv", "Comments.csv")

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        for name in source.find("Shares*.csv"):
            yield from guard_file(name, self._shares(source, name))
        for name in source.find("Comments.csv"):
            yield from guard_file(name, self._comments(source, name))

    def _shares(self, source: ArchiveSource, name: str) -> Iterator[Item]:
        try:
            for line, row in _rows(source, name):
                where = f"{name}:{line}"
                text = unwrap_lines((row.get("ShareCommentary") or "").replace("\r\n", "\n"))
                link = (row.get("ShareLink") or "").strip()
                problem = _row_problem(row, "ShareCommentary")
                if problem:
                    yield Unreadable(where, problem)
                    continue
                if not text.strip():
                    yield Skipped(where, "share without text (a reshare or media only)")
                    continue
                try:
                    when = _date(row["Date"])
                except ValueError:
                    yield Unreadable(where, f"unreadable date {row['Date']!r}")
                    continue
                visibility = (row.get("Visibility") or "").strip().lower() or None
                yield ArchivedPost(
                    post=Post.build(
                        text, platform="linkedin", created_at=when, source_id=link or where
                    ),
                    kind="post",
                    url=_url(link),
                    visibility="connections" if visibility == "member_network" else visibility,
                    media=tuple(u for u in [(row.get("MediaUrl") or "").strip()] if u),
                )
        except csv.Error as exc:
            yield Unreadable(
                name, f"the file stops being valid CSV ({exc}); rows before it were read"
            )

    def _comments(self, source: ArchiveSource, name: str) -> Iterator[Item]:
        try:
            for line, row in _rows(source, name, escapechar="\\"):
                where = f"{name}:{line}"
                problem = _row_problem(row, "Message")
                if problem:
                    yield Unreadable(where, problem)
                    continue
                text = (row.get("Message") or "").replace("\r\n", "\n")
                if not text.strip():
                    yield Skipped(where, "empty comment")
                    continue
                try:
                    when = _date(row["Date"])
                except ValueError:
                    yield Unreadable(where, f"unreadable date {row['Date']!r}")
                    continue
                link = (row.get("Link") or "").strip()
                yield ArchivedPost(
                    post=Post.build(
                        text,
                        platform="linkedin",
                        created_at=when,
                        source_id=f"comment:{link}:{row['Date']}",
                        reply_to=link or "post",
                    ),
                    kind="comment",
                    url=_url(link),
                    visibility="public",
                )
        except csv.Error as exc:
            yield Unreadable(
                name, f"the file stops being valid CSV ({exc}); rows before it were read"
            )


# A quote left open swallows the rows after it into one field: a line that starts like a
# row ("2024-01-31 09:00:00,") inside a field means rows were lost.
SWALLOWED = re.compile(r"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,")


def _row_problem(row: dict[str, str], text_field: str) -> str | None:
    if any(SWALLOWED.search(v) for v in row.values() if isinstance(v, str)):
        return "a quote is not closed, so the rows after it ran together; they were not read"
    if None in row or None in row.values():
        return "a row with missing or extra columns"
    if not row.get("Date"):
        return "a row without a date"
    return None


def _url(link: str) -> str | None:
    if not link:
        return None
    if link.startswith("http"):
        return link
    return "https://www.linkedin.com/feed/update/" + unquote(link)
