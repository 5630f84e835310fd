"""Where the store is and who is making a change: cheap to import (no SQLAlchemy), so a
command can tell whether a store is set up without loading the database code."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

ENV_URL = "TACTFUL_DB"


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
