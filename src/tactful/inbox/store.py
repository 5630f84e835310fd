"""The inbox in the store: triaging what a sync brought in, listing items by priority,
showing one, and marking it done. An action on an item (reply, hide, mute, block, report)
names it by :attr:`InboxItem.id` and records itself beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.core.checker import Checker
from tactful.errors import InputError
from tactful.inbox.triage import CLASSES, ItemContext, rules, triage
from tactful.store import Store
from tactful.store.models import AccountRow, InboxItemRow


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    account: str
    network: str
    remote_id: str
    kind: str
    author_handle: str | None
    author_id: str | None
    text: str
    url: str | None
    parent_id: str | None
    thread: list[dict[str, Any]]
    created_at: datetime | None
    fetched_at: datetime
    oversize: bool
    original_chars: int | None
    category: str | None
    rank: int | None
    whereabouts: bool
    triage: dict[str, Any] | None
    done_at: datetime | None
    done_by: str | None

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__slots__}
        for key in ("created_at", "fetched_at", "done_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


def _view(row: InboxItemRow, account: str) -> InboxItem:
    return InboxItem(
        row.id, account, row.network, row.remote_id, row.kind, row.author_handle,
        row.author_id, row.text, row.url, row.parent_id, list(row.thread or ()),
        row.created_at, row.fetched_at, row.oversize, row.original_chars, row.category,
        row.rank, row.whereabouts, row.triage, row.done_at, row.done_by,
    )  # fmt: skip


def triage_pending(
    store: Store,
    checker: Checker,
    *,
    now: datetime,
    account: str | None = None,
    batch: int = 200,
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Check and sort every item not triaged yet (a sync stores first, triages after, so a
    sync cut short leaves items to triage next time). Returns how many were triaged."""
    done = 0
    while True:
        with store.session() as s:
            query = (
                select(InboxItemRow, AccountRow)
                .join(AccountRow, AccountRow.id == InboxItemRow.account_id)
                .where(InboxItemRow.triaged_at.is_(None))
                .order_by(InboxItemRow.id)
                .limit(batch)
            )
            if account is not None:
                query = query.where(AccountRow.name == account)
            rows = list(s.execute(query).tuples())
            for row, owner in rows:
                sorted_ = triage(
                    checker,
                    ItemContext(
                        text=row.text,
                        platform=owner.platform,
                        account_kind=owner.kind,
                        audience=owner.audience,
                        account_name=owner.name,
                        parent_id=row.parent_id,
                        remote_id=row.remote_id,
                        created_at=row.created_at,
                    ),
                )
                row.category = sorted_.category
                row.rank = sorted_.rank
                row.whereabouts = sorted_.whereabouts
                row.triage = sorted_.to_dict()
                row.triaged_at = now
        done += len(rows)
        progress(done)
        if len(rows) < batch:
            return done


def _priority(item: InboxItem) -> tuple[int, float]:
    """Rank first (whereabouts, threats, harassment...); in a rank, complaints and questions
    oldest first (they have waited longest), the rest newest first."""
    when = (item.created_at or item.fetched_at).timestamp()
    category = item.category or "other"
    oldest_first = rules().classes[category].order == "oldest_first"
    rank = item.rank if item.rank is not None else len(CLASSES)
    return (rank, when if oldest_first else -when)


def list_items(
    session: Session,
    *,
    account: str | None = None,
    category: str | None = None,
    include_done: bool = False,
) -> list[InboxItem]:
    """Items by priority (see :func:`_priority`)."""
    if category is not None and category not in CLASSES:
        raise InputError(f"no class {category!r}; use one of: {', '.join(CLASSES)}")
    query = select(InboxItemRow, AccountRow.name).join(
        AccountRow, AccountRow.id == InboxItemRow.account_id
    )
    if account is not None:
        if session.scalar(select(AccountRow.id).where(AccountRow.name == account)) is None:
            raise InputError(f"no account named {account!r}; see: tactful accounts list")
        query = query.where(AccountRow.name == account)
    if category is not None:
        query = query.where(InboxItemRow.category == category)
    if not include_done:
        query = query.where(InboxItemRow.done_at.is_(None))
    items = [_view(row, name) for row, name in session.execute(query).tuples()]
    return sorted(items, key=_priority)


def get_item(session: Session, item_id: int) -> InboxItem:
    found = session.execute(
        select(InboxItemRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == InboxItemRow.account_id)
        .where(InboxItemRow.id == item_id)
    ).first()
    if found is None:
        raise InputError(f"no inbox item #{item_id}; see: tactful inbox list")
    return _view(found[0], found[1])


def mark_done(
    session: Session, item_id: int, *, actor: str, now: datetime, undo: bool = False
) -> InboxItem:
    row = session.get(InboxItemRow, item_id)
    if row is None:
        raise InputError(f"no inbox item #{item_id}; see: tactful inbox list")
    row.done_at = None if undo else now
    row.done_by = None if undo else actor
    session.flush()
    return get_item(session, item_id)
