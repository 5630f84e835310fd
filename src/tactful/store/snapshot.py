"""What the checker needs from the store, read once into plain, picklable data.

Detectors stay pure (no database access): the CLI, the API or a scan worker loads a
:class:`StoreSnapshot` and passes it to the checker in ``extras["store"]``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tactful.store.accounts import AccountRecord, list_accounts
from tactful.store.consent import (
    ConsentEvent,
    ConsentStatus,
    DoNotTagEvent,
    dnt_from_row,
    do_not_tag_reason,
    event_from_row,
    state_from,
)
from tactful.store.contacts import ContactRecord, record
from tactful.store.kinds import ContactKind, Relation
from tactful.store.media import MediaRecord, list_media
from tactful.store.models import ConsentEventRow, ContactRow, DoNotTagEventRow, utcnow

if TYPE_CHECKING:
    from tactful.store.db import Store

EXTRAS_KEY = "store"


@dataclass(frozen=True, slots=True)
class ContactView:
    contact: ContactRecord
    consent: tuple[ConsentEvent, ...] = ()
    do_not_tag: str | None = None  # the reason, while on the list

    def consent_on(self, platform: str, now: datetime) -> tuple[ConsentStatus, ConsentEvent | None]:
        return state_from(list(self.consent), platform, now)


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    now: datetime
    contacts: tuple[ContactView, ...] = ()
    accounts: tuple[AccountRecord, ...] = ()
    media: tuple[MediaRecord, ...] = ()
    _by_handle: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    _by_sha: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    _clients: list[tuple[str, ContactRecord]] = field(
        default_factory=list, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for i, view in enumerate(self.contacts):
            for platform, handle in view.contact.handles:
                self._by_handle.setdefault(f"{platform}:{handle}", []).append(i)
                self._by_handle.setdefault(f"*:{handle}", []).append(i)
        for i, m in enumerate(self.media):
            self._by_sha[m.sha256] = i
        self._clients.extend(self._client_names())

    def contact_for(self, platform: str, handle: str) -> ContactView | None:
        """The contact with this handle on ``platform``; on a generic platform, the one
        contact with this handle anywhere (None when unknown or ambiguous)."""
        hits = self._by_handle.get(f"{platform}:{handle}")
        if not hits and platform == "generic":
            hits = self._by_handle.get(f"*:{handle}")
            if hits and len({self.contacts[i].contact.id for i in hits}) > 1:
                return None
        return self.contacts[hits[0]] if hits else None

    def media_for(self, sha256: str) -> MediaRecord | None:
        i = self._by_sha.get(sha256)
        return self.media[i] if i is not None else None

    def client_names(self) -> list[tuple[str, ContactRecord]]:
        """Names that identify a client: client organisations, and the organisations of
        people recorded as clients (at least 3 characters, so that initials don't match),
        longest first. Worked out once per snapshot: the checks ask for every post."""
        return self._clients

    def _client_names(self) -> list[tuple[str, ContactRecord]]:
        names: dict[str, ContactRecord] = {}
        for view in self.contacts:
            c = view.contact
            if c.relation is not Relation.CLIENT:
                continue
            if c.kind is ContactKind.ORGANISATION:
                names.setdefault(c.name, c)
            if c.organisation:
                names.setdefault(c.organisation, c)
        return sorted(((n, c) for n, c in names.items() if len(n) >= 3), key=lambda x: -len(x[0]))

    def accounts_on(self, platform: str) -> list[AccountRecord]:
        return [a for a in self.accounts if a.platform.value == platform]


def store_extras(store: Store) -> dict[str, StoreSnapshot]:
    """A checker's ``extras`` for what ``store`` holds now: ``Checker(extras=...)`` or
    ``checker.with_extras(...)``."""
    with store.session() as session:
        return {EXTRAS_KEY: load_snapshot(session)}


def load_snapshot(session: Session, now: datetime | None = None) -> StoreSnapshot:
    consent: dict[int, list[ConsentEvent]] = defaultdict(list)
    for row in session.scalars(select(ConsentEventRow).order_by(ConsentEventRow.id)):
        consent[row.contact_id].append(event_from_row(row))
    dnt: dict[int, list[DoNotTagEvent]] = defaultdict(list)
    for r in session.scalars(select(DoNotTagEventRow).order_by(DoNotTagEventRow.id)):
        dnt[r.contact_id].append(dnt_from_row(r))
    contacts = tuple(
        ContactView(record(row), tuple(consent[row.id]), do_not_tag_reason(dnt[row.id]))
        for row in session.scalars(
            select(ContactRow).options(selectinload(ContactRow.handles)).order_by(ContactRow.id)
        )
    )
    return StoreSnapshot(
        now=now or utcnow(),
        contacts=contacts,
        accounts=tuple(list_accounts(session)),
        media=tuple(list_media(session)),
    )
