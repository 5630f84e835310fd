"""Where you are and where you will be: live location, routines, children's school.

* live location: "I'm at X right now", "currently at the airport", "just checked in at X",
  "📍 X", "at the gym now". Idioms ("I'm at a loss", "we're at capacity") are dropped,
  and a place needs a "now" word or a place word ("gym", "hotel") to count.
* routines: "every Tuesday at 6am at the gym on 5th", "every morning I run along the
  canal". An "every/each <day>" cue needs a time or a place in the same clause, and a
  person; "every Tuesday we publish a newsletter" is not a routine anyone can follow.
* children's school: a child ("my daughter") with a named school ("Oakwood Primary") or
  with a school, a time and a pick-up/drop-off verb.
"""

from __future__ import annotations

from typing import ClassVar

import regex

from tactful.detectors.pii._common import (
    LOCATION,
    CheckInfo,
    Hit,
    Recognizer,
    alternation,
    capitalized,
    clause_bounds,
    phrase_regex,
    words,
)
from tactful.findings import Severity, Suggestion
from tactful.text import NormalizedText

_W = "whereabouts"
_NOW = alternation(words(_W, "now_words"))
_PLACE = alternation(words(_W, "place_words"))
_STREET = alternation(words("addresses", "street_types_en") + words("addresses", "street_types_fr"))
_DAYS = alternation(words(_W, "routine_days"))
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend)"
_STOP_CHARS = r"[^\n,.!?;:()\[\]#@]"

_LIVE = regex.compile(
    rf"(?<!\w){alternation(words(_W, 'here_cues'))}\s+(?P<now>(?:right\s+now|now|currently|"
    r"still|just|already)\s+)?(?:(?:sitting|waiting|hanging\s+out|chilling|stuck|standing)\s+)?"
    rf"(?P<prep>at|outside|inside|in)\s+(?P<place>{_STOP_CHARS}{{1,60}})"
)
_CHECKIN = regex.compile(rf"(?<!\w)checked\s+in\s+(?P<prep>at|to)\s+(?P<place>{_STOP_CHARS}{{1,60}})")
_PIN = regex.compile(rf"📍\s*(?P<place>{_STOP_CHARS}{{1,60}})")
_AT_NOW = regex.compile(
    rf"(?<!\w)(?P<span>at\s+(?:the\s+|my\s+|this\s+)?{_PLACE}"
    rf"(?:\s+(?:on|in|near|by)\s+[\w'’-]+){{0,2}})\s+{_NOW}(?!\w)"
)
_NOW_NEAR = regex.compile(rf"^(?:{_STOP_CHARS}{{0,25}}?\s)?{_NOW}(?!\w)")
_PLACE_WORD = regex.compile(rf"(?<!\w)(?:{_PLACE}|{_STREET})(?!\w)")
_WORD = regex.compile(r"[\w'’&.-]+")

_ROUTINE = regex.compile(
    rf"(?<!\w)(?:(?:every|each)\s+(?:single\s+)?(?:other\s+)?{_DAYS}s?|on\s+{_WEEKDAYS}s"
    rf"|{alternation(words(_W, 'routine_other'))})(?!\w)"
)
_TIME = regex.compile(
    r"(?<![\w:.])(?:(?:at|around|by|from|until|till|before|after)\s+)?"
    r"(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.|uhr)(?!\w)|\d{1,2}h\d{2}(?!\w)"
    r"|\d{1,2}:\d{2}(?![\d:])|(?<=(?:at|around|by)\s+)\d{1,2}(?![\d:.,%\w])|noon|midnight"
    r"|dawn|sunrise|sunset)"
)
_ROUTINE_PLACE = regex.compile(
    r"(?<!\w)(?:at|in|to|along|through|around|past|near|by|on|across|down|outside)\s+"
    rf"(?:the\s+|my\s+|a\s+)?(?:{_PLACE}(?:\s+on\s+[\w'’-]+)?|\d{{1,3}}(?:st|nd|rd|th)"
    rf"(?:\s+{_STREET})?|[\w'’-]+\s+{_STREET})(?!\w)"
)
_CAP_PLACE = regex.compile(r"(?<!\w)(?:at|along|in|to|near)\s+(?:the\s+)?(?P<name>[a-z][\w'’-]+)")
_MOVE = regex.compile(
    rf"(?<!\w){alternation(words(_W, 'routine_verbs'))}\s+(?:[\w'’-]+\s+)?"
    rf"{alternation(words(_W, 'place_prepositions'))}\s+(?:the\s+|my\s+)?[\w'’-]+"
)
_PERSONAL = regex.compile(r"(?<!\w)(?:i|i['’]m|im|my|me)(?!\w)")

_CHILD = regex.compile(
    rf"(?<!\w)(?:my|our)\s+(?:[\w'’-]+\s+)?{alternation(words(_W, 'child_words'))}(?!\w)"
)
_SCHOOL = phrase_regex(words(_W, "school_words"))
_SCHOOL_VERB = phrase_regex(words(_W, "school_verbs"))
_NAME_WORD = regex.compile(r"(?r)(?:^|\s)([\w'’.-]+)\s*$")


class WhereaboutsRecognizer(Recognizer):
    """``live-location``, ``routine`` and ``child-school``."""

    name = "whereabouts"
    IDIOMS: ClassVar[tuple[str, ...]] = tuple(words(_W, "idioms"))
    STOP: ClassVar[frozenset[str]] = frozenset(words("addresses", "place_stop_words"))
    ARTICLES: ClassVar[frozenset[str]] = frozenset({"the", "a", "an", "my", "our", "this"})
    PREFILTER: ClassVar[regex.Pattern[str]] = regex.compile(
        rf"(?<!\w)(?:i['’]?m|i\s+am|we['’]?re|we\s+are|currently|checked\s+in|sitting|"
        r"waiting|stuck|chilling|hanging|find\s+me|meet\s+me|every|each|daily|nightly|most|"
        rf"same\s+time|on\s+{_WEEKDAYS}s|at)(?!\w)|📍"
    )
    MAX_PLACE_WORDS: ClassVar[int] = 6

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "live-location": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Says where you are right now",
            "Posting where you are while you are still there tells anyone reading where to "
            "find you, which makes stalking and harassment easy (and tells them your home is "
            "empty).",
            (
                Suggestion("replace", "Be vague about the place", replacement="in town"),
                Suggestion("other", "Post it after you have left"),
            ),
        ),
        "routine": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Describes a routine: when and where you regularly are",
            "A regular time and place lets a stranger predict where you will be and wait for "
            "you there; stalkers look for exactly this.",
            (
                Suggestion("rewrite", "Keep the habit, drop the time and the place"),
                Suggestion("remove", "Remove the time and place of the routine"),
            ),
        ),
        "child-school": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Names your child's school or school times",
            "A child's school and pick-up times tell strangers where to find a child and when; "
            "it puts the child at risk and can be used against you.",
            (
                Suggestion("rewrite", "Say 'school' without its name or the times"),
                Suggestion("remove", "Remove the school and the times"),
            ),
        ),
    }

    def applies(self, text: str) -> bool:
        return self.PREFILTER.search(text) is not None

    def analyze(self, norm: NormalizedText) -> list[Hit]:
        return [*self._live(norm), *self._routines(norm), *self._school(norm)]

    # -- live location ----------------------------------------------------------------------

    def _place(self, text: str, start: int, end: int) -> tuple[int, str] | None:
        """End and words of the place starting at ``start``, or None for an idiom."""
        kept: list[regex.Match[str]] = []
        for w in _WORD.finditer(text, start, end):
            if w.group() in self.STOP or len(kept) == self.MAX_PLACE_WORDS:
                break
            kept.append(w)
        while kept and kept[-1].group() in self.ARTICLES:
            kept.pop()
        if not kept:
            return None
        phrase = text[start : kept[-1].end()]
        for idiom in self.IDIOMS:
            if phrase == idiom or phrase.startswith(idiom + " "):
                return None
        return kept[-1].end(), phrase

    def _live(self, norm: NormalizedText) -> list[Hit]:
        text = norm.text
        hits: list[Hit] = []
        for m in _LIVE.finditer(text):
            place = self._place(text, m.start("place"), m.end("place"))
            if place is None:
                continue
            end, phrase = place
            has_now = bool(m.group("now")) or bool(_NOW_NEAR.search(text[end : end + 40]))
            has_place = bool(_PLACE_WORD.search(phrase))
            if m.group("prep") == "in" and not (has_place and has_now):
                continue
            if not (has_now or has_place):
                continue
            score = 0.9 if has_now and has_place else 0.75
            why = "now word" if has_now else "place word"
            hits.append(Hit("live-location", m.start("prep"), end, score, f"'I'm at' + {why}"))
        for m in _CHECKIN.finditer(text):
            place = self._place(text, m.start("place"), m.end("place"))
            if place is not None:
                hits.append(Hit("live-location", m.start(), place[0], 0.85, "'checked in at'"))
        for m in _PIN.finditer(text):
            place = self._place(text, m.start("place"), m.end("place"))
            if place is not None:
                hits.append(Hit("live-location", m.start(), place[0], 0.8, "📍 pin"))
        for m in _AT_NOW.finditer(text):
            hits.append(Hit("live-location", m.start(), m.end("span"), 0.8, "'at the <place> now'"))
        return hits

    # -- routines ---------------------------------------------------------------------------

    def _routines(self, norm: NormalizedText) -> list[Hit]:
        text = norm.text
        hits: list[Hit] = []
        for m in _ROUTINE.finditer(text):
            cs, ce = clause_bounds(text, m.start(), m.end())
            time = _TIME.search(text, cs, ce)
            place = _ROUTINE_PLACE.search(text, cs, ce) or self._named_place(norm, cs, ce)
            move = _MOVE.search(text, cs, ce)
            personal = _PERSONAL.search(text, cs, ce) is not None
            if place and (time or move):
                score, pattern = 0.9, "routine with a time or movement and a place"
            elif (place or move) and personal:
                score, pattern = 0.8, "routine with a place"
            elif time and personal:
                score, pattern = 0.6, "routine with a time"
            else:
                continue
            parts = [p for p in (m, time, place, move) if p is not None]
            start = min(p.start() for p in parts)
            end = max(p.end() for p in parts)
            hits.append(Hit("routine", start, end, score, pattern))
        return hits

    def _named_place(self, norm: NormalizedText, cs: int, ce: int) -> regex.Match[str] | None:
        for m in _CAP_PLACE.finditer(norm.text, cs, ce):
            if capitalized(norm, m.start("name")):
                return m
        return None

    # -- children's school ------------------------------------------------------------------

    def _school(self, norm: NormalizedText) -> list[Hit]:
        text = norm.text
        hits: list[Hit] = []
        if not _CHILD.search(text):
            return hits
        for child in _CHILD.finditer(text):
            cs, ce = clause_bounds(text, child.start(), child.end())
            school = None
            named = False
            for s in _SCHOOL.finditer(text, cs, ce):
                start = self._school_name_start(norm, cs, s.start())
                school, named = (start, s.end()), start < s.start()
                if named:
                    break
            if school is None:
                continue
            time = _TIME.search(text, cs, ce)
            verb = _SCHOOL_VERB.search(text, cs, ce)
            if named and (time or verb):
                score, pattern = 0.9, "child + named school + time or pick-up"
            elif named:
                score, pattern = 0.7, "child + named school"
            elif time and verb:
                score, pattern = 0.6, "child + school + pick-up time"
            else:
                continue
            spans = [(child.start(), child.end()), school]
            spans += [(p.start(), p.end()) for p in (time, verb) if p is not None]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            hits.append(Hit("child-school", start, end, score, pattern))
        return hits

    def _school_name_start(self, norm: NormalizedText, cs: int, pos: int) -> int:
        """Walk back over up to three capitalised words before the school word."""
        start = pos
        for _ in range(3):
            m = _NAME_WORD.search(norm.text, cs, start)
            if m is None or not capitalized(norm, m.start(1)) or m.group(1) in self.ARTICLES:
                break
            start = m.start(1)
        return start
