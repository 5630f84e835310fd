"""Phone numbers, found with the ``phonenumbers`` library over a list of regions.

A cheap regex finds digit runs (>= 7 digits with the separators people type); only those
windows go to ``PhoneNumberMatcher`` with ``Leniency.VALID``, region by region. A number
that is merely *possible* (the UK drama range "07700 900123", a 7-digit local number)
counts only next to a cue word ("call", "text me", "whatsapp") or with a +country prefix.
Dates, year ranges, IP addresses, prices, order numbers and quantities are rejected first.
"""

from __future__ import annotations

from typing import ClassVar

import phonenumbers
import regex
from phonenumbers import Leniency, PhoneNumberType

from tactful.detectors.pii._common import (
    CONTACT,
    CheckInfo,
    Hit,
    Recognizer,
    near,
    phrase_regex,
    words,
)
from tactful.findings import Severity, Suggestion
from tactful.text import NormalizedText

_SEP = r"[ \t().\-/]"
# Seven or more digits with phone separators; the lookbehind keeps "1,500,000" and "$1500000"
# out and does not start inside a longer token.
_CANDIDATE = regex.compile(
    rf"(?<![\w+$€£¥.,/:-])(?:\+\s?|\(\s?\+?)?\d(?:{_SEP}{{0,3}}\d){{6,18}}(?![\w])"
)
_PREFILTER = regex.compile(rf"\d(?:{_SEP}{{0,3}}\d){{6}}")
_DATE = regex.compile(
    r"\(?(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})\)?"
)
_IP = regex.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_YEAR = regex.compile(r"(?:19|20)\d{2}")
_GROUPS = regex.compile(r"\d+")
_CURRENCY_BEFORE = regex.compile(r"[$€£¥₹]\s*$")

_BUSINESS_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)
_TYPE_NAMES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline or mobile",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.PREMIUM_RATE: "premium-rate",
    PhoneNumberType.SHARED_COST: "shared-cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.UAN: "company (UAN)",
}


class PhoneRecognizer(Recognizer):
    """Personal phone numbers (``phone``) and organisation numbers (``business-phone``)."""

    name = "phones"
    REGIONS: ClassVar[tuple[str, ...]] = words("phones", "regions")
    MIN_DIGITS: ClassVar[int] = 7
    MAX_DIGITS: ClassVar[int] = 17  # 15 (E.164) plus a "00" international prefix
    # Without a "+", "00" or trunk "0" prefix, every region above needs ten digits.
    MIN_BARE_DIGITS: ClassVar[int] = 10
    CUE_BEFORE: ClassVar[int] = 40
    CUE_AFTER: ClassVar[int] = 20
    SCORE_VALID: ClassVar[float] = 0.85
    SCORE_VALID_CUE: ClassVar[float] = 0.95
    SCORE_POSSIBLE: ClassVar[float] = 0.7
    SCORE_BUSINESS: ClassVar[float] = 0.3

    CUES: ClassVar[regex.Pattern[str]] = phrase_regex(words("phones", "cues"))
    BUSINESS_CUES: ClassVar[regex.Pattern[str]] = phrase_regex(words("phones", "business_cues"))
    NEGATIVE_BEFORE: ClassVar[regex.Pattern[str]] = regex.compile(
        r"(?:^|[^\w#])" + phrase_regex(words("phones", "negative_cues")).pattern + r"[\s:#.-]*$"
    )
    QUANTITY_AFTER: ClassVar[regex.Pattern[str]] = regex.compile(
        r"^\s*(?:\+\s*)?" + phrase_regex(words("phones", "quantity_words")).pattern
    )

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "phone": CheckInfo(
            CONTACT,
            Severity.WARN,
            "Personal phone number in the post",
            "Anyone can copy a phone number from a public post: it invites harassment, spam "
            "calls and SIM-swap fraud, and clients who see it may call you outside work.",
            (
                Suggestion(
                    "replace", "Share a business contact instead", replacement="[business phone]"
                ),
                Suggestion("remove", "Remove the number and ask people to message you privately"),
            ),
        ),
        "business-phone": CheckInfo(
            CONTACT,
            Severity.WARN,
            "Phone number in the post (looks like an organisation's line)",
            "An organisation's public line is usually fine to share, but make sure it is not "
            "someone's personal or direct number, which strangers could use to reach them.",
            (
                Suggestion("other", "Keep it only if it is the organisation's published number"),
                Suggestion("replace", "Link to the contact page", replacement="[contact page]"),
            ),
        ),
    }

    def applies(self, text: str) -> bool:
        return _PREFILTER.search(text) is not None

    def analyze(self, norm: NormalizedText) -> list[Hit]:
        text = norm.text
        hits: list[Hit] = []
        for m in _CANDIDATE.finditer(text):
            raw = m.group()
            digits = sum(c.isdigit() for c in raw)
            if not self.MIN_DIGITS <= digits <= self.MAX_DIGITS:
                continue
            if self._looks_like_other_number(text, m.start(), m.end(), raw):
                continue
            hit = self._match(text, m.start(), raw, digits)
            if hit is not None:
                hits.append(hit)
        return hits

    def _looks_like_other_number(self, text: str, start: int, end: int, raw: str) -> bool:
        """The validate step: dates, year lists, IPs, prices, order numbers, quantities."""
        core = raw.strip("()+ ")
        if _DATE.fullmatch(core) or _IP.fullmatch(core):
            return True
        groups = _GROUPS.findall(core)
        if all(_YEAR.fullmatch(g) for g in groups):
            return True
        before = text[max(0, start - 16) : start]
        if _CURRENCY_BEFORE.search(before):
            return True
        if self.QUANTITY_AFTER.search(text, end, min(len(text), end + 20)):
            return True
        return bool(self.NEGATIVE_BEFORE.search(before)) and not self._has_cue(text, start, end)

    def _has_cue(self, text: str, start: int, end: int) -> bool:
        return near(self.CUES, text, start, end, self.CUE_BEFORE, self.CUE_AFTER)

    def _match(self, text: str, offset: int, raw: str, digits: int) -> Hit | None:
        international = raw.lstrip("( ").startswith(("+", "00"))
        trunk = raw.lstrip("( ").startswith("0")
        if international or trunk or digits >= self.MIN_BARE_DIGITS:
            regions = self.REGIONS[:1] if raw.lstrip("( ").startswith("+") else self.REGIONS
            for region in regions:
                for pm in phonenumbers.PhoneNumberMatcher(raw, region, leniency=Leniency.VALID):
                    return self._hit(text, offset + pm.start, offset + pm.end, pm.number, True)
        if not (international or self._has_cue(text, offset, offset + len(raw))):
            return None
        for region in self.REGIONS:
            for pm in phonenumbers.PhoneNumberMatcher(raw, region, leniency=Leniency.POSSIBLE):
                if sum(c.isdigit() for c in pm.raw_string) >= self.MIN_DIGITS:
                    return self._hit(text, offset + pm.start, offset + pm.end, pm.number, False)
        return None

    def _hit(
        self, text: str, start: int, end: int, number: phonenumbers.PhoneNumber, valid: bool
    ) -> Hit:
        region = phonenumbers.region_code_for_number(number) or "unknown region"
        kind = phonenumbers.number_type(number) if valid else PhoneNumberType.UNKNOWN
        kind_name = _TYPE_NAMES.get(kind, "number")
        cue = self._has_cue(text, start, end)
        how = "valid" if valid else "possible"
        pattern = f"phonenumbers {how} {region} {kind_name}" + (" next to a cue word" if cue else "")
        if kind in _BUSINESS_TYPES or near(self.BUSINESS_CUES, text, start, end, 40, 15):
            return Hit("business-phone", start, end, self.SCORE_BUSINESS, pattern)
        if not valid:
            score = self.SCORE_POSSIBLE
        else:
            score = self.SCORE_VALID_CUE if cue else self.SCORE_VALID
        return Hit("phone", start, end, score, pattern)
