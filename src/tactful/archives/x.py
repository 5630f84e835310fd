"""X (Twitter) archive: data/tweets.js (or tweet.js, tweets-part1.js, ...), note tweets for
long posts, the account name for links, and media files in data/tweets_media/. Archives
from before 2019 (``data/js/tweets/YYYY_MM.js``, ``tweets.csv``) are read by grailbird.py
into the same posts."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from tactful.archives import grailbird
from tactful.archives.base import (
    ArchivedPost,
    Item,
    Skipped,
    Unreadable,
    guard_file,
)
from tactful.archives.jsstream import load_assigned, stream_assigned_records
from tactful.archives.source import ArchiveSource
from tactful.core.post import Post
from tactful.errors import LimitExceeded

# Relative patterns match from the right: data/tweets.js in an archive, or tweets.js alone.
TWEET_FILES = ("tweets.js", "tweet.js", "tweets-part*.js", "tweet-part*.js")
MONTH_NAMES: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun")
MONTH_NAMES += ("Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {m: i for i, m in enumerate(MONTH_NAMES, 1)}
STATUS_URL = re.compile(r"https?://(?:www\.)?(?:twitter|x)\.com/\w+/status/\d+")
ELLIPSIS_END = re.compile(r"…(?:\s+https://t\.co/\w+)*\s*$")


def parse_created_at(value: str) -> datetime:
    """``Wed Oct 10 20:19:24 +0000 2018`` (fast: a million of these in an archive), or
    ``2018-10-10 20:19:24 +0000`` as archives before 2019 wrote it."""
    if value[:4].isdigit():
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z").astimezone(UTC)
    _, mon, day, clock, offset, year = value.split()
    h, m, s = clock.split(":")
    dt = datetime(int(year), MONTHS[mon], int(day), int(h), int(m), int(s), tzinfo=UTC)
    if offset not in ("+0000", "-0000"):
        dt = datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    return dt


def _part_number(name: str) -> int:
    m = re.search(r"-part(\d+)\.js$", name)
    return int(m.group(1)) if m else 0


def _reply_to(tweet: dict[str, Any]) -> str | None:
    """What a tweet replies to: the tweet's id, or, when the archive kept only whom it
    answered (the tweet replied to was deleted, or an early @reply), that account."""
    status = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
    if status:
        return str(status)
    name = tweet.get("in_reply_to_screen_name")
    if name:
        return f"@{name}"
    user = tweet.get("in_reply_to_user_id_str") or tweet.get("in_reply_to_user_id")
    return f"user:{user}" if user and str(user) not in ("0", "-1") else None


def _author(tweet: dict[str, Any]) -> str | None:
    """The account's name as a tweet of a Grailbird archive carries it."""
    user = tweet.get("user")
    name = user.get("screen_name") if isinstance(user, dict) else None
    return str(name) if name else None


class XImporter:
    name = "x"
    platform = "x"

    def detect(self, source: ArchiveSource) -> bool:
        return bool(source.find(*TWEET_FILES) or grailbird.inputs(source))

    def inputs(self, source: ArchiveSource) -> list[str]:
        """tweets.js first, then tweets-part1.js, tweets-part2.js, ...; in an archive from
        before 2019, the monthly files (or tweets.csv)."""
        return sorted(source.find(*TWEET_FILES), key=_part_number) or grailbird.inputs(source)

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        if not source.find(*TWEET_FILES):
            user = grailbird.username(source)
            yield from grailbird.read(
                source, partial(self._item, username=user, notes={}, media={})
            )
            return
        problems: list[Unreadable] = []
        username = self._username(source, problems)
        notes = self._notes(source, problems)
        media = self._media_index(source)
        yield from problems
        for name in self.inputs(source):
            yield from guard_file(name, self._file(source, name, username, notes, media))

    def _file(
        self,
        source: ArchiveSource,
        name: str,
        username: str | None,
        notes: dict[int, list[tuple[datetime, str]]],
        media: dict[str, list[str]],
    ) -> Iterator[Item]:
        convert = partial(self._item, username=username, notes=notes, media=media)
        yield from stream_assigned_records(source, name, convert)

    def _item(
        self,
        entry: Any,
        where: str,
        username: str | None,
        notes: dict[int, list[tuple[datetime, str]]],
        media: dict[str, list[str]],
    ) -> Item:
        tweet = entry.get("tweet", entry) if isinstance(entry, dict) else None
        if not isinstance(tweet, dict):
            return Unreadable(where, "not a tweet object")
        tid = str(tweet.get("id_str") or tweet.get("id") or "")
        text = tweet.get("full_text", tweet.get("text"))
        created = tweet.get("created_at")
        if not tid or not isinstance(text, str) or not isinstance(created, str):
            return Unreadable(where, "a tweet without id, text or date")
        try:
            when = parse_created_at(created)
        except (ValueError, KeyError):
            return Unreadable(where, f"unreadable date {created!r}")
        text = html.unescape(text)
        entities = tweet.get("entities") or {}
        links: list[str] = []
        for u in entities.get("urls") or []:
            if isinstance(u, dict) and u.get("url") and u.get("expanded_url"):
                text = text.replace(u["url"], u["expanded_url"])
                links.append(str(u["expanded_url"]))
        if ELLIPSIS_END.search(text):
            text = self._note_text(text, when, notes) or text
        reply_to = _reply_to(tweet)
        if text.startswith("RT @") or tweet.get("retweeted_status"):
            kind = "repost"
        elif reply_to:
            kind = "reply"
        elif any(
            STATUS_URL.match(str(u.get("expanded_url", "")))
            for u in entities.get("urls") or []
            if isinstance(u, dict)
        ):
            kind = "quote"
        else:
            kind = "post"
        refs = [
            m.get("media_url_https") or m.get("media_url") or ""
            for m in (tweet.get("extended_entities") or entities).get("media") or []
            if isinstance(m, dict)
        ]
        files = media.get(tid, [])
        missing = tuple(r for r in refs if r) if refs and not files else ()
        if not text.strip():
            return Skipped(where, "empty post")
        return ArchivedPost(
            post=Post.build(
                text,
                platform="x",
                created_at=when,
                source_id=tid,
                reply_to=reply_to,
            ),
            kind=kind,
            url=f"https://x.com/{username or _author(tweet) or 'i/web'}/status/{tid}",
            visibility="public",
            media=tuple(files),
            missing_media=missing,
            links=tuple(dict.fromkeys(links)),
        )

    @staticmethod
    def _username(source: ArchiveSource, problems: list[Unreadable]) -> str | None:
        """The account's name, for links; a file past a read limit is reported."""
        name = "data/account.js"
        if not source.exists(name):
            return None
        try:
            data = load_assigned(source, name)
            return str(data[0]["account"]["username"])
        except LimitExceeded as exc:
            problems.append(Unreadable(name, f"{exc}; links to posts use x.com/i/web"))
        except (ValueError, KeyError, IndexError, TypeError):
            pass
        return None

    @staticmethod
    def _notes(
        source: ArchiveSource, problems: list[Unreadable]
    ) -> dict[int, list[tuple[datetime, str]]]:
        """Long posts' full text, by creation second (a note carries no tweet id). A note
        that cannot be read leaves its post as the archive cut it, and is reported."""
        out: dict[int, list[tuple[datetime, str]]] = defaultdict(list)

        def note(entry: Any, where: str) -> Item:
            try:
                note = entry.get("noteTweet", {})
                when = datetime.fromisoformat(note["createdAt"].replace("Z", "+00:00"))
                out[int(when.timestamp())].append((when, html.unescape(note["core"]["text"])))
            except (ValueError, KeyError, TypeError, AttributeError):
                pass  # a note of another shape: its post keeps the text the archive cut
            return Skipped(where, "a note")

        for name in source.find("data/note-tweet.js", "data/note-tweet-part*.js"):
            for item in guard_file(name, stream_assigned_records(source, name, note)):
                if isinstance(item, Unreadable) and not item.reason.startswith("no records"):
                    problems.append(Unreadable(item.where, f"a long post's note: {item.reason}"))
        return out

    @staticmethod
    def _note_text(
        text: str, when: datetime, notes: dict[int, list[tuple[datetime, str]]]
    ) -> str | None:
        stem = ELLIPSIS_END.sub("", text).strip()
        stem = re.sub(r"^(@\w+\s+)+", "", stem)[:40]
        second = int(when.timestamp())
        for delta in range(-5, 6):
            for _, full in notes.get(second + delta, []):
                if full.startswith(stem):
                    return full
        return None

    @staticmethod
    def _media_index(source: ArchiveSource) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for name in source.find("data/tweets_media/*", "data/tweet_media/*"):
            tid = name.rsplit("/", 1)[-1].split("-", 1)[0]
            index[tid].append(name)
        return index
