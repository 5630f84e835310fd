"""The one pipeline every surface shares: Post -> normalise -> detectors -> policy -> Report."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tactful import registry
from tactful.detectors.base import DetectContext, Detector
from tactful.errors import InputError
from tactful.findings import Report, sort_findings
from tactful.policy import PolicyLayer, ResolvedPolicy, builtin_layers, load_policy_file
from tactful.post import Post
from tactful.ruleset import Ruleset, default_ruleset
from tactful.text import normalize

# Facebook's 63,206 is the longest limit of any network we publish to; leave room for notes.
MAX_TEXT_CHARS = 100_000


def validate_text(text: str) -> None:
    if not text.strip():
        raise InputError("nothing to check: the text is empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"text has an invalid character at position {exc.start} (a lone surrogate "
            f"{text[exc.start]!a}); save it as UTF-8 and try again"
        ) from None
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"text is {len(text):,} characters; tactful checks at most {MAX_TEXT_CHARS:,} "
            "(the longest network limit is Facebook's 63,206): split it into posts"
        )


class Checker:
    """Checks posts; build once and reuse (loading rules and detectors is the slow part).

    Example::

        checker = Checker(policy_files=["team-policy.yml"])
        report = checker.check("Great quarter!", platform="linkedin", account_kind="brand")
    """

    def __init__(
        self,
        *,
        policy_files: Sequence[str | Path] = (),
        detectors: Sequence[str] | None = None,
        ruleset: Ruleset | None = None,
        extras: Mapping[str, Any] | None = None,
    ):
        self.ruleset = ruleset or default_ruleset()
        self.user_layers: tuple[PolicyLayer, ...] = tuple(
            load_policy_file(p, self.ruleset) for p in policy_files
        )
        self.detectors: list[Detector] = registry.create(detectors or registry.DEFAULT_DETECTORS)
        self.extras: Mapping[str, Any] = extras or {}
        self._policies: dict[tuple[Any, ...], ResolvedPolicy] = {}
        # Every category appears in --all-scores output, with 0.0 where nothing fired.
        self._zero_scores = dict.fromkeys(self.ruleset.catalogue, 0.0)

    def policy_for(self, post: Post) -> ResolvedPolicy:
        a = post.account
        key = (post.platform, a.kind, a.audience, a.clients_in_audience)
        policy = self._policies.get(key)
        if policy is None:
            policy = ResolvedPolicy([*builtin_layers(post), *self.user_layers], self.ruleset)
            self._policies[key] = policy
        return policy

    def check(self, post: Post | str, **context: Any) -> Report:
        """Check one post. ``post`` may be text plus keyword context (see :meth:`Post.build`)."""
        if isinstance(post, str):
            post = Post.build(post, **context)
        elif context:
            raise InputError("pass context either inside the Post or as keywords, not both")
        validate_text(post.text)
        started = time.perf_counter()
        policy = self.policy_for(post)
        ctx = DetectContext(norm=normalize(post.text), settings=policy.settings, extras=self.extras)
        timings = {"normalize": (time.perf_counter() - started) * 1000}
        raw = []
        notices = []
        failed = []
        for detector in self.detectors:
            t0 = time.perf_counter()
            try:
                raw.extend(detector.detect(post, ctx))
            except Exception as exc:  # a detector bug must not lose the other findings
                failed.append(detector.name)
                notices.append(
                    f"detector {detector.name} failed ({type(exc).__name__}: {exc}); "
                    "the post was not fully checked"
                )
            timings[detector.name] = (time.perf_counter() - t0) * 1000
        kept, suppressed = policy.apply(raw, post.text)
        timings["total"] = (time.perf_counter() - started) * 1000
        return Report(
            post=post,
            findings=tuple(sort_findings(kept)),
            suppressed=tuple(suppressed),
            scores={**self._zero_scores, **ctx.scores},
            timings_ms=timings,
            policy_layers=policy.layer_names,
            notices=tuple(notices),
            failed_detectors=tuple(failed),
        )

    def check_many(self, posts: Iterable[Post]) -> Iterator[Report]:
        for post in posts:
            yield self.check(post)


_default: Checker | None = None


def check(text: str, **context: Any) -> Report:
    """Check one post with the built-in policy: ``tactful.check("text", platform="x")``."""
    global _default
    if _default is None:
        _default = Checker()
    return _default.check(text, **context)
