"""LinkedIn data export: Shares.csv (your posts) and Comments.csv (your comments). Dates are
``YYYY-MM-DD HH:MM:SS`` in UTC; a multi-line post is one quoted field whose every line is
also wrapped in quotes; comments escape quotes with a backslash. Exports of 2018 and
before wrote Shares.csv in UTF-16 with tabs between fields and spaces in the column names
("Share Commentary"): the encoding, delimiter and names are read from the file (csvtext)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from urllib.parse import unquote

from tactful.archives.base import ArchivedPost, Item, Skipped, Unreadable, guard_file
from tactful.archives.csvtext import dict_rows
from tactful.archives.source import ArchiveSource
from tactful.core.post import Post

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%y %H:%M",
    "%d %b %Y",
)


def unwrap_lines(text: str) -> str:
    """Undo the per-line quoting of a multi-line ShareCommentary (only where every line
    break shows it: a quote that starts a line of its own is kept)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text
    if not all(a.endswith('"') and b.startswith('"') for a, b in pairwise(lines)):
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
    """A date as LinkedIn wrote it (UTC); ValueError when no known form fits."""
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(value)


def _rows(
    source: ArchiveSource, name: str, escapechar: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    with source.open(name) as raw:
        yield from dict_rows(raw, escapechar=escapechar)


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
                text = unwrap_lines((row.get("sharecommentary") or "").replace("\r\n", "\n"))
                link = (row.get("sharelink") or "").strip()
                problem = _row_problem(row)
                if problem:
                    yield Unreadable(where, problem)
                    continue
                if not text.strip():
                    yield Skipped(where, "share without text (a reshare or media only)")
                    continue
                try:
                    when = _date(row["date"])
                except ValueError:
                    yield Unreadable(where, f"unreadable date {row['date']!r}")
                    continue
                visibility = (row.get("visibility") or "").strip().lower() or None
                yield ArchivedPost(
                    post=Post.build(
                        text, platform="linkedin", created_at=when, source_id=link or where
                    ),
                    kind="post",
                    url=_url(link),
                    visibility="connections" if visibility == "member_network" else visibility,
                    media=tuple(u for u in [(row.get("mediaurl") or "").strip()] if u),
                )
        except csv.Error as exc:
            yield Unreadable(
                name, f"the file stops being valid CSV ({exc}); rows before it were read"
            )

    def _comments(self, source: ArchiveSource, name: str) -> Iterator[Item]:
        try:
            for line, row in _rows(source, name, escapechar="\\"):
                where = f"{name}:{line}"
                problem = _row_problem(row)
                if problem:
                    yield Unreadable(where, problem)
                    continue
                text = (row.get("message") or "").replace("\r\n", "\n")
                if not text.strip():
                    yield Skipped(where, "empty comment")
                    continue
                try:
                    when = _date(row["date"])
                except ValueError:
                    yield Unreadable(where, f"unreadable date {row['date']!r}")
                    continue
                link = (row.get("link") or "").strip()
                yield ArchivedPost(
                    post=Post.build(
                        text,
                        platform="linkedin",
                        created_at=when,
                        source_id=f"comment:{link}:{row['date']}",
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
SWALLOWED = re.compile(r"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,\t;]")


def _row_problem(row: dict[str, str]) -> str | None:
    if any(SWALLOWED.search(v) for v in row.values() if isinstance(v, str)):
        return "a quote is not closed, so the rows after it ran together; they were not read"
    if None in row or None in row.values():
        return "a row with missing or extra columns"
    if not row.get("date"):
        return "a row without a date"
    return None


def _url(link: str) -> str | None:
    if not link:
        return None
    if link.startswith("http"):
        return link
    return "https://www.linkedin.com/feed/update/" + unquote(link)
