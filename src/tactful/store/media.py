"""The media library: files by content hash, the right to use each, and releases from the
people shown. Rights and releases are append-only; the newest rights entry holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.core.mediafile import MediaInfo, inspect
from tactful.core.post import parse_enum
from tactful.errors import InputError
from tactful.store.contacts import find_row
from tactful.store.fields import row_id, text
from tactful.store.kinds import RightsBasis
from tactful.store.models import MediaRow, ReleaseRow, RightsEventRow, utcnow


@dataclass(frozen=True, slots=True)
class Rights:
    basis: RightsBasis
    licence_name: str | None = None
    licence_url: str | None = None
    attribution: str | None = None
    permission_from: str | None = None
    evidence: str | None = None
    actor: str | None = None
    at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis.value,
            "licence_name": self.licence_name,
            "licence_url": self.licence_url,
            "attribution": self.attribution,
            "permission_from": self.permission_from,
            "evidence": self.evidence,
            "actor": self.actor,
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass(frozen=True, slots=True)
class MediaRecord:
    id: int
    sha256: str
    filename: str
    mime: str | None
    width: int | None
    height: int | None
    faces: int | None
    gps: tuple[float, float] | None
    identifying: tuple[str, ...]
    rights: Rights
    releases: tuple[str, ...]  # people who gave a release

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sha256": self.sha256,
            "filename": self.filename,
            "mime": self.mime,
            "width": self.width,
            "height": self.height,
            "faces": self.faces,
            "gps": list(self.gps) if self.gps else None,
            "identifying_metadata": list(self.identifying),
            "rights": self.rights.to_dict(),
            "releases": list(self.releases),
        }


def _rights(row: RightsEventRow | None) -> Rights:
    if row is None:
        return Rights(RightsBasis.UNKNOWN)
    return Rights(
        RightsBasis(row.basis),
        row.licence_name,
        row.licence_url,
        row.attribution,
        row.permission_from,
        row.evidence,
        row.actor,
        row.created_at,
    )


def _latest_rights(session: Session, media_id: int) -> RightsEventRow | None:
    return session.scalar(
        select(RightsEventRow)
        .where(RightsEventRow.media_id == media_id)
        .order_by(RightsEventRow.id.desc())
        .limit(1)
    )


def _record(session: Session, row: MediaRow) -> MediaRecord:
    releases = session.scalars(
        select(ReleaseRow.person).where(ReleaseRow.media_id == row.id).order_by(ReleaseRow.id)
    )
    gps = (
        (row.gps_lat, row.gps_lon) if row.gps_lat is not None and row.gps_lon is not None else None
    )
    return MediaRecord(
        id=row.id,
        sha256=row.sha256,
        filename=row.filename,
        mime=row.mime,
        width=row.width,
        height=row.height,
        faces=row.faces if row.width is not None else None,
        gps=gps,
        identifying=tuple(row.metadata_fields or ()),
        rights=_rights(_latest_rights(session, row.id)),
        releases=tuple(releases),
    )


def add_media(session: Session, path: str | Path) -> tuple[MediaRecord, bool]:
    """Add a file (or find it: the same bytes are the same media). Returns (record, added)."""
    info: MediaInfo = inspect(path)
    row = session.scalar(select(MediaRow).where(MediaRow.sha256 == info.sha256))
    if row is not None:
        return _record(session, row), False
    row = MediaRow(
        sha256=info.sha256,
        filename=Path(info.path).name,
        mime=info.mime,
        width=info.width,
        height=info.height,
        faces=info.faces or 0,
        gps_lat=info.gps[0] if info.gps else None,
        gps_lon=info.gps[1] if info.gps else None,
        metadata_fields=list(info.identifying),
        added_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _record(session, row), True


def find_media_row(session: Session, ref: str) -> MediaRow:
    """A media file by path (hashed), ``#id``, or a sha256 prefix of at least 8 characters."""
    ref = (ref or "").strip()
    row: MediaRow | None
    if row_id(ref) is not None:
        row = session.get(MediaRow, row_id(ref))
    elif Path(ref).is_file():
        from tactful.core.hashing import sha256_file

        row = session.scalar(select(MediaRow).where(MediaRow.sha256 == sha256_file(Path(ref))))
    elif len(ref) >= 8 and all(c in "0123456789abcdef" for c in ref.lower()):
        rows = list(
            session.scalars(select(MediaRow).where(MediaRow.sha256.startswith(ref.lower())))
        )
        if len(rows) > 1:
            raise InputError(f"sha256 prefix {ref!r} matches {len(rows)} files; give more of it")
        row = rows[0] if rows else None
    else:
        row = None
    if row is None:
        raise InputError(
            f"no media {ref!r} in the library; add the file with 'tactful media add FILE'"
        )
    return row


def get_media(session: Session, ref: str) -> MediaRecord:
    return _record(session, find_media_row(session, ref))


def by_sha256(session: Session, sha256: str) -> MediaRecord | None:
    row = session.scalar(select(MediaRow).where(MediaRow.sha256 == sha256))
    return _record(session, row) if row is not None else None


def list_media(session: Session) -> list[MediaRecord]:
    return [_record(session, r) for r in session.scalars(select(MediaRow).order_by(MediaRow.id))]


def set_rights(
    session: Session,
    ref: str,
    basis: str,
    *,
    actor: str,
    licence_name: str | None = None,
    licence_url: str | None = None,
    attribution: str | None = None,
    permission_from: str | None = None,
    evidence: str | None = None,
) -> MediaRecord:
    b = parse_enum(RightsBasis, basis, "rights basis")
    if b is RightsBasis.LICENCE and not licence_name:
        raise InputError("a licence needs its name (--licence, e.g. 'CC BY 4.0' or 'Unsplash')")
    if b is RightsBasis.PERMISSION and not (permission_from and evidence):
        raise InputError(
            "written permission needs who gave it (--from) and where it is (--evidence)"
        )
    row = find_media_row(session, ref)
    session.add(
        RightsEventRow(
            media_id=row.id,
            basis=b.value,
            licence_name=text(licence_name, "licence", 200),
            licence_url=text(licence_url, "licence URL", 500),
            attribution=text(attribution, "attribution", 500),
            permission_from=text(permission_from, "--from", 200),
            evidence=text(evidence, "evidence", 10_000),
            actor=text(actor, "--by", 120, required=True) or "",
            created_at=utcnow(),
        )
    )
    session.flush()
    return _record(session, row)


def add_release(
    session: Session,
    ref: str,
    person: str,
    *,
    actor: str,
    evidence: str | None = None,
    contact_ref: str | None = None,
) -> MediaRecord:
    person = text(person, "the person's name", 200) or ""
    if not person:
        raise InputError("name the person who gave the release")
    row = find_media_row(session, ref)
    contact_id = find_row(session, contact_ref).id if contact_ref else None
    session.add(
        ReleaseRow(
            media_id=row.id,
            person=person,
            contact_id=contact_id,
            evidence=text(evidence, "evidence", 10_000),
            actor=text(actor, "--by", 120, required=True) or "",
            created_at=utcnow(),
        )
    )
    session.flush()
    return _record(session, row)
