"""What the checker needs from the store, read once into plain, picklable data.

Detectors stay pure (no database access): :func:`tactful.core.factory.checker_for` loads a
:class:`StoreSnapshot` and gives it to the checker, which hands it to every detector as
``ctx.store``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tactful.core.feedback import FeedbackRule
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
from tactful.store.feedback import rules_by_account
from tactful.store.kinds import ContactKind, Relation
from tactful.store.media import MediaRecord, list_media
from tactful.store.models import (
    AccountRow,
    ConsentEventRow,
    ContactRow,
    CredentialRow,
    DoNotTagEventRow,
    utcnow,
)
from tactful.store.org_policy import current_policy

if TYPE_CHECKING:
    from tactful.store.db import Store


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
    # The organisation's policy layer in force (None: none set), and what each connected
    # account's own server said it accepts (a Mastodon instance's ``max_characters``).
    org_policy: Mapping[str, Any] | None = None
    own_limits: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Each account's "this finding is wrong" (tactful feedback), by account name.
    feedback: Mapping[str, tuple[FeedbackRule, ...]] = field(default_factory=dict)
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


def snapshot_of(store: Store, now: datetime | None = None) -> StoreSnapshot:
    """What ``store`` holds now, for a checker (consent judged at ``now``)."""
    with store.session() as session:
        return load_snapshot(session, now)


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
    policy = current_policy(session)
    limits = session.execute(
        select(AccountRow.name, CredentialRow.limits).join(
            CredentialRow, CredentialRow.account_id == AccountRow.id
        )
    )
    return StoreSnapshot(
        now=now or utcnow(),
        contacts=contacts,
        accounts=tuple(list_accounts(session)),
        media=tuple(list_media(session)),
        org_policy=policy.policy if policy is not None else None,
        own_limits={name: dict(own) for name, own in limits if own},
        feedback=rules_by_account(session),
    )


def change_stamp(session: Session) -> tuple[object, ...]:
    """A cheap stamp of what other processes change behind a long-running checker's back
    (``tactful policy set``, ``accounts connect``, ``tactful feedback``): when it moves, the
    snapshot is stale."""
    from sqlalchemy import func

    from tactful.store.models import FeedbackRow, PolicyEventRow

    # One round trip: the composer asks on every check. Feedback: a new row raises the
    # highest id, a removed one lowers the count.
    row = session.execute(
        select(
            select(func.max(PolicyEventRow.id)).scalar_subquery(),
            select(func.max(CredentialRow.updated_at)).scalar_subquery(),
            select(func.count(CredentialRow.id)).scalar_subquery(),
            select(func.max(FeedbackRow.id)).scalar_subquery(),
            select(func.count(FeedbackRow.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)
