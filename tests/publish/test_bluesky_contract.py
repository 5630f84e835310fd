"""The Bluesky contract: what the connector sends and what the fake PDS answers, checked
against the atproto lexicons in ../shared/specs/atproto (skipped when they are absent
locally, failing under CI=true), and tactful's Bluesky limits checked against the same
documents so they cannot drift apart."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from atproto_lexicon import (
    LEXICON_DIR,
    LexiconInvalid,
    LexiconMissing,
    Lexicons,
    check_exchange,
    shared_lexicons,
)
from atproto_syntax import make_cid
from fake_bluesky import ABSENT_OK, APP_PASSWORD, BASE, DID, HANDLE, FakeBluesky, client

from tactful.errors import InputError
from tactful.networks.length import platform_specs
from tactful.networks.media import media_rules
from tactful.networks.platforms import Platform
from tactful.publish.connectors import bluesky, bluesky_richtext
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing
from tactful.publish.connectors.bluesky import BlueskyConnector, create_session, record_key
from tactful.web.demo import demo_photo

POST = "app.bsky.feed.post"
CID = make_cid(b"\x01" * 32, 0x71)
BLOB_CID = make_cid(b"\x02" * 32, 0x55)
# Refs the shared copy does not define (lexicons it did not copy). Only createRecord's
# "commit" is on tactful's path; the rest are in views and embeds tactful never sends.
ABSENT = {
    "app.bsky.embed.gallery#main",
    "app.bsky.embed.gallery#view",
    "app.bsky.embed.video#main",
    "app.bsky.embed.video#view",
    "app.bsky.feed.postgate#disableRule",
    "app.bsky.graph.defs#listView",
    "app.bsky.graph.defs#listViewBasic",
    "app.bsky.graph.defs#starterPackViewBasic",
    "app.bsky.labeler.defs#labelerView",
    "app.bsky.notification.defs#activitySubscription",
    "com.atproto.admin.defs#repoRef",
    "com.atproto.repo.defs#commitMeta",
}


@pytest.fixture
def lexicons() -> Lexicons:
    return shared_lexicons(ABSENT_OK)


def definition(lex: Lexicons, ref: str) -> dict[str, Any]:
    return dict(lex.definition(ref)[1])


# --------------------------------------------------------------------------- the documents


def test_the_shared_lexicons_are_complete_for_what_tactful_sends(lexicons: Lexicons) -> None:
    used = {
        "com.atproto.server.createSession",
        "com.atproto.server.refreshSession",
        "com.atproto.repo.uploadBlob",
        "com.atproto.repo.createRecord",
        "com.atproto.repo.getRecord",
        "com.atproto.identity.resolveHandle",
        "app.bsky.feed.post",
        "app.bsky.richtext.facet",
        "app.bsky.embed.images",
        "app.bsky.embed.defs",
        "com.atproto.repo.strongRef",
    }
    assert used <= set(lexicons.documents)
    assert lexicons.missing_refs() == ABSENT
    assert ABSENT_OK <= ABSENT
    source = (LEXICON_DIR / "SOURCE.txt").read_text()
    assert "bluesky-social/atproto" in source  # where they come from, at which commit


def test_tactfuls_bluesky_limits_are_the_lexicons(lexicons: Lexicons) -> None:
    text = definition(lexicons, POST)["record"]["properties"]["text"]
    images = definition(lexicons, "app.bsky.embed.images")["properties"]["images"]
    blob = definition(lexicons, "app.bsky.embed.images#image")["properties"]["image"]
    tag = definition(lexicons, "app.bsky.richtext.facet#tag")["properties"]["tag"]
    assert (
        text["maxGraphemes"],
        text["maxLength"],
    ) == (bluesky_richtext.TEXT_LIMIT, bluesky_richtext.TEXT_MAX_BYTES)
    assert (
        tag["maxGraphemes"],
        tag["maxLength"],
    ) == (bluesky_richtext.TAG_MAX_GRAPHEMES, bluesky_richtext.TAG_MAX_BYTES)
    assert (images["maxLength"], blob["maxSize"]) == (bluesky.MAX_IMAGES, bluesky.IMAGE_MAX_BYTES)
    # The data files the checks read: limits.yml and media.yml.
    spec = platform_specs()[Platform.BLUESKY]
    assert (spec.limit, spec.count, spec.max_bytes) == (300, "graphemes", text["maxLength"])
    assert spec.limit == text["maxGraphemes"]
    rules = media_rules("bluesky")
    assert (rules.max_images, rules.max_bytes) == (images["maxLength"], blob["maxSize"])
    assert all(mime.startswith("image/") for mime in rules.types)  # accept: image/*
    assert blob["accept"] == ["image/*"]


def test_absent_lexicons_skip_locally_and_fail_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import atproto_lexicon

    monkeypatch.setattr(atproto_lexicon, "LEXICON_DIR", tmp_path / "nowhere")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="atproto lexicons are not at"):
        atproto_lexicon.shared_lexicons()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must check the Bluesky contract"):
        atproto_lexicon.shared_lexicons()


# --------------------------------------------------------------------------- a whole run


def test_every_request_and_answer_of_a_run_follows_the_lexicons(clock: Any, tmp_path: Path) -> None:
    """Sign in, refresh, post a thread with images, mentions, tags and links, resend after a
    lost answer (the taken key is read back), look a post up: every request the connector
    sent and every answer the fake gave, checked against the lexicons on their own."""
    fake = FakeBluesky(clock=clock)
    c = BlueskyConnector(clock=clock)
    photo = demo_photo(tmp_path / "p.jpg")
    second = demo_photo(tmp_path / "q.jpg", sky=(200, 120, 90))
    media = (MediaFile(str(photo), "image/jpeg", "A skyline"), MediaFile(str(second), "image/jpeg"))
    first = Outgoing(
        "1/2 Café ☕ with @alice.bsky.social and @nobody.bsky.social #launch https://example.com",
        "run/1",
        media,
        datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    with client(fake) as http:
        creds = create_session(http, BASE, HANDLE, APP_PASSWORD)
        clock.advance(hours=3)
        renewed = c.refresh(http, creds)
        assert isinstance(renewed, Credentials)
        one = c.publish(http, renewed, first)
        assert one.kind == "published", one
        reply = Outgoing(
            "2/2 and @bob.example.com #日本語",
            "run/2",
            when=first.when,
            reply_to=one.posted(),
            root=one.posted(),
        )
    with client(fake, lambda req: "drop" if req.url.path.endswith("createRecord") else None) as h:
        assert c.publish(h, renewed, reply).kind == "unknown"
    with client(fake) as http:
        assert c.publish(http, renewed, reply).kind == "published"  # read back at its key
        assert c.find(http, renewed, first, None) is not None
        assert c.find(http, renewed, Outgoing("never sent", "run/3"), None) is None
        with pytest.raises(InputError):
            create_session(http, BASE, HANDLE, "wrong-wrong-wrong-wrong")

    lex = fake.lex.using(ABSENT_OK)
    checked = Counter(item for q, a in fake.exchanges for item in check_exchange(lex, q, a))
    expected = {
        "com.atproto.server.createSession input",
        "com.atproto.server.createSession output",
        "com.atproto.server.createSession error",
        "com.atproto.server.refreshSession input",
        "com.atproto.server.refreshSession output",
        "com.atproto.repo.uploadBlob input",
        "com.atproto.repo.uploadBlob output",
        "com.atproto.identity.resolveHandle params",
        "com.atproto.identity.resolveHandle output",
        "com.atproto.identity.resolveHandle error",
        "com.atproto.repo.createRecord input",
        "com.atproto.repo.createRecord record",
        "com.atproto.repo.createRecord output",
        "com.atproto.repo.createRecord error",  # the taken key: 500
        "com.atproto.repo.getRecord params",
        "com.atproto.repo.getRecord output",
        "com.atproto.repo.getRecord record",
        "com.atproto.repo.getRecord error",  # RecordNotFound
    }
    assert set(checked) == expected, set(checked) ^ expected
    assert lex.unchecked == {"com.atproto.repo.defs#commitMeta"}
    # What went out holds every kind of facet, images with their aspect ratio, and a reply.
    records = [
        json.loads(q.content)["record"]
        for q, _ in fake.exchanges
        if q.url.path.endswith("createRecord")
    ]
    kinds = {f["features"][0]["$type"].rsplit("#")[1] for r in records for f in r["facets"]}
    assert kinds == {"link", "mention", "tag"}
    assert all("aspectRatio" in i for i in records[0]["embed"]["images"])
    assert "reply" in records[1]


# --------------------------------------------------------------------------- the validator


def good_post() -> dict[str, Any]:
    text = "Hi @alice.bsky.social #tag https://example.com"
    return {
        "$type": POST,
        "text": text,
        "createdAt": "2026-11-23T09:00:00.000Z",
        "facets": [
            {
                "index": {"byteStart": 3, "byteEnd": 21},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}],
            },
            {
                "index": {"byteStart": 22, "byteEnd": 26},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "tag"}],
            },
            {
                "index": {"byteStart": 27, "byteEnd": 46},
                "features": [
                    {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}
                ],
            },
        ],
        "embed": {
            "$type": "app.bsky.embed.images",
            "images": [
                {
                    "alt": "",
                    "image": {
                        "$type": "blob",
                        "ref": {"$link": BLOB_CID},
                        "mimeType": "image/jpeg",
                        "size": 1234,
                    },
                    "aspectRatio": {"width": 640, "height": 400},
                }
            ],
        },
        "reply": {
            "root": {"uri": f"at://{DID}/{POST}/3m2a2b2c2d2e2", "cid": CID},
            "parent": {"uri": f"at://{DID}/{POST}/3m2a2b2c2d2e2", "cid": CID},
        },
    }


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to a record: ``path`` is keys and list indexes split by ``/``; a value of
    ``...`` deletes the key."""

    def change(record: dict[str, Any]) -> None:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("/"))
        node: Any = record
        for part in parents:
            node = node[part]
        if value is ...:
            del node[last]
        else:
            node[last] = value

    return change


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
IMAGE = "embed/images/0"


@pytest.mark.parametrize(
    ("change", "issue"),
    [
        (_set("text", FAMILY * 150), "string too big (maximum 3000, got 3750) at $.record.text"),
        (_set("text", "x" * 301), "grapheme too big (maximum 300, got 301) at $.record.text"),
        (_set("text", ...), 'Missing required key "text" at $.record'),
        (_set("createdAt", "2026-11-23 09:00"), "Invalid datetime"),
        (_set("createdAt", "2026-02-30T09:00:00Z"), "Invalid datetime"),
        (_set("facets/0/features/0/did", "alice.bsky.social"), "Invalid DID"),
        (_set("facets/0/features", ...), 'Missing required key "features" at $.record.facets[0]'),
        (_set("facets/1/features/0/tag", "t" * 65), "grapheme too big (maximum 64, got 65)"),
        (_set("facets/2/features/0/uri", "not a uri"), "Invalid uri"),
        (_set("facets/0/index/byteStart", -1), "integer too small (minimum 0, got -1)"),
        (_set("facets/0/features/0/$type", None), 'includes the "$type" property'),
        (_set(f"{IMAGE}/alt", ...), 'Missing required key "alt"'),
        (_set(f"{IMAGE}/aspectRatio/width", 0), "integer too small (minimum 1, got 0)"),
        (_set(f"{IMAGE}/aspectRatio/height", ...), 'Missing required key "height"'),
        (_set(f"{IMAGE}/image/size", 2_000_001), "blob too big (maximum 2000000, got 2000001)"),
        (_set(f"{IMAGE}/image/mimeType", "video/mp4"), "Invalid value for mimeType"),
        (_set(f"{IMAGE}/image/ref", {"$link": "not-a-cid"}), "Expected blob value type"),
        (_set("embed/images", [good_post()["embed"]["images"][0]] * 5), "array too big"),
        (_set("reply/parent/cid", ...), 'Missing required key "cid" at $.record.reply.parent'),
        (_set("reply/root/uri", "https://bsky.app/x"), "Invalid at-uri"),
        (_set("$type", "app.bsky.feed.like"), 'Expected "app.bsky.feed.post"'),
    ],
)
def test_the_validator_refuses_what_the_lexicon_refuses(
    lexicons: Lexicons, change: Callable[[dict[str, Any]], None], issue: str
) -> None:
    lexicons.validate_record(POST, good_post(), rkey="3m2a2b2c2d2e2")  # the base is valid
    record = good_post()
    change(record)
    with pytest.raises(LexiconInvalid) as refused:
        lexicons.validate_record(POST, record)
    assert issue in str(refused.value)


def test_the_validator_reads_xrpc_bodies_and_parameters(lexicons: Lexicons) -> None:
    body = {"repo": DID, "collection": POST, "rkey": "3m2a2b2c2d2e2", "record": good_post()}
    lexicons.validate_input("com.atproto.repo.createRecord", "application/json", body)
    with pytest.raises(LexiconInvalid, match='Missing required key "repo" at \\$'):
        lexicons.validate_input(
            "com.atproto.repo.createRecord",
            "application/json",
            {k: v for k, v in body.items() if k != "repo"},
        )
    with pytest.raises(LexiconInvalid, match="Invalid TID string"):
        lexicons.validate_record(POST, good_post(), rkey="self")
    with pytest.raises(LexiconInvalid, match="Wrong input encoding"):
        lexicons.validate_input("com.atproto.repo.createRecord", "text/plain", body)
    with pytest.raises(LexiconInvalid, match="takes no input body"):
        lexicons.validate_input("com.atproto.server.refreshSession", "application/json", b"{}")
    with pytest.raises(LexiconInvalid, match="Invalid handle"):
        lexicons.validate_params("com.atproto.identity.resolveHandle", {"handle": "not a handle"})
    with pytest.raises(LexiconInvalid, match='Missing required key "did"'):
        lexicons.validate_output("com.atproto.identity.resolveHandle", "application/json", {})
    session = {"accessJwt": "a", "refreshJwt": "r", "handle": HANDLE, "did": DID}
    lexicons.validate_output("com.atproto.server.createSession", "application/json", session)
    with pytest.raises(LexiconInvalid, match='Missing required key "refreshJwt"'):
        lexicons.validate_output(
            "com.atproto.server.refreshSession",
            "application/json",
            {k: v for k, v in session.items() if k != "refreshJwt"},
        )
    with pytest.raises(LexiconInvalid, match="Expected integer value type"):
        lexicons.validate_params(
            "com.atproto.repo.listRecords", {"repo": DID, "collection": POST, "limit": "ten"}
        )
    with pytest.raises(LexiconInvalid, match="integer too big"):
        lexicons.validate_params(
            "com.atproto.repo.listRecords", {"repo": DID, "collection": POST, "limit": "101"}
        )
    # A ref the shared copy lacks is an error unless allowed, and then only an object.
    answer = {"uri": f"at://{DID}/{POST}/3m2a2b2c2d2e2", "cid": CID, "commit": {"rev": "x"}}
    with pytest.raises(LexiconMissing, match="commitMeta"):
        shared_lexicons().validate_output(
            "com.atproto.repo.createRecord", "application/json", answer
        )
    lexicons.validate_output("com.atproto.repo.createRecord", "application/json", answer)


# --------------------------------------------------------------------------- the fake PDS


def _request(fake: FakeBluesky, method: str, nsid: str, **kw: Any) -> httpx.Response:
    with client(fake) as http:
        return http.request(method, f"{BASE}/xrpc/{nsid}", **kw)


def test_the_fake_answers_what_the_lexicons_refuse_as_the_pds_does(clock: Any) -> None:
    fake = FakeBluesky(clock=clock)
    auth = {"Authorization": f"Bearer {fake.access_jwt}"}
    plain = good_post()
    del plain["embed"], plain["reply"]  # no blob to upload, no post to reply to
    bad_mention = copy.deepcopy(plain)
    bad_mention["facets"][0]["features"][0]["did"] = "alice.bsky.social"
    body = {"repo": DID, "collection": POST, "rkey": record_key(Outgoing("x", "y")), "record": {}}
    answers = [
        (
            _request(
                fake,
                "POST",
                "com.atproto.repo.createRecord",
                headers=auth,
                json={**body, "record": bad_mention},
            ),
            'Invalid app.bsky.feed.post record: Invalid DID (got "alice.bsky.social") at '
            "$.record.facets[0].features[0].did",
        ),
        (
            _request(
                fake,
                "POST",
                "com.atproto.repo.createRecord",
                headers=auth,
                json={**body, "record": {"text": "no date"}},
            ),
            'Invalid app.bsky.feed.post record: Missing required key "createdAt" at $.record',
        ),
        (
            _request(
                fake,
                "POST",
                "com.atproto.repo.createRecord",
                headers=auth,
                json={**body, "rkey": "self", "record": plain},
            ),
            'Invalid record key for app.bsky.feed.post: Invalid TID string (got "self")',
        ),
        (
            _request(
                fake,
                "POST",
                "com.atproto.repo.createRecord",
                headers=auth,
                json={"collection": POST, "record": {}},
            ),
            'Missing required key "repo" at $',
        ),
        (
            _request(
                fake, "GET", "com.atproto.identity.resolveHandle", params={"handle": "@alice"}
            ),
            'Invalid handle (got "@alice") at $.handle',
        ),
        (
            _request(fake, "GET", "com.atproto.repo.createRecord"),
            "Incorrect HTTP method (GET) expected POST",
        ),
    ]
    for answer, message in answers:
        assert answer.status_code == 400, answer.json()
        assert answer.json() == {"error": "InvalidRequest", "message": message}
    # A blob that was never uploaded, and one described with another size.
    record = copy.deepcopy(good_post())
    del record["reply"]
    missing = _request(
        fake, "POST", "com.atproto.repo.createRecord", headers=auth, json={**body, "record": record}
    )
    assert missing.json()["error"] == "BlobNotFound"
    uploaded = _request(
        fake,
        "POST",
        "com.atproto.repo.uploadBlob",
        headers={**auth, "Content-Type": "image/png"},
        content=b"\x89PNG",
    )
    record["embed"]["images"][0]["image"] = {**uploaded.json()["blob"], "size": 99}
    resized = _request(
        fake, "POST", "com.atproto.repo.createRecord", headers=auth, json={**body, "record": record}
    )
    assert resized.json()["error"] == "InvalidSize"
    assert fake.records == {}


def test_the_fake_refuses_to_give_an_answer_the_lexicon_refuses(clock: Any) -> None:
    fake = FakeBluesky(clock=clock, account_handle="not a handle")
    with pytest.raises(AssertionError, match="createSession answer breaks the lexicon"):
        _request(
            fake,
            "POST",
            "com.atproto.server.createSession",
            json={"identifier": "not a handle", "password": APP_PASSWORD},
        )
