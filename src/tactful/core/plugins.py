"""Plug-ins by entry point: detectors (``tactful.detectors``) and archive importers
(``tactful.importers``) are found the same way, built-in ones included."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any


def registered(group: str, builtin: Mapping[str, str]) -> dict[str, str]:
    """Name -> ``module:attr`` for every plug-in of ``group``; entry points win over the
    built-in table (which serves a source tree that is not installed)."""
    found = dict(builtin)
    for ep in entry_points(group=group):
        found[ep.name] = ep.value
    return found


def load(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)
