"""Audits uploaded to the web app go through a bounded queue: many uploads at once all
finish, none is lost, no more than ``at_once`` run together, nothing they held stays open,
a failed or crashed audit keeps its upload to try again, and the server answers meanwhile.
Waits are hang guards only; nothing here measures time."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tactful.archives.synthetic import write
from tactful.store import Store
from tactful.web import create_app
from tactful.web.audit_jobs import AuditJobs, AuditRequest, _run
from tactful.web.auth import digest

TOKEN = "queue-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPLOADS = 12
AT_ONCE = 2
GIVE_UP_S = 240  # a hang guard for a whole batch on a busy 2-core machine


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _app(tmp_path: Path, **kw: Any) -> Any:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    return create_app(store, digest(TOKEN), **kw)


def _upload(client: TestClient, export: Path) -> dict[str, Any]:
    r = client.post(
        f"/api/audits?filename={export.name}", content=export.read_bytes(), headers=AUTH
    )
    assert r.status_code == 202, r.text
    return dict(r.json())


def _settled(client: TestClient, job: str) -> dict[str, Any]:
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        status = client.get(f"/api/audits/jobs/{job}", headers=AUTH).json()
        if status["state"] not in ("queued", "running"):
            return dict(status)
        time.sleep(0.05)
    raise AssertionError(f"audit job {job} did not end (hang guard)")


def _uploads_left(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "tactful-files" / "archives").glob("upload-*"))


@pytest.fixture
def exports(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    return [
        write("x", folder / f"export-{n}", [f"Post {n}: a calm note.", "My client is an idiot."])
        for n in range(UPLOADS)
    ]


def test_many_uploads_at_once_all_finish_and_release_what_they_held(
    tmp_path: Path, exports: list[Path]
) -> None:
    with TestClient(_app(tmp_path, audits_at_once=AT_ONCE)) as client:
        # One audit first: what the first one starts for good (the spawn machinery) is
        # not a leak; what every job adds would be.
        assert _settled(client, _upload(client, exports[0])["job"])["state"] == "done"
        before = _open_fds()
        seen_running: list[int] = []
        health: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                seen_running.append(client.get("/api/audits/queue", headers=AUTH).json()["running"])
                health.append(client.get("/healthz").status_code)
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(UPLOADS) as pool:
            started = list(pool.map(lambda e: _upload(client, e), exports[1:]))
        assert {s["state"] for s in started} <= {"queued", "running"}
        assert max(s["ahead"] for s in started) >= AT_ONCE  # the queue was used
        finished = [_settled(client, s["job"]) for s in started]
        stop.set()
        watcher.join(GIVE_UP_S)
        assert [f["error"] for f in finished if f["state"] != "done"] == []
        run_ids = {f["run_id"] for f in finished}
        assert None not in run_ids and len(run_ids) == UPLOADS - 1  # one run per upload
        assert all(f["posts"] == 2 and f["flagged"] >= 1 for f in finished)
        assert _uploads_left(tmp_path) == []  # each deleted once its audit was done
        assert max(seen_running) <= AT_ONCE
        assert health and set(health) == {200}  # the server answered all along
        assert client.get("/api/audits/queue", headers=AUTH).json() == {
            "at_once": AT_ONCE,
            "running": 0,
            "queued": 0,
        }
        # Pipes, process handles and shared memory are released per job: a few descriptors
        # of slack for the test's own machinery, not some per job.
        assert _open_fds() - before < UPLOADS // 2


def fails_the_first_time(
    db_url: str, req: AuditRequest, progress: Any, outcome: Connection
) -> None:
    """An audit process that fails once (a clean failure, then a crash), then succeeds."""
    marks = Path(req.path).parent / "tries"
    tries = int(marks.read_text()) if marks.exists() else 0
    marks.write_text(str(tries + 1))
    if tries == 0:
        outcome.send("the audit failed: the database is locked")
        outcome.close()
        return
    if tries == 1:
        os._exit(3)  # dies without a word, like a process killed for its memory
    _run(db_url, req, progress, outcome)


def waits_for_go(db_url: str, req: AuditRequest, progress: Any, outcome: Connection) -> None:
    """An audit process that waits until the test says go (the server stops first)."""
    go = Path(req.path).parents[3] / "go"  # tmp_path/tactful-files/archives/upload-*/file
    deadline = time.monotonic() + GIVE_UP_S
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    _run(db_url, req, progress, outcome)


def _with_target(app: Any, target: Any, at_once: int = 1) -> None:
    state = app.state.tactful
    state.jobs = AuditJobs(
        state.store.url, AuditJobs.upload_dir(state.files_dir), at_once=at_once, target=target
    )


@pytest.fixture
def one_export(tmp_path: Path) -> Iterator[Path]:
    yield write("x", tmp_path / "export", ["A calm note.", "My client is an idiot."])


def test_a_failed_audit_keeps_its_upload_and_can_be_tried_again(
    tmp_path: Path, one_export: Path
) -> None:
    app = _app(tmp_path)
    _with_target(app, fails_the_first_time)
    with TestClient(app) as client:
        job = _upload(client, one_export)["job"]
        failed = _settled(client, job)
        assert failed["state"] == "failed" and failed["can_retry"]
        assert "database is locked" in failed["error"] and "upload is kept" in failed["error"]
        assert len(_uploads_left(tmp_path)) == 1
        assert client.get("/healthz").status_code == 200

        r = client.post(f"/api/audits/jobs/{job}/retry", headers=AUTH)
        assert r.status_code == 202 and r.json()["state"] in ("queued", "running")
        crashed = _settled(client, job)
        assert crashed["state"] == "failed" and "exit code 3" in crashed["error"]
        assert len(_uploads_left(tmp_path)) == 1 and client.get("/healthz").status_code == 200

        assert client.post(f"/api/audits/jobs/{job}/retry", headers=AUTH).status_code == 202
        done = _settled(client, job)
        assert done["state"] == "done" and done["posts"] == 2 and done["run_id"]
        assert _uploads_left(tmp_path) == []
        r = client.post(f"/api/audits/jobs/{job}/retry", headers=AUTH)
        assert r.status_code == 422 and "only a failed audit" in r.json()["detail"]


def test_a_failed_audit_can_be_removed_with_its_upload(tmp_path: Path, one_export: Path) -> None:
    app = _app(tmp_path)
    _with_target(app, fails_the_first_time)
    with TestClient(app) as client:
        job = _upload(client, one_export)["job"]
        assert _settled(client, job)["state"] == "failed"
        assert client.delete(f"/api/audits/jobs/{job}", headers=AUTH).status_code == 204
        assert _uploads_left(tmp_path) == []
        assert client.get(f"/api/audits/jobs/{job}", headers=AUTH).status_code == 404


def test_uploads_a_stopped_server_left_are_listed_to_try_again(
    tmp_path: Path, one_export: Path
) -> None:
    app = _app(tmp_path)
    _with_target(app, waits_for_go)
    with TestClient(app) as client:
        running = _upload(client, one_export)["job"]
        queued = _upload(client, one_export)
        assert queued["state"] == "queued" and queued["ahead"] == 1
    # The server stopped: the running audit was ended, the queued one never started.
    assert len(_uploads_left(tmp_path)) == 2
    (tmp_path / "go").touch()
    with TestClient(_app(tmp_path)) as client:
        listed = {j["job"]: j for j in client.get("/api/audits/jobs", headers=AUTH).json()}
        assert set(listed) == {running, queued["job"]}
        assert all(j["state"] == "failed" and j["can_retry"] for j in listed.values())
        assert all("server stopped" in j["error"] for j in listed.values())
        for job in listed:
            assert client.post(f"/api/audits/jobs/{job}/retry", headers=AUTH).status_code == 202
        assert [_settled(client, job)["state"] for job in listed] == ["done", "done"]
        assert _uploads_left(tmp_path) == []
