"""The Instagram connector against the fake Graph API: the image hosted as an unpublished
photo of the linked Page, a container made from its URL, polled, published, its permalink
read, the photo deleted after."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from fake_graph import BASE, CDN, IG_ID, PAGE_ID, TOKEN, FakeGraph, client

from tactful.errors import InputError
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing
from tactful.publish.connectors.graph import graph_result
from tactful.publish.connectors.instagram import InstagramConnector
from tactful.web.demo import demo_photo

CREDS = Credentials(BASE, TOKEN, IG_ID, extra={"page_id": PAGE_ID})


@pytest.fixture
def graph(clock: object) -> FakeGraph:
    return FakeGraph(clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def photo(tmp_path: Path) -> tuple[MediaFile, ...]:
    return (MediaFile(str(demo_photo(tmp_path / "p.jpg")), "image/jpeg", "A loaf, sliced"),)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def conn() -> InstagramConnector:
    return InstagramConnector(poll_wait=0)


def test_an_image_post_goes_through_a_hosted_photo_a_container_and_media_publish(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    with client(graph) as http:
        r = conn().publish(http, CREDS, Outgoing("Sourdough day #bread", "k1", photo))
    assert r.kind == "published"
    (hosted,) = graph.photos.values()
    (container,) = graph.containers.values()
    (media,) = graph.media
    assert graph.paths() == [
        f"POST /{PAGE_ID}/photos",  # hosted, unpublished
        f"GET /{hosted['id']}",  # its full-size URL
        f"POST /{IG_ID}/media",  # the container
        f"GET /{container['id']}",  # IN_PROGRESS
        f"GET /{container['id']}",  # FINISHED
        f"POST /{IG_ID}/media_publish",
        f"GET /{media['id']}",  # the permalink
        f"DELETE /{hosted['id']}",  # the hosted photo, no longer needed
    ]
    assert all(q.headers["authorization"] == f"Bearer {TOKEN}" for q in graph.requests)
    upload = graph.requests[0]
    assert b'name="published"\r\n\r\nfalse' in upload.content
    assert b'name="source"; filename="p.jpg"' in upload.content
    assert hosted["bytes"] == Path(photo[0].path).read_bytes()
    assert not hosted["published"] and hosted["deleted"] and not graph.posts  # never on the Page
    assert graph.requests[1].url.params["fields"] == "images"
    made = form(graph.requests[2])
    assert made["image_url"].startswith(CDN) and container["width"] == 640  # the full size
    assert made["caption"] == "Sourdough day #bread" and made["alt_text"] == "A loaf, sliced"
    assert form(graph.requests[5]) == {"creation_id": container["id"]}
    assert graph.requests[6].url.params["fields"] == "permalink"
    assert (r.remote_id, r.url) == (media["id"], media["permalink"])
    assert r.url.startswith("https://www.instagram.com/p/")
    assert graph.published("instagram") == {"Sourdough day #bread": 1}


def test_the_container_is_polled_until_finished_and_not_ready_is_waited_out(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    graph.container_polls = 3
    graph.not_ready_publishes = 1
    with client(graph) as http:
        r = conn().publish(http, CREDS, Outgoing("Slow oven", "k2", photo))
    assert r.kind == "published"
    paths = graph.paths()
    container = next(iter(graph.containers))
    assert paths.count(f"GET /{container}") == 5  # 3 IN_PROGRESS, FINISHED, again after 9007
    assert paths.count(f"POST /{IG_ID}/media_publish") == 2
    assert graph.published("instagram") == {"Slow oven": 1}


def test_a_container_that_never_finishes_is_retried_later(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    graph.container_polls = 10_000
    with client(graph) as http:
        r = conn().publish(http, CREDS, Outgoing("Never ready", "k3", photo))
    assert r.kind == "retry" and "processing" in r.detail
    assert not graph.media and all(p["deleted"] for p in graph.photos.values())


def test_only_one_jpeg_image_with_a_fitting_caption_is_accepted(
    graph: FakeGraph, photo: tuple[MediaFile, ...], tmp_path: Path
) -> None:
    from PIL import Image

    png = tmp_path / "p.png"
    Image.new("RGB", (400, 400), (10, 20, 30)).save(png, "PNG")
    cases = {
        "no image": Outgoing("Just words", "k4"),
        "png": Outgoing("A PNG", "k5", (MediaFile(str(png), "image/png"),)),
        "png said jpeg": Outgoing("A PNG", "k6", (MediaFile(str(png), "image/jpeg"),)),
        "two": Outgoing("Two", "k7", photo * 2),
        "long": Outgoing("x" * 2201, "k8", photo),
        "hashtags": Outgoing(" ".join(f"#t{i}" for i in range(31)), "k9", photo),
    }
    with client(graph) as http:
        got = {name: conn().publish(http, CREDS, post) for name, post in cases.items()}
        fits = conn().publish(http, CREDS, Outgoing("x" * 2200, "k10", photo))
    assert all(r.kind == "rejected" for r in got.values()), got
    assert "needs an image" in got["no image"].detail
    assert "JPEG" in got["png"].detail and "JPEG" in got["png said jpeg"].detail
    assert "carousel" in got["two"].detail
    assert "2201 characters" in got["long"].detail and "allows 2200" in got["long"].detail
    assert "31 hashtags" in got["hashtags"].detail and "allows 30" in got["hashtags"].detail
    assert fits.kind == "published"
    assert graph.paths()[0] == f"POST /{PAGE_ID}/photos"  # nothing was sent for the refused


def test_the_fake_refuses_what_instagram_refuses(graph: FakeGraph) -> None:
    """The documented container errors, as the connector would map them."""
    with client(graph) as http:

        def container(**data: str) -> httpx.Response:
            return http.post(
                f"{BASE}/{IG_ID}/media",
                data=data,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )

        long = container(image_url=f"{CDN}/x.jpg", caption="x" * 2201)
        unfetchable = container(image_url="https://example.org/p.jpg", caption="hi")
    assert (long.json()["error"]["code"], long.json()["error"]["error_subcode"]) == (36004, 2207010)
    assert graph_result(long, network="Instagram").kind == "rejected"
    assert unfetchable.json()["error"]["error_subcode"] == 2207052


def test_errors_are_told_apart(graph: FakeGraph, photo: tuple[MediaFile, ...]) -> None:
    with client(graph) as http:
        bad = conn().publish(
            http,
            Credentials(BASE, "forged", IG_ID, extra={"page_id": PAGE_ID}),
            Outgoing("hi", "k11", photo),
        )
        expired = conn().publish(
            http,
            Credentials(BASE, "expired-token", IG_ID, extra={"page_id": PAGE_ID}),
            Outgoing("hi", "k12", photo),
        )
        unlinked = conn().publish(
            http, Credentials(BASE, TOKEN, IG_ID), Outgoing("hi", "k13", photo)
        )
    assert bad.kind == "auth" and "connect the account again" in bad.detail
    assert expired.kind == "auth" and "expired" in expired.detail
    assert unlinked.kind == "auth" and "Page id" in unlinked.detail
    # Hosting works with this token but publishing to Instagram is not granted.
    graph.granted["no-publish-token"] = frozenset({"pages_manage_posts", "pages_read_engagement"})
    with client(graph) as http:
        no_right = conn().publish(
            http,
            Credentials(BASE, "no-publish-token", IG_ID, extra={"page_id": PAGE_ID}),
            Outgoing("hi", "k14", photo),
        )
    assert no_right.kind == "auth" and "instagram_content_publish" in no_right.detail
    assert all(p["deleted"] for p in graph.photos.values())  # cleaned up after a failure too
    assert not graph.media


def test_faults_on_media_publish_are_told_apart(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    for fault, kind in (
        ("refuse", "retry"),
        ("drop", "unknown"),
        ("429", "retry"),
        ("502-after", "unknown"),
        ("500-before", "unknown"),
    ):
        at_publish = lambda req, f=fault: f if req.url.path.endswith("/media_publish") else None  # noqa: E731
        with client(graph, at_publish) as http:
            r = conn().publish(http, CREDS, Outgoing(f"fault {fault}", f"k-{fault}", photo))
        assert r.kind == kind, (fault, r)
        if fault == "429":  # the Page's X-Business-Use-Case-Usage: back in 2 minutes
            assert r.retry_after == 120
        assert all(p["deleted"] for p in graph.photos.values()), fault
    assert graph.published("instagram") == {"fault drop": 1, "fault 502-after": 1}


def test_a_lost_answer_before_media_publish_is_safe_to_redo(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    for step in ("/photos", "/media"):
        with client(
            graph, lambda req, s=step: "drop" if req.url.path.endswith(s) else None
        ) as http:
            r = conn().publish(http, CREDS, Outgoing(f"lost at {step}", "k15", photo))
        assert r.kind == "retry", (step, r)
    graph.cdn_down = True  # Instagram cannot download the image: try again later
    with client(graph) as http:
        r = conn().publish(http, CREDS, Outgoing("cdn down", "k16", photo))
    assert r.kind == "retry" and "2207052" in r.detail
    assert not graph.media


def test_published_even_when_the_permalink_cannot_be_read(
    graph: FakeGraph, photo: tuple[MediaFile, ...]
) -> None:
    def fault(req: httpx.Request) -> str | None:
        return "refuse" if req.url.params.get("fields") == "permalink" else None

    with client(graph, fault) as http:
        r = conn().publish(http, CREDS, Outgoing("no link", "k17", photo))
    assert r.kind == "published" and r.remote_id == graph.media[0]["id"] and r.url is None


def test_find_sees_a_post_whose_publish_answer_was_lost(
    graph: FakeGraph, photo: tuple[MediaFile, ...], clock: object
) -> None:
    started = clock()  # type: ignore[operator]
    post = Outgoing("Rye  loaf\nfresh", "k18", photo)
    at_publish = lambda req: "drop" if req.url.path.endswith("/media_publish") else None  # noqa: E731
    with client(graph, at_publish) as http:
        assert conn().publish(http, CREDS, post).kind == "unknown"
    with client(graph) as http:
        found = conn().find(http, CREDS, post, started)
        missing = conn().find(http, CREDS, Outgoing("never sent", "k19", photo), started)
    assert found is not None and found.kind == "published"
    assert (found.remote_id, found.url) == (graph.media[0]["id"], graph.media[0]["permalink"])
    assert missing is None
    listing = graph.requests[-1]
    assert listing.url.path == f"/v25.0/{IG_ID}/media"
    assert set(listing.url.params["fields"].split(",")) == {
        "id",
        "caption",
        "timestamp",
        "permalink",
    }


def test_find_pages_back_to_the_first_attempt(
    graph: FakeGraph, photo: tuple[MediaFile, ...], clock: object
) -> None:
    with client(graph) as http:
        first = conn().publish(http, CREDS, Outgoing("the old one", "k20", photo))
        clock.advance(hours=2)  # type: ignore[attr-defined]
        started = clock()  # type: ignore[operator]
        for i in range(55):
            conn().publish(http, CREDS, Outgoing(f"later {i}", f"l{i}", photo))
        graph.requests.clear()
        found = conn().find(http, CREDS, Outgoing("the old one", "k20", photo), None)
        assert found is not None and found.remote_id == first.remote_id
        assert graph.paths() == [f"GET /{IG_ID}/media"] * 2  # 50 a page
        graph.requests.clear()
        gone = conn().find(http, CREDS, Outgoing("the old one", "k20", photo), started)
        assert gone is None  # older than the first attempt: not looked at past page 2
    with client(graph, lambda req: "500-before") as http:
        blind = conn().find(http, CREDS, Outgoing("x", "k21", photo), started)
    assert blind is not None and blind.kind == "unknown"


def test_verify_finds_the_linked_instagram_account(graph: FakeGraph) -> None:
    with client(graph) as http:
        assert conn().verify(http, CREDS) == IG_ID
        graph.linked.clear()
        with pytest.raises(InputError, match="no Instagram"):
            conn().verify(http, CREDS)
