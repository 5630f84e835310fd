"""The organisation's policy in the store: set, shown, cleared, every change kept with who
and why; a bad policy is refused before it is kept; ``serve --policy`` records a file once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tactful.cli.main import main
from tactful.core.factory import checker_for
from tactful.errors import InputError, PolicyError
from tactful.store import Store
from tactful.store.org_policy import adopt_policy_file, current_policy, policy_history, set_policy

VENT = "My idiot boss moved the deadline again."


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def policy_file(tmp_path: Path, data: object, name: str = "org.yml") -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_set_show_clear_and_history(store_url: str, tmp_path: Path) -> None:
    db = ["--db", store_url]
    code, out, _ = cli("policy", "show", *db)
    assert code == 0 and "no organisation policy" in out
    path = policy_file(tmp_path, {"rules": {"work.venting": "off"}})
    code, out, _ = cli("policy", "set", path, "--reason", "legal review", "--by", "ana", *db)
    assert code == 0 and "organisation policy set" in out
    code, out, _ = cli("policy", "show", *db)
    assert "ana" in out and "legal review" in out and "work.venting: 'off'" in out
    code, out, _ = cli("check", VENT, "--account-kind", "professional", "--format", "json", *db)
    assert "work.venting" not in {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "organisation" in json.loads(out)["policy_layers"]
    code, out, _ = cli("policy", "clear", "--reason", "back to defaults", *db)
    assert code == 0
    code, out, _ = cli("check", VENT, "--account-kind", "professional", "--format", "json", *db)
    assert "work.venting" in {f["rule_id"] for f in json.loads(out)["findings"]}
    code, out, _ = cli("policy", "history", "--json", *db)
    history = json.loads(out)
    assert [(e["actor"], e["reason"], e["policy"] is None) for e in history] == [
        ("ana", "legal review", False),
        ("tester", "back to defaults", True),
    ]


def test_a_bad_policy_or_no_reason_is_refused_and_nothing_changes(
    store_url: str, tmp_path: Path
) -> None:
    db = ["--db", store_url]
    bad = policy_file(tmp_path, {"rules": {"no.such.rule": "off"}})
    code, _, err = cli("policy", "set", bad, "--reason", "try", *db)
    assert code == 2 and "org.yml line 2" in err and "no.such.rule" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = cli("policy", "set", str(tmp_path / "missing.yml"), "--reason", "try", *db)
    assert code == 2 and "missing.yml not found" in err
    not_yaml = tmp_path / "broken.yml"
    not_yaml.write_text("rules: [unclosed", encoding="utf-8")
    code, _, err = cli("policy", "set", str(not_yaml), "--reason", "try", *db)
    assert code == 2 and "broken.yml line 2: not valid YAML" in err
    code, _, err = cli("policy", "set", policy_file(tmp_path, {"rules": {}}), *db)
    assert code == 2 and "--reason" in err
    store = Store(store_url)
    with store.session() as s:
        assert policy_history(s) == []
        with pytest.raises(InputError, match="say why"):
            set_policy(s, {"rules": {}}, reason="  ", actor="ana")
        with pytest.raises(PolicyError):
            set_policy(s, {"rules": {"work": "loud"}}, reason="typo", actor="ana")
    store.dispose()


def test_serve_policy_file_is_recorded_once_and_reaches_every_checker(
    store_url: str, tmp_path: Path
) -> None:
    path = policy_file(tmp_path, {"rules": {"work": "off"}})
    store = Store(store_url)
    with store.session() as s:
        assert adopt_policy_file(s, path, actor="ana", reason="serve") == "set"
    with store.session() as s:
        assert adopt_policy_file(s, path, actor="ana", reason="serve again") == "unchanged"
        assert len(policy_history(s)) == 1
        event = current_policy(s)
        assert event is not None and event.source == path
    # The file changes: the server started with it again records the new version.
    Path(path).write_text(yaml.safe_dump({"rules": {"work": "off", "views": "off"}}))
    with store.session() as s:
        assert adopt_policy_file(s, path, actor="ana", reason="serve") == "set"
    report = checker_for(store).check(VENT, account_kind="professional")
    assert "work.venting" not in report.rule_ids and "organisation" in report.policy_layers
    # Someone sets another policy: restarting the server with the old file does not undo it.
    other = policy_file(tmp_path, {"rules": {"views": "off"}}, "other.yml")
    with store.session() as s:
        set_policy(s, {"rules": {"views": "off"}}, reason="legal", actor="bo", source=other)
        assert adopt_policy_file(s, path, actor="ana", reason="restart") == "kept"
        assert current_policy(s).source == other  # type: ignore[union-attr]
    store.dispose()


def test_a_stored_policy_that_no_longer_parses_is_left_out_with_a_notice(
    store_url: str,
) -> None:
    from tactful.store.models import PolicyEventRow, utcnow

    store = Store(store_url)
    with store.session() as s:  # as if a rule it names was renamed in an upgrade
        s.add(
            PolicyEventRow(
                policy={"rules": {"work.renamed": "off"}},
                reason="old",
                actor="ana",
                created_at=utcnow(),
            )
        )
    report = checker_for(store).check(VENT, account_kind="professional")
    assert "work.venting" in report.rule_ids and "organisation" not in report.policy_layers
    assert any("organisation's policy was not applied" in n for n in report.notices)
    store.dispose()
