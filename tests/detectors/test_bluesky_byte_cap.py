"""Bluesky's second text limit: 300 graphemes *and* 3,000 UTF-8 bytes (app.bsky.feed.post's
``maxGraphemes`` and ``maxLength``). A text within the graphemes but over the bytes is
measured in bytes, and the ``platform.length`` rule refuses it."""

from __future__ import annotations

import pytest

from tactful.core.findings import Severity
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.platform import PlatformLengthDetector
from tactful.networks.length import BYTES_UNIT, LengthInfo, measure
from tactful.networks.threads import split_thread

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 1 grapheme, 25 bytes
FLAG = "\U0001f1eb\U0001f1f7"  # 1 grapheme, 8 bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 300, LengthInfo(300, 300, "graphemes")),
        (FAMILY, LengthInfo(1, 300, "graphemes")),  # its bytes are far from the cap
        (FAMILY * 120, LengthInfo(120, 300, "graphemes")),  # exactly 3,000 bytes: fits
        (FAMILY * 121, LengthInfo(3025, 3000, BYTES_UNIT, cut=120 * len(FAMILY))),
        (FAMILY * 150, LengthInfo(3750, 3000, BYTES_UNIT, cut=120 * len(FAMILY))),
        # Over both: the limit it is further past (shortening by 1 grapheme would not do).
        (FAMILY * 301, LengthInfo(7525, 3000, BYTES_UNIT, cut=120 * len(FAMILY))),
        ("a" * 301, LengthInfo(301, 300, "graphemes", cut=300)),
        (FLAG * 301, LengthInfo(301, 300, "graphemes", cut=300 * len(FLAG))),  # 2,408 bytes
        # The cut never splits a grapheme: the family that passes 3,000 bytes starts it.
        # 289 graphemes, 3,025 bytes: the 89th family passes 3,000 bytes.
        ("😀" * 200 + FAMILY * 89, LengthInfo(3025, 3000, BYTES_UNIT, cut=200 + 88 * 7)),
    ],
)
def test_bluesky_is_measured_in_the_unit_that_refuses(text: str, expected: LengthInfo) -> None:
    assert measure(text, "bluesky") == expected


def test_a_policy_limit_does_not_lift_the_byte_cap() -> None:
    settings = {"platform_limits": {"bluesky": 1000}}
    assert measure(FAMILY * 150, "bluesky", settings).unit == BYTES_UNIT
    assert measure("a" * 900, "bluesky", settings) == LengthInfo(900, 1000, "graphemes")


def test_other_networks_have_no_byte_cap() -> None:
    assert measure(FAMILY * 150, "mastodon").unit == "characters"
    assert measure(FAMILY * 150, "mastodon").over == 0


def test_the_length_rule_refuses_150_family_emoji_on_bluesky() -> None:
    text = FAMILY * 150
    ctx = DetectContext(norm=normalize(text), settings={})
    findings = PlatformLengthDetector().detect(Post.build(text, platform="bluesky"), ctx)
    (finding,) = [f for f in findings if f.check == "length"]
    assert finding.severity is Severity.BLOCK
    assert finding.spans == ((120 * len(FAMILY), len(text)),)  # from the 121st family on
    ok = FAMILY * 120
    ctx = DetectContext(norm=normalize(ok), settings={})
    assert PlatformLengthDetector().detect(Post.build(ok, platform="bluesky"), ctx) == []


def test_a_thread_splits_by_bytes_too() -> None:
    parts = split_thread(" ".join([FAMILY] * 150), "bluesky")
    assert len(parts) == 2
    assert all(len(p.encode()) <= 3000 for p in parts)
    assert all(measure(p, "bluesky").over == 0 for p in parts)


def test_the_byte_cap_finding_speaks_of_bytes() -> None:
    text = FAMILY * 150
    post = Post.build(text, platform="bluesky")
    [finding] = PlatformLengthDetector().detect(post, DetectContext(norm=normalize(text)))
    assert finding.message == "750 bytes over Bluesky's 3,000 limit"
    assert "3,000 UTF-8 bytes" in finding.explanation
    assert finding.suggestions[0].description == "Shorten it by 750 bytes"
