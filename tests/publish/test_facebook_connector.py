"""The Facebook Page connector against the fake Graph API, and the Graph error model that
the Facebook and Instagram connectors share."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from fake_graph import BASE, PAGE_ID, TOKEN, FakeGraph, client

from tactful.errors import InputError
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing, Result
from tactful.publish.connectors.facebook import FacebookConnector
from tactful.publish.connectors.graph import (
    GRAPH_URL,
    THROTTLE_WAIT,
    api_url,
    graph_result,
    linked_instagram,
    walk,
    whoami,
)
from tactful.web.demo import demo_photo

CREDS = Credentials(BASE, TOKEN, PAGE_ID)


@pytest.fixture
def graph(clock: object) -> FakeGraph:
    return FakeGraph(clock=clock)  # type: ignore[arg-type]


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_a_text_post_goes_to_the_page_feed_with_the_page_token(graph: FakeGraph) -> None:
    with client(graph) as http:
        r = FacebookConnector().publish(http, CREDS, Outgoing("Fresh bread at 8 🍞", "k1"))
    assert r.kind == "published"
    assert r.remote_id == graph.posts[0]["id"] and r.remote_id.startswith(f"{PAGE_ID}_")
    assert r.url == f"https://www.facebook.com/{r.remote_id}"
    sent = graph.requests[0]
    assert (sent.method, sent.url.path) == ("POST", f"/v25.0/{PAGE_ID}/feed")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert "access_token" not in str(sent.url)
    assert form(sent) == {"message": "Fresh bread at 8 🍞"}
    assert graph.published("facebook") == {"Fresh bread at 8 🍞": 1}


def test_one_image_is_one_photos_request_with_the_caption(graph: FakeGraph, tmp_path: Path) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    media = (MediaFile(str(photo), "image/jpeg", "Loaves on a shelf"),)
    with client(graph) as http:
        r = FacebookConnector().publish(http, CREDS, Outgoing("Today's bake", "k2", media))
    assert r.kind == "published"
    assert graph.paths() == [f"POST /{PAGE_ID}/photos"]
    sent = graph.requests[0]
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert b'name="source"; filename="p.jpg"' in sent.content
    (stored,) = graph.photos.values()
    assert stored["bytes"] == photo.read_bytes() and stored["published"]
    assert stored["alt_text_custom"] == "Loaves on a shelf"
    assert graph.posts[0]["message"] == "Today's bake"
    assert r.remote_id == graph.posts[0]["id"] and graph.posts[0]["photos"] == [stored["id"]]


def test_two_images_are_uploaded_unpublished_then_attached_to_one_post(
    graph: FakeGraph, tmp_path: Path
) -> None:
    first = demo_photo(tmp_path / "a.jpg")
    second = demo_photo(tmp_path / "b.jpg", sky=(200, 120, 90))
    media = (MediaFile(str(first), "image/jpeg"), MediaFile(str(second), "image/jpeg"))
    with client(graph) as http:
        r = FacebookConnector().publish(http, CREDS, Outgoing("Two loaves", "k3", media))
    assert r.kind == "published"
    assert graph.paths() == [
        f"POST /{PAGE_ID}/photos",
        f"POST /{PAGE_ID}/photos",
        f"POST /{PAGE_ID}/feed",
    ]
    for upload in graph.requests[:2]:
        assert b'name="published"\r\n\r\nfalse' in upload.content
    ids = list(graph.photos)
    feed = form(graph.requests[2])
    assert feed["message"] == "Two loaves"
    assert [json.loads(feed[f"attached_media[{i}]"]) for i in (0, 1)] == [
        {"media_fbid": ids[0]},
        {"media_fbid": ids[1]},
    ]
    assert len(graph.posts) == 1 and graph.posts[0]["photos"] == ids
    assert r.remote_id == graph.posts[0]["id"]


def test_errors_are_told_apart(graph: FakeGraph) -> None:
    conn = FacebookConnector()
    with client(graph) as http:
        too_long = conn.publish(http, CREDS, Outgoing("x" * 63207, "k4"))
        bad = conn.publish(http, Credentials(BASE, "forged", PAGE_ID), Outgoing("hi", "k5"))
        expired = conn.publish(
            http, Credentials(BASE, "expired-token", PAGE_ID), Outgoing("hi", "k6")
        )
        no_right = conn.publish(
            http, Credentials(BASE, "no-publish-token", PAGE_ID), Outgoing("hi", "k7")
        )
        other_page = conn.publish(http, Credentials(BASE, TOKEN, "999"), Outgoing("hi", "k8"))
    assert too_long.kind == "rejected" and "too long" in too_long.detail
    assert bad.kind == "auth" and bad.status == 400 and "connect the account again" in bad.detail
    assert expired.kind == "auth" and "expired" in expired.detail
    assert no_right.kind == "auth" and "pages_manage_posts" in no_right.detail
    assert other_page.kind == "rejected" and "does not exist" in other_page.detail
    for r in (too_long, bad, expired, no_right, other_page):
        assert TOKEN not in r.detail and "forged" not in r.detail
    assert not graph.posts
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        with client(graph, lambda _req, f=fault: f) as http:
            r = conn.publish(http, CREDS, Outgoing(f"fault {fault}", f"k-{fault}"))
        assert r.kind == kind, (fault, r)
        if fault == "429":  # estimated_time_to_regain_access: 2 minutes
            assert r.retry_after == 120 and "80001" in r.detail


def test_a_lost_answer_to_an_upload_is_safe_but_to_a_published_photo_it_is_unknown(
    graph: FakeGraph, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "p.jpg")
    one = (MediaFile(str(photo), "image/jpeg"),)
    two = one * 2
    conn = FacebookConnector()
    with client(graph, lambda req: "drop" if req.url.path.endswith("/photos") else None) as http:
        single = conn.publish(http, CREDS, Outgoing("one photo", "k9", one))
        several = conn.publish(http, CREDS, Outgoing("two photos", "k10", two))
    assert single.kind == "unknown"  # the photo post may be up: reconcile, never resend
    assert graph.published() == {"one photo": 1}
    assert several.kind == "retry"  # an unpublished upload is never shown
    assert graph.published()["two photos"] == 0


def test_photos_of_a_post_that_did_not_go_out_are_deleted_but_not_of_one_that_may_have(
    graph: FakeGraph, tmp_path: Path
) -> None:
    two = (MediaFile(str(demo_photo(tmp_path / "p.jpg")), "image/jpeg"),) * 2
    conn = FacebookConnector()
    for fault, kind, deleted in (("429", "retry", True), ("drop", "unknown", False)):
        graph.photos.clear()
        at_feed = lambda req, f=fault: f if req.url.path.endswith("/feed") else None  # noqa: E731
        with client(graph, at_feed) as http:
            r = conn.publish(http, CREDS, Outgoing(f"feed {fault}", f"k-{fault}", two))
        assert r.kind == kind
        assert [p["deleted"] for p in graph.photos.values()] == [deleted, deleted], fault
    assert graph.published() == {"feed drop": 1}  # the lost answer: the post is up, photos in it


def test_find_sees_a_post_whose_answer_was_lost(graph: FakeGraph, clock: object) -> None:
    conn = FacebookConnector()
    started = clock()  # type: ignore[operator]
    post = Outgoing("Line one\n\nline   two", "k11")
    with client(graph, lambda req: "drop" if req.method == "POST" else None) as http:
        assert conn.publish(http, CREDS, post).kind == "unknown"
    with client(graph) as http:
        found = conn.find(http, CREDS, Outgoing("Line one line two", "k11"), started)
        missing = conn.find(http, CREDS, Outgoing("never sent", "k12"), started)
    assert found is not None and found.kind == "published"
    assert found.remote_id == graph.posts[0]["id"]
    assert found.url == graph.posts[0]["permalink_url"]
    assert missing is None
    listing = graph.requests[-1]
    assert listing.url.path == f"/v25.0/{PAGE_ID}/posts"
    assert listing.url.params["since"] == str(int(started.timestamp()) - 300)
    assert set(listing.url.params["fields"].split(",")) == {
        "id",
        "message",
        "created_time",
        "permalink_url",
    }


def test_find_does_not_take_an_older_post_with_the_same_text(
    graph: FakeGraph, clock: object
) -> None:
    conn = FacebookConnector()
    with client(graph) as http:
        old = conn.publish(http, CREDS, Outgoing("Open today", "k13"))
        clock.advance(hours=3)  # type: ignore[attr-defined]
        started = clock()  # type: ignore[operator]
        assert conn.find(http, CREDS, Outgoing("Open today", "k14"), started) is None
        again = conn.find(http, CREDS, Outgoing("Open today", "k14"), None)
    assert again is not None and again.remote_id == old.remote_id  # no since: anything goes


def test_find_pages_back_and_says_unknown_when_it_cannot_read(
    graph: FakeGraph, clock: object
) -> None:
    conn = FacebookConnector()
    with client(graph) as http:
        for i in range(30):
            assert conn.publish(http, CREDS, Outgoing(f"post {i}", f"p{i}")).kind == "published"
        graph.requests.clear()
        found = conn.find(http, CREDS, Outgoing("post 0", "p0"), None)
    assert found is not None and found.remote_id == graph.posts[0]["id"]
    assert graph.paths() == [f"GET /{PAGE_ID}/posts"] * 2  # the oldest is on the second page
    assert "after" in graph.requests[1].url.params
    with client(graph, lambda req: "refuse" if req.method == "GET" else None) as http:
        blind = conn.find(http, CREDS, Outgoing("post 0", "p0"), None)
    assert blind is not None and blind.kind == "unknown"
    no_page = conn.find(httpx.Client(), Credentials(BASE, TOKEN), Outgoing("x", "k"), None)
    assert no_page is not None and no_page.kind == "unknown"


def test_verify_and_whoami_name_the_page(graph: FakeGraph) -> None:
    with client(graph) as http:
        assert FacebookConnector().verify(http, CREDS) == PAGE_ID
        me = whoami(http, CREDS)
        assert isinstance(me, dict) and me["id"] == PAGE_ID
        assert linked_instagram(http, CREDS, PAGE_ID) == graph.linked[PAGE_ID]
        with pytest.raises(InputError, match="refused"):
            FacebookConnector().verify(http, Credentials(BASE, "forged"))
    assert api_url(Credentials(None, TOKEN), "/me") == f"{GRAPH_URL}/me"
    assert GRAPH_URL.startswith("https://graph.facebook.com/v")


def test_walk_stops_at_the_cap_and_strips_a_token_from_next_urls(graph: FakeGraph) -> None:
    with client(graph) as http:
        for i in range(5):
            FacebookConnector().publish(http, CREDS, Outgoing(f"n{i}", f"n{i}"))
        graph.requests.clear()
        pages = list(
            walk(http, CREDS, f"/{PAGE_ID}/posts", {"limit": "2", "access_token": TOKEN}, 2)
        )
    assert [len(p) for p in pages if isinstance(p, list)] == [2, 2]
    assert isinstance(pages[-1], Result) and pages[-1].kind == "unknown"
    assert "access_token" not in str(graph.requests[1].url)


# -- the Graph error model ------------------------------------------------------------------


def answer(status: int, error: object, **headers: str) -> httpx.Response:
    body = {"error": error} if isinstance(error, dict) else error
    return httpx.Response(status, json=body, headers=headers, request=httpx.Request("POST", BASE))


def err(
    code: int, sub: int | None = None, message: str = "msg", **more: object
) -> dict[str, object]:
    e: dict[str, object] = {"message": message, "type": "OAuthException", "code": code}
    if sub is not None:
        e["error_subcode"] = sub
    return {**e, **more, "fbtrace_id": "Abc"}


BUC = json.dumps(
    {
        PAGE_ID: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 5,
                "total_time": 5,
                "estimated_time_to_regain_access": 7,
            }
        ],
        "17841400000000001": [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 5,
                "total_time": 5,
                "estimated_time_to_regain_access": 12,
            }
        ],
    }
)


@pytest.mark.parametrize(
    ("response", "kind", "wait", "says"),
    [
        (answer(400, err(190, message="Invalid OAuth access token")), "auth", None, "not valid"),
        (answer(400, err(190, 463)), "auth", None, "expired"),
        (answer(400, err(190, 460)), "auth", None, "password was changed"),
        (answer(400, err(190, 458)), "auth", None, "app was removed"),
        (answer(400, err(102)), "auth", None, "connect"),
        (
            answer(403, err(200, message="(#200) Requires pages_manage_posts permission")),
            "auth",
            None,
            "pages_manage_posts",
        ),
        (
            answer(403, err(10, message="(#10) Application does not have permission")),
            "auth",
            None,
            "pages_manage_posts",
        ),
        (
            answer(
                400,
                err(4),
                **{"X-App-Usage": '{"call_count":100,"total_cputime":3,"total_time":4}'},
            ),
            "retry",
            THROTTLE_WAIT,
            "throttling",
        ),
        (answer(400, err(17), **{"Retry-After": "42"}), "retry", 42.0, "throttling"),
        (
            answer(
                400,
                err(32),
                **{
                    "X-Page-Usage": '{"call_count":100,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":3}'
                },
            ),
            "retry",
            180.0,
            "throttling",
        ),
        (answer(400, err(613)), "retry", THROTTLE_WAIT, "throttling"),
        (
            answer(400, err(80001), **{"X-Business-Use-Case-Usage": BUC}),
            "retry",
            720.0,
            "throttling",
        ),
        (
            answer(400, err(80002), **{"X-Business-Use-Case-Usage": BUC}),
            "retry",
            720.0,
            "throttling",
        ),
        (answer(400, err(9, 2207042)), "retry", 3600.0, "daily publishing limit"),
        (answer(400, err(4, 2207051)), "rejected", None, "spam"),
        (
            answer(400, err(100, message="(#100) Invalid parameter")),
            "rejected",
            None,
            "Invalid parameter",
        ),
        (answer(400, err(100, 33)), "rejected", None, "refused it"),
        (answer(400, err(506, message="Duplicate status message")), "rejected", None, "duplicate"),
        (answer(400, err(368)), "rejected", None, "blocked"),
        (
            answer(400, err(36001, 2207005, error_user_msg="Supported formats are: JPEG.")),
            "rejected",
            None,
            "JPEG",
        ),
        (answer(500, err(1, message="An unknown error occurred")), "unknown", None, "temporary"),
        (
            answer(500, err(2, message="Service temporarily unavailable", is_transient=True)),
            "unknown",
            None,
            "temporary",
        ),
        (answer(400, err(-1, 2207001)), "unknown", None, "temporary"),
        (answer(400, err(9007, 2207027)), "retry", None, "preparing"),
        (answer(400, err(25, 2207050)), "auth", None, "restricted"),
        (answer(502, {"error": "Bad Gateway"}), "unknown", None, "502"),
        (
            httpx.Response(503, text="<html>down</html>", request=httpx.Request("GET", BASE)),
            "unknown",
            None,
            "503",
        ),
    ],
)
def test_graph_errors_map_onto_results(
    response: httpx.Response, kind: str, wait: float | None, says: str
) -> None:
    r = graph_result(response, permission="pages_manage_posts")
    assert (r.kind, r.retry_after) == (kind, wait), r
    assert says.lower() in r.detail.lower()
    assert r.status == response.status_code


def test_temporary_trouble_is_retry_for_a_read() -> None:
    r = graph_result(answer(500, err(2, message="Service temporarily unavailable")), creating=False)
    assert r.kind == "retry"
    assert graph_result(answer(400, err(1)), creating=True).kind == "unknown"


def test_the_fakes_throttle_answer_is_the_documented_one(graph: FakeGraph) -> None:
    throttled = graph.rate_limited()
    throttled.request = httpx.Request("POST", BASE)
    r = graph_result(throttled)
    assert throttled.status_code == 400 and r.kind == "retry" and r.retry_after == 120
    ok = graph.handle(
        httpx.Request("GET", f"{BASE}/me", headers={"Authorization": f"Bearer {TOKEN}"})
    )
    assert ok.status_code == 200 and "x-business-use-case-usage" in ok.headers
    assert graph_result(answer(400, err(4), **dict(ok.headers))).retry_after == THROTTLE_WAIT


def test_graph_time_reads_the_graph_format() -> None:
    from tactful.publish.connectors.graph import graph_time

    assert graph_time("2026-11-23T09:00:00+0000") == datetime(2026, 11, 23, 9, tzinfo=UTC)
    assert graph_time("nonsense") is None and graph_time(None) is None
