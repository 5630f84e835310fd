"""X's links found in linear time (tactful.networks.x_links) agree with twitter-text's link
expression run with ``finditer`` (the grammar, kept as LINK_PATTERN), and hostile runs of
dotted labels are read once."""

from __future__ import annotations

import random
from functools import cache

import pytest
import regex

from tactful.networks import x_links

_PIECES = [
    "a", "b", "f", ".", ".", "com", "co", "uk", "_", "-", "例", "é", "/", "http://", "https://",
    " ", "@", "(", ")", "?", "x=1", ":80", "xn--p1ai", "t.co/", "$", "#", "\u2013", "!", "A",
    "COM", "9", "中国", "рф", "vermögensberater", "\u212a", "ab" * 20,
]  # fmt: skip


@cache
def _expressions() -> tuple[regex.Pattern[str], regex.Pattern[str], regex.Pattern[str]]:
    tlds = x_links._tld_list()
    return (
        x_links.link_expression(),
        regex.compile(x_links._ASCII_DOMAIN_PATTERN, regex.IGNORECASE, tlds=tlds),
        regex.compile(x_links._TCO_PATTERN, regex.IGNORECASE),
    )


def _reference(text: str, without_protocol: bool) -> list[tuple[int, int]]:
    """find_links as it was: the expression tried at every position with ``finditer``."""
    if "." not in text if without_protocol else ":" not in text:
        return []
    link, ascii_domain, tco = _expressions()
    links: list[tuple[int, int]] = []
    for match in link.finditer(text):
        start, end = match.span("link")
        protocol, domain = match.group("protocol"), match.group("domain")
        punycode = x_links._idna_length(domain)
        length = len(protocol or "https://") + end - start + (punycode or 0) - len(domain)
        if punycode is None or length > x_links._MAX_LINK_LENGTH:
            continue
        if protocol is not None:
            short = tco.match(text, start, end)
            if short is not None:
                if len(short.group(1)) > x_links._MAX_TCO_SLUG:
                    continue
                end = short.end()
            links.append((start, end))
            continue
        if not without_protocol or match.group("before") in ("-", "_", ".", "/"):
            continue
        offset = match.start("domain")
        found = [(offset + m.start(), offset + m.end()) for m in ascii_domain.finditer(domain)]
        if found and match.group("path"):
            found[-1] = (found[-1][0], end)
        links += found
    return links


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30))) for _ in range(count)]


@pytest.mark.parametrize("seed", range(4))
def test_links_agree_with_the_expression_tried_everywhere(seed: int) -> None:
    for text in _texts(seed, 1500):
        for without_protocol in (True, False):
            expected = _reference(text, without_protocol)
            assert x_links.find_links(text, without_protocol=without_protocol) == expected, text


def test_the_generated_texts_hold_links_of_every_kind() -> None:
    """The comparison above means something: it meets links with and without a scheme, and
    texts with none."""
    found = [_reference(t, True) for t in _texts(0, 1500)]
    assert sum(1 for f in found if f) > 300
    assert sum(1 for f in found if not f) > 300
    with_scheme = [_reference(t, False) for t in _texts(0, 1500)]
    assert sum(1 for f in with_scheme if f) > 25


@pytest.mark.parametrize(
    ("unit", "links"),
    [
        ("f.", 0),
        ("a.b.c.", 0),
        ("x_y.co.", 0),  # "y.co" after every "_" (not linked after "_")
        ("f." * 200 + ".com ", 0),  # the TLD is past a broken label
        ("a." * 120 + "例.com ", 0),  # only the ASCII part: 120 labels, then not ASCII
        ("http://a.co/ ", 100_000 // 13),
    ],
)
def test_hostile_runs_are_read_once(unit: str, links: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 characters of a hostile shape: each dot's TLD is looked up a bounded number
    of times (the old expression looked again from every position: the square)."""
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    lookups = 0
    match_end = x_links._Tlds.match_end

    def counting(self: x_links._Tlds, text: str, pos: int) -> int | None:
        nonlocal lookups
        lookups += 1
        return match_end(self, text, pos)

    monkeypatch.setattr(x_links._Tlds, "match_end", counting)
    found = x_links.find_links(text)
    assert abs(len(found) - links) <= 1
    assert lookups <= 3 * text.count(".") + 10
