"""What a network accepts as images on a post (``media.yml``), merged with what the
account's own server says (a Mastodon instance's limits, read when it was connected)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from tactful.errors import RuleDataError

_DATA_FILE = "media.yml"
_KEYS = {"min_images", "max_images", "types", "max_bytes"}


@dataclass(frozen=True, slots=True)
class MediaRules:
    max_images: int
    types: frozenset[str]
    max_bytes: int | None = None
    min_images: int = 0

    def accepts(self, mime: str) -> bool:
        return mime in self.types


def _count(where: str, value: Any, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleDataError(f"{_DATA_FILE}: {where}: expected a whole number, got {value!r}")
    return value


def _parse(platform: str, raw: Any) -> MediaRules:
    where = f"networks.{platform}"
    if not isinstance(raw, Mapping):
        raise RuleDataError(f"{_DATA_FILE}: {where}: expected a mapping")
    unknown = set(raw) - _KEYS
    if unknown:
        raise RuleDataError(f"{_DATA_FILE}: {where}: unknown keys {sorted(unknown)}")
    types = raw.get("types")
    if not isinstance(types, list) or not all(isinstance(t, str) and "/" in t for t in types):
        raise RuleDataError(f"{_DATA_FILE}: {where}.types: expected a list of MIME types")
    return MediaRules(
        max_images=_count(f"{where}.max_images", raw.get("max_images")) or 0,
        types=frozenset(types),
        max_bytes=_count(f"{where}.max_bytes", raw.get("max_bytes"), allow_none=True),
        min_images=_count(f"{where}.min_images", raw.get("min_images", 0)) or 0,
    )


@cache
def _defaults() -> dict[str, MediaRules]:
    source = resources.files("tactful.networks").joinpath(_DATA_FILE).read_text("utf-8")
    data = yaml.safe_load(source)
    if not isinstance(data, Mapping) or not isinstance(data.get("networks"), Mapping):
        raise RuleDataError(f"{_DATA_FILE}: expected a top-level 'networks' mapping")
    return {str(k): _parse(str(k), v) for k, v in data["networks"].items()}


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
    """Policy settings that carry the server's own text limit (``max_characters``) into
    :func:`tactful.networks.length.measure`; empty when the server said nothing."""
    limit = (own or {}).get("max_characters")
    return {"platform_limits": {platform: int(limit)}} if limit else {}
