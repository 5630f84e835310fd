"""Detector classes the registry tests register as plug-ins (``fake_detectors:Name``)."""

from __future__ import annotations

from typing import ClassVar

from tactful.core.findings import Finding
from tactful.core.post import Post
from tactful.detectors.base import DetectContext


class _Fake:
    name = "fake"
    rule_ids: ClassVar[tuple[str, ...]] = ("work.venting",)

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        return []


class Scores(_Fake):
    name = "scores"


class Reader(_Fake):
    name = "reader"
    after: ClassVar[tuple[str, ...]] = ("scores",)


class LateReader(_Fake):
    name = "late"
    after: ClassVar[tuple[str, ...]] = ("reader", "scores")


class Loop(_Fake):
    name = "loop"
    after: ClassVar[tuple[str, ...]] = ("loop2",)


class Loop2(_Fake):
    name = "loop2"
    after: ClassVar[tuple[str, ...]] = ("loop",)


class UnknownRule(_Fake):
    name = "unknown_rule"
    rule_ids: ClassVar[tuple[str, ...]] = ("work.venting", "work.gossip")


class NoRules(_Fake):
    name = "no_rules"
    rule_ids: ClassVar[tuple[str, ...]] = ()


class Misnamed(_Fake):
    name = "something_else"


class AfterNobody(_Fake):
    name = "after_nobody"
    after: ClassVar[tuple[str, ...]] = ("clasifier",)


class Slow(_Fake):
    """A check that takes as long as the test wants: it waits until ``release`` is set
    (a hang guard ends the wait), counting how many checks are inside it at once."""

    name = "slow"
    GIVE_UP_S = 120.0

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()
        self.inside = 0
        self.most = 0
        self.calls = 0
        self._lock = threading.Lock()

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        with self._lock:
            self.inside += 1
            self.calls += 1
            self.most = max(self.most, self.inside)
        try:
            self.release.wait(self.GIVE_UP_S)
        finally:
            with self._lock:
                self.inside -= 1
        return []
