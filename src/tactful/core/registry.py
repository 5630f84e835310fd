"""Detectors registered by name, the same way a third-party plug-in registers one.

Every detector, built-in ones included, is an entry point in the ``tactful.detectors`` group
(``pyproject.toml``); a plug-in package adds its own to the same group. Each entry point names
a class whose constructor takes no required arguments and whose instances satisfy
:class:`tactful.detectors.base.Detector`. The class declares what the engine needs to know:

- ``rule_ids``: the catalogue ids, or family prefixes (``"offense"``), its findings may carry.
  A declared id that is not in ``rules/catalogue.yml`` stops the load with a
  :class:`RuleDataError`; ``docs/rules.md`` says which detector raises each rule from these.
- ``after`` (optional): the detectors whose ``ctx.scores`` it reads. The registry runs it after
  them (a stable topological sort); detectors that read nothing from others run in name order.

Example::

    detectors = registry.create()                        # every registered detector, in order
    detectors = registry.create(["account", "classifier"])   # classifier runs first
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from tactful.core.plugins import load, registered
from tactful.detectors.base import Detector, declares
from tactful.errors import InputError, RuleDataError

GROUP = "tactful.detectors"

__all__ = [
    "GROUP",
    "available",
    "create",
    "default_detectors",
    "detector_class",
    "order",
    "rule_sources",
]


@cache
def available() -> dict[str, str]:
    """Detector name -> ``module:attr`` for every registered detector."""
    return registered(GROUP)


@cache
def detector_class(name: str) -> type[Detector]:
    """The class registered as ``name``, its declarations checked."""
    registry = available()
    if name not in registry:
        raise InputError(f"unknown detector {name!r}; registered: {', '.join(sorted(registry))}")
    cls: type[Detector] = load(registry[name])
    _check_declarations(name, cls)
    return cls


def _after(cls: type[Detector]) -> tuple[str, ...]:
    after: tuple[str, ...] = getattr(cls, "after", ())
    return after


def _check_declarations(name: str, cls: type[Detector]) -> None:
    from tactful.core.ruleset import default_ruleset

    where = f"detector {name!r} ({available()[name]})"
    if getattr(cls, "name", None) != name:
        raise RuleDataError(
            f"{where} is called {getattr(cls, 'name', None)!r}; give it name = {name!r}, the "
            "name it is registered under"
        )
    rule_ids = getattr(cls, "rule_ids", None)
    if not rule_ids or not isinstance(rule_ids, tuple):
        raise RuleDataError(
            f"{where} declares no rule ids; add rule_ids = (...) with the catalogue ids "
            "(or family prefixes) its findings carry"
        )
    catalogue = default_ruleset().catalogue
    for rule_id in rule_ids:
        if not any(declares((rule_id,), known) for known in catalogue):
            raise RuleDataError(
                f"{where} declares {rule_id!r}, which is no rule id or family in "
                "rules/catalogue.yml; add the rule to the catalogue or fix its rule_ids"
            )
    for other in _after(cls):
        if other not in available():
            raise RuleDataError(
                f"{where} runs after {other!r}, which is not a registered detector "
                f"({', '.join(sorted(available()))}); fix the name in its 'after'"
            )


def order(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` in the order they must run: each after the detectors it reads (its ``after``,
    where those are among ``names``), otherwise in the order given."""
    pending = list(dict.fromkeys(names))
    needs = {n: [a for a in _after(detector_class(n)) if a in pending] for n in pending}
    done: list[str] = []
    while pending:
        ready = next((n for n in pending if all(a in done for a in needs[n])), None)
        if ready is None:
            cycle = ", ".join(f"{n} after {'/'.join(needs[n])}" for n in pending)
            raise RuleDataError(f"detectors wait for each other ({cycle}); break the cycle")
        done.append(ready)
        pending.remove(ready)
    return tuple(done)


@cache
def default_detectors() -> tuple[str, ...]:
    """Every registered detector, in the order they run."""
    return order(sorted(available()))


def create(names: Iterable[str] | None = None) -> list[Detector]:
    """Detector instances for ``names`` (default: all registered), in the order they run."""
    chosen = default_detectors() if names is None else order(names)
    return [detector_class(name)() for name in chosen]


def rule_sources(catalogue: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Rule id -> the registered detectors that declare it (for docs and tests)."""
    names = default_detectors()
    return {
        rule_id: tuple(n for n in names if declares(detector_class(n).rule_ids, rule_id))
        for rule_id in catalogue
    }


def __getattr__(attr: str) -> tuple[str, ...]:
    # ``registry.DEFAULT_DETECTORS`` (kept for callers of the old constant) is worked out
    # from the declarations on first use, so importing this module imports no detector.
    if attr == "DEFAULT_DETECTORS":
        return default_detectors()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
