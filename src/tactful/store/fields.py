"""Checks on values before they reach the database, the same on SQLite (which ignores
column lengths) and PostgreSQL (which enforces them): one clear message either way."""

from __future__ import annotations

from tactful.errors import InputError

MAX_ID = 2**63 - 1


def text(value: object, field: str, max_len: int, *, required: bool = False) -> str | None:
    """A trimmed string of at most ``max_len`` characters without NUL bytes, or None."""
    if value is None:
        if required:
            raise InputError(f"{field} is required")
        return None
    s = str(value).replace("\x00", "").strip()
    if not s:
        if required:
            raise InputError(f"{field} is required")
        return None
    if len(s) > max_len:
        raise InputError(f"{field} is {len(s)} characters; at most {max_len} fit")
    return s


def row_id(ref: str) -> int | None:
    """The number in ``#12``, or None when ``ref`` is not of that form."""
    digits = ref[1:] if ref.startswith("#") else ""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(digits)
    return value if value <= MAX_ID else None
