"""The Bluesky connector against the fake PDS's XRPC contract. Every exchange with the fake
made through the ``bsky`` fixture is checked against the atproto lexicons once the test is
done (:func:`atproto_lexicon.check_exchange`); test_bluesky_contract.py has the rest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from atproto_lexicon import check_exchange
from fake_bluesky import APP_PASSWORD, BASE, DID, HANDLE, KNOWN_HANDLES, FakeBluesky, client

from tactful.errors import InputError
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing
from tactful.publish.connectors.bluesky import (
    TID_ALPHABET,
    TID_SYNTAX,
    BlueskyConnector,
    create_session,
    record_key,
)
from tactful.publish.connectors.bluesky_richtext import link_facets
from tactful.web.demo import demo_photo

WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 1 grapheme, 25 bytes


@pytest.fixture
def bsky(clock: Any) -> Iterator[FakeBluesky]:
    fake = FakeBluesky(clock=clock)
    yield fake
    for request, response in fake.exchanges:
        check_exchange(fake.lex, request, response)


def creds(fake: FakeBluesky, **extra: Any) -> Credentials:
    return Credentials(BASE, fake.access_jwt, DID, {"refresh_jwt": fake.refresh_jwt, **extra})


def conn(clock: Any) -> BlueskyConnector:
    return BlueskyConnector(clock=clock)


def created(fake: FakeBluesky) -> list[dict[str, Any]]:
    """The bodies of the createRecord requests the fake received."""
    return [
        json.loads(r.content)
        for r in fake.requests
        if r.url.path == "/xrpc/com.atproto.repo.createRecord"
    ]


def tid_micros(key: str) -> int:
    value = 0
    for ch in key:
        value = value * 32 + TID_ALPHABET.index(ch)
    return value >> 10


def test_a_post_goes_out_with_the_token_and_a_deterministic_record_key(
    bsky: FakeBluesky, clock: Any
) -> None:
    post = Outgoing("Hello from tactful", "key-1", when=WHEN)
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), post)
    assert r.kind == "published", r
    rkey = record_key(post)
    assert r.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert r.url == f"https://bsky.app/profile/{DID}/post/{rkey}"
    assert r.ref["cid"] == bsky.records[rkey]["cid"]
    sent = bsky.requests[0]
    assert sent.url.path == "/xrpc/com.atproto.repo.createRecord"
    assert sent.headers["authorization"] == f"Bearer {bsky.access_jwt}"
    body = json.loads(sent.content)
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == rkey
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["text"] == "Hello from tactful"
    assert record["createdAt"] == "2026-11-23T09:00:00.000Z"  # the clock's time, atproto form
    assert "facets" not in record and "embed" not in record and "reply" not in record
    assert bsky.published()["Hello from tactful"] == 1


def test_the_record_key_is_a_valid_tid_and_the_same_on_every_attempt() -> None:
    post = Outgoing("Same delivery", "delivery-7/part-1", when=WHEN)
    again = Outgoing("Same delivery", "delivery-7/part-1", when=WHEN)
    key = record_key(post)
    assert key == record_key(again)
    assert len(key) == 13 and TID_SYNTAX.match(key)
    # Its time is the scheduled second (plus a sub-second offset from the key).
    micros = tid_micros(key)
    assert WHEN.timestamp() * 1e6 <= micros < WHEN.timestamp() * 1e6 + 1e6
    # Thread parts due in the same second, and other deliveries, get other keys.
    others = {record_key(Outgoing("x", f"delivery-7/part-{i}", when=WHEN)) for i in range(50)}
    assert len(others) == 50
    assert record_key(Outgoing("x", "delivery-7/part-1", when=WHEN + timedelta(days=1))) != key
    # No scheduled time: still a valid TID, a fixed function of the key.
    loose = record_key(Outgoing("x", "no-time"))
    assert loose == record_key(Outgoing("y", "no-time")) and TID_SYNTAX.match(loose)


@pytest.mark.parametrize("taken_answer", ["500", "409"])
def test_resending_after_a_dropped_answer_makes_one_post(clock: Any, taken_answer: str) -> None:
    bsky = FakeBluesky(clock=clock, taken_answer=taken_answer)
    post = Outgoing("Only once, please", "key-drop", when=WHEN)
    dropping = client(bsky, lambda req: "drop" if req.method == "POST" else None)
    with dropping as http:
        first = conn(clock).publish(http, creds(bsky), post)
    assert first.kind == "unknown"
    assert bsky.published()["Only once, please"] == 1  # it did land
    clock.advance(minutes=10)
    with client(bsky) as http:
        second = conn(clock).publish(http, creds(bsky), post)
    assert second.kind == "published", second
    assert second.remote_id == f"at://{DID}/app.bsky.feed.post/{record_key(post)}"
    assert second.ref["cid"] == bsky.records[record_key(post)]["cid"]
    assert bsky.published()["Only once, please"] == 1  # not two
    assert [b["rkey"] for b in created(bsky)] == [record_key(post)] * 2
    assert bsky.requests[-1].url.path == "/xrpc/com.atproto.repo.getRecord"
    assert BlueskyConnector.resend_safe_for is not None
    assert BlueskyConnector.resend_safe_for >= timedelta(days=365)


def test_another_post_at_the_record_key_is_rejected_not_overwritten(
    bsky: FakeBluesky, clock: Any
) -> None:
    with client(bsky) as http:
        first = conn(clock).publish(http, creds(bsky), Outgoing("The first text", "k", when=WHEN))
        other = conn(clock).publish(http, creds(bsky), Outgoing("A new text", "k", when=WHEN))
        found = conn(clock).find(http, creds(bsky), Outgoing("A new text", "k", when=WHEN), None)
    assert first.kind == "published"
    assert other.kind == "rejected" and "another post already sits" in other.detail
    assert found is None  # this text is not on the account
    assert bsky.published() == {"The first text": 1}


def test_images_are_uploaded_and_attached_with_alt_text(
    bsky: FakeBluesky, clock: Any, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    second = demo_photo(tmp_path / "q.jpg", sky=(200, 120, 90))
    media = (MediaFile(str(photo), "image/jpeg", "A skyline"), MediaFile(str(second), "image/jpeg"))
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), Outgoing("With pictures", "k2", media, WHEN))
    assert r.kind == "published", r
    uploads = [q for q in bsky.requests if q.url.path == "/xrpc/com.atproto.repo.uploadBlob"]
    assert len(uploads) == 2
    assert uploads[0].headers["content-type"] == "image/jpeg"
    assert uploads[0].headers["authorization"] == f"Bearer {bsky.access_jwt}"
    assert uploads[0].content == photo.read_bytes()  # raw bytes, not a form
    embed = created(bsky)[0]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["A skyline", ""]
    blob = embed["images"][0]["image"]
    assert blob["$type"] == "blob" and blob["mimeType"] == "image/jpeg"
    assert blob["size"] == photo.stat().st_size and blob["ref"]["$link"] in bsky.blobs


def test_image_limits(bsky: FakeBluesky, clock: Any, tmp_path: Path) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    five = tuple(MediaFile(str(photo), "image/jpeg") for _ in range(5))
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8" + b"0" * 2_000_000)
    with client(bsky) as http:
        too_many = conn(clock).publish(http, creds(bsky), Outgoing("five", "k5", five, WHEN))
        too_big = conn(clock).publish(
            http, creds(bsky), Outgoing("big", "kb", (MediaFile(str(big), "image/jpeg"),), WHEN)
        )
    assert too_many.kind == "rejected" and "at most 4 images" in too_many.detail
    assert too_big.kind == "rejected" and "2,000,000 bytes" in too_big.detail
    assert bsky.requests == []  # refused before anything was uploaded
    # The PDS's own check, when the record is written (a PDS stricter than the lexicon).
    strict = FakeBluesky(clock=clock, image_max=1000)
    with client(strict) as http:
        r = conn(clock).publish(
            http, creds(strict), Outgoing("p", "kp", (MediaFile(str(photo), "image/jpeg"),), WHEN)
        )
    assert r.kind == "rejected" and r.status == 400
    assert "too large" in r.detail and "blob too big (maximum 1000" in r.detail
    assert strict.published() == {}


def test_link_facets_have_utf8_byte_offsets(bsky: FakeBluesky, clock: Any) -> None:
    text = "Café ☕ 🎉 naïve — voir https://example.com/a?b=1. Et (http://exemple.org/é) ok"
    facets = link_facets(text)
    encoded = text.encode()
    links = [encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets]
    assert links == ["https://example.com/a?b=1", "http://exemple.org/é"]
    assert [f["features"][0]["uri"] for f in facets] == links
    assert facets[0]["features"][0]["$type"] == "app.bsky.richtext.facet#link"
    # Character offsets would be wrong: the text before the link has multi-byte characters.
    assert facets[0]["index"]["byteStart"] != text.index("https://")
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), Outgoing(text, "k-links", when=WHEN))
    assert r.kind == "published", r
    assert created(bsky)[0]["record"]["facets"] == facets


def test_a_thread_reply_cites_the_root_and_the_part_before(bsky: FakeBluesky, clock: Any) -> None:
    c = conn(clock)
    with client(bsky) as http:
        one = c.publish(http, creds(bsky), Outgoing("1/3 start", "t/1", when=WHEN))
        two = c.publish(
            http,
            creds(bsky),
            Outgoing("2/3 middle", "t/2", when=WHEN, reply_to=one.posted(), root=one.posted()),
        )
        three = c.publish(
            http,
            creds(bsky),
            Outgoing("3/3 end", "t/3", when=WHEN, reply_to=two.posted(), root=one.posted()),
        )
    assert {one.kind, two.kind, three.kind} == {"published"}
    bodies = created(bsky)
    assert "reply" not in bodies[0]["record"]
    assert bodies[1]["record"]["reply"] == {
        "root": {"uri": one.remote_id, "cid": one.ref["cid"]},
        "parent": {"uri": one.remote_id, "cid": one.ref["cid"]},
    }
    assert bodies[2]["record"]["reply"] == {
        "root": {"uri": one.remote_id, "cid": one.ref["cid"]},
        "parent": {"uri": two.remote_id, "cid": two.ref["cid"]},
    }
    assert len({b["rkey"] for b in bodies}) == 3  # same second, three keys


def test_errors_are_told_apart(bsky: FakeBluesky, clock: Any) -> None:
    c = conn(clock)
    with client(bsky) as http:
        # 300 graphemes of two code points each: Bluesky counts graphemes, so it fits.
        fits = c.publish(http, creds(bsky), Outgoing("👍🏽" * 300, "k3b", when=WHEN))
        bad = Credentials(BASE, "not-a-token", DID, {})
        revoked = c.publish(http, bad, Outgoing("hi", "k4", when=WHEN))
    assert fits.kind == "published", fits
    # A PDS that refuses the text (this one takes 10 graphemes) is read as a refusal too.
    short = FakeBluesky(clock=clock, text_limit=10)
    with client(short) as http:
        too_long = c.publish(http, creds(short), Outgoing("x" * 11, "k3", when=WHEN))
    assert too_long.kind == "rejected" and too_long.status == 400
    assert "grapheme too big (maximum 10, got 11)" in too_long.detail
    assert "longer than Bluesky takes" in too_long.detail
    assert revoked.kind == "auth" and revoked.status == 400 and "InvalidToken" in revoked.detail
    assert bsky.access_jwt not in revoked.detail
    clock.advance(hours=3)  # the access token (120 minutes) has expired
    with client(bsky) as http:
        expired = c.publish(http, creds(bsky), Outgoing("later", "k4b", when=WHEN))
    assert expired.kind == "auth" and "ExpiredToken" in expired.detail
    assert bsky.access_jwt not in expired.detail
    fresh = FakeBluesky(clock=clock)
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        with client(fresh, lambda _req, f=fault: f) as http:
            r = c.publish(http, creds(fresh), Outgoing(f"fault {fault}", f"k-{fault}", when=WHEN))
        assert r.kind == kind, (fault, r)
        if fault == "429":
            assert r.retry_after is not None and 25 <= r.retry_after <= 31


def test_a_proxy_error_after_the_post_landed_is_resolved_by_reading_it_back(
    bsky: FakeBluesky, clock: Any
) -> None:
    post = Outgoing("Through a flaky proxy", "k-proxy", when=WHEN)
    flaky = client(bsky, lambda req: "502-after" if req.method == "POST" else None)
    with flaky as http:
        r = conn(clock).publish(http, creds(bsky), post)
    assert r.kind == "published", r  # a 5xx: the record at its key was read back
    assert r.remote_id == f"at://{DID}/app.bsky.feed.post/{record_key(post)}"
    with client(bsky, lambda req: "500-before" if req.method == "POST" else None) as http:
        never = conn(clock).publish(http, creds(bsky), Outgoing("Not there", "k-no", when=WHEN))
    assert never.kind == "unknown" and never.status == 500


def test_find_sees_a_post_whose_answer_was_dropped(bsky: FakeBluesky, clock: Any) -> None:
    c = conn(clock)
    post = Outgoing("Line one\nline two https://example.com", "k5", when=WHEN)
    with client(bsky, lambda req: "drop" if req.method == "POST" else None) as http:
        assert c.publish(http, creds(bsky), post).kind == "unknown"
    with client(bsky) as http:
        found = c.find(http, creds(bsky), post, WHEN)
        assert found is not None and found.kind == "published"
        assert found.remote_id == f"at://{DID}/app.bsky.feed.post/{record_key(post)}"
        assert found.ref["cid"] == bsky.records[record_key(post)]["cid"]
        assert c.find(http, creds(bsky), Outgoing("never sent", "k6", when=WHEN), WHEN) is None
    with client(bsky, lambda _req: "500-before") as http:
        unread = c.find(http, creds(bsky), post, WHEN)
    assert unread is not None and unread.kind == "unknown"
    found_req = bsky.requests[-1]
    assert found_req.url.path == "/xrpc/com.atproto.repo.getRecord"
    assert found_req.url.params["rkey"] == record_key(Outgoing("never sent", "k6", when=WHEN))


def test_refresh_rotates_the_tokens(bsky: FakeBluesky, clock: Any) -> None:
    c = conn(clock)
    old = creds(bsky, token=bsky.access_jwt)
    clock.advance(hours=3)  # the access token has expired; the refresh token has not
    with client(bsky) as http:
        new = c.refresh(http, old)
        assert isinstance(new, Credentials), new
        assert new.token != old.token and new.remote_user == DID and new.base_url == BASE
        assert new.extra["refresh_jwt"] != old.extra["refresh_jwt"]
        assert new.extra["token"] == new.token  # a sealed secret that also holds the token
        assert new.expires_at == clock.now.replace(microsecond=0) + timedelta(minutes=120)
        sent = bsky.requests[-1]
        assert sent.url.path == "/xrpc/com.atproto.server.refreshSession"
        assert sent.headers["authorization"] == f"Bearer {old.extra['refresh_jwt']}"
        assert c.publish(http, new, Outgoing("after refresh", "k7", when=WHEN)).kind == "published"
        # The spent refresh token is refused: the account must be connected again.
        spent = c.refresh(http, old)
        assert not isinstance(spent, Credentials) and spent.kind == "auth"
        assert "connect the account again" in spent.detail
        assert old.extra["refresh_jwt"] not in spent.detail
    with client(bsky, lambda _req: "refuse") as http:
        offline = c.refresh(http, new)
    assert not isinstance(offline, Credentials) and offline.kind == "retry"


def test_refresh_signs_in_again_with_the_app_password(bsky: FakeBluesky, clock: Any) -> None:
    c = conn(clock)
    bsky.revoke(bsky.refresh_jwt)
    with_password = creds(bsky, identifier=HANDLE, app_password=APP_PASSWORD)
    with client(bsky) as http:
        new = c.refresh(http, with_password)
        assert isinstance(new, Credentials), new
        assert new.token in bsky.access and new.extra["app_password"] == APP_PASSWORD
        paths = [q.url.path.rsplit(".", 1)[-1] for q in bsky.requests]
        assert paths == ["refreshSession", "createSession"]
        wrong = creds(bsky, identifier=HANDLE, app_password="wrong-pass-word-here")
        refused = c.refresh(http, wrong)
    assert not isinstance(refused, Credentials) and refused.kind == "auth"
    assert "wrong-pass-word-here" not in refused.detail


def test_create_session_connects_an_account(bsky: FakeBluesky, clock: Any) -> None:
    with client(bsky) as http:
        made = create_session(http, BASE, HANDLE, APP_PASSWORD)
        assert made.remote_user == DID and made.token in bsky.access
        assert made.extra["refresh_jwt"] in bsky.refresh and made.base_url == BASE
        assert made.expires_at == clock.now + timedelta(minutes=120)
        body = json.loads(bsky.requests[-1].content)
        assert body == {"identifier": HANDLE, "password": APP_PASSWORD}
        with pytest.raises(InputError) as wrong:
            create_session(http, BASE, HANDLE, "nope-nope-nope-nope")
    message = str(wrong.value)
    assert "wrong handle or app password" in message and "\n" not in message
    assert "nope-nope" not in message
    with client(bsky, lambda _req: "refuse") as http, pytest.raises(InputError) as offline:
        create_session(http, BASE, HANDLE, APP_PASSWORD)
    assert str(offline.value).startswith(f"cannot reach {BASE}")


def test_the_rate_limit_reset_header_is_epoch_seconds() -> None:
    from tactful.publish.connectors.bluesky import _rate_limit_wait

    req = httpx.Request("POST", BASE)
    headers = {"ratelimit-reset": "1700000090", "ratelimit-policy": "5000;w=3600"}
    assert _rate_limit_wait(httpx.Response(429, headers=headers, request=req), 1700000000) == 90
    assert _rate_limit_wait(httpx.Response(429, headers={"retry-after": "7"}, request=req)) == 7


def test_mentions_and_hashtags_are_faceted_with_resolved_dids(
    bsky: FakeBluesky, clock: Any
) -> None:
    text = (
        "Café ☕ with @Alice.bsky.social, @bob.example.com and @nobody.bsky.social "
        "(@gone.example.org) #launch #日本語! https://example.com/x @alice.bsky.social"
    )
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), Outgoing(text, "k-rich", when=WHEN))
    assert r.kind == "published", r
    asked = [
        q.url.params["handle"]
        for q in bsky.requests
        if q.url.path == "/xrpc/com.atproto.identity.resolveHandle"
    ]
    # Each handle once, lower-cased, before anything is written.
    assert asked == [
        "alice.bsky.social",
        "bob.example.com",
        "nobody.bsky.social",
        "gone.example.org",
    ]
    assert bsky.requests[-1].url.path == "/xrpc/com.atproto.repo.createRecord"
    record = created(bsky)[0]["record"]
    encoded = text.encode()
    shown = [
        (encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in record["facets"]
    ]
    alice, bob = KNOWN_HANDLES["alice.bsky.social"], KNOWN_HANDLES["bob.example.com"]
    mention, tag, link = (f"app.bsky.richtext.facet#{k}" for k in ("mention", "tag", "link"))
    assert shown == [
        ("@Alice.bsky.social", {"$type": mention, "did": alice}),
        ("@bob.example.com", {"$type": mention, "did": bob}),
        # @nobody.bsky.social (HandleNotFound) and @gone.example.org (InvalidRequest): plain.
        ("#launch", {"$type": tag, "tag": "launch"}),
        ("#日本語", {"$type": tag, "tag": "日本語"}),
        ("https://example.com/x", {"$type": link, "uri": "https://example.com/x"}),
        ("@alice.bsky.social", {"$type": mention, "did": alice}),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x" * 301, "301 graphemes"),
        (FAMILY * 150, "3,750 bytes"),  # 150 graphemes: within 300, over 3,000 bytes
    ],
)
def test_text_over_the_lexicon_limits_is_never_sent(
    bsky: FakeBluesky, clock: Any, tmp_path: Path, text: str, why: str
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    post = Outgoing(text, "k-long", (MediaFile(str(photo), "image/jpeg"),), WHEN)
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), post)
    assert r.kind == "rejected" and why in r.detail and r.status is None
    assert bsky.requests == []  # no lookup, no upload, no record


def test_the_most_the_lexicon_takes_goes_out(bsky: FakeBluesky, clock: Any) -> None:
    with client(bsky) as http:
        bytes_full = conn(clock).publish(http, creds(bsky), Outgoing(FAMILY * 120, "b", when=WHEN))
        graphemes_full = conn(clock).publish(http, creds(bsky), Outgoing("y" * 300, "g", when=WHEN))
    assert bytes_full.kind == "published" and graphemes_full.kind == "published"


@pytest.mark.parametrize(
    ("fault", "kind"),
    [("refuse", "retry"), ("drop", "retry"), ("429", "retry"), ("500-before", "retry")],
)
def test_a_lookup_that_fails_for_now_holds_the_post_back(
    bsky: FakeBluesky, clock: Any, fault: str, kind: str
) -> None:
    def on_lookup(request: httpx.Request) -> str | None:
        return fault if request.url.path.endswith("resolveHandle") else None

    post = Outgoing("hello @alice.bsky.social", "k-res", when=WHEN)
    with client(bsky, on_lookup) as http:
        r = conn(clock).publish(http, creds(bsky), post)
    assert r.kind == kind, r
    assert bsky.records == {}  # not sent without its mention
    with client(bsky) as http:
        again = conn(clock).publish(http, creds(bsky), post)
    assert again.kind == "published"
    assert created(bsky)[-1]["record"]["facets"][0]["features"][0]["$type"].endswith("#mention")


def test_a_pds_without_handle_lookups_leaves_mentions_plain(clock: Any) -> None:
    class NoLookups(FakeBluesky):
        def _resolve_handle(self, request: httpx.Request, params: dict[str, Any]) -> httpx.Response:
            return self._error(501, "MethodNotImplemented", "Method Not Implemented")

    fake = NoLookups(clock=clock)
    with client(fake) as http:
        r = conn(clock).publish(
            http, creds(fake), Outgoing("hi @alice.bsky.social", "k", when=WHEN)
        )
    assert r.kind == "published", r
    assert "facets" not in created(fake)[0]["record"]


def test_images_carry_their_aspect_ratio_as_shown(
    bsky: FakeBluesky, clock: Any, tmp_path: Path
) -> None:
    from PIL import Image

    photo = demo_photo(tmp_path / "p.jpg")  # 640 x 400
    turned = tmp_path / "turned.jpg"  # stored 60 x 40, shown a quarter turn: 40 x 60
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (60, 40), (10, 20, 30)).save(turned, exif=exif)
    unreadable = tmp_path / "odd.jpg"
    unreadable.write_bytes(b"\xff\xd8 not really a JPEG")
    media = tuple(
        MediaFile(str(p), "image/jpeg", f"alt {i}")
        for i, p in enumerate((photo, turned, unreadable))
    )
    with client(bsky) as http:
        r = conn(clock).publish(http, creds(bsky), Outgoing("pictures", "k-ar", media, WHEN))
    assert r.kind == "published", r
    images = created(bsky)[0]["record"]["embed"]["images"]
    assert [i.get("aspectRatio") for i in images] == [
        {"width": 640, "height": 400},
        {"width": 40, "height": 60},
        None,  # optional in the lexicon: left out when the size cannot be read
    ]
