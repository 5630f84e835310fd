"""The version is written once, in tactful/__init__.py; the package metadata reads it."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import tactful

ROOT = Path(__file__).parents[1]


def test_the_installed_metadata_carries_tactful_version() -> None:
    assert importlib.metadata.version("tactful") == tactful.__version__


def test_pyproject_reads_the_version_instead_of_repeating_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/tactful/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[a-z0-9.+-]*)", tactful.__version__)
