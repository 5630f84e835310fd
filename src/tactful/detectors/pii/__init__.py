"""The personal-safety detector: contact details, locations and identity data in a post.

Rules: ``safety.contact`` (phone numbers, e-mail addresses), ``safety.location`` (street
addresses, where you live, where you are now, routines, children's school, an empty home)
and ``safety.identity_data`` (date of birth, card, IBAN, passport, SSN, travel documents).

Each recognizer family lives in its own module and works on the normalised text; this
module runs the ones whose cheap prefilter passes, resolves overlaps and turns hits into
findings whose spans index the original text. Business contact details are reported with
a low score under their own ``business-*`` check; policy decides what to do with them.
"""

from __future__ import annotations

from typing import ClassVar

from tactful.core.findings import Finding
from tactful.core.post import Post
from tactful.core.text import NormalizedText, normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.pii._common import (
    CONTACT,
    IDENTITY,
    LOCATION,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
)
from tactful.detectors.pii.absence import AbsenceRecognizer
from tactful.detectors.pii.addresses import AddressRecognizer
from tactful.detectors.pii.emails import EmailRecognizer
from tactful.detectors.pii.identity_numbers import IdentityNumberRecognizer
from tactful.detectors.pii.phones import PhoneRecognizer
from tactful.detectors.pii.schools import SchoolRecognizer
from tactful.detectors.pii.travel import TravelRecognizer
from tactful.detectors.pii.whereabouts import WhereaboutsRecognizer

__all__ = ["PiiDetector"]


class PiiDetector:
    """Finds what could expose the author to harassment, stalking or identity theft."""

    name = "pii"
    rule_ids: ClassVar[tuple[str, ...]] = (CONTACT, LOCATION, IDENTITY)

    def __init__(self) -> None:
        self.recognizers: tuple[Recognizer, ...] = (
            PhoneRecognizer(),
            EmailRecognizer(),
            AddressRecognizer(),
            WhereaboutsRecognizer(),
            SchoolRecognizer(),
            IdentityNumberRecognizer(),
            TravelRecognizer(),
            AbsenceRecognizer(),
        )

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        norm = ctx.norm if ctx.norm.original == post.text else normalize(post.text)
        scan = Scan.of(norm)
        found: list[tuple[CheckInfo, str, Hit]] = []
        for rec in self.recognizers:
            if not rec.applies(scan):
                continue
            for hit in rec.analyze(scan):
                if hit.end > hit.start:
                    found.append((rec.CHECKS[hit.check], rec.name, hit))
        findings = [self._finding(norm, info, rec, hit) for info, rec, hit in _resolve(found)]
        for f in findings:
            ctx.add_score(f.rule_id, f.score)
        findings.sort(key=lambda f: (f.start, f.rule_id))
        return findings

    def _finding(self, norm: NormalizedText, info: CheckInfo, rec: str, hit: Hit) -> Finding:
        start, end = norm.to_original(hit.start, hit.end)
        return Finding(
            rule_id=info.rule_id,
            severity=info.severity,
            spans=((start, end),),
            score=hit.score,
            message=info.message,
            explanation=f"{info.explanation} (Found by the {rec} recognizer: {hit.pattern}.)",
            suggestions=hit.extra + info.suggestions,
            detector=self.name,
            check=hit.check,
            matched=norm.text[hit.start : hit.end],
        )


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end


def _resolve(found: list[tuple[CheckInfo, str, Hit]]) -> list[tuple[CheckInfo, str, Hit]]:
    """Keep the best of overlapping hits of one rule; identity data beats a contact match
    (a card number is not also a phone number)."""
    ranked = sorted(found, key=lambda f: (-f[2].score, -(f[2].end - f[2].start), f[2].start))
    kept: list[tuple[CheckInfo, str, Hit]] = []
    for item in ranked:
        info, _, hit = item
        clash = False
        for other_info, _, other in kept:
            if not _overlaps(hit, other):
                continue
            same = other_info.rule_id == info.rule_id
            if same or (info.rule_id == CONTACT and other_info.rule_id == IDENTITY):
                clash = True
                break
        if not clash:
            kept.append(item)
    # An identity hit kept after a higher-scoring contact hit on the same digits wins too.
    ids = [h for i, _, h in kept if i.rule_id == IDENTITY]
    return [
        (i, r, h)
        for i, r, h in kept
        if i.rule_id != CONTACT or not any(_overlaps(h, o) for o in ids)
    ]
