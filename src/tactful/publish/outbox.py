"""The outbox: schedule a post to one or more accounts, with the check gate in front of it.

A post is checked for each account it goes to. One whose report has a ``block`` is kept as
a draft unless someone overrides it, saying who and why; the override covers the blocking
rules found then, not new ones (a tag whose consent is withdrawn later stops it again at
publish time). A post that cannot go out as it is (an unknown account, too long for the
network, a network tactful cannot publish to) is kept as a draft with the reason, never lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tactful.checker import Checker
from tactful.errors import InputError
from tactful.post import Media, Post
from tactful.publish.times import WallTime
from tactful.store.accounts import AccountRecord, get_account
from tactful.store.fields import row_id, text
from tactful.store.models import AccountRow, DeliveryRow, OutboxPostRow, utcnow

OPEN_STATES = ("draft", "scheduled", "claimed", "publishing", "needs_attention", "failed")


@dataclass(frozen=True, slots=True)
class Problem:
    account: str
    rule_id: str  # a checker rule, or publish.* for what stops it going out
    message: str


def post_for(text_: str, account: AccountRecord, media: Sequence[str] = ()) -> Post:
    return Post.build(text_, media=[Media(sha256=m) for m in media], **account.context())


def gate(
    checker: Checker, text_: str, account: AccountRecord, media: Sequence[str] = ()
) -> tuple[list[Problem], list[str]]:
    """What stops this text going out on this account: (problems, blocking rule ids)."""
    from tactful.detectors.platform import measure
    from tactful.publish.connectors import available

    post = post_for(text_, account, media)
    report = checker.check(post)
    problems: list[Problem] = []
    blocking = sorted({f.rule_id for f in report.findings if f.severity.rank == 2})
    for f in report.findings:
        if f.severity.rank == 2:
            problems.append(Problem(account.name, f.rule_id, f.message))
    length = measure(post.text, post.platform, checker.policy_for(post).settings)
    if length.limit is not None and length.count > length.limit:
        problems.append(
            Problem(
                account.name,
                "publish.too_long",
                f"{length.count:,} {length.unit}; {account.platform.value} takes {length.limit:,}",
            )
        )
    if account.platform.value not in available():
        problems.append(
            Problem(
                account.name,
                "publish.no_connector",
                f"tactful cannot publish to {account.platform.value} yet",
            )
        )
    return problems, blocking


def still_stopping(problems: Sequence[Problem], overridden: set[str]) -> list[Problem]:
    """What an override does not let by: blocking findings outside the rules it covered,
    and anything the network itself refuses (``publish.*``)."""
    return [p for p in problems if p.rule_id.startswith("publish.") or p.rule_id not in overridden]


@dataclass(frozen=True, slots=True)
class Scheduled:
    post_id: int
    state: str  # scheduled, or draft when something stops it
    problems: tuple[Problem, ...]
    note: str | None


def _find_post(session: Session, ref: str) -> OutboxPostRow:
    rid = row_id(ref)
    row = session.get(OutboxPostRow, rid) if rid is not None else None
    if row is None:
        raise InputError(f"no scheduled post {ref!r}; see 'tactful schedule list'")
    return row


def schedule(
    session: Session,
    checker: Checker,
    text_: str,
    accounts: Sequence[str],
    when: WallTime | None,
    *,
    actor: str,
    media: Sequence[str] = (),
    override: str | None = None,
) -> Scheduled:
    """Keep the post in the outbox; it is scheduled if nothing stops it, else a draft."""
    body = text(text_, "the post", 100_000, required=True) or ""
    if not accounts:
        raise InputError("say which account(s) it goes to: --account NAME")
    records = [get_account(session, name) for name in dict.fromkeys(accounts)]
    problems: list[Problem] = []
    blocking: set[str] = set()
    for account in records:
        found, blocks = gate(checker, body, account, media)
        problems.extend(found)
        blocking.update(blocks)
    reason = text(override, "--override reason", 2000)
    stopping = still_stopping(problems, blocking if reason else set())
    row = OutboxPostRow(
        text=body,
        media=list(media),
        local_time=f"{when.local:%Y-%m-%dT%H:%M}" if when else None,
        zone=when.zone if when else None,
        scheduled_at=when.utc if when else None,
        verdict="blocked" if blocking else "ok",
        override_by=actor if reason and blocking else None,
        override_reason=reason if blocking else None,
        override_rules=sorted(blocking) if reason else [],
        created_by=actor,
    )
    session.add(row)
    session.flush()
    state = "scheduled" if when is not None and not stopping else "draft"
    wanted = select(AccountRow.name, AccountRow.id).where(
        AccountRow.name.in_([a.name for a in records])
    )
    ids = {name: account_id for name, account_id in session.execute(wanted)}
    for account in records:
        session.add(
            DeliveryRow(
                post_id=row.id,
                account_id=ids[account.name],
                state=state,
                due_at=when.utc if when else None,
                idempotency_key=secrets.token_hex(16),
                last_error="; ".join(p.message for p in stopping if p.account == account.name)
                or None,
            )
        )
    session.flush()
    return Scheduled(row.id, state, tuple(stopping), when.note if when else None)


def cancel(session: Session, ref: str) -> int:
    """Cancel what has not gone out; returns how many deliveries were cancelled."""
    row = _find_post(session, ref)
    n = 0
    for d in row.deliveries:
        if d.state in ("draft", "scheduled", "needs_attention", "failed", "claimed"):
            d.state = "cancelled"
            n += 1
        elif d.state == "publishing":
            raise InputError(
                f"post #{row.id} is being published to an account right now; try again in a minute"
            )
    return n


def requeue(session: Session, ref: str, *, now: datetime | None = None) -> int:
    """Try again what needs attention (after reconnecting an account, say): those
    deliveries are scheduled for now, with a fresh count of attempts (the log keeps all)."""
    row = _find_post(session, ref)
    n = 0
    for d in row.deliveries:
        if d.state in ("needs_attention", "failed"):
            d.state, d.due_at, d.attempts, d.claimed_by = "scheduled", now or utcnow(), 0, None
            n += 1
    return n


@dataclass(frozen=True, slots=True)
class DeliveryView:
    account: str
    platform: str
    state: str
    attempts: int
    remote_url: str | None
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "platform": self.platform,
            "state": self.state,
            "attempts": self.attempts,
            "remote_url": self.remote_url,
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class OutboxView:
    id: int
    text: str
    local_time: str | None
    zone: str | None
    scheduled_at: datetime | None
    override_by: str | None
    override_reason: str | None
    deliveries: tuple[DeliveryView, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "local_time": self.local_time,
            "zone": self.zone,
            "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None,
            "override_by": self.override_by,
            "override_reason": self.override_reason,
            "deliveries": [d.to_dict() for d in self.deliveries],
        }


def _view(session: Session, row: OutboxPostRow) -> OutboxView:
    names = {
        a.id: (a.name, a.platform)
        for a in session.scalars(
            select(AccountRow).where(AccountRow.id.in_([d.account_id for d in row.deliveries]))
        )
    }
    return OutboxView(
        row.id,
        row.text,
        row.local_time,
        row.zone,
        row.scheduled_at,
        row.override_by,
        row.override_reason,
        tuple(
            DeliveryView(
                *names.get(d.account_id, ("?", "?")),
                d.state,
                d.attempts,
                d.remote_url,
                d.last_error,
            )
            for d in row.deliveries
        ),
    )


def get_post(session: Session, ref: str) -> OutboxView:
    return _view(session, _find_post(session, ref))


def list_posts(session: Session, *, include_done: bool = False) -> list[OutboxView]:
    rows = session.scalars(
        select(OutboxPostRow)
        .options(selectinload(OutboxPostRow.deliveries))
        .order_by(
            OutboxPostRow.scheduled_at.is_(None), OutboxPostRow.scheduled_at, OutboxPostRow.id
        )
    )
    views = [_view(session, r) for r in rows]
    if include_done:
        return views
    return [v for v in views if any(d.state in OPEN_STATES for d in v.deliveries)]
