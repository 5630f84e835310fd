"""The one pipeline every surface shares: Post -> normalise -> detectors -> policy -> Report."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactful.core import registry
from tactful.core.findings import Finding, Report, sort_findings
from tactful.core.policy import (
    PolicyLayer,
    ResolvedPolicy,
    builtin_layers,
    load_policy_file,
    parse_layer,
)
from tactful.core.post import Post
from tactful.core.ruleset import Ruleset, default_ruleset
from tactful.core.text import normalize
from tactful.networks.length import measure

if TYPE_CHECKING:
    from tactful.store.snapshot import StoreSnapshot
from tactful.detectors.base import DetectContext, Detector
from tactful.errors import InputError, PolicyError

# Facebook's 63,206 is the longest limit of any network we publish to; leave room for notes.
MAX_TEXT_CHARS = 100_000
# Seconds a check may take per post. Every stage is linear in the text, and 100,000
# characters check in about 2 s on a 2-core machine; the budget is the backstop for what
# nobody measured. Detectors not yet run when it runs out are skipped, and the report says
# the post was not fully checked (verdict review).
CHECK_BUDGET_S = 20.0
# A detector's second look at the findings the policy kept: ``refine(post, findings)``
# returns them in the same order, improved (the classifier points them at words).
Refiner = Callable[[Post, Sequence[Finding]], list[Finding]]


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


def _overlaps(a: Finding, b: Finding) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.spans for s2, e2 in b.spans)


# Where findings of one rule overlap, the more exact one explains more: words beat the
# client gazetteer, which beats a model's whole-sentence reading.
_VAGUENESS = {"clients": 1, "classifier": 2}


def merge_overlaps(findings: list[Finding]) -> list[Finding]:
    """Drop a finding where a more exact finding of the same rule points at the same text
    (a word-level match over a client-name match over a model's sentence score)."""
    kept = []
    for f in findings:
        rank = _VAGUENESS.get(f.detector, 0)
        if rank and any(
            g.rule_id == f.rule_id and _VAGUENESS.get(g.detector, 0) < rank and _overlaps(f, g)
            for g in findings
        ):
            continue
        kept.append(f)
    return kept


class Checker:
    """Checks posts; build once and reuse (loading rules and detectors is the slow part).

    Surfaces do not build one directly: :func:`tactful.core.factory.checker_for` does, with
    the store's data and the organisation's policy, so that every surface decides alike.

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
        store: StoreSnapshot | None = None,
        budget_s: float = CHECK_BUDGET_S,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.ruleset = ruleset or default_ruleset()
        self.budget_s = budget_s
        self._clock = clock
        self.policy_files = tuple(str(p) for p in policy_files)
        self.user_layers: tuple[PolicyLayer, ...] = tuple(
            load_policy_file(p, self.ruleset) for p in policy_files
        )
        self.detectors: list[Detector] = registry.create(detectors or registry.DEFAULT_DETECTORS)
        self.store: StoreSnapshot | None = None
        self._org_layers: tuple[PolicyLayer, ...] = ()
        self._notices: tuple[str, ...] = ()  # said on every report (a policy left out)
        self._policies: dict[tuple[Any, ...], ResolvedPolicy] = {}
        # Every category appears in --all-scores output, with 0.0 where nothing fired.
        self._zero_scores = dict.fromkeys(self.ruleset.catalogue, 0.0)
        self._titles = {rule_id: r.title for rule_id, r in self.ruleset.catalogue.items()}
        if store is not None:
            self._use_store(store)

    def with_store(self, store: StoreSnapshot | None) -> Checker:
        """The same rules and detectors over new store data (a fresh snapshot), without
        loading them again; the organisation's and accounts' policies are worked out anew."""
        twin = copy.copy(self)
        twin.store = None
        twin._org_layers = ()
        twin._notices = ()
        twin._policies = {}
        if store is not None:
            twin._use_store(store)
        return twin

    def _use_store(self, store: StoreSnapshot) -> None:
        from tactful.store.org_policy import LAYER_NAME

        self.store = store
        if store.org_policy is not None:
            try:
                layer = parse_layer(dict(store.org_policy), LAYER_NAME, self.ruleset)
            except PolicyError as exc:
                # Kept when it was valid; rules may have changed since (an upgrade). Checking
                # goes on without it, and every report says so.
                self._notices = (
                    f"the organisation's policy was not applied ({exc}); fix it with "
                    "tactful policy set FILE",
                )
            else:
                self._org_layers = (layer,)

    def policy_for(self, post: Post) -> ResolvedPolicy:
        """The policy a post is checked under, most general first: the built-in layers for
        its platform, account kind and audience; the organisation's policy (from the store);
        policy files given to this checker; the account's own server limits; the account's
        own overrides."""
        a = post.account
        key = (post.platform, a.kind, a.audience, a.clients_in_audience, a.name)
        policy = self._policies.get(key)
        if policy is None:
            layers = [
                *builtin_layers(post),
                *self._org_layers,
                *self.user_layers,
                *self._account_layers(post),
            ]
            policy = ResolvedPolicy(layers, self.ruleset)
            self._policies[key] = policy
        return policy

    def _account_layers(self, post: Post) -> list[PolicyLayer]:
        """What the store knows about the account itself, most specific of all: the limits
        its server said it accepts (a Mastodon instance's characters), then its overrides,
        then the findings its user marked wrong."""
        name = post.account.name
        if self.store is None or name is None:
            return []
        layers = []
        account = next((a for a in self.store.accounts if a.name == name), None)
        # The server's limits hold on that server only: a post given another platform is
        # measured by that network's rules.
        own = self.store.own_limits.get(name)
        if own and account is not None and account.platform is post.platform:
            from tactful.networks.media import text_settings

            settings = text_settings(post.platform.value, own)
            if settings:
                layers.append(parse_layer({"settings": settings}, f"server:{name}", self.ruleset))
        if account is not None and account.policy:
            layers.append(parse_layer(dict(account.policy), f"account:{name}", self.ruleset))
        feedback = self.store.feedback.get(name)
        if feedback:
            from tactful.core.feedback import feedback_layer

            # Last of all: what the user said is wrong for this account (tactful feedback).
            layers.append(feedback_layer(name, feedback))
        return layers

    def check(self, post: Post | str, **context: Any) -> Report:
        """Check one post. ``post`` may be text plus keyword context (see :meth:`Post.build`)."""
        if isinstance(post, str):
            post = Post.build(post, **context)
        elif context:
            raise InputError("pass context either inside the Post or as keywords, not both")
        return self.check_batch([post])[0]

    def check_batch(self, posts: Sequence[Post]) -> list[Report]:
        """Check several posts at once: the same reports as :meth:`check`, but detectors that
        can work on a batch (the models) do so, which is several times faster for a scan.
        Raises :class:`InputError` for the first post whose text is empty or too long."""
        for post in posts:
            validate_text(post.text)
        started = self._clock()
        deadline = started + self.budget_s * max(len(posts), 1)
        jobs = [_Job(post, self.policy_for(post), self.store, self._notices) for post in posts]
        for i, detector in enumerate(self.detectors):
            if self._clock() > deadline:
                skipped = [d.name for d in self.detectors[i:]]
                for job in jobs:
                    job.out_of_time(skipped, self.budget_s)
                break
            t0 = time.perf_counter()
            batch = getattr(detector, "detect_batch", None)
            if batch is not None and len(jobs) > 1:
                try:
                    results = batch([j.post for j in jobs], [j.ctx for j in jobs])
                    for job, found in zip(jobs, results, strict=True):
                        job.raw.extend(found)
                except Exception as exc:
                    for job in jobs:
                        job.fail(detector.name, exc)
            else:
                for job in jobs:
                    try:
                        job.raw.extend(detector.detect(job.post, job.ctx))
                    except Exception as exc:  # a detector bug must not lose other findings
                        job.fail(detector.name, exc)
            share = (time.perf_counter() - t0) * 1000 / max(len(jobs), 1)
            for job in jobs:
                job.timings[detector.name] = share
        refiners = {d.name: d.refine for d in self.detectors if hasattr(d, "refine")}
        return [job.report(self._zero_scores, self._titles, refiners) for job in jobs]

    @property
    def detector_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.detectors)


class _Job:
    """One post on its way through the detectors."""

    def __init__(
        self,
        post: Post,
        policy: ResolvedPolicy,
        store: StoreSnapshot | None,
        notices: tuple[str, ...] = (),
    ):
        self.started = time.perf_counter()
        self.post = post
        self.policy = policy
        self.ctx = DetectContext(
            norm=normalize(post.text),
            settings=policy.settings,
            store=store,
            length=measure(post.text, post.platform, policy.settings),
        )
        self.timings = {"normalize": (time.perf_counter() - self.started) * 1000}
        self.raw: list[Finding] = []
        self.notices: list[str] = list(notices)
        self.failed: list[str] = []

    def fail(self, name: str, exc: Exception) -> None:
        self.failed.append(name)
        self.notices.append(
            f"detector {name} failed ({type(exc).__name__}: {exc}); the post was not fully checked"
        )

    def out_of_time(self, skipped: Sequence[str], budget_s: float) -> None:
        self.failed.extend(skipped)
        self.notices.append(
            f"the check ran past its time budget ({budget_s:g} s a post) before "
            f"{', '.join(skipped)}; the post was not fully checked: split it into shorter posts"
        )

    def report(
        self,
        zero_scores: Mapping[str, float],
        titles: Mapping[str, str],
        refiners: Mapping[str, Refiner] | None = None,
    ) -> Report:
        kept, suppressed = self.policy.apply(merge_overlaps(self.raw), self.post.text)
        for name, refine in (refiners or {}).items():
            # What a detector does only for the findings the policy kept (the classifier
            # points its findings at words, which costs a few scorings each).
            mine = [f for f in kept if f.detector == name]
            if mine and name not in self.failed:
                try:
                    better = refine(self.post, mine)
                    if len(better) != len(mine):
                        raise ValueError(f"gave {len(better)} findings back for {len(mine)}")
                    by_id = dict(zip(map(id, mine), better, strict=True))
                    kept = [by_id.get(id(f), f) for f in kept]
                except Exception as exc:  # the findings stand as they were
                    self.notices.append(
                        f"detector {name} could not point at words ({type(exc).__name__}: {exc})"
                    )
        self.timings["total"] = (time.perf_counter() - self.started) * 1000

        def titled(f: Finding) -> Finding:
            return replace(f, title=titles.get(f.rule_id, f.title))

        return Report(
            post=self.post,
            findings=tuple(sort_findings(titled(f) for f in kept)),
            suppressed=tuple(replace(s, finding=titled(s.finding)) for s in suppressed),
            scores={**zero_scores, **self.ctx.scores},
            length=self.ctx.length,
            timings_ms=self.timings,
            policy_layers=self.policy.layer_names,
            notices=tuple(self.notices),
            failed_detectors=tuple(self.failed),
        )


_default: Checker | None = None


def check(text: str, **context: Any) -> Report:
    """Check one post with the built-in policy: ``tactful.check("text", platform="x")``."""
    global _default
    if _default is None:
        _default = Checker()
    return _default.check(text, **context)
