"""The lexicon engine on a small ruleset written here: slots, gaps, classes, unless, scopes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.core.post import Post
from tactful.core.ruleset import Ruleset, load_ruleset
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.lexicon import LexiconDetector
from tactful.errors import RuleDataError

CATALOGUE = """
rules:
  offense.profanity: {title: P, catches: p, source: s, fix: f}
  work.venting: {title: V, catches: v, source: s, fix: f}
  inbound.spam: {title: S, catches: s, source: s, fix: f}
"""
VOCAB = """
classes:
  boss: [boss, manager]
"""
ENTRY = """
  - id: {id}
    check: {check}
    severity: warn
    score: 0.8
    scope: {scope}
    obfuscation: {obf}
    phrases: {phrases}
    patterns: {patterns}
    triggers: {triggers}
    unless: {unless}
    message: "Found {{match}}"
    explanation: because
    suggestions: [{{action: remove, description: remove it}}]
    examples: {{flag: [x], pass: [y]}}
"""


def build(tmp_path: Path, *entries: dict[str, object]) -> Ruleset:
    root = tmp_path / "rules"
    (root / "en").mkdir(parents=True)
    (root / "catalogue.yml").write_text(CATALOGUE)
    (root / "en" / "vocab.yml").write_text(VOCAB)
    body = "rules:\n"
    for i, e in enumerate(entries):
        fields = {
            "id": "work.venting",
            "check": f"c{i}",
            "scope": "authored",
            "obf": "false",
            "phrases": "[]",
            "patterns": "[]",
            "triggers": "[]",
            "unless": "[]",
            **e,
        }
        body += ENTRY.format(**fields)
    (root / "en" / "test.yml").write_text(body)
    return load_ruleset(root)  # type: ignore[arg-type]


def excerpts(ruleset: Ruleset, text: str, **ctx: object) -> list[str]:
    post = Post.build(text, **ctx)  # type: ignore[arg-type]
    findings = LexiconDetector(ruleset).detect(post, DetectContext(norm=normalize(text)))
    return [f.excerpt(text) for f in findings]


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ('"my {boss}"', "Ugh, MY Manager again", ["MY Manager"]),
        ('"my stupid? {boss}"', "my stupid boss and my boss", ["my stupid boss", "my boss"]),
        ('"hate ~2 job"', "I hate my stupid job", ["hate my stupid job"]),
        ('"hate ~2 job"', "I hate that this is my job", []),
        ('"worst * ever"', "worst boss ever", ["worst boss ever"]),
        ('"ass"', "we assess class", []),
        ('"don\'t tell"', "Don’t tell anyone", ["Don’t tell"]),
        ('"so tired"', "soooo tired", ["soooo tired"]),
    ],
)
def test_phrase_slots(tmp_path: Path, phrase: str, text: str, expected: list[str]) -> None:
    rs = build(tmp_path, {"phrases": f"[{phrase}]"})
    assert excerpts(rs, text) == expected


def test_obfuscation_only_where_enabled(tmp_path: Path) -> None:
    rs = build(
        tmp_path,
        {"id": "offense.profanity", "phrases": "[shit]", "obf": "true"},
        {"phrases": "[boss]"},
    )
    assert excerpts(rs, "total sh1t show") == ["sh1t"]
    assert excerpts(rs, "total s*** show") == []  # needs two known letters
    assert excerpts(rs, "total s**t show") == ["s**t"]
    assert excerpts(rs, "total sh*t show") == ["sh*t"]
    assert excerpts(rs, "my b0ss") == []  # boss entry has obfuscation off


def test_patterns_need_their_triggers(tmp_path: Path) -> None:
    rs = build(tmp_path, {"patterns": '["\\\\bcutting \\\\d+ jobs"]', "triggers": "[cutting]"})
    assert excerpts(rs, "They are cutting 200 jobs") == ["cutting 200 jobs"]
    assert excerpts(rs, "They are cuttin 200 jobs") == []


def test_unless_cancels_within_the_sentence(tmp_path: Path) -> None:
    rs = build(tmp_path, {"phrases": "[nightmare]", "unless": '["scenario"]'})
    assert excerpts(rs, "Our client's nightmare scenario is downtime") == []
    assert excerpts(rs, "What a nightmare. Next scenario please") == ["nightmare"]


def test_scopes(tmp_path: Path) -> None:
    rs = build(
        tmp_path,
        {"id": "inbound.spam", "phrases": '["free followers"]', "scope": "inbound"},
        {"phrases": '["my boss"]', "scope": "authored"},
    )
    assert excerpts(rs, "free followers! my boss", inbound=True) == ["free followers"]
    assert excerpts(rs, "free followers! my boss") == ["my boss"]


def test_message_template_uses_original_words(tmp_path: Path) -> None:
    rs = build(tmp_path, {"phrases": "[boss]"})
    post = Post.build("BOSS")
    [finding] = LexiconDetector(rs).detect(post, DetectContext(norm=normalize("BOSS")))
    assert finding.message == "Found BOSS"
    assert "BOSS" in finding.explanation


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "no.such"}, "unknown rule id"),
        ({"phrases": '["{nope} x"]'}, "unknown vocabulary class"),
        ({"phrases": '["~2 boss"]'}, "must start with a required word"),
        ({"patterns": '["(unclosed"]'}, "bad pattern"),
        ({}, "needs 'phrases' or 'patterns'"),
    ],
)
def test_rule_data_errors_name_the_entry(
    tmp_path: Path, entry: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleDataError, match=message):
        rs = build(tmp_path, entry)
        LexiconDetector(rs)
