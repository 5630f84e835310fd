"""One post, one stored account, one organisation policy: the same findings and verdict from
every surface that checks it (the CLI's check, scan and audit; the web composer and a web
audit; the schedule gate; the worker's check at publish time).

The organisation's policy turns ``work`` off and softens ``offense.insult`` to a warning, so
a surface that built its checker without the store's policy would block the post, where the
policy makes it "review"; the test first shows that difference, so it cannot pass by accident.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tactful.archives.synthetic import write
from tactful.cli.main import main
from tactful.core.checker import Checker
from tactful.core.factory import checker_for
from tactful.publish.outbox import gate, post_for
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.accounts import get_account
from tactful.web import create_app
from tactful.web.auth import digest

TEXT = "My idiot boss moved the deadline again. Call me on 07700 900123"
ACCOUNT = "jo-masto"
POLICY = {"rules": {"work": "off", "offense.insult": "warn"}}
TOKEN = "parity-token"
AT = "2099-03-02 09:30"  # a fixed time far ahead: the schedule needs one in the future


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def shape(findings: list[dict[str, Any]]) -> list[tuple[str, str, list[list[int]]]]:
    return [(f["rule_id"], f["severity"], f["spans"]) for f in findings]


def test_every_surface_gives_the_same_findings_and_verdict(store_url: str, tmp_path: Path) -> None:
    policy_file = tmp_path / "org.yml"
    policy_file.write_text(yaml.safe_dump(POLICY), encoding="utf-8")
    db = ["--db", store_url]
    add = ["accounts", "add", ACCOUNT, "--platform", "mastodon", "--kind", "professional"]
    assert cli(*add, *db)[0] == 0
    code, out = cli("policy", "set", str(policy_file), "--reason", "parity test", *db)
    assert code == 0, out

    store = Store(store_url)
    try:
        with store.session() as s:
            account = get_account(s, ACCOUNT)
        expected = checker_for(store).check(post_for(TEXT, account))
        without_policy = Checker().check(post_for(TEXT, account))
        # The policy must matter here, or agreeing would prove nothing.
        assert expected.verdict.value == "review" and without_policy.verdict.value == "blocked"
        want = shape([f.to_dict(TEXT) for f in expected.findings])
        assert want  # the post has findings to compare
        seen: dict[str, tuple[Any, str]] = {}

        # 1. tactful check
        code, out = cli("check", TEXT, "--account", ACCOUNT, "--format", "json", *db)
        report = json.loads(out)
        seen["check"] = (shape(report["findings"]), report["verdict"])

        # 2. tactful scan
        posts = tmp_path / "posts.jsonl"
        posts.write_text(json.dumps({"id": "p1", "text": TEXT}) + "\n", encoding="utf-8")
        code, out = cli("scan", str(posts), "--account", ACCOUNT, *db)
        report = json.loads(out.splitlines()[0])
        seen["scan"] = (shape(report["findings"]), report["verdict"])

        # 3. tactful audit
        export = write("x", tmp_path / "export", [TEXT])
        out_dir = tmp_path / "audit"
        code, out = cli("audit", str(export), "--account", ACCOUNT, "-o", str(out_dir), *db)
        rows = [json.loads(line) for line in (out_dir / "findings.jsonl").read_text().splitlines()]
        assert len(rows) == 1
        seen["audit"] = (shape(rows[0]["findings"]), rows[0]["verdict"])

        # 4. the web composer, and 5. a web audit (the function its audit process runs)
        app = create_app(Store(store_url), digest(TOKEN))
        with TestClient(app) as client:
            r = client.post(
                "/api/check",
                json={"text": TEXT, "account": ACCOUNT},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            report = r.json()
            seen["web check"] = (shape(report["findings"]), report["verdict"])
        seen["web audit"] = _web_audit(store_url, tmp_path)

        # 6. the schedule gate: scheduled (not kept as a draft), nothing blocking
        code, out = cli(
            "schedule", "add", TEXT, "--account", ACCOUNT, "--at", AT, "--tz", "UTC", *db
        )
        assert code == 0 and out.startswith("scheduled #1"), out
        found = gate(checker_for(store), TEXT, account)
        assert found.blocking == [] and found.parts == [TEXT]

        # 7. the worker's check at publish time
        worker = Worker(store)
        report_at_publish = worker.fresh_checker().check(post_for(TEXT, account))
        seen["worker"] = (
            shape([f.to_dict(TEXT) for f in report_at_publish.findings]),
            report_at_publish.verdict.value,
        )
        worker.http.close()
    finally:
        store.dispose()

    for surface, (findings, verdict) in seen.items():
        assert (findings, verdict) == (want, expected.verdict.value), surface


def _web_audit(store_url: str, tmp_path: Path) -> tuple[Any, str]:
    import multiprocessing

    from tactful.audit.results import flagged, list_runs
    from tactful.web.audit_jobs import AuditRequest, _run

    upload = tmp_path / "upload"
    upload.mkdir()
    export = write("x", upload / "export", [TEXT])
    req = AuditRequest(
        path=str(export),
        format="x",
        platform="mastodon",
        account_kind="professional",
        audience="public",
        clients_in_audience=False,
        account_name=ACCOUNT,
        since=None,
        until=None,
        min_severity="info",
    )
    progress = [0, 0, 0, 0]
    outcome, sent = multiprocessing.Pipe(duplex=False)
    _run(store_url, req, progress, sent)
    assert outcome.recv() is None  # done; a failure sends why
    outcome.close()
    store = Store(store_url)
    try:
        with store.session() as s:
            run = list_runs(s)[-1]
            rows = list(flagged(s, run.id))
            assert len(rows) == 1 and rows[0].report is not None
            return shape(rows[0].report["findings"]), rows[0].report["verdict"]
    finally:
        store.dispose()


def test_a_servers_own_limit_holds_on_that_server_only() -> None:
    from datetime import UTC, datetime

    from tactful.core.post import AccountKind, Audience, Post
    from tactful.networks.platforms import Platform
    from tactful.store.accounts import AccountRecord
    from tactful.store.snapshot import StoreSnapshot

    account = AccountRecord(
        ACCOUNT, Platform.MASTODON, AccountKind.PERSONAL, Audience.PUBLIC, False
    )
    snapshot = StoreSnapshot(
        now=datetime(2026, 12, 1, tzinfo=UTC),
        accounts=(account,),
        own_limits={ACCOUNT: {"max_characters": 5000}},
    )
    checker = Checker(store=snapshot)
    text = "Our open day went well. " * 25  # 600 characters
    on_server = checker.check(Post.build(text, platform="mastodon", account_name=ACCOUNT))
    assert on_server.length is not None and on_server.length.limit == 5000
    assert "platform.length" not in on_server.rule_ids
    elsewhere = checker.check(Post.build(text, platform="x", account_name=ACCOUNT))
    assert elsewhere.length is not None and elsewhere.length.limit == 280
    assert "platform.length" in elsewhere.rule_ids
    assert not any(layer.startswith("server:") for layer in elsewhere.policy_layers)


def test_the_web_app_sees_a_policy_set_by_another_process(tmp_path: Path) -> None:
    from tactful.store.org_policy import set_policy

    url = f"sqlite:///{tmp_path / 'web.db'}"
    body = {"text": "My idiot boss moved the deadline again.", "account_kind": "professional"}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(Store(url), digest(TOKEN))) as client:
        first = client.post("/api/check", json=body, headers=auth).json()
        assert "work.venting" in {f["rule_id"] for f in first["findings"]}
        other = Store(url)  # tactful policy set, from a terminal
        with other.session() as s:
            set_policy(s, {"rules": {"work": "off"}}, reason="legal", actor="ana")
        other.dispose()
        second = client.post("/api/check", json=body, headers=auth).json()
        assert "work.venting" not in {f["rule_id"] for f in second["findings"]}
        assert "organisation" in second["policy_layers"]
