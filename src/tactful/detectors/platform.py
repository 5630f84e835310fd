"""The ``platform.length`` rule: text the network would refuse or cut off, and Instagram
captions with more hashtags than it takes. Counting lives in :mod:`tactful.networks.length`."""

from __future__ import annotations

from typing import Any, ClassVar

from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import Post
from tactful.networks.length import (
    BYTES_UNIT,
    HASHTAG,
    LengthInfo,
    PlatformSpec,
    measure,
    platform_specs,
    thread_size_for,
)

from .base import DetectContext

RULE_ID = "platform.length"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


class PlatformLengthDetector:
    """Flags text over the network's length limit, and Instagram captions with too many hashtags."""

    name = "platform"
    rule_ids: ClassVar[tuple[str, ...]] = (RULE_ID,)

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        spec = platform_specs()[post.platform]
        info = ctx.length or measure(post.text, post.platform, ctx.settings)
        findings: list[Finding] = []
        if info.limit is not None:
            ctx.add_score(RULE_ID, min(1.0, info.count / info.limit))
            if info.over:
                findings.append(self._length_finding(post, spec, info))
        if spec.max_hashtags is not None:
            hashtags = list(HASHTAG.finditer(post.text))
            if hashtags:
                ctx.add_score(RULE_ID, min(1.0, len(hashtags) / spec.max_hashtags))
            if len(hashtags) > spec.max_hashtags:
                findings.append(self._hashtag_finding(spec, hashtags))
        return findings

    def _length_finding(self, post: Post, spec: PlatformSpec, info: LengthInfo) -> Finding:
        assert info.limit is not None
        over = info.over
        cut = info.cut if info.cut is not None else 0
        # Over the byte cap (Bluesky's 3,000 bytes) the count is in bytes, not the usual unit.
        word = "byte" if info.unit == BYTES_UNIT else "character"
        detail = "" if info.unit in ("characters", BYTES_UNIT) else f" ({info.count:,} {info.unit})"
        suggestions = [Suggestion("rewrite", f"Shorten it by {_plural(over, word)}")]
        if spec.threads:
            n = max(2, thread_size_for(post.text, spec, info))
            suggestions.append(Suggestion("rewrite", f"Split it into a thread of {n} posts"))
        return Finding(
            rule_id=RULE_ID,
            severity=Severity.BLOCK,
            spans=((cut, len(post.text)),),
            score=1.0,
            message=f"{_plural(over, word)} over {spec.name}'s {info.limit:,} limit{detail}",
            explanation=(
                f"{spec.name} rejects a post over {info.limit:,} {info.unit} or cuts it off, "
                "and a sentence that stops mid-way reads careless. Everything from the "
                "highlighted point on would not make it."
            ),
            suggestions=tuple(suggestions),
            detector=self.name,
            check="length",
        )

    def _hashtag_finding(self, spec: PlatformSpec, hashtags: list[Any]) -> Finding:
        assert spec.max_hashtags is not None
        extra = hashtags[spec.max_hashtags :]
        return Finding(
            rule_id=RULE_ID,
            severity=Severity.BLOCK,
            spans=tuple((m.start(), m.end()) for m in extra),
            score=1.0,
            message=(f"{len(hashtags)} hashtags; {spec.name} allows at most {spec.max_hashtags}"),
            explanation=(
                f"{spec.name} refuses a caption with more than {spec.max_hashtags} hashtags "
                "(the post fails or goes up without its caption), and a wall of hashtags "
                "reads as spam."
            ),
            suggestions=(
                Suggestion(
                    "remove",
                    f"Remove {_plural(len(extra), 'hashtag')}; keep the "
                    f"{spec.max_hashtags} that matter most",
                ),
            ),
            detector=self.name,
            check="hashtags",
        )
