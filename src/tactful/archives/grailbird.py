"""X (Twitter) archives from before 2019, known by their viewer's name, "Grailbird": one file
per month, ``data/js/tweets/YYYY_MM.js``, assigning a JSON array of tweets (API v1.1
objects, ``created_at`` as ``2013-01-31 22:10:13 +0000`` or in the API's own form) to
``Grailbird.data.tweets_YYYY_MM``; the account in ``data/js/user_details.js``; and the same
tweets again, with fewer fields, in ``tweets.csv``. The monthly files are read when there
are any; ``tweets.csv`` only when it is all there is (reading both would count every post
twice). The X importer reads these archives as it reads today's (x.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tactful.archives.base import Item, Unreadable, guard_file, guard_record
from tactful.archives.csvtext import dict_rows
from tactful.archives.jsstream import load_assigned, stream_assigned_records
from tactful.archives.source import ArchiveSource

MONTH_FILES = ("data/js/tweets/*.js",)
MONTH_NAME = re.compile(r"(?:^|/)\d{4}_\d{2}\.js$")
CSV_FILE = "tweets.csv"
TCO = re.compile(r"https?://t\.co/\w+")

Convert = Callable[[Any, str], Item]


def month_files(source: ArchiveSource) -> list[str]:
    """``data/js/tweets/2013_01.js``, ``2013_02.js``, ... in time order."""
    return [n for n in source.find(*MONTH_FILES) if MONTH_NAME.search(n)]


def csv_files(source: ArchiveSource) -> list[str]:
    """``tweets.csv`` when its header is the archive's (``tweet_id`` first)."""
    found = []
    for name in source.find(CSV_FILE):
        with source.open(name) as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf").lstrip(b'"')
        if head.startswith(b"tweet_id"):
            found.append(name)
    return found


def inputs(source: ArchiveSource) -> list[str]:
    return month_files(source) or csv_files(source)


def username(source: ArchiveSource) -> str | None:
    for name in source.find("data/js/user_details.js"):
        try:
            return str(load_assigned(source, name)["screen_name"])
        except (ValueError, KeyError, TypeError):
            return None
    return None


def read(source: ArchiveSource, convert: Convert) -> Iterator[Item]:
    """Each tweet, converted by ``convert(tweet, where)`` (the X importer's, so old and new
    archives give the same posts)."""
    months = month_files(source)
    for name in months:
        yield from guard_file(name, _month(source, name, convert))
    if not months:
        for name in csv_files(source):
            yield from guard_file(name, _csv(source, name, convert))


def _month(source: ArchiveSource, name: str, convert: Convert) -> Iterator[Item]:
    yield from stream_assigned_records(source, name, convert)


def _csv(source: ArchiveSource, name: str, convert: Convert) -> Iterator[Item]:
    import csv

    try:
        with source.open(name) as fh:
            for line, row in dict_rows(fh):
                where = f"{name}:{line}"
                if None in row or None in row.values():
                    yield Unreadable(where, "a row with missing or extra columns")
                    continue
                yield guard_record(where, convert, tweet_from_row(row), where)
    except csv.Error as exc:
        yield Unreadable(name, f"the file stops being valid CSV ({exc}); rows before it were read")


def tweet_from_row(row: dict[str, str]) -> dict[str, Any]:
    """A ``tweets.csv`` row as the tweet object the monthly files hold. The row lists the
    expanded links in the order the text has its t.co links; paired only when the counts
    agree. A link to the tweet's own photo or video stays a t.co link, as in the monthly
    files (there it is media, not a link)."""
    tid = row.get("tweetid") or ""
    text = row.get("text") or ""
    expanded = [u for u in (row.get("expandedurls") or "").split(",") if u]
    short = TCO.findall(text)
    own_media = re.compile(rf"/status/{re.escape(tid)}/(?:photo|video)/")
    urls = (
        [
            {"url": s, "expanded_url": e}
            for s, e in zip(short, expanded, strict=True)
            if not own_media.search(e)
        ]
        if len(short) == len(expanded)
        else []
    )
    return {
        "id_str": tid,
        "text": text,
        "created_at": row.get("timestamp") or "",
        "in_reply_to_status_id_str": row.get("inreplytostatusid") or None,
        "in_reply_to_user_id_str": row.get("inreplytouserid") or None,
        "retweeted_status": {"id_str": row["retweetedstatusid"]}
        if row.get("retweetedstatusid")
        else None,
        "entities": {"urls": urls},
    }
