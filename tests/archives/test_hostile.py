"""Hostile exports end in a counted unreadable record or a one-line message, never a crash,
and the audit keeps every other post (issue 18). Each importer's files are audited by the
real CLI in a subprocess of their own, whose peak memory is measured."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile_files import DRIVER, Case, audit_args, cases

# The ceiling is 1 GB for any input. These files are small enough for CI, so they
# are held to a lower one: without the read limits the nested lists alone took gigabytes.
CEILING_MB = 500
IMPORTERS = ("x", "grailbird", "csv", "facebook", "instagram", "mastodon", "linkedin", "bluesky")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Case]]:
    work = tmp_path_factory.mktemp("hostile")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name", on purpose
        return work, cases(work / "files")


def test_every_importer_has_cases(hostile: tuple[Path, list[Case]]) -> None:
    _, all_cases = hostile
    assert {c.importer for c in all_cases} == set(IMPORTERS)
    assert all(any(c.kind == "long_post" for c in all_cases if c.importer == i) for i in IMPORTERS)


@pytest.mark.parametrize("importer", IMPORTERS)
def test_hostile_exports(importer: str, hostile: tuple[Path, list[Case]]) -> None:
    work, all_cases = hostile
    group = [c for c in all_cases if c.importer == importer]
    args = json.dumps([audit_args(c, work) for c in group])
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(group), proc.stderr[-2000:]
    for case, got in zip(group, results, strict=True):
        label = f"{case.importer} {case.kind}: {got['output'][-1500:]}"
        assert got["code"] == case.code, label
        assert "internal error" not in got["output"] and "Traceback" not in got["output"], label
        assert case.message in got["output"], label
        summary = f"{case.posts:,} posts checked"
        assert summary in got["output"] and f"{case.unreadable:,} unreadable" in got["output"]
        shortened = f"shortened: {case.shortened:,} posts longer than 100,000"
        assert (shortened in got["output"]) == bool(case.shortened), label
    # ru_maxrss only grows: the last reading is the peak over every case of this importer.
    assert results[-1]["peak_mb"] < CEILING_MB, [r["peak_mb"] for r in results]


def test_a_shortened_post_says_so_in_its_report(hostile: tuple[Path, list[Case]]) -> None:
    work, all_cases = hostile
    (case,) = [c for c in all_cases if c.importer == "x" and c.kind == "long_post"]
    args = audit_args(case, work / "again")
    (work / "again").mkdir()
    subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps([args])], capture_output=True, timeout=300
    )
    reports = [json.loads(line) for line in (Path(args[-1]) / "findings.jsonl").open()]
    (long,) = [r for r in reports if len(r["text"]) == 100_000]
    assert any("tactful audited its first 100,000" in n for n in long["notices"])
    assert "platform.length" in {f["rule_id"] for f in long["findings"]}
