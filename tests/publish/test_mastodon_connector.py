"""The Mastodon connector against the fake server's HTTP contract."""

from __future__ import annotations

from pathlib import Path

import httpx
from fake_mastodon import BASE, FakeMastodon, client

from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing, retry_after
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.web.demo import demo_photo

CREDS = Credentials(BASE, "good-token", "109")


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
