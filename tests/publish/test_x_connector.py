"""The X connector against the fake server's HTTP contract."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs

import httpx
import pytest
from fake_x import BASE, CLIENT_ID, USER_ID, FakeX, client, weighted_length

from tactful.errors import InputError
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing, Result
from tactful.publish.connectors.x import XConnector, status_url, whoami
from tactful.web.demo import demo_photo


class Clock(Protocol):  # conftest's movable clock
    def __call__(self) -> datetime: ...

    def advance(self, **kw: float) -> None: ...


CREDS = Credentials(
    BASE, "good-token", USER_ID, {"refresh_token": "refresh-1", "client_id": CLIENT_ID}
)


@pytest.fixture
def x(clock: Clock) -> FakeX:
    return FakeX(clock=clock)


def conn(clock: Clock, **kw: int) -> XConnector:
    return XConnector(clock=clock, **kw)


def sent(x: FakeX, path: str, method: str = "POST") -> list[httpx.Request]:
    return [r for r in x.requests if r.url.path == path and r.method == method]


def test_a_post_goes_out_with_the_bearer_token_and_a_json_body(x: FakeX, clock: Clock) -> None:
    with client(x) as http:
        r = conn(clock).publish(http, CREDS, Outgoing("Hello from tactful", "k1"))
    assert r.kind == "published" and r.status == 201
    assert r.remote_id == x.tweets[0]["id"]
    assert r.url == f"https://x.com/i/web/status/{r.remote_id}" == status_url(r.remote_id)
    assert x.published()["Hello from tactful"] == 1
    (request,) = x.requests
    assert request.url == httpx.URL(f"{BASE}/2/tweets")
    assert request.headers["authorization"] == "Bearer good-token"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"text": "Hello from tactful"}


def test_the_public_api_is_used_when_no_base_url_is_set(clock: Clock) -> None:
    seen: list[httpx.Request] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"data": {"id": "1", "text": "hi"}})

    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        r = conn(clock).publish(http, Credentials(None, "t", USER_ID), Outgoing("hi", "k"))
    assert r.kind == "published"
    assert str(seen[0].url) == "https://api.x.com/2/tweets"


def test_an_image_is_uploaded_described_and_attached(
    x: FakeX, clock: Clock, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    post = Outgoing("With a picture", "k2", (MediaFile(str(photo), "image/jpeg", "A skyline"),))
    with client(x) as http:
        r = conn(clock).publish(http, CREDS, post)
    assert r.kind == "published"
    assert [q.url.path for q in x.requests] == ["/2/media/upload", "/2/media/metadata", "/2/tweets"]
    upload = x.requests[0]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="media"; filename="p.jpg"' in upload.content
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.content
    assert upload.content.count(b"Content-Disposition: form-data") == 2  # media, category
    (media_id,) = x.media
    assert x.media[media_id]["alt_text"] == "A skyline"
    assert json.loads(x.requests[1].content) == {
        "id": media_id,
        "metadata": {"alt_text": {"text": "A skyline"}},
    }
    assert json.loads(x.requests[2].content) == {
        "text": "With a picture",
        "media": {"media_ids": [media_id]},
    }
    assert x.tweets[0]["media_ids"] == [media_id]


def test_images_without_alt_text_skip_the_metadata_and_five_are_refused(
    x: FakeX, clock: Clock, tmp_path: Path
) -> None:
    photo = str(demo_photo(tmp_path / "p.jpg"))
    with client(x) as http:
        two = conn(clock).publish(
            http, CREDS, Outgoing("Two", "k", (MediaFile(photo, "image/jpeg"),) * 2)
        )
        five = conn(clock).publish(
            http, CREDS, Outgoing("Five", "k5", (MediaFile(photo, "image/jpeg"),) * 5)
        )
    assert two.kind == "published" and len(x.tweets[0]["media_ids"]) == 2
    assert "/2/media/metadata" not in [q.url.path for q in x.requests]
    assert five.kind == "rejected" and "at most 4" in five.detail
    assert len(x.requests) == 3  # the two uploads and the post; nothing for the five


def test_an_image_x_refuses_needs_the_user_with_which_image_and_what_x_said(
    x: FakeX, clock: Clock, tmp_path: Path
) -> None:
    """A 400 on an upload is no passing fault: it needs attention, not a retry."""
    photo = str(demo_photo(tmp_path / "p.jpg"))
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture")
    images = (MediaFile(photo, "image/jpeg"), MediaFile(str(fake), "image/jpeg"))
    with client(x) as http:
        r = conn(clock).publish(http, CREDS, Outgoing("Bad", "k", images))
    assert r.kind == "rejected" and r.status == 400
    assert r.detail == (
        "X refused image 2 of 2 (notes.jpg, image/jpeg) on upload, answering 400: "
        "media type unrecognized. Replace or remove that image"
    )
    assert x.tweets == []


def test_a_three_part_thread_cites_the_part_before(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    with client(x) as http:
        first = c.publish(http, CREDS, Outgoing("1/3 A thread", "t1"))
        second = c.publish(
            http,
            CREDS,
            Outgoing("2/3 goes on", "t2", reply_to=first.posted(), root=first.posted()),
        )
        third = c.publish(
            http,
            CREDS,
            Outgoing("3/3 and ends", "t3", reply_to=second.posted(), root=first.posted()),
        )
    assert [r.kind for r in (first, second, third)] == ["published"] * 3
    bodies = [json.loads(q.content) for q in sent(x, "/2/tweets")]
    assert "reply" not in bodies[0]
    assert bodies[1]["reply"] == {"in_reply_to_tweet_id": first.remote_id}
    assert bodies[2]["reply"] == {"in_reply_to_tweet_id": second.remote_id}
    assert [t["in_reply_to_tweet_id"] for t in x.tweets] == [
        None,
        first.remote_id,
        second.remote_id,
    ]
    assert {t["conversation_id"] for t in x.tweets} == {first.remote_id}


def test_a_reply_to_a_deleted_post_is_rejected_not_an_auth_failure(x: FakeX, clock: Clock) -> None:
    from tactful.publish.connectors.base import Posted

    with client(x) as http:
        r = conn(clock).publish(
            http, CREDS, Outgoing("2/2 orphan", "k", reply_to=Posted("1860000000000999000"))
        )
    assert r.kind == "rejected" and r.status == 403 and "deleted or not visible" in r.detail


def test_errors_are_told_apart(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    cjk = "漢" * 141  # 141 characters, 282 weighted: over X's 280
    assert len(cjk) < 280 < weighted_length(cjk)
    with client(x) as http:
        too_long = c.publish(http, CREDS, Outgoing(cjk, "k3"))
        fits = c.publish(http, CREDS, Outgoing("漢" * 140, "k3b"))
        revoked = c.publish(http, Credentials(BASE, "revoked", USER_ID), Outgoing("hi", "k4"))
        no_scope = c.publish(
            http, Credentials(BASE, "read-only-token", USER_ID), Outgoing("hi", "k4b")
        )
    assert too_long.kind == "rejected" and too_long.status == 400
    assert "too long" in too_long.detail
    assert fits.kind == "published"
    assert revoked.kind == "auth" and revoked.status == 401
    assert no_scope.kind == "auth" and no_scope.status == 403
    for r in (too_long, revoked, no_scope):
        assert "good-token" not in r.detail and "revoked" not in r.detail.split(":")[0]
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        with client(x, lambda _req, f=fault: f) as http:
            r = c.publish(http, CREDS, Outgoing(f"fault {fault}", f"k-{fault}"))
        assert r.kind == kind, (fault, r)
        if fault == "429":
            assert r.retry_after is not None and 25 <= r.retry_after <= 31


def test_an_upload_that_may_have_landed_is_retried_and_a_missing_scope_is_auth(
    x: FakeX, clock: Clock, tmp_path: Path
) -> None:
    photo = str(demo_photo(tmp_path / "p.jpg"))
    post = Outgoing("Pic", "k", (MediaFile(photo, "image/jpeg", "alt"),))
    upload = lambda req: "drop" if req.url.path == "/2/media/upload" else None  # noqa: E731
    with client(x, upload) as http:
        dropped = conn(clock).publish(http, CREDS, post)
    with client(x) as http:
        no_scope = conn(clock).publish(http, Credentials(BASE, "read-only-token", USER_ID), post)
    assert dropped.kind == "retry"  # an orphan upload is never shown
    assert no_scope.kind == "auth" and no_scope.status == 403
    assert x.tweets == []


def test_a_duplicate_refusal_finds_the_post_an_earlier_attempt_made(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    post = Outgoing("Same words twice", "k7", when=clock())
    with client(x, lambda req: "drop" if req.method == "POST" else None) as http:
        assert c.publish(http, CREDS, post).kind == "unknown"
    clock.advance(minutes=3)
    with client(x) as http:
        again = c.publish(http, CREDS, post)
    assert again.kind == "published" and again.remote_id == x.tweets[0]["id"]
    assert again.url == status_url(x.tweets[0]["id"])
    assert x.published()["Same words twice"] == 1  # no second post
    assert len(sent(x, "/2/tweets")) == 2  # the second was refused as a duplicate
    assert len(sent(x, f"/2/users/{USER_ID}/tweets", "GET")) == 1


def test_a_duplicate_of_an_older_post_is_rejected(x: FakeX, clock: Clock) -> None:
    x.posted_earlier("Doors open at nine", clock() - timedelta(hours=3))
    with client(x) as http:
        r = conn(clock).publish(http, CREDS, Outgoing("Doors open at nine", "k8", when=clock()))
    assert r.kind == "rejected" and r.status == 403 and "duplicate" in r.detail
    assert x.published()["Doors open at nine"] == 1


def test_find_sees_a_post_whose_answer_was_dropped(x: FakeX, clock: Clock, tmp_path: Path) -> None:
    c = conn(clock)
    photo = str(demo_photo(tmp_path / "p.jpg"))
    post = Outgoing(
        "Fish & chips <today>\nsee https://example.com/menu, or example.org.",
        "k9",
        (MediaFile(photo, "image/jpeg"),),
    )
    started = clock()
    with client(x, lambda req: "drop" if req.url.path == "/2/tweets" else None) as http:
        assert c.publish(http, CREDS, post).kind == "unknown"
    stored = x.tweets[0]["text"]
    assert "&amp;" in stored and "https://t.co/" in stored and "example.com" not in stored
    clock.advance(minutes=10)
    with client(x) as http:
        found = c.find(http, CREDS, post, started)
        never = c.find(http, CREDS, Outgoing("never sent", "k10"), started)
    assert found is not None and found.kind == "published"
    assert found.remote_id == x.tweets[0]["id"]
    assert never is None
    timeline = sent(x, f"/2/users/{USER_ID}/tweets", "GET")[0]
    params = parse_qs(timeline.url.query.decode())
    assert params["max_results"] == ["100"]
    assert params["post.fields"] == ["created_at,text,note_post,conversation_id"]
    assert "tweet.fields" not in params
    assert params["start_time"] == [(started - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_find_pages_back_with_the_next_token(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    started = clock()
    target = x.posted_earlier("The one we look for", started + timedelta(seconds=1))
    for n in range(150):
        x.posted_earlier(f"later post {n}", started + timedelta(minutes=1, seconds=n))
    with client(x) as http:
        found = c.find(http, CREDS, Outgoing("The  one we\nlook for", "k"), started)
    assert found is not None and found.remote_id == target
    first, second = sent(x, f"/2/users/{USER_ID}/tweets", "GET")
    assert "pagination_token" not in first.url.params
    assert second.url.params["pagination_token"]
    with client(x) as http:
        capped = conn(clock, find_pages=1).find(
            http, CREDS, Outgoing("The one we look for", "k"), started
        )
    assert capped is not None and capped.kind == "unknown" and "100 posts" in capped.detail


def test_find_says_unknown_when_the_account_cannot_be_read(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    post = Outgoing("anything", "k")
    with client(x) as http:
        no_user = c.find(http, Credentials(BASE, "good-token"), post, None)
        revoked = c.find(http, Credentials(BASE, "revoked", USER_ID), post, None)
    for fault in ("refuse", "429", "500-before"):
        with client(x, lambda _req, f=fault: f) as http:
            r = c.find(http, CREDS, post, None)
        assert isinstance(r, Result) and r.kind == "unknown", (fault, r)
    assert no_user is not None and no_user.kind == "unknown"
    assert revoked is not None and revoked.kind == "unknown" and revoked.status == 401


def test_refresh_rotates_the_refresh_token(x: FakeX, clock: Clock) -> None:
    c = conn(clock)
    with client(x) as http:
        fresh = c.refresh(http, CREDS)
        assert isinstance(fresh, Credentials)
        assert fresh.token != CREDS.token and fresh.remote_user == USER_ID
        assert fresh.extra["refresh_token"] != "refresh-1"
        assert fresh.extra["client_id"] == CLIENT_ID
        assert fresh.expires_at == clock() + timedelta(seconds=7200)
        assert c.publish(http, fresh, Outgoing("with the new token", "k")).kind == "published"
        again = c.refresh(http, CREDS)  # the old refresh token is spent
        chained = c.refresh(http, fresh)
    request = sent(x, "/2/oauth2/token")[0]
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers  # a public client sends no secret
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["refresh-1"],
        "client_id": [CLIENT_ID],
    }
    assert isinstance(again, Result) and again.kind == "auth" and again.status == 400
    assert "refresh-1" not in again.detail
    assert isinstance(chained, Credentials)
    clock.advance(hours=2, seconds=1)  # the access token has expired
    with client(x) as http:
        late = c.publish(http, fresh, Outgoing("too late", "k"))
    assert late.kind == "auth" and late.status == 401


def test_refresh_after_the_app_was_revoked_is_auth(x: FakeX, clock: Clock) -> None:
    x.revoke_app()
    with client(x) as http:
        r = conn(clock).refresh(http, CREDS)
        missing = conn(clock).refresh(http, Credentials(BASE, "good-token", USER_ID))
    assert isinstance(r, Result) and r.kind == "auth"
    assert isinstance(missing, Result) and missing.kind == "auth"


def test_a_confidential_client_refreshes_with_basic_auth(x: FakeX, clock: Clock) -> None:
    x.refresh_tokens["refresh-c"] = (USER_ID, "confidential-app")
    extra = {"refresh_token": "refresh-c", "client_id": "confidential-app"}
    with client(x) as http:
        without = conn(clock).refresh(http, Credentials(BASE, "t", USER_ID, dict(extra)))
        good = conn(clock).refresh(
            http, Credentials(BASE, "t", USER_ID, {**extra, "client_secret": "app-secret"})
        )
    assert isinstance(without, Result) and without.kind == "auth" and without.status == 401
    assert isinstance(good, Credentials) and good.extra["client_secret"] == "app-secret"
    basic = sent(x, "/2/oauth2/token")[-1].headers["authorization"]
    assert base64.b64decode(basic.removeprefix("Basic ")) == b"confidential-app:app-secret"


def test_refresh_when_x_cannot_be_asked(x: FakeX, clock: Clock) -> None:
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
    ):
        with client(x, lambda _req, f=fault: f) as http:
            r = conn(clock).refresh(http, CREDS)
        assert isinstance(r, Result) and r.kind == kind, (fault, r)


def test_whoami_names_the_account_and_refuses_a_bad_token(x: FakeX) -> None:
    with client(x) as http:
        assert whoami(http, BASE, "good-token") == (USER_ID, "tactful_jo")
        with pytest.raises(InputError) as bad:
            whoami(http, BASE, "secret-but-wrong")
    message = str(bad.value)
    assert "\n" not in message and "401" in message and "secret-but-wrong" not in message
    with (
        client(x, lambda _req: "refuse") as http,
        pytest.raises(InputError, match="cannot reach X"),
    ):
        whoami(http, BASE, "good-token")
    with client(x) as http:
        assert XConnector().verify(http, CREDS) == USER_ID


def test_the_fake_counts_text_as_x_does() -> None:
    assert weighted_length("a" * 280) == 280
    assert weighted_length("see https://example.com/" + "x" * 200) == 4 + 23
    assert weighted_length("“quoted” — dash") == 15  # U+2010..U+201F weigh 1
    assert weighted_length("😀") == 2


def test_a_gif_goes_up_as_tweet_gif_and_is_waited_for(
    x: FakeX, clock: Clock, tmp_path: Path
) -> None:
    from PIL import Image

    gif = tmp_path / "a.gif"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(gif, "GIF")
    x.gif_polls = 2
    waits: list[float] = []
    with client(x) as http:
        r = XConnector(clock=clock, sleep=waits.append).publish(
            http, CREDS, Outgoing("A gif", "k", (MediaFile(str(gif), "image/gif"),))
        )
    assert r.kind == "published"
    upload, *status, _post = x.requests
    assert b'name="media_category"\r\n\r\ntweet_gif' in upload.content
    assert b'name="media_type"' not in upload.content
    assert [(q.method, q.url.params["command"]) for q in status] == [("GET", "STATUS")] * 2
    assert waits == [1.0, 1.0]  # check_after_secs


@pytest.mark.parametrize("fields", ["post.fields", "tweet.fields"])
def test_find_tells_a_threads_part_from_the_same_words_under_another_thread(
    x: FakeX, clock: Clock, fields: str
) -> None:
    """With v2.167's post.fields the thread is told by conversation_id; with tweet.fields
    (what the live API may still take) by referenced_tweets."""
    from tactful.publish.connectors.base import Posted

    x.fields_param = fields
    c = conn(clock)
    with client(x) as http:
        first = c.publish(http, CREDS, Outgoing("Thread A opens. 1/2", "a1"))
        other = c.publish(http, CREDS, Outgoing("Thread B opens. 1/2", "b1"))
        assert first.remote_id and other.remote_id
        under_a = c.publish(
            http, CREDS, Outgoing("See you there. 2/2", "a2", reply_to=first.posted())
        )
        assert under_a.kind == "published"
        mine = Outgoing("See you there. 2/2", "b2", reply_to=Posted(other.remote_id))
        assert c.find(http, CREDS, mine, None) is None  # same words, another thread
        again = Outgoing("See you there. 2/2", "a2", reply_to=first.posted())
        found = c.find(http, CREDS, again, None)
        assert found is not None and found.remote_id == under_a.remote_id
        lone = c.find(http, CREDS, Outgoing("See you there. 2/2", "c"), None)
        assert lone is None  # not a reply: a post of its own with those words is not there


def test_find_falls_back_to_tweet_fields_where_x_takes_only_that(x: FakeX, clock: Clock) -> None:
    x.fields_param = "tweet.fields"  # an API that does not take post.fields yet
    c = conn(clock)
    with client(x) as http:
        posted = c.publish(http, CREDS, Outgoing("Either name works", "k"))
        found = c.find(http, CREDS, Outgoing("Either name works", "k"), None)
        assert c.find(http, CREDS, Outgoing("not there", "k2"), None) is None
    assert found is not None and found.remote_id == posted.remote_id
    asked = [q.url.params for q in sent(x, f"/2/users/{USER_ID}/tweets", "GET")]
    assert [("post.fields" in q, "tweet.fields" in q) for q in asked] == [
        (True, False),  # refused: "The query parameter [post.fields] is not one of [...]"
        (False, True),
        (False, True),  # remembered
    ]
    assert (
        asked[1]["tweet.fields"] == "created_at,text,note_tweet,referenced_tweets,conversation_id"
    )
