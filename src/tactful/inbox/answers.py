"""What tactful offers before an answer goes out (data in ``inbox/answers.yml``): a drafted
reply per class of item, kind of account and platform; the guidance's advice where a reply
would feed a fight; and where a network takes reports it has no API for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, model_validator

from tactful.core.data import DataModel, Source, Text, placeholders
from tactful.core.post import AccountKind
from tactful.networks.platforms import Platform

Draft = Annotated[Text, AfterValidator(placeholders("greeting", "channel"))]


class ReportPlace(DataModel):
    url: str | None = None  # the network's help page; None: the item's own address
    how: Text


class AnswersFile(DataModel):
    """``inbox/answers.yml``: ``drafts`` per class, kind of account and platform (each
    kind with a ``generic`` draft), ``private_channel`` per platform, ``hold_back`` advice
    per class, and ``report`` places per network."""

    drafts: dict[str, dict[AccountKind, dict[Platform, Draft]]]
    private_channel: dict[Platform, Text]
    hold_back: dict[str, Text]
    report: dict[Platform, ReportPlace]

    @model_validator(mode="after")
    def _complete(self) -> AnswersFile:
        from tactful.inbox.triage import CLASSES

        for category, kinds in self.drafts.items():
            if category not in CLASSES:
                raise ValueError(f"drafts: no class {category!r}; use one of {', '.join(CLASSES)}")
            for kind in AccountKind:
                if Platform.GENERIC not in kinds.get(kind, {}):
                    raise ValueError(f"drafts.{category}.{kind.value} needs a 'generic' draft")
        if Platform.GENERIC not in self.private_channel:
            raise ValueError("private_channel needs a 'generic' entry")
        unknown = sorted(set(self.hold_back) - set(CLASSES))
        if unknown:
            raise ValueError(f"hold_back: no class {unknown[0]!r}")
        return self


@cache
def answers() -> AnswersFile:
    return Source.package("tactful.inbox", "answers.yml").load(AnswersFile)


def _platform(network: str) -> Platform:
    try:
        return Platform(network)
    except ValueError:
        return Platform.GENERIC


def greeting(network: str, handle: str | None) -> str:
    """How a reply addresses the author: their handle as the network writes a mention."""
    if not handle:
        return "there"
    name = handle.lstrip("@")
    if network in ("x", "mastodon", "bluesky", "instagram"):
        return "@" + name
    return name


def draft_reply(
    category: str | None, network: str, account_kind: str, author_handle: str | None
) -> str | None:
    """The drafted reply for an item of ``category`` (None when the class has no draft)."""
    data = answers()
    kinds = data.drafts.get(category or "")
    if kinds is None:
        return None
    platform = _platform(network)
    table = kinds[AccountKind(account_kind)]
    template = table.get(platform) or table[Platform.GENERIC]
    channel = data.private_channel.get(platform) or data.private_channel[Platform.GENERIC]
    return template.format(greeting=greeting(network, author_handle), channel=channel)


def hold_back(category: str | None) -> str | None:
    """The guidance's advice before replying to an item of ``category``, if any."""
    return answers().hold_back.get(category or "")


@dataclass(frozen=True, slots=True)
class ReportLink:
    url: str | None
    how: str


def report_link(network: str, item_url: str | None) -> ReportLink:
    """Where to report an item on a network whose API takes no reports from tactful."""
    place = answers().report.get(_platform(network))
    if place is None:
        return ReportLink(item_url, "Open the item on the network and use its report option.")
    return ReportLink(place.url or item_url, place.how)
