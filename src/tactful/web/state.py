"""What every route shares: the store, the checker (rebuilt when the store's data changes),
the folder for uploaded files, and the audits this server started."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from tactful.core.checker import Checker
from tactful.store import Store, current_actor
from tactful.store.accounts import AccountRecord

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.orm import Session

    from tactful.store.snapshot import StoreSnapshot
    from tactful.web.audit_jobs import AuditJobs
    from tactful.web.background import BackgroundWorker

MAX_ARCHIVE = 2 * 1024 * 1024 * 1024  # the default upload limit for an export


class AppState:
    def __init__(
        self,
        store: Store,
        files_dir: Path,
        *,
        max_archive: int = MAX_ARCHIVE,
        audits_at_once: int | None = None,
        checks_at_once: int | None = None,
    ):
        from tactful.web.audit_jobs import AUDITS_AT_ONCE, AuditJobs
        from tactful.web.check_slots import CheckSlots

        self.store = store
        self.files_dir = files_dir
        self.max_archive = max_archive
        self.actor = current_actor()
        self.jobs: AuditJobs = AuditJobs(
            store.url, AuditJobs.upload_dir(files_dir), at_once=audits_at_once or AUDITS_AT_ONCE
        )
        self.checks = CheckSlots(checks_at_once)  # checks run off the event loop, bounded
        self.worker: BackgroundWorker | None = None  # publishes due posts (None: turned off)
        self.inbox_http: Callable[[], httpx.Client] = _network_client  # the inbox's answers
        self._base: Checker | None = None  # rules, policies and models: loaded once
        self._checker: Checker | None = None  # the base over the store's current data
        self._stamp: tuple[object, ...] = ()  # what other processes change (see checker())
        self._lock = threading.Lock()

    def _loaded(self) -> Checker:
        if self._base is None:
            self._base = Checker()
        return self._base

    def base_checker(self) -> Checker:
        """The rules and models, without the store's data (the worker puts the store as it
        is at publish time over them, the organisation's policy included)."""
        with self._lock:
            return self._loaded()

    def checker(self) -> Checker:
        """The checker over the store's current data: rebuilt after a change made here, and
        when another process changed the organisation's policy or a connection."""
        from tactful.store.snapshot import change_stamp

        with self.store.session() as s:
            stamp = change_stamp(s)
        with self._lock:
            if self._checker is None or stamp != self._stamp:
                from tactful.core.factory import checker_for

                self._checker = checker_for(self.store, base=self._loaded())
                self._stamp = stamp
            return self._checker

    def snapshot(self) -> StoreSnapshot:
        """What the store held when the current checker was made."""
        snapshot = self.checker().store
        assert snapshot is not None  # the web app always has a store
        return snapshot

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for a change the checks must see: committed, then :meth:`changed`."""
        with self.store.session() as s:
            yield s
        self.changed()

    def changed(self) -> None:
        """The store changed: the next check sees the new consent, accounts and media."""
        with self._lock:
            self._checker = None

    def account(self, name: str) -> AccountRecord:
        """A stored account, from the checker's snapshot (no database read per check); an
        account the snapshot does not know is looked up, and a hit refreshes the snapshot."""
        known = self.snapshot().accounts
        for account in known:
            if account.name == name:
                return account
        from tactful.store.accounts import get_account

        with self.store.session() as s:
            found = get_account(s, name)  # raises with the known names when there is none
        self.changed()
        return found


def _network_client() -> httpx.Client:
    import httpx

    return httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.tactful
    return state
