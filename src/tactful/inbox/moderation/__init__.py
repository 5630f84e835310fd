"""One moderator per network: how an answer to an inbox item goes out through the account's
connector (a reply; hide, mute, block, report where the network's API allows it) and how it
is undone. Registered by platform name like the readers; a third-party network adds its own
through ``tactful.inbox_moderators`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points

from tactful.core.plugins import load
from tactful.errors import InputError
from tactful.inbox.moderation.base import ACTIONS, REPEATABLE, Moderator, Target

__all__ = ["ACTIONS", "REPEATABLE", "Moderator", "Target", "available", "moderator"]

GROUP = "tactful.inbox_moderators"
BUILT_IN = {
    "mastodon": "tactful.inbox.moderation.mastodon:MastodonModerator",
    "bluesky": "tactful.inbox.moderation.bluesky:BlueskyModerator",
    "x": "tactful.inbox.moderation.x:XModerator",
    "facebook": "tactful.inbox.moderation.graph:FacebookModerator",
    "instagram": "tactful.inbox.moderation.graph:InstagramModerator",
    "linkedin": "tactful.inbox.moderation.base:LinkOnly",
}


def available() -> dict[str, str]:
    """Platform -> ``module:Class`` of every moderator."""
    return {**BUILT_IN, **{ep.name: ep.value for ep in entry_points(group=GROUP)}}


def moderator(platform: str) -> Moderator:
    target = available().get(platform)
    if target is None:
        known = ", ".join(sorted(available()))
        raise InputError(f"tactful cannot answer on {platform!r} (it can on: {known})")
    made: Moderator = load(target)()
    return made
