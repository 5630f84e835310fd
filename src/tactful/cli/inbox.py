"""``tactful inbox``: bring in what others wrote to your accounts, sorted by what it needs;
show an item, mark it done, and export threats and harassment as evidence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tactful.cli.store import actor_or_default, db_option, echo_json, json_option, open_db

if TYPE_CHECKING:
    from tactful.inbox.actions import ActionView, InboxActions, ReplyCheck
    from tactful.store import Store

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
      tactful inbox reply 3 --draft
      tactful inbox hide 17
      tactful inbox undo 4
      tactful inbox retry 5
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
    for the account, and what was synced is kept. Answers left "sending" by a tactful that
    was stopped are settled too (a reply is looked for, never sent again).

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
        _settle(store, account=account_name)
    finally:
        store.dispose()


def _settle(
    store: Store, *, item_id: int | None = None, account: str | None = None, say: bool = True
) -> None:
    """Settle the answers a stopped tactful left in flight, and say what became of them."""
    actions = _actions(store, None)
    try:
        for view in actions.reconcile(item_id, account=account):
            if say:
                click.echo(f"settled {view.line()}")
    finally:
        actions.http.close()


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
    action and the reason for it, and what was done about it. An answer left "sending" by
    a tactful that was stopped is settled first (a reply is looked for, never sent again).

    \b
    Example:
      tactful inbox show 12
    """
    from tactful.inbox.actions import history, suggested_reply
    from tactful.inbox.store import get_item
    from tactful.store.accounts import get_account

    store = open_db(db_url)
    try:
        with store.session() as s:
            item = get_item(s, item_id)
            account = get_account(s, item.account)
        # In JSON the output stays one document: what was settled shows in "actions".
        _settle(store, item_id=item_id, say=not as_json)
        actions = history(store, item_id)
    finally:
        store.dispose()
    draft = suggested_reply(item, account)
    if as_json:
        echo_json({**item.to_dict(), "actions": [a.to_dict() for a in actions],
                   "drafted_reply": draft})  # fmt: skip
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
    for action in actions:
        lines.append("  " + action.line())
    if draft:
        lines.append(f"  drafted reply (tactful inbox reply {item.id}): {draft}")
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


# ---------------------------------------------------------------------------- answering


def _actions(store: Store, actor: str | None) -> InboxActions:
    import httpx

    from tactful.inbox.actions import InboxActions

    http = httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0))
    return InboxActions(store, http=http, clock=_now, actor=actor_or_default(actor))


@contextmanager
def _answering(db_url: str | None, actor: str | None) -> Iterator[tuple[Store, InboxActions]]:
    """The store, and the inbox's actions on it with a network client, for a command that
    answers on the network; both closed afterwards, however the command ends."""
    store = open_db(db_url)
    actions = _actions(store, actor)
    try:
        yield store, actions
    finally:
        actions.http.close()
        store.dispose()


_BY = click.option("--by", "actor", metavar="NAME", help="Who does it (default: you).")


def _went_through(view: ActionView) -> None:
    """The recorded action on stdout when the network did it; one line on stderr and exit
    code 2 when it refused or gave no clear answer (the action is recorded all the same)."""
    from tactful.errors import InputError

    if view.outcome in ("done", "link"):
        click.echo(view.line())
        return
    raise InputError(
        f"{view.action} #{view.item_id} {view.outcome}: {view.detail or 'no answer'} "
        f"(recorded as action #{view.id}; try again with: tactful inbox retry {view.id})"
    )


def _print_check(check: ReplyCheck) -> None:
    report = check.report
    click.echo(f"  check: {report['verdict']}")
    for f in report["findings"]:
        words = " … ".join(f.get("excerpts") or [])
        click.echo(f"   {f['severity']:5}  {f['rule_id']}  “{words}”  {f['message']}")


@inbox.command("reply")
@click.argument("item_id", type=int)
@click.option("--text", "text", metavar="TEXT", help="The reply (default: the drafted one).")
@click.option(
    "--override",
    metavar="REASON",
    help="Send it although blocking findings stop it; recorded with who and why.",
)
@click.option(
    "--draft", "draft_only", is_flag=True, help="Show the reply and its check; send nothing."
)
@click.option("--yes", "-y", is_flag=True, help="Send without asking.")
@_BY
@db_option
def reply_command(
    item_id: int, text: str | None, override: str | None, draft_only: bool, yes: bool,
    actor: str | None, db_url: str | None,
) -> None:  # fmt: skip
    """Answer an item in public, checked first as a reply by the same checker as every post:
    a reply that picks a public fight is flagged, and blocking findings stop it unless you
    say why with --override. Without --text, a complaint gets a drafted reply that thanks,
    apologises and takes the details to a private channel.

    \b
    Examples:
      tactful inbox reply 3 --draft
      tactful inbox reply 3 --yes
      tactful inbox reply 3 --text "Sorry about that! Could you DM us your order number?"
    """
    from tactful.core.factory import checker_for
    from tactful.errors import InputError
    from tactful.inbox.actions import ReplyStopped, check_reply, suggested_reply

    with _answering(db_url, actor) as (store, actions):
        item = actions.item(item_id)
        account = actions.account_of(item)
        words = text if text is not None else suggested_reply(item, account)
        if not words:
            raise InputError(
                f"#{item_id} is {item.category or 'not sorted yet'}: there is no drafted reply "
                "for it; write one with --text"
            )
        checker = checker_for(store)
        check = check_reply(checker, item, account, words)
        if check.hold_back:
            click.echo(f"  advice: {check.hold_back}")
        click.echo(f"reply to #{item_id} ({item.author_handle or '?'}) on {item.account}:")
        click.echo("  " + "\n  ".join(words.splitlines()))
        _print_check(check)
        if draft_only:
            return
        if check.stopping(override):  # said before asking, not after
            raise ReplyStopped(check, overridable=not check.stopping("reason"))
        if not yes and not click.confirm("Send this reply?", default=False):
            click.echo("not sent")
            return
        view, _ = actions.reply(item_id, words, checker=checker, override=override)
        _went_through(view)


def _moderate(action: str, item_id: int, actor: str | None, db_url: str | None,
              reason: str | None = None) -> None:  # fmt: skip
    with _answering(db_url, actor) as (_, actions):
        if action == "report":
            view = actions.report(item_id, reason)
        else:
            view = getattr(actions, action)(item_id)
        _went_through(view)
        if view.outcome == "link":
            click.echo(f"  report it there: {view.url or 'open the item on the network'}")
        elif view.undoable:
            click.echo(f"  undo with: tactful inbox undo {view.id}")


@inbox.command("hide")
@click.argument("item_id", type=int)
@_BY
@db_option
def hide_command(item_id: int, actor: str | None, db_url: str | None) -> None:
    """Hide a comment or reply from everyone but its author (Facebook and Instagram
    comments; X replies to the account's own posts). Undo with tactful inbox undo.

    \b
    Example:
      tactful inbox hide 17
    """
    _moderate("hide", item_id, actor, db_url)


@inbox.command("mute")
@click.argument("item_id", type=int)
@_BY
@db_option
def mute_command(item_id: int, actor: str | None, db_url: str | None) -> None:
    """Mute the item's author (Mastodon, Bluesky): you stop seeing them; they are not told.

    \b
    Example:
      tactful inbox mute 17
    """
    _moderate("mute", item_id, actor, db_url)


@inbox.command("block")
@click.argument("item_id", type=int)
@_BY
@db_option
def block_command(item_id: int, actor: str | None, db_url: str | None) -> None:
    """Block the item's author (Mastodon, Bluesky; a Bluesky block is public).

    \b
    Example:
      tactful inbox block 17
    """
    _moderate("block", item_id, actor, db_url)


@inbox.command("report")
@click.argument("item_id", type=int)
@click.option(
    "--reason", metavar="TEXT", help="What to tell the moderators (default: the class and why)."
)
@_BY
@db_option
def report_command(item_id: int, reason: str | None, actor: str | None, db_url: str | None) -> None:
    """Report an item to the network's moderators: on Bluesky through its API, elsewhere
    with a link to the network's report form. Export the evidence first for threats.

    \b
    Example:
      tactful inbox report 17 --reason "threatens to wait outside my house"
    """
    _moderate("report", item_id, actor, db_url, reason)


@inbox.command("undo")
@click.argument("action_id", type=int)
@_BY
@db_option
def undo_command(action_id: int, actor: str | None, db_url: str | None) -> None:
    """Take an action back where the network allows it: a reply deleted, a hidden comment
    shown, an author unmuted or unblocked. Recorded with who and when.

    \b
    Example:
      tactful inbox undo 4
    """
    from tactful.inbox.actions import UNDO_VERB

    with _answering(db_url, actor) as (_, actions):
        view = actions.undo(action_id)
        click.echo(f"action #{view.id}: {view.action} {UNDO_VERB[view.action]}")


@inbox.command("retry")
@click.argument("action_id", type=int)
@click.option("--yes", "-y", is_flag=True, help="Do it without asking.")
@_BY
@db_option
def retry_command(action_id: int, yes: bool, actor: str | None, db_url: str | None) -> None:
    """Do a failed or unclear answer again, as a new action. A reply is looked for on the
    network first: when it went out after all it is recorded as done, not posted twice;
    otherwise it is checked again and sent.

    \b
    Example:
      tactful inbox retry 5
    """
    from tactful.core.factory import checker_for

    with _answering(db_url, actor) as (store, actions):
        before = actions.action_row(action_id)
        click.echo(f"action #{action_id}: {before.action} #{before.item_id} {before.outcome}")
        if before.detail:
            click.echo(f"  {before.detail}")
        if not yes and not click.confirm(f"Try the {before.action} again?", default=False):
            click.echo("not tried again")
            return
        view = actions.retry(action_id, checker=checker_for(store))
        _went_through(view)
