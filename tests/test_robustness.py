"""Whatever a user types, the checker answers: no crash, spans inside the text, a fix each."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful import Checker, InputError
from tactful.core.text import normalize

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
from postgen import posts

CHECKER = Checker()

# Text that mixes the characters normalisation has to undo.
PIECES = [*"abcdefghijklmnopqrstuvwxyz ABCXYZ.,!?*@$10-'\n"]
PIECES += ["fuck", "idiot boss", "07700 900123"]
PIECES += [
    "\u200b",
    "\u00ad",
    "\ufeff",
    "с",
    "о",
    "ﬁ",
    "ß",
    "é",
    "e\u0301",
    "🙂",
    "👩‍💻",
    "日",
    "İ",
]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRICKY)
def test_offsets_always_map_inside_the_original(text: str) -> None:
    norm = normalize(text)
    assert len(norm.source) == len(norm.text)
    assert all(0 <= i < len(text) for i in norm.source)
    assert norm.source == sorted(norm.source)
    for tok in norm.tokens:
        start, end = norm.to_original(tok.start, tok.end)
        assert 0 <= start < end <= len(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TRICKY, st.sampled_from(["x", "linkedin", "bluesky", "generic"]), st.booleans())
def test_checker_never_crashes_and_every_finding_is_actionable(
    text: str, platform: str, inbound: bool
) -> None:
    try:
        report = CHECKER.check(text, platform=platform, inbound=inbound)
    except InputError:
        assert not text.strip()
        return
    assert not report.notices, report.notices
    for f in report.findings:
        assert f.message and f.explanation and f.suggestions
        for start, end in f.spans:
            assert 0 <= start < end <= len(text)


def test_generated_posts_contract() -> None:
    for text in posts(2000, seed=11):
        report = CHECKER.check(text, platform="linkedin", account_kind="professional")
        assert not report.notices
        for f in report.findings:
            assert f.suggestions and f.explanation
            assert all(0 <= s < e <= len(text) for s, e in f.spans)
