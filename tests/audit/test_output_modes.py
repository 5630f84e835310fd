"""Audit outputs hold old posts and what is wrong with them: created readable by their
owner only (0600), like the store, and tightened when an older run left wider ones."""

from __future__ import annotations

import stat
from pathlib import Path

from click.testing import CliRunner

from tactful.archives.synthetic import write
from tactful.audit.report_files import FILES
from tactful.cli.main import main


def _audit(export: Path, out: Path, db: Path) -> None:
    result = CliRunner().invoke(
        main, ["audit", str(export), "-o", str(out), "--db", str(db), "--fresh"]
    )
    assert result.exit_code in (0, 1), result.output


def test_audit_outputs_are_created_0600(tmp_path: Path) -> None:
    export = write("x", tmp_path / "in", ["A calm note.", "My client is an idiot."])
    out = tmp_path / "out"
    _audit(export, out, tmp_path / "t.db")
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == dict.fromkeys(
        FILES, 0o600
    )
    (out / "findings.csv").chmod(0o644)  # left by an older tactful
    _audit(export, out, tmp_path / "t.db")
    assert stat.S_IMODE((out / "findings.csv").stat().st_mode) == 0o600
