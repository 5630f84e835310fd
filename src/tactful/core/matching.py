"""Compile rule entries into one fast matcher over normalised tokens.

Phrase syntax (one slot per space-separated part):

- ``word``          the word (normalised like post text: case, accents, look-alikes)
- ``a|the``         any of the alternatives
- ``{class}``       any word of a vocabulary class (``rules/en/vocab.yml``); ``a|{class}`` mixes
- ``slot?``         the slot is optional
- ``*``             exactly one word of any kind
- ``~N``            a gap of 0..N words

Phrases are indexed by the words of their first slot, so matching costs a dictionary look-up
per token plus the few candidate phrases that start there.

A disguised spelling (``1d!0t``, ``st.upid``, ``sh*t``: a whitespace-delimited chunk with leet
digits, symbols, wildcards or dots) that resolves to a word some phrase or class uses stands
for that word, as one token spanning the characters typed, in phrases of two or more words
("you 1d!0t", "my 1d10t boss"). Alone it matches only the single words of ``obfuscation: true``
entries (the swear words and slurs people disguise), so a code or a typo that happens to
spell "drunk" or a party name is not a finding by itself. Patterns are regular expressions
over the normalised text (``{class}`` expands to the class); an entry's ``triggers`` words
gate its patterns so they run only when one of those words is present.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import regex

from tactful.core.ruleset import PhraseItem, RuleEntry
from tactful.core.text import (
    LEET_MAP,
    WILDCARDS,
    NormalizedText,
    collapse_doubles,
    matches_masked,
    normalize,
    obfuscation_variants,
)
from tactful.errors import RuleDataError

_CLASS_REF = regex.compile(r"(?<!\\[pPN])\{([a-z_][a-z0-9_]*)\}")
# What marks a chunk as a possible disguise: a leet character, a wildcard or a dot inside it
# (apostrophes and hyphens already keep a word whole in the tokens).
_DISGUISE_CHARS = frozenset(LEET_MAP) | WILDCARDS | {"."}
# Resolved words this short ("u.s", "e.g", "b4") are abbreviations, not disguises.
_MIN_DISGUISED_WORD = 3
# At a chunk's edges these mark footnotes, emphasis and separators ("bitch*", "|and", "fair.#"),
# not hidden letters: a disguise is read inside the word only.
_DISGUISE_EDGE = "".join(sorted(WILDCARDS)) + "|."
# A masked word ("id**t") needs this many letters shown to stand for a phrase word ("t_t" is a
# face, "n%a" is n/a), unless the words it fits are ones people disguise ("f*g").
_MIN_MASK_KNOWN = 3


@dataclass(frozen=True, slots=True)
class Slot:
    words: frozenset[str]
    optional: bool = False
    any_word: bool = False
    gap: int = 0  # >0: a gap of 0..gap words


@dataclass(frozen=True, slots=True)
class CompiledPhrase:
    entry: RuleEntry
    item: PhraseItem
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """A match in normalised coordinates."""

    entry: RuleEntry
    start: int
    end: int
    score: float
    replacement: str | None
    matched: str
    how: str  # phrase | pattern | obfuscated | disguised (a phrase with a disguised word)


@lru_cache(maxsize=65536)
def _norm_word(word: str) -> str:
    # Rule words repeat across thousands of phrases: normalise each once.
    text = normalize(word).text
    return text.replace("’", "'")


def _expand_class(name: str, vocab: Mapping[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    if name not in vocab:
        raise RuleDataError(f"{where}: unknown vocabulary class {{{name}}}")
    return vocab[name]


def compile_slot(part: str, vocab: Mapping[str, tuple[str, ...]], where: str) -> Slot:
    if part == "*":
        return Slot(frozenset(), any_word=True)
    if part.startswith("~") and part[1:].isdigit():
        return Slot(frozenset(), gap=int(part[1:]))
    optional = part.endswith("?") and len(part) > 1
    body = part[:-1] if optional else part
    words: set[str] = set()
    for alt in body.split("|"):
        ref = _CLASS_REF.fullmatch(alt)
        if ref:
            for member in _expand_class(ref.group(1), vocab, where):
                if " " in member.strip():
                    raise RuleDataError(
                        f"{where}: class {{{ref.group(1)}}} member {member!r} has spaces; "
                        "phrases take one-word classes (use a pattern for multi-word members)"
                    )
                words.add(_norm_word(member))
        elif alt:
            words.add(_norm_word(alt))
    if not words:
        raise RuleDataError(f"{where}: empty phrase slot {part!r}")
    return Slot(frozenset(words), optional=optional)


def compile_phrase(
    entry: RuleEntry, item: PhraseItem, vocab: Mapping[str, tuple[str, ...]]
) -> CompiledPhrase:
    where = f"{entry.file} {entry.key} phrase {item.text!r}"
    slots = tuple(compile_slot(p, vocab, where) for p in item.text.split())
    if not slots:
        raise RuleDataError(f"{where}: empty phrase")
    first = slots[0]
    if first.optional or first.any_word or first.gap:
        raise RuleDataError(f"{where}: a phrase must start with a required word or class")
    return CompiledPhrase(entry, item, slots)


def expand_pattern(pattern: str, vocab: Mapping[str, tuple[str, ...]], where: str) -> str:
    def sub(m: regex.Match[str]) -> str:
        members = sorted(_expand_class(m.group(1), vocab, where), key=len, reverse=True)
        return "(?:" + "|".join(regex.escape(_norm_word(w)) for w in members) + ")"

    expanded: str = _CLASS_REF.sub(sub, pattern)
    return expanded


def compile_regex(
    pattern: str, vocab: Mapping[str, tuple[str, ...]], where: str
) -> regex.Pattern[str]:
    try:
        return regex.compile(expand_pattern(pattern, vocab, where))
    except regex.error as exc:
        raise RuleDataError(f"{where}: bad pattern {pattern!r}: {exc}") from None


def _match_slots(
    slots: tuple[Slot, ...], k: int, forms: list[frozenset[str]], i: int, limit: int
) -> int | None:
    """Longest match of ``slots[k:]`` starting at token ``i`` and ending before token
    ``limit`` (the end of the sentence); returns the end token index."""
    if k == len(slots):
        return i
    slot = slots[k]
    if slot.gap:
        best = None
        for skip in range(slot.gap, -1, -1):
            if i + skip <= limit:
                end = _match_slots(slots, k + 1, forms, i + skip, limit)
                if end is not None and (best is None or end > best):
                    best = end
        return best
    best = None
    if i < limit and (slot.any_word or not slot.words.isdisjoint(forms[i])):
        best = _match_slots(slots, k + 1, forms, i + 1, limit)
    if slot.optional:
        alt = _match_slots(slots, k + 1, forms, i, limit)
        if alt is not None and (best is None or alt > best):
            best = alt
    return best


_SENTENCE_BREAK = frozenset(".!?\n")
_BREAK = regex.compile(r"[.!?\n]")


def sentence_limits(spans: list[tuple[int, int]], text: str) -> list[int]:
    """For each token span, the index of the first token of the next sentence (a phrase never
    runs across ``.``, ``!``, ``?`` or a line break between two tokens)."""
    limits = [len(spans)] * len(spans)
    for i in range(len(spans) - 2, -1, -1):
        between = text[spans[i][1] : spans[i + 1][0]]
        limits[i] = i + 1 if not _SENTENCE_BREAK.isdisjoint(between) else limits[i + 1]
    return limits


@dataclass(slots=True)
class _Words:
    """The tokens a phrase is matched over: the text's words, with each disguised chunk that
    resolves to a listed word merged into one token (its span, the word among its forms)."""

    spans: list[tuple[int, int]]
    forms: list[frozenset[str]]
    disguised_before: list[int]  # disguised_before[i]: disguised tokens among the first i

    def has_disguised(self, start: int, end: int) -> bool:
        return self.disguised_before[end] > self.disguised_before[start]


class Matcher:
    """All compiled entries of a ruleset, ready to run over any normalised text."""

    def __init__(self, entries: list[RuleEntry], vocab: Mapping[str, tuple[str, ...]]):
        self._by_first: dict[str, list[CompiledPhrase]] = defaultdict(list)
        self._obfuscation_words: dict[str, list[CompiledPhrase]] = defaultdict(list)
        self._masked_by_len: dict[int, list[str]] = defaultdict(list)
        self._patterns: list[tuple[RuleEntry, regex.Pattern[str], frozenset[str]]] = []
        # "unless" patterns are compiled the first time their rule matches: there are many,
        # and most posts match none of their rules (compiling all of them at start-up was a
        # third of the time a first check took).
        self._vocab = vocab
        self._unless_source: dict[str, RuleEntry] = {}
        self._unless: dict[str, list[regex.Pattern[str]]] = {}
        for entry in entries:
            for item in entry.phrases:
                compiled = compile_phrase(entry, item, vocab)
                for word in compiled.slots[0].words:
                    self._by_first[word].append(compiled)
                if entry.obfuscation and len(compiled.slots) == 1:
                    for word in compiled.slots[0].words:
                        self._obfuscation_words[word].append(compiled)
            triggers = frozenset(_norm_word(t) for t in entry.triggers)
            for pattern in entry.patterns:
                self._patterns.append(
                    (entry, compile_regex(pattern, vocab, f"{entry.file} {entry.key}"), triggers)
                )
            if entry.unless:
                self._unless_source[entry.key] = entry
        for word in self._obfuscation_words:
            self._masked_by_len[len(word)].append(word)
        # Every word a phrase slot can match: what a disguised chunk may stand for.
        self._phrase_words: frozenset[str] = frozenset(
            word
            for phrases in self._by_first.values()
            for phrase in phrases
            for slot in phrase.slots
            for word in slot.words
            if len(word) >= _MIN_DISGUISED_WORD
        )
        # Masked chunks ("id**t") are compared with the words of their length and first letter.
        self._masked_phrase_words: dict[tuple[int, str], list[str]] = defaultdict(list)
        for word in sorted(self._phrase_words):
            self._masked_phrase_words[(len(word), word[0])].append(word)

    def _words(self, norm: NormalizedText) -> _Words:
        tokens = norm.tokens
        merged = self._disguised_chunks(norm)
        spans: list[tuple[int, int]] = []
        forms: list[frozenset[str]] = []
        disguised_before = [0]
        k = 0
        while k < len(tokens):
            chunk = merged.get(k)
            if chunk is not None:
                after, start, end, words = chunk
                spans.append((start, end))
                forms.append(words)
                disguised_before.append(disguised_before[-1] + 1)
                k = after
                continue
            tok = tokens[k]
            variants = {tok.text}
            if "-" in tok.text:
                variants.add(tok.text.replace("-", ""))
            if norm.squeezed and norm.was_elongated(tok.start, tok.end):
                variants.add(collapse_doubles(tok.text))
            spans.append((tok.start, tok.end))
            forms.append(frozenset(variants))
            disguised_before.append(disguised_before[-1])
            k += 1
        return _Words(spans, forms, disguised_before)

    def _disguised_chunks(
        self, norm: NormalizedText
    ) -> dict[int, tuple[int, int, int, frozenset[str]]]:
        """Chunks that spell a listed word, by the index of their first token: (the index of
        the token after them, start, end, their forms). A chunk is merged only when it holds
        whole tokens, so its span is exactly the characters typed."""
        tokens = norm.tokens
        starts = [t.start for t in tokens]
        resolved: dict[str, frozenset[str]] = {}  # the same chunk recurs in long texts
        merged: dict[int, tuple[int, int, int, frozenset[str]]] = {}
        for chunk in norm.loose_tokens():
            text = chunk.text.lstrip(_DISGUISE_EDGE)
            start = chunk.start + len(chunk.text) - len(text)
            text = text.rstrip(_DISGUISE_EDGE)
            end = start + len(text)
            if _DISGUISE_CHARS.isdisjoint(text) or ".." in text:  # plain, or an ellipsis
                continue
            if text[0].isdigit() and text[-1].isdigit():  # "1in3", "9to5": numbers, not leet
                continue
            words = resolved.get(text)
            if words is None:
                words = self._resolve_disguise(text)
                resolved[text] = words
            if not words:
                continue
            first = bisect_left(starts, start)
            after = bisect_left(starts, end)
            if (
                first == after
                or (first and tokens[first - 1].end > start)
                or tokens[after - 1].end > end
            ):
                continue
            merged[first] = (after, start, end, words | {text})
        return merged

    def _resolve_disguise(self, chunk: str) -> frozenset[str]:
        """The listed words a disguised chunk spells: leet and dotted spellings that are phrase
        words; a masked spelling that fits one phrase word, or the disguisable (obfuscation)
        words it fits ("sh*t" is "shit", not "shot" or "shut"). Doubled letters are not
        collapsed here: a leet digit next to its letter is no stretched word ("liberal1")."""
        found: set[str] = set()
        for variant in obfuscation_variants(chunk):
            if WILDCARDS.isdisjoint(variant):
                if variant in self._phrase_words:
                    found.add(variant)
                continue
            fits = [
                w
                for w in self._masked_phrase_words.get((len(variant), variant[0]), ())
                if matches_masked(variant, w)
            ]
            disguisable = [w for w in fits if w in self._obfuscation_words]
            known = sum(c not in WILDCARDS for c in variant)
            if disguisable:
                found.update(disguisable)
            elif len(fits) == 1 and known >= _MIN_MASK_KNOWN:
                found.update(fits)
        return frozenset(found)

    def find(self, norm: NormalizedText, scopes: frozenset[str]) -> list[Match]:
        words = self._words(norm)
        spans, forms = words.spans, words.forms
        limits = sentence_limits(spans, norm.text)
        present: set[str] = set().union(*forms) if forms else set()
        matches: list[Match] = []
        for i, token_forms in enumerate(forms):
            for form in token_forms:
                for phrase in self._by_first.get(form, ()):
                    if phrase.entry.scope not in scopes:
                        continue
                    end = _match_slots(phrase.slots, 1, forms, i + 1, limits[i])
                    if end is None:
                        continue
                    how = "phrase"
                    if words.has_disguised(i, end):
                        # A disguised word alone is the obfuscation look-up's (below).
                        if end - i == 1:
                            continue
                        how = "disguised"
                    start_c, end_c = spans[i][0], spans[end - 1][1]
                    matches.append(self._phrase_match(phrase, start_c, end_c, norm, how))
        for loose in norm.loose_tokens():
            for variant in obfuscation_variants(loose.text):
                hits = self._lookup_obfuscated(variant)
                for phrase in hits:
                    if phrase.entry.scope in scopes:
                        matches.append(
                            self._phrase_match(phrase, loose.start, loose.end, norm, "obfuscated")
                        )
                if hits:
                    break
        for entry, pattern, triggers in self._patterns:
            if entry.scope not in scopes or (triggers and triggers.isdisjoint(present)):
                continue
            for m in pattern.finditer(norm.text):
                if m.end() > m.start():
                    matches.append(
                        Match(entry, m.start(), m.end(), entry.score, None, m.group(), "pattern")
                    )
        windows = _SentenceWindows(norm.text)
        return [m for m in matches if not self._cancelled(m, windows)]

    def _lookup_obfuscated(self, variant: str) -> list[CompiledPhrase]:
        for candidate in (variant, collapse_doubles(variant)):
            if any(c in "*#%_" for c in candidate):
                words = [
                    w
                    for w in self._masked_by_len.get(len(candidate), ())
                    if matches_masked(candidate, w)
                ]
                if len(words) >= 1:
                    return self._obfuscation_words[words[0]]
            elif candidate in self._obfuscation_words:
                return self._obfuscation_words[candidate]
        return []

    @staticmethod
    def _phrase_match(
        phrase: CompiledPhrase, start: int, end: int, norm: NormalizedText, how: str
    ) -> Match:
        score = phrase.item.score if phrase.item.score is not None else phrase.entry.score
        return Match(
            phrase.entry, start, end, score, phrase.item.replacement, norm.text[start:end], how
        )

    def unless_patterns(self, key: str) -> list[regex.Pattern[str]]:
        """The compiled "unless" patterns of the entry ``key`` (compiled on first use)."""
        patterns = self._unless.get(key)
        if patterns is None:
            entry = self._unless_source.get(key)
            where = f"{entry.file} {entry.key} unless" if entry else key
            sources = entry.unless if entry else ()
            patterns = [compile_regex(u, self._vocab, where) for u in sources]
            self._unless[key] = patterns
        return patterns

    def compile_all(self) -> None:
        """Compile every "unless" pattern now (the rule-data tests: a bad pattern fails
        there, not on the first post that needs it)."""
        for key in self._unless_source:
            self.unless_patterns(key)

    def _cancelled(self, match: Match, windows: _SentenceWindows) -> bool:
        """Whether one of the entry's "unless" patterns is found in the match's sentence."""
        if match.entry.key not in self._unless_source:
            return False
        return windows.any_in_sentence(
            match.entry.key, self.unless_patterns(match.entry.key), match.start, match.end
        )


class _SentenceWindows:
    """The sentence around a span, from the previous ``.``, ``!``, ``?`` or line break to the
    next one, found by bisection; what an entry's "unless" patterns say about a sentence is
    kept, so a long text with many matches in one sentence searches it once per entry, not
    once per match (that was quadratic: 99,000 characters of "my idiot boss " took 27 s)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._breaks: list[int] | None = None
        self._seen: dict[tuple[str, int, int], bool] = {}

    def any_in_sentence(
        self, key: str, patterns: list[regex.Pattern[str]], start: int, end: int
    ) -> bool:
        if self._breaks is None:
            self._breaks = [m.start() for m in _BREAK.finditer(self.text)]
        breaks = self._breaks
        before = bisect_left(breaks, start)
        left = breaks[before - 1] + 1 if before else 0
        after = bisect_left(breaks, end)
        right = breaks[after] if after < len(breaks) else len(self.text)
        seen = self._seen.get((key, left, right))
        if seen is None:
            window = self.text[left:right]
            seen = any(p.search(window) for p in patterns)
            self._seen[(key, left, right)] = seen
        return seen
