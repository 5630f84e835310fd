"""Regression tests for defects a review found: each reproduces the reported input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import tactful
from tactful import Checker, Finding, Post, Severity, Verdict
from tactful.cli.main import main
from tactful.core.policy import load_policy_file
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.errors import InputError, PolicyError

EXE = str(Path(sys.executable).parent / "tactful")


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "Our new physio clinic opens in Archway, London N19 5NF next week.",
        "The Galaxy A55 review is up, and the A55 near Bangor is closed.",
        "Room F49 is booked for the design review.",
    ],
)
def test_codes_are_not_leetspeak(text: str) -> None:
    report = tactful.check(text, platform="linkedin", account_kind="professional")
    assert not [f for f in report.findings if f.rule_id.startswith("offense.")], report.rule_ids


@pytest.mark.parametrize(
    "text",
    [
        "The Bank of England cut rates again. Jobs data comes out on Friday.",
        "My boss. Is he an idiot? No, a genius.",
    ],
)
def test_phrases_stop_at_sentence_ends(text: str) -> None:
    report = tactful.check(text, account_kind="professional")
    phrase_hits = [f for f in report.findings if f.detector == "lexicon"]
    assert not [f for f in phrase_hits if f.rule_id.startswith("work.")], report.rule_ids


def test_span_keeps_a_trailing_accent() -> None:
    text = "this is shit\u0301 really"
    norm = normalize(text)
    assert norm.to_original(8, 12) == (8, 13)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "hi", "mentions": 5}', "mentions must be a list"),
        ('{"text": "hi", "media": "photo.jpg"}', "media must be a list"),
        ('{"text": "hi", "inbound": "maybe"}', "inbound must be true or false"),
        ('{"text": 123}', "text must be a string"),
        ('{"text": null}', "text must be a string"),
        ("[" * 200_000, "not valid JSON"),
        ('{"text": "hi \\ud800 there"}', "lone surrogate"),
        ('{"text": "hello", "created_at": "[/x]"}', "ISO 8601"),
    ],
)
def test_odd_scan_lines_become_error_records(tmp_path: Path, line: str, message: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(line + "\n" + json.dumps({"id": "ok", "text": "Lovely sunrise"}) + "\n")
    for workers in ("1", "2"):
        code, out, err = run("scan", str(src), "--workers", workers)
        records = [json.loads(x) for x in out.splitlines()]
        assert code == 2, err
        assert message in records[0]["error"]
        assert records[1]["id"] == "ok" and records[1]["verdict"] == "ok"


def test_scan_text_format_prints_errors_without_markup(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "hello", "created_at": "[/x]"}\n')
    code, out, _ = run("scan", str(src), "--format", "text")
    assert code == 2 and "[/x]" in out


def test_string_false_is_false() -> None:
    post = Post.from_mapping({"text": "hi", "inbound": "false", "clients_in_audience": "false"})
    assert not post.inbound and not post.account.clients_in_audience


def test_bom_on_first_line(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "Lovely sunrise"}).encode())
    code, out, _ = run("scan", str(src))
    assert code == 0 and json.loads(out)["id"] == "a"


def test_scan_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "same.jsonl"
    src.write_text(json.dumps({"text": "hello"}) + "\n")
    code, _, err = run("scan", str(src), "-o", str(src))
    assert code == 2 and "output file is the input file" in err
    assert src.read_text().strip()


def test_scan_output_in_missing_folder(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "hello"}) + "\n")
    code, _, err = run("scan", str(src), "-o", str(tmp_path / "missing" / "out.jsonl"))
    assert code == 2 and "cannot write" in err


def test_scan_a_folder(tmp_path: Path) -> None:
    code, _, err = run("scan", str(tmp_path))
    assert code == 2 and "is a folder" in err


def test_file_name_too_long() -> None:
    code, _, err = run("check", "--file", "a" * 300)
    assert code == 2 and "cannot read" in err


def test_empty_file_in_folder_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Lovely sunrise")
    (tmp_path / "b.txt").write_text("")
    code, _, err = run("check", "--file", str(tmp_path))
    assert code == 2 and "b.txt" in err and "empty" in err


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["check", "hi", "--platform", "tiktok"], None),
        (["scan", "--workers", "-1", "x.jsonl"], None),
        (["check", "hi", "--policy", "/"], None),
        (["check", "-"], subprocess.DEVNULL),
    ],
)
def test_usage_errors_are_one_line(args: list[str], stdin: int | None) -> None:
    proc = subprocess.run([EXE, *args], capture_output=True, text=True, stdin=stdin)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tactful: error:"), proc.stderr


def test_stdin_closed() -> None:
    proc = subprocess.run(
        [EXE, "check", "-"], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert proc.returncode == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("rules: [offense]\n", "must be a mapping"),
        ("rules: 5\n", "must be a mapping"),
        ("floors: [safety]\n", "must be a mapping"),
        ("allow: word\n", "must be a list"),
        ("settings: {platform_limits: {x: lots}}\n", "positive whole number"),
        ("settings: {platform_limits: {x: 0}}\n", "positive whole number"),
    ],
)
def test_policy_types(tmp_path: Path, content: str, message: str) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text(content)
    with pytest.raises(PolicyError, match=message):
        load_policy_file(policy)


def test_unquoted_off_and_on(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text("rules:\n  work.venting: {severity: off}\n  offense.profanity: on\n")
    checker = Checker(policy_files=[policy])
    report = checker.check(
        "My idiot boss, what a shitty week", platform="linkedin", account_kind="brand"
    )
    assert "work.venting" not in report.rule_ids
    profanity = [f for f in report.findings if f.rule_id == "offense.profanity"]
    assert profanity and all(f.severity is not Severity.BLOCK for f in profanity)


def test_threshold_cannot_hide_floored_rules(tmp_path: Path) -> None:
    policy = tmp_path / "p.yml"
    policy.write_text("rules:\n  safety: {threshold: 1}\n  work.confidential: {threshold: 1}\n")
    report = Checker(policy_files=[policy]).check("Keep this between us, the merger closes Friday")
    assert "work.confidential" not in report.rule_ids
    assert [s.finding.rule_id for s in report.suppressed] == ["work.confidential"]
    assert "threshold" in report.suppressed[0].reason


class _Broken:
    name = "broken"

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        raise ValueError("bad setting")


def test_a_failed_detector_is_never_ok() -> None:
    checker = Checker()
    checker.detectors.append(_Broken())
    report = checker.check("Lovely sunrise over the harbour")
    assert report.verdict is Verdict.REVIEW
    assert report.fails(Severity.WARN) and not report.fails(Severity.BLOCK)


def test_business_contacts_are_suppressed_not_flagged() -> None:
    text = (
        "Email our team at hello@brightpath.co.uk or call the office on 020 7946 0958 "
        "to book a demo."
    )
    report = tactful.check(text, platform="linkedin", account_kind="professional")
    assert "safety.contact" not in report.rule_ids
    assert {s.finding.rule_id for s in report.suppressed} == {"safety.contact"}


def test_lone_surrogate_in_argument() -> None:
    with pytest.raises(InputError, match="surrogate"):
        tactful.check("hi \ud800")
