"""The README's publishing walkthrough, run command by command against the fake Mastodon
server on a local socket: connecting an account, scheduling a post and the gate refusing
one. Each output line the README shows must be printed (dates moved to the next 1 December
still ahead, so the walkthrough never goes stale)."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime
from pathlib import Path

from fake_mastodon import BASE, FakeMastodon
from test_cli_schedule import run, serve

ROOT = Path(__file__).resolve().parents[2]
SHOWN_DATE = "2026-12-01"
SHOWN_SERVER = "https://mastodon.social"


def steps() -> list[tuple[list[str], list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- publishing walkthrough", 1)[1].split("```console\n", 1)[1]
    found: list[tuple[list[str], list[str]]] = []
    for line in block.split("```", 1)[0].splitlines():
        if line.startswith("$ tactful "):
            found.append((shlex.split(line[len("$ tactful ") :]), []))
        elif found:
            found[-1][1].append(line)
    return found


def _next_december() -> str:
    """The date the README shows, as the next 1 December: still ahead whatever today is
    (the CLI runs on the real clock), so the walkthrough runs alike on any day."""
    now = datetime.now(UTC)  # real clock ok
    year = now.year if now < datetime(now.year, 11, 30, tzinfo=UTC) else now.year + 1
    return f"{year}-12-01"


def test_the_readme_shows_connect_schedule_and_the_gate_refusing() -> None:
    commands = [" ".join(args[:2]) for args, _ in steps()]
    assert {"accounts connect", "schedule add"} <= set(commands)
    assert any("kept as draft" in line for _, out in steps() for line in out)


def test_the_publishing_walkthrough_runs_as_shown(tmp_path: Path) -> None:
    date = _next_december()
    db = str(tmp_path / "readme.db")
    with serve(FakeMastodon(tokens={"the-token": "109"})) as url:
        for args, shown in steps():
            args = [a.replace(SHOWN_DATE, date).replace(SHOWN_SERVER, url) for a in args]
            code, out = run(*args, "--db", db, stdin="the-token\n")
            assert code in (0, 1), (args, out)  # 1: the gate kept a post as a draft
            out = out.replace(f"{BASE}/@jo/", f"{SHOWN_SERVER}/@acme/")  # the fake's URLs
            out = out.replace(url, SHOWN_SERVER)
            printed = [line.rstrip() for line in out.splitlines()]
            for line in shown:
                want = line.replace(SHOWN_DATE, date).rstrip()
                assert any(p == want or p.endswith(want) for p in printed), (args, want, out)
