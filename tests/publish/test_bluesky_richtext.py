"""Bluesky's facets and text limits as tables: (text, the facets expected), each facet shown
as the text its UTF-8 byte slice covers and its feature."""

from __future__ import annotations

from typing import Any

import pytest

from tactful.publish.connectors.bluesky_richtext import (
    TEXT_LIMIT,
    TEXT_MAX_BYTES,
    facets,
    mention_handles,
    text_too_long,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 1 grapheme, 25 bytes
DIDS = {"alice.bsky.social": "did:plc:alice", "bob.example.com": "did:web:bob.example.com"}


def shown(text: str, found: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Each facet as (the bytes it covers, decoded; its feature's kind; its value)."""
    encoded = text.encode()
    out = []
    for facet in found:
        (feature,) = facet["features"]
        kind = feature["$type"].rsplit("#", 1)[1]
        value = feature.get("uri") or feature.get("did") or feature.get("tag")
        index = facet["index"]
        out.append((encoded[index["byteStart"] : index["byteEnd"]].decode(), kind, value))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hi @alice.bsky.social!", [("@alice.bsky.social", "mention", "did:plc:alice")]),
        # Byte offsets: the text before has multi-byte characters.
        ("Café ☕ @alice.bsky.social", [("@alice.bsky.social", "mention", "did:plc:alice")]),
        # Handles match without case; the text keeps its own.
        ("(@Bob.Example.com)", [("@Bob.Example.com", "mention", "did:web:bob.example.com")]),
        ("@alice.bsky.social.", [("@alice.bsky.social", "mention", "did:plc:alice")]),
        # Unresolved, an e-mail address, not a handle: plain text.
        ("@nobody.bsky.social and @someone", []),
        ("mail jo@alice.bsky.social", []),
        ("x@alice.bsky.social", []),
        # Tags: without the #, trailing punctuation left out, full-width ＃ too.
        ("#tactful rocks", [("#tactful", "tag", "tactful")]),
        ("so #日本語、", [("#日本語", "tag", "日本語")]),
        ("try ＃fullwidth!!", [("＃fullwidth", "tag", "fullwidth")]),
        ("🎉 #café.", [("#café", "tag", "café")]),
        ("#1st place", [("#1st", "tag", "1st")]),
        # Not tags: digits only, inside a word, a keycap emoji, a URL's fragment.
        ("#123 and end#no and #️⃣", []),
        ("#" + "a" * 64, [("#" + "a" * 64, "tag", "a" * 64)]),
        ("#" + "a" * 65, []),
        # Links keep their own rules; a mention inside one is the link's.
        (
            "see https://example.com/#top #news",
            [
                ("https://example.com/#top", "link", "https://example.com/#top"),
                ("#news", "tag", "news"),
            ],
        ),
        (
            "https://example.com/(@alice.bsky.social) @alice.bsky.social",
            [
                (
                    "https://example.com/(@alice.bsky.social)",
                    "link",
                    "https://example.com/(@alice.bsky.social)",
                ),
                ("@alice.bsky.social", "mention", "did:plc:alice"),
            ],
        ),
        (
            "Hi @alice.bsky.social, #launch at https://example.com/a?b=1.",
            [
                ("@alice.bsky.social", "mention", "did:plc:alice"),
                ("#launch", "tag", "launch"),
                ("https://example.com/a?b=1", "link", "https://example.com/a?b=1"),
            ],
        ),
    ],
)
def test_facets(text: str, expected: list[tuple[str, str, str]]) -> None:
    found = facets(text, DIDS)
    assert shown(text, found) == expected
    starts = [f["index"]["byteStart"] for f in found]
    assert starts == sorted(starts)  # in text order


@pytest.mark.parametrize(
    ("text", "handles"),
    [
        ("@Alice.bsky.social and @alice.bsky.social", ["alice.bsky.social"]),
        ("@a.test @b.example @c.local @d.onion @v1.2 @x", ["a.test"]),
        ("(@bob.example.com) @alice.bsky.social", ["bob.example.com", "alice.bsky.social"]),
    ],
)
def test_mention_handles_are_asked_once_each(text: str, handles: list[str]) -> None:
    assert mention_handles(text) == handles


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("a" * TEXT_LIMIT, None),
        ("a" * (TEXT_LIMIT + 1), "301 graphemes"),
        ("👍🏽" * TEXT_LIMIT, None),  # 300 graphemes, 2,400 bytes
        (FAMILY * 120, None),  # 120 graphemes, exactly 3,000 bytes
        (FAMILY * 150, "3,750 bytes"),  # 150 graphemes, but 3,750 bytes
        ("é" * 100 + FAMILY * 113, "3,025 bytes"),  # 213 graphemes
    ],
)
def test_text_limits_are_graphemes_and_bytes(text: str, refused: str | None) -> None:
    why = text_too_long(text)
    if refused is None:
        assert why is None
    else:
        assert why is not None and refused in why
    if len(text.encode()) > TEXT_MAX_BYTES:
        assert why is not None
