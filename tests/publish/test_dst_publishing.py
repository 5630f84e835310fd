"""Across every DST change from 2020 to 2030, in four zones, a post scheduled for a
wall-clock time is published by the worker at that wall-clock time: not a second before,
and not an hour off."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fake_mastodon import FakeMastodon, client
from test_times import transitions

from tactful.core.checker import Checker
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.outbox import schedule
from tactful.publish.times import schedule_time
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.snapshot import load_snapshot

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata")


def test_posts_go_out_at_the_chosen_wall_clock_time(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    with connected.session() as s:
        checker = Checker(store=load_snapshot(s))
    clock.now = datetime(2019, 12, 1, tzinfo=UTC)
    planned: list[tuple[str, str, datetime]] = []  # (text, zone, wall time)
    for zone in ZONES:
        days = transitions(zone) or [datetime(2020 + i, 3, 29).date() for i in range(11)]
        for day in days:
            for t in (time(9, 0), time(0, 30) if zone == "Asia/Kolkata" else time(4, 0)):
                local = datetime.combine(day, t)
                text = f"Scheduled for {local:%Y-%m-%d %H:%M} in {zone}"
                when = schedule_time(f"{local:%Y-%m-%d %H:%M}", zone, now=clock.now)
                with connected.session() as s:
                    assert (
                        schedule(s, checker, text, ["jo-masto"], when, actor="t").state
                        == "scheduled"
                    )
                planned.append((text, zone, local))
    w = Worker(
        connected,
        name="dst",
        clock=clock,
        lease_clock=clock.database,
        http=client(mastodon),
        connector_for=lambda _p: MastodonConnector(poll_wait=0),
    )
    for text, zone, local in sorted(planned, key=lambda p: p[2].replace(tzinfo=ZoneInfo(p[1]))):
        due = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        clock.now = due - timedelta(seconds=1)
        w.run_once(limit=50)
        assert text not in mastodon.published(), f"{text}: out early"
        clock.now = due
        w.run_once(limit=50)
        status = next(s for s in mastodon.statuses if s["text"] == text)
        sent = datetime.fromisoformat(status["created_at"]).astimezone(ZoneInfo(zone))
        assert sent.replace(tzinfo=None) == local, (text, sent)
    assert len(mastodon.statuses) == len(planned) >= 4 * 22
    print(f"\n{len(planned)} posts across DST changes 2020-2030, each out at its wall-clock time")
