"""Layered policy: which rules apply, how severe, and what is allowed, for one context.

Layers, each a YAML file, applied in order (a later layer wins; inside one layer the most
specific rule prefix wins):

    policies/default.yml
    policies/platform/<platform>.yml
    policies/account/<kind>.yml
    policies/audience/<audience>.yml
    policies/account/on_the_clock.yml      (personal account with clients in the audience)
    user/org files given with --policy     (in the order given)

A layer's ``rules`` maps a rule id or prefix (``offense``, ``safety.contact``) to a severity
(``block | warn | info``), ``off``, ``on`` (the rule data's own severity), or a mapping with
``severity``, ``threshold`` (drop findings scoring below it) and ``soft_below`` (report
findings scoring below it one level softer). ``floors`` set a minimum severity that no later
layer can lower (the built-in floors keep ``offense.identity``, ``safety`` and
``work.confidential`` at ``warn`` or above everywhere). A finding's own ``ceiling`` (a model
score whose precision on real posts does not support more) caps the result of every layer.
``allow`` lists terms that are fine for this author; ``suppress`` records a rule (optionally
one matched text) silenced with a reason. A finding a reading of the words ruled out
(``Finding.ruled_out``: counter-speech, negation) is suppressed with that reason. All keep
what they silence in the report's
``suppressed`` list. ``settings`` holds values for detectors (``platform_limits``). The
format is documented in ``docs/policy.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, model_validator

from tactful.core.data import DataModel, Fraction, PositiveWholeNumber, Source, Text
from tactful.core.feedback import finding_words, words_key
from tactful.core.findings import Finding, Severity, Suppressed
from tactful.core.post import AccountKind, Post
from tactful.core.ruleset import Ruleset, default_ruleset, unknown_rule_message
from tactful.errors import PolicyError
from tactful.networks.platforms import Platform

DEFAULT_SOFT_BELOW = 0.5


@dataclass(frozen=True, slots=True)
class RuleSetting:
    enabled: bool | None = None
    severity: Severity | None = None
    threshold: float | None = None
    soft_below: float | None = None
    reset_severity: bool = False  # "on": back to the rule data's own severity


@dataclass(frozen=True, slots=True)
class Suppression:
    rule: str
    reason: str
    match: str | None = None
    by: str | None = None
    layer: str = ""
    feedback: int | None = None  # the user's feedback it comes from (tactful feedback)


@dataclass(frozen=True, slots=True)
class PolicyLayer:
    name: str
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    floors: Mapping[str, Severity] = field(default_factory=dict)
    allow: frozenset[str] = frozenset()
    suppress: tuple[Suppression, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def most_specific(self, rule_id: str) -> RuleSetting | None:
        best: tuple[int, RuleSetting] | None = None
        for prefix, setting in self.rules.items():
            if (rule_id == prefix or rule_id.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), setting)
        return best[1] if best else None


# --------------------------------------------------------------------------- the file format


def _setting_shorthand(value: Any) -> Any:
    """``offense: warn``, ``offense: off`` (YAML reads a bare off/on as false/true) and
    ``offense: {severity: off}`` all mean a mapping with ``severity``."""
    if isinstance(value, bool | str):
        value = {"severity": value}
    if isinstance(value, Mapping) and isinstance(value.get("severity"), bool):
        value = {**value, "severity": "on" if value["severity"] else "off"}
    if not isinstance(value, Mapping):
        raise ValueError(
            f"expected a severity (block, warn, info), on, off, or a mapping with "
            f"severity, threshold and soft_below, not {value!r}; fix the value"
        )
    return value


def _known_prefix(value: str, info: ValidationInfo) -> str:
    ruleset: Ruleset | None = (info.context or {}).get("ruleset")
    if ruleset is not None and not ruleset.ids_matching(value):
        raise ValueError(unknown_rule_message(value, ruleset.catalogue))
    return value


def _matched_text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


RulePrefix = Annotated[str, AfterValidator(_known_prefix)]


class RuleSettingData(DataModel):
    severity: Literal["block", "warn", "info", "on", "off"] | None = None
    threshold: Fraction | None = None
    soft_below: Fraction | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return _setting_shorthand(value)

    def build(self) -> RuleSetting:
        sev = self.severity
        return RuleSetting(
            enabled=sev != "off",
            severity=None if sev in (None, "on", "off") else Severity(sev),
            threshold=self.threshold,
            soft_below=self.soft_below,
            reset_severity=sev == "on",
        )


class SuppressionData(DataModel):
    rule: RulePrefix
    reason: Text
    match: Annotated[str | None, BeforeValidator(_matched_text)] = None
    by: str | None = None


class SettingsData(DataModel):
    """Values for detectors; ``platform_limits`` overrides a network's text limit,
    ``url_weights`` how many characters a link counts (a Mastodon instance's own)."""

    platform_limits: dict[Platform, PositiveWholeNumber] = Field(default_factory=dict)
    url_weights: dict[Platform, PositiveWholeNumber] = Field(default_factory=dict)


class PolicyFile(DataModel):
    """A policy layer (``docs/policy.md``): built-in ``policies/**.yml``, a ``--policy`` file,
    an organisation's or an account's policy from the store."""

    name: str | None = None
    description: str | None = None
    rules: dict[RulePrefix, RuleSettingData] = Field(default_factory=dict)
    floors: dict[RulePrefix, Severity] = Field(default_factory=dict)
    allow: tuple[Text, ...] = ()
    suppress: tuple[SuppressionData, ...] = ()
    settings: SettingsData = SettingsData()


def parse_layer(
    data: Any, name: str, ruleset: Ruleset, *, source: Source | None = None
) -> PolicyLayer:
    """Validate one policy layer (parsed YAML or a stored mapping); ``name`` labels it in
    reports and error messages, ``source`` (the file it came from) adds line numbers."""
    source = source or Source(name, error=PolicyError)
    layer = source.validate(PolicyFile, data, context={"ruleset": ruleset})
    return PolicyLayer(
        name=layer.name or name,
        rules={prefix: s.build() for prefix, s in layer.rules.items()},
        floors=dict(layer.floors),
        allow=frozenset(a.lower() for a in layer.allow),
        suppress=tuple(
            Suppression(
                rule=s.rule,
                reason=s.reason,
                match=None if s.match is None else s.match.lower(),
                by=s.by,
                layer=name,
            )
            for s in layer.suppress
        ),
        settings=layer.settings.model_dump(mode="json", exclude_unset=True),
    )


def load_policy_file(path: str | Path, ruleset: Ruleset | None = None) -> PolicyLayer:
    """Read a user or organisation policy file; errors name the file, the line and the field
    and say what to fix (the CLI turns them into exit code 2)."""
    source = Source.file(path, error=PolicyError)
    return parse_layer(source.parse(), Path(path).name, ruleset or default_ruleset(), source=source)


def read_policy_file(path: str | Path, ruleset: Ruleset | None = None) -> dict[str, Any]:
    """A policy file's contents as a mapping, checked like :func:`load_policy_file` (for a
    policy that is kept in the store: the organisation's, an account's overrides)."""
    source = Source.file(path, error=PolicyError)
    data = source.parse()
    parse_layer(data, Path(path).name, ruleset or default_ruleset(), source=source)
    return dict(data)


@cache
def builtin_layer(relative: str) -> PolicyLayer | None:
    """A built-in layer such as ``platform/linkedin.yml``; ``None`` if there is none."""
    path: Traversable = resources.files("tactful").joinpath("policies")
    for part in relative.split("/"):
        path = path.joinpath(part)
    if not path.is_file():
        return None
    source = Source.read(path, f"policies/{relative}", error=PolicyError)
    return parse_layer(source.parse(), relative, default_ruleset(), source=source)


def builtin_layers(post: Post) -> list[PolicyLayer]:
    account = post.account
    names = [
        "default.yml",
        f"platform/{post.platform.value}.yml",
        f"account/{account.kind.value}.yml",
        f"audience/{account.audience.value}.yml",
    ]
    if account.kind is AccountKind.PERSONAL and account.clients_in_audience:
        names.append("account/on_the_clock.yml")
    return [layer for n in names if (layer := builtin_layer(n)) is not None]


@dataclass(frozen=True, slots=True)
class ResolvedRule:
    enabled: bool
    severity: Severity | None
    threshold: float
    soft_below: float
    floor: Severity | None


class ResolvedPolicy:
    """The layers for one context, flattened per rule id for fast application."""

    def __init__(self, layers: Iterable[PolicyLayer], ruleset: Ruleset):
        self.layers = tuple(layers)
        self.rules: dict[str, ResolvedRule] = {}
        for rule_id in ruleset.catalogue:
            enabled, severity, threshold, soft = True, None, 0.0, DEFAULT_SOFT_BELOW
            floor: Severity | None = None
            for layer in self.layers:
                s = layer.most_specific(rule_id)
                if s is not None:
                    enabled = enabled if s.enabled is None else s.enabled
                    severity = None if s.reset_severity else severity
                    severity = severity if s.severity is None else s.severity
                    threshold = threshold if s.threshold is None else s.threshold
                    soft = soft if s.soft_below is None else s.soft_below
                for prefix, f in layer.floors.items():
                    if rule_id == prefix or rule_id.startswith(prefix + "."):
                        floor = f if floor is None else Severity.max(floor, f)
            self.rules[rule_id] = ResolvedRule(enabled, severity, threshold, soft, floor)
        self.allow = frozenset().union(*(layer.allow for layer in self.layers))
        self.suppressions = tuple(s for layer in self.layers for s in layer.suppress)
        merged: dict[str, Any] = {}
        for layer in self.layers:
            for key, value in layer.settings.items():
                if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
        self.settings = merged

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)

    def apply(
        self, findings: Iterable[Finding], text: str
    ) -> tuple[list[Finding], list[Suppressed]]:
        """Apply severities, thresholds, floors, allow-lists and suppressions."""
        kept: list[Finding] = []
        suppressed: list[Suppressed] = []
        for f in findings:
            if f.ruled_out is not None:
                suppressed.append(Suppressed(f, f.ruled_out))
                continue
            rule = self.rules.get(f.rule_id)
            if rule is None:
                kept.append(f)
                continue
            if not rule.enabled and rule.floor is None:
                continue
            if f.score < rule.threshold:
                if rule.floor is not None:
                    # A floored rule is never dropped quietly: keep it visible.
                    why = (
                        f"{f.check or f.rule_id} scored {f.score:.2f}, below this context's "
                        f"threshold of {rule.threshold:g} for {f.rule_id}"
                    )
                    suppressed.append(Suppressed(_with_severity(f, rule.floor), why))
                continue
            severity = rule.severity if rule.enabled and rule.severity else f.severity
            if f.score < rule.soft_below:
                severity = severity.lowered()
            if rule.floor is not None:
                severity = Severity.max(severity, rule.floor)
            if f.ceiling is not None and severity.rank > f.ceiling.rank:
                severity = f.ceiling  # the evidence's own limit outranks every layer
            if severity is not f.severity:
                f = _with_severity(f, severity)
            silenced = self._suppression(f, text)
            if silenced is not None:
                suppressed.append(silenced)
            else:
                kept.append(f)
        return kept, suppressed

    def _suppression(self, f: Finding, text: str) -> Suppressed | None:
        excerpt = f.excerpt(text).lower()
        matched = (f.matched or excerpt).lower()
        if self.allow and (matched in self.allow or excerpt in self.allow):
            return Suppressed(f, f"allow-listed term “{excerpt}” in the policy")
        key: str | None = None  # the finding's words normalised, worked out when needed
        for s in self.suppressions:
            if not (f.rule_id == s.rule or f.rule_id.startswith(s.rule + ".")):
                continue
            if s.match is not None and s.match not in (matched, excerpt):
                if key is None:
                    key = words_key(finding_words(f, text))
                if s.match != key and not _inside(s.match, key, f):
                    continue
            return Suppressed(f, f"{s.reason} (suppressed in {s.layer})", s.by, s.feedback)
        return None


def _inside(match: str, key: str, f: Finding) -> bool:
    """A model finding is judged on its sentence and only then pointed at the words that
    carry its score, so feedback recorded on those words ("client … brief") hides it when
    every part of them is in the sentence."""
    from tactful.core.feedback import MODEL_DETECTORS

    if f.detector not in MODEL_DETECTORS:
        return False
    parts = [p.strip() for p in match.replace("…", "...").split("...")]
    return all(p and f" {p} " in f" {key} " for p in parts)


def _with_severity(f: Finding, severity: Severity) -> Finding:
    return replace(f, severity=severity)
