"""The consent ledger: may we tag this contact, on which platform, until when, and says who.

Append-only: each request, answer or withdrawal is a new event with who, when and why. The
current state for a platform is the newest event for that platform or for every platform
(``platform`` None), whichever is newer; an expired grant counts as no consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.core.post import parse_enum
from tactful.errors import InputError
from tactful.networks.platforms import Platform
from tactful.store.contacts import ContactRecord, find_row, record
from tactful.store.fields import text
from tactful.store.kinds import ConsentStatus
from tactful.store.models import ConsentEventRow, DoNotTagEventRow, utcnow


@dataclass(frozen=True, slots=True)
class ConsentEvent:
    id: int
    contact_id: int
    platform: str | None
    status: ConsentStatus
    expires_at: datetime | None
    evidence: str | None
    reason: str | None
    actor: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "contact_id": self.contact_id,
            "platform": self.platform,
            "status": self.status.value,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "evidence": self.evidence,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class DoNotTagEvent:
    id: int
    contact_id: int
    active: bool
    reason: str
    actor: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "on_list": self.active,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Ledger:
    """A contact and every entry about them: consent events and do-not-tag changes."""

    contact: ContactRecord
    consent: list[ConsentEvent]
    do_not_tag: list[DoNotTagEvent]


def event_from_row(row: ConsentEventRow) -> ConsentEvent:
    return ConsentEvent(
        id=row.id,
        contact_id=row.contact_id,
        platform=row.platform,
        status=ConsentStatus(row.status),
        expires_at=row.expires_at,
        evidence=row.evidence,
        reason=row.reason,
        actor=row.actor,
        created_at=row.created_at,
    )


def dnt_from_row(row: DoNotTagEventRow) -> DoNotTagEvent:
    return DoNotTagEvent(row.id, row.contact_id, row.active, row.reason, row.actor, row.created_at)


RECORDABLE = (
    ConsentStatus.PENDING,
    ConsentStatus.GRANTED,
    ConsentStatus.REFUSED,
    ConsentStatus.WITHDRAWN,
)


def record_consent(
    session: Session,
    contact_ref: str,
    status: str,
    *,
    actor: str,
    platform: str | None = None,
    expires_at: datetime | None = None,
    evidence: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ConsentEvent:
    st = parse_enum(ConsentStatus, status, "consent status")
    if st not in RECORDABLE:
        raise InputError("record pending, granted, refused or withdrawn")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InputError("give the expiry with a time zone (or as a date)")
        if st is not ConsentStatus.GRANTED:
            raise InputError("only a grant has an expiry")
        if expires_at <= (now or utcnow()):
            raise InputError("the expiry is in the past")
    row_contact = find_row(session, contact_ref)
    row = ConsentEventRow(
        contact_id=row_contact.id,
        platform=parse_enum(Platform, platform, "platform").value if platform else None,
        status=st.value,
        expires_at=expires_at,
        evidence=text(evidence, "evidence", 10_000),
        reason=text(reason, "reason", 10_000),
        actor=text(actor, "--by", 120, required=True) or "",
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return event_from_row(row)


def history(session: Session, contact_id: int) -> list[ConsentEvent]:
    rows = session.scalars(
        select(ConsentEventRow)
        .where(ConsentEventRow.contact_id == contact_id)
        .order_by(ConsentEventRow.id)
    )
    return [event_from_row(r) for r in rows]


def state_from(
    events: list[ConsentEvent], platform: str, now: datetime
) -> tuple[ConsentStatus, ConsentEvent | None]:
    """The consent that holds on ``platform`` at ``now``, given a contact's events in the
    order they were recorded (by id: one machine's clock cannot reorder a shared ledger)."""
    latest: ConsentEvent | None = None
    for ev in events:
        if ev.platform in (None, platform) and ev.created_at <= now:
            latest = ev
    if latest is None:
        return ConsentStatus.NONE, None
    if (
        latest.status is ConsentStatus.GRANTED
        and latest.expires_at is not None
        and latest.expires_at <= now
    ):
        return ConsentStatus.EXPIRED, latest
    return latest.status, latest


def current_state(
    session: Session, contact_id: int, platform: str, now: datetime | None = None
) -> tuple[ConsentStatus, ConsentEvent | None]:
    return state_from(history(session, contact_id), platform, now or utcnow())


def set_do_not_tag(
    session: Session, contact_ref: str, *, active: bool, reason: str, actor: str
) -> tuple[ContactRecord, DoNotTagEvent]:
    reason = text(reason, "reason", 10_000) or ""
    if not reason:
        raise InputError("say why (--reason): the do-not-tag list keeps a reason for every change")
    row_contact = find_row(session, contact_ref)
    row = DoNotTagEventRow(
        contact_id=row_contact.id,
        active=active,
        reason=reason,
        actor=text(actor, "--by", 120, required=True) or "",
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return record(row_contact), dnt_from_row(row)


def do_not_tag_history(session: Session, contact_id: int) -> list[DoNotTagEvent]:
    rows = session.scalars(
        select(DoNotTagEventRow)
        .where(DoNotTagEventRow.contact_id == contact_id)
        .order_by(DoNotTagEventRow.id)
    )
    return [dnt_from_row(r) for r in rows]


def ledger(session: Session, contact_ref: str) -> Ledger:
    contact = record(find_row(session, contact_ref))
    return Ledger(contact, history(session, contact.id), do_not_tag_history(session, contact.id))


def do_not_tag_reason(events: list[DoNotTagEvent]) -> str | None:
    """The reason an organisation is on the do-not-tag list now, or None."""
    return events[-1].reason if events and events[-1].active else None


def ask(
    session: Session,
    contact_ref: str,
    *,
    platform: str,
    actor: str,
    about: str | None = None,
    sender: str | None = None,
    again: bool = False,
) -> tuple[ContactRecord, str, ConsentEvent]:
    """Draft a private message asking to tag the contact and record the request as pending."""
    from tactful.store.drafts import consent_request

    contact = record(find_row(session, contact_ref))
    p = parse_enum(Platform, platform, "platform")
    state, _ = current_state(session, contact.id, p.value)
    dnt = do_not_tag_reason(do_not_tag_history(session, contact.id))
    if not again and (state in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN) or dnt):
        why = f"is on the do-not-tag list ({dnt})" if dnt else f"{state.value} on {p.value}"
        raise InputError(
            f"{contact.name} {why}: asking again can feel like pressure; if they invited it, "
            "add --again"
        )
    draft = consent_request(contact, p, about=about, sender=sender)
    event = record_consent(
        session,
        f"#{contact.id}",
        "pending",
        actor=actor,
        platform=p.value,
        evidence="asked by private message (draft written by tactful consent ask)",
        reason=f"asked to tag: {about}" if about else "asked to tag",
    )
    return contact, draft, event


__all__ = [
    "ConsentEvent",
    "ConsentStatus",
    "DoNotTagEvent",
    "Ledger",
    "ask",
    "current_state",
    "do_not_tag_history",
    "do_not_tag_reason",
    "history",
    "ledger",
    "record_consent",
    "set_do_not_tag",
    "state_from",
]
