"""The store behind context-aware checks: accounts, contacts, the consent ledger and the
media library, in SQLite (default) or PostgreSQL, migrated with Alembic."""

from tactful.store.db import Store, configured, current_actor, open_store, resolve_url

__all__ = ["Store", "configured", "current_actor", "open_store", "resolve_url"]
