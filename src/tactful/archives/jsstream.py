"""Streaming JSON reading for exports too big to load at once: constant memory, and every
record within the read limits (boundedjson)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import IO, Any

from tactful.archives.base import Item, Unreadable, guard_record
from tactful.archives.boundedjson import Problem, load_whole, parse_record, scan
from tactful.archives.limits import read_limits


class AfterAssignment:
    """A file object that starts after ``window.YTD.tweets.part0 =`` (X's .js files) or
    ``Grailbird.data.tweets_2013_01 =`` (X's archives before 2019)."""

    def __init__(self, fh: IO[bytes]):
        self._fh = fh
        self._buf = b""
        head = b""
        while b"=" not in head:
            chunk = fh.read(256)
            if not chunk:
                raise ValueError("no 'window.YTD... =' or 'Grailbird.data... =' at the start")
            head += chunk
            if len(head) > 4096:
                raise ValueError("no 'window.YTD... =' or 'Grailbird.data... =' in the first 4 KB")
        self._buf = head.split(b"=", 1)[1]

    def read(self, n: int = -1) -> bytes:
        if self._buf:
            if n < 0:
                out, self._buf = self._buf + self._fh.read(), b""
                return out
            out, self._buf = self._buf[:n], self._buf[n:]
            return out
        return self._fh.read(n)


def stream_records(
    fh: Any,
    keys: Collection[str] | None,
    name: str,
    convert: Callable[[Any, str], Item],
) -> Iterator[Item]:
    """Each record of the file's list (see :func:`boundedjson.scan` for ``keys``), converted
    by ``convert(raw, where)``: a record that cannot be read, or that ``convert`` finds
    malformed, is one Unreadable; a problem that ends the file is its last one."""
    for i, raw in enumerate(scan(fh, keys)):
        where = f"{name}[{i}]"
        value = parse_record(raw) if isinstance(raw, bytes) else raw
        if isinstance(value, Problem):
            yield Unreadable(name if value.ends_file else where, value.reason)
            if value.ends_file:
                return
            continue
        yield guard_record(where, convert, value, where)


def stream_assigned_records(
    source: Any, name: str, convert: Callable[[Any, str], Item]
) -> Iterator[Item]:
    """:func:`stream_records` of the array a ``.js`` file of an X archive assigns
    (``window.YTD.tweets.part0 = [...]``, ``Grailbird.data.tweets_2013_01 = [...]``)."""
    with source.open(name) as fh:
        try:
            stream = AfterAssignment(fh)
        except ValueError as exc:
            yield Unreadable(name, str(exc))
            return
        yield from stream_records(stream, None, name, convert)


def load_assigned(source: Any, name: str) -> Any:
    """The whole value a small ``.js`` file assigns (``account.js``, ``user_details.js``),
    within ``record_bytes`` and ``json_depth``: ValueError when it cannot be read (a
    :class:`~tactful.errors.LimitExceeded` past a limit)."""
    with source.open(name) as fh:
        return load_whole(AfterAssignment(fh), name, read_limits())  # type: ignore[arg-type]
