"""Feedback as the checker applies it: which later findings it hides (same rule, same words
normalised; or the whole rule), which finding a piece of feedback is about, and what a
careful product refuses (exact evidence without a confirmation, a whole rule of it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from tactful.core.feedback import (
    FeedbackRule,
    Scope,
    check_allowed,
    feedback_layer,
    is_exact_evidence,
    pick_finding,
    words_key,
)
from tactful.core.findings import Finding, Report, Severity, Suggestion, Suppressed
from tactful.core.policy import ResolvedPolicy
from tactful.core.post import Post
from tactful.core.ruleset import default_ruleset
from tactful.errors import InputError

SCHEMA = Path(__file__).parents[2] / "docs" / "report.schema.json"
AT = datetime(2026, 12, 8, 10, 30, tzinfo=UTC)
TEXT = "Great talk with Sam today. Call me on 07700 900123."


def finding(
    text: str,
    words: str,
    rule_id: str = "work.venting",
    severity: Severity = Severity.WARN,
    detector: str = "classifier",
) -> Finding:
    start = text.index(words)
    return Finding(
        rule_id=rule_id,
        severity=severity,
        spans=((start, start + len(words)),),
        score=0.9,
        message="m",
        explanation="e",
        suggestions=(Suggestion("remove", "Remove it"),),
        detector=detector,
    )


def rule(words: str, rule_id: str = "work.venting", scope: Scope = "words") -> FeedbackRule:
    return FeedbackRule(7, rule_id, scope, words, "a compliment", "ana", AT)


def apply(text: str, findings: list[Finding], *rules: FeedbackRule) -> tuple[list, list]:
    policy = ResolvedPolicy([feedback_layer("acme-li", tuple(rules))], default_ruleset())
    return policy.apply(findings, text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Great talk with Sam today", "great talk with sam today."),
        ("Great  talk\nwith Sam today!", "“Great talk with Sam today”"),
        ("Gr\u200beat talk", "great talk"),  # a zero-width character
    ],
)
def test_words_key_folds_case_spacing_and_outer_punctuation(a: str, b: str) -> None:
    assert words_key(a) == words_key(b)


def test_words_key_keeps_different_words_apart() -> None:
    assert words_key("07700 900123") != words_key("07700 900456")
    assert words_key("great talk") != words_key("great talks")


def test_the_same_words_are_hidden_and_kept_visible_with_the_feedback_id() -> None:
    later = "GREAT TALK WITH SAM TODAY!  Back tomorrow."
    kept, hidden = apply(
        later, [finding(later, "GREAT TALK WITH SAM TODAY")], rule("Great talk with Sam today.")
    )
    assert kept == []
    assert [h.feedback for h in hidden] == [7]
    assert "a compliment" in hidden[0].reason and hidden[0].by == "ana"


def test_other_words_or_another_rule_are_not_hidden() -> None:
    later = "Great talk with Sam yesterday."
    f = finding(later, "Great talk with Sam yesterday")
    assert apply(later, [f], rule("Great talk with Sam today"))[0] == [f]
    g = finding(TEXT, "Great talk with Sam today", rule_id="offense.insult")
    assert apply(TEXT, [g], rule("Great talk with Sam today"))[0] == [g]


def test_a_whole_rule_hides_that_rule_whatever_the_words() -> None:
    f = finding(TEXT, "Great talk with Sam today")
    g = finding(TEXT, "07700 900123", rule_id="safety.contact", detector="pii")
    kept, hidden = apply(TEXT, [f, g], rule("something else", scope="rule"))
    assert kept == [g] and [h.finding for h in hidden] == [f]


def test_a_report_counts_the_findings_feedback_hides() -> None:
    post = Post.build(TEXT, account_name="acme-li")
    f = finding(TEXT, "Great talk with Sam today")
    report = Report(
        post=post,
        findings=(),
        suppressed=(Suppressed(f, "policy"), Suppressed(f, "feedback", "ana", 7)),
    )
    data = report.to_dict()
    assert report.hidden_by_feedback == 1 and data["hidden_by_feedback"] == 1
    assert [s.get("feedback") for s in data["suppressed"]] == [None, 7]
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_pick_finding_needs_words_where_the_rule_points_at_two_places() -> None:
    text = "Call 07700 900123 or 07700 900456"
    a = finding(text, "07700 900123", rule_id="safety.contact", detector="pii")
    b = finding(text, "07700 900456", rule_id="safety.contact", detector="pii")
    report = Report(post=Post.build(text), findings=(a, b))
    with pytest.raises(InputError, match=r"points at 2 places .*--words"):
        pick_finding(report, "safety.contact", None)
    assert pick_finding(report, "safety.contact", "07700 900456") == b
    with pytest.raises(InputError, match="does not point at “0800”"):
        pick_finding(report, "safety.contact", "0800")
    with pytest.raises(InputError, match=r"finds no work\.venting .*safety\.contact"):
        pick_finding(report, "work.venting", None)


def test_pick_finding_says_when_feedback_already_hides_it() -> None:
    f = finding(TEXT, "Great talk with Sam today")
    report = Report(post=Post.build(TEXT), findings=(), suppressed=(Suppressed(f, "x", None, 4),))
    with pytest.raises(InputError, match="already hidden by feedback #4"):
        pick_finding(report, "work.venting", None)


def test_exact_evidence_needs_a_confirmation_and_never_a_whole_rule() -> None:
    card = finding(TEXT, "07700 900123", "safety.identity_data", Severity.BLOCK, "pii")
    model = finding(TEXT, "Great talk with Sam today", severity=Severity.BLOCK)
    warn = finding(TEXT, "07700 900123", "safety.contact", Severity.WARN, "pii")
    assert is_exact_evidence(card)
    assert not is_exact_evidence(model) and not is_exact_evidence(warn)
    with pytest.raises(InputError, match=r"exact evidence .*--confirm-exact"):
        check_allowed(card, scope="words", confirm_exact=False)
    with pytest.raises(InputError, match="cannot be hidden for the whole account"):
        check_allowed(card, scope="rule", confirm_exact=True)
    check_allowed(card, scope="words", confirm_exact=True)
    check_allowed(model, scope="rule", confirm_exact=False)
    check_allowed(warn, scope="rule", confirm_exact=False)


def test_feedback_on_a_model_findings_words_hides_it_on_its_sentence() -> None:
    """The classifier points a finding at words after the policy has run on the sentence:
    feedback recorded on those words must still hide the sentence-level finding."""
    text = "Third time this week the client forgot to send the brief. See you."
    sentence = "Third time this week the client forgot to send the brief."
    kept, suppressed = apply(text, [finding(text, sentence)], rule("client … brief"))
    assert not kept and len(suppressed) == 1
    kept, _ = apply(text, [finding(text, sentence)], rule("client … invoice"))
    assert kept  # a word that is not there: not the same finding
    lexicon = finding(text, sentence, detector="lexicon")
    kept, _ = apply(text, [lexicon], rule("client … brief"))
    assert kept  # word-level findings match their own words only
