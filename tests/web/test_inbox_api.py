"""The inbox over HTTP (token and CSRF as every route), and the inbox sync inside serve's
worker on a fake clock: it runs at its interval, records what it synced, and a sync that
fails leaves the worker and the server up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from inbox_setup import T0, seed_inbox

from tactful.core.factory import checker_for
from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest

TOKEN = "inbox-api-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> Any:
        return self.now


@pytest.fixture(scope="module")
def checker():  # type: ignore[no-untyped-def]
    return checker_for(None)


@pytest.fixture
def fake() -> Any:
    from fake_inbox_actions import FakeMastodonActions

    return FakeMastodonActions(clock=lambda: T0)


@pytest.fixture
def client(store: Store, fake: Any, checker: Any) -> Iterator[TestClient]:
    from fake_http import client as fake_client

    seed_inbox(store, fake, checker)
    app = create_app(store, digest(TOKEN), inbox_http=lambda: fake_client(fake))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_the_list_comes_by_priority_with_filters(client: TestClient) -> None:
    got = client.get("/api/inbox", headers=AUTH).json()
    order = [i["category"] for i in got["items"]]
    assert got["items"][0]["whereabouts"] and got["items"][0]["remote_id"] == "7004"
    assert order.index("complaint") < order.index("trolling") < order.index("question")
    complaints = [i["remote_id"] for i in got["items"] if i["category"] == "complaint"]
    assert complaints == ["7006", "7002"]  # oldest first
    assert got["counts"]["complaint"] == 2 and got["accounts"] == ["acme-masto"]
    only = client.get("/api/inbox", params={"class": "complaint"}, headers=AUTH).json()
    assert {i["category"] for i in only["items"]} == {"complaint"}
    none = client.get("/api/inbox", params={"account": "acme-bsky"}, headers=AUTH).json()
    assert none["items"] == []
    assert client.get("/api/inbox", params={"class": "nonsense"}, headers=AUTH).status_code == 422
    assert client.get("/api/inbox").status_code == 401  # the app's token check


def test_reply_check_stop_override_and_hide_refused_on_mastodon(
    client: TestClient, fake: Any
) -> None:
    items = client.get("/api/inbox", params={"class": "complaint"}, headers=AUTH).json()["items"]
    item_id = items[0]["id"]
    shown = client.get(f"/api/inbox/{item_id}", headers=AUTH).json()
    assert shown["drafted_reply"].startswith("Hi @pat@elsewhere.example")
    assert shown["can"] == ["reply", "mute", "block", "report"]
    hostile = "You clearly have no idea what you're talking about. Do your research."
    checked = client.post(
        f"/api/inbox/{item_id}/reply/check", json={"text": hostile}, headers=AUTH
    ).json()
    assert [f["rule_id"] for f in checked["report"]["findings"]] == ["engagement.hostile_reply"]
    stopped = client.post(
        f"/api/inbox/{item_id}/reply", json={"text": "You are an idiot"}, headers=AUTH
    )
    assert stopped.status_code == 409 and stopped.json()["check"]["overridable"]
    assert fake.replies_to("7006") == []
    sent = client.post(
        f"/api/inbox/{item_id}/reply", json={"text": shown["drafted_reply"]}, headers=AUTH
    )
    assert sent.status_code == 201 and sent.json()["action"]["outcome"] == "done"
    assert len(fake.replies_to("7006")) == 1
    refused = client.post(f"/api/inbox/{item_id}/hide", json={}, headers=AUTH)
    assert (
        refused.status_code == 422 and "tactful can: reply, mute, block" in refused.json()["detail"]
    )
    muted = client.post(f"/api/inbox/{item_id}/mute", json={}, headers=AUTH).json()
    assert muted["outcome"] == "done" and fake.muting == {"a-pat"}
    assert client.post(f"/api/inbox/actions/{muted['id']}/undo", headers=AUTH).status_code == 200
    assert fake.muting == set()


def test_evidence_downloads_hold_the_threat(client: TestClient) -> None:
    answer = client.get("/api/inbox/evidence.json", headers=AUTH)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    document = answer.json()
    assert (
        document["records_count"] == 1
        and document["head_sha256"] == answer.headers["x-evidence-head"]
    )
    assert "waiting outside your house" in document["records"][0]["text"]
    page = client.get("/api/inbox/evidence.html", headers=AUTH)
    assert page.headers["content-type"].startswith("text/html") and "<script" not in page.text


def test_the_worker_syncs_the_inbox_on_its_clock_and_survives_a_failed_sync(
    store: Store, checker: Any
) -> None:
    from fake_http import client as fake_client
    from fake_inbox_mastodon import BASE, FakeMastodonInbox

    from tactful.publish.credentials import save_credentials
    from tactful.store.accounts import add_account

    with store.session() as s:
        add_account(s, "acme-masto", platform="mastodon", kind="brand")
        save_credentials(s, "acme-masto", token="good-token", base_url=BASE)
    clock = Clock()
    network = FakeMastodonInbox(clock=clock)
    network.write("My parcel never came and support ignores me", author="sam")
    broken = {"now": False}

    def transport(request: httpx.Request) -> httpx.Response:
        if broken["now"]:
            raise RuntimeError("the network library fell over")
        return network.handle(request)

    def http() -> httpx.Client:
        inner = fake_client(network)
        return httpx.Client(transport=httpx.MockTransport(transport), base_url=str(inner.base_url))

    app = create_app(store, digest(TOKEN), worker_interval=60, inbox_interval=300,
                     inbox_http=http, worker_clock=clock)  # fmt: skip
    test = TestClient(app, base_url="http://127.0.0.1")  # no lifespan: the test runs the worker
    worker = app.state.tactful.worker
    worker.run_once()
    status = test.get("/api/inbox/sync", headers=AUTH).json()["status"]
    assert status["runs"] == 1 and status["sorted"] == 1
    assert (
        status["synced"][0]["new"] == 1
        and "acme-masto (mastodon): 1 new" in status["synced"][0]["line"]
    )
    worker.run_once()  # not due yet: the clock has not moved
    assert worker.inbox.status()["runs"] == 1
    clock.now += worker.inbox.interval
    network.write("What time do you open?", author="lee")
    worker.run_once()
    assert worker.inbox.status()["synced"][0]["new"] == 1 and worker.inbox.status()["runs"] == 2
    listed = test.get("/api/inbox", headers=AUTH).json()
    assert {i["category"] for i in listed["items"]} == {"complaint", "question"}

    broken["now"] = True
    clock.now += worker.inbox.interval
    worker.run_once()  # the sync raises: remembered, never raised
    failed = worker.status()
    assert failed["inbox"]["last_error"].startswith("RuntimeError: the network library fell over")
    assert failed["inbox"]["runs"] == 3 and failed["runs"] == 4 and failed["last_error"] is None
    assert test.get("/healthz").json() == {"ok": True}
    broken["now"] = False
    clock.now += worker.inbox.interval
    network.write("thanks, all sorted now!", author="sam")
    worker.run_once()
    assert worker.inbox.status()["synced"][0]["new"] == 1


def test_an_answer_left_sending_is_settled_by_the_next_action_and_retried_once(
    client: TestClient, fake: Any, store: Store, monkeypatch: Any
) -> None:
    from datetime import timedelta

    from sqlalchemy import select

    import tactful.web.inbox_api as inbox_api
    from tactful.store.models import InboxActionRow, InboxItemRow

    monkeypatch.setattr(inbox_api, "_now", lambda: T0)  # the app's clock
    answer = "Sorry about that! Please send us a private mention with your order number."
    with store.session() as s:  # as a tactful killed mid-send left them, ten minutes ago
        item_id = s.scalar(select(InboxItemRow.id).where(InboxItemRow.remote_id == "7002"))
        assert item_id is not None
        for action, text in (("reply", answer), ("mute", None)):
            s.add(InboxActionRow(item_id=item_id, action=action, outcome="sending", actor="jo",
                                 acted_at=T0 - timedelta(minutes=10), text=text))  # fmt: skip
    shown = client.get(f"/api/inbox/{item_id}", headers=AUTH).json()
    assert [a["outcome"] for a in shown["actions"]] == ["sending", "sending"]  # reading: no network

    blocked = client.post(f"/api/inbox/{item_id}/block", json={}, headers=AUTH)
    assert blocked.status_code == 201 and fake.blocking == {"a-sam"}
    reply, mute, _ = client.get(f"/api/inbox/{item_id}", headers=AUTH).json()["actions"]
    assert (mute["outcome"], fake.muting) == ("done", {"a-sam"})  # asked again: done
    # The account's Mastodon id is not stored: its statuses cannot be read back.
    assert reply["outcome"] == "unknown" and reply["retryable"]
    assert "https://elsewhere.example/@sam/7002" in reply["detail"]
    assert fake.replies_to("7002") == []  # never sent again by itself

    same = client.post(f"/api/inbox/{item_id}/reply", json={"text": answer}, headers=AUTH)
    assert same.status_code == 422 and "may have gone out already" in same.json()["detail"]
    again = client.post(f"/api/inbox/actions/{reply['id']}/retry", headers=AUTH)
    assert again.status_code == 201 and again.json()["outcome"] == "done"
    assert len(fake.replies_to("7002")) == 1
    twice = client.post(f"/api/inbox/actions/{reply['id']}/retry", headers=AUTH)
    assert twice.status_code == 422 and "retried" in twice.json()["detail"]
    assert len(fake.replies_to("7002")) == 1
    old = client.get(f"/api/inbox/{item_id}", headers=AUTH).json()["actions"][0]
    assert (old["outcome"], old["retryable"]) == ("retried", False)


def test_the_demo_store_has_an_inbox_in_each_class_and_answers_nowhere(tmp_path: Any) -> None:
    from sqlalchemy import select

    from tactful.inbox.store import list_items
    from tactful.store.models import CredentialRow, InboxActionRow
    from tactful.web.demo import inbox_items, offline, seed

    seeded = inbox_items()
    assert {i.sorted_as for i in seeded} >= {
        "threat", "complaint", "trolling", "question", "praise", "spam"
    }  # fmt: skip
    store = seed(tmp_path / "demo")
    with store.session() as s:
        items = list_items(s)
        assert list(s.scalars(select(CredentialRow))) == []  # no account is connected
    got = {i.text: i for i in items}
    for spec in seeded:  # sorted by the one pipeline as demo.yml says
        assert got[spec.text].category == spec.sorted_as, spec.text
        assert got[spec.text].account == spec.account
    (threat,) = [i for i in items if i.category == "threat"]
    assert threat.whereabouts and items[0] is threat  # where the user works: first

    app = create_app(store, digest(TOKEN), inbox_http=offline)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        listed = c.get("/api/inbox", headers=AUTH).json()
        assert listed["total"] == len(seeded)
        troll = next(i for i in listed["items"] if i["category"] == "trolling")
        hidden = c.post(f"/api/inbox/{troll['id']}/hide", json={}, headers=AUTH)
        assert hidden.status_code == 422 and "jo-x is not connected" in hidden.json()["detail"]
        replied = c.post(f"/api/inbox/{troll['id']}/reply", json={"text": "Thanks!"}, headers=AUTH)
        assert replied.status_code == 422 and "not connected" in replied.json()["detail"]
        reported = c.post(f"/api/inbox/{troll['id']}/report", json={}, headers=AUTH)
        assert reported.status_code == 201 and reported.json()["outcome"] == "link"  # no request
    with store.session() as s:  # nothing left "sending", nothing but the report link recorded
        assert [r.outcome for r in s.scalars(select(InboxActionRow))] == ["link"]
    with pytest.raises(httpx.ConnectError, match="demo never reaches a network"):
        offline().get("https://api.x.com/2/tweets")
    store.dispose()
