"""One reader per network: how an account's inbox is read (paths, paging, the mark to go on
from). Registered here by platform name; a third-party network adds its reader the same way
(``tactful.inbox_readers`` entry points, read with the built-in ones)."""

from __future__ import annotations

from importlib.metadata import entry_points

from tactful.core.plugins import load
from tactful.errors import InputError
from tactful.inbox.items import Reader

GROUP = "tactful.inbox_readers"
BUILT_IN = {
    "mastodon": "tactful.inbox.readers.mastodon:MastodonReader",
    "bluesky": "tactful.inbox.readers.bluesky:BlueskyReader",
    "x": "tactful.inbox.readers.x:XReader",
    "facebook": "tactful.inbox.readers.graph:FacebookReader",
    "instagram": "tactful.inbox.readers.graph:InstagramReader",
    "linkedin": "tactful.inbox.readers.linkedin:LinkedInReader",
}


def available() -> dict[str, str]:
    """Platform -> ``module:Class`` of every inbox reader."""
    return {**BUILT_IN, **{ep.name: ep.value for ep in entry_points(group=GROUP)}}


def reader(platform: str) -> Reader:
    target = available().get(platform)
    if target is None:
        known = ", ".join(sorted(available()))
        raise InputError(f"tactful cannot read an inbox on {platform!r} (it can on: {known})")
    made: Reader = load(target)()
    return made
