"""``tactful audit`` (check a whole export) and ``tactful audits`` (past runs)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click

from tactful.cli.options import account_options, stored_account_option
from tactful.cli.store import db_option, echo_json, open_checker, open_db, print_table
from tactful.core.findings import Severity
from tactful.errors import InputError


def _day(value: str | None, option: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    except ValueError:
        raise InputError(f"{option} {value!r}: give a date like 2021-06-30") from None


class _Progress:
    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self._p = Progress(
            TextColumn("auditing"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[posts]:,} posts, {task.fields[flagged]:,} flagged"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._p.add_task("audit", total=max(total, 1), posts=0, flagged=0)
        self._p.start()

    def __call__(self, done: int, posts: int, flagged: int) -> None:
        self._p.update(self._task, completed=done, posts=posts, flagged=flagged)

    def close(self) -> None:
        self._p.stop()


@click.command()
@click.argument("path", type=click.Path())
@click.option(
    "--format",
    "fmt",
    help="The export's format (x, mastodon, bluesky, linkedin, facebook, instagram); "
    "detected from the files when left out.",
)
@stored_account_option
@account_options
@click.option("--since", metavar="DATE", help="Only posts from this date (2020-01-01).")
@click.option("--until", metavar="DATE", help="Only posts before this date.")
@click.option(
    "--min-severity",
    type=click.Choice([s.value for s in Severity]),
    default="info",
    show_default=True,
    help="Report findings at or above this severity.",
)
@click.option(
    "--category",
    "categories",
    multiple=True,
    metavar="RULE",
    help="Only these rules or families (repeatable): --category work --category offense.insult",
)
@click.option("--workers", type=click.IntRange(min=0), default=0, help="Processes (0 = all cores).")
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: a process pool here; ray: Ray Data (a local instance, or RAY_ADDRESS).",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Folder for report.html, findings.csv, findings.jsonl, actions.csv "
    "(default: ./tactful-audit-N).",
)
@click.option("--fresh", is_flag=True, help="Start over instead of resuming an unfinished run.")
@db_option
def audit(
    path: str,
    fmt: str | None,
    account_name: str | None,
    since: str | None,
    until: str | None,
    min_severity: str,
    categories: tuple[str, ...],
    workers: int,
    engine: str,
    out_dir: str | None,
    fresh: bool,
    db_url: str | None,
    **context: Any,
) -> None:
    """Check a whole social media history (a data export) for posts that could hurt you now:
    every finding with the exact words, why, and what to do. Runs on this machine.

    PATH is the export as downloaded: an X archive zip, a Mastodon archive .tar.gz, a
    Bluesky repo.car, a LinkedIn, Facebook or Instagram export zip, or the unpacked folder.
    An interrupted audit (Ctrl-C) continues where it stopped when run again.

    \b
    Examples:
      tactful audit twitter-2024.zip --account-kind professional
      tactful audit archive.tar.gz --account me-mastodon --since 2019-01-01
      tactful audit linkedin.zip --min-severity warn -o audit-linkedin
    """
    import os

    from tactful.archives import ArchiveSource, create, detect
    from tactful.audit.runner import run_audit
    from tactful.audit.settings import AuditSettings

    if not Path(path).exists():
        raise InputError(f"{path!r} does not exist; give the export zip, folder or file")
    store = open_db(db_url)
    ctx: dict[str, Any] = {
        k: context[k] for k in ("platform", "account_kind", "audience", "clients_in_audience")
    }
    checker = open_checker(account_name, db_url, ctx, context["policy_files"])
    source = ArchiveSource(path)
    importer = create(fmt) if fmt else detect(source)
    settings = AuditSettings(
        platform=ctx["platform"] if ctx["platform"] != "generic" else importer.platform,
        account_kind=ctx["account_kind"],
        audience=ctx["audience"],
        clients_in_audience=bool(ctx["clients_in_audience"]),
        account_name=ctx.get("account_name"),
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        min_severity=Severity(min_severity),
        categories=tuple(categories),
    )
    for c in categories:
        if not checker.ruleset.ids_matching(c):
            raise InputError(f"--category {c!r} matches no rule; see 'tactful rules'")
    workers = workers or (os.cpu_count() or 1)
    if not importer.inputs(source):
        from tactful.archives import diagnose

        advice = diagnose(importer, source)
        raise InputError(
            advice or f"{source.path.name} has none of the files a {importer.name} export has"
        )
    total = sum(source.size(n) for n in importer.inputs(source))
    bar = _Progress(total) if sys.stderr.isatty() else None
    try:
        state = run_audit(
            store,
            source,
            importer,
            checker,
            settings,
            workers=workers,
            engine=engine,
            fresh=fresh,
            progress=bar,
        )
    except KeyboardInterrupt:
        if bar:
            bar.close()
        click.echo("tactful: interrupted; run the same command again to continue", err=True)
        sys.exit(130)
    finally:
        source.close()
    if bar:
        bar.close()
    folder = Path(out_dir or f"tactful-audit-{state.run_id}")
    from tactful.audit.report_files import write_report_files

    written = write_report_files(store, state.run_id, folder)
    skipped = sum(state.counts.get("skipped", {}).values())
    unreadable = sum(state.counts.get("unreadable", {}).values())
    resumed = f" (resumed after {state.resumed_from:,} records)" if state.resumed_from else ""
    click.echo(
        f"audit #{state.run_id}{resumed}: {state.posts:,} posts checked, {state.flagged:,} to act "
        f"on; {skipped:,} skipped, {unreadable:,} unreadable"
    )
    for group in ("skipped", "unreadable", "shortened", "media"):
        for reason, n in sorted(state.counts.get(group, {}).items()):
            click.echo(
                f"  {group}: {n:,} {reason} (checked by text only)"
                if group == "media"
                else f"  {group}: {n:,} {reason}"
            )
    for example in state.examples[:5]:
        click.echo(f"  e.g. {example}", err=True)
    for name in written:
        click.echo(f"wrote {folder / name}")
    if state.posts == 0 and unreadable:
        sys.exit(2)
    if state.flagged:
        sys.exit(1)


@click.group()
def audits() -> None:
    """Past audits: list them, or write a run's report again.

    \b
    Examples:
      tactful audits list
      tactful audits report 3 -o audit-3
    """


@audits.command("list")
@click.option("--json", "as_json", is_flag=True)
@db_option
def list_(as_json: bool, db_url: str | None) -> None:
    """Every audit run in the store."""
    from tactful.audit.results import list_runs

    with open_db(db_url).session() as s:
        runs = list_runs(s)
    if as_json:
        echo_json([_run_dict(r) for r in runs])
        return
    print_table(
        None,
        ["id", "format", "source", "status", "posts", "flagged", "started"],
        [
            (
                f"#{r.id}",
                r.format,
                r.source,
                r.status,
                f"{r.posts:,}",
                f"{r.flagged:,}",
                r.started_at[:16],
            )
            for r in runs
        ],
        "no audits yet: tactful audit PATH",
    )


def _run_dict(r: Any) -> dict[str, Any]:
    return {k: getattr(r, k) for k in r.__slots__}


@audits.command("report")
@click.argument("run_id", type=int, required=False)
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False))
@db_option
def report(run_id: int | None, out_dir: str | None, db_url: str | None) -> None:
    """Write the report files of run RUN_ID (default: the latest) again."""
    from tactful.audit.results import run_info

    store = open_db(db_url)
    with store.session() as s:
        info = run_info(s, run_id)
    folder = Path(out_dir or f"tactful-audit-{info.id}")
    from tactful.audit.report_files import write_report_files

    for name in write_report_files(store, info.id, folder):
        click.echo(f"wrote {folder / name}")
