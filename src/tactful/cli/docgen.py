"""Generate ``docs/rules.md`` from the rule data: ``python -m tactful.cli.docgen > docs/rules.md``.

A test compares the committed file with this output, so the docs never drift from the data.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from tactful.core.ruleset import RuleEntry, Ruleset, default_ruleset

_NON_LEXICON = {
    "safety.location": "pii detector (addresses, live location, routines, school runs)",
    "safety.contact": "pii detector (phone numbers via phonenumbers, personal e-mail)",
    "safety.identity_data": (
        "pii detector (dates of birth, Luhn-checked cards, IBAN, passports, boarding passes)"
    ),
    "platform.length": "platform detector (limits in networks/limits.yml)",
    "audience.clients_on_personal": "account detector (switches on the 'on the clock' policy)",
}


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


def generate(ruleset: Ruleset) -> str:
    by_rule: dict[str, list[RuleEntry]] = defaultdict(list)
    for entry in ruleset.entries:
        by_rule[entry.rule_id].append(entry)
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
        n = len(by_rule.get(rule_id, []))
        how = (
            f"{n} lexicon checks"
            if n
            else _NON_LEXICON.get(rule_id, "store-backed (accounts, consent, media)")
        )
        out.append(f"| `{rule_id}` | {_cell(info.catches)} | {_cell(info.source)} | {how} |")
    out.append("")
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
