"""The inbox sync inside a long-running process (``tactful serve``'s worker): every
``interval`` on the worker's clock, one :class:`~tactful.inbox.sync.InboxSync` run of every
connected account, then triage of what it brought in, then the answers a stopped process
left in flight are settled (:meth:`~tactful.inbox.actions.InboxActions.reconcile`: a reply
is looked for, never sent again). What each run synced is kept for the status page; a run
that fails is logged in one line and remembered, and the next one goes on at its time: the
worker and the server never stop for it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from tactful.core.checker import Checker
from tactful.inbox.actions import InboxActions
from tactful.inbox.store import triage_pending
from tactful.inbox.sync import InboxSync
from tactful.store import Store

log = logging.getLogger("tactful.serve")
DEFAULT_INTERVAL = timedelta(minutes=5)


def _one_line(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


class PeriodicSync:
    """``make_sync`` builds the sync (its HTTP client and clock); ``checker`` the checker
    that triages (the server's, over the store's current data)."""

    def __init__(
        self,
        store: Store,
        *,
        make_sync: Callable[[], InboxSync],
        checker: Callable[[], Checker],
        clock: Callable[[], datetime],
        interval: timedelta = DEFAULT_INTERVAL,
    ):
        self.store = store
        self.make_sync = make_sync
        self.checker = checker
        self.clock = clock
        self.interval = interval
        self.next_at: datetime | None = None  # None: at the first chance
        self.last_run_at: datetime | None = None
        self.last_synced: list[dict[str, Any]] = []
        self.last_sorted = 0
        self.last_settled: list[str] = []  # the answers the last run settled, as lines
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.runs = 0
        self._sync: InboxSync | None = None
        self._lock = threading.Lock()

    def due(self) -> bool:
        return self.next_at is None or self.clock() >= self.next_at

    def run_if_due(self) -> bool:
        """One run when its time has come; True when it ran."""
        if not self.due():
            return False
        self.run_once()
        return True

    def run_once(self) -> None:
        started = self.clock()
        try:
            if self._sync is None:
                self._sync = self.make_sync()
            outcomes = self._sync.run()
            sorted_ = triage_pending(self.store, self.checker(), now=self.clock())
            settled = self._settle(self._sync)
        except Exception as exc:
            with self._lock:
                self.last_error = _one_line(exc)
                self.last_error_at = started
            log.warning(
                "tactful: the inbox sync failed (%s); it tries again in %s",
                self.last_error,
                self.interval,
            )
        else:
            with self._lock:
                self.last_synced = [{**asdict(o), "line": o.line()} for o in outcomes]
                self.last_sorted = sorted_
                self.last_settled = settled
            for outcome in outcomes:
                if outcome.notice or outcome.stopped:
                    log.warning("tactful: inbox sync: %s", outcome.line())
        with self._lock:
            self.runs += 1
            self.last_run_at = started
            self.next_at = started + self.interval

    def _settle(self, sync: InboxSync) -> list[str]:
        actions = InboxActions(
            self.store, http=sync.http, clock=self.clock, actor="tactful",
            connector_for=sync.connector_for,
        )  # fmt: skip
        settled = [view.line() for view in actions.reconcile()]
        for line in settled:
            log.warning("tactful: inbox: settled %s", line)
        return settled

    def close(self) -> None:
        if self._sync is not None:
            self._sync.http.close()

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "interval_s": self.interval.total_seconds(),
                "runs": self.runs,
                "last_run_at": self.last_run_at,
                "next_at": self.next_at,
                "synced": list(self.last_synced),
                "sorted": self.last_sorted,
                "settled": list(self.last_settled),
                "last_error": self.last_error,
                "last_error_at": self.last_error_at,
            }
