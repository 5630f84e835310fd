"""Import contacts from CSV: the LinkedIn data export's Connections.csv (with or without its
"Notes:" preamble, with a BOM, quoted fields) or any CSV with a ``name`` column.

A generic CSV may have the columns name, kind, relation, organisation (or company),
position, email, notes, and one column per platform holding a handle (linkedin, x or
twitter, mastodon, bluesky, facebook, instagram). Its delimiter is detected. Rows that
cannot be imported are reported with their line numbers; the others are kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tactful.errors import InputError, TactfulError
from tactful.store.contacts import add_contact, normalize_handle
from tactful.store.models import ContactRow, HandleRow

LINKEDIN_HEADER = ("first name", "last name")
PLATFORM_COLUMNS = {
    "linkedin": "linkedin",
    "x": "x",
    "twitter": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "facebook": "facebook",
    "instagram": "instagram",
}
MAX_ERRORS_SHOWN = 20


@dataclass
class ImportStats:
    format: str = "csv"
    added: int = 0
    skipped: int = 0  # already in the contacts
    errors: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.added + self.skipped + len(self.errors)

    def summary(self) -> str:
        text = (
            f"{self.format}: {self.rows} rows: {self.added} added, {self.skipped} already known, "
            f"{len(self.errors)} not imported"
        )
        return text


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read {str(path)!r}: {(exc.strerror or str(exc)).lower()}"
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def linkedin_handle(url: str) -> str | None:
    """``https://www.linkedin.com/in/jane-doe-12ab`` -> ``jane-doe-12ab``."""
    parts = [p for p in urlparse(url.strip()).path.split("/") if p]
    if len(parts) >= 2 and parts[0] in ("in", "company"):
        return parts[1].lower()
    return None


def _offset_rows(reader: csv.DictReader[str], offset: int) -> Iterator[tuple[int, dict[str, str]]]:
    for row in reader:
        yield offset + reader.line_num, row


def _linkedin_rows(text: str) -> Iterator[tuple[int, dict[str, str]]] | None:
    """Rows under LinkedIn's preamble (line numbers as in the file); None when this is not
    that format."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines[:20]):
        cells = [c.strip().strip('"').lower() for c in next(csv.reader([line]), [])]
        if tuple(cells[:2]) == LINKEDIN_HEADER:
            return _offset_rows(csv.DictReader(io.StringIO("".join(lines[i:]))), i)
    return None


def _generic_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "name" not in fields:
        raise InputError(
            "this CSV has no 'name' column and is not a LinkedIn Connections.csv; add a header "
            "row with name, relation, organisation, email and platform handle columns"
        )
    reader.fieldnames = fields
    for row in reader:
        yield reader.line_num, row


def _known(session: Session, handles: list[tuple[str, str]], name: str, org: str | None) -> bool:
    for platform, handle in handles:
        if session.scalar(
            select(HandleRow.id).where(HandleRow.platform == platform, HandleRow.handle == handle)
        ):
            return True
    if handles:
        return False
    return (
        session.scalar(
            select(ContactRow.id).where(ContactRow.name == name, ContactRow.organisation == org)
        )
        is not None
    )


def import_contacts(
    session: Session, path: str | Path, *, relation: str = "connection", kind: str = "person"
) -> ImportStats:
    p = Path(path)
    text = _read(p)
    if not text.strip():
        raise InputError(f"{p.name} is empty")
    found = _linkedin_rows(text)
    stats = ImportStats(format="LinkedIn Connections.csv" if found is not None else "CSV")
    rows = found if found is not None else _generic_rows(text)
    try:
        for line, raw in rows:
            row = {
                (k or "").strip().lower(): _clean(v) for k, v in raw.items() if isinstance(k, str)
            }
            try:
                fields = (
                    _linkedin_fields(row)
                    if found is not None
                    else _generic_fields(row, relation, kind)
                )
                if fields is None:
                    continue
                handles = fields.pop("handles")
                if _known(session, handles, fields["name"], fields.get("organisation")):
                    stats.skipped += 1
                    continue
                fields.setdefault("relation", relation)
                fields.setdefault("kind", kind)
                with session.begin_nested():
                    add_contact(session, handles=handles, source=f"import:{p.name}", **fields)
                stats.added += 1
            except TactfulError as exc:
                stats.errors.append(f"line {line}: {exc}")
            except SQLAlchemyError as exc:  # the row's savepoint is rolled back; go on
                stats.errors.append(f"line {line}: the database refused it ({type(exc).__name__})")
    except csv.Error as exc:
        stats.errors.append(f"the file stops being valid CSV: {exc}; rows before it were kept")
    return stats


def _clean(value: object) -> str:
    """A cell as text: extra cells (a list) are joined; NUL bytes, which no database
    stores, are dropped."""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    return str(value or "").replace("\x00", "").replace("\r\n", "\n").strip()


def _linkedin_fields(row: dict[str, str]) -> dict[str, Any] | None:
    name = " ".join(x for x in (row.get("first name"), row.get("last name")) if x).strip()
    if not name and not row.get("url"):
        return None  # blank line
    if not name:
        raise InputError("no first or last name")
    handle = linkedin_handle(row.get("url", ""))
    return {
        "name": name,
        "organisation": row.get("company") or None,
        "position": row.get("position") or None,
        "email": row.get("email address") or None,
        "notes": f"LinkedIn connection since {row['connected on']}"
        if row.get("connected on")
        else None,
        "handles": [("linkedin", handle)] if handle else [],
    }


def _generic_fields(row: dict[str, str], relation: str, kind: str) -> dict[str, Any] | None:
    if not any(row.values()):
        return None
    name = row.get("name", "")
    if not name:
        raise InputError("the name is empty")
    handles = []
    for column, platform in PLATFORM_COLUMNS.items():
        value = row.get(column)
        if value:
            if platform == "linkedin" and "/" in value:
                handle = linkedin_handle(value)
                if handle is None:
                    raise InputError(f"{value!r} is not a LinkedIn profile URL (…/in/NAME)")
                value = handle
            handles.append((platform, normalize_handle(value)))
    out: dict[str, Any] = {
        "name": name,
        "organisation": row.get("organisation") or row.get("company") or None,
        "position": row.get("position") or None,
        "email": row.get("email") or None,
        "notes": row.get("notes") or None,
        "handles": handles,
    }
    if row.get("relation"):
        out["relation"] = row["relation"].lower().replace(" ", "_").replace("-", "_")
    if row.get("kind"):
        k = row["kind"].lower()
        out["kind"] = "organisation" if k in ("organization", "company", "org", "business") else k
    return out
