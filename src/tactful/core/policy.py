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
``work.confidential`` at ``warn`` or above everywhere). ``allow`` lists terms that are fine for
this author; ``suppress`` records a rule (optionally one matched text) silenced with a reason.
Both keep what they silence in the report's ``suppressed`` list. ``settings`` holds values for
detectors (``platform_limits``). The format is documented in ``docs/policy.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from tactful.core.findings import Finding, Severity, Suppressed
from tactful.core.post import AccountKind, Post
from tactful.core.ruleset import Ruleset, default_ruleset, unknown_rule_message
from tactful.errors import PolicyError

_LAYER_KEYS = {"name", "description", "rules", "floors", "allow", "suppress", "settings"}
_SETTING_KEYS = {"severity", "threshold", "soft_below"}
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


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value))
    except ValueError:
        raise PolicyError(f"{where}: severity {value!r} must be block, warn or info") from None


def _setting(value: Any, where: str) -> RuleSetting:
    if value in ("off", False):
        return RuleSetting(enabled=False)
    if value in ("on", True):
        return RuleSetting(enabled=True, reset_severity=True)
    if isinstance(value, str):
        return RuleSetting(enabled=True, severity=_severity(value, where))
    if isinstance(value, Mapping):
        unknown = set(value) - _SETTING_KEYS
        if unknown:
            raise PolicyError(
                f"{where}: unknown keys {sorted(unknown)}; use {sorted(_SETTING_KEYS)}"
            )
        nums = {}
        for key in ("threshold", "soft_below"):
            v = value.get(key)
            if v is not None and not (isinstance(v, int | float) and 0 <= v <= 1):
                raise PolicyError(f"{where}: {key} must be a number between 0 and 1")
            nums[key] = None if v is None else float(v)
        sev = value.get("severity")
        sev = {False: "off", True: "on"}.get(sev, sev) if isinstance(sev, bool) else sev
        return RuleSetting(
            enabled=sev != "off",
            severity=None if sev in (None, "on", "off") else _severity(sev, where),
            threshold=nums["threshold"],
            soft_below=nums["soft_below"],
            reset_severity=sev == "on",
        )
    raise PolicyError(f"{where}: expected a severity, on/off, or a mapping, got {value!r}")


def _check_prefix(prefix: str, ruleset: Ruleset, where: str) -> None:
    if not ruleset.ids_matching(prefix):
        raise PolicyError(f"{where}: {unknown_rule_message(prefix, ruleset.catalogue)}")


def parse_layer(data: Any, name: str, ruleset: Ruleset) -> PolicyLayer:
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise PolicyError(f"{name}: a policy file is a YAML mapping (see docs/policy.md)")
    unknown = set(data) - _LAYER_KEYS
    if unknown:
        raise PolicyError(f"{name}: unknown keys {sorted(unknown)}; allowed: {sorted(_LAYER_KEYS)}")
    for key in ("rules", "floors", "settings"):
        if not isinstance(data.get(key) or {}, Mapping):
            raise PolicyError(f"{name}: '{key}' must be a mapping of rule ids to values")
    for key in ("allow", "suppress"):
        if not isinstance(data.get(key) or [], list):
            raise PolicyError(f"{name}: '{key}' must be a list")
    rules: dict[str, RuleSetting] = {}
    for prefix, value in (data.get("rules") or {}).items():
        _check_prefix(str(prefix), ruleset, name)
        rules[str(prefix)] = _setting(value, f"{name}: rules.{prefix}")
    floors: dict[str, Severity] = {}
    for prefix, value in (data.get("floors") or {}).items():
        _check_prefix(str(prefix), ruleset, name)
        floors[str(prefix)] = _severity(value, f"{name}: floors.{prefix}")
    allow = data.get("allow") or []
    if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
        raise PolicyError(f"{name}: 'allow' must be a list of terms")
    suppress = []
    for i, item in enumerate(data.get("suppress") or []):
        where = f"{name}: suppress[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("rule"), str):
            raise PolicyError(f"{where}: needs 'rule' (an id or prefix) and 'reason'")
        if not isinstance(item.get("reason"), str) or not item["reason"].strip():
            raise PolicyError(f"{where}: a suppression must record a 'reason'")
        _check_prefix(item["rule"], ruleset, where)
        match = item.get("match")
        suppress.append(
            Suppression(
                rule=item["rule"],
                reason=item["reason"].strip(),
                match=None if match is None else str(match).lower(),
                by=item.get("by"),
                layer=name,
            )
        )
    settings = data.get("settings") or {}
    _check_settings(settings, name)
    return PolicyLayer(
        name=str(data.get("name") or name),
        rules=rules,
        floors=floors,
        allow=frozenset(a.lower() for a in allow),
        suppress=tuple(suppress),
        settings=dict(settings),
    )


def _check_settings(settings: Mapping[str, Any], name: str) -> None:
    limits = settings.get("platform_limits", {})
    if not isinstance(limits, Mapping):
        raise PolicyError(f"{name}: settings.platform_limits must map platforms to numbers")
    for platform, limit in limits.items():
        if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
            raise PolicyError(
                f"{name}: settings.platform_limits.{platform} must be a positive whole number, "
                f"got {limit!r}"
            )


def _read_yaml(text: str, name: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{name}:{line} is not valid YAML; fix the file and run again") from None


def load_policy_file(path: str | Path, ruleset: Ruleset | None = None) -> PolicyLayer:
    """Read a user or organisation policy file; errors name the file and say what to fix."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(f"policy file {str(p)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"policy file {str(p)!r} cannot be read: {exc}") from None
    return parse_layer(_read_yaml(text, p.name), p.name, ruleset or default_ruleset())


@cache
def builtin_layer(relative: str) -> PolicyLayer | None:
    """A built-in layer such as ``platform/linkedin.yml``; ``None`` if there is none."""
    path: Traversable = resources.files("tactful").joinpath("policies")
    for part in relative.split("/"):
        path = path.joinpath(part)
    if not path.is_file():
        return None
    return parse_layer(_read_yaml(path.read_text("utf-8"), relative), relative, default_ruleset())


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
            if severity is not f.severity:
                f = _with_severity(f, severity)
            silenced = self._suppression(f, text)
            if silenced is not None:
                suppressed.append(Suppressed(f, silenced[0], silenced[1]))
            else:
                kept.append(f)
        return kept, suppressed

    def _suppression(self, f: Finding, text: str) -> tuple[str, str | None] | None:
        excerpt = f.excerpt(text).lower()
        matched = (f.matched or excerpt).lower()
        if self.allow and (matched in self.allow or excerpt in self.allow):
            return (f"allow-listed term “{excerpt}” in the policy", None)
        for s in self.suppressions:
            if not (f.rule_id == s.rule or f.rule_id.startswith(s.rule + ".")):
                continue
            if s.match is None or s.match in (matched, excerpt):
                return (f"{s.reason} (suppressed in {s.layer})", s.by)
        return None


def _with_severity(f: Finding, severity: Severity) -> Finding:
    return replace(f, severity=severity)
