"""Hostile exports, written on demand (none is checked in): for every importer, each kind of
file from issue 18's table, small enough for CI, with what ``tactful audit`` must make of it.

Each case holds three good posts around the hostile part, so a case also shows that the rest
of the export is audited. ``tests/archives/test_hostile.py`` runs them;
``benchmarks/bench_hostile.py`` prints the table.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

GOOD = [
    "Lovely walk by the river this morning.",
    "We shipped the new onboarding flow today.",
    "Thank you all for coming to the meetup.",
]
COMMENT = "We shipped the new onboarding flow today, congratulations to the whole team."
LONG = "Lovely walk by the river this morning. " * 3100  # 120,900 characters
BOMB_BYTES = 64 << 20  # whitespace that compresses to ~64 KB: a ratio of about 1,000
STRING_BYTES = 8 << 20  # one string or field: past the record and string limits
DEEP = 50_000  # brackets
SIDE_DEEP = 5_000  # brackets, in a side file (account, notes, comments)
TS = 1_546_333_200  # 2019-01-01 09:00 UTC
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@dataclass(frozen=True)
class Case:
    """One hostile export and what the audit must report."""

    importer: str
    kind: str
    path: Path
    posts: int  # posts checked
    unreadable: int
    message: str  # in the audit's output
    code: int = 0
    shortened: int = 0
    extra_args: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- writing


class Raw:
    """Bytes spliced into a JSON list as they are (a hostile record, or whitespace)."""

    def __init__(self, write: Callable[[io.RawIOBase | zipfile.ZipExtFile | object], None]):
        self.write = write


def repeated(piece: bytes, total: int) -> Raw:
    def write(out: object) -> None:
        block = piece * max(1, (1 << 20) // len(piece))
        left = total
        while left > 0:
            chunk = block[:left]
            out.write(chunk)  # type: ignore[attr-defined]
            left -= len(chunk)

    return Raw(write)


def nested(depth: int) -> Raw:
    return Raw(lambda out: out.write(b"[" * depth + b"]" * depth))  # type: ignore[attr-defined]


def big_string(wrap: Callable[[bytes], tuple[bytes, bytes]]) -> Raw:
    """A record whose one string is STRING_BYTES long: ``wrap(b"")`` gives what goes before
    and after the string's characters."""
    head, tail = wrap(b"")

    def write(out: object) -> None:
        out.write(head)  # type: ignore[attr-defined]
        repeated(b"a", STRING_BYTES).write(out)
        out.write(tail)  # type: ignore[attr-defined]

    return Raw(write)


def multiline_field(head: bytes, tail: bytes) -> Raw:
    """A CSV row whose quoted field is three lines of 1 MiB: each line within the line
    limit, the field past the field limit."""

    def write(out: object) -> None:
        out.write(head + (b"a" * (1 << 20) + b"\n") * 3 + tail)  # type: ignore[attr-defined]

    return Raw(write)


def write_list(
    out: object, items: Iterable[object], before: bytes = b"", after: bytes = b""
) -> None:
    out.write(before)  # type: ignore[attr-defined]
    out.write(b"[")  # type: ignore[attr-defined]
    for i, item in enumerate(items):
        if i:
            out.write(b",")  # type: ignore[attr-defined]
        if isinstance(item, Raw):
            item.write(out)
        else:
            out.write(json.dumps(item).encode())  # type: ignore[attr-defined]
    out.write(b"]")  # type: ignore[attr-defined]
    out.write(after)  # type: ignore[attr-defined]


def zip_of(path: Path, files: dict[str, Callable[[object], None] | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            name = name.split("#", 1)[0]  # "name#2": a second entry of the same name
            if isinstance(content, bytes):
                z.writestr(name, content)
            else:
                with z.open(name, "w", force_zip64=True) as out:
                    content(out)
    return path


def tar_of(path: Path, files: dict[str, Callable[[object], None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            buf = io.BytesIO()
            content(buf)
            info = tarfile.TarInfo(name)
            info.size = buf.tell()
            buf.seek(0)
            tar.addfile(info, buf)
    return path


# --------------------------------------------------------------------------- records


def tweet(i: int, text: str) -> dict[str, object]:
    return {
        "tweet": {
            "id_str": str(1000 + i),
            "full_text": text,
            "created_at": "Wed Oct 10 20:19:24 +0000 2018",
            "entities": {"urls": []},
        }
    }


def fb_post(i: int, text: str) -> dict[str, object]:
    return {"timestamp": TS + i, "data": [{"post": text}]}


def fb_comment(i: int, text: str) -> dict[str, object]:
    return {
        "timestamp": TS + i,
        "data": [{"comment": {"timestamp": TS + i, "comment": text}}],
        "title": "Sam commented on a post.",
    }


def ig_post(i: int, text: str) -> dict[str, object]:
    return {"media": [{"uri": "", "creation_timestamp": TS + i, "title": text}]}


def ig_comment(i: int, text: str) -> dict[str, object]:
    return {
        "string_map_data": {
            "Comment": {"value": text},
            "Media Owner": {"value": "bob"},
            "Time": {"timestamp": TS + i},
        }
    }


def activity(i: int, text: str) -> dict[str, object]:
    base = "https://social.example/users/sam"
    return {
        "id": f"{base}/statuses/{i}/activity",
        "type": "Create",
        "published": "2023-01-02T03:04:05Z",
        "object": {
            "id": f"{base}/statuses/{i}",
            "type": "Note",
            "content": f"<p>{text}</p>",
            "to": [PUBLIC],
            "cc": [],
            "published": "2023-01-02T03:04:05Z",
        },
    }


def grail_tweet(i: int, text: str) -> dict[str, object]:
    return {
        "id_str": str(2000 + i),
        "text": text,
        "created_at": "2013-01-31 22:10:13 +0000",
        "entities": {"urls": []},
    }


def records(make: Callable[[int, str], object], hostile: object | None = None) -> list[object]:
    """The three good records, with ``hostile`` (if any) second."""
    good = [make(i, t) for i, t in enumerate(GOOD)]
    return good if hostile is None else [good[0], hostile, *good[1:]]


# --------------------------------------------------------------------------- formats


def x_export(path: Path, items: list[object], **extra: Callable[[object], None] | bytes) -> Path:
    return zip_of(
        path,
        {
            "data/tweets.js": lambda out: write_list(out, items, b"window.YTD.tweets.part0 = "),
            **extra,
        },
    )


def grail_export(path: Path, items: list[object], **extra: Callable[[object], None]) -> Path:
    return zip_of(
        path,
        {
            "data/js/tweets/2013_01.js": lambda out: write_list(
                out, items, b"Grailbird.data.tweets_2013_01 = "
            ),
            **extra,
        },
    )


FB_POSTS = "your_facebook_activity/posts/your_posts_1.json"
FB_COMMENTS = "your_facebook_activity/comments_and_reactions/comments.json"
IG_POSTS = "your_instagram_activity/content/posts_1.json"
IG_COMMENTS = "your_instagram_activity/comments/post_comments_1.json"


def fb_export(path: Path, items: list[object], **extra: Callable[[object], None]) -> Path:
    return zip_of(path, {FB_POSTS: lambda out: write_list(out, items), **extra})


def ig_export(path: Path, items: list[object], **extra: Callable[[object], None]) -> Path:
    return zip_of(path, {IG_POSTS: lambda out: write_list(out, items), **extra})


def mastodon_export(path: Path, items: list[object], before: bytes = b"") -> Path:
    head = b'{"@context": "https://www.w3.org/ns/activitystreams", '
    head += b'"type": "OrderedCollection", ' + before + b'"orderedItems": '
    return tar_of(path, {"outbox.json": lambda out: write_list(out, items, head, b"}")})


def csv_text(header: str, rows: Iterable[str | Raw]) -> Callable[[object], None]:
    def write(out: object) -> None:
        out.write((header + "\r\n").encode())  # type: ignore[attr-defined]
        for row in rows:
            if isinstance(row, Raw):
                row.write(out)
            else:
                out.write((row + "\r\n").encode())  # type: ignore[attr-defined]

    return write


LI_HEADER = "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility"
TWEETS_CSV_HEADER = (
    '"tweet_id","in_reply_to_status_id","in_reply_to_user_id","timestamp","source","text",'
    '"retweeted_status_id","retweeted_status_user_id","retweeted_status_timestamp","expanded_urls"'
)


def li_row(i: int, text: str) -> str:
    return f'2024-01-0{i + 1} 09:00:00,https://www.linkedin.com/feed/update/{i},"{text}",,,MEMBER_NETWORK'


def tweets_csv_row(i: int, text: str) -> str:
    return f'"{3000 + i}","","","2013-01-31 22:10:13 +0000","web","{text}","","","",""'


def csv_rows(row: Callable[[int, str], str], hostile: str | Raw | None) -> list[str | Raw]:
    good: list[str | Raw] = [row(i, t) for i, t in enumerate(GOOD)]
    return good if hostile is None else [good[0], hostile, *good[1:]]


def li_export(path: Path, hostile: str | Raw | None) -> Path:
    return zip_of(path, {"Shares.csv": csv_text(LI_HEADER, csv_rows(li_row, hostile))})


def tweets_csv_export(path: Path, hostile: str | Raw | None) -> Path:
    return zip_of(
        path, {"tweets.csv": csv_text(TWEETS_CSV_HEADER, csv_rows(tweets_csv_row, hostile))}
    )


# --------------------------------------------------------------------------- Bluesky


def car_export(path: Path, hostile: str) -> Path:
    """A repository CAR with the three good posts (and the long one for "long_post"), made
    hostile as ``hostile`` says."""
    import hashlib

    import libipld

    def cid(data: bytes) -> bytes:
        return b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()

    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte = n & 0x7F
            n >>= 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    blocks: list[tuple[bytes, bytes]] = []

    def put(obj: object) -> bytes:
        data = libipld.encode_dag_cbor(obj)
        key = cid(data)
        blocks.append((key, data))
        return key

    texts = list(GOOD)
    if hostile == "long_post":
        texts.insert(1, LONG)
    entries: list[tuple[bytes, bytes]] = []
    for i, text in enumerate(texts):
        record = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": f"2024-01-0{i + 1}T09:00:00.000Z",
        }
        entries.append((f"app.bsky.feed.post/3k{i:03d}".encode(), put(record)))
    if hostile == "deep_cbor":
        deep = b"\x81" * DEEP + b"\x00"  # [[[...0...]]]
        deep_cid = cid(deep)
        blocks.append((deep_cid, b"\xa2" + b"\x64text" + b"\x61x" + b"\x64deep" + deep))
        entries.insert(1, (b"app.bsky.feed.post/3k0zz", deep_cid))
    tail: bytes | None = None
    if hostile == "mst_chain":  # every node's left subtree is the next node, 100,000 deep
        for _ in range(100_000):
            tail = put({"e": [], "l": tail})
    entries.sort()
    node = {
        "e": [
            {"p": 0, "k": key, "v": value, "t": None}  # keys in full: no prefix sharing
            for key, value in entries
        ],
        "l": tail,
    }
    root = put(node)
    commit = put({"did": "did:plc:sam", "version": 3, "data": root, "rev": "3k", "prev": None})
    header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})
    with open(path, "wb") as out:
        out.write(varint(len(header)) + header)
        for key, data in [blocks[-1], *blocks[:-1]]:
            out.write(varint(len(key) + len(data)) + key + data)
        if hostile in ("block_2^62", "block_2^63"):
            out.write(varint(1 << (62 if hostile == "block_2^62" else 63)) + b"\x01\x71")
        if hostile == "big_block":
            record = libipld.encode_dag_cbor(
                {"$type": "app.bsky.feed.post", "text": "a" * (8 << 20)}
            )
            out.write(varint(36 + len(record)) + cid(record) + record)
    return path


# --------------------------------------------------------------------------- the cases


def cases(folder: Path) -> list[Case]:
    """Every hostile case, its files written under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Case] = []

    def add(importer: str, kind: str, path: Path, **expect: object) -> None:
        out.append(Case(importer, kind, path, **expect))  # type: ignore[arg-type]

    deep = "nested more than 64 deep; the record was skipped"
    long_string = "a string longer than 2 MiB; the record was skipped"
    expands = "expands more than 200 times its compressed size"
    shortened = "posts longer than 100,000 characters, audited on their first 100,000"

    def f(name: str) -> Path:
        return folder / name

    # X (today's archives)
    add(
        "x",
        "deep",
        x_export(f("x-deep.zip"), records(tweet, nested(DEEP))),
        posts=3,
        unreadable=1,
        message=deep,
    )
    add(
        "x",
        "deep_side",
        x_export(
            f("x-deep-side.zip"),
            records(tweet),
            **{
                "data/account.js": b"window.YTD.account.part0 = "
                + b"[" * SIDE_DEEP
                + b"]" * SIDE_DEEP,
                "data/note-tweet.js": b"window.YTD.note_tweet.part0 = ["
                + b"[" * SIDE_DEEP
                + b"]" * SIDE_DEEP
                + b"]",
            },
        ),
        posts=3,
        unreadable=2,
        message="data/account.js is nested more than 64 deep",
    )
    add(
        "x",
        "big_string",
        x_export(
            f("x-string.zip"),
            records(tweet, big_string(lambda _: (b'{"tweet": {"full_text": "', b'"}}'))),
        ),
        posts=3,
        unreadable=1,
        message=long_string,
    )
    add(
        "x",
        "whitespace",
        x_export(f("x-space.zip"), records(tweet, repeated(b" ", BOMB_BYTES))),
        posts=1,
        unreadable=1,
        message=expands,
    )
    add(
        "x",
        "long_post",
        x_export(f("x-long.zip"), records(tweet, tweet(9, LONG))),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )
    add(
        "x",
        "duplicate",
        zip_of(
            f("x-dup.zip"),
            {
                "data/tweets.js": lambda out: write_list(
                    out, records(tweet)[:1], b"window.YTD.tweets.part0 = "
                ),
                "data/tweets.js#2": lambda out: write_list(
                    out, records(tweet), b"window.YTD.tweets.part0 = "
                ),
            },
        ),
        posts=3,
        unreadable=1,
        message="the export holds 2 files named data/tweets.js; only the last one was read",
    )

    # X archives from before 2019 (Grailbird), and their tweets.csv
    add(
        "grailbird",
        "deep",
        grail_export(f("g-deep.zip"), records(grail_tweet, nested(DEEP))),
        posts=3,
        unreadable=1,
        message=deep,
    )
    add(
        "grailbird",
        "deep_side",
        grail_export(
            f("g-deep-side.zip"),
            records(grail_tweet),
            **{
                "data/js/user_details.js": lambda out: out.write(
                    b"var Grailbird = {}; Grailbird.data.user_details = "
                    + b'{"a":' * SIDE_DEEP
                    + b"1"
                    + b"}" * SIDE_DEEP
                )
            },  # type: ignore[attr-defined]
        ),
        posts=3,
        unreadable=0,
        message="3 posts checked",
    )
    add(
        "grailbird",
        "big_string",
        grail_export(
            f("g-string.zip"), records(grail_tweet, big_string(lambda _: (b'{"text": "', b'"}')))
        ),
        posts=3,
        unreadable=1,
        message=long_string,
    )
    add(
        "grailbird",
        "whitespace",
        grail_export(f("g-space.zip"), records(grail_tweet, repeated(b"\n", BOMB_BYTES))),
        posts=1,
        unreadable=1,
        message=expands,
    )
    add(
        "grailbird",
        "long_post",
        grail_export(f("g-long.zip"), records(grail_tweet, grail_tweet(9, LONG))),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )
    add(
        "csv",
        "big_field",
        tweets_csv_export(f("c-field.zip"), repeated(b"a", STRING_BYTES)),
        posts=1,
        unreadable=1,
        message="a line longer than 4,194,304 characters",
    )
    add(
        "csv",
        "big_quoted_field",
        tweets_csv_export(
            f("c-quoted.zip"),
            multiline_field(b'"9","","","2013-01-31 22:10:13 +0000","web","', b'","","","",""\r\n'),
        ),
        posts=1,
        unreadable=1,
        message="field larger than field limit",
    )
    add(
        "csv",
        "long_post",
        tweets_csv_export(f("c-long.zip"), tweets_csv_row(9, LONG)),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )

    # Facebook
    add(
        "facebook",
        "deep",
        fb_export(f("fb-deep.zip"), records(fb_post, nested(DEEP))),
        posts=3,
        unreadable=1,
        message=deep,
    )
    add(
        "facebook",
        "deep_side",
        fb_export(
            f("fb-deep-side.zip"),
            records(fb_post),
            **{
                FB_COMMENTS: lambda out: write_list(
                    out, [fb_comment(0, COMMENT), nested(SIDE_DEEP)], b'{"comments_v2": ', b"}"
                )
            },
        ),
        posts=4,
        unreadable=1,
        message=deep,
    )
    add(
        "facebook",
        "big_string",
        fb_export(
            f("fb-string.zip"),
            records(
                fb_post, big_string(lambda _: (b'{"timestamp": 1, "data": [{"post": "', b'"}]}'))
            ),
        ),
        posts=3,
        unreadable=1,
        message=long_string,
    )
    add(
        "facebook",
        "whitespace",
        fb_export(f("fb-space.zip"), records(fb_post, repeated(b"\t", BOMB_BYTES))),
        posts=1,
        unreadable=1,
        message=expands,
    )
    add(
        "facebook",
        "long_post",
        fb_export(f("fb-long.zip"), records(fb_post, fb_post(9, LONG))),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )

    # Instagram
    add(
        "instagram",
        "deep",
        ig_export(f("ig-deep.zip"), records(ig_post, nested(DEEP))),
        posts=3,
        unreadable=1,
        message=deep,
    )
    add(
        "instagram",
        "deep_side",
        ig_export(
            f("ig-deep-side.zip"),
            records(ig_post),
            **{
                IG_COMMENTS: lambda out: write_list(
                    out, [ig_comment(0, COMMENT), nested(SIDE_DEEP)]
                )
            },
        ),
        posts=4,
        unreadable=1,
        message=deep,
    )
    add(
        "instagram",
        "big_string",
        ig_export(
            f("ig-string.zip"), records(ig_post, big_string(lambda _: (b'{"title": "', b'"}')))
        ),
        posts=3,
        unreadable=1,
        message=long_string,
    )
    add(
        "instagram",
        "whitespace",
        ig_export(f("ig-space.zip"), records(ig_post, repeated(b" ", BOMB_BYTES))),
        posts=1,
        unreadable=1,
        message=expands,
    )
    add(
        "instagram",
        "long_post",
        ig_export(f("ig-long.zip"), records(ig_post, ig_post(9, LONG))),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )

    # Mastodon (a .tar.gz: the whole export's expansion is checked)
    add(
        "mastodon",
        "deep",
        mastodon_export(f("m-deep.tar.gz"), records(activity, nested(DEEP))),
        posts=3,
        unreadable=1,
        message=deep,
    )
    add(
        "mastodon",
        "deep_side",
        mastodon_export(
            f("m-deep-side.tar.gz"),
            records(activity),
            b'"meta": ' + b"[" * SIDE_DEEP + b"]" * SIDE_DEEP + b", ",
        ),
        posts=3,
        unreadable=0,
        message="3 posts checked",
    )
    add(
        "mastodon",
        "big_string",
        mastodon_export(
            f("m-string.tar.gz"),
            records(
                activity,
                big_string(lambda _: (b'{"type": "Create", "object": {"content": "', b'"}}')),
            ),
        ),
        posts=3,
        unreadable=1,
        message=long_string,
    )
    add(
        "mastodon",
        "whitespace",
        mastodon_export(f("m-space.tar.gz"), records(activity, repeated(b" ", BOMB_BYTES))),
        posts=1,
        unreadable=2,
        message="expands to more than 16 MiB",
    )
    add(
        "mastodon",
        "long_post",
        mastodon_export(f("m-long.tar.gz"), records(activity, activity(9, LONG))),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )

    # LinkedIn (CSV)
    add(
        "linkedin",
        "big_field",
        li_export(f("li-field.zip"), repeated(b"a", STRING_BYTES)),
        posts=1,
        unreadable=1,
        message="a line longer than 4,194,304 characters",
    )
    add(
        "linkedin",
        "big_quoted_field",
        li_export(
            f("li-quoted.zip"),
            multiline_field(b'2024-01-09 09:00:00,x,"', b'",,,MEMBER_NETWORK\r\n'),
        ),
        posts=1,
        unreadable=1,
        message="field larger than field limit",
    )
    add(
        "linkedin",
        "long_post",
        li_export(f("li-long.zip"), li_row(8, LONG)),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )

    # Bluesky (a repository CAR)
    add(
        "bluesky",
        "deep_cbor",
        car_export(f("b-deep.car"), "deep_cbor"),
        posts=3,
        unreadable=1,
        message="a block nested more than 64 deep",
    )
    add(
        "bluesky",
        "mst_chain",
        car_export(f("b-chain.car"), "mst_chain"),
        posts=3,
        unreadable=1,
        message="search tree is more than 128 levels deep",
    )
    add(
        "bluesky",
        "block_2^62",
        car_export(f("b-2-62.car"), "block_2^62"),
        posts=3,
        unreadable=1,
        message="a block announces 4,611,686,018,427,387,904 bytes",
    )
    add(
        "bluesky",
        "block_2^63",
        car_export(f("b-2-63.car"), "block_2^63"),
        posts=3,
        unreadable=1,
        message="a block announces 9,223,372,036,854,775,808 bytes",
    )
    add(
        "bluesky",
        "big_block",
        car_export(f("b-big.car"), "big_block"),
        posts=3,
        unreadable=1,
        message="more than 4 MiB",
    )
    add(
        "bluesky",
        "long_post",
        car_export(f("b-long.car"), "long_post"),
        posts=4,
        unreadable=0,
        shortened=1,
        code=1,
        message=shortened,
    )
    return out


DRIVER = """
import json, resource, sys, traceback
from click.testing import CliRunner
from tactful.cli.main import main


def peak_mb():
    # VmHWM is this process's own peak since it started; ru_maxrss would also count the
    # memory of the process it was forked from (a pytest worker), which exec does not reset.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


for args in json.loads(sys.argv[1]):
    result = CliRunner().invoke(main, args)
    failed = result.exception is not None and not isinstance(result.exception, SystemExit)
    print(json.dumps({
        "code": 3 if failed else result.exit_code,
        "output": result.stdout + result.stderr + (
            "".join(traceback.format_exception(result.exception)) if failed else ""
        ),
        "peak_mb": peak_mb(),
    }), flush=True)
"""


def audit_args(case: Case, work: Path) -> list[str]:
    """The ``tactful audit`` arguments for a case: one worker (everything in one process,
    so its peak is the audit's), a database and an output folder of its own."""
    out = work / f"out-{case.importer}-{case.kind}"
    db = f"sqlite:///{work / f'{case.importer}.db'}"
    return ["audit", str(case.path), "--workers", "1", "--fresh", "--db", db, "-o", str(out)]
