"""The LinkedIn connector against the fake server's HTTP contract, as a member and as a page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fake_linkedin import (
    BASE,
    CLIENT_ID,
    CLIENT_SECRET,
    MEMBER,
    OAUTH_BASE,
    ORG,
    FakeLinkedIn,
    Grant,
    client,
)

from tactful.errors import InputError
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing, Posted, Result
from tactful.publish.connectors.linkedin import (
    VERSION,
    LinkedInConnector,
    escape_little,
    plain_little,
    whoami,
)
from tactful.store import Store
from tactful.web.demo import demo_photo

AUTHORS = pytest.mark.parametrize("author", [MEMBER, ORG], ids=["member", "page"])


@pytest.fixture
def linkedin(clock: object) -> FakeLinkedIn:
    return FakeLinkedIn(clock=clock)  # type: ignore[arg-type]


def creds(author: str = MEMBER, token: str = "good-token", **extra: object) -> Credentials:
    return Credentials(BASE, token, author, dict(extra))


def conn(clock: object, **kw: int) -> LinkedInConnector:
    return LinkedInConnector(clock=clock, **kw)  # type: ignore[arg-type]


def sent_posts(fake: FakeLinkedIn) -> list[dict[str, object]]:
    return [
        json.loads(r.content)
        for r in fake.requests
        if r.method == "POST" and r.url.path == "/rest/posts"
    ]


# ---------------------------------------------------------------------------- publishing


@AUTHORS
def test_a_post_goes_out_with_the_versioned_headers_and_body(
    linkedin: FakeLinkedIn, clock: object, author: str
) -> None:
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(author), Outgoing("Hello from tactful", "key-1"))
    assert LinkedInConnector.name == "linkedin" and LinkedInConnector.resend_safe_for is None
    assert r.kind == "published" and r.status == 201
    assert r.remote_id and r.remote_id.startswith("urn:li:share:")
    assert r.url == f"https://www.linkedin.com/feed/update/{r.remote_id}/"
    assert r.ref == {"urn": r.remote_id}
    assert linkedin.published()["Hello from tactful"] == 1
    assert linkedin.posts[0]["author"] == author
    sent = linkedin.requests[0]
    assert sent.url == httpx.URL(f"{BASE}/rest/posts")
    assert sent.headers["authorization"] == "Bearer good-token"
    assert sent.headers["linkedin-version"] == VERSION
    assert sent.headers["x-restli-protocol-version"] == "2.0.0"
    assert sent_posts(linkedin) == [
        {
            "author": author,
            "commentary": "Hello from tactful",
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
    ]


def test_a_member_who_is_no_page_admin_is_told_which_permission(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(ORG, "not-admin-token"), Outgoing("Hi page", "k"))
    assert r.kind == "auth" and r.status == 403
    assert ORG in r.detail and "administrator" in r.detail
    assert "w_organization_social" in r.detail
    assert "not-admin-token" not in r.detail
    assert not linkedin.posts


def test_a_member_token_without_the_share_permission_is_auth(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    linkedin.tokens["login-only"] = Grant("abc123", frozenset({"openid", "profile"}))
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(MEMBER, "login-only"), Outgoing("Hi", "k"))
    assert r.kind == "auth" and r.status == 403 and "w_member_social" in r.detail
    assert not linkedin.posts


def test_reserved_characters_are_escaped_so_nothing_is_cut(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    text = (
        "Results (draft) are in [v2] {beta} <b>bold</b> @jo | a_b *c* ~d~ back\\slash "
        "C# and #launch2026 #AI, see https://example.com/a_(b)#frag"
    )
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(), Outgoing(text, "k"))
    assert r.kind == "published"
    assert linkedin.published() == {text: 1}  # read back whole, not cut at "("
    commentary = str(sent_posts(linkedin)[0]["commentary"])
    assert "\\(draft\\)" in commentary and "back\\\\slash" in commentary
    assert "{hashtag|\\#|launch2026}" in commentary and "C\\#" in commentary
    assert "/a\\_\\(b\\)\\#frag" in commentary  # a link's fragment is no hashtag


def test_the_fake_cuts_unescaped_text_as_linkedin_does(linkedin: FakeLinkedIn) -> None:
    """The escaping test can fail: without it, LinkedIn answers 201 and keeps the text up to
    the first reserved character."""
    body = {
        "author": MEMBER,
        "commentary": "Results (draft) are in",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED"},
        "lifecycleState": "PUBLISHED",
    }
    headers = {
        "Authorization": "Bearer good-token",
        "LinkedIn-Version": VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }
    with client(linkedin) as http:
        answer = http.post(f"{BASE}/rest/posts", json=body, headers=headers)
    assert answer.status_code == 201
    assert linkedin.published() == {"Results ": 1}


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "(a) [b] {c} <d> @e |f ~g *h* _i_ \\j #k #_no C#",
        "#tag at start, ## double, #1 number, mid#word",
        "link https://x.test/p_(1)#top and www.x.test/#hash",
        "{hashtag|\\#|fake} @[Not](urn:li:person:1)",
    ],
)
def test_escaping_reads_back_as_the_same_text(text: str) -> None:
    assert plain_little(escape_little(text)) == text


def test_little_text_from_linkedin_reads_as_a_reader_sees_it() -> None:
    stored = "Thanks @[Ada Lovelace](urn:li:person:ada) for \\(this\\) {hashtag|\\#|math}"
    assert plain_little(stored) == "Thanks Ada Lovelace for (this) #math"


@AUTHORS
def test_one_image_is_uploaded_and_attached(
    linkedin: FakeLinkedIn, clock: object, tmp_path: Path, author: str
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    post = Outgoing("With a picture", "k2", (MediaFile(str(photo), "image/jpeg", "A skyline"),))
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(author), post)
    assert r.kind == "published"
    init, put, create = linkedin.requests
    assert (init.method, init.url.path, init.url.params["action"]) == (
        "POST",
        "/rest/images",
        "initializeUpload",
    )
    assert json.loads(init.content) == {"initializeUploadRequest": {"owner": author}}
    assert init.headers["linkedin-version"] == VERSION
    assert put.method == "PUT" and put.url.host == "www.linkedin.test"
    assert put.headers["authorization"] == "Bearer good-token"
    assert put.content == Path(photo).read_bytes()
    (image,) = linkedin.images
    assert linkedin.images[image]["owner"] == author
    assert linkedin.images[image]["status"] == "AVAILABLE"
    assert json.loads(create.content)["content"] == {"media": {"id": image, "altText": "A skyline"}}
    assert linkedin.posts[0]["content"] == {"media": {"id": image, "altText": "A skyline"}}


def test_three_images_go_as_a_multi_image_post(
    linkedin: FakeLinkedIn, clock: object, tmp_path: Path
) -> None:
    media = tuple(
        MediaFile(
            str(demo_photo(tmp_path / f"p{i}.jpg")), "image/jpeg", f"Photo {i}" if i else None
        )
        for i in range(3)
    )
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(ORG), Outgoing("Three of them", "k3", media))
    assert r.kind == "published"
    assert [q.url.path for q in linkedin.requests].count("/rest/images") == 3
    images = json.loads(linkedin.requests[-1].content)["content"]["multiImage"]["images"]
    assert [i["id"] for i in images] == list(linkedin.images)
    assert [i.get("altText") for i in images] == [None, "Photo 1", "Photo 2"]
    assert all(i["status"] == "AVAILABLE" for i in linkedin.images.values())


def test_media_linkedin_cannot_take_is_refused_before_anything_is_sent(
    linkedin: FakeLinkedIn, clock: object, tmp_path: Path
) -> None:
    photo = str(demo_photo(tmp_path / "p.jpg"))
    too_many = tuple(MediaFile(photo, "image/jpeg") for _ in range(21))
    video = (MediaFile(str(tmp_path / "v.mp4"), "video/mp4"),)
    with client(linkedin) as http:
        many = conn(clock).publish(http, creds(), Outgoing("Lots", "k", too_many))
        film = conn(clock).publish(http, creds(), Outgoing("Film", "k", video))
    assert many.kind == "rejected" and "20" in many.detail
    assert film.kind == "rejected" and "video/mp4" in film.detail
    assert not linkedin.requests


def test_a_thread_reply_is_refused(linkedin: FakeLinkedIn, clock: object) -> None:
    part = Outgoing("part 2", "k", reply_to=Posted("urn:li:share:1"), root=Posted("urn:li:share:1"))
    with client(linkedin) as http:
        r = conn(clock).publish(http, creds(), part)
    assert r.kind == "rejected" and "thread" in r.detail and not linkedin.requests


# ---------------------------------------------------------------------------- errors


def test_errors_are_told_apart(linkedin: FakeLinkedIn, clock: object) -> None:
    c = conn(clock)
    with client(linkedin) as http:
        too_long = c.publish(http, creds(), Outgoing("x" * 3001, "k3"))
        just_fits = c.publish(http, creds(), Outgoing("(" * 3000, "k3b"))
        revoked = c.publish(http, creds(token="revoked-token"), Outgoing("hi", "k4"))
        expired = c.publish(http, creds(token="expired-token"), Outgoing("hi", "k5"))
        unknown = c.publish(http, creds(token="nonsense"), Outgoing("hi", "k6"))
    assert too_long.kind == "rejected" and too_long.status == 400
    assert "3001 characters" in too_long.detail and "Exception" not in too_long.detail
    assert just_fits.kind == "published"  # the limit counts what readers see, not escapes
    assert revoked.kind == "auth" and revoked.status == 401 and "revoked" in revoked.detail
    assert expired.kind == "auth" and "expired" in expired.detail
    assert unknown.kind == "auth" and "nonsense" not in unknown.detail
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        with client(linkedin, lambda _req, f=fault: f) as http:
            r = c.publish(http, creds(), Outgoing(f"fault {fault}", f"k-{fault}"))
        assert r.kind == kind, (fault, r)
        if fault == "429":
            # No rate-limit headers: a daily limit resets at midnight UTC, 15 h after 09:00.
            assert r.retry_after == 15 * 3600 and "DAY limit" in r.detail


def test_a_429_with_retry_after_waits_that_long(linkedin: FakeLinkedIn, clock: object) -> None:
    linkedin.retry_after_header = "30"
    with client(linkedin, lambda _req: "429") as http:
        r = conn(clock).publish(http, creds(), Outgoing("hi", "k"))
    assert r.kind == "retry" and r.retry_after == 30


def test_a_failed_image_upload_is_safe_to_retry(
    linkedin: FakeLinkedIn, clock: object, tmp_path: Path
) -> None:
    photo = str(demo_photo(tmp_path / "p.jpg"))
    post = Outgoing("With a picture", "k", (MediaFile(photo, "image/jpeg"),))
    for step in ("/rest/images", "/dms-uploads/"):
        with client(linkedin, lambda req, s=step: "drop" if s in req.url.path else None) as http:
            r = conn(clock).publish(http, creds(), post)
        assert r.kind == "retry", (step, r)
    assert not linkedin.posts


# ---------------------------------------------------------------------------- finding


@AUTHORS
def test_find_sees_a_post_whose_answer_was_dropped(
    linkedin: FakeLinkedIn, clock: object, author: str
) -> None:
    c = conn(clock)
    post = Outgoing("Line one (with parens)\n\nline #two", "k5")
    since = clock()  # type: ignore[operator]
    with client(linkedin, lambda req: "drop" if req.method == "POST" else None) as http:
        assert c.publish(http, creds(author), post).kind == "unknown"
    with client(linkedin) as http:
        found = c.find(http, creds(author), post, since)
        assert found is not None and found.kind == "published"
        assert found.remote_id == linkedin.posts[0]["id"]
        assert c.find(http, creds(author), Outgoing("never sent", "k6"), since) is None
    finder = linkedin.requests[-1]
    assert finder.headers["x-restli-method"] == "FINDER"
    assert finder.url.params["q"] == "author" and finder.url.params["sortBy"] == "LAST_MODIFIED"
    assert f"author={author.replace(':', '%3A')}" in finder.url.query.decode()


def test_find_pages_back_to_the_first_attempt_and_no_further(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    now: datetime = clock()  # type: ignore[operator]
    for i in range(30):  # one post every ten minutes, the newest first
        linkedin.seed(MEMBER, f"older post {i}", now - timedelta(minutes=10 * i))
    c = conn(clock, page_size=10, max_pages=5)
    with client(linkedin) as http:
        found = c.find(http, creds(), Outgoing("older post 23", "k"), now - timedelta(hours=5))
        assert found is not None and found.kind == "published"
        assert len(linkedin.requests) == 3  # pages at 0, 10, 20
        linkedin.requests.clear()
        # First attempt an hour ago: posts from 65 minutes back are enough.
        assert c.find(http, creds(), Outgoing("never sent", "k"), now - timedelta(hours=1)) is None
        assert len(linkedin.requests) == 1
        linkedin.requests.clear()
        assert c.find(http, creds(), Outgoing("never sent", "k"), None) is None  # the end
        assert len(linkedin.requests) == 4  # a full last page: one more look finds nothing
        capped = conn(clock, page_size=10, max_pages=2).find(
            http, creds(), Outgoing("never sent", "k"), None
        )
    assert capped is not None and capped.kind == "unknown" and "20" in capped.detail


def test_find_without_the_read_permission_is_unknown(linkedin: FakeLinkedIn, clock: object) -> None:
    member = "urn:li:person:wo555"
    with client(linkedin) as http:
        r = conn(clock).find(http, creds(member, "share-only-token"), Outgoing("x", "k"), None)
    assert r is not None and r.kind == "unknown" and "r_member_social" in r.detail


def delete_over_http(http: httpx.Client, fake: FakeLinkedIn, urn: str, token: str) -> None:
    """The author deletes the post (Posts API: DELETE /rest/posts/{encoded URN})."""
    answer = http.delete(
        f"{BASE}/rest/posts/{quote(urn, safe='')}",
        headers={
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        },
    )
    assert answer.status_code == 204, answer.text
    assert all(p["id"] != urn for p in fake.posts)


@AUTHORS
def test_a_duplicate_of_a_post_the_account_shows_is_that_post(
    linkedin: FakeLinkedIn, clock: object, author: str
) -> None:
    """Readable (a page with r_organization_social, a member app granted r_member_social):
    the post LinkedIn names is seen on the account, so the duplicate is published."""
    c = conn(clock)
    with client(linkedin) as http:
        first = c.publish(http, creds(author), Outgoing("Same words", "k1"))
        again = c.publish(http, creds(author), Outgoing("Same  words", "k2"))
    assert again.kind == "published" and again.remote_id == first.remote_id
    assert linkedin.published() == {"Same words": 1}
    assert [r.method for r in linkedin.requests] == ["POST", "POST", "GET"]


@AUTHORS
def test_a_duplicate_of_a_deleted_post_on_a_readable_account_is_refused(
    linkedin: FakeLinkedIn, clock: object, author: str
) -> None:
    c = conn(clock)
    with client(linkedin) as http:
        first = c.publish(http, creds(author), Outgoing("Gone soon", "k1"))
        assert first.remote_id is not None
        delete_over_http(http, linkedin, first.remote_id, "good-token")
        again = c.publish(http, creds(author), Outgoing("Gone soon", "k2"))
    assert again.kind == "rejected" and again.remote_id is None
    assert "duplicate" in again.detail and first.remote_id in again.detail
    assert "no longer on the account" in again.detail
    assert linkedin.published() == {}


@pytest.mark.parametrize("deleted", [True, False], ids=["deleted", "still-there"])
def test_a_duplicate_for_a_member_who_cannot_read_is_never_published(
    linkedin: FakeLinkedIn, clock: object, deleted: bool
) -> None:
    """The bug: a member app has w_member_social only, so the account cannot be read, and the
    post LinkedIn named was taken as published, though LinkedIn names deleted posts too."""
    share_only = creds("urn:li:person:wo555", "share-only-token")
    c = conn(clock)
    with client(linkedin) as http:
        first = c.publish(http, share_only, Outgoing("Once only", "k1"))
        assert first.remote_id is not None
        if deleted:
            delete_over_http(http, linkedin, first.remote_id, "share-only-token")
        again = c.publish(http, share_only, Outgoing("Once only", "k2"))
    assert again.kind == "rejected" and again.remote_id is None and again.status == 422
    assert first.remote_id in again.detail  # which post to look for, and where
    assert f"https://www.linkedin.com/feed/update/{first.remote_id}/" in again.detail
    assert "cannot read the account's posts" in again.detail
    assert "if the post is there, cancel this" in again.detail
    assert "--not-there" in again.detail
    assert linkedin.published() == ({} if deleted else {"Once only": 1})


def test_a_duplicate_whose_check_failed_for_a_while_is_looked_at_again(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    c = conn(clock)
    with client(linkedin) as http:
        c.publish(http, creds(), Outgoing("Flaky read", "k1"))
    with client(linkedin, lambda r: "500-before" if r.method == "GET" else None) as http:
        again = c.publish(http, creds(), Outgoing("Flaky read", "k2"))
    assert again.kind == "unknown" and "duplicate" in again.detail


def test_a_deleted_duplicate_needs_attention_in_the_worker(store: Store, clock: Any) -> None:
    """End to end: the delivery ends as needs attention with the message, not published."""
    from test_worker import at, checker

    from tactful.publish.credentials import save_credentials
    from tactful.publish.outbox import get_post, schedule
    from tactful.publish.worker import Worker
    from tactful.store.accounts import add_account

    fake = FakeLinkedIn(clock=clock)
    member = "urn:li:person:wo555"
    with client(fake) as http:
        first = conn(clock).publish(
            http, creds(member, "share-only-token"), Outgoing("Hiring now.", "k0")
        )
        assert first.remote_id is not None
        delete_over_http(http, fake, first.remote_id, "share-only-token")
    with store.session() as s:
        add_account(s, "jo-li", platform="linkedin", kind="professional", handle="jo")
        save_credentials(s, "jo-li", token="share-only-token", base_url=BASE, remote_user=member)
    with store.session() as s:
        done = schedule(s, checker(store), "Hiring now.", ["jo-li"], at(clock, 1), actor="jo")
    clock.advance(minutes=2)
    Worker(store, name="w", clock=clock, lease_clock=clock.database, http=client(fake),
           connector_for=lambda _p: conn(clock)).run_once()  # fmt: skip
    with store.session() as s:
        d = get_post(s, f"#{done.post_id}").deliveries[0]
    assert d.state == "needs_attention" and d.remote_url is None
    assert first.remote_id in (d.last_error or "") and "--not-there" in (d.last_error or "")
    assert fake.published() == {}


# ---------------------------------------------------------------------------- tokens


def refreshable(**extra: object) -> Credentials:
    base = {
        "refresh_token": "good-refresh",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "oauth_url": OAUTH_BASE,
    }
    return Credentials(BASE, "expired-token", MEMBER, {**base, **extra})


def test_refresh_returns_new_credentials(linkedin: FakeLinkedIn, clock: object) -> None:
    now: datetime = clock()  # type: ignore[operator]
    c = conn(clock)
    with client(linkedin) as http:
        fresh = c.refresh(http, refreshable())
        assert isinstance(fresh, Credentials)
        assert fresh.token != "expired-token" and fresh.token in linkedin.tokens
        assert fresh.expires_at == now + timedelta(days=60)
        assert fresh.remote_user == MEMBER and fresh.base_url == BASE
        assert fresh.extra["refresh_token"] == "good-refresh"
        assert fresh.extra["refresh_token_expires_at"] == (now + timedelta(days=365)).isoformat()
        assert c.publish(http, fresh, Outgoing("after refresh", "k")).kind == "published"
    asked = linkedin.requests[0]
    assert asked.url == httpx.URL(f"{OAUTH_BASE}/oauth/v2/accessToken")
    assert asked.headers["content-type"] == "application/x-www-form-urlencoded"
    form = dict(httpx.QueryParams(asked.content.decode()))
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "good-refresh",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def test_a_revoked_refresh_token_means_connecting_again(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    del linkedin.refresh_tokens["good-refresh"]
    with client(linkedin) as http:
        r = conn(clock).refresh(http, refreshable())
    assert isinstance(r, Result) and r.kind == "auth" and r.status == 400
    assert "connect the account again" in r.detail and "good-refresh" not in r.detail


def test_without_a_refresh_token_the_detail_says_when_to_reconnect(
    linkedin: FakeLinkedIn, clock: object
) -> None:
    creds_ = Credentials(
        BASE, "good-token", MEMBER, {}, expires_at=datetime(2027, 1, 22, 9, 0, tzinfo=UTC)
    )
    with client(linkedin) as http:
        r = conn(clock).refresh(http, creds_)
    assert isinstance(r, Result) and r.kind == "auth"
    assert r.detail == (
        "LinkedIn gave no refresh token; connect the account again before 2027-01-22 09:00 UTC"
    )
    assert not linkedin.requests


def test_refresh_faults_are_retry_or_unknown(linkedin: FakeLinkedIn, clock: object) -> None:
    for fault, kind in (("refuse", "retry"), ("drop", "unknown"), ("500-before", "unknown")):
        with client(linkedin, lambda _req, f=fault: f) as http:
            r = conn(clock).refresh(http, refreshable())
        assert isinstance(r, Result) and r.kind == kind, (fault, r)


def test_whoami_reads_the_member_urn(linkedin: FakeLinkedIn) -> None:
    linkedin.tokens["login-only"] = Grant("abc123", frozenset({"w_member_social"}))
    with client(linkedin) as http:
        assert whoami(http, BASE, "good-token") == MEMBER
        with pytest.raises(InputError) as bad:
            whoami(http, BASE, "nonsense")
        with pytest.raises(InputError) as scoped:
            whoami(http, BASE, "login-only")
    assert "refused the token" in str(bad.value) and "\n" not in str(bad.value)
    assert "nonsense" not in str(bad.value)
    assert "openid" in str(scoped.value)
    assert linkedin.requests[0].url == httpx.URL(f"{BASE}/v2/userinfo")
