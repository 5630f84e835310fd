"""Feedback in the store, on SQLite and PostgreSQL: recorded with who, when and why; applied
to later checks of that account only, through the one factory; kept visible in the report;
removed on request (and with its account); noticed by the change stamp; exported as
labelled examples."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from tactful.core.checker import Checker
from tactful.core.factory import checker_for
from tactful.core.feedback import pick_finding
from tactful.core.findings import Report
from tactful.errors import InputError
from tactful.store import Store
from tactful.store.accounts import add_account, remove_account
from tactful.store.feedback import (
    export_examples,
    list_feedback,
    mark_wrong,
    remove_feedback,
)
from tactful.store.snapshot import change_stamp, snapshot_of

NOW = datetime(2026, 12, 8, 10, 30, tzinfo=UTC)
PHONE = "Call me on 07700 900123 after the launch."
CARD = "My card is 4111 1111 1111 1111, thanks."
# The rules and PII detectors: exact, fast, and what the feedback rules are about.
DETECTORS = ["lexicon", "pii"]


@pytest.fixture
def base() -> Checker:
    return Checker(detectors=DETECTORS)


@pytest.fixture
def accounts(store: Store) -> Store:
    with store.session() as s:
        add_account(s, "acme-li", platform="linkedin", kind="brand")
        add_account(s, "sam-x", platform="x", kind="personal")
    return store


def check(store: Store, base: Checker, text: str, account: str) -> Report:
    checker = checker_for(store, base=base)
    assert checker.store is not None
    record = next(a for a in checker.store.accounts if a.name == account)
    return checker.check(record.post(text))


def mark(
    store: Store,
    base: Checker,
    text: str,
    rule_id: str,
    *,
    account: str = "acme-li",
    **options: object,
) -> int:
    report = check(store, base, text, account)
    with store.session() as s:
        record = mark_wrong(
            s,
            report,
            pick_finding(report, rule_id, None),
            reason="the office switchboard, not a personal phone",
            actor="ana",
            now=NOW,
            **options,  # type: ignore[arg-type]
        )
    return record.id


def test_feedback_is_recorded_and_hides_the_same_words_on_that_account(
    accounts: Store, base: Checker
) -> None:
    assert "safety.contact" in check(accounts, base, PHONE, "acme-li").rule_ids
    feedback_id = mark(accounts, base, PHONE, "safety.contact")
    with accounts.session() as s:
        [record] = list_feedback(s)
    assert (record.id, record.account, record.rule_id, record.words) == (
        feedback_id,
        "acme-li",
        "safety.contact",
        "07700 900123",
    )
    assert (record.actor, record.at, record.text, record.scope) == ("ana", NOW, PHONE, "words")
    assert record.context["platform"] == "linkedin" and not record.exact

    later = check(accounts, base, "New number: 07700 900123. Call any time", "acme-li")
    assert "safety.contact" not in later.rule_ids
    assert later.hidden_by_feedback == 1
    assert later.suppressed[0].feedback == feedback_id
    assert later.to_dict()["hidden_by_feedback"] == 1
    # Other words, or another account, are checked as before.
    assert "safety.contact" in check(accounts, base, "Call 07700 900456", "acme-li").rule_ids
    other = check(accounts, base, PHONE, "sam-x")
    assert "safety.contact" in other.rule_ids and other.hidden_by_feedback == 0


def test_exact_evidence_needs_a_confirmation_and_never_a_whole_rule(
    accounts: Store, base: Checker
) -> None:
    with pytest.raises(InputError, match="--confirm-exact"):
        mark(accounts, base, CARD, "safety.identity_data")
    with pytest.raises(InputError, match="whole account"):
        mark(accounts, base, CARD, "safety.identity_data", scope="rule", confirm_exact=True)
    with accounts.session() as s:
        assert list_feedback(s) == []
    mark(accounts, base, CARD, "safety.identity_data", confirm_exact=True)
    with accounts.session() as s:
        assert [r.exact for r in list_feedback(s)] == [True]
    assert check(accounts, base, CARD, "acme-li").verdict.value != "blocked"


def test_a_whole_rule_hides_the_rule_on_that_account_whatever_the_words(
    accounts: Store, base: Checker
) -> None:
    mark(accounts, base, PHONE, "safety.contact", scope="rule")
    assert "safety.contact" not in check(accounts, base, "Ring 07700 900456", "acme-li").rule_ids
    assert "safety.contact" in check(accounts, base, "Ring 07700 900456", "sam-x").rule_ids


def test_removed_feedback_shows_the_finding_again_and_the_stamp_moves(
    accounts: Store, base: Checker
) -> None:
    with accounts.session() as s:
        before = change_stamp(s)
    feedback_id = mark(accounts, base, PHONE, "safety.contact")
    with accounts.session() as s:
        marked = change_stamp(s)
        gone = remove_feedback(s, feedback_id)
    with accounts.session() as s:
        removed = change_stamp(s)
        assert list_feedback(s) == []
        with pytest.raises(InputError, match="no feedback #99"):
            remove_feedback(s, 99)
    # The web app notices both changes made by another process.
    assert gone.id == feedback_id and before != marked != removed
    assert "safety.contact" in check(accounts, base, PHONE, "acme-li").rule_ids


def test_removing_the_account_removes_its_feedback(accounts: Store, base: Checker) -> None:
    mark(accounts, base, PHONE, "safety.contact", account="sam-x")
    mark(accounts, base, PHONE, "safety.contact")
    with accounts.session() as s:
        remove_account(s, "sam-x")
    with accounts.session() as s:
        assert [r.account for r in list_feedback(s)] == ["acme-li"]
        with pytest.raises(InputError, match="no account named 'sam-x'"):
            list_feedback(s, "sam-x")


def test_feedback_travels_in_the_snapshot_to_pool_workers(accounts: Store, base: Checker) -> None:
    feedback_id = mark(accounts, base, PHONE, "safety.contact")
    snapshot = pickle.loads(pickle.dumps(snapshot_of(accounts)))
    assert [r.id for r in snapshot.feedback["acme-li"]] == [feedback_id]
    assert "sam-x" not in snapshot.feedback


def test_export_writes_labelled_examples(accounts: Store, base: Checker) -> None:
    mark(accounts, base, PHONE, "safety.contact")
    with accounts.session() as s:
        [example] = export_examples(s)
        assert export_examples(s, "sam-x") == []
    assert example == {
        "text": PHONE,
        "rule_id": "safety.contact",
        "label": "false_positive",
        "reason": "the office switchboard, not a personal phone",
        "account": "acme-li",
        "when": NOW.isoformat(),
        "by": "ana",
        "words": "07700 900123",
        "scope": "words",
        "severity": "warn",
        "detector": "pii",
        "platform": "linkedin",
        "account_kind": "brand",
    }


def test_feedback_needs_a_reason_and_a_stored_account(accounts: Store, base: Checker) -> None:
    report = check(accounts, base, PHONE, "acme-li")
    finding = pick_finding(report, "safety.contact", None)
    with accounts.session() as s, pytest.raises(InputError, match="say why"):
        mark_wrong(s, report, finding, reason="  ", actor="ana", now=NOW)
    unstored = base.check(PHONE)
    with accounts.session() as s, pytest.raises(InputError, match="per account"):
        mark_wrong(s, unstored, unstored.findings[0], reason="fine", actor="ana", now=NOW)


def test_the_schedule_gate_honours_feedback(accounts: Store, base: Checker) -> None:
    from tactful.publish.outbox import gate

    def stopping() -> list[str]:
        checker = checker_for(accounts, base=base)
        assert checker.store is not None
        account = next(a for a in checker.store.accounts if a.name == "acme-li")
        return [p.rule_id for p in gate(checker, CARD, account).problems]

    assert "safety.identity_data" in stopping()
    mark(accounts, base, CARD, "safety.identity_data", confirm_exact=True)
    assert "safety.identity_data" not in stopping()
