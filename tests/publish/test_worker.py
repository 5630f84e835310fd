"""The outbox and the worker, end to end against the fake Mastodon server: the gate at
scheduling and again at publish time, publishing at the due time, and what a worker does
with each kind of answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_mastodon import FakeMastodon, client

from tactful.core.checker import Checker
from tactful.errors import InputError
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.outbox import cancel, get_post, list_posts, schedule
from tactful.publish.times import WallTime, parse_local, resolve
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.consent import record_consent
from tactful.store.contacts import add_contact
from tactful.store.snapshot import load_snapshot


def at(clock: object, minutes: int) -> WallTime:
    when = clock.now + timedelta(minutes=minutes)  # type: ignore[attr-defined]
    return resolve(parse_local(when.strftime("%Y-%m-%d %H:%M")), "UTC")


def checker(store: Store) -> Checker:
    with store.session() as s:
        return Checker(store=load_snapshot(s))


def worker(
    store: Store, mastodon: FakeMastodon, clock: object, fault=None, name: str = "w1"
) -> Worker:
    return Worker(
        store,
        name=name,
        clock=clock,  # type: ignore[arg-type]
        lease_clock=clock.database,  # type: ignore[attr-defined]
        http=client(mastodon, fault),
        connector_for=lambda _p: MastodonConnector(poll_wait=0),
    )


def test_a_scheduled_post_goes_out_at_its_time_once(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    c = checker(connected)
    with connected.session() as s:
        done = schedule(
            s,
            c,
            "Our autumn report is out.",
            ["jo-masto"],
            at(clock, 30),
            actor="jo",
        )
    assert done.state == "scheduled" and not done.problems
    w = worker(connected, mastodon, clock)
    assert w.run_once() == 0  # not due yet
    clock.advance(minutes=30)
    assert w.run_once() == 1
    assert mastodon.published() == {"Our autumn report is out.": 1}
    with connected.session() as s:
        view = get_post(s, f"#{done.post_id}")
        assert view.deliveries[0].state == "published" and view.deliveries[0].remote_url
        assert list_posts(s) == [] and len(list_posts(s, include_done=True)) == 1
    assert w.run_once() == 0


def test_a_blocked_post_stays_a_draft_unless_overridden(connected: Store, clock) -> None:
    text = "My idiot boss moved the deadline again lol"
    c = checker(connected)
    with connected.session() as s:
        blocked = schedule(s, c, text, ["jo-masto"], at(clock, 5), actor="jo")
        assert blocked.state == "draft"
        assert {p.rule_id for p in blocked.problems} >= {"work.venting"}
        let_by = schedule(
            s,
            c,
            text,
            ["jo-masto"],
            at(clock, 5),
            actor="jo",
            override="quoting a client, approved by legal",
        )
        assert let_by.state == "scheduled"
        view = get_post(s, f"#{let_by.post_id}")
        assert view.override_by == "jo" and "legal" in (view.override_reason or "")


def test_consent_withdrawn_after_scheduling_stops_it_at_publish_time(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    with connected.session() as s:
        sam = add_contact(s, "Sam Lee", relation="colleague", handles={"mastodon": "@sam"})
        record_consent(
            s, f"#{sam.id}", "granted", actor="jo", platform="mastodon", evidence="DM", now=clock()
        )
    c = checker(connected)
    with connected.session() as s:
        done = schedule(
            s,
            c,
            "Thanks @sam for sharing the workshop slides.",
            ["jo-masto"],
            at(clock, 10),
            actor="jo",
        )
    assert done.state == "scheduled"
    clock.advance(minutes=1)
    with connected.session() as s:
        record_consent(
            s,
            f"#{sam.id}",
            "withdrawn",
            actor="jo",
            platform="mastodon",
            reason="changed jobs",
            now=clock(),
        )
    clock.advance(minutes=9)
    worker(connected, mastodon, clock).run_once()
    assert mastodon.statuses == []
    with connected.session() as s:
        d = get_post(s, f"#{done.post_id}").deliveries[0]
    assert d.state == "needs_attention" and "tags.no_consent" in (d.last_error or "")


def test_bad_input_keeps_the_post(connected: Store, clock) -> None:
    c = checker(connected)
    with connected.session() as s:
        with pytest.raises(InputError, match="no account named"):
            schedule(s, c, "Hello", ["nobody"], at(clock, 5), actor="jo")
        long = schedule(s, c, "word " * 150, ["jo-masto"], at(clock, 5), actor="jo")
        assert long.state == "draft" and any(p.rule_id == "publish.too_long" for p in long.problems)
        view = get_post(s, f"#{long.post_id}")
        assert "mastodon takes 500" in (view.deliveries[0].last_error or "")
        assert cancel(s, f"#{long.post_id}") == 1


def test_revoked_access_and_rejected_posts_need_attention(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    c = checker(connected)
    with connected.session() as s:
        first = schedule(s, c, "First post", ["jo-masto"], at(clock, 1), actor="jo")
    mastodon.tokens.clear()  # the user revoked the app
    clock.advance(minutes=1)
    worker(connected, mastodon, clock).run_once()
    with connected.session() as s:
        d = get_post(s, f"#{first.post_id}").deliveries[0]
    assert d.state == "needs_attention" and "connect the account again" in (d.last_error or "")


def test_a_rate_limit_waits_for_the_reset(connected: Store, mastodon: FakeMastodon, clock) -> None:
    c = checker(connected)
    with connected.session() as s:
        done = schedule(s, c, "Rate limited post", ["jo-masto"], at(clock, 1), actor="jo")
    clock.advance(minutes=1)
    limited = {"n": 0}

    def fault(request):
        if request.method == "POST" and limited["n"] == 0:
            limited["n"] += 1
            return "429"
        return None

    w = worker(connected, mastodon, clock, fault)
    w.run_once()
    assert mastodon.statuses == [] and w.tally.retried == 1
    clock.advance(seconds=10)
    assert w.run_once() == 0  # the reset is 30 s away
    clock.advance(seconds=25)
    assert w.run_once() == 1 and mastodon.published() == {"Rate limited post": 1}
    with connected.session() as s:
        assert get_post(s, f"#{done.post_id}").deliveries[0].attempts == 2


def test_an_attached_image_is_kept_and_uploaded_with_the_post(
    connected: Store, mastodon: FakeMastodon, clock, tmp_path
) -> None:
    from tactful.store.files import files_dir_for, keep_copy
    from tactful.store.media import add_media, set_rights
    from tactful.web.demo import demo_photo

    photo = demo_photo(tmp_path / "view.jpg")
    with connected.session() as s:
        record, _ = add_media(s, photo)
        set_rights(s, f"#{record.id}", "own", actor="jo")
    keep_copy(files_dir_for(connected), photo, record.sha256, record.mime)
    photo.unlink()  # the store's copy is what goes out
    c = checker(connected)
    with connected.session() as s:
        done = schedule(
            s,
            c,
            "The view from our new office.",
            ["jo-masto"],
            at(clock, 1),
            actor="jo",
            media=[record.sha256],
        )
    assert done.state == "scheduled"
    clock.advance(minutes=1)
    worker(connected, mastodon, clock).run_once()
    assert mastodon.statuses[0]["media_attachments"] == [{"id": "1"}]
    assert mastodon.requests[0].url.path == "/api/v2/media"


def test_an_account_that_cannot_be_read_ends_with_the_user_not_a_guess(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    """The answer was lost and the account cannot be read (a LinkedIn member without read
    access): after a bounded number of looks the user is asked, and only their word that the
    post is not there sends it again."""
    from tactful.publish.outbox import requeue

    conn = MastodonConnector(poll_wait=0)
    conn.resend_safe_for = None  # no idempotency key to lean on: only looking can tell
    with connected.session() as s:
        done = schedule(s, checker(connected), "Doors open at nine.", ["jo-masto"], at(clock, 1),
                        actor="jo")  # fmt: skip
    lost = True

    def fault(req):  # type: ignore[no-untyped-def]
        if req.method == "POST" and lost:
            return "drop"
        return "500-before" if req.method == "GET" else None

    w = Worker(connected, name="w", clock=clock, lease_clock=clock.database, http=client(mastodon, fault),
               connector_for=lambda _p: conn)  # fmt: skip
    for _ in range(40):
        clock.advance(minutes=30)
        w.run_once()
    with connected.session() as s:
        d = get_post(s, f"#{done.post_id}").deliveries[0]
    assert d.state == "needs_attention" and "--not-there" in (d.last_error or "")
    assert mastodon.published() == {"Doors open at nine.": 1}  # it did go out, once
    # The user looks, finds it, and cancels; had they not found it, --not-there resends.
    lost = False
    with connected.session() as s:
        assert requeue(s, f"#{done.post_id}", now=clock(), not_there=True) == 1
    w.run_once()
    assert mastodon.published() == {"Doors open at nine.": 2}  # their word is taken


def test_the_publish_time_check_judges_consent_at_the_workers_clock(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    w = worker(connected, mastodon, clock)
    snapshot = w.fresh_checker().store
    assert snapshot is not None and snapshot.now == clock()
    clock.advance(days=400)
    assert w.fresh_checker().store.now == clock()  # type: ignore[union-attr]
