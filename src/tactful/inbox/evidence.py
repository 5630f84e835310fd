"""Evidence of threats and harassment, for the police, HR or a platform's report form:
``evidence.json``, in which each record carries the sha256 of the one before it (a chain:
changing, removing or reordering a record breaks every link after it), and
``evidence.html``, the same records as one self-contained page (no external assets; every
text escaped).

A record's ``sha256`` is the SHA-256 of its canonical JSON (keys sorted, no spaces, UTF-8)
without the ``sha256`` field, ``prev_sha256`` included; the first record's ``prev_sha256``
is 64 zeros. The file's ``head_sha256`` is the last record's: write it down (or send it to
someone) when you export, and a file cut short later no longer matches it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tactful.errors import InputError
from tactful.inbox.store import InboxItem, list_items
from tactful.inbox.triage import rules

FORMAT = "tactful-inbox-evidence"
GENESIS = "0" * 64


def _canonical(record: dict[str, Any]) -> bytes:
    body = {k: v for k, v in record.items() if k != "sha256"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def record_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


def is_evidence(item: InboxItem) -> bool:
    category = item.category or "other"
    return rules().classes[category].evidence or (
        item.whereabouts and category in ("threat", "harassment", "hate", "trolling")
    )


def _record(seq: int, item: InboxItem, prev: str) -> dict[str, Any]:
    triage = item.triage or {}
    record: dict[str, Any] = {
        "seq": seq,
        "prev_sha256": prev,
        "account": item.account,
        "network": item.network,
        "item_id": item.remote_id,
        "kind": item.kind,
        "author_handle": item.author_handle,
        "author_id": item.author_id,
        "text": item.text,
        "text_cut_from_chars": item.original_chars,
        "url": item.url,
        "replies_to": item.parent_id,
        "thread": item.thread,
        "written_at": item.created_at.isoformat() if item.created_at else None,
        "fetched_at": item.fetched_at.isoformat(),
        "category": item.category,
        "whereabouts": triage.get("whereabouts"),
        "because": triage.get("because", []),
        "findings": [
            {k: f.get(k) for k in ("rule_id", "check", "severity", "excerpts", "message")}
            for f in triage.get("findings", [])
        ],
    }
    record["sha256"] = record_hash(record)
    return record


@dataclass(frozen=True)
class Exported:
    json_path: Path
    html_path: Path
    records: int
    head: str


def export(session: Session, out: Path, *, now: datetime, account: str | None = None) -> Exported:
    """Write ``evidence.json`` and ``evidence.html`` into ``out`` (made if missing; files
    already there are not overwritten)."""
    items = [i for i in list_items(session, account=account, include_done=True) if is_evidence(i)]
    items.sort(key=lambda i: (i.created_at or i.fetched_at, i.id))  # a chain in time order
    records: list[dict[str, Any]] = []
    prev = GENESIS
    for seq, item in enumerate(items, 1):
        records.append(_record(seq, item, prev))
        prev = records[-1]["sha256"]
    document = {
        "format": FORMAT,
        "version": 1,
        "exported_at": now.isoformat(),
        "account": account,
        "records_count": len(records),
        "head_sha256": prev,
        "records": records,
    }
    try:
        out.mkdir(parents=True, exist_ok=True)
        json_path, html_path = out / "evidence.json", out / "evidence.html"
        for path in (json_path, html_path):
            if path.exists():
                raise InputError(f"{path} already exists; choose another --out folder")
        from tactful.inbox.evidence_html import render

        json_path.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
        html_path.write_text(render(document), "utf-8")
    except OSError as exc:
        raise InputError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return Exported(json_path, html_path, len(records), prev)


def verify(path: Path) -> list[str]:
    """What is wrong with an evidence file's chain (empty: it is intact)."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {path} as an evidence file: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError(f"{path} is not a tactful evidence file (format {FORMAT!r})")
    records = document.get("records")
    if not isinstance(records, list):
        return ["the file holds no list of records"]
    problems: list[str] = []
    prev = GENESIS
    for n, record in enumerate(records, 1):
        if not isinstance(record, dict):
            problems.append(f"record {n} is not a record")
            break
        if record.get("seq") != n:
            problems.append(f"record {n} says it is number {record.get('seq')}")
        if record.get("prev_sha256") != prev:
            problems.append(f"record {n} does not follow the one before it (a record was "
                            "removed, added or moved)")  # fmt: skip
        if record_hash(record) != record.get("sha256"):
            problems.append(f"record {n} was changed after it was exported")
        prev = str(record.get("sha256"))
    if document.get("head_sha256") != prev:
        problems.append("the last record is not the head the file names (records cut off?)")
    if document.get("records_count") != len(records):
        problems.append(
            f"the file names {document.get('records_count')} records, holds {len(records)}"
        )
    return problems
