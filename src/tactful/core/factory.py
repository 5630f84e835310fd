"""The one place a checker is built for a surface.

Every surface (``tactful check``, ``scan`` and ``audit``; the web composer and web audits;
the schedule gate; the worker's check at publish time) calls :func:`checker_for`, so a post
gets the same findings and verdict wherever it is checked: the same rules and models, the
organisation's policy and the accounts recorded in the store, and the same policy files.

Loading rules and models is the slow part; a long-running surface keeps a base checker and
asks for a fresh one over the store's current data with ``checker_for(store, base=base)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tactful.core.checker import Checker

if TYPE_CHECKING:
    from tactful.store.db import Store


def checker_for(
    store: Store | None,
    policy_files: Sequence[str | Path] = (),
    *,
    base: Checker | None = None,
    detectors: Sequence[str] | None = None,
    now: datetime | None = None,
) -> Checker:
    """A checker over what ``store`` holds now (None: no store, built-in and file policies
    only). ``base`` reuses loaded rules, policy files and detectors (``policy_files`` and
    ``detectors`` are then ignored: they are the base's). ``now`` is the time consent is
    judged at (default: the real clock; a worker passes its own)."""
    if base is None:
        base = Checker(policy_files=policy_files, detectors=detectors)
    if store is None:
        return base.with_store(None)
    from tactful.store.snapshot import snapshot_of

    return base.with_store(snapshot_of(store, now))
