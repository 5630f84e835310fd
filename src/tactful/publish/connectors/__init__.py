"""One module per network, registered as ``tactful.connectors`` entry points."""

from __future__ import annotations

from tactful.core.plugins import load, registered
from tactful.errors import InputError
from tactful.publish.connectors.base import Connector

GROUP = "tactful.connectors"


def available() -> dict[str, str]:
    """Platform -> ``module:Class`` of every connector (entry points, built-in ones too)."""
    return registered(GROUP)


def connector(platform: str) -> Connector:
    target = available().get(platform)
    if target is None:
        known = ", ".join(sorted(available())) or "none"
        raise InputError(f"tactful cannot publish to {platform!r} yet (it can to: {known})")
    made: Connector = load(target)()
    return made
