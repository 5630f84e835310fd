"""``tactful accounts`` and ``tactful db``: the accounts posts go to, and the database."""

from __future__ import annotations

from typing import Any

import click
import yaml

from tactful.cli.store import (
    actor_or_default,
    by_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    print_table,
)
from tactful.core.post import AccountKind, Audience
from tactful.errors import InputError
from tactful.networks.platforms import Platform

PLATFORMS = click.Choice([p.value for p in Platform if p is not Platform.GENERIC])
KINDS = click.Choice([k.value for k in AccountKind])
AUDIENCES = click.Choice([a.value for a in Audience])


def _policy(path: str | None) -> dict[str, Any] | None:
    from tactful.core.policy import read_policy_file

    return None if path is None else read_policy_file(path)


@click.group()
def accounts() -> None:
    """The accounts you post from: platform, kind, audience and whether clients see it.

    \b
    Examples:
      tactful accounts add acme-li --platform linkedin --kind brand --handle @acme
      tactful accounts add me-ig --platform instagram --kind personal --audience friends \\
          --clients-in-audience
      tactful accounts list
      tactful check "Big night out!" --account me-ig
    """


@accounts.command("add")
@click.argument("name")
@click.option("--platform", type=PLATFORMS, required=True, help="Network of the account.")
@click.option("--kind", type=KINDS, required=True, help="personal, professional or brand.")
@click.option("--audience", type=AUDIENCES, default="public", show_default=True)
@click.option("--handle", help="The account's own handle, e.g. @acme.")
@click.option(
    "--clients-in-audience/--no-clients-in-audience",
    default=False,
    help="Clients or business contacts can see it (stricter 'on the clock' policy).",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(dir_okay=False),
    help="A policy YAML file with this account's own overrides (stored in the database).",
)
@db_option
def add(name: str, db_url: str | None, policy_file: str | None, **fields: Any) -> None:
    """Add an account NAME (your own short name for it)."""
    from tactful.store.accounts import add_account

    store = open_db(db_url)
    with store.session() as s:
        rec = add_account(s, name, policy=_policy(policy_file), **fields)
    click.echo(f"added account {rec.name} ({rec.platform}, {rec.kind}, {rec.audience})")


@accounts.command("list")
@json_option
@db_option
def list_(as_json: bool, db_url: str | None) -> None:
    """List accounts."""
    from tactful.store.accounts import list_accounts

    with open_db(db_url).session() as s:
        recs = list_accounts(s)
    if as_json:
        echo_json([r.to_dict() for r in recs])
        return
    print_table(
        None,
        ["name", "platform", "handle", "kind", "audience", "clients see it", "own policy"],
        [
            (
                r.name,
                r.platform,
                f"@{r.handle}" if r.handle else "",
                r.kind,
                r.audience,
                "yes" if r.clients_in_audience else "no",
                "yes" if r.policy else "",
            )
            for r in recs
        ],
        "no accounts yet; add one with 'tactful accounts add NAME --platform ... --kind ...'",
    )


@accounts.command("show")
@click.argument("name")
@json_option
@db_option
def show(name: str, as_json: bool, db_url: str | None) -> None:
    """Show one account and its policy overrides."""
    from tactful.store.accounts import account_history, get_account

    with open_db(db_url).session() as s:
        rec = get_account(s, name)
        events = account_history(s, name)
    if as_json:
        echo_json(
            {
                **rec.to_dict(),
                "history": [
                    {"change": e.change, "reason": e.reason, "by": e.actor, "at": e.at.isoformat()}
                    for e in events
                ],
            }
        )
        return
    for key, value in rec.to_dict().items():
        if key == "policy":
            value = yaml.safe_dump(value, sort_keys=False).strip() if value else "(none)"
            value = value.replace("\n", "\n    ")
        click.echo(f"{key}: {value}")
    for e in events:
        why = f" ({e.reason})" if e.reason else ""
        click.echo(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.change}{why}")


@accounts.command("edit")
@click.argument("name")
@click.option("--rename", "new_name", help="A new name for the account.")
@click.option("--platform", type=PLATFORMS)
@click.option("--kind", type=KINDS)
@click.option("--audience", type=AUDIENCES)
@click.option("--handle")
@click.option("--clients-in-audience/--no-clients-in-audience", default=None)
@click.option("--policy", "policy_file", type=click.Path(dir_okay=False))
@click.option("--reason", help="Why (kept in the account's history for audience changes).")
@by_option
@db_option
def edit(
    name: str,
    new_name: str | None,
    policy_file: str | None,
    reason: str | None,
    actor: str | None,
    db_url: str | None,
    **fields: Any,
) -> None:
    """Change an account; only the options given change. Changes to who sees it (kind,
    audience, clients) are kept in its history."""
    from tactful.store.accounts import edit_account

    changes = {k: v for k, v in fields.items() if v is not None}
    if policy_file:
        changes["policy"] = _policy(policy_file)
    if new_name:
        changes["new_name"] = new_name
    if not changes:
        raise InputError("nothing to change: give at least one option (see --help)")
    with open_db(db_url).session() as s:
        rec = edit_account(s, name, actor=actor_or_default(actor), reason=reason, **changes)
    click.echo(f"updated account {rec.name}")


@accounts.command("remove")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also delete the account's audience history.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def remove(name: str, purge: bool, yes: bool, db_url: str | None) -> None:
    """Remove an account (its posts elsewhere are not touched). One with a history of
    audience changes needs --purge."""
    from tactful.store.accounts import remove_account

    if not yes and not click.confirm(f"Remove account {name!r}?", default=False):
        raise InputError("not removed")
    with open_db(db_url).session() as s:
        remove_account(s, name, purge=purge)
    click.echo(f"removed account {name}")


@click.group()
def db() -> None:
    """The database: where it is and its schema version (migrations run automatically).

    The default is a SQLite file in your user data folder; a team shares a PostgreSQL
    database by URL (install tactful[postgres]).

    \b
    Examples:
      tactful db info
      TACTFUL_DB=postgresql://me@db.internal/tactful tactful db upgrade
      tactful db info --db ./team.db
    """


@db.command("info")
@db_option
def info(db_url: str | None) -> None:
    """Show the database URL, schema revision and tables."""
    store = open_db(db_url)
    click.echo(f"database: {store.display_url}")
    click.echo(f"revision: {store.revision()}")
    click.echo(f"tables:   {', '.join(store.tables())}")


@db.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False))
@db_option
def backup(dest: str, db_url: str | None) -> None:
    """Write a consistent copy of the database to DEST, a new SQLite file (also from
    PostgreSQL). Safe while tactful is running."""
    store = open_db(db_url)
    counts = store.backup(dest)
    total = sum(counts.values())
    click.echo(f"wrote {dest}: {total} rows in {len(counts)} tables")


@db.command("upgrade")
@db_option
def upgrade(db_url: str | None) -> None:
    """Bring the schema to the newest revision (tactful also does this when it opens)."""
    store = open_db(db_url)
    click.echo(f"{store.display_url} is at revision {store.revision()}")


def _add_connect() -> None:
    # ``accounts connect`` lives with the publishing commands it serves.
    from tactful.cli.schedule import connect

    accounts.add_command(connect)


_add_connect()
