"""Uploads: the request body is streamed to a file in the app's own folder (never held in
memory), counted against a byte limit as it arrives, and kept under its original name in a
folder of its own (an export's single file is recognised by its name: tweets.js, repo.car)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from fastapi import HTTPException, Request

from tactful.errors import InputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(filename: str | None, default: str) -> str:
    """A file name that cannot climb out of its folder or hide: the last path part, with
    anything but letters, digits, dot, dash and underscore replaced."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip("._")[:120]
    return base or default


def mb(limit: int) -> str:
    return f"{limit / 1024 / 1024:,.0f} MB"


async def save_body(request: Request, folder: Path, filename: str, limit: int) -> Path:
    """Write the body to ``folder/<new subfolder>/filename``; 413 past ``limit`` bytes, and a
    clear error for an empty body. A partial file is removed."""
    folder.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(dir=folder, prefix="upload-"))
    target = home / filename
    size = 0
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"uploads here are limited to {mb(limit)}")
                out.write(chunk)
        if size == 0:
            raise InputError("the upload is empty: send the file's bytes as the request body")
    except BaseException:
        shutil.rmtree(home, ignore_errors=True)
        raise
    return target


def discard(path: Path) -> None:
    """Remove an upload and its folder."""
    shutil.rmtree(path.parent, ignore_errors=True)


BINARY_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
