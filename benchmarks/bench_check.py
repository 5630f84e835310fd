"""Benchmark checking: single-post latency, `scan` throughput, cold start and peak memory.

    .venv/bin/python benchmarks/bench_check.py [--posts 6000] [--latency-posts 1500]

Two pipelines side by side on the same generated posts: the rules layer alone (lexicon,
PII, platform, account) and the full pipeline (rules + the model cascade). Baselines in the
same run: a naive single regex over the lexicon's words (a floor for cost, far weaker in
quality) and alt-profanity-check (a PyPI model, when the `train` extra is installed).
Each throughput row runs `tactful scan` in a fresh process, so cold start and peak RSS are
that process's own. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts

from tactful import Checker
from tactful.core.registry import DEFAULT_DETECTORS
from tactful.core.ruleset import default_ruleset

RULES_ONLY = tuple(d for d in DEFAULT_DETECTORS if d != "classifier")
EXE = Path(sys.executable).parent / "tactful"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency(detectors: tuple[str, ...], texts: list[str]) -> list[float]:
    checker = Checker(detectors=detectors)
    for t in texts[:100]:  # warm: rules parsed, policies resolved, model sessions loaded
        checker.check(t)
    out = []
    for t in texts:
        t0 = time.perf_counter()
        checker.check(t)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; return its wall time and peak RSS (MB)."""
    wrapper = (
        "import time, resource, json; t0 = time.perf_counter()\n"
        f"{code}\n"
        "print(json.dumps({'seconds': time.perf_counter() - t0, "
        "'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapper], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def scan_run(path: Path, n: int, workers: int, detectors: tuple[str, ...]) -> tuple[float, float]:
    """posts/s of a scan in a fresh process (start-up included), and its peak RSS in MB."""
    code = (
        "from tactful.core.checker import Checker\n"
        "from tactful.core.scan import scan_lines\n"
        f"checker = Checker(detectors={detectors!r})\n"
        f"lines = open({str(path)!r}, 'rb')\n"
        f"n = sum(1 for _ in scan_lines(lines, checker=checker, defaults={{}}, workers={workers}))"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    r = child(code)
    del before
    return n / r["seconds"], r["rss_mb"]


def baseline_regex(texts: list[str]) -> float:
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
    t0 = time.perf_counter()
    for t in texts:
        pattern.findall(t)
    return len(texts) / (time.perf_counter() - t0)


def baseline_alt_profanity(texts: list[str]) -> float | None:
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None
    predict_prob(texts[:10])
    t0 = time.perf_counter()
    predict_prob(texts)
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=6000, help="posts for each throughput run")
    parser.add_argument("--latency-posts", type=int, default=1500)
    args = parser.parse_args()

    texts = list(posts(args.latency_posts, seed=1))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for i, t in enumerate(posts(args.posts, seed=2)):
            fh.write(json.dumps({"id": str(i), "text": t}) + "\n")
        path = Path(fh.name)

    cold_rules = child(
        f"from tactful import Checker; Checker(detectors={RULES_ONLY!r}).check('hi')"
    )
    cold_full = child("from tactful import Checker; Checker().check('hi')")
    rows = []
    for name, detectors, cold in (
        ("rules layer", RULES_ONLY, cold_rules),
        ("full pipeline (rules + models)", DEFAULT_DETECTORS, cold_full),
    ):
        lat = latency(detectors, texts)
        one, rss1 = scan_run(path, args.posts, 1, detectors)
        two, rss2 = scan_run(path, args.posts, 2, detectors)
        rows.append(
            (
                name,
                f"{statistics.median(lat):.2f}",
                f"{percentile(lat, 95):.2f}",
                f"{percentile(lat, 99):.2f}",
                f"{one:,.0f}",
                f"{two:,.0f}",
                f"{cold['seconds']:.2f}",
                f"{max(rss1, rss2, cold['rss_mb']):.0f}",
            )
        )
    regex_rate = baseline_regex(texts)
    rows.append(
        ("baseline: one regex over the word list", "", "", "", f"{regex_rate:,.0f}", "", "", "")
    )
    alt = baseline_alt_profanity(texts)
    if alt is not None:
        rows.append(("baseline: alt-profanity-check", "", "", "", f"{alt:,.0f}", "", "", ""))
    path.unlink()

    print(
        f"{os.cpu_count()} cores; {len(texts):,} posts for latency, {args.posts:,} per scan run; "
        f"avg {statistics.mean(map(len, texts)):.0f} chars/post\n"
    )
    header = (
        "pipeline",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "scan 1 proc/s",
        "scan 2 procs/s",
        "cold s",
        "peak MB",
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
