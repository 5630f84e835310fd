"""Grounding: what a model category needs to find in the words before it is raised.

A model score says a post *reads like* a venting post or an attack on a group; that is not
enough to tell a user so. ``detectors/grounding.yml`` names, for each model category, the
evidence that must be present next to the words the finding points at (a work referent for
``work.venting``, a group of people for ``offense.identity``, a target for
``conflict.public_attack``) and the readings that rule it out (counter-speech, negation,
speaking about one's own group), looked for in the sentences the finding points at.
:meth:`Grounding.check` returns what it found, in the characters the user typed, or why the
category does not apply; :meth:`Grounding.ruled_out` answers the second question alone, for
findings any detector raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Annotated, Literal

import regex
from pydantic import Field, ValidationInfo, model_validator

from tactful.core.data import DataModel, Source, Text
from tactful.core.matching import compile_regex
from tactful.core.ruleset import KnownRuleId, default_ruleset
from tactful.core.text import normalize, sentences
from tactful.models.features import identity_terms

Spans = tuple[tuple[int, int], ...]

_MENTION = regex.compile(r"(?<![\w@])@\w+")
_LEADING_MENTIONS = regex.compile(r"\s*(?:(?:RT\s+)?@\w+[:,]?\s+)*")
# A capitalised word inside a sentence ("Globex", "Sam"): not the first word of one.
_NAME = regex.compile(r"(?<=[\p{Ll}\d,;:)\]]\s+)\p{Lu}[\p{L}\d'’&.-]*\p{L}")
_CALENDAR = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Christmas",
    "Easter",
]
# Capitalised words that are not someone a finding could be aimed at ("I hate Mondays").
_NOT_NAMES = frozenset(
    {"I", "I'm", "I’m", "I'll", "I've", "I'd", "OK", *_CALENDAR, *(f"{w}s" for w in _CALENDAR)}
)
# A word of the normalised text, with a hashtag's "#" ("#tcot", "god's", "co-worker").
_TOKEN = regex.compile(r"#?[\p{L}\p{N}_][\p{L}\p{N}_'-]*")
_HASHTAG = regex.compile(r"#(\p{L}[\p{L}\p{N}]+)")
_CAMEL_PART = regex.compile(r"\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+|\p{Lu}+|\p{N}+")


class WordSet(DataModel):
    """Evidence of one kind: vocabulary classes, words and phrases, and built-in finders."""

    says: Text
    classes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    mentions: bool = False
    names: bool = False
    identity_terms: bool = False


class RuledOut(DataModel):
    """A reading that rules a category out: the reason, where to look and its patterns."""

    reason: Text
    reach: Literal["sentence", "next"] = "sentence"
    patterns: Annotated[tuple[str, ...], Field(min_length=1)]


class CategoryGrounding(DataModel):
    requires: tuple[str, ...] = ()
    unless: tuple[RuledOut, ...] = ()


class Wording(DataModel):
    """The sentences findings add (``{placeholders}`` filled in by the detectors)."""

    found: Text
    ruled_out: Text
    exact_kept: Text
    measured: Text
    unmeasured: Text


class GroundingFile(DataModel):
    """``detectors/grounding.yml``."""

    wording: Wording
    word_sets: dict[str, WordSet]
    categories: dict[KnownRuleId, CategoryGrounding]

    @model_validator(mode="after")
    def _sets_exist(self, info: ValidationInfo) -> GroundingFile:
        vocab = (info.context or {}).get("vocab", {})
        for name, word_set in self.word_sets.items():
            unknown = [c for c in word_set.classes if c not in vocab]
            if unknown:
                raise ValueError(
                    f"word set {name!r} names unknown vocabulary classes {', '.join(unknown)}; "
                    "define them in rules/en/vocab*.yml"
                )
        for rule_id, grounding in self.categories.items():
            missing = [s for s in grounding.requires if s not in self.word_sets]
            if missing:
                raise ValueError(
                    f"{rule_id} requires unknown word sets {', '.join(missing)}; "
                    f"known: {', '.join(sorted(self.word_sets))}"
                )
        return self


@dataclass(frozen=True, slots=True)
class Evidence:
    """What was found for a category: how to name it and the words, as typed."""

    says: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grounded:
    """The answer for one finding: ``evidence`` when it may be raised, else ``ruled_out``
    (why not; None when the words it needs are simply absent)."""

    evidence: Evidence | None
    ruled_out: str | None = None

    @property
    def ok(self) -> bool:
        return self.evidence is not None


_UNGROUNDED = Grounded(None)
_NO_EVIDENCE_NEEDED = Grounded(Evidence("", ()))


class _CompiledSet:
    """One word set, compiled: single words in a set looked up per token (most of them),
    phrases and symbols in one small regex."""

    def __init__(self, data: WordSet, vocab: Mapping[str, tuple[str, ...]]):
        self.says = data.says
        items = {normalize(w).text for c in data.classes for w in vocab[c]}
        items |= {normalize(w).text for w in data.words}
        items.discard("")
        self.single = frozenset(i for i in items if _TOKEN.fullmatch(i))
        alternatives = []
        for item in sorted(items - self.single, key=len, reverse=True):
            left = r"(?<![\w])" if item[0].isalnum() or item[0] == "_" else ""
            right = r"(?![\w])" if item[-1].isalnum() or item[-1] == "_" else ""
            alternatives.append(left + regex.escape(item) + right)
        self.phrases = regex.compile("|".join(alternatives)) if alternatives else None
        self.mentions = data.mentions
        self.names = data.names
        self.identity = identity_terms() if data.identity_terms else frozenset()

    def _known(self, word: str) -> bool:
        bare = word[1:] if word.startswith("#") else word
        if bare.endswith(("'s", "’s")):
            bare = bare[:-2]
        return word in self.single or bare in self.single or bare in self.identity

    def find(self, original: str, *, opens_post: bool) -> tuple[str, ...]:
        """The words of this set in ``original``, as typed, in order, each once.
        ``opens_post``: ``original`` starts the post (its opening @handles address a reply)."""
        found: list[tuple[int, str]] = []
        norm = normalize(original)

        def typed(start: int, end: int) -> tuple[int, str]:
            s, e = norm.to_original(start, end)
            return s, original[s:e]

        if self.single or self.identity:
            found += [
                typed(m.start(), m.end())
                for m in _TOKEN.finditer(norm.text)
                if self._known(m.group())
            ]
            for tag in _HASHTAG.finditer(original):  # #IllegalImmigrants, #WomenInTech
                parts = _CAMEL_PART.findall(tag.group(1))
                if len(parts) > 1 and any(self._known(p.lower()) for p in parts):
                    found.append((tag.start(), tag.group()))
        if self.phrases is not None:
            found += [typed(m.start(), m.end()) for m in self.phrases.finditer(norm.text)]
        if self.mentions:
            opening = _LEADING_MENTIONS.match(original) if opens_post else None
            start = opening.end() if opening else 0
            found += [(m.start(), m.group()) for m in _MENTION.finditer(original, start)]
        if self.names:
            found += [(m.start(), m.group()) for m in _NAME.finditer(original)]
        words = (w for _, w in sorted(found) if w not in _NOT_NAMES)
        return tuple(dict.fromkeys(words))


_Reading = tuple[str, str, tuple[regex.Pattern[str], ...]]


class Grounding:
    """Compiled ``grounding.yml``: :meth:`check` one category's finding against its words."""

    def __init__(self, data: GroundingFile, vocab: Mapping[str, tuple[str, ...]]):
        self.wording = data.wording
        self._sets = {name: _CompiledSet(s, vocab) for name, s in data.word_sets.items()}
        self._requires = {rule: g.requires for rule, g in data.categories.items()}
        self._unless: dict[str, tuple[_Reading, ...]] = {
            rule: tuple(
                (
                    r.reason,
                    r.reach,
                    tuple(
                        compile_regex(p, vocab, f"grounding.yml {rule} unless") for p in r.patterns
                    ),
                )
                for r in g.unless
            )
            for rule, g in data.categories.items()
        }

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self._requires)

    def ruled_out(self, category: str, text: str, spans: Spans) -> str | None:
        """Why ``category`` does not apply to the finding at ``spans`` whatever raised it
        (counter-speech, negation, a group speaking of itself), or None. Each reading looks
        only in the sentences the spans touch (and, for ``reach: next``, the one after)."""
        readings = self._unless.get(category, ())
        if not readings:
            return None
        windows: dict[str, str] = {}
        for reason, reach, patterns in readings:
            if reach not in windows:
                windows[reach] = normalize(_window(text, spans, after=reach == "next")[0]).text
            if any(p.search(windows[reach]) for p in patterns):
                return reason
        return None

    def check(self, category: str, text: str, spans: Spans) -> Grounded:
        """Whether ``category`` may be raised on ``text`` for a finding at ``spans``."""
        requires = self._requires.get(category)
        if requires is None:
            return _NO_EVIDENCE_NEEDED
        reason = self.ruled_out(category, text, spans)
        if reason is not None:
            return Grounded(None, reason)
        if not requires:
            return _NO_EVIDENCE_NEEDED
        window, start = _window(text, spans, before=True, after=True)
        for name in requires:
            found = self._sets[name].find(window, opens_post=not text[:start].strip())
            if found:
                return Grounded(Evidence(self._sets[name].says, found))
        return _UNGROUNDED


@lru_cache(maxsize=8)
def _sentences(text: str) -> tuple[tuple[int, int], ...]:
    # The same text is asked about once per finding: split it once.
    return tuple(sentences(text))


def _window(
    text: str, spans: Spans, *, before: bool = False, after: bool = False
) -> tuple[str, int]:
    """The sentences ``spans`` touch, with one more before and after when asked, and where
    the window starts. Without spans, or spans outside every sentence: the whole text."""
    parts: Sequence[tuple[int, int]] = _sentences(text)
    touched = [i for i, (s, e) in enumerate(parts) if any(s < se and ss < e for ss, se in spans)]
    if not touched:
        return text, 0
    first = max(0, touched[0] - 1) if before else touched[0]
    last = min(len(parts) - 1, touched[-1] + 1) if after else touched[-1]
    start = parts[first][0]
    return text[start : parts[last][1]], start


@cache
def default_grounding() -> Grounding:
    ruleset = default_ruleset()
    source = Source.package("tactful.detectors", "grounding.yml")
    data = source.load(
        GroundingFile, context={"catalogue": ruleset.catalogue, "vocab": ruleset.vocab}
    )
    return Grounding(data, ruleset.vocab)
