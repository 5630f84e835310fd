"""Hostile exports (issue 18's first table, redone): each kind of hostile file for every
importer, written by the tests' generator (tests/archives/hostile_files.py) into a temporary
folder, audited by `tactful audit` as a fresh process of its own; prints its exit code, the
one line that says what happened, and its peak RSS.

    .venv/bin/python benchmarks/bench_hostile.py
    .venv/bin/python benchmarks/bench_hostile.py --importers x,bluesky

Peak RSS is the audit process's (one worker: every check runs in it). The files are the
tests' CI-sized ones (50,000-deep lists, 8 MiB strings, 64 MiB of whitespace, a 100,000-block
search-tree chain, 2^62 and 2^63-byte blocks, a 120,900-character post); the read limits
stop each of them early, so larger ones end the same way. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "archives"))
from hostile_files import Case, audit_args, cases

RUN = "from tactful.cli.main import run; run()"
MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def what_happened(case: Case, output: str) -> str:
    """The line that says it: the error, or the summary and the reason counted."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    error = next((line for line in lines if line.startswith("tactful:")), None)
    if error:
        return error
    summary = next((line.split(": ", 1)[1] for line in lines if line.startswith("audit #")), "")
    reason = next((line for line in lines if case.message in line), "")
    if reason and reason.startswith(("unreadable:", "shortened:", "e.g.")):
        return f"{summary}; {reason}"
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--importers", default="", help="comma-separated; default: all")
    args = parser.parse_args()
    wanted = {i for i in args.importers.split(",") if i}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
            all_cases = cases(work / "files")
        print("| importer | hostile file | size | exit | what happened | peak RSS | time |")
        print("|---|---|---|---|---|---|---|")
        for case in all_cases:
            if wanted and case.importer not in wanted:
                continue
            command = [sys.executable, "-c", RUN, *audit_args(case, work)]
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", MEASURE, *command], capture_output=True, text=True
            )
            took = time.perf_counter() - start
            peak_kb = int(proc.stderr.strip().splitlines()[-1])
            said = what_happened(case, proc.stdout + proc.stderr).replace("|", "\\|")
            print(
                f"| {case.importer} | {case.kind} | {case.path.stat().st_size / 1024:,.0f} KB "
                f"| {proc.returncode} | {said} | {peak_kb / 1024:,.0f} MB | {took:.1f} s |",
                flush=True,
            )
    print(f"\nPython {sys.version.split()[0]}; peak RSS is ru_maxrss of the audit process.")


if __name__ == "__main__":
    main()
