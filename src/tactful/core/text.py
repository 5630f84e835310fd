"""Text normalisation with an offset map, tokens, obfuscation variants and sentences.

Every detector reads :class:`NormalizedText`: ``text`` is the cleaned, case-folded string
and ``to_original(start, end)`` maps any span of it back to the characters the user typed.

What normalisation undoes (in this order):

1. invisible characters (zero-width spaces and joiners, soft hyphens, BOMs, bidi marks);
2. compatibility forms (NFKD: full-width letters, ligatures, mathematical alphabets) and
   accents (combining marks are dropped), then case (``casefold``);
3. look-alike letters from other scripts (Cyrillic ``с`` for ``c``, Greek ``ο`` for ``o``) inside
   a word that mixes scripts or reads entirely as Latin;
4. spaced or dotted single letters (``f u c k``, ``f.u.c.k``, ``f. u. c. k``, one separator used
   throughout) are joined;
5. letters repeated three or more times (``fuuuuck``, ``f.u.u.u.c.k``) keep two; the matcher
   tries one too.

Leetspeak (``sh1t``, ``@ss``, ``f*ck``, ``id.iot``) is not rewritten in ``text``, because digits
and symbols carry meaning elsewhere ("B2B", "$100", "@sarah"); instead :func:`obfuscation_variants`
proposes de-obfuscated spellings of a whitespace-delimited chunk, each still tied to its span.
The matcher (:mod:`tactful.core.matching`) reads them two ways: a chunk that spells a single word
of an ``obfuscation: true`` entry is that entry's match on its own; a chunk that spells any word
a phrase or vocabulary class uses ("you 1d!0t", "my 1d10t boss") stands for that word inside a
phrase of two or more words. Codes are never read as words: a chunk shaped like a postcode,
road, model, grade or unit (:data:`_CODE`), or holding a digit or symbol the leet map does not
know ("B2B", "h2o", "24/7"), gets no variants.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import product

import regex

_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Mn", "Me"}
_PUNCTUATION = {"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_KEEP_CONTROL = {"\n", "\t", "\r"}

_WORD = regex.compile(r"\w+(?:['’-]\w+)*")
# Loose tokens: whitespace-delimited runs that may hide a word behind symbols (sh!t, @ss, f*ck).
_LOOSE = regex.compile(r"[^\s\"“”‘(){}\[\]<>,;:?]+")
_STRIP_EDGE = "!.?,;:'’\"-_)("
# Single letters split by one separator used throughout ("f.u.c.k", "s h i t t y", "f. u. c. k"):
# the same separator each time, so "a f.u.c.k" does not swallow the word "a" before it.
_SPACED_LETTERS = regex.compile(
    r"(?<![\w])\p{L}(?P<sep>[.\-_*·•] ?| [.\-_*·•]? ?)(?:\p{L}(?P=sep))+\p{L}(?![\w])"
)
_RUN3 = regex.compile(r"(\p{L})\1{2,}")
# Postcodes, models, roads, grades and units (N19, A55, F49, 3rd, 4K, 10x, 25min) are codes,
# not leetspeak. One digit before three letters is read ("5hit"): ordinals and units there
# ("1st", "7pm", "5min") resolve to no listed word.
_CODE = regex.compile(r"[a-z]{1,3}\d{2,}[a-z]?|\d+[a-z]{1,2}|\d{2,}[a-z]{3}|[a-z]\d[a-z]?\d*")
# A dash between spaces starts a clause only from the start of its whitespace (tried from every
# space of a long run, "\s+" read the rest of the run each time: 100,000 spaces took 90 s).
_SENTENCE_END = regex.compile(r"[.!?…]+[\"')\]]*\s+|\n\s*\n|\n(?=\s*[-•*\d])|(?<!\s)\s+[-–—]\s+")

LEET_MAP: dict[str, tuple[str, ...]] = {
    "0": ("o",),
    "1": ("i", "l"),
    "3": ("e",),
    "4": ("a",),
    "5": ("s",),
    "7": ("t",),
    "8": ("b",),
    "9": ("g",),
    "@": ("a",),
    "$": ("s",),
    "!": ("i",),
    "|": ("i", "l"),
    "+": ("t",),
    "€": ("e",),
    "¡": ("i",),
    "¢": ("c",),
}
WILDCARDS = frozenset("*#%_")
_MAX_LEET_VARIANTS = 8


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the normalised text; ``start``/``end`` index ``NormalizedText.text``."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class NormalizedText:
    """The normalised text of a post and the map back to the original characters."""

    original: str
    text: str
    source: list[int]  # source[j] = index in ``original`` of the char that produced text[j]
    squeezed: frozenset[int] = frozenset()  # normalised indices where a long run was cut
    _tokens: list[Token] | None = field(default=None, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to the original text (end exclusive)."""
        if not self.source:
            return (0, 0)
        start = min(max(start, 0), len(self.source) - 1)
        end = min(max(end, start + 1), len(self.source))
        orig_end = self.source[end - 1] + 1
        # Keep accents typed after the last letter inside the span, so a fix removes them too.
        original = self.original
        while orig_end < len(original) and unicodedata.category(original[orig_end]) in ("Mn", "Me"):
            orig_end += 1
        return (self.source[start], orig_end)

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(self.text)]
        return self._tokens

    def was_elongated(self, start: int, end: int) -> bool:
        return any(i in self.squeezed for i in range(start, end))

    def loose_tokens(self) -> Iterator[Token]:
        """Whitespace-delimited chunks that contain symbols or digits between letters."""
        for m in _LOOSE.finditer(self.text):
            raw = m.group()
            lead = len(raw) - len(raw.lstrip(_STRIP_EDGE))
            body = raw.strip(_STRIP_EDGE)
            if len(body) < 3 or body.isalpha():
                continue
            if not any(ch.isalpha() for ch in body):
                continue
            yield Token(body, m.start() + lead, m.start() + lead + len(body))


@cache
def _confusables() -> dict[str, str]:
    """Map non-ASCII look-alike characters to the ASCII letter or digit they imitate."""
    package = resources.files("confusable_homoglyphs")
    data = json.loads(package.joinpath("confusables.json").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for char, entries in data.items():
        if char.isascii():
            continue
        for entry in entries:
            target = entry["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                table.setdefault(char, target.lower())
                break
    return table


def _fold_chars(original: str) -> tuple[list[str], list[int]]:
    """Steps 1-2: drop invisibles, decompose, drop accents, casefold; char by char."""
    out: list[str] = []
    src: list[int] = []
    for i, ch in enumerate(original):
        if ch.isascii():
            if ch.isprintable() or ch in _KEEP_CONTROL:
                out.append(ch.lower())
                src.append(i)
            continue
        if ch in _PUNCTUATION:
            out.append(_PUNCTUATION[ch])
            src.append(i)
            continue
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.category(part) in _INVISIBLE_CATEGORIES and part not in _KEEP_CONTROL:
                continue
            for folded in part.casefold():
                out.append(folded)
                src.append(i)
    return out, src


def _map_confusables(chars: list[str]) -> None:
    """Step 3, in place: rewrite look-alike letters inside words that are meant to read as Latin."""
    table = _confusables()
    text = "".join(chars)
    letters = [c for c in text if c.isalpha()]
    # A word written wholly in look-alikes is only disguised Latin inside a mostly-Latin post;
    # in a Greek or Russian post it is just Greek or Russian.
    mostly_latin = sum(c.isascii() for c in letters) * 2 >= len(letters)
    for m in _WORD.finditer(text):
        word = m.group()
        if word.isascii():
            continue
        foreign = [c for c in word if not c.isascii() and c.isalpha()]
        has_latin = any(c.isascii() and c.isalpha() for c in word)
        if not foreign:
            continue
        if has_latin or (mostly_latin and all(c in table for c in foreign)):
            for k in range(m.start(), m.end()):
                mapped = table.get(chars[k])
                if mapped is not None:
                    chars[k] = mapped


def _drop(chars: list[str], src: list[int], drop: set[int]) -> tuple[list[str], list[int]]:
    keep = [k for k in range(len(chars)) if k not in drop]
    return [chars[k] for k in keep], [src[k] for k in keep]


def normalize(original: str) -> NormalizedText:
    """Normalise ``original`` for matching; see the module docstring for what is undone."""
    if original.isascii() and original.isprintable():
        chars = list(original.lower())
        src = list(range(len(original)))
    else:
        chars, src = _fold_chars(original)
        _map_confusables(chars)
    text = "".join(chars)

    if _SPACED_LETTERS.search(text):
        drop: set[int] = set()
        for m in _SPACED_LETTERS.finditer(text):
            drop.update(k for k in range(m.start(), m.end()) if not chars[k].isalpha())
        chars, src = _drop(chars, src, drop)
        text = "".join(chars)

    squeezed: set[int] = set()
    if _RUN3.search(text):
        drop = set()
        for m in _RUN3.finditer(text):
            # The kept pair lands at (old start - letters dropped before it) in the new text;
            # remember it so the matcher may also try a single letter there.
            new_start = m.start() - len(drop)
            squeezed.update((new_start, new_start + 1))
            drop.update(range(m.start() + 2, m.end()))
        chars, src = _drop(chars, src, drop)
        text = "".join(chars)

    return NormalizedText(original=original, text=text, source=src, squeezed=frozenset(squeezed))


def collapse_doubles(word: str) -> str:
    """``fuuck`` -> ``fuck``: drop the second of each doubled letter."""
    out = [c for k, c in enumerate(word) if k == 0 or c != word[k - 1]]
    return "".join(out)


def obfuscation_variants(chunk: str) -> list[str]:
    """De-obfuscated spellings of a chunk like ``sh1t``, ``@ss``, ``st.upid`` or ``a$$hole``.

    Returns plain-letter candidates (without the chunk itself). Wildcards (``*#%_``) are kept
    for :func:`matches_masked` to resolve against the lexicon.
    """
    body = "".join(c for c in chunk if c not in ".-'’")
    if _CODE.fullmatch(body):
        return []
    slots: list[tuple[str, ...]] = []
    for c in body:
        if c in LEET_MAP:
            slots.append(LEET_MAP[c])
        elif c.isalpha() or c in WILDCARDS:
            slots.append((c,))
        else:
            return []
    variants: list[str] = []
    for combo in product(*slots):
        variants.append("".join(combo))
        if len(variants) >= _MAX_LEET_VARIANTS:
            break
    return [v for v in variants if v != chunk or any(c in WILDCARDS for c in v)]


def matches_masked(masked: str, word: str) -> bool:
    """True when ``masked`` (``f*ck``, ``sh**``) could be ``word`` with letters hidden."""
    if len(masked) != len(word):
        return False
    known = 0
    for m, w in zip(masked, word, strict=True):
        if m in WILDCARDS:
            continue
        if m != w:
            return False
        known += 1
    return known >= 2 and masked[0] not in WILDCARDS


def sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence/clause spans ``(start, end)``, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        keep = len(m.group().rstrip()) if m.group()[0] in ".!?…" else 0
        spans.append((start, m.start() + keep))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
