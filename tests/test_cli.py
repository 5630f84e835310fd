"""The command line: outputs, exit codes, and bad input that never crashes or loses data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tactful.cli.main import main

DONE_WHEN = (
    "Our client Acme told us in a closed-door meeting they are cutting 200 jobs. "
    "My idiot boss wants me to keep quiet lol. Call me on 07700 900123"
)


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_issue_example_reports_each_rule_on_the_right_words() -> None:
    code, out, _ = run("check", DONE_WHEN, "--account-kind", "professional", "--format", "json")
    assert code == 1
    report = json.loads(out)
    by_rule: dict[str, list[str]] = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule_id"], []).extend(f["excerpts"])
        assert f["explanation"] and f["suggestions"], f
    assert "closed-door meeting" in by_rule["work.confidential"]
    assert any("idiot boss" in e for e in by_rule["work.venting"])
    assert "idiot" in " ".join(by_rule["offense.insult"])
    assert "07700 900123" in by_rule["safety.contact"]
    assert report["verdict"] == "blocked"


def test_text_output_shows_message_why_and_fix() -> None:
    code, out, _ = run("check", "My idiot boss again", "--account-kind", "professional")
    assert code == 1
    assert "work.venting" in out and "why:" in out and "fix:" in out


def test_clean_post_exits_zero() -> None:
    code, out, _ = run("check", "Thrilled to welcome Priya to the design team this week!")
    assert code == 0, out
    assert "OK to publish" in out


def test_fail_on_block_lets_warnings_through() -> None:
    code, _, _ = run("check", "damn, what a week", "--fail-on", "block")
    assert code == 0


def test_stdin_and_file(tmp_path: Path) -> None:
    code, out, _ = run("check", "-", "--format", "json", input="My idiot boss again")
    assert code == 1 and json.loads(out)["findings"]
    draft = tmp_path / "draft.txt"
    draft.write_text("Keep this between us, the merger closes Friday", encoding="utf-8")
    code, out, _ = run("check", "--file", str(draft), "--format", "json")
    assert code == 1 and "work.confidential" in out


def test_sarif_output_is_valid_shape() -> None:
    _code, out, _ = run("check", "My idiot boss again", "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results and results[0]["locations"][0]["physicalLocation"]["region"]["charLength"] > 0


@pytest.mark.parametrize(
    ("args", "input", "message"),
    [
        (("check", ""), None, "text is empty"),
        (("check", "   "), None, "text is empty"),
        (("check", "x" * 1_048_576), None, "at most 100,000"),
        (("check", "hi", "--platform", "myspace"), None, "Invalid value for '--platform'"),
        (("check", "-"), b"caf\xe9 \xff\xfe", "not valid UTF-8"),
        (("check",), None, "nothing to check"),
        (("check", "--file", "/nonexistent/draft.txt"), None, "cannot read"),
        (("rules", "no.such.rule"), None, "unknown rule id"),
        (("scan", "/nonexistent.jsonl"), None, "cannot read"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: tuple[str, ...], input: bytes | None, message: str
) -> None:
    code, _, err = run(*args, input=input)
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err


def test_malformed_policy_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "team.yml"
    bad.write_text("rules: [oops", encoding="utf-8")
    code, _, err = run("check", "hello", "--policy", str(bad))
    assert code == 2
    assert "team.yml" in err and "not valid YAML" in err
    assert len(err.strip().splitlines()) == 1


def test_scan_streams_and_reports_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "My idiot boss again"}),
        "{not json",
        json.dumps({"id": "c", "text": ""}),
        json.dumps({"id": "d", "text": "Lovely sunrise over the harbour"}),
        json.dumps(["no", "object"]),
        json.dumps({"id": "f", "text": "hello", "platform": "myspace"}),
    ]
    src.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "g", "text": "caf\xe9"}\n')
    out = tmp_path / "out.jsonl"
    code, _, err = run("scan", str(src), "-o", str(out), "--all-scores")
    assert code == 2
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3, 4, 5, 6, 7]
    assert records[0]["verdict"] == "review" and "scores" in records[0]
    assert records[3]["verdict"] == "ok"
    errors = {r["line"]: r["error"] for r in records if "error" in r}
    assert set(errors) == {2, 3, 5, 6, 7}
    assert "not valid JSON" in errors[2]
    assert "empty" in errors[3]
    assert "unknown platform" in errors[6]
    assert "UTF-8" in errors[7]
    assert records[2]["id"] == "c"
    assert "2 to review" not in err and "5 unreadable lines" in err


def test_scan_workers_keep_order(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    texts = ["My idiot boss again", "Lovely sunrise", "shots shots shots, so hungover"] * 200
    src.write_text("\n".join(json.dumps({"id": str(i), "text": t}) for i, t in enumerate(texts)))
    code, out, _ = run("scan", str(src), "--workers", "2")
    ids = [json.loads(x)["id"] for x in out.splitlines()]
    assert ids == [str(i) for i in range(len(texts))]
    assert code == 1


def test_scan_text_format_for_examples() -> None:
    examples = Path(__file__).parent.parent / "examples" / "posts.jsonl"
    code, out, err = run("scan", str(examples), "--format", "text")
    assert code == 1
    assert "#leak" in out and "do not publish" in out
    assert "unreadable" in err


def test_rules_lists_and_explains() -> None:
    code, out, _ = run("rules")
    assert code == 0 and "work.confidential" in out and "platform.length" in out
    code, out, _ = run("rules", "work.venting")
    assert code == 0 and "why:" in out
    code, out, _ = run("rules", "safety", "--format", "json", "--account-kind", "brand")
    ids = [r["id"] for r in json.loads(out)]
    assert ids == ["safety.contact", "safety.identity_data", "safety.location"]


def test_every_command_has_help_with_an_example() -> None:
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"check", "scan", "audit", "policy", "schedule", "serve", "worker"} <= set(names)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None and command.help and "Example" in command.help, name


def test_installed_entry_point_exit_codes() -> None:
    exe = Path(sys.executable).parent / "tactful"
    proc = subprocess.run([str(exe), "check", "My idiot boss"], capture_output=True, text=True)
    assert proc.returncode == 1
    proc = subprocess.run([str(exe), "check", ""], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("tactful: error:")
