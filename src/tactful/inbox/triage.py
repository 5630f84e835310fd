"""Sorting an inbox item: checked by the one checker as inbound text (``inbound=True``,
replying to the post above it) and as plain words, then put into one class (threat,
harassment, hate, complaint, trolling, spam, question, praise, other) by the evidence and
patterns in ``inbox/triage.yml``, with the action to take and why. An item that says where
the user lives, works or will be goes to the top, whatever its class, and says so."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal

import regex
from pydantic import AfterValidator, Field, model_validator

from tactful.core.checker import Checker
from tactful.core.data import DataModel, Fraction, Source, Text, WholeNumber
from tactful.core.findings import Finding, Severity
from tactful.core.post import Post

CLASSES = (
    "threat", "harassment", "hate", "complaint", "trolling", "spam", "question", "praise", "other",
)  # fmt: skip
# What the plain reading contributes (the inbound reading raises inbound.* only).
PLAIN_RULES = ("offense.", "safety.location")


def _pattern(value: str) -> str:
    try:
        regex.compile(value)
    except regex.error as exc:
        raise ValueError(f"not a valid pattern ({exc}); fix the expression") from None
    return value


Pattern = Annotated[str, AfterValidator(_pattern)]


class Evidence(DataModel):
    rule: str
    checks: tuple[str, ...] = ()
    severity: Severity = Severity.INFO
    # Only findings of these detectors count (empty: any); "lexicon" alone leaves out the
    # models where they cannot tell a class on real text.
    detectors: tuple[str, ...] = ()
    # A model's finding counts from this score (default: the file's model_evidence_from).
    model_from: Fraction | None = None


class TriageClass(DataModel):
    rank: WholeNumber
    action: Text
    reason: Text
    evidence: bool = False  # kept for tactful inbox evidence export
    order: Literal["newest_first", "oldest_first"] = "newest_first"
    from_: tuple[Evidence, ...] = Field(default=(), alias="from")
    patterns: tuple[Pattern, ...] = ()
    # A match of one of these anywhere in the item cancels the class's patterns (a
    # rhetorical question is not a question); evidence from the findings is not cancelled.
    unless: tuple[Pattern, ...] = ()

    def words(self, text: str) -> str | None:
        """The words the first of ``patterns`` found in ``text``, or None (also when one of
        ``unless`` is there)."""
        hit = _matches(self.patterns, text)
        return None if hit is None or _matches(self.unless, text) else hit


class Whereabouts(DataModel):
    rank: WholeNumber
    rules: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    message: Text


class TriageFile(DataModel):
    classes: dict[str, TriageClass]
    model_evidence_from: Fraction
    model_only_below: Fraction
    whereabouts: Whereabouts

    @model_validator(mode="after")
    def _every_class(self) -> TriageFile:
        if tuple(self.classes) != CLASSES:
            raise ValueError(f"classes must be, in this order: {', '.join(CLASSES)}")
        return self


@cache
def rules() -> TriageFile:
    return Source.package("tactful.inbox", "triage.yml").load(TriageFile)


@dataclass(frozen=True, slots=True)
class Triage:
    category: str
    rank: int
    action: str
    reason: str
    whereabouts: bool
    findings: tuple[dict[str, Any], ...]
    because: tuple[str, ...]  # the rule ids (and checks) or pattern that decided the class
    verdict: str

    @property
    def evidence(self) -> bool:
        return rules().classes[self.category].evidence or (
            self.whereabouts and self.category in ("threat", "harassment", "hate", "trolling")
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "category": self.category,
            "rank": self.rank,
            "action": self.action,
            "reason": self.reason,
            "because": list(self.because),
            "verdict": self.verdict,
            "findings": list(self.findings),
        }
        if self.whereabouts:
            out["whereabouts"] = rules().whereabouts.message
        return out


@dataclass(frozen=True, slots=True)
class ItemContext:
    """What triage needs of an item and its account."""

    text: str
    platform: str = "generic"
    account_kind: str = "personal"
    audience: str = "public"
    account_name: str | None = None
    parent_id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None


def _finding(f: Finding, text: str, reading: str) -> dict[str, Any]:
    out = f.to_dict(text)
    out["reading"] = reading
    return out


def _supports(spec: Evidence, f: Finding, model_from: float) -> bool:
    bar = model_from if spec.model_from is None else spec.model_from
    return (
        f.rule_id == spec.rule
        and (not spec.detectors or f.detector in spec.detectors)
        and (f.detector != "classifier" or f.score >= bar)
        and (not spec.checks or f.check in spec.checks)
        and f.severity.at_least(spec.severity)
    )


def _matches(patterns: Sequence[str], text: str) -> str | None:
    """The words the first matching pattern found, or None."""
    for pattern in patterns:
        m = regex.search(pattern, text)
        if m:
            return m.group(0).strip() or pattern
    return None


def triage(checker: Checker, item: ItemContext) -> Triage:
    """Check ``item`` through ``checker`` and sort it."""
    common: dict[str, Any] = {
        "platform": item.platform,
        "account_kind": item.account_kind,
        "audience": item.audience,
        "created_at": item.created_at,
        "source_id": item.remote_id,
        "account_name": item.account_name,
    }
    inbound = checker.check(
        Post.build(item.text, inbound=True, reply_to=item.parent_id or "", **common)
    )
    plain = checker.check(Post.build(item.text, **common))
    found: list[Finding] = list(inbound.findings)
    found += [f for f in plain.findings if f.rule_id.startswith(PLAIN_RULES)]
    data = rules()
    text = item.text
    soft = data.classes["question"].words(text) or data.classes["praise"].words(text)
    category: str = "other"
    because: tuple[str, ...] = ()
    for name in CLASSES:
        spec = data.classes[name]
        support = [
            f for f in found if any(_supports(e, f, data.model_evidence_from) for e in spec.from_)
        ]
        if support:
            model_only = all(f.detector == "classifier" for f in support)
            if soft and model_only and max(f.score for f in support) < data.model_only_below:
                continue  # a model's doubt does not outweigh plain praise or a question
            category = name
            because = tuple(dict.fromkeys(f"{f.rule_id}/{f.check}" if f.check else f.rule_id
                                          for f in support))  # fmt: skip
            break
        hit = spec.words(text)
        if hit:
            category, because = name, (f"{name} words: {hit!r}",)
            break
    place = data.whereabouts
    where = any(f.rule_id in place.rules for f in found) or _matches(place.patterns, text)
    chosen = data.classes[category]
    verdicts = ("ok", "review", "blocked")
    verdict = max(inbound.verdict.value, plain.verdict.value, key=verdicts.index)
    return Triage(
        category=category,
        rank=place.rank if where else chosen.rank,
        action=chosen.action,
        reason=chosen.reason,
        whereabouts=bool(where),
        findings=tuple(
            [_finding(f, text, "inbound") for f in inbound.findings]
            + [
                _finding(f, text, "plain")
                for f in plain.findings
                if f.rule_id.startswith(PLAIN_RULES)
            ]
        ),
        because=because,
        verdict=verdict,
    )
