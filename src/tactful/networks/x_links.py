"""X's links: twitter-text v3's link grammar, found in time linear in the text.

A link is an ``http(s)://`` URL, or a bare domain whose top-level domain X knows
(``example.com``, not ``example.notatld``), each with its port, path and query.
:data:`LINK_PATTERN` is the grammar as one expression; :func:`find_links` finds what
``finditer`` with it finds, without its cost. Run with ``finditer``, the expression tries every
position; inside a long run of dotted labels (``f.f.f.f…``, ``a.b.c.…``) it reads label after
label looking for a TLD, fails, and starts again one position later: the square of the run's
length (99,000 characters took minutes). Here the labels are read once, right to left, and
for each label boundary we keep how far a domain from there can go (at most :data:`MAX_LABELS`
labels, the DNS maximum, which the expression allows too) and where its last TLD is. A domain
is then found in constant time, and only its port, path and query are matched by an
expression, at its end.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

import regex

__all__ = ["LINK_PATTERN", "MAX_LABELS", "find_links"]

# A DNS name has at most 127 labels (253 characters): a subdomain part, then the name before
# the TLD.
MAX_LABELS = 127
_MAX_LABEL_CHARS = 63
# Longer links are not links to X; a t.co link's slug is at most this long.
_MAX_LINK_LENGTH = 4096
_MAX_TCO_SLUG = 40
_TLD_FILE = "x_tlds.txt"

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
# A label is at most 63 characters; a subdomain's may hold "_", the name's may not.
_SUBDOMAIN_LABEL = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|[_-]){{0,61}}{_LABEL_CHAR})?"
_SUBDOMAIN = rf"{_SUBDOMAIN_LABEL}\."
_DOMAIN_NAME = rf"{_LABEL_CHAR}(?:(?:{_LABEL_CHAR}|-){{0,61}}{_LABEL_CHAR})?\."
# The character before a link is part of the match (so it is not the end of the link before),
# and it may not be a letter or digit: no link starts inside a word, mention, cashtag or tag.
_BEFORE = rf"[^A-Za-z0-9@＠$#＃{_REFUSED}]"
_PROTOCOL = r"https?://"
# What follows the domain: port, path, query (all optional, so once a domain is found the link
# is found: nothing after it can make the expression go back).
_TAIL = rf"""
      (?::[0-9]+)?                              # port
      (?P<path>/(?:(?:{_PATH_CHAR}|{_PARENS})*{_PATH_END}|{_PARENS})*)?
      (?:{_QUERY})?
"""
LINK_PATTERN = rf"""
    (?:(?P<before>{_BEFORE})|^)
    (?P<link>
      (?P<protocol>{_PROTOCOL})?
      (?P<domain>(?:{_SUBDOMAIN}){{0,{MAX_LABELS - 1}}}{_DOMAIN_NAME}{_TLD})
      {_TAIL}
    )
"""
# Without a scheme, only the ASCII part of a domain is linked ("例え.example.com").
_ASCII_LABEL_CHAR = rf"[\-a-z0-9{_LATIN_ACCENTS}]"
_ASCII_DOMAIN_PATTERN = rf"(?:{_ASCII_LABEL_CHAR}+\.)+{_TLD}"
# A chain of ASCII labels, which holds at most one ASCII domain (found from its start).
_ASCII_CHAIN = rf"{_ASCII_LABEL_CHAR}+(?:\.{_ASCII_LABEL_CHAR}+)*\.?"
_TCO_PATTERN = rf"https?://t\.co/([a-z0-9]+)(?:{_QUERY})?"


_TLD_CHARS = regex.compile(r"[\p{L}\p{M}\p{N}]+")
_PUNYCODE_TLD = regex.compile(r"xn--[\-0-9a-z]+", regex.IGNORECASE)
_NOT_AFTER_TLD = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@+-")


def _fold(text: str) -> str:
    """Simple case folding, one character for one (what the expression's IGNORECASE does)."""
    if text.isascii():
        return text.lower()
    return "".join(c.casefold() if len(c.casefold()) == 1 else c for c in text)


class _Tlds:
    """:data:`_TLD` without an expression: the known TLDs in a set, tried longest first, then
    a punycode TLD by its shape. (The expression's named list costs some 20 microseconds at
    every dot of ``f.f.f…``; this costs one short match and a few set look-ups.)"""

    def __init__(self, tlds: list[str]) -> None:
        self.known = frozenset(_fold(t) for t in tlds)
        self.lengths = sorted({len(t) for t in tlds}, reverse=True)
        self.run = regex.compile(rf"[\p{{L}}\p{{M}}\p{{N}}]{{1,{self.lengths[0]}}}")
        odd = [t for t in tlds if not _TLD_CHARS.fullmatch(t)]
        assert not odd, f"TLDs of letters, marks and digits only: {odd}"

    def match_end(self, text: str, pos: int) -> int | None:
        """The end of the TLD at ``pos`` (None when there is none)."""
        run = self.run.match(text, pos)
        if run is not None:
            longest = run.end() - pos
            for length in self.lengths:
                end = pos + length
                if (
                    length <= longest
                    and _fold(text[pos:end]) in self.known
                    and (end == len(text) or _fold(text[end]) not in _NOT_AFTER_TLD)
                ):
                    return end
        punycode = _PUNYCODE_TLD.match(text, pos)
        return punycode.end() if punycode is not None else None


class _Patterns(NamedTuple):
    tld: _Tlds
    label: regex.Pattern[str]
    before: regex.Pattern[str]
    protocol: regex.Pattern[str]
    tail: regex.Pattern[str]
    ascii_chain: regex.Pattern[str]
    tco: regex.Pattern[str]


def _tld_list() -> list[str]:
    source = resources.files("tactful.networks").joinpath(_TLD_FILE).read_text("utf-8")
    return [line.strip() for line in source.splitlines() if line.strip()[:1] not in ("", "#")]


@cache
def _patterns() -> _Patterns:
    """The link patterns, compiled on first use with the TLD list (not at import)."""
    tlds = _tld_list()
    flags = regex.IGNORECASE
    return _Patterns(
        tld=_Tlds(tlds),
        label=regex.compile(_SUBDOMAIN_LABEL, flags),
        before=regex.compile(_BEFORE, flags),
        protocol=regex.compile(_PROTOCOL, flags),
        tail=regex.compile(_TAIL, flags | regex.VERBOSE),
        ascii_chain=regex.compile(_ASCII_CHAIN, flags),
        tco=regex.compile(_TCO_PATTERN, flags),
    )


def link_expression() -> regex.Pattern[str]:
    """:data:`LINK_PATTERN` compiled: the grammar :func:`find_links` follows (for tests)."""
    return regex.compile(LINK_PATTERN, regex.IGNORECASE | regex.VERBOSE, tlds=_tld_list())


@dataclass(frozen=True, slots=True)
class _Link:
    """What the expression's match would hold."""

    start: int
    end: int
    protocol: str | None
    domain_start: int
    domain_end: int
    before: str | None
    has_path: bool


class _Domains:
    """The domains of one text. Labels are numbered by the dot that ends them: label ``j``
    runs from just after dot ``j - 1`` (or wherever a domain starts) to dot ``j``."""

    def __init__(self, text: str, patterns: _Patterns) -> None:
        self.text = text
        self.p = patterns
        self.dots = [k for k, ch in enumerate(text) if ch == "."]
        n = len(self.dots)
        # ends_ok[j]: label j (whole) may be the name before a TLD that follows dot j.
        self.valid = [False] * n
        ends_ok = [False] * n
        for j in range(1, n):
            start, dot = self.dots[j - 1] + 1, self.dots[j]
            if self._is_label(start, dot):
                self.valid[j] = True
                ends_ok[j] = "_" not in text[start:dot] and self._tld_after(j)
        # run_end[j]: the last label of the unbroken run of whole labels from j.
        self.run_end = list(range(-1, n - 1))
        for j in range(n - 1, 0, -1):
            if self.valid[j]:
                self.run_end[j] = self.run_end[j + 1] if j + 1 < n and self.valid[j + 1] else j
        # last_end[j]: the last label at or before j that may end a domain (-1: none).
        self.last_end = [-1] * n
        for j in range(n):
            self.last_end[j] = j if ends_ok[j] else (self.last_end[j - 1] if j else -1)

    def _is_label(self, start: int, dot: int) -> bool:
        return 0 < dot - start <= _MAX_LABEL_CHARS and bool(
            self.p.label.fullmatch(self.text, start, dot)
        )

    def _tld_after(self, j: int) -> bool:
        return self.p.tld.match_end(self.text, self.dots[j] + 1) is not None

    def could_end_a_first_label(self, j: int) -> bool:
        """Whether a domain whose first label ends at dot ``j`` may exist."""
        if self._tld_after(j):
            return True
        if j + 1 == len(self.dots) or not self.valid[j + 1]:
            return False
        return self.last_end[min(self.run_end[j + 1], j + MAX_LABELS - 1)] > j

    def end(self, start: int) -> int | None:
        """Where the domain starting at ``start`` ends (after its TLD), as the expression's
        greedy reading finds it: the most labels, at most :data:`MAX_LABELS`, whose last
        label is followed by a known TLD. None when no domain starts there."""
        j0 = bisect_left(self.dots, start)
        if j0 == len(self.dots) or not self._is_label(start, self.dots[j0]):
            return None
        last = j0
        if j0 + 1 < len(self.dots) and self.valid[j0 + 1]:
            last = min(self.run_end[j0 + 1], j0 + MAX_LABELS - 1)
        j = self.last_end[last] if last > j0 else -1
        if j <= j0:
            first_ok = "_" not in self.text[start : self.dots[j0]] and self._tld_after(j0)
            if not first_ok:
                return None
            j = j0
        return self.p.tld.match_end(self.text, self.dots[j] + 1)


def _links(text: str, patterns: _Patterns) -> Iterator[_Link]:
    """What ``finditer`` with :data:`LINK_PATTERN` finds, in order."""
    domains = _Domains(text, patterns)
    # A link's first label ends at a dot from which a domain can go on; its start is at most a
    # scheme and a label before that dot, and only there is anything tried.
    reach_back = _MAX_LABEL_CHARS + len("https://") + 1
    resume = 0
    for j, dot in enumerate(domains.dots):
        if not domains.could_end_a_first_label(j):
            continue
        for pos in range(max(resume, dot - reach_back), dot):
            if pos < resume:
                continue
            link = _link_at(text, pos, domains, patterns)
            if link is not None:
                yield link
                resume = link.end
        resume = max(resume, dot)


def _link_at(text: str, pos: int, domains: _Domains, patterns: _Patterns) -> _Link | None:
    """The expression's match at ``pos``: a "before" character there and the link after it,
    or (at the start of the text) the link at ``pos`` itself."""
    if patterns.before.match(text, pos):
        link = _link_from(text, pos + 1, text[pos], domains, patterns)
        if link is not None:
            return link
    return _link_from(text, 0, None, domains, patterns) if pos == 0 else None


def _link_from(
    text: str, start: int, before: str | None, domains: _Domains, patterns: _Patterns
) -> _Link | None:
    protocol = patterns.protocol.match(text, start)
    domain_start = protocol.end() if protocol else start
    domain_end = domains.end(domain_start)
    if domain_end is None and protocol is not None:
        protocol, domain_start = None, start
        domain_end = domains.end(domain_start)
    if domain_end is None:
        return None
    tail = patterns.tail.match(text, domain_end)
    assert tail is not None  # every part of the tail is optional
    return _Link(
        start=start,
        end=tail.end(),
        protocol=protocol.group() if protocol else None,
        domain_start=domain_start,
        domain_end=domain_end,
        before=before,
        has_path=bool(tail.group("path")),
    )


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
    patterns = _patterns()
    links: list[tuple[int, int]] = []
    for link in _links(text, patterns):
        start, end = link.start, link.end
        domain = text[link.domain_start : link.domain_end]
        punycode = _idna_length(domain)
        length = len(link.protocol or "https://") + end - start + (punycode or 0) - len(domain)
        if punycode is None or length > _MAX_LINK_LENGTH:
            continue
        if link.protocol is not None:
            short = patterns.tco.match(text, start, end)
            if short is not None:
                if len(short.group(1)) > _MAX_TCO_SLUG:
                    continue
                end = short.end()
            links.append((start, end))
            continue
        if not without_protocol or link.before in ("-", "_", ".", "/"):
            continue
        found = _ascii_domains(domain, link.domain_start, patterns)
        if found and link.has_path:
            found[-1] = (found[-1][0], end)  # the path belongs to the last domain
        links += found
    return links


def _ascii_domains(domain: str, offset: int, patterns: _Patterns) -> list[tuple[int, int]]:
    """What ``finditer`` of the ASCII-domain expression finds in ``domain``, shifted by
    ``offset``. In a chain of ASCII labels a start reaches every dot after its first label,
    so the match is the chain's start up to the last of those dots a known TLD follows
    (labels are read once: no expression tries every start)."""
    found: list[tuple[int, int]] = []
    for chain in patterns.ascii_chain.finditer(domain):
        if found and chain.start() < found[-1][1] - offset:
            continue
        dot = domain.rfind(".", chain.start(), chain.end())
        while dot != -1:
            end = patterns.tld.match_end(domain, dot + 1)
            if end is not None:
                found.append((offset + chain.start(), offset + end))
                break
            dot = domain.rfind(".", chain.start(), dot)
    return found
