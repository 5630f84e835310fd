"""A busy SQLite database (another connection holds the write lock) is told apart from
other database errors, waited on inside SQLite for the busy timeout, and tried again by
``patiently`` a bounded number of times."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from tactful.errors import DatabaseBusy, InputError
from tactful.store import Store
from tactful.store.contacts import add_contact, list_contacts
from tactful.store.db import patiently


def test_every_connection_waits_out_the_busy_timeout(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "tactful.db"), timeout_s=7.5)
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 7500


def test_a_lock_held_past_the_timeout_is_database_busy_and_writes_nothing(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tactful.db"
    Store(str(path)).dispose()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store = Store(str(path), migrate=False, timeout_s=0)
        with pytest.raises(DatabaseBusy, match="another tactful") as err, store.session() as s:
            add_contact(s, "Jane", handles={"x": "@jane"})
        assert isinstance(err.value, InputError)  # still one line and exit 2 in the CLI
    finally:
        holder.rollback()
        holder.close()
    with Store(str(path)).session() as s:
        assert list_contacts(s) == []


def test_other_database_errors_are_not_busy(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "tactful.db"))
    with pytest.raises(InputError) as err, store.session() as s:
        s.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(err.value, DatabaseBusy)


def test_patiently_tries_again_while_busy_and_undoes_each_failed_try() -> None:
    answers: list[object] = [DatabaseBusy("busy"), DatabaseBusy("busy"), "done"]
    undone, pauses = [], []

    def step() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert patiently(step, undo=lambda: undone.append(1), sleep=pauses.append) == "done"
    assert len(undone) == 2 and len(pauses) == 2 and all(p > 0 for p in pauses)


def test_patiently_gives_up_after_its_tries_and_lets_other_errors_through() -> None:
    calls = []

    def busy() -> None:
        calls.append(1)
        raise DatabaseBusy("still busy")

    with pytest.raises(DatabaseBusy):
        patiently(busy, tries=3, sleep=lambda _s: None)
    assert len(calls) == 3

    def broken() -> None:
        calls.append(1)
        raise InputError("not a busy database")

    calls.clear()
    with pytest.raises(InputError):
        patiently(broken, sleep=lambda _s: None)
    assert len(calls) == 1
