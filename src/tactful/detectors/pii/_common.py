"""Shared pieces of the PII recognizers: the word lists, what a recognizer returns, helpers.

Recognizers work on the NORMALISED text (``NormalizedText.text``: lower case, accents
removed) and report :class:`Hit` spans into it; the detector maps them back to the text
the user typed. Each recognizer is small, in the spirit of Microsoft Presidio: default
constants are class attributes, a cheap ``applies`` prefilter runs first, a validate step
removes false positives, and every hit names the pattern that fired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import ClassVar, Literal

from tactful.core.data import DataModel, Source, Text
from tactful.core.findings import Severity, Suggestion
from tactful.core.text import NormalizedText

DATA_FILE = "pii_data.yml"

CONTACT = "safety.contact"
LOCATION = "safety.location"
IDENTITY = "safety.identity_data"


Words = tuple[Text, ...]


class ReservedRange(DataModel):
    """Numbers a regulator keeps for drama and examples, which phonenumbers calls invalid."""

    region: Text
    kind: Literal["mobile", "fixed_line"]
    prefixes: Words  # national significant numbers that start with one of these
    note: Text  # why the range is special, in words (shown in the explanation)


class PhoneWords(DataModel):
    regions: Words
    reserved_ranges: tuple[ReservedRange, ...] = ()
    cues: Words
    strong_cues: Words
    business_cues: Words
    personal_cues: Words
    reference_labels: Words
    negative_cues: Words
    label_suffixes: Words
    quantity_words: Words


class EmailWords(DataModel):
    free_mail_domains: Words
    role_local_parts: Words
    file_extensions: Words


class AddressWords(DataModel):
    street_types_en: Words
    street_types_de: Words
    street_types_de_weak: Words
    street_types_fr: Words
    not_street_name: Words
    business_cues: Words
    home_words: Words
    place_stop_words: Words
    uk_postcode_areas: Words


class WhereaboutsWords(DataModel):
    now_words: Words
    weak_now_words: Words
    idioms: Words
    idiom_words: Words
    in_idioms: Words
    institution_words: Words
    subject_verbs: Words
    now_followers: Words
    posture_words: Words
    invitation_cues: Words
    place_words: Words
    here_cues: Words
    routine_days: Words
    routine_plural_days: Words
    routine_other: Words
    routine_verbs: Words
    place_prepositions: Words
    child_words: Words
    school_words: Words
    school_verbs: Words


class IdentityWords(DataModel):
    birth_cues: Words
    card_cues: Words
    passport_cues: Words
    ssn_cues: Words
    booking_cues: Words
    flight_cues: Words
    boarding_pass_cues: Words
    months: Words


class AbsenceWords(DataModel):
    home_words: Words
    empty_words: Words
    away_words: Words
    travel_words: Words
    personal_words: Words


class PiiDataFile(DataModel):
    """``pii_data.yml``: the word lists of each recognizer family."""

    phones: PhoneWords
    emails: EmailWords
    addresses: AddressWords
    whereabouts: WhereaboutsWords
    identity: IdentityWords
    absence: AbsenceWords


@cache
def pii_data() -> PiiDataFile:
    """The word lists of ``pii_data.yml``, validated and loaded once."""
    return Source.package("tactful.detectors.pii", DATA_FILE).load(PiiDataFile)


def words(section: str, key: str) -> tuple[str, ...]:
    found: tuple[str, ...] = getattr(getattr(pii_data(), section), key)
    return found


def alternation(items: Iterable[str]) -> str:
    """A non-capturing regex alternation of literal phrases, longest first.

    Spaces inside a phrase match any run of whitespace; an apostrophe matches ' or ’.
    """
    phrases = sorted({i.strip().lower() for i in items if i.strip()}, key=len, reverse=True)
    parts = []
    for phrase in phrases:
        escaped = r"\s+".join(re.escape(w) for w in phrase.split())
        parts.append(escaped.replace(r"\'", "'").replace("'", "['’]"))
    return "(?:" + "|".join(parts) + ")"


def phrase_regex(items: Iterable[str]) -> re.Pattern[str]:
    """A compiled pattern finding any of ``items`` as whole words."""
    return re.compile(rf"(?<!\w){alternation(items)}(?!\w)")


@dataclass(frozen=True, slots=True)
class Hit:
    """One result of a recognizer: a span of the normalised text and why it fired."""

    check: str
    start: int
    end: int
    score: float
    pattern: str  # which pattern fired, in words (shown in the explanation)
    extra: tuple[Suggestion, ...] = ()  # suggestions specific to this hit, shown first


@dataclass(frozen=True, slots=True)
class CheckInfo:
    """What a check reports: rule, default severity, message, why it hurts, how to fix."""

    rule_id: str
    severity: Severity
    message: str
    explanation: str
    suggestions: tuple[Suggestion, ...]


_TOKEN = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Scan:
    """One post as the recognizers see it: normalised text plus cheap facts for prefilters."""

    norm: NormalizedText
    text: str
    words: frozenset[str]  # the letter-only tokens of ``text``
    has_digit: bool

    @classmethod
    def of(cls, norm: NormalizedText) -> Scan:
        text = norm.text
        return cls(norm, text, frozenset(_TOKEN.findall(text)), _DIGIT.search(text) is not None)


class Vocabulary:
    """Prefilter for a list of cue phrases: could any of them occur in a post's words?"""

    def __init__(self, phrases: Iterable[str]) -> None:
        single: set[str] = set()
        multi: set[frozenset[str]] = set()
        for phrase in phrases:
            tokens = frozenset(_TOKEN.findall(phrase.lower()))
            if len(tokens) == 1:
                single |= tokens
            elif tokens:
                multi.add(tokens)
        self.single = frozenset(single)
        self.multi = tuple(multi)

    def present(self, words: frozenset[str]) -> bool:
        if not self.single.isdisjoint(words):
            return True
        return any(tokens <= words for tokens in self.multi)


class Recognizer:
    """Base class: a family of related checks over the normalised text."""

    name: ClassVar[str] = "recognizer"
    CHECKS: ClassVar[dict[str, CheckInfo]] = {}

    def applies(self, scan: Scan) -> bool:
        """Cheap prefilter: False means ``analyze`` cannot find anything."""
        return True

    def analyze(self, scan: Scan) -> list[Hit]:
        raise NotImplementedError


# A clock time: "at 6am", "3:15", "7.30pm", "18h30", "at 9", "noon".
TIME = re.compile(
    r"(?<![\w:.])(?:(?:(?:at|around|by|from|until|till|before|after)\s+)?"
    r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr)(?!\w)|\d{1,2}h\d{2}(?!\w)"
    r"|\d{1,2}:\d{2}(?![\d:])|noon|midnight|dawn|sunrise|sunset)"
    r"|(?:at|around|by)\s+\d{1,2}(?![\d:.,%\w]))"
)
_CLAUSE_END = re.compile(r"[!?;\n]|\.(?=\s|$)")
_WORD_CHARS = frozenset("'’-_")


def clause_bounds(text: str, start: int, end: int, limit: int = 160) -> tuple[int, int]:
    """The clause around ``[start, end)``: up to ``limit`` chars either side, cut at . ! ? ; or
    a line break."""
    lo = max(0, start - limit)
    cs = lo
    for m in _CLAUSE_END.finditer(text, lo, start):
        cs = m.end()
    after = _CLAUSE_END.search(text, end, min(len(text), end + limit))
    ce = after.start() if after else min(len(text), end + limit)
    return cs, ce


def word_start(text: str, pos: int) -> int:
    """Where the word that ends at ``pos`` starts (``pos`` itself when no word ends there)."""
    i = pos
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] in _WORD_CHARS):
        i -= 1
    return i


def word_before(text: str, pos: int, lo: int = 0) -> tuple[int, int] | None:
    """The span of the word before ``pos``, skipping whitespace, not going below ``lo``."""
    end = pos
    while end > lo and text[end - 1].isspace():
        end -= 1
    start = max(lo, word_start(text, end))
    return (start, end) if start < end else None


def near(
    pattern: re.Pattern[str], text: str, start: int, end: int, before: int, after: int
) -> bool:
    """True when ``pattern`` occurs within ``before`` chars before or ``after`` chars after."""
    if before and pattern.search(text, max(0, start - before), start):
        return True
    return bool(after and pattern.search(text, end, min(len(text), end + after)))


def capitalized(norm: NormalizedText, index: int) -> bool:
    """True when the character the user typed at normalised ``index`` is upper case."""
    if index >= len(norm.source):
        return False
    return norm.original[norm.source[index]].isupper()


def all_caps(norm: NormalizedText, start: int, end: int) -> bool:
    """True when every letter the user typed in ``[start, end)`` is upper case."""
    if end <= start or end > len(norm.source):
        return False
    typed = norm.original[norm.source[start] : norm.source[end - 1] + 1]
    return any(c.isalpha() for c in typed) and not any(c.islower() for c in typed)
