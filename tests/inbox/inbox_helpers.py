"""What the inbox tests share: an account connected in the store, an item stored as a sync
stores it and sorted by the one pipeline, and a connector that never refreshes a token."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tactful.inbox.items import Incoming
from tactful.inbox.store import triage_pending
from tactful.inbox.sync import store_items
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import AccountRow, InboxItemRow


class NoRefresh:
    """The account's connector as the inbox sees it: no refresh (a token is reconnected)."""

    name = "none"


def connect(store: Store, name: str, platform: str, **creds: Any) -> None:
    """A brand account on ``platform`` with these credentials saved."""
    with store.session() as s:
        add_account(s, name, platform=platform, kind="brand")
        save_credentials(s, name, **creds)


def stored_item(store: Store, account: str, clock: Any, incoming: Incoming, checker: Any) -> int:
    """``incoming`` stored in ``account``'s inbox (once: an item already there is kept) and
    sorted by ``checker``; its row id."""
    with store.session() as s:
        known = s.scalar(
            select(InboxItemRow.id).where(InboxItemRow.remote_id == incoming.remote_id)
        )
        if known is None:
            owner = s.scalar(select(AccountRow).where(AccountRow.name == account))
            assert owner is not None
            store_items(s, owner.id, owner.platform, [incoming], clock())
    triage_pending(store, checker, now=clock())
    with store.session() as s:
        found = s.scalar(
            select(InboxItemRow.id).where(InboxItemRow.remote_id == incoming.remote_id)
        )
        assert found is not None
        return found
