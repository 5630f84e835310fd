"""The worker: claims due deliveries atomically, re-checks each post, records the attempt
before the request goes out, and records what came back.

- **Claiming** is one transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  write transaction (``BEGIN IMMEDIATE``) on SQLite, so two workers never take the same
  delivery. A claim is a lease; every later write checks it is still held, and the last
  check comes just before the request goes out.
- **Leases run on the database's clock** (:func:`~tactful.store.db.database_now`), never on
  a worker's: a worker whose clock is an hour ahead cannot think another's lease has run out
  while that one's request is in flight. A worker's own clock only says when a post is due.
- **After a crash** a delivery left ``claimed`` (nothing was sent) is simply taken again. One
  left ``publishing`` (the request may have gone out) is reconciled: resent with the same
  idempotency key while the network still remembers it, or looked for on the account, and
  only published again when it is not there.
- **Retries** only where the request cannot have been accepted, after ``Retry-After`` or the
  rate-limit reset when the network gives one, else with exponential backoff and jitter.
- **A busy SQLite database** (another worker holds the write lock) is waited out: each step
  is one transaction, tried again after the busy timeout (:func:`tactful.store.db.patiently`).
  Should it stay busy, the round ends and the next one starts with what this worker had
  claimed and not finished; a worker never dies of it.

Tokens are renewed ahead of the posts that need them by :mod:`tactful.publish.tokens`.
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tactful.core.checker import Checker
from tactful.errors import DatabaseBusy
from tactful.publish.connectors import connector as default_connector
from tactful.publish.connectors.base import (
    Connector,
    Credentials,
    MediaFile,
    Outgoing,
    Posted,
    Result,
)
from tactful.publish.outbox import maybe_sent
from tactful.publish.tokens import TokenRenewer, unsealed
from tactful.store import Store
from tactful.store.db import BUSY_TRIES, database_now, patiently
from tactful.store.models import AccountRow, AttemptRow, CredentialRow, DeliveryRow, OutboxPostRow

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 30.0  # seconds; doubled per attempt, capped at an hour
UNKNOWN_RECHECK = timedelta(minutes=1)
UNCONFIRMED = (
    "an answer never came back and tactful could not read the account to see whether the "
    "post went out ({detail}); look there: if it is there, cancel this; if not, "
    "'tactful schedule retry ID --not-there'"
)
log = logging.getLogger(__name__)
_T = TypeVar("_T")


class Killed(BaseException):
    """Raised by a test's fault hook to stop the worker where it stands, like kill -9."""


@dataclass
class Tally:
    published: int = 0
    retried: int = 0
    unknown: int = 0
    attention: int = 0
    reconciled: int = 0
    lost_claims: int = 0
    refreshed: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Worker:
    def __init__(
        self,
        store: Store,
        *,
        name: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        http: httpx.Client | None = None,
        connector_for: Callable[[str], Connector] = default_connector,
        lease: timedelta = LEASE,
        fault: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
        base: Callable[[], Checker] = Checker,
        busy_tries: int = BUSY_TRIES,
        lease_clock: Callable[[Session], datetime] = database_now,
    ):
        """``clock`` says when a post is due; ``lease_clock`` (the database's clock; a
        test's shared clock stands in for it) times leases and attempts, so that workers whose
        clocks disagree still agree on whose claim has run out. ``base`` makes the checker's
        rules, policies and models (loaded once, on the first post): ``tactful serve`` passes
        its own, shared with the composer. ``busy_tries``: how many times a step is tried on
        a busy SQLite database before the round ends (each try waits out the busy timeout
        first)."""
        self.store = store
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.lease_clock = lease_clock
        self.http = http or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
        self.connector_for = connector_for
        self.lease = lease
        self.fault = fault or (lambda step: None)
        self.rng = rng or random.Random()
        self.tally = Tally()
        self._checker: Checker | None = None
        self._base_of = base
        self._base: Checker | None = None  # rules and models, loaded once
        self.busy_tries = busy_tries
        self.tokens = TokenRenewer(
            store,
            http=self.http,
            clock=clock,
            connector_for=connector_for,
            on_renewed=self._count_renewal,
            busy_tries=busy_tries,
        )
        # Claimed by this worker in a round the database's lock cut short: taken up first
        # in the next round (the claims are still held) instead of waiting out the lease.
        self._carried: list[int] = []

    # ------------------------------------------------------------------ claiming

    def claim(self, limit: int = 10) -> list[int]:
        now = self.clock()
        with self.store.session() as s:
            held_until = self.lease_clock(s)
            due = or_(
                and_(DeliveryRow.state == "scheduled", DeliveryRow.due_at <= now),
                and_(
                    DeliveryRow.state.in_(("claimed", "publishing")),
                    DeliveryRow.lease_until < held_until,
                ),
            )
            q = select(DeliveryRow).where(due).order_by(DeliveryRow.due_at, DeliveryRow.id)
            q = q.limit(limit)
            if s.get_bind().dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            rows = list(s.scalars(q))
            for row in rows:
                if row.state == "scheduled":
                    row.state = "claimed"
                row.claimed_by = self.name
                row.lease_until = held_until + self.lease
            return [r.id for r in rows]

    def _held(self, s: Any, delivery_id: int) -> DeliveryRow | None:
        row: DeliveryRow | None = s.get(DeliveryRow, delivery_id, with_for_update=True)
        if row is None or row.claimed_by != self.name or row.state not in ("claimed", "publishing"):
            return None
        if row.lease_until is None or row.lease_until < self.lease_clock(s):
            return None
        return row

    def _database_now(self) -> datetime:
        with self.store.session() as s:
            return self.lease_clock(s)

    def fresh_checker(self) -> Checker:
        """A checker on what the store holds now (consent or the organisation's policy may
        have changed since)."""
        from tactful.core.factory import checker_for

        if self._base is None:
            self._base = self._base_of()
        self._checker = checker_for(self.store, base=self._base, now=self.clock())
        return self._checker

    def run_once(self, limit: int = 10) -> int:
        """Claim what is due and publish it; returns how many deliveries were taken on.

        When the database stays busy beyond :func:`~tactful.store.db.patiently`'s tries,
        the round ends early (logged, never raised) and the deliveries it had taken on and
        not finished are taken up first next round."""
        carried, self._carried = self._carried, []
        ids = list(carried)
        done = 0
        try:
            self.refresh_ahead()
            ids += [i for i in self._patiently(lambda: self.claim(limit)) if i not in carried]
            self.fault("claimed")
            if ids:
                self._patiently(self.fresh_checker)
            for delivery_id in ids:
                self.process(delivery_id)
                done += 1
        except DatabaseBusy as exc:
            self._carried = ids[done:]
            log.warning(
                "tactful: the database stayed busy (%s); %d deliveries wait for the next round",
                exc,
                len(self._carried),
            )
        return len(ids)

    def _patiently(self, step: Callable[[], _T]) -> _T:
        """``step()`` (one transaction), tried again while SQLite is busy; the tally forgets
        what a try that was rolled back had counted."""
        saved = replace(self.tally, by_outcome=dict(self.tally.by_outcome))

        def undo() -> None:
            vars(self.tally).update(vars(replace(saved, by_outcome=dict(saved.by_outcome))))

        return patiently(step, tries=self.busy_tries, undo=undo)

    def _count_renewal(self) -> None:
        self.tally.refreshed += 1

    # ------------------------------------------------------------------ one delivery

    def process(self, delivery_id: int) -> None:
        """Publish one delivery: every part of it that is not out yet, in order."""
        first = True
        while True:
            step = self._patiently(partial(self._load, delivery_id, check=first))
            first = False
            if isinstance(step, str):
                if step:
                    self._patiently(partial(self._attention, delivery_id, step))
                return
            if step is None:
                self.tally.lost_claims += 1
                return
            if not self._publish_part(delivery_id, step):
                return

    def _load(self, delivery_id: int, *, check: bool) -> _Step | str | None:
        """The next part to publish, or why not: None when the claim was lost, a reason
        (needs attention), or "" when every part is out (recorded as published)."""
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is None:
                return None
            post = s.get(OutboxPostRow, row.post_id)
            account = s.get(AccountRow, row.account_id)
            assert post is not None and account is not None
            parts = list(row.parts or [post.text])
            posted = [_posted(p) for p in row.posted or ()]
            part = len(posted)
            if part >= len(parts):  # the last part was recorded, the state not yet
                row.state, row.claimed_by = "published", None
                row.remote_id, row.remote_url = posted[0].remote_id, posted[0].url
                self.tally.published += 1
                return ""
            cred = s.scalar(select(CredentialRow).where(CredentialRow.account_id == account.id))
            for_part = and_(AttemptRow.delivery_id == row.id, AttemptRow.part == part)
            first_try = s.scalar(
                select(AttemptRow.started_at)
                .where(for_part, AttemptRow.action == "publish")
                .order_by(AttemptRow.id)
                .limit(1)
            )
            # Reconcile first whenever an earlier request for this part may have been
            # accepted: one in flight when a worker died, or one whose answer never came
            # (even if the delivery was given up on and requeued since).
            sent_maybe = s.scalar(select(AttemptRow.id).where(for_part, maybe_sent()).limit(1))
            media: tuple[MediaFile, ...] = ()
            stop: str | None = None
            if part == 0:
                media, stop = self._media(s, post.media, account.platform)
                # The check at publish time. Once part of a thread is out, the rest follows
                # (a thread cut in the middle reads worse than either).
                if check:
                    stop = self._stopped(s, post, account, cred, len(parts) > 1) or stop
            if stop:
                return stop
            if cred is None:
                return f"{account.name} is not connected: tactful accounts connect {account.name}"
            creds = unsealed(cred)
            key = row.idempotency_key if part == 0 else f"{row.idempotency_key}-{part + 1}"
            outgoing = Outgoing(
                parts[part],
                key,
                media,
                when=post.scheduled_at,
                reply_to=posted[-1] if posted else None,
                root=posted[0] if posted else None,
            )
            return _Step(
                part=part,
                last=part == len(parts) - 1,
                platform=account.platform,
                account_id=account.id,
                creds=creds,
                outgoing=outgoing,
                first_try=first_try,
                in_flight=row.state == "publishing" or sent_maybe is not None,
            )

    def _publish_part(self, delivery_id: int, step: _Step) -> bool:
        """One part: reconcile or publish it and record the answer. True: go on to the next
        part (this one is out and there are more)."""
        conn = self.connector_for(step.platform)
        creds = self.tokens.fresh(conn, step.account_id, step.creds)
        if isinstance(creds, Result):
            self._patiently(lambda: self._record(delivery_id, creds, "refresh", step))
            return False
        if step.in_flight:
            found = self._reconcile(delivery_id, conn, creds, step.outgoing, step.first_try)
            if found is not None:  # on the account already, or to look for again later
                if found.kind == "published":
                    return self._patiently(
                        lambda: self._record(delivery_id, found, "reconcile", step)
                    )
                return False
        if not self._patiently(lambda: self._mark_publishing(delivery_id, step.part)):
            self.tally.lost_claims += 1
            return False
        self.fault("marked")
        result = conn.publish(self.http, creds, step.outgoing)
        self.fault("sent")
        if result.kind == "auth" and hasattr(conn, "refresh"):
            # Refused, so nothing went out: the token may have expired mid-run. Refresh it
            # once and come straight back; a refresh the network refuses needs the user.
            renewed = self.tokens.renew(conn, step.account_id, creds.token, force=True)
            if not isinstance(renewed, Result):
                result = Result(
                    "retry",
                    retry_after=0.0,
                    status=result.status,
                    detail="the access token had expired; it was refreshed",
                )
        # The answer is waited on, not lost, while the database is busy: it is the only
        # record of what the network did with the post.
        more = self._patiently(lambda: self._record(delivery_id, result, "publish", step))
        self.fault("recorded")
        return more

    def _media(
        self, s: Any, hashes: list[str], platform: str
    ) -> tuple[tuple[MediaFile, ...], str | None]:
        """The attached images' files, kept by the store when the post was scheduled, each
        made to fit the network (converted or scaled down where it would be refused)."""
        from tactful.networks.media import media_rules
        from tactful.networks.media_fit import fit
        from tactful.store.files import files_dir_for, stored_file
        from tactful.store.models import MediaRow

        rules = media_rules(platform)
        files = []
        for sha in hashes or ():
            row = s.scalar(select(MediaRow).where(MediaRow.sha256 == sha))
            path = stored_file(files_dir_for(self.store), sha, row.mime if row else None)
            if row is None or not path.exists():
                return (), f"the image {sha[:12]} is no longer kept; attach it again"
            mime = row.mime or "application/octet-stream"
            try:
                sent, mime = fit(path, mime, rules, sha, platform)
            except (OSError, ValueError) as exc:
                return (), f"the image {sha[:12]} could not be made ready: {exc}"
            files.append(MediaFile(str(sent), mime))
        return tuple(files), None

    def _stopped(
        self,
        s: Any,
        post: OutboxPostRow,
        account: AccountRow,
        cred: CredentialRow | None,
        thread: bool,
    ) -> str | None:
        """The check at publish time: consent or rules may have changed since scheduling."""
        from tactful.publish.outbox import gate, still_stopping
        from tactful.store.accounts import get_account

        checker = self._checker or self.fresh_checker()
        found = gate(
            checker,
            post.text,
            get_account(s, account.name),
            post.media,
            thread=thread,
            own=cred.limits if cred else None,
        )
        stopping = still_stopping(found.problems, set(post.override_rules or ()))
        if not stopping:
            return None
        return "stopped at publish time: " + "; ".join(
            f"{p.rule_id}: {p.message}" for p in stopping
        )

    # ------------------------------------------------------------------ tokens

    def refresh_ahead(self, within: timedelta | None = None) -> int:
        """Renew the tokens of accounts with a post due soon (see :class:`TokenRenewer`);
        returns how many it renewed."""
        return self.tokens.ahead(within)

    # ------------------------------------------------------------------ reconciling

    def _reconcile(
        self,
        delivery_id: int,
        conn: Connector,
        creds: Credentials,
        outgoing: Outgoing,
        first_try: datetime | None,
    ) -> Result | None:
        """The request may have reached the network. None: send it (again). A published
        Result: it is there. Any other Result: the account could not be read; the delivery
        stays in flight and is looked for again after a short lease."""
        self.tally.reconciled += 1
        window = conn.resend_safe_for
        # Attempts are stamped on the database's clock: the window is measured on it too.
        if (
            window is not None
            and first_try is not None
            and self._patiently(self._database_now) - first_try < window
        ):
            return None  # the same idempotency key: the network returns the first post
        found = conn.find(self.http, creds, outgoing, first_try)
        if found is None:
            return None  # not there: it never went out
        if found.kind != "published":  # could not look: keep it in flight, look again later
            self._patiently(lambda: self._look_again(delivery_id, found))
        return found

    def _look_again(self, delivery_id: int, found: Result) -> None:
        """The account could not be read: look again after a short lease, and after
        MAX_ATTEMPTS looks hand it to the user."""
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is not None:
                row.attempts += 1
                row.lease_until = self.lease_clock(s) + UNKNOWN_RECHECK
                row.last_error = found.detail
                if row.attempts >= MAX_ATTEMPTS:  # never read: the user has to look
                    row.state, row.claimed_by = "needs_attention", None
                    row.last_error = UNCONFIRMED.format(detail=found.detail)
                    self.tally.attention += 1

    def _mark_publishing(self, delivery_id: int, part: int) -> bool:
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is None:
                return False
            now = self.lease_clock(s)
            # A full lease for the request about to go out: far longer than the HTTP
            # client's timeouts, so no one takes the delivery over while it is in flight.
            row.lease_until = now + self.lease
            row.state = "publishing"
            row.attempts += 1
            s.add(
                AttemptRow(
                    delivery_id=row.id,
                    worker=self.name,
                    action="publish",
                    part=part,
                    started_at=now,
                )
            )
            return True

    def _delay(self, attempts: int, hint: float | None) -> timedelta:
        if hint is not None:
            return timedelta(seconds=hint + self.rng.uniform(0, 1))
        base = min(3600.0, BACKOFF_BASE * 2 ** max(0, attempts - 1))
        return timedelta(seconds=base * self.rng.uniform(0.8, 1.2))

    def _record(self, delivery_id: int, result: Result, action: str, step: _Step) -> bool:
        """Record what came back for one part. True when that part is out and the thread
        has more to publish (the claim is kept for them)."""
        due_now = self.clock()
        with self.store.session() as s:
            now = self.lease_clock(s)
            row: DeliveryRow | None = s.get(DeliveryRow, delivery_id, with_for_update=True)
            assert row is not None
            attempt = s.scalar(
                select(AttemptRow)
                .where(AttemptRow.delivery_id == row.id, AttemptRow.outcome.is_(None))
                .order_by(AttemptRow.id.desc())
                .limit(1)
            )
            if action != "publish" or attempt is None:
                attempt = AttemptRow(
                    delivery_id=row.id,
                    worker=self.name,
                    action=action,
                    part=step.part,
                    started_at=now,
                )
                s.add(attempt)
            attempt.outcome = result.kind
            attempt.http_status = result.status
            attempt.detail = result.detail or None
            attempt.finished_at = now
            self.tally.by_outcome[result.kind] = self.tally.by_outcome.get(result.kind, 0) + 1
            if row.state == "published":
                return False  # another worker recorded it (its answer and ours: one post)
            posted = list(row.posted or [])
            if result.kind == "published" and len(posted) != step.part:
                return False  # another worker recorded this part already
            if result.kind == "published":
                posted.append(_as_dict(result.posted()))
                row.posted = posted
                row.last_error = None
                if not step.last:  # more parts to come: keep the claim and go on
                    row.state = "claimed"
                    row.lease_until = now + self.lease
                    return True
                head = _posted(posted[0])
                row.state, row.remote_id, row.remote_url = "published", head.remote_id, head.url
                self.tally.published += 1
            elif result.kind == "retry" and row.attempts < MAX_ATTEMPTS:
                row.state = "scheduled"
                row.due_at = due_now + self._delay(row.attempts, result.retry_after)
                row.last_error = result.detail
                self.tally.retried += 1
            elif result.kind == "unknown" and row.attempts < MAX_ATTEMPTS:
                # Stays in flight: the next claim (after the short lease) reconciles it.
                row.state = "publishing"
                row.lease_until = now + self._delay(row.attempts, result.retry_after)
                row.last_error = result.detail
                self.tally.unknown += 1
            else:
                row.state = "needs_attention"
                row.last_error = _attention_text(result)
                self.tally.attention += 1
            row.claimed_by = None if row.state != "publishing" else row.claimed_by
            return False

    def _attention(self, delivery_id: int, why: str) -> None:
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is None:
                return
            row.state = "needs_attention"
            row.last_error = why
            row.claimed_by = None
            s.add(
                AttemptRow(
                    delivery_id=row.id,
                    worker=self.name,
                    action="check",
                    started_at=self.lease_clock(s),
                    outcome="needs_attention",
                    detail=why,
                    finished_at=self.lease_clock(s),
                )
            )
        self.tally.attention += 1


@dataclass(frozen=True, slots=True)
class _Step:
    """The next part of a delivery to publish, and what publishing it needs."""

    part: int
    last: bool
    platform: str
    account_id: int
    creds: Credentials
    outgoing: Outgoing
    first_try: datetime | None
    in_flight: bool


def _posted(raw: dict[str, Any]) -> Posted:
    return Posted(str(raw["remote_id"]), raw.get("url"), dict(raw.get("ref") or {}))


def _as_dict(posted: Posted) -> dict[str, Any]:
    return {"remote_id": posted.remote_id, "url": posted.url, "ref": dict(posted.ref)}


def _attention_text(result: Result) -> str:
    if result.kind == "auth":
        return f"access was refused ({result.detail}); connect the account again"
    if result.kind == "rejected":
        return f"the network refused the post: {result.detail}"
    return f"gave up after {MAX_ATTEMPTS} attempts: {result.detail}"
