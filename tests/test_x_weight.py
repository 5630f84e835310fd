"""X's weighted length (twitter-text v3's rules, tactful.networks.x_weight): tables of texts
and the count X gives them, the links and emoji it finds, and where a text is cut."""

from __future__ import annotations

import pytest

from tactful.networks import x_weight
from tactful.networks.length import measure

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # man, woman, girl, boy joined by ZWJs: 7 code points
SCOTLAND = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"  # a tag sequence


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("hello world", 11),
        # Latin, Greek, Cyrillic, Hebrew, Arabic and Devanagari are all below U+1100: 1 each.
        ("café Ωμέγα Жук שלום سلام नमस्ते", 31),
        # General punctuation in the light ranges counts 1: en dash, quotes, prime, ZWJ alone.
        ("a–b “q” 5′ \u200d", 12),
        # ... and outside them 2: the ellipsis (U+2026) and the bullet (U+2022).
        ("…•", 4),
        # CJK, kana and Hangul count 2.
        ("日本語", 6),
        ("こんにちは世界", 14),
        ("한국어", 6),
        ("東京 2024", 9),
        # Half-width katakana (U+FF8A...) is outside the light ranges too.
        ("ﾊﾝｶｸ", 8),
        # A supplementary-plane letter is one code point, counted 2.
        ("𝐁𝐨𝐥𝐝", 8),
        # Emoji count 2 once per sequence, whatever their code points.
        ("😀", 2),
        ("👍🏽", 2),  # skin tone
        (FAMILY, 2),  # ZWJ sequence
        ("🧑🏽\u200d🤝\u200d🧑🏿", 2),  # people holding hands, two skin tones
        ("🏳️\u200d⚧️", 2),  # flag: pictograph, VS16, ZWJ, pictograph, VS16
        ("🐈\u200d⬛", 2),  # black cat (Unicode 13)
        ("❤️\u200d🔥", 2),
        ("🇫🇷", 2),  # two regional indicators
        ("🇫🇷🇩🇪", 4),
        (SCOTLAND, 2),
        ("1️⃣", 2),  # keycap
        ("#️⃣", 2),
        ("❤️", 2),  # text-default heart with VS16
        ("☕️", 2),  # emoji-default cup with a redundant VS16: still one emoji
        ("🫠", 2),  # Unicode 14
        ("©", 2),  # a pictograph, counted as an emoji though it is below U+1100
        ("ok 👍🏽 " + FAMILY + " done", 13),
        # NFC first: e + combining acute is é, one light character.
        ("e\u0301", 1),
        ("Ame\u0301lie", 6),
        # Line endings: \r\n is one character.
        ("a\r\nb", 3),
        ("a\rb", 3),
        # Links count 23, with or without a scheme, whatever their length.
        ("https://example.com", 23),
        ("http://example.com/a/very/long/path/that/goes/on?and=on&on=1", 23),
        ("example.com", 23),
        ("www.example.co.uk/path", 23),
        ("see example.com/docs.", 4 + 23 + 1),  # the final full stop is not part of the link
        ("docs at https://example.com/a_(b) now", 8 + 23 + 4),  # balanced parentheses
        ("(see example.com/a)", 1 + 4 + 23 + 1),  # the closing parenthesis is not
        ("https://例え.jp/パス", 23 + 4),  # an IDN with a scheme is a link; its path stops at kana
        ("例え.jp", 7),  # without one, only an ASCII domain is linked
        ("example.notatld", 15),  # not a known TLD: plain text
        ("version 1.5.2", 13),
        ("mail me at a@example.com", 24),  # an e-mail address is not a link
        ("$example.com #example.com", 25),  # nor a cashtag or hashtag
        ("https://t.co/abcdef/extra", 23 + 6),  # a t.co link ends at its slug
        ("two links: example.com https://example.org/x", 11 + 23 + 1 + 23),
        ("日本語のサイト example.com です", 14 + 1 + 23 + 1 + 4),
        ("a\ufeffb", 4),  # X refuses a BOM; it weighs 2 here so the cut does not stop at it
    ],
)
def test_weighted_length(text: str, count: int) -> None:
    assert x_weight.count(text, None) == (count, None)
    assert measure(text, "x").count == count


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("https://example.com", ["https://example.com"]),
        ("HTTP://EXAMPLE.COM/Path", ["HTTP://EXAMPLE.COM/Path"]),
        ("example.com", ["example.com"]),
        ("sub.domain.example.museum/x?y=1", ["sub.domain.example.museum/x?y=1"]),
        ("http://localhost:8080/x", []),  # no TLD
        ("https://example.com:8443/a?b=c&d=e#frag", ["https://example.com:8443/a?b=c&d=e#frag"]),
        ("https://example.com/path?q=1.", ["https://example.com/path?q=1"]),
        ("go to example.com, then", ["example.com"]),
        ("xn--ls8h.la", ["xn--ls8h.la"]),  # a punycode domain
        ("http://xn--ls8h.xn--p1ai/", ["http://xn--ls8h.xn--p1ai/"]),  # and a punycode TLD
        ("foo.bar", ["foo.bar"]),  # .bar is a TLD
        ("foo.comx", []),  # a TLD may not run on into letters
        ("-example.com _example.com .example.com /example.com", []),
        ("user@example.com", []),
        ("x.com/home and t.co/abc", ["x.com/home", "t.co/abc"]),
        ("例え.example.com", ["example.com"]),
        ("ftp://example.com", []),  # not a scheme X knows, and a domain after "/" is not linked
    ],
)
def test_links(text: str, links: list[str]) -> None:
    assert [text[start:end] for start, end in x_weight.find_links(text)] == links


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("https://example.com and example.org", ["https://example.com"]),
        ("no scheme: example.com", []),
        ("http://localhost/", []),
    ],
)
def test_links_with_a_scheme_only(text: str, links: list[str]) -> None:
    found = x_weight.find_links(text, without_protocol=False)
    assert [text[start:end] for start, end in found] == links


@pytest.mark.parametrize(
    ("text", "emoji"),
    [
        ("a😀b", ["😀"]),
        (FAMILY + FAMILY, [FAMILY, FAMILY]),
        ("👍🏽👍", ["👍🏽", "👍"]),
        ("🇫🇷🇩🇪🇮", ["🇫🇷", "🇩🇪", "🇮"]),
        ("5️⃣ and 5", ["5️⃣"]),
        ("digits 0123 # *", []),
        (SCOTLAND + "!", [SCOTLAND]),
    ],
)
def test_emoji_are_found_a_sequence_at_a_time(text: str, emoji: list[str]) -> None:
    assert [text[start:end] for start, end in x_weight.find_emoji(text)] == emoji


@pytest.mark.parametrize(
    ("text", "limit", "count", "cut"),
    [
        ("a" * 280, 280, 280, None),
        ("a" * 281, 280, 281, 280),
        # 139 ideographs weigh 278; the 140th is the one that goes over.
        ("日" * 141, 280, 282, 140),
        ("a" + "日" * 140, 280, 281, 140),
        # An emoji or a link is kept or cut whole.
        ("a" * 279 + FAMILY, 280, 281, 279),
        ("a" * 260 + " https://example.com/long", 280, 284, 261),
        ("a" * 257 + " https://example.com/long", 280, 281, 258),
        ("a" * 256 + " https://example.com/long", 280, 280, None),
        # The cut is an offset in the text as given, before NFC and line endings are applied.
        ("e\u0301" * 10 + "b", 10, 11, 20),
        ("a\r\n" * 5 + "b", 10, 11, 15),
        ("a\r\nb\r\nc", 4, 5, 6),
        # A grapheme that straddles the limit is cut whole: q + combining acute has no
        # precomposed form, so it stays two code points, and the accent is the one over.
        ("a" * 9 + "q\u0301", 10, 11, 9),
        # No limit, no cut.
        ("a" * 1000, None, 1000, None),
    ],
)
def test_the_cut_is_the_first_character_past_the_limit(
    text: str, limit: int | None, count: int, cut: int | None
) -> None:
    assert x_weight.count(text, limit) == (count, cut)


def test_text_up_to_the_cut_fits_and_the_unit_at_the_cut_does_not() -> None:
    text = "Tweet 日本語 " + FAMILY + " https://example.com/x 🇫🇷 " * 20
    count, cut = x_weight.count(text, 280)
    assert count > 280 and cut is not None
    assert x_weight.count(text[:cut], 280)[1] is None
    next_unit = min(start for start, _ in x_weight.units(text) if start > cut)
    assert x_weight.count(text[:next_unit], 280) == (
        x_weight.count(text[:next_unit], None)[0],
        cut,
    )


def test_the_default_limit_is_x_s_280() -> None:
    assert x_weight.MAX_WEIGHTED_LENGTH == 280
    assert x_weight.count("a" * 281) == (281, 280)
    assert measure("a" * 281, "x").limit == 280


def test_units_weigh_in_hundredths() -> None:
    text = "a日😀 example.com"
    assert list(x_weight.units(text)) == [(0, 100), (1, 200), (2, 200), (3, 100), (4, 2300)]


def test_the_tld_list_is_clean() -> None:
    from importlib import resources

    source = resources.files("tactful.networks").joinpath("x_tlds.txt").read_text("utf-8")
    tlds = [line for line in source.splitlines() if line and not line.startswith("#")]
    assert tlds == sorted(set(tlds)), "sorted, without duplicates"
    assert all(t == t.strip().lower() and "." not in t for t in tlds)
    assert not [t for t in tlds if t.startswith("xn--")], "punycode TLDs are matched by shape"
    assert {"com", "org", "uk", "jp", "museum", "中国", "닷컴"} <= set(tlds)
