"""Files the store creates are its owner's only (0600), like the token key: a new SQLite
database and every backup, from SQLite and from PostgreSQL."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tactful.errors import InputError
from tactful.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_store_is_created_0600(tmp_path: Path) -> None:
    path = tmp_path / "new" / "tactful.db"
    store = Store(f"sqlite:///{path}")
    with store.session() as s:
        s.connection()  # written to
    store.dispose()
    assert _mode(path) == 0o600


def test_an_existing_store_keeps_its_mode(tmp_path: Path) -> None:
    """tactful tightens what it creates; a file the user made keeps what they chose."""
    path = tmp_path / "theirs.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    Store(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o640


def test_backups_are_created_0600(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.db"
    counts = store.backup(target)
    assert "accounts" in counts
    assert _mode(target) == 0o600


def test_a_backup_never_overwrites(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    with pytest.raises(InputError, match="choose a new file name"):
        store.backup(target)
    assert target.read_text() == "keep me"
