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

from tactful.archives.source import peek

csv.field_size_limit(10 * 1024 * 1024)

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
    head, stream = peek(fh, PEEK)
    encoding = sniff_encoding(head, whole=len(head) < PEEK)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = head.decode(encoding, errors="replace").lstrip("\ufeff")
    reader = csv.DictReader(text, delimiter=sniff_delimiter(first), escapechar=escapechar)
    if reader.fieldnames is None:
        return
    reader.fieldnames = [column(n) for n in reader.fieldnames]
    for row in reader:
        yield reader.line_num, row
