"""Street addresses (US/UK, German, French), UK postcodes and "I live at ..." phrases.

Street formats need a house number, so the street recognizer only runs on text with a
digit. The validate step drops "500 miles down the road" (a street name made of ordinary
words), lower-case German or French look-alikes, and house numbers that are years. An
address right after a business word ("our office at 10 Main Street") is reported as
``business-address`` with a lower score so that policy can decide.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tactful.core.findings import Severity, Suggestion
from tactful.core.text import NormalizedText
from tactful.detectors.pii._common import (
    LOCATION,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    Vocabulary,
    all_caps,
    alternation,
    capitalized,
    near,
    phrase_regex,
    word_before,
    word_start,
    words,
)

_T_EN = alternation(words("addresses", "street_types_en"))
_T_DE = alternation(words("addresses", "street_types_de"))
_T_DE_WEAK = alternation(words("addresses", "street_types_de_weak"))
_T_FR = alternation(words("addresses", "street_types_fr"))
_AREAS = alternation(words("addresses", "uk_postcode_areas"))
_FR_PARTICLE = r"(?:de\s+la\s+|de\s+l['’]|d['’]|l['’]|(?:de|du|des|la|le|les)\s+)"
_W = r"[\w'’.-]+"

_EN_STREET = re.compile(
    rf"(?<![\w/.,:$£€-])\d{{1,5}}[a-z]?(?:-\d{{1,5}})?\s+(?P<name>(?:{_W}\s+){{1,3}}?)"
    rf"{_T_EN}(?!\w)"
)
# Anchored on the street-type suffix; the word it ends is found by walking back.
_DE_STREET = re.compile(rf"(?P<t>{_T_DE}|{_T_DE_WEAK})\.?\s+(?P<num>\d{{1,4}})(?:\s?[a-z])?(?!\w)")
_DE_WEAK = re.compile(_T_DE_WEAK)
_FR_STREET = re.compile(
    rf"(?<![\w/.,:$£€-])\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+{_T_FR}\s+"
    rf"(?P<name>{_FR_PARTICLE}?[\w'’-]+(?:\s+{_FR_PARTICLE}?[\w'’-]+){{0,3}})"
)
_PLZ_CITY = re.compile(r",?\s*\d{5}\s+[a-z][\w-]*")
_UK_POSTCODE = rf"{_AREAS}\d[a-z\d]?\s?\d[abd-hjlnp-uw-z]{{2}}"
_POSTCODE = re.compile(rf"(?<![\w-]){_UK_POSTCODE}(?![\w-])")
_CITY = re.compile(r",\s*(?P<city>[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,2})")
_ZIP = re.compile(rf",?\s*(?:[a-z]{{2}}\s+\d{{5}}(?:-\d{{4}})?|{_UK_POSTCODE})(?![\w-])")
_WORD = re.compile(r"[\w'’#.-]+")
_DIGIT = re.compile(r"\d")
_POSTCODE_GATE = re.compile(r"[A-Z]\d")
_PLZ_GATE = re.compile(r"\d{5}")
_PARTICLES = frozenset({"de", "la", "du", "des", "le", "les"})

_HOME_WORDS = alternation(words("addresses", "home_words"))
_HOME = re.compile(
    r"(?<!\w)(?:(?:i|we)\s+(?:still\s+|now\s+|currently\s+|just\s+)?"
    r"(?:live|lived|stay|rent|reside|moved)"
    r"|(?:i|we)['’]?(?:m|re|\s+am|\s+are)\s+(?:living|staying|moving)"
    rf"|(?:my\s+(?:home\s+)?address|(?:my|our)\s+(?:[\w'’-]+\s+)?{_HOME_WORDS})"
    r"(?P<is>\s+(?:is|was)|\s*:)?)"
    r"\s+(?:(?P<prep>at|on|in|into|to)\s+)?(?P<place>[^\n,.!?;:()\[\]]{1,60})"
)
_STREET_WORD = re.compile(rf"^(?:{_T_EN}|{_T_FR}|[\w'’-]*(?:{_T_DE}))\.?$")


class AddressRecognizer(Recognizer):
    """``street-address``, ``postcode``, ``home-address`` and ``business-address``."""

    name = "addresses"
    NOT_NAME: ClassVar[frozenset[str]] = frozenset(words("addresses", "not_street_name"))
    STOP: ClassVar[frozenset[str]] = frozenset(words("addresses", "place_stop_words"))
    BUSINESS_CUES: ClassVar[re.Pattern[str]] = phrase_regex(words("addresses", "business_cues"))
    EN_TYPES: ClassVar[frozenset[str]] = frozenset(words("addresses", "street_types_en"))
    FR_TYPES: ClassVar[frozenset[str]] = frozenset(words("addresses", "street_types_fr"))
    DE_SUFFIXES: ClassVar[tuple[str, ...]] = words("addresses", "street_types_de")
    HOME_VERBS: ClassVar[Vocabulary] = Vocabulary(
        ["live", "lived", "living", "stay", "staying", "rent", "reside", "moved", "moving"]
    )
    HOME_NOUNS: ClassVar[Vocabulary] = Vocabulary((*words("addresses", "home_words"), "address"))
    BUSINESS_BEFORE: ClassVar[int] = 40
    MAX_HOUSE_NUMBER: ClassVar[int] = 1899  # above: a year ("Spring 2024")
    SCORE_STREET: ClassVar[float] = 0.85
    SCORE_POSTCODE: ClassVar[float] = 0.6
    SCORE_HOME: ClassVar[float] = 0.9
    SCORE_HOME_VAGUE: ClassVar[float] = 0.6
    SCORE_BUSINESS: ClassVar[float] = 0.4

    _WHY = (
        "An address tells everyone who reads the post where to find you: it makes stalking, "
        "harassment and burglary easy, and clients have no need to see it."
    )
    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "street-address": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Street address in the post",
            _WHY,
            (
                Suggestion("replace", "Name the area, not the address", replacement="in town"),
                Suggestion("remove", "Remove the address"),
            ),
        ),
        "postcode": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Postcode in the post",
            "A full postcode narrows you down to a handful of homes; with your name, anyone "
            "can find where you live.",
            (
                Suggestion("replace", "Give the town instead", replacement="[town]"),
                Suggestion("remove", "Remove the postcode"),
            ),
        ),
        "home-address": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Says where you live",
            "Saying which street or building you live on lets strangers find your home; it is "
            "the first thing a stalker or harasser looks for.",
            (
                Suggestion("replace", "Be vague about where you live", replacement="in town"),
                Suggestion("remove", "Remove where you live"),
            ),
        ),
        "business-address": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Address in the post (looks like a business address)",
            "A business's published address is usually fine, but check it is not also "
            "someone's home, and that the business wants it shared here.",
            (
                Suggestion("other", "Keep it only if the business publishes this address"),
                Suggestion("replace", "Link to the location page", replacement="[our location]"),
            ),
        ),
    }

    def analyze(self, scan: Scan) -> list[Hit]:
        streets = self._streets(scan) if scan.has_digit else []
        w = scan.words
        if not (
            self.HOME_VERBS.present(w) or (("my" in w or "our" in w) and self.HOME_NOUNS.present(w))
        ):
            return streets
        homes = []
        for home in self._home(scan.norm):
            # "I live at 1234 Elm Street, Springfield": the street match knows the city.
            inner = [s for s in streets if s.start < home.end and home.start < s.end]
            if inner:
                end = max(home.end, *(s.end for s in inner))
                home = Hit(home.check, home.start, end, home.score, home.pattern)
                streets = [s for s in streets if s not in inner]
            homes.append(home)
        return streets + homes

    # -- street formats ---------------------------------------------------------------------

    def _streets(self, scan: Scan) -> list[Hit]:
        norm, text = scan.norm, scan.text
        found: list[tuple[int, int, str]] = []
        if not self.EN_TYPES.isdisjoint(scan.words):
            for m in _EN_STREET.finditer(text):
                if not any(w in self.NOT_NAME for w in m.group("name").split()):
                    found.append((m.start(), self._extend_en(norm, m.end()), "US/UK street"))
        if any(sfx in text for sfx in self.DE_SUFFIXES) or _PLZ_GATE.search(text):
            for m in _DE_STREET.finditer(text):
                span = self._check_de(norm, m)
                if span:
                    found.append((*span, "German street"))
        if not self.FR_TYPES.isdisjoint(scan.words):
            for m in _FR_STREET.finditer(text):
                end = self._check_fr(norm, m)
                if end:
                    found.append((m.start(), end, "French street"))
        if _POSTCODE_GATE.search(norm.original):
            for m in _POSTCODE.finditer(text):
                if all_caps(norm, m.start(), m.end()):
                    found.append((m.start(), m.end(), "UK postcode"))
        hits = []
        for start, end, pattern in found:
            check = "postcode" if pattern == "UK postcode" else "street-address"
            score = self.SCORE_POSTCODE if check == "postcode" else self.SCORE_STREET
            if near(self.BUSINESS_CUES, text, start, end, self.BUSINESS_BEFORE, 0):
                check, score = "business-address", self.SCORE_BUSINESS
                pattern += " after a business word"
            hits.append(Hit(check, start, end, score, pattern))
        return hits

    def _extend_en(self, norm: NormalizedText, end: int) -> int:
        """Add ", Springfield" (capitalised words) and a US ZIP or UK postcode."""
        text = norm.text
        m = _CITY.match(text, end)
        if m is not None:
            for w in _WORD.finditer(text, m.start("city"), m.end("city")):
                word = w.group()
                if not capitalized(norm, w.start()) or word in self.NOT_NAME or _DIGIT.search(word):
                    break
                end = w.end()
        z = _ZIP.match(text, end)
        if z is not None and all_caps(norm, z.start(), z.end()):
            end = z.end()
        return end

    def _check_de(self, norm: NormalizedText, m: re.Match[str]) -> tuple[int, int] | None:
        """Find the street name that ends in the type ("Hauptstraße 5", "Berliner Straße 5");
        it must be capitalised, the number must not be a year, and a weak suffix ("-ring")
        needs a postcode after it."""
        text = norm.text
        start = word_start(text, m.start())
        if start == m.start():  # a separate word: "Berliner Straße"
            before = word_before(text, m.start(), max(0, m.start() - 40))
            if before is None or not text[before[1] : m.start()].isspace():
                return None
            start = before[0]
        if not capitalized(norm, start) or int(m.group("num")) > self.MAX_HOUSE_NUMBER:
            return None
        plz = _PLZ_CITY.match(text, m.end())
        if plz is None and _DE_WEAK.fullmatch(m.group("t")):
            return None
        return start, plz.end() if plz is not None else m.end()

    def _check_fr(self, norm: NormalizedText, m: re.Match[str]) -> int:
        """Keep the capitalised part of the name ("de la Paix"), then a postcode and city."""
        end = 0
        for w in _WORD.finditer(norm.text, m.start("name"), m.end("name")):
            word = w.group()
            if word in _PARTICLES and end == 0:
                continue
            elided = word[:2] in ("d'", "l'", "d’", "l’")
            if not capitalized(norm, w.start() + (2 if elided else 0)):
                break
            end = w.end()
        if not end:
            return 0
        plz = _PLZ_CITY.match(norm.text, end)
        return plz.end() if plz is not None else end

    # -- "I live at ..." --------------------------------------------------------------------

    def _home(self, norm: NormalizedText) -> list[Hit]:
        hits = []
        for m in _HOME.finditer(norm.text):
            prep = m.group("prep")
            if prep is None and not m.group("is"):
                continue
            kept: list[re.Match[str]] = []
            typed: list[bool] = []
            for w in _WORD.finditer(norm.text, m.start("place"), m.end("place")):
                street = bool(_STREET_WORD.match(w.group()))
                # "close" ends "Maple Avenue close to the park" but names "7 Elm Close".
                if (w.group() in self.STOP and (any(typed) or not street)) or len(kept) == 6:
                    break
                kept.append(w)
                typed.append(street)
            if not kept:
                continue
            if any(typed):
                last = max(i for i, t in enumerate(typed) if t)
                if last + 1 < len(kept) and kept[last + 1].group()[:1].isdigit():
                    last += 1  # German: "Hauptstraße 5"
                score, pattern = self.SCORE_HOME, "home phrase with a street name"
            elif prep in ("at", "on") and any(c.isdigit() for c in kept[0].group()):
                last, score, pattern = len(kept) - 1, self.SCORE_HOME, "home phrase with a number"
            elif prep == "at" and capitalized(norm, kept[0].start()) and kept[0].group() != "i":
                last = 0
                while last + 1 < len(kept) and capitalized(norm, kept[last + 1].start()):
                    last += 1
                score, pattern = self.SCORE_HOME_VAGUE, "home phrase with a place name"
            else:
                continue
            start = m.start("prep") if prep else kept[0].start()
            end = kept[last].end()
            if norm.text[end - 1] == ".":
                end -= 1
            hits.append(Hit("home-address", start, end, score, pattern))
        return hits
