"""Benchmark start-up: what a one-off `tactful check` pays before it checks anything.

    .venv/bin/python benchmarks/bench_startup.py [--runs 5]

Every row runs in a fresh interpreter, ``--runs`` times, and prints the median (and the
spread). Rows: the wall time of ``tactful check "Great launch today"``; importing the CLI;
building ``Checker()`` (rules, policies, detectors, models); and ``python -X importtime``'s
cumulative import time of the CLI and of the modules start-up is sensitive to. Tests never
assert these numbers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXE = Path(sys.executable).parent / "tactful"
TEXT = "Great launch today"
WATCHED = ("tactful.cli.main", "tactful.core.checker", "yaml", "pydantic")

BUILD = """
import json, time
t0 = time.perf_counter()
from tactful.core.checker import Checker
t1 = time.perf_counter()
checker = Checker()
t2 = time.perf_counter()
checker.check({text!r})
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "build": t2 - t1, "first_check": t3 - t2}}))
"""


def wall(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def importtime(module: str) -> dict[str, float]:
    """Cumulative import time (s) of the watched modules when ``module`` is imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    )
    out: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if name in WATCHED and cumulative.isdigit():
            out[name] = int(cumulative) / 1e6
    return out


def row(name: str, values: list[float]) -> str:
    spread = f"{min(values) * 1000:6.0f} – {max(values) * 1000:5.0f}"
    return f"| {name:<50} | {statistics.median(values) * 1000:9.0f} | {spread} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows: dict[str, list[float]] = {}
    for _ in range(args.runs):
        rows.setdefault(f'tactful check "{TEXT}" (wall)', []).append(
            wall([str(EXE), "check", TEXT])
        )
        built = json.loads(
            subprocess.run(
                [sys.executable, "-c", BUILD.format(text=TEXT)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        rows.setdefault("import tactful.core.checker", []).append(built["import"])
        rows.setdefault("Checker()", []).append(built["build"])
        rows.setdefault("first check", []).append(built["first_check"])
        for module, seconds in importtime("tactful.cli.main").items():
            rows.setdefault(f"-X importtime: {module} (cumulative)", []).append(seconds)
    print(f"| {'what (fresh process each run)':<50} | median ms | min – max ms |")
    print(f"|{'-' * 52}|-----------|--------------|")
    for name, values in rows.items():
        print(row(name, values))


if __name__ == "__main__":
    main()
