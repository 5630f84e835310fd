"""Check time against text length for hostile shapes of text (issue 18.5: no text freezes
anything).

    .venv/bin/python benchmarks/bench_text_length.py [--platforms x,mastodon] [--lengths 1000,10000]

Builds the checker as the CLI does (``tactful.core.factory.checker_for``, no store) and checks
each shape, repeated to 1,000, 10,000 and 100,000 characters (100,000 is the most a check
takes), on each platform. Prints one table per platform: shape x length -> whole-pipeline
check time in ms, and the slowest stage at the longest length. Every stage is meant to be
linear: a tenfold longer text should take about ten times as long. Tests never assert these
numbers.
"""

from __future__ import annotations

import argparse
import time

from tactful.core.factory import checker_for

SHAPES: dict[str, str] = {
    "f.": "f.",
    "my idiot boss": "my idiot boss ",
    "one word": "a",
    "@a mentions": "@a ",
    "http://a.co/": "http://a.co/ ",
    "ZWJ emoji": "👩\u200d👩\u200d👧\u200d👦",
    "combining marks": "e\u0301\u0302\u0303",
    "a.b.c. dotted": "a.b.c.",
    "s h i t spaced": "s h i t ",
    "you 1d!0t leet": "you 1d!0t ",
    "id**t masked": "my id**t b0ss ",
    "whitespace": " ",
    "sentences": "My boss is an idiot. ",
}
PLATFORMS = ("x", "mastodon", "bluesky", "linkedin", "instagram", "facebook", "generic")


def shape_text(unit: str, length: int) -> str:
    """``unit`` repeated to exactly ``length`` characters (never only whitespace)."""
    text = (unit * (length // len(unit) + 1))[:length]
    return text if text.strip() else "x" + text[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--platforms", default=",".join(PLATFORMS))
    parser.add_argument("--lengths", default="1000,10000,100000")
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated names")
    args = parser.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    shapes = [s for s in SHAPES if s in args.shapes.split(",")]
    checker = checker_for(None)
    checker.check("warm up: rules, policies and models load here", platform="x")
    for platform in args.platforms.split(","):
        header = f"| shape ({platform}) | " + " | ".join(f"{n:,} chars" for n in lengths)
        print(header + " | slowest stage at the longest |")
        print("|---" * (len(lengths) + 2) + "|")
        for name in shapes:
            cells = []
            slowest = ""
            for n in lengths:
                text = shape_text(SHAPES[name], n)
                start = time.perf_counter()
                report = checker.check(text, platform=platform)
                cells.append(f"{(time.perf_counter() - start) * 1000:,.0f} ms")
                stages = {k: v for k, v in report.timings_ms.items() if k != "total"}
                stage = max(stages, key=stages.__getitem__)
                slowest = f"{stage} {stages[stage]:,.0f} ms"
            print(f"| {name} | " + " | ".join(cells) + f" | {slowest} |", flush=True)
        print()


if __name__ == "__main__":
    main()
