"""The HTTP API in-process: the same reports as the CLI, the store behind it, errors as
problem+json, sign-in and CSRF, size limits and pagination."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest, first_token, stored_digest

TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LOCAL = "http://127.0.0.1"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    # A browser on this machine: pages and sign-in answer only to its own names.
    return TestClient(create_app(store, digest(TOKEN)), base_url=LOCAL)


def test_check_gives_the_report_shape(client: TestClient) -> None:
    r = client.post(
        "/api/check",
        json={"text": "My idiot boss again", "account_kind": "professional"},
        headers=AUTH,
    )
    assert r.status_code == 200
    report = r.json()
    assert report["verdict"] in ("review", "blocked")
    assert any(f["rule_id"] == "work.venting" for f in report["findings"])
    r = client.post(
        "/api/scan",
        json={"posts": [{"text": "Hello"}, {"text": "Call me on 07700 900123"}]},
        headers=AUTH,
    )
    assert [x["verdict"] for x in r.json()["reports"]] == ["ok", "review"]


def test_every_request_needs_the_token(client: TestClient) -> None:
    r = client.post("/api/check", json={"text": "hi"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401 and "token" in r.json()["detail"]
    r = client.post("/api/check", json={"text": "hi"}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_a_browser_session_needs_the_csrf_header(client: TestClient) -> None:
    assert client.post("/session", json={"token": "nope"}).status_code == 401
    r = client.post("/session", json={"token": TOKEN})
    csrf = r.json()["csrf_token"]
    assert client.get("/api/rules").status_code == 200  # reading needs no CSRF token
    assert client.post("/api/check", json={"text": "hi"}).status_code == 403
    assert (
        client.post("/api/check", json={"text": "hi"}, headers={"X-CSRF-Token": csrf}).status_code
        == 200
    )


def test_store_routes_and_consent_changes_the_next_check(client: TestClient) -> None:
    assert (
        client.post(
            "/api/accounts",
            json={"name": "acme-li", "platform": "linkedin", "kind": "brand"},
            headers=AUTH,
        ).status_code
        == 201
    )
    r = client.post(
        "/api/contacts",
        json={"name": "Jane Doe", "relation": "client", "handles": {"linkedin": "@jane-doe"}},
        headers=AUTH,
    )
    jane = r.json()["id"]
    post = {"text": "Thanks @jane-doe for a great kickoff!", "account": "acme-li"}
    report = client.post("/api/check", json=post, headers=AUTH).json()
    assert report["context"]["account"] == "acme-li" and report["context"]["platform"] == "linkedin"
    tag = [f for f in report["findings"] if f["rule_id"] == "tags.no_consent"]
    assert tag and tag[0]["suggestions"][0]["action"] == "message"
    ask = client.post(
        f"/api/contacts/{jane}/consent/ask",
        json={"platform": "linkedin", "about": "the kickoff"},
        headers=AUTH,
    ).json()
    assert ask["draft"].startswith("Hi Jane") and ask["event"]["status"] == "pending"
    r = client.post(
        f"/api/contacts/{jane}/consent",
        json={"status": "granted", "platform": "linkedin", "evidence": "DM"},
        headers=AUTH,
    )
    assert r.status_code == 201
    report = client.post("/api/check", json=post, headers=AUTH).json()
    assert not [f for f in report["findings"] if f["rule_id"].startswith("tags.")]
    history = client.get(f"/api/contacts/{jane}/consent", headers=AUTH).json()
    assert [e["status"] for e in history["consent"]] == ["pending", "granted"]
    r = client.patch(
        "/api/accounts/acme-li",
        json={"audience": "connections", "reason": "company page closed"},
        headers=AUTH,
    )
    assert r.json()["audience"] == "connections"


def test_lists_are_paginated(client: TestClient) -> None:
    for i in range(7):
        client.post("/api/contacts", json={"name": f"Person {i}"}, headers=AUTH)
    page = client.get("/api/contacts?offset=2&limit=3", headers=AUTH).json()
    assert page["total"] == 7 and len(page["items"]) == 3 and page["offset"] == 2
    assert client.get("/api/contacts?limit=100000", headers=AUTH).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "needle"),
    [
        ("post", "/api/check", {"text": 5}, 422, "text"),
        ("post", "/api/check", {"text": "hi", "platform": "myspace"}, 422, "platform"),
        ("post", "/api/check", {"text": "hi", "account": "nope"}, 422, "no account named"),
        (
            "post",
            "/api/accounts",
            {
                "name": "a",
                "platform": "x",
                "kind": "brand",
                "policy": {"rules": {"no.such": "off"}},
            },
            422,
            "no.such",
        ),
        ("get", "/api/accounts/nope", None, 422, "no account named"),
        ("post", "/api/contacts/999/consent", {"status": "granted"}, 422, "no contact"),
        ("get", "/api/nothing-here", None, 404, ""),
    ],
)
def test_errors_are_problem_json(
    client: TestClient, method: str, path: str, body: dict | None, status: int, needle: str
) -> None:
    r = client.request(method, path, json=body, headers=AUTH)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == status and problem["title"] and needle in problem["detail"]


def test_large_requests_are_refused(client: TestClient) -> None:
    r = client.post(
        "/api/check",
        content=b"x" * (3 * 1024 * 1024),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["title"] == "Request too large"


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/api/check",
        "/api/scan",
        "/api/accounts",
        "/api/contacts/{contact_id}/consent",
    } <= set(spec["paths"])


def test_the_token_is_made_once_and_stored_hashed(tmp_path: Path) -> None:
    path = tmp_path / "tok"
    token = first_token(path)
    assert token and first_token(path) is None
    assert stored_digest(path) == digest(token) and token not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_api_docs_are_served_from_this_machine(client: TestClient) -> None:
    import re

    page = client.get("/docs").text
    assert "swagger-ui-bundle.js" in page
    assert not re.findall(r"(?:src|href)=[\"']https?://", page)
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404
