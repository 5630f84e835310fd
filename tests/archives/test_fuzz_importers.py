"""Property-based fuzzing of every importer (issue 18): random and mutated valid records given
to each record parser, and mutated bytes of each export's main file given to the whole
reader. A parser may refuse a record only with the errors that make it one unreadable
record (``base.RECORD_ERRORS``, which ``guard_record`` turns into an Unreadable); the
readers never raise at all. Derandomized, with few examples, so CI is quick and the same
every run."""

from __future__ import annotations

import copy
import shutil
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tactful.archives import ArchivedPost, ArchiveSource, Item, Skipped, Unreadable, create
from tactful.archives.base import RECORD_ERRORS, guard_record
from tactful.archives.bluesky import BlueskyImporter
from tactful.archives.grailbird import tweet_from_row
from tactful.archives.mastodon import MastodonImporter
from tactful.archives.meta import FacebookImporter, InstagramImporter
from tactful.archives.synthetic import FORMATS, write
from tactful.archives.x import XImporter

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "2023-01-02T03:04:05Z", "Wed Oct 10 20:19:24 +0000 2018", "\ud800"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _paths(inner, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """``valid`` with one to three of its values replaced by random JSON, or removed."""
    record = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(record))))
        if not path:
            record = draw(JSON)
            continue
        parent = record
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return record


def records(valid: Any) -> st.SearchStrategy[Any]:
    return st.one_of(JSON, mutated(valid))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveSource]:
    folder = tmp_path_factory.mktemp("empty-export")
    (folder / "note.txt").write_text("nothing")
    with ArchiveSource(folder) as src:
        yield src


def check_parser(convert: Callable[..., Item], raw: Any, *args: Any) -> None:
    try:
        item = convert(raw, "fuzz[0]", *args)
    except RECORD_ERRORS:
        item = guard_record("fuzz[0]", convert, raw, "fuzz[0]", *args)
        assert isinstance(item, Unreadable)
    assert isinstance(item, ArchivedPost | Skipped | Unreadable)
    if isinstance(item, ArchivedPost):
        assert isinstance(item.post.text, str) and item.post.text.strip()


TWEET = {
    "tweet": {
        "id_str": "1",
        "full_text": "Hello &amp; welcome https://t.co/a",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "in_reply_to_status_id_str": "7",
        "entities": {"urls": [{"url": "https://t.co/a", "expanded_url": "https://example.com"}]},
        "extended_entities": {"media": [{"media_url_https": "https://pbs.twimg.com/a.jpg"}]},
    }
}


@FUZZ
@given(records(TWEET))
def test_x_tweets(raw: Any) -> None:
    check_parser(XImporter()._item, raw, None, {}, {})


CSV_ROW = {
    "tweetid": "5",
    "text": "see https://t.co/x",
    "timestamp": "2013-01-31 22:10:13 +0000",
    "inreplytostatusid": "",
    "expandedurls": "https://example.com",
    "retweetedstatusid": "",
}


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(CSV_ROW)), st.text(max_size=30)) | st.just(CSV_ROW))
def test_grailbird_csv_rows(row: dict[str, str]) -> None:
    check_parser(XImporter()._item, tweet_from_row(row), None, {}, {})


FB_POST = {
    "timestamp": 1546333200,
    "data": [{"post": "Caf\u00c3\u00a9 time"}],
    "attachments": [{"data": [{"media": {"uri": "photos/a.jpg"}}]}],
}
FB_COMMENT = {
    "timestamp": 1546333200,
    "data": [{"comment": {"timestamp": 1546333200, "comment": "Nice"}}],
    "title": "Sam commented",
}


@FUZZ
@given(post=records(FB_POST), comment=records(FB_COMMENT))
def test_facebook_posts_and_comments(post: Any, comment: Any, source: ArchiveSource) -> None:
    check_parser(FacebookImporter()._post, post, source)
    check_parser(FacebookImporter._comment, comment, source)


IG_POST = {"media": [{"uri": "media/a.jpg", "creation_timestamp": 1546333200, "title": "Hi"}]}
IG_COMMENT = {
    "string_map_data": {
        "Comment": {"value": "Nice"},
        "Media Owner": {"value": "bob"},
        "Time": {"timestamp": 1546333200},
    }
}


@FUZZ
@given(post=records(IG_POST), comment=records(IG_COMMENT))
def test_instagram_posts_and_comments(post: Any, comment: Any, source: ArchiveSource) -> None:
    check_parser(InstagramImporter()._post, post, source)
    check_parser(InstagramImporter._comment, comment, source)


ACTIVITY = {
    "type": "Create",
    "published": "2023-01-02T03:04:05Z",
    "object": {
        "id": "https://social.example/users/sam/statuses/1",
        "type": "Question",
        "content": '<p>Hi <a href="https://example.com/x">example.com/x</a></p>',
        "summary": "CW",
        "oneOf": [{"name": "yes"}, {"name": "no"}],
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [],
        "attachment": [{"url": "/media_attachments/files/1.jpg"}],
        "inReplyTo": None,
    },
}


@FUZZ
@given(records(ACTIVITY))
def test_mastodon_activities(raw: Any) -> None:
    check_parser(MastodonImporter()._item, raw, {})


BSKY_POST = {
    "$type": "app.bsky.feed.post",
    "text": "see example.com/x",
    "createdAt": "2024-01-02T03:04:05.000Z",
    "facets": [
        {
            "index": {"byteStart": 4, "byteEnd": 17},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"}],
        }
    ],
    "embed": {"$type": "app.bsky.embed.images", "images": [{"alt": "a cat"}]},
    "reply": {"parent": {"uri": "at://did:plc:x/app.bsky.feed.post/1"}},
}


@FUZZ
@given(records(BSKY_POST))
def test_bluesky_records(raw: Any) -> None:
    check_parser(BlueskyImporter()._item, raw, "did:plc:sam", "3k")


# --------------------------------------------------------------------------- whole files


def _unpack(fmt: str, folder: Path) -> tuple[Path, Path]:
    """A synthetic export of ``fmt`` unpacked into ``folder``: (the export, its main file)."""
    packed = write(fmt, folder / "packed", ["First post", "My idiot boss", "Third post"])
    export = folder / "export"
    if zipfile.is_zipfile(packed):
        with zipfile.ZipFile(packed) as z:
            z.extractall(export)
    elif tarfile.is_tarfile(packed):
        with tarfile.open(packed) as tar:
            tar.extractall(export, filter="data")
    else:
        export.mkdir()
        shutil.copy(packed, export / packed.name)
    main = {
        "x": "data/tweets.js",
        "mastodon": "outbox.json",
        "bluesky": "repo.car",
        "linkedin": "Shares.csv",
    }.get(fmt)
    files = [p for p in export.rglob("*") if p.is_file()]
    path = export / main if main else max(files, key=lambda p: p.stat().st_size)
    return export, path


EDITS = st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(["flip", "cut", "insert"]), st.binary(max_size=8)),
    min_size=1,
    max_size=4,
)


def mutate_bytes(data: bytes, edits: list[tuple[float, str, bytes]]) -> bytes:
    out = bytearray(data)
    for where, how, piece in edits:
        at = int(where * len(out))
        if how == "flip" and at < len(out):
            out[at] ^= 0xFF
        elif how == "cut":
            del out[at : at + 1 + len(piece) * 16]
        else:
            out[at:at] = piece or b"["
    return bytes(out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_files_are_read_without_an_exception(fmt: str, tmp_path: Path) -> None:
    export, main = _unpack(fmt, tmp_path)
    valid = main.read_bytes()
    importer = create(fmt)

    @FUZZ
    @given(EDITS)
    def read_mutated(edits: list[tuple[float, str, bytes]]) -> None:
        main.write_bytes(mutate_bytes(valid, edits))
        with ArchiveSource(export) as source:
            items = list(importer.read(source))
        assert all(isinstance(i, ArchivedPost | Skipped | Unreadable) for i in items)

    read_mutated()
