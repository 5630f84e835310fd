"""The worker inside ``tactful serve``: a thread that publishes what is due every few
seconds, the same :class:`~tactful.publish.worker.Worker` as ``tactful worker`` (so it may
run beside other workers; none publishes a post twice). An exception in a run is logged in
one line and the next run goes on; the server never stops for it. With an inbox sync
(:class:`~tactful.inbox.periodic.PeriodicSync`), each run also syncs the inbox when its
interval has passed on the worker's clock; a failed sync is remembered the same way."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tactful.publish.worker import Tally, Worker

if TYPE_CHECKING:
    from tactful.inbox.periodic import PeriodicSync

log = logging.getLogger("tactful.serve")
BATCH = 10  # deliveries claimed per run; a full batch is followed at once by the next


def _one_line(exc: BaseException) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:300]


class BackgroundWorker:
    def __init__(
        self, make: Callable[[], Worker], interval: float, inbox: PeriodicSync | None = None
    ):
        self.make = make
        self.interval = interval
        self.inbox = inbox
        self.started_at: datetime | None = None
        self.last_run_at: datetime | None = None
        self.last_error: str | None = None
        self.last_error_at: datetime | None = None
        self.runs = 0
        self.handled = 0
        self._tally: dict[str, Any] = dataclasses.asdict(Tally())
        self._worker: Worker | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self.started_at = datetime.now(UTC)
        self._thread = threading.Thread(target=self._loop, name="tactful-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for the run in progress (a request already sent
        is answered or times out; the next worker reconciles it either way)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._worker is not None and not self.running:
            self._worker.http.close()
        if self.inbox is not None and not self.running:
            self.inbox.close()

    def run_once(self) -> int:
        """One run; an exception is logged and remembered, never raised."""
        try:
            if self._worker is None:
                self._worker = self.make()
            n = self._worker.run_once(limit=BATCH)
        except Exception as exc:
            with self._lock:
                self.last_error = _one_line(exc)
                self.last_error_at = datetime.now(UTC)
            log.warning(
                "tactful: the publishing worker failed (%s); it tries again in %gs",
                self.last_error,
                self.interval,
            )
            n = 0
        with self._lock:
            self.runs += 1
            self.handled += n
            self.last_run_at = datetime.now(UTC)
            if self._worker is not None:
                self._tally = dataclasses.asdict(self._worker.tally)
        if self.inbox is not None:
            self.inbox.run_if_due()  # catches and remembers its own failures
        return n

    def _loop(self) -> None:
        while not self._stop.is_set():
            n = self.run_once()
            if n < BATCH:
                self._stop.wait(self.interval)

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "running": self.running,
                "interval_s": self.interval,
                "started_at": self.started_at,
                "last_run_at": self.last_run_at,
                "last_error": self.last_error,
                "last_error_at": self.last_error_at,
                "runs": self.runs,
                "handled": self.handled,
                "tally": dict(self._tally),
                "inbox": self.inbox.status() if self.inbox is not None else None,
            }
