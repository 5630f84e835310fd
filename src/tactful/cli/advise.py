"""``tactful advise``: what to do in a situation the guidance covers."""

from __future__ import annotations

import click

from tactful.cli.store import actor_or_default, by_option, db_option, echo_json, open_db

CHOICES = ("full", "restricted", "redirect")


@click.group()
def advise() -> None:
    """Advice for situations, not posts.

    \b
    Examples:
      tactful advise connection --from @priya --account me-fb
      tactful advise connection --from @priya --account me-fb --accept full
    """


@advise.command("connection")
@click.option("--from", "contact_ref", required=True, help="Who asks to connect (@handle, #id).")
@click.option("--account", "account_name", required=True, help="Your account they asked on.")
@click.option(
    "--accept",
    type=click.Choice(CHOICES),
    help="What you did: full (they see everything: the account goes 'on the clock'), "
    "restricted (a list that sees little), redirect (pointed them to your work account).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the advice as JSON.")
@by_option
@db_option
def connection(
    contact_ref: str,
    account_name: str,
    accept: str | None,
    as_json: bool,
    actor: str | None,
    db_url: str | None,
) -> None:
    """A client or other business contact asks to connect with your personal account:
    what to do, a note that points them to your work account, and (with --accept full)
    the account switched to the stricter 'on the clock' policy."""
    from tactful.store.accounts import edit_account, get_account, list_accounts
    from tactful.store.advice import advise_connection
    from tactful.store.contacts import find_contact

    with open_db(db_url).session() as s:
        contact = find_contact(s, contact_ref)
        account = get_account(s, account_name)
        advice = advise_connection(contact, account, list_accounts(s))
        changed = None
        if (
            accept == "full"
            and advice.recommendation != "accept"
            and not account.clients_in_audience
        ):
            changed = edit_account(
                s,
                account.name,
                clients_in_audience=True,
                actor=actor_or_default(actor),
                reason=f"accepted a connection from {contact.name} "
                f"({contact.relation.value.replace('_', ' ')})",
            )
    if as_json:
        echo_json({**advice.to_dict(), "accepted": accept, "on_the_clock": bool(changed)})
        return
    click.echo(f"Recommendation: {advice.summary}")
    for reason in advice.reasons:
        click.echo(f"  - {reason}")
    if advice.recommendation != "accept":
        click.echo(f"\nIf you accept with limited visibility: {advice.restricted_howto}")
        if advice.redirect_message:
            click.echo("\nA note you could send:\n")
            click.echo(advice.redirect_message)
    if accept is None:
        if advice.recommendation != "accept":
            click.echo(
                f"\nWhen you have decided: tactful advise connection --from {contact_ref} "
                f"--account {account_name} --accept full|restricted|redirect"
            )
    elif changed is not None:
        click.echo(
            f"\n{account.name} now has clients in its audience: posts to it are checked with "
            "the stricter 'on the clock' policy (recorded in the account's history)."
        )
    elif accept == "full" and advice.recommendation != "accept":
        click.echo(f"\n{account.name} was already 'on the clock'; nothing changed.")
    elif accept not in (None, "full"):
        click.echo(f"\nNoted: {accept}; {account.name}'s audience is unchanged.")
