"""The networks tactful knows, by the names used in options, data files and the store."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    LINKEDIN = "linkedin"
    X = "x"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    GENERIC = "generic"


PLATFORM_NAMES = {
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "generic": "the web",
}
