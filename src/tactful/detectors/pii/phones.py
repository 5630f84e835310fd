"""Phone numbers, found with the ``phonenumbers`` library over a list of regions.

A cheap regex finds digit runs (>= 7 digits with the separators people type); only those
windows go to ``PhoneNumberMatcher`` with ``Leniency.VALID``, region by region. A number
that is merely *possible* (the UK drama range "07700 900123", a 7-digit local number)
counts only next to a cue word ("call", "text me", "whatsapp") or with a +country prefix.
Dates, year ranges, IP addresses, prices and quantities are rejected first, and so is any
number right after a reference label ("Case number 2023-0415-7789", "registration number is
09876543", "Ticket ID 48213377"): "call" or "number" nearby does not make those a phone.

A national number ("07700 900123") is read by the first region in the list that calls it valid,
or whose reserved range for drama and examples it is in (``reserved_ranges``: phonenumbers calls
those invalid, and a looser plan elsewhere would otherwise claim them). The explanation names
the country in words, from phonenumbers' own locale data.

A number is an organisation's line (``business-phone``, low score) when its type says so
(toll-free, premium rate) or business words are near it ("call the office on", "to book a
demo"), or in its clause together with no personal word ("Email our team at hello@... or
call 020 7946 0958"): a role address (hello@, info@) in the clause counts as one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import ClassVar

import phonenumbers
from phonenumbers import Leniency

from tactful.core.findings import Severity, Suggestion
from tactful.detectors.pii._common import (
    CONTACT,
    CheckInfo,
    Hit,
    Recognizer,
    ReservedRange,
    Scan,
    alternation,
    clause_bounds,
    near,
    phrase_regex,
    pii_data,
    words,
)

_SEP = r"[ \t().\-/]"
# Seven or more digits with phone separators; the lookbehind keeps "1,500,000" and "$1500000"
# out and does not start inside a longer token.
_CANDIDATE = re.compile(
    rf"(?<![\w+$€£¥.,/:-])(?:\+\s?|\(\s?\+?)?\d(?:{_SEP}{{0,3}}\d){{6,18}}(?![\w])"
)
_PREFILTER = re.compile(rf"\d(?:{_SEP}{{0,3}}\d){{6}}")
_DATE = re.compile(
    r"\(?(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})\)?"
)
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_GROUPS = re.compile(r"\d+")
_CURRENCY_BEFORE = re.compile(r"[$€£¥₹]\s*$")
_INTERNATIONAL = re.compile(r"\+|00[1-9]")
_NATIONAL = phonenumbers.PhoneNumberFormat.NATIONAL
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
_ROLE_ADDRESS = re.compile(
    rf"(?<![\w.+-]){alternation(words('emails', 'role_local_parts'))}@[a-z0-9-]+\.[a-z]"
)
_LABEL_SUFFIX = rf"(?:[\s:#.-]*{alternation(words('phones', 'label_suffixes'))}(?!\w))*"
# A short letter prefix of the reference itself ("VAT number GB 123 4567 89"), not a cue.
_REF_PREFIX = r"(?:\s+(?!(?:call|text|tel|ring|fax|sms)(?!\w))[a-z]{2,4})?"

# Number types that belong to organisations, checked against the region's metadata (cheaper
# than ``phonenumbers.number_type``, which tries every type).
_BUSINESS_KINDS = ("toll_free", "premium_rate", "shared_cost", "uan")
_KIND_NAMES = {
    "toll_free": "toll-free",
    "premium_rate": "premium-rate",
    "shared_cost": "shared-cost",
    "uan": "company (UAN)",
    "mobile": "mobile",
    "fixed_line": "landline",
}


@cache
def _region_names() -> Mapping[str, Mapping[str, str]]:
    # Imported on the first number found: phonenumbers' geodata package loads its area-code
    # tables with it (a few tenths of a second), which a post without a number never needs.
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: Mapping[str, Mapping[str, str]] = LOCALE_DATA
    return names


def country_name(region: str, language: str = "en") -> str:
    """A region's name in words from phonenumbers' locale data ("GB" -> "United Kingdom");
    the code itself where the data has no name."""
    names = _region_names().get(region, {})
    name = names.get(language, "")
    if name.startswith("*"):  # "*aa": the same name as under that other language
        name = names.get(name[1:], "")
    return name or region


def _reserved(number: phonenumbers.PhoneNumber) -> ReservedRange | None:
    """The range kept for drama and examples that ``number`` is in, if any."""
    region = phonenumbers.region_code_for_country_code(number.country_code or 0)
    nsn = phonenumbers.national_significant_number(number)
    for kept in pii_data().phones.reserved_ranges:
        if kept.region == region and nsn.startswith(kept.prefixes):
            return kept
    return None


def _kind(number: phonenumbers.PhoneNumber) -> str | None:
    """``toll_free``, ``premium_rate``, ``shared_cost``, ``uan``, ``mobile`` or None."""
    region = phonenumbers.region_code_for_number(number)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region or "")
    if meta is None:
        return None
    nsn = phonenumbers.national_significant_number(number)
    for kind in (*_BUSINESS_KINDS, "mobile"):
        desc = getattr(meta, kind, None)
        pattern = getattr(desc, "national_number_pattern", None)
        if pattern and re.fullmatch(pattern, nsn):
            return kind
    return None


def _regions_by_prefix(regions: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    meta = [(r, phonenumbers.PhoneMetadata.metadata_for_region(r)) for r in regions]
    return {
        "trunk0": tuple(r for r, m in meta if m is not None and m.national_prefix == "0"),
        "idd00": tuple(r for r, m in meta if m is not None and m.international_prefix == "00"),
    }


class PhoneRecognizer(Recognizer):
    """Personal phone numbers (``phone``) and organisation numbers (``business-phone``)."""

    name = "phones"
    REGIONS: ClassVar[tuple[str, ...]] = words("phones", "regions")
    MIN_DIGITS: ClassVar[int] = 7
    MAX_DIGITS: ClassVar[int] = 34  # two numbers typed as "020 7946 0958 / 07700 900123"
    MAX_POSSIBLE_DIGITS: ClassVar[int] = 17  # 15 (E.164) plus a "00" international prefix
    # Without a "+", "00" or trunk "0" prefix, every region above needs ten digits.
    MIN_BARE_DIGITS: ClassVar[int] = 10
    CUE_BEFORE: ClassVar[int] = 40
    CUE_AFTER: ClassVar[int] = 20
    LABEL_BEFORE: ClassVar[int] = 48  # "our company registration number is "
    BUSINESS_BEFORE: ClassVar[int] = 40
    BUSINESS_AFTER: ClassVar[int] = 25
    PERSONAL_BEFORE: ClassVar[int] = 20  # "call me on", "my mobile:"
    SCORE_VALID: ClassVar[float] = 0.85
    SCORE_VALID_CUE: ClassVar[float] = 0.95
    SCORE_POSSIBLE: ClassVar[float] = 0.7
    SCORE_BUSINESS: ClassVar[float] = 0.3

    CUES: ClassVar[re.Pattern[str]] = phrase_regex(words("phones", "cues"))
    BUSINESS_CUES: ClassVar[re.Pattern[str]] = phrase_regex(words("phones", "business_cues"))
    PERSONAL_CUES: ClassVar[re.Pattern[str]] = phrase_regex(words("phones", "personal_cues"))
    NEGATIVE_BEFORE: ClassVar[re.Pattern[str]] = re.compile(
        r"(?:^|[^\w#])" + phrase_regex(words("phones", "negative_cues")).pattern + r"[\s:#.-]*$"
    )
    REFERENCE_BEFORE: ClassVar[re.Pattern[str]] = re.compile(
        r"(?:^|[^\w#/])"
        + phrase_regex(words("phones", "reference_labels")).pattern
        + _LABEL_SUFFIX
        + _REF_PREFIX
        + r"[\s:#.=-]*$"
    )
    QUANTITY_AFTER: ClassVar[re.Pattern[str]] = re.compile(
        r"\s*(?:\+\s*)?" + phrase_regex(words("phones", "quantity_words")).pattern
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

    def applies(self, scan: Scan) -> bool:
        return scan.has_digit and _PREFILTER.search(scan.text) is not None

    def analyze(self, scan: Scan) -> list[Hit]:
        text = scan.text
        hits: list[Hit] = []
        for m in _CANDIDATE.finditer(text):
            raw = m.group()
            digits = sum(c.isdigit() for c in raw)
            if not self.MIN_DIGITS <= digits <= self.MAX_DIGITS:
                continue
            if self._looks_like_other_number(text, m.start(), m.end(), raw):
                continue
            hits.extend(self._match(text, m.start(), raw, digits))
        return hits

    def _looks_like_other_number(self, text: str, start: int, end: int, raw: str) -> bool:
        """The validate step: dates, year lists, IPs, SSNs, prices, order numbers, quantities."""
        core = raw.strip("()+ ")
        if _DATE.fullmatch(core) or _IP.fullmatch(core) or _SSN_SHAPE.fullmatch(core):
            return True
        groups = _GROUPS.findall(core)
        if all(_YEAR.fullmatch(g) for g in groups):
            return True
        before = text[max(0, start - 16) : start]
        if _CURRENCY_BEFORE.search(before):
            return True
        if self.QUANTITY_AFTER.match(text, end, min(len(text), end + 20)):
            return True
        if self.REFERENCE_BEFORE.search(text, max(0, start - self.LABEL_BEFORE), start):
            return True
        return bool(self.NEGATIVE_BEFORE.search(before)) and not self._has_cue(text, start, end)

    def _has_cue(self, text: str, start: int, end: int) -> bool:
        return near(self.CUES, text, start, end, self.CUE_BEFORE, self.CUE_AFTER)

    def _business(self, text: str, start: int, end: int) -> str | None:
        """Why the number looks like an organisation's line, or None.

        A business word near the number counts unless a personal word labels the number
        ("call me on"); one elsewhere in the clause, or a role address ("hello@acme.com"),
        counts when the clause has no personal word at all.
        """
        lo = max(0, start - self.PERSONAL_BEFORE)
        if self.PERSONAL_CUES.search(text, lo, start):
            return None
        if near(self.BUSINESS_CUES, text, start, end, self.BUSINESS_BEFORE, self.BUSINESS_AFTER):
            return "near a business word"
        cs, ce = clause_bounds(text, start, end)
        clause = text[cs:ce]
        if self.PERSONAL_CUES.search(clause):
            return None
        if self.BUSINESS_CUES.search(clause):
            return "in a clause with a business word"
        if "@" in clause and _ROLE_ADDRESS.search(clause):
            return "next to a role e-mail address"
        return None

    def _match(self, text: str, offset: int, raw: str, digits: int) -> list[Hit]:
        head = raw.lstrip("( ")
        international = _INTERNATIONAL.match(head) is not None
        if international or head.startswith("0") or digits >= self.MIN_BARE_DIGITS:
            business = self._business(text, offset, offset + len(raw)) is not None
            fallback: list[Hit] = []
            usable: list[list[Hit]] = []
            for region in self._regions_for(head):
                found, as_written = self._readings(text, offset, raw, digits, region)
                # "030 12345678" is a UK company number and a Berlin landline: when a region
                # reads it as an organisation's line, see whether another reads it as personal.
                if found and (business or any(h.check == "phone" for h in found)):
                    # A looser plan reads almost any national number ("06 12 34 56 78" is a
                    # valid German landline): the region that groups the digits the way they
                    # were typed wins, else the first in the list.
                    if as_written:
                        return found
                    usable.append(found)
                fallback = fallback or found
            if usable or fallback:
                return usable[0] if usable else fallback
        if digits > self.MAX_POSSIBLE_DIGITS:
            return []
        if not (international or self._has_cue(text, offset, offset + len(raw))):
            return []
        for region in self.REGIONS:
            for pm in phonenumbers.PhoneNumberMatcher(raw, region, leniency=Leniency.POSSIBLE):
                # A merely possible number must be the whole digit run, not a piece of one.
                if sum(c.isdigit() for c in pm.raw_string) == digits:
                    return [self._hit(text, offset + pm.start, offset + pm.end, pm.number, False)]
        return []

    def _readings(
        self, text: str, offset: int, raw: str, digits: int, region: str
    ) -> tuple[list[Hit], bool]:
        """The numbers ``region`` reads in ``raw`` (valid ones, else one in a reserved
        range), and whether each is grouped as that region writes its numbers."""
        matches = list(phonenumbers.PhoneNumberMatcher(raw, region, leniency=Leniency.VALID))
        if matches:
            hits = [
                self._hit(text, offset + pm.start, offset + pm.end, pm.number, True)
                for pm in matches
            ]
        else:
            matches, hits = self._reserved_hits(text, offset, raw, digits, region)
        as_written = bool(matches) and all(
            _GROUPS.findall(pm.raw_string)
            == _GROUPS.findall(phonenumbers.format_number(pm.number, _NATIONAL))
            for pm in matches
        )
        return hits, as_written

    def _reserved_hits(
        self, text: str, offset: int, raw: str, digits: int, region: str
    ) -> tuple[list[phonenumbers.PhoneNumberMatch], list[Hit]]:
        """The whole digit run read in ``region`` as a number of a reserved range ("07700
        900123" is the UK's, not a German landline's)."""
        for pm in phonenumbers.PhoneNumberMatcher(raw, region, leniency=Leniency.POSSIBLE):
            kept = _reserved(pm.number)
            if kept is not None and sum(c.isdigit() for c in pm.raw_string) == digits:
                start, end = offset + pm.start, offset + pm.end
                return [pm], [self._hit(text, start, end, pm.number, False, reserved=kept)]
        return [], []

    def _regions_for(self, head: str) -> tuple[str, ...]:
        """The regions worth trying: any one for "+44", one dialling "00" for "0044", those
        with trunk prefix 0 for "020 ..." (a US number never starts with 0), else all."""
        if head.startswith("+"):
            return self.REGIONS[:1]
        if head.startswith("00") and head[2:3] != "0":
            return _BY_PREFIX["idd00"][:1] or self.REGIONS[:1]
        if head.startswith("0"):
            return _BY_PREFIX["trunk0"]
        return self.REGIONS

    def _hit(
        self,
        text: str,
        start: int,
        end: int,
        number: phonenumbers.PhoneNumber,
        valid: bool,
        *,
        reserved: ReservedRange | None = None,
    ) -> Hit:
        if valid:
            region = phonenumbers.region_code_for_number(number)
        elif reserved is not None:
            region = reserved.region
        else:
            region = phonenumbers.region_code_for_country_code(number.country_code or 0)
        kind = _kind(number) if valid else (reserved.kind if reserved else None)
        what = f"{_KIND_NAMES[kind]} number" if kind in _KIND_NAMES else "number"
        country = country_name(region) if region and region != "ZZ" else "country unknown"
        if reserved is not None:
            reading = f"a {what} ({country}) in {reserved.note}"
        elif valid:
            reading = f"a valid {what} ({country})"
        else:
            reading = f"possibly a {what} ({country})"
        cue = self._has_cue(text, start, end)
        pattern = f"phonenumbers reads {reading}" + (", next to a cue word" if cue else "")
        if kind in _BUSINESS_KINDS:
            return Hit("business-phone", start, end, self.SCORE_BUSINESS, pattern)
        business = self._business(text, start, end)
        if business is not None:
            return Hit("business-phone", start, end, self.SCORE_BUSINESS, f"{pattern} {business}")
        if not valid and reserved is None:
            score = self.SCORE_POSSIBLE
        else:
            score = self.SCORE_VALID_CUE if cue else self.SCORE_VALID
        return Hit("phone", start, end, score, pattern)


_BY_PREFIX = _regions_by_prefix(PhoneRecognizer.REGIONS)
