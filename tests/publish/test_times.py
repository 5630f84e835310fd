"""Scheduling keeps the wall-clock time the user chose across every DST change from 2020 to
2030 in zones with different rules (northern and southern hemisphere, half-hour offset, no
DST at all)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tactful.errors import InputError
from tactful.publish.times import ambiguous, resolve, schedule_time

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
TIMES = (time(0, 30), time(1, 30), time(2, 30), time(9, 0), time(23, 59))


def transitions(zone: str) -> list[date]:
    """The days in 2020-2030 when the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    out = []
    day = date(2020, 1, 1)
    while day < date(2031, 1, 1):
        start = datetime.combine(day, time(0), tz).utcoffset()
        end = datetime.combine(day + timedelta(days=1), time(0), tz).utcoffset()
        if start != end:
            out.append(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize("zone", ZONES)
def test_every_day_2020_2030_keeps_the_wall_clock_time(zone: str) -> None:
    tz = ZoneInfo(zone)
    day = date(2020, 1, 1)
    checked = moved = 0
    while day < date(2031, 1, 1):
        for t in TIMES:
            local = datetime.combine(day, t)
            wall = resolve(local, zone)
            back = wall.utc.astimezone(tz).replace(tzinfo=None)
            if wall.note:  # a skipped time goes out the same length of time later
                gap = back - local
                assert timedelta(0) < gap <= timedelta(hours=1), (zone, local)
                moved += 1
            else:
                assert back == local, (zone, local, wall.utc)
            checked += 1
        day += timedelta(days=1)
    print(f"{zone}: {checked:,} times checked, {moved} in a DST gap")
    expected_changes = {"Asia/Kolkata": 0}.get(zone, 22)
    assert len(transitions(zone)) == expected_changes


@pytest.mark.parametrize("zone", [z for z in ZONES if z != "Asia/Kolkata"])
def test_the_repeated_hour_needs_first_or_second(zone: str) -> None:
    tz = ZoneInfo(zone)
    now = datetime(2019, 1, 1, tzinfo=UTC)
    for day in transitions(zone):
        for minute in range(0, 24 * 60, 15):
            local = datetime.combine(day, time()) + timedelta(minutes=minute)
            if not ambiguous(local, zone):
                continue
            text = f"{local:%Y-%m-%d %H:%M}"
            with pytest.raises(InputError, match="happens twice"):
                schedule_time(text, zone, now=now)
            first = schedule_time(text, zone, occurrence="first", now=now).utc
            second = schedule_time(text, zone, occurrence="second", now=now).utc
            assert second - first == timedelta(hours=1)
            for utc in (first, second):
                assert utc.astimezone(tz).replace(tzinfo=None) == local


def test_known_instants() -> None:
    now = datetime(2020, 1, 1, tzinfo=UTC)
    assert schedule_time("2026-07-01 09:00", "Europe/London", now=now).utc == datetime(
        2026, 7, 1, 8, tzinfo=UTC
    )
    assert schedule_time("2026-01-15 09:00", "Europe/London", now=now).utc == datetime(
        2026, 1, 15, 9, tzinfo=UTC
    )
    gap = schedule_time("2026-03-08 02:30", "America/New_York", now=now)
    assert gap.utc == datetime(2026, 3, 8, 7, 30, tzinfo=UTC) and "03:30" in (gap.note or "")
    # What is shown and stored is when it really goes out, not the hour that does not exist.
    assert gap.local == datetime(2026, 3, 8, 3, 30)
    assert schedule_time("2026-06-01 09:00", "Asia/Kolkata", now=now).utc == datetime(
        2026, 6, 1, 3, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("text", "zone", "needle"),
    [
        ("2020-01-01 09:00", "Europe/London", "has passed"),
        ("tomorrow", "Europe/London", "write it like"),
        ("2030-01-01 09:00", "Mars/Olympus", "unknown time zone"),
        ("2030-01-01T09:00+01:00", "Europe/London", "has a UTC offset"),
    ],
)
def test_bad_times_are_refused_with_what_to_do(text: str, zone: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        schedule_time(text, zone, now=datetime(2026, 11, 22, tzinfo=UTC))


@pytest.mark.parametrize("zone_name", ["America", "Europe/", "x" * 300, "../etc/passwd"])
def test_a_zone_that_is_a_folder_or_nonsense_is_one_clear_error(zone_name: str) -> None:
    with pytest.raises(InputError, match="unknown time zone"):
        schedule_time("2030-01-01 09:00", zone_name)


@pytest.mark.parametrize("text", ["9999-12-31 23:30", "0001-01-01 00:10"])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_crash(text: str) -> None:
    with pytest.raises(InputError, match="out of range"):
        schedule_time(text, "Pacific/Kiritimati")
