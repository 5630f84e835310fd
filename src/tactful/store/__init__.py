"""The store behind context-aware checks: accounts, contacts, the consent ledger and the
media library, in SQLite (default) or PostgreSQL, migrated with Alembic.

Importing this package is cheap; SQLAlchemy loads when a store is opened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tactful.store.location import configured, current_actor, resolve_url

if TYPE_CHECKING:
    from tactful.store.db import Store

__all__ = ["Store", "configured", "current_actor", "resolve_url"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from tactful.store.db import Store

        return Store
    raise AttributeError(name)
