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
