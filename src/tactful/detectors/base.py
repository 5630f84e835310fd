"""The detector protocol and the context every detector receives.

A detector is pure: ``detect(post, ctx) -> list[Finding]`` reads the post and ``ctx`` and
touches neither network nor disk. Spans in findings index ``post.text`` (the original);
use ``ctx.norm.to_original`` to map spans found in the normalised text. Severity on a
finding is the detector's default; the checker applies policy afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

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
    """One family of checks. ``name`` is what policy, reports and the registry call it."""

    name: str

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]: ...
