"""Benchmark archive audits on real tweets: posts/s, wall time and peak memory of `tactful audit`
per size, beside `tactful scan` on the same posts in the same run, with synthetic archives of
templated posts as a second row.

    .venv/bin/python benchmarks/bench_audit.py          # real and templated, 100k and 1M posts
    .venv/bin/python benchmarks/bench_audit.py --sizes 2000 --no-scan   # a quick check
    .venv/bin/python benchmarks/bench_audit.py --corpora templated --formats all --sizes 10000
    .venv/bin/python benchmarks/bench_audit.py --engines local,ray  # needs tactful[ray]

Corpora (--corpora, default both, real first):
  real       an X export (data/tweets.js, `window.YTD.tweets.part0 = [...]`) of real tweets
             resampled with a fixed seed (--seed) from every TweetEval train/val file in --data
             (default ../shared/data; benchmarks/realtext.py): a seeded shuffle of the ~35k
             distinct tweets, reshuffled for each further pass, so 1M posts repeat each tweet
             about 28 times. Nothing is copied into the project; a missing data folder is one
             line and exit 2.
  templated  synthetic exports of benchmarks/postgen.py posts in each --formats format: easier
             than real text, kept to compare with earlier runs; not the headline.

Both are written by tactful's own generator (src/tactful/archives/synthetic.py). Each audit
and scan runs as a fresh `tactful` process with its own empty database; peak RSS is the
largest of that process and its workers. Writing the archive is not timed. Timings on a busy
machine are not representative. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts
from realtext import DEFAULT_DATA, SEED, load_pool, resample

from tactful.archives.synthetic import FORMATS, write

EXE = Path(sys.executable).parent / "tactful"


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (the process or its largest worker), stdout."""
    t0 = time.perf_counter()
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    proc = subprocess.run([*wrapper, str(EXE), *args], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-500:]}")
    peak = 0.0
    if wrapper:
        peak = int(proc.stderr.strip().splitlines()[-1]) / 1024
    else:
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma list of post counts")
    parser.add_argument(
        "--corpora", default="real,templated", help="real (tweets, X export) and/or templated"
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (tweeteval/)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the real-tweet resample")
    parser.add_argument("--formats", default="x", help="templated formats: comma list, or 'all'")
    parser.add_argument("--engines", default="local", help="local and/or ray")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-scan", action="store_true", help="skip the scan baseline")
    args = parser.parse_args()
    corpora = args.corpora.split(",")
    unknown = set(corpora) - {"real", "templated"}
    if unknown:
        parser.error(f"unknown corpora: {', '.join(sorted(unknown))} (real, templated)")
    formats = FORMATS if args.formats == "all" else tuple(args.formats.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    pool = load_pool(args.data) if "real" in corpora else []  # exits 2 when the data is missing

    def texts(corpus: str, size: int) -> Iterator[str]:
        return resample(pool, size, args.seed) if corpus == "real" else posts(size)

    what = []
    if "real" in corpora:
        what.append(
            f"real: tweets resampled (seed {args.seed}) from {len(pool):,} distinct TweetEval "
            f"train/val tweets in {args.data}, as an X export"
        )
    if "templated" in corpora:
        what.append("templated: benchmarks/postgen.py posts (second row, not the headline)")
    print(f"{os.cpu_count()} cores; workers={args.workers}; sizes {args.sizes}")
    print("\n".join(what) + "\n")
    header = (
        f"{'corpus':9} | {'format':9}| {'posts':>9} | {'engine':6} | {'audit posts/s':>13} | "
        f"{'scan posts/s':>12} | {'audit/scan':>10} | {'peak MB':>7} | {'audit s':>7}"
    )
    print(header)
    print("-" * len(header), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for size in sizes:
            for corpus in ("real", "templated"):
                if corpus not in corpora:
                    continue
                scan: float | None = None
                if not args.no_scan:
                    jsonl = base / f"{corpus}-{size}.jsonl"
                    with jsonl.open("w") as fh:
                        for text in texts(corpus, size):
                            fh.write(json.dumps({"text": text}) + "\n")
                    env = {**os.environ, "XDG_DATA_HOME": str(base / f"scan-{corpus}-{size}")}
                    secs, _, _ = run(
                        [
                            "scan",
                            str(jsonl),
                            "-o",
                            os.devnull,
                            "--platform",
                            "x",
                            "--workers",
                            str(args.workers),
                        ],
                        env,
                    )
                    jsonl.unlink()
                    scan = size / secs
                for fmt in ("x",) if corpus == "real" else formats:
                    name = f"{corpus}-{fmt}-{size}"
                    archive = write(fmt, base / name, texts(corpus, size))
                    for engine in engines:
                        env = {**os.environ, "XDG_DATA_HOME": str(base / f"db-{name}-{engine}")}
                        secs, peak, out = run(
                            [
                                "audit",
                                str(archive),
                                "--engine",
                                engine,
                                "--workers",
                                str(args.workers),
                                "-o",
                                str(base / f"out-{name}-{engine}"),
                            ],
                            env,
                        )
                        shutil.rmtree(base / f"db-{name}-{engine}", ignore_errors=True)
                        shutil.rmtree(base / f"out-{name}-{engine}", ignore_errors=True)
                        checked = int(
                            out.split(" posts checked")[0].rsplit(" ", 1)[-1].replace(",", "")
                        )
                        rate = checked / secs
                        ratio = f"{rate / scan:.0%}" if scan else "-"
                        scan_s = f"{scan:,.0f}" if scan else "-"
                        print(
                            f"{corpus:9} | {fmt:9}| {checked:>9,} | {engine:6} | {rate:>13,.0f} | "
                            f"{scan_s:>12} | {ratio:>10} | {peak:>7,.0f} | {secs:>7,.1f}",
                            flush=True,
                        )
                    shutil.rmtree(base / name, ignore_errors=True)  # 1M posts: keep one


if __name__ == "__main__":
    main()
