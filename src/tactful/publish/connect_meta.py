"""Connecting a Facebook Page, or the Instagram professional account linked to one, through
the browser: Facebook Login with the user's own Meta app, then the Page's own token.

1. Facebook Login (the OAuth dialog on ``www.facebook.com``, the code exchanged at the Graph
   API's ``/oauth/access_token`` with the app secret) gives a short-lived user token.
2. ``GET /oauth/access_token?grant_type=fb_exchange_token`` swaps it for a long-lived one
   (about 60 days).
3. ``GET /me/accounts`` lists the Pages the user granted, each with a Page token; a Page
   token obtained from a long-lived user token does not expire, so that is what is kept
   (the user token is not stored).
4. For Instagram, the Page's ``instagram_business_account`` is the account posted as.

Docs: https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
https://developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived,
https://developers.facebook.com/docs/graph-api/reference/user/accounts,
https://developers.facebook.com/docs/instagram-platform/content-publishing
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx

from tactful.errors import InputError
from tactful.publish.connect import Connection
from tactful.publish.oauth import DEFAULT_PORT, OAuthApp, authorize

if TYPE_CHECKING:
    from tactful.publish.connectors.base import Credentials

# Publishing, then the inbox: reading what people wrote on the Page and answering or hiding it.
PAGE_SCOPES = (
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_read_user_content",
    "pages_manage_engagement",
)
INSTAGRAM_SCOPES = (
    "instagram_basic",
    "instagram_content_publish",
    "business_management",
    "instagram_manage_comments",
)
PLATFORMS = ("facebook", "instagram")
MAX_PAGES = 10  # of 100 Pages each


def meta_oauth(
    http: httpx.Client,
    app_id: str,
    app_secret: str,
    platform: str,
    *,
    page: str | None = None,
    graph_url: str | None = None,
    dialog_url: str | None = None,
    port: int = DEFAULT_PORT,
    open_url: Callable[[str], object] | None = None,
    say: Callable[[str], object] = print,
    now: Callable[[], datetime] | None = None,
) -> Connection:
    """Sign in with Facebook through the browser with the user's Meta app, and connect a
    Page (``platform`` "facebook") or its linked Instagram account ("instagram"). ``page``
    picks the Page by id or exact name when the user manages several."""
    from tactful.publish.connectors.base import Credentials, Result
    from tactful.publish.connectors.graph import (
        GRAPH_URL,
        GRAPH_VERSION,
        get_json,
        linked_instagram,
    )

    if platform not in PLATFORMS:
        raise InputError(f"connect a Facebook Page or an Instagram account, not {platform!r}")
    root = (graph_url or GRAPH_URL).rstrip("/")
    scopes = PAGE_SCOPES + (INSTAGRAM_SCOPES if platform == "instagram" else ())
    tokens = authorize(
        OAuthApp(
            authorize_url=dialog_url or f"https://www.facebook.com/{GRAPH_VERSION}/dialog/oauth",
            token_url=f"{root}/oauth/access_token",
            scopes=scopes,
            client_id=app_id,
            client_secret=app_secret,
            pkce=False,
            auth_method="client_secret_post",
        ),
        http,
        port=port,
        say=say,
        open_url=open_url,
        now=now,
    )
    user_token = _long_lived(http, root, app_id, app_secret, tokens.access_token)
    pages = _pages(http, Credentials(root, user_token))
    chosen = _choose(pages, page)
    page_id, name = str(chosen["id"]), _named(chosen)
    page_token = chosen.get("access_token")
    if not isinstance(page_token, str) or not page_token:
        raise InputError(
            f"Facebook gave no token for the Page {name} ({page_id}): the account needs a "
            "role on it that lets it create content"
        )
    if platform == "facebook":
        return Connection(page_token, page_id, graph_url, who=name)
    as_page = Credentials(root, page_token)
    linked = linked_instagram(http, as_page, page_id)
    if isinstance(linked, Result):
        raise InputError(f"Facebook refused the Page token: {linked.detail}")
    if linked is None:
        raise InputError(
            f"no Instagram professional account is linked to the Page {name} ({page_id}); "
            "link one in the Page's settings (Linked accounts) and connect again"
        )
    account = get_json(http, as_page, f"/{linked}", {"fields": "username"})
    username = account.get("username") if isinstance(account, dict) else None
    who = f"@{username}" if isinstance(username, str) and username else f"Instagram of {name}"
    return Connection(page_token, linked, graph_url, extra={"page_id": page_id}, who=who)


def _long_lived(http: httpx.Client, root: str, app_id: str, app_secret: str, token: str) -> str:
    """The short-lived user token swapped for a long-lived one (``fb_exchange_token``)."""
    from tactful.publish.connectors.base import Result, send
    from tactful.publish.connectors.graph import graph_error

    answer = send(
        http,
        http.build_request(
            "GET",
            f"{root}/oauth/access_token",
            params={
                "grant_type": "fb_exchange_token",
                "client_id": app_id,
                "client_secret": app_secret,
                "fb_exchange_token": token,
            },
        ),
    )
    if isinstance(answer, Result):
        raise InputError(f"cannot reach Facebook: {answer.detail}")
    if answer.status_code != 200:
        error = graph_error(answer)
        why = f"{error.message} (code {error.code})" if error else f"HTTP {answer.status_code}"
        raise InputError(f"Facebook would not give a long-lived token: {why}")
    try:
        body = answer.json()
    except ValueError:
        body = None
    long_lived = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(long_lived, str) or not long_lived:
        raise InputError("Facebook answered with no long-lived token; try again")
    return long_lived


def _pages(http: httpx.Client, creds: Credentials) -> list[dict[str, Any]]:
    """The Pages the signed-in user granted tactful (``GET /me/accounts``), every page of
    the answer followed."""
    from tactful.publish.connectors.base import Result
    from tactful.publish.connectors.graph import get_json

    found: list[dict[str, Any]] = []
    path = "/me/accounts"
    params: dict[str, str] = {
        "fields": "id,name,access_token,instagram_business_account",
        "limit": "100",
    }
    for _ in range(MAX_PAGES):
        body = get_json(http, creds, path, params)
        if isinstance(body, Result):
            raise InputError(f"Facebook would not list the Pages: {body.detail}")
        found += [p for p in body.get("data") or [] if isinstance(p, dict) and p.get("id")]
        paging = body.get("paging")
        after = (paging.get("cursors") or {}).get("after") if isinstance(paging, dict) else None
        if not (isinstance(paging, dict) and paging.get("next") and after):
            break
        params = {**params, "after": str(after)}
    return found


def _named(page: dict[str, Any]) -> str:
    """A Page's name on one line (it goes into one-line messages)."""
    return " ".join(str(page.get("name") or "").split()) or str(page["id"])


def _choose(pages: list[dict[str, Any]], wanted: str | None) -> dict[str, Any]:
    """The Page ``wanted`` (by id, or exact name), or the only one; a one-line InputError
    naming the Pages otherwise."""

    def listed() -> str:
        return "; ".join(f"{_named(p)} ({p['id']})" for p in pages)

    if not pages:
        raise InputError(
            "Facebook lists no Page for this account: sign in again and, when asked, allow "
            "tactful the Page (the account needs a role on it)"
        )
    if wanted is None:
        if len(pages) == 1:
            return pages[0]
        raise InputError(f"the account manages several Pages: {listed()}; choose one with --page")
    wanted = wanted.strip()
    by_id = [p for p in pages if str(p["id"]) == wanted]
    by_name = [p for p in pages if p.get("name") == wanted]
    matches = by_id or by_name
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(
            f"several Pages are named {wanted!r}: {listed()}; choose one by id with --page"
        )
    raise InputError(f"no Page {wanted!r} among the account's Pages: {listed()}; check --page")
