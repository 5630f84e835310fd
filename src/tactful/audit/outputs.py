"""Audit outputs besides the HTML report: every flagged post as JSONL and CSV, and a
"delete or edit" list to work through."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from tactful.store.models import AuditResultRow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A spreadsheet cell that is never read as a formula (posts often start with @ or =)."""
    return "'" + value if value.startswith(FORMULA_START) else value


CSV_COLUMNS = ["date", "url", "kind", "verdict", "risk", "categories", "text", "why", "fix"]


def _first(row: AuditResultRow, key: str) -> str:
    findings = (row.report or {}).get("findings") or []
    top = max(findings, key=lambda f: (f["severity"] == "block", f["score"]), default=None)
    if top is None:
        return ""
    if key == "fix":
        return str((top.get("suggestions") or [{}])[0].get("description", ""))
    return str(top.get("message", ""))


def write_jsonl(rows: Iterable[AuditResultRow], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row.report, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterable[AuditResultRow], out: IO[str]) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    n = 0
    for row in rows:
        text = (row.report or {}).get("text", "")
        writer.writerow(
            [
                row.created_at.isoformat() if row.created_at else "",
                cell(row.url or ""),
                row.kind,
                row.verdict,
                f"{row.risk:.2f}",
                row.categories.replace(",", " "),
                cell(text),
                cell(_first(row, "why")),
                cell(_first(row, "fix")),
            ]
        )
        n += 1
    return n


def write_actions(rows: Iterable[AuditResultRow], out: IO[str]) -> int:
    """One line per post to act on: delete what should never have been posted, edit the
    rest (on networks that allow editing), with the reason."""
    writer = csv.writer(out)
    writer.writerow(["action", "date", "url", "reason"])
    n = 0
    for row in rows:
        action = "delete" if row.verdict == "blocked" or row.kind == "repost" else "edit or delete"
        writer.writerow(
            [
                action,
                row.created_at.date().isoformat() if row.created_at else "",
                cell(row.url or (row.source_id or "")),
                cell(_first(row, "why")),
            ]
        )
        n += 1
    return n


def open_out(folder: Path, name: str) -> IO[str]:
    """An output file for writing, readable by its owner only (0600, like the store: it
    holds old posts and what is wrong with them), replacing what was there."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file left by an older run keeps no wider mode
    return open(fd, "w", encoding="utf-8", newline="")
