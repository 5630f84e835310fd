"""The media library, audits and policy over HTTP, in-process: uploads are streamed to disk
with limits and checked for what they are, audits run in their own process and report
progress, and the demo seed has what `make run` promises."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tactful.archives.synthetic import write
from tactful.cli.main import main
from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest
from tactful.web.demo import demo_photo, seed

TOKEN = "library-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    with TestClient(create_app(store, digest(TOKEN), max_archive=512 * 1024)) as c:
        yield c


def files(tmp_path: Path, folder: str) -> list[Path]:
    return [p for p in (tmp_path / "tactful-files" / folder).rglob("*") if p.is_file()]


def upload(client: TestClient, name: str, data: bytes) -> object:
    return client.post(f"/api/media?filename={name}", content=data, headers=AUTH)


def test_an_uploaded_image_is_inspected_kept_once_and_served_back(
    client: TestClient, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "p.jpg").read_bytes()
    r = upload(client, "../../team%20day.jpg", photo)
    assert r.status_code == 201
    m = r.json()
    assert m["added"] and m["file"] and m["filename"] == "team_day.jpg"  # no path climbing
    assert m["gps"] == pytest.approx([51.5072, -0.1275], abs=1e-3) and m["faces"] == 0
    assert m["rights"]["basis"] == "unknown"
    again = upload(client, "copy.jpg", photo)
    assert again.status_code == 200 and not again.json()["added"]
    assert again.json()["id"] == m["id"]
    assert len(files(tmp_path, "media")) == 1 and files(tmp_path, "incoming") == []
    served = client.get(f"/api/media/{m['id']}/file", headers=AUTH)
    assert served.content == photo and served.headers["content-type"] == "image/jpeg"
    assert served.headers["content-security-policy"] == "default-src 'none'"
    download = client.get(f"/api/media/{m['id']}/file?download=true", headers=AUTH)
    assert download.headers["content-disposition"].startswith("attachment")


def test_rights_releases_and_a_clean_copy_change_the_check(
    client: TestClient, tmp_path: Path
) -> None:
    m = upload(client, "offsite.jpg", demo_photo(tmp_path / "p.jpg").read_bytes()).json()
    post = {"text": "Our offsite!", "platform": "linkedin", "media": [m["id"]]}
    rules = {
        f["rule_id"] for f in client.post("/api/check", json=post, headers=AUTH).json()["findings"]
    }
    assert {"media.location", "media.no_rights"} <= rules
    r = client.post(f"/api/media/{m['id']}/rights", json={"basis": "licence"}, headers=AUTH)
    assert r.status_code == 422 and "licence needs its name" in r.json()["detail"]
    r = client.post(
        f"/api/media/{m['id']}/rights",
        json={"basis": "own", "evidence": "I took it"},
        headers=AUTH,
    )
    assert r.status_code == 201 and r.json()["rights"]["basis"] == "own"
    r = client.post(f"/api/media/{m['id']}/releases", json={"person": "Sam Lee"}, headers=AUTH)
    assert r.json()["releases"] == ["Sam Lee"]
    rules = {
        f["rule_id"] for f in client.post("/api/check", json=post, headers=AUTH).json()["findings"]
    }
    assert "media.no_rights" not in rules and "media.location" in rules
    copy = client.post(f"/api/media/{m['id']}/clean", headers=AUTH)
    assert copy.status_code == 201
    c = copy.json()
    assert c["gps"] is None and c["identifying_metadata"] == [] and c["cleaned_from"] == m["id"]
    assert c["rights"]["basis"] == "own" and "media #" in c["rights"]["evidence"]
    assert c["releases"] == ["Sam Lee"] and c["filename"] == "offsite-clean.jpg"
    post["media"] = [c["id"]]
    rules = {
        f["rule_id"] for f in client.post("/api/check", json=post, headers=AUTH).json()["findings"]
    }
    assert not {r for r in rules if r.startswith("media.")}
    listed = client.get("/api/media?limit=1&offset=1", headers=AUTH).json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == c["id"]


@pytest.mark.parametrize(
    ("name", "data", "status", "needle"),
    [
        ("notes.txt", b"just some text", 422, "not an image"),
        ("empty.jpg", b"", 422, "empty"),
        ("cut.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, 422, ""),
    ],
)
def test_uploads_that_are_not_images_are_refused_and_not_kept(
    client: TestClient, tmp_path: Path, name: str, data: bytes, status: int, needle: str
) -> None:
    r = upload(client, name, data)
    assert r.status_code == status and needle in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")
    assert files(tmp_path, "incoming") == [] and files(tmp_path, "media") == []


def test_media_errors(client: TestClient) -> None:
    r = client.post("/api/check", json={"text": "hi", "media": [99]}, headers=AUTH)
    assert r.status_code == 422 and "no media #99" in r.json()["detail"]
    assert client.get("/api/media/99", headers=AUTH).status_code == 422
    big = {**AUTH, "Content-Length": str(60 * 1024 * 1024)}
    r = client.post("/api/media?filename=a.jpg", content=b"x", headers=big)
    assert r.status_code == 413 and "50 MB" in r.json()["detail"]


def _wait(client: TestClient, job: str) -> dict:
    for _ in range(600):
        status = client.get(f"/api/audits/jobs/{job}", headers=AUTH).json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.1)
    raise AssertionError("the audit did not finish in a minute")


def test_an_uploaded_export_is_audited_with_progress_and_a_report(
    client: TestClient, tmp_path: Path
) -> None:
    texts = ["A calm post about our release notes."] * 20 + ["My client is an idiot."] * 5
    export = write("x", tmp_path / "in", texts)
    r = client.post(
        f"/api/audits?filename={export.name}&since=2018-01-01",
        content=export.read_bytes(),
        headers=AUTH,
    )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["format"] == "x" and job["state"] in ("queued", "running")
    assert r.headers["location"] == f"/api/audits/jobs/{job['job']}"
    done = _wait(client, job["job"])
    assert done["state"] == "done", done
    assert (
        done["posts"] == 25 and done["flagged"] >= 5 and done["bytes_read"] == done["bytes_total"]
    )
    assert files(tmp_path, "archives") == []  # the upload is gone once checked
    run = client.get(f"/api/audits/{done['run_id']}", headers=AUTH).json()
    assert run["status"] == "done" and run["source"] == "x-archive.zip"
    assert any(c["rule"] == "offense.insult" for c in run["categories"])
    assert sum(t["posts"] for t in run["timeline"]) == 25
    page = client.get(f"/api/audits/{done['run_id']}/results?limit=2", headers=AUTH).json()
    assert page["total"] == done["flagged"] and len(page["items"]) == 2
    assert page["items"][0]["risk"] >= page["items"][1]["risk"]
    assert "idiot" in page["items"][0]["report"]["text"]
    report = client.get(f"/api/audits/{done['run_id']}/report", headers=AUTH)
    assert report.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in report.headers["content-security-policy"]
    assert "<mark" in report.text and str(tmp_path) not in report.text
    listed = client.get("/api/audits", headers=AUTH).json()
    assert listed["items"][0]["id"] == done["run_id"]
    assert [j["job"] for j in client.get("/api/audits/jobs", headers=AUTH).json()] == [job["job"]]


@pytest.mark.parametrize(
    ("name", "data", "query", "needle"),
    [
        ("x.zip", b"PK\x03\x04 not really a zip", "", "truncated or damaged"),
        ("notes.txt", b"hello", "", "not an export tactful knows"),
        ("x.zip", b"", "", "empty"),
        ("x.zip", b"data", "&account=nobody", "no account named"),
    ],
)
def test_bad_exports_are_refused_and_not_kept(
    client: TestClient, tmp_path: Path, name: str, data: bytes, query: str, needle: str
) -> None:
    r = client.post(f"/api/audits?filename={name}{query}", content=data, headers=AUTH)
    assert r.status_code == 422 and needle in r.json()["detail"], r.text
    assert files(tmp_path, "archives") == []


def test_an_export_over_the_limit_is_refused_as_it_streams(
    client: TestClient, tmp_path: Path
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"\0" * 64 * 1024

    r = client.post("/api/audits?filename=big.zip", content=chunks(), headers=AUTH)
    assert r.status_code == 413 and "limited to" in r.json()["detail"]
    assert files(tmp_path, "archives") == []
    assert client.get("/api/audits/limits", headers=AUTH).json()["max_bytes"] == 512 * 1024
    assert client.get("/api/audits/jobs/nope", headers=AUTH).status_code == 404


def test_policy_per_account_is_shown_and_overridden(client: TestClient) -> None:
    client.post(
        "/api/accounts",
        json={"name": "me-x", "platform": "x", "kind": "personal", "clients_in_audience": True},
        headers=AUTH,
    )
    policy = client.get("/api/policy?account=me-x", headers=AUTH).json()
    assert policy["layers"][0] == "default" and "account/on_the_clock" in policy["layers"]
    assert policy["context"]["platform"] == "x"
    political = next(r for r in policy["rules"] if r["id"] == "views.political")
    assert political["enabled"] and political["override"] is None
    text = {"text": "Vote them out, this party is a disgrace to the country", "account": "me-x"}
    before = {
        f["rule_id"] for f in client.post("/api/check", json=text, headers=AUTH).json()["findings"]
    }
    assert "views.political" in before
    r = client.put(
        "/api/accounts/me-x/policy", json={"rules": {"views.political": "off"}}, headers=AUTH
    )
    assert r.status_code == 200
    assert "account:me-x" in r.json()["layers"]
    political = next(x for x in r.json()["rules"] if x["id"] == "views.political")
    assert not political["enabled"] and political["override"] == "off"
    after = {
        f["rule_id"] for f in client.post("/api/check", json=text, headers=AUTH).json()["findings"]
    }
    assert "views.political" not in after
    bad = client.put("/api/accounts/me-x/policy", json={"rules": {"nope": "off"}}, headers=AUTH)
    assert bad.status_code == 422 and "nope" in bad.json()["detail"]
    kept = client.get("/api/policy?account=me-x", headers=AUTH).json()
    assert next(x for x in kept["rules"] if x["id"] == "views.political")["override"] == "off"
    cleared = client.put("/api/accounts/me-x/policy", json={"rules": {}}, headers=AUTH).json()
    assert "account:me-x" not in cleared["layers"]
    generic = client.get("/api/policy?platform=linkedin&account_kind=brand", headers=AUTH).json()
    assert generic["context"]["account_kind"] == "brand" and generic["context"]["account"] is None


def test_check_counts_characters_the_way_the_network_does(client: TestClient) -> None:
    r = client.post("/api/check", json={"text": "日本語" * 100, "platform": "x"}, headers=AUTH)
    assert r.json()["length"] == {
        "count": 600,
        "limit": 280,
        "unit": "weighted characters",
        "cut": 140,
    }
    r = client.post("/api/check", json={"text": "👍🏽" * 5, "platform": "bluesky"}, headers=AUTH)
    assert r.json()["length"]["count"] == 5 and r.json()["length"]["cut"] is None


def test_the_demo_seed_has_what_make_run_promises(tmp_path: Path) -> None:
    store = seed(tmp_path / "demo")
    with TestClient(create_app(store, digest(TOKEN))) as c:
        accounts = c.get("/api/accounts", headers=AUTH).json()["items"]
        assert len(accounts) == 2
        contacts = c.get("/api/contacts", headers=AUTH).json()["items"]
        states = set()
        for contact in contacts:
            ledger = c.get(f"/api/contacts/{contact['id']}/consent", headers=AUTH).json()
            states.add(ledger["consent"][-1]["status"] if ledger["consent"] else "never asked")
        assert {"granted", "pending", "withdrawn", "never asked"} <= states
        runs = c.get("/api/audits", headers=AUTH).json()["items"]
        assert len(runs) == 1 and runs[0]["status"] == "done" and runs[0]["flagged"] > 0
        media = c.get("/api/media", headers=AUTH).json()["items"]
        assert media[0]["gps"] and media[0]["file"]
    again = seed(tmp_path / "demo")  # every start is fresh
    with TestClient(create_app(again, digest(TOKEN))) as c:
        assert len(c.get("/api/audits", headers=AUTH).json()["items"]) == 1


def test_serve_refuses_demo_with_a_database_and_a_taken_port(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["serve", "--demo", "--db", str(tmp_path / "x.db")])
    assert r.exit_code == 2 and "--demo makes its own database" in r.output
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = runner.invoke(main, ["serve", "--port", str(port), "--db", str(tmp_path / "y.db")])
        assert r.exit_code == 2 and f"port {port} on 127.0.0.1 is in use" in r.output


def test_a_taken_default_port_moves_to_the_next_free_one() -> None:
    from tactful.cli.serve import _free_port

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert _free_port("127.0.0.1", port, 20) > port
