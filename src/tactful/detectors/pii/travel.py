"""Travel documents: booking references (PNR), seat and flight, boarding passes.

A six-character booking reference plus a surname opens the booking online: anyone can
change or cancel the flight and read passport details. A reference counts next to a cue
("booking ref", "PNR", "confirmation code") when typed in capitals or with a digit, so
"confirmation email" is not one. Seat plus flight number, and "my boarding pass", are
reported as warnings.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tactful.core.findings import Severity, Suggestion
from tactful.detectors.pii._common import (
    IDENTITY,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    Vocabulary,
    all_caps,
    alternation,
    clause_bounds,
    words,
)

_I = "identity"
_BOOKING = re.compile(
    rf"(?<!\w){alternation(words(_I, 'booking_cues'))}(?!\w)"
    r"(?:\s*(?:ref\.?|reference|no\.?|number|code|#|is|was|:|-))*\s*"
    r"(?P<ref>\d{3}[- ]?\d{10}|[a-z0-9]{5,8})(?!\w)"
)
_SEAT = re.compile(r"(?<!\w)seat\s+(?:no\.?\s*|number\s+)?\d{1,2}[a-k](?!\w)")
_FLIGHT = re.compile(r"(?<!\w)(?:[a-z]{2}|[a-z]\d|\d[a-z])\s?\d{1,4}[a-z]?(?!\w)")
_PASS = re.compile(
    r"(?<!\w)(?:my|our|here['’]?s|here\s+is|here\s+are|heres)\s+(?:[\w'’-]+\s+)?"
    rf"(?P<pass>{alternation(words(_I, 'boarding_pass_cues'))})(?!\w)"
)


class TravelRecognizer(Recognizer):
    """``booking-reference``, ``flight-details`` and ``boarding-pass``."""

    name = "travel"
    BOOKING: ClassVar[Vocabulary] = Vocabulary(words(_I, "booking_cues"))
    FLIGHTS: ClassVar[Vocabulary] = Vocabulary(words(_I, "flight_cues"))
    PASSES: ClassVar[Vocabulary] = Vocabulary(words(_I, "boarding_pass_cues"))
    CUES: ClassVar[Vocabulary] = Vocabulary(
        [
            "seat",
            *words(_I, "booking_cues"),
            *words(_I, "flight_cues"),
            *words(_I, "boarding_pass_cues"),
        ]
    )
    FLIGHT: ClassVar[re.Pattern[str]] = re.compile(
        rf"(?<!\w){alternation(words(_I, 'flight_cues'))}\s+(?:no\.?\s*|number\s+|#\s*)?"
        rf"(?P<flight>{_FLIGHT.pattern})"
    )

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "booking-reference": CheckInfo(
            IDENTITY,
            Severity.BLOCK,
            "Booking reference in the post",
            "With a booking reference and your surname anyone can open your booking online, "
            "change or cancel your flight and read your passport and contact details.",
            (
                Suggestion("remove", "Remove the booking reference"),
                Suggestion("replace", "Hide it", replacement="[booking ref]"),
            ),
        ),
        "flight-details": CheckInfo(
            IDENTITY,
            Severity.WARN,
            "Seat and flight number in the post",
            "Your flight and seat tell readers exactly where you will be and when, and "
            "help a stranger pass for you with the airline.",
            (
                Suggestion(
                    "replace", "Say where you are going, not the flight", replacement="my flight"
                ),
                Suggestion("other", "Post it after you have landed"),
            ),
        ),
        "boarding-pass": CheckInfo(
            IDENTITY,
            Severity.WARN,
            "Mentions sharing a boarding pass",
            "A boarding pass barcode holds your name and booking reference: a photo of it lets "
            "strangers open your booking, cancel your trip and see your details.",
            (
                Suggestion("remove", "Do not post the boarding pass; share a photo of the view"),
                Suggestion(
                    "other",
                    "If a photo is attached, crop out the barcode and the booking reference",
                ),
            ),
        ),
    }

    def applies(self, scan: Scan) -> bool:
        return self.CUES.present(scan.words)

    def analyze(self, scan: Scan) -> list[Hit]:
        norm, text, w = scan.norm, scan.text, scan.words
        hits: list[Hit] = []
        for m in _BOOKING.finditer(text) if self.BOOKING.present(w) else ():
            ref = m.group("ref")
            has_digit = any(c.isdigit() for c in ref)
            if not has_digit and not all_caps(norm, m.start("ref"), m.end("ref")):
                continue  # "confirmation email"
            if ref.isdigit() and len(ref) < 6:
                continue
            hits.append(
                Hit(
                    "booking-reference",
                    m.start("ref"),
                    m.end("ref"),
                    0.9,
                    "code after a booking cue",
                )
            )
        for m in _SEAT.finditer(text) if "seat" in w and scan.has_digit else ():
            cs, ce = clause_bounds(text, m.start(), m.end(), limit=60)
            for f in _FLIGHT.finditer(text, cs, ce):
                if all_caps(norm, f.start(), f.end()) and not (
                    f.start() < m.end() and m.start() < f.end()
                ):
                    start, end = min(m.start(), f.start()), max(m.end(), f.end())
                    hits.append(
                        Hit("flight-details", start, end, 0.85, "seat with a flight number")
                    )
                    break
        for m in self.FLIGHT.finditer(text) if self.FLIGHTS.present(w) and scan.has_digit else ():
            if all_caps(norm, m.start("flight"), m.end("flight")):
                hits.append(
                    Hit(
                        "flight-details",
                        m.start(),
                        m.end(),
                        0.6,
                        "flight number after a flight word",
                    )
                )
        for m in _PASS.finditer(text) if self.PASSES.present(w) else ():
            hits.append(
                Hit("boarding-pass", m.start("pass"), m.end("pass"), 0.6, "'my boarding pass'")
            )
        return hits
