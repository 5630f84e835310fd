"""Benchmark archive audits: posts/s and peak memory per export format, size and engine,
beside `tactful scan` on the same posts in the same run.

    .venv/bin/python benchmarks/bench_audit.py                      # x at 10k and 100k
    .venv/bin/python benchmarks/bench_audit.py --formats all --sizes 10000
    .venv/bin/python benchmarks/bench_audit.py --sizes 1000000      # a million posts
    .venv/bin/python benchmarks/bench_audit.py --engines local,ray  # needs tactful[ray]

The archives are written by tactful's own generator (src/tactful/archives/synthetic.py)
from benchmarks/postgen.py: no real people's data. Each audit and scan runs as a fresh
`tactful` process with its own empty database; peak RSS is the largest of that process and
its workers. Writing the archive is not timed. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts

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
    parser.add_argument("--formats", default="x", help="comma list, or 'all'")
    parser.add_argument("--sizes", default="10000,100000", help="comma list of post counts")
    parser.add_argument("--engines", default="local", help="local and/or ray")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-scan", action="store_true", help="skip the scan baseline")
    args = parser.parse_args()
    formats = FORMATS if args.formats == "all" else tuple(args.formats.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    print(f"{os.cpu_count()} cores; workers={args.workers}; posts from benchmarks/postgen.py\n")
    header = (
        f"{'format':10}| {'posts':>9} | {'engine':6} | {'audit posts/s':>13} | "
        f"{'scan posts/s':>12} | {'audit/scan':>10} | {'peak MB':>7} | {'audit s':>7}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        scan_rate: dict[int, float] = {}
        for size in sizes:
            if not args.no_scan:
                jsonl = base / f"posts-{size}.jsonl"
                with jsonl.open("w") as fh:
                    for text in posts(size):
                        fh.write(json.dumps({"text": text}) + "\n")
                env = {**os.environ, "XDG_DATA_HOME": str(base / f"scan-{size}")}
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
                scan_rate[size] = size / secs
            for fmt in formats:
                archive = write(fmt, base / f"{fmt}-{size}", posts(size))
                for engine in engines:
                    env = {**os.environ, "XDG_DATA_HOME": str(base / f"db-{fmt}-{size}-{engine}")}
                    secs, peak, out = run(
                        [
                            "audit",
                            str(archive),
                            "--engine",
                            engine,
                            "--workers",
                            str(args.workers),
                            "-o",
                            str(base / f"out-{fmt}-{size}-{engine}"),
                        ],
                        env,
                    )
                    checked = int(
                        out.split(" posts checked")[0].rsplit(" ", 1)[-1].replace(",", "")
                    )
                    rate = checked / secs
                    scan = scan_rate.get(size)
                    ratio = f"{rate / scan:.0%}" if scan else "-"
                    scan_s = f"{scan:,.0f}" if scan else "-"
                    print(
                        f"{fmt:10}| {checked:>9,} | {engine:6} | {rate:>13,.0f} | {scan_s:>12} | "
                        f"{ratio:>10} | {peak:>7,.0f} | {secs:>7,.1f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
