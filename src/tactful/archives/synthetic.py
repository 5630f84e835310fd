"""Synthetic exports in every supported format, written by tactful for its tests, demos and
benchmarks: the files look like the networks' real exports, the people and posts are made up.

Each writer streams, so a million-post archive needs little memory. ``texts`` are paired
with times one hour apart, starting 2019-01-01, going forward.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from typing import IO

START = datetime(2019, 1, 1, 9, tzinfo=UTC)
FORMATS = ("x", "mastodon", "bluesky", "linkedin", "facebook", "instagram")


def _timed(texts: Iterable[str]) -> Iterator[tuple[int, str, datetime]]:
    for i, text in enumerate(texts):
        yield i, text, START + timedelta(hours=i)


def _mojibake(text: str) -> str:
    """Meta's export encoding: each UTF-8 byte as one code point."""
    return text.encode("utf-8").decode("latin-1")


def _json_array(out: IO[str], items: Iterable[object]) -> None:
    out.write("[\n")
    for i, item in enumerate(items):
        if i:
            out.write(",\n")
        out.write(json.dumps(item))
    out.write("\n]")


def write_x(path: Path, texts: Iterable[str], *, username: str = "sam_example") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "data/account.js",
            "window.YTD.account.part0 = "
            + json.dumps([{"account": {"username": username, "accountId": "1"}}]),
        )
        with z.open("data/tweets.js", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            out.write("window.YTD.tweets.part0 = ")

            def tweets() -> Iterator[object]:
                for i, text, when in _timed(texts):
                    tid = str(1_000_000_000_000 + i)
                    tweet: dict[str, object] = {
                        "id_str": tid,
                        "id": tid,
                        "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                        "full_text": text.replace("&", "&amp;").replace(">", "&gt;"),
                        "entities": {"hashtags": [], "urls": [], "user_mentions": []},
                        "favorite_count": "0",
                        "retweet_count": "0",
                    }
                    if i % 7 == 3:
                        tweet["in_reply_to_status_id_str"] = str(1_000_000_000_000 + i - 1)
                    yield {"tweet": tweet}

            _json_array(out, tweets())
            out.flush()
            out.detach()
    return path


def write_mastodon(path: Path, texts: Iterable[str], *, user: str = "sam") -> Path:
    base = f"https://social.example/users/{user}"
    tmp = path.with_suffix(".outbox.tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write('{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", ')
        out.write('"type": "OrderedCollection", "orderedItems": ')

        def items() -> Iterator[object]:
            public = "https://www.w3.org/ns/activitystreams#Public"
            for i, text, when in _timed(texts):
                sid = f"{base}/statuses/{110_000_000_000_000_000 + i}"
                if i % 11 == 5:
                    yield {
                        "id": f"{sid}/activity",
                        "type": "Announce",
                        "actor": base,
                        "published": when.isoformat(),
                        "to": [public],
                        "object": "https://other.example/users/x/statuses/1",
                    }
                    continue
                html = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n"))
                yield {
                    "id": f"{sid}/activity",
                    "type": "Create",
                    "actor": base,
                    "published": when.isoformat().replace("+00:00", "Z"),
                    "to": [public],
                    "cc": [f"{base}/followers"],
                    "object": {
                        "id": sid,
                        "type": "Note",
                        "content": html,
                        "summary": None,
                        "url": f"https://social.example/@{user}/{110_000_000_000_000_000 + i}",
                        "published": when.isoformat().replace("+00:00", "Z"),
                        "inReplyTo": None,
                        "to": [public],
                        "cc": [f"{base}/followers"],
                        "attachment": [],
                    },
                }

        _json_array(out, items())
        out.write("}")
    with tarfile.open(path, "w:gz") as tar:
        tar.add(tmp, arcname="outbox.json")
        actor = json.dumps({"preferredUsername": user, "id": base}).encode()
        info = tarfile.TarInfo("actor.json")
        info.size = len(actor)
        tar.addfile(info, io.BytesIO(actor))
    tmp.unlink()
    return path


def write_bluesky(
    path: Path, texts: Iterable[str], *, did: str = "did:plc:example0000000000000000"
) -> Path:
    """A repository CAR: records, a two-level search tree, an unsigned commit."""

    def records() -> Iterator[dict[str, object]]:
        for _, text, when in _timed(texts):
            yield {
                "$type": "app.bsky.feed.post",
                "text": text,
                "langs": ["en"],
                "createdAt": when.isoformat().replace("+00:00", "Z"),
            }

    return write_bluesky_records(path, records(), did=did)


def write_bluesky_records(
    path: Path,
    records: Iterable[dict[str, object]],
    *,
    did: str = "did:plc:example0000000000000000",
) -> Path:
    """A repository CAR holding ``records`` as they are (posts with embeds, facets,
    replies; a record whose ``$type`` is not a post goes in that collection)."""
    import hashlib

    import libipld

    blocks: list[tuple[bytes, bytes]] = []

    def put(obj: object) -> bytes:
        data = libipld.encode_dag_cbor(obj)
        cid = b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()
        blocks.append((cid, data))
        return cid

    leaves: list[tuple[bytes, bytes]] = []
    for i, record in enumerate(records):
        rkey = f"3k{i:011d}"
        collection = str(record.get("$type") or "app.bsky.feed.post")
        leaves.append((f"{collection}/{rkey}".encode(), put(record)))
    leaves.sort()  # the search tree holds its keys in order

    def node(keys: list[tuple[bytes, bytes]], left: bytes | None = None) -> bytes:
        entries, prev = [], b""
        for key, value in keys:
            p = 0
            while p < min(len(prev), len(key)) and prev[p] == key[p]:
                p += 1
            entries.append({"p": p, "k": key[p:], "v": value, "t": None})
            prev = key
        return put({"l": left, "e": entries})

    # Fan-out of 64 per node, one level of parents: enough structure to exercise the walk.
    chunks = [leaves[i : i + 64] for i in range(0, len(leaves), 64)] or [[]]
    children = [node(c) for c in chunks]
    root = children[0] if len(children) == 1 else node([], left=None)
    if len(children) > 1:
        # The root links the first subtree on the left and later ones after separator keys.
        entries, prev = [], b""
        for idx in range(1, len(chunks)):
            key, value = chunks[idx][0]
            p = 0
            while p < min(len(prev), len(key)) and prev[p] == key[p]:
                p += 1
            rest = node(chunks[idx][1:]) if len(chunks[idx]) > 1 else None
            entries.append({"p": p, "k": key[p:], "v": value, "t": rest})
            prev = key
        root = put({"l": children[0], "e": entries})
    commit = put(
        {
            "did": did,
            "version": 3,
            "data": root,
            "rev": "3kzzzzzzzzz22",
            "prev": None,
            "sig": b"\x00" * 64,
        }
    )
    header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    with open(path, "wb") as out:
        out.write(varint(len(header)) + header)
        for cid, data in blocks:
            out.write(varint(len(cid) + len(data)) + cid + data)
    return path


def write_x_grailbird(path: Path, texts: Iterable[str], *, username: str = "sam_example") -> Path:
    """An X archive as written before 2019 ("Grailbird"): a file per month,
    ``data/js/tweets/YYYY_MM.js``, the account in ``data/js/user_details.js``, an index of
    the months, and the same tweets again in ``tweets.csv``."""
    import tempfile

    user = {"name": "Sam Example", "screen_name": username, "id_str": "1", "id": 1}
    months: dict[str, int] = {}
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z,
        tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as table,
    ):
        rows = csv.writer(table, quoting=csv.QUOTE_ALL)
        rows.writerow(
            [
                "tweet_id",
                "in_reply_to_status_id",
                "in_reply_to_user_id",
                "timestamp",
                "source",
                "text",
                "retweeted_status_id",
                "retweeted_status_user_id",
                "retweeted_status_timestamp",
                "expanded_urls",
            ]
        )
        month: str | None = None
        out: IO[str] | None = None
        raw: IO[bytes] | None = None

        def close() -> None:
            if out is not None and raw is not None:
                out.write("\n]")
                out.flush()
                out.detach()  # type: ignore[attr-defined]
                raw.close()

        for i, text, when in _timed(texts):
            if f"{when:%Y_%m}" != month:
                close()
                month = f"{when:%Y_%m}"
                raw = z.open(f"data/js/tweets/{month}.js", "w")
                out = io.TextIOWrapper(raw, encoding="utf-8")
                out.write(f"Grailbird.data.tweets_{month} = \n[ ")
                months[month] = 0
            assert out is not None
            tid = str(500_000_000_000_000_000 + i)
            stamp = when.strftime("%Y-%m-%d %H:%M:%S +0000")
            tweet: dict[str, object] = {
                "source": "web",
                "entities": {"user_mentions": [], "media": [], "hashtags": [], "urls": []},
                "geo": {},
                "id_str": tid,
                "text": text.replace("&", "&amp;").replace(">", "&gt;"),
                "id": int(tid),
                "created_at": stamp,
                "user": user,
            }
            reply = ["", ""]
            if i % 7 == 3:
                reply = [str(500_000_000_000_000_000 + i - 1), "2"]
                tweet["in_reply_to_status_id_str"] = reply[0]
                tweet["in_reply_to_user_id_str"] = reply[1]
                tweet["in_reply_to_screen_name"] = "friend_example"
            out.write((",\n" if months[month] else "") + json.dumps(tweet, indent=2))
            months[month] += 1
            rows.writerow([tid, *reply, stamp, "web", text, "", "", "", ""])
        close()
        z.writestr(
            "data/js/user_details.js",
            "var user_details = " + json.dumps({**user, "full_name": user["name"]}, indent=2),
        )
        index = [
            {
                "file_name": f"data/js/tweets/{m}.js",
                "year": int(m[:4]),
                "var_name": f"tweets_{m}",
                "tweet_count": n,
                "month": int(m[5:]),
            }
            for m, n in sorted(months.items(), reverse=True)
        ]
        z.writestr("data/js/tweet_index.js", "var tweet_index = " + json.dumps(index, indent=2))
        table.seek(0)
        with z.open("tweets.csv", "w") as dest:
            for line in table:
                dest.write(line.encode("utf-8"))
    return path


def write_linkedin(path: Path, texts: Iterable[str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open("Shares.csv", "w") as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(
            ["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"]
        )
        for i, text, when in _timed(texts):
            lines = text.split("\n")
            # LinkedIn wraps each line of a multi-line post in its own quotes.
            body = text if len(lines) == 1 else '"\n"'.join(lines)
            urn = f"urn%3Ali%3Ashare%3A{7_000_000_000_000_000_000 + i}"
            writer.writerow(
                [
                    when.strftime("%Y-%m-%d %H:%M:%S"),
                    f"https://www.linkedin.com/feed/update/{urn}",
                    body,
                    "",
                    "",
                    "MEMBER_NETWORK",
                ]
            )
        out.flush()
        out.detach()
    return path


def write_facebook(path: Path, texts: Iterable[str]) -> Path:
    name = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(name, "w") as raw:
        out = io.TextIOWrapper(raw, encoding="ascii")

        def items() -> Iterator[object]:
            for _, text, when in _timed(texts):
                ts = int(when.timestamp())
                yield {
                    "timestamp": ts,
                    "data": [{"post": _mojibake(text)}, {"update_timestamp": ts}],
                    "title": _mojibake("Sam Example updated their status."),
                }

        _json_array(out, items())
        out.flush()
        out.detach()
    return path


def write_instagram(path: Path, texts: Iterable[str]) -> Path:
    name = "your_instagram_activity/content/posts_1.json"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(name, "w") as raw:
        out = io.TextIOWrapper(raw, encoding="ascii")

        def items() -> Iterator[object]:
            for i, text, when in _timed(texts):
                ts = int(when.timestamp())
                uri = f"media/posts/{when:%Y%m}/{i}.jpg"
                if i % 2:
                    yield {
                        "media": [{"uri": uri, "creation_timestamp": ts, "title": _mojibake(text)}]
                    }
                else:
                    yield {
                        "media": [
                            {"uri": uri, "creation_timestamp": ts, "title": ""},
                            {"uri": uri + "2", "creation_timestamp": ts, "title": ""},
                        ],
                        "title": _mojibake(text),
                        "creation_timestamp": ts,
                    }

        _json_array(out, items())
        out.flush()
        out.detach()
    return path


WRITERS = {
    "x": (write_x, "x-archive.zip"),
    "mastodon": (write_mastodon, "mastodon-archive.tar.gz"),
    "bluesky": (write_bluesky, "repo.car"),
    "linkedin": (write_linkedin, "linkedin-export.zip"),
    "facebook": (write_facebook, "facebook-export.zip"),
    "instagram": (write_instagram, "instagram-export.zip"),
}


def write(fmt: str, folder: Path, texts: Iterable[str]) -> Path:
    writer, filename = WRITERS[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    return writer(folder / filename, texts)
