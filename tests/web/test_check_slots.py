"""Checks run off the event loop, a few at a time: while slow checks are inside a detector,
the server still answers /healthz and other routes, and no more checks run at once than
``checks_at_once``. Waits are hang guards only; nothing here measures time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from fake_detectors import Slow
from fastapi.testclient import TestClient

from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest

TOKEN = "slots-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
AT_ONCE = 2
CHECKS = 5
GIVE_UP_S = 120


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + GIVE_UP_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (hang guard)")
        time.sleep(0.01)


def test_slow_checks_leave_the_server_answering(tmp_path: Path) -> None:
    app = create_app(
        Store(f"sqlite:///{tmp_path / 'web.db'}"), digest(TOKEN), checks_at_once=AT_ONCE
    )
    slow = Slow()
    app.state.tactful.base_checker().detectors.append(slow)
    answers: list[int] = []
    with TestClient(app) as client:

        def check(n: int) -> None:
            r = client.post("/api/check", json={"text": f"Draft number {n}"}, headers=AUTH)
            answers.append(r.status_code)

        threads = [threading.Thread(target=check, args=(n,)) for n in range(CHECKS)]
        for t in threads:
            t.start()
        try:
            _until(lambda: slow.inside == AT_ONCE, "the first checks never reached the detector")
            # Checks are stuck inside the detector; the server answers all the same.
            assert client.get("/healthz").json() == {"ok": True}
            assert client.get("/api/accounts", headers=AUTH).status_code == 200
            assert client.get("/api/rules", headers=AUTH).status_code == 200
            assert slow.most == AT_ONCE  # the others wait their turn, not in a detector
        finally:
            slow.release.set()
            for t in threads:
                t.join(GIVE_UP_S)
    assert answers == [200] * CHECKS
    assert slow.calls == CHECKS and slow.most == AT_ONCE
