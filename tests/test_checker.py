"""The pipeline end to end: obfuscations caught on the original characters, innocent words pass."""

from __future__ import annotations

from dataclasses import replace

import pytest

import tactful
from tactful import Checker, Finding, Post, Severity, Verdict
from tactful.detectors.base import DetectContext

OBFUSCATED = [
    ("what the f.u.c.k is this", "f.u.c.k"),
    ("fuuuuck this deadline", "fuuuuck"),
    ("f\u200buck this deadline", "f\u200buck"),
    ("fu\u0441k this deadline", "fu\u0441k"),
    ("this is f*ck*ng ridiculous", "f*ck*ng"),
    ("total sh1t show", "sh1t"),
    ("what a load of sh!t", "sh!t"),
    ("F U C K mondays", "F U C K"),
    ("ＦＵＣＫ mondays", "ＦＵＣＫ"),
]


@pytest.mark.parametrize(("text", "excerpt"), OBFUSCATED)
def test_obfuscated_profanity_spans_cover_original_characters(text: str, excerpt: str) -> None:
    report = tactful.check(text)
    hits = [f for f in report.findings if f.rule_id == "offense.profanity"]
    assert hits, f"no profanity finding on {text!r}: {report.rule_ids}"
    assert hits[0].excerpt(text) == excerpt


INNOCENT = [
    "Scunthorpe United won 2-0 on Saturday",
    "Our class of 2024 graduates today",
    "We assess every bid within two days",
    "Join us for the cocktail reception for clients after the keynote",
    "Killer results this quarter, thanks team",
    "We will address the feedback in the next release",
    "Proud to be a gay founder building for everyone",
    "I am a gay Muslim woman and an engineer",
    "Black-owned business of the year, so honoured",
    "Our accessibility work for disabled users shipped today",
    "Analytics dashboards are live for all customers",
    "Shitake mushrooms are on the menu",
    "Great to see the Middlesex cricket team in the final",
]


@pytest.mark.parametrize("text", INNOCENT)
def test_innocent_words_do_not_trigger_offense_rules(text: str) -> None:
    report = tactful.check(text, platform="linkedin", account_kind="professional")
    offensive = [f for f in report.findings if f.rule_id.startswith("offense.")]
    assert not offensive, [(f.rule_id, f.excerpt(text)) for f in offensive]


def test_verdicts() -> None:
    assert tactful.check("Lovely sunrise over the harbour").verdict is Verdict.OK
    assert tactful.check("My idiot boss", account_kind="professional").verdict is Verdict.BLOCKED


def test_findings_are_sorted_and_have_suggestions() -> None:
    text = "Call me on 07700 900123. My idiot boss is at it again."
    report = tactful.check(text, account_kind="professional")
    starts = [f.start for f in report.findings]
    assert starts == sorted(starts)
    for f in report.findings:
        assert f.suggestions and f.explanation and f.message


def test_inbound_posts_get_inbound_rules_only() -> None:
    text = "My order hasn't arrived and I want a refund"
    report = tactful.check(text, inbound=True, account_kind="brand")
    assert all(not r.startswith("work.") for r in report.rule_ids)


class _Broken:
    name = "broken"

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        raise RuntimeError("boom")


def test_a_failing_detector_keeps_the_other_findings() -> None:
    checker = Checker()
    checker.detectors.append(_Broken())
    report = checker.check("My idiot boss", account_kind="professional")
    assert "work.venting" in report.rule_ids
    assert any("broken failed" in n for n in report.notices)


class _Refining:
    """Raises two findings; the policy keeps one (the default policy turns register.personal
    off)."""

    name = "refining"
    rule_ids = ("work.venting", "register.personal")

    def __init__(self) -> None:
        self.refined: list[list[str]] = []

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        return [
            Finding(rule, Severity.WARN, ((0, len(post.text)),), 0.9, "m", "e", (), self.name)
            for rule in self.rule_ids
        ]

    def refine(self, post: Post, findings: list[Finding]) -> list[Finding]:
        self.refined.append([f.rule_id for f in findings])
        return [replace(f, spans=((0, 2),)) for f in findings]


def test_a_detector_refines_only_the_findings_the_policy_kept() -> None:
    checker = Checker()
    fake = _Refining()
    checker.detectors = [fake]
    report = checker.check("My boss again", account_kind="personal")
    mine = [f for f in report.findings if f.detector == "refining"]
    assert fake.refined == [["work.venting"]] and [f.rule_id for f in mine] == ["work.venting"]
    assert all(f.spans == ((0, 2),) for f in mine)


class _FailingRefine(_Refining):
    def refine(self, post: Post, findings: list[Finding]) -> list[Finding]:
        raise RuntimeError("no words today")


def test_a_failing_refine_keeps_the_findings_as_they_were() -> None:
    checker = Checker()
    checker.detectors = [_FailingRefine()]
    report = checker.check("My boss again", account_kind="professional")
    assert report.findings and all(f.spans == ((0, 13),) for f in report.findings)
    assert any(
        "could not point at words (RuntimeError: no words today)" in n for n in report.notices
    )


class _ShortRefine(_Refining):
    def refine(self, post: Post, findings: list[Finding]) -> list[Finding]:
        return []


def test_a_refine_that_loses_findings_is_refused_and_they_stand() -> None:
    checker = Checker()
    checker.detectors = [_ShortRefine()]
    report = checker.check("My boss again", account_kind="professional")
    assert report.findings and all(f.spans == ((0, 13),) for f in report.findings)
    assert any("gave 0 findings back" in n for n in report.notices)


def test_checker_reuses_policy_per_context() -> None:
    checker = Checker()
    checker.check("hello", platform="x")
    checker.check("hello again", platform="x")
    assert len(checker._policies) == 1


def test_context_both_ways_is_an_error() -> None:
    with pytest.raises(tactful.InputError):
        Checker().check(Post.build("hi"), platform="x")


def test_severity_order() -> None:
    assert Severity.BLOCK.lowered() is Severity.WARN
    assert Severity.INFO.lowered() is Severity.INFO


def test_a_check_that_runs_past_its_budget_says_so_and_keeps_what_it_found() -> None:
    from itertools import chain, repeat

    from tactful.core.checker import Checker
    from tactful.core.findings import Verdict

    # The clock reads 0 until the first detector has run, then 100 s: past a 20 s budget.
    ticks = chain([0.0, 0.0], repeat(100.0))
    checker = Checker(budget_s=20.0, clock=lambda: next(ticks))
    first, *rest = checker.detector_names
    report = checker.check("my idiot boss moved the deadline again")
    assert report.failed_detectors == tuple(rest)
    assert report.verdict is Verdict.REVIEW
    assert any("time budget (20 s a post)" in n for n in report.notices)
    assert all(f.detector == first for f in report.findings)
