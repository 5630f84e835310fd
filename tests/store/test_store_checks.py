"""The checker with a store: tags vs the consent ledger, images vs the media library, the
account's own policy, and client names sharpening the work rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from drawn_images import faces_image, landscape, save_with_metadata

from tactful.core.checker import Checker
from tactful.core.findings import Report, Severity, Verdict
from tactful.core.post import Post
from tactful.store import Store
from tactful.store.accounts import add_account
from tactful.store.consent import record_consent, set_do_not_tag
from tactful.store.contacts import add_contact
from tactful.store.media import add_media, add_release, set_rights
from tactful.store.snapshot import load_snapshot

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the ledger is written and read at this time


@pytest.fixture
def world(store: Store) -> Store:
    with store.session() as s:
        add_account(s, "acme-li", platform="linkedin", kind="brand", handle="@acme")
        add_account(s, "sam-li", platform="linkedin", kind="personal")
        add_account(
            s,
            "sam-x",
            platform="x",
            kind="personal",
            policy={"rules": {"views.political": "block"}},
        )
        add_contact(s, "Jane Doe", handles={"linkedin": "@jane-doe", "x": "@janed"})
        add_contact(s, "Bob Stone", handles={"linkedin": "@bob-stone"})
        add_contact(s, "Chris Wu", handles={"linkedin": "@chris-wu"})
        add_contact(s, "Dana Kim", handles={"linkedin": "@dana-kim"})
        add_contact(
            s,
            "Northwind",
            kind="organisation",
            relation="client",
            handles={"linkedin": "@northwind"},
        )
        add_contact(
            s,
            "Rival Ltd",
            kind="organisation",
            relation="competitor",
            handles={"linkedin": "@rival"},
        )
        add_contact(
            s, "Globex", kind="organisation", relation="partner", handles={"linkedin": "@globex"}
        )
        add_contact(
            s, "Initech", kind="organisation", relation="other", handles={"linkedin": "@initech"}
        )
        add_contact(
            s,
            "Umbrella",
            kind="organisation",
            relation="supplier",
            handles={"linkedin": "@umbrella"},
        )
        add_contact(
            s, "Priya Raman", relation="client", organisation="Acme Foods", handles={"x": "@priya"}
        )
        record_consent(s, "@jane-doe", "granted", actor="me", platform="linkedin", now=NOW)
        record_consent(
            s, "@bob-stone", "refused", actor="me", reason="keeps a low profile", now=NOW
        )
        record_consent(
            s,
            "@chris-wu",
            "granted",
            actor="me",
            expires_at=NOW + timedelta(days=1),
            now=NOW - timedelta(days=400),
        )
        record_consent(s, "@dana-kim", "pending", actor="me", platform="linkedin", now=NOW)
        set_do_not_tag(s, "@umbrella", active=True, reason="contract dispute", actor="me")
    return store


def checker_for(store: Store, when: datetime = NOW) -> Checker:
    with store.session() as s:
        snap = load_snapshot(s, now=when)
    return Checker(store=snap)


def run(store: Store, text: str, *, when: datetime = NOW, **context) -> Report:
    context.setdefault("platform", "linkedin")
    context.setdefault("account_kind", "professional")
    return checker_for(store, when).check(Post.build(text, **context))


def by_rule(report: Report, rule: str) -> list:
    return [f for f in report.findings if f.rule_id == rule]


def test_tags_follow_the_consent_ledger(world: Store) -> None:
    text = "Thanks @jane-doe, @bob-stone, @dana-kim and @newperson for a lovely workshop."
    report = run(world, text)
    found = {f.matched: f for f in by_rule(report, "tags.no_consent")}
    assert set(found) == {"bob-stone", "dana-kim", "newperson"}
    assert (
        found["bob-stone"].severity is Severity.BLOCK
        and "keeps a low profile" in found["bob-stone"].message
    )
    assert report.verdict is Verdict.BLOCKED
    pending = found["dana-kim"]
    assert "not answered" in pending.message
    start, end = pending.spans[0]
    assert text[start:end] == "@dana-kim"
    actions = {s.action: s for s in pending.suggestions}
    assert actions["message"].replacement.startswith("Hi Dana")
    assert "@dana-kim" not in actions["replace"].replacement
    assert "Dana Kim" in actions["replace"].replacement
    assert "consent ask @newperson" in found["newperson"].suggestions[-1].description
    # With a store the ledger decides: someone not in the contacts is a warning, not the
    # reminder a check without a store gives.
    assert found["newperson"].severity is Severity.WARN


def test_consent_is_per_platform(world: Store) -> None:
    # Jane agreed for LinkedIn only; her X handle has no grant.
    assert not by_rule(run(world, "Great talk by @jane-doe"), "tags.no_consent")
    report = run(world, "Great talk by @janed", platform="x")
    assert [f.matched for f in by_rule(report, "tags.no_consent")] == ["janed"]


def test_an_expired_grant_needs_asking_again(world: Store) -> None:
    assert not by_rule(run(world, "With @chris-wu today"), "tags.no_consent")
    later = NOW + timedelta(days=2)
    f = by_rule(run(world, "With @chris-wu today", when=later), "tags.no_consent")
    assert f and "expired" in f[0].message


def test_business_tags(world: Store) -> None:
    report = run(
        world, "Proud to work with @northwind, @globex and @umbrella. Unlike @rival. Hi @initech"
    )
    found = {f.matched: f for f in by_rule(report, "tags.business_association")}
    assert set(found) == {"umbrella", "rival", "initech"}
    assert (
        found["umbrella"].severity is Severity.BLOCK
        and "contract dispute" in found["umbrella"].message
    )
    assert found["rival"].check == "competitor"
    assert found["initech"].check == "no-relationship"
    assert "Rival Ltd" in found["rival"].suggestions[0].replacement


def test_tags_outside_the_text_and_replies(world: Store) -> None:
    report = run(world, "What a day at the summit!", mentions=["@bob-stone"])
    f = by_rule(report, "tags.no_consent")
    assert f and f[0].spans == () and f[0].target == "mention:@bob-stone"
    reply = run(world, "@newperson thanks, glad it helped", reply_to="@newperson")
    assert not by_rule(reply, "tags.no_consent")


def test_no_store_means_a_reminder_to_ask_not_a_warning() -> None:
    report = Checker().check(Post.build("Thanks @someone!", platform="linkedin"))
    reminders = by_rule(report, "tags.no_consent")
    assert reminders and all(f.severity is Severity.INFO for f in reminders)


def test_images_against_the_library(world: Store, tmp_path: Path) -> None:
    team = tmp_path / "team.png"
    faces_image(2).save(team)
    unknown = tmp_path / "found-online.png"
    landscape().save(unknown)
    gps = save_with_metadata(landscape(), tmp_path / "home.jpg")
    with world.session() as s:
        add_media(s, team)
        set_rights(s, str(team), "own", actor="me")
        add_release(s, str(team), "Jane Doe", actor="me")
        add_media(s, gps)
        set_rights(s, str(gps), "own", actor="me")
    report = run(world, "Our team!", media=[str(team), str(unknown), str(gps)])
    rules = {(f.rule_id, f.target) for f in report.findings if f.rule_id.startswith("media.")}
    assert rules == {
        ("media.people", "media:team.png"),
        ("media.no_rights", "media:found-online.png"),
        ("media.location", "media:home.jpg"),
    }
    people = by_rule(report, "media.people")[0]
    assert "2 people but 1 recorded release" in people.message
    with world.session() as s:
        add_release(s, str(team), "Ben Ode", actor="me")
    report = run(world, "Our team!", media=[str(team)])
    assert not [f for f in report.findings if f.rule_id.startswith("media.")]


def test_location_metadata_is_found_without_a_store(tmp_path: Path) -> None:
    gps = save_with_metadata(landscape(), tmp_path / "home.jpg")
    report = Checker().check(Post.build("Home sweet home", media=[str(gps)]))
    (f,) = by_rule(report, "media.location")
    assert f.severity is Severity.WARN and "51.5074" in f.message
    assert not by_rule(report, "media.no_rights")


def test_the_accounts_own_policy_applies(world: Store) -> None:
    text = "Vote them out in November. This government has wrecked the economy."
    plain = run(world, text, platform="x", account_kind="personal")
    assert {f.severity for f in by_rule(plain, "views.political")} == {Severity.INFO}
    own = run(world, text, platform="x", account_kind="personal", account_name="sam-x")
    assert {f.severity for f in by_rule(own, "views.political")} == {Severity.BLOCK}
    assert own.policy_layers[-1] == "account:sam-x"


def test_a_personal_post_on_the_company_page_names_the_right_account(world: Store) -> None:
    text = "Feeling so grateful today. My daughter took her first steps last night and I cried like a baby, love you all!"
    report = run(world, text, account_kind="brand", account_name="acme-li")
    f = by_rule(report, "account.mismatch")
    assert f and "'sam-li'" in f[0].suggestions[0].description


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Northwind's new CFO told us they are cutting a third of the team next month.",
            "work.confidential",
        ),
        (
            "Had lunch with the Acme Foods people. Their budget for next year is half of this year's.",
            "work.confidential",
        ),
        (
            "Guess who called me at 11pm again? Northwind. Every single week, the same drama.",
            "work.client_story",
        ),
    ],
)
def test_client_names_sharpen_work_rules(world: Store, text: str, rule: str) -> None:
    report = run(world, text)
    hits = [f for f in by_rule(report, rule) if f.detector == "clients"]
    assert hits, [(f.rule_id, f.detector) for f in report.findings]
    names = {text[s:e].removesuffix("'s") for f in hits for s, e in f.spans}
    assert names & {"Northwind", "Acme Foods"}


@pytest.mark.parametrize(
    "text",
    [
        "Proud to have helped Northwind launch their new store in Leeds this week!",
        "Congratulations to the Acme Foods team on the award.",
        "Our northwind delivery arrived early.",
    ],
)
def test_client_names_alone_are_fine(world: Store, text: str) -> None:
    report = run(world, text)
    assert not [f for f in report.findings if f.detector == "clients"]


def test_do_not_tag_and_withdrawals_are_honoured(world: Store) -> None:
    with world.session() as s:
        add_contact(s, "Pat Lee", handles={"linkedin": "@pat-lee"})
        record_consent(s, "@pat-lee", "granted", actor="me", now=NOW)
        set_do_not_tag(s, "@pat-lee", active=True, reason="stalker risk", actor="me")
        record_consent(s, "@northwind", "withdrawn", actor="me", reason="new comms policy", now=NOW)
    report = run(world, "With @pat-lee and the @northwind team")
    person = by_rule(report, "tags.no_consent")
    org = by_rule(report, "tags.business_association")
    assert person and person[0].severity is Severity.BLOCK and "stalker risk" in person[0].message
    assert org and org[0].severity is Severity.BLOCK and "withdrawn" in org[0].message


def test_gps_written_only_in_xmp_is_a_location(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    meta.add_itxt(
        "XML:com.adobe.xmp", '<x:xmpmeta><rdf:Description exif:GPSLatitude="51,30.4N"/></x:xmpmeta>'
    )
    path = tmp_path / "x.png"
    landscape().save(path, pnginfo=meta)
    (f,) = by_rule(Checker().check(Post.build("hi", media=[str(path)])), "media.location")
    assert f.severity is Severity.WARN and "where it was taken" in f.message
