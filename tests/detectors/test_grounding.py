"""Grounding: a model category needs its evidence in the words, and readings rule it out."""

from __future__ import annotations

import pytest

from tactful.detectors.grounding import default_grounding


@pytest.mark.parametrize(
    ("category", "text", "found"),
    [
        ("offense.identity", "Immigrants ruin everything", "Immigrants"),
        ("offense.identity", "these people never learn", "these people"),
        ("work.venting", "My manager scheduled another pointless meeting", "manager"),
        ("work.client_story", "A customer cried in my office today", "customer"),
        ("conflict.former_employer", "My old boss was a nightmare", "old"),
        ("conflict.public_attack", "Never again, Globex ripped us off", "Globex"),
        ("conflict.public_attack", "Thanks for nothing, @acme", "@acme"),
        ("views.religious", "Pray for rain, God is listening", "Pray"),
        ("views.political", "Vote them out in November", "Vote"),
        ("lifestyle.nightlife", "Four pints and a hangover", "pints"),
        ("work.confidential", "Between us, the layoffs start Monday", "Between us"),
    ],
)
def test_evidence_is_named_in_the_words_typed(category: str, text: str, found: str) -> None:
    grounded = default_grounding().check(category, text, ((0, len(text)),))
    assert grounded.ok and grounded.evidence is not None
    assert found in grounded.evidence.words
    assert grounded.evidence.says


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("offense.identity", "this fucking traffic"),  # swearing at nobody
        ("offense.identity", "stfu already"),
        ("offense.identity", "I hate Mondays"),  # abuse of things, not people
        ("offense.identity", "Going vegetarian was the best thing I did this year"),
        ("work.venting", "Great talk with Sam today"),
        ("work.venting", "tired af"),
        ("conflict.former_employer", "My idiot boss wants me to keep quiet lol"),
        ("conflict.former_employer", "damn that was close"),
        ("views.religious", "The president is a fascist"),
        ("conflict.public_attack", "@user @user hello there"),  # a reply's opening handles
        ("register.promotional", "Beach day with the kids"),
    ],
)
def test_no_evidence_no_finding(category: str, text: str) -> None:
    grounded = default_grounding().check(category, text, ((0, len(text)),))
    assert not grounded.ok
    assert grounded.ruled_out is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Someone called me a dirty immigrant on the bus today. That is not okay.", "reports"),
        ('He told me "women can\'t code". That is sexist and wrong.', "reports"),
        ("Not all Muslims are terrorists, stop saying that.", "reports"),
        ("Not all immigrants are criminals.", "denies"),
        ("As a gay man I'm tired of being the only queer person in the room", "belong"),
        ("We women are done apologising for taking up space", "belong"),
    ],
)
def test_counter_speech_negation_and_self_reference_rule_identity_out(text: str, why: str) -> None:
    grounded = default_grounding().check("offense.identity", text, ((0, len(text)),))
    assert not grounded.ok
    assert grounded.ruled_out is not None and why in grounded.ruled_out


@pytest.mark.parametrize(
    "text",
    [
        "Immigrants are disgusting and should go home",
        "Women just aren't cut out for on-call rotations, they get too emotional.",
        "What do you call a lazy Irishman? Employed.",
    ],
)
def test_hateful_generalisations_are_not_read_as_counter_speech(text: str) -> None:
    assert default_grounding().ruled_out("offense.identity", text) is None


def test_evidence_must_be_near_the_span_in_a_long_post() -> None:
    text = (
        "My manager is great. We shipped the release. The garden is in bloom. "
        "Tomatoes everywhere. The neighbours' cat is fat and loud and awful."
    )
    last = text.index("The neighbours")
    near_end = default_grounding().check("work.venting", text, ((last, len(text)),))
    assert not near_end.ok  # "manager" is three sentences away from the span
    at_start = default_grounding().check("work.venting", text, ((0, 20),))
    assert at_start.ok
