"""The worker: claims due deliveries atomically, re-checks each post, records the attempt
before the request goes out, and records what came back.

- **Claiming** is one transaction: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  write transaction (``BEGIN IMMEDIATE``) on SQLite, so two workers never take the same
  delivery. A claim is a lease; every later write checks it is still held.
- **After a crash** a delivery left ``claimed`` (nothing was sent) is simply taken again. One
  left ``publishing`` (the request may have gone out) is reconciled: resent with the same
  idempotency key while the network still remembers it, or looked for on the account, and
  only published again when it is not there.
- **Retries** only where the request cannot have been accepted, after ``Retry-After`` or the
  rate-limit reset when the network gives one, else with exponential backoff and jitter.
"""

from __future__ import annotations

import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, or_, select

from tactful.checker import Checker
from tactful.publish.connectors import connector as default_connector
from tactful.publish.connectors.base import Connector, Credentials, MediaFile, Outgoing, Result
from tactful.store import Store
from tactful.store.models import (
    AccountRow,
    AttemptRow,
    CredentialRow,
    DeliveryRow,
    OutboxPostRow,
)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = 30.0  # seconds; doubled per attempt, capped at an hour
UNKNOWN_RECHECK = timedelta(minutes=1)


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
    ):
        self.store = store
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.http = http or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
        self.connector_for = connector_for
        self.lease = lease
        self.fault = fault or (lambda step: None)
        self.rng = rng or random.Random()
        self.tally = Tally()
        self._checker: Checker | None = None
        self._base: Checker | None = None  # rules and models, loaded once

    # ------------------------------------------------------------------ claiming

    def claim(self, limit: int = 10) -> list[int]:
        now = self.clock()
        with self.store.session() as s:
            due = or_(
                and_(DeliveryRow.state == "scheduled", DeliveryRow.due_at <= now),
                and_(
                    DeliveryRow.state.in_(("claimed", "publishing")),
                    DeliveryRow.lease_until < now,
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
                row.lease_until = now + self.lease
            return [r.id for r in rows]

    def _held(self, s: Any, delivery_id: int) -> DeliveryRow | None:
        row: DeliveryRow | None = s.get(DeliveryRow, delivery_id, with_for_update=True)
        if row is None or row.claimed_by != self.name or row.state not in ("claimed", "publishing"):
            return None
        if row.lease_until is None or row.lease_until < self.clock():
            return None
        return row

    def fresh_checker(self) -> Checker:
        """A checker on what the store holds now (consent may have changed since)."""
        from tactful.store.snapshot import store_extras

        if self._base is None:
            self._base = Checker()
        self._checker = self._base.with_extras(store_extras(self.store))
        return self._checker

    def run_once(self, limit: int = 10) -> int:
        """Claim what is due and publish it; returns how many deliveries were handled."""
        ids = self.claim(limit)
        self.fault("claimed")
        if ids:
            self.fresh_checker()
        for delivery_id in ids:
            self.process(delivery_id)
        return len(ids)

    # ------------------------------------------------------------------ one delivery

    def process(self, delivery_id: int) -> None:
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is None:
                self.tally.lost_claims += 1
                return
            post = s.get(OutboxPostRow, row.post_id)
            account = s.get(AccountRow, row.account_id)
            assert post is not None and account is not None
            cred = s.scalar(select(CredentialRow).where(CredentialRow.account_id == account.id))
            first_try = s.scalar(
                select(AttemptRow.started_at)
                .where(AttemptRow.delivery_id == row.id, AttemptRow.action == "publish")
                .order_by(AttemptRow.id)
                .limit(1)
            )
            # Reconcile first whenever an earlier request may have been accepted: one in
            # flight when a worker died, or one whose answer never came (even if the
            # delivery was given up on and requeued since).
            maybe_sent = s.scalar(
                select(AttemptRow.id)
                .where(
                    AttemptRow.delivery_id == row.id,
                    AttemptRow.action == "publish",
                    or_(AttemptRow.outcome.is_(None), AttemptRow.outcome == "unknown"),
                )
                .limit(1)
            )
            in_flight = row.state == "publishing" or maybe_sent is not None
            media, missing = self._media(s, post.media)
            outgoing = Outgoing(post.text, row.idempotency_key, media)
            platform = account.platform
            stop = self._stopped(s, post, account)
        stop = stop or missing
        if stop:
            self._attention(delivery_id, stop)
            return
        if cred is None:
            self._attention(
                delivery_id,
                f"{account.name} is not connected: tactful accounts connect {account.name}",
            )
            return
        from tactful.publish.vault import open_sealed

        secret = open_sealed(cred.secret)
        creds = Credentials(cred.base_url, str(secret.get("token", "")), cred.remote_user, secret)
        conn = self.connector_for(platform)
        if in_flight:
            found = self._reconcile(delivery_id, conn, creds, outgoing, first_try)
            if found is not None:  # on the account already, or to look for again later
                if found.kind == "published":
                    self._record(delivery_id, found, "reconcile")
                return
        if not self._mark_publishing(delivery_id):
            self.tally.lost_claims += 1
            return
        self.fault("marked")
        result = conn.publish(self.http, creds, outgoing)
        self.fault("sent")
        self._record(delivery_id, result, "publish")
        self.fault("recorded")

    def _media(self, s: Any, hashes: list[str]) -> tuple[tuple[MediaFile, ...], str | None]:
        """The attached images' files, kept by the store when the post was scheduled."""
        from tactful.store.files import files_dir_for, stored_file
        from tactful.store.models import MediaRow

        files = []
        for sha in hashes or ():
            row = s.scalar(select(MediaRow).where(MediaRow.sha256 == sha))
            path = stored_file(files_dir_for(self.store), sha, row.mime if row else None)
            if row is None or not path.exists():
                return (), f"the image {sha[:12]} is no longer kept; attach it again"
            files.append(MediaFile(str(path), row.mime or "application/octet-stream"))
        return tuple(files), None

    def _stopped(self, s: Any, post: OutboxPostRow, account: AccountRow) -> str | None:
        """The check at publish time: consent or rules may have changed since scheduling."""
        from tactful.publish.outbox import gate, still_stopping
        from tactful.store.accounts import get_account

        checker = self._checker or self.fresh_checker()
        problems, _ = gate(checker, post.text, get_account(s, account.name), post.media)
        stopping = still_stopping(problems, set(post.override_rules or ()))
        if not stopping:
            return None
        return "stopped at publish time: " + "; ".join(
            f"{p.rule_id}: {p.message}" for p in stopping
        )

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
        if window is not None and first_try is not None and self.clock() - first_try < window:
            return None  # the same idempotency key: the network returns the first post
        found = conn.find(self.http, creds, outgoing, first_try)
        if found is None:
            return None  # not there: it never went out
        if found.kind != "published":  # could not look: keep it in flight, look again later
            with self.store.session() as s:
                row = self._held(s, delivery_id)
                if row is not None:
                    row.lease_until = self.clock() + UNKNOWN_RECHECK
                    row.last_error = found.detail
        return found

    def _mark_publishing(self, delivery_id: int) -> bool:
        with self.store.session() as s:
            row = self._held(s, delivery_id)
            if row is None:
                return False
            row.state = "publishing"
            row.attempts += 1
            s.add(
                AttemptRow(
                    delivery_id=row.id, worker=self.name, action="publish", started_at=self.clock()
                )
            )
            return True

    def _delay(self, attempts: int, hint: float | None) -> timedelta:
        if hint is not None:
            return timedelta(seconds=hint + self.rng.uniform(0, 1))
        base = min(3600.0, BACKOFF_BASE * 2 ** max(0, attempts - 1))
        return timedelta(seconds=base * self.rng.uniform(0.8, 1.2))

    def _record(self, delivery_id: int, result: Result, action: str) -> None:
        now = self.clock()
        with self.store.session() as s:
            row: DeliveryRow | None = s.get(DeliveryRow, delivery_id, with_for_update=True)
            assert row is not None
            attempt = s.scalar(
                select(AttemptRow)
                .where(AttemptRow.delivery_id == row.id, AttemptRow.outcome.is_(None))
                .order_by(AttemptRow.id.desc())
                .limit(1)
            )
            if action == "reconcile" or attempt is None:
                attempt = AttemptRow(
                    delivery_id=row.id, worker=self.name, action=action, started_at=now
                )
                s.add(attempt)
            attempt.outcome = result.kind
            attempt.http_status = result.status
            attempt.detail = result.detail or None
            attempt.finished_at = now
            self.tally.by_outcome[result.kind] = self.tally.by_outcome.get(result.kind, 0) + 1
            if row.state == "published":
                return  # another worker recorded it (its answer and ours are the same post)
            if result.kind == "published":
                row.state, row.remote_id, row.remote_url = "published", result.remote_id, result.url
                row.last_error = None
                self.tally.published += 1
            elif result.kind == "retry" and row.attempts < MAX_ATTEMPTS:
                row.state = "scheduled"
                row.due_at = now + self._delay(row.attempts, result.retry_after)
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
                    started_at=self.clock(),
                    outcome="needs_attention",
                    detail=why,
                    finished_at=self.clock(),
                )
            )
        self.tally.attention += 1


def _attention_text(result: Result) -> str:
    if result.kind == "auth":
        return f"access was refused ({result.detail}); connect the account again"
    if result.kind == "rejected":
        return f"the network refused the post: {result.detail}"
    return f"gave up after {MAX_ATTEMPTS} attempts: {result.detail}"
