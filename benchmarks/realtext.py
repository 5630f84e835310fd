"""Real tweets for benchmarks, read from the shared data folder (never copied into the project).

The pool is the text column of every ``tweeteval/*/train.tsv`` and ``tweeteval/*/val.tsv``
(offensive, hate, stance, sentiment, emotion, irony), each field decoded as the real-text
evaluation decodes it (``tactful.training.real_text.post_text``: CSV quotes, HTML entities,
``\\uXXXX`` and ``\\n`` escapes), empty texts dropped and exact duplicates kept once, in file
order. Samples are drawn from it with a fixed seed, so every run measures the same posts.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

from tactful.training.real_text import post_text

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
SEED = 15


def tweet_files(data: Path) -> list[Path]:
    """The TweetEval train and val files under ``data``, sorted (no test split is read)."""
    root = data / "tweeteval"
    return sorted([*root.glob("*/train.tsv"), *root.glob("*/val.tsv")])


def load_pool(data: Path) -> list[str]:
    """Every distinct real tweet in ``data``. A missing folder ends the run: one line, exit 2."""
    files = tweet_files(data) if data.is_dir() else []
    if not files:
        print(
            f"no real tweets at {data / 'tweeteval'}/*/{{train,val}}.tsv: pass --data with the "
            "shared data folder (../shared/data beside the project)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    seen: dict[str, None] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").split("\n")[1:]:  # line 1: the header
            text = post_text(line.split("\t")[0]) if line.strip() else ""
            if text:
                seen.setdefault(text, None)
    if not seen:
        print(f"no tweet text in {', '.join(map(str, files))}", file=sys.stderr)
        raise SystemExit(2)
    return list(seen)


def resample(pool: list[str], n: int, seed: int = SEED) -> Iterator[str]:
    """``n`` posts from ``pool``: a seeded shuffle, then another for each further pass (so the
    first ``len(pool)`` posts are all distinct). Streams: a million posts hold no list."""
    rng = random.Random(seed)
    order = list(pool)
    left = n
    while left > 0:
        rng.shuffle(order)
        yield from order[:left]
        left -= min(left, len(order))


def sample(pool: list[str], n: int, seed: int = SEED) -> list[str]:
    return list(resample(pool, n, seed))


def describe(data: Path, pool: list[str], n: int, seed: int = SEED) -> str:
    """One phrase for a table's header: which posts and how many."""
    kind = "distinct" if n <= len(pool) else f"resampled ({n / len(pool):.1f}x the pool)"
    return (
        f"{n:,} real tweets, {kind}, seed {seed}, from {len(pool):,} distinct TweetEval "
        f"train/val tweets in {data}"
    )
