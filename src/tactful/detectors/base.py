"""The detector protocol and the context every detector receives.

A detector is pure: ``detect(post, ctx) -> list[Finding]`` reads the post and ``ctx`` and
touches neither network nor disk. Spans in findings index ``post.text`` (the original);
use ``ctx.norm.to_original`` to map spans found in the normalised text. Severity on a
finding is the detector's default; the checker applies policy afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from tactful.core.findings import Finding
from tactful.core.post import Post
from tactful.core.text import NormalizedText

if TYPE_CHECKING:
    from tactful.networks.length import LengthInfo
    from tactful.store.snapshot import StoreSnapshot


@dataclass(slots=True)
class DetectContext:
    """What a detector may use besides the post itself.

    ``settings`` holds the resolved policy's free-form settings (for example
    ``platform_limits``); ``scores`` collects per-category scores (0..1) for ``--all-scores``;
    ``store`` is what the store held when the check started (accounts, contacts and their
    consent, the media library), or None without a store; ``length`` is the post measured the
    network's way under this policy (the checker measures once; the report carries it).
    """

    norm: NormalizedText
    settings: Mapping[str, Any] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    store: StoreSnapshot | None = None
    length: LengthInfo | None = None

    def add_score(self, category: str, score: float) -> None:
        if score > self.scores.get(category, -1.0):
            self.scores[category] = score


@runtime_checkable
class Detector(Protocol):
    """One family of checks. ``name`` is what policy, reports and the registry call it.

    ``rule_ids`` declares the catalogue ids, or family prefixes (``"offense"``), that its
    findings may carry, like a Presidio recognizer's ``supported_entities``: the registry
    checks them against ``rules/catalogue.yml`` and the rules documentation is generated from
    them. A detector that reads scores other detectors left in ``ctx.scores`` also declares
    ``after = ("classifier", ...)``, and the registry runs it after those.
    """

    name: str
    rule_ids: ClassVar[tuple[str, ...]]

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]: ...


def declares(rule_ids: Iterable[str], rule_id: str) -> bool:
    """Whether declared ``rule_ids`` (ids or family prefixes) cover ``rule_id``."""
    return any(rule_id == d or rule_id.startswith(d + ".") for d in rule_ids)


def undeclared(rule_ids: Iterable[str], raised: Iterable[str]) -> list[str]:
    """The rule ids in ``raised`` that ``rule_ids`` do not cover (sorted, each once)."""
    declared = tuple(rule_ids)
    return sorted({r for r in raised if not declares(declared, r)})
