"""Benchmark the rules layer: single-post latency and `scan` throughput on this machine.

    .venv/bin/python benchmarks/bench_check.py [--posts 20000] [--latency-posts 3000]

Prints a table. The baseline row runs a naive single-regex alternation over the same
single-word lexicon (what many profanity filters do) on the same posts, for comparison:
it finds far less (no phrases, no obfuscation, no PII), so it is a floor for cost, not a
competitor in quality. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts

from tactful import Checker
from tactful.ruleset import default_ruleset
from tactful.scan import scan_lines


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency(checker: Checker, texts: list[str]) -> list[float]:
    for t in texts[:200]:  # warm up caches and policy resolution
        checker.check(t)
    out = []
    for t in texts:
        t0 = time.perf_counter()
        checker.check(t)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def scan_throughput(lines: list[str], workers: int) -> float:
    checker = Checker()
    t0 = time.perf_counter()
    count = sum(1 for _ in scan_lines(lines, checker=checker, defaults={}, workers=workers))
    return count / (time.perf_counter() - t0)


def cli_throughput(path: Path, workers: int) -> float:
    import subprocess

    exe = Path(sys.executable).parent / "tactful"
    n = sum(1 for _ in path.open())
    t0 = time.perf_counter()
    subprocess.run(
        [str(exe), "scan", str(path), "-o", os.devnull, "--workers", str(workers)],
        check=False,
        capture_output=True,
    )
    return n / (time.perf_counter() - t0)


def baseline(texts: list[str]) -> tuple[float, list[float]]:
    words = sorted(
        {
            p.text
            for e in default_ruleset().entries
            for p in e.phrases
            if " " not in p.text and not any(c in p.text for c in "{|?*~")
        },
        key=len,
        reverse=True,
    )
    pattern = regex.compile(r"\b(?:" + "|".join(regex.escape(w) for w in words) + r")\b", regex.I)
    lat = []
    t0 = time.perf_counter()
    for t in texts:
        s = time.perf_counter()
        pattern.findall(t)
        lat.append((time.perf_counter() - s) * 1000)
    return len(texts) / (time.perf_counter() - t0), lat


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=20000, help="posts for the throughput runs")
    parser.add_argument("--latency-posts", type=int, default=3000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    checker = Checker()
    cold = (time.perf_counter() - t0) * 1000
    texts = list(posts(args.latency_posts, seed=1))
    lat = latency(checker, texts)
    lines = [json.dumps({"id": str(i), "text": t}) for i, t in enumerate(posts(args.posts, seed=2))]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        fh.write("\n".join(lines) + "\n")
        path = Path(fh.name)
    rows = [
        (
            "tactful check (1 post, warm)",
            f"{statistics.median(lat):.3f}",
            f"{percentile(lat, 95):.3f}",
            f"{percentile(lat, 99):.3f}",
            f"{1000 / statistics.mean(lat):,.0f}",
        ),
        ("tactful scan, 1 worker (in-process)", "", "", "", f"{scan_throughput(lines, 1):,.0f}"),
        ("tactful scan, 2 workers (in-process)", "", "", "", f"{scan_throughput(lines, 2):,.0f}"),
        (
            "`tactful scan FILE` CLI, 2 workers (incl. start-up)",
            "",
            "",
            "",
            f"{cli_throughput(path, 2):,.0f}",
        ),
    ]
    base_rate, base_lat = baseline(texts)
    rows.append(
        (
            "baseline: one regex over the word list",
            f"{statistics.median(base_lat):.3f}",
            f"{percentile(base_lat, 95):.3f}",
            f"{percentile(base_lat, 99):.3f}",
            f"{base_rate:,.0f}",
        )
    )
    path.unlink()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"rules layer on {os.cpu_count()} cores; {args.latency_posts:,} posts for latency, "
        f"{args.posts:,} for throughput; avg {statistics.mean(map(len, texts)):.0f} chars/post"
    )
    print(f"cold start (build Checker): {cold:.0f} ms; peak RSS of this process: {peak:.0f} MB\n")
    header = ("run", "p50 ms", "p95 ms", "p99 ms", "posts/s")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
