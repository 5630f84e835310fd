"""Bringing an account's inbox in: one page at a time, each page's items stored with the
cursor in one commit, so a sync cut short anywhere (killed, a timeout, a 429, a 5xx, an
expired token) loses nothing and stores nothing twice when it runs again.

- **Idempotent.** An item is stored once per account, network and item id (the store's
  unique key); met again, it is counted as already there and left as first read.
- **The cursor** (:class:`~tactful.store.models.InboxCursorRow`) moves only with the items it
  covers: ``resume`` (the page to go on from) and ``top`` (the newest mark of the run) are
  written with each page; ``since`` takes ``top`` once the run has reached the last sync's
  mark, so items that arrived meanwhile are read by the next run.
- **Refusals.** A token the network refuses is renewed once through the connector where it
  can be (Bluesky sessions, X and LinkedIn refresh tokens), and the page asked again. A
  refusal that stays (a permission missing, access revoked) leaves one notice on the
  account (``tactful schedule list`` and ``inbox sync`` show it), keeps what was synced, and
  the next account is read. A page token the network no longer takes starts the run again
  from the newest item (stored items are not stored twice).
- **Limits.** An item over ``inbox/limits.yml`` is kept, cut and marked; an entry with no
  id is counted as unreadable; neither stops the sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tactful.errors import InputError
from tactful.inbox.items import Incoming, Page, Reader
from tactful.inbox.limits import fit, limits
from tactful.inbox.readers import available as readers_available
from tactful.inbox.readers import reader as default_reader
from tactful.publish.connectors import connector as default_connector
from tactful.publish.connectors.base import Connector, Credentials, Result
from tactful.publish.tokens import TokenRenewer, notify_once, unsealed
from tactful.store import Store
from tactful.store.models import (
    AccountRow,
    CredentialRow,
    InboxCursorRow,
    InboxItemRow,
    NoticeRow,
)

NOTICE = "inbox_refused"
Clock = Callable[[], datetime]


@dataclass
class AccountSync:
    """What one sync of one account did."""

    account: str
    network: str
    new: int = 0
    seen: int = 0  # already stored: met again, not stored twice
    cut: int = 0  # over the size limits: kept, cut and marked
    unreadable: int = 0  # entries the network sent with no item in them
    pages: int = 0
    finished: bool = False  # reached the last sync's mark
    stopped: str | None = None  # why it stopped early (it goes on next time)
    notice: str | None = None  # a refusal the user must act on

    def line(self) -> str:
        head = f"{self.account} ({self.network}): {self.new} new, {self.seen} already here"
        extra = [f"{n} {what}" for n, what in ((self.cut, "cut to the size limit"),
                                              (self.unreadable, "unreadable")) if n]  # fmt: skip
        if extra:
            head += ", " + ", ".join(extra)
        if self.notice:
            return f"{head}; refused: {self.notice}"
        if self.stopped:
            return f"{head}; stopped for now ({self.stopped}): run again to go on"
        return head


def _nothing(_step: str) -> None:
    return None


class InboxSync:
    """Syncs stored accounts' inboxes. ``fault`` is a test's hook, called after a page is
    read (``fetched``) and after it is stored (``stored``), to kill the sync there."""

    def __init__(
        self,
        store: Store,
        *,
        http: httpx.Client,
        clock: Clock,
        reader_for: Callable[[str], Reader] = default_reader,
        connector_for: Callable[[str], Connector] = default_connector,
        fault: Callable[[str], None] = _nothing,
        max_pages: int | None = None,
    ):
        self.store = store
        self.http = http
        self.clock = clock
        self.reader_for = reader_for
        self.connector_for = connector_for
        self.fault = fault
        self.max_pages = max_pages or limits().pages_per_sync
        self.tokens = TokenRenewer(store, http=http, clock=clock, connector_for=connector_for)

    def accounts(self, name: str | None = None) -> list[tuple[int, str, str]]:
        """(id, name, platform) of the connected accounts to sync (``name``: that one)."""
        with self.store.session() as s:
            query = select(AccountRow.id, AccountRow.name, AccountRow.platform).join(
                CredentialRow, CredentialRow.account_id == AccountRow.id
            )
            if name is not None:
                known = s.scalar(select(AccountRow.id).where(AccountRow.name == name))
                if known is None:
                    raise InputError(f"no account named {name!r}; see: tactful accounts list")
                query = query.where(AccountRow.name == name)
            rows = [(i, n, p) for i, n, p in s.execute(query.order_by(AccountRow.name))]
        if name is not None and not rows:
            raise InputError(f"{name} is not connected; run: tactful accounts connect {name}")
        readable = readers_available()
        return [row for row in rows if row[2] in readable]

    def run(self, name: str | None = None) -> list[AccountSync]:
        return [self.account(*row) for row in self.accounts(name)]

    def account(self, account_id: int, name: str, platform: str) -> AccountSync:
        done = AccountSync(name, platform)
        reader = self.reader_for(platform)
        creds = self._credentials(account_id)
        if creds is None:
            done.stopped = "not connected"
            return done
        wait_until = self._retry_at(account_id)
        if wait_until is not None and wait_until > self.clock():
            done.stopped = f"the network asked to wait until {wait_until:%H:%M:%S} UTC"
            return done
        renewed = restarted = False
        # A run that goes on from a page where the last one stopped reaches that one's mark,
        # then reads from the newest again, for what arrived meanwhile.
        backfilling = self._cursor(account_id)[1] is not None
        while done.pages < self.max_pages:
            since, resume = self._cursor(account_id)
            page = reader.read(self.http, creds, since=since, resume=resume, now=self.clock())
            self.fault("fetched")
            if isinstance(page, Result):
                if page.kind == "auth" and not renewed:
                    renewed = True
                    fresh = self._renew(platform, account_id, creds)
                    if fresh is not None:
                        creds = fresh
                        continue
                if page.kind == "rejected" and resume and not restarted:
                    restarted = True  # a page token it no longer takes: from the newest again
                    backfilling = False
                    self._restart(account_id)
                    continue
                self._failed(account_id, name, platform, page, done)
                return done
            self._store(account_id, platform, page, done)
            self.fault("stored")
            done.pages += 1
            if page.next is None:
                # Then from the newest, for what arrived meanwhile: up to the mark this run
                # reached. A reader with no mark (posts then comments) would read its whole
                # window again, which the next sync does anyway.
                if backfilling and self._cursor(account_id)[0] is not None:
                    backfilling = False
                    continue
                done.finished = True
                return done
        done.stopped = f"read {done.pages} pages; the rest next time"
        return done

    # ------------------------------------------------------------------ steps

    def _credentials(self, account_id: int) -> Credentials | None:
        with self.store.session() as s:
            row = s.scalar(select(CredentialRow).where(CredentialRow.account_id == account_id))
            return unsealed(row) if row is not None else None

    def _cursor(self, account_id: int) -> tuple[str | None, str | None]:
        with self.store.session() as s:
            row = s.scalar(select(InboxCursorRow).where(InboxCursorRow.account_id == account_id))
            return (row.since, row.resume) if row is not None else (None, None)

    def _retry_at(self, account_id: int) -> datetime | None:
        with self.store.session() as s:
            return s.scalar(
                select(InboxCursorRow.retry_at).where(InboxCursorRow.account_id == account_id)
            )

    def _locked_cursor(self, s: Session, account_id: int) -> InboxCursorRow:
        row = s.scalar(
            select(InboxCursorRow).where(InboxCursorRow.account_id == account_id).with_for_update()
        )
        if row is None:
            row = InboxCursorRow(account_id=account_id)
            s.add(row)
            s.flush()
        return row

    def _renew(self, platform: str, account_id: int, creds: Credentials) -> Credentials | None:
        conn = self.connector_for(platform)
        if not hasattr(conn, "refresh"):
            return None
        made = self.tokens.renew(conn, account_id, creds.token, force=True)
        return made if isinstance(made, Credentials) else None

    def _restart(self, account_id: int) -> None:
        with self.store.session() as s:
            cursor = self._locked_cursor(s, account_id)
            cursor.resume = None
            cursor.top = None

    def _failed(
        self, account_id: int, name: str, platform: str, result: Result, done: AccountSync
    ) -> None:
        now = self.clock()
        with self.store.session() as s:
            cursor = self._locked_cursor(s, account_id)
            cursor.last_error = result.detail[:2000]
            if result.kind in ("auth", "rejected"):
                done.notice = result.detail
                notify_once(
                    s,
                    account_id,
                    NOTICE,
                    f"{name}: {platform} refused to let tactful read the inbox ({result.detail}); "
                    "what was synced is kept. Connect the account again granting read access: "
                    f"tactful accounts connect {name}",
                )
                return
            wait = result.retry_after
            cursor.retry_at = now + timedelta(seconds=wait) if wait else None
            done.stopped = result.detail

    def _store(self, account_id: int, network: str, page: Page, done: AccountSync) -> None:
        now = self.clock()
        with self.store.session() as s:
            cursor = self._locked_cursor(s, account_id)
            new, seen, cut = store_items(s, account_id, network, page.items, now)
            if cursor.resume is None or cursor.top is None:
                cursor.top = page.top  # the newest mark of this run: its first page's
            cursor.resume = page.next
            if page.next is None:  # the run reached the last sync's mark
                cursor.since = cursor.top or cursor.since
                cursor.top = None
                cursor.synced_at = now
            cursor.last_error = None
            cursor.retry_at = None
            s.execute(
                update(NoticeRow)
                .where(
                    NoticeRow.account_id == account_id,
                    NoticeRow.kind == NOTICE,
                    NoticeRow.dismissed_at.is_(None),
                )
                .values(dismissed_at=now)
            )
        done.new += new
        done.seen += seen
        done.cut += cut
        done.unreadable += page.unreadable


def store_items(
    s: Session, account_id: int, network: str, items: Iterable[Incoming], now: datetime
) -> tuple[int, int, int]:
    """Store the items not stored yet; returns (new, already there, cut to the limits)."""
    batch: dict[str, Incoming] = {}
    for item in items:
        batch.setdefault(item.remote_id, item)
    if not batch:
        return 0, 0, 0
    there = set(
        s.scalars(
            select(InboxItemRow.remote_id).where(
                InboxItemRow.account_id == account_id,
                InboxItemRow.network == network,
                InboxItemRow.remote_id.in_(list(batch)),
            )
        )
    )
    new = cut = 0
    for remote_id, item in batch.items():
        if remote_id in there:
            continue
        fitted, original = fit(item)
        s.add(
            InboxItemRow(
                account_id=account_id,
                network=network,
                remote_id=remote_id,
                kind=fitted.kind,
                author_handle=fitted.author_handle,
                author_id=fitted.author_id,
                text=fitted.text,
                url=fitted.url,
                parent_id=fitted.parent_id,
                thread=[p.to_dict() for p in fitted.thread] or None,
                created_at=fitted.created_at,
                fetched_at=now,
                oversize=original is not None,
                original_chars=original,
                whereabouts=False,
            )
        )
        new += 1
        cut += original is not None
    return new, len(there), cut
