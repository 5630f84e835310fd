"""Opening the store: where the database is, migrating it, sessions.

Zero set-up: with no ``--db`` and no ``TACTFUL_DB`` the store is a SQLite file in the user's
data directory. A team points ``TACTFUL_DB`` at PostgreSQL
(``postgresql://user@host/db``; the ``postgres`` extra installs the driver). Opening a store
brings its schema to the newest Alembic revision.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tactful.errors import DatabaseBusy, InputError
from tactful.store.location import resolve_url
from tactful.store.models import APPEND_ONLY

MIGRATIONS = Path(__file__).with_name("migrations")
# How many times patiently() tries a step on a busy SQLite database; each try first waits
# out the busy timeout inside SQLite, then a short, growing, jittered pause here.
BUSY_TRIES = 8
_T = TypeVar("_T")


def _ledger_error(table: str, deleting: bool) -> InputError:
    if deleting:
        return InputError(f"{table} is an append-only ledger: entries are never deleted")
    return InputError(
        f"{table} is an append-only ledger: record a new entry instead of changing an old one"
    )


def _guard_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    """Refuse ORM changes to ledger rows, and deletes unless a purge names those rows."""
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj):
            raise _ledger_error(type(obj).__tablename__, deleting=False)
    allowed = session.info.get("purge", frozenset())
    for obj in session.deleted:
        if isinstance(obj, APPEND_ONLY) and (type(obj), obj.id) not in allowed:  # type: ignore[attr-defined]
            raise _ledger_error(type(obj).__tablename__, deleting=True)


def _guard_bulk(state: Any) -> None:
    """Refuse bulk UPDATE/DELETE statements (``session.execute(update(...))``) on ledgers."""
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        if mapper.class_ in APPEND_ONLY:
            raise _ledger_error(mapper.class_.__tablename__, deleting=state.is_delete)


def delete_with_history(
    session: Session, row: Any, history: list[Any], *, purge: bool, refusal: str
) -> None:
    """Delete ``row`` and its ledger ``history``: refused (with ``refusal``) unless ``purge``,
    and only those rows may go (see _guard_append_only)."""
    if history and not purge:
        raise InputError(refusal)
    session.info["purge"] = frozenset((type(r), r.id) for r in history)
    try:
        for entry in history:
            session.delete(entry)
        session.delete(row)
        session.flush()
    finally:
        session.info.pop("purge", None)


def _sqlite_pragmas(timeout_s: float) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, open transactions (see _sqlite_begin), so
        # that migrations (DDL) are transactional too and a failed one leaves no trace.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE takes the write lock up front: two writers queue (busy_timeout) instead of
    # deadlocking when both try to upgrade a read lock.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": another connection held the write lock for longer than
    the busy timeout. The transaction was rolled back, so the same step may be tried again."""
    code = getattr(getattr(exc, "orig", exc), "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def patiently(
    step: Callable[[], _T],
    *,
    tries: int = BUSY_TRIES,
    undo: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] | None = None,
) -> _T:
    """``step()``, tried again while the database is busy (:class:`DatabaseBusy`), up to
    ``tries`` times in all; the last refusal is raised. ``step`` must be one transaction (or
    several that each stand alone): a busy one wrote nothing. ``undo`` runs before each new
    try, to forget what the failed one counted outside the database."""
    for attempt in range(1, tries):
        try:
            return step()
        except DatabaseBusy:
            undo()
            # Jitter, so that workers that found the lock taken together do not queue again
            # in the same order.
            (sleep or time.sleep)(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
    return step()


def database_now(session: Session) -> datetime:
    """The database's own clock (aware UTC): the one clock every worker agrees on, whatever
    its machine's clock says. PostgreSQL's ``clock_timestamp()`` (the server's time, not the
    transaction's start); SQLite's ``'now'`` (the machine that holds the file)."""
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(text("SELECT clock_timestamp()"))
    else:
        raw = session.scalar(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')"))
        value = datetime.fromisoformat(str(raw))
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_private(path: Path) -> bool:
    """Create ``path`` empty, readable and writable by its owner only (0600), unless it
    exists; True when it was created here. The store and its copies hold contacts, consent
    and unpublished drafts: other users on the machine must not read them."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def _explain(exc: BaseException, where: str) -> str:
    """One line for a database that cannot be used, with what to do about it."""
    text = _first_line(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        hint = "another tactful (or other program) is writing to it; try again when it is done"
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        hint = "the file is damaged; restore a backup (tactful db backup) or move it aside"
    elif "readonly" in low or "read-only" in low or "permission" in low:
        hint = "tactful cannot write there; check the file's permissions or use --db"
    elif "connect" in low or "refused" in low or "could not" in low or "timeout" in low:
        hint = "check that the server is running and the URL (--db / TACTFUL_DB) is right"
    else:
        hint = "check --db / TACTFUL_DB"
    return f"cannot use the database {where}: {text} ({hint})"


class Store:
    """A migrated database and a session factory. ``with store.session() as s: ...`` commits
    on success and rolls back on any error."""

    def __init__(self, url: str | None = None, *, migrate: bool = True, timeout_s: float = 5.0):
        self.url = resolve_url(url)
        try:
            parsed = make_url(self.url)
            _ = parsed.port  # a port that is not a number fails here
        except (ArgumentError, ValueError):
            raise InputError(
                f"cannot understand database URL {url!r}: use a file path, sqlite:///FILE "
                "or postgresql://USER@HOST/DB"
            ) from None
        if (
            parsed.get_backend_name() == "sqlite"
            and parsed.database not in (None, "", ":memory:")
            and not (parsed.username or parsed.password or parsed.host)  # a bad URL: no file
        ):
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                create_private(Path(parsed.database))  # before SQLite makes it 0644
            except OSError as exc:
                raise InputError(
                    f"cannot create the folder for {parsed.database!r}: {exc.strerror}"
                ) from None
        try:
            connect_args = {"connect_timeout": max(1, int(timeout_s))}
            if parsed.get_backend_name() != "postgresql":
                connect_args = {}
            self.engine: Engine = create_engine(self.url, connect_args=connect_args)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise InputError(
                f"no database driver for {parsed.drivername!r} ({exc}); for PostgreSQL install "
                "tactful[postgres]"
            ) from None
        except (ArgumentError, ValueError, TypeError) as exc:
            raise InputError(
                f"cannot use database URL {self.display_url}: {_first_line(exc)}"
            ) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas(timeout_s))
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _guard_append_only)
        event.listen(self._sessions, "do_orm_execute", _guard_bulk)
        if migrate:
            self.migrate()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe to print."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError):
            return "(an unreadable URL)"

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent, in one transaction)."""
        from alembic import command
        from alembic.util import CommandError

        try:
            with self.engine.begin() as conn:
                tables = set(inspect(conn).get_table_names())
                if tables and "alembic_version" not in tables:
                    raise InputError(
                        f"{self.display_url} holds other tables ({', '.join(sorted(tables)[:3])}"
                        "...) and is not a tactful database; give tactful its own database"
                    )
                command.upgrade(_alembic_config(conn), "head")
        except CommandError as exc:
            raise InputError(
                f"the database {self.display_url} is at a schema this tactful does not know "
                f"({_first_line(exc)}); it was written by a newer tactful: upgrade tactful"
            ) from None
        except DBAPIError as exc:
            raise _refusal(exc)(_explain(exc, self.display_url)) from None

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise _refusal(exc)(_explain(exc, self.display_url)) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def backup(self, dest: str | Path) -> dict[str, int]:
        """Write a consistent copy to a new SQLite file ``dest``; returns rows per table.

        From SQLite this is SQLite's online backup (a page-exact copy, safe while others
        write); from PostgreSQL every table is read in one repeatable-read transaction and
        written to a freshly migrated SQLite file.
        """
        import sqlite3

        from tactful.store.models import Base

        target = Path(dest).expanduser()
        exists = InputError(f"{str(dest)!r} exists; choose a new file name for the backup")
        if target.exists():
            raise exists
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not create_private(target):  # made 0600, like the store it copies
                raise exists
            if self.engine.dialect.name == "sqlite":
                raw = self.engine.raw_connection()
                try:
                    with sqlite3.connect(target) as out:
                        raw.driver_connection.backup(out)  # type: ignore[union-attr]
                finally:
                    raw.close()
            else:
                copy = Store(f"sqlite:///{target.resolve()}")
                with (
                    self.engine.connect().execution_options(
                        isolation_level="REPEATABLE READ"
                    ) as src,
                    copy.engine.begin() as dst,
                    src.begin(),
                ):
                    for table in Base.metadata.sorted_tables:
                        rows = [dict(r._mapping) for r in src.execute(table.select())]
                        if rows:
                            dst.execute(table.insert(), rows)
                copy.dispose()
        except (OSError, sqlite3.Error) as exc:
            with suppress(OSError):
                target.unlink(missing_ok=True)
            raise InputError(f"cannot write the backup {str(dest)!r}: {exc}") from None
        except DBAPIError as exc:
            with suppress(OSError):
                target.unlink(missing_ok=True)
            raise InputError(_explain(exc, self.display_url)) from None
        check = Store(f"sqlite:///{target.resolve()}", migrate=False)
        counts = {t: check.count(t) for t in check.tables() if t != "alembic_version"}
        check.dispose()
        return counts

    def count(self, table: str) -> int:
        from sqlalchemy import func, select
        from sqlalchemy import table as sql_table

        with self.engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(sql_table(table))).scalar_one()
            )

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _refusal(exc: BaseException) -> type[InputError]:
    """The error to raise for a database error: DatabaseBusy when waiting may cure it."""
    return DatabaseBusy if is_busy(exc) else InputError


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
