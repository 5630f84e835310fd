"""What the browser tests share: Debian's Chromium driven by Playwright (the system browser;
none is downloaded), the app served on a free port, a page that fails its test on any
JavaScript error, and screenshots in build/screenshots/ (or $TACTFUL_SCREENSHOTS)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(
    os.environ.get("TACTFUL_SCREENSHOTS") or Path(__file__).parents[2] / "build" / "screenshots"
)
TIMEOUT_MS = 20_000


def need_browser() -> None:
    if CHROMIUM is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the browser tests: .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port, for as long as the block runs."""
    import uvicorn

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
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@contextmanager
def chromium() -> Iterator[Any]:
    need_browser()
    from playwright.sync_api import sync_playwright

    # Under libfaketime (the suite a year ahead, .ci/next_year.sh) Chromium's timers stall,
    # so the browser keeps the real clock; the pages only show the times the app sends.
    real_clock: dict[str, str | float | bool] = {
        k: v for k, v in os.environ.items() if k != "LD_PRELOAD"
    }
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], env=real_clock
        )
        try:
            yield b
        finally:
            b.close()


@contextmanager
def opened(browser: Any, server: str, path: str, ready: str, **context: Any) -> Iterator[Any]:
    """A fresh page at ``path`` once ``ready`` shows; a JavaScript error fails the test."""
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=server, **context)
    ctx.set_default_timeout(TIMEOUT_MS)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(path)
    pg.wait_for_selector(ready)
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(pg: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    pg.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    print(f"screenshot: {path}")
    return path
