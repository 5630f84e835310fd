"""Policy layers: context decides severity; floors hold; suppressions keep their reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful import Checker, PolicyError, Severity
from tactful.core.policy import load_policy_file

VENT = "My idiot boss again"
NIGHT = "Still hungover from the bar crawl, shots shots shots"


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker()


def _severity(checker: Checker, text: str, rule: str, **ctx: object) -> Severity | None:
    report = checker.check(text, **ctx)  # type: ignore[arg-type]
    found = [f.severity for f in report.findings if f.rule_id == rule]
    return max(found, key=lambda s: s.rank) if found else None


def test_company_page_is_strictest(checker: Checker) -> None:
    brand = _severity(checker, VENT, "work.venting", platform="linkedin", account_kind="brand")
    friends = _severity(checker, VENT, "work.venting", account_kind="personal", audience="friends")
    assert brand is Severity.BLOCK
    assert friends is not None and friends.rank < Severity.BLOCK.rank


def test_clients_in_audience_puts_personal_account_on_the_clock(checker: Checker) -> None:
    relaxed = checker.check(VENT, account_kind="personal", audience="friends")
    on_clock = checker.check(
        VENT, account_kind="personal", audience="friends", clients_in_audience=True
    )
    assert "account/on_the_clock" in on_clock.policy_layers
    assert "account/on_the_clock" not in relaxed.policy_layers
    assert "audience.clients_on_personal" in on_clock.rule_ids
    assert on_clock.worst_severity is Severity.BLOCK


def test_floors_cannot_be_lowered(tmp_path: Path, checker: Checker) -> None:
    policy = tmp_path / "lax.yml"
    policy.write_text("rules:\n  work.confidential: info\n  safety: off\n")
    lax = Checker(policy_files=[policy])
    report = lax.check("Keep this between us, the merger closes Friday", audience="friends")
    sev = [f.severity for f in report.findings if f.rule_id == "work.confidential"]
    assert sev and all(s.rank >= Severity.WARN.rank for s in sev)


def test_user_layer_turns_rule_off(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text("rules:\n  work.venting: off\n")
    report = Checker(policy_files=[policy]).check(VENT, account_kind="professional")
    assert "work.venting" not in report.rule_ids


def test_suppression_keeps_the_finding_with_its_reason(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text(
        "suppress:\n  - rule: work.venting\n"
        "    reason: satire column, approved by editor\n    by: sam\n"
    )
    report = Checker(policy_files=[policy]).check(VENT)
    assert "work.venting" not in report.rule_ids
    assert [s.finding.rule_id for s in report.suppressed] == ["work.venting"]
    assert "satire column" in report.suppressed[0].reason
    assert report.to_dict()["suppressed"][0]["by"] == "sam"


def test_allow_list(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text("allow: ['closed-door meeting']\n")
    report = Checker(policy_files=[policy]).check("Notes from our closed-door meeting")
    assert not [f for f in report.findings if f.rule_id == "work.confidential"]
    assert report.suppressed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [", "not valid YAML"),
        ("- a list\n", "YAML mapping"),
        ("rulez: {}\n", "unknown key 'rulez'"),
        ("rules:\n  nonsense.rule: warn\n", "unknown rule id"),
        ("rules:\n  offense: loud\n", "severity"),
        ("suppress:\n  - rule: offense\n", "reason"),
        ("rules:\n  offense: {threshold: 3}\n", "between 0 and 1"),
    ],
)
def test_malformed_policy_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    policy = tmp_path / "bad.yml"
    policy.write_text(content)
    with pytest.raises(PolicyError, match=message) as err:
        load_policy_file(policy)
    assert "bad.yml" in str(err.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        Checker(policy_files=[tmp_path / "nope.yml"])
