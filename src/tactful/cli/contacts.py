"""``tactful contacts`` and ``tactful consent``: the people and organisations you tag, and
the ledger of who agreed to be tagged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from tactful.cli.store import (
    actor_or_default,
    by_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    parse_expiry,
    parse_handles,
    print_table,
)
from tactful.errors import InputError
from tactful.networks.platforms import Platform
from tactful.store.kinds import ContactKind, Relation

KINDS = click.Choice([k.value for k in ContactKind])
RELATIONS = click.Choice([r.value for r in Relation])
PLATFORMS = click.Choice([p.value for p in Platform if p is not Platform.GENERIC])
F = TypeVar("F", bound=Callable[..., Any])
HANDLE_HELP = "A handle as PLATFORM:@handle (repeatable), e.g. linkedin:@jane-doe x:@jane."


@click.group()
def contacts() -> None:
    """People and organisations you mention: handles per platform and how you know them.

    Name a contact by @handle, PLATFORM:@handle, #ID or exact name.

    \b
    Examples:
      tactful contacts add "Jane Doe" --relation client --handle linkedin:@jane-doe
      tactful contacts add "Rival Ltd" --kind organisation --relation competitor \\
          --handle x:@rival
      tactful contacts import Connections.csv          # LinkedIn data export
      tactful contacts list --relation client
    """


@contacts.command("add")
@click.argument("name")
@click.option("--kind", type=KINDS, default="person", show_default=True)
@click.option("--relation", type=RELATIONS, default="other", show_default=True)
@click.option("--handle", "handles", multiple=True, help=HANDLE_HELP)
@click.option("--organisation", help="Where a person works (a client's company counts).")
@click.option("--position")
@click.option("--email")
@click.option("--notes")
@db_option
def add(name: str, handles: tuple[str, ...], db_url: str | None, **fields: Any) -> None:
    """Add a contact NAME."""
    from tactful.store.contacts import add_contact

    with open_db(db_url).session() as s:
        rec = add_contact(s, name, handles=parse_handles(handles), **fields)
    click.echo(f"added contact #{rec.id} {rec.name} ({rec.kind}, {rec.relation})")


@contacts.command("list")
@click.option("--relation", type=RELATIONS, help="Only this relation.")
@click.option("--search", help="Only names containing this.")
@json_option
@db_option
def list_(relation: str | None, search: str | None, as_json: bool, db_url: str | None) -> None:
    """List contacts."""
    from tactful.store.contacts import list_contacts

    with open_db(db_url).session() as s:
        recs = list_contacts(s, relation=relation, search=search)
    if as_json:
        echo_json([r.to_dict() for r in recs])
        return
    print_table(
        None,
        ["id", "name", "kind", "relation", "organisation", "handles"],
        [
            (
                f"#{r.id}",
                r.name,
                r.kind,
                r.relation,
                r.organisation,
                " ".join(f"{p}:@{h}" for p, h in r.handles),
            )
            for r in recs
        ],
        "no contacts; add one with 'tactful contacts add' or 'tactful contacts import FILE'",
    )


@contacts.command("show")
@click.argument("contact")
@json_option
@db_option
def show(contact: str, as_json: bool, db_url: str | None) -> None:
    """Show a contact with their consent and do-not-tag history."""
    from tactful.store.consent import ledger

    with open_db(db_url).session() as s:
        book = ledger(s, contact)
    rec, events, dnt = book.contact, book.consent, book.do_not_tag
    if as_json:
        echo_json(
            {
                **rec.to_dict(),
                "consent_history": [e.to_dict() for e in events],
                "do_not_tag_history": [d.to_dict() for d in dnt],
            }
        )
        return
    for key, value in rec.to_dict().items():
        if key == "handles":
            value = " ".join(f"{h['platform']}:@{h['handle']}" for h in value) or "(none)"
        if value is not None:
            click.echo(f"{key}: {value}")
    _print_history(events, dnt)


def _print_history(events: list[Any], dnt: list[Any]) -> None:
    rows = [
        (
            e.created_at.strftime("%Y-%m-%d %H:%M"),
            e.platform or "all",
            e.status,
            e.expires_at.strftime("%Y-%m-%d") if e.expires_at else "",
            e.actor,
            "; ".join(x for x in (e.reason, e.evidence) if x),
        )
        for e in events
    ]
    rows += [
        (
            d.created_at.strftime("%Y-%m-%d %H:%M"),
            "all",
            "do-not-tag" if d.active else "may tag again",
            "",
            d.actor,
            d.reason,
        )
        for d in dnt
    ]
    rows.sort(key=lambda r: r[0])
    print_table(
        "consent history",
        ["when (UTC)", "platform", "status", "expires", "by", "why / evidence"],
        rows,
        "consent history: none recorded",
    )


@contacts.command("edit")
@click.argument("contact")
@click.option("--name")
@click.option("--kind", type=KINDS)
@click.option("--relation", type=RELATIONS)
@click.option("--add-handle", "add_handles", multiple=True, help=HANDLE_HELP)
@click.option("--organisation")
@click.option("--position")
@click.option("--email")
@click.option("--notes")
@db_option
def edit(contact: str, add_handles: tuple[str, ...], db_url: str | None, **fields: Any) -> None:
    """Change a contact; only the options given change."""
    from tactful.store.contacts import edit_contact

    changes: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    if add_handles:
        changes["add_handles"] = parse_handles(add_handles)
    if not changes:
        raise InputError("nothing to change: give at least one option (see --help)")
    with open_db(db_url).session() as s:
        rec = edit_contact(s, contact, **changes)
    click.echo(f"updated contact #{rec.id} {rec.name}")


@contacts.command("remove")
@click.argument("contact")
@click.option("--purge", is_flag=True, help="Also delete the contact's consent history.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def remove(contact: str, purge: bool, yes: bool, db_url: str | None) -> None:
    """Remove a contact. One with consent history needs --purge (history is never lost
    quietly)."""
    from tactful.store.contacts import remove_contact

    if not yes and not click.confirm(f"Remove contact {contact!r}?", default=False):
        raise InputError("not removed")
    with open_db(db_url).session() as s:
        rec = remove_contact(s, contact, purge=purge)
    click.echo(f"removed contact #{rec.id} {rec.name}")


@contacts.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "--relation",
    type=RELATIONS,
    default="connection",
    show_default=True,
    help="Relation for rows that do not say.",
)
@click.option("--kind", type=KINDS, default="person", show_default=True)
@db_option
def import_(path: str, relation: str, kind: str, db_url: str | None) -> None:
    """Import contacts from a CSV file: LinkedIn's Connections.csv or a CSV with a name
    column (and relation, organisation, email, linkedin, x, mastodon, bluesky, facebook,
    instagram columns). Rows already known are skipped; bad rows are listed and the others
    kept. Exit code 2 when no row could be imported."""
    from tactful.store.contacts_csv import MAX_ERRORS_SHOWN, import_contacts

    with open_db(db_url).session() as s:
        stats = import_contacts(s, path, relation=relation, kind=kind)
    for err in stats.errors[:MAX_ERRORS_SHOWN]:
        click.echo(f"tactful: {err}", err=True)
    if len(stats.errors) > MAX_ERRORS_SHOWN:
        click.echo(f"tactful: ... and {len(stats.errors) - MAX_ERRORS_SHOWN} more", err=True)
    click.echo(stats.summary())
    if stats.errors and not (stats.added or stats.skipped):
        raise SystemExit(2)


@click.group()
def consent() -> None:
    """The tag-consent ledger: ask, record answers, keep a do-not-tag list. Every change is
    kept with who, when and why; nothing is overwritten.

    \b
    Examples:
      tactful consent ask @jane-doe --platform linkedin --about "our launch recap"
      tactful consent grant @jane-doe --platform linkedin --evidence "DM 2026-11-20" \\
          --expires 1y
      tactful consent refuse @bob --reason "prefers not to be online"
      tactful consent do-not-tag @rival --reason "legal dispute"
      tactful consent history @jane-doe
    """


def _platform_option(required: bool = False) -> Callable[[F], F]:
    option: Callable[[F], F] = click.option(
        "--platform",
        type=PLATFORMS,
        required=required,
        help="Where this applies (default: every platform)." if not required else "Network.",
    )
    return option


@consent.command("ask")
@click.argument("contact")
@_platform_option(required=True)
@click.option("--about", help="What the post is about, for the message.")
@click.option("--sign", "sender", help="Sign the message with this name.")
@click.option("--again", is_flag=True, help="Ask even though they said no before.")
@by_option
@db_option
def ask(
    contact: str,
    platform: str,
    about: str | None,
    sender: str | None,
    again: bool,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Write a private-message draft asking CONTACT's permission to tag them and record the
    request as pending. The draft is printed; tactful sends nothing."""
    from tactful.store.consent import ask as ask_consent

    with open_db(db_url).session() as s:
        rec, draft, _ = ask_consent(
            s,
            contact,
            platform=platform,
            actor=actor_or_default(actor),
            about=about,
            sender=sender,
            again=again,
        )
    handle = rec.handle_on(platform)
    click.echo(f"Draft private message to {rec.name}" + (f" (@{handle})" if handle else "") + ":")
    click.echo("")
    click.echo(draft)
    click.echo("")
    click.echo(
        f"Recorded as pending. When they answer: tactful consent grant|refuse {contact} "
        f"--platform {platform}"
    )


def _record(status: str) -> Any:
    @click.argument("contact")
    @_platform_option()
    @click.option("--evidence", help="Where the answer is (a message, an e-mail, a form).")
    @click.option("--reason", help="Why (kept in the history).")
    @by_option
    @db_option
    def command(
        contact: str,
        platform: str | None,
        evidence: str | None,
        reason: str | None,
        actor: str | None,
        db_url: str | None,
        expires: str | None = None,
    ) -> None:
        from tactful.store.consent import record_consent
        from tactful.store.contacts import find_contact

        with open_db(db_url).session() as s:
            rec = find_contact(s, contact)
            ev = record_consent(
                s,
                f"#{rec.id}",
                status,
                actor=actor_or_default(actor),
                platform=platform,
                expires_at=parse_expiry(expires),
                evidence=evidence,
                reason=reason,
            )
        scope = f"on {ev.platform}" if ev.platform else "on every platform"
        until = f" until {ev.expires_at:%Y-%m-%d %H:%M} UTC" if ev.expires_at else ""
        click.echo(f"{rec.name}: {status} {scope}{until} (recorded by {ev.actor})")

    return command


grant = consent.command("grant", help="Record that CONTACT agreed to be tagged.")(
    click.option(
        "--expires",
        metavar="WHEN",
        help="Consent ends: a date (2027-06-30), an ISO time, or 90d / 12w / 1y from now.",
    )(_record("granted"))
)
consent.command("refuse", help="Record that CONTACT does not want to be tagged.")(
    _record("refused")
)
consent.command("withdraw", help="Record that CONTACT took back an earlier yes.")(
    _record("withdrawn")
)


@consent.command("status")
@click.argument("contact")
@_platform_option(required=True)
@db_option
def status(contact: str, platform: str, db_url: str | None) -> None:
    """May CONTACT be tagged on PLATFORM now?"""
    from tactful.store.consent import current_state, do_not_tag_history, do_not_tag_reason
    from tactful.store.contacts import find_contact

    with open_db(db_url).session() as s:
        rec = find_contact(s, contact)
        state, event = current_state(s, rec.id, platform)
        dnt = do_not_tag_reason(do_not_tag_history(s, rec.id))
    line = f"{rec.name} on {platform}: {state}"
    if event is not None:
        line += f" (since {event.created_at:%Y-%m-%d}, by {event.actor})"
    if dnt:
        line += f"; on the do-not-tag list: {dnt}"
    click.echo(line)


@consent.command("history")
@click.argument("contact")
@json_option
@db_option
def history_(contact: str, as_json: bool, db_url: str | None) -> None:
    """Every consent event for CONTACT, oldest first."""
    from tactful.store.consent import ledger

    with open_db(db_url).session() as s:
        book = ledger(s, contact)
    if as_json:
        echo_json(
            {
                "consent": [e.to_dict() for e in book.consent],
                "do_not_tag": [d.to_dict() for d in book.do_not_tag],
            }
        )
        return
    click.echo(f"{book.contact.name} (#{book.contact.id})")
    _print_history(book.consent, book.do_not_tag)


@consent.command("do-not-tag")
@click.argument("contact")
@click.option("--reason", required=True, help="Why this organisation must not be tagged.")
@click.option("--lift", is_flag=True, help="Take it off the list instead.")
@by_option
@db_option
def do_not_tag(
    contact: str, reason: str, lift: bool, actor: str | None, db_url: str | None
) -> None:
    """Put an organisation on the do-not-tag list (or --lift it), with the reason."""
    from tactful.store.consent import set_do_not_tag

    with open_db(db_url).session() as s:
        rec, _ = set_do_not_tag(
            s, contact, active=not lift, reason=reason, actor=actor_or_default(actor)
        )
    click.echo(f"{rec.name}: " + ("may be tagged again" if lift else "do not tag") + f" ({reason})")
