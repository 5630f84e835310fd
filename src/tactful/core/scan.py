"""Batch checking: JSONL in, one result per line out, streaming, optionally on several cores.

Each input line is a JSON object with ``text`` and optional ``id`` and context fields
(``platform``, ``account_kind``, ``audience``, ``clients_in_audience``, ``reply_to``,
``inbound``, ``mentions``, ``created_at``); the command-line context fills what a line leaves
out. A line that cannot be read becomes an error record in the output (with its line number)
and the scan goes on: nothing is dropped silently.
"""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tactful.core.checker import Checker, validate_text
from tactful.core.findings import Report, Severity
from tactful.core.post import Post
from tactful.errors import TactfulError

if TYPE_CHECKING:
    from tactful.store.snapshot import StoreSnapshot

# Lines checked together: big enough for the models to batch, small enough to stream.
CHUNK = 64


@dataclass(frozen=True, slots=True)
class ScanResult:
    """One input line's outcome: a report, or an error that says which line and why."""

    line: int
    report: Report | None = None
    error: str | None = None
    source_id: str | None = None

    def to_dict(self, *, all_scores: bool = False) -> dict[str, Any]:
        if self.report is not None:
            out = self.report.to_dict(all_scores=all_scores)
            out["line"] = self.line
            return out
        return {"line": self.line, "id": self.source_id, "error": self.error}


@dataclass(slots=True)
class ScanStats:
    posts: int = 0
    errors: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"ok": 0, "review": 0, "blocked": 0})
    error_lines: list[int] = field(default_factory=list)
    failing: int = 0

    def add(self, result: ScanResult, fail_on: Severity) -> None:
        if result.report is None:
            self.errors += 1
            if len(self.error_lines) < 20:
                self.error_lines.append(result.line)
            return
        self.posts += 1
        self.verdicts[result.report.verdict.value] += 1
        if result.report.fails(fail_on):
            self.failing += 1

    def summary(self) -> str:
        v = self.verdicts
        text = (
            f"scanned {self.posts:,} posts: {v['ok']:,} ok, {v['review']:,} to review, "
            f"{v['blocked']:,} blocked; {self.errors:,} unreadable lines"
        )
        if self.error_lines:
            more = ", ..." if self.errors > len(self.error_lines) else ""
            text += f" (lines {', '.join(map(str, self.error_lines))}{more})"
        return text


def parse_line(raw: str | bytes, defaults: Mapping[str, Any]) -> Post:
    """Parse one JSONL line into a Post; raise TactfulError with a message saying what is wrong."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")  # a BOM may open the file
        except UnicodeDecodeError as exc:
            raise TactfulError(f"not valid UTF-8 (byte {exc.start})") from None
    raw = raw.lstrip("\ufeff")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TactfulError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise TactfulError("not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise TactfulError("expected a JSON object with a 'text' field")
    if "account_name" in data:
        raise TactfulError("a line cannot choose a stored account; use scan --account NAME")
    merged = {**defaults, **{k: v for k, v in data.items() if v is not None or k == "text"}}
    return Post.from_mapping(merged)


def _source_id(raw: str | bytes) -> str | None:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return str(data["id"]) if isinstance(data, dict) and data.get("id") is not None else None


def check_line(
    checker: Checker, number: int, raw: str | bytes, defaults: Mapping[str, Any]
) -> ScanResult:
    try:
        post = parse_line(raw, defaults)
        return ScanResult(number, report=checker.check(post), source_id=post.source_id)
    except TactfulError as exc:
        return ScanResult(number, error=str(exc), source_id=_source_id(raw))
    except Exception as exc:  # one odd line must never stop a scan of a million
        message = f"could not be checked ({type(exc).__name__}: {exc}); please report this line"
        return ScanResult(number, error=message, source_id=_source_id(raw))


def check_chunk(
    checker: Checker, items: Sequence[tuple[int, str | bytes]], defaults: Mapping[str, Any]
) -> list[ScanResult]:
    """Check a chunk of lines together (the models batch their work), in order. A line that
    cannot be parsed or checked becomes an error result; the others are unaffected."""
    results: list[ScanResult | None] = [None] * len(items)
    batch: list[tuple[int, Post]] = []
    for k, (number, raw) in enumerate(items):
        try:
            post = parse_line(raw, defaults)
            validate_text(post.text)
            batch.append((k, post))
        except TactfulError as exc:
            results[k] = ScanResult(number, error=str(exc), source_id=_source_id(raw))
        except Exception:
            results[k] = check_line(checker, number, raw, defaults)
    try:
        reports = checker.check_batch([post for _, post in batch])
        for (k, post), report in zip(batch, reports, strict=True):
            results[k] = ScanResult(items[k][0], report=report, source_id=post.source_id)
    except Exception:  # fall back to one at a time, so one bad post costs only itself
        for k, _ in batch:
            results[k] = check_line(checker, items[k][0], items[k][1], defaults)
    return [r for r in results if r is not None]


# Worker processes keep one Checker each; building it is the expensive part.
_worker_checker: Checker | None = None
_worker_defaults: Mapping[str, Any] = {}


def init_worker(
    policy_files: Sequence[str],
    detectors: Sequence[str],
    defaults: Mapping[str, Any],
    store: StoreSnapshot | None,
) -> None:
    global _worker_checker, _worker_defaults
    # One process per core: each model session gets one thread, so they don't compete.
    os.environ.setdefault("TACTFUL_ENCODER_THREADS", "1")
    _worker_checker = Checker(policy_files=policy_files, detectors=detectors, store=store)
    _worker_defaults = defaults


def worker_checker() -> Checker:
    """The Checker of this worker process (built by the pool's initializer)."""
    assert _worker_checker is not None
    return _worker_checker


def worker_init_args(checker: Checker, defaults: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a pool initializer needs to build the same Checker in each worker."""
    return (list(checker.policy_files), list(checker.detector_names), dict(defaults), checker.store)


def _work(items: list[tuple[int, str | bytes]]) -> list[ScanResult]:
    return check_chunk(worker_checker(), items, _worker_defaults)


def _numbered(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | bytes]]:
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes) and not raw.strip():
            continue
        if isinstance(raw, str) and not raw.strip():
            continue
        yield number, raw


def _chunks(
    items: Iterator[tuple[int, str | bytes]], size: int
) -> Iterator[list[tuple[int, str | bytes]]]:
    chunk: list[tuple[int, str | bytes]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def scan_lines(
    lines: Iterable[str | bytes],
    *,
    checker: Checker,
    defaults: Mapping[str, Any],
    workers: int = 1,
) -> Iterator[ScanResult]:
    """Check every non-blank line, in input order. ``workers > 1`` uses a process pool."""
    chunks = _chunks(_numbered(lines), CHUNK)
    if workers <= 1:
        for chunk in chunks:
            yield from check_chunk(checker, chunk, defaults)
        return
    # fork: workers inherit the parsed rules, so each starts in milliseconds.
    ctx = multiprocessing.get_context("fork")
    initargs = worker_init_args(checker, defaults)
    with ctx.Pool(workers, initializer=init_worker, initargs=initargs) as pool:
        for results in pool.imap(_work, chunks):
            yield from results
