"""Helpers shared by the store commands (accounts, contacts, consent, media, db): the --db
option, opening the store, and printing records as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table

from tactful.errors import InputError

if TYPE_CHECKING:
    from tactful.core.checker import Checker

F = TypeVar("F", bound=Callable[..., Any])


def db_option(func: F) -> F:
    option = click.option(
        "--db",
        "db_url",
        metavar="URL",
        envvar="TACTFUL_DB",
        help="Database: a SQLite file path or postgresql://USER@HOST/DB "
        "(default: tactful.db in your user data folder; env TACTFUL_DB).",
    )
    return option(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def by_option(func: F) -> F:
    return click.option(
        "--by",
        "actor",
        metavar="NAME",
        help="Who makes this change, for the history (default: $TACTFUL_USER or your login).",
    )(func)


def open_db(db_url: str | None) -> Any:
    from tactful.store import Store

    return Store(db_url)


def actor_or_default(actor: str | None) -> str:
    from tactful.store import current_actor
    from tactful.store.fields import text

    return text(actor, "--by", 120) or current_actor()


def echo_json(payload: Any) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def print_table(
    title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]], empty: str
) -> None:
    rows = list(rows)
    console = Console(highlight=False)
    if not rows:
        console.print(empty)
        return
    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    console.print(table)


def parse_expiry(value: str | None) -> datetime | None:
    """An expiry from the command line: a date (consent holds through that day, UTC) or an
    ISO time with a zone; or a duration like 90d / 12w / 1y from now."""
    if not value:
        return None
    v = value.strip().lower()
    units = {"d": 1, "w": 7, "y": 365}
    if v[:-1].isascii() and v[:-1].isdigit() and v[-1:] in units:
        days = int(v[:-1]) * units[v[-1]]
        if days > 100 * 365:
            raise InputError(f"expiry {value!r} is over 100 years away; leave --expires out")
        return datetime.now(UTC) + timedelta(days=days)
    try:
        if len(v) == 10:
            return datetime.combine(date.fromisoformat(v), datetime.min.time(), UTC) + timedelta(
                days=1
            )
        parsed = datetime.fromisoformat(value.strip())
    except (ValueError, OverflowError):
        raise InputError(
            f"cannot read expiry {value!r}: use a date (2027-06-30), an ISO time with a zone, "
            "or a duration like 90d, 12w, 1y"
        ) from None
    if parsed.tzinfo is None:
        raise InputError(f"expiry {value!r} has no time zone; add one (e.g. +00:00) or give a date")
    return parsed


def parse_handles(values: Sequence[str]) -> list[tuple[str, str]]:
    """``PLATFORM:@handle`` pairs from repeated --handle options."""
    out = []
    for v in values:
        platform, sep, handle = v.partition(":")
        if not sep or not handle:
            raise InputError(
                f"--handle {v!r}: write it as PLATFORM:@handle, e.g. linkedin:@jane-doe"
            )
        out.append((platform.strip(), handle.strip()))
    return out


def open_checker(
    account_name: str | None,
    db_url: str | None,
    context: dict[str, Any],
    policy_files: Sequence[str] = (),
) -> Checker:
    """The command's checker (built by :func:`tactful.core.factory.checker_for`, over the
    store when one is configured or ``--account`` names one), and ``context`` completed
    in place with the stored account's by the one precedence rule (what the command line
    says explicitly wins over the account; see :func:`tactful.store.accounts.on_account`)."""
    from tactful.core.factory import checker_for
    from tactful.store.location import configured

    if not (account_name or configured(db_url)):
        return checker_for(None, policy_files)
    from tactful.store.db import Store

    store = Store(db_url)
    try:
        checker = checker_for(store, policy_files)
    finally:
        store.dispose()
    if account_name:
        from tactful.store.accounts import on_account

        assert checker.store is not None
        account = next((a for a in checker.store.accounts if a.name == account_name), None)
        if account is None:
            known = ", ".join(a.name for a in checker.store.accounts) or "none yet"
            raise InputError(
                f"no account named {account_name!r} (known: {known}); see 'tactful accounts list'"
            )
        source = click.get_current_context().get_parameter_source
        given = {k: v for k, v in context.items() if source(k) is ParameterSource.COMMANDLINE}
        context.update(on_account(account, given))
    return checker
