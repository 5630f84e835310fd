"""X's weighted length: the counting rules of twitter-text v3, the library X publishes so that
clients count a post the way X does before X accepts or refuses it.

- The text is NFC-normalised and its line endings made ``\\n`` before anything is counted.
- A link counts 23 however long it is (X shortens every link to a t.co link). A link is an
  ``http(s)://`` URL, or a bare domain whose top-level domain X knows (``example.com``, not
  ``example.notatld``), each with its port, path and query (:func:`find_links`).
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
from importlib import resources

import regex

__all__ = ["MAX_WEIGHTED_LENGTH", "count", "find_emoji", "find_links", "normalize", "units"]

# twitter-text's v3 configuration.
MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
LIGHT_WEIGHT = 100
LINK_WEIGHT = 23 * SCALE
EMOJI_WEIGHT = DEFAULT_WEIGHT
# Longer links are not links to X; a t.co link's slug is at most this long.
_MAX_LINK_LENGTH = 4096
_MAX_TCO_SLUG = 40

_TLD_FILE = "x_tlds.txt"
_GRAPHEME = regex.compile(r"\X")

# Character classes of twitter-text's link grammar.
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066-\u2069"
_REFUSED = r"\uFFFE\uFEFF\uFFFF"  # X refuses a post that contains these
_SPACES = r"\t-\r\x20\u0085\u00A0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
# Not in a domain label: ASCII punctuation (but " and `), spaces, refused and bidi marks.
_LABEL_CHAR = rf"[^!#$%&'()*+,\-./:;<=>?@\[\\\]^_{{|}}~{_SPACES}{_REFUSED}{_DIRECTIONAL}]"
_LATIN_ACCENTS = (
    r"\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259"
    r"\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"
_PATH_CHAR = rf"[a-z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PATH_END = rf"[+\-a-z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]"
# A path is made of pieces that each end in a letter, a digit or one of +-=_#/, or are a
# balanced pair of parentheses (one level of nesting): "(see example.com/a)" ends the link
# before the ")", "example.com/a_(b)" keeps the "(b)" and "example.com/a.(b)" does not.
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_QUERY_CHAR = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-z0-9\-_&=#/]"
_QUERY = rf"\?{_QUERY_CHAR}*{_QUERY_END}"
# A known TLD must not run on into letters or digits; a punycode TLD is known by its shape.
_TLD = r"(?:(?:\L<tlds>)(?=[^0-9a-zA-Z@+-]|$)|xn--[\-0-9a-z]+)"
# A DNS label is at most 63 characters (the bound also keeps a long run without spaces from
# being scanned again from every position).
_SUBDOMAIN = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|[_-]){{0,61}}{_LABEL_CHAR})?\."
_DOMAIN_NAME = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|-){{0,61}}{_LABEL_CHAR})?\."

# The character before a link is part of the match (so it is not the end of the link before),
# and it may not be a letter or digit: no link starts inside a word, mention, cashtag or tag.
_LINK_PATTERN = rf"""
    (?:(?P<before>[^A-Za-z0-9@＠$#＃{_REFUSED}])|^)
    (?P<link>
      (?P<protocol>https?://)?
      (?P<domain>(?:{_SUBDOMAIN})*{_DOMAIN_NAME}{_TLD})
      (?::[0-9]+)?                              # port
      (?P<path>/(?:(?:{_PATH_CHAR}|{_PARENS})*{_PATH_END}|{_PARENS})*)?
      (?:{_QUERY})?
    )
"""
# Without a scheme, only the ASCII part of a domain is linked ("例え.example.com").
_ASCII_DOMAIN_PATTERN = rf"(?:[\-a-z0-9{_LATIN_ACCENTS}]+\.)+{_TLD}"
_TCO_PATTERN = rf"https?://t\.co/([a-z0-9]+)(?:{_QUERY})?"

# An emoji: a flag (two regional indicators), a keycap, or pictographs each with an optional
# skin tone, presentation selector or tag sequence, joined by zero-width joiners.
_EMOJI_PART = (
    r"[\p{Extended_Pictographic}\p{Emoji_Presentation}]"
    r"(?:\p{Emoji_Modifier}|\uFE0F|[\U000E0020-\U000E007E]+\U000E007F)?"
)
_EMOJI = regex.compile(
    rf"\p{{Regional_Indicator}}{{2}}|[0-9#*]\uFE0F?\u20E3|{_EMOJI_PART}(?:\u200D{_EMOJI_PART})*"
)


@cache
def _patterns() -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]:
    """The link patterns, compiled on first use with the TLD list (not at import)."""
    source = resources.files("tactful.networks").joinpath(_TLD_FILE).read_text("utf-8")
    tlds = [line.strip() for line in source.splitlines() if line.strip()[:1] not in ("", "#")]
    flags = regex.IGNORECASE
    return (
        regex.compile(_LINK_PATTERN, flags | regex.VERBOSE, tlds=tlds),
        regex.compile(_ASCII_DOMAIN_PATTERN, flags, tlds=tlds),
        regex.compile(_TCO_PATTERN, flags),
    )


def normalize(text: str) -> str:
    """The text X counts: NFC, with ``\\r\\n`` and ``\\r`` line endings as ``\\n``."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")


def _idna_length(domain: str) -> int | None:
    """The length of ``domain`` in punycode, or None when it is not a valid domain name."""
    try:
        return len(domain.encode("idna"))
    except UnicodeError:
        return None


def find_links(text: str, *, without_protocol: bool = True) -> list[tuple[int, int]]:
    """``(start, end)`` of each link in ``text``, as X finds them. ``without_protocol=False``
    finds only ``http(s)://`` links (Mastodon's rule)."""
    if "." not in text if without_protocol else ":" not in text:
        return []
    link, ascii_domain, tco = _patterns()
    links: list[tuple[int, int]] = []
    for match in link.finditer(text):
        start, end = match.span("link")
        protocol, domain = match.group("protocol"), match.group("domain")
        punycode = _idna_length(domain)
        length = len(protocol or "https://") + end - start + (punycode or 0) - len(domain)
        if punycode is None or length > _MAX_LINK_LENGTH:
            continue
        if protocol is not None:
            short = tco.match(text, start, end)
            if short is not None:
                if len(short.group(1)) > _MAX_TCO_SLUG:
                    continue
                end = short.end()
            links.append((start, end))
            continue
        if not without_protocol or match.group("before") in ("-", "_", ".", "/"):
            continue
        offset = match.start("domain")
        found = [(offset + m.start(), offset + m.end()) for m in ascii_domain.finditer(domain)]
        if found and match.group("path"):
            found[-1] = (found[-1][0], end)  # the path belongs to the last domain
        links += found
    return links


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
