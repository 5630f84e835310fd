"""Where the store keeps files it must hand over later (images uploaded in the web app or
attached to a scheduled post): beside a SQLite store, else in the user data folder, named by
their SHA-256 so the same picture is kept once."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SUFFIX = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}


def files_dir_for(store: Any) -> Path:
    from sqlalchemy.engine import make_url

    url = make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "tactful-files"
    import platformdirs

    return Path(platformdirs.user_data_dir("tactful", appauthor=False)) / "files"


def stored_file(files_dir: Path, sha256: str, mime: str | None) -> Path:
    """Where an image with this hash is kept."""
    return files_dir / "media" / f"{sha256}{SUFFIX.get(mime or '', '.img')}"


def keep_copy(files_dir: Path, source: Path, sha256: str, mime: str | None) -> Path:
    """Copy ``source`` to its place (once; written whole or not at all)."""
    target = stored_file(files_dir, sha256, mime)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
    return target
