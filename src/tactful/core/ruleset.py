"""Rule data: the catalogue of rule ids and the lexicon entries in ``rules/en/*.yml``.

A rule *id* (``work.venting``) is a catalogue entry: what users see, configure and suppress.
A rule *entry* is one check inside a rule file: phrases or patterns that find it, with the
message, explanation, suggestions, source and examples a user and the test suite need.
The YAML format is documented in ``docs/rule-format.md`` and typed by the models below
(:class:`RuleFile`, :class:`CatalogueFile`, :class:`VocabFile`); :func:`load_ruleset`
validates every file and fails with a :class:`RuleDataError` that names the file, the line and
the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from tactful.core.data import DataModel, Fraction, Source, Text
from tactful.core.findings import Severity, Suggestion
from tactful.core.post import AccountKind, Audience
from tactful.errors import UnknownRuleError
from tactful.networks.platforms import Platform

SCOPES = ("authored", "inbound", "reply", "any")
SUGGESTION_ACTIONS = ("replace", "remove", "rewrite", "move", "message", "record", "other")


@dataclass(frozen=True, slots=True)
class CatalogueRule:
    rule_id: str
    title: str
    catches: str
    source: str
    fix: str
    raised_by: str | None = None  # what raises a rule no detector declares


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


# --------------------------------------------------------------------------- the file formats


def _listed(value: Any) -> Any:
    """``patterns: "\\bx"`` is a list of one."""
    return [value] if isinstance(value, str) else value


Strings = Annotated[tuple[str, ...], BeforeValidator(_listed)]


def _rule_id(value: str, info: ValidationInfo) -> str:
    catalogue = (info.context or {}).get("catalogue")
    if catalogue is not None and value not in catalogue:
        families = sorted({r.split(".")[0] for r in catalogue})
        raise ValueError(
            f"unknown rule id {value!r}: not in rules/catalogue.yml (families: "
            f"{', '.join(families)}); add it to the catalogue or fix the id"
        )
    return value


def _rule_id_shape(value: str) -> str:
    if not _RULE_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a rule id like 'work.venting'; fix the id")
    return value


_RULE_ID = re.compile(r"[a-z][a-z_]*\.[a-z][a-z_]*")
CatalogueId = Annotated[str, AfterValidator(_rule_id_shape)]
KnownRuleId = Annotated[str, AfterValidator(_rule_id)]


class CatalogueRuleData(DataModel):
    title: Text
    catches: Text
    source: Text
    fix: Text
    # Only for a rule no detector declares (advice a command gives): what raises it.
    raised_by: Text | None = None


class CatalogueFile(DataModel):
    """``rules/catalogue.yml``: every rule id users see, configure and suppress."""

    rules: dict[CatalogueId, CatalogueRuleData]


class SuggestionData(DataModel):
    """A concrete fix, as rule files and ``models/categories.yml`` write it."""

    action: Literal["replace", "remove", "rewrite", "move", "message", "record", "other"]
    description: Text
    replacement: str | None = None

    def build(self) -> Suggestion:
        return Suggestion(self.action, self.description, self.replacement)


class _Shorthand(DataModel):
    """A model whose file form may also be one string (``- idiot`` for ``- {phrase: idiot}``)."""

    _field: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {cls._field: value} if isinstance(value, str) else value


class PhraseData(_Shorthand):
    _field = "phrase"
    phrase: Text
    score: Fraction | None = None
    replacement: str | None = None


class ExampleData(_Shorthand):
    """An example post; any key besides ``text`` is post context (as ``Post.build`` takes)."""

    _field = "text"
    text: Annotated[str, Field(min_length=1)]  # as written: whitespace may be the point
    platform: Platform | None = None
    account_kind: AccountKind | None = None
    audience: Audience | None = None
    clients_in_audience: bool | None = None
    reply_to: str | None = None
    inbound: bool | None = None
    mentions: tuple[str, ...] | None = None
    media: tuple[str, ...] | None = None
    account_name: str | None = None

    def build(self) -> Example:
        context = {k: getattr(self, k) for k in sorted(self.model_fields_set) if k != "text"}
        return Example(self.text, context)


class ExamplesData(DataModel):
    flag: Annotated[tuple[ExampleData, ...], Field(min_length=1)]
    pass_: Annotated[tuple[ExampleData, ...], Field(alias="pass", min_length=1)]


class RuleEntryData(DataModel):
    """One entry of a rule file (``docs/rule-format.md``)."""

    id: KnownRuleId
    check: Text
    severity: Severity = Severity.WARN
    score: Fraction = 0.7
    scope: Literal["authored", "inbound", "reply", "any"] = "authored"
    phrases: tuple[PhraseData, ...] = ()
    patterns: Strings = ()
    triggers: Strings = ()
    unless: Strings = ()
    obfuscation: bool = False
    message: Text
    explanation: Text
    suggestions: Annotated[tuple[SuggestionData, ...], Field(min_length=1)]
    source: str | None = None
    examples: ExamplesData

    @model_validator(mode="after")
    def _matches_something(self) -> RuleEntryData:
        if not self.phrases and not self.patterns:
            raise ValueError("an entry needs 'phrases' or 'patterns'; add one")
        return self

    def build(self, *, file: str, file_source: str) -> RuleEntry:
        return RuleEntry(
            rule_id=self.id,
            check=self.check,
            severity=self.severity,
            score=self.score,
            scope=self.scope,
            message=self.message,
            explanation=self.explanation,
            suggestions=tuple(s.build() for s in self.suggestions),
            source=(self.source or "").strip() or file_source,
            phrases=tuple(PhraseItem(p.phrase, p.score, p.replacement) for p in self.phrases),
            patterns=self.patterns,
            triggers=self.triggers,
            unless=self.unless,
            obfuscation=self.obfuscation,
            flag_examples=tuple(e.build() for e in self.examples.flag),
            pass_examples=tuple(e.build() for e in self.examples.pass_),
            file=file,
        )


class RuleFile(DataModel):
    """``rules/<language>/<family>.yml``: entries, and a source credited on those without one."""

    source: str = ""
    rules: tuple[RuleEntryData, ...] = ()


class VocabFile(DataModel):
    """``rules/<language>/vocab*.yml``: word classes phrases use as ``{name}``."""

    classes: dict[str, tuple[Text, ...]] = Field(default_factory=dict)


# --------------------------------------------------------------------------- loading


def load_catalogue(root: Traversable) -> dict[str, CatalogueRule]:
    data = Source.read(root.joinpath("catalogue.yml"), "rules/catalogue.yml").load(CatalogueFile)
    return {
        rule_id: CatalogueRule(
            rule_id, info.title, info.catches, info.source, info.fix, info.raised_by
        )
        for rule_id, info in data.rules.items()
    }


def load_ruleset(root: Traversable | None = None, language: str = "en") -> Ruleset:
    """Load and validate the catalogue, the vocabulary and every rule file of ``language``."""
    root = root or resources.files("tactful").joinpath("rules")
    catalogue = load_catalogue(root)
    context = {"catalogue": catalogue}
    lang = root.joinpath(language)
    vocab: dict[str, tuple[str, ...]] = {}
    defined_in: dict[str, str] = {}
    entries: list[RuleEntry] = []
    seen: dict[str, str] = {}
    files = sorted((p for p in lang.iterdir() if p.name.endswith(".yml")), key=lambda p: p.name)
    for path in files:
        source = Source.read(path, f"rules/{language}/{path.name}")
        if path.name.startswith("vocab"):
            for name, words in source.load(VocabFile).classes.items():
                if name in vocab:
                    raise source.error_at(
                        ("classes", name),
                        f"class {name!r} is already defined in {defined_in[name]}",
                        "define each class once",
                    )
                vocab[name], defined_in[name] = words, source.name
            continue
        data = source.load(RuleFile, context=context)
        for index, raw in enumerate(data.rules):
            entry = raw.build(file=path.name, file_source=data.source.strip())
            if entry.key in seen:
                raise source.error_at(
                    ("rules", index, "check"),
                    f"duplicate entry {entry.key} (also in {seen[entry.key]})",
                    "give the check another name",
                )
            seen[entry.key] = source.name
            entries.append(entry)
    return Ruleset(catalogue=catalogue, entries=tuple(entries), vocab=vocab)


@cache
def default_ruleset() -> Ruleset:
    return load_ruleset()


def entries_for(ruleset: Ruleset, rule_ids: Sequence[str]) -> list[RuleEntry]:
    wanted = set(rule_ids)
    return [e for e in ruleset.entries if e.rule_id in wanted]
