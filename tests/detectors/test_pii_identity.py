"""``safety.identity_data``: date of birth, cards, IBANs, passports, SSNs, travel documents.

Each span table row is ``(text, check, expected excerpt)``: the excerpt is ``text[start:end]``
of the finding's span in the ORIGINAL text.
"""

from __future__ import annotations

import pytest

from tactful.core.findings import Finding, Severity
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.pii import PiiDetector

DETECTOR = PiiDetector()
RULE = "safety.identity_data"


def detect(text: str) -> list[Finding]:
    return DETECTOR.detect(Post.build(text), DetectContext(norm=normalize(text)))


def assert_span(text: str, check: str, excerpt: str) -> Finding:
    findings = detect(text)
    got = [(f.rule_id, f.check, f.excerpt(text)) for f in findings]
    match = [f for f in findings if f.rule_id == RULE and f.excerpt(text) == excerpt]
    assert match, f"expected {excerpt!r} in {text!r}, got {got}"
    finding = match[0]
    assert finding.check == check, got
    ((start, end),) = finding.spans
    assert text[start:end] == excerpt
    assert finding.matched == normalize(excerpt).text
    return finding


BLOCK_CHECKS = {"payment-card", "iban", "passport", "ssn", "booking-reference"}

IDENTITY = [
    # dates of birth: a full date with a year, next to a birth cue
    ("Born on 12/03/1988 in Leeds", "date-of-birth", "12/03/1988"),
    ("my DOB is 1988-03-12", "date-of-birth", "1988-03-12"),
    ("My birthday is March 3rd, 1988!", "date-of-birth", "March 3rd, 1988"),
    ("Date of birth: 3 March 1988", "date-of-birth", "3 March 1988"),
    ("Geboren am 12.03.1988 in Köln", "date-of-birth", "12.03.1988"),
    ("Née le 3 mars 1988 à Lyon", "date-of-birth", "3 mars 1988"),
    # payment cards: Luhn-valid, with an issuer's prefix and length
    ("Card: 4111 1111 1111 1111", "payment-card", "4111 1111 1111 1111"),
    ("5500-0000-0000-0004 is my card", "payment-card", "5500-0000-0000-0004"),
    ("Amex 378282246310005 expires soon", "payment-card", "378282246310005"),
    # IBANs: ISO 7064 checksum
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "iban", "DE89 3704 0044 0532 0130 00"),
    ("Pay to GB82 WEST 1234 5698 7654 32.", "iban", "GB82 WEST 1234 5698 7654 32"),
    ("FR14 2004 1010 0505 0001 3M02 606", "iban", "FR14 2004 1010 0505 0001 3M02 606"),
    ("compact: DE89370400440532013000", "iban", "DE89370400440532013000"),
    # passports, SSNs: only next to their cue
    ("My passport number is 123456789", "passport", "123456789"),
    ("Passport: C01X00T47", "passport", "C01X00T47"),
    ("SSN 536-22-1234", "ssn", "536-22-1234"),
    ("my social security number is 536 22 1234", "ssn", "536 22 1234"),
    # boarding passes and bookings
    ("booking ref ABC123", "booking-reference", "ABC123"),
    ("PNR: XKQZTR", "booking-reference", "XKQZTR"),
    ("Confirmation code is K7Q2ZP, see you there", "booking-reference", "K7Q2ZP"),
    ("Sitting in seat 14C on BA117", "flight-details", "seat 14C on BA117"),
    ("flight LH400 tonight", "flight-details", "flight LH400"),
    ("Here's my boarding pass!", "boarding-pass", "boarding pass"),
]


@pytest.mark.parametrize(("text", "check", "excerpt"), IDENTITY)
def test_identity_data(text: str, check: str, excerpt: str) -> None:
    finding = assert_span(text, check, excerpt)
    expected = Severity.BLOCK if check in BLOCK_CHECKS else Severity.WARN
    assert finding.severity is expected
    assert finding.score >= 0.6


def test_card_suggests_masking() -> None:
    finding = assert_span("Card: 4111 1111 1111 1111", "payment-card", "4111 1111 1111 1111")
    assert finding.suggestions[0].replacement == "•••• 1111"
    assert "Luhn" in finding.explanation


def test_date_of_birth_suggests_dropping_the_year() -> None:
    text = "My birthday is March 3rd, 1988!"
    finding = assert_span(text, "date-of-birth", "March 3rd, 1988")
    assert finding.suggestions[0].replacement == "March 3"


def test_a_card_is_not_also_a_phone_number() -> None:
    findings = detect("Call me, card 4111 1111 1111 1111")
    assert [f.rule_id for f in findings] == [RULE]


NOT_IDENTITY = [
    # Luhn fails: not a card
    "Number 4111 1111 1111 1112",
    "Random 1234 5678 9012 3456 number here.",
    "Ticket 4111 1111 1111 1113 closed",
    # checksum fails: not an IBAN (and the digits are not a card either)
    "IBAN DE89 3704 0044 0532 0130 01 thanks",
    "GB82 WEST 1234 5698 7654 33",
    # no birth cue, no year, or not a date
    "Born in 1988, raised in Ohio.",
    "My birthday is next week!",
    "Our company was founded on 12 May 2010.",
    "born on 45/13/1988",
    # no cue, or not well formed
    "536-22-1234 is a number",
    "SSN 000-12-3456",
    "A passport photo session today",
    "My passport expires in 2030",
    # travel words without travel data
    "Check your confirmation email for details.",
    "Our booking reference system is down.",
    "Seat belts on! Flight AB was fine.",
    "Gate B12 boarding now",
    "Never post your boarding pass online.",
]


@pytest.mark.parametrize("text", NOT_IDENTITY)
def test_not_identity_data(text: str) -> None:
    # "Gate B12 boarding now" is a live location (test_pii_location.py), not identity data.
    assert [(f.check, f.excerpt(text)) for f in detect(text) if f.rule_id == RULE] == []
