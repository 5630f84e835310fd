"""One module per network, registered as ``tactful.connectors`` entry points."""

from __future__ import annotations

from tactful.core.plugins import load, registered
from tactful.errors import InputError
from tactful.publish.connectors.base import Connector

GROUP = "tactful.connectors"
BUILTIN = {
    "mastodon": "tactful.publish.connectors.mastodon:MastodonConnector",
    "bluesky": "tactful.publish.connectors.bluesky:BlueskyConnector",
    "x": "tactful.publish.connectors.x:XConnector",
    "linkedin": "tactful.publish.connectors.linkedin:LinkedInConnector",
    "facebook": "tactful.publish.connectors.facebook:FacebookConnector",
    "instagram": "tactful.publish.connectors.instagram:InstagramConnector",
}


def available() -> dict[str, str]:
    """Platform -> ``module:Class`` of every connector (entry points and built-in ones)."""
    return registered(GROUP, BUILTIN)


def connector(platform: str) -> Connector:
    target = available().get(platform)
    if target is None:
        known = ", ".join(sorted(available())) or "none"
        raise InputError(f"tactful cannot publish to {platform!r} yet (it can to: {known})")
    made: Connector = load(target)()
    return made
