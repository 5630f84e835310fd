"""Plug-ins by entry point: detectors (``tactful.detectors``), archive importers
(``tactful.importers``) and publishing connectors (``tactful.connectors``).

Built-in plug-ins are registered exactly as a third party's are, in ``pyproject.toml``'s
entry points: that is the one list. tactful always runs installed (``pip install -e .`` in a
source tree), so the entry points are always there.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any

from tactful.errors import TactfulError


def registered(group: str) -> dict[str, str]:
    """Name -> ``module:attr`` for every plug-in of ``group``, in name order."""
    found = {ep.name: ep.value for ep in entry_points(group=group)}
    if not found:
        raise TactfulError(
            f"tactful is not installed: run pip install -e . in its source tree (no plug-ins "
            f"are registered in {group!r})"
        )
    return dict(sorted(found.items()))


def load(target: str) -> Any:
    """The object ``module:attr`` names."""
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)
