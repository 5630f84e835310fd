"""An audit run: read an export, check every post through the shared checker, keep the
results in the store as they come (so an interrupted run resumes where it stopped), and
count what was skipped or unreadable."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from tactful.archives import (
    ArchivedPost,
    ArchiveSource,
    Importer,
    Item,
    Skipped,
    Unreadable,
    read,
)
from tactful.audit.engine import Checked, run_local, run_ray
from tactful.audit.settings import AuditSettings
from tactful.core.checker import MAX_TEXT_CHARS, Checker
from tactful.core.post import Post
from tactful.store import Store
from tactful.store.models import AuditResultRow, AuditRunRow, utcnow

CHUNK = 64


@dataclass
class RunState:
    run_id: int
    resumed_from: int
    items_done: int
    posts: int
    flagged: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def count(self, group: str, reason: str) -> None:
        bucket = self.counts.setdefault(group, {})
        bucket[reason] = bucket.get(reason, 0) + 1


Progress = Callable[[int, int, int], None]  # bytes read, posts done, flagged


def _start(
    store: Store,
    source: ArchiveSource,
    importer: Importer,
    settings: AuditSettings,
    fresh: bool,
    context_key: str,
) -> RunState:
    fingerprint = source.fingerprint(importer.inputs(source))
    options = settings.options_hash(f"{importer.name}|{context_key}")
    with store.session() as s:
        row = None
        if not fresh:
            row = s.scalar(
                select(AuditRunRow)
                .where(
                    AuditRunRow.fingerprint == fingerprint,
                    AuditRunRow.options == options,
                    AuditRunRow.status.in_(("running", "interrupted")),
                )
                .order_by(AuditRunRow.id.desc())
                .limit(1)
            )
        if row is None:
            row = AuditRunRow(
                source=str(source.path),
                fingerprint=fingerprint,
                options=options,
                format=importer.name,
                settings=settings.to_dict(),
                status="running",
                items_done=0,
                posts=0,
                flagged=0,
                counts={},
                started_at=utcnow(),
            )
            s.add(row)
            s.flush()
        else:
            row.status = "running"
        return RunState(
            run_id=row.id,
            resumed_from=row.items_done,
            items_done=row.items_done,
            posts=row.posts,
            flagged=row.flagged,
            counts={k: dict(v) for k, v in (row.counts or {}).items()},
        )


FLUSH_EVERY = 2048  # items read: commit at least this often, even when few are checked


def _chunks(
    items: Iterator[Item],
    state: RunState,
    settings: AuditSettings,
    platform: str,
    pending: list[tuple[int, Item]],
    bounds: deque[int],
) -> Iterator[list[tuple[int, Post]]]:
    """Chunks of (seq, post) to check. Every item read goes to ``pending`` in order (posts
    outside the date range as a light Skipped), and each chunk's last seq to ``bounds``, so
    that the commit after a chunk knows exactly what it covers. A chunk may be empty: it
    only carries the progress of items that need no check."""
    chunk: list[tuple[int, Post]] = []
    since_flush = 0
    last = state.resumed_from - 1
    for seq, item in enumerate(items):
        if seq < state.resumed_from:
            continue
        last = seq
        since_flush += 1
        if isinstance(item, ArchivedPost):
            if not settings.in_range(item.post.created_at):
                pending.append((seq, Skipped("", "outside the date range")))
            elif not item.post.text.strip():
                pending.append((seq, Skipped("", "empty post")))
            else:
                pending.append((seq, item))
                chunk.append((seq, _in_context(item.post, settings, platform)))
        else:
            pending.append((seq, item))
        if len(chunk) >= CHUNK or since_flush >= FLUSH_EVERY:
            bounds.append(seq)
            yield chunk
            chunk, since_flush = [], 0
    if chunk or since_flush:
        bounds.append(last)
        yield chunk


def _context_key(checker: Checker) -> str:
    """What else decides the results: policy files' contents and the store's data."""
    import hashlib

    digest = hashlib.sha256()
    for path in checker.policy_files:
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(str(path).encode())
    snapshot = checker.store
    if snapshot is not None:
        parts = (
            snapshot.contacts,
            snapshot.accounts,
            snapshot.media,
            snapshot.org_policy,
            sorted(snapshot.own_limits.items()),
        )
        digest.update(repr(parts).encode())
    return digest.hexdigest()


SHORTENED = (
    f"posts longer than {MAX_TEXT_CHARS:,} characters, audited on their first {MAX_TEXT_CHARS:,}"
)


def checkable_text(text: str) -> str:
    """The text an audit checks: a post past the checker's limit on its first
    ``MAX_TEXT_CHARS`` characters (the report says so), and a lone surrogate (a broken
    emoji in an export) as '?', so that one post never stops the audit."""
    text = text[:MAX_TEXT_CHARS]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _in_context(post: Post, settings: AuditSettings, platform: str) -> Post:
    return Post.build(
        checkable_text(post.text),
        platform=settings.platform or platform,
        account_kind=settings.account_kind,
        audience=settings.audience,
        clients_in_audience=settings.clients_in_audience,
        reply_to=post.reply_to,
        created_at=post.created_at,
        source_id=post.source_id,
        account_name=settings.account_name,
    )


def run_audit(
    store: Store,
    source: ArchiveSource,
    importer: Importer,
    checker: Checker,
    settings: AuditSettings,
    *,
    workers: int = 1,
    engine: str = "local",
    fresh: bool = False,
    progress: Progress | None = None,
) -> RunState:
    """Audit ``source``; resumes an unfinished run of the same export and settings."""
    state = _start(store, source, importer, settings, fresh, _context_key(checker))
    pending: list[tuple[int, Item]] = []
    bounds: deque[int] = deque()
    items = read(importer, source)
    chunks = _chunks(items, state, settings, importer.platform, pending, bounds)
    run = run_ray if engine == "ray" else run_local
    last = time.monotonic()
    try:
        for results in run(checker, settings, chunks, workers):
            _commit(store, state, pending, results, bounds.popleft())
            if progress is not None and time.monotonic() - last > 0.2:
                progress(source.bytes_read, state.posts, state.flagged)
                last = time.monotonic()

    except KeyboardInterrupt:
        _finish(store, state, "interrupted")
        raise
    except BaseException:
        _finish(store, state, "failed")
        raise
    _finish(store, state, "done")
    if progress is not None:
        progress(source.bytes_read, state.posts, state.flagged)
    return state


def _commit(
    store: Store,
    state: RunState,
    pending: list[tuple[int, Item]],
    results: list[Checked],
    upto: int,
) -> None:
    """Save one chunk's results and everything read up to ``upto``, in one transaction.

    ``pending`` grows at its end while the pool reads ahead (in the pool's feeder thread);
    only its front, up to this chunk's bound, is taken here."""
    n = 0
    while n < len(pending) and pending[n][0] <= upto:
        n += 1
    done = pending[:n]
    del pending[:n]
    checked = {r.seq: r for r in results}
    rows = []
    for seq, item in done:
        if isinstance(item, Unreadable):
            state.count("unreadable", item.reason)
            if len(state.examples) < 20:
                state.examples.append(f"{item.where}: {item.reason}")
        elif isinstance(item, Skipped):
            state.count("skipped", item.reason)
        elif seq not in checked:
            state.count("unreadable", "a post the checker returned no result for")
        else:
            r = checked[seq]
            if len(item.post.text) > MAX_TEXT_CHARS:
                state.count("shortened", SHORTENED)
            if item.missing_media:
                state.count("media", "posts whose media files are missing from the export")
            state.posts += 1
            state.flagged += r.report is not None
            rows.append(_row(state.run_id, item, r))
    state.items_done = upto + 1
    with store.session() as s:
        if rows:
            s.add_all(rows)
        run = s.get(AuditRunRow, state.run_id)
        assert run is not None
        run.items_done, run.posts, run.flagged = state.items_done, state.posts, state.flagged
        run.counts = {k: dict(v) for k, v in state.counts.items()}


def _row(run_id: int, item: ArchivedPost, r: Checked) -> AuditResultRow:
    report = r.report
    if report is not None:
        report = {**report, "archive": item.to_dict()}
        if len(item.post.text) > MAX_TEXT_CHARS:
            notice = (
                f"this post has {len(item.post.text):,} characters: tactful audited its first "
                f"{MAX_TEXT_CHARS:,}"
            )
            report["notices"] = [*report.get("notices", []), notice]
    return AuditResultRow(
        run_id=run_id,
        seq=r.seq,
        source_id=item.post.source_id,
        created_at=item.post.created_at,
        kind=item.kind,
        url=item.url if item.url and item.url.startswith(("https://", "http://")) else None,
        verdict=r.verdict,
        risk=r.risk,
        categories=r.categories,
        report=report,
    )


def _finish(store: Store, state: RunState, status: str) -> None:
    with store.session() as s:
        run = s.get(AuditRunRow, state.run_id)
        if run is not None:
            run.status = status
            run.finished_at = utcnow() if status == "done" else None
