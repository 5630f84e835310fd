"""An account's connection to its network: stored encrypted (see :mod:`vault`), read only by
the worker, never printed or logged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.publish.vault import seal
from tactful.store.accounts import get_account
from tactful.store.models import AccountRow, CredentialRow, NoticeRow, utcnow


def save_credentials(
    session: Session,
    account: str,
    *,
    token: str,
    base_url: str | None = None,
    remote_user: str | None = None,
    expires_at: datetime | None = None,
    extra: dict[str, Any] | None = None,
    limits: dict[str, Any] | None = None,
) -> None:
    """Connect (or reconnect) an account; replaces what was stored."""
    name = get_account(session, account).name
    account_id = session.scalar(select(AccountRow.id).where(AccountRow.name == name))
    row = session.scalar(select(CredentialRow).where(CredentialRow.account_id == account_id))
    if row is None:
        row = CredentialRow(account_id=account_id, secret=b"")
        session.add(row)
    row.base_url = base_url
    row.remote_user = remote_user
    row.secret = seal({"token": token, **(extra or {})})
    row.expires_at = expires_at
    row.refresh_failed_at = None
    if limits is not None:
        row.limits = limits
    # Connecting again answers what a failed refresh asked the user to do.
    for notice in session.scalars(
        select(NoticeRow).where(
            NoticeRow.account_id == account_id, NoticeRow.dismissed_at.is_(None)
        )
    ):
        notice.dismissed_at = utcnow()
    session.flush()
