"""Training and validation data: the public sets in ``--data`` and the project's corpus.

Each public set speaks to a few categories only, so every example carries a label vector
and a *mask* (which categories it says anything about). A TweetEval "not offensive" tweet is
a negative for the offence categories and says nothing about politics; a stance tweet with
a stance is a positive for views.political and says nothing about insults.

ToxiGen has no test split here, so a fixed half (by a hash of the text) is held out to
measure false positives on neutral statements about each group; the other half trains.
"""

from __future__ import annotations

import csv
import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path

from tactful.models.contexts import context_categories
from tactful.training.corpus import CATEGORIES, load_corpus

OFFENCE = ("offense.identity", "offense.insult")


@dataclass(slots=True)
class Example:
    text: str
    labels: dict[str, int]  # category -> 0/1 for the categories this example speaks to
    source: str
    reply: bool = False
    inbound: bool = False
    group: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _tsv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: pass --data pointing at the shared data folder "
            "(the one with tweeteval/, davidson/, toxigen/)"
        )
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _held_out(text: str, percent: int) -> bool:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100 < percent


def tweeteval_offensive(data: Path, split: str) -> list[Example]:
    rows = _tsv(data / "tweeteval" / "offensive" / f"{split}.tsv")
    out = []
    for r in rows:
        y = int(r["label"])
        # Offensive (OLID) covers insults, profanity and attacks on groups: a positive says
        # "insult", a negative says "neither insult nor identity attack".
        labels = {"offense.insult": y} if y else dict.fromkeys(OFFENCE, 0)
        out.append(Example(r["text"], labels, "tweeteval/offensive"))
    return out


def tweeteval_hate(data: Path, split: str) -> list[Example]:
    rows = _tsv(data / "tweeteval" / "hate" / f"{split}.tsv")
    return [
        Example(r["text"], {"offense.identity": int(r["label"])}, "tweeteval/hate") for r in rows
    ]


def tweeteval_stance(data: Path, split: str) -> list[Example]:
    rows = _tsv(data / "tweeteval" / "stance" / f"{split}.tsv")
    out = []
    for r in rows:
        if int(r["label"]) == 0:  # no stance: says nothing we can use
            continue
        category = "views.religious" if r["topic"] == "atheism" else "views.political"
        out.append(Example(r["text"], {category: 1}, "tweeteval/stance"))
    return out


def davidson(data: Path, limit: int = 6000) -> list[Example]:
    rows = _tsv(data / "davidson" / "labeled.tsv")
    out = []
    for r in rows:
        text = html.unescape(r["text"])
        cls = int(r["class"])
        if cls == 0:
            labels = {"offense.identity": 1}
        elif cls == 1:
            labels = {"offense.insult": 1, "offense.identity": 0}
        else:
            labels = dict.fromkeys(OFFENCE, 0)
        out.append(Example(text, labels, "davidson"))
    # Most tweets are "offensive": keep every hate and neither tweet, cap the rest.
    keep = [e for e in out if e.labels.get("offense.insult") != 1]
    offensive = [e for e in out if e.labels.get("offense.insult") == 1]
    offensive.sort(key=lambda e: hashlib.sha256(e.text.encode()).hexdigest())
    return keep + offensive[: max(0, limit - len(keep))]


def toxigen(data: Path, held_out: bool) -> list[Example]:
    rows = _tsv(data / "toxigen" / "train.tsv")
    out = []
    for r in rows:
        text = r["text"].lstrip("- ").strip()
        if _held_out(text, 50) != held_out:
            continue
        y = int(r["label"])
        labels = {"offense.identity": 1} if y else dict.fromkeys(OFFENCE, 0)
        out.append(Example(text, labels, "toxigen", group=r.get("group", "")))
    return out


def corpus(split: str) -> list[Example]:
    out = []
    for post in load_corpus():
        if post.split != split:
            continue
        speaks_to = context_categories(CATEGORIES, inbound=post.inbound, reply=post.reply)
        labels = {c: int(c in post.labels) for c in speaks_to}
        out.append(
            Example(
                post.text,
                labels,
                f"corpus/{post.file}",
                reply=post.reply,
                inbound=post.inbound,
                extra={"platform": post.platform, "account_kind": post.account_kind, "id": post.id},
            )
        )
    return out


def training_set(data: Path) -> list[Example]:
    return [
        *corpus("train"),
        *tweeteval_offensive(data, "train"),
        *tweeteval_hate(data, "train"),
        *tweeteval_stance(data, "train"),
        *davidson(data),
        *toxigen(data, held_out=False),
    ]


def unlabelled_tweets(data: Path) -> list[str]:
    """Real tweets from the public sets' *train* files, their labels unused: what the fast
    tier learns to score the way the teacher does. Validation and test files are never read."""
    texts: list[str] = []
    for name in ("emotion", "irony", "offensive", "hate", "stance"):
        texts += [r["text"] for r in _tsv(data / "tweeteval" / name / "train.tsv")]
    texts += [html.unescape(r["text"]) for r in _tsv(data / "davidson" / "labeled.tsv")]
    return list(dict.fromkeys(t for t in texts if t.strip()))
