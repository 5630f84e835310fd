"""How long a post is, counted the way each network counts it, and where it would be cut.

Limits and counting methods live in ``limits.yml`` (read once), not in code: each
platform names a counting method (``weighted_x``, ``mastodon_chars``, ``graphemes``,
``chars``) that this module implements as one small function. A policy may override any
platform's limit with the setting ``platform_limits: {mastodon: 1000}``, and how many
characters a link counts on Mastodon with ``url_weights: {mastodon: 23}`` (an instance's
``characters_reserved_per_url``, kept when the account was connected).

:func:`measure` is the public helper other surfaces (a composer's character counter) reuse:
``measure(text, "x")`` returns the count, the limit and the unit the network counts in.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from typing import Annotated, Any

import regex
from pydantic import AfterValidator

from tactful.core.data import DataModel, PositiveWholeNumber, Source, Text
from tactful.core.post import parse_enum
from tactful.errors import PolicyError
from tactful.networks import x_weight
from tactful.networks.platforms import Platform

_DATA_FILE = "limits.yml"

_GRAPHEME = regex.compile(r"\X")
_WHITESPACE = regex.compile(r"\s")
# A hashtag: # (or the full-width ＃) and word characters, not inside a word, URL or entity.
HASHTAG = regex.compile(r"(?<![\p{L}\p{M}\p{N}_&#/＃])[#＃][\p{L}\p{M}\p{N}_]+")
# Mastodon's Account::MENTION_RE: @user or @user@domain; the @domain part does not count.
_MASTODON_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(@\w+(?:[.-]+\w+)*)?", regex.IGNORECASE
)
_MASTODON_URL_CHARS = 23
# How the byte cap (``max_bytes``) is counted, as shown to the user.
BYTES_UNIT = "UTF-8 bytes"
# Thread sizes above this are estimated (count / limit) instead of split word by word.
_MAX_SIMULATED_THREAD = 25

# A counting method: (text, limit) -> (count, cut), where ``cut`` is the offset in ``text`` of
# the first character past the limit, or None when the text fits (or there is no limit).
Counter = Callable[[str, int | None], tuple[int, int | None]]


# --------------------------------------------------------------------------- counting methods


def _cut_by_units(units: list[tuple[int, int]], limit: int | None) -> tuple[int, int | None]:
    """Sum ``(start, weight)`` units; the cut is the start of the first unit past ``limit``."""
    total = 0
    cut: int | None = None
    for start, weight in units:
        total += weight
        if cut is None and limit is not None and total > limit:
            cut = start
    return total, cut


def count_chars(text: str, limit: int | None) -> tuple[int, int | None]:
    """Unicode code points (LinkedIn, Instagram, Facebook)."""
    count = len(text)
    return count, (limit if limit is not None and count > limit else None)


def count_graphemes(text: str, limit: int | None) -> tuple[int, int | None]:
    """Grapheme clusters (Bluesky): a ZWJ family emoji, a flag, ``e`` + accent each count 1."""
    return _cut_by_units([(m.start(), 1) for m in _GRAPHEME.finditer(text)], limit)


def count_mastodon(
    text: str, limit: int | None, url_chars: int = _MASTODON_URL_CHARS
) -> tuple[int, int | None]:
    """Mastodon's StatusLengthValidator: grapheme clusters, where every http(s) URL counts
    ``url_chars`` (the instance's ``characters_reserved_per_url``, 23 unless it says
    otherwise) and a remote mention ``@user@domain`` counts as ``@user``."""
    entities: list[tuple[int, int, int]] = [
        (start, end, url_chars) for start, end in x_weight.find_links(text, without_protocol=False)
    ]
    entities += [
        (m.start(), m.end(), 1 + len(m.group(1))) for m in _MASTODON_MENTION.finditer(text)
    ]
    entities.sort()
    units: list[tuple[int, int]] = []
    pos = 0
    for start, end, weight in entities:
        if start < pos:  # overlaps an entity already counted (a mention inside a URL)
            continue
        units += [(m.start(), 1) for m in _GRAPHEME.finditer(text, pos, start)]
        units.append((start, weight))
        pos = end
    units += [(m.start(), 1) for m in _GRAPHEME.finditer(text, pos)]
    return _cut_by_units(units, limit)


def count_weighted_x(text: str, limit: int | None) -> tuple[int, int | None]:
    """X's weighted length (twitter-text v3, :mod:`tactful.networks.x_weight`): links count
    23, an emoji 2 once, CJK 2, the rest 1."""
    return x_weight.count(text, limit)


COUNTERS: dict[str, Counter] = {
    "weighted_x": count_weighted_x,
    "mastodon_chars": count_mastodon,
    "graphemes": count_graphemes,
    "chars": count_chars,
}


# --------------------------------------------------------------------------- the data file


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One platform's entry in ``platform_limits.yml``."""

    platform: Platform
    name: str
    limit: int | None
    count: str
    unit: str
    threads: bool = False
    max_hashtags: int | None = None
    max_bytes: int | None = None

    @property
    def counter(self) -> Counter:
        return COUNTERS[self.count]


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _counting_method(value: str) -> str:
    if value not in COUNTERS:
        raise ValueError(f"{value!r} is not one of {', '.join(COUNTERS)}; fix the value")
    return value


class PlatformEntry(DataModel):
    """One platform in ``limits.yml`` (the keys are described at the top of that file)."""

    name: Text
    limit: PositiveWholeNumber | None
    count: Annotated[str, AfterValidator(_counting_method)]
    unit: Text
    threads: bool = False
    max_hashtags: PositiveWholeNumber | None = None
    max_bytes: PositiveWholeNumber | None = None


class LimitsFile(DataModel):
    """``networks/limits.yml``: how long a post may be on each network."""

    platforms: dict[Platform, PlatformEntry]


@cache
def platform_specs() -> dict[Platform, PlatformSpec]:
    """Every platform's limits, read once from ``limits.yml``."""
    source = Source.package("tactful.networks", _DATA_FILE)
    data = source.load(LimitsFile)
    missing = [p.value for p in Platform if p not in data.platforms]
    if missing:
        raise source.error_at(
            ("platforms",), f"no entry for {', '.join(missing)}", "add one for each platform"
        )
    return {
        platform: PlatformSpec(
            platform, e.name, e.limit, e.count, e.unit, e.threads, e.max_hashtags, e.max_bytes
        )
        for platform, e in data.platforms.items()
    }


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class LengthInfo:
    """How long a text is as a network counts it. ``limit`` is None where there is none;
    ``cut`` is the offset of the first character past the limit (None when it fits)."""

    count: int
    limit: int | None
    unit: str
    cut: int | None = None

    @property
    def over(self) -> int:
        """How many units past the limit (0 when it fits)."""
        return 0 if self.limit is None else max(0, self.count - self.limit)

    @property
    def remaining(self) -> int | None:
        """Units left before the limit (negative when over); None without a limit."""
        return None if self.limit is None else self.limit - self.count


def _as_platform(platform: str | Platform) -> Platform:
    return parse_enum(Platform, platform, "platform")


def resolve_limit(
    platform: str | Platform, settings: Mapping[str, Any] | None = None
) -> int | None:
    """The platform's limit: ``settings["platform_limits"][platform]`` when set, else the data
    file's (a Mastodon instance with 1,000 characters, an X account with long posts)."""
    plat = _as_platform(platform)
    default = platform_specs()[plat].limit
    overrides = (settings or {}).get("platform_limits")
    if overrides is None:
        return default
    if not isinstance(overrides, Mapping):
        raise PolicyError("settings.platform_limits must map platform names to limits")
    value = overrides.get(plat.value)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not _positive_int(value):
        raise PolicyError(
            f"settings.platform_limits.{plat.value} must be a positive whole number, got {value!r}"
        )
    return int(value)


def _counter(plat: Platform, settings: Mapping[str, Any] | None) -> Counter:
    """The platform's counting method, with the server's own link weight
    (``settings["url_weights"][platform]``) where it counts links as Mastodon does."""
    spec = platform_specs()[plat]
    weights = (settings or {}).get("url_weights")
    weight = weights.get(plat.value) if isinstance(weights, Mapping) else None
    if spec.count != "mastodon_chars" or weight is None:
        return spec.counter
    if not _positive_int(weight):
        raise PolicyError(
            f"settings.url_weights.{plat.value} must be a positive whole number, got {weight!r}"
        )
    return partial(count_mastodon, url_chars=int(weight))


def measure(
    text: str, platform: str | Platform, settings: Mapping[str, Any] | None = None
) -> LengthInfo:
    """Count ``text`` the way ``platform`` does, against its (possibly overridden) limit.
    Where the platform also caps the UTF-8 size (``max_bytes`` in limits.yml, never
    overridden: it is the network's encoding limit), a text over that cap, and further
    over it than over the limit, is measured in bytes: 150 family emoji on Bluesky are 150
    of 300 graphemes but 3,750 of 3,000 bytes."""
    plat = _as_platform(platform)
    spec = platform_specs()[plat]
    limit = resolve_limit(plat, settings)
    count, cut = _counter(plat, settings)(text, limit)
    if spec.max_bytes is not None:
        size = len(text.encode())
        if size > spec.max_bytes and (limit is None or size * limit > count * spec.max_bytes):
            return LengthInfo(size, spec.max_bytes, BYTES_UNIT, _byte_cut(text, spec.max_bytes))
    return LengthInfo(count=count, limit=limit, unit=spec.unit, cut=cut)


def _byte_cut(text: str, max_bytes: int) -> int | None:
    """The start of the first grapheme whose UTF-8 bytes pass ``max_bytes``."""
    size = 0
    for m in _GRAPHEME.finditer(text):
        size += len(m.group().encode())
        if size > max_bytes:
            return int(m.start())
    return None


def _first_cut(text: str, counter: Counter, limit: int) -> int | None:
    """The cut in ``text``, measuring only a window of it while that suffices. The window
    ends at whitespace (so no link or emoji is split) or, in a long run without any, at a
    grapheme boundary."""
    window = max(2 * limit, 64)
    while window < len(text):
        space = _WHITESPACE.search(text, window, window + 256)
        end = space.start() if space else _grapheme_boundary(text, window)
        cut = counter(text[:end], limit)[1]
        if cut is not None:
            return cut
        window *= 2
    return counter(text, limit)[1]


def _grapheme_boundary(text: str, pos: int) -> int:
    """The first grapheme boundary at or after ``pos``."""
    for m in _GRAPHEME.finditer(text, max(0, pos - 32)):
        if m.start() >= pos:
            return int(m.start())
    return len(text)


def thread_size(
    text: str, platform: str | Platform, settings: Mapping[str, Any] | None = None
) -> int:
    """How many posts ``text`` needs when split between words to fit the platform's limit."""
    plat = _as_platform(platform)
    limit = resolve_limit(plat, settings)
    if limit is None:
        return 1
    counter = _counter(plat, settings)
    return _thread_size(text, counter, limit, counter(text, limit)[0])


def thread_size_for(text: str, spec: PlatformSpec, info: LengthInfo) -> int:
    """:func:`thread_size` for a text already measured (``info.limit`` set)."""
    assert info.limit is not None
    return _thread_size(text, spec.counter, info.limit, info.count)


def _thread_size(text: str, counter: Counter, limit: int, count: int) -> int:
    estimate = max(1, math.ceil(count / limit))
    if estimate > _MAX_SIMULATED_THREAD:
        return estimate
    rest, posts = text.strip(), 0
    while rest:
        posts += 1
        cut = _first_cut(rest, counter, limit)
        if cut is None:
            break
        # Break at the last whitespace at or before the cut; a single over-long word is cut.
        breaks = [m.start() for m in _WHITESPACE.finditer(rest, 0, cut + 1)]
        stop = breaks[-1] if breaks and breaks[-1] > 0 else cut
        if stop <= 0:  # the first unit alone is over the limit: take it to make progress
            first = _GRAPHEME.match(rest)
            stop = first.end() if first else 1
        rest = rest[stop:].lstrip()
    return max(posts, estimate)
