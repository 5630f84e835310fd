"""Streaming JSON reading for exports too big to load at once (constant memory)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import ijson

from tactful.archives.base import Item, Unreadable, guard_record


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


WRAPPED_ARRAY = re.compile(rb'^\s*\{\s*"([^"\\.]+)"\s*:\s*\[')


def array_prefix(head: bytes) -> str:
    """Where the records are, from the start of a file: a top-level array (``item``), or the
    array under an object's first key (``{"comments_reels_comments": [...]}``)."""
    m = WRAPPED_ARRAY.match(head.lstrip(b"\xef\xbb\xbf"))
    return f"{m.group(1).decode()}.item" if m else "item"


def stream_items(fh: Any, prefix: str, where: str) -> Iterator[Any]:
    """Yield the elements of the JSON array at ``prefix`` ('item' for a top-level array);
    a syntax error ends the stream with an Unreadable saying where."""
    n = 0
    try:
        for n, item in enumerate(ijson.items(fh, prefix, use_float=True), start=1):  # noqa: B007
            yield item
    except (ijson.JSONError, ijson.IncompleteJSONError, ValueError) as exc:
        first = (str(exc).splitlines() or ["syntax error"])[0][:120]
        yield Unreadable(where, f"invalid JSON, the rest of the file was not read ({first})")
        return
    if n == 0:
        yield Unreadable(where, "no records: an empty list, or not the structure this format has")


def stream_records(
    fh: Any, prefix: str, name: str, convert: Callable[[Any, str], Item]
) -> Iterator[Item]:
    """Each record of the JSON array at ``prefix``, converted by ``convert(raw, where)``: a
    syntax error ends the file with one Unreadable, a malformed record becomes one."""
    for i, raw in enumerate(stream_items(fh, prefix, name)):
        if isinstance(raw, Unreadable):
            yield raw
            return
        where = f"{name}[{i}]"
        yield guard_record(where, convert, raw, where)


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
        yield from stream_records(stream, "item", name, convert)
