"""One module per network, registered as ``tactful.connectors`` entry points."""

from __future__ import annotations

from tactful.errors import InputError
from tactful.plugins import load, registered
from tactful.publish.connectors.base import Connector

GROUP = "tactful.connectors"
BUILTIN = {"mastodon": "tactful.publish.connectors.mastodon:MastodonConnector"}


def connector(platform: str) -> Connector:
    target = registered(GROUP, BUILTIN).get(platform)
    if target is None:
        known = ", ".join(sorted(registered(GROUP, BUILTIN))) or "none"
        raise InputError(f"tactful cannot publish to {platform!r} yet (it can to: {known})")
    made: Connector = load(target)()
    return made
