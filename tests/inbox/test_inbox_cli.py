"""``tactful inbox`` as a user meets it: every command's help teaches with an example, and
what a user can run into (an unknown item or action, an account not connected, a network
that refuses) is one line on stderr that says what to do, with exit code 2."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from fake_http import client
from fake_inbox_actions import FakeMastodonActions
from fake_mastodon import BASE as MASTODON_BASE
from sqlalchemy import select

from tactful.cli.inbox import inbox
from tactful.cli.main import main
from tactful.core.factory import checker_for
from tactful.inbox.actions import InboxActions
from tactful.inbox.items import Incoming
from tactful.inbox.store import triage_pending
from tactful.inbox.sync import store_items
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import AccountRow, InboxActionRow


def _commands(group: click.Group, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    found: list[tuple[tuple[str, ...], Any]] = [(path, group)]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


@pytest.mark.parametrize(
    ("path", "command"),
    _commands(inbox, ("inbox",)),
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else "",
)
def test_every_inbox_command_has_help_with_an_example(path: tuple[str, ...], command: Any) -> None:
    assert command.help and "Example" in command.help, path
    shown = CliRunner().invoke(main, [*path, "--help"])
    assert shown.exit_code == 0 and "Example" in shown.output, shown.output


def _one_error_line(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tactful: error: "), result.stderr
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def masto(store: Store, clock: Any, monkeypatch: Any) -> tuple[FakeMastodonActions, int]:
    """A connected Mastodon account with one trolling mention, the CLI bound to the fake."""
    import tactful.cli.inbox as cli_inbox

    fake = FakeMastodonActions(clock=clock)
    text = "lol you clowns, nobody cares about your stupid launch"
    fake.statuses.append({"id": "5001", "account": "a-troll", "visibility": "public",
                          "content": text, "created_at": clock().isoformat()})  # fmt: skip
    with store.session() as s:
        add_account(s, "acme-masto", platform="mastodon", kind="brand")
        save_credentials(s, "acme-masto", token="good-token", base_url=MASTODON_BASE)
        owner = s.scalar(select(AccountRow).where(AccountRow.name == "acme-masto"))
        assert owner is not None
        store_items(s, owner.id, "mastodon", [Incoming(
            remote_id="5001", kind="mention", text=text, author_id="a-troll",
            url="https://elsewhere.example/@troll/5001", created_at=clock())], clock())  # fmt: skip
    triage_pending(store, checker_for(None), now=clock())

    def bound(s: Store, actor: str | None) -> InboxActions:
        return InboxActions(s, http=client(fake), clock=clock, actor=actor or "jo")

    monkeypatch.setattr(cli_inbox, "_actions", bound)  # the fake network, not the real one
    return fake, 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["show", "999"], "no inbox item #999; see: tactful inbox list"),
        (["hide", "999"], "no inbox item #999"),
        (["mute", "999"], "no inbox item #999"),
        (["block", "999"], "no inbox item #999"),
        (["report", "999"], "no inbox item #999"),
        (["reply", "999", "--yes"], "no inbox item #999"),
        (["done", "999"], "no inbox item #999"),
        (["undo", "999"], "no inbox action #999"),
        (["retry", "999", "--yes"], "no inbox action #999"),
        (["list", "--account", "nobody"], "no account named 'nobody'"),
        (["sync", "--account", "nobody"], "no account named 'nobody'"),
    ],
)
def test_an_unknown_id_is_one_line_and_exit_2(
    store: Store, masto: Any, args: list[str], needle: str
) -> None:
    _one_error_line(CliRunner().invoke(main, ["inbox", *args, "--db", store.url]), needle)


def test_an_account_not_connected_is_one_line_and_nothing_recorded(
    store: Store, masto: Any
) -> None:
    with store.session() as s:
        from tactful.store.models import CredentialRow

        for creds in s.scalars(select(CredentialRow)):
            s.delete(creds)
    run = CliRunner()
    for args in (["mute", "1"], ["reply", "1", "--text", "Thanks for the feedback.", "--yes"]):
        result = run.invoke(main, ["inbox", *args, "--db", store.url])
        _one_error_line(result, "acme-masto is not connected", "tactful accounts connect")
    synced = run.invoke(main, ["inbox", "sync", "--account", "acme-masto", "--db", store.url])
    _one_error_line(synced, "acme-masto is not connected")
    with store.session() as s:
        assert list(s.scalars(select(InboxActionRow))) == []


def test_a_network_that_refuses_is_one_line_exit_2_and_recorded(store: Store, masto: Any) -> None:
    fake, item_id = masto
    fake.scopes["good-token"] = frozenset({"read", "write:statuses"})  # no write:mutes
    run = CliRunner()
    refused = run.invoke(main, ["inbox", "mute", str(item_id), "--db", store.url])
    _one_error_line(refused, "mute #1 failed", "write:mutes", "tactful inbox retry 1")
    assert fake.muting == set()
    fake.scopes["good-token"] = frozenset({"read", "write"})  # connected again, with it
    again = run.invoke(main, ["inbox", "retry", "1", "--yes", "--db", store.url])
    assert again.exit_code == 0 and "mute #1 done" in again.output, again.output
    assert fake.muting == {"a-troll"}
    hidden = run.invoke(main, ["inbox", "hide", str(item_id), "--db", store.url])
    _one_error_line(hidden, "mastodon does not let apps hide this", "tactful can: reply, mute")
