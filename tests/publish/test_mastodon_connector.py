"""The Mastodon connector against the fake server's HTTP contract."""

from __future__ import annotations

from pathlib import Path

import httpx
from fake_mastodon import BASE, FakeMastodon, client

from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing, retry_after
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.store import Store
from tactful.web.demo import demo_photo

CREDS = Credentials(BASE, "good-token", "109")
OLD = Credentials(BASE, "old-token", "109")  # connected before tactful asked for read:statuses


def test_a_status_goes_out_with_the_token_and_the_idempotency_key(mastodon: FakeMastodon) -> None:
    conn = MastodonConnector(poll_wait=0)
    with client(mastodon) as http:
        r = conn.publish(http, CREDS, Outgoing("Hello from tactful", "key-1"))
        again = conn.publish(http, CREDS, Outgoing("Hello from tactful", "key-1"))
    assert r.kind == "published" and r.url and r.url.startswith(BASE)
    assert again.remote_id == r.remote_id  # the same key: the same status
    assert mastodon.published()["Hello from tactful"] == 1
    sent = mastodon.requests[0]
    assert sent.url.path == "/api/v1/statuses"
    assert sent.headers["authorization"] == "Bearer good-token"
    assert sent.headers["idempotency-key"] == "key-1"


def test_an_image_is_uploaded_waited_for_and_attached(
    mastodon: FakeMastodon, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    with client(mastodon) as http:
        r = MastodonConnector(poll_wait=0).publish(
            http,
            CREDS,
            Outgoing("With a picture", "k2", (MediaFile(str(photo), "image/jpeg", "A skyline"),)),
        )
    assert r.kind == "published"
    paths = [q.url.path for q in mastodon.requests]
    assert paths == ["/api/v2/media", "/api/v1/media/1", "/api/v1/media/1", "/api/v1/statuses"]
    assert mastodon.statuses[0]["media_attachments"] == [{"id": "1"}]
    assert b'name="description"' in mastodon.requests[0].content


def test_errors_are_told_apart(mastodon: FakeMastodon, clock: object) -> None:
    conn = MastodonConnector(poll_wait=0)
    with client(mastodon) as http:
        too_long = conn.publish(http, CREDS, Outgoing("x" * 501, "k3"))
        revoked = conn.publish(http, Credentials(BASE, "revoked", "109"), Outgoing("hi", "k4"))
    assert too_long.kind == "rejected" and "character limit" in too_long.detail
    assert revoked.kind == "auth" and revoked.status == 401
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        with client(mastodon, lambda _req, f=fault: f) as http:
            r = conn.publish(http, CREDS, Outgoing(f"fault {fault}", f"k-{fault}"))
        assert r.kind == kind, (fault, r)
        if fault == "429":
            assert r.retry_after is not None and 25 <= r.retry_after <= 31


def test_find_sees_a_post_that_went_out(mastodon: FakeMastodon) -> None:
    conn = MastodonConnector(poll_wait=0)
    post = Outgoing("Line one & <two>\nline three", "k5")
    with client(mastodon, lambda req: "drop" if req.method == "POST" else None) as http:
        assert conn.publish(http, CREDS, post).kind == "unknown"
    with client(mastodon) as http:
        found = conn.find(http, CREDS, post, None)
        assert found is not None and found.kind == "published"
        assert conn.find(http, CREDS, Outgoing("never sent", "k6"), None) is None


def test_retry_after_reads_every_header_form() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    req = httpx.Request("GET", BASE)
    assert retry_after(httpx.Response(429, headers={"Retry-After": "7"}, request=req), now) == 7
    date = "Thu, 01 Jan 2026 00:01:00 GMT"
    assert retry_after(httpx.Response(429, headers={"Retry-After": date}, request=req), now) == 60
    iso = {"X-RateLimit-Reset": "2026-01-01T00:00:30Z"}
    assert retry_after(httpx.Response(429, headers=iso, request=req), now) == 30
    epoch = {"x-rate-limit-reset": str(int(now.timestamp()) + 90)}
    assert retry_after(httpx.Response(429, headers=epoch, request=req), now) == 90
    assert retry_after(httpx.Response(429, request=req), now) is None


# ---------------------------------------------------------------------------- scopes


def test_a_token_without_read_statuses_finds_the_post_through_the_public_list(
    mastodon: FakeMastodon,
) -> None:
    conn = MastodonConnector(poll_wait=0)
    post = Outgoing("Lost on the way back", "k7")
    with client(mastodon, lambda req: "drop" if req.method == "POST" else None) as http:
        assert conn.publish(http, OLD, post).kind == "unknown"
    mastodon.requests.clear()
    with client(mastodon) as http:
        found = conn.find(http, OLD, post, None)
        assert conn.find(http, OLD, Outgoing("never sent", "k8"), None) is None
    assert found is not None and found.kind == "published"
    assert found.remote_id == mastodon.statuses[0]["id"]
    tried, public = mastodon.requests[:2]
    assert tried.headers["authorization"] == "Bearer old-token"  # refused: 403, out of scope
    assert "authorization" not in public.headers and public.url.path == tried.url.path


def test_a_server_that_shows_nothing_without_a_token_says_what_to_do(
    mastodon: FakeMastodon,
) -> None:
    mastodon.public_api = False
    with client(mastodon) as http:
        r = MastodonConnector(poll_wait=0).find(http, OLD, Outgoing("anything", "k9"), None)
    assert r is not None and r.kind == "unknown" and r.status == 401
    assert "read:statuses" in r.detail and "--oauth" in r.detail


def test_after_the_idempotency_window_a_lost_answer_is_found_not_left_unknown(
    store: Store, mastodon: FakeMastodon, clock
) -> None:
    """The bug: with a token lacking read:statuses, reconciling after the hour the key is
    kept failed on every look, so the delivery stayed unknown until the user was asked."""
    from test_worker import at, checker

    from tactful.publish.credentials import save_credentials
    from tactful.publish.outbox import get_post, schedule
    from tactful.publish.worker import Worker
    from tactful.store.accounts import add_account

    with store.session() as s:
        add_account(s, "jo-old", platform="mastodon", kind="professional", handle="@jo")
        save_credentials(s, "jo-old", token="old-token", base_url=BASE, remote_user="109")
    with store.session() as s:
        done = schedule(s, checker(store), "The library opens late on Monday.", ["jo-old"],
                        at(clock, 1), actor="jo")  # fmt: skip
    lost = [True]

    def fault(req: httpx.Request) -> str | None:
        return "drop" if req.method == "POST" and lost[0] else None

    w = Worker(store, name="w", clock=clock, lease_clock=clock.database, http=client(mastodon, fault),
               connector_for=lambda _p: MastodonConnector(poll_wait=0))  # fmt: skip
    clock.advance(minutes=2)
    w.run_once()  # sent, the answer lost: unknown
    lost[0] = False
    clock.advance(hours=2)  # the idempotency key has lapsed: only looking can tell
    w.run_once()
    with store.session() as s:
        d = get_post(s, f"#{done.post_id}").deliveries[0]
    assert d.state == "published" and d.remote_url == mastodon.statuses[0]["url"]
    assert mastodon.published() == {"The library opens late on Monday.": 1}


# ---------------------------------------------------------------------------- URL weight


def test_the_instance_link_weight_is_kept_and_counted(store: Store, clock: object) -> None:
    from tactful.core.checker import Checker
    from tactful.publish import connect
    from tactful.store.accounts import add_account
    from tactful.store.snapshot import load_snapshot

    fake = FakeMastodon(clock=clock, limit=60, url_chars=40)  # type: ignore[arg-type]
    made = connect.mastodon_token(client(fake), BASE, "good-token")
    assert made.limits is not None and made.limits["characters_reserved_per_url"] == 40
    with store.session() as s:
        add_account(s, "jo-small", platform="mastodon", kind="professional", handle="@jo")
        connect.save(s, "jo-small", made)
    with store.session() as s:
        checker = Checker(store=load_snapshot(s))
    text = "Read it: https://example.org/a " + "x" * 15  # 9 + 40 + 1 + 15 = 65 > 60
    own = checker.check(text, platform="mastodon", account_name="jo-small").length
    default = checker.check(text, platform="mastodon").length
    assert own is not None and (own.count, own.limit) == (65, 60)
    assert default is not None and (default.count, default.limit) == (48, 500)
