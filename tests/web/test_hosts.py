"""DNS rebinding: pages and sign-in answer only to this machine's own names and the ones
the server was started with; the API (token or cookie) and /healthz answer to any name."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest
from tactful.web.hosts import host_name

TOKEN = "hosts-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    app = create_app(store, digest(TOKEN), allowed_hosts=("0.0.0.0", "studio.lan"))
    return TestClient(app, base_url="http://127.0.0.1:8765")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8765", "127.0.0.1"),
        ("LOCALHOST:8765", "localhost"),
        ("localhost.", "localhost"),
        ("[::1]:8765", "::1"),
        ("::1", "::1"),
        ("evil.example:8765", "evil.example"),
        ("", ""),
    ],
)
def test_host_names(header: str, name: str) -> None:
    assert host_name(header) == name


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "app.localhost:8765", "studio.lan:8765"],
)
def test_pages_and_sign_in_answer_to_this_machines_names(client: TestClient, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200
    assert client.get("/docs", headers={"Host": host}).status_code == 200
    r = client.post("/session", json={"token": TOKEN}, headers={"Host": host})
    assert r.status_code == 200 and r.json()["csrf_token"]


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "0.0.0.0:8765", ""]
)
def test_another_name_is_refused_for_pages_and_sign_in(client: TestClient, host: str) -> None:
    for r in (
        client.get("/", headers={"Host": host}),
        client.get("/audits", headers={"Host": host}),
        client.get("/static/app/composer.js", headers={"Host": host}),
        client.post("/session", json={"token": TOKEN}, headers={"Host": host}),
    ):
        assert r.status_code == 421, (host, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "--allow-host" in r.json()["detail"] and "set-cookie" not in r.headers


def test_the_api_and_health_answer_to_any_name(client: TestClient) -> None:
    evil = {"Host": "evil.example"}
    assert client.get("/healthz", headers=evil).status_code == 200
    assert client.get("/openapi.json", headers=evil).status_code == 200
    assert client.get("/api/rules", headers=evil).status_code == 401  # still needs the token
    assert client.get("/api/rules", headers={**evil, **AUTH}).status_code == 200
