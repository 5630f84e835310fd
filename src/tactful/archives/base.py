"""What every importer produces: posts from an archive, with where they came from, and the
records it could not read (counted and reported, never silently dropped)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from tactful.archives.source import ArchiveSource
from tactful.core.post import Post


@dataclass(frozen=True, slots=True)
class ArchivedPost:
    """A post (or comment, reply, repost) read from an export."""

    post: Post
    kind: str = "post"  # post | reply | repost | quote | comment
    url: str | None = None
    visibility: str | None = None  # public | unlisted | followers | direct | connections
    media: tuple[str, ...] = ()  # paths inside the archive, or URLs
    missing_media: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # where the post's links lead (full URLs, not display text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.post.source_id,
            "kind": self.kind,
            "url": self.url,
            "visibility": self.visibility,
            "created_at": self.post.created_at.isoformat() if self.post.created_at else None,
            "media": list(self.media),
            "missing_media": list(self.missing_media),
            "links": list(self.links),
        }


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record that could not be read: where, and why."""

    where: str
    reason: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record deliberately not checked (a boost with no text of its own, an empty post)."""

    where: str
    reason: str


Item = ArchivedPost | Unreadable | Skipped


@runtime_checkable
class Importer(Protocol):
    """One export format. ``detect`` looks at the files; ``read`` yields items in a stable
    order (an interrupted audit resumes by position). An importer may also have
    ``diagnose(source) -> str | None``: for an export of its network that it cannot read (a
    download in another format), one line saying what to download instead."""

    name: str
    platform: str

    def detect(self, source: ArchiveSource) -> bool: ...

    def inputs(self, source: ArchiveSource) -> list[str]:
        """The files ``read`` goes through (their sizes give the progress total)."""
        ...

    def read(self, source: ArchiveSource) -> Iterator[Item]: ...


def parse_iso(value: object) -> datetime | None:
    """An ISO 8601 time; one without a zone is taken as UTC (some exports omit it)."""
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


RECORD_ERRORS = (AttributeError, TypeError, KeyError, ValueError, IndexError)


def guard_record(where: str, convert: Callable[..., Item], *args: Any) -> Item:
    """One record: a field of an unexpected type makes it unreadable, not the whole audit."""
    try:
        return convert(*args)
    except RECORD_ERRORS as exc:
        return Unreadable(where, f"a malformed record ({type(exc).__name__})")


def guard_file(name: str, items: Iterator[Item]) -> Iterator[Item]:
    """A file's items; damage part way (a bad zip member, a truncated stream) or a read limit
    reached ends that file with one Unreadable, and the records before it are kept."""
    import tarfile
    import zipfile
    import zlib

    from tactful.errors import LimitExceeded, TactfulError

    try:
        yield from items
    except LimitExceeded as exc:  # says what was not read
        yield Unreadable(name, str(exc))
    except (
        TactfulError,
        zlib.error,
        zipfile.BadZipFile,
        tarfile.TarError,
        EOFError,
        OSError,
    ) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        yield Unreadable(name, f"the file is damaged ({reason}); records before it were read")
