"""Split a post too long for one network post into a numbered thread.

Parts break between sentences (:func:`tactful.core.text.sentences`), packing as many whole
sentences into each part as fit with its number (`` 2/3``) counted the network's way; a
sentence longer than a part is broken between words, and a word longer than a part between
graphemes. The number of parts is found by trying: numbering ``1/9`` takes fewer characters
than ``1/10``, so the split is redone until the count it assumed is the count it made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import regex

from tactful.core.text import sentences
from tactful.networks.length import measure, resolve_limit

_WORD = regex.compile(r"\S+")
_GRAPHEME = regex.compile(r"\X")


def _fits(text: str, platform: str, settings: Mapping[str, Any] | None) -> bool:
    info = measure(text, platform, settings)
    return info.limit is None or info.count <= info.limit


def _pieces(text: str, room: int, platform: str, settings: Mapping[str, Any] | None) -> list[str]:
    """The text as pieces that each fit in ``room`` units: sentences, else words, else
    graphemes (only a single word longer than a whole part is cut inside)."""
    limit_settings = {**(settings or {}), "platform_limits": {platform: room}}
    out: list[str] = []
    for start, end in sentences(text):
        sentence = text[start:end]
        if _fits(sentence, platform, limit_settings):
            out.append(sentence)
            continue
        for word in _WORD.findall(sentence):
            if _fits(word, platform, limit_settings):
                out.append(word)
                continue
            chunk = ""
            for g in _GRAPHEME.findall(word):
                if chunk and not _fits(chunk + g, platform, limit_settings):
                    out.append(chunk)
                    chunk = ""
                chunk += g
            if chunk:
                out.append(chunk)
    return out


def _pack(
    pieces: list[str], total: int, platform: str, settings: Mapping[str, Any] | None
) -> list[str]:
    """Greedily join pieces into parts numbered as if there were ``total`` of them."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current} {piece}" if current else piece
        number = f" {len(parts) + 1}/{total}"
        if current and not _fits(candidate + number, platform, settings):
            parts.append(current)
            current = piece
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def split_thread(text: str, platform: str, settings: Mapping[str, Any] | None = None) -> list[str]:
    """The parts of ``text`` as a thread on ``platform``, each with its number; the text
    itself (one part) when it fits."""
    text = text.strip()
    limit = resolve_limit(platform, settings)
    if limit is None or _fits(text, platform, settings):
        return [text]
    total = 2
    for _ in range(6):  # converges in one or two rounds: the count only changes at 10, 100
        room = max(1, limit - len(f" {total}/{total}"))
        parts = _pack(_pieces(text, room, platform, settings), total, platform, settings)
        if len(parts) == total:
            break
        total = len(parts)
    n = len(parts)
    return [f"{part} {i}/{n}" for i, part in enumerate(parts, 1)]
