"""Normalisation: every obfuscation is undone, and every span maps back to what the user typed."""

from __future__ import annotations

import pytest

from tactful.core.text import (
    collapse_doubles,
    matches_masked,
    normalize,
    obfuscation_variants,
    sentences,
)

# (original, normalised, the original text covered by the first token)
CASES = [
    ("Fuuuuck this", "fuuck this", "Fuuuuck"),
    ("f.u.c.k you", "fuck you", "f.u.c.k"),
    ("f u c k", "fuck", "f u c k"),
    ("f\u200buck", "fuck", "f\u200buck"),
    ("fu\u0441k", "fuck", "fu\u0441k"),  # Cyrillic es
    ("so \u0455\u04bb\u0456t", "so shit", "so"),  # all-Cyrillic look-alike word
    ("ＦＵＣＫ", "fuck", "ＦＵＣＫ"),  # full-width
    ("ﬁne", "fine", "ﬁne"),  # ligature expands to two letters
    ("Café", "cafe", "Café"),
    ("SHOUTING", "shouting", "SHOUTING"),
    ("don’t", "don't", "don’t"),
    ("f\u00adu\u2060c\ufeffk", "fuck", "f\u00adu\u2060c\ufeffk"),  # soft hyphen, word joiner, BOM
]


@pytest.mark.parametrize(("original", "normalised", "first_token"), CASES)
def test_normalise_and_map_back(original: str, normalised: str, first_token: str) -> None:
    norm = normalize(original)
    assert norm.text == normalised
    tok = norm.tokens[0]
    start, end = norm.to_original(tok.start, tok.end)
    assert original[start:end] == first_token


def test_whole_foreign_words_are_left_alone() -> None:
    assert normalize("привет мир").text == "привет мир"
    assert normalize("Γειά σου").text == "γεια σου"


def test_ascii_fast_path_keeps_offsets() -> None:
    text = "Call me at 5 on Elm St."
    norm = normalize(text)
    assert norm.text == text.lower()
    assert norm.to_original(8, 10) == (8, 10)


def test_elongation_is_recorded() -> None:
    norm = normalize("sooooo tired")
    assert norm.text == "soo tired"
    assert norm.was_elongated(0, 3)
    assert not norm.was_elongated(4, 9)


@pytest.mark.parametrize(
    ("chunk", "variant"),
    [
        ("sh1t", "shit"),
        ("@ss", "ass"),
        ("a$$hole", "asshole"),
        ("st.upid", "stupid"),
        ("b!tch", "bitch"),
    ],
)
def test_obfuscation_variants(chunk: str, variant: str) -> None:
    assert variant in obfuscation_variants(chunk)


@pytest.mark.parametrize(
    "code", ["n19", "a55", "f49", "3rd", "1st", "4k", "10x", "7pm", "25min", "v103", "h2o", "b2b"]
)
def test_codes_get_no_variants(code: str) -> None:
    assert obfuscation_variants(code) == []


def test_one_digit_before_three_letters_is_read() -> None:
    assert "shit" in obfuscation_variants("5hit")


def test_masked_words() -> None:
    assert matches_masked("f*ck", "fuck")
    assert matches_masked("sh**", "shit")
    assert not matches_masked("*uck", "fuck")  # first letter hidden: too ambiguous
    assert not matches_masked("f**", "fuck")


def test_collapse_doubles() -> None:
    assert collapse_doubles("fuuck") == "fuck"


def test_loose_tokens_skip_plain_words_and_numbers() -> None:
    norm = normalize("We grew 24/7 support, sh1t yeah, in 2024!")
    assert [t.text for t in norm.loose_tokens()] == ["sh1t"]


def test_sentences() -> None:
    text = "First one. Second one!\n\nThird - and a clause"
    assert [text[s:e] for s, e in sentences(text)] == [
        "First one.",
        "Second one!",
        "Third",
        "and a clause",
    ]


def test_empty_and_whitespace() -> None:
    assert normalize("").text == ""
    assert normalize("").to_original(0, 0) == (0, 0)
    assert normalize("   ").tokens == []
