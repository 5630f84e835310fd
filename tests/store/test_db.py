"""Opening, migrating and guarding the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from tactful.errors import InputError
from tactful.store import Store
from tactful.store.consent import record_consent
from tactful.store.contacts import add_contact
from tactful.store.db import _alembic_config
from tactful.store.location import resolve_url
from tactful.store.models import Base, ConsentEventRow

TABLES = {
    "account_events",
    "accounts",
    "alembic_version",
    "audit_results",
    "audit_runs",
    "consent_events",
    "contact_handles",
    "contacts",
    "policy_events",
    "finding_feedback",
    "do_not_tag_events",
    "media",
    "media_releases",
    "media_rights",
    "inbox_items",
    "inbox_cursors",
    "inbox_actions",
    "notices",
    "account_credentials",
    "outbox_attempts",
    "outbox_deliveries",
    "outbox_posts",
}


def test_a_new_store_is_migrated_to_head(store: Store) -> None:
    assert set(store.tables()) == TABLES
    assert store.revision() == "0009"


def test_models_match_the_migrations(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrations_go_down_and_up_again(store: Store) -> None:
    with store.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    assert set(store.tables()) == {"alembic_version"}
    store.migrate()
    assert set(store.tables()) == TABLES


def test_opening_twice_keeps_the_data(store_url: str) -> None:
    first = Store(store_url)
    with first.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
    first.dispose()
    second = Store(store_url)
    with second.session() as s:
        from tactful.store.contacts import find_contact

        assert find_contact(s, "@jane").name == "Jane Doe"
    second.dispose()


def test_ledger_rows_cannot_be_changed_or_deleted(store: Store) -> None:
    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        record_consent(s, "@jane", "granted", actor="me")
    with pytest.raises(InputError, match="append-only"), store.session() as s:
        row = s.scalar(select(ConsentEventRow))
        assert row is not None
        row.status = "refused"
    with pytest.raises(InputError, match="append-only"), store.session() as s:
        s.delete(s.scalar(select(ConsentEventRow)))
    with store.session() as s:
        rows = list(s.scalars(select(ConsentEventRow)))
    assert [r.status for r in rows] == ["granted"]


def test_times_come_back_aware_and_in_utc(store: Store) -> None:
    sydney = timezone(timedelta(hours=11))
    later = datetime(2030, 1, 2, 9, 4, 5, tzinfo=sydney)
    now = datetime(2029, 12, 2, 9, 0, tzinfo=sydney)  # the expiry is checked against this
    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        ev = record_consent(s, "@jane", "granted", actor="me", expires_at=later, now=now)
    with store.session() as s:
        row = s.get(ConsentEventRow, ev.id)
        assert row is not None and row.expires_at is not None
        assert row.expires_at == later  # the same instant
        assert row.expires_at.utcoffset() == timedelta(0)
        assert (row.expires_at.hour, row.expires_at.day) == (22, 1)
        assert row.created_at == now and row.created_at.utcoffset() == timedelta(0)


def test_bulk_statements_cannot_rewrite_the_ledger(store: Store) -> None:
    from sqlalchemy import delete, update

    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        record_consent(s, "@jane", "granted", actor="me")
    with pytest.raises(InputError, match="append-only"), store.session() as s:
        s.execute(update(ConsentEventRow).values(status="refused"))
    with pytest.raises(InputError, match="append-only"), store.session() as s:
        s.execute(delete(ConsentEventRow))
    with store.session() as s:
        assert [r.status for r in s.scalars(select(ConsentEventRow))] == ["granted"]


def test_a_purge_allows_only_the_rows_it_names(store: Store) -> None:
    from tactful.store.contacts import remove_contact

    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        add_contact(s, "Bob", handles={"x": "@bob"})
        record_consent(s, "@jane", "granted", actor="me")
        record_consent(s, "@bob", "granted", actor="me")
    with pytest.raises(InputError, match="append-only"), store.session() as s:
        remove_contact(s, "@jane", purge=True)
        s.delete(s.scalars(select(ConsentEventRow)).first())  # Bob's row: not purged
        s.flush()
    with store.session() as s:
        assert len(list(s.scalars(select(ConsentEventRow)))) == 2


def test_an_account_with_history_is_removed_only_with_purge(store: Store) -> None:
    from tactful.store.accounts import add_account, edit_account, remove_account

    with store.session() as s:
        add_account(s, "me", platform="facebook", kind="personal")
        edit_account(s, "me", clients_in_audience=True, reason="a client followed")
    with pytest.raises(InputError, match="--purge"), store.session() as s:
        remove_account(s, "me")
    with store.session() as s:
        remove_account(s, "me", purge=True)


def test_a_database_of_another_program_is_refused_untouched(tmp_path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE media (id INTEGER PRIMARY KEY, x TEXT)")
    with pytest.raises(InputError, match="not a tactful database"):
        Store(str(path))
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"media"}


def test_a_failed_migration_leaves_no_trace(tmp_path, monkeypatch) -> None:
    import sqlite3

    from tactful.store import db as db_module

    path = tmp_path / "t.db"
    real = db_module._alembic_config

    def broken(conn):
        cfg = real(conn)
        conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")
        conn.exec_driver_sql("SELECT * FROM no_such_table")  # fails mid-migration
        return cfg

    monkeypatch.setattr(db_module, "_alembic_config", broken)
    with pytest.raises(InputError):
        Store(str(path))
    with sqlite3.connect(path) as conn:
        assert list(conn.execute("SELECT name FROM sqlite_master")) == []


def test_a_newer_schema_says_to_upgrade_tactful(store: Store) -> None:
    from sqlalchemy import text as sql

    with store.engine.begin() as conn:
        conn.execute(sql("UPDATE alembic_version SET version_num = '0999'"))
    with pytest.raises(InputError, match="newer tactful"):
        Store(store.url)


def test_urls_paths_and_defaults(tmp_path, monkeypatch) -> None:
    assert resolve_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("TACTFUL_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
    monkeypatch.delenv("TACTFUL_DB")
    assert resolve_url(None).endswith("tactful/tactful.db")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nosuchdialect://x/y", "no database driver|cannot understand"),
        ("postgresql://nobody@127.0.0.1:1/none", "cannot use the database"),
        ("sqlite:////proc/forbidden/x.db", "cannot (create|use)"),
        ("postgresql://u:p@h:notaport/db", "cannot understand"),
        ("sqlite://u:p@/x", "cannot use database URL|cannot understand|cannot use the database"),
    ],
)
def test_bad_database_urls_are_one_line_errors(
    url: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=message) as err:
        Store(url)
    assert "\n" not in str(err.value)
    assert not list(tmp_path.iterdir())  # a bad URL leaves no file behind


def test_a_password_is_never_displayed(tmp_path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    assert store.display_url.endswith("a.db")
    from tactful.store.db import Store as S

    assert "secret" not in S.__dict__["display_url"].fget(  # type: ignore[union-attr]
        type("X", (), {"url": "postgresql+psycopg://u:secret@h/db"})()
    )
