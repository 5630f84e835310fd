"""Which words carry a score: occlusion on the tier that decided.

Each word (or, in a long post, each run of words) is blanked in turn and the post scored
again; the words whose absence lowers the category's margin most are the ones the finding
points at and names. Blanking keeps every other character where it was, so spans are
offsets into the post as written, and the words named are always words of the post. For the
linear fast tier the same question has a one-pass answer (:func:`decompose`): what each
word's own n-grams add to the margin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import regex

Margins = Callable[[Sequence[str]], npt.NDArray[Any]]  # texts -> one margin each
_WORD = regex.compile(r"[\p{L}\p{N}@#$*_'’-]+")
_GAP = regex.compile(r"[\s\p{P}]*")
_LINK = regex.compile(r"https?://\S+|www\.\S+")
MAX_VARIANTS = 24  # texts scored per finding (a long post is blanked a run of words at a time)
MOST = 4  # spans a finding points at, at most
SHARE = 0.6  # stop once the chosen spans account for this much of what all of them lower


@dataclass(frozen=True, slots=True)
class Attribution:
    spans: tuple[tuple[int, int], ...]  # in text order, adjacent words merged
    words: tuple[str, ...]  # the words that weighed most first


def _groups(words: Sequence[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    if len(words) <= limit:
        return list(words)
    size = -(-len(words) // limit)
    return [
        (words[k][0], words[min(k + size, len(words)) - 1][1]) for k in range(0, len(words), size)
    ]


def _merge(text: str, spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and _GAP.fullmatch(text[merged[-1][1] : s]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return tuple(merged)


def _candidates(
    text: str, within: Sequence[tuple[int, int]], skip: frozenset[str]
) -> list[tuple[int, int]]:
    """The words that may carry a score: inside ``within``, not in ``skip``, and never a
    handle or part of a link (the models never read those as words)."""
    links = [(m.start(), m.end()) for m in _LINK.finditer(text)]
    return [
        (m.start(), m.end())
        for m in _WORD.finditer(text)
        if (not within or any(s <= m.start() and m.end() <= e for s, e in within))
        and m.group().lower() not in skip
        and not m.group().startswith("@")
        and not any(s <= m.start() < e for s, e in links)
    ]


def _choose(
    text: str, groups: Sequence[tuple[int, int]], weights: npt.NDArray[Any]
) -> Attribution | None:
    """The heaviest groups, up to ``MOST``, until they hold ``SHARE`` of all positive weight."""
    order = [int(i) for i in np.argsort(-weights, kind="stable") if weights[i] > 0]
    if not order:
        return None
    total = float(weights[order].sum())
    chosen: list[int] = []
    for i in order:
        chosen.append(i)
        if len(chosen) >= MOST or float(weights[chosen].sum()) >= SHARE * total:
            break
    spans = _merge(text, [groups[i] for i in chosen])
    named = dict.fromkeys(text[s:e] for s, e in (groups[i] for i in chosen))
    return Attribution(spans, tuple(named))


def _blank(text: str, span: tuple[int, int]) -> str:
    s, e = span
    return text[:s] + " " * (e - s) + text[e:]


def occlude(
    text: str,
    margins: Margins,
    *,
    within: Sequence[tuple[int, int]] = (),
    limit: int = MAX_VARIANTS,
    words: Sequence[tuple[int, int]] | None = None,
    skip: frozenset[str] = frozenset(),
) -> Attribution | None:
    """The spans and words of ``text`` that carry its margin (``margins`` scores texts), or
    None when no word lowers it (the score rests on the post as a whole). With ``within``,
    only words inside those spans (the sentences a finding is about) are candidates; with
    ``words``, only those (say, the ones a cheaper model shortlisted). Words in ``skip``
    (function words, lower case) are never candidates."""
    words = list(words) if words is not None else _candidates(text, within, skip)
    if not words:
        return None
    groups = _groups(words, limit)
    scored = np.asarray(margins([text, *(_blank(text, g) for g in groups)]), dtype=np.float64)
    return _choose(text, groups, scored[0] - scored[1:])


def occlude_together(
    text: str,
    margins: Callable[[Sequence[str]], npt.NDArray[Any]],
    shortlists: Sequence[Sequence[tuple[int, int]]],
) -> list[Attribution | None]:
    """:func:`occlude` for several findings on one post in one scoring: each word any of
    them shortlisted is blanked once, and finding ``k`` reads column ``k`` of ``margins``
    (texts -> one row each, one column per finding)."""
    union = sorted({w for words in shortlists for w in words})
    if not union:
        return [None] * len(shortlists)
    scored = np.asarray(margins([text, *(_blank(text, w) for w in union)]), dtype=np.float64)
    row = {w: 1 + i for i, w in enumerate(union)}
    out: list[Attribution | None] = []
    for k, words in enumerate(shortlists):
        rows = [row[w] for w in words]
        out.append(_choose(text, list(words), scored[0, k] - scored[rows, k]) if rows else None)
    return out


def shortlist(
    text: str,
    contributions: Callable[[Sequence[str]], npt.NDArray[Any]],
    *,
    within: Sequence[tuple[int, int]] = (),
    size: int = 6,
    skip: frozenset[str] = frozenset(),
) -> list[tuple[int, int]]:
    """The ``size`` words whose own features weigh most (either way) in a linear model: the
    candidates worth asking a costlier model about."""
    words = _candidates(text, within, skip)
    if len(words) <= size:
        return words
    weights = np.abs(np.asarray(contributions([text[s:e] for s, e in words]), dtype=np.float64))
    keep = sorted(int(i) for i in np.argsort(-weights, kind="stable")[:size])
    return [words[i] for i in keep]


def decompose(
    text: str,
    contributions: Callable[[Sequence[str]], npt.NDArray[Any]],
    *,
    within: Sequence[tuple[int, int]] = (),
    skip: frozenset[str] = frozenset(),
) -> Attribution | None:
    """The same answer for a linear model, from one scoring: ``contributions`` gives what
    each word's own features add to the margin (for a linear model, what blanking the word
    takes away, up to the rescaling of the rest)."""
    words = _candidates(text, within, skip)
    if not words:
        return None
    weights = np.asarray(contributions([text[s:e] for s, e in words]), dtype=np.float64)
    return _choose(text, words, weights)
