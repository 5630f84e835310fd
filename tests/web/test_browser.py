"""End to end in Debian's Chromium (headless): the real composer page, served by the real
app, signs in, checks the draft as it is typed in, highlights the words and lists the fixes.
A screenshot is kept under the test's tmp folder (its path is printed)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "browser-test-token"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the browser tests: .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    import uvicorn

    folder = tmp_path_factory.mktemp("web")
    app = create_app(Store(f"sqlite:///{folder / 'web.db'}"), digest(TOKEN))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def chromium(url: str, profile: Path, *extra: str) -> str:
    assert CHROMIUM is not None
    out = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout


def test_compose_highlight_and_fixes(server: str, tmp_path: Path) -> None:
    text = "My idiot boss moved the deadline again lol"
    url = f"{server}/#" + urllib.parse.urlencode(
        {"token": TOKEN, "text": text, "kind": "professional"}
    )
    dom = chromium(url, tmp_path / "p1", "--dump-dom")
    assert '<mark class="block">' in dom
    assert 'class="badge blocked"' in dom and "do not publish" in dom
    assert "work.venting" in dom and "Venting about someone you work with" in dom
    assert "Fix: Remove it and vent offline" in dom
    shot = tmp_path / "composer.png"
    chromium(url, tmp_path / "p2", "--window-size=1000,900", f"--screenshot={shot}")
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_a_wrong_token_shows_the_sign_in_form(server: str, tmp_path: Path) -> None:
    dom = chromium(f"{server}/#token=wrong", tmp_path / "p", "--dump-dom")
    assert '<form id="signin">' in dom  # shown
    assert 'id="composer" hidden=""' in dom  # the composer stays hidden
    assert "not the access token" in dom
