"""Tags without a store: a reminder to ask first (info, with the private message to send),
never a warning on every tag. With a store the consent ledger decides (tests/store)."""

from __future__ import annotations

import pytest

from tactful.core.checker import Checker
from tactful.core.findings import Severity, Verdict
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.mentions import MentionsDetector
from tactful.networks.platforms import Platform
from tactful.store.drafts import ask_to_tag


def reminders(text: str, **context: object) -> list:
    post = Post.build(text, **context)
    return MentionsDetector().detect(post, DetectContext(norm=normalize(text)))


def test_each_tag_gets_a_reminder_to_ask_first() -> None:
    text = "Great chat with @jane_doe and @user today"
    found = reminders(text)
    assert [(f.rule_id, f.severity, f.check, f.matched) for f in found] == [
        ("tags.no_consent", Severity.INFO, "ask-first", "jane_doe"),
        ("tags.no_consent", Severity.INFO, "ask-first", "user"),
    ]
    jane = found[0]
    assert [text[s:e] for s, e in jane.spans] == ["@jane_doe"]
    assert jane.message == "Ask @jane_doe before you tag them"
    actions = {s.action: s for s in jane.suggestions}
    assert actions["message"].replacement == ask_to_tag(Platform.GENERIC, greeting="there")
    assert actions["message"].replacement.startswith("Hi there")
    assert actions["replace"].replacement == "Great chat with jane_doe and @user today"
    assert "tactful consent ask @jane_doe --platform NETWORK" in actions["record"].description


def test_the_message_is_written_for_the_network() -> None:
    (finding,) = reminders("Thanks @sam for the intro", platform="linkedin")
    draft = next(s.replacement for s in finding.suggestions if s.action == "message")
    assert draft == ask_to_tag(Platform.LINKEDIN, greeting="there")
    assert "on LinkedIn" in draft
    record = next(s.description for s in finding.suggestions if s.action == "record")
    assert "--platform linkedin" in record


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("@sam thanks, will do", {"reply_to": "@sam"}),  # the reply already mentions them
        ("@brand your app crashed again", {"inbound": True}),  # someone else wrote it
        ("Write to me at jane@example.com", {}),  # an e-mail address is not a tag
    ],
)
def test_no_reminder(text: str, context: dict[str, object]) -> None:
    assert reminders(text, **context) == []


def test_a_post_with_only_reminders_is_ok_with_notes() -> None:
    report = Checker(detectors=["mentions"]).check("Lovely to see you @user")
    assert [f.severity for f in report.findings] == [Severity.INFO]
    assert report.verdict is Verdict.OK and report.has_notes
    assert report.findings[0].title == "Tag without consent"
