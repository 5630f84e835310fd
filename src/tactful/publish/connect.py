"""Connecting an account to its network, one function per way in:

- **Mastodon**: an access token made in the server's settings, or ``--oauth``: tactful
  registers itself with the server (``POST /api/v1/apps``) and the user signs in through the
  browser, with a local callback. The server's own limits are read and kept.
- **Bluesky**: the handle and an app password (``com.atproto.server.createSession``); the
  session tokens are refreshed, and the app password signs in again if they lapse.
- **X**: OAuth 2.0 with PKCE through the browser, with the user's own X app (its client id,
  and secret for a confidential app); the refresh token renews access every two hours.

Each returns a :class:`Connection`; :func:`save` stores it encrypted. Tokens are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tactful.errors import InputError
from tactful.publish.oauth import DEFAULT_PORT, OAuthApp, authorize, free_port

X_AUTHORIZE = "https://x.com/i/oauth2/authorize"
# tweet.moderate.write: for the inbox to hide replies (PUT /2/tweets/:id/hidden).
X_SCOPES = (
    "tweet.read",
    "tweet.write",
    "tweet.moderate.write",
    "users.read",
    "media.write",
    "offline.access",
)
# read:statuses: to find a post whose answer was lost once the idempotency key has lapsed
# (Mastodon checks a token's scopes on every call it is sent with); read:notifications: for
# the inbox to read mentions and replies (GET /api/v1/notifications); write:mutes and
# write:blocks: for the inbox to mute or block a sender.
MASTODON_SCOPES = (
    "read:accounts",
    "read:statuses",
    "read:notifications",
    "write:statuses",
    "write:media",
    "write:mutes",
    "write:blocks",
)


@dataclass(frozen=True, slots=True)
class Connection:
    token: str
    remote_user: str
    base_url: str | None = None
    expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] | None = None
    who: str = ""  # how to name the account in the confirmation (never a secret)


def save(session: Any, name: str, made: Connection) -> None:
    from tactful.publish.credentials import save_credentials

    save_credentials(
        session,
        name,
        token=made.token,
        base_url=made.base_url,
        remote_user=made.remote_user,
        expires_at=made.expires_at,
        extra=made.extra,
        limits=made.limits,
    )


def server_url(url: str | None, what: str) -> str:
    """An https URL (or http on this machine, for a local test server)."""
    loopback = (url or "").startswith(("http://127.0.0.1", "http://localhost"))
    if not url or not (url.startswith("https://") or loopback):
        raise InputError(f"give the {what} as an https:// URL")
    return url.rstrip("/")


def mastodon_token(http: httpx.Client, instance: str, token: str) -> Connection:
    from tactful.publish.connectors.base import Credentials
    from tactful.publish.connectors.mastodon import MastodonConnector

    base = server_url(instance, "server (--instance)")
    conn = MastodonConnector()
    creds = Credentials(base, token)
    remote = conn.verify(http, creds)
    return Connection(token, remote, base, limits=conn.limits(http, creds), who=base)


def mastodon_oauth(
    http: httpx.Client,
    instance: str,
    *,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], object] | None = None,
    say: Callable[[str], object] = print,
) -> Connection:
    """Register tactful as an app on the server, sign in through the browser, keep the token."""
    base = server_url(instance, "server (--instance)")
    port = port or free_port()  # registered with the server before the sign-in starts
    redirect = f"http://127.0.0.1:{port}/callback"
    answer = http.post(
        f"{base}/api/v1/apps",
        data={
            "client_name": "tactful",
            "redirect_uris": redirect,
            "scopes": " ".join(MASTODON_SCOPES),
        },
    )
    if answer.status_code != 200:
        raise InputError(f"{base} would not register tactful as an app ({answer.status_code})")
    app = answer.json()
    tokens = authorize(
        OAuthApp(
            authorize_url=f"{base}/oauth/authorize",
            token_url=f"{base}/oauth/token",
            scopes=MASTODON_SCOPES,
            client_id=str(app["client_id"]),
            client_secret=app.get("client_secret"),
        ),
        http,
        port=port,
        say=say,
        open_url=open_url,
    )
    return mastodon_token(http, base, tokens.access_token)


def bluesky(http: httpx.Client, pds: str | None, handle: str, app_password: str) -> Connection:
    from tactful.publish.connectors.bluesky import create_session

    base = server_url(pds, "server (--pds)") if pds else None
    creds = create_session(http, base, handle, app_password)
    return Connection(
        creds.token,
        str(creds.remote_user),
        base,
        creds.expires_at,
        dict(creds.extra),
        who=handle,
    )


def x_oauth(
    http: httpx.Client,
    client_id: str,
    client_secret: str | None = None,
    *,
    api_url: str | None = None,
    authorize_url: str = X_AUTHORIZE,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], object] | None = None,
    say: Callable[[str], object] = print,
    now: Callable[[], datetime] | None = None,
) -> Connection:
    """Sign in to X through the browser with the user's X app (OAuth 2.0, PKCE)."""
    from tactful.publish.connectors.x import API_ROOT, whoami

    root = (api_url or API_ROOT).rstrip("/")
    tokens = authorize(
        OAuthApp(
            authorize_url=authorize_url,
            token_url=f"{root}/2/oauth2/token",
            scopes=X_SCOPES,
            client_id=client_id,
            client_secret=client_secret,
            auth_method="client_secret_basic" if client_secret else "none",
        ),
        http,
        port=port,
        say=say,
        open_url=open_url,
        now=now,
    )
    if not tokens.refresh_token:
        raise InputError("X gave no refresh token: the app must ask for offline.access")
    user_id, username = whoami(http, api_url, tokens.access_token)
    extra: dict[str, Any] = {"refresh_token": tokens.refresh_token, "client_id": client_id}
    if client_secret:
        extra["client_secret"] = client_secret
    return Connection(
        tokens.access_token, user_id, api_url, tokens.expires_at, extra, who=f"@{username}"
    )
