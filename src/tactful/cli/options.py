"""Command-line options shared by several commands (one definition, one help text)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from tactful.core.findings import Severity
from tactful.core.post import AccountKind, Audience
from tactful.networks.platforms import Platform

F = TypeVar("F", bound=Callable[..., Any])

_POLICY = click.option(
    "--policy",
    "policy_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A user or organisation policy YAML file (repeatable; later files win).",
)
_STORED_ACCOUNT = click.option(
    "--account",
    "account_name",
    metavar="NAME",
    help="A stored account (tactful accounts): its platform, kind, audience and own policy.",
)
_ACCOUNT = [
    click.option(
        "--platform",
        type=click.Choice([p.value for p in Platform]),
        default=Platform.GENERIC.value,
        show_default=True,
        help="Network the post is for.",
    ),
    click.option(
        "--account-kind",
        type=click.Choice([k.value for k in AccountKind]),
        default=AccountKind.PERSONAL.value,
        show_default=True,
        help="personal profile, professional profile, or brand (company page).",
    ),
    click.option(
        "--audience",
        type=click.Choice([a.value for a in Audience]),
        default=Audience.PUBLIC.value,
        show_default=True,
        help="Who can see it.",
    ),
    click.option(
        "--clients-in-audience/--no-clients-in-audience",
        default=False,
        help="Clients or business contacts can see this account ('on the clock').",
    ),
    _POLICY,
]
_POST = [
    click.option("--reply-to", metavar="ID", help="The post is a reply to this post."),
    click.option("--inbound", is_flag=True, help="Someone else wrote it to your page (triage)."),
    click.option(
        "--fail-on",
        type=click.Choice([s.value for s in Severity]),
        default=Severity.WARN.value,
        show_default=True,
        help="Exit 1 when a finding is at or above this severity.",
    ),
]


def _apply(func: F, options: Sequence[Callable[[Any], Any]]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


def account_options(func: F) -> F:
    """Where a post is going: platform, account kind, audience, clients, policy files."""
    return _apply(func, _ACCOUNT)


def context_options(func: F) -> F:
    """Everything about a post's context (check, scan): the account options plus reply,
    inbound and --fail-on."""
    return _apply(func, [*_ACCOUNT, *_POST])


def policy_option(func: F) -> F:
    """--policy FILE (repeatable), for commands that take no other account options."""
    return _apply(func, [_POLICY])


def stored_account_option(func: F) -> F:
    """--account NAME: check as an account recorded in the store."""
    return _apply(func, [_STORED_ACCOUNT])
