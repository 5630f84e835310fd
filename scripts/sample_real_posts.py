"""Sample the real posts that tactful's real-text evaluation labels, show them in batches to
the person labelling them, and record that person's labels.

The sample is fixed: the same seed, plan and data give the same posts in the same order, so
a labelling session that stops can go on where it stopped, and anyone can check which posts
were drawn. Posts are shuffled across sources before batching, so any prefix of batches is a
mix of every source.

    .venv/bin/python scripts/sample_real_posts.py plan
    .venv/bin/python scripts/sample_real_posts.py show 3            # batch 3 (0-based)
    .venv/bin/python scripts/sample_real_posts.py record 3 notes.txt
    .venv/bin/python scripts/sample_real_posts.py status

``show`` prints each post as ``<index>  <file>:<line>`` and its text, without the source
set's own label (so it does not steer the labeller). ``record`` reads a notes file with one
line per post that has something to flag::

    17 prof:w ins:b
    42 id:b pol:w

(``<index> <short id>:<w|b> ...``; short ids are in SHORT below; ``#`` starts a comment).
Every other post of the batch is recorded as clean (labels ``{}``): the labeller has read
them all. Labels go to ``src/tactful/training/real_labels/<set>.jsonl``; a batch already
recorded is refused. No tweet text is written to the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "src" / "tactful" / "training" / "real_labels"
SEED = "tactful-real-labels-2026-12"
BATCH = 100

# (file under --data, source label -> how many posts). "*" means any label. About 60% come
# from ordinary posts (sentiment, emotion, irony, stance) and 40% from the offensive and hate
# sets, where the source set's positives are over-drawn (60%) so offensive posts are well
# represented.
PLAN: tuple[tuple[str, dict[str, int]], ...] = (
    ("tweeteval/sentiment/val.tsv", {"*": 260}),
    ("tweeteval/emotion/train.tsv", {"*": 170}),
    ("tweeteval/emotion/val.tsv", {"*": 50}),
    ("tweeteval/irony/train.tsv", {"*": 150}),
    ("tweeteval/irony/val.tsv", {"*": 50}),
    ("tweeteval/stance/train.tsv", {"*": 170}),
    ("tweeteval/stance/val.tsv", {"*": 50}),
    ("tweeteval/offensive/train.tsv", {"1": 168, "0": 112}),
    ("tweeteval/offensive/val.tsv", {"1": 42, "0": 28}),
    ("tweeteval/hate/train.tsv", {"1": 150, "0": 100}),
)

SHORT = {
    "id": "offense.identity",
    "ins": "offense.insult",
    "prof": "offense.profanity",
    "att": "conflict.public_attack",
    "fe": "conflict.former_employer",
    "vent": "work.venting",
    "client": "work.client_story",
    "conf": "work.confidential",
    "pol": "views.political",
    "rel": "views.religious",
    "night": "lifestyle.nightlife",
    "promo": "register.promotional",
    "loc": "safety.location",
    "contact": "safety.contact",
    "iddata": "safety.identity_data",
}
SEVERITY = {"w": "warn", "b": "block"}


def split_of(file: str, line: int) -> str:
    """Calibration or test, 50/50, by a hash of the reference (the same rule as the reader)."""
    digest = hashlib.sha256(f"{file}:{line}".encode()).digest()
    return "calibration" if digest[0] % 2 == 0 else "test"


def _rows(data: Path, file: str) -> list[tuple[int, str, str]]:
    """(line number, text, source label) for every data line; line 1 is the header."""
    lines = (data / file).read_text(encoding="utf-8").split("\n")
    out = []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        text, label = raw.split("\t")[:2]
        out.append((number, text, label))
    return out


def sample(data: Path) -> list[tuple[str, int, str]]:
    """The whole sample, in labelling order: (file, line, text)."""
    drawn: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for file, quota in PLAN:
        rows = _rows(data, file)
        for label, count in quota.items():
            pool = [r for r in rows if label in ("*", r[2])]
            random.Random(f"{SEED}:{file}:{label}").shuffle(pool)
            taken = 0
            for number, text, _ in pool:
                key = " ".join(text.lower().split())
                if taken == count:
                    break
                if key in seen:  # the same tweet twice in the data: label it once
                    continue
                seen.add(key)
                drawn.append((file, number, text))
                taken += 1
    random.Random(SEED).shuffle(drawn)
    return drawn


def set_name(file: str) -> str:
    return file.split("/")[1]


def recorded() -> set[tuple[str, int]]:
    done = set()
    for path in sorted(LABELS.glob("*.jsonl")):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                row = json.loads(raw)
                done.add((row["file"], row["line"]))
    return done


def parse_notes(path: Path, size: int) -> dict[int, dict[str, str]]:
    notes: dict[int, dict[str, str]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        raw = raw.split("#", 1)[0].strip()
        if not raw:
            continue
        index_text, *tags = raw.split()
        index = int(index_text)
        if not 0 <= index < size or index in notes or not tags:
            sys.exit(f"{path}:{number}: bad or repeated index, or no labels: {raw!r}")
        labels: dict[str, str] = {}
        for tag in tags:
            short, _, sev = tag.partition(":")
            if short not in SHORT or sev not in SEVERITY:
                sys.exit(f"{path}:{number}: unknown label {tag!r} (use e.g. prof:w, id:b)")
            labels[SHORT[short]] = SEVERITY[sev]
        notes[index] = labels
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("plan", help="how many posts each source gives")
    sub.add_parser("status", help="how many posts are labelled, per set and per label")
    show = sub.add_parser("show", help="print one batch to read")
    show.add_argument("batch", type=int)
    record = sub.add_parser("record", help="record a batch's labels from a notes file")
    record.add_argument("batch", type=int)
    record.add_argument("notes", type=Path)
    args = parser.parse_args()

    if args.command == "status":
        per_set: Counter[str] = Counter()
        per_label: Counter[str] = Counter()
        for path in sorted(LABELS.glob("*.jsonl")):
            for raw in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(raw)
                per_set[path.stem] += 1
                per_label.update(list(row["labels"]) or ["clean"])
        print(dict(per_set), sum(per_set.values()))
        for label, n in per_label.most_common():
            print(f"  {label:28} {n}")
        return

    posts = sample(args.data)
    if args.command == "plan":
        print(Counter(file for file, _, _ in posts), len(posts))
        print(f"{(len(posts) + BATCH - 1) // BATCH} batches of {BATCH}")
        return
    batch = posts[args.batch * BATCH : (args.batch + 1) * BATCH]
    if not batch:
        sys.exit(f"no batch {args.batch}")
    if args.command == "show":
        for index, (file, line, text) in enumerate(batch):
            print(f"{index:3}  {file.removeprefix('tweeteval/')}:{line}\n     {text}")
        return

    done = recorded()
    if any((file, line) in done for file, line, _ in batch):
        sys.exit(f"batch {args.batch} is already (partly) recorded")
    notes = parse_notes(args.notes, len(batch))
    LABELS.mkdir(parents=True, exist_ok=True)
    for index, (file, line, _) in enumerate(batch):
        row = {"file": file, "line": line, "labels": notes.get(index, {})}
        row["split"] = split_of(file, line)
        with (LABELS / f"{set_name(file)}.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
    print(f"batch {args.batch}: {len(batch)} posts, {len(notes)} with labels")


if __name__ == "__main__":
    main()
