"""SARIF 2.1.0 output, so code-review and CI tools can show findings on posts kept in files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tactful import __version__
from tactful.core.findings import Report, Severity
from tactful.core.ruleset import Ruleset

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.BLOCK: "error", Severity.WARN: "warning", Severity.INFO: "note"}


def to_sarif(reports: Iterable[tuple[str, Report]], ruleset: Ruleset) -> dict[str, Any]:
    """``reports`` pairs each report with the artifact it came from (a file, ``stdin``, an id)."""
    rule_ids = sorted(ruleset.catalogue)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    rules = [
        {
            "id": rule_id,
            "name": ruleset.catalogue[rule_id].title,
            "shortDescription": {"text": ruleset.catalogue[rule_id].title},
            "fullDescription": {"text": ruleset.catalogue[rule_id].catches},
            "help": {"text": f"Fix: {ruleset.catalogue[rule_id].fix}"},
        }
        for rule_id in rule_ids
    ]
    results = []
    for artifact, report in reports:
        for f in report.findings:
            result: dict[str, Any] = {
                "ruleId": f.rule_id,
                "ruleIndex": index.get(f.rule_id, -1),
                "level": _LEVEL[f.severity],
                "message": {"text": f"{f.message}. {f.explanation}"},
                "properties": {"score": round(f.score, 4), "detector": f.detector},
            }
            location: dict[str, Any] = {"artifactLocation": {"uri": artifact}}
            if f.spans:
                start, end = f.spans[0]
                location["region"] = {
                    "charOffset": start,
                    "charLength": end - start,
                    "snippet": {"text": report.post.text[start:end]},
                }
            result["locations"] = [{"physicalLocation": location}]
            fixes = [s for s in f.suggestions if s.replacement is not None and f.spans]
            if fixes:
                start, end = f.spans[0]
                result["fixes"] = [
                    {
                        "description": {"text": s.description},
                        "artifactChanges": [
                            {
                                "artifactLocation": {"uri": artifact},
                                "replacements": [
                                    {
                                        "deletedRegion": {
                                            "charOffset": start,
                                            "charLength": end - start,
                                        },
                                        "insertedContent": {"text": s.replacement},
                                    }
                                ],
                            }
                        ],
                    }
                    for s in fixes
                ]
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tactful",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
