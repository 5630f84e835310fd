"""End to end in Debian's Chromium (headless, driven by Playwright with the system browser;
no browser is downloaded): the real pages, served by the real app on a seeded demo store.

Screenshots go to build/screenshots/ (or $TACTFUL_SCREENSHOTS); each test prints its path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import chromium, need_browser, opened, serving, shot

from tactful.archives.synthetic import write
from tactful.web import create_app
from tactful.web.auth import digest
from tactful.web.demo import demo_photo, seed

TOKEN = "browser-test-token"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need_browser()
    store = seed(tmp_path_factory.mktemp("demo"))
    app = create_app(store, digest(TOKEN), worker_interval=0.5)  # demo accounts: never sent
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    with opened(browser, server, f"/#token={TOKEN}", "#draft") as pg:
        yield pg


def api(pg: Any, method: str, path: str, body: Any = None) -> Any:
    """A request from inside the signed-in page (its cookie and CSRF token)."""
    return pg.evaluate(
        "async ([m, p, b]) => { const r = await fetch(p, {method: m, credentials: 'same-origin',"
        " headers: {'Content-Type': 'application/json', 'X-CSRF-Token':"
        " sessionStorage.getItem('tactful-csrf')}, body: b === null ? undefined :"
        " JSON.stringify(b)}); return await r.json(); }",
        [method, path, body],
    )


def test_compose_highlight_explain_and_apply_a_fix(page: Any) -> None:
    page.select_option("#kind", "professional")
    page.select_option("#platform", "x")
    page.locator("#draft").press_sequentially("My idiot boss moved the deadline again lol")
    page.wait_for_selector("#backdrop mark.block")
    assert page.text_content("#verdict") == "do not publish"
    assert "/ 280 weighted characters" in page.text_content("#counter")
    assert "work.venting" in page.text_content("#findings")
    assert "Venting about work" in page.text_content("#findings")  # the title, before the id
    # The caret in the highlighted words explains them (keyboard users get it too).
    text = page.input_value("#draft")
    page.evaluate(
        f"() => {{ const d = document.getElementById('draft'); d.focus(); "
        f"d.setSelectionRange({text.index('idiot') + 2}, {text.index('idiot') + 2}); "
        "d.dispatchEvent(new KeyboardEvent('keyup')); }"
    )
    assert page.text_content("#at-caret").strip()
    assert page.locator("#findings li.active").count() >= 1
    shot(page, "composer-findings.png")
    # One click applies a suggested rewording, and the draft is checked again.
    page.fill("#draft", "The launch slipped again, wtf")
    page.wait_for_selector("#findings button.fix")
    page.get_by_role("button", name="with “what on earth”").first.click()
    assert page.input_value("#draft") == "The launch slipped again, what on earth"
    page.wait_for_function("() => !document.getElementById('findings').textContent.includes('wtf')")


def test_overlapping_findings_paint_the_most_severe(page: Any) -> None:
    # The painting itself, on marks given here (what the models say cannot change it): the
    # badge speaks for the worst finding, so where findings overlap the colour must too.
    text = "Great talk with Sam today"
    marks = [[0, 25, "info"], [0, 5, "block"], [6, 10, "warn"], [8, 14, "block"], [20, 30, "over"]]
    painted = page.evaluate(
        "([text, marks]) => { const b = document.createElement('div');"
        " window.tactful.check.highlight(b, text, marks);"
        " return [...b.querySelectorAll('mark')].map((m) => [m.className, m.textContent]); }",
        [text, marks],
    )
    assert painted == [
        ["block", text[0:5]],
        ["info", text[5:6]],
        ["warn", text[6:8]],
        ["block", text[8:14]],
        ["info", text[14:20]],
        ["over", text[20:25]],
    ]


def test_a_post_with_only_notes_reads_ok_with_notes(page: Any) -> None:
    badge = page.evaluate(
        "() => { const b = document.createElement('span'); const v = window.tactful.check;"
        " const out = [];"
        " for (const r of [{verdict: 'ok', findings: [{}]}, {verdict: 'ok', findings: []},"
        " {verdict: 'review', findings: [{}]}]) { v.setVerdict(b, r); out.push([b.textContent,"
        " b.className]); } return out; }"
    )
    assert badge == [
        ["OK, with notes", "badge ok notes"],
        ["OK to publish", "badge ok"],
        ["review before publishing", "badge review"],
    ]
    # End to end: a family post on a professional account is a note (register.personal,
    # info), shown with the rule's title before its id.
    page.select_option("#kind", "professional")
    page.fill("#draft", "Lovely dinner with my wife tonight")
    page.wait_for_selector("#findings li.info")
    assert page.text_content("#verdict") == "OK, with notes"
    item = page.locator("#findings li.info", has_text="register.personal").text_content()
    assert item.index("Personal post on a professional account") < item.index("register.personal")


def test_the_counter_counts_the_way_x_does(page: Any) -> None:
    page.select_option("#platform", "x")
    page.fill("#draft", "日本語" * 100)  # CJK counts 2 on X: 600 of 280
    page.wait_for_function("() => document.getElementById('counter').classList.contains('over')")
    assert page.text_content("#counter").startswith("600 / 280")
    assert "platform.length" in page.text_content("#findings")
    assert page.locator("#backdrop mark").count() >= 1


def test_tagging_without_consent_offers_the_message_and_records_the_ask(page: Any) -> None:
    page.select_option("#account", "jo-x")
    page.fill("#draft", "Great workshop today with @samlee, thank you!")
    page.wait_for_selector(".dm textarea")
    draft = page.input_value(".dm textarea")
    assert draft.startswith("Hi Sam")
    page.get_by_role("button", name="Record that I asked").click()
    page.wait_for_selector(".dm .notice")
    assert "Recorded" in page.text_content(".dm .notice")
    shot(page, "composer-consent.png")
    sam = api(page, "GET", "/api/contacts?search=samlee", None)["items"][0]
    ledger = api(page, "GET", f"/api/contacts/{sam['id']}/consent", None)
    assert [(e["status"], e["platform"]) for e in ledger["consent"]][-1] == ("pending", "x")


def test_attaching_an_image_shows_rights_and_gps_and_offers_a_clean_copy(
    page: Any, tmp_path: Path
) -> None:
    photo = demo_photo(tmp_path / "beach-day.jpg", sky=(250, 200, 120))
    page.select_option("#account", "jo-linkedin")
    page.fill("#draft", "Our offsite, what a view.")
    page.set_input_files("#attach", str(photo))
    page.wait_for_selector(".thumb .leak")
    assert "GPS position" in page.text_content(".thumb")
    assert "rights: unknown" in page.text_content(".thumb")
    page.wait_for_function(
        "() => document.getElementById('findings').textContent.includes('media.location')"
    )
    assert "media.no_rights" in page.text_content("#findings")
    shot(page, "composer-image.png")
    page.get_by_role("button", name="Use a clean copy").click()
    page.wait_for_function(
        "() => document.querySelector('.thumb') && !document.querySelector('.thumb .leak')"
    )
    page.wait_for_function(
        "() => !document.getElementById('findings').textContent.includes('media.location')"
    )
    assert "-clean" in page.text_content(".thumb")


def test_audit_upload_progress_and_report(page: Any, tmp_path: Path) -> None:
    posts = ["Lovely morning run before work."] * 30 + [
        "My client is an idiot who changes the brief every day.",
        "Every Tuesday at 6am I run from my flat on 14 Elm Street.",
    ] * 10
    export = write("x", tmp_path, posts)
    page.goto("/audits")
    page.wait_for_selector("#runs tr")
    page.select_option("#account", "jo-x")
    page.set_input_files("#archive", str(export))
    page.get_by_role("button", name="Start the audit").click()
    page.wait_for_function(
        "() => document.getElementById('status').textContent.includes('done')", timeout=90_000
    )
    assert "50 posts checked" in page.text_content("#status")
    frame = page.frame_locator("#report")
    frame.locator("h1").wait_for()
    assert "X history" in frame.locator("h1").text_content()
    assert frame.locator("mark").count() > 0
    assert frame.locator("svg").count() >= 2  # the charts
    shot(page, "audits-report.png")
    runs = api(page, "GET", "/api/audits", None)["items"]
    assert runs[0]["posts"] == 50 and runs[0]["source"] == "x-archive.zip"


def test_the_consent_ledger_shows_history_and_records_an_answer(page: Any) -> None:
    page.goto("/contacts")
    page.wait_for_selector("#contacts tr th")
    assert "linkedin: @priya-shah, x: @priyashah" in page.text_content("#contacts")
    page.get_by_role("button", name="Consent of Priya Shah").click()
    page.wait_for_selector("#history tr td .badge")
    statuses = page.locator("#history .badge").all_text_contents()
    assert statuses == ["pending", "granted"]
    page.select_option("#answer-status", "withdrawn")
    page.select_option("#answer-platform", "linkedin")
    page.fill("#answer-evidence", "asked to be left out of client posts")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#history .badge').length === 3")
    assert page.locator("#history .badge").all_text_contents()[-1] == "withdrawn"
    page.get_by_role("button", name="Consent of Alex Morgan").click()
    page.wait_for_function(
        "() => document.getElementById('dnt').textContent.includes('do-not-tag')"
    )
    page.get_by_role("button", name="Consent of Dana Brooks").click()
    page.wait_for_function("() => document.querySelectorAll('#history .badge').length === 2")
    shot(page, "contacts-ledger.png")


def test_accounts_media_and_rules_pages(page: Any) -> None:
    page.goto("/accounts")
    page.wait_for_selector("#accounts tr th")
    page.fill("#reason", "clients follow this account now")
    page.select_option("#audience-jo-x", "connections")
    page.locator("#accounts tr", has_text="jo-x").get_by_role("button", name="Save").click()
    page.wait_for_selector("#status.notice")
    assert api(page, "GET", "/api/accounts/jo-x", None)["audience"] == "connections"
    shot(page, "accounts.png")

    page.goto("/media")
    page.wait_for_selector("#library article")
    assert "GPS position" in page.text_content("#library")
    shot(page, "media.png")

    page.goto("/rules#account=jo-x")
    page.wait_for_selector("#rules tr")
    page.select_option("#choice-views\\.political", "off")
    page.wait_for_function(
        "() => document.getElementById('effect-views.political').textContent.startsWith('off')"
    )
    policy = api(page, "GET", "/api/policy?account=jo-x", None)
    assert next(r for r in policy["rules"] if r["id"] == "views.political")["override"] == "off"
    shot(page, "rules.png")


def test_schedule_a_post_with_the_live_check_override_edit_and_cancel(page: Any) -> None:
    import re
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    page.goto("/schedule")
    page.wait_for_selector("#accounts input")
    page.wait_for_selector("#queue article.post")  # the demo's queue
    assert "Wednesday" in page.text_content("#queue") or page.locator("#queue h3").count() >= 2
    here = page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert page.input_value("#zone") == here  # the browser's zone by default
    # The composer's live check, once for each chosen account, as the text is typed.
    page.check("#account-jo-x")
    page.check("#account-jo-linkedin")
    page.locator("#draft").press_sequentially("My idiot boss moved the deadline again lol")
    page.wait_for_selector("#checks section[data-account='jo-x'] .findings li.block")
    page.wait_for_selector("#checks section[data-account='jo-linkedin'] .findings li.block")
    page.wait_for_selector("#backdrop mark.block")
    assert "work.venting" in page.text_content("#checks section[data-account='jo-x']")
    assert page.text_content("#checks section[data-account='jo-x'] .badge") == "do not publish"
    london = datetime.now(ZoneInfo("Europe/London")).date()  # real clock ok: days from today
    day, moved = london + timedelta(days=4), london + timedelta(days=5)
    page.fill("#when", f"{day}T10:00")
    page.select_option("#zone", "Europe/London")
    page.get_by_role("button", name="Schedule", exact=True).click()
    # The gate keeps it as a draft and says why, with the override.
    page.wait_for_selector("#gate:not([hidden])")
    assert "work.venting" in page.text_content("#problems")
    status = page.text_content("#form-status")
    found = re.search(r"kept as draft #(\d+)", status)
    assert found, status
    post_id = found.group(1)
    page.wait_for_selector(f"#post-{post_id} .badge.draft")
    assert page.text_content("#form-title") == f"Edit post #{post_id}"
    shot(page, "schedule.png")
    page.get_by_role("button", name="Schedule anyway").click()
    page.wait_for_selector("#form-status.error")
    assert "Say why" in page.text_content("#form-status")
    page.fill("#override", "agreed with my manager: it is a quote from the play")
    page.get_by_role("button", name="Schedule anyway").click()
    page.wait_for_function(
        "() => document.getElementById('form-status').textContent.startsWith('scheduled #')"
    )
    assert f"{day} 10:00 Europe/London" in page.text_content("#form-status")
    page.wait_for_selector(f"#post-{post_id} .badge.scheduled")
    assert page.locator(f"#post-{post_id} .badge.scheduled").count() == 2
    assert "Let by" in page.text_content(f"#post-{post_id}")
    assert page.text_content("#form-title") == "Schedule a post"
    # Edit its time: the post moves to that day in the agenda.
    page.get_by_role("button", name=f"Edit #{post_id}").click()
    assert page.input_value("#when") == f"{day}T10:00"
    assert page.locator("#account-jo-x").is_disabled()
    page.fill("#when", f"{moved}T11:15")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_function(
        "() => document.getElementById('form-status').textContent.includes('11:15')"
    )
    page.wait_for_function(
        f"() => (document.querySelector('#post-{post_id} .time') || {{}}).textContent === '11:15'"
    )
    saved = api(page, "GET", f"/api/schedule/{post_id}", None)
    assert saved["local_time"] == f"{moved}T11:15" and saved["zone"] == "Europe/London"
    page.locator(f"#post-{post_id} summary").click()
    page.wait_for_function(
        f"() => document.querySelector('#post-{post_id} details').textContent"
        ".includes('No attempts yet')"
    )
    page.select_option("#group", "account")
    page.wait_for_selector("#queue section[aria-label='jo-x'] h4")
    page.select_option("#group", "day")
    # Cancel it (asked once more, in the page).
    page.get_by_role("button", name=f"Cancel #{post_id}").click()
    page.get_by_role("button", name=f"Yes, cancel #{post_id}").click()
    page.wait_for_function(
        "() => document.getElementById('queue-status').textContent.startsWith('Cancelled')"
    )
    page.wait_for_function(f"() => !document.getElementById('post-{post_id}')")
    page.check("#show-all")
    page.wait_for_selector(f"#post-{post_id} .badge.cancelled")
    states = {d["state"] for d in api(page, "GET", f"/api/schedule/{post_id}", None)["deliveries"]}
    assert states == {"cancelled"}


def test_the_schedule_shows_each_attempt_and_retries(page: Any) -> None:
    from datetime import UTC, datetime

    page.goto("/schedule")
    page.wait_for_selector("#queue article.post")
    assert page.text_content("#worker").startswith("Publishing is on")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")  # due at once: real clock ok
    body = {"text": "Lunch and learn at noon.", "accounts": ["jo-x"], "local_time": now}
    post_id = api(page, "POST", "/api/schedule", {**body, "zone": "UTC"})["id"]
    page.click("#refresh")
    # The worker takes it; the demo account is not connected, so it needs attention.
    page.wait_for_function(
        f"() => {{ document.getElementById('refresh').click(); "
        f"return !!document.querySelector('#post-{post_id} .badge.needs_attention'); }}",
        polling=300,
    )
    card = page.locator(f"#post-{post_id}")
    assert "jo-x is not connected: tactful accounts connect jo-x" in card.text_content()
    card.locator("summary").click()
    # The table fills from the post's attempt log; wait for the attempt's outcome to be in it
    # (a refresh still in flight may redraw the card once more).
    page.wait_for_function(
        f"() => [...document.querySelectorAll('#post-{post_id} details tbody tr td')]"
        ".some((td) => td.textContent === 'needs attention')",
        polling=100,
    )
    row = card.locator("details tbody tr").first
    cells = row.locator("td").all_text_contents()
    assert cells[1:5] == ["jo-x", "check", "1", "needs attention"]
    assert cells[6] == "jo-x is not connected: tactful accounts connect jo-x"
    headers = card.locator("details th").all_text_contents()
    assert headers == ["Time", "Account", "Action", "Part", "Outcome", "HTTP", "Detail"]
    shot(page, "schedule-attempts.png")
    card.get_by_role("button", name=f"Try #{post_id} again").click()
    page.wait_for_function(
        "() => document.getElementById('queue-status').textContent.includes('queued again')"
    )
    api(page, "POST", f"/api/schedule/{post_id}/cancel", None)


def test_every_control_has_a_label_and_a_phone_width_window_fits(page: Any) -> None:
    unlabeled_js = (
        "() => [...document.querySelectorAll('main input, main select, main textarea,"
        " main button')].filter(e => !e.closest('[hidden]') && !(e.labels && e.labels.length)"
        " && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.id || e.outerHTML)"
    )
    for path in ("/", "/schedule", "/accounts", "/contacts", "/media", "/audits", "/rules"):
        page.goto(path)
        page.wait_for_selector("main:not([hidden])")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(unlabeled_js) == [], path
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/schedule", "/contacts", "/audits"):
        page.goto(path)
        page.wait_for_selector("main:not([hidden])")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth + 1"
        ), path
    page.goto("/")
    page.wait_for_selector("main:not([hidden])")  # typing before the page is ready is lost
    page.wait_for_load_state("networkidle")
    page.fill("#draft", "Still hungover from the bar crawl, shots shots shots")
    page.wait_for_selector("#backdrop mark")
    shot(page, "composer-phone.png")


def test_a_wrong_token_shows_the_sign_in_form(browser: Any, server: str) -> None:
    context = browser.new_context(base_url=server)
    pg = context.new_page()
    pg.goto("/#token=wrong")
    pg.wait_for_selector("#signin:not([hidden])")
    assert "not the access token" in pg.text_content("#signin-error")
    assert pg.locator("main").is_hidden()
    context.close()


def test_the_api_docs_list_every_operation_and_expand_one(page: Any) -> None:
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    response = page.goto("/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock")
    assert page.locator(".swagger-ui .errors-wrapper").count() == 0
    assert "Unable to render" not in page.text_content("#swagger-ui")
    assert "OAS 3.1" in page.text_content(".info")
    assert page.locator(".opblock").count() >= 20
    check = page.locator(".opblock-post").filter(has_text="/api/check").first
    assert "Check one post" in check.text_content()
    # Expanding an operation shows its request body, responses and a Try it out button.
    rules = page.locator(".opblock-get").filter(has_text="/api/rules").first
    rules.locator(".opblock-summary").click()
    rules.locator(".opblock-body .responses-table").wait_for()
    assert "Successful Response" in rules.locator(".opblock-body").text_content()
    # Try it out from the signed-in browser: the session cookie goes along.
    rules.get_by_role("button", name="Try it out").click()
    rules.get_by_role("button", name="Execute").click()
    status = rules.locator(".live-responses-table tr.response .response-col_status")
    status.wait_for()
    assert status.text_content().strip() == "200"
    assert "platform.length" in rules.locator(".live-responses-table").text_content()
    shot(page, "api-docs.png")
    assert blocked == []


def test_this_is_wrong_hides_a_finding_on_the_account_and_shows_it_again(page: Any) -> None:
    page.select_option("#account", "jo-x")
    page.fill("#draft", "Call me on 07700 900123 after the launch.")
    finding = page.locator("#findings li", has_text="safety.contact")
    finding.wait_for()
    finding.get_by_role("button", name="This is wrong").click()
    finding.get_by_label("Why is this finding wrong?").fill("the office switchboard")
    finding.get_by_role("button", name="Hide it on this account").click()
    page.wait_for_selector("#hidden:not([hidden]) summary")
    assert page.text_content("#hidden summary") == "1 finding hidden by your feedback"
    assert "safety.contact" not in page.text_content("#findings")
    assert "Hidden on jo-x from now on" in page.text_content("#feedback-status")
    shot(page, "composer-feedback.png")
    listed = api(page, "GET", "/api/feedback?account=jo-x", None)["items"]
    assert [(f["rule_id"], f["reason"]) for f in listed] == [
        ("safety.contact", "the office switchboard")
    ]
    page.click("#hidden summary")
    page.get_by_role("button", name="Show it again").click()
    page.locator("#findings li", has_text="safety.contact").wait_for()
    assert page.locator("#hidden").is_hidden()
    assert api(page, "GET", "/api/feedback?account=jo-x", None)["items"] == []
