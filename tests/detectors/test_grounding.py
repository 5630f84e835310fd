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
        ("conflict.former_employer", "My old boss was a nightmare", "old boss"),
        ("work.venting", "my boss's ideas are stupid", "boss's"),
        ("offense.identity", "Another day, another #IllegalImmigrants story", "#IllegalImmigrants"),
        ("conflict.public_attack", "Never again, Globex ripped us off", "Globex"),
        ("conflict.public_attack", "Thanks for nothing, @acme", "@acme"),
        ("views.religious", "Pray for rain, God is listening", "Pray"),
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
    ],
)
def test_no_evidence_no_finding(category: str, text: str) -> None:
    # (Categories the issue names evidence for; politics, nightlife, promotion and
    # confidential details are raised on the calibrated score alone.)
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
        # Found in review: hate that an over-broad reading had let through.
        "Muslims are disgusting. That's not racism, it's the truth",
        "Jews control the banks, it's not a myth",
        "Deport this vile immigrant scum",
        "Immigrants are human garbage",
        "Women are great at cooking and should stay in the kitchen",
        "People who say Muslims are terrorists are right",
        "The thieves were mexican, typical",
        "I see them as filthy immigrants",
        "Give us fewer immigrants, immigrants are vermin",
        "I call them parasites, those migrants",
    ],
)
def test_hateful_generalisations_are_not_read_as_counter_speech(text: str) -> None:
    whole = ((0, len(text)),)
    assert default_grounding().ruled_out("offense.identity", text, whole) is None


def test_a_rejection_in_a_later_sentence_does_not_clear_an_earlier_one() -> None:
    text = "Immigrants are vermin. The weather is nice. Stop saying that Mondays are bad."
    first = ((0, text.index(".")),)
    assert default_grounding().ruled_out("offense.identity", text, first) is None
    # "That is not okay." right after a quoted slur does reject it.
    text = "Someone called my son a dirty immigrant. That is not okay."
    assert default_grounding().ruled_out("offense.identity", text, ((0, 20),)) is not None


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("offense.identity", "stfu people"),
        ("offense.insult", "STFU already"),
        ("conflict.former_employer", "I left the office early, my boss is a moron"),
        ("work.venting", "this app's design is stupid and I hate it here"),
        ("views.religious", "holy hell, what a soul-crushing Monday"),
    ],
)
def test_everyday_words_are_not_evidence(category: str, text: str) -> None:
    assert not default_grounding().check(category, text, ((0, len(text)),)).ok


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


@pytest.mark.parametrize(
    "category",
    ["views.political", "lifestyle.nightlife", "register.promotional", "work.confidential"],
)
def test_categories_without_named_evidence_rest_on_the_calibrated_score(category: str) -> None:
    grounded = default_grounding().check(category, "anything at all", ((0, 15),))
    assert grounded.ok and grounded.evidence is not None and not grounded.evidence.words
