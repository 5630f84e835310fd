"""Test-wide isolation: no test reads or writes the user's real tactful database."""

from __future__ import annotations

from pathlib import Path

import pytest

# store_url and store: SQLite and PostgreSQL for every test that asks for a store.
pytest_plugins = ["store_fixtures"]


@pytest.fixture(autouse=True)
def _private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.delenv("TACTFUL_DB", raising=False)
    monkeypatch.setenv("TACTFUL_USER", "tester")
    return home
