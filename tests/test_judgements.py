"""Every example in "Judgements people can trust" (issue 14), as a careful reader would judge it.

Each case names the context the issue gives (or a public personal account), what must be
raised and what must not. The composer's painting of overlapping findings is a browser test
(tests/web); everything else is here.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import tactful
from tactful.cli.main import main as cli
from tactful.core.findings import Report, Severity, Verdict

PERSONAL = {"platform": "generic", "account_kind": "personal"}
PROFESSIONAL = {"platform": "linkedin", "account_kind": "professional"}
BRAND = {"platform": "linkedin", "account_kind": "brand"}


def _rules(report: Report, at_least: Severity = Severity.INFO) -> set[str]:
    return {f.rule_id for f in report.findings if f.severity.at_least(at_least)}


# (text, context, rule ids that must be raised at warn or worse, rule ids that must not be
# raised at all)
CASES = [
    # "Seen by hand": false alarms and wrong reasons.
    ("Great talk with Sam today", PROFESSIONAL, set(), {"work.venting"}),
    ("Great talk with Sam today.", PROFESSIONAL, set(), {"work.venting"}),
    ("stfu already", PERSONAL, set(), {"offense.identity", "conflict.former_employer"}),
    ("a$$hole manager", PERSONAL, set(), {"offense.identity", "conflict.former_employer"}),
    (
        "Going vegetarian was the best thing I did this year: more energy, lower bills and "
        "better for animals and the planet.",
        PERSONAL,
        set(),
        {"offense.identity", "offense.insult"},
    ),
    ("@user @user how do you explain this?", PERSONAL, set(), {"conflict.public_attack"}),
    (
        "My idiot boss wants me to keep quiet lol",
        PERSONAL,
        {"work.venting"},
        {"conflict.former_employer", "offense.identity"},
    ),
    (
        "The president is a fascist and everyone who voted for him should be ashamed",
        PROFESSIONAL,
        set(),
        {"views.religious", "offense.identity"},
    ),
    # "Seen by hand": misses.
    (
        "Women just aren't cut out for on-call rotations, they get too emotional.",
        BRAND,
        {"offense.identity"},
        set(),
    ),
    ("What do you call a lazy Irishman? Employed.", PERSONAL, {"offense.identity"}, set()),
    (
        "Spent the afternoon with Globex's legal team. Between us, they're about to get sued "
        "by the FTC.",
        PROFESSIONAL,
        {"work.confidential"},
        set(),
    ),
    # Deliverable 3: the right reason.
    ("I hate Mondays", PERSONAL, set(), {"offense.identity", "offense.insult"}),
    ("this fucking traffic", PERSONAL, {"offense.profanity"}, {"offense.identity"}),
    ("damn that was close", PERSONAL, set(), {"conflict.former_employer", "offense.identity"}),
    ("tired af", PERSONAL, set(), {"work.venting"}),
    ("@user @user hello there", PERSONAL, set(), {"conflict.public_attack"}),
    ("Immigrants are lazy and should go home", PERSONAL, {"offense.identity"}, set()),
    (
        "Someone called me a dirty immigrant on the bus today. That is not okay.",
        PERSONAL,
        set(),
        {"offense.identity"},
    ),
    ("Not all Muslims are terrorists, stop saying that.", PERSONAL, set(), {"offense.identity"}),
    (
        "As a gay man I'm tired of being the only queer person in the room",
        PERSONAL,
        set(),
        {"offense.identity"},
    ),
]


@pytest.mark.parametrize(("text", "context", "raised", "not_raised"), CASES)
def test_example(
    text: str, context: dict[str, str], raised: set[str], not_raised: set[str]
) -> None:
    report = tactful.check(text, **context)
    assert raised <= _rules(report, Severity.WARN), report.rule_ids
    assert not (not_raised & _rules(report)), report.rule_ids


def test_plain_swearing_never_reads_as_an_attack_on_a_group() -> None:
    for text in ("stfu already", "this fucking traffic", "shit, missed the bus again"):
        report = tactful.check(text, **PERSONAL)
        assert "offense.identity" not in report.rule_ids
        assert report.verdict is not Verdict.BLOCKED


def test_a_group_finding_names_the_group_it_found() -> None:
    report = tactful.check(
        "Women just aren't cut out for on-call rotations, they get too emotional.", **BRAND
    )
    identity = [f for f in report.findings if f.rule_id == "offense.identity"]
    assert identity
    assert any("Women" in report.post.text[s:e] for f in identity for s, e in f.spans)


def test_selling_from_a_personal_account_is_a_note_whatever_the_audience() -> None:
    for audience in ("public", "connections", "friends"):
        report = tactful.check(
            "Check out my new online course, 20% off this week, link in bio!",
            platform="instagram",
            account_kind="personal",
            audience=audience,
        )
        promo = [f for f in report.findings if f.rule_id == "register.promotional"]
        assert promo and all(f.severity is Severity.INFO for f in promo), audience


def test_model_scores_alone_never_block_ordinary_posts() -> None:
    """No model category reached 0.95 precision on real posts: a model-only finding never
    blocks, even where the account's policy would raise it."""
    for text in (
        "@user @user how do you explain this?",
        "Great talk with Sam today",
        "The president is a fascist and everyone who voted for him should be ashamed",
        "My idiot boss wants me to keep quiet lol",
    ):
        report = tactful.check(text, **PROFESSIONAL)
        assert not [
            f
            for f in report.findings
            if f.detector == "classifier" and f.severity is Severity.BLOCK
        ], text


def test_info_only_reads_ok_with_notes_and_exits_zero() -> None:
    text = "Check out my new online course, 20% off this week, link in bio!"
    result = CliRunner().invoke(
        cli, ["check", text, "--platform", "instagram", "--account-kind", "personal"]
    )
    assert result.exit_code == 0, result.output
    assert "OK, with notes" in result.output
    as_json = CliRunner().invoke(
        cli, ["check", text, "--platform", "instagram", "--format", "json"]
    )
    assert json.loads(as_json.output)["verdict"] == "ok"


def test_a_uk_mobile_number_is_explained_as_a_uk_number() -> None:
    report = tactful.check("Call me on 07700 900123 after six", **PROFESSIONAL)
    phone = [f for f in report.findings if f.rule_id == "safety.contact"]
    assert phone
    assert "DE number" not in phone[0].explanation
    assert "United Kingdom" in phone[0].explanation or " UK" in phone[0].explanation


def test_a_listed_slur_keeps_its_severity_even_when_the_post_rejects_it() -> None:
    report = tactful.check("Someone called my son a wetback at school. That is not okay.")
    slurs = [f for f in report.findings if f.rule_id == "offense.identity"]
    assert slurs and all(f.severity is Severity.BLOCK for f in slurs)
    assert "may be quoted" in slurs[0].explanation
    hateful = tactful.check("Those wetbacks should go home. Calling it racism is a joke")
    assert hateful.verdict is Verdict.BLOCKED


def test_a_phrase_a_reading_rules_out_is_kept_in_the_suppressed_list_with_why() -> None:
    report = tactful.check("Not all Muslims are terrorists, stop saying that.")
    assert "offense.identity" not in report.rule_ids
    ruled = [s for s in report.suppressed if s.finding.rule_id == "offense.identity"]
    assert ruled and "Not raised" in ruled[0].reason
    assert report.verdict is Verdict.OK


def test_a_long_post_of_stereotypes_is_still_checked_sentence_by_sentence() -> None:
    text = "Women are too emotional to lead. " * 1500  # ~50k characters, 1,500 findings' worth
    report = tactful.check(text, **PERSONAL)
    assert "offense.identity" in _rules(report, Severity.WARN)
