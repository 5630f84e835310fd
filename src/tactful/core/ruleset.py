"""Rule data: the catalogue of rule ids and the lexicon entries in ``rules/en/*.yml``.

A rule *id* (``work.venting``) is a catalogue entry: what users see, configure and suppress.
A rule *entry* is one check inside a rule file: phrases or patterns that find it, with the
message, explanation, suggestions, source and examples a user and the test suite need.
The YAML format is documented in ``docs/rule-format.md``; :func:`load_ruleset` validates it
and fails with a :class:`RuleDataError` that names the file and entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from tactful.core.findings import Severity, Suggestion
from tactful.errors import RuleDataError, UnknownRuleError

SCOPES = ("authored", "inbound", "reply", "any")
SUGGESTION_ACTIONS = ("replace", "remove", "rewrite", "move", "message", "record", "other")
_ENTRY_KEYS = {
    "id",
    "check",
    "severity",
    "score",
    "scope",
    "phrases",
    "patterns",
    "triggers",
    "unless",
    "obfuscation",
    "message",
    "explanation",
    "suggestions",
    "source",
    "examples",
}


@dataclass(frozen=True, slots=True)
class CatalogueRule:
    rule_id: str
    title: str
    catches: str
    source: str
    fix: str


@dataclass(frozen=True, slots=True)
class PhraseItem:
    text: str
    score: float | None = None
    replacement: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RuleEntry:
    rule_id: str
    check: str
    severity: Severity
    score: float
    scope: str
    message: str
    explanation: str
    suggestions: tuple[Suggestion, ...]
    source: str
    phrases: tuple[PhraseItem, ...] = ()
    patterns: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    obfuscation: bool = False
    flag_examples: tuple[Example, ...] = ()
    pass_examples: tuple[Example, ...] = ()
    file: str = ""

    @property
    def key(self) -> str:
        return f"{self.rule_id}/{self.check}"


@dataclass(frozen=True, slots=True)
class Ruleset:
    catalogue: Mapping[str, CatalogueRule]
    entries: tuple[RuleEntry, ...]
    vocab: Mapping[str, tuple[str, ...]]

    def rule(self, rule_id: str) -> CatalogueRule:
        try:
            return self.catalogue[rule_id]
        except KeyError:
            raise UnknownRuleError(unknown_rule_message(rule_id, self.catalogue)) from None

    def ids_matching(self, prefix: str) -> list[str]:
        """Rule ids equal to ``prefix`` or under it (``safety`` -> ``safety.contact``, ...)."""
        return [r for r in self.catalogue if r == prefix or r.startswith(prefix + ".")]


def unknown_rule_message(prefix: str, catalogue: Mapping[str, object]) -> str:
    families = sorted({r.split(".")[0] for r in catalogue})
    return (
        f"unknown rule id or prefix {prefix!r}; run 'tactful rules' to list them "
        f"(families: {', '.join(families)})"
    )


def _fail(where: str, what: str) -> RuleDataError:
    return RuleDataError(f"{where}: {what}")


def _str(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"'{key}' must be a non-empty string")
    return value.strip()


def _str_list(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"'{key}' must be a list of strings")
    return tuple(value)


def _suggestions(raw: Any, where: str) -> tuple[Suggestion, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(where, "'suggestions' needs at least one concrete fix")
    out = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise _fail(where, "each suggestion is a mapping with 'action' and 'description'")
        action = item.get("action")
        if action not in SUGGESTION_ACTIONS:
            raise _fail(where, f"suggestion action {action!r} not one of {SUGGESTION_ACTIONS}")
        out.append(
            Suggestion(
                action=action,
                description=_str(item, "description", where),
                replacement=item.get("replacement"),
            )
        )
    return tuple(out)


def _phrases(raw: Any, where: str) -> tuple[PhraseItem, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _fail(where, "'phrases' must be a list")
    out = []
    for item in raw:
        if isinstance(item, str):
            out.append(PhraseItem(item))
        elif isinstance(item, Mapping) and isinstance(item.get("phrase"), str):
            score = item.get("score")
            if score is not None and not (isinstance(score, int | float) and 0 <= score <= 1):
                raise _fail(where, f"phrase {item['phrase']!r}: score must be in [0, 1]")
            out.append(PhraseItem(item["phrase"], score, item.get("replacement")))
        else:
            raise _fail(where, f"phrase {item!r} must be a string or {{phrase: ..., score: ...}}")
    return tuple(out)


def _examples(raw: Any, where: str) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
    if not isinstance(raw, Mapping):
        raise _fail(where, "'examples' with 'flag' and 'pass' lists is required")
    result = []
    for kind in ("flag", "pass"):
        items = raw.get(kind)
        if not isinstance(items, list) or not items:
            raise _fail(where, f"examples.{kind} needs at least one example")
        parsed = []
        for item in items:
            if isinstance(item, str):
                parsed.append(Example(item))
            elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
                ctx = {k: v for k, v in item.items() if k != "text"}
                parsed.append(Example(item["text"], ctx))
            else:
                raise _fail(where, f"example {item!r} must be a string or {{text: ..., ...}}")
        result.append(tuple(parsed))
    return result[0], result[1]


def parse_entry(
    raw: Any, *, file: str, index: int, catalogue: Mapping[str, CatalogueRule], file_source: str
) -> RuleEntry:
    where = f"{file} entry {index}"
    if not isinstance(raw, Mapping):
        raise _fail(where, "each entry is a mapping")
    unknown = set(raw) - _ENTRY_KEYS
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}; allowed: {sorted(_ENTRY_KEYS)}")
    rule_id = _str(raw, "id", where)
    if rule_id not in catalogue:
        raise _fail(where, unknown_rule_message(rule_id, catalogue))
    check = _str(raw, "check", where)
    where = f"{file} {rule_id}/{check}"
    try:
        severity = Severity(raw.get("severity", "warn"))
    except ValueError:
        raise _fail(where, "severity must be block, warn or info") from None
    score = raw.get("score", 0.7)
    if not isinstance(score, int | float) or not 0 <= score <= 1:
        raise _fail(where, "score must be a number in [0, 1]")
    scope = raw.get("scope", "authored")
    if scope not in SCOPES:
        raise _fail(where, f"scope must be one of {SCOPES}")
    phrases = _phrases(raw.get("phrases"), where)
    patterns = _str_list(raw, "patterns", where)
    if not phrases and not patterns:
        raise _fail(where, "an entry needs 'phrases' or 'patterns'")
    flag, pass_ = _examples(raw.get("examples"), where)
    return RuleEntry(
        rule_id=rule_id,
        check=check,
        severity=severity,
        score=float(score),
        scope=scope,
        message=_str(raw, "message", where),
        explanation=_str(raw, "explanation", where),
        suggestions=_suggestions(raw.get("suggestions"), where),
        source=_str(raw, "source", where, required=False) or file_source,
        phrases=phrases,
        patterns=patterns,
        triggers=_str_list(raw, "triggers", where),
        unless=_str_list(raw, "unless", where),
        obfuscation=bool(raw.get("obfuscation", False)),
        flag_examples=flag,
        pass_examples=pass_,
        file=file,
    )


def _load_yaml(path: Traversable) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleDataError(f"{path.name}: not valid YAML: {exc}") from None


def load_catalogue(root: Traversable) -> dict[str, CatalogueRule]:
    data = _load_yaml(root.joinpath("catalogue.yml"))
    out = {}
    for rule_id, info in (data or {}).get("rules", {}).items():
        out[rule_id] = CatalogueRule(
            rule_id=rule_id,
            title=info["title"],
            catches=info["catches"],
            source=info["source"],
            fix=info["fix"],
        )
    return out


def load_ruleset(root: Traversable | None = None, language: str = "en") -> Ruleset:
    """Load and validate the catalogue, the vocabulary and every rule file of ``language``."""
    root = root or resources.files("tactful").joinpath("rules")
    catalogue = load_catalogue(root)
    lang = root.joinpath(language)
    vocab: dict[str, tuple[str, ...]] = {}
    entries: list[RuleEntry] = []
    seen: set[str] = set()
    files = sorted((p for p in lang.iterdir() if p.name.endswith(".yml")), key=lambda p: p.name)
    for path in files:
        data = _load_yaml(path) or {}
        if path.name.startswith("vocab"):
            for name, words in (data.get("classes") or {}).items():
                if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                    raise RuleDataError(f"{path.name}: class {name!r} must be a list of strings")
                if name in vocab:
                    raise RuleDataError(f"{path.name}: class {name!r} is already defined")
                vocab[name] = tuple(words)
            continue
        file_source = str(data.get("source", ""))
        for index, raw in enumerate(data.get("rules") or []):
            entry = parse_entry(
                raw, file=path.name, index=index, catalogue=catalogue, file_source=file_source
            )
            if entry.key in seen:
                raise RuleDataError(f"{path.name}: duplicate entry {entry.key}")
            seen.add(entry.key)
            entries.append(entry)
    return Ruleset(catalogue=catalogue, entries=tuple(entries), vocab=vocab)


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset()


def entries_for(ruleset: Ruleset, rule_ids: Sequence[str]) -> list[RuleEntry]:
    wanted = set(rule_ids)
    return [e for e in ruleset.entries if e.rule_id in wanted]
