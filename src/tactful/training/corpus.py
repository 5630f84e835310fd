"""The project's etiquette corpus: loading and validation (see corpus/GUIDELINES.md)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CATEGORIES = (
    "offense.identity",
    "offense.insult",
    "conflict.public_attack",
    "conflict.former_employer",
    "work.venting",
    "work.confidential",
    "work.client_story",
    "views.political",
    "views.religious",
    "lifestyle.nightlife",
    "register.personal",
    "register.promotional",
    "engagement.low_value",
    "engagement.hostile_reply",
    "inbound.harassment",
    "inbound.trolling",
    "inbound.spam",
    "inbound.complaint",
)
PLATFORMS = {"linkedin", "x", "facebook", "instagram", "mastodon", "bluesky"}
ACCOUNT_KINDS = {"personal", "professional", "brand"}


@dataclass(frozen=True, slots=True)
class CorpusPost:
    id: str
    text: str
    labels: frozenset[str]
    platform: str
    account_kind: str
    reply: bool
    inbound: bool
    split: str
    file: str


class CorpusError(ValueError):
    pass


def corpus_dir() -> Path:
    return Path(str(resources.files("tactful.training").joinpath("corpus")))


def _parse(line: str, file: str, number: int) -> CorpusPost:
    where = f"{file}:{number}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{where}: not valid JSON ({exc.msg})") from None
    missing = {"id", "text", "labels", "platform", "account_kind", "split"} - set(raw)
    if missing:
        raise CorpusError(f"{where}: missing {sorted(missing)}")
    labels = raw["labels"]
    if not isinstance(labels, list) or any(label not in CATEGORIES for label in labels):
        raise CorpusError(f"{where}: labels must be a list of {CATEGORIES}, got {labels!r}")
    if raw["platform"] not in PLATFORMS or raw["account_kind"] not in ACCOUNT_KINDS:
        raise CorpusError(f"{where}: bad platform or account_kind")
    if raw["split"] not in ("train", "val"):
        raise CorpusError(f"{where}: split must be train or val")
    text = raw["text"]
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: empty text")
    reply, inbound = bool(raw.get("reply", False)), bool(raw.get("inbound", False))
    if any(label.startswith("engagement.") for label in labels) and not reply:
        raise CorpusError(f"{where}: engagement.* posts are replies (reply: true)")
    if any(label.startswith("inbound.") for label in labels) and not inbound:
        raise CorpusError(f"{where}: inbound.* posts are inbound (inbound: true)")
    return CorpusPost(
        id=str(raw["id"]),
        text=text,
        labels=frozenset(labels),
        platform=raw["platform"],
        account_kind=raw["account_kind"],
        reply=reply,
        inbound=inbound,
        split=raw["split"],
        file=file,
    )


def load_corpus(directory: Path | None = None) -> list[CorpusPost]:
    """Every post of every ``*.jsonl`` file; raises CorpusError naming file and line."""
    directory = directory or corpus_dir()
    posts: list[CorpusPost] = []
    seen: dict[str, str] = {}
    texts: dict[str, str] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            post = _parse(line, path.name, number)
            if post.id in seen:
                raise CorpusError(f"{path.name}:{number}: duplicate id {post.id} ({seen[post.id]})")
            key = " ".join(post.text.lower().split())
            if key in texts:
                raise CorpusError(f"{path.name}:{number}: duplicate text of {texts[key]}")
            seen[post.id] = f"{path.name}:{number}"
            texts[key] = post.id
            posts.append(post)
    return posts


def split(posts: list[CorpusPost], name: str) -> Iterator[CorpusPost]:
    return (p for p in posts if p.split == name)


def summary(posts: list[CorpusPost]) -> str:
    """Per category: positives (train/val); and hard negatives counted per file."""
    lines = []
    for category in CATEGORIES:
        pos = [p for p in posts if category in p.labels]
        val = sum(1 for p in pos if p.split == "val")
        lines.append(f"{category:28} {len(pos):5} positives ({len(pos) - val} train / {val} val)")
    negatives = Counter(p.file for p in posts if not p.labels)
    lines.append(f"{'(no label)':28} {sum(negatives.values()):5} posts: {dict(negatives)}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(load_corpus()))
