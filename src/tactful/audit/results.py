"""Reading an audit run back from the store: totals over time and by category, the riskiest
posts first, and every flagged post in order (streamed, for large runs)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.errors import InputError
from tactful.store.models import AuditResultRow, AuditRunRow


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    source: str
    format: str
    status: str
    posts: int
    flagged: int
    items_done: int
    counts: dict[str, dict[str, int]]
    settings: dict[str, Any]
    started_at: str
    finished_at: str | None


def run_info(session: Session, run_id: int | None = None) -> RunInfo:
    q = select(AuditRunRow)
    q = (
        q.where(AuditRunRow.id == run_id)
        if run_id is not None
        else q.order_by(AuditRunRow.id.desc())
    )
    row = session.scalar(q.limit(1))
    if row is None:
        raise InputError(
            f"no audit run #{run_id}" if run_id is not None else "no audits yet: tactful audit PATH"
        )
    return RunInfo(
        row.id,
        row.source,
        row.format,
        row.status,
        row.posts,
        row.flagged,
        row.items_done,
        {k: dict(v) for k, v in (row.counts or {}).items()},
        dict(row.settings),
        row.started_at.isoformat(),
        row.finished_at.isoformat() if row.finished_at else None,
    )


def list_runs(session: Session) -> list[RunInfo]:
    ids = session.scalars(select(AuditRunRow.id).order_by(AuditRunRow.id))
    return [run_info(session, i) for i in ids]


def timeline(session: Session, run_id: int) -> list[tuple[str, int, int, int]]:
    """(period, posts, to review, blocked) per month, or per year for long histories."""
    months: Counter[str] = Counter()
    review: Counter[str] = Counter()
    blocked: Counter[str] = Counter()
    rows = session.execute(
        select(AuditResultRow.created_at, AuditResultRow.verdict)
        .where(AuditResultRow.run_id == run_id)
        .execution_options(yield_per=10_000)
    )
    for created, verdict in rows:
        key = created.strftime("%Y-%m") if created else "undated"
        months[key] += 1
        if verdict == "blocked":
            blocked[key] += 1
        elif verdict == "review":
            review[key] += 1
    keys = sorted(months)
    if len(keys) > 48:  # years read better than hundreds of months
        years: dict[str, list[int]] = {}
        for k in keys:
            y = years.setdefault(k[:4], [0, 0, 0])
            y[0] += months[k]
            y[1] += review[k]
            y[2] += blocked[k]
        return [(y, *v) for y, v in sorted(years.items())]  # type: ignore[misc]
    return [(k, months[k], review[k], blocked[k]) for k in keys]


def categories(session: Session, run_id: int) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    rows = session.scalars(
        select(AuditResultRow.categories)
        .where(AuditResultRow.run_id == run_id, AuditResultRow.categories != "")
        .execution_options(yield_per=10_000)
    )
    for cats in rows:
        counts.update(c for c in cats.split(",") if c)
    return counts.most_common()


def riskiest(session: Session, run_id: int, limit: int) -> list[AuditResultRow]:
    return list(
        session.scalars(
            select(AuditResultRow)
            .where(AuditResultRow.run_id == run_id, AuditResultRow.report.is_not(None))
            .order_by(AuditResultRow.risk.desc(), AuditResultRow.seq)
            .limit(limit)
        )
    )


def flagged(session: Session, run_id: int) -> Iterator[AuditResultRow]:
    yield from session.scalars(
        select(AuditResultRow)
        .where(AuditResultRow.run_id == run_id, AuditResultRow.report.is_not(None))
        .order_by(AuditResultRow.seq)
        .execution_options(yield_per=2_000)
    )
