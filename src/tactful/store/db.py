"""Opening the store: where the database is, migrating it, sessions.

Zero set-up: with no ``--db`` and no ``TACTFUL_DB`` the store is a SQLite file in the user's
data directory. A team points ``TACTFUL_DB`` at PostgreSQL
(``postgresql://user@host/db``; the ``postgres`` extra installs the driver). Opening a store
brings its schema to the newest Alembic revision.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from tactful.errors import InputError
from tactful.store.models import APPEND_ONLY

ENV_URL = "TACTFUL_DB"
MIGRATIONS = Path(__file__).with_name("migrations")


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("tactful", appauthor=False)) / "tactful.db"


def resolve_url(url: str | None = None) -> str:
    """The database URL: the argument, else ``$TACTFUL_DB``, else the default SQLite file.
    A plain file path means a SQLite file; ``postgresql://`` uses the psycopg 3 driver."""
    url = url or os.environ.get(ENV_URL) or ""
    if not url:
        return f"sqlite:///{default_path()}"
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def configured(url: str | None = None) -> bool:
    """Whether a store is set up: a URL was given, or the default file exists."""
    return bool(url or os.environ.get(ENV_URL)) or default_path().exists()


def current_actor() -> str:
    """Who makes a change, for the ledger: ``$TACTFUL_USER`` or the login name."""
    try:
        return os.environ.get("TACTFUL_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _guard_append_only(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, APPEND_ONLY) and session.is_modified(obj):
            raise InputError(
                f"{type(obj).__tablename__} is an append-only ledger: record a new entry "
                "instead of changing an old one"
            )
    if not session.info.get("purge"):
        for obj in session.deleted:
            if isinstance(obj, APPEND_ONLY):
                raise InputError(
                    f"{type(obj).__tablename__} is an append-only ledger: entries are never deleted"
                )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Store:
    """A migrated database and a session factory. ``with store.session() as s: ...`` commits
    on success and rolls back on any error."""

    def __init__(self, url: str | None = None, *, migrate: bool = True):
        self.url = resolve_url(url)
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise InputError(
                f"cannot understand database URL {url!r}: use a file path, sqlite:///FILE "
                "or postgresql://USER@HOST/DB"
            ) from None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"cannot create the folder for {parsed.database!r}: {exc.strerror}"
                ) from None
        try:
            self.engine: Engine = create_engine(self.url, future=True)
        except (NoSuchModuleError, ModuleNotFoundError) as exc:
            raise InputError(
                f"no database driver for {parsed.drivername!r} ({exc}); for PostgreSQL install "
                "tactful[postgres]"
            ) from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", _guard_append_only)
        if migrate:
            self.migrate()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, safe to print."""
        return make_url(self.url).render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent)."""
        from alembic import command

        try:
            with self.engine.begin() as conn:
                command.upgrade(_alembic_config(conn), "head")
        except OperationalError as exc:
            raise InputError(
                f"cannot open the database {self.display_url}: {_first_line(exc)}"
            ) from None

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
            raise InputError(f"database error: {_first_line(exc)}") from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_store(url: str | None = None) -> Store:
    return Store(url)
