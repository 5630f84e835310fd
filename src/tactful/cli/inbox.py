"""``tactful inbox``: bring in what others wrote to your accounts, sorted by what it needs;
show an item, mark it done, and export threats and harassment as evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from tactful.cli.store import actor_or_default, db_option, echo_json, json_option, open_db

_ACCOUNT = click.option("--account", "account_name", metavar="NAME", help="Only this account.")


def _now() -> datetime:
    return datetime.now(UTC)


@click.group("inbox")
def inbox() -> None:
    """What others write to your connected accounts (mentions, replies, quotes, comments),
    brought in by sync, checked by the same checker as inbound text and sorted: threat,
    harassment, hate, complaint, trolling, spam, question, praise, other. Items that say
    where you live, work or will be come first and say so.

    \b
    Examples:
      tactful inbox sync
      tactful inbox list --class complaint
      tactful inbox show 12
      tactful inbox done 12
      tactful inbox evidence export --out evidence/
      tactful inbox evidence verify evidence/evidence.json
    """


@inbox.command("sync")
@_ACCOUNT
@db_option
def sync_command(account_name: str | None, db_url: str | None) -> None:
    """Read new mentions, replies and comments from the networks and sort them. A sync cut
    short (Ctrl-C, a lost connection, a rate limit) goes on where it stopped when run again;
    nothing is stored twice. A network that refuses to let tactful read gives one notice
    for the account, and what was synced is kept.

    \b
    Example:
      tactful inbox sync --account acme-masto
    """
    import httpx

    from tactful.core.factory import checker_for
    from tactful.inbox.store import triage_pending
    from tactful.inbox.sync import InboxSync

    store = open_db(db_url)
    try:
        with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0)) as http:
            outcomes = InboxSync(store, http=http, clock=_now).run(account_name)
        if not outcomes:
            click.echo("no connected account to read; connect one: tactful accounts connect NAME")
        for outcome in outcomes:
            click.echo(outcome.line())
        sorted_ = triage_pending(store, checker_for(store), now=_now(), account=account_name)
        if sorted_:
            click.echo(f"sorted {sorted_} new items; see: tactful inbox list")
    finally:
        store.dispose()


@inbox.command("list")
@_ACCOUNT
@click.option("--class", "category", metavar="CLASS", help="Only this class (e.g. complaint).")
@click.option("--all", "include_done", is_flag=True, help="Items marked done too.")
@json_option
@db_option
def list_command(
    account_name: str | None, category: str | None, include_done: bool, as_json: bool,
    db_url: str | None,
) -> None:  # fmt: skip
    """Items by priority: where you live or will be first, then threats and harassment,
    hate, complaints (oldest first), trolling, spam, questions, praise and the rest.

    \b
    Example:
      tactful inbox list --account acme-masto --class harassment
    """
    from rich.console import Console
    from rich.markup import escape

    from tactful.inbox.store import list_items

    store = open_db(db_url)
    try:
        with store.session() as s:
            items = list_items(
                s, account=account_name, category=category, include_done=include_done
            )
    finally:
        store.dispose()
    if as_json:
        echo_json([i.to_dict() for i in items])
        return
    if not items:
        click.echo("the inbox is empty; bring new items in with: tactful inbox sync")
        return
    console = Console(highlight=False, soft_wrap=True)
    for i in items:
        mark = " [bold red]WHERE YOU ARE[/]" if i.whereabouts else ""
        cut = " (cut)" if i.oversize else ""
        done = " done" if i.done_at else ""
        text = " ".join(i.text.split())
        text = text if len(text) <= 90 else text[:89] + "…"
        when = f"{i.created_at:%Y-%m-%d %H:%M}" if i.created_at else "?"
        console.print(
            f"#{i.id:<5} {escape(i.category or 'untriaged'):<10}{mark} {escape(i.account)} "
            f"{when} {escape(i.author_handle or '?')}{cut}{done}: {escape(text)}"
        )


@inbox.command("show")
@click.argument("item_id", type=int)
@json_option
@db_option
def show_command(item_id: int, as_json: bool, db_url: str | None) -> None:
    """One item: its words, author, link and thread, what the checker found, the suggested
    action and the reason for it.

    \b
    Example:
      tactful inbox show 12
    """
    from tactful.inbox.store import get_item

    store = open_db(db_url)
    try:
        with store.session() as s:
            item = get_item(s, item_id)
    finally:
        store.dispose()
    if as_json:
        echo_json(item.to_dict())
        return
    triage = item.triage or {}
    lines = [f"#{item.id} {item.category or 'not sorted yet'} on {item.account} ({item.network})"]
    if triage.get("whereabouts"):
        lines.append(f"  !! {triage['whereabouts']}")
    lines.append(f"  from {item.author_handle or '?'} ({item.author_id or '?'}) at "
                 f"{item.created_at.isoformat() if item.created_at else '?'}")  # fmt: skip
    if item.url:
        lines.append(f"  {item.url}")
    for post in item.thread:
        lines.append(f"  > in reply to {post.get('author') or '?'}: {post.get('text')}")
    lines.append("")
    lines += ["  " + line for line in item.text.splitlines() or [""]]
    if item.oversize:
        lines.append(f"  (cut to the size limit from {item.original_chars:,} characters)")
    lines.append("")
    if triage:
        lines.append(f"  action: {triage['action']}")
        lines.append(f"  why: {triage['reason']}")
        if triage.get("because"):
            lines.append(f"  sorted by: {', '.join(triage['because'])}")
        for f in triage.get("findings", []):
            words = " … ".join(f.get("excerpts") or [])
            lines.append(f"   {f['severity']:5}  {f['rule_id']}  “{words}”  {f['message']}")
    if item.done_at:
        lines.append(f"  done {item.done_at:%Y-%m-%d %H:%M} by {item.done_by}")
    click.echo("\n".join(lines))


@inbox.command("done")
@click.argument("item_ids", type=int, nargs=-1, required=True)
@click.option("--undo", is_flag=True, help="Put the items back in the inbox.")
@click.option("--by", "actor", metavar="NAME", help="Who did it (default: you).")
@db_option
def done_command(
    item_ids: tuple[int, ...], undo: bool, actor: str | None, db_url: str | None
) -> None:
    """Mark items as dealt with (they leave `inbox list`, and stay as evidence).

    \b
    Example:
      tactful inbox done 12 13
    """
    from tactful.inbox.store import mark_done

    who = actor_or_default(actor)
    store = open_db(db_url)
    try:
        for item_id in item_ids:  # each its own commit: an unknown id keeps the ones before
            with store.session() as s:
                mark_done(s, item_id, actor=who, now=_now(), undo=undo)
            click.echo(f"#{item_id} {'back in the inbox' if undo else 'done'}")
    finally:
        store.dispose()


@inbox.group("evidence")
def evidence() -> None:
    """Threats and harassment kept as a record for the police, HR or a platform: an HTML
    report and a JSON file in which each record carries the SHA-256 of the one before it.

    \b
    Examples:
      tactful inbox evidence export --out evidence/
      tactful inbox evidence verify evidence/evidence.json
    """


@evidence.command("export")
@_ACCOUNT
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder to write evidence.html and evidence.json into.")  # fmt: skip
@db_option
def export_command(account_name: str | None, out_dir: str, db_url: str | None) -> None:
    """Write evidence.html (one self-contained page) and evidence.json (a hash chain) for
    every threat and harassment item, with its words, author, links, times and thread.

    \b
    Example:
      tactful inbox evidence export --account acme-masto --out evidence/
    """
    from tactful.inbox.evidence import export

    store = open_db(db_url)
    try:
        with store.session() as s:
            made = export(s, Path(out_dir), now=_now(), account=account_name)
    finally:
        store.dispose()
    click.echo(f"wrote {made.html_path} and {made.json_path}: {made.records} records")
    click.echo(f"chain head sha256 {made.head} (note it down: a later copy must end with it)")


@evidence.command("verify")
@click.argument("file", type=click.Path(dir_okay=False))
def verify_command(file: str) -> None:
    """Check an evidence.json chain: exit 0 when intact, 1 when a record was changed,
    removed, added or moved (each problem on a line), 2 when it is not an evidence file.

    \b
    Example:
      tactful inbox evidence verify evidence/evidence.json
    """
    from tactful.inbox.evidence import verify

    problems = verify(Path(file))
    if problems:
        for problem in problems:
            click.echo(f"tampered: {problem}")
        raise SystemExit(1)
    click.echo(f"{file}: the chain is intact")
