"""The outbox from the command line, publishing to the fake Mastodon server on a real local
socket: connect, schedule, the gate refusing, publish now, and the exit-2 paths."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_mastodon import FakeMastodon, asgi

from tactful.cli.main import main

# The CLI schedules on the real clock, so the times it must accept are years from today
# (a fixed year would pass one New Year's morning and the tests with it).
YEAR = datetime.now(UTC).year + 4  # real clock ok
NEW_YEAR = f"{YEAR}-01-01 09:00"
SUMMER = f"{YEAR}-06-01 09:00"  # British Summer Time: 08:00 UTC
OCTOBER_31 = date(YEAR, 10, 31)
CLOCKS_GO_BACK = OCTOBER_31 - timedelta(days=(OCTOBER_31.weekday() + 1) % 7)  # last Sunday
MARCH_31 = date(YEAR, 3, 31)
CLOCKS_GO_FORWARD = MARCH_31 - timedelta(days=(MARCH_31.weekday() + 1) % 7)


@pytest.fixture
def server() -> Iterator[tuple[str, FakeMastodon]]:
    fake = FakeMastodon()
    with serve(fake) as url:
        yield url, fake


@contextmanager
def serve(fake: object) -> Iterator[str]:
    """The fake on a real local socket."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(asgi(fake), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.output


def test_connect_schedule_refuse_and_publish_now(
    tmp_path: Path, server: tuple[str, FakeMastodon]
) -> None:
    url, fake = server
    db = str(tmp_path / "t.db")
    assert (
        run(
            "accounts",
            "add",
            "jo-masto",
            "--platform",
            "mastodon",
            "--kind",
            "professional",
            "--db",
            db,
        )[0]
        == 0
    )
    code, out = run(
        "accounts",
        "connect",
        "jo-masto",
        "--instance",
        url,
        "--secret-stdin",
        "--db",
        db,
        stdin="good-token\n",
    )
    assert code == 0 and "account id 109" in out and "good-token" not in out
    code, out = run(
        "accounts",
        "connect",
        "jo-masto",
        "--instance",
        url,
        "--secret-stdin",
        "--db",
        db,
        stdin="wrong\n",
    )
    assert code == 2 and "refused the token" in out

    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%d 09:30")  # real clock ok
    code, out = run(
        "schedule",
        "add",
        "Our winter report is out.",
        "--account",
        "jo-masto",
        "--at",
        later,
        "--tz",
        "Europe/London",
        "--db",
        db,
    )
    assert code == 0 and out.startswith("scheduled #1 for ") and "Europe/London" in out
    code, out = run(
        "schedule",
        "add",
        "My idiot boss moved the deadline again lol",
        "--account",
        "jo-masto",
        "--at",
        later,
        "--tz",
        "Europe/London",
        "--db",
        db,
    )
    assert code == 1 and "kept as draft #2" in out and "work.venting" in out and "--override" in out
    code, out = run("schedule", "list", "--db", db)
    assert "#1" in out and "scheduled" in out and "#2" in out and "draft" in out
    code, out = run("worker", "--once", "--db", db)
    assert code == 0 and fake.statuses == []  # nothing due yet

    code, out = run(
        "publish", "now", "Live from the launch event.", "--account", "jo-masto", "--db", db
    )
    assert code == 0 and f"jo-masto: published {fake.statuses[0]['url']}" in out
    assert fake.published() == {"Live from the launch event.": 1}
    code, out = run("schedule", "cancel", "1", "--db", db)
    run("schedule", "cancel", "3", "--db", db)
    assert code == 0 and "cancelled #1 for 1 account(s)" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--account", "nobody", "--at", NEW_YEAR, "--tz", "UTC"), "no account named"),
        (("--account", "jo", "--at", "2020-01-01 09:00", "--tz", "UTC"), "has passed"),
        (("--account", "jo", "--at", NEW_YEAR, "--tz", "Moon/Base"), "unknown time zone"),
        (
            ("--account", "jo", "--at", f"{CLOCKS_GO_BACK} 01:30", "--tz", "Europe/London"),
            "happens twice",
        ),
        (("--account", "jo", "--at", "soon", "--tz", "UTC"), "write it like"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "personal", "--db", db)
    code, out = run("schedule", "add", "Hello", *args, "--db", db)
    assert code == 2 and needle in out and len(out.strip().splitlines()) == 1


def test_a_post_over_the_limit_is_kept_as_a_draft(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "personal", "--db", db)
    code, out = run(
        "schedule",
        "add",
        "word " * 120,
        "--account",
        "jo",
        "--at",
        NEW_YEAR,
        "--tz",
        "UTC",
        "--db",
        db,
    )
    assert code == 1 and "publish.too_long" in out and "mastodon takes 500" in out
    assert "#1" in run("schedule", "list", "--db", db)[1]


def test_edit_changes_time_and_text_and_checks_again(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "professional", "--db", db)
    base = ("--account", "jo", "--tz", "Europe/London", "--db", db)
    code, out = run("schedule", "add", "Our report is out.", "--at", NEW_YEAR, *base)
    assert code == 0 and "scheduled #1" in out
    code, out = run("schedule", "edit", "1", "--at", SUMMER, "--tz", "Europe/London", "--db", db)
    # Summer time: 09:00 in London is 08:00 UTC, and the text is unchanged.
    assert code == 0 and f"{SUMMER} Europe/London ({YEAR}-06-01 08:00 UTC)" in out
    code, out = run(
        "schedule", "edit", "1", "--text", "My idiot boss moved the deadline again", "--db", db
    )
    assert code == 1 and "kept as draft #1" in out and "work.venting" in out
    code, out = run("schedule", "edit", "1", "--text", "Our report is out, updated.", "--db", db)
    assert code == 0 and "scheduled #1" in out and SUMMER in out
    code, out = run("schedule", "edit", "1", "--draft", "--db", db)
    assert code == 0 and "kept as draft #1 (no time)" in out
    code, out = run("schedule", "edit", "1", "--draft", "--at", NEW_YEAR, "--db", db)
    assert code == 2 and "either --at or --draft" in out
    code, out = run("schedule", "edit", "9", "--text", "x", "--db", db)
    assert code == 2 and "no scheduled post" in out


def test_a_long_post_goes_as_a_thread_when_asked(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "personal", "--db", db)
    text = "Thanks to everyone who came to the open day and asked such good questions. " * 9
    code, out = run(
        "schedule",
        "add",
        text,
        "--account",
        "jo",
        "--at",
        NEW_YEAR,
        "--tz",
        "UTC",
        "--thread",
        "--db",
        db,
    )
    assert code == 0 and "scheduled #1 as a thread of 2 posts" in out
    code, out = run("schedule", "show", "1", "--db", db)
    assert code == 0 and "jo (mastodon): scheduled, thread 0/2 parts out" in out
    assert "part 1/2: Thanks to everyone" in out and "part 2/2:" in out
    assert "not connected: tactful accounts connect jo" in out
    code, out = run("schedule", "show", "1", "--format", "json", "--db", db)
    post = json.loads(out)
    assert [p[-4:] for p in post["deliveries"][0]["parts"]] == [" 1/2", " 2/2"]
    assert post["deliveries"][0]["connected"] is False


def test_an_hour_that_does_not_exist_shows_when_it_really_goes_out(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "personal", "--db", db)
    day = CLOCKS_GO_FORWARD  # the last Sunday of March, a year or more ahead
    code, out = run("schedule", "add", "Doors open.", "--account", "jo", "--at", f"{day} 01:30",
                    "--tz", "Europe/London", "--db", db)  # fmt: skip
    assert code == 0 and f"scheduled #1 for {day} 02:30 Europe/London" in out
    assert "does not exist" in out and "01:30" in out  # the note says what moved
    code, out = run("schedule", "list", "--db", db)
    assert f"#1  {day}T02:30 Europe/London" in out


def test_an_account_never_connected_is_warned_about_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo", "--platform", "mastodon", "--kind", "personal", "--db", db)
    code, out = run("schedule", "add", "Doors open.", "--account", "jo", "--at", NEW_YEAR,
                    "--tz", "UTC", "--db", db)  # fmt: skip
    assert code == 0 and "scheduled #1" in out
    assert "warning: jo is not connected: nothing goes out until you connect it" in out
    assert "tactful accounts connect jo" in out
    code, out = run("schedule", "list", "--db", db)
    assert "not connected: tactful accounts connect jo" in out


def test_bluesky_connects_with_an_app_password_from_stdin(tmp_path: Path) -> None:
    from fake_bluesky import APP_PASSWORD, DID, HANDLE, FakeBluesky

    db = str(tmp_path / "t.db")
    run("accounts", "add", "jo-bsky", "--platform", "bluesky", "--kind", "personal",
        "--handle", f"@{HANDLE}", "--db", db)  # fmt: skip
    with serve(FakeBluesky()) as url:
        code, out = run("accounts", "connect", "jo-bsky", "--pds", url, "--secret-stdin",
                        "--db", db, stdin=f"{APP_PASSWORD}\n")  # fmt: skip
        assert code == 0 and DID in out and APP_PASSWORD not in out
        code, out = run("accounts", "connect", "jo-bsky", "--pds", url, "--secret-stdin",
                        "--db", db, stdin="wrong-password\n")  # fmt: skip
        assert code == 2 and "wrong handle or app password" in out
    code, out = run("accounts", "add", "jo-x", "--platform", "x", "--kind", "personal", "--db", db)
    code, out = run("accounts", "connect", "jo-x", "--db", db)
    assert code == 2 and "--client-id" in out and len(out.strip().splitlines()) == 1
