"""Audits started from the web app, through a bounded queue.

At most ``at_once`` audits run at a time (:data:`AUDITS_AT_ONCE` by default); the others wait
their turn in upload order, shown as ``queued`` with how many are ahead of them. Each runs in
a process of its own (spawned, so it shares no threads or locks with the server and a crash
or a memory blow-up in it leaves the server up), checks the export with the same runner as
``tactful audit`` and writes its results to the store as it goes. The server reads its
progress from a small shared array and its outcome from a pipe; the process, the pipe and
the array are released when the job ends.

An upload is never lost: it is deleted only when its audit is done. A failed audit keeps its
upload and says why; it can be tried again (the run resumes where it stopped) or removed.
Each upload's folder holds a small ``job.json``, so a server that stopped with audits queued
or running lists them at its next start as failed, to try again.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger("tactful.serve")

AUDITS_AT_ONCE = 1  # an audit keeps a core busy; the server and the composer keep the rest
BUSY_TRIES = 5  # runs of an audit that met a locked database (each resumes the last)
JOB_FILE = "job.json"  # beside the upload: what to audit, to list it again after a restart
# Slots of the shared progress array.
BYTES, TOTAL, POSTS, FLAGGED = range(4)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
KEPT = "the upload is kept: try again, or remove it"
STOPPED = "the server stopped before this audit finished"


@dataclass(frozen=True, slots=True)
class AuditRequest:
    path: str
    format: str
    platform: str | None
    account_kind: str
    audience: str
    clients_in_audience: bool
    account_name: str | None
    since: datetime | None
    until: datetime | None
    min_severity: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditRequest:
        for key in ("since", "until"):
            data[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(**data)


@dataclass
class Job:
    id: str
    filename: str
    request: AuditRequest
    progress: Any  # multiprocessing Array('q', 4), shared with the job's process
    state: str = QUEUED
    error: str | None = None
    run_id: int | None = None
    ahead: int = 0  # queued jobs only: how many wait before it, running ones included

    @property
    def folder(self) -> Path:
        return Path(self.request.path).parent

    def status(self) -> dict[str, Any]:
        p = list(self.progress[:])
        return {
            "job": self.id,
            "filename": self.filename,
            "format": self.request.format,
            "state": self.state,
            "ahead": self.ahead if self.state == QUEUED else 0,
            # Importers may read a small file beside the posts (the account's name).
            "bytes_read": min(p[BYTES], p[TOTAL]) if p[TOTAL] else p[BYTES],
            "bytes_total": p[TOTAL],
            "posts": p[POSTS],
            "flagged": p[FLAGGED],
            "run_id": self.run_id,
            "error": self.error,
            "can_retry": self.state == FAILED and Path(self.request.path).exists(),
        }


def _run(db_url: str, req: AuditRequest, progress: Any, outcome: Connection) -> None:
    """The audit process: the same runner and outputs as ``tactful audit``, one worker (the
    server keeps the other cores). Sends one message, ``None`` (done) or why it failed."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server ends it from there
    try:
        _audit(db_url, req, progress)
        outcome.send(None)
    except Exception as exc:  # reported to the page, not lost
        from tactful.errors import TactfulError

        why = str(exc) if isinstance(exc, TactfulError) else f"{type(exc).__name__}: {exc}"
        outcome.send(f"the audit failed: {why}")
    finally:
        outcome.close()


def _audit(db_url: str, req: AuditRequest, progress: Any) -> None:
    from tactful.archives import ArchiveSource, create
    from tactful.audit.runner import run_audit
    from tactful.audit.settings import AuditSettings
    from tactful.core.factory import checker_for
    from tactful.core.findings import Severity
    from tactful.errors import DatabaseBusy
    from tactful.store import Store

    store = Store(db_url, migrate=False)  # the server migrated it
    try:
        checker = checker_for(store)
        for attempt in range(1, BUSY_TRIES + 1):
            source = ArchiveSource(req.path)
            try:
                importer = create(req.format)
                progress[TOTAL] = sum(source.size(n) for n in importer.inputs(source))
                settings = AuditSettings(
                    platform=req.platform or importer.platform,
                    account_kind=req.account_kind,
                    audience=req.audience,
                    clients_in_audience=req.clients_in_audience,
                    account_name=req.account_name,
                    since=req.since,
                    until=req.until,
                    min_severity=Severity(req.min_severity),
                )

                def report(done: int, posts: int, flagged: int) -> None:
                    progress[BYTES], progress[POSTS], progress[FLAGGED] = done, posts, flagged

                run_audit(store, source, importer, checker, settings, workers=1, progress=report)
                return
            except DatabaseBusy:
                # Another writer held the database past the busy timeout: what was written
                # stays, and the next run resumes after it.
                if attempt == BUSY_TRIES:
                    raise
                time.sleep(0.5 * attempt)
            finally:
                source.close()
    finally:
        store.dispose()


class AuditJobs:
    """The audits this server knows: queued, running, and finished since it started, plus
    uploads a stopped server left (past runs are in the store)."""

    def __init__(
        self,
        db_url: str,
        uploads: Path,
        *,
        at_once: int = AUDITS_AT_ONCE,
        target: Callable[[str, AuditRequest, Any, Connection], None] | None = None,
    ):
        """``target``: what a job's process runs (:func:`_run`; a test may give another,
        importable by name, with the same arguments and the same one message at the end)."""
        self.db_url = db_url
        self.target = target or _run
        self.uploads = uploads
        self.at_once = at_once
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []  # queued job ids, first first
        self._running: dict[str, Any] = {}  # job id -> its process
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ctx = multiprocessing.get_context("spawn")
        self._pool = ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="tactful-audit")
        self._recover()

    # ------------------------------------------------------------------ queue

    def start(self, filename: str, req: AuditRequest) -> Job:
        """Queue an audit of an upload; it starts when one of the ``at_once`` places frees."""
        job = Job(secrets.token_hex(8), filename, req, self._ctx.Array("q", 4, lock=False))
        (job.folder / JOB_FILE).write_text(
            json.dumps({"id": job.id, "filename": filename, "request": req.to_json()})
        )
        with self._lock:
            self._jobs[job.id] = job
        self._enqueue(job)
        return job

    def retry(self, job_id: str) -> Job | None:
        """Queue a failed job again, on its kept upload; None when it cannot be."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state != FAILED or not Path(job.request.path).exists():
                return None
            job.state, job.error = QUEUED, None
        self._enqueue(job)
        return job

    def remove(self, job_id: str) -> bool:
        """Forget a job that is not running and delete its upload. False: it is running."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.state == RUNNING:
                return False
            del self._jobs[job_id]
            if job_id in self._order:
                self._order.remove(job_id)
            self._renumber()
        shutil.rmtree(job.folder, ignore_errors=True)
        return True

    def _enqueue(self, job: Job) -> None:
        with self._lock:
            self._order.append(job.id)
            self._renumber()
        self._pool.submit(self._take_next)

    def _renumber(self) -> None:
        """Each queued job's place (under the lock): the running ones and those before it."""
        for place, job_id in enumerate(self._order):
            self._jobs[job_id].ahead = len(self._running) + place

    def _take_next(self) -> None:
        """One pool thread: run the first queued job (one submission per enqueued job, so
        every queued job is taken by exactly one of them). The process starts under the
        lock, so :meth:`stop_all` either sees it and ends it, or it never starts."""
        with self._lock:
            if self._stopping.is_set() or not self._order:
                return
            job = self._jobs[self._order.pop(0)]
            job.state = RUNNING
            for slot in range(len(job.progress)):
                job.progress[slot] = 0
            reader, writer = self._ctx.Pipe(duplex=False)
            process = self._ctx.Process(
                target=self.target,
                args=(self.db_url, job.request, job.progress, writer),
                name=f"tactful-audit-{job.id}",
                daemon=True,
            )
            try:
                process.start()
            except Exception as exc:  # no process: the job fails, the server goes on
                log.warning("tactful: an audit could not start (%s)", exc)
                reader.close()
                self._finish(job, f"the audit could not start: {type(exc).__name__}: {exc}")
                return
            finally:
                writer.close()  # the child holds its own end: EOF when it ends without a word
            self._running[job.id] = process
            self._renumber()
        try:
            outcome = self._wait(process, reader)
        finally:
            with self._lock:
                self._running.pop(job.id, None)
                self._renumber()
        self._finish(job, outcome)

    def _wait(self, process: Any, reader: Connection) -> str | None:
        """The process's one message (None: done) or why it ended without one; then the
        process and the pipe are released."""
        try:
            outcome: str | None = reader.recv()
        except EOFError:
            process.join()
            outcome = (
                STOPPED
                if self._stopping.is_set()
                else f"the audit process ended unexpectedly (exit code {process.exitcode})"
            )
        finally:
            reader.close()
        process.join()
        process.close()
        return outcome

    def _finish(self, job: Job, outcome: str | None) -> None:
        if outcome is None:
            job.state, job.error = DONE, None
            # The upload was a copy of the user's export: its results are in the store now.
            shutil.rmtree(job.folder, ignore_errors=True)
        else:
            job.state, job.error = FAILED, f"{outcome}; {KEPT}"

    # ------------------------------------------------------------------ reading

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {
                "at_once": self.at_once,
                "running": len(self._running),
                "queued": len(self._order),
            }

    # ------------------------------------------------------------------ stopping

    def stop_all(self) -> None:
        """Stop running audits (their runs stay resumable, their uploads kept) and the
        queue; what was queued is listed again, to try again, at the next start."""
        with self._lock:
            self._stopping.set()
            running = list(self._running.values())
            self._order.clear()
        for process in running:
            with suppress(ValueError):  # it ended and was released meanwhile
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _recover(self) -> None:
        """Uploads a stopped server left: listed as failed, ready to try again."""
        for found in sorted(self.uploads.glob(f"upload-*/{JOB_FILE}")):
            try:
                data = json.loads(found.read_text())
                req = AuditRequest.from_json(data["request"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not ours to judge: left as it is
            if Path(req.path).parent != found.parent or not Path(req.path).exists():
                continue
            job = Job(
                str(data["id"]),
                str(data["filename"]),
                req,
                self._ctx.Array("q", 4, lock=False),
                state=FAILED,
                error=f"{STOPPED}; {KEPT}",
            )
            self._jobs[job.id] = job

    @staticmethod
    def upload_dir(files_dir: Path) -> Path:
        return files_dir / "archives"
