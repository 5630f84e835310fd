"""The phrase families that sort what others send to the user's pages, as Twitter writes
them: threats ("ima beat yo ass", "needs to die"), abuse aimed at the recipient
("u dumb b1tch"), follow-for-follow and giveaway spam, complaints about a service, and
put-downs. Each family has innocent look-alikes that must not fire ("I'll kill it at the
presentation", "this deal is a steal", "killer feature"). Tables: (text, [(span, rule/check)]);
the examples are written for these tests, not taken from the labelled tweets."""

from __future__ import annotations

from functools import cache

import pytest

from tactful.core.post import Post
from tactful.core.ruleset import default_ruleset
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.lexicon import LexiconDetector

# The checks these tests watch; a finding of any other check is ignored.
WATCHED = {
    "offense.insult/threat",
    "offense.insult/wishing-harm",
    "inbound.harassment/threats-and-stalking",
    "inbound.harassment/sexual-harassment",
    "inbound.harassment/abuse-aimed-at-you",
    "inbound.trolling/put-down-aimed-at-you",
    "inbound.spam/follow-bait-and-promotion",
    "inbound.complaint/customer-complaint",
}


@cache
def _detector() -> LexiconDetector:
    return LexiconDetector(default_ruleset())


def _found(text: str) -> set[tuple[str, str]]:
    """(the characters a finding points at, rule/check) for every watched finding, read both
    as an inbox item and as plain words, as triage reads it."""
    out = set()
    for inbound in (True, False):
        post = Post.build(text, inbound=inbound)
        for f in _detector().detect(post, DetectContext(norm=normalize(text))):
            key = f"{f.rule_id}/{f.check}"
            if key in WATCHED and f.ruled_out is None:
                out.add((f.excerpt(text), key))
    return out


THREAT = "offense.insult/threat"
WISH = "offense.insult/wishing-harm"
ABUSE = "inbound.harassment/abuse-aimed-at-you"
SEXUAL = "inbound.harassment/sexual-harassment"
PUTDOWN = "inbound.trolling/put-down-aimed-at-you"
SPAM = "inbound.spam/follow-bait-and-promotion"
COMPLAINT = "inbound.complaint/customer-complaint"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "I'll / ima / gonna" + a verb of violence + the person, as Twitter spells it.
        ("bitch ill fuck u up", {("ill fuck u up", THREAT)}),
        ("imma beat yo lil ass when I see you", {("beat yo lil ass", THREAT)}),
        ("i'll end your whole life, try me", {("i'll end your whole life", THREAT)}),
        ("keep talking and I'll be happy to slap you", {("I'll be happy to slap you", THREAT)}),
        ("ima SHOOT you in the leg", {("ima SHOOT you in", THREAT)}),
        ("I want to strangle her", {("want to strangle her", THREAT)}),
        ("someone needs to punch him in the mouth", {("someone needs to punch him", WISH)}),
        ("that old cunt needs to die", {("cunt needs to die", WISH)}),
        ("he should hang for this", {("he should hang", WISH)}),
        ("you should be shot, honestly", {("you should be shot", WISH)}),
        # ...and what only looks like one.
        ("I'll kill it at the presentation tomorrow", set()),
        ("this deal is a steal, killer feature too", set()),
        ("We'll beat you to the punch on price", set()),
        ("I'll shoot you an email with the quote", set()),
        ("This workout will kick your butt into shape", set()),
        ("The hype needs to die down before launch", set()),
        ("You should hang out with us at the stand", set()),
        ("The print should be hung in the lobby", set()),
        ("I would never hurt you, the cat said", set()),
        ("we want to kill them with kindness", set()),
    ],
)
def test_threats_as_twitter_writes_them(text: str, expected: set[tuple[str, str]]) -> None:
    assert {x for x in _found(text) if x[1] in (THREAT, WISH)} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Profane, sexual or slur name-calling aimed at "you" is harassment.
        ("shut up you dumb b1tch", {("shut up you dumb b1tch", ABUSE)}),
        ("@acme you're a useless piece of shit", {("you're a useless piece of shit", ABUSE)}),
        ("fuck u and your overpriced junk", {("fuck u", ABUSE)}),
        ("your nothing but a lying skank", {("your nothing but a lying skank", ABUSE)}),
        ("you're a fucking idiot", {("you're a fucking idiot", ABUSE)}),
        ("@sam you were late again faggot", {("@sam you were late again faggot", ABUSE)}),
        ("wanna cum on you so bad", {("wanna cum on you", SEXUAL)}),
        # Banter, reported speech and the verb "to bitch" are not.
        ("thank you bitch, see you Saturday!!", set()),
        ("love you ya twat", set()),
        ("you bitch about the price but keep buying it", set()),
        ("sorry I called you a jerk, that was uncalled for", set()),
        ("what the fuck you mean it sold out already??", set()),
        ("you're not a bitch for asking", set()),
        ("You are a bad ass, keep going!", set()),
        ("This song will fuck you up in the best way", set()),
    ],
)
def test_abuse_aimed_at_you_is_harassment(text: str, expected: set[tuple[str, str]]) -> None:
    assert {x for x in _found(text) if x[1] in (ABUSE, SEXUAL)} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You people are clueless about loans", {("You people are clueless", PUTDOWN)}),
        ("you're an embarrassment to the industry", {("you're an embarrassment", PUTDOWN)}),
        ("did you even read the article?", {("did you even read", PUTDOWN)}),
        ("when did you lose your mind?", {("lose your mind", PUTDOWN)}),
        ("You guys are the best, thanks!", set()),
        ("You're not clueless at all, the form is confusing", set()),
        ("If you're a fraud victim, call us first", set()),
    ],
)
def test_put_downs_aimed_at_you_are_trolling(text: str, expected: set[tuple[str, str]]) -> None:
    assert {x for x in _found(text) if x[1] == PUTDOWN} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Great pic! Pls follow me back, I follow everyone",
            {("Pls follow me", SPAM), ("I follow everyone", SPAM)},
        ),
        ("Retweet and follow to win 2 tickets", {("Retweet and follow to win", SPAM)}),
        ("Enter our giveaway this Friday!", {("Enter our giveaway", SPAM)}),
        ("Check out my new mixtape 🔥", {("Check out my new mixtape", SPAM)}),
        ("Save 40% off all candles this weekend", {("Save 40% off", SPAM)}),
        (
            "Ten reasons the euro is doomed - Daily Truth Wire - @truthwire",
            {("Daily Truth Wire - @truthwire", SPAM)},
        ),
        ("will you take a minute & follow me? thanks", {("follow me", SPAM)}),
        # A customer or a friend, not a pitch.
        ("People who follow me know I love this shop", set()),
        ("Why didn't you follow me back? lol", set()),
        ("I ordered with free delivery and it never came", set()),
        ("Where can I get your tickets for Leeds?", set()),
        ("this deal is a steal, ordering two", set()),
    ],
)
def test_follow_bait_giveaways_and_pitches_are_spam(
    text: str, expected: set[tuple[str, str]]
) -> None:
    assert {x for x in _found(text) if x[1] == SPAM} == expected


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("@acme the worst customer service I have ever had", True),
        ("your customer support is slacking, 3 days no reply", True),
        ("Such wonderful customer service, thanks for nothing 👎", True),
        ("Not only has my train been cancelled, no explanation either", True),
        ("The table was meant to be delivered today. Nothing.", True),
        ("45 minutes on hold and then hung up on", True),
        ("thanks for ripping me off again, €30 for a bag", True),
        ("@acme my parcel is in the wrong city again #fuming", True),
        ("your app is glitchy and keeps logging me out", True),
        ("Still waiting for my refund from March", True),
        ("You never replied to my email about the refund", True),
        ("My parcel never came and support ignores me", True),
        # Venting about life, politics and third parties is not a complaint.
        ("Still waiting for the new album like everyone else", False),
        ("Gun control doesn't work, never has", False),
        ("Bloody parking ticket again #fuming", False),
        ("Great customer service from Dan today, sorted in minutes!", False),
        ("So disappointed in this referee", False),
        ("how hard is it to say sorry?", False),
        ("You still haven't answered my question, senator", False),
    ],
)
def test_a_service_failure_is_a_complaint(text: str, fires: bool) -> None:
    assert any(key == COMPLAINT for _, key in _found(text)) == fires
