"""The consent ledger: append-only history, scope per platform, expiry, do-not-tag, asking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tactful.errors import InputError
from tactful.networks.platforms import Platform
from tactful.store import Store
from tactful.store.consent import (
    ask,
    current_state,
    do_not_tag_history,
    do_not_tag_reason,
    history,
    record_consent,
    set_do_not_tag,
)
from tactful.store.contacts import add_contact
from tactful.store.drafts import consent_request
from tactful.store.kinds import ConsentStatus

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def jane(store: Store) -> int:
    with store.session() as s:
        return add_contact(s, "Jane Doe", relation="client", handles={"linkedin": "@jane-doe"}).id


def test_every_change_is_kept_with_who_when_and_why(store: Store, jane: int) -> None:
    with store.session() as s:
        record_consent(s, "@jane-doe", "pending", actor="sam", platform="linkedin", now=T0)
        record_consent(
            s,
            "@jane-doe",
            "granted",
            actor="sam",
            platform="linkedin",
            evidence="DM reply",
            now=T0 + timedelta(days=1),
        )
        record_consent(
            s,
            "@jane-doe",
            "withdrawn",
            actor="ana",
            platform="linkedin",
            reason="changed jobs",
            now=T0 + timedelta(days=30),
        )
    with store.session() as s:
        events = history(s, jane)
    assert [e.status for e in events] == ["pending", "granted", "withdrawn"]
    assert [e.actor for e in events] == ["sam", "sam", "ana"]
    assert events[1].evidence == "DM reply" and events[2].reason == "changed jobs"
    with store.session() as s:
        assert (
            current_state(s, jane, "linkedin", T0 + timedelta(days=2))[0] is ConsentStatus.GRANTED
        )
        assert (
            current_state(s, jane, "linkedin", T0 + timedelta(days=31))[0]
            is ConsentStatus.WITHDRAWN
        )


def test_consent_is_per_platform_and_all_platforms_counts_too(store: Store, jane: int) -> None:
    with store.session() as s:
        record_consent(s, "@jane-doe", "granted", actor="me", platform="linkedin", now=T0)
        assert current_state(s, jane, "linkedin", T0)[0] is ConsentStatus.GRANTED
        assert current_state(s, jane, "x", T0)[0] is ConsentStatus.NONE
        record_consent(s, "@jane-doe", "refused", actor="me", now=T0 + timedelta(hours=1))
        # The newer refusal for every platform outweighs the older LinkedIn grant.
        assert (
            current_state(s, jane, "linkedin", T0 + timedelta(hours=2))[0] is ConsentStatus.REFUSED
        )


def test_an_expired_grant_is_no_consent(store: Store, jane: int) -> None:
    expires = T0 + timedelta(days=90)
    with store.session() as s:
        record_consent(s, "@jane-doe", "granted", actor="me", expires_at=expires, now=T0)
        assert current_state(s, jane, "x", T0 + timedelta(days=89))[0] is ConsentStatus.GRANTED
        status, event = current_state(s, jane, "x", T0 + timedelta(days=91))
    assert status is ConsentStatus.EXPIRED and event is not None


@pytest.mark.parametrize(
    ("status", "kwargs", "message"),
    [
        ("maybe", {}, "unknown consent status"),
        ("none", {}, "record pending"),
        ("refused", {"expires_at": T0 + timedelta(days=1)}, "only a grant"),
        ("granted", {"expires_at": T0 - timedelta(days=1)}, "in the past"),
        ("granted", {"expires_at": datetime(2030, 1, 1)}, "time zone"),
        ("granted", {"platform": "myspace"}, "unknown platform"),
    ],
)
def test_bad_ledger_entries_are_refused(
    store: Store, jane: int, status: str, kwargs: dict, message: str
) -> None:
    with pytest.raises(InputError, match=message), store.session() as s:
        record_consent(s, "@jane-doe", status, actor="me", now=T0, **kwargs)
    with store.session() as s:
        assert history(s, jane) == []


def test_do_not_tag_list_keeps_reasons(store: Store) -> None:
    with store.session() as s:
        rival = add_contact(s, "Rival Ltd", kind="organisation", handles={"x": "@rival"}).id
        set_do_not_tag(s, "@rival", active=True, reason="legal dispute", actor="me")
        assert do_not_tag_reason(do_not_tag_history(s, rival)) == "legal dispute"
        set_do_not_tag(s, "@rival", active=False, reason="settled", actor="me")
        events = do_not_tag_history(s, rival)
    assert [e.active for e in events] == [True, False]
    assert do_not_tag_reason(events) is None
    with pytest.raises(InputError, match="say why"), store.session() as s:
        set_do_not_tag(s, "@rival", active=True, reason=" ", actor="me")


def test_asking_drafts_a_message_and_records_pending(store: Store, jane: int) -> None:
    with store.session() as s:
        contact, draft, event = ask(
            s, "@jane-doe", platform="linkedin", actor="sam", about="our launch recap", sender="Sam"
        )
    assert contact.name == "Jane Doe"
    assert event.status is ConsentStatus.PENDING and event.platform == "linkedin"
    assert draft.startswith("Hi Jane,") and "our launch recap" in draft and draft.endswith("— Sam")
    assert "LinkedIn" in draft
    with store.session() as s:
        assert current_state(s, jane, "linkedin")[0] is ConsentStatus.PENDING


def test_drafts_fit_the_platform_and_the_kind_of_contact(store: Store) -> None:
    with store.session() as s:
        person = add_contact(s, "Jane Doe", handles={"x": "@j"})
        org = add_contact(s, "Acme Corp", kind="organisation", handles={"x": "@acme"})
    x = consent_request(person, Platform.X)
    linkedin = consent_request(person, Platform.LINKEDIN)
    assert len(x) < 140 < len(linkedin)
    assert "company page" in consent_request(org, Platform.LINKEDIN)
    assert "Acme Corp team" in consent_request(org, Platform.X)
    for platform in Platform:
        assert consent_request(person, platform).startswith("Hi Jane")


def test_asking_again_after_a_no_needs_again(store: Store, jane: int) -> None:
    with store.session() as s:
        record_consent(s, "@jane-doe", "refused", actor="me", platform="linkedin")
    with pytest.raises(InputError, match="--again"), store.session() as s:
        ask(s, "@jane-doe", platform="linkedin", actor="me")
    with store.session() as s:
        _, _, event = ask(s, "@jane-doe", platform="linkedin", actor="me", again=True)
    assert event.status is ConsentStatus.PENDING


def test_the_ledger_order_is_the_order_of_recording(store: Store, jane: int) -> None:
    # A writer whose clock runs fast must not make its grant outrank a later refusal.
    with store.session() as s:
        record_consent(s, "@jane-doe", "granted", actor="a", now=T0 + timedelta(hours=5))
        record_consent(s, "@jane-doe", "refused", actor="b", now=T0 + timedelta(hours=1))
        assert current_state(s, jane, "x", T0 + timedelta(hours=6))[0] is ConsentStatus.REFUSED


def test_over_long_values_are_refused_the_same_on_every_database(store: Store, jane: int) -> None:
    with pytest.raises(InputError, match="at most 120"), store.session() as s:
        record_consent(s, "@jane-doe", "granted", actor="x" * 121)
    with pytest.raises(InputError, match="at most 200"), store.session() as s:
        add_contact(s, "Someone", organisation="o" * 201)


def test_names_match_without_case_beyond_ascii(store: Store) -> None:
    from tactful.store.contacts import find_contact

    with store.session() as s:
        add_contact(s, "Émile Zola", handles={"x": "@ez"})
        assert find_contact(s, "émile zola").name == "Émile Zola"
        assert find_contact(s, "Émile Zola").name == "Émile Zola"
