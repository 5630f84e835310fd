"""The ``platform.length`` detector and the ``measure()`` helper."""

from __future__ import annotations

from typing import Any

import pytest

from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext, Detector
from tactful.detectors.platform import PlatformLengthDetector
from tactful.errors import InputError, PolicyError
from tactful.networks.length import (
    COUNTERS,
    LengthInfo,
    measure,
    platform_specs,
    resolve_limit,
    thread_size,
)
from tactful.networks.platforms import Platform

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 7 code points, 1 grapheme
FLAG = "\U0001f1eb\U0001f1f7"  # France: 2 regional indicators, 1 grapheme
E_ACUTE = "e\u0301"  # e + combining acute: 2 code points, 1 grapheme
URL = "https://example.com/" + "a" * 80  # 100 characters, counts 23 on X and Mastodon


def check(
    text: str, platform: str, settings: dict[str, Any] | None = None
) -> tuple[list[Finding], DetectContext]:
    ctx = DetectContext(norm=normalize(text), settings=settings or {})
    findings = PlatformLengthDetector().detect(Post.build(text, platform=platform), ctx)
    return findings, ctx


def one(findings: list[Finding], check_name: str = "length") -> Finding:
    matching = [f for f in findings if f.check == check_name]
    assert len(matching) == 1, findings
    return matching[0]


# --------------------------------------------------------------------------- the data file


def test_every_platform_has_an_entry_with_a_known_counting_method() -> None:
    specs = platform_specs()
    assert set(specs) == set(Platform)
    assert all(spec.count in COUNTERS for spec in specs.values())
    assert platform_specs() is specs  # read once


@pytest.mark.parametrize(
    ("platform", "limit"),
    [
        ("x", 280),
        ("mastodon", 500),
        ("bluesky", 300),
        ("linkedin", 3000),
        ("instagram", 2200),
        ("facebook", 63206),
        ("generic", None),
    ],
)
def test_limits(platform: str, limit: int | None) -> None:
    assert measure("", platform).limit == limit
    assert resolve_limit(platform) == limit


def test_threads_are_listed_for_x_mastodon_and_bluesky_only() -> None:
    threaded = {p for p, spec in platform_specs().items() if spec.threads}
    assert threaded == {Platform.X, Platform.MASTODON, Platform.BLUESKY}


def test_detector_satisfies_the_protocol() -> None:
    detector = PlatformLengthDetector()
    assert isinstance(detector, Detector)
    assert detector.name == "platform"


# --------------------------------------------------------------------------- exact counts


@pytest.mark.parametrize(
    ("text", "x", "mastodon", "bluesky", "linkedin"),
    [
        ("hello", 5, 5, 5, 5),
        (URL, 23, 23, 100, 100),
        (f"read {URL} now", 32, 32, 109, 109),
        ("example.com", 23, 11, 11, 11),  # X links bare domains; Mastodon only http(s) URLs
        ("日本語", 6, 3, 3, 3),  # CJK weighs 2 on X
        ("😀", 2, 1, 1, 1),
        (FAMILY, 2, 1, 1, 7),  # one emoji on X, one grapheme elsewhere, 7 code points
        (FLAG, 2, 1, 1, 2),
        (E_ACUTE * 3, 3, 3, 3, 6),  # X counts NFC; graphemes keep the accent with its letter
        ("café", 4, 4, 4, 4),
        ("a\r\nb", 3, 3, 3, 4),  # CRLF is one line break on X and one grapheme
        ("@alice@example.social hi", 24, 9, 24, 24),  # Mastodon counts @alice only
        ("", 0, 0, 0, 0),
    ],
)
def test_exact_counts(text: str, x: int, mastodon: int, bluesky: int, linkedin: int) -> None:
    assert measure(text, "x").count == x
    assert measure(text, "mastodon").count == mastodon
    assert measure(text, "bluesky").count == bluesky
    assert measure(text, "linkedin").count == linkedin


def test_measure_returns_length_info() -> None:
    info = measure("日本", Platform.X)
    assert info == LengthInfo(count=4, limit=280, unit="weighted characters")
    assert info.over == 0
    assert info.remaining == 276
    assert measure("a" * 290, "x").over == 10
    assert measure("a" * 290, "x").remaining == -10
    assert measure("a" * 10, "generic").remaining is None
    assert measure("ab", " Bluesky ").unit == "graphemes"


def test_measure_rejects_an_unknown_platform() -> None:
    with pytest.raises(InputError, match="unknown platform"):
        measure("hi", "myspace")


def test_mastodon_mention_inside_a_url_is_not_discounted() -> None:
    text = "https://mastodon.social/@alice@example.social"
    assert measure(text, "mastodon").count == 23


# --------------------------------------------------------------------------- boundaries


@pytest.mark.parametrize(
    ("platform", "unit_text", "limit"),
    [
        ("x", "a", 280),
        ("x", "日", 140),  # weight 2: 140 fill X
        ("x", "😀", 140),
        ("mastodon", "a", 500),
        ("mastodon", FAMILY, 500),
        ("bluesky", "a", 300),
        ("bluesky", FLAG, 300),
        ("bluesky", E_ACUTE, 300),
        ("linkedin", "a", 3000),
        ("instagram", "a", 2200),
        ("facebook", "a", 63206),
    ],
)
def test_exactly_at_the_limit_passes_one_over_fails(
    platform: str, unit_text: str, limit: int
) -> None:
    at_limit, ctx = check(unit_text * limit, platform)
    assert at_limit == []
    assert ctx.scores["platform.length"] == 1.0

    over, _ = check(unit_text * (limit + 1), platform)
    finding = one(over)
    assert finding.rule_id == "platform.length"
    assert finding.severity is Severity.BLOCK
    assert finding.detector == "platform"
    assert finding.score == 1.0
    # the span starts at the first unit past the limit and runs to the end
    assert finding.spans == ((len(unit_text) * limit, len(unit_text) * (limit + 1)),)


def test_x_urls_at_the_limit() -> None:
    # 257 letters + space + URL (23) = 281
    text = "a" * 257 + " " + URL
    assert measure(text, "x").count == 281
    finding = one(check(text, "x")[0])
    assert finding.spans == ((258, len(text)),)  # the whole URL is past the limit
    assert check("a" * 256 + " " + URL, "x")[0] == []


def test_mastodon_urls_at_the_limit() -> None:
    text = "a" * 476 + " " + URL  # 476 + 1 + 23 = 500
    assert measure(text, "mastodon").count == 500
    assert check(text, "mastodon")[0] == []
    longer = "a" + text
    assert one(check(longer, "mastodon")[0]).spans == ((478, len(longer)),)


def test_x_span_after_text_that_normalisation_changes() -> None:
    # each e + combining accent is one weighted character on X (NFC) but two code points
    text = E_ACUTE * 281
    assert measure(text, "x").count == 281
    assert one(check(text, "x")[0]).spans == ((560, 562),)


def test_x_span_after_crlf() -> None:
    text = "a" * 278 + "\r\n" + "bc"  # 278 + 1 + 2 = 281 weighted
    assert one(check(text, "x")[0]).spans == ((281, 282),)


def test_x_span_keeps_a_family_emoji_whole() -> None:
    text = "a" * 279 + FAMILY
    assert measure(text, "x").count == 281
    assert one(check(text, "x")[0]).spans == ((279, 279 + len(FAMILY)),)


def test_x_span_ignores_a_leading_byte_order_mark() -> None:
    text = "\ufeff" + "a" * 280  # X weighs the BOM 2
    assert measure(text, "x").count == 282
    assert one(check(text, "x")[0]).spans == ((279, 281),)


def test_bluesky_span_starts_at_the_first_grapheme_past_the_limit() -> None:
    text = FLAG * 299 + FAMILY + "b"
    finding = one(check(text, "bluesky")[0])
    assert finding.spans == ((299 * len(FLAG) + len(FAMILY), len(text)),)


# --------------------------------------------------------------------------- the finding


def test_x_finding_message_and_suggestions() -> None:
    text = " ".join(["word"] * 64) + " " + "a" * 2  # 64*5 + 2 = 322 weighted
    finding = one(check(text, "x")[0])
    assert finding.message == "42 characters over X's 280 limit (322 weighted characters)"
    assert "cut" in finding.explanation
    assert finding.suggestions == (
        Suggestion("rewrite", "Shorten it by 42 characters"),
        Suggestion("rewrite", "Split it into a thread of 2 posts"),
    )


def test_one_over_is_singular() -> None:
    finding = one(check("a" * 301, "bluesky")[0])
    assert finding.message == "1 character over Bluesky's 300 limit (301 graphemes)"
    assert finding.suggestions[0] == Suggestion("rewrite", "Shorten it by 1 character")


def test_networks_without_threads_only_suggest_shortening() -> None:
    finding = one(check("a" * 3050, "linkedin")[0])
    assert finding.message == "50 characters over LinkedIn's 3,000 limit"
    assert finding.suggestions == (Suggestion("rewrite", "Shorten it by 50 characters"),)


def test_thread_size_splits_between_words() -> None:
    text = "word " * 200  # 999 characters once stripped
    assert thread_size(text, "x") == 4
    finding = one(check(text, "x")[0])
    assert finding.suggestions[-1] == Suggestion("rewrite", "Split it into a thread of 4 posts")
    # a word split can need more posts than count / limit: 3 words of 150 on a 300 limit
    words = " ".join(["a" * 150] * 3)
    assert measure(words, "bluesky").count == 452
    assert thread_size(words, "bluesky") == 3


def test_thread_size_cuts_a_word_longer_than_a_post() -> None:
    assert thread_size("a" * 700, "mastodon") == 2
    assert thread_size("a" * 100, "x") == 1
    assert thread_size("a" * 10**6, "generic") == 1


def test_score_is_count_over_limit() -> None:
    findings, ctx = check("a" * 140, "x")
    assert findings == []
    assert ctx.scores["platform.length"] == pytest.approx(0.5)
    _, ctx = check("a" * 1000, "x")
    assert ctx.scores["platform.length"] == 1.0


# --------------------------------------------------------------------------- settings


def test_mastodon_instance_limit_from_settings() -> None:
    settings = {"platform_limits": {"mastodon": 1000}}
    assert measure("a" * 600, "mastodon", settings).limit == 1000
    findings, ctx = check("a" * 600, "mastodon", settings)
    assert findings == []
    assert ctx.scores["platform.length"] == pytest.approx(0.6)
    assert check("a" * 1000, "mastodon", settings)[0] == []
    finding = one(check("a" * 1001, "mastodon", settings)[0])
    assert finding.message == "1 character over Mastodon's 1,000 limit"
    assert finding.spans == ((1000, 1001),)
    # without the override the default 500 applies
    assert one(check("a" * 600, "mastodon")[0]).spans == ((500, 600),)


def test_override_applies_to_any_platform_and_only_that_one() -> None:
    settings = {"platform_limits": {"x": 25000, "mastodon": 1000}}
    assert check("a" * 5000, "x", settings)[0] == []
    assert one(check("a" * 25001 + "日", "x", settings)[0]).spans == ((25000, 25002),)
    assert measure("a", "bluesky", settings).limit == 300
    # the generic platform gets a limit only when a policy gives it one
    assert one(check("a" * 11, "generic", {"platform_limits": {"generic": 10}})[0])


@pytest.mark.parametrize("bad", [0, -5, "lots", 2.5, True, [500]])
def test_bad_override_is_a_policy_error(bad: object) -> None:
    with pytest.raises(PolicyError, match=r"platform_limits\.mastodon"):
        measure("hi", "mastodon", {"platform_limits": {"mastodon": bad}})


def test_override_map_must_be_a_mapping() -> None:
    with pytest.raises(PolicyError):
        measure("hi", "x", {"platform_limits": 500})


def test_numeric_string_override_is_accepted() -> None:
    assert measure("hi", "mastodon", {"platform_limits": {"mastodon": "1000"}}).limit == 1000


# --------------------------------------------------------------------------- hashtags, generic


def hashtags(n: int) -> str:
    return "Launch day! " + " ".join(f"#tag{i}" for i in range(1, n + 1))


def test_instagram_allows_30_hashtags() -> None:
    findings, ctx = check(hashtags(30), "instagram")
    assert findings == []
    assert ctx.scores["platform.length"] == 1.0


def test_instagram_flags_the_31st_hashtag_and_later() -> None:
    text = hashtags(32)
    findings, _ = check(text, "instagram")
    finding = one(findings, "hashtags")
    assert finding.rule_id == "platform.length"
    assert finding.severity is Severity.BLOCK
    assert [text[s:e] for s, e in finding.spans] == ["#tag31", "#tag32"]
    assert finding.message == "32 hashtags; Instagram allows at most 30"
    assert finding.suggestions[0].action == "remove"
    assert "Remove 2 hashtags" in finding.suggestions[0].description
    assert not [f for f in findings if f.check == "length"]


def test_instagram_hashtag_counting_skips_non_hashtags() -> None:
    not_tags = " C# and https://example.com/#anchor and &#39; and a#b "
    text = hashtags(30) + not_tags + "#日本"
    assert [f.check for f in check(text, "instagram")[0]] == ["hashtags"]
    assert check(hashtags(30) + not_tags, "instagram")[0] == []


def test_instagram_length_and_hashtags_are_separate_findings() -> None:
    text = hashtags(31) + " " + "a" * 2200
    checks = sorted(f.check or "" for f in check(text, "instagram")[0])
    assert checks == ["hashtags", "length"]


def test_hashtags_are_only_limited_on_instagram() -> None:
    assert check(hashtags(40), "linkedin")[0] == []


def test_generic_platform_never_flags() -> None:
    findings, ctx = check(("a" * 1000 + " " + hashtags(50)) * 100, "generic")
    assert findings == []
    assert "platform.length" not in ctx.scores
    assert measure("a" * 100_000, "generic") == LengthInfo(100_000, None, "characters")
