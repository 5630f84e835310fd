"""OAuth 2.0 with a local callback: how an account is connected on networks that grant
access through the browser (X, LinkedIn, Facebook and Instagram, Mastodon).

1. A one-shot HTTP server listens on the loopback interface (``127.0.0.1``, never a public
   address) for the network to send the browser back to.
2. The authorisation URL opens in the browser, with ``state`` and, where the network takes
   it, a PKCE challenge (Authlib builds the URL, the challenge and the token request); the
   user says yes on the network's own page.
3. The callback checks ``state``, answers the browser with a page that says it can close,
   and the code is exchanged for tokens at the token endpoint.

The tokens never appear on screen or in a log; the caller stores them encrypted. Nothing here
talks to anything but the network's own OAuth endpoints.
"""

from __future__ import annotations

import html
import threading
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tactful.errors import InputError

CALLBACK_PATH = "/callback"
DEFAULT_PORT = 8767  # register http://127.0.0.1:8767/callback with the network's app


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """A network's OAuth endpoints and the user's app (its client id, and secret where the
    network requires one for a desktop app)."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    client_id: str
    client_secret: str | None = None
    pkce: bool = True
    # How the client authenticates at the token endpoint: client_secret_post (in the form),
    # client_secret_basic (HTTP Basic) or none (a public PKCE client).
    auth_method: str = "client_secret_post"
    extra: Mapping[str, str] = field(default_factory=dict)  # more authorize-URL parameters


@dataclass(frozen=True, slots=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    raw: Mapping[str, Any]


class _Callback(BaseHTTPRequestHandler):
    result: dict[str, str]
    done: threading.Event

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != CALLBACK_PATH:
            self.send_error(404)
            return
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).result.update(params)
        ok = "code" in params
        body = (
            "<h1>tactful is connected</h1><p>You can close this tab.</p>"
            if ok
            else "<h1>Not connected</h1><p>"
            + html.escape(params.get("error_description") or params.get("error") or "no code")
            + "</p>"
        )
        data = f"<!doctype html><meta charset=utf-8><title>tactful</title>{body}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        type(self).done.set()

    def log_message(self, format: str, *args: Any) -> None:
        return  # the query holds the code: never log it


def _listen(port: int) -> tuple[HTTPServer, type[_Callback]]:
    handler = type("Callback", (_Callback,), {"result": {}, "done": threading.Event()})
    try:
        server = HTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise InputError(
            f"cannot listen on 127.0.0.1:{port} for the sign-in ({exc.strerror}); "
            "choose another with --port (and register that callback with the app)"
        ) from None
    return server, handler


def free_port() -> int:
    """A port free on the loopback interface now (for a callback registered in advance)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tokens(raw: Mapping[str, Any], now: datetime) -> Tokens:
    expires_in = raw.get("expires_in")
    return Tokens(
        access_token=str(raw["access_token"]),
        refresh_token=raw.get("refresh_token"),
        expires_at=now + timedelta(seconds=int(expires_in)) if expires_in else None,
        raw=dict(raw),
    )


def authorize(
    app: OAuthApp,
    http: httpx.Client,
    *,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], object] | None = None,
    say: Callable[[str], object] = print,
    timeout: float = 300.0,
    now: Callable[[], datetime] | None = None,
) -> Tokens:
    """Run the browser sign-in and return the tokens. ``open_url`` opens the authorisation
    URL (default: the browser; a test drives the fake network's page instead); ``http``
    exchanges the code at the token endpoint."""
    open_url = open_url or webbrowser.open
    server, handler = _listen(port)
    redirect = f"http://127.0.0.1:{server.server_address[1]}{CALLBACK_PATH}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        state = generate_token(32)
        verifier = generate_token(64) if app.pkce else None
        pkce = (
            {
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
            if verifier
            else {}
        )
        url = prepare_grant_uri(
            app.authorize_url,
            app.client_id,
            "code",
            redirect_uri=redirect,
            scope=" ".join(app.scopes),
            state=state,
            **pkce,
            **dict(app.extra),
        )
        say(f"Sign in and allow access in the browser; if it does not open, go to:\n  {url}")
        open_url(url)
        if not handler.done.wait(timeout):
            raise InputError(f"no answer from the sign-in within {timeout:.0f} s; try again")
        got = handler.result
        if "error" in got:
            why = got.get("error_description") or got["error"]
            raise InputError(f"the network did not grant access: {why}")
        if got.get("state") != state or "code" not in got:
            raise InputError("the sign-in answer did not match this request (state); try again")
        moment = now() if now else datetime.now(UTC)
        return _exchange(app, http, got["code"], redirect, verifier, moment)
    finally:
        server.shutdown()
        server.server_close()


def _exchange(
    app: OAuthApp,
    http: httpx.Client,
    code: str,
    redirect: str,
    verifier: str | None,
    now: datetime,
) -> Tokens:
    """The authorisation code for tokens (RFC 6749 4.1.3), the client authenticated the way
    the network wants it."""
    form: dict[str, str] = {}
    auth: tuple[str, str] | None = None
    if app.auth_method == "client_secret_basic" and app.client_secret:
        auth = (app.client_id, app.client_secret)
    else:
        form["client_id"] = app.client_id
        if app.auth_method == "client_secret_post" and app.client_secret:
            form["client_secret"] = app.client_secret
    if verifier:
        form["code_verifier"] = verifier
    body = prepare_token_request("authorization_code", code=code, redirect_uri=redirect, **form)
    try:
        answer = http.post(
            app.token_url,
            content=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            auth=auth or httpx.USE_CLIENT_DEFAULT,
        )
        raw = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise InputError(f"the network did not issue a token: {_short(exc)}") from None
    if answer.status_code != 200 or not isinstance(raw, dict) or "access_token" not in raw:
        raise InputError(f"the network refused to issue a token: {_why(raw, answer.status_code)}")
    return _tokens(raw, now)


def _why(raw: object, status: int) -> str:
    """The refusal in words: OAuth's ``error_description``/``error``, or the Graph API's
    ``{"error": {"message": ...}}``."""
    if isinstance(raw, dict):
        error = raw.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:200]
        for key in ("error_description", "error"):
            if isinstance(raw.get(key), str):
                return str(raw[key])[:200]
    return str(status)


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
