"""Generate ``docs/rules.md`` from the rule data and the detectors' declarations:
``python -m tactful.cli.docgen > docs/rules.md``.

Which detector raises a rule comes from each detector's ``rule_ids`` (see
:mod:`tactful.core.registry`); a rule no detector raises says what does in the catalogue
(``raised_by``). A test compares the committed file with this output, so the docs never drift
from the data or the code.
"""

from __future__ import annotations

import inspect
import sys
from collections import defaultdict

from tactful.core import registry
from tactful.core.ruleset import RuleEntry, Ruleset, default_ruleset
from tactful.errors import RuleDataError


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _entry_lines(entry: RuleEntry) -> list[str]:
    fixes = "; ".join(
        s.description + (f" (→ “{s.replacement}”)" if s.replacement else "")
        for s in entry.suggestions
    )
    lines = [
        f"#### `{entry.key}` — {entry.severity.value}, score {entry.score:g}",
        "",
        f"- **Message:** {_cell(entry.message)}",
        f"- **Why:** {_cell(entry.explanation)}",
        f"- **Fix:** {_cell(fixes)}",
        f"- **Matches:** {len(entry.phrases)} phrases, {len(entry.patterns)} patterns"
        + ("; obfuscated spellings too" if entry.obfuscation else "")
        + (f"; scope {entry.scope}" if entry.scope != "authored" else ""),
        f"- **Source:** {_cell(entry.source)} (`{entry.file}`)",
        "- **Flags:** " + " · ".join(f"“{_cell(x.text)}”" for x in entry.flag_examples[:3]),
        "- **Passes:** " + " · ".join(f"“{_cell(x.text)}”" for x in entry.pass_examples[:3]),
        "",
    ]
    return lines


def _how(rule_id: str, ruleset: Ruleset, lexicon_checks: int, detectors: tuple[str, ...]) -> str:
    parts = [f"{name} detector" for name in detectors if name != "lexicon"]
    if "lexicon" in detectors and lexicon_checks:
        plural = "" if lexicon_checks == 1 else "s"
        parts.insert(0, f"{lexicon_checks} lexicon check{plural}")
    if parts:
        return "; ".join(parts)
    raised_by = ruleset.catalogue[rule_id].raised_by
    if raised_by is None:
        raise RuleDataError(
            f"no detector declares {rule_id!r} and its catalogue entry has no raised_by; "
            "add it to a detector's rule_ids, or say in rules/catalogue.yml what raises it"
        )
    return raised_by


def _detector_lines() -> list[str]:
    lines = [
        "## Detectors",
        "",
        "Each detector declares the rules it raises (`rule_ids`, ids or families) and the "
        "detectors whose scores it reads (`after`); they run in this order.",
        "",
        "| detector | what it finds | raises | runs after |",
        "|---|---|---|---|",
    ]
    for name in registry.default_detectors():
        cls = registry.detector_class(name)
        doc = (inspect.getdoc(cls) or "").split("\n\n")[0]
        raises = ", ".join(f"`{r}`" for r in cls.rule_ids)
        after = ", ".join(getattr(cls, "after", ())) or "—"
        lines.append(f"| `{name}` | {_cell(doc)} | {raises} | {after} |")
    return [*lines, ""]


def generate(ruleset: Ruleset) -> str:
    by_rule: dict[str, list[RuleEntry]] = defaultdict(list)
    for entry in ruleset.entries:
        by_rule[entry.rule_id].append(entry)
    sources = registry.rule_sources(ruleset.catalogue)
    out = [
        "# tactful rules",
        "",
        "<!-- Generated from src/tactful/rules by `make docs`; do not edit by hand. -->",
        "",
        f"{len(ruleset.catalogue)} rules, {len(ruleset.entries)} lexicon checks. Severity shown is "
        "the rule data's default; policy layers (docs/policy.md) raise or lower it per platform, "
        "account kind and audience. See `tactful rules --account-kind brand` for a context.",
        "",
        "| rule id | catches | source | how |",
        "|---|---|---|---|",
    ]
    for rule_id, info in ruleset.catalogue.items():
        how = _how(rule_id, ruleset, len(by_rule.get(rule_id, [])), sources[rule_id])
        out.append(f"| `{rule_id}` | {_cell(info.catches)} | {_cell(info.source)} | {how} |")
    out.append("")
    out += _detector_lines()
    for rule_id, info in ruleset.catalogue.items():
        entries = by_rule.get(rule_id)
        if not entries:
            continue
        out += [f"## `{rule_id}` — {info.title}", "", f"Usual fix: {info.fix}.", ""]
        for entry in entries:
            out += _entry_lines(entry)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate(default_ruleset()))
