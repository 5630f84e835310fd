"""Children's school: which school your child goes to, and when.

A child ("my daughter", "our twins") in the same clause as a named school ("Oakwood
Primary", "Lincoln Elementary": capitalised words before a school word) is reported; so
is an unnamed school with a time and a pick-up or drop-off verb ("picking my son up from
school at 3:15"). "My daughter started school today!" names nothing anyone can use.
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
    phrase_regex,
    word_before,
    words,
)

_W = "whereabouts"
_CHILD = re.compile(
    rf"(?<!\w)(?:my|our)\s+(?:[\w'’-]+\s+)?{alternation(words(_W, 'child_words'))}(?!\w)"
)
_SCHOOL = phrase_regex(words(_W, "school_words"))
_SCHOOL_VERB = phrase_regex(words(_W, "school_verbs"))


class SchoolRecognizer(Recognizer):
    """``child-school``."""

    name = "schools"
    CHILDREN: ClassVar[Vocabulary] = Vocabulary(words(_W, "child_words"))
    SCHOOLS: ClassVar[Vocabulary] = Vocabulary(words(_W, "school_words"))
    NOT_NAME: ClassVar[frozenset[str]] = frozenset({"the", "a", "an", "my", "our", "this", "i"})
    MAX_NAME_WORDS: ClassVar[int] = 3
    SCORE_NAMED_WHEN: ClassVar[float] = 0.9
    SCORE_NAMED: ClassVar[float] = 0.7
    SCORE_PICKUP_TIME: ClassVar[float] = 0.6

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "child-school": CheckInfo(
            LOCATION,
            Severity.WARN,
            "Names your child's school or school times",
            "A child's school and pick-up times tell strangers where to find a child and when; "
            "it puts the child at risk and can be used to find or pressure you.",
            (
                Suggestion("rewrite", "Say 'school' without its name or the times"),
                Suggestion("remove", "Remove the school and the times"),
            ),
        ),
    }

    def applies(self, scan: Scan) -> bool:
        return self.CHILDREN.present(scan.words) and self.SCHOOLS.present(scan.words)

    def analyze(self, scan: Scan) -> list[Hit]:
        text, norm = scan.text, scan.norm
        hits: list[Hit] = []
        for child in _CHILD.finditer(text):
            cs, ce = clause_bounds(text, child.start(), child.end())
            school: tuple[int, int] | None = None
            named = False
            for s in _SCHOOL.finditer(text, cs, ce):
                start = self._name_start(norm, cs, s.start())
                school, named = (start, s.end()), start < s.start()
                if named:
                    break
            if school is None:
                continue
            time = TIME.search(text, cs, ce) if scan.has_digit else None
            verb = _SCHOOL_VERB.search(text, cs, ce)
            if named and (time or verb):
                score, pattern = self.SCORE_NAMED_WHEN, "child + named school + time or pick-up"
            elif named:
                score, pattern = self.SCORE_NAMED, "child + named school"
            elif time and verb:
                score, pattern = self.SCORE_PICKUP_TIME, "child + school + pick-up time"
            else:
                continue
            spans = [(child.start(), child.end()), school]
            spans += [(p.start(), p.end()) for p in (time, verb) if p is not None]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            hits.append(Hit("child-school", start, end, score, pattern))
        return hits

    def _name_start(self, norm: NormalizedText, cs: int, pos: int) -> int:
        """Walk back over the capitalised words before the school word ("Oakwood")."""
        start = pos
        for _ in range(self.MAX_NAME_WORDS):
            span = word_before(norm.text, start, cs)
            if span is None or not capitalized(norm, span[0]):
                break
            if norm.text[span[0] : span[1]] in self.NOT_NAME:
                break
            start = span[0]
        return start
