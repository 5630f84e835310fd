"""The schedule over HTTP, in-process: the same outbox and gate as ``tactful schedule`` (a
post the gate stops is a draft with why, not an error), edits, cancel and retry, every
attempt, notices, each kind of bad input with its message, and the worker inside the app
(it publishes, logs its attempts, survives an exception and stops with the app)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tactful.publish.connectors.base import Credentials, Outgoing, Result
from tactful.publish.credentials import save_credentials
from tactful.publish.tokens import notify_once
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.files import files_dir_for, stored_file
from tactful.web import create_app
from tactful.web.auth import digest
from tactful.web.demo import demo_photo, seed


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of ``month``: when Europe's clocks change (March and October)."""
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


TOKEN = "schedule-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The app schedules on the real clock, so the times it must accept are years from today
# (a fixed year would pass one New Year's morning and the tests with it).
YEAR = datetime.now(UTC).year + 4  # real clock ok
SUMMER_DAY = f"{YEAR}-07-01"  # British Summer Time: 09:00 in London is 08:00 UTC
WINTER_DAY = f"{YEAR}-12-01"  # London on UTC, New York five hours behind
CLOCKS_GO_BACK = last_sunday(YEAR, 10)  # 01:00 to 02:00 happens twice in London
CLOCKS_GO_FORWARD = last_sunday(YEAR, 3)  # 01:00 to 02:00 does not happen in London
LATER = f"{SUMMER_DAY} 09:00"
RISKY = "My idiot boss moved the deadline again lol"


def make_store(tmp_path: Path) -> Store:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    with store.session() as s:
        add_account(s, "jo-masto", platform="mastodon", kind="professional", handle="@jo")
        add_account(s, "acme-masto", platform="mastodon", kind="brand", handle="@acme")
    return store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path)


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    # A browser on this machine: pages and sign-in answer only to its own names.
    with TestClient(create_app(store, digest(TOKEN)), base_url="http://127.0.0.1") as c:
        yield c


def add(client: TestClient, **body: Any) -> Any:
    body = {"accounts": ["jo-masto"], "local_time": LATER, "zone": "Europe/London", **body}
    return client.post("/api/schedule", json=body, headers=AUTH)


def now_local() -> str:
    """This minute in UTC: due at once (a time up to a minute past is accepted)."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M")  # real clock ok: the app's worker


def test_schedule_a_post_and_see_it_in_the_queue(client: TestClient) -> None:
    r = add(client, text="Our autumn report is out.", accounts=["jo-masto", "acme-masto"])
    assert r.status_code == 201
    done = r.json()
    assert done["state"] == "scheduled" and done["problems"] == []
    assert done["message"] == (
        f"scheduled #{done['id']} for {SUMMER_DAY} 09:00 Europe/London ({SUMMER_DAY} 08:00 UTC)"
    )
    post = done["post"]
    assert post["local_time"] == f"{SUMMER_DAY}T09:00" and post["zone"] == "Europe/London"
    assert post["scheduled_at"].startswith(f"{SUMMER_DAY}T08:00")
    assert sorted((d["account"], d["state"]) for d in post["deliveries"]) == [
        ("acme-masto", "scheduled"),
        ("jo-masto", "scheduled"),
    ]
    # Neither account was ever connected: queued, but the user is told at once.
    assert [w.split(":")[0] for w in done["warnings"]] == [
        "acme-masto is not connected",
        "jo-masto is not connected",
    ]
    assert {d["connected"] for d in post["deliveries"]} == {False}
    queue = client.get("/api/schedule", headers=AUTH).json()
    assert queue["total"] == 1 and queue["items"][0]["text"] == "Our autumn report is out."
    one = client.get(f"/api/schedule/{done['id']}", headers=AUTH).json()
    assert one["deliveries"][0]["log"] == [] and one["deliveries"][0]["attempts"] == 0


def test_a_blocked_post_is_kept_as_a_draft_with_why_and_an_override_lets_it_by(
    client: TestClient,
) -> None:
    r = add(client, text=RISKY)
    assert r.status_code == 201  # kept, not refused
    done = r.json()
    assert done["state"] == "draft" and done["overridable"]
    assert done["message"] == f"kept as draft #{done['id']}: it does not go out until this is fixed"
    rules = {p["rule_id"] for p in done["problems"]}
    assert "work.venting" in rules and all(p["account"] == "jo-masto" for p in done["problems"])
    delivery = done["post"]["deliveries"][0]
    assert delivery["state"] == "draft" and delivery["last_error"]
    assert done["post"]["local_time"] == f"{SUMMER_DAY}T09:00"  # the time is kept for later
    r = client.patch(
        f"/api/schedule/{done['id']}", json={"override": "the boss asked for it"}, headers=AUTH
    )
    assert r.status_code == 200
    let_by = r.json()
    assert let_by["state"] == "scheduled" and let_by["problems"] == []
    assert let_by["post"]["override_by"] == "tester"
    assert let_by["post"]["override_reason"] == "the boss asked for it"
    assert let_by["post"]["scheduled_at"].startswith(f"{SUMMER_DAY}T08:00")


def test_an_override_when_scheduling_and_what_no_override_lets_by(client: TestClient) -> None:
    done = add(client, text=RISKY, override="satire, agreed with legal").json()
    assert done["state"] == "scheduled" and done["post"]["override_by"] == "tester"
    long = "A sentence about our report that goes on a while. " * 15  # 750 characters
    done = add(client, text=long, override="please").json()
    assert done["state"] == "draft" and not done["overridable"]
    assert [p["rule_id"] for p in done["problems"]] == ["publish.too_long"]
    assert "mastodon takes 500" in done["problems"][0]["message"]
    thread = add(client, text=long, thread=True).json()
    assert thread["state"] == "scheduled" and thread["parts"] == 2 and thread["post"]["thread"]
    assert " as a thread of 2 posts for " in thread["message"]
    parts = thread["post"]["deliveries"][0]["parts"]
    assert len(parts) == 2 and parts[0].endswith("1/2")


def test_edit_the_time_the_text_and_take_it_off_the_schedule(client: TestClient) -> None:
    post_id = add(client, text="Hello from the team.").json()["id"]
    r = client.patch(
        f"/api/schedule/{post_id}", json={"local_time": f"{WINTER_DAY} 10:30"}, headers=AUTH
    )
    assert r.status_code == 200
    moved = r.json()
    # The post's own zone is kept: 10:30 in London in December is 10:30 UTC.
    assert moved["post"]["local_time"] == f"{WINTER_DAY}T10:30"
    assert moved["post"]["zone"] == "Europe/London"
    assert moved["post"]["scheduled_at"].startswith(f"{WINTER_DAY}T10:30")
    r = client.patch(
        f"/api/schedule/{post_id}",
        json={"local_time": f"{WINTER_DAY} 10:30", "zone": "America/New_York"},
        headers=AUTH,
    )
    assert r.json()["post"]["scheduled_at"].startswith(f"{WINTER_DAY}T15:30")
    r = client.patch(f"/api/schedule/{post_id}", json={"text": RISKY}, headers=AUTH)
    assert r.json()["state"] == "draft" and "work.venting" in {
        p["rule_id"] for p in r.json()["problems"]
    }
    r = client.patch(f"/api/schedule/{post_id}", json={"text": "Hello again."}, headers=AUTH)
    assert r.json()["state"] == "scheduled" and r.json()["post"]["text"] == "Hello again."
    r = client.patch(f"/api/schedule/{post_id}", json={"draft": True}, headers=AUTH)
    off = r.json()
    assert off["state"] == "draft" and off["post"]["local_time"] is None
    assert off["message"] == f"kept as draft #{post_id} (no time): give it a time to schedule it"


def test_cancel_hides_it_from_the_queue_and_it_cannot_be_edited_after(client: TestClient) -> None:
    post_id = add(client, text="Soon.").json()["id"]
    r = client.post(f"/api/schedule/{post_id}/cancel", headers=AUTH)
    assert r.status_code == 200 and r.json()["cancelled"] == 1
    assert r.json()["post"]["deliveries"][0]["state"] == "cancelled"
    assert client.get("/api/schedule", headers=AUTH).json()["total"] == 0
    everything = client.get("/api/schedule?all=1", headers=AUTH).json()
    assert [p["id"] for p in everything["items"]] == [post_id]
    r = client.patch(f"/api/schedule/{post_id}", json={"text": "Later."}, headers=AUTH)
    assert r.status_code == 422
    assert (
        r.json()["detail"] == f"post #{post_id} has gone out or was cancelled; schedule a new one"
    )


def test_a_post_can_carry_library_images(store: Store, tmp_path: Path) -> None:
    # Uploaded into another folder than the store's: the worker's copy is made on scheduling.
    app = create_app(store, digest(TOKEN), files_dir=tmp_path / "uploads")
    with TestClient(app) as c:
        photo = demo_photo(tmp_path / "p.jpg").read_bytes()
        m = c.post("/api/media?filename=team.jpg", content=photo, headers=AUTH).json()
        assert not stored_file(files_dir_for(store), m["sha256"], "image/jpeg").exists()
        done = add(c, text="Team day!", media=[m["sha256"]]).json()
        assert done["state"] == "scheduled" and done["post"]["media"] == [m["sha256"]]
        assert stored_file(files_dir_for(store), m["sha256"], "image/jpeg").exists()
        five = add(c, text="Team day!", media=[m["sha256"]] * 5).json()
        assert five["post"]["media"] == [m["sha256"]]  # the same image once
        r = c.patch(f"/api/schedule/{done['id']}", json={"media": []}, headers=AUTH)
        assert r.status_code == 200 and r.json()["post"]["media"] == []


def test_an_image_added_from_the_command_line_has_no_file_to_send(
    client: TestClient, store: Store, tmp_path: Path
) -> None:
    from tactful.store.media import add_media

    with store.session() as s:
        record, _ = add_media(s, demo_photo(tmp_path / "cli.jpg"))
    r = add(client, text="Look!", media=[record.sha256])
    assert r.status_code == 422 and "is not kept here" in r.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"accounts": ["nope"]}, 422, "no account named 'nope'; known accounts: acme-masto"),
        ({"local_time": "2020-01-01 09:00"}, 422, "in Europe/London has passed"),
        (
            {"local_time": f"{CLOCKS_GO_BACK} 01:30"},
            422,
            f"{CLOCKS_GO_BACK} 01:30 happens twice in Europe/London (the clocks go back)",
        ),
        ({"zone": "Mars/Olympus"}, 422, "unknown time zone 'Mars/Olympus'; use an IANA name"),
        ({"zone": "America"}, 422, "unknown time zone 'America'"),  # a folder of the database
        ({"local_time": "next tuesday"}, 422, "cannot read the time 'next tuesday'"),
        ({"local_time": "9999-12-31 23:00", "zone": "America/New_York"}, 422, "out of range"),
        ({"local_time": f"{SUMMER_DAY}T09:00+01:00"}, 422, "has a UTC offset"),
        ({"media": ["a" * 64]}, 422, "no image aaaaaaaaaaaa in the media library"),
        ({"media": ["not-a-hash"]}, 422, "media.0"),
        ({"accounts": []}, 422, "accounts"),
        ({"text": "   "}, 422, "the post is required"),
        ({"when": "tomorrow"}, 422, "when"),  # a misspelt field is refused, not ignored
        ({"occurrence": "third"}, 422, "occurrence"),
    ],
)
def test_bad_input_is_refused_with_its_message(
    client: TestClient, body: dict[str, Any], status: int, needle: str
) -> None:
    r = add(client, **{"text": "Hello.", **body})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert needle in r.json()["detail"]
    assert client.get("/api/schedule?all=1", headers=AUTH).json()["total"] == 0


def test_a_repeated_hour_needs_first_or_second(client: TestClient) -> None:
    first = add(client, text="Hi.", local_time=f"{CLOCKS_GO_BACK} 01:30", occurrence="first").json()
    second = add(
        client, text="Hi.", local_time=f"{CLOCKS_GO_BACK} 01:30", occurrence="second"
    ).json()
    assert first["post"]["scheduled_at"].startswith(f"{CLOCKS_GO_BACK}T00:30")
    assert second["post"]["scheduled_at"].startswith(f"{CLOCKS_GO_BACK}T01:30")
    gap = add(client, text="Hi.", local_time=f"{CLOCKS_GO_FORWARD} 01:30").json()
    assert gap["note"] and "does not exist" in gap["note"]
    assert gap["post"]["local_time"] == f"{CLOCKS_GO_FORWARD}T02:30"  # when it really goes out


@pytest.mark.parametrize(
    ("method", "path", "body", "needle"),
    [
        ("get", "/api/schedule/99", None, "no scheduled post '#99'"),
        ("patch", "/api/schedule/99", {"text": "x"}, "no scheduled post '#99'"),
        ("post", "/api/schedule/99/cancel", None, "no scheduled post '#99'"),
        ("post", "/api/schedule/99/retry", None, "no scheduled post '#99'"),
        ("post", "/api/schedule/1/retry", None, "nothing of #1 needs attention"),
        (
            "patch",
            "/api/schedule/1",
            {"draft": True, "local_time": LATER},
            "give either a time or draft, not both",
        ),
        ("patch", "/api/schedule/1", {"zone": "Europe/Paris"}, "give the time (local_time)"),
        ("patch", "/api/schedule/1", {"local_time": "2020-01-01 09:00"}, "has passed"),
        ("get", "/api/schedule/0", None, "post_id"),
    ],
)
def test_bad_edits_are_refused_with_their_message(
    client: TestClient, method: str, path: str, body: Any, needle: str
) -> None:
    assert add(client, text="Hello.").json()["id"] == 1
    r = client.request(method, path, json=body, headers=AUTH)
    assert r.status_code == 422, r.text
    assert needle in r.json()["detail"]


def test_the_schedule_needs_the_token_and_the_csrf_header(client: TestClient) -> None:
    assert client.get("/api/schedule").status_code == 401
    assert client.post("/api/schedule", json={}).status_code == 401
    csrf = client.post("/session", json={"token": TOKEN}).json()["csrf_token"]
    body = {"text": "Hi.", "accounts": ["jo-masto"], "local_time": LATER, "zone": "UTC"}
    assert client.get("/api/schedule/worker").status_code == 200
    assert client.post("/api/schedule", json=body).status_code == 403
    r = client.post("/api/schedule", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


def test_notices_are_listed(client: TestClient, store: Store) -> None:
    assert client.get("/api/schedule/notices", headers=AUTH).json() == []
    from sqlalchemy import select

    from tactful.store.models import AccountRow

    with store.session() as s:
        account_id = s.scalar(select(AccountRow.id).where(AccountRow.name == "jo-masto"))
        notify_once(s, account_id, "refresh_failed", "jo-masto: connect the account again")
    notices = client.get("/api/schedule/notices", headers=AUTH).json()
    assert [(n["account"], n["kind"], n["message"]) for n in notices] == [
        ("jo-masto", "refresh_failed", "jo-masto: connect the account again")
    ]


def test_retry_when_you_looked_and_it_is_not_there(client: TestClient, store: Store) -> None:
    from sqlalchemy import select

    from tactful.store.models import AttemptRow, DeliveryRow

    post_id = add(client, text="Hello.").json()["id"]
    with store.session() as s:
        d = s.scalar(select(DeliveryRow).where(DeliveryRow.post_id == post_id))
        assert d is not None
        d.state, d.last_error = "needs_attention", "an answer never came back"
        s.add(AttemptRow(delivery_id=d.id, worker="w", action="publish", outcome="unknown"))
    r = client.post(f"/api/schedule/{post_id}/retry?not_there=true", headers=AUTH)
    assert r.status_code == 200 and r.json()["queued"] == 1
    log = r.json()["post"]["deliveries"][0]["log"]
    assert [(a["outcome"], a["detail"]) for a in log] == [
        ("absent", "tester looked: not on the account")
    ]
    assert r.json()["post"]["deliveries"][0]["state"] == "scheduled"


# ---------------------------------------------------------------------------- the worker


class FakeConnector:
    """Answers each text as told: published, or refused with a status."""

    name = "fake"
    resend_safe_for: timedelta | None = None

    def publish(self, http: Any, creds: Credentials, post: Outgoing) -> Result:
        if "refuse" in post.text:
            return Result("rejected", status=422, detail="422: Validation failed: text")
        return Result("published", remote_id="42", url="https://masto.example/@acme/42")

    def find(self, http: Any, creds: Credentials, post: Outgoing, since: Any) -> Result | None:
        return None


def wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def working(store: Store) -> Iterator[TestClient]:
    with store.session() as s:
        save_credentials(s, "acme-masto", token="t", base_url="https://masto.example")
    app = create_app(
        store,
        digest(TOKEN),
        worker_interval=0.05,
        make_worker=lambda st: Worker(
            st, name="web-test", connector_for=lambda _p: FakeConnector()
        ),
    )
    with TestClient(app) as c:
        yield c
    assert not app.state.tactful.worker.running  # stopped with the app


def test_the_worker_in_the_app_publishes_and_logs_every_attempt(working: TestClient) -> None:
    c = working
    wait_for(lambda: c.get("/api/schedule/worker", headers=AUTH).json()["runs"] >= 1)
    ok = add(c, text="Out now.", accounts=["acme-masto"], local_time=now_local(), zone="UTC")
    refused = add(
        c, text="Please refuse this.", accounts=["acme-masto"], local_time=now_local(), zone="UTC"
    )
    unconnected = add(c, text="Hello.", accounts=["jo-masto"], local_time=now_local(), zone="UTC")
    ids = [r.json()["id"] for r in (ok, refused, unconnected)]

    def settled() -> bool:
        states = [
            c.get(f"/api/schedule/{i}", headers=AUTH).json()["deliveries"][0]["state"] for i in ids
        ]
        return states == ["published", "needs_attention", "needs_attention"]

    wait_for(settled)
    published = c.get(f"/api/schedule/{ids[0]}", headers=AUTH).json()["deliveries"][0]
    assert published["remote_url"] == "https://masto.example/@acme/42"
    assert [(a["action"], a["part"], a["outcome"]) for a in published["log"]] == [
        ("publish", 1, "published")
    ]
    log = c.get(f"/api/schedule/{ids[1]}", headers=AUTH).json()["deliveries"][0]["log"]
    assert [(a["action"], a["outcome"], a["http_status"]) for a in log] == [
        ("publish", "rejected", 422)
    ]
    assert log[0]["detail"] == "422: Validation failed: text" and log[0]["started_at"]
    lost = c.get(f"/api/schedule/{ids[2]}", headers=AUTH).json()["deliveries"][0]
    assert lost["last_error"] == "jo-masto is not connected: tactful accounts connect jo-masto"
    assert [(a["action"], a["outcome"]) for a in lost["log"]] == [("check", "needs_attention")]
    # The queue leaves out what went out; all=1 shows it.
    assert ids[0] not in [p["id"] for p in c.get("/api/schedule", headers=AUTH).json()["items"]]
    assert ids[0] in [p["id"] for p in c.get("/api/schedule?all=1", headers=AUTH).json()["items"]]
    status = c.get("/api/schedule/worker", headers=AUTH).json()
    assert status["running"] and status["interval_s"] == 0.05 and status["handled"] >= 3
    assert status["tally"]["published"] >= 1 and status["tally"]["attention"] >= 2
    ran_at = datetime.fromisoformat(status["last_run_at"])  # stamped on the real clock
    assert ran_at > datetime.now(UTC) - timedelta(seconds=30)  # real clock ok
    # Retry puts what needs attention back in the queue; the worker takes it again.
    r = c.post(f"/api/schedule/{ids[2]}/retry", headers=AUTH)
    assert r.status_code == 200 and r.json()["queued"] == 1
    assert r.json()["post"]["deliveries"][0]["state"] in ("scheduled", "claimed", "needs_attention")
    wait_for(
        lambda: (
            len(c.get(f"/api/schedule/{ids[2]}", headers=AUTH).json()["deliveries"][0]["log"]) == 2
        )
    )


def test_the_worker_survives_an_exception_and_says_so(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Worker):
        def run_once(self, limit: int = 10) -> int:
            raise RuntimeError("the disk is on fire\nsecond line")

    app = create_app(store, digest(TOKEN), worker_interval=0.05, make_worker=Broken)
    with caplog.at_level(logging.WARNING, logger="tactful.serve"), TestClient(app) as c:
        wait_for(lambda: c.get("/api/schedule/worker", headers=AUTH).json()["runs"] >= 3)
        status = c.get("/api/schedule/worker", headers=AUTH).json()
        assert status["running"] and status["last_error"] == "RuntimeError: the disk is on fire"
        assert add(c, text="Still here.").status_code == 201  # the server goes on
    lines = [r.getMessage() for r in caplog.records if r.name == "tactful.serve"]
    assert lines and all("\n" not in line for line in lines)
    assert "the publishing worker failed (RuntimeError: the disk is on fire)" in lines[0]


def test_without_a_worker_the_status_says_so(client: TestClient) -> None:
    status = client.get("/api/schedule/worker", headers=AUTH).json()
    assert status["running"] is False and status["interval_s"] is None and status["runs"] == 0


def test_serve_runs_the_worker_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from tactful.cli.main import main

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: apps.append(app))
    db = str(tmp_path / "serve.db")
    r = CliRunner().invoke(main, ["serve", "--db", db, "--worker-interval", "30"])
    assert r.exit_code == 0, r.output
    assert "publishing scheduled posts when due (checked every 30 s)" in r.output
    assert apps[-1].state.tactful.worker.interval == 30
    r = CliRunner().invoke(main, ["serve", "--db", db, "--no-worker"])
    assert r.exit_code == 0 and "--no-worker" in r.output
    assert apps[-1].state.tactful.worker is None


def test_the_demo_queues_posts_and_publishes_nowhere(tmp_path: Path) -> None:
    store = seed(tmp_path / "demo")
    with store.session() as s:
        from sqlalchemy import select

        from tactful.store.models import CredentialRow

        assert list(s.scalars(select(CredentialRow))) == []  # no account is connected
    app = create_app(store, digest(TOKEN), worker_interval=0.05)
    with TestClient(app) as c:
        queue = c.get("/api/schedule", headers=AUTH).json()["items"]
        assert len(queue) >= 2
        now = datetime.now(UTC).isoformat()  # real clock ok: the demo schedules from today
        assert all(p["scheduled_at"] > now for p in queue)
        states = {d["state"] for p in queue for d in p["deliveries"]}
        assert "draft" in states  # the one the gate stopped
        drafts = [d for p in queue for d in p["deliveries"] if d["state"] == "draft"]
        assert all(d["last_error"] for d in drafts)  # each says why
        assert any(p["thread"] for p in queue)
        # Something due now goes nowhere: the account is not connected, and it says so.
        due = add(
            c, text="Lunch and learn today.", accounts=["jo-x"], local_time=now_local(), zone="UTC"
        )
        post_id = due.json()["id"]

        def delivery() -> Any:
            return c.get(f"/api/schedule/{post_id}", headers=AUTH).json()["deliveries"][0]

        wait_for(lambda: delivery()["state"] not in ("scheduled", "claimed", "draft"))
        assert delivery()["state"] == "needs_attention"
        assert delivery()["last_error"] == "jo-x is not connected: tactful accounts connect jo-x"
