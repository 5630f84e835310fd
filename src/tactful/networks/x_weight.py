"""X's weighted length: the counting rules of twitter-text v3, the library X publishes so that
clients count a post the way X does before X accepts or refuses it.

- The text is NFC-normalised and its line endings made ``\\n`` before anything is counted.
- A link counts 23 however long it is (X shortens every link to a t.co link). A link is an
  ``http(s)://`` URL, or a bare domain whose top-level domain X knows (``example.com``, not
  ``example.notatld``), each with its port, path and query (:func:`find_links`, from
  :mod:`tactful.networks.x_links`).
- An emoji counts 2 once, however many code points make it: a ZWJ family, a flag, a skin
  tone, a keycap, a subdivision flag (:func:`find_emoji`).
- Every other code point counts 1 in U+0000-U+10FF, U+2000-U+200D, U+2010-U+201F and
  U+2032-U+2037 (Latin, Greek, Cyrillic, Hebrew, Arabic, the Indic scripts, general
  punctuation) and 2 elsewhere (CJK, Hangul, most symbols).
- X takes 280 of those.

Weights are kept in hundredths, as the published v3 configuration gives them (``scale``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache

import regex

from tactful.networks.x_links import find_links

__all__ = ["MAX_WEIGHTED_LENGTH", "count", "find_emoji", "find_links", "normalize", "units"]

# twitter-text's v3 configuration.
MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
LIGHT_WEIGHT = 100
LINK_WEIGHT = 23 * SCALE
EMOJI_WEIGHT = DEFAULT_WEIGHT
_GRAPHEME = regex.compile(r"\X")

# An emoji: a flag (two regional indicators), a keycap, or pictographs each with an optional
# skin tone, presentation selector or tag sequence, joined by zero-width joiners.
_EMOJI_PART = (
    r"[\p{Extended_Pictographic}\p{Emoji_Presentation}]"
    r"(?:\p{Emoji_Modifier}|\uFE0F|[\U000E0020-\U000E007E]+\U000E007F)?"
)
_EMOJI = regex.compile(
    rf"\p{{Regional_Indicator}}{{2}}|[0-9#*]\uFE0F?\u20E3|{_EMOJI_PART}(?:\u200D{_EMOJI_PART})*"
)


def normalize(text: str) -> str:
    """The text X counts: NFC, with ``\\r\\n`` and ``\\r`` line endings as ``\\n``."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def find_emoji(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each emoji in ``text``, a whole sequence at a time."""
    return [m.span() for m in _EMOJI.finditer(text)]


@cache
def _char_weight(char: str) -> int:
    code = ord(char)
    light = any(low <= code <= high for low, high in LIGHT_RANGES)
    return LIGHT_WEIGHT if light else DEFAULT_WEIGHT


def units(counted: str) -> Iterator[tuple[int, int]]:
    """``(start, weight)`` of each unit X counts in an already normalised text, in order: a
    link, an emoji or a code point. Weights are in hundredths."""
    entities = {start: (end, LINK_WEIGHT) for start, end in find_links(counted)}
    for start, end in find_emoji(counted):
        entities.setdefault(start, (end, EMOJI_WEIGHT))  # a link wins over an emoji in it
    pos = 0
    while pos < len(counted):
        entity = entities.get(pos)
        if entity is None:
            yield pos, _char_weight(counted[pos])
            pos += 1
        else:
            yield pos, entity[1]
            pos = entity[0]


def count(text: str, limit: int | None = MAX_WEIGHTED_LENGTH) -> tuple[int, int | None]:
    """``(weighted length, cut)``: ``cut`` is the offset in ``text`` (as given, before
    normalising) of the first character past ``limit``, or None when the text fits (or
    ``limit`` is None). A grapheme is kept or cut whole."""
    counted = normalize(text)
    budget = None if limit is None else limit * SCALE
    total = 0
    cut: int | None = None
    for start, weight in units(counted):
        total += weight
        if cut is None and budget is not None and total > budget:
            cut = start
    return total // SCALE, (None if cut is None else _offset_in(text, cut))


def _offset_in(text: str, counted_offset: int) -> int:
    """The start of the grapheme of ``text`` whose normalised form holds ``counted_offset``
    (normalising never merges or splits graphemes)."""
    seen = 0
    for m in _GRAPHEME.finditer(text):
        seen += len(normalize(m.group()))
        if seen > counted_offset:
            return int(m.start())
    return len(text)
