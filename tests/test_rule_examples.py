"""Every rule entry ships with examples that must flag and must pass (proselint-style)."""

from __future__ import annotations

from typing import Any

import pytest

from tactful.core.post import Post
from tactful.core.ruleset import Example, RuleEntry, default_ruleset
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.lexicon import LexiconDetector

RULESET = default_ruleset()
DETECTOR = LexiconDetector(RULESET)


def _post(example: Example, entry: RuleEntry) -> Post:
    context: dict[str, Any] = dict(example.context)
    if entry.scope == "inbound":
        context.setdefault("inbound", True)
    if entry.scope == "reply":
        context.setdefault("reply_to", "parent-post")
    return Post.build(example.text, **context)


def _fired(post: Post) -> list[tuple[str, str | None, str]]:
    findings = DETECTOR.detect(post, DetectContext(norm=normalize(post.text)))
    # A finding a reading ruled out (counter-speech, negation) is reported as suppressed.
    return [(f.rule_id, f.check, f.excerpt(post.text)) for f in findings if f.ruled_out is None]


FLAG_CASES = [
    pytest.param(entry, ex, id=f"{entry.key}:{ex.text[:40]}")
    for entry in RULESET.entries
    for ex in entry.flag_examples
]
PASS_CASES = [
    pytest.param(entry, ex, id=f"{entry.key}:{ex.text[:40]}")
    for entry in RULESET.entries
    for ex in entry.pass_examples
]


def test_every_entry_has_examples() -> None:
    assert RULESET.entries, "no rule entries loaded"
    for entry in RULESET.entries:
        assert entry.flag_examples and entry.pass_examples, entry.key


@pytest.mark.parametrize(("entry", "example"), FLAG_CASES)
def test_flag_example_fires_its_entry(entry: RuleEntry, example: Example) -> None:
    fired = _fired(_post(example, entry))
    assert any(rule == entry.rule_id for rule, _, _ in fired), (
        f"{entry.key} did not fire on {example.text!r}; fired: {fired}"
    )


@pytest.mark.parametrize(("entry", "example"), PASS_CASES)
def test_pass_example_does_not_fire_its_rule(entry: RuleEntry, example: Example) -> None:
    fired = [f for f in _fired(_post(example, entry)) if f[0] == entry.rule_id]
    assert not fired, f"{entry.rule_id} fired on pass example {example.text!r}: {fired}"


def test_every_unless_pattern_compiles() -> None:
    """Exceptions compile on first use at run time; here every one is compiled, so a bad
    pattern fails the suite rather than the first post that needs it."""
    DETECTOR.matcher.compile_all()
    compiled = sum(len(p) for p in DETECTOR.matcher._unless.values())
    assert compiled == sum(len(e.unless) for e in RULESET.entries) > 100


def test_a_bad_unless_pattern_names_the_rule() -> None:
    from dataclasses import replace

    from tactful.core.matching import Matcher
    from tactful.errors import RuleDataError

    entry = next(e for e in RULESET.entries if e.unless)
    broken = replace(entry, unless=("(unclosed",))
    matcher = Matcher([broken], RULESET.vocab)
    with pytest.raises(RuleDataError, match=f"{entry.key} unless: bad pattern"):
        matcher.compile_all()
