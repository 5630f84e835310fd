"""Grounding: what a model category needs to find in the words before it is raised.

A model score says a post *reads like* a venting post or an attack on a group; that is not
enough to tell a user so. ``detectors/grounding.yml`` names, for each model category, the
evidence that must be present next to the words the finding points at (a work referent for
``work.venting``, a group of people for ``offense.identity``, a target for
``conflict.public_attack``) and the readings that rule it out (counter-speech, negation,
speaking about one's own group). :meth:`Grounding.check` returns what it found, in the
characters the user typed, or why the category does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated

import regex
from pydantic import Field, ValidationInfo, model_validator

from tactful.core.data import DataModel, Source, Text
from tactful.core.matching import compile_regex
from tactful.core.ruleset import KnownRuleId, default_ruleset
from tactful.core.text import normalize, sentences
from tactful.models.features import identity_terms

_MENTION = regex.compile(r"(?<![\w@])@\w+")
_LEADING_MENTIONS = regex.compile(r"\s*(?:(?:RT\s+)?@\w+[:,]?\s+)*")
# A capitalised word that does not open a sentence ("Globex", "Sam"), or a short acronym.
_NAME = regex.compile(r"(?<=[\p{Ll}\d,;:)\]]\s+)\p{Lu}[\p{L}\d'’&.-]*\p{L}|\b\p{Lu}{2,5}\b")
_NOT_NAMES = frozenset({"I", "I'm", "I’m", "I'll", "I've", "I'd", "OK", "LOL", "OMG", "RT"})
# A word of the normalised text, with a hashtag's "#" ("#tcot", "god's", "co-worker").
_TOKEN = regex.compile(r"#?[\p{L}\p{N}_][\p{L}\p{N}_'-]*")


class WordSet(DataModel):
    """Evidence of one kind: vocabulary classes, words and phrases, and built-in finders."""

    says: Text
    classes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    mentions: bool = False
    names: bool = False
    identity_terms: bool = False


class RuledOut(DataModel):
    """A reading that rules a category out, with the reason and its patterns."""

    reason: Text
    patterns: Annotated[tuple[str, ...], Field(min_length=1)]


class CategoryGrounding(DataModel):
    requires: tuple[str, ...] = ()
    unless: tuple[RuledOut, ...] = ()


class GroundingFile(DataModel):
    """``detectors/grounding.yml``."""

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

    def find(self, original: str) -> tuple[str, ...]:
        """The words of this set in ``original``, as typed, in order, each once."""
        found: list[tuple[int, str]] = []
        norm = normalize(original)

        def typed(start: int, end: int) -> tuple[int, str]:
            s, e = norm.to_original(start, end)
            return s, original[s:e]

        if self.single or self.identity:
            for m in _TOKEN.finditer(norm.text):
                word = m.group()
                bare = word[1:] if word.startswith("#") else word
                if word in self.single or bare in self.single or bare in self.identity:
                    found.append(typed(m.start(), m.end()))
        if self.phrases is not None:
            found += [typed(m.start(), m.end()) for m in self.phrases.finditer(norm.text)]
        if self.mentions:
            # The handles a reply opens with address it; they are not what it talks about.
            opening = _LEADING_MENTIONS.match(original)
            start = opening.end() if opening else 0
            found += [(m.start(), m.group()) for m in _MENTION.finditer(original, start)]
        if self.names:
            found += [(m.start(), m.group()) for m in _NAME.finditer(original)]
        words = (w for _, w in sorted(found) if w not in _NOT_NAMES)
        return tuple(dict.fromkeys(words))


class Grounding:
    """Compiled ``grounding.yml``: :meth:`check` one category's finding against its words."""

    def __init__(self, data: GroundingFile, vocab: Mapping[str, tuple[str, ...]]):
        self._sets = {name: _CompiledSet(s, vocab) for name, s in data.word_sets.items()}
        self._requires = {rule: g.requires for rule, g in data.categories.items()}
        self._unless: dict[str, tuple[tuple[str, tuple[regex.Pattern[str], ...]], ...]] = {}
        for rule, g in data.categories.items():
            self._unless[rule] = tuple(
                (
                    r.reason,
                    tuple(
                        compile_regex(p, vocab, f"grounding.yml {rule} unless") for p in r.patterns
                    ),
                )
                for r in g.unless
            )

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(self._requires)

    def ruled_out(self, category: str, text: str) -> str | None:
        """Why ``category`` does not apply to ``text`` whatever raised it (counter-speech,
        negation, a group speaking of itself), or None."""
        readings = self._unless.get(category, ())
        if not readings:
            return None
        normalised = normalize(text).text
        for reason, patterns in readings:
            if any(p.search(normalised) for p in patterns):
                return reason
        return None

    def check(self, category: str, text: str, spans: tuple[tuple[int, int], ...]) -> Grounded:
        """Whether ``category`` may be raised on ``text`` for a finding at ``spans``."""
        requires = self._requires.get(category)
        if requires is None:
            return Grounded(Evidence("", ()))
        reason = self.ruled_out(category, text)
        if reason is not None:
            return Grounded(None, reason)
        if not requires:
            return Grounded(Evidence("", ()))
        window = _window(text, spans)
        for name in requires:
            found = self._sets[name].find(window)
            if found:
                return Grounded(Evidence(self._sets[name].says, found))
        return _UNGROUNDED


def _window(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The sentences the spans touch and one sentence either side of them."""
    parts = sentences(text)
    if len(parts) <= 3 or not spans:
        return text
    touched = [
        i for i, (s, e) in enumerate(parts) if any(s < se and ss < e for ss, se in spans)
    ] or [0]
    first, last = max(0, touched[0] - 1), min(len(parts) - 1, touched[-1] + 1)
    return text[parts[first][0] : parts[last][1]]


@cache
def default_grounding() -> Grounding:
    ruleset = default_ruleset()
    source = Source.package("tactful.detectors", "grounding.yml")
    data = source.load(
        GroundingFile, context={"catalogue": ruleset.catalogue, "vocab": ruleset.vocab}
    )
    return Grounding(data, ruleset.vocab)
