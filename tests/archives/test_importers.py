"""Every importer on small exports the tests write themselves: the quirks of each format,
and bad input that is reported, never silently dropped."""

from __future__ import annotations

import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from tactful.archives import (
    ArchivedPost,
    ArchiveSource,
    Skipped,
    Unreadable,
    available,
    create,
    detect,
)
from tactful.archives.synthetic import FORMATS, write
from tactful.errors import InputError

TEXTS = [
    "Plain post about the launch",
    'Line one\n\nLine two with “quotes”, "straight" ones & émojis 🙌 > ok',
    "Third post",
]


def read_all(path: Path, fmt: str | None = None) -> tuple[str, list]:
    with ArchiveSource(path) as src:
        importer = create(fmt) if fmt else detect(src)
        return importer.name, list(importer.read(src))


def posts(items: list) -> list[ArchivedPost]:
    return [i for i in items if isinstance(i, ArchivedPost)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips_text_time_and_links(fmt: str, tmp_path: Path) -> None:
    name, items = read_all(write(fmt, tmp_path, TEXTS))
    assert name == fmt
    got = posts(items)
    assert [p.post.text for p in got] == TEXTS
    assert [p.post.platform.value for p in got] == [fmt] * 3
    hours = [(p.post.created_at.day, p.post.created_at.hour) for p in got]
    assert hours == [(1, 9), (1, 10), (1, 11)]
    if fmt in ("x", "mastodon", "bluesky", "linkedin"):
        assert all(p.url and p.url.startswith("https://") for p in got)


def test_importers_are_registered_as_entry_points() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="tactful.importers")}
    assert names == set(FORMATS) and set(available()) >= names


def _x_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return path


def tweet(tid: str, text: str, **extra: object) -> dict:
    return {
        "tweet": {
            "id_str": tid,
            "created_at": "Wed Oct 10 20:19:24 +0000 2018",
            "full_text": text,
            "entities": {"urls": []},
            **extra,
        }
    }


def test_x_archive_quirks(tmp_path: Path) -> None:
    long_text = "A long post that goes on " + "and on " * 40 + "to the end."
    files = {
        "archive/data/account.js": 'window.YTD.account.part0 = [{"account": {"username": "sam"}}]',
        "archive/data/tweet.js": "window.YTD.tweet.part0 = "
        + json.dumps(
            [
                tweet(
                    "1",
                    "Hello &amp; welcome https://t.co/abc",
                    entities={
                        "urls": [
                            {"url": "https://t.co/abc", "expanded_url": "https://example.com/x"}
                        ]
                    },
                ),
                tweet("2", "RT @other: their words here"),
                tweet("3", "@bob sure thing", in_reply_to_status_id_str="99"),
                tweet(
                    "4",
                    "Look at this https://t.co/q",
                    entities={
                        "urls": [
                            {
                                "url": "https://t.co/q",
                                "expanded_url": "https://twitter.com/ann/status/5",
                            }
                        ]
                    },
                ),
                tweet("5", long_text[:120] + "…"),
                tweet(
                    "6",
                    "With a picture",
                    extended_entities={
                        "media": [{"media_url_https": "https://pbs.twimg.com/media/a.jpg"}]
                    },
                ),
                tweet(
                    "7",
                    "Missing picture",
                    extended_entities={
                        "media": [{"media_url_https": "https://pbs.twimg.com/media/b.jpg"}]
                    },
                ),
                {"tweet": {"id_str": "8"}},
            ]
        ),
        "archive/data/tweets-part1.js": "window.YTD.tweets.part1 = "
        + json.dumps([tweet("9", "From part one")]),
        "archive/data/note-tweet.js": "window.YTD.note_tweet.part0 = "
        + json.dumps(
            [
                {
                    "noteTweet": {
                        "noteTweetId": "77",
                        "createdAt": "2018-10-10T20:19:25.000Z",
                        "core": {"text": long_text},
                    }
                }
            ]
        ),
        "archive/data/tweets_media/6-abc.jpg": "jpeg bytes",
    }
    _, items = read_all(_x_zip(tmp_path / "x.zip", files))
    by_id = {p.post.source_id: p for p in posts(items)}
    assert by_id["1"].post.text == "Hello & welcome https://example.com/x"
    assert by_id["1"].url == "https://x.com/sam/status/1"
    assert [by_id[i].kind for i in "1234"] == ["post", "repost", "reply", "quote"]
    assert by_id["5"].post.text == long_text  # the note tweet's full text
    assert by_id["6"].media == ("data/tweets_media/6-abc.jpg",) and not by_id["6"].missing_media
    assert by_id["7"].missing_media == ("https://pbs.twimg.com/media/b.jpg",)
    assert "9" in by_id  # the split part is read too
    bad = [i for i in items if isinstance(i, Unreadable)]
    assert len(bad) == 1 and "without id, text or date" in bad[0].reason


def test_malformed_json_in_a_part_keeps_what_came_before(tmp_path: Path) -> None:
    good = json.dumps([tweet("1", "first"), tweet("2", "second")])
    files = {
        "data/tweets.js": "window.YTD.tweets.part0 = " + good[:-1] + ', {"tweet": {"id_str": ',
        "data/tweets-part1.js": "window.YTD.tweets.part1 = " + json.dumps([tweet("3", "third")]),
    }
    _, items = read_all(_x_zip(tmp_path / "x.zip", files))
    assert [p.post.text for p in posts(items)] == ["first", "second", "third"]
    (bad,) = [i for i in items if isinstance(i, Unreadable)]
    assert bad.where == "data/tweets.js" and "invalid JSON" in bad.reason


def test_mastodon_outbox_quirks(tmp_path: Path) -> None:
    public = "https://www.w3.org/ns/activitystreams#Public"
    base = "https://social.example/users/sam"

    def create(i: int, html: str, to: list, cc: list, **obj: object) -> dict:
        return {
            "id": f"{base}/statuses/{i}/activity",
            "type": "Create",
            "published": "2023-01-02T03:04:05Z",
            "object": {
                "id": f"{base}/statuses/{i}",
                "type": "Note",
                "content": html,
                "to": to,
                "cc": cc,
                "url": f"https://social.example/@sam/{i}",
                "published": "2023-01-02T03:04:05Z",
                **obj,
            },
        }

    outbox = {"orderedItems": [], "type": "OrderedCollection"}
    items = [
        create(
            1,
            '<p>Hi <a href="https://social.example/tags/x" class="hashtag">#<span>x</span></a></p><p>See <a href="https://example.com/long/path"><span class="invisible">https://</span><span class="ellipsis">example.com/long</span><span class="invisible">/path</span></a></p>',
            [public],
            [f"{base}/followers"],
        ),
        create(2, "<p>quiet</p>", [f"{base}/followers"], [public]),
        create(3, "<p>friends only<br>second line</p>", [f"{base}/followers"], []),
        create(
            4,
            "<p>just you</p>",
            ["https://other.example/users/bob"],
            [],
            inReplyTo="https://other.example/users/bob/statuses/1",
        ),
        create(5, "<p>spoilers below</p>", [public], [], summary="CW: film"),
        create(6, "", [public], []),
        {"id": "x", "type": "Announce", "object": "https://other.example/statuses/1"},
    ]
    raw = (
        json.dumps(outbox)[:-1] + ', "orderedItems": ' + json.dumps(items) + "}"
    )  # a duplicate key, as real archives have
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "outbox.json").write_text(raw)
    with tarfile.open(tmp_path / "archive.tar.gz", "w:gz") as tar:
        tar.add(folder / "outbox.json", arcname="outbox.json")
    for path in (tmp_path / "archive.tar.gz", folder, folder / "outbox.json"):
        name, got = read_all(path)
        assert name == "mastodon"
        ps = {p.post.source_id.rsplit("/", 1)[-1]: p for p in posts(got)}
        # The link's target, not its shortened display, is audited and kept.
        assert ps["1"].post.text == "Hi #x\n\nSee https://example.com/long/path"
        assert ps["1"].links == ("https://example.com/long/path",)
        assert [ps[i].visibility for i in "1234"] == ["public", "unlisted", "followers", "direct"]
        assert ps["3"].post.text == "friends only\nsecond line"
        assert ps["4"].kind == "reply"
        assert ps["5"].post.text.startswith("CW: film")
        reasons = sorted(i.reason for i in got if isinstance(i, Skipped))
        assert reasons == ["boost (the archive holds no text for it)", "empty post"]


def test_bluesky_reposts_replies_and_a_broken_car(tmp_path: Path) -> None:
    path = write("bluesky", tmp_path, ["one", "two"])
    _, items = read_all(path)
    assert [p.url.rsplit("/", 1)[-1] for p in posts(items)] == ["3k00000000000", "3k00000000001"]
    broken = tmp_path / "broken" / "repo.car"
    broken.parent.mkdir()
    broken.write_bytes(path.read_bytes()[:90])
    _, items = read_all(broken, "bluesky")
    assert not posts(items) and isinstance(items[0], Unreadable)


def test_linkedin_quoting_backslashes_and_broken_rows(tmp_path: Path) -> None:
    shares = (
        "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\r\n"
        '2025-06-29 12:20:23,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A1,"My talk on ""LLMs"".""\n""""\n""Transcript: https://lnkd.in/x",https://youtu.be/x,"",MEMBER_NETWORK\r\n'
        "2025-06-30 08:00:00,urn%3Ali%3AugcPost%3A2,Hire Rob! He's great,,,PUBLIC\r\n"
        "2025-07-01 08:00:00,urn%3Ali%3Ashare%3A3,one,two,three,four,five\r\n"
        "not a date,urn%3Ali%3Ashare%3A4,text,,,PUBLIC\r\n"
    )
    comments = 'Date,Link,Message\r\n2025-05-01 12:15:05,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A9,"\\"No\\" 🙂, thanks"\r\n'
    z = tmp_path / "Basic_LinkedInDataExport.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("Shares.csv", "\ufeff" + shares)
        f.writestr("Comments.csv", comments)
    _, items = read_all(z)
    ps = posts(items)
    assert ps[0].post.text == 'My talk on "LLMs".\n\nTranscript: https://lnkd.in/x'
    assert ps[0].visibility == "connections"
    assert ps[1].url == "https://www.linkedin.com/feed/update/urn:li:ugcPost:2"
    assert ps[-1].kind == "comment" and ps[-1].post.text == '"No" 🙂, thanks'
    reasons = [i.reason for i in items if isinstance(i, Unreadable)]
    assert reasons == ["a row with missing or extra columns", "unreadable date 'not a date'"]


def test_facebook_mojibake_and_posts_without_text(tmp_path: Path) -> None:
    posts_json = json.dumps(
        [
            {
                "timestamp": 1654095746,
                "data": [
                    {"post": "Piotr zmieni\u00c5\u0082 status \u00f0\u009f\u0090\u00b8"},
                    {"update_timestamp": 1},
                    {},
                ],
                "attachments": [
                    {"data": [{"media": {"uri": "your_facebook_activity/posts/media/a.jpg"}}]}
                ],
            },
            {
                "timestamp": 1654095800,
                "attachments": [{"data": [{"external_context": {"url": "https://example.com"}}]}],
                "data": [{}],
            },
            {"data": [{"post": "no time"}]},
        ]
    )
    comments_json = json.dumps(
        {
            "comments_v2": [
                {
                    "timestamp": 1690000100,
                    "title": "X commented.",
                    "data": [
                        {
                            "comment": {
                                "timestamp": 1690000100,
                                "comment": "I don\u00e2\u0080\u0099t know",
                            }
                        }
                    ],
                }
            ]
        }
    )
    z = tmp_path / "facebook.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr(
            "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
            posts_json,
        )
        f.writestr("your_facebook_activity/comments_and_reactions/comments.json", comments_json)
    _, items = read_all(z)
    ps = posts(items)
    assert ps[0].post.text == "Piotr zmienił status 🐸"
    assert ps[0].missing_media == ("your_facebook_activity/posts/media/a.jpg",)
    assert ps[1].kind == "comment" and ps[1].post.text == "I don’t know"
    assert [i.reason for i in items if isinstance(i, Skipped)] == [
        "post without text (photo, link or share)"
    ]
    assert [i.reason for i in items if isinstance(i, Unreadable)] == [
        "a post without a readable timestamp"
    ]


def test_instagram_captions_single_and_multi(tmp_path: Path) -> None:
    data = json.dumps(
        [
            {
                "media": [
                    {
                        "uri": "media/posts/1.jpg",
                        "creation_timestamp": 1424225088,
                        "title": "Bundt caaaake",
                    }
                ]
            },
            {
                "media": [
                    {"uri": "media/posts/2.jpg", "creation_timestamp": 1704232088, "title": ""},
                    {"uri": "media/posts/3.jpg", "creation_timestamp": 1704232088, "title": ""},
                ],
                "title": "Happy llama \u00f0\u009f\u0087\u00b5\u00f0\u009f\u0087\u00aa",
                "creation_timestamp": 1704232088,
            },
            {
                "media": [
                    {"uri": "media/posts/4.jpg", "creation_timestamp": 1704232099, "title": ""}
                ]
            },
        ]
    )
    z = tmp_path / "instagram.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("your_instagram_activity/content/posts_1.json", data)
        f.writestr("media/posts/1.jpg", b"jpg")
    _, items = read_all(z)
    ps = posts(items)
    assert [p.post.text for p in ps] == ["Bundt caaaake", "Happy llama 🇵🇪"]
    assert ps[0].media == ("media/posts/1.jpg",) and ps[1].missing_media == (
        "media/posts/2.jpg",
        "media/posts/3.jpg",
    )
    assert [i.reason for i in items if isinstance(i, Skipped)] == ["post without a caption"]


def test_things_that_are_no_export(tmp_path: Path) -> None:
    folder = tmp_path / "holiday-photos"
    folder.mkdir()
    (folder / "a.txt").write_text("hi")
    with pytest.raises(InputError, match="not an export tactful knows"):
        read_all(folder)
    truncated = tmp_path / "x.zip"
    write("x", tmp_path / "w", TEXTS).rename(truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(InputError, match="truncated or damaged; download the export again"):
        read_all(truncated)
    with pytest.raises(InputError, match="does not exist"):
        ArchiveSource(tmp_path / "nope.zip")
    with pytest.raises(InputError, match="unknown format"):
        create("myspace")


def test_a_damaged_member_keeps_the_records_before_it(tmp_path: Path) -> None:
    path = write("x", tmp_path / "w", [f"post number {i}" for i in range(3000)])
    data = bytearray(path.read_bytes())
    start = data.index(b"data/tweets.js") + 200
    for i in range(start + 20_000, start + 20_200):  # deep inside the compressed stream
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    _, items = read_all(path)
    bad = [i for i in items if isinstance(i, Unreadable)]
    assert len(posts(items)) > 100
    # Depending on where the bytes flip, zlib or the JSON scanner notices first; records
    # the garbage lands in are unreadable one by one, and the file ends with one reason.
    assert bad and all(b.where.startswith("data/tweets.js") for b in bad)
    assert all("invalid JSON" in b.reason for b in bad[:-1])
    assert bad[-1].where == "data/tweets.js"
    assert "damaged" in bad[-1].reason or "invalid JSON" in bad[-1].reason


def test_times_without_a_zone_are_utc(tmp_path: Path) -> None:
    outbox = {
        "orderedItems": [
            {
                "type": "Create",
                "object": {
                    "id": "https://s.example/1",
                    "content": "<p>hi</p>",
                    "published": "2023-01-02T03:04:05",
                    "to": [],
                    "cc": [],
                },
            }
        ]
    }
    (tmp_path / "outbox.json").write_text(json.dumps(outbox))
    _, items = read_all(tmp_path / "outbox.json")
    (p,) = posts(items)
    assert p.post.created_at is not None and p.post.created_at.utcoffset() is not None


def test_linkedin_rows_that_run_together_or_lack_columns(tmp_path: Path) -> None:
    shares = (
        "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
        "2025-01-01 08:00:00,urn%3Ali%3Ashare%3A1,fine,,,PUBLIC\n"
        "2025-01-02 08:00:00,urn%3Ali%3Ashare%3A2,only three\n"
        '2025-01-03 08:00:00,urn%3Ali%3Ashare%3A3,"broken quote,,,PUBLIC\n'
        "2025-01-04 08:00:00,urn%3Ali%3Ashare%3A4,lost,,,PUBLIC\n"
    )
    (tmp_path / "Shares.csv").write_text(shares)
    _, items = read_all(tmp_path / "Shares.csv")
    assert [p.post.text for p in posts(items)] == ["fine"]
    reasons = [i.reason for i in items if isinstance(i, Unreadable)]
    assert reasons[0] == "a row with missing or extra columns"
    assert "quote is not closed" in reasons[1]


def test_mastodon_attachments_in_deep_folders_are_found(tmp_path: Path) -> None:
    deep = "media_attachments/files/110/333/835/original/3381f6f615f26246.jpeg"
    outbox = {
        "orderedItems": [
            {
                "type": "Create",
                "object": {
                    "id": "https://s.example/1",
                    "content": "<p>photo</p>",
                    "published": "2023-01-02T03:04:05Z",
                    "to": [],
                    "cc": [],
                    "attachment": [
                        {"type": "Document", "url": "/system/" + deep},
                        {"type": "Document", "url": "/system/media_attachments/files/9/gone.png"},
                    ],
                },
            }
        ]
    }
    (tmp_path / "outbox.json").write_text(json.dumps(outbox))
    (tmp_path / deep).parent.mkdir(parents=True)
    (tmp_path / deep).write_bytes(b"jpeg")
    _, items = read_all(tmp_path)
    (p,) = posts(items)
    assert p.media == (deep,) and p.missing_media == ("media_attachments/files/9/gone.png",)


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("data/tweets.js", "window.YTD.tweets.part0 = {}", "x"),
        ("outbox.json", '{"orderedItems": {"not": "a list"}}', "mastodon"),
        ("outbox.json", "[1, 2, 3]", "mastodon"),
        ("repo.car", "garbage that is no CAR file at all", "bluesky"),
        (
            "data/tweets.js",
            'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": "x", "entities": "oops"}}]',
            "x",
        ),
    ],
)
def test_the_wrong_structure_is_unreadable_not_silent(
    tmp_path: Path, name: str, content: str, fmt: str
) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(content)
    _, items = read_all(tmp_path, fmt)
    assert not posts(items)
    assert [i for i in items if isinstance(i, Unreadable)]
