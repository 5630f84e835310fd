"""Identity data: dates of birth, payment cards, IBANs, passport and social security numbers.

Checksums do the validate step where a number has one: cards must pass Luhn and start
like a card, IBANs must pass ISO 7064 (``stdnum.iban``), SSNs must be well formed
(``stdnum.us.ssn``). Numbers without a checksum (passport, SSN, date of birth) count only
next to a cue word ("passport no", "SSN", "born on").
"""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum import iban, luhn
from stdnum.us import ssn

from tactful.core.findings import Severity, Suggestion
from tactful.detectors.pii._common import (
    IDENTITY,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    Vocabulary,
    alternation,
    near,
    phrase_regex,
    words,
)

_I = "identity"
_MONTH = alternation(words(_I, "months"))
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]{_YEAR}|{_YEAR}-\d{{1,2}}-\d{{1,2}}"
    rf"|(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:of\s+)?(?P<mon2>{_MONTH})\.?,?\s+{_YEAR})"
)
_DOB = re.compile(
    rf"(?<!\w){alternation(words(_I, 'birth_cues'))}(?!\w)[^.!?\n]{{0,25}}?"
    rf"(?<![\w/.-])(?P<date>{_DATE})(?![\w/-])"
)
_NUMBERS = re.compile(r"\d+")
_LONG_NUMBER = re.compile(r"\d(?:[ -]?\d){10}")  # cards have 13+ digits, IBANs 11+
_CARD = re.compile(r"(?<![\w.,/-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)")
_IBAN = re.compile(r"(?<!\w)[a-z]{2}\d{2}(?:[ ]?[a-z0-9]{4}){2,7}(?:[ ]?[a-z0-9]{1,3})?(?!\w)")
_ID_LEAD = r"(?!\w)(?:\s*(?:no\.?|number|num|nr\.?|n°|#|is|was|:|-))*\s*"
_PASSPORT = re.compile(
    rf"(?<!\w){alternation(words(_I, 'passport_cues'))}{_ID_LEAD}"
    r"(?P<id>(?=(?:[a-z]*\d){5})[a-z0-9]{6,9})(?!\w)"
)
_SSN = re.compile(r"(?<![\w-])\d{3}([- ]?)\d{2}\1\d{4}(?![\w-])")


class IdentityNumberRecognizer(Recognizer):
    """``date-of-birth``, ``payment-card``, ``iban``, ``passport`` and ``ssn``."""

    name = "identity_numbers"
    CARD_CUES: ClassVar[re.Pattern[str]] = phrase_regex(words(_I, "card_cues"))
    SSN_CUES: ClassVar[re.Pattern[str]] = phrase_regex(words(_I, "ssn_cues"))
    BIRTH: ClassVar[Vocabulary] = Vocabulary(words(_I, "birth_cues"))
    PASSPORT: ClassVar[Vocabulary] = Vocabulary(words(_I, "passport_cues"))
    SSN: ClassVar[Vocabulary] = Vocabulary(words(_I, "ssn_cues"))
    CUE_BEFORE: ClassVar[int] = 30
    # Issuer prefixes and the lengths their card numbers have (Visa, Mastercard, Amex,
    # Diners, Discover/UnionPay/Maestro and others starting with 6).
    CARD_FORMATS: ClassVar[tuple[tuple[re.Pattern[str], frozenset[int]], ...]] = (
        (re.compile(r"4"), frozenset({13, 16, 19})),
        (re.compile(r"5[1-5]|2[2-7]"), frozenset({16})),
        (re.compile(r"3[47]"), frozenset({15})),
        (re.compile(r"3[0689]"), frozenset({14, 16, 19})),
        (re.compile(r"6"), frozenset({16, 17, 18, 19})),
    )

    _REMOVE = Suggestion("remove", "Remove the number entirely")
    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "date-of-birth": CheckInfo(
            IDENTITY,
            Severity.WARN,
            "Full date of birth in the post",
            "Banks, phone carriers and government services use your date of birth to check "
            "who you are; posted with your name it is half of what an identity thief needs.",
            (
                Suggestion("rewrite", "Share the day, not the year"),
                Suggestion("remove", "Remove the date of birth"),
            ),
        ),
        "payment-card": CheckInfo(
            IDENTITY,
            Severity.BLOCK,
            "Payment card number in the post",
            "A card number that passes the Luhn check can be used for fraud within minutes "
            "of being posted; screenshots keep it even after you delete the post.",
            (_REMOVE, Suggestion("other", "Cancel the card with your bank if it was posted")),
        ),
        "iban": CheckInfo(
            IDENTITY,
            Severity.BLOCK,
            "Bank account number (IBAN) in the post",
            "An IBAN with your name enables fraudulent direct debits and convincing invoice "
            "and phishing scams in your name.",
            (_REMOVE, Suggestion("other", "Send bank details privately, only to who needs them")),
        ),
        "passport": CheckInfo(
            IDENTITY,
            Severity.BLOCK,
            "Passport number in the post",
            "A passport number is used to prove who you are; posting it enables identity "
            "theft and document fraud.",
            (_REMOVE, Suggestion("replace", "Hide the number", replacement="[passport]")),
        ),
        "ssn": CheckInfo(
            IDENTITY,
            Severity.BLOCK,
            "Social security number in the post",
            "A social security number is the key to credit, tax and benefit fraud in your "
            "name, and it cannot easily be changed.",
            (_REMOVE,),
        ),
    }

    def applies(self, scan: Scan) -> bool:
        return scan.has_digit

    def analyze(self, scan: Scan) -> list[Hit]:
        text, w = scan.text, scan.words
        hits: list[Hit] = []
        if self.BIRTH.present(w):
            hits += self._dobs(text)
        if _LONG_NUMBER.search(text):
            hits += self._cards_and_ibans(text)
        if self.PASSPORT.present(w):
            for m in _PASSPORT.finditer(text):
                hits.append(
                    Hit("passport", m.start("id"), m.end("id"), 0.85, "number after 'passport'")
                )
        if self.SSN.present(w):
            for m in _SSN.finditer(text):
                if ssn.is_valid(m.group().replace(" ", "")) and near(
                    self.SSN_CUES, text, m.start(), m.end(), self.CUE_BEFORE, 0
                ):
                    hits.append(Hit("ssn", m.start(), m.end(), 0.9, "SSN pattern after an SSN cue"))
        return hits

    def _dobs(self, text: str) -> list[Hit]:
        hits = []
        for m in _DOB.finditer(text):
            hit = self._dob(m)
            if hit is not None:
                hits.append(hit)
        return hits

    def _cards_and_ibans(self, text: str) -> list[Hit]:
        hits = []
        ibans = [(m.start(), m.end()) for m in _IBAN.finditer(text)]
        for m in _CARD.finditer(text):
            digits = "".join(_NUMBERS.findall(m.group()))
            inside_iban = any(s < m.end() and m.start() < e for s, e in ibans)
            if not inside_iban and self._is_card(digits):
                cue = near(self.CARD_CUES, text, m.start(), m.end(), self.CUE_BEFORE, 20)
                masked = "•••• " + digits[-4:]
                hits.append(
                    Hit(
                        "payment-card",
                        m.start(),
                        m.end(),
                        0.95 if cue else 0.85,
                        "Luhn-valid card number" + (" after a card word" if cue else ""),
                        (Suggestion("replace", "Show the last four digits at most", masked),),
                    )
                )
        for s, e in ibans:
            span = self._iban(text[s:e])
            if span:
                hits.append(Hit("iban", s, s + span, 0.95, "IBAN with valid checksum"))
        return hits

    def _dob(self, m: re.Match[str]) -> Hit | None:
        """The validate step for dates: a real day and month next to a birth cue."""
        if m.group("mon") or m.group("mon2"):
            day = int(m.group("day") or m.group("day2"))
            if not 1 <= day <= 31:
                return None
            extra: tuple[Suggestion, ...] = ()
            month = (m.group("mon") or m.group("mon2")).capitalize()
            extra = (Suggestion("replace", "Share the day, not the year", f"{month} {day}"),)
        else:
            numbers = [int(n) for n in _NUMBERS.findall(m.group("date"))]
            day_month = [n for n in numbers if n < 100]
            if len(day_month) != 2 or min(day_month) < 1 or max(day_month) > 31:
                return None
            if min(day_month) > 12:
                return None
            extra = ()
        return Hit(
            "date-of-birth",
            m.start("date"),
            m.end("date"),
            0.9,
            "full date after a birth cue",
            extra,
        )

    def _is_card(self, digits: str) -> bool:
        for prefix, lengths in self.CARD_FORMATS:
            if prefix.match(digits):
                return len(digits) in lengths and luhn.is_valid(digits)
        return False

    def _iban(self, candidate: str) -> int:
        """Length of the longest prefix of ``candidate`` that is a valid IBAN (0: none)."""
        end = len(candidate)
        while end >= 15:
            if iban.is_valid(candidate[:end]):
                return end
            cut = candidate.rfind(" ", 0, end)
            end = cut if cut > 0 else end - 1
        return 0
