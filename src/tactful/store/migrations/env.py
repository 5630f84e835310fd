"""Alembic environment: tactful passes an open connection in ``config.attributes``; the
``alembic`` command line (``alembic -c src/tactful/store/alembic.ini ...``) uses
``$TACTFUL_DB`` or the default SQLite file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tactful.store.location import resolve_url
from tactful.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection)
        return
    engine = create_engine(resolve_url(None))
    with engine.begin() as conn:
        _run_with(conn)


def _run_with(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs table copies for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
