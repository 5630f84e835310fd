"""LinkedIn's "little" text format (shares/little-text-format), in which
``\\ | { } @ [ ] ( ) < > # * _ ~`` are markup: unescaped, LinkedIn cuts the post at the first
one it cannot parse and still answers 201. :func:`escape_little` escapes them (a ``#word``
becomes LinkedIn's hashtag template, so hashtags stay hashtags) and :func:`plain_little`
reads a commentary back as the text a reader sees."""

from __future__ import annotations

import re

RESERVED = frozenset("\\|{}@[]()<>#*_~")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#&])#([^\W_]+)")
_TEMPLATE = re.compile(r"\{hashtag\|\\?[#\uff03]\|((?:\\.|[^}\\])*)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\s*\(urn:li:[^)\s]+\)")


def _escape(text: str) -> str:
    return "".join("\\" + c if c in RESERVED else c for c in text)


def _escape_words(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _HASHTAG.finditer(text):
        out.append(_escape(text[pos : m.start()]))
        out.append("{hashtag|\\#|" + m.group(1) + "}")
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def escape_little(text: str) -> str:
    """``text`` as little-format commentary that reads back as exactly ``text``: every
    reserved character backslash-escaped, and a ``#word`` (not inside a link) written as
    LinkedIn's hashtag template ``{hashtag|\\#|word}`` so it stays a hashtag."""
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_escape_words(text[pos : m.start()]))
        out.append(_escape(m.group()))  # a link's '#fragment' is no hashtag
        pos = m.end()
    out.append(_escape_words(text[pos:]))
    return "".join(out)


def plain_little(text: str) -> str:
    """What a reader sees of a little-format commentary: escapes undone, hashtag templates
    as ``#word``, mentions ``@[Name](urn:li:...)`` as the name."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            out.append(text[i + 1])
            i += 2
            continue
        if c == "{" and (m := _TEMPLATE.match(text, i)):
            out.append("#" + plain_little(m.group(1)))
            i = m.end()
            continue
        if c == "@" and (m := _MENTION.match(text, i)):
            out.append(plain_little(m.group(1)))
            i = m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


__all__ = ["RESERVED", "escape_little", "plain_little"]
