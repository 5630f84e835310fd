"""The output side of the pipeline: findings, suggestions, and the report that holds them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tactful.core.post import Post

if TYPE_CHECKING:
    from tactful.networks.length import LengthInfo

SCHEMA_VERSION = "1"


class Severity(StrEnum):
    INFO = "info"
    WARN = "warn"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is ``other`` or worse (``--fail-on``, ``--min-severity``)."""
        return self.rank >= other.rank

    def lowered(self) -> Severity:
        """One level softer (block -> warn -> info); info stays info."""
        return _BY_RANK[max(0, self.rank - 1)]

    @classmethod
    def max(cls, a: Severity, b: Severity) -> Severity:
        return a if a.rank >= b.rank else b

    @classmethod
    def min(cls, a: Severity, b: Severity) -> Severity:
        return a if a.rank <= b.rank else b


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2}
_BY_RANK = {rank: sev for sev, rank in _SEVERITY_RANK.items()}


class Verdict(StrEnum):
    OK = "ok"
    REVIEW = "review"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A concrete fix. ``replacement`` (when set) replaces the finding's first span."""

    action: str  # replace | remove | rewrite | move | message | record | other
    description: str
    replacement: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "description": self.description}
        if self.replacement is not None:
            out["replacement"] = self.replacement
        return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing that could hurt the author's reputation, where it is, why, and how to fix it.

    ``spans`` are ``(start, end)`` offsets into the ORIGINAL text, end exclusive. A finding
    about a mention or a media item has no spans and names the item in ``target``.
    """

    rule_id: str
    severity: Severity
    spans: tuple[tuple[int, int], ...]
    score: float
    message: str
    explanation: str
    suggestions: tuple[Suggestion, ...]
    detector: str
    target: str | None = None
    check: str | None = None  # which entry inside the rule fired (for explanations)
    matched: str | None = None  # the normalised text that matched (allow-lists use it)
    # The most severe this finding's evidence supports (a model score whose precision on real
    # posts is measured): no policy layer raises it past this.
    ceiling: Severity | None = None
    # Why a reading of the words rules this finding out (counter-speech, negation): the
    # policy keeps it in the report's suppressed list with this reason, not as a finding.
    ruled_out: str | None = None
    title: str | None = None  # the rule's readable title (the checker sets it from the catalogue)

    @property
    def start(self) -> int:
        return self.spans[0][0] if self.spans else -1

    def excerpt(self, text: str) -> str:
        return " … ".join(text[s:e] for s, e in self.spans)

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"rule_id": self.rule_id}
        if self.title is not None:
            out["title"] = self.title
        out |= {
            "severity": self.severity.value,
            "spans": [[s, e] for s, e in self.spans],
            "score": round(self.score, 4),
            "message": self.message,
            "explanation": self.explanation,
            "suggestions": [s.to_dict() for s in self.suggestions],
            "detector": self.detector,
        }
        if text is not None:
            out["excerpts"] = [text[s:e] for s, e in self.spans]
        if self.target is not None:
            out["target"] = self.target
        if self.check is not None:
            out["check"] = self.check
        return out


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding that policy suppressed, kept with the recorded reason (never silently dropped)."""

    finding: Finding
    reason: str
    by: str | None = None
    feedback: int | None = None  # the user's "this is wrong" that hides it (tactful feedback)

    def to_dict(self, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {"finding": self.finding.to_dict(text), "reason": self.reason}
        if self.by:
            out["by"] = self.by
        if self.feedback is not None:
            out["feedback"] = self.feedback
        return out


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.start, f.rule_id, f.spans, f.target or ""))


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one post. ``to_dict()`` is the one JSON shape every surface uses
    (documented in ``docs/report.schema.json``)."""

    post: Post
    findings: tuple[Finding, ...]
    suppressed: tuple[Suppressed, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    policy_layers: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    failed_detectors: tuple[str, ...] = ()
    length: LengthInfo | None = None  # the text measured the network's way, under this policy

    @property
    def verdict(self) -> Verdict:
        """blocked: a finding at block; review: one at warn, or a detector failed; ok:
        nothing above info (shown as "OK, with notes" when there are info findings)."""
        worst = self.worst_severity
        if worst is Severity.BLOCK:
            return Verdict.BLOCKED
        # A check that did not run cannot vouch for the post: never "ok" then.
        if worst is Severity.WARN or self.failed_detectors:
            return Verdict.REVIEW
        return Verdict.OK

    @property
    def has_notes(self) -> bool:
        """An "ok" post that still has info findings to read ("OK, with notes")."""
        return self.verdict is Verdict.OK and bool(self.findings)

    @property
    def worst_severity(self) -> Severity | None:
        worst: Severity | None = None
        for f in self.findings:
            worst = f.severity if worst is None else Severity.max(worst, f.severity)
        return worst

    @property
    def hidden_by_feedback(self) -> int:
        """How many findings the account's feedback hides (each is in ``suppressed``)."""
        return sum(1 for s in self.suppressed if s.feedback is not None)

    @property
    def rule_ids(self) -> list[str]:
        return sorted({f.rule_id for f in self.findings})

    @property
    def blocking(self) -> tuple[Finding, ...]:
        """The findings that keep the post from going out as it is."""
        return tuple(f for f in self.findings if f.severity is Severity.BLOCK)

    @property
    def risk(self) -> float:
        """One number to sort posts by: the worst finding's severity rank plus its score (a
        post some detector failed on, with no findings, ranks as a warning to review; a
        clean post is 0)."""
        unchecked = 1.0 if self.failed_detectors else 0.0
        return max((f.severity.rank + f.score for f in self.findings), default=unchecked)

    def restricted(self, keep: Callable[[Finding], bool]) -> Report:
        """The same report with only the findings ``keep`` accepts (an audit's filters);
        its verdict and risk follow from what is left."""
        return replace(self, findings=tuple(f for f in self.findings if keep(f)))

    def fails(self, threshold: Severity) -> bool:
        """True when any finding is at or above ``threshold`` (the CLI's ``--fail-on``); a
        detector that failed counts as a warning."""
        if self.failed_detectors and threshold.rank <= Severity.WARN.rank:
            return True
        return any(f.severity.at_least(threshold) for f in self.findings)

    def to_dict(self, *, all_scores: bool = False) -> dict[str, Any]:
        post = self.post
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "id": post.source_id,
            "verdict": self.verdict.value,
            "text": post.text,
            "context": {
                "platform": post.platform.value,
                "account_kind": post.account.kind.value,
                "audience": post.account.audience.value,
                "clients_in_audience": post.account.clients_in_audience,
                "inbound": post.inbound,
                "reply": post.is_reply,
                "account": post.account.name,
                "mentions": [m.handle for m in post.mentions],
                "media": [m.path or m.sha256 or "" for m in post.media],
            },
            "findings": [f.to_dict(post.text) for f in self.findings],
            "suppressed": [s.to_dict(post.text) for s in self.suppressed],
            "hidden_by_feedback": self.hidden_by_feedback,
            "policy_layers": list(self.policy_layers),
            "notices": list(self.notices),
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }
        if self.length is not None:
            out["length"] = {
                "count": self.length.count,
                "limit": self.length.limit,
                "unit": self.length.unit,
                "cut": self.length.cut,
            }
        if all_scores:
            out["scores"] = {k: round(v, 4) for k, v in sorted(self.scores.items())}
        return out
