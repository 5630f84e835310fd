"""The store under stress and damage: concurrent writers, old schemas, corrupted and locked
files, backups, and the connection-request advice that changes an account's audience."""

from __future__ import annotations

import multiprocessing as mp
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from store_fixtures import latest_revision

from tactful.cli.main import main
from tactful.errors import InputError
from tactful.store import Store
from tactful.store.accounts import account_history, add_account, edit_account, get_account
from tactful.store.advice import advise_connection
from tactful.store.consent import history, record_consent
from tactful.store.contacts import add_contact, find_contact, list_contacts
from tactful.store.db import _alembic_config

WRITERS, EACH = 3, 25


def _writer(url: str, worker: int) -> None:
    store = Store(url)
    for i in range(EACH):
        with store.session() as s:
            add_contact(s, f"W{worker} P{i}", handles={"x": f"@w{worker}p{i}"})
            record_consent(s, f"@w{worker}p{i}", "granted", actor=f"worker{worker}")
    store.dispose()


def test_concurrent_writers_lose_nothing(store_url: str) -> None:
    Store(store_url).dispose()  # migrate once, before the race
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(store_url, w)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    store = Store(store_url)
    with store.session() as s:
        contacts = list_contacts(s)
        assert len(contacts) == WRITERS * EACH
        assert all(len(history(s, c.id)) == 1 for c in contacts)


def test_an_old_database_is_upgraded_with_its_data(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(
            text(
                "INSERT INTO accounts (name, platform, kind, audience, clients_in_audience, "
                "created_at, updated_at) VALUES ('old', 'x', 'personal', 'public', false, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    store = Store(store_url)
    assert store.revision() == latest_revision() and "account_events" in store.tables()
    with store.session() as s:
        assert get_account(s, "old").platform.value == "x"
        edit_account(s, "old", clients_in_audience=True, reason="client followed")
        assert [e.reason for e in account_history(s, "old")] == ["client followed"]


def test_a_corrupted_file_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "tactful.db"
    bad.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="damaged") as err:
        Store(str(bad))
    assert "\n" not in str(err.value)
    result = CliRunner().invoke(main, ["accounts", "list", "--db", str(bad)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert bad.read_bytes().startswith(b"this is not")  # nothing overwritten


def test_a_locked_file_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "tactful.db"
    Store(str(path)).dispose()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Store(str(path), migrate=False, timeout_s=0.2)
        with pytest.raises(InputError, match="another tactful"), store.session() as s:
            add_contact(s, "Jane", handles={"x": "@jane"})
    finally:
        holder.rollback()
        holder.close()
    with Store(str(path)).session() as s:
        assert list_contacts(s) == []


def test_backup_is_a_consistent_copy(store: Store, tmp_path: Path) -> None:
    with store.session() as s:
        add_account(s, "me", platform="x", kind="personal")
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        record_consent(s, "@jane", "granted", actor="me")
    dest = tmp_path / "backup" / "copy.db"
    counts = store.backup(dest)
    assert counts["accounts"] == 1 and counts["consent_events"] == 1
    copy = Store(str(dest))
    assert copy.revision() == latest_revision()
    with copy.session() as s:
        assert find_contact(s, "@jane").name == "Jane Doe"
        assert len(history(s, find_contact(s, "@jane").id)) == 1
    with pytest.raises(InputError, match="exists"):
        store.backup(dest)


def test_connection_advice(store: Store) -> None:
    with store.session() as s:
        fb = add_account(s, "me-fb", platform="facebook", kind="personal", audience="friends")
        li = add_account(s, "sam-li", platform="linkedin", kind="professional", handle="@sam")
        client = add_contact(s, "Priya Raman", relation="client", handles={"facebook": "@priya"})
        friend = add_contact(s, "Old Pal", relation="friend", handles={"facebook": "@pal"})
    a = advise_connection(client, fb, [fb, li])
    assert a.recommendation == "redirect" and a.work_account == li
    assert (
        a.redirect_message
        and "Priya" in a.redirect_message
        and "LinkedIn (@sam)" in a.redirect_message
    )
    assert "Restricted" in a.restricted_howto
    assert advise_connection(friend, fb, [fb, li]).recommendation == "accept"
    assert advise_connection(client, li, [fb, li]).recommendation == "accept"
    alone = advise_connection(client, fb, [fb])
    assert alone.recommendation == "restricted" and "accounts add" in alone.reasons[-1]


def test_accepting_a_client_puts_the_account_on_the_clock(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TACTFUL_DB", store_url)
    run = CliRunner().invoke
    run(main, ["accounts", "add", "me-fb", "--platform", "facebook", "--kind", "personal"])
    run(
        main,
        ["contacts", "add", "Priya Raman", "--relation", "client", "--handle", "facebook:@priya"],
    )
    result = run(main, ["advise", "connection", "--from", "@priya", "--account", "me-fb"])
    assert result.exit_code == 0 and "Recommendation" in result.stdout
    result = run(
        main,
        [
            "advise",
            "connection",
            "--from",
            "@priya",
            "--account",
            "me-fb",
            "--accept",
            "full",
            "--by",
            "sam",
        ],
    )
    assert result.exit_code == 0 and "on the clock" in result.stdout
    with Store(store_url).session() as s:
        assert get_account(s, "me-fb").clients_in_audience
        (event,) = account_history(s, "me-fb")
    assert event.actor == "sam" and "Priya Raman" in (event.reason or "")
    result = run(
        main,
        ["check", "Wild night out, still hungover lol", "--account", "me-fb", "--format", "json"],
    )
    assert (
        '"audience.clients_on_personal"' in result.stdout
        and "account/on_the_clock" in result.stdout
    )
