"""What the user reads matches the verdict: info-only posts are "OK, with notes" and exit 0,
warn and block keep their words and exit codes, and each finding shows its rule's title
before the rule id."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rich.console import Console

from tactful.cli.main import main
from tactful.cli.render import render_report
from tactful.core.findings import Finding, Report, Severity, Suggestion, Verdict
from tactful.core.post import Post


def finding(severity: Severity, title: str | None = "Personal contact details") -> Finding:
    return Finding(
        rule_id="safety.contact",
        severity=severity,
        spans=((0, 4),),
        score=0.9,
        message="A message",
        explanation="Why it matters",
        suggestions=(Suggestion("remove", "Remove it"),),
        detector="test",
        title=title,
    )


def report(*severities: Severity, failed: tuple[str, ...] = ()) -> Report:
    return Report(
        post=Post.build("Text of the post"),
        findings=tuple(finding(s) for s in severities),
        failed_detectors=failed,
    )


def shown(r: Report) -> str:
    console = Console(width=120, record=True, color_system=None)
    console.print(render_report(r))
    return console.export_text()


@pytest.mark.parametrize(
    ("severities", "failed", "verdict", "words"),
    [
        ((), (), Verdict.OK, "OK to publish"),
        ((Severity.INFO, Severity.INFO), (), Verdict.OK, "OK, with notes"),
        ((Severity.INFO, Severity.WARN), (), Verdict.REVIEW, "review before publishing"),
        ((Severity.INFO, Severity.BLOCK), (), Verdict.BLOCKED, "do not publish as it is"),
        ((Severity.INFO,), ("pii",), Verdict.REVIEW, "review before publishing"),
        ((), ("pii",), Verdict.REVIEW, "review before publishing"),
    ],
)
def test_the_verdict_and_its_words(
    severities: tuple[Severity, ...], failed: tuple[str, ...], verdict: Verdict, words: str
) -> None:
    r = report(*severities, failed=failed)
    assert r.verdict is verdict
    assert shown(r).splitlines()[0].startswith(words)
    assert r.fails(Severity.WARN) is (verdict is not Verdict.OK)


def test_the_title_comes_before_the_rule_id() -> None:
    line = next(x for x in shown(report(Severity.WARN)).splitlines() if "safety.contact" in x)
    assert line.index("Personal contact details") < line.index("safety.contact")
    untitled = Report(post=Post.build("Text of the post"), findings=(finding(Severity.WARN, None),))
    assert "safety.contact" in shown(untitled)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


def test_a_post_with_only_notes_exits_zero() -> None:
    # An empty comment on someone's post is worth a note, nothing more (engagement.low_value).
    code, out = run("check", "Great post!", "--reply-to", "123")
    assert code == 0, out
    assert out.startswith("OK, with notes")
    assert "Empty comment" in out and "engagement.low_value" in out
    code, out = run("check", "Great post!", "--reply-to", "123", "--format", "json")
    data = json.loads(out)
    assert data["verdict"] == "ok" and data["findings"]
    assert {f["severity"] for f in data["findings"]} == {"info"}
    assert code == 0


def test_json_findings_carry_the_title() -> None:
    code, out = run("check", "Call me on 07700 900123", "--format", "json")
    assert code == 1
    (contact,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "safety.contact"]
    assert contact["title"] == "Personal contact details"
