"""``tactful policy``: the organisation's policy, kept in the store so that every process
(the web app, audits, the schedule gate, each publishing worker) checks with the same one."""

from __future__ import annotations

import click
import yaml

from tactful.cli.store import actor_or_default, by_option, db_option, echo_json, open_db

_REASON = click.option(
    "--reason", required=True, metavar="WHY", help="Why the policy changes (kept in the history)."
)


@click.group("policy")
def policy() -> None:
    """The organisation's policy: one policy layer every check uses, after the built-in
    layers and before an account's own overrides. Each change records who and why.

    \b
    Examples:
      tactful policy set team-policy.yml --reason "legal asked: no client names"
      tactful policy show
      tactful policy history
      tactful policy clear --reason "back to the built-in defaults"

    The file format is that of --policy files (docs/policy.md). A --policy file given to
    check, scan or audit still applies on top, for that run only.
    """


@policy.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of YAML.")
@db_option
def show(as_json: bool, db_url: str | None) -> None:
    """The policy in force, with who set it, when and why."""
    from tactful.store.org_policy import current_policy

    with open_db(db_url).session() as s:
        event = current_policy(s)
    if as_json:
        echo_json(event.to_dict() if event else None)
        return
    if event is None or event.policy is None:
        click.echo("no organisation policy: the built-in policies apply (tactful policy set FILE)")
        if event is not None:
            click.echo(f"(cleared {event.at:%Y-%m-%d %H:%M} UTC by {event.actor}: {event.reason})")
        return
    source = f" from {event.source}" if event.source else ""
    click.echo(f"# set {event.at:%Y-%m-%d %H:%M} UTC by {event.actor}{source}: {event.reason}")
    click.echo(yaml.safe_dump(dict(event.policy), sort_keys=False, allow_unicode=True).rstrip())


@policy.command("set")
@click.argument("path", type=click.Path(dir_okay=False))
@_REASON
@by_option
@db_option
def set_(path: str, reason: str, actor: str | None, db_url: str | None) -> None:
    """Make the policy file PATH the organisation's policy (checked before it is kept)."""
    from tactful.core.policy import read_policy_file
    from tactful.store.org_policy import set_policy

    data = read_policy_file(path)
    with open_db(db_url).session() as s:
        set_policy(s, data, reason=reason, actor=actor_or_default(actor), source=path)
    click.echo(f"organisation policy set from {path}; every check uses it from now on")


@policy.command("clear")
@_REASON
@by_option
@db_option
def clear(reason: str, actor: str | None, db_url: str | None) -> None:
    """Go back to the built-in policies (the history keeps what was there)."""
    from tactful.store.org_policy import set_policy

    with open_db(db_url).session() as s:
        set_policy(s, None, reason=reason, actor=actor_or_default(actor))
    click.echo("organisation policy cleared; the built-in policies apply")


@policy.command("history")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a list.")
@db_option
def history(as_json: bool, db_url: str | None) -> None:
    """Every change to the organisation's policy, oldest first."""
    from tactful.store.org_policy import policy_history

    with open_db(db_url).session() as s:
        events = policy_history(s)
    if as_json:
        echo_json([e.to_dict() for e in events])
        return
    if not events:
        click.echo("no changes yet: tactful policy set FILE --reason WHY")
    for e in events:
        what = f"set from {e.source}" if e.policy is not None and e.source else "set"
        what = what if e.policy is not None else "cleared"
        click.echo(f"{e.at:%Y-%m-%d %H:%M} UTC  {e.actor}: {what}: {e.reason}")
