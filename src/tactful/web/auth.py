"""Single-user access: a token made on first start, shown once, stored only as a hash (in a
0600 file in the user's data folder). API clients send ``Authorization: Bearer TOKEN``; the
browser signs in once and gets a session cookie plus a CSRF token it must echo in the
``X-CSRF-Token`` header of every state-changing request."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import HTTPException, Request

COOKIE = "tactful_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("tactful", appauthor=False)) / "web-token.sha256"


def first_token(path: Path | None = None) -> str | None:
    """Make and store a new token if there is none; returns it (to show once) or None."""
    path = path or token_file()
    if path.exists():
        return None
    token = secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(digest(token))
    return token


def stored_digest(path: Path | None = None) -> str:
    return (path or token_file()).read_text().strip()


class Guard:
    """Checks every API request: a bearer token, or a session cookie plus CSRF header."""

    def __init__(self, token_digest: str):
        self.token_digest = token_digest
        self.sessions: dict[str, str] = {}  # session id -> csrf token

    def valid_token(self, token: str) -> bool:
        return hmac.compare_digest(digest(token), self.token_digest)

    def new_session(self) -> tuple[str, str]:
        sid, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.sessions[sid] = csrf
        return sid, csrf

    def __call__(self, request: Request) -> None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and self.valid_token(auth[7:].strip()):
            return
        sid = request.cookies.get(COOKIE)
        csrf = self.sessions.get(sid or "")
        if csrf is None:
            raise HTTPException(401, "sign in with the access token tactful serve printed")
        if request.method not in SAFE_METHODS and not hmac.compare_digest(
            request.headers.get(CSRF_HEADER, ""), csrf
        ):
            raise HTTPException(403, "missing or wrong X-CSRF-Token header")
