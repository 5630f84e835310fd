"""Tokens at rest: encrypted with Fernet (AES-128-CBC plus HMAC-SHA256, from the
``cryptography`` package) under a key kept in a 0600 file in the user's data folder, or the
file ``$TACTFUL_KEY_FILE`` names. A database copied elsewhere holds no usable token."""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

from tactful.errors import InputError

ENV_KEY_FILE = "TACTFUL_KEY_FILE"


def key_file() -> Path:
    env = os.environ.get(ENV_KEY_FILE)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("tactful", appauthor=False)) / "tokens.key"


def _write_new_key(path: Path) -> None:
    """Write a new key to ``path`` atomically, unless another process got there first: the
    key goes to a 0600 file of its own, flushed to disk, then takes the name with a hard
    link, which fails if the name exists. A reader never sees a half-written key, and
    every process ends up with the same one."""
    import secrets

    from cryptography.fernet import Fernet

    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
            fh.flush()
            os.fsync(fh.fileno())
        with suppress(FileExistsError):  # another process made it first: use theirs
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def _key(create: bool) -> bytes:
    path = key_file()
    if not path.exists():
        if not create:
            raise InputError(
                f"the key for stored tokens is missing ({path}); connect the account again"
            )
        _write_new_key(path)
    if path.stat().st_mode & 0o077:
        raise InputError(f"{path} can be read by other users; run: chmod 600 {path}")
    return path.read_bytes().strip()


def seal(data: dict[str, Any]) -> bytes:
    from cryptography.fernet import Fernet

    return Fernet(_key(create=True)).encrypt(json.dumps(data).encode())


def open_sealed(blob: bytes) -> dict[str, Any]:
    from cryptography.fernet import Fernet, InvalidToken

    try:
        data: dict[str, Any] = json.loads(Fernet(_key(create=False)).decrypt(blob))
    except InvalidToken:
        raise InputError(
            f"the stored token cannot be decrypted with {key_file()} (a different key?); "
            "connect the account again"
        ) from None
    return data
