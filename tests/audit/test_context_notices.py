"""An account-level notice (clients can see this personal account) is said once in the
report's header, not flagged on every post of the history."""

from __future__ import annotations

from pathlib import Path

from tactful.archives import ArchiveSource, create
from tactful.archives.synthetic import write
from tactful.audit import html, results
from tactful.audit.runner import run_audit
from tactful.audit.settings import AuditSettings
from tactful.core.checker import Checker
from tactful.store import Store


def test_clients_on_a_personal_account_do_not_flag_every_post(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    export = write("x", tmp_path, ["A quiet walk by the sea.", "Thanks all for coming!"] * 5)
    settings = AuditSettings(platform="x", account_kind="personal", clients_in_audience=True)
    source = ArchiveSource(export)
    try:
        state = run_audit(store, source, create("x"), Checker(), settings)
    finally:
        source.close()
    assert state.posts == 10
    with store.session() as s:
        assert ("audience.clients_on_personal", 10) not in results.categories(s, state.run_id)
        assert all(
            "audience.clients_on_personal" not in row.categories
            for row in results.flagged(s, state.run_id)
        )
        info = results.run_info(s, state.run_id)
        page = html.render(info, results.timeline(s, state.run_id), [], [])
    assert "that clients can see" in page
