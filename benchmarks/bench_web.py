"""Benchmark the composer's request: POST /api/check over real HTTP (uvicorn on loopback,
the demo store, a stored account with contacts and consent), against the same check called
in-process, on the same generated posts. The difference is what the web layer costs.

    .venv/bin/python benchmarks/bench_web.py [--posts 1000]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from postgen import posts

from tactful.core.post import Post
from tactful.web import create_app
from tactful.web.auth import digest
from tactful.web.demo import seed

TOKEN = "bench"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def row(name: str, ms: list[float]) -> str:
    return (
        f"| {name} | {len(ms):,} | {statistics.median(ms):.2f} | {pct(ms, 95):.2f} | "
        f"{pct(ms, 99):.2f} | {max(ms):.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    args = parser.parse_args()
    import uvicorn

    store = seed(Path(tempfile.mkdtemp(prefix="tactful-bench-")))
    app = create_app(store, digest(TOKEN))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    texts = list(posts(args.posts, seed=7))
    state = app.state.tactful
    checker = state.checker()
    account = state.account("jo-x")

    direct: list[float] = []
    for text in texts:
        post = Post.build(
            text,
            platform="x",
            account_kind=account.kind.value,
            clients_in_audience=True,
            account_name="jo-x",
        )
        t0 = time.perf_counter()
        checker.check(post)
        direct.append((time.perf_counter() - t0) * 1000)

    http: list[float] = []
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}"}
    ) as c:
        c.post("/api/check", json={"text": "warm up", "account": "jo-x"})
        for text in texts:
            t0 = time.perf_counter()
            r = c.post("/api/check", json={"text": text, "account": "jo-x"})
            http.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
    server.should_exit = True
    print(f"{args.posts:,} generated posts, account jo-x (X, personal, clients can see it)\n")
    print("| path | checks | p50 ms | p95 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    print(row("Checker.check in-process", direct))
    print(row("POST /api/check over HTTP", http))


if __name__ == "__main__":
    main()
