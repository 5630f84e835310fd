"""Checking an audit's posts: in this process, in a local process pool, or on Ray. Every
engine runs the same function on the same chunks, so results are identical."""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tactful.audit.settings import AuditSettings
from tactful.core.checker import Checker
from tactful.core.post import Post
from tactful.core.scan import init_worker, worker_checker, worker_init_args
from tactful.errors import InputError


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome for one post: what the store keeps."""

    seq: int
    verdict: str
    risk: float
    categories: str
    report: dict[str, Any] | None  # only for flagged posts


def check_posts(
    checker: Checker, settings: AuditSettings, chunk: Sequence[tuple[int, Post]]
) -> list[Checked]:
    try:
        reports = checker.check_batch([p for _, p in chunk])
    except InputError:
        # A text the checker refuses: every other post of the chunk is still checked, and
        # the runner counts the refused one as unreadable (it has no result).
        if len(chunk) == 1:
            return []
        return [c for one in chunk for c in check_posts(checker, settings, [one])]
    out = []
    for (seq, _), full in zip(chunk, reports, strict=True):
        report = full.restricted(settings.keeps)
        if not report.findings and not report.failed_detectors:
            out.append(Checked(seq, "ok", 0.0, "", None))
            continue
        # A post some detector failed on was not fully checked: it is listed for review.
        rules = ",".join(report.rule_ids or ["check.incomplete"])
        out.append(
            Checked(seq, report.verdict.value, round(report.risk, 4), rules, report.to_dict())
        )
    return out


RAY_WINDOW = 256  # chunks per Ray Data pass (16k posts): bounded memory, few actor starts
_settings: AuditSettings | None = None


def _init(settings: AuditSettings, *checker_args: Any) -> None:
    global _settings
    # Ctrl-C is the parent's to handle (it marks the run interrupted); workers just stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _settings = settings
    init_worker(*checker_args)


def _work(chunk: Sequence[tuple[int, Post]]) -> list[Checked]:
    assert _settings is not None
    return check_posts(worker_checker(), _settings, chunk)


def run_local(
    checker: Checker,
    settings: AuditSettings,
    chunks: Iterable[Sequence[tuple[int, Post]]],
    workers: int,
) -> Iterator[list[Checked]]:
    """Results per chunk, in input order."""
    if workers <= 1:
        for chunk in chunks:
            yield check_posts(checker, settings, chunk)
        return
    os.environ.setdefault("TACTFUL_ENCODER_THREADS", "1")
    ctx = multiprocessing.get_context("fork")
    args = (settings, *worker_init_args(checker, {}))
    with ctx.Pool(workers, initializer=_init, initargs=args) as pool:
        yield from pool.imap(_work, chunks)


def run_ray(
    checker: Checker,
    settings: AuditSettings,
    chunks: Iterable[Sequence[tuple[int, Post]]],
    workers: int,
    address: str | None = None,
) -> Iterator[list[Checked]]:
    """The same chunks through Ray Data: a local Ray instance, or a cluster at ``address``
    (``RAY_ADDRESS``). Each Ray worker builds one Checker and reuses it."""
    try:
        import ray
    except ImportError:
        from tactful.errors import InputError

        raise InputError("--engine ray needs Ray: pip install 'tactful[ray]'") from None
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False  # tactful shows its own
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ray\b.*")
    address = address or os.environ.get("RAY_ADDRESS") or None
    if not ray.is_initialized():
        if address:  # a cluster has its own CPUs
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=max(workers, 1), include_dashboard=False, log_to_driver=False)
    init_args = worker_init_args(checker, {})

    class _Checker:
        def __init__(self) -> None:
            init_worker(*init_args)

        def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
            # One row per chunk, pickled: Arrow stores bytes without guessing at a schema.
            out = []
            for blob in batch["item"]:
                chunk = pickle.loads(blob)
                out.append(pickle.dumps(check_posts(worker_checker(), settings, chunk)))
            return {"item": out}

    # Stream bounded windows so memory stays flat however large the export.
    window: list[Sequence[tuple[int, Post]]] = []
    for chunk in chunks:
        window.append(chunk)
        if len(window) >= RAY_WINDOW:
            yield from _ray_window(ray, _Checker, window, workers)
            window = []
    if window:
        yield from _ray_window(ray, _Checker, window, workers)


def _ray_window(ray: Any, cls: Any, window: list[Any], workers: int) -> Iterator[list[Checked]]:
    items = [{"item": pickle.dumps(list(c))} for c in window]
    ds = ray.data.from_items(items, override_num_blocks=len(items))  # a block per chunk
    out = ds.map_batches(cls, batch_size=1, concurrency=max(workers, 1))
    for row in out.iter_rows():
        yield pickle.loads(row["item"])
