"""Disguised spellings of listed words (issue 14.4): dots or spaces between the letters of a
word and its inflections, and symbols standing in for letters, are matched and pointed at the
characters typed; look-alike innocent words keep passing. Tables: (text, [(span, rule id)])."""

from __future__ import annotations

from functools import cache

import pytest

import tactful
from tactful.core.matching import Matcher
from tactful.core.ruleset import default_ruleset
from tactful.core.text import normalize

_SCOPES = frozenset({"authored", "reply", "any"})


@cache
def _matcher() -> Matcher:
    ruleset = default_ruleset()
    return Matcher(list(ruleset.entries), ruleset.vocab)


def _matches(text: str) -> set[tuple[str, str, str]]:
    """(the original characters a match points at, rule id, how it matched) for every match."""
    norm = normalize(text)
    out = set()
    for m in _matcher().find(norm, _SCOPES):
        start, end = norm.to_original(m.start, m.end)
        out.add((text[start:end], m.entry.rule_id, m.how))
    return out


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
        # As "asshole manager" is: the disguised word inside the phrase too.
        (
            "a$$hole manager",
            {("a$$hole", "offense.profanity"), ("a$$hole manager", "offense.insult")},
        ),
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Leet, symbols, masks and dots in a word that only phrases and classes list: the
        # disguised chunk stands for the word, and the span runs over the characters typed.
        ("you 1d1ot", {("you 1d1ot", "offense.insult")}),
        ("you 1d10t", {("you 1d10t", "offense.insult")}),
        ("you id!ots", {("you id!ots", "offense.insult")}),
        ("what an 1d!0t", {("what an 1d!0t", "offense.insult")}),
        ("you id.iot", {("you id.iot", "offense.insult")}),
        ("you id**t", {("you id**t", "offense.insult")}),
        ("you m0r0n", {("you m0r0n", "offense.insult")}),
        ("you l0ser", {("you l0ser", "offense.insult")}),
        ("(you 1d10t)!", {("you 1d10t", "offense.insult")}),
        ("yo.u idiot", {("yo.u idiot", "offense.insult")}),
        (
            "my 1d10t boss",
            {("my 1d10t boss", "work.venting"), ("1d10t boss", "offense.insult")},
        ),
        ("my st.upid boss", {("my st.upid boss", "work.venting")}),
        ("my b0ss is an idiot", {("my b0ss is an idiot", "work.venting")}),
        (
            "what an a$$hole",
            {("what an a$$hole", "offense.insult"), ("a$$hole", "offense.profanity")},
        ),
        (
            "he is such an a**hole",
            {("he is such an a**hole", "offense.insult"), ("a**hole", "offense.profanity")},
        ),
        # One digit before three letters is read, not taken for a unit or an ordinal.
        ("5hit happens", {("5hit", "offense.profanity")}),
    ],
)
def test_disguised_words_inside_phrases_are_found_where_they_were_typed(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("disguised", "plain"),
    [
        ("you 1d1ot", "you idiot"),
        ("what an 1d!0t", "what an idiot"),
        ("my 1d10t boss", "my idiot boss"),
        ("my st.upid boss", "my stupid boss"),
        ("you id!ots", "you idiots"),
    ],
)
def test_a_disguised_word_reads_as_the_word(disguised: str, plain: str) -> None:
    assert {rule for _, rule in _found(disguised)} == {rule for _, rule in _found(plain)}


def test_the_finding_says_a_word_was_disguised() -> None:
    text = "what an 1d!0t"
    (finding,) = [f for f in tactful.check(text).findings if f.detector == "lexicon"]
    assert finding.rule_id == "offense.insult"
    assert [text[s:e] for s, e in finding.spans] == ["what an 1d!0t"]
    assert "spelt in disguise" in finding.explanation


@pytest.mark.parametrize(
    "text",
    [
        # A disguised word alone is a finding only for the swear words and slurs people
        # disguise (obfuscation: true entries); "idiot" plainly typed alone is none either.
        "id.iot",
        "1d10t",
        "c0caine",
        "0bama",
        "#1d10t",
        # Codes, numbers, units, handles: digits inside them never become words.
        "l33t skills",
        "you came 1st",
        "we came 2nd",
        "you won 3rd place",
        "you 4th",
        "a 10x engineer",
        "h2o and co2",
        "my mp3 player",
        "g00gle it",
        "you B2B folks",
        "4K video for you",
        "you owe $5",
        "N19 postcode",
        "take the A55",
        "SW1A 1AA",
        "v1.0.3 for you",
        "win10 update for you",
        "covid19 hit us",
        "you got 1in3 right",
        "9to5 life",
        "see you at 7pm",
        "see you in 5min",
        "25min for you",
        "you 100s",
        "call 0800 1d10",
        "thanks @id10t_fan",
        "w00t you rock",
        "p@ssword for you",
        "you h4ck3r",
        "ur gr8",
        # Abbreviations, ellipses, footnote stars, separators and faces are not disguises.
        "the U.S. team",
        "e.g. you",
        "you do...or not",
        "|and you",
        "you t_t",
        "her* and you",
    ],
)
def test_codes_and_lone_disguised_words_are_not_phrase_matches(text: str) -> None:
    assert {(span, rule) for span, rule, how in _matches(text) if how != "phrase"} == set()
