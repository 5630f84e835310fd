"""Disguised spellings of listed words (issue 14.4): dots or spaces between the letters of a
word and its inflections, and symbols standing in for letters, are matched and pointed at the
characters typed; look-alike innocent words keep passing. Tables: (text, [(span, rule id)])."""

from __future__ import annotations

from functools import cache

import pytest

from tactful.core.matching import Matcher
from tactful.core.ruleset import default_ruleset
from tactful.core.text import normalize

_SCOPES = frozenset({"authored", "reply", "any"})


@cache
def _matcher() -> Matcher:
    ruleset = default_ruleset()
    return Matcher(list(ruleset.entries), ruleset.vocab)


def _found(text: str) -> set[tuple[str, str]]:
    """(the original characters a match points at, rule id) for every match."""
    norm = normalize(text)
    out = set()
    for m in _matcher().find(norm, _SCOPES):
        start, end = norm.to_original(m.start, m.end)
        out.add((text[start:end], m.entry.rule_id))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Dots or spaces between every letter, across inflected and longer words.
        ("what a f.u.c.k.i.n.g mess", {("f.u.c.k.i.n.g", "offense.profanity")}),
        ("F.U.C.K.I.N.G.", {("F.U.C.K.I.N.G", "offense.profanity")}),
        ("s h i t t y day", {("s h i t t y", "offense.profanity")}),
        ("b.u.l.l.s.h.i.t", {("b.u.l.l.s.h.i.t", "offense.profanity")}),
        ("m.o.t.h.e.r.f.u.c.k.e.r", {("m.o.t.h.e.r.f.u.c.k.e.r", "offense.profanity")}),
        ("i.d.i.o.t.s like you", {("i.d.i.o.t.s like you", "offense.insult")}),
        ("ur such an i.d.i.o.t", {("ur such an i.d.i.o.t", "offense.insult")}),
        # A separator with spaces around it, the same one throughout.
        ("f . u . c . k", {("f . u . c . k", "offense.profanity")}),
        ("f. u. c. k. that", {("f. u. c. k", "offense.profanity")}),
        # Letters repeated inside a dotted word.
        ("f.u.u.u.c.k", {("f.u.u.u.c.k", "offense.profanity")}),
        # Symbols standing in for letters.
        ("f*ck this", {("f*ck", "offense.profanity")}),
        ("sh!t happens", {("sh!t", "offense.profanity")}),
        ("a$$hole manager", {("a$$hole", "offense.profanity")}),
        ("b¡tch", {("b¡tch", "offense.profanity")}),
        ("sh¡tty", {("sh¡tty", "offense.profanity")}),
        ("sh1t", {("sh1t", "offense.profanity")}),
        ("bu11sh!t", {("bu11sh!t", "offense.profanity")}),
        ("@ss", {("@ss", "offense.profanity")}),
        ("sh*tty", {("sh*tty", "offense.profanity")}),
        ("fu.cking", {("fu.cking", "offense.profanity")}),
    ],
)
def test_disguised_spellings_are_found_where_they_were_typed(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Scunthorpe United won",
        "a class act",
        "we assess every bid",
        "e.g. this one",
        "made in the U.S.A.",
        "the I.T. team fixed it",
        "S.H.I.E.L.D. agents",
        "meet at 5:00",
        "it costs $5",
        "write to sam.smith@example.com",
        "see https://example.com/a.b.c/d",
        "thanks @sarah_b",
        "#classAct",
        "release v1.0.3 is out",
        "A S S E S S M E N T",
        "a s s e s s m e n t",
        "options a, b, c",
        "Plan a b c",
        "cocktail reception for clients",
    ],
)
def test_look_alike_innocent_words_pass(text: str) -> None:
    assert {rule for _, rule in _found(text) if rule.startswith("offense.")} == set()
