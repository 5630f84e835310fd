"""Evidence: threats and harassment exported as one self-contained, escaped HTML page and a
JSON hash chain; verify finds any record changed, removed, added or moved."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli.main import main
from tactful.core.factory import checker_for
from tactful.inbox.evidence import export, verify
from tactful.inbox.items import Incoming, ThreadPost
from tactful.inbox.store import triage_pending
from tactful.inbox.sync import store_items
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import AccountRow

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)
HOSTILE = [
    "I will kill you <script>alert(1)</script>, you stupid bitch",
    "I know where you live, I'll be waiting outside your house",
    "send me nudes or I'll tell everyone what you did",
]


@pytest.fixture
def filled(store: Store) -> Store:
    with store.session() as s:
        add_account(s, "acme", platform="mastodon", kind="brand")
        account_id = s.query(AccountRow.id).scalar()
        above = ThreadPost("p0", "Our new opening hours <b>&</b> more", "acme", None, T0)
        items = [
            Incoming(f"h{n}", "reply", text, f"@troll{n}", f"id-{n}", f"https://x.example/{n}",
                     T0 + timedelta(hours=n), "p0", (above,))
            for n, text in enumerate(HOSTILE)
        ] + [Incoming("ok1", "mention", "Thank you, great service!", "@fan", created_at=T0)]  # fmt: skip
        store_items(s, account_id, "mastodon", items, T0)
    triage_pending(store, checker_for(None), now=T0)
    return store


def _export(store: Store, out: Path) -> Path:
    with store.session() as s:
        made = export(s, out, now=T0)
    assert made.records == 3
    return made.json_path


def test_export_keeps_the_words_author_links_times_and_thread(
    filled: Store, tmp_path: Path
) -> None:
    path = _export(filled, tmp_path / "ev")
    document = json.loads(path.read_text())
    first = document["records"][0]
    assert first["text"] == HOSTILE[0] and first["author_handle"] == "@troll0"
    assert first["author_id"] == "id-0" and first["url"] == "https://x.example/0"
    assert first["written_at"] == T0.isoformat() and first["thread"][0]["id"] == "p0"
    assert [r["category"] for r in document["records"]] == ["threat", "threat", "harassment"]
    assert "where you live" in document["records"][1]["whereabouts"]
    assert verify(path) == []
    page = (tmp_path / "ev" / "evidence.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in page  # the thread is escaped too
    for external in ("src=", "<link", "@import", "url("):
        assert external not in page


@pytest.mark.parametrize("tamper", ["change", "remove", "reorder", "append", "cut"])
def test_tampering_is_detected(filled: Store, tmp_path: Path, tamper: str) -> None:
    path = _export(filled, tmp_path / "ev")
    document = json.loads(path.read_text())
    records = document["records"]
    if tamper == "change":
        records[1]["text"] = "I like your house"
    elif tamper == "remove":
        del records[1]
    elif tamper == "reorder":
        records[0], records[1] = records[1], records[0]
    elif tamper == "append":
        records.append(dict(records[-1], seq=4))
    else:
        del records[-1]
        document["records_count"] = 2
    path.write_text(json.dumps(document))
    assert verify(path), tamper
    result = CliRunner().invoke(main, ["inbox", "evidence", "verify", str(path)])
    assert result.exit_code == 1 and "tampered:" in result.output


def test_cli_export_and_verify(filled: Store, tmp_path: Path) -> None:
    url = filled.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "cli"
    result = CliRunner().invoke(
        main, ["inbox", "evidence", "export", "--out", str(out), "--db", url]
    )
    assert result.exit_code == 0, result.output
    assert "3 records" in result.output
    ok = CliRunner().invoke(main, ["inbox", "evidence", "verify", str(out / "evidence.json")])
    assert ok.exit_code == 0 and "intact" in ok.output
    again = CliRunner().invoke(
        main, ["inbox", "evidence", "export", "--out", str(out), "--db", url]
    )
    assert again.exit_code == 2 and "already exists" in again.output  # nothing overwritten
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    assert CliRunner().invoke(main, ["inbox", "evidence", "verify", str(bad)]).exit_code == 2
