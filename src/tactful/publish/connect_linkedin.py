"""Connecting a LinkedIn member, or a company page the member administers, through the
browser: LinkedIn's 3-legged OAuth (Authorization Code Flow) with the user's own LinkedIn app.

- The authorization page is ``www.linkedin.com/oauth/v2/authorization`` and the token
  endpoint ``/oauth/v2/accessToken`` on the same host (not the API host); the app's client
  secret goes in the form (LinkedIn takes no PKCE from a confidential client).
- Scopes: ``openid profile`` (to learn who signed in, from ``/v2/userinfo``) and
  ``w_member_social``, plus ``w_organization_social`` to post as a page (the member must be
  an administrator or content admin of that page).
- The access token lives 60 days (``expires_in``). Only apps LinkedIn approved for
  programmatic refresh get a ``refresh_token`` (a year, ``refresh_token_expires_in``); the
  connector renews access with it, and otherwise the account must be connected again.

Docs: https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow,
https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens,
https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tactful.errors import InputError
from tactful.publish.connect import Connection
from tactful.publish.oauth import DEFAULT_PORT, OAuthApp, authorize

LINKEDIN_SCOPES = ("openid", "profile", "w_member_social")
ORGANIZATION_SCOPE = "w_organization_social"
# The inbox reads the comments on the organisation's posts.
ORGANIZATION_READ_SCOPE = "r_organization_social"
_ORGANIZATION = re.compile(r"(?:urn:li:organization:)?(\d+)")


def organization_urn(organization: str) -> str:
    """``urn:li:organization:<id>`` from a page's number or its URN; a one-line InputError
    for anything else."""
    m = _ORGANIZATION.fullmatch(organization.strip())
    if not m:
        raise InputError(
            "give the LinkedIn page as its number or urn:li:organization:<number> "
            "(the number is in the page's admin address, linkedin.com/company/<number>/admin)"
        )
    return f"urn:li:organization:{m[1]}"


def linkedin_oauth(
    http: httpx.Client,
    client_id: str,
    client_secret: str,
    *,
    organization: str | None = None,
    api_url: str | None = None,
    oauth_url: str | None = None,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], object] | None = None,
    say: Callable[[str], object] = print,
    now: Callable[[], datetime] | None = None,
) -> Connection:
    """Sign in to LinkedIn through the browser with the user's LinkedIn app; post as the
    member, or as the page ``organization`` (its number or URN) when given."""
    from tactful.publish.connectors.linkedin import OAUTH, userinfo

    author = organization_urn(organization) if organization is not None else None
    oauth = (oauth_url or OAUTH).rstrip("/")
    scopes = (
        (*LINKEDIN_SCOPES, ORGANIZATION_SCOPE, ORGANIZATION_READ_SCOPE)
        if author
        else LINKEDIN_SCOPES
    )
    tokens = authorize(
        OAuthApp(
            authorize_url=f"{oauth}/oauth/v2/authorization",
            token_url=f"{oauth}/oauth/v2/accessToken",
            scopes=scopes,
            client_id=client_id,
            client_secret=client_secret,
            pkce=False,
            auth_method="client_secret_post",
        ),
        http,
        port=port,
        say=say,
        open_url=open_url,
        now=now,
    )
    moment = now() if now else datetime.now(UTC)
    info = userinfo(http, api_url, tokens.access_token)
    member = f"urn:li:person:{info['sub']}"
    name = info.get("name")
    extra: dict[str, Any] = {"client_id": client_id, "client_secret": client_secret}
    if tokens.refresh_token:
        extra["refresh_token"] = tokens.refresh_token
        lasts = tokens.raw.get("refresh_token_expires_in")
        if isinstance(lasts, int | float) and not isinstance(lasts, bool):
            extra["refresh_token_expires_at"] = (moment + timedelta(seconds=lasts)).isoformat()
    elif tokens.expires_at is not None:
        say(
            "LinkedIn gave this app no refresh token: connect the account again before "
            f"{tokens.expires_at.astimezone(UTC):%Y-%m-%d} UTC"
        )
    if oauth_url and oauth != OAUTH:
        extra["oauth_url"] = oauth
    who = author or (name if isinstance(name, str) and name.strip() else None) or member
    return Connection(
        tokens.access_token, author or member, api_url, tokens.expires_at, extra, who=who
    )
