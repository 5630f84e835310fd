"""Bluesky repository export (repo.car): the CAR file and its DAG-CBOR blocks are read with
libipld (the IPLD library the atproto SDK itself uses); the repository's Merkle search tree
gives each record its key, and so each post its link."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from tactful.archives.base import ArchivedPost, Item, Skipped, Unreadable
from tactful.archives.source import ArchiveSource
from tactful.post import Post

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"


def _walk(
    blocks: dict[bytes, Any], node_cid: bytes, seen: set[bytes]
) -> Iterator[tuple[str, bytes]]:
    """(key, record CID) for every entry of the tree under ``node_cid``, in key order."""
    if node_cid in seen:  # a malformed tree must not loop
        return
    seen.add(node_cid)
    node = blocks.get(node_cid)
    if not isinstance(node, dict):
        return
    if node.get("l"):
        yield from _walk(blocks, node["l"], seen)
    prev = b""
    for entry in node.get("e") or []:
        key = prev[: entry["p"]] + entry["k"]
        prev = key
        yield key.decode("utf-8", "replace"), entry["v"]
        if entry.get("t"):
            yield from _walk(blocks, entry["t"], seen)


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
        import libipld

        for name in source.find("*.car"):
            try:
                header, blocks = libipld.decode_car(source.read_bytes(name))
                commit = blocks[header["roots"][0]]
                did, root = commit["did"], commit["data"]
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                yield Unreadable(name, f"not a readable repository CAR file ({exc})")
                continue
            for key, cid in _walk(blocks, root, set()):
                collection, _, rkey = key.partition("/")
                where = f"{name}:{key}"
                if collection == REPOST:
                    yield Skipped(where, "repost (the archive holds no text for it)")
                    continue
                if collection != POST:
                    continue
                record = blocks.get(cid)
                if not isinstance(record, dict):
                    yield Unreadable(where, "the record's block is missing")
                    continue
                yield self._item(record, where, did, rkey)

    def _item(self, record: dict[str, Any], where: str, did: str, rkey: str) -> Item:
        text = record.get("text")
        if not isinstance(text, str):
            return Unreadable(where, "a post without text")
        if not text.strip():
            return Skipped(where, "empty post (image only)")
        try:
            when = datetime.fromisoformat(str(record.get("createdAt")).replace("Z", "+00:00"))
        except ValueError:
            return Unreadable(where, f"unreadable date {record.get('createdAt')!r}")
        reply = (record.get("reply") or {}).get("parent", {}).get("uri")
        embed = record.get("embed") or {}
        etype = str(embed.get("$type", ""))
        images = embed.get("images") or (embed.get("media") or {}).get("images") or []
        # A repository export holds the images' content ids, never the files themselves.
        media = tuple(f"image {i + 1} (not in the export)" for i, _ in enumerate(images))
        return ArchivedPost(
            post=Post.build(
                text, platform="bluesky", created_at=when, source_id=rkey, reply_to=reply
            ),
            kind="reply" if reply else ("quote" if "embed.record" in etype else "post"),
            url=f"https://bsky.app/profile/{did}/post/{rkey}",
            visibility="public",
            media=media,
        )
