"""The records of a JSON file, read in bounded pieces: a scanner finds where each record of
the file's list starts and ends (iteratively, a chunk at a time, keeping only the record in
hand), and each record is then parsed on its own with ``json.loads``.

Nothing in the file decides how much is held or how deep anything recurses: a record past
``record_bytes``, nested past ``json_depth`` or with a string past ``string_bytes`` is one
unreadable record (the scanner skips to its end and goes on), and a file past
``records_per_file`` stops there (see ``limits.yml``). ``json.loads`` recurses in C, so it
only ever sees a record whose depth is already known to be small.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from typing import IO, Any

from tactful.archives.limits import ReadLimits, read_limits, size
from tactful.errors import LimitExceeded

ANY_KEY = "*"  # the records are the first list found under any key of the top object
CHUNK = 1 << 16

_WS = re.compile(rb"[ \t\r\n]*+")
_STRING_BODY = re.compile(rb'(?:[^"\\]++|\\.)*+', re.DOTALL)
_SCALAR = re.compile(rb'[^ \t\r\n,:\[\]{}"]*+')
_KEY_BYTES = 256  # longer strings are never the key of the records list
_OPEN, _CLOSE, _QUOTE = frozenset(b"[{"), frozenset(b"]}"), ord('"')


def _end(pattern: re.Pattern[bytes], data: bytes, pos: int) -> int:
    """Where ``pattern`` (one that always matches, maybe nothing) stops from ``pos``."""
    m = pattern.match(data, pos)
    return m.end() if m else pos


@cache
def _skip(string_bytes: int) -> re.Pattern[bytes]:
    """Everything up to the next bracket: scalars, commas, and whole strings no longer than
    the limit (a longer or unfinished one stops the match at its quote)."""
    return re.compile(rb'(?:[^"\[\]{}]++|"(?:[^"\\]|\\.){0,%d}+")*+' % string_bytes, re.DOTALL)


@dataclass(frozen=True, slots=True)
class Problem:
    """A record that cannot be read (``ends_file`` False), or the reason the rest of the
    file is not read (``ends_file`` True)."""

    reason: str
    ends_file: bool = False


# Where the scanner is.
_TOP, _OBJECT, _SKIP, _FIRST, _NEXT, _VALUE, _RECORD, _SCALAR_RECORD, _DONE = range(9)


class _Scanner:
    def __init__(self, keys: Collection[str] | None, limits: ReadLimits):
        self.keys = None if keys is None else {k.encode() for k in keys}
        self.any_key = keys is None or ANY_KEY in keys
        self.lim = limits
        self.skip = _skip(limits.string_bytes)
        self.mode = _TOP
        self.depth = 0
        self.array_depth = 0
        self.records = 0
        # the string being read across chunks
        self.in_string = False
        self.escaped = False
        self.string_len = 0
        self.key_parts: list[bytes] | None = None  # a candidate key at depth 1
        self.key: bytes | None = None  # the last string at depth 1
        self.after_key: bytes | None = None  # a key and its colon: its value comes next
        # the record in hand
        self.parts: list[bytes] | None = None  # None: not kept (too big, too deep)
        self.held = 0
        self.start = 0
        self.bad: str | None = None
        self.string_record = False
        self.offset = 0  # bytes of the file before the current chunk

    # ----------------------------------------------------------------- the loop

    def run(self, fh: IO[bytes]) -> Iterator[bytes | Problem]:
        first = True
        while self.mode != _DONE:
            buf = fh.read(CHUNK)
            if first:
                buf, first = buf.removeprefix(b"\xef\xbb\xbf"), False
            if not buf:
                yield from self._eof()
                return
            self.start = 0
            yield from self._chunk(buf)
            if self.mode in (_RECORD, _SCALAR_RECORD) or (self.in_string and self.string_record):
                self._hold(buf[self.start :])
            self.offset += len(buf)

    def _chunk(self, buf: bytes) -> Iterator[bytes | Problem]:
        pos, n = 0, len(buf)
        while pos < n and self.mode != _DONE:
            if self.in_string:
                pos = self._string(buf, pos)
                if not self.in_string and self.string_record:
                    yield from self._end_record(buf, pos)
                continue
            mode = self.mode
            if mode in (_RECORD, _SKIP):
                pos = _end(self.skip, buf, pos)
                if pos >= n:
                    break
                c = buf[pos]
                pos += 1
                if c == _QUOTE:
                    self._open_string()
                elif c in _OPEN:
                    self.depth += 1
                    if mode == _RECORD and self.depth - self.array_depth > self.lim.json_depth:
                        self._spoil(f"nested more than {self.lim.json_depth} deep")
                else:
                    self.depth -= 1
                    if mode == _RECORD and self.depth == self.array_depth:
                        yield from self._end_record(buf, pos)
                    elif mode == _SKIP and self.depth == 1:
                        self.mode = _OBJECT
                continue
            if mode == _SCALAR_RECORD:
                pos = _end(_SCALAR, buf, pos)
                if pos < n:
                    yield from self._end_record(buf, pos)
                continue
            pos = _end(_WS, buf, pos)
            if pos < n:
                pos, problem = self._token(buf, pos)
                if problem is not None:
                    yield problem
                    return

    # ----------------------------------------------------------------- tokens

    def _token(self, buf: bytes, pos: int) -> tuple[int, Problem | None]:
        """One token outside any record (at the top, in the top object, between records):
        the position after it, and a problem that ends the file."""
        c = buf[pos]
        mode = self.mode
        if mode == _TOP:
            if c == ord("[") and self.any_key:
                self.depth, self.array_depth, self.mode = 1, 1, _FIRST
            elif c == ord("{"):
                self.depth, self.mode = 1, _OBJECT
            else:
                return pos, self._nothing()
            return pos + 1, None
        if mode == _OBJECT:
            return self._in_object(buf, pos, c)
        # between records
        if c == ord("]") and mode in (_FIRST, _NEXT):
            if self.array_depth == 2 and not self.any_key:
                # Real outboxes repeat their key ("orderedItems": [] first): read on.
                self.depth, self.mode = 1, _OBJECT
                return pos + 1, None
            self.mode = _DONE
            return pos + 1, None if self.records else self._nothing()
        if mode == _NEXT:
            if c == ord(","):
                self.mode = _VALUE
                return pos + 1, None
            return pos, self._syntax(pos, "a ',' or ']' after a record")
        if c in b",:]}":
            return pos, self._syntax(pos, "a record")
        if self.records >= self.lim.records_per_file:
            self.mode = _DONE
            return pos, Problem(
                f"more than {self.lim.records_per_file:,} records in one file; the rest of "
                "it was not read",
                ends_file=True,
            )
        self.records += 1
        self.parts, self.held, self.bad, self.start = [], 0, None, pos
        if c in _OPEN:
            self.depth += 1
            self.mode = _RECORD
            return pos + 1, None
        if c == _QUOTE:
            self.string_record = True
            self._open_string()
            return pos + 1, None
        self.mode = _SCALAR_RECORD  # its first byte is read as part of it
        return pos, None

    def _in_object(self, buf: bytes, pos: int, c: int) -> tuple[int, Problem | None]:
        """A token of the top object: keys, their values, and the list of records."""
        if c == _QUOTE:
            self.key_parts = []
            self._open_string()
            return pos + 1, None
        if c == ord(":"):
            self.after_key, self.key = self.key, None
            return pos + 1, None
        wanted = self.after_key is not None and (
            self.any_key or (self.keys is not None and self.after_key in self.keys)
        )
        self.after_key = None
        if c == ord("[") and wanted:
            self.depth, self.array_depth, self.mode = 2, 2, _FIRST
        elif c in _OPEN:
            self.depth, self.mode = 2, _SKIP
        elif c == ord("}"):
            if not self.records:
                return pos, self._nothing()
            self.mode = _DONE
        elif c != ord(","):
            return max(_end(_SCALAR, buf, pos), pos + 1), None
        return pos + 1, None

    def _nothing(self) -> Problem:
        self.mode = _DONE
        return Problem(
            "no records: an empty list, or not the structure this format has", ends_file=True
        )

    def _syntax(self, pos: int, expected: str) -> Problem:
        self.mode = _DONE
        return Problem(
            f"invalid JSON: expected {expected} at byte {self.offset + pos:,}; the rest of the "
            "file was not read",
            ends_file=True,
        )

    # ----------------------------------------------------------------- strings

    def _open_string(self) -> None:
        self.in_string, self.escaped, self.string_len = True, False, 0

    def _string(self, buf: bytes, pos: int) -> int:
        """Read on in a string from ``pos``; the position after it, or the chunk's end."""
        begin = pos
        if self.escaped:
            pos, self.escaped = pos + 1, False
        end = _end(_STRING_BODY, buf, pos)
        n = len(buf)
        if end < n and buf[end] == ord("\\"):  # an escape cut by the chunk's end
            self.escaped, end = True, n
        self.string_len += end - begin
        closed = end < n
        if self.key_parts is not None:
            if self.string_len <= _KEY_BYTES:
                self.key_parts.append(buf[begin:end])
            else:
                self.key_parts = [b"\x00"]  # never a key we look for
        if self.string_len > self.lim.string_bytes and (self.mode == _RECORD or self.string_record):
            self._spoil(f"a string longer than {size(self.lim.string_bytes)}")
        if not closed:
            return n
        self.in_string = False
        if self.key_parts is not None:
            self.key, self.key_parts = b"".join(self.key_parts), None
        return end + 1

    # ----------------------------------------------------------------- records

    def _spoil(self, reason: str) -> None:
        if self.bad is None:
            self.bad, self.parts = reason, None

    def _hold(self, piece: bytes) -> None:
        if self.parts is None:
            return
        self.held += len(piece)
        if self.held > self.lim.record_bytes:
            self._spoil(f"a record larger than {size(self.lim.record_bytes)}")
        else:
            self.parts.append(piece)

    def _end_record(self, buf: bytes, pos: int) -> Iterator[bytes | Problem]:
        self._hold(buf[self.start : pos])
        self.mode, self.string_record = _NEXT, False
        if self.parts is None:
            yield Problem(f"{self.bad}; the record was skipped")
        else:
            yield b"".join(self.parts)
        self.parts = None

    def _eof(self) -> Iterator[Problem]:
        if self.mode in (_TOP, _OBJECT, _SKIP) and not self.records:
            yield self._nothing()
        elif self.mode != _DONE:
            yield Problem(
                "invalid JSON: the file ends before its records are closed (cut short?); "
                "the records before it were read",
                ends_file=True,
            )


def scan(
    fh: IO[bytes], keys: Collection[str] | None = None, limits: ReadLimits | None = None
) -> Iterator[bytes | Problem]:
    """The raw bytes of each record of the file's list (a top-level list when ``keys`` is
    None or has :data:`ANY_KEY`, else the list under one of ``keys`` in the top object), or
    a :class:`Problem`. The file is read no further than the end of that list."""
    return _Scanner(keys, limits or read_limits()).run(fh)


def parse_record(raw: bytes) -> Any | Problem:
    """One record's bytes as a value (their depth and size already checked by :func:`scan`)."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        first = (str(exc).splitlines() or ["syntax error"])[0][:120]
        return Problem(f"invalid JSON in this record ({first})")


def load_whole(fh: IO[bytes], name: str, limits: ReadLimits | None = None) -> Any:
    """A small JSON file read whole (``account.js`` after its assignment): ValueError when it
    is not JSON, :class:`LimitExceeded` past ``record_bytes`` or ``json_depth``."""
    lim = limits or read_limits()
    data = fh.read(lim.record_bytes + 1)
    if len(data) > lim.record_bytes:
        raise LimitExceeded(f"{name} is larger than {size(lim.record_bytes)}")
    if nesting(data) > lim.json_depth:
        raise LimitExceeded(f"{name} is nested more than {lim.json_depth} deep")
    return json.loads(data)


def nesting(data: bytes, string_bytes: int | None = None) -> int:
    """How deep the brackets of ``data`` nest (outside strings), without recursion."""
    skip = _skip(string_bytes or len(data) + 1)
    depth = deepest = pos = 0
    n = len(data)
    while True:
        pos = _end(skip, data, pos)
        if pos >= n:
            return deepest
        c = data[pos]
        if c == _QUOTE:  # an unfinished string: nothing after it counts
            return deepest
        depth += 1 if c in _OPEN else -1
        deepest = max(deepest, depth)
        pos += 1
