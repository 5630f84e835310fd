"""A Bluesky post's text as the ``app.bsky.feed.post`` lexicon takes it: its size (at most 300
graphemes *and* 3,000 UTF-8 bytes) and its ``app.bsky.richtext.facet`` annotations.

Facets mark byte ranges of the text, ``byteStart`` inclusive and ``byteEnd`` exclusive,
counted in UTF-8 bytes (not characters: "Café ☕ @jo…" puts the mention 9 bytes in, not 7):

- ``#link`` with the full ``uri``, for each http(s) URL;
- ``#mention`` with the account's ``did``, for each ``@handle`` whose handle resolves (the
  caller resolves them, see :func:`mention_handles`); a handle that does not resolve stays
  plain text, as the Bluesky app leaves it;
- ``#tag`` with the ``tag`` *without* its ``#``, for each hashtag.

Mentions and hashtags are found as the reference client finds them (``detectFacets`` in
bluesky-social/atproto, packages/api/src/rich-text): a mention is ``@`` and a handle after the
start, whitespace or ``(``; a hashtag is ``#`` or ``＃`` after the start or whitespace,
followed by anything up to whitespace that is not all digits and punctuation, with trailing
punctuation left out, and at most 64 graphemes (and 640 bytes). The handle must be a valid
atproto handle (a domain name whose last label starts with a letter) instead of the client's
check against a list of TLDs: one that is not a real account simply does not resolve."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import regex

TEXT_LIMIT = 300  # app.bsky.feed.post: text maxGraphemes 300
TEXT_MAX_BYTES = 3000  # app.bsky.feed.post: text maxLength 3000 (UTF-8 bytes)
TAG_MAX_GRAPHEMES = 64  # app.bsky.richtext.facet#tag: tag maxGraphemes 64
TAG_MAX_BYTES = 640  # app.bsky.richtext.facet#tag: tag maxLength 640

LINK = "app.bsky.richtext.facet#link"
MENTION = "app.bsky.richtext.facet#mention"
TAG = "app.bsky.richtext.facet#tag"

_GRAPHEME = regex.compile(r"\X")
_URL = re.compile(r"(?<![\w@/.])https?://[^\s<>\"'`]+", re.IGNORECASE)
# Trailing characters that end a sentence rather than a link.
_URL_TRAILING = ".,;:!?'\"”’»…"
# The client's MENTION_REGEX, (^|\s|\()(@)([a-zA-Z0-9.-]+)(\b), with its ASCII word boundary.
_MENTION = re.compile(r"(?:^|(?<=[\s(]))@([a-zA-Z0-9.-]*[a-zA-Z0-9])(?![a-zA-Z0-9_])")
# @atproto/syntax's handle: labels of letters, digits and inner hyphens; the last starts
# with a letter.
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
# Top-level domains the atproto handle spec rules out: never worth a lookup.
_NOT_HANDLE_TLDS = {"alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion"}
# The client's TAG_REGEX; its \d is ASCII digits (JavaScript), so [0-9] here.
_TAG_STOP = r"\s\u00AD\u2060\u200A\u200B\u200C\u200D\u20e2"
_TAG = regex.compile(
    rf"(^|\s)[#＃]((?!\ufe0f)[^{_TAG_STOP}]*[^0-9\p{{P}}{_TAG_STOP}]+[^{_TAG_STOP}]*)?"
)
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")


def text_too_long(text: str) -> str | None:
    """Why the lexicon refuses ``text`` (over 300 graphemes or over 3,000 bytes), or None."""
    graphemes = len(_GRAPHEME.findall(text))
    size = len(text.encode())
    if graphemes > TEXT_LIMIT:
        return (
            f"the text is {graphemes:,} graphemes (user-perceived characters); Bluesky takes "
            f"at most {TEXT_LIMIT}"
        )
    if size > TEXT_MAX_BYTES:
        return (
            f"the text is {size:,} bytes in UTF-8 ({graphemes:,} graphemes); Bluesky takes at "
            f"most {TEXT_MAX_BYTES:,} bytes, however few the graphemes: shorten it"
        )
    return None


def _byte_index(text: str, start: int, end: int) -> dict[str, int]:
    byte_start = len(text[:start].encode())
    return {"byteStart": byte_start, "byteEnd": byte_start + len(text[start:end].encode())}


def _links(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(_URL_TRAILING)
        if "://" not in url or url.endswith("://"):
            continue
        found.append((match.start(), match.start() + len(url), {"$type": LINK, "uri": url}))
    return found


def _is_handle(name: str) -> bool:
    if len(name) > 253 or not _HANDLE.match(name):
        return False
    return name.rsplit(".", 1)[-1].lower() not in _NOT_HANDLE_TLDS


def _mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) for each ``@handle``; the span includes the ``@``."""
    return [
        (m.start(), m.end(), m.group(1).lower())
        for m in _MENTION.finditer(text)
        if _is_handle(m.group(1))
    ]


def mention_handles(text: str) -> list[str]:
    """The handles ``text`` mentions, lower-cased, each once, in order: to resolve to DIDs
    (com.atproto.identity.resolveHandle) before :func:`facets`."""
    return list(dict.fromkeys(handle for _, _, handle in _mentions(text)))


def _tags(text: str) -> list[tuple[int, int, dict[str, Any]]]:
    found = []
    for match in _TAG.finditer(text):
        tag = match.group(2)
        if not tag:
            continue
        tag = _TRAILING_PUNCTUATION.sub("", tag.strip())
        if not tag or len(tag.encode()) > TAG_MAX_BYTES:
            continue
        if len(_GRAPHEME.findall(tag)) > TAG_MAX_GRAPHEMES:
            continue
        start = match.start() + len(match.group(1))
        found.append((start, start + 1 + len(tag), {"$type": TAG, "tag": tag}))
    return found


def link_facets(text: str) -> list[dict[str, Any]]:
    """Link facets alone (see :func:`facets`)."""
    return facets(text, {}, mentions=False, tags=False)


def facets(
    text: str, dids: Mapping[str, str], *, mentions: bool = True, tags: bool = True
) -> list[dict[str, Any]]:
    """The ``app.bsky.richtext.facet`` list for ``text``, in text order: links, mentions of
    the handles in ``dids`` (handle, lower-cased -> DID; others stay plain text) and
    hashtags. Where two would overlap (an ``@handle`` inside a URL), the link wins."""
    found: list[tuple[int, int, dict[str, Any]]] = _links(text)
    if mentions:
        found += [
            (start, end, {"$type": MENTION, "did": dids[handle]})
            for start, end, handle in _mentions(text)
            if handle in dids
        ]
    if tags:
        found += _tags(text)
    kept: list[tuple[int, int, dict[str, Any]]] = []
    for start, end, feature in found:  # links first, so they win an overlap
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, feature))
    return [
        {"index": _byte_index(text, start, end), "features": [feature]}
        for start, end, feature in sorted(kept, key=lambda k: k[0])
    ]
