"""Contacts: people and organisations, their handles per platform and how you know them.

A contact is named on the command line by ``@handle`` (any platform), ``PLATFORM:@handle``,
``#ID`` or its exact name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tactful.core.post import parse_enum
from tactful.errors import InputError
from tactful.networks.platforms import Platform
from tactful.store.fields import row_id, text
from tactful.store.kinds import ContactKind, Relation
from tactful.store.models import ContactRow, HandleRow

PLATFORMS = frozenset(p.value for p in Platform)


def normalize_handle(handle: str) -> str:
    """Handles compare without the leading @ and without case (``@Jane_Doe`` = ``jane_doe``)."""
    h = (handle or "").strip()
    if h.startswith("@"):
        h = h[1:]
    h = h.strip().lower()
    if not h or len(h) > 200 or any(c.isspace() for c in h):
        raise InputError(f"{handle!r} is not a handle; write it like @jane_doe")
    return h


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    name: str
    kind: ContactKind
    relation: Relation
    handles: tuple[tuple[str, str], ...] = ()  # (platform, handle)
    organisation: str | None = None
    position: str | None = None
    email: str | None = None
    notes: str | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.kind is ContactKind.PERSON and self.name else self.name

    def handle_on(self, platform: str) -> str | None:
        for p, h in self.handles:
            if p == platform:
                return h
        return self.handles[0][1] if self.handles else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "relation": self.relation.value,
            "handles": [{"platform": p, "handle": h} for p, h in self.handles],
            "organisation": self.organisation,
            "position": self.position,
            "email": self.email,
            "notes": self.notes,
        }


def record(row: ContactRow) -> ContactRecord:
    return ContactRecord(
        id=row.id,
        name=row.name,
        kind=ContactKind(row.kind),
        relation=Relation(row.relation),
        handles=tuple((h.platform, h.handle) for h in row.handles),
        organisation=row.organisation,
        position=row.position,
        email=row.email,
        notes=row.notes,
    )


LIMITS = {"name": 200, "organisation": 200, "position": 200, "email": 320, "notes": 10_000}


def _handles(handles: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = handles.items() if isinstance(handles, Mapping) else handles
    out = []
    for platform, handle in items:
        p = parse_enum(Platform, platform, "platform").value
        out.append((p, normalize_handle(handle)))
    return out


def _check_free(session: Session, pairs: Iterable[tuple[str, str]], own_id: int | None) -> None:
    for platform, handle in pairs:
        owner = session.scalar(
            select(HandleRow.contact_id).where(
                HandleRow.platform == platform, HandleRow.handle == handle
            )
        )
        if owner is not None and owner != own_id:
            raise InputError(f"{platform} handle @{handle} already belongs to contact #{owner}")


def add_contact(
    session: Session,
    name: str,
    *,
    kind: str = "person",
    relation: str = "other",
    handles: Mapping[str, str] | Iterable[tuple[str, str]] = (),
    organisation: str | None = None,
    position: str | None = None,
    email: str | None = None,
    notes: str | None = None,
    source: str | None = None,
) -> ContactRecord:
    name = text(name, "a contact's name", 200, required=True) or ""
    pairs = _handles(handles)
    _check_free(session, pairs, None)
    row = ContactRow(
        name=name,
        kind=parse_enum(ContactKind, kind, "contact kind").value,
        relation=parse_enum(Relation, relation, "relation").value,
        organisation=text(organisation, "organisation", 200),
        position=text(position, "position", 200),
        email=text(email, "e-mail", 320),
        notes=text(notes, "notes", 10_000),
        source=text(source, "source", 200),
    )
    row.handles = [HandleRow(platform=p, handle=h) for p, h in pairs]
    session.add(row)
    session.flush()
    return record(row)


def _query() -> Any:
    return select(ContactRow).options(selectinload(ContactRow.handles))


def find_row(session: Session, ref: str) -> ContactRow:
    """The contact named by ``@handle``, ``platform:@handle``, ``#id`` or exact name."""
    ref = (ref or "").strip()
    rows: list[ContactRow]
    if row_id(ref) is not None:
        row = session.scalar(_query().where(ContactRow.id == row_id(ref)))
        rows = [row] if row is not None else []
    elif "@" in ref and not ref.startswith("@") and ref.split(":", 1)[0] in PLATFORMS:
        platform, handle = ref.split(":", 1)
        rows = list(
            session.scalars(
                _query()
                .join(HandleRow)
                .where(HandleRow.platform == platform, HandleRow.handle == normalize_handle(handle))
            ).unique()
        )
    elif ref.startswith("@"):
        rows = list(
            session.scalars(
                _query().join(HandleRow).where(HandleRow.handle == normalize_handle(ref))
            ).unique()
        )
    else:
        rows = list(session.scalars(_query().where(ContactRow.name == ref)).unique())
        if not rows:  # case-insensitively, in Python: SQLite's lower() knows only ASCII
            key = ref.casefold()
            rows = [
                r
                for r in session.scalars(_query().order_by(ContactRow.id)).unique()
                if r.name.casefold() == key
            ]
    if not rows:
        raise InputError(
            f"no contact {ref!r}; name one by @handle, platform:@handle, #id or exact name "
            "(see 'tactful contacts list')"
        )
    if len(rows) > 1:
        ids = ", ".join(f"#{r.id}" for r in rows)
        raise InputError(f"{ref!r} matches several contacts ({ids}); use #id or platform:@handle")
    return rows[0]


def find_contact(session: Session, ref: str) -> ContactRecord:
    return record(find_row(session, ref))


def list_contacts(
    session: Session, *, relation: str | None = None, search: str | None = None
) -> list[ContactRecord]:
    q = _query().order_by(func.lower(ContactRow.name), ContactRow.id)
    if relation:
        q = q.where(ContactRow.relation == parse_enum(Relation, relation, "relation").value)
    if search:
        # A name, organisation or handle (with or without its @).
        needle = search.lower().strip()
        by_handle = select(HandleRow.contact_id).where(
            func.lower(HandleRow.handle).contains(needle.lstrip("@"))
        )
        q = q.where(
            func.lower(ContactRow.name).contains(needle)
            | func.lower(ContactRow.organisation).contains(needle)
            | ContactRow.id.in_(by_handle)
        )
    return [record(r) for r in session.scalars(q).unique()]


def edit_contact(session: Session, ref: str, **changes: Any) -> ContactRecord:
    row = find_row(session, ref)
    for key, value in changes.items():
        if value is None:
            continue
        if key == "relation":
            row.relation = parse_enum(Relation, value, "relation").value
        elif key == "kind":
            row.kind = parse_enum(ContactKind, value, "contact kind").value
        elif key in LIMITS:
            setattr(row, key, text(value, key, LIMITS[key], required=key == "name"))
        elif key == "add_handles":
            pairs = _handles(value)
            _check_free(session, pairs, row.id)
            have = {(h.platform, h.handle) for h in row.handles}
            row.handles.extend(
                HandleRow(platform=p, handle=h) for p, h in pairs if (p, h) not in have
            )
        else:
            raise InputError(f"cannot edit {key!r}")
    session.flush()
    return record(row)


def remove_contact(session: Session, ref: str, *, purge: bool = False) -> ContactRecord:
    """Remove a contact. One with ledger history is kept unless ``purge`` (which deletes the
    history with it, for a person who asked to be forgotten)."""
    from tactful.store.db import delete_with_history
    from tactful.store.models import ConsentEventRow, DoNotTagEventRow

    row = find_row(session, ref)
    rec = record(row)
    events: list[Any] = []
    for model in (ConsentEventRow, DoNotTagEventRow):
        events.extend(
            session.scalars(select(model).where(model.contact_id == row.id).with_for_update())
        )
    delete_with_history(
        session,
        row,
        events,
        purge=purge,
        refusal=f"{rec.name} has consent history, which is never deleted quietly; add --purge "
        "to delete the contact and its history",
    )
    return rec
