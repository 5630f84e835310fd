"""Report.to_dict() matches the documented JSON Schema; docs/rules.md matches the rule data."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tactful import Checker
from tactful.cli.docgen import generate
from tactful.core.ruleset import default_ruleset

ROOT = Path(__file__).parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("Our client told us in a closed-door meeting they are cutting 200 jobs", {}),
        ("Lovely sunrise", {"platform": "x"}),
        ("Great post!", {"reply_to": "1", "account_kind": "professional"}),
        ("x" * 400, {"platform": "x"}),
        ("Call me on +44 7700 900123", {"clients_in_audience": True}),
    ],
)
def test_report_matches_schema(text: str, context: dict[str, object]) -> None:
    report = Checker().check(text, **context)  # type: ignore[arg-type]
    jsonschema.validate(report.to_dict(all_scores=True), SCHEMA)
    for f in report.to_dict()["findings"]:
        for (start, end), excerpt in zip(f["spans"], f["excerpts"], strict=True):
            assert text[start:end] == excerpt


def test_rules_doc_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == generate(default_ruleset()), "docs/rules.md is stale: run `make docs`"
