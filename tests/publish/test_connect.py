"""Connecting accounts: OAuth 2.0 through a browser with a local callback (X with PKCE,
Mastodon with app registration), Bluesky with an app password; and what the worker then
does with tokens that expire: renewed ahead of a post, one notice when the network refuses."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fake_bluesky import APP_PASSWORD, DID, HANDLE, FakeBluesky
from fake_http import client
from fake_mastodon import FakeMastodon
from fake_x import BASE as X_BASE
from fake_x import CLIENT_ID, FakeX
from test_worker import at, checker

from tactful.errors import InputError
from tactful.publish import connect
from tactful.publish.connectors.x import XConnector
from tactful.publish.outbox import get_post, open_notices, schedule
from tactful.publish.vault import open_sealed
from tactful.publish.worker import Worker
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.models import CredentialRow


def browser(fake: object, *, answer: str | None = None):  # type: ignore[no-untyped-def]
    """A user who clicks "Authorize" on the fake network's page: its redirect is followed to
    the local callback over a real socket. ``answer`` replaces the callback's query."""

    def open_url(url: str) -> None:
        page = fake.handle(httpx.Request("GET", url))  # type: ignore[attr-defined]
        assert page.status_code == 302, page.text
        target = httpx.URL(page.headers["location"])
        if answer is not None:
            target = target.copy_with(query=answer.encode())
        assert target.host == "127.0.0.1"  # the callback never leaves this machine
        httpx.get(str(target), timeout=5)

    return open_url


def x_connection(fake: FakeX, **kw: object) -> connect.Connection:
    return connect.x_oauth(
        client(fake),
        CLIENT_ID,
        api_url=X_BASE,
        authorize_url=f"{X_BASE}/i/oauth2/authorize",
        port=0,
        open_url=browser(fake, **kw),  # type: ignore[arg-type]
        say=lambda _m: None,
        now=fake.clock,
    )


def test_x_signs_in_through_the_browser_with_pkce(clock) -> None:
    fake = FakeX(clock=clock)
    made = x_connection(fake)
    assert made.remote_user == "2244994945" and made.who == "@tactful_jo"
    assert made.extra["client_id"] == CLIENT_ID and made.extra["refresh_token"]
    assert made.expires_at is not None
    token_call = next(r for r in fake.requests if r.url.path == "/2/oauth2/token")
    assert b"code_verifier=" in token_call.content  # PKCE, checked by the fake
    assert fake.tokens[made.token] == made.remote_user


def test_a_refusal_or_a_forged_answer_is_one_line(clock) -> None:
    fake = FakeX(clock=clock)
    with pytest.raises(InputError, match="did not grant access: The user said no"):
        x_connection(fake, answer="error=access_denied&error_description=The+user+said+no")
    with pytest.raises(InputError, match="did not match this request"):
        x_connection(fake, answer="code=stolen&state=not-the-one")


def test_mastodon_registers_tactful_and_reads_the_instance_limits() -> None:
    fake = FakeMastodon(limit=1000)
    made = connect.mastodon_oauth(
        client(fake),
        "https://social.example",
        port=0,
        open_url=browser(fake),
        say=lambda _m: None,
    )
    assert made.remote_user == "109" and made.token.startswith("oauth-token-")
    assert made.limits == {
        "max_characters": 1000,
        "max_images": 4,
        "types": ["image/jpeg", "image/png"],
        "max_bytes": 16777216,
        "characters_reserved_per_url": 23,
    }
    # Asked for, and granted: reading statuses back after a lost answer needs read:statuses,
    # the inbox's sync read:notifications, its mute and block write:mutes and write:blocks.
    assert fake.scopes[made.token] == {
        "read:accounts",
        "read:statuses",
        "read:notifications",
        "write:statuses",
        "write:media",
        "write:mutes",
        "write:blocks",
    }


def test_bluesky_connects_with_an_app_password(clock) -> None:
    fake = FakeBluesky(clock=clock)
    made = connect.bluesky(client(fake), "https://pds.fake.test", HANDLE, APP_PASSWORD)
    assert made.remote_user == DID and made.expires_at is not None
    with pytest.raises(InputError, match="wrong handle or app password"):
        connect.bluesky(client(fake), "https://pds.fake.test", HANDLE, "wrong-pass")
    with pytest.raises(InputError, match="https://"):
        connect.bluesky(client(fake), "http://pds.example", HANDLE, APP_PASSWORD)


def _connected_x(store: Store, fake: FakeX, clock) -> None:  # type: ignore[no-untyped-def]
    made = x_connection(fake)
    with store.session() as s:
        add_account(s, "jo-x", platform="x", kind="professional", handle="@tactful_jo")
        connect.save(s, "jo-x", made)


def _x_worker(store: Store, fake: FakeX, clock) -> Worker:  # type: ignore[no-untyped-def]
    return Worker(
        store,
        name="w",
        clock=clock,
        lease_clock=clock.database,
        http=client(fake),
        connector_for=lambda _p: XConnector(clock=clock),
    )


def test_a_token_is_renewed_ahead_of_the_post_and_the_post_goes_out(store: Store, clock) -> None:
    fake = FakeX(clock=clock)
    _connected_x(store, fake, clock)
    with store.session() as s:
        done = schedule(s, checker(store), "Our winter hours are up.", ["jo-x"], at(clock, 130),
                        actor="jo")  # fmt: skip
    w = _x_worker(store, fake, clock)
    clock.advance(minutes=60)
    assert w.run_once() == 0 and w.tally.refreshed == 0  # the post is not due for a while
    clock.advance(minutes=45)  # the token (2 h) lapses at 11:00, before the post at 11:10
    assert w.run_once() == 0 and w.tally.refreshed == 1  # renewed ahead, nothing due yet
    assert w.run_once() == 0 and w.tally.refreshed == 1  # and not again
    with store.session() as s:
        row = s.query(CredentialRow).one()
        assert row.expires_at is not None and row.expires_at > clock.now + timedelta(hours=1)
        assert open_sealed(row.secret)["refresh_token"] != "refresh-1"
    clock.advance(minutes=25)
    assert w.run_once() == 1
    assert fake.published() == {"Our winter hours are up.": 1}
    with store.session() as s:
        assert get_post(s, f"#{done.post_id}").deliveries[0].state == "published"


def test_a_refused_refresh_notifies_once_and_reconnecting_clears_it(store: Store, clock) -> None:
    fake = FakeX(clock=clock)
    _connected_x(store, fake, clock)
    with store.session() as s:
        schedule(s, checker(store), "Open day on Saturday.", ["jo-x"], at(clock, 130), actor="jo")
    fake.revoke_app()
    clock.advance(minutes=105)
    w = _x_worker(store, fake, clock)
    w.run_once()
    w.run_once()
    clock.advance(minutes=5)
    w.run_once()
    with store.session() as s:
        notices = open_notices(s)
    assert len(notices) == 1 and notices[0].account == "jo-x"
    assert "connect the account again" in notices[0].message
    clock.advance(minutes=25)  # due: the post needs attention, the user has been told
    w.run_once()
    with store.session() as s:
        view = get_post(s, "#1")
        assert view.deliveries[0].state == "needs_attention"
    assert fake.published() == {}
    with store.session() as s:  # connecting again answers the notice
        connect.save(s, "jo-x", x_connection(fake))
        assert open_notices(s) == []
