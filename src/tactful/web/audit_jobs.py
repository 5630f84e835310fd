"""Audits started from the web app. Each runs in a process of its own (spawned, so it shares
no threads or locks with the server), checks the export with the same runner as
``tactful audit``, and writes its results to the store as it goes. The server reads the
progress from a small shared array; the run itself (results, report) is in the store."""

from __future__ import annotations

import multiprocessing
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

# Slots of the shared progress array.
BYTES, TOTAL, POSTS, FLAGGED, STATE = range(5)
RUNNING, DONE, FAILED = 0, 1, 2
_STATES = {RUNNING: "running", DONE: "done", FAILED: "failed"}


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


@dataclass
class Job:
    id: str
    filename: str
    request: AuditRequest
    process: Any
    progress: Any  # multiprocessing Array('q', 5)
    errors: Any  # multiprocessing Queue: one message when the run fails
    error: str | None = None
    run_id: int | None = None

    def status(self) -> dict[str, Any]:
        p = list(self.progress[:])
        if self.error is None and p[STATE] == FAILED:
            try:
                self.error = self.errors.get_nowait()
            except Exception:  # the queue may be empty or closed
                self.error = "the audit stopped; see the server's output"
        state = _STATES[p[STATE]]
        if state == "running" and not self.process.is_alive():
            state, self.error = "failed", self.error or "the audit process ended unexpectedly"
        return {
            "job": self.id,
            "filename": self.filename,
            "format": self.request.format,
            "state": state,
            # Importers may read a small file beside the posts (the account's name).
            "bytes_read": min(p[BYTES], p[TOTAL]) if p[TOTAL] else p[BYTES],
            "bytes_total": p[TOTAL],
            "posts": p[POSTS],
            "flagged": p[FLAGGED],
            "run_id": self.run_id,
            "error": self.error,
        }


def _run(db_url: str, req: AuditRequest, progress: Any, errors: Any) -> None:
    """The audit process: the same runner and outputs as ``tactful audit``, one worker (the
    server keeps the other cores)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on the server ends it from there
    from tactful.archives import ArchiveSource, create
    from tactful.audit.runner import run_audit
    from tactful.audit.settings import AuditSettings
    from tactful.core.factory import checker_for
    from tactful.core.findings import Severity
    from tactful.errors import TactfulError
    from tactful.store import Store

    source = None
    try:
        store = Store(db_url)
        source = ArchiveSource(req.path)
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
        checker = checker_for(store)

        def report(done: int, posts: int, flagged: int) -> None:
            progress[BYTES], progress[POSTS], progress[FLAGGED] = done, posts, flagged

        run_audit(store, source, importer, checker, settings, workers=1, progress=report)
        progress[STATE] = DONE
    except TactfulError as exc:
        errors.put(str(exc))
        progress[STATE] = FAILED
    except Exception as exc:  # reported to the page, not lost
        errors.put(f"the audit failed: {type(exc).__name__}: {exc}")
        progress[STATE] = FAILED
    finally:
        if source is not None:
            source.close()
        # The upload was a copy of the user's export: its results are in the store now.
        import shutil

        shutil.rmtree(Path(req.path).parent, ignore_errors=True)


class AuditJobs:
    """The audits this server started (past runs are in the store)."""

    def __init__(self, db_url: str):
        self.db_url = db_url
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ctx = multiprocessing.get_context("spawn")

    def start(self, filename: str, req: AuditRequest) -> Job:
        progress = self._ctx.Array("q", 5, lock=False)
        errors = self._ctx.Queue()
        process = self._ctx.Process(
            target=_run,
            args=(self.db_url, req, progress, errors),
            daemon=True,
        )
        job = Job(secrets.token_hex(8), filename, req, process, progress, errors)
        process.start()
        with self._lock:
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def all(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def stop_all(self) -> None:
        for job in self.all():
            if job.process.is_alive():
                job.process.terminate()
                job.process.join(5)

    @staticmethod
    def upload_dir(files_dir: Path) -> Path:
        return files_dir / "archives"
