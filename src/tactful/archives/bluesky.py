"""Bluesky repository export (repo.car): the CAR file and its DAG-CBOR blocks are read with
libipld (the IPLD library the atproto SDK itself uses); the repository's Merkle search tree
gives each record its key, and so each post its link. The file is read in one pass and
records are decoded one at a time (constant memory, see car.py). A post's images and video
are described by their alt text, which is audited with the text; shortened links are read
as their targets, and a link card's URL is kept."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

from tactful.archives.base import (
    RECORD_ERRORS,
    ArchivedPost,
    Item,
    Skipped,
    Unreadable,
    guard_file,
    guard_record,
    parse_iso,
)
from tactful.archives.car import CarError, blocks, decode, read_header
from tactful.archives.source import ArchiveSource
from tactful.archives.textutil import with_alt_text, with_link_target
from tactful.core.post import Post

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
VIDEO = "app.bsky.embed.video"
LINK = "app.bsky.richtext.facet#link"


MISSING_NODE = (
    "part of the repository's search tree is missing or unreadable; the posts under it "
    "were not found"
)


def _walk(nodes: dict[bytes, Any], root: bytes, height: int) -> Iterator[tuple[str, bytes] | str]:
    """(key, record CID) for every entry of the tree under ``root``, in key order, without
    recursion; a problem (a missing node, a tree taller than ``height``) as a string."""
    seen: set[bytes] = set()
    # LIFO work: ("node", cid, level) to open, or ("entry", key, record cid) to yield.
    work: list[tuple[str, Any, Any]] = [("node", root, 1)]
    while work:
        what, first, second = work.pop()
        if what == "entry":
            yield first, second
            continue
        if first in seen:  # a malformed tree must not loop
            continue
        seen.add(first)
        node = nodes.get(first)
        if not isinstance(node, dict):
            yield MISSING_NODE
            continue
        if second > height:
            yield (
                f"the repository's search tree is more than {height} levels deep; the posts "
                "below that were not read"
            )
            continue
        found: list[tuple[str, Any, Any]] = []
        if node.get("l"):
            found.append(("node", node["l"], second + 1))
        prev = b""
        for entry in node.get("e") or []:
            key = prev[: entry["p"]] + entry["k"]
            prev = key
            found.append(("entry", key.decode("utf-8", "replace"), entry["v"]))
            if entry.get("t"):
                found.append(("node", entry["t"], second + 1))
        work.extend(reversed(found))


class BlueskyImporter:
    name = "bluesky"
    platform = "bluesky"

    def detect(self, source: ArchiveSource) -> bool:
        for name in source.find("*.car"):
            with source.open(name) as fh:
                head = fh.read(64)
            if b"roots" in head and b"version" in head:
                return True
        return False

    def inputs(self, source: ArchiveSource) -> list[str]:
        return source.find("*.car")

    def read(self, source: ArchiveSource) -> Iterator[Item]:
        for name in source.find("*.car"):
            yield from guard_file(name, self._car(source, name))

    def _car(self, source: ArchiveSource, name: str) -> Iterator[Item]:
        """One pass keeps the search-tree nodes (small) and each record's place in the file;
        records are then decoded one at a time, so memory does not grow with the posts."""
        import tempfile

        limits = source.limits
        with source.open(name) as raw, tempfile.TemporaryFile() as copy:
            # A seekable copy: a CAR inside a zip cannot be read at random.
            fh = raw if getattr(raw, "seekable", lambda: False)() else copy
            if fh is copy:
                shutil.copyfileobj(raw, copy, 1 << 20)
                copy.seek(0)
            nodes: dict[bytes, Any] = {}
            places: dict[bytes, tuple[int, int]] = {}
            commit = None
            problem = None
            try:
                root_commit = read_header(fh)["roots"][0]
                for cid, offset, data in blocks(fh, limits):
                    if cid == root_commit:
                        commit = decode(data, limits)
                    elif data[:3] == b"\xa2ae":  # the map {"e": ..., "l": ...}: a tree node
                        try:
                            nodes[cid] = decode(data, limits)
                        except ValueError:
                            continue  # walking the tree reports the missing node
                    else:
                        places[cid] = (offset, len(data))
            except (CarError, ValueError, KeyError, IndexError, TypeError) as exc:
                # Damage or a limit part way: what came before it is still walked.
                problem = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
            try:
                if not isinstance(commit, dict):
                    raise CarError(problem or "the repository's commit block is missing")
                did, root = commit["did"], commit["data"]
            except (CarError, KeyError, TypeError) as exc:
                first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
                yield Unreadable(name, f"not a readable repository CAR file ({first})")
                return
            if problem:
                yield Unreadable(
                    name,
                    f"the file stops being readable ({problem}); the posts before it were read",
                )

            def record(cid: bytes) -> Any:
                place = places.get(cid)
                if place is None:
                    return nodes.get(cid)
                fh.seek(place[0])
                return decode(fh.read(place[1]), limits)

            yield from self._records(name, nodes, record, did, root, limits.mst_height)

    def _records(
        self,
        name: str,
        nodes: dict[bytes, Any],
        record: Callable[[bytes], Any],
        did: str,
        root: bytes,
        height: int,
    ) -> Iterator[Item]:
        entries = _walk(nodes, root, height)
        while True:
            try:
                step = next(entries)
            except StopIteration:
                return
            except RECORD_ERRORS:
                yield Unreadable(
                    name, "the repository's search tree is malformed; the rest was lost"
                )
                return
            if isinstance(step, str):
                yield Unreadable(name, step)
                continue
            key, cid = step
            collection, _, rkey = key.partition("/")
            where = f"{name}:{key}"
            if collection == REPOST:
                yield Skipped(where, "repost (the archive holds no text for it)")
                continue
            if collection != POST:
                continue
            try:
                data = record(cid)
            except ValueError as exc:
                yield Unreadable(where, f"the record's block cannot be read ({str(exc)[:160]})")
                continue
            if not isinstance(data, dict):
                yield Unreadable(where, "the record's block is missing or unreadable")
                continue
            yield guard_record(where, self._item, data, where, did, rkey)

    def _item(self, record: dict[str, Any], where: str, did: str, rkey: str) -> Item:
        text = record.get("text")
        if not isinstance(text, str):
            return Unreadable(where, "a post without text")
        text, links = expand_links(text, record.get("facets"))
        embed = _mapping(record.get("embed"))
        etype = str(embed.get("$type", ""))
        # A quote with media keeps the media under "media"; the quoted post is not ours.
        attached = _mapping(embed.get("media")) or embed
        video = str(attached.get("$type", "")) == VIDEO
        images = [i for i in attached.get("images") or [] if isinstance(i, dict)]
        alts = [str(i.get("alt") or "") for i in images]
        if video:
            alts.append(str(attached.get("alt") or ""))
        card = _mapping(attached.get("external")).get("uri")
        if isinstance(card, str) and card and card not in links:
            links += (card,)
        text = with_alt_text(text, alts)
        if not text.strip():
            return Skipped(where, "empty post (no text, and no alt text on its media)")
        when = parse_iso(record.get("createdAt"))
        if when is None:
            return Unreadable(where, f"unreadable date {record.get('createdAt')!r}")
        reply = (record.get("reply") or {}).get("parent", {}).get("uri")
        # A repository export holds the media's content ids, never the files themselves.
        media = tuple(f"image {i + 1} (not in the export)" for i, _ in enumerate(images))
        if video:
            media += ("video (not in the export)",)
        return ArchivedPost(
            post=Post.build(
                text, platform="bluesky", created_at=when, source_id=rkey, reply_to=reply
            ),
            kind="reply" if reply else ("quote" if "embed.record" in etype else "post"),
            url=f"https://bsky.app/profile/{did}/post/{rkey}",
            visibility="public",
            media=media,
            links=links,
        )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def expand_links(text: str, facets: Any) -> tuple[str, tuple[str, ...]]:
    """The text with each link facet's shortened display (``example.com/long...``) replaced
    by its target, and the targets. Facets point at UTF-8 byte ranges; one that does not fit
    the text is left alone (its target is still kept)."""
    raw = text.encode("utf-8")
    found: list[tuple[int, int, str]] = []
    links: list[str] = []
    for facet in facets if isinstance(facets, list) else []:
        if not isinstance(facet, dict):
            continue
        index = _mapping(facet.get("index"))
        start, end = index.get("byteStart"), index.get("byteEnd")
        for feature in facet.get("features") or []:
            if not isinstance(feature, dict) or feature.get("$type") != LINK:
                continue
            uri = feature.get("uri")
            if not isinstance(uri, str) or not uri:
                continue
            if uri not in links:
                links.append(uri)
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw):
                found.append((start, end, uri))
    parts: list[bytes] = []
    done = 0
    for start, end, uri in sorted(found):
        if start < done:  # overlaps the facet before it
            continue
        try:
            shown = raw[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue
        parts += [raw[done:start], with_link_target(shown, uri).encode("utf-8")]
        done = end
    parts.append(raw[done:])
    return b"".join(parts).decode("utf-8", "replace"), tuple(links)
