"""Layouts real exports have that the first importers missed: X archives from before 2019
(Grailbird), LinkedIn's 2018 CSV (UTF-16, tabs), Instagram's 2024 comments, Mastodon links
and polls, Bluesky alt text and link cards, X replies that only name the account, and
Facebook and Instagram exports downloaded as HTML. The fixtures in tests/fixtures/ are
written by hand in each layout; every person and post in them is made up."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.archives import ArchivedPost, ArchiveSource, Skipped, Unreadable, create, detect
from tactful.archives.csvtext import sniff_delimiter, sniff_encoding
from tactful.archives.synthetic import write_bluesky_records, write_x_grailbird
from tactful.cli.main import main
from tactful.errors import InputError

FIXTURES = Path(__file__).parent.parent / "fixtures"


def read_all(path: Path, fmt: str | None = None) -> tuple[str, list[str], list]:
    with ArchiveSource(path) as src:
        importer = create(fmt) if fmt else detect(src)
        return importer.name, importer.inputs(src), list(importer.read(src))


def posts(items: list) -> list[ArchivedPost]:
    return [i for i in items if isinstance(i, ArchivedPost)]


# --- X before 2019 ("Grailbird") ----------------------------------------------------------

GRAILBIRD_KINDS = {
    "280900000000000001": "post",
    "281200000000000002": "repost",
    "290000000000000003": "post",
    "290600000000000004": "reply",
    "291000000000000005": "reply",  # an early @reply: a user id, no status id
    "295000000000000006": "post",
}


def test_grailbird_monthly_files_are_read_like_todays_archives() -> None:
    name, inputs, items = read_all(FIXTURES / "x-grailbird")
    assert name == "x"
    assert inputs == ["data/js/tweets/2012_12.js", "data/js/tweets/2013_01.js"]
    by_id = {p.post.source_id: p for p in posts(items)}
    assert len(by_id) == len(items) == 6  # 6 imported of the 6 in the files
    assert {i: p.kind for i, p in by_id.items()} == GRAILBIRD_KINDS
    first = by_id["280900000000000001"]
    assert first.post.text == "Finally moved the blog & the mailing list to one place"
    assert first.url == "https://x.com/pat_sample/status/280900000000000001"
    assert first.post.created_at is not None and first.post.created_at.isoformat() == (
        "2012-12-18T01:39:34+00:00"
    )
    link = by_id["290000000000000003"]
    assert link.post.text.endswith("http://blog.example.org/notes/ten-years")
    assert link.links == ("http://blog.example.org/notes/ten-years",)
    assert by_id["290600000000000004"].post.reply_to == "290500000000000000"
    assert by_id["291000000000000005"].post.reply_to == "@lee_sample"
    photo = by_id["295000000000000006"]  # the API's date form, in a Grailbird file
    assert photo.post.created_at is not None and photo.post.created_at.day == 27
    assert photo.missing_media == ("https://pbs.twimg.com/media/SampleHarbour01.jpg",)


def test_grailbird_tweets_csv_alone_gives_the_same_posts(tmp_path: Path) -> None:
    folder = tmp_path / "old-archive"
    folder.mkdir()
    shutil.copy(FIXTURES / "x-grailbird" / "tweets.csv", folder)
    shutil.copy(FIXTURES / "x-grailbird" / "index.html", folder)
    name, inputs, items = read_all(folder)
    assert (name, inputs) == ("x", ["tweets.csv"])
    by_id = {p.post.source_id: p for p in posts(items)}
    assert len(by_id) == len(items) == 6
    assert {i: p.kind for i, p in by_id.items()} == GRAILBIRD_KINDS
    assert by_id["290000000000000003"].post.text == (
        "Ten years of notes, in one place http://blog.example.org/notes/ten-years"
    )
    assert by_id["291000000000000005"].post.reply_to == "user:222"


def test_a_grailbird_archive_of_27001_tweets_is_read_whole(tmp_path: Path) -> None:
    texts = [f"Old tweet number {i}" for i in range(27_001)]
    path = write_x_grailbird(tmp_path / "twitter-2018.zip", texts)
    name, inputs, items = read_all(path)
    assert name == "x" and len(inputs) == 37  # one file a month, tweets.csv left aside
    got = posts(items)
    assert len(got) == len(items) == 27_001
    assert got[0].post.text == texts[0] and got[-1].post.text == texts[-1]
    assert got[3].kind == "reply" and got[0].url == (
        "https://x.com/sam_example/status/500000000000000000"
    )


def test_a_damaged_grailbird_month_keeps_the_other_months(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURES / "x-grailbird", folder)
    month = folder / "data/js/tweets/2012_12.js"
    month.write_text(month.read_text()[:-300])
    (folder / "data/js/tweets/2013_02.js").write_text("[]")  # no assignment
    _, _, items = read_all(folder)
    assert len(posts(items)) == 5  # the first tweet of December, and January's four
    bad = [i for i in items if isinstance(i, Unreadable)]
    assert [b.where for b in bad] == ["data/js/tweets/2012_12.js", "data/js/tweets/2013_02.js"]
    assert "invalid JSON" in bad[0].reason and "Grailbird.data" in bad[1].reason


# --- LinkedIn 2018: UTF-16, tabs, "Share Commentary" -------------------------------------


def test_linkedin_2018_shares_in_utf16_with_tabs() -> None:
    name, _, items = read_all(FIXTURES / "linkedin-2018")
    assert name == "linkedin"
    got = posts(items)
    assert len(got) == len(items) == 3  # 3 imported of the 3 rows
    assert got[0].post.text == "Proud of the team that shipped our first release this week."
    assert got[0].url == "https://www.linkedin.com/feed/update/urn:li:activity:6380000000000000001"
    assert got[1].post.text == (
        'Three things I learned at the conference:\n1. Ask early\n2. Write it down\n3. Say "thank you"'
    )
    assert got[2].post.text.endswith("Écrivez-moi ✨")
    assert got[2].media == ("https://media.licdn.example/sample.jpg",)
    assert [p.post.created_at.isoformat() for p in got if p.post.created_at] == [
        "2018-03-14T10:22:01+00:00",
        "2018-05-02T16:45:37+00:00",
        "2018-07-19T08:03:12+00:00",
    ]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "header"),
    [
        ("utf-8", ",", "Date,ShareLink,ShareCommentary"),
        ("utf-8-sig", ";", "Date;ShareLink;ShareCommentary"),
        ("utf-16", "\t", "Date\tShare Link\tShare Commentary"),
        ("utf-16-le", "\t", "Date\tShare Link\tShare Commentary"),
        ("utf-16-be", "\t", "Date\tShare Link\tShare Commentary"),
        ("cp1252", ",", "Date,Share Link,Share Commentary"),
    ],
)
def test_linkedin_csv_in_any_encoding_and_delimiter(
    tmp_path: Path, encoding: str, delimiter: str, header: str
) -> None:
    row = delimiter.join(["2018-01-02 03:04:05", "urn%3Ali%3Aactivity%3A1", "Café, ouvert"])
    if delimiter == ",":
        row = row.replace("Café, ouvert", '"Café, ouvert"')
    (tmp_path / "Shares.csv").write_bytes(f"{header}\r\n{row}\r\n".encode(encoding))
    _, _, items = read_all(tmp_path / "Shares.csv")
    assert [p.post.text for p in posts(items)] == ["Café, ouvert"], items


@pytest.mark.parametrize(
    ("head", "whole", "expected"),
    [
        (b"\xef\xbb\xbfDate,Link", True, "utf-8-sig"),
        (b"\xff\xfeD\x00a\x00", True, "utf-16"),
        (b"\xfe\xff\x00D\x00a", True, "utf-16"),
        ("Date\tShare".encode("utf-16-le"), True, "utf-16-le"),
        ("Date\tShare".encode("utf-16-be"), True, "utf-16-be"),
        ("Date,Café".encode(), True, "utf-8"),
        ("Date,Café".encode("cp1252"), True, "cp1252"),
        # The peek ends inside a character: still UTF-8 (the rest is in the file).
        ("Date,Café".encode()[:-1], False, "utf-8"),
        (b"", True, "utf-8"),
    ],
)
def test_sniff_encoding(head: bytes, whole: bool, expected: str) -> None:
    assert sniff_encoding(head, whole=whole) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Date,ShareLink,ShareCommentary", ","),
        ("Date\tShare Link\tShare Commentary", "\t"),
        ("Date;Link;Message", ";"),
        ('"Date, time"\tLink\tMessage', "\t"),  # a comma inside quotes does not count
        ("Date", ","),
        ("", ","),
    ],
)
def test_sniff_delimiter(header: str, expected: str) -> None:
    assert sniff_delimiter(header) == expected


# --- Instagram 2024 comments ----------------------------------------------------------------


def test_instagram_2024_comments_are_replies() -> None:
    name, inputs, items = read_all(FIXTURES / "instagram-2024")
    assert name == "instagram"
    assert inputs == [
        "your_instagram_activity/media/posts_1.json",
        "your_instagram_activity/comments/post_comments_1.json",
        "your_instagram_activity/comments/reels_comments.json",
    ]
    got = posts(items)
    assert len(got) == len(items) == 5  # 1 post, 3 post comments, 1 reel comment
    assert got[0].kind == "post" and got[0].post.text == "Sunday market finds 🍋"
    comments = got[1:]
    assert [c.post.text for c in comments] == [
        "Congrats, well deserved! 🎉",
        "Où est-ce ? Magnifique",
        "@lee_sample you have to see this",
        "Ha, the ending",
    ]
    assert all(c.kind == "comment" and c.post.is_reply for c in comments)
    assert [c.post.reply_to for c in comments] == [
        "@lee_sample",
        "@harbour_cafe_sample",
        "@town_news_sample",
        "@kim_sample",
    ]
    assert comments[0].post.created_at is not None
    assert comments[0].post.created_at.timestamp() == 1711000000


def test_instagram_comments_alone_and_broken_ones(tmp_path: Path) -> None:
    comments = [
        {"string_map_data": {"Comment": {"value": "fine"}, "Time": {"timestamp": 1711000000}}},
        {"string_map_data": {"Comment": {"value": ""}, "Time": {"timestamp": 1711000001}}},
        {"string_map_data": {"Comment": {"value": "when?"}}},
        {"media_list_data": []},
    ]
    path = tmp_path / "your_instagram_activity" / "comments" / "post_comments_1.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(comments))
    name, _, items = read_all(tmp_path)
    assert name == "instagram"
    assert [p.post.text for p in posts(items)] == ["fine"]
    assert posts(items)[0].post.reply_to == "post"  # no owner named
    assert [i.reason for i in items if isinstance(i, Skipped)] == ["comment without text"]
    assert [i.reason for i in items if isinstance(i, Unreadable)] == [
        "a comment without a readable timestamp",
        "not a comment object (no string_map_data)",
    ]


# --- Mastodon links and polls ---------------------------------------------------------------


def test_mastodon_links_keep_their_target_and_polls_their_options() -> None:
    name, _, items = read_all(FIXTURES / "mastodon-links-polls")
    assert name == "mastodon"
    got = posts(items)
    assert len(got) == len(items) == 4
    slides = "https://talks.example.org/2023/testing-in-production/slides.pdf"
    assert got[0].post.text == f"Slides from my talk: {slides}"
    assert got[0].links == (slides,)
    assert got[1].post.text == (
        "Read why we left (https://blog.example.org/why-we-left) and thanks @lee #retro"
    )
    assert got[1].links == ("https://blog.example.org/why-we-left",)  # not mentions or tags
    assert got[2].post.text == (
        "Which talk should I give next month?\n\n- Testing in production\n- Why our CEO is clueless"
    )
    assert got[3].post.text.endswith("- Monday\n- Friday")  # anyOf: several choices
    assert got[0].to_dict()["links"] == [slides]


def test_a_poll_option_is_audited_with_its_question(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["audit", str(FIXTURES / "mastodon-links-polls"), "--workers", "1", "-o", str(out)],
    )
    assert result.exit_code == 1, result.output
    reports = [json.loads(line) for line in (out / "findings.jsonl").open()]
    poll = [r for r in reports if "Which talk" in r["text"]]
    assert poll and "work.venting" in {f["rule_id"] for f in poll[0]["findings"]}
    assert "our CEO is clueless" in json.dumps(poll[0]["findings"])


# --- Bluesky alt text and link cards --------------------------------------------------------

BSKY = "2024-05-01T10:00:00.000Z"


def _image(alt: str) -> dict:
    blob = {"$type": "blob", "mimeType": "image/jpeg", "size": 1000}
    return {"alt": alt, "image": blob, "aspectRatio": {"width": 4, "height": 3}}


def _post(text: str, embed: dict | None = None, **extra: object) -> dict:
    record: dict = {"$type": "app.bsky.feed.post", "text": text, "createdAt": BSKY, **extra}
    if embed is not None:
        record["embed"] = embed
    return record


def test_bluesky_alt_text_is_audited_and_link_cards_kept(tmp_path: Path) -> None:
    shown = "talks.example.org/2024/sl..."
    text = f"Slides: {shown} ✨"
    start = len(b"Slides: ")
    records = [
        _post("Team photo!", {"$type": "app.bsky.embed.images", "images": [_image("Six of us")]}),
        _post("", {"$type": "app.bsky.embed.images", "images": [_image("A chart"), _image("")]}),
        _post("", {"$type": "app.bsky.embed.images", "images": [_image("")]}),
        _post(
            "Worth reading",
            {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": "https://news.example.org/story",
                    "title": "A story",
                    "description": "",
                },
            },
        ),
        _post(
            text,
            facets=[
                {
                    "index": {"byteStart": start, "byteEnd": start + len(shown.encode())},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#link",
                            "uri": "https://talks.example.org/2024/slides.pdf",
                        }
                    ],
                }
            ],
        ),
        _post(
            "",
            {
                "$type": "app.bsky.embed.recordWithMedia",
                "record": {
                    "$type": "app.bsky.embed.record",
                    "record": {"uri": "at://x", "cid": "y"},
                },
                "media": {
                    "$type": "app.bsky.embed.images",
                    "images": [_image("Quoted, with a map")],
                },
            },
        ),
        _post("", {"$type": "app.bsky.embed.video", "alt": "Waves at night", "video": {}}),
    ]
    path = write_bluesky_records(tmp_path / "repo.car", records)
    _, _, items = read_all(path)
    got = posts(items)
    assert len(got) == 6 and len(items) == 7  # the image post without alt text is skipped
    assert [i.reason for i in items if isinstance(i, Skipped)] == [
        "empty post (no text, and no alt text on its media)"
    ]
    assert [p.post.text for p in got] == [
        "Team photo!\n\n[alt text: Six of us]",
        "[alt text: A chart]",
        "Worth reading",
        "Slides: https://talks.example.org/2024/slides.pdf ✨",
        "[alt text: Quoted, with a map]",
        "[alt text: Waves at night]",
    ]
    assert got[1].media == ("image 1 (not in the export)", "image 2 (not in the export)")
    assert got[2].links == ("https://news.example.org/story",)
    assert got[3].links == ("https://talks.example.org/2024/slides.pdf",)
    assert got[4].kind == "quote" and got[5].media == ("video (not in the export)",)


# --- X: a reply that names only the account -------------------------------------------------


def test_x_reply_with_a_user_id_and_no_status_id(tmp_path: Path) -> None:
    def tweet(tid: str, text: str, **extra: object) -> dict:
        fields = {"id_str": tid, "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": text}
        return {"tweet": {**fields, "entities": {"urls": []}, **extra}}

    tweets = [
        tweet("1", "@bob you again", in_reply_to_user_id="42", in_reply_to_user_id_str="42"),
        tweet("2", "@ann hello", in_reply_to_user_id_str="7", in_reply_to_screen_name="ann"),
        tweet("3", "just a post", in_reply_to_user_id_str=None, in_reply_to_status_id_str=None),
    ]
    (tmp_path / "data").mkdir()
    (tmp_path / "data/tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets))
    _, _, items = read_all(tmp_path)
    got = posts(items)
    assert [(p.kind, p.post.reply_to) for p in got] == [
        ("reply", "user:42"),
        ("reply", "@ann"),
        ("post", None),
    ]
    assert got[0].post.is_reply


# --- Facebook and Instagram exports downloaded as HTML -------------------------------------


@pytest.mark.parametrize(
    ("folder", "network"), [("facebook-html", "Facebook"), ("instagram-html", "Instagram")]
)
def test_an_html_export_says_to_download_json(tmp_path: Path, folder: str, network: str) -> None:
    zipped = tmp_path / f"{folder}.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in (FIXTURES / folder).rglob("*"):
            if f.is_file():
                z.write(f, f.relative_to(FIXTURES / folder).as_posix())
    for path in (FIXTURES / folder, zipped):
        with ArchiveSource(path) as src, pytest.raises(InputError) as caught:
            detect(src)
        message = str(caught.value)
        assert "\n" not in message
        assert f"this {network} export is in HTML" in message and "Format: JSON" in message
    result = CliRunner().invoke(main, ["audit", str(zipped), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "Format: JSON" in result.stderr
    # Naming the format gives the same advice, not "has none of the files".
    named = ["audit", str(zipped), "--format", network.lower(), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, named)
    assert result.exit_code == 2 and "Format: JSON" in result.stderr
    with zipfile.ZipFile(zipped, "a") as z:  # a JSON export with pages of HTML is no HTML export
        z.writestr("your_instagram_activity/monetization/eligibility.json", "[]")
    with ArchiveSource(zipped) as src, pytest.raises(InputError, match="not an export tactful"):
        detect(src)
