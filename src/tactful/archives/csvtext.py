"""CSV files as exports really write them, read row by row: the encoding found from the
bytes (UTF-8 with or without a BOM, UTF-16 with or without one, as LinkedIn wrote in 2018,
else Windows-1252), the delimiter from the header line (comma, tab or semicolon), and the
column names folded (``Share Commentary`` and ``ShareCommentary`` are both
``sharecommentary``)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from typing import IO

from tactful.archives.limits import read_limits
from tactful.archives.source import peek
from tactful.errors import LimitExceeded

DELIMITERS = (",", "\t", ";")
PEEK = 4096


def column(name: str) -> str:
    """A column name folded: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def sniff_encoding(head: bytes, *, whole: bool = True) -> str:
    """The encoding of a text file from its first bytes (``whole``: the file is no longer,
    so a character cut at the end of ``head`` is an error, not the end of the peek)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the BOM says which end first, and is dropped
    pairs = len(head) // 2
    if pairs:
        # ASCII text in UTF-16 has a zero in every other byte.
        if head[1 : pairs * 2 : 2].count(0) > pairs * 0.4:
            return "utf-16-le"
        if head[0 : pairs * 2 : 2].count(0) > pairs * 0.4:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(header: str) -> str:
    """The delimiter the header line uses most, outside quotes (a comma when none)."""
    outside = re.sub(r'"[^"]*"', "", header.splitlines()[0] if header else "")
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def dict_rows(
    fh: IO[bytes], *, escapechar: str | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each row after the header, keys folded by ``column``. A row
    with extra fields has them under the key None, as csv.DictReader does."""
    limits = read_limits()
    csv.field_size_limit(limits.csv_field_chars)
    head, stream = peek(fh, PEEK)
    encoding = sniff_encoding(head, whole=len(head) < PEEK)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = head.decode(encoding, errors="replace").lstrip("\ufeff")
    lines = bounded_lines(text, limits.csv_line_chars)
    reader = csv.DictReader(lines, delimiter=sniff_delimiter(first), escapechar=escapechar)
    if reader.fieldnames is None:
        return
    reader.fieldnames = [column(n) for n in reader.fieldnames]
    for n, row in enumerate(reader, start=1):
        if n > limits.records_per_file:
            raise LimitExceeded(
                f"more than {limits.records_per_file:,} rows in one file; the rest of it was "
                "not read"
            )
        yield reader.line_num, row


def bounded_lines(text: IO[str], limit: int) -> Iterator[str]:
    """The lines of ``text``, none of them held past ``limit`` characters (a file with no
    line breaks is not read whole into memory)."""
    while True:
        line = text.readline(limit + 1)
        if not line:
            return
        if len(line) > limit:
            raise LimitExceeded(
                f"a line longer than {limit:,} characters; the rest of the file was not read"
            )
        yield line
