"""Announcing that your home is empty: "the house is empty for two weeks", "away until the
14th", "nobody home", "back on the 14th" after a trip.

A post that says nobody is home, or for how long you are away, tells a burglar when to
come. The check is ``away-from-home`` under ``safety.location``:

* an empty home ("the house is empty", "nobody's home") counts on its own, and more with a
  duration after it;
* being away ("away for two weeks", "on holiday until Monday", "abroad for a month") needs
  a duration or a date, and the author or their household as the subject ("we're away",
  "I'm on holiday") or the clause to start with it ("Away for two weeks!"); "our CEO is
  away" and "away from the office" are not about the author's home;
* "back on the 14th" counts only in a post about a trip ("off to Bali, back on the 14th"):
  "Back on the 14th with part two of this series" announces a post, not an absence.

"Back" also needs a travel word in its clause or, elsewhere in the post, with the author as
the traveller. The prefilter is a set lookup on the post's words; nothing runs on most posts.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tactful.core.findings import Severity, Suggestion
from tactful.detectors.pii._common import (
    LOCATION,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    Vocabulary,
    alternation,
    clause_bounds,
    phrase_regex,
    words,
)

_A = "absence"
_MONTHS = alternation(words("identity", "months"))
_NUMBER = (
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}|a\s+few|a\s+couple"
    r"(?:\s+of)?|several|the\s+next|the\s+coming)"
)
_DURATION = (
    rf"(?:{_NUMBER}\s+(?:whole\s+|full\s+|more\s+)?(?:days?|nights?|weeks?|months?|weekends?)"
    r"|a\s+fortnight|the\s+(?:whole\s+|entire\s+|next\s+)?(?:week|weekend|month|summer|"
    r"holidays|fortnight|bank\s+holiday(?:\s+weekend)?|half[\s-]term))"
)
_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)"
_DATE = (
    rf"(?:(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?{_MONTHS}(?!\w))?"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?|{_MONTHS}"
    rf"|(?:next\s+)?{_DAYS}(?:\s+(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?{_MONTHS})?)?"
    r"|next\s+(?:week|month)|the\s+(?:new\s+year|weekend))"
)
_HOME = alternation(words(_A, "home_words"))
_EMPTY = alternation(words(_A, "empty_words"))
_FOR = rf"(?P<lasting>\s+(?:for|until|till|til|through|over)\s+(?:{_DURATION}|{_DATE}))?"
_EMPTY_HOME = re.compile(
    rf"(?<!\w)(?:(?:the|my|our)\s+{_HOME}\s+(?:is|will\s+be|['’]s|is\s+going\s+to\s+be|"
    rf"sits|stays|will\s+sit|will\s+stay)\s+(?:completely\s+|totally\s+)?{_EMPTY}"
    rf"|(?:an?\s+)?{_EMPTY}\s+{_HOME}(?!\w)(?=\s+(?:for|until|till|while)\s))"
    rf"(?!\w){_FOR}(?!\w)"
)
_NOBODY_HOME = re.compile(
    r"(?<!\w)(?:nobody|no\s*one|no-one)(?:['’]s|\s+is|\s+will\s+be|['’]ll\s+be)?"
    rf"\s+(?:at\s+)?home(?!\w){_FOR}(?!\w)"
)
_AWAY = re.compile(
    rf"(?<!\w){alternation(words(_A, 'away_words'))}\s+(?:for|until|till|til|through|from\s+"
    rf"now\s+until)\s+(?:{_DURATION}|{_DATE})(?!\w)"
)
_BACK = re.compile(
    rf"(?<!\w)(?:back|home)\s+(?:home\s+)?(?:on|by|in|after|from)\s+(?:{_DURATION}|{_DATE})(?!\w)"
)
_IDIOM = re.compile(r"(?<!\w)lights?\s+(?:are\s+|is\s+)?on(?!\w)")
_TRAVEL = phrase_regex(words(_A, "travel_words"))
_PERSONAL = phrase_regex(words(_A, "personal_words"))
_LEAD = re.compile(r"[\s\W]*")


class AbsenceRecognizer(Recognizer):
    """``away-from-home``."""

    name = "absence"
    CUES: ClassVar[Vocabulary] = Vocabulary(
        (*words(_A, "empty_words"), *words(_A, "away_words"), "nobody", "noone", "back", "home")
    )
    EMPTIES: ClassVar[Vocabulary] = Vocabulary(words(_A, "empty_words"))
    SCORE_EMPTY: ClassVar[float] = 0.85
    SCORE_EMPTY_VAGUE: ClassVar[float] = 0.75
    SCORE_AWAY: ClassVar[float] = 0.7
    SCORE_BACK: ClassVar[float] = 0.6

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "away-from-home": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Says your home is empty or for how long you are away",
            "Announcing that nobody is home, or when you will be back, tells burglars when "
            "your home is empty; public posts are read by strangers, not only your network.",
            (
                Suggestion("other", "Share the trip after you are back home"),
                Suggestion("remove", "Remove how long you are away and that the home is empty"),
            ),
        ),
    }

    def applies(self, scan: Scan) -> bool:
        w = scan.words
        return self.CUES.present(w)

    def analyze(self, scan: Scan) -> list[Hit]:
        text, w = scan.text, scan.words
        hits: list[Hit] = []
        if self.EMPTIES.present(w):
            for m in _EMPTY_HOME.finditer(text):
                hits.append(
                    Hit("away-from-home", m.start(), m.end(), self.SCORE_EMPTY, "empty home")
                )
        if "home" in w:
            for m in _NOBODY_HOME.finditer(text):
                cs, ce = clause_bounds(text, m.start(), m.end())
                if _IDIOM.search(text, cs, ce):
                    continue  # "the lights are on but nobody's home"
                score = self.SCORE_EMPTY if m.group("lasting") else self.SCORE_EMPTY_VAGUE
                hits.append(Hit("away-from-home", m.start(), m.end(), score, "nobody home"))
        for m in _AWAY.finditer(text):
            if self._personal(text, m.start(), m.end()):
                hits.append(
                    Hit(
                        "away-from-home",
                        m.start(),
                        m.end(),
                        self.SCORE_AWAY,
                        "away for a time or until a date",
                    )
                )
        if ("back" in w or "home" in w) and _TRAVEL.search(text):
            for m in _BACK.finditer(text):
                cs, ce = clause_bounds(text, m.start(), m.end())
                # "Off to Bali, back on the 14th": the trip is in the clause; otherwise the
                # post must be about the author's trip ("We fly out Friday. Back on the 14th").
                if _TRAVEL.search(text, cs, ce) or _PERSONAL.search(text):
                    hits.append(
                        Hit(
                            "away-from-home",
                            m.start(),
                            m.end(),
                            self.SCORE_BACK,
                            "back on a date after a trip",
                        )
                    )
        return hits

    def _personal(self, text: str, start: int, end: int) -> bool:
        """The author or their household is the one away, or the clause starts with it."""
        cs, ce = clause_bounds(text, start, end)
        if _PERSONAL.search(text, cs, ce):
            return True
        lead = _LEAD.match(text, cs, start)
        return lead is not None and lead.end() == start
