"""The outbox: schedule a post to one or more accounts, with the check gate in front of it.

A post is checked for each account it goes to. One whose report has a ``block`` is kept as
a draft unless someone overrides it, saying who and why; the override covers the blocking
rules found then, not new ones (a tag whose consent is withdrawn later stops it again at
publish time). A post that cannot go out as it is (an unknown account, too long for the
network, a network tactful cannot publish to) is kept as a draft with the reason, never lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from tactful.core.checker import Checker
from tactful.core.post import Media, Post
from tactful.errors import InputError
from tactful.publish.times import WallTime
from tactful.store.accounts import AccountRecord, get_account
from tactful.store.fields import row_id, text
from tactful.store.models import AccountRow, AttemptRow, DeliveryRow, OutboxPostRow, utcnow

OPEN_STATES = ("draft", "scheduled", "claimed", "publishing", "needs_attention", "failed")


def maybe_sent() -> ColumnElement[bool]:
    """Publish attempts whose request may have reached the network: no answer recorded
    (in flight, or the worker died) or an answer that did not say."""
    return and_(
        AttemptRow.action == "publish",
        or_(AttemptRow.outcome.is_(None), AttemptRow.outcome == "unknown"),
    )


@dataclass(frozen=True, slots=True)
class Problem:
    account: str
    rule_id: str  # a checker rule, or publish.* for what stops it going out
    message: str


def post_for(text_: str, account: AccountRecord, media: Sequence[str] = ()) -> Post:
    return account.post(text_, media=[Media(sha256=m) for m in media])


@dataclass(frozen=True, slots=True)
class Gate:
    """What the gate found for one account: the problems, the blocking rule ids (what an
    override may let by) and the text as it goes out (one part, or a numbered thread)."""

    problems: list[Problem]
    blocking: list[str]
    parts: list[str]


def _is_length(f: Any) -> bool:
    return bool(f.rule_id == "platform.length" and f.check == "length")


def gate(
    checker: Checker,
    text_: str,
    account: AccountRecord,
    media: Sequence[str] = (),
    *,
    thread: bool = False,
    own: Mapping[str, Any] | None = None,
) -> Gate:
    """What stops this text going out on this account. ``own`` is what the account's server
    said it accepts (a Mastodon instance's images; the checker already measures the text
    against its character limit); ``thread`` splits a text too long for one post into a
    numbered thread where the network has threads."""
    from tactful.networks.length import platform_specs
    from tactful.networks.media import media_rules
    from tactful.networks.threads import split_thread
    from tactful.publish.connectors import available

    platform = account.platform.value
    post = post_for(text_, account, media)
    report = checker.check(post)
    # Too long is decided below (a thread may fix it), so the length finding is left aside.
    findings = [f for f in report.blocking if not _is_length(f)]
    problems = [Problem(account.name, f.rule_id, f.message) for f in findings]
    blocking = sorted({f.rule_id for f in findings})
    parts = [post.text]
    length = report.length
    if length is not None and length.limit is not None and length.count > length.limit:
        threads = platform_specs()[account.platform].threads
        if thread and threads:
            parts = split_thread(post.text, platform, checker.policy_for(post).settings)
        else:
            hint = " (or send it as a thread: --thread)" if threads else ""
            problems.append(
                Problem(
                    account.name,
                    "publish.too_long",
                    f"{length.count:,} {length.unit}; {platform} takes {length.limit:,}{hint}",
                )
            )
    rules = media_rules(platform, own)
    if len(media) > rules.max_images:
        problems.append(
            Problem(
                account.name,
                "publish.media",
                f"{len(media)} images; {platform} takes at most {rules.max_images} on a post",
            )
        )
    elif len(media) < rules.min_images:
        problems.append(
            Problem(account.name, "publish.media", f"{platform} needs an image on every post")
        )
    if platform not in available():
        problems.append(
            Problem(
                account.name, "publish.no_connector", f"tactful cannot publish to {platform} yet"
            )
        )
    return Gate(problems, blocking, parts)


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
    parts: int = 1  # the most parts any account's thread has
    when: WallTime | None = None  # its time (None: a draft without one)
    warnings: tuple[str, ...] = ()  # what lets it be queued but not go out (no connection)


def find_post(session: Session, ref: str) -> OutboxPostRow:
    rid = row_id(ref)
    row = session.get(OutboxPostRow, rid) if rid is not None else None
    if row is None:
        raise InputError(f"no scheduled post {ref!r}; see 'tactful schedule list'")
    return row


def own_limits(session: Session, account_name: str) -> dict[str, Any] | None:
    """What the account's server said it accepts when it was connected (None: defaults)."""
    from tactful.store.models import CredentialRow

    limits: dict[str, Any] | None = session.scalar(
        select(CredentialRow.limits)
        .join(AccountRow, AccountRow.id == CredentialRow.account_id)
        .where(AccountRow.name == account_name)
    )
    return limits


def _check_all(
    session: Session,
    checker: Checker,
    body: str,
    records: Sequence[AccountRecord],
    media: Sequence[str],
    thread: bool,
) -> tuple[list[Problem], set[str], dict[str, list[str]]]:
    problems: list[Problem] = []
    blocking: set[str] = set()
    parts: dict[str, list[str]] = {}
    for account in records:
        found = gate(
            checker, body, account, media, thread=thread, own=own_limits(session, account.name)
        )
        problems.extend(found.problems)
        blocking.update(found.blocking)
        parts[account.name] = found.parts
    return problems, blocking, parts


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
    thread: bool = False,
) -> Scheduled:
    """Keep the post in the outbox; it is scheduled if nothing stops it, else a draft."""
    body = text(text_, "the post", 100_000, required=True) or ""
    if not accounts:
        raise InputError("say which account(s) it goes to: --account NAME")
    records = [get_account(session, name) for name in dict.fromkeys(accounts)]
    row = OutboxPostRow(text=body, media=list(media), created_by=actor)
    session.add(row)
    session.flush()
    wanted = select(AccountRow.id).where(AccountRow.name.in_([a.name for a in records]))
    for account_id in session.scalars(wanted):
        session.add(
            DeliveryRow(
                post_id=row.id,
                account_id=account_id,
                state="draft",
                idempotency_key=secrets.token_hex(16),
            )
        )
    session.flush()
    session.refresh(row)
    return _apply(session, checker, row, records, when, actor, override, thread)


def _apply(
    session: Session,
    checker: Checker,
    row: OutboxPostRow,
    records: Sequence[AccountRecord],
    when: WallTime | None,
    actor: str,
    override: str | None,
    thread: bool,
) -> Scheduled:
    """Check the post as it now stands and set every open delivery's state from that."""
    problems, blocking, parts = _check_all(session, checker, row.text, records, row.media, thread)
    reason = text(override, "--override reason", 2000)
    if reason:  # a new override covers what blocks now, and says who let it by and why
        row.override_by = actor if blocking else None
        row.override_reason = reason if blocking else None
        row.override_rules = sorted(blocking) if blocking else []
    # Without one, an earlier override still covers the rules it named, and only those.
    stopping = still_stopping(problems, set(row.override_rules or ()))
    row.local_time = f"{when.local:%Y-%m-%dT%H:%M}" if when else None
    row.zone = when.zone if when else None
    row.scheduled_at = when.utc if when else None
    row.verdict = "blocked" if blocking else "ok"
    state = "scheduled" if when is not None and not stopping else "draft"
    wanted = select(AccountRow.id, AccountRow.name).where(
        AccountRow.id.in_([d.account_id for d in row.deliveries])
    )
    names = {account_id: name for account_id, name in session.execute(wanted)}
    for d in row.deliveries:
        if d.state not in EDITABLE:
            continue
        name = names[d.account_id]
        d.state = state
        d.due_at = when.utc if when else None
        d.attempts = 0
        d.parts = parts[name] if len(parts.get(name, ())) > 1 else None
        d.last_error = "; ".join(p.message for p in stopping if p.account == name) or None
    session.flush()
    most = max((len(p) for p in parts.values()), default=1)
    warnings = tuple(
        f"{name} is not connected: nothing goes out until you connect it "
        f"(tactful accounts connect {name})"
        for name in sorted(unconnected(session, [r.name for r in records]))
    )
    note = when.note if when else None
    return Scheduled(row.id, state, tuple(stopping), note, most, when, warnings)


def unconnected(session: Session, names: Sequence[str]) -> set[str]:
    """Which of these accounts have no connection to their network (nothing can go out)."""
    from tactful.store.models import CredentialRow

    connected = session.scalars(
        select(AccountRow.name)
        .join(CredentialRow, CredentialRow.account_id == AccountRow.id)
        .where(AccountRow.name.in_(names))
    )
    return set(names) - set(connected)


# What an edit may change: nothing of it has gone out, or might have.
EDITABLE = ("draft", "scheduled", "needs_attention", "failed")


def edit(
    session: Session,
    checker: Checker,
    ref: str,
    *,
    actor: str,
    text_: str | None = None,
    when: WallTime | None = None,
    unschedule: bool = False,
    media: Sequence[str] | None = None,
    override: str | None = None,
    thread: bool | None = None,
) -> Scheduled:
    """Change a post that has not gone out (its text, time, images or thread splitting) and
    check it again; it keeps its time unless given a new one (``unschedule``: a draft)."""
    row = find_post(session, ref)
    ids = [d.id for d in row.deliveries]
    busy = [d for d in row.deliveries if d.state in ("claimed", "publishing")]
    maybe_out = session.scalar(
        select(AttemptRow.id).where(AttemptRow.delivery_id.in_(ids), maybe_sent()).limit(1)
    )
    if busy or maybe_out is not None:
        raise InputError(
            f"post #{row.id} may be on an account already (an answer never came back); "
            "look there, then cancel it or retry it instead of editing"
        )
    if not any(d.state in EDITABLE for d in row.deliveries):
        raise InputError(f"post #{row.id} has gone out or was cancelled; schedule a new one")
    if text_ is not None:
        row.text = text(text_, "the post", 100_000, required=True) or ""
    if media is not None:
        row.media = list(media)
    if when is None and not unschedule and row.scheduled_at and row.zone and row.local_time:
        when = WallTime(datetime.fromisoformat(row.local_time), row.zone, row.scheduled_at)
    if unschedule:
        when = None
    names = {d.account_id for d in row.deliveries if d.state in EDITABLE}
    records = [
        get_account(session, a.name)
        for a in session.scalars(select(AccountRow).where(AccountRow.id.in_(names)))
    ]
    was_thread = any(d.parts for d in row.deliveries)
    return _apply(
        session,
        checker,
        row,
        records,
        when,
        actor,
        override,
        was_thread if thread is None else thread,
    )


def cancel(session: Session, ref: str) -> int:
    """Cancel what has not gone out; returns how many deliveries were cancelled."""
    row = find_post(session, ref)
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


def requeue(
    session: Session,
    ref: str,
    *,
    now: datetime | None = None,
    not_there: bool = False,
    actor: str | None = None,
) -> int:
    """Try again what needs attention (after reconnecting an account, say): those
    deliveries are scheduled for now, with a fresh count of attempts (the log keeps all).

    ``not_there``: the user looked at the account and the post is not on it, so requests
    whose answer never came are marked absent and it is sent again without looking."""
    row = find_post(session, ref)
    n = 0
    for d in row.deliveries:
        if d.state in ("needs_attention", "failed"):
            d.state, d.due_at, d.attempts, d.claimed_by = "scheduled", now or utcnow(), 0, None
            n += 1
            if not_there:
                for a in session.scalars(
                    select(AttemptRow).where(AttemptRow.delivery_id == d.id, maybe_sent())
                ):
                    a.outcome = "absent"
                    a.detail = f"{actor or 'the user'} looked: not on the account"
    return n


@dataclass(frozen=True, slots=True)
class AttemptView:
    action: str  # publish, reconcile, check, refresh
    part: int  # 1-based, in a thread
    started_at: datetime
    outcome: str | None  # None: no answer recorded (in flight, or the worker died)
    http_status: int | None
    detail: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "part": self.part,
            "started_at": self.started_at.isoformat(),
            "outcome": self.outcome,
            "http_status": self.http_status,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class DeliveryView:
    account: str
    platform: str
    state: str
    attempts: int
    remote_url: str | None
    last_error: str | None
    parts: tuple[str, ...] = ()  # a thread's parts (empty: the post's text, one part)
    posted: int = 0  # how many of them are out
    log: tuple[AttemptView, ...] = ()
    connected: bool = True  # False: the account was never connected, nothing can go out

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "platform": self.platform,
            "connected": self.connected,
            "state": self.state,
            "attempts": self.attempts,
            "remote_url": self.remote_url,
            "last_error": self.last_error,
            "parts": list(self.parts),
            "posted": self.posted,
            "log": [a.to_dict() for a in self.log],
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
    media: tuple[str, ...] = ()  # sha256 of the library images attached

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


def _log(session: Session, delivery_id: int) -> tuple[AttemptView, ...]:
    from tactful.store.models import AttemptRow

    rows = session.scalars(
        select(AttemptRow).where(AttemptRow.delivery_id == delivery_id).order_by(AttemptRow.id)
    )
    return tuple(
        AttemptView(a.action, a.part + 1, a.started_at, a.outcome, a.http_status, a.detail)
        for a in rows
    )


def _accounts(session: Session, rows: Sequence[OutboxPostRow]) -> dict[int, tuple[str, str, bool]]:
    """Account id -> (name, platform, connected) for the deliveries of ``rows``, one query."""
    from tactful.store.models import CredentialRow

    ids = {d.account_id for row in rows for d in row.deliveries}
    found = session.execute(
        select(AccountRow.id, AccountRow.name, AccountRow.platform, CredentialRow.id)
        .outerjoin(CredentialRow, CredentialRow.account_id == AccountRow.id)
        .where(AccountRow.id.in_(ids))
    )
    return {
        account_id: (name, platform, credential is not None)
        for account_id, name, platform, credential in found
    }


def _view(
    session: Session,
    row: OutboxPostRow,
    names: dict[int, tuple[str, str, bool]],
    *,
    log: bool = False,
) -> OutboxView:
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
                *names.get(d.account_id, ("?", "?", False))[:2],
                d.state,
                d.attempts,
                d.remote_url,
                d.last_error,
                tuple(d.parts or ()),
                len(d.posted or ()),
                _log(session, d.id) if log else (),
                names.get(d.account_id, ("?", "?", False))[2],
            )
            for d in row.deliveries
        ),
        tuple(row.media or ()),
    )


def get_post(session: Session, ref: str) -> OutboxView:
    """One post with its deliveries and every attempt."""
    row = find_post(session, ref)
    return _view(session, row, _accounts(session, [row]), log=True)


@dataclass(frozen=True, slots=True)
class NoticeView:
    id: int
    account: str | None
    kind: str
    message: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "kind": self.kind,
            "message": self.message,
            "created_at": self.created_at.isoformat(),
        }


def open_notices(session: Session) -> list[NoticeView]:
    """What the user must act on (a token the network would not renew), oldest first."""
    from tactful.store.models import NoticeRow

    rows = session.execute(
        select(NoticeRow, AccountRow.name)
        .outerjoin(AccountRow, AccountRow.id == NoticeRow.account_id)
        .where(NoticeRow.dismissed_at.is_(None))
        .order_by(NoticeRow.id)
    )
    return [NoticeView(n.id, name, n.kind, n.message, n.created_at) for n, name in rows]


def list_posts(session: Session, *, include_done: bool = False) -> list[OutboxView]:
    rows = session.scalars(
        select(OutboxPostRow)
        .options(selectinload(OutboxPostRow.deliveries))
        .order_by(
            OutboxPostRow.scheduled_at.is_(None), OutboxPostRow.scheduled_at, OutboxPostRow.id
        )
    )
    listed = list(rows)
    names = _accounts(session, listed)
    views = [_view(session, r, names) for r in listed]
    if include_done:
        return views
    return [v for v in views if any(d.state in OPEN_STATES for d in v.deliveries)]
