"""The README's store walkthrough, run command by command: each command succeeds as shown
and prints the first line the README shows for it."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def walkthrough() -> list[tuple[list[str], list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- walkthrough:", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[list[str], list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ tactful "):
            steps.append((shlex.split(line[len("$ tactful ") :]), []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def test_the_walkthrough_has_the_steps_the_issue_asks_for() -> None:
    commands = [" ".join(args[:2]) for args, _ in walkthrough()]
    for needed in ("accounts add", "contacts add", "consent ask", "consent grant", "media clean"):
        assert needed in commands
    assert commands.count("check Thrilled to kick off the Northwind project with @jane-doe!") == 2


def test_readme_walkthrough(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(ROOT / "examples" / "team-photo.jpg", tmp_path / "team-photo.jpg")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TACTFUL_DB", store_url)
    monkeypatch.setenv("TACTFUL_USER", "sam")
    outputs = []
    for args, shown in walkthrough():
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        first = next((line for line in shown if line.strip()), None)
        verdict_blocked = first is not None and first.startswith("do not publish")
        expected_code = 1 if first and first.startswith(("review", "do not")) else 0
        assert result.exit_code == expected_code, (args, result.output, result.stderr)
        if first is not None and "until" not in first:
            assert first.strip() in result.stdout, (args, result.stdout)
        if verdict_blocked or expected_code == 1:
            for line in shown:
                m = re.match(r"\s+(block|warn|info)\s+(\S+)", line)
                if m:
                    assert m.group(2) in result.stdout, (m.group(2), result.stdout)
        outputs.append(result.stdout)
    assert "Hi Jane" in outputs[2] and "the Northwind kickoff" in outputs[3]
    assert (tmp_path / "team-photo-clean.jpg").is_file()
