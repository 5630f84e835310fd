"""Keeping an account's access token alive for the worker: renewed ahead of the posts due
soon, renewed at the last moment when it is about to expire, and renewed by one worker at a
time (networks that rotate refresh tokens refuse the old one, so two workers renewing at
once would lock the account out). A renewal the network refuses tells the user once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from tactful.publish.connectors.base import Connector, Credentials, Result
from tactful.store import Store
from tactful.store.db import BUSY_TRIES, patiently
from tactful.store.models import AccountRow, CredentialRow, DeliveryRow, NoticeRow

REFRESH_MARGIN = timedelta(minutes=5)  # a token this close to expiring is refreshed first
# How far ahead of a post its account's token is renewed: well inside the shortest token
# life (X's two hours), so a token just renewed is never renewed again at once.
REFRESH_AHEAD = timedelta(minutes=30)


class TokenRenewer:
    """Renews the tokens the worker publishes with. ``on_renewed`` is called once for each
    renewal that was stored; ``busy_tries`` bounds the tries on a busy SQLite database."""

    def __init__(
        self,
        store: Store,
        *,
        http: httpx.Client,
        clock: Callable[[], datetime],
        connector_for: Callable[[str], Connector],
        on_renewed: Callable[[], None] = lambda: None,
        busy_tries: int = BUSY_TRIES,
    ):
        self.store = store
        self.http = http
        self.clock = clock
        self.connector_for = connector_for
        self.on_renewed = on_renewed
        self.busy_tries = busy_tries

    def ahead(self, within: timedelta | None = None) -> int:
        """Refresh the tokens of accounts with a post due soon whose token would expire by
        then, so a post at 9:00 never waits on a refresh (or fails for one) at 9:00. A
        refresh the network refuses notifies the user once. Returns how many it renewed."""
        within = within or REFRESH_AHEAD
        now = self.clock()
        due_soon = select(DeliveryRow.account_id).where(
            DeliveryRow.state == "scheduled", DeliveryRow.due_at < now + within
        )

        def expiring() -> list[tuple[int, str]]:
            with self.store.session() as s:
                rows = s.execute(
                    select(CredentialRow.account_id, AccountRow.platform)
                    .join(AccountRow, AccountRow.id == CredentialRow.account_id)
                    .where(
                        CredentialRow.expires_at.is_not(None),
                        CredentialRow.refresh_failed_at.is_(None),
                        CredentialRow.expires_at < now + within + REFRESH_MARGIN,
                        CredentialRow.account_id.in_(due_soon),
                    )
                ).all()
            return [(account_id, platform) for account_id, platform in rows]

        renewed = 0
        for account_id, platform in patiently(expiring, tries=self.busy_tries):
            conn = self.connector_for(platform)
            if hasattr(conn, "refresh"):
                done = self.renew(conn, account_id, None, until=now + within)
                renewed += isinstance(done, Credentials)
        return renewed

    def fresh(self, conn: Connector, account_id: int, creds: Credentials) -> Credentials | Result:
        """The credentials to publish with, refreshed first when the token is about to
        expire (a refresh ahead of time should have done it; this is the last chance)."""
        expires = creds.expires_at
        if expires is None or not hasattr(conn, "refresh"):
            return creds
        if expires - self.clock() > REFRESH_MARGIN:
            return creds
        return self.renew(conn, account_id, creds.token)

    def renew(
        self,
        conn: Any,
        account_id: int,
        seen: str | None,
        *,
        force: bool = False,
        until: datetime | None = None,
    ) -> Credentials | Result:
        """Refresh an account's token, one worker at a time: the credentials row is locked
        and read again first, so a token another worker has just refreshed (networks that
        rotate refresh tokens refuse the old one) is used as it is. ``seen`` is the token
        the caller holds: a different one stored means someone refreshed meanwhile.

        A busy SQLite database is waited out and tried again: the write lock is taken as
        the transaction begins, so the waiting happens before the network is asked."""
        outcome, renewed = patiently(
            lambda: self._renew(conn, account_id, seen, force, until), tries=self.busy_tries
        )
        if renewed:
            self.on_renewed()
        return outcome

    def _renew(
        self, conn: Any, account_id: int, seen: str | None, force: bool, until: datetime | None
    ) -> tuple[Credentials | Result, bool]:
        """One try of :meth:`renew`: the answer, and whether a new token was stored."""
        from tactful.publish.vault import seal

        with self.store.session() as s:
            row = s.scalar(
                select(CredentialRow)
                .where(CredentialRow.account_id == account_id)
                .with_for_update()
            )
            if row is None:
                return Result("auth", detail="the account is no longer connected"), False
            current = unsealed(row)
            # Fresh enough: it lasts past ``until`` (the post it is renewed for; now).
            fresh_enough = row.expires_at is not None and (
                row.expires_at - (until or self.clock()) > REFRESH_MARGIN
            )
            changed = seen is not None and current.token != seen
            if changed or (fresh_enough and not force):
                return current, False  # refreshed by someone else meanwhile
            result: Credentials | Result = conn.refresh(self.http, current)
            if isinstance(result, Credentials):
                row.secret = seal({**result.extra, "token": result.token})
                row.expires_at = result.expires_at
                row.refresh_failed_at = None
                if result.base_url:
                    row.base_url = result.base_url
                return result, True
            if result.kind == "auth" and row.refresh_failed_at is None:
                row.refresh_failed_at = self.clock()
                notify_once(
                    s,
                    account_id,
                    "refresh_failed",
                    f"{_account_name(s, account_id)}: the network refused to renew access "
                    f"({result.detail}); connect the account again before its next post",
                )
            if result.kind == "unknown":  # a refresh publishes nothing: safe to ask again
                return Result("retry", status=result.status, detail=result.detail), False
            return result, False


def unsealed(row: CredentialRow) -> Credentials:
    """A credentials row as the connector gets it (the secret opened)."""
    from tactful.publish.vault import open_sealed

    secret = open_sealed(row.secret)
    return Credentials(
        row.base_url, str(secret.get("token", "")), row.remote_user, secret, row.expires_at
    )


def notify_once(s: Any, account_id: int | None, kind: str, message: str) -> bool:
    """Add a notice unless one of this kind is open for the account. True if added."""
    open_ = s.scalar(
        select(NoticeRow.id).where(
            NoticeRow.account_id == account_id,
            NoticeRow.kind == kind,
            NoticeRow.dismissed_at.is_(None),
        )
    )
    if open_ is not None:
        return False
    s.add(NoticeRow(account_id=account_id, kind=kind, message=message))
    return True


def _account_name(s: Any, account_id: int) -> str:
    return str(s.scalar(select(AccountRow.name).where(AccountRow.id == account_id)))
