"""Benchmark checking on real tweets: posts/s per layer, escalation, latency, scan throughput,
cold start and peak memory.

    .venv/bin/python benchmarks/bench_check.py [--data ../shared/data] [--posts 6000]
        [--latency-posts 1500] [--seed 15] [--no-templated]

The headline table is real tweets: --posts distinct texts sampled with a fixed seed from every
TweetEval train/val file in --data (benchmarks/realtext.py; nothing is copied into the
project); the latency rows use the first --latency-posts of them. A second table repeats the
measurements on templated posts (benchmarks/postgen.py), which are easier than real text and
kept only for comparison with earlier runs. A missing data folder is one line and exit 2.

Rows, all on the same posts:
  fast tier alone  the n-gram model (`Cascade.fast_margins`) on each post's normalised text
                   (normalising not timed), no MiniLM
  rules layer      lexicon, PII, platform, account detectors
  full pipeline    rules + the model cascade, as `tactful scan` runs it
  baselines        one regex over the lexicon's words (a floor for cost, far weaker in
                   quality); alt-profanity-check (a PyPI model, from the `train` extra)

Columns: "in-process posts/s" is one post at a time in this warm process (alt-profanity-check:
one batch); p50/p95/p99 are single-post latencies, warm; the scan columns run `scan_lines`
(what `tactful scan` runs) over all --posts with 1 and 2 workers, each in a fresh process,
start-up included; "escalated" is the share of posts the cascade sends on to the teacher
(the fine-tuned MiniLM; `Cascade.score_many(...)[i].escalated`, outgoing posts, not
replies); "cold s" is import and
first check in a fresh process; "peak MB" is the largest peak RSS of those processes and their
workers. Timings on a busy machine are not representative. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts
from realtext import DEFAULT_DATA, SEED, describe, load_pool, sample

from tactful import Checker
from tactful.core.registry import DEFAULT_DETECTORS
from tactful.core.ruleset import default_ruleset
from tactful.core.text import normalize
from tactful.models.cascade import Cascade
from tactful.models.contexts import context_mask

RULES_ONLY = tuple(d for d in DEFAULT_DETECTORS if d != "classifier")
BATCH = 256  # posts per score_many call when counting escalations
HEADER = (
    "pipeline",
    "in-process posts/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "scan 1 worker/s",
    "scan 2 workers/s",
    "escalated",
    "cold s",
    "peak MB",
)
Row = tuple[str, ...]
# The child's own peak in kB. Linux keeps ru_maxrss across exec, so RUSAGE_SELF would count
# this (large, warm) process's RSS at the fork; VmHWM belongs to the new address space.
PEAK_KB = """\
try:
    with open('/proc/self/status') as f:
        own = next(int(line.split()[1]) for line in f if line.startswith('VmHWM:'))
except (OSError, StopIteration):
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency(detectors: tuple[str, ...], texts: list[str]) -> list[float]:
    """Milliseconds per `Checker.check`, one post at a time, after a warm-up."""
    checker = Checker(detectors=detectors)
    for t in texts[:100]:  # warm: rules parsed, policies resolved, model sessions loaded
        checker.check(t)
    out = []
    for t in texts:
        t0 = time.perf_counter()
        checker.check(t)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def fast_tier(cascade: Cascade, texts: list[str]) -> tuple[float, list[float]]:
    """posts/s and per-post milliseconds of the n-gram tier over normalised text."""
    normalised = [normalize(t).text for t in texts]
    for t in normalised[:100]:
        cascade.fast_margins(t)
    out = []
    start = time.perf_counter()
    for t in normalised:
        t0 = time.perf_counter()
        cascade.fast_margins(t)
        out.append((time.perf_counter() - t0) * 1000)
    return len(normalised) / (time.perf_counter() - start), out


def escalated(cascade: Cascade, texts: list[str]) -> int:
    """How many of ``texts`` (as outgoing posts) the cascade sends on to the teacher."""
    mask = context_mask(cascade.categories, inbound=False, reply=False)
    normalised = [normalize(t).text for t in texts]
    n = 0
    for i in range(0, len(normalised), BATCH):
        chunk = normalised[i : i + BATCH]
        n += sum(s.escalated for s in cascade.score_many(chunk, [mask] * len(chunk)))
    return n


def child(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; its wall time and peak RSS in MB (the largest of
    the process and the children it waited for, e.g. scan workers, which are forked from it
    and so count the pages they share with it)."""
    wrapper = (
        "import time, resource, json; t0 = time.perf_counter()\n"
        f"{code}\n"
        "seconds = time.perf_counter() - t0\n"
        f"{PEAK_KB}\n"
        "rss = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(json.dumps({'seconds': seconds, 'rss_mb': rss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed ({out.returncode}): {out.stderr[-800:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def scan_run(path: Path, workers: int, detectors: tuple[str, ...]) -> tuple[float, float]:
    """posts/s of a scan in a fresh process (start-up included), and its peak RSS in MB."""
    code = (
        "from tactful.core.checker import Checker\n"
        "from tactful.core.scan import scan_lines\n"
        f"checker = Checker(detectors={detectors!r})\n"
        f"lines = open({str(path)!r}, 'rb')\n"
        f"n = sum(1 for _ in scan_lines(lines, checker=checker, defaults={{}}, workers={workers}))"
    )
    r = child(code)
    lines = sum(1 for line in path.open("rb") if line.strip())
    return lines / r["seconds"], r["rss_mb"]


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


def measure(
    scan_texts: list[str],
    latency_texts: list[str],
    cascade: Cascade,
    cold: dict[str, dict[str, float]],
) -> tuple[list[Row], str]:
    """The table's rows for one set of posts, and a note line under it."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        for i, t in enumerate(scan_texts):
            fh.write(json.dumps({"id": str(i), "text": t}) + "\n")
        path = Path(fh.name)
    try:
        n_esc = escalated(cascade, scan_texts)
        share = f"{n_esc / len(scan_texts):.1%}"
        rate, fast_lat = fast_tier(cascade, scan_texts)
        rows: list[Row] = [
            (
                "fast tier alone (n-gram, no MiniLM)",
                f"{rate:,.0f}",
                f"{statistics.median(fast_lat):.3f}",
                f"{percentile(fast_lat, 95):.3f}",
                f"{percentile(fast_lat, 99):.3f}",
                "",
                "",
                share,
                "",
                "",
            )
        ]
        for name, detectors, key in (
            ("rules layer", RULES_ONLY, "rules"),
            ("full pipeline (rules + models)", DEFAULT_DETECTORS, "full"),
        ):
            lat = latency(detectors, latency_texts)
            one, rss1 = scan_run(path, 1, detectors)
            two, rss2 = scan_run(path, 2, detectors)
            rows.append(
                (
                    name,
                    f"{len(lat) / sum(lat) * 1000:,.0f}",
                    f"{statistics.median(lat):.2f}",
                    f"{percentile(lat, 95):.2f}",
                    f"{percentile(lat, 99):.2f}",
                    f"{one:,.0f}",
                    f"{two:,.0f}",
                    share if key == "full" else "",
                    f"{cold[key]['seconds']:.2f}",
                    f"{max(rss1, rss2, cold[key]['rss_mb']):.0f}",
                )
            )
    finally:
        path.unlink()
    blank = ("",) * 8
    rows.append(
        ("baseline: one regex over the word list", f"{baseline_regex(scan_texts):,.0f}", *blank)
    )
    alt = baseline_alt_profanity(scan_texts)
    note = f"escalated to the teacher: {n_esc:,} of {len(scan_texts):,} posts ({share})"
    if alt is None:
        note += "; alt-profanity-check not installed (pip install -e '.[train]'), row left out"
    else:
        rows.append(("baseline: alt-profanity-check", f"{alt:,.0f}", *blank))
    return rows, note


def table(title: str, rows: Sequence[Row], note: str) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    print(title)
    print(" | ".join(h.ljust(w) for h, w in zip(HEADER, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(note + "\n", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (tweeteval/)"
    )
    parser.add_argument("--posts", type=int, default=6000, help="posts for each throughput run")
    parser.add_argument("--latency-posts", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the real-tweet sample")
    parser.add_argument(
        "--no-templated", action="store_true", help="skip the second table (templated posts)"
    )
    args = parser.parse_args()

    pool = load_pool(args.data)  # exits 2 with one line when the data folder is missing
    real = sample(pool, args.posts, args.seed)
    real_latency = real[: args.latency_posts]

    cold = {
        "rules": child(
            f"from tactful import Checker; Checker(detectors={RULES_ONLY!r}).check('hi')"
        ),
        "full": child("from tactful import Checker; Checker().check('hi')"),
    }
    cascade = Cascade()
    print(
        f"{describe(args.data, pool, len(real), args.seed)}; {len(real_latency):,} of them for "
        f"latency; avg {statistics.mean(map(len, real)):.0f} chars/post; "
        f"{os.cpu_count()} cores\n",
        flush=True,
    )
    rows, note = measure(real, real_latency, cascade, cold)
    table("Real tweets (the headline)", rows, note)

    if not args.no_templated:
        templated = list(posts(args.posts, seed=2))
        templated_latency = list(posts(args.latency_posts, seed=1))
        rows, note = measure(templated, templated_latency, cascade, cold)
        table(
            f"Second table, not the headline: {len(templated):,} templated posts "
            f"(benchmarks/postgen.py, seed 2; {len(templated_latency):,} for latency, seed 1; "
            f"avg {statistics.mean(map(len, templated)):.0f} chars/post), easier than real text",
            rows,
            note,
        )


if __name__ == "__main__":
    main()
