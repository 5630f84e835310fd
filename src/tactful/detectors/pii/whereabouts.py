"""Where you are and where you will be: live location and routines.

* live location: "I'm at X right now", "currently at the airport", "just checked in at X",
  "📍 X", "at the gym now", "boarding in 10 min". Idioms ("I'm at a loss", "we're at
  capacity", "currently in the market for") are dropped, and a place needs a "now" word, a
  place word ("gym", "hotel") or an invitation ("come say hi") to count. "In" + a name
  counts only for a body at a venue ("Sitting in Costa on Deansgate right now") or with a
  place word ("currently in the lobby of the Hilton"): "I'm in London right now" does not.
  "Diversity at the Bar still has ..." is an institution, and "at the <place> now" before a
  verb ("The team at the hospital today is ...") describes a subject, not where you are.
* routines: "every Tuesday at 6am at the gym on 5th", "every morning I run along the
  canal". An "every/each <day>" cue needs a time or a place in the same clause, and a
  person; "every Tuesday we publish a newsletter" is not a routine anyone can follow.

Children's school lives in :mod:`tactful.detectors.pii.schools`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tactful.core.findings import Severity, Suggestion
from tactful.core.text import NormalizedText
from tactful.detectors.pii._common import (
    LOCATION,
    TIME,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    Vocabulary,
    alternation,
    capitalized,
    clause_bounds,
    words,
)

_W = "whereabouts"
_NOW = alternation(words(_W, "now_words"))
_ANY_NOW = alternation(words(_W, "now_words") + words(_W, "weak_now_words"))
_PLACE = alternation(words(_W, "place_words"))
_STREET = alternation(words("addresses", "street_types_en") + words("addresses", "street_types_fr"))
_DAYS = alternation(words(_W, "routine_days"))
_PLURAL_DAYS = alternation(words(_W, "routine_plural_days"))
_STOP_CHARS = r"[^\n,.!?;:()\[\]#@]"

_LIVE = re.compile(
    rf"(?<!\w)(?P<cue>{alternation(words(_W, 'here_cues'))})\s+(?P<now>(?:right\s+now|now|"
    r"currently|still|just|already)\s+)?"
    rf"(?P<posture>{alternation(words(_W, 'posture_words'))}\s+)?"
    rf"(?P<prep>at|outside|inside|in)\s+(?P<place>{_STOP_CHARS}{{1,80}})"
)
_CHECKIN = re.compile(
    rf"(?<!\w)checked\s+(?P<prep>in\s+at|in\s+to|into)\s+(?P<place>{_STOP_CHARS}{{1,60}})"
)
_PIN = re.compile(rf"📍\s*(?P<place>{_STOP_CHARS}{{1,60}})")
_AT_NOW = re.compile(
    rf"(?<!\w)(?P<span>at\s+(?P<the>the\s+)?(?:my\s+|this\s+)?(?P<place>{_PLACE})"
    rf"(?:\s+(?:on|in|near|by)\s+[\w'’-]+){{0,2}})\s+{_ANY_NOW}(?!\w)"
    r"(?:\s+(?P<next>[\w'’]+))?"
)
# "boarding in 10 min", "Gate B12 boarding now", "now boarding", "about to board".
_SOON = (
    r"(?:now|soon|shortly|at\s+gate\s+[\w-]+|in\s+(?:about\s+|like\s+)?"
    r"(?:\d{1,3}|a\s+few|five|ten|twenty|thirty)\s*(?:min|mins|minutes|m|hrs?|hours?|h))"
)
_BOARDING = re.compile(
    rf"(?<!\w)(?:(?:gate\s+[a-z]?\d{{1,3}}[a-z]?\s+)?(?:now\s+)?boarding\s+{_SOON}"
    r"|now\s+boarding|(?:about|getting\s+ready|waiting)\s+to\s+board)(?!\w)"
)
_NOW_NEAR = re.compile(rf"^(?:{_STOP_CHARS}{{0,25}}?\s)?(?P<now>{_ANY_NOW})(?!\w)")
_STRONG_NOW = re.compile(rf"{_NOW}")
_PLACE_WORD = re.compile(rf"(?<!\w)(?:{_PLACE}|{_STREET})(?!\w)")
_WORD = re.compile(r"[\w'’&.-]+")

_ROUTINE = re.compile(
    rf"(?<!\w)(?:(?:every|each)\s+(?:single\s+)?(?:other\s+)?{_DAYS}s?|on\s+{_PLURAL_DAYS}"
    rf"|{alternation(words(_W, 'routine_other'))})(?!\w)"
)
_ROUTINE_PLACE = re.compile(
    r"(?<!\w)(?:at|in|to|along|through|around|past|near|by|on|across|down|outside)\s+"
    rf"(?:the\s+|my\s+|a\s+)?(?:(?:[\w'’-]+\s+)?{_PLACE}(?:\s+on\s+[\w'’-]+(?:\s+{_STREET})?)?|\d{{1,3}}(?:st|nd|rd|th)"
    rf"(?:\s+{_STREET})?|[\w'’-]+\s+{_STREET})(?!\w)"
)
_CAP_PLACE = re.compile(r"(?<!\w)(?:at|along|in|to|near)\s+(?:the\s+)?(?P<name>[a-z][\w'’-]+)")
_MOVE = re.compile(
    rf"(?<!\w){alternation(words(_W, 'routine_verbs'))}\s+(?:[\w'’-]+\s+)?"
    rf"{alternation(words(_W, 'place_prepositions'))}\s+(?:the\s+|my\s+)?[\w'’-]+"
)
_CAP_WORD = re.compile(r"\s+(?P<word>[\w'’-]+)")
_PERSONAL = re.compile(r"(?<!\w)(?:i|i['’]m|im|my|me)(?!\w)")
_NOUN_BEFORE = re.compile(r"(?:^|[^\w'’])(?:our|the|their|his|her|its|a|an|this)\s+[\w'’-]+\s+$")
_INVITE = re.compile(rf"(?<!\w){alternation(words(_W, 'invitation_cues'))}(?!\w)")


def _by_first_word(phrases: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for phrase in phrases:
        out.setdefault(phrase.split()[0], []).append(" ".join(phrase.split()))
    return {k: tuple(v) for k, v in out.items()}


class WhereaboutsRecognizer(Recognizer):
    """``live-location`` and ``routine``."""

    name = "whereabouts"
    IDIOMS: ClassVar[dict[str, tuple[str, ...]]] = _by_first_word(words(_W, "idioms"))
    IN_IDIOMS: ClassVar[dict[str, tuple[str, ...]]] = _by_first_word(words(_W, "in_idioms"))
    IDIOM_WORDS: ClassVar[frozenset[str]] = frozenset(words(_W, "idiom_words"))
    INSTITUTIONS: ClassVar[frozenset[str]] = frozenset(words(_W, "institution_words"))
    SUBJECT_VERBS: ClassVar[frozenset[str]] = frozenset(words(_W, "subject_verbs"))
    FOLLOWERS: ClassVar[frozenset[str]] = frozenset(words(_W, "now_followers"))
    POSTURES: ClassVar[frozenset[str]] = frozenset(
        " ".join(p.split()) for p in words(_W, "posture_words")
    )
    INVITES: ClassVar[Vocabulary] = Vocabulary(words(_W, "invitation_cues"))
    BOARDING: ClassVar[frozenset[str]] = frozenset({"boarding", "board"})
    STOP: ClassVar[frozenset[str]] = frozenset(words("addresses", "place_stop_words"))
    ARTICLES: ClassVar[frozenset[str]] = frozenset({"the", "a", "an", "my", "our", "this"})
    # Words a place does not end with: "the lobby of the Hilton on" stops before "on".
    TRAILING: ClassVar[frozenset[str]] = ARTICLES | {"on", "of", "in", "at", "to", "off", "&"}
    HERE: ClassVar[Vocabulary] = Vocabulary(words(_W, "here_cues"))
    PLACES: ClassVar[Vocabulary] = Vocabulary(words(_W, "place_words"))
    NOWS: ClassVar[Vocabulary] = Vocabulary(words(_W, "now_words") + words(_W, "weak_now_words"))
    ROUTINE_CUES: ClassVar[Vocabulary] = Vocabulary(
        ("every", "each", *words(_W, "routine_plural_days"), *words(_W, "routine_other"))
    )
    MOVES: ClassVar[Vocabulary] = Vocabulary(words(_W, "routine_verbs"))
    TIME_WORDS: ClassVar[frozenset[str]] = frozenset(
        {"noon", "midnight", "dawn", "sunrise", "sunset"}
    )
    MAX_PLACE_WORDS: ClassVar[int] = 8  # "the lobby of the Hilton on 5th Ave"
    SCORE_BOARDING: ClassVar[float] = 0.7

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
    }

    def applies(self, scan: Scan) -> bool:
        w = scan.words
        return (
            self.HERE.present(w)
            or "checked" in w
            or not self.BOARDING.isdisjoint(w)
            or (self.PLACES.present(w) and self.NOWS.present(w))
            or self.ROUTINE_CUES.present(w)
            or "📍" in scan.text
        )

    def analyze(self, scan: Scan) -> list[Hit]:
        hits = self._live(scan)
        if self.ROUTINE_CUES.present(scan.words):
            hits += self._routines(scan)
        return hits

    # -- live location ----------------------------------------------------------------------

    def _place(self, text: str, start: int, end: int, prep: str = "at") -> tuple[int, str] | None:
        """End and words of the place starting at ``start``, or None for an idiom."""
        kept: list[re.Match[str]] = []
        for w in _WORD.finditer(text, start, end):
            if w.group() in self.STOP or len(kept) == self.MAX_PLACE_WORDS:
                break
            kept.append(w)
        while kept and kept[-1].group() in self.TRAILING:
            kept.pop()
        if not kept:
            return None
        phrase = text[start : kept[-1].end()]
        if "%" in phrase or any(w.group() in self.IDIOM_WORDS for w in kept):
            return None
        idioms = self.IDIOMS.get(kept[0].group(), ())
        if prep == "in":
            idioms += self.IN_IDIOMS.get(kept[0].group(), ())
        for idiom in idioms:
            if phrase == idiom or phrase.startswith(idiom + " "):
                return None
        return kept[-1].end(), phrase

    def _named(self, norm: NormalizedText, start: int, end: int) -> bool:
        """True when the place in ``[start, end)`` starts, after an article, with a name the
        user capitalised ("in Costa", "in the Hilton")."""
        for w in _WORD.finditer(norm.text, start, end):
            if w.group() in self.ARTICLES:
                continue
            return w.group() != "i" and capitalized(norm, w.start())
        return False

    def _live(self, scan: Scan) -> list[Hit]:
        text, w = scan.text, scan.words
        hits: list[Hit] = []
        here = self.HERE.present(w) and not w.isdisjoint(("at", "in", "outside", "inside"))
        inviting = self.INVITES.present(w)
        for m in _LIVE.finditer(text) if here else ():
            hit = self._live_here(scan, m, inviting)
            if hit is not None:
                hits.append(hit)
        for m in _CHECKIN.finditer(text) if "checked" in w else ():
            place = self._place(text, m.start("place"), m.end("place"))
            if place is not None:
                hits.append(Hit("live-location", m.start(), place[0], 0.85, "'checked in at'"))
        for m in _PIN.finditer(text) if "📍" in text else ():
            place = self._place(text, m.start("place"), m.end("place"))
            if place is not None:
                hits.append(Hit("live-location", m.start(), place[0], 0.8, "📍 pin"))
        at_now = self.PLACES.present(w) and self.NOWS.present(w)
        for m in _AT_NOW.finditer(text) if at_now else ():
            if self._describes_subject(text, m):
                continue
            institution = m.group("the") and m.group("place") in self.INSTITUTIONS
            if institution and capitalized(scan.norm, m.start("place")):
                continue  # "at the Bar", "at the Court": the institution
            hits.append(Hit("live-location", m.start(), m.end("span"), 0.8, "'at the <place> now'"))
        for m in _BOARDING.finditer(text) if not self.BOARDING.isdisjoint(w) else ():
            hits.append(
                Hit("live-location", m.start(), m.end(), self.SCORE_BOARDING, "boarding a flight")
            )
        return hits

    def _describes_subject(self, text: str, m: re.Match[str]) -> bool:
        """True when "at the <place> <now>" is part of a subject, followed by its verb:
        "Diversity at the bar still has ...", "Our stand at the market today drew ..."."""
        after = m.group("next")
        if after is None:
            return False
        if after in self.SUBJECT_VERBS:
            return True
        if after in self.FOLLOWERS or after.endswith("ing"):
            return False
        return _NOUN_BEFORE.search(text, max(0, m.start() - 40), m.start()) is not None

    def _live_here(self, scan: Scan, m: re.Match[str], inviting: bool) -> Hit | None:
        """One "I'm at X" / "sitting in X" match: a live location, or None."""
        text, prep = scan.text, m.group("prep")
        place = self._place(text, m.start("place"), m.end("place"), prep)
        if place is None:
            return None
        end, phrase = place
        after = _NOW_NEAR.search(text[end : end + 40])
        cue = " ".join(m.group("cue").split())
        now = (m.group("now") or "") + (after.group("now") if after else "")
        if cue == "currently":
            now += " currently"
        invite = False
        if inviting:
            cs, ce = clause_bounds(text, m.start(), end)
            invite = _INVITE.search(text, cs, ce) is not None
        has_place = bool(_PLACE_WORD.search(phrase))
        strong = bool(_STRONG_NOW.search(now))
        has_now = strong or bool(now and has_place) or invite
        if prep == "in":
            # "Sitting in Costa": a body at a named venue; "I'm in London" is a city.
            posture = cue in self.POSTURES or bool(m.group("posture"))
            named = self._named(scan.norm, m.start("place"), end)
            venue = named and (invite or (posture and strong))
            if not ((has_place and has_now) or venue):
                return None
            # "I'm in London right now, come say hi" names no more than a city.
            score = 0.9 if has_place or posture or " on " in phrase else 0.6
        elif not (has_now or has_place):
            return None
        else:
            score = 0.9 if has_now and (has_place or invite) else 0.75
        why = "invitation" if invite else "now word" if has_now else "place word"
        return Hit("live-location", m.start("prep"), end, score, f"'I'm at' + {why}")

    # -- routines ---------------------------------------------------------------------------

    def _routines(self, scan: Scan) -> list[Hit]:
        text, norm = scan.text, scan.norm
        hits: list[Hit] = []
        timed = scan.has_digit or not self.TIME_WORDS.isdisjoint(scan.words)
        moving = self.MOVES.present(scan.words)
        for m in _ROUTINE.finditer(text):
            cs, ce = clause_bounds(text, m.start(), m.end())
            time = TIME.search(text, cs, ce) if timed else None
            found = _ROUTINE_PLACE.search(text, cs, ce)
            place = found.span() if found else self._named_place(norm, cs, ce)
            move = _MOVE.search(text, cs, ce) if moving else None
            personal = _PERSONAL.search(text, cs, ce) is not None
            if place and (time or move):
                score, pattern = 0.9, "routine with a time or movement and a place"
            elif (place or move) and personal:
                score, pattern = 0.8, "routine with a place"
            elif time and personal:
                score, pattern = 0.6, "routine with a time"
            else:
                continue
            spans = [m.span(), *(p.span() for p in (time, move) if p is not None)]
            spans += [place] if place else []
            start = min(s for s, _ in spans)
            end = max(e for _, e in spans)
            hits.append(Hit("routine", start, end, score, pattern))
        return hits

    def _named_place(self, norm: NormalizedText, cs: int, ce: int) -> tuple[int, int] | None:
        """A capitalised place after a preposition: "at Gold's Gym", "near Mount Tam"."""
        for m in _CAP_PLACE.finditer(norm.text, cs, ce):
            if capitalized(norm, m.start("name")):
                end = m.end()
                for w in _CAP_WORD.finditer(norm.text, end, ce):
                    if w.start() != end or not capitalized(norm, w.start("word")):
                        break
                    end = w.end()
                return m.start(), end
        return None
