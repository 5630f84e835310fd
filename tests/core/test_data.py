"""The one data loader: every shipped file validates, loads once, and a broken file gets one line
naming the file, the line and the field, and saying what to do."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pydantic import BaseModel

from tactful.archives.limits import ReadLimits
from tactful.cli.main import main
from tactful.core import data
from tactful.core.data import Source
from tactful.core.policy import PolicyFile, builtin_layer, load_policy_file
from tactful.core.ruleset import CatalogueFile, RuleFile, VocabFile, default_ruleset, load_ruleset
from tactful.detectors.classifier import CategoriesFile, category_texts
from tactful.detectors.clients import ClientCuesFile
from tactful.detectors.grounding import GroundingFile
from tactful.detectors.mentions import MentionsFile
from tactful.detectors.pii._common import PiiDataFile, pii_data
from tactful.errors import PolicyError, RuleDataError
from tactful.inbox.answers import AnswersFile
from tactful.inbox.limits import InboxLimits
from tactful.inbox.triage import TriageFile
from tactful.models.calibration import CalibrationFile
from tactful.models.features import IdentityTermsFile, identity_terms
from tactful.networks.length import LimitsFile, platform_specs
from tactful.networks.media import MediaFile, media_rules
from tactful.store.advice import ConnectionAdviceFile
from tactful.store.drafts import ConsentDraftsFile
from tactful.web.demo import DemoFile

ROOT = Path(str(resources.files("tactful")))
CATALOGUE = {"catalogue": default_ruleset().catalogue}
VOCAB = {"catalogue": default_ruleset().catalogue, "vocab": default_ruleset().vocab}
RULESET = {"ruleset": default_ruleset()}

ENTRY = """\
rules:
  - id: work.venting
    check: boss
    severity: warn
    phrases: [my idiot boss]
    message: Venting
    explanation: Why it hurts
    suggestions:
      - {action: remove, description: Remove it}
    examples:
      flag: [my idiot boss again]
      pass: [my boss is great]
"""


def broken(old: str, new: str) -> str:
    assert old in ENTRY, old
    return ENTRY.replace(old, new, 1)


# (model, file name, content, context, the whole message)
CASES: list[tuple[type[BaseModel], str, str, dict[str, Any] | None, str]] = [
    (
        RuleFile,
        "rules/en/work.yml",
        broken("severity: warn", "severity: blocker"),
        CATALOGUE,
        "rules/en/work.yml line 4, rules[0].severity: 'blocker' is not one of info, warn, "
        "block; fix the value",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("severity: warn", "score: 1.5"),
        CATALOGUE,
        "rules/en/work.yml line 4, rules[0].score: 1.5 is not a number between 0 and 1; "
        "fix the value",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("severity: warn", "severty: warn"),
        CATALOGUE,
        "rules/en/work.yml line 4, rules[0]: unknown key 'severty' (did you mean 'severity'?); "
        "fix its spelling",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("severity: warn", "level: warn"),
        CATALOGUE,
        "rules/en/work.yml line 4, rules[0]: unknown key 'level' (allowed: check, examples, "
        "explanation, id, message, obfuscation, patterns, phrases, scope, score, severity, "
        "source, suggestions, triggers, unless); remove it or fix its spelling",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("    message: Venting\n", ""),
        CATALOGUE,
        "rules/en/work.yml line 2, rules[0]: 'message' is missing; add it",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("id: work.venting", "id: work.vent"),
        CATALOGUE,
        "rules/en/work.yml line 2, rules[0].id: unknown rule id 'work.vent': not in "
        "rules/catalogue.yml (families: account, audience, conflict, engagement, inbound, "
        "lifestyle, media, offense, platform, register, safety, tags, views, work); add it to "
        "the catalogue or fix the id",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("action: remove", "action: delete"),
        CATALOGUE,
        "rules/en/work.yml line 9, rules[0].suggestions[0].action: 'delete' is not one of "
        "replace, remove, rewrite, move, message, record, other; fix the value",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("phrases: [my idiot boss]", "phrases: [{phrase: my idiot boss, score: high}]"),
        CATALOGUE,
        "rules/en/work.yml line 5, rules[0].phrases[0].score: 'high' is not a number between "
        "0 and 1; fix the value",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("pass: [my boss is great]", "pass: []"),
        CATALOGUE,
        "rules/en/work.yml line 12, rules[0].examples.pass: needs at least 1 item; add one",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("flag: [my idiot boss again]", "flag: [{text: hi, platform: myspace}]"),
        CATALOGUE,
        "rules/en/work.yml line 11, rules[0].examples.flag[0].platform: 'myspace' is not one "
        "of linkedin, x, facebook, instagram, mastodon, bluesky, generic; fix the value",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("phrases: [my idiot boss]", "patterns: []"),
        CATALOGUE,
        "rules/en/work.yml line 2, rules[0]: an entry needs 'phrases' or 'patterns'; add one",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        broken("    explanation: Why it hurts", "    explanation: '  '"),
        CATALOGUE,
        "rules/en/work.yml line 7, rules[0].explanation: must not be empty; write the text",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        "rules:\n  - id: [work\n",
        CATALOGUE,
        "rules/en/work.yml line 3: not valid YAML (did not find expected ',' or ']'); fix the "
        "file and run again",
    ),
    (
        RuleFile,
        "rules/en/work.yml",
        "- id: work.venting\n",
        CATALOGUE,
        "rules/en/work.yml line 1: the file must be a YAML mapping (key: value lines), not a "
        "list; see the format in docs/",
    ),
    (
        CatalogueFile,
        "rules/catalogue.yml",
        "rules:\n  work.venting: {title: T, catches: c, source: s}\n",
        None,
        "rules/catalogue.yml line 2, rules.work.venting: 'fix' is missing; add it",
    ),
    (
        CatalogueFile,
        "rules/catalogue.yml",
        "rules:\n  Venting: {title: T, catches: c, source: s, fix: f}\n",
        None,
        "rules/catalogue.yml line 2, rules.Venting: 'Venting' is not a rule id like "
        "'work.venting'; fix the id",
    ),
    (
        VocabFile,
        "rules/en/vocab.yml",
        "classes:\n  boss: [boss, 5]\n",
        None,
        "rules/en/vocab.yml line 2, classes.boss[1]: must be text, not 5; fix the value",
    ),
    (
        PolicyFile,
        "team.yml",
        "rules:\n  offense: loud\n",
        RULESET,
        "team.yml line 2, rules.offense.severity: 'loud' is not one of block, warn, info, on, "
        "off; fix the value",
    ),
    (
        PolicyFile,
        "team.yml",
        "rules:\n  offense: [warn]\n",
        RULESET,
        "team.yml line 2, rules.offense: expected a severity (block, warn, info), on, off, or a "
        "mapping with severity, threshold and soft_below, not ['warn']; fix the value",
    ),
    (
        PolicyFile,
        "team.yml",
        "rules:\n  work.venting: warn\n  nonsense.rule: off\n",
        RULESET,
        "team.yml line 3, rules.nonsense.rule: unknown rule id or prefix 'nonsense.rule'; run "
        "'tactful rules' to list them (families: account, audience, conflict, engagement, "
        "inbound, lifestyle, media, offense, platform, register, safety, tags, views, work)",
    ),
    (
        PolicyFile,
        "team.yml",
        "suppress:\n  - rule: offense\n    by: sam\n",
        RULESET,
        "team.yml line 2, suppress[0]: 'reason' is missing; add it",
    ),
    (
        PolicyFile,
        "team.yml",
        "settings:\n  platform_limits: {mastodon: 1000, x: lots}\n",
        RULESET,
        "team.yml line 2, settings.platform_limits.x: 'lots' is not a positive whole number; "
        "fix the value",
    ),
    (
        PolicyFile,
        "team.yml",
        "settings:\n  platform_limit: {mastodon: 1000}\n",
        RULESET,
        "team.yml line 2, settings: unknown key 'platform_limit' (did you mean "
        "'platform_limits'?); fix its spelling",
    ),
    (
        PolicyFile,
        "team.yml",
        "floors:\n  safety: none\n",
        RULESET,
        "team.yml line 2, floors.safety: 'none' is not one of info, warn, block; fix the value",
    ),
    (
        CategoriesFile,
        "models/categories.yml",
        "work.venting:\n  severity: warn\n  message: m\n  explanation: e\n  suggestions:\n"
        "    - {action: remove, description: Vent offline, to a friend}\n",
        CATALOGUE,
        "models/categories.yml line 6, work.venting.suggestions[0]: unknown key 'to a friend' "
        "(allowed: action, description, replacement); remove it or fix its spelling",
    ),
    (
        CategoriesFile,
        "models/categories.yml",
        "work.vent:\n  severity: warn\n  message: m\n  explanation: e\n  suggestions:\n"
        "    - {action: remove, description: d}\n",
        CATALOGUE,
        "models/categories.yml line 1, work.vent: unknown rule id 'work.vent': not in "
        "rules/catalogue.yml (families: account, audience, conflict, engagement, inbound, "
        "lifestyle, media, offense, platform, register, safety, tags, views, work); add it to "
        "the catalogue or fix the id",
    ),
    (
        IdentityTermsFile,
        "models/identity_terms.yml",
        "terms: [gay, muslim]\nexplain_skip: [a, the, no, yes]\n",
        None,
        "models/identity_terms.yml line 2, explain_skip[2]: must be text, not False; fix the "
        "value (1 more in this file)",
    ),
    (
        ClientCuesFile,
        "detectors/clients.yml",
        "confidential: [told us]\n",
        None,
        "detectors/clients.yml line 1: 'story' is missing; add it",
    ),
    (
        PiiDataFile,
        "detectors/pii/pii_data.yml",
        (ROOT / "detectors" / "pii" / "pii_data.yml")
        .read_text(encoding="utf-8")
        .replace("  regions: [US, GB, DE, FR, IN]", "  region: [US, GB, DE, FR, IN]"),
        None,
        "detectors/pii/pii_data.yml line 8, phones: unknown key 'region' (did you mean "
        "'regions'?); fix its spelling (1 more in this file)",
    ),
    (
        LimitsFile,
        "networks/limits.yml",
        "platforms:\n  x: {name: X, limit: 280, count: weighted, unit: characters}\n",
        None,
        "networks/limits.yml line 2, platforms.x.count: 'weighted' is not one of weighted_x, "
        "mastodon_chars, graphemes, chars; fix the value",
    ),
    (
        LimitsFile,
        "networks/limits.yml",
        "platforms:\n  x:\n    name: X\n    limit: 0\n    count: chars\n    unit: characters\n",
        None,
        "networks/limits.yml line 4, platforms.x.limit: 0 is not a positive whole number; fix "
        "the value",
    ),
    (
        LimitsFile,
        "networks/limits.yml",
        "platforms:\n  myspace: {name: M, limit: 5, count: chars, unit: characters}\n",
        None,
        "networks/limits.yml line 2, platforms.myspace: 'myspace' is not one of linkedin, x, "
        "facebook, instagram, mastodon, bluesky, generic; fix the value",
    ),
    (
        MediaFile,
        "networks/media.yml",
        "networks:\n  x:\n    max_images: 4\n    types: [jpeg]\n    max_bytes: null\n",
        None,
        "networks/media.yml line 4, networks.x.types[0]: 'jpeg' is not a MIME type like "
        "image/jpeg; fix the value",
    ),
    (
        MediaFile,
        "networks/media.yml",
        "networks:\n  x: {max_images: -1, types: [image/png], max_bytes: null}\n",
        None,
        "networks/media.yml line 2, networks.x.max_images: -1 is not a whole number, 0 or more; "
        "fix the value",
    ),
    (
        ConnectionAdviceFile,
        "store/connection_advice.yml",
        "restricted: {x: no list}\nredirect: Hi {first_name}\n",
        None,
        "store/connection_advice.yml line 1: restricted has no 'generic' entry; add one for "
        "other networks",
    ),
    (
        ConsentDraftsFile,
        "store/consent_drafts.yml",
        "person: {generic: 'Hi {name}'}\norganisation: {generic: Hello}\n",
        None,
        "store/consent_drafts.yml line 1, person.generic: unknown placeholder {name}; use only "
        "{greeting}, {about}, {sign_off}, {sign_off_inline}",
    ),
    (
        DemoFile,
        "web/demo.yml",
        "accounts: [{name: jo, platform: x, kind: personal}]\n"
        "schedule:\n  - {text: hi, accounts: [jo], in_days: 1, at: '9:30', zone: Mars/Base}\n"
        "audit: {format: x, account: jo, posts: [hi]}\n",
        None,
        "web/demo.yml line 3, schedule[0].zone: 'Mars/Base' is not a time zone like "
        "Europe/London; fix it",
    ),
]


@pytest.mark.parametrize(
    ("model", "name", "content", "context", "message"),
    CASES,
    ids=[f"{c[1]}:{i}" for i, c in enumerate(CASES)],
)
def test_a_broken_file_names_file_line_and_field(
    model: type[BaseModel], name: str, content: str, context: dict[str, Any] | None, message: str
) -> None:
    with pytest.raises(RuleDataError) as err:
        Source(name, content).load(model, context=context)
    assert str(err.value) == message


def test_user_policy_errors_are_policy_errors_with_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "team.yml"
    bad.write_text("rules:\n  offense: {threshold: 3}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy_file(bad)
    assert str(err.value) == (
        f"{bad} line 2, rules.offense.threshold: 3 is not a number between 0 and 1; fix the value"
    )


def test_bad_user_policy_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "team.yml"
    bad.write_text("rules:\n  work.venting: warn\n  offense: blocker\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "hello", "--policy", str(bad)])
    assert result.exit_code == 2
    assert "team.yml line 3, rules.offense.severity: 'blocker' is not one of" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_stored_policy_has_no_lines_but_names_the_field() -> None:
    from tactful.core.policy import parse_layer

    with pytest.raises(PolicyError) as err:
        parse_layer({"rules": {"offense": {"treshold": 0.5}}}, "account:me-x", default_ruleset())
    assert str(err.value) == (
        "account:me-x, rules.offense: unknown key 'treshold' (did you mean 'threshold'?); "
        "fix its spelling"
    )


def test_rule_files_are_checked_across_files(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    (root / "en" / "zz_extra.yml").write_text(
        ENTRY.replace("check: boss", "check: insulting-someone-at-work"), encoding="utf-8"
    )
    with pytest.raises(RuleDataError) as err:
        load_ruleset(root)  # type: ignore[arg-type]
    assert str(err.value) == (
        "rules/en/zz_extra.yml line 3, rules[0].check: duplicate entry "
        "work.venting/insulting-someone-at-work (also in rules/en/work.yml); give the check "
        "another name"
    )
    (root / "en" / "zz_extra.yml").write_text("classes:\n  boss: [chief]\n", encoding="utf-8")
    (root / "en" / "vocab_zz.yml").write_text("classes:\n  boss: [chief]\n", encoding="utf-8")
    with pytest.raises(RuleDataError, match=r"vocab_zz.yml line 2, classes.boss: class 'boss'"):
        load_ruleset(root)  # type: ignore[arg-type]


def test_libyaml_parses_when_it_is_there() -> None:
    assert data._LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


SHIPPED = [
    ("rules/catalogue.yml", CatalogueFile, None),
    ("archives/limits.yml", ReadLimits, None),
    ("models/categories.yml", CategoriesFile, CATALOGUE),
    ("models/identity_terms.yml", IdentityTermsFile, None),
    ("detectors/clients.yml", ClientCuesFile, None),
    ("detectors/grounding.yml", GroundingFile, VOCAB),
    ("detectors/mentions.yml", MentionsFile, None),
    ("models/calibration.yml", CalibrationFile, None),
    ("detectors/pii/pii_data.yml", PiiDataFile, None),
    ("inbox/answers.yml", AnswersFile, None),
    ("inbox/limits.yml", InboxLimits, None),
    ("inbox/triage.yml", TriageFile, None),
    ("networks/limits.yml", LimitsFile, None),
    ("networks/media.yml", MediaFile, None),
    ("store/connection_advice.yml", ConnectionAdviceFile, None),
    ("store/consent_drafts.yml", ConsentDraftsFile, None),
    ("web/demo.yml", DemoFile, None),
]


def test_every_yaml_file_tactful_ships_has_a_model() -> None:
    modelled = {name for name, _, _ in SHIPPED}
    modelled |= {f"rules/en/{p.name}" for p in (ROOT / "rules" / "en").glob("*.yml")}
    modelled |= {
        f"policies/{p.relative_to(ROOT / 'policies')}" for p in ROOT.glob("policies/**/*.yml")
    }
    shipped = {str(p.relative_to(ROOT)) for p in ROOT.glob("**/*.yml")}
    assert shipped == modelled


@pytest.mark.parametrize(("name", "model", "context"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_shipped_files_validate(
    name: str, model: type[BaseModel], context: dict[str, Any] | None
) -> None:
    Source.read(ROOT / name, name).load(model, context=context)


@pytest.mark.parametrize("path", sorted(ROOT.glob("policies/**/*.yml")), ids=lambda p: p.name)
def test_shipped_policies_validate(path: Path) -> None:
    assert builtin_layer(str(path.relative_to(ROOT / "policies"))) is not None


def test_each_file_is_loaded_once() -> None:
    for loader in (default_ruleset, platform_specs, category_texts, pii_data, identity_terms):
        assert loader() is loader()  # type: ignore[operator]
    assert media_rules("x") is media_rules("x")
