"""Connecting LinkedIn (a member or a page), a Facebook Page and an Instagram professional
account through the browser, against the fake networks' sign-in pages and token endpoints;
and that what is stored then publishes through the network's connector."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fake_graph import (
    APP_ID,
    APP_SECRET,
    BAKERY,
    BASE,
    CAFE,
    DIALOG,
    IG_ID,
    PAGE_ID,
    SECOND_PAGE_ID,
    SECOND_TOKEN,
    TOKEN,
    FakeGraph,
)
from fake_http import client
from fake_linkedin import BASE as LI_BASE
from fake_linkedin import CLIENT_ID, CLIENT_SECRET, MEMBER, OAUTH_BASE, ORG, ORG_ID, FakeLinkedIn

from tactful.errors import InputError
from tactful.publish.connect import Connection
from tactful.publish.connect_linkedin import linkedin_oauth
from tactful.publish.connect_meta import meta_oauth
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing
from tactful.publish.connectors.facebook import FacebookConnector
from tactful.publish.connectors.instagram import InstagramConnector
from tactful.publish.connectors.linkedin import LinkedInConnector
from tactful.web.demo import demo_photo


class Browser:
    """A user who answers the fake network's sign-in page: its redirect is followed to the
    local callback over a real socket. Keeps the URLs opened."""

    def __init__(self, fake: FakeLinkedIn | FakeGraph):
        self.fake = fake
        self.opened: list[httpx.URL] = []

    def __call__(self, url: str) -> None:
        self.opened.append(httpx.URL(url))
        page = self.fake.handle(httpx.Request("GET", url))
        assert page.status_code == 302, page.text
        target = httpx.URL(page.headers["location"])
        assert target.host == "127.0.0.1"  # the callback never leaves this machine
        httpx.get(str(target), timeout=5)

    def scopes(self) -> list[str]:
        (url,) = self.opened
        return url.params["scope"].replace(",", " ").split()


def creds(made: Connection) -> Credentials:
    return Credentials(made.base_url, made.token, made.remote_user, made.extra, made.expires_at)


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


# ---------------------------------------------------------------------------- LinkedIn


def linkedin(fake: FakeLinkedIn, said: list[str] | None = None, **kw: object) -> Connection:
    return linkedin_oauth(
        client(fake),
        CLIENT_ID,
        CLIENT_SECRET,
        api_url=LI_BASE,
        oauth_url=OAUTH_BASE,
        port=0,
        open_url=kw.pop("open_url", None) or Browser(fake),  # type: ignore[arg-type]
        say=(said if said is not None else []).append,
        now=fake.clock,
        **kw,  # type: ignore[arg-type]
    )


def test_a_linkedin_member_signs_in_and_what_is_kept(clock: Any) -> None:
    fake = FakeLinkedIn(clock=clock)
    browser, said = Browser(fake), list[str]()
    made = linkedin(fake, said, open_url=browser)
    assert made.remote_user == MEMBER and made.who == "Jo Example"
    assert made.base_url == LI_BASE
    assert made.expires_at == clock.now + timedelta(days=60)
    # No refresh token for this app: the client is kept, and the user told when to reconnect.
    assert made.extra == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "oauth_url": OAUTH_BASE,
    }
    assert browser.scopes() == ["openid", "profile", "w_member_social"]
    assert browser.opened[0].path == "/oauth/v2/authorization"
    sent = form(next(r for r in fake.requests if r.url.path == "/oauth/v2/accessToken"))
    assert sent["grant_type"] == "authorization_code" and sent["client_secret"] == CLIENT_SECRET
    assert "code_verifier" not in sent  # no PKCE with LinkedIn's confidential client
    assert fake.tokens[made.token].sub == "abc123"
    assert any("connect the account again before 2027-01-22" in m for m in said)
    assert not any(made.token in m or CLIENT_SECRET in m for m in said)


def test_a_linkedin_app_with_refresh_tokens_keeps_one_that_renews_access(clock: Any) -> None:
    fake = FakeLinkedIn(clock=clock, programmatic_refresh=True)
    made = linkedin(fake)
    assert made.extra["refresh_token"] in fake.refresh_tokens
    assert made.extra["refresh_token_expires_at"] == (clock.now + timedelta(days=365)).isoformat()
    clock.advance(days=59)
    renewed = LinkedInConnector(clock=clock).refresh(client(fake), creds(made))
    assert isinstance(renewed, Credentials), renewed
    assert renewed.token != made.token and renewed.token in fake.tokens
    assert renewed.expires_at == clock.now + timedelta(days=60)


@pytest.mark.parametrize("organization", [ORG_ID, ORG])
def test_a_linkedin_page_is_connected_by_number_or_urn(clock: Any, organization: str) -> None:
    fake = FakeLinkedIn(clock=clock)
    browser = Browser(fake)
    made = linkedin(fake, organization=organization, open_url=browser)
    assert made.remote_user == ORG and made.who == ORG
    assert browser.scopes() == [
        "openid",
        "profile",
        "w_member_social",
        "w_organization_social",
        "r_organization_social",
    ]
    assert fake.tokens[made.token].scopes == frozenset(browser.scopes())


def test_a_malformed_page_is_refused_before_the_browser_opens(clock: Any) -> None:
    fake = FakeLinkedIn(clock=clock)
    browser = Browser(fake)
    for bad in ("acme-bakery", "urn:li:person:abc123", ""):
        with pytest.raises(InputError, match="number or urn:li:organization") as err:
            linkedin(fake, organization=bad, open_url=browser)
        assert "\n" not in str(err.value)
    assert browser.opened == [] and fake.requests == []


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("cancel_authorize", "The user cancelled the authorization"),
        ("cancel_login", "The user cancelled LinkedIn login"),
    ],
)
def test_a_cancelled_linkedin_sign_in_is_one_line(clock: Any, answer: str, said: str) -> None:
    fake = FakeLinkedIn(clock=clock, user_answer=answer)
    with pytest.raises(InputError, match=f"did not grant access: {said}$"):
        linkedin(fake)
    assert not any(r.url.path == "/oauth/v2/accessToken" for r in fake.requests)


def test_an_app_without_the_page_product_cannot_sign_in_as_a_page(clock: Any) -> None:
    fake = FakeLinkedIn(clock=clock, app_scopes=frozenset({"openid", "profile", "w_member_social"}))
    with pytest.raises(InputError, match=r'"[rw]_organization_social" is not authorized'):
        linkedin(fake, organization=ORG_ID)
    assert linkedin(fake).remote_user == MEMBER  # as the member it still can


@pytest.mark.parametrize("organization", [None, ORG_ID], ids=["member", "page"])
def test_a_connected_linkedin_account_publishes(clock: Any, organization: str | None) -> None:
    fake = FakeLinkedIn(clock=clock)
    made = linkedin(fake, organization=organization)
    result = LinkedInConnector(clock=clock).publish(
        client(fake), creds(made), Outgoing("Fresh bread at 8 (really) #bakery", "k1")
    )
    assert result.kind == "published", result.detail
    assert fake.published() == {"Fresh bread at 8 (really) #bakery": 1}
    assert fake.posts[0]["author"] == (ORG if organization else MEMBER)


# ---------------------------------------------------------------------------- Facebook, Instagram


def meta(
    fake: FakeGraph, platform: str, browser: Browser | None = None, **kw: object
) -> Connection:
    return meta_oauth(
        client(fake),
        APP_ID,
        APP_SECRET,
        platform,
        graph_url=BASE,
        dialog_url=DIALOG,
        port=0,
        open_url=browser or Browser(fake),
        say=lambda _m: None,
        now=fake.clock,
        **kw,  # type: ignore[arg-type]
    )


# What a Facebook Page sign-in asks for (publish, then read and moderate comments); an
# Instagram one asks for these and its own.
PAGE_SCOPES = [
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "pages_read_user_content",
    "pages_manage_engagement",
]


def paths(fake: FakeGraph) -> list[str]:
    return [r.url.path.removeprefix("/v25.0") for r in fake.requests]


def test_facebook_with_one_page_keeps_a_page_token_that_does_not_expire(clock: Any) -> None:
    fake = FakeGraph(clock=clock)
    browser = Browser(fake)
    made = meta(fake, "facebook", browser)
    assert (made.remote_user, made.token, made.who) == (PAGE_ID, TOKEN, "Jo's Bakery")
    assert made.base_url == BASE and made.expires_at is None and made.extra == {}
    assert browser.scopes() == PAGE_SCOPES
    assert paths(fake) == ["/dialog/oauth", "/oauth/access_token", "/oauth/access_token",
                           "/me/accounts"]  # fmt: skip
    exchange = fake.requests[2]
    assert exchange.method == "GET" and exchange.url.params["grant_type"] == "fb_exchange_token"
    listing = fake.requests[3]
    assert listing.headers["authorization"].startswith("Bearer EAAlong")  # the long-lived one
    assert "access_token" in listing.url.params["fields"].split(",")


def test_several_pages_and_no_page_named_lists_them_in_one_line(clock: Any) -> None:
    fake = FakeGraph(clock=clock, pages=[dict(BAKERY), dict(CAFE)])
    with pytest.raises(InputError) as err:
        meta(fake, "facebook")
    message = str(err.value)
    assert f"Jo's Bakery ({PAGE_ID})" in message and f"Jo's Café ({SECOND_PAGE_ID})" in message
    assert "--page" in message and "\n" not in message
    issued = [*fake.tokens, *fake.user_tokens]
    assert not any(token in message for token in issued)


@pytest.mark.parametrize("page", ["Jo's Café", SECOND_PAGE_ID])
def test_the_page_is_chosen_by_name_or_id(clock: Any, page: str) -> None:
    fake = FakeGraph(clock=clock, pages=[dict(BAKERY), dict(CAFE)])
    made = meta(fake, "facebook", page=page)
    assert (made.remote_user, made.token, made.who) == (SECOND_PAGE_ID, SECOND_TOKEN, "Jo's Café")
    with pytest.raises(InputError, match=r"no Page .Jo's Cafe. among .*check --page"):
        meta(fake, "facebook", page="Jo's Cafe")


def test_instagram_resolves_the_linked_account_and_keeps_the_page(clock: Any) -> None:
    fake = FakeGraph(clock=clock)
    browser = Browser(fake)
    made = meta(fake, "instagram", browser)
    assert (made.remote_user, made.token) == (IG_ID, TOKEN)
    assert made.extra == {"page_id": PAGE_ID} and made.who == "@josbakery"
    assert browser.scopes() == [
        *PAGE_SCOPES,
        "instagram_basic",
        "instagram_content_publish",
        "business_management",
        "instagram_manage_comments",
    ]
    assert f"/{PAGE_ID}" in paths(fake)  # the link read with the Page token


def test_a_page_without_instagram_is_one_line(clock: Any) -> None:
    fake = FakeGraph(clock=clock, pages=[dict(BAKERY), dict(CAFE)])
    with pytest.raises(InputError, match="no Instagram professional account is linked") as err:
        meta(fake, "instagram", page="Jo's Café")
    assert f"Jo's Café ({SECOND_PAGE_ID})" in str(err.value) and "\n" not in str(err.value)
    assert SECOND_TOKEN not in str(err.value)


def test_a_cancelled_facebook_sign_in_or_another_network_is_refused(clock: Any) -> None:
    fake = FakeGraph(clock=clock, user_answer="cancel")
    with pytest.raises(InputError, match="did not grant access: Permissions error"):
        meta(fake, "facebook")
    assert fake.user_tokens == {}
    with pytest.raises(InputError, match="not 'threads'"):
        meta(FakeGraph(clock=clock), "threads")


def test_a_connected_page_publishes_and_its_token_outlives_the_user_token(clock: Any) -> None:
    fake = FakeGraph(clock=clock)
    made = meta(fake, "facebook")
    clock.advance(hours=3)  # a Page token made from the short-lived user token lapses by now
    result = FacebookConnector().publish(client(fake), creds(made), Outgoing("Open at 8", "k1"))
    assert result.kind == "published", result.detail
    assert fake.published("facebook") == {"Open at 8": 1}


def test_a_connected_instagram_account_publishes(clock: Any, tmp_path: Path) -> None:
    fake = FakeGraph(clock=clock)
    made = meta(fake, "instagram")
    photo = MediaFile(str(demo_photo(tmp_path / "p.jpg")), "image/jpeg", "A loaf")
    result = InstagramConnector(poll_wait=0).publish(
        client(fake), creds(made), Outgoing("Sourdough day", "k1", (photo,))
    )
    assert result.kind == "published", result.detail
    assert fake.published("instagram") == {"Sourdough day": 1}
