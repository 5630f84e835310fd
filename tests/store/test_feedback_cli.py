"""``tactful feedback`` end to end, on SQLite and PostgreSQL: mark a finding wrong, see it
hidden (and counted) by check and scan, listed by feedback list and tactful rules, exported
as labelled examples, removed; mistakes exit 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tactful.cli.main import main

PHONE = "Call me on 07700 900123 after the launch."


def cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_mark_wrong_then_check_list_rules_export_and_remove(store_url: str, tmp_path: Path) -> None:
    db = ["--db", store_url]
    assert (
        cli("accounts", "add", "acme-li", "--platform", "linkedin", "--kind", "brand", *db)[0] == 0
    )
    code, out, err = cli(
        "feedback", "wrong", "safety.contact", "--account", "acme-li", "--text", PHONE,
        "--reason", "the office switchboard", "--by", "ana", *db,
    )  # fmt: skip
    assert code == 0, err
    assert "feedback #1" in out and "“07700 900123”" in out and "feedback remove 1" in out

    code, out, _ = cli("check", PHONE, "--account", "acme-li", "--format", "json", *db)
    report = json.loads(out)
    assert "safety.contact" not in {f["rule_id"] for f in report["findings"]}
    assert report["hidden_by_feedback"] == 1
    assert [s.get("feedback") for s in report["suppressed"]] == [1]
    code, out, _ = cli("check", PHONE, "--account", "acme-li", *db)
    assert "1 finding hidden by your feedback" in out and "the office switchboard" in out
    scanned = json.dumps({"text": PHONE}) + "\n"
    code, out, _ = cli("scan", "--account", "acme-li", *db, stdin=scanned)
    assert json.loads(out.splitlines()[0])["hidden_by_feedback"] == 1

    code, out, _ = cli("feedback", "list", "--json", *db)
    [listed] = json.loads(out)
    assert (listed["by"], listed["reason"], listed["words"]) == (
        "ana",
        "the office switchboard",
        "07700 900123",
    )
    code, out, _ = cli("rules", "safety", "--account", "acme-li", *db)
    assert code == 0 and "Hidden by feedback on acme-li" in out and "#1 safety.contact" in out

    target = tmp_path / "feedback.jsonl"
    code, _, err = cli("feedback", "export", "--out", str(target), *db)
    assert code == 0 and "1 labelled example" in err
    [example] = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert {k: example[k] for k in ("text", "rule_id", "label", "reason", "account")} == {
        "text": PHONE,
        "rule_id": "safety.contact",
        "label": "false_positive",
        "reason": "the office switchboard",
        "account": "acme-li",
    }
    assert example["when"] == listed["at"]

    code, out, _ = cli("feedback", "remove", "#1", *db)
    assert code == 0 and "shows again" in out
    code, out, _ = cli("check", PHONE, "--account", "acme-li", "--format", "json", *db)
    assert "safety.contact" in {f["rule_id"] for f in json.loads(out)["findings"]}
    assert json.loads(out)["hidden_by_feedback"] == 0


def test_mistakes_exit_2_with_one_line(store_url: str) -> None:
    db = ["--db", store_url]
    cli("accounts", "add", "me", "--platform", "x", "--kind", "personal", *db)
    card = "My card is 4111 1111 1111 1111"
    wrong = ["feedback", "wrong"]
    cases = [
        ([*wrong, "safety.contact", "--account", "nobody", "--text", PHONE, "--reason", "x"],
         "no account named 'nobody'"),
        ([*wrong, "work.venting", "--account", "me", "--text", PHONE, "--reason", "x"],
         "finds no work.venting"),
        ([*wrong, "safety.contact", "--account", "me", "--reason", "x"], "--text or --file"),
        ([*wrong, "safety.identity_data", "--account", "me", "--text", card, "--reason", "x"],
         "--confirm-exact"),
        (["feedback", "remove", "7"], "no feedback #7"),
        (["feedback", "remove", "seven"], "not a feedback id"),
    ]  # fmt: skip
    for args, message in cases:
        code, out, err = cli(*args, *db)
        assert code == 2 and message in err, (args, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(*wrong, "safety.contact", "--account", "me", "--text", PHONE, *db)
    assert code == 2 and "Missing option '--reason'" in err  # click's own usage error
    code, out, _ = cli("feedback", "list", *db)
    assert "no feedback yet" in out
