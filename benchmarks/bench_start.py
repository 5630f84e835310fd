"""Benchmark cold start: how long a fresh `tactful` process takes to do its first useful thing,
and how much memory it peaks at, beside an earlier revision.

    .venv/bin/python benchmarks/bench_start.py                       # this tree, 7 runs
    .venv/bin/python benchmarks/bench_start.py --baseline HEAD~20    # and that revision beside it
    make bench-start BENCH_ARGS="--baseline REV --runs 11"

Rows (each a new process, on a new empty data folder):
  check         `tactful check "<a real tweet>"` until it exits
  scan          `tactful scan` of 20 real tweets in JSONL until its first result line arrives
  serve         `tactful serve --no-worker --db <new file>` until it answers HTTP
  serve --demo  `tactful serve --demo --no-worker` (seeds a demo database) until it answers

Each measurement runs in its own small helper process that starts the command, times it and
reads the command's peak RSS from getrusage(RUSAGE_CHILDREN), so nothing else is counted. The
table shows the median and the min of --runs (wall ms, peak RSS MiB); runs of this tree and of
the baseline alternate, so a busy machine slows both alike.

Posts are real tweets read from the shared data folder (--data, default ../shared/data:
tweeteval/sentiment/val.tsv); nothing is copied into the project.

--baseline REV: REV is extracted with `git archive` and installed into a temporary virtualenv
that sees this one's packages, so only what REV needs and this one lacks is downloaded (the
first time: a minute or so). Both trees then run through the console-script entry point
their own pyproject.toml names. Tests never assert these numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TWEETS = Path("tweeteval") / "sentiment" / "val.tsv"
SCAN_POSTS = 20

# Runs in a fresh interpreter per measurement: RUSAGE_CHILDREN then holds that one command.
HELPER = r"""
import json, resource, signal, subprocess, sys, tempfile, time, urllib.error, urllib.request
until, port, argv = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
quiet = tempfile.TemporaryFile()  # the command's stderr: its last line explains a failure
t0 = time.perf_counter()
ok = True
if until == "exit":
    ok = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=quiet).returncode in (0, 1)
    seconds = time.perf_counter() - t0
elif until == "first-line":
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=quiet)
    ok = bool(proc.stdout.readline())
    seconds = time.perf_counter() - t0
    proc.stdout.read()
    ok = proc.wait() in (0, 1) and ok
else:  # "http": the first HTTP answer of any status
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=quiet)
    while True:
        if proc.poll() is not None:
            ok = False
            break
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.01)
    seconds = time.perf_counter() - t0
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    kib //= 1024
quiet.seek(0)
error = "" if ok else (quiet.read().decode(errors="replace").strip().splitlines() or ["?"])[-1]
print(json.dumps({"seconds": seconds, "rss_mib": kib / 1024, "error": error}))
"""


@dataclass(frozen=True)
class Tree:
    """A source tree to measure: its label, its folder and the Python it is installed in."""

    label: str
    root: Path
    python: Path

    def argv(self, args: list[str]) -> list[str]:
        project = tomllib.loads((self.root / "pyproject.toml").read_text())
        module, func = project["project"]["scripts"]["tactful"].split(":")
        start = (
            f"import sys; sys.argv[0] = 'tactful'; from {module} import {func}; sys.exit({func}())"
        )
        return [str(self.python), "-c", start, *args]


@dataclass(frozen=True)
class Case:
    name: str
    until: str  # "exit", "first-line" or "http"
    args: list[str]  # {port}, {db} and {posts} are filled in per run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(tree: Tree, case: Case, posts: Path) -> dict[str, float] | None:
    """Seconds and peak RSS (MiB) of one cold start, or None (and why, on stderr) if it failed."""
    with tempfile.TemporaryDirectory(prefix="bench-start-") as scratch:
        port = free_port()
        fill = {"port": str(port), "db": str(Path(scratch) / "tactful.db"), "posts": str(posts)}
        env = {k: v for k, v in os.environ.items() if not k.startswith("TACTFUL_")}
        env.update(XDG_DATA_HOME=scratch, TACTFUL_USER="bench")
        argv = tree.argv([arg.format(**fill) for arg in case.args])
        helper = [sys.executable, "-c", HELPER, case.until, str(port), json.dumps(argv)]
        done = subprocess.run(
            helper,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(done.stdout)
    error = result.pop("error")
    if error:
        print(f"  {tree.label}, {case.name}: failed: {error}", file=sys.stderr)
        return None
    return {key: float(value) for key, value in result.items()}


def read_tweets(data: Path) -> list[str]:
    path = data / TWEETS
    if not path.exists():
        sys.exit(f"no tweets at {path}: pass --data, the shared data folder (../shared/data)")
    with path.open(encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f, delimiter="\t") if row["text"].strip()]


def baseline_tree(rev: str, into: Path) -> Tree:
    """REV installed into a virtualenv of its own that layers over this one's packages."""
    git = ["git", "-C", str(ROOT)]
    short = subprocess.run([*git, "rev-parse", "--short", rev], capture_output=True, text=True)
    if short.returncode:
        sys.exit(f"--baseline: git does not know {rev!r}")
    archive = into / "rev.tar"
    subprocess.run([*git, "archive", "-o", str(archive), rev], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    venv = into / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = sysconfig.get_paths()["purelib"]
    # After REV's own packages: this virtualenv's (its editable tactful is not loaded from here).
    (Path(site) / "zz_bench_start_base.pth").write_text(here + "\n")
    print(f"  installing {rev} into a temporary virtualenv...", file=sys.stderr)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(into / "tree")], check=True, stdout=subprocess.DEVNULL)
    short_rev = short.stdout.strip()
    return Tree(rev if rev.startswith(short_rev) else f"{rev} ({short_rev})", into / "tree", python)


def cell(values: list[dict[str, float]], key: str, scale: float) -> str:
    if not values:
        return "failed"
    numbers = [v[key] * scale for v in values]
    return f"{statistics.median(numbers):,.0f} ({min(numbers):,.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="measurements per row and tree")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--baseline", metavar="REV", help="a git revision to measure beside")
    args = parser.parse_args()

    tweets = read_tweets(args.data)
    short_post = next(t for t in tweets if 40 <= len(t) <= 120)
    cases = [
        Case("check", "exit", ["check", short_post]),
        Case(f"scan ({SCAN_POSTS} posts, first line)", "first-line", ["scan", "{posts}"]),
        Case(
            "serve (new db)", "http", ["serve", "--no-worker", "--port", "{port}", "--db", "{db}"]
        ),
        Case("serve --demo", "http", ["serve", "--demo", "--no-worker", "--port", "{port}"]),
    ]
    with tempfile.TemporaryDirectory(prefix="bench-start-") as work:
        posts = Path(work) / "posts.jsonl"
        posts.write_text(
            "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(tweets[:20]))
        )
        here = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty=+changes"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        trees = [Tree(f"this tree ({here})" if here else "this tree", ROOT, Path(sys.executable))]
        if args.baseline:
            trees.append(baseline_tree(args.baseline, Path(work)))
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for case in cases:
            for _ in range(args.runs):
                for tree in trees:
                    outcome = measure(tree, case, posts)
                    results.setdefault((tree.label, case.name), [])
                    if outcome:
                        results[(tree.label, case.name)].append(outcome)

    print(f"Cold start, median (min) of {args.runs} runs; peak RSS of the tactful process.")
    print(f'check: "{short_post}"\n')
    header = "| command | " + " | ".join(f"{t.label}: ms | MiB" for t in trees) + " |"
    print(header)
    print("|---|" + "---:|---:|" * len(trees))
    for case in cases:
        cells = []
        for tree in trees:
            values = results[(tree.label, case.name)]
            cells += [cell(values, "seconds", 1000), cell(values, "rss_mib", 1)]
        print(f"| {case.name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
