"""What a network accepts as images on a post (``media.yml``), merged with what the
account's own server says (a Mastodon instance's limits, read when it was connected)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator

from tactful.core.data import DataModel, Source, WholeNumber
from tactful.networks.platforms import Platform

_DATA_FILE = "media.yml"


@dataclass(frozen=True, slots=True)
class MediaRules:
    max_images: int
    types: frozenset[str]
    max_bytes: int | None = None
    min_images: int = 0

    def accepts(self, mime: str) -> bool:
        return mime in self.types


def _mime_type(value: str) -> str:
    if "/" not in value:
        raise ValueError(f"{value!r} is not a MIME type like image/jpeg; fix the value")
    return value


class NetworkMedia(DataModel):
    """One network in ``media.yml`` (the keys are described at the top of that file)."""

    min_images: WholeNumber = 0
    max_images: WholeNumber
    types: tuple[Annotated[str, AfterValidator(_mime_type)], ...]
    max_bytes: WholeNumber | None

    def rules(self) -> MediaRules:
        return MediaRules(self.max_images, frozenset(self.types), self.max_bytes, self.min_images)


class MediaFile(DataModel):
    """``networks/media.yml``: what each network accepts as images on one post."""

    networks: dict[Platform, NetworkMedia]


@cache
def _defaults() -> dict[str, MediaRules]:
    data = Source.package("tactful.networks", _DATA_FILE).load(MediaFile)
    return {platform.value: entry.rules() for platform, entry in data.networks.items()}


def media_rules(platform: str, own: Mapping[str, Any] | None = None) -> MediaRules:
    """The network's image rules, with what the account's own server said in ``own``
    (keys ``max_images``, ``types``, ``max_bytes``) taking precedence."""
    base = _defaults().get(platform) or MediaRules(0, frozenset())
    if not own:
        return base
    types = own.get("types")
    return MediaRules(
        max_images=int(own.get("max_images") or base.max_images),
        types=frozenset(t for t in types if isinstance(t, str)) if types else base.types,
        max_bytes=int(own["max_bytes"]) if own.get("max_bytes") else base.max_bytes,
        min_images=base.min_images,
    )


def text_settings(platform: str, own: Mapping[str, Any] | None) -> dict[str, Any]:
    """Policy settings that carry the server's own text limit (``max_characters``) and link
    weight (``characters_reserved_per_url``) into :func:`tactful.networks.length.measure`;
    empty when the server said nothing."""
    limit = (own or {}).get("max_characters")
    url_chars = (own or {}).get("characters_reserved_per_url")
    settings: dict[str, Any] = {}
    if limit:
        settings["platform_limits"] = {platform: int(limit)}
    if url_chars:
        settings["url_weights"] = {platform: int(url_chars)}
    return settings
