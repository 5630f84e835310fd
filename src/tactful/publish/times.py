"""When a scheduled post goes out: the wall-clock time the user chose, in the IANA zone they
chose, turned into UTC with the zone's own rules (so 09:00 in London is 08:00 UTC in July and
09:00 UTC in January). Times that do not exist (the hour skipped when clocks go forward) and
times that happen twice (the hour repeated when they go back) are never guessed silently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tactful.errors import InputError


@dataclass(frozen=True, slots=True)
class WallTime:
    """A local date and time in a zone, and the instant it names."""

    local: datetime  # naive: when it goes out, on the zone's clock (what the user typed,
    # except in a DST gap, where it is the time the post will really go out)
    zone: str
    utc: datetime
    note: str | None = None  # said when the time had to be moved (a DST gap)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("America")
        raise InputError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/London or "
            "America/New_York"
        ) from None


def parse_local(text: str) -> datetime:
    """``2026-03-29 09:30`` or ``2026-03-29T09:30`` (seconds optional), without an offset."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise InputError(f"cannot read the time {text!r}; write it like 2026-03-29 09:30") from None
    if value.tzinfo is not None:
        raise InputError(
            f"{text!r} has a UTC offset; give the local time and the zone separately "
            "(--at '2026-03-29 09:30' --tz Europe/London)"
        )
    return value


def _kind(local: datetime, tz: ZoneInfo) -> str:
    """``normal``, ``gap`` (the time is skipped when clocks go forward) or ``fold`` (it
    happens twice when they go back)."""
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "normal"
    exists = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local
    return "fold" if exists else "gap"


def ambiguous(local: datetime, zone_name: str) -> bool:
    """Whether ``local`` happens twice in the zone (the hour repeated when clocks go back)."""
    return _kind(local, zone(zone_name)) == "fold"


def resolve(local: datetime, zone_name: str, *, second: bool = False) -> WallTime:
    """The UTC instant of ``local`` in ``zone_name``. A time in the gap when clocks go
    forward moves forward by the gap (02:30 becomes 03:30): the result's ``local`` is the
    time it really goes out, and ``note`` says what moved. A time that happens twice is the
    first one, or the second with ``second=True``."""
    tz = zone(zone_name)
    kind = _kind(local, tz)
    chosen = local.replace(tzinfo=tz, fold=1 if (kind == "fold" and second) else 0)
    utc = chosen.astimezone(UTC)
    note = None
    goes_out = local
    if kind == "gap":
        # fold=0 reads the time with the offset from before the change: the instant is the
        # same time of day shifted forward by the gap.
        moved = utc.astimezone(tz).replace(tzinfo=None)
        note = (
            f"{local:%Y-%m-%d %H:%M} does not exist in {zone_name} (the clocks go forward "
            f"then); it will go out at {moved:%H:%M} local time"
        )
        goes_out = moved
    return WallTime(goes_out, zone_name, utc, note)


def schedule_time(
    text: str, zone_name: str, *, occurrence: str | None = None, now: datetime | None = None
) -> WallTime:
    """A user's ``--at`` and ``--tz`` as a :class:`WallTime`. A time in the past is refused,
    and so is one that happens twice unless ``occurrence`` says ``first`` or ``second``."""
    local = parse_local(text)
    if not 1970 <= local.year <= 9998:
        raise InputError(f"{local:%Y-%m-%d} is out of range; choose a date from now on")
    if ambiguous(local, zone_name) and occurrence not in ("first", "second"):
        raise InputError(
            f"{local:%Y-%m-%d %H:%M} happens twice in {zone_name} (the clocks go back); "
            "say which with --first or --second"
        )
    wall = resolve(local, zone_name, second=occurrence == "second")
    now = now or datetime.now(UTC)
    if wall.utc < now - timedelta(minutes=1):
        raise InputError(
            f"{local:%Y-%m-%d %H:%M} in {zone_name} has passed; choose a later time, or "
            "publish now with 'tactful publish now'"
        )
    return wall
