"""The composer's "This is wrong" over HTTP: recorded for the account, hidden (and counted)
on the next check, listed, undone; exact evidence needs confirm_exact; a browser session
needs the CSRF header; mistakes are problem+json, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PHONE = "Call me on 07700 900123 after the launch."
CARD = "My card is 4111 1111 1111 1111"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    c = TestClient(create_app(store, digest(TOKEN)), base_url="http://127.0.0.1")
    account = {"name": "acme-li", "platform": "linkedin", "kind": "brand"}
    assert c.post("/api/accounts", json=account, headers=AUTH).status_code == 201
    return c


def check(client: TestClient, text: str) -> dict:
    r = client.post("/api/check", json={"text": text, "account": "acme-li"}, headers=AUTH)
    assert r.status_code == 200
    return r.json()


def mark(client: TestClient, **body: object) -> TestClient:
    payload = {"text": PHONE, "account": "acme-li", "rule_id": "safety.contact", **body}
    return client.post("/api/feedback", json=payload, headers=AUTH)


def test_marked_wrong_hidden_on_the_next_check_listed_and_undone(client: TestClient) -> None:
    assert check(client, PHONE)["hidden_by_feedback"] == 0  # the checker is built and kept
    r = mark(client, reason="the office switchboard", words="07700 900123")
    assert r.status_code == 201, r.text
    saved = r.json()
    assert (saved["account"], saved["rule_id"], saved["words"], saved["by"]) == (
        "acme-li",
        "safety.contact",
        "07700 900123",
        "tester",
    )
    report = check(client, PHONE)
    assert "safety.contact" not in {f["rule_id"] for f in report["findings"]}
    assert report["hidden_by_feedback"] == 1
    assert report["suppressed"][0]["feedback"] == saved["id"]
    listed = client.get("/api/feedback?account=acme-li", headers=AUTH).json()
    assert listed["total"] == 1 and listed["items"][0]["reason"] == "the office switchboard"
    r = client.delete(f"/api/feedback/{saved['id']}", headers=AUTH)
    assert r.status_code == 200
    assert check(client, PHONE)["hidden_by_feedback"] == 0
    assert client.delete(f"/api/feedback/{saved['id']}", headers=AUTH).status_code == 422


def test_exact_evidence_needs_confirm_exact(client: TestClient) -> None:
    body = {"text": CARD, "rule_id": "safety.identity_data", "reason": "a test card"}
    r = mark(client, **body)
    assert r.status_code == 422 and "confirm_exact" in r.json()["detail"]
    r = mark(client, **body, whole_rule=True, confirm_exact=True)
    assert r.status_code == 422 and "whole account" in r.json()["detail"]
    assert mark(client, **body, confirm_exact=True).status_code == 201
    assert check(client, CARD)["hidden_by_feedback"] == 1


def test_mistakes_are_problems_not_errors(client: TestClient) -> None:
    r = mark(client, reason="")
    assert r.status_code == 422 and r.json()["type"].endswith("validation")
    r = mark(client, reason="fine", account=None)
    assert r.status_code == 422 and "per account" in r.json()["detail"]
    r = mark(client, reason="fine", rule_id="work.venting")
    assert r.status_code == 422 and "finds no work.venting" in r.json()["detail"]
    assert client.get("/api/feedback?account=nobody", headers=AUTH).status_code == 422


def test_a_browser_needs_the_csrf_header_to_mark_a_finding(client: TestClient) -> None:
    csrf = client.post("/session", json={"token": TOKEN}).json()["csrf_token"]
    payload = {"text": PHONE, "account": "acme-li", "rule_id": "safety.contact", "reason": "ok"}
    assert client.post("/api/feedback", json=payload).status_code == 403
    r = client.post("/api/feedback", json=payload, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201
