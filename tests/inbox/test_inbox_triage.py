"""Triage through the one checker: each example sorted as a careful reader would, whereabouts
raised to the top, and the inbox ordered by priority (complaints oldest first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.inbox.triage import ItemContext, rules, triage

CASES = [
    ("I will kill you, you stupid bitch", "threat", False),
    # stalking that says where you live is a threat (the labelling guidelines' "I know
    # where you live"), and goes to the top
    ("I know you still live on Baker Street, I'll be waiting outside your house",
     "threat", True),
    ("send me nudes or I'll tell everyone what you did", "harassment", False),
    ("All muslims are terrorists and should be deported", "hate", False),
    ("My order #1234 arrived broken and nobody answers my emails. Very disappointed.",
     "complaint", False),
    ("lol cry more, nobody cares about your opinion", "trolling", False),
    ("Earn $5000 a week from home! DM me for crypto investment, click bit.ly/xyz", "spam", False),
    ("What time do you open on Saturday?", "question", False),
    ("Love this, thank you so much! Great work team", "praise", False),
    ("Welcome to your new home!", "other", False),
    ("Nice weather today", "other", False),
    # as Twitter writes them (written for this test, not taken from the labelled tweets)
    ("bitch ima beat yo ass when I see you", "threat", False),
    ("that old cunt needs to die", "threat", False),
    ("shut up you dumb b1tch", "harassment", False),
    ("you people are clueless, honestly", "trolling", False),
    ("Pls follow me back, I follow everyone 🙏", "spam", False),
    ("Such wonderful customer service, 40 minutes on hold then hung up on 👎", "complaint",
     False),
    ("I'll kill it at the presentation tomorrow!", "other", False),
    ("This deal is a steal, killer feature too", "other", False),
    ("Can you believe this weather?", "other", False),
]  # fmt: skip

QUESTIONS = [
    ("What time do you open on Saturday?", True),
    ("@acme hi, do you ship to Ireland?", True),
    ("Sam, is the webinar going to be recorded?", True),
    ("Does anyone know if the Leeds store has it in blue", True),
    ("@acme open on Sunday?", True),
    ("Loved it. Where can I buy the print", True),
    # rhetorical and mocking questions state a view; they ask nothing of the account
    ("Can you believe they charge for this?", False),
    ("That went well, didn't it?", False),
    ("Who cares what you think?", False),
    ("Why cause you never read the science?", False),
    ("Do liberals ever read the bill they vote for?", False),
    ("How's that new pricing working out for you?", False),
    ("Loved the show, see you next year.", False),
]


@pytest.mark.parametrize(("text", "asked"), QUESTIONS)
def test_a_question_is_one_asked_of_the_account_not_any_question_mark(
    text: str, asked: bool
) -> None:
    assert (rules().classes["question"].words(text) is not None) == asked


@pytest.mark.parametrize(("text", "category", "where"), CASES)
def test_each_item_is_sorted_with_an_action_and_a_reason(checker, text, category, where) -> None:  # type: ignore[no-untyped-def]
    sorted_ = triage(checker, ItemContext(text, platform="mastodon", account_kind="brand"))
    assert (sorted_.category, sorted_.whereabouts) == (category, where)
    assert sorted_.action == rules().classes[category].action and sorted_.reason
    if where:
        assert sorted_.rank == 0 and "where you live" in sorted_.to_dict()["whereabouts"]
    else:
        assert sorted_.rank == rules().classes[category].rank


def test_threats_and_harassment_come_first_then_complaints_oldest_first(store, checker) -> None:  # type: ignore[no-untyped-def]
    from tactful.inbox.items import Incoming
    from tactful.inbox.store import list_items, triage_pending
    from tactful.inbox.sync import store_items
    from tactful.store.accounts import add_account
    from tactful.store.models import AccountRow

    t0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
    texts = [
        ("p1", "Love this, thank you so much!", 0),
        ("c-new", "My parcel arrived broken and nobody answers my emails. Very disappointed.", 5),
        ("c-old", "Your support never replied to my refund request, three weeks now. Awful.", 1),
        ("t1", "I will kill you, you stupid bitch", 2),
        ("w1", "I know where you live, I'll be waiting outside your house", 3),
    ]
    with store.session() as s:
        add_account(s, "acme", platform="mastodon", kind="brand")
        account_id = s.query(AccountRow.id).scalar()
        items = [Incoming(i, "mention", text, "@x", created_at=t0 + timedelta(hours=h))
                 for i, text, h in texts]  # fmt: skip
        assert store_items(s, account_id, "mastodon", items, t0) == (5, 0, 0)
        assert store_items(s, account_id, "mastodon", items, t0) == (0, 5, 0)  # once only
    assert triage_pending(store, checker, now=t0) == 5
    assert triage_pending(store, checker, now=t0) == 0
    with store.session() as s:
        order = [i.remote_id for i in list_items(s)]
        complaints = [i.remote_id for i in list_items(s, category="complaint")]
    assert order == ["w1", "t1", "c-old", "c-new", "p1"], order
    assert complaints == ["c-old", "c-new"]
