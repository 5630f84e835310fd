"""What a reader brings back from a network: items others wrote (network-neutral), one page
at a time, with the mark to go on from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

import httpx

from tactful.publish.connectors.base import Credentials, Result

ItemKind = Literal["mention", "reply", "quote", "comment"]


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """A post above an item in its thread (the post commented on, the status replied to)."""

    remote_id: str
    text: str
    author: str | None = None
    url: str | None = None
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {
            "id": self.remote_id,
            "author": self.author,
            "text": self.text,
            "url": self.url,
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


@dataclass(frozen=True, slots=True)
class Incoming:
    """One item someone wrote to the account, as the network served it."""

    remote_id: str
    kind: ItemKind
    text: str
    author_handle: str | None = None
    author_id: str | None = None
    url: str | None = None
    created_at: datetime | None = None
    parent_id: str | None = None
    thread: tuple[ThreadPost, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """One answer from a network. ``next`` is the mark to read the following page from
    (None: the sync has reached what the last one read). ``top`` is the newest mark this
    page shows (kept as the next sync's starting point once the whole run is in).
    ``unreadable`` counts entries the network sent that hold no item (no id)."""

    items: Sequence[Incoming] = ()
    next: str | None = None
    top: str | None = None
    unreadable: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


class Reader(Protocol):
    """Reads an account's inbox, one page per call. ``since`` is where the last finished
    sync stopped (None: the first sync), ``resume`` the ``next`` of the last page stored
    (None: start from the newest). A failure comes back as the connector's
    :class:`~tactful.publish.connectors.base.Result` (``retry``, ``unknown``, ``auth`` or
    ``rejected``)."""

    network: str

    def read(
        self,
        http: httpx.Client,
        creds: Credentials,
        *,
        since: str | None,
        resume: str | None,
        now: datetime,
    ) -> Page | Result: ...
