"""The Inbox page end to end in Debian's Chromium (headless, driven by Playwright with the
system browser, as test_browser.py does): the real page, served by the real app, answering
through fake networks (Mastodon and Meta's Graph API, on the client the app is given).

Screenshots go to build/screenshots/ (or $TACTFUL_SCREENSHOTS); each test prints its path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import chromium, need_browser, opened, serving, shot
from inbox_setup import Networks, seed_facebook, seed_inbox

from tactful.core.factory import checker_for
from tactful.inbox.evidence import verify
from tactful.store import Store
from tactful.web import create_app
from tactful.web.auth import digest

TOKEN = "inbox-browser-token"
HOSTILE = "You clearly have no idea what you're talking about. Do your research."


@pytest.fixture(scope="module")
def networks() -> Any:
    from fake_inbox_actions import FakeGraphActions, FakeMastodonActions
    from inbox_setup import T0

    return FakeMastodonActions(clock=lambda: T0), FakeGraphActions()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, networks: Any) -> Iterator[str]:
    need_browser()
    from fake_http import client

    masto, graph = networks
    # The sealed tokens' key outlives each test's private data folder: one for the module.
    keys = pytest.MonkeyPatch()
    keys.setenv("TACTFUL_KEY_FILE", str(tmp_path_factory.mktemp("keys") / "tokens.key"))
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('inbox') / 'inbox.db'}")
    checker = checker_for(None)
    seed_inbox(store, masto, checker)
    seed_facebook(store, graph, checker)
    both = Networks(("social.example", masto), ("graph.fake.test", graph))
    app = create_app(store, digest(TOKEN), inbox_http=lambda: client(both))
    with serving(app) as url:
        yield url
    store.dispose()
    keys.undo()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    with opened(browser, server, f"/inbox#token={TOKEN}", "#items li", accept_downloads=True) as pg:
        yield pg


def _classes(pg: Any) -> list[str]:
    return list(pg.eval_on_selector_all("#items li", "els => els.map(e => e.dataset.class)"))


def test_the_inbox_lists_items_by_priority_with_filters(page: Any) -> None:
    assert page.get_attribute("nav a[href='/inbox']", "aria-current") == "page"  # in the nav
    first = page.locator("#items li").first
    assert (
        "WHERE YOU ARE" in first.inner_text() and "waiting outside your house" in first.inner_text()
    )
    order = _classes(page)
    assert order.index("complaint") < order.index("trolling") < order.index("question")
    assert order.index("question") < order.index("praise")
    shot(page, "inbox-list.png")
    page.select_option("#filter-class", "complaint")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#items li')].every(li => li.dataset.class === 'complaint')"
    )
    texts = page.locator("#items li").all_inner_texts()
    assert len(texts) == 2 and "Still no refund" in texts[0]  # oldest first
    page.select_option("#filter-class", "")
    page.select_option("#filter-account", "acme-fb")
    page.wait_for_function("() => document.querySelectorAll('#items li').length === 1")
    assert "Typical clowns" in page.inner_text("#items")


def test_a_reply_is_checked_as_typed_and_a_hostile_one_flagged(page: Any, networks: Any) -> None:
    masto, _ = networks
    page.locator("#items li", has_text="Still no refund").click()
    page.wait_for_selector("#detail:not([hidden])")
    assert page.input_value("#draft").startswith("Hi @pat@elsewhere.example")  # the drafted reply
    page.wait_for_function(
        "() => document.getElementById('verdict').textContent === 'OK to publish'"
    )
    assert "private channel" in page.inner_text("#detail-action")
    page.fill("#draft", "")
    page.locator("#draft").press_sequentially(HOSTILE)
    page.wait_for_selector("#findings li.warn")
    assert "engagement.hostile_reply" in page.inner_text("#findings")
    assert page.inner_text("#verdict") == "review before publishing"
    page.wait_for_selector("#backdrop mark")
    shot(page, "inbox-reply-flagged.png")
    page.fill("#draft", "You are an idiot and a liar")
    page.wait_for_selector("#override-row:not([hidden])")
    assert page.inner_text("#verdict") == "do not publish"
    page.click("#send-reply")
    page.wait_for_function(
        "() => document.getElementById('reply-status').textContent.includes('--override')"
    )
    assert masto.replies_to("7006") == []  # stopped before it went
    page.click("#use-draft")
    page.wait_for_function(
        "() => document.getElementById('verdict').textContent === 'OK to publish'"
    )
    page.click("#send-reply")
    page.wait_for_function(  # an answer, whichever it is, so a failure says what it was
        "() => !['', 'Sending…'].includes(document.getElementById('reply-status').textContent)"
    )
    assert page.inner_text("#reply-status") == "Sent."
    page.wait_for_selector("#history li[data-action='reply']")
    assert "reply: done" in page.inner_text("#history")
    (sent,) = masto.replies_to("7006")
    assert "sorry" in sent["content"]


def test_hide_a_comment_and_show_it_again(page: Any, networks: Any) -> None:
    _, graph = networks
    page.select_option("#filter-account", "acme-fb")
    page.wait_for_function("() => document.querySelectorAll('#items li').length === 1")
    page.locator("#items li").first.click()
    page.wait_for_selector("#detail:not([hidden])")
    assert page.is_disabled("#do-mute") and not page.is_disabled("#do-hide")
    assert "Don't feed the troll" in page.inner_text("#hold-back")
    page.click("#do-hide")
    page.wait_for_selector("#history li[data-action='hide']")
    assert "hide: done" in page.inner_text("#history") and graph.comments["1001_555"]["hidden"]
    page.wait_for_selector("#action-status:has-text('hide: done')")  # said, and still there
    shot(page, "inbox-hidden.png")
    page.click("#history li[data-action='hide'] button")
    page.wait_for_selector("#history li[data-action='hide'] >> text=undone")
    page.wait_for_selector("#action-status:has-text('hide taken back.')")
    assert graph.comments["1001_555"]["hidden"] is False


def test_evidence_export_downloads_a_verifiable_chain(page: Any, tmp_path: Path) -> None:
    with page.expect_download() as made:
        page.click("#evidence-json")
    path = tmp_path / "evidence.json"
    made.value.save_as(path)
    document = json.loads(path.read_text("utf-8"))
    assert document["records_count"] == 1 and "outside your house" in document["records"][0]["text"]
    assert verify(path) == []
    with page.expect_download() as made:
        page.click("#evidence-html")
    html = tmp_path / "evidence.html"
    made.value.save_as(html)
    assert "outside your house" in html.read_text("utf-8") and "<script" not in html.read_text(
        "utf-8"
    )
