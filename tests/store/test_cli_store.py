"""The store commands end to end through the CLI: accounts, contacts, consent, media, db and
check --account/--media; bad input gives one line and exit code 2, and keeps what was done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from drawn_images import faces_image, landscape, save_with_metadata
from store_fixtures import latest_revision

from tactful.cli.main import main

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def cli(store_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TACTFUL_DB", store_url)

    def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.stdout, result.stderr

    return run


def one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tactful: error: "), err
    for n in needles:
        assert n in lines[0], err


def test_accounts_commands(cli) -> None:
    code, out, _ = cli(
        "accounts",
        "add",
        "acme-li",
        "--platform",
        "linkedin",
        "--kind",
        "brand",
        "--handle",
        "@acme",
    )
    assert code == 0 and "added account acme-li" in out
    cli(
        "accounts",
        "add",
        "me-ig",
        "--platform",
        "instagram",
        "--kind",
        "personal",
        "--audience",
        "friends",
        "--clients-in-audience",
    )
    code, out, _ = cli("accounts", "list", "--json")
    data = json.loads(out)
    assert [a["name"] for a in data] == ["acme-li", "me-ig"] and data[1]["clients_in_audience"]
    code, out, _ = cli(
        "accounts", "edit", "me-ig", "--no-clients-in-audience", "--rename", "me-insta"
    )
    assert code == 0
    code, out, _ = cli("accounts", "show", "me-insta")
    assert "clients_in_audience: False" in out
    one_line_error(*cli("accounts", "remove", "me-insta", "--yes")[::2], "--purge")
    code, out, _ = cli("accounts", "remove", "me-insta", "--yes", "--purge")
    assert code == 0
    one_line_error(*cli("accounts", "show", "me-insta")[::2], "no account named", "acme-li")
    one_line_error(
        *cli("accounts", "add", "acme-li", "--platform", "x", "--kind", "brand")[::2], "exists"
    )
    one_line_error(*cli("accounts", "edit", "acme-li")[::2], "nothing to change")


def test_account_policy_file(cli, tmp_path: Path) -> None:
    good = tmp_path / "p.yml"
    good.write_text("rules:\n  views.political: block\n")
    bad = tmp_path / "bad.yml"
    bad.write_text("rules:\n  views.nonsense: block\n")
    assert (
        cli("accounts", "add", "a", "--platform", "x", "--kind", "personal", "--policy", str(good))[
            0
        ]
        == 0
    )
    one_line_error(
        *cli("accounts", "add", "b", "--platform", "x", "--kind", "personal", "--policy", str(bad))[
            ::2
        ],
        "views.nonsense",
    )
    code, out, _ = cli(
        "check",
        "Vote them out in November. This government has wrecked the economy.",
        "--account",
        "a",
        "--format",
        "json",
    )
    report = json.loads(out)
    assert code == 1 and report["policy_layers"][-1] == "account:a"
    assert {f["severity"] for f in report["findings"] if f["rule_id"] == "views.political"} == {
        "block"
    }


def test_contacts_and_consent_flow(cli) -> None:
    code, out, _ = cli(
        "contacts", "import", str(FIXTURES / "linkedin" / "Connections.csv"), "--relation", "client"
    )
    assert code == 0 and "3 added" in out and "1 not imported" in out
    cli(
        "contacts",
        "add",
        "Rival Ltd",
        "--kind",
        "organisation",
        "--relation",
        "competitor",
        "--handle",
        "linkedin:@rival",
    )
    code, out, _ = cli("contacts", "list", "--relation", "client", "--json")
    assert {c["name"] for c in json.loads(out)} == {"Priya Raman", "Tomás Ó Briain", "Lee"}
    code, out, _ = cli(
        "consent",
        "ask",
        "@priya-raman-4b2a",
        "--platform",
        "linkedin",
        "--about",
        "our spring campaign",
        "--sign",
        "Sam",
    )
    assert code == 0 and "Hi Priya" in out and "our spring campaign" in out and "pending" in out
    code, out, _ = cli(
        "check",
        "Thanks @priya-raman-4b2a for the campaign!",
        "--platform",
        "linkedin",
        "--account-kind",
        "professional",
        "--format",
        "json",
    )
    tags = [f for f in json.loads(out)["findings"] if f["rule_id"] == "tags.no_consent"]
    assert code == 1 and tags and tags[0]["suggestions"][0]["action"] == "message"
    assert (
        cli(
            "consent",
            "grant",
            "@priya-raman-4b2a",
            "--platform",
            "linkedin",
            "--evidence",
            "DM",
            "--expires",
            "1y",
            "--by",
            "sam",
        )[0]
        == 0
    )
    code, out, _ = cli(
        "check",
        "Thanks @priya-raman-4b2a for the campaign!",
        "--platform",
        "linkedin",
        "--account-kind",
        "professional",
        "--format",
        "json",
    )
    assert not [f for f in json.loads(out)["findings"] if f["rule_id"].startswith("tags.")]
    code, out, _ = cli("consent", "history", "@priya-raman-4b2a", "--json")
    events = json.loads(out)["consent"]
    assert [e["status"] for e in events] == ["pending", "granted"] and events[1]["actor"] == "sam"
    code, out, _ = cli("consent", "status", "@priya-raman-4b2a", "--platform", "linkedin")
    assert "granted" in out
    assert cli("consent", "do-not-tag", "@rival", "--reason", "ongoing dispute")[0] == 0
    code, out, _ = cli("contacts", "show", "@rival")
    assert "do-not-tag" in out and "ongoing dispute" in out
    one_line_error(*cli("consent", "grant", "@nobody")[::2], "no contact")
    one_line_error(
        *cli("consent", "grant", "@rival", "--expires", "someday")[::2], "cannot read expiry"
    )
    one_line_error(*cli("contacts", "remove", "@rival", "--yes")[::2], "--purge")


def test_import_errors(cli, tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("name,x\n,@a\n,@b\n")
    code, out, err = cli("contacts", "import", str(bad))
    assert code == 2 and "0 added" in out and "line 2" in err
    one_line_error(*cli("contacts", "import", str(tmp_path / "missing.csv"))[::2], "cannot read")


def test_media_commands_and_check_with_media(cli, tmp_path: Path) -> None:
    team = tmp_path / "team.png"
    faces_image(2).save(team)
    code, out, _ = cli("media", "add", str(team))
    assert code == 0 and "faces:    2" in out and "no recorded right" in out
    assert cli("media", "rights", str(team), "own")[0] == 0
    assert cli("media", "release", str(team), "Jane Doe", "--evidence", "form")[0] == 0
    code, out, _ = cli("media", "show", str(team), "--json")
    rec = json.loads(out)
    assert rec["rights"]["basis"] == "own" and rec["releases"] == ["Jane Doe"]
    cli("accounts", "add", "acme-li", "--platform", "linkedin", "--kind", "brand")
    code, out, _ = cli(
        "check",
        "Our team at the summit!",
        "--account",
        "acme-li",
        "--media",
        str(team),
        "--format",
        "json",
    )
    report = json.loads(out)
    assert [f["rule_id"] for f in report["findings"] if f["rule_id"].startswith("media.")] == [
        "media.people"
    ]
    assert report["context"]["platform"] == "linkedin"
    assert report["context"]["account"] == "acme-li"
    assert report["context"]["media"] == [str(team)]
    code, out, _ = cli("media", "list")
    assert "team.png" in out
    one_line_error(*cli("check", "hi", "--media", str(tmp_path / "nope.jpg"))[::2], "not found")
    one_line_error(*cli("check", "hi", "--account", "nope")[::2], "no account named")
    one_line_error(*cli("media", "rights", str(team), "licence")[::2], "licence needs its name")


def test_media_clean_and_inspect(cli, tmp_path: Path) -> None:
    src = save_with_metadata(landscape(), tmp_path / "home.jpg")
    code, out, _ = cli("media", "inspect", str(src))
    assert code == 0 and "51.50738" in out
    code, out, _ = cli("media", "clean", str(src))
    assert code == 0 and (tmp_path / "home-clean.jpg").is_file()
    assert "no identifying metadata left" in out
    notimg = tmp_path / "a.jpg"
    notimg.write_text("x")
    one_line_error(*cli("media", "clean", str(notimg))[::2], "not an image")


def test_db_info(cli) -> None:
    code, out, _ = cli("db", "info")
    assert code == 0 and f"revision: {latest_revision()}" in out and "consent_events" in out


def test_an_unusable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TACTFUL_DB", "postgresql://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(main, ["accounts", "list"])
    one_line_error(result.exit_code, result.stderr, "cannot use the database")


def test_scan_with_a_stored_account_uses_the_store(cli, tmp_path: Path) -> None:
    cli("accounts", "add", "acme-li", "--platform", "linkedin", "--kind", "brand")
    cli("contacts", "add", "Bob Stone", "--handle", "linkedin:@bob-stone")
    cli("consent", "refuse", "@bob-stone", "--reason", "keeps a low profile")
    posts = tmp_path / "posts.jsonl"
    posts.write_text(
        '{"id": "1", "text": "Thanks @bob-stone for the workshop"}\n'
        '{"id": "2", "text": "Our new office opens on Monday"}\n'
    )
    for workers in ("1", "2"):
        code, out, _ = cli("scan", str(posts), "--account", "acme-li", "--workers", workers)
        records = [json.loads(line) for line in out.splitlines()]
        assert code == 1
        assert [r["verdict"] for r in records] == ["blocked", "ok"]
        assert records[0]["context"]["account"] == "acme-li"
        assert records[0]["context"]["platform"] == "linkedin"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["consent", "grant", "#²"], "no contact"),
        (["consent", "grant", "#99999999999999999999999"], "no contact"),
        (["media", "show", "#²"], "no media"),
        (["consent", "grant", "@x", "--expires", "9999y"], "100 years"),
        (["consent", "grant", "@x", "--expires", "9999-12-31"], "cannot read expiry"),
        (["check", "hi", "--mention", " @ "], "empty"),
        (["db", "backup", "/proc/nope/x.db"], "cannot write the backup"),
    ],
)
def test_odd_arguments_are_one_line_errors(cli, args: list[str], needle: str) -> None:
    cli("contacts", "add", "X", "--handle", "x:@x")
    one_line_error(*cli(*args)[::2], needle)


def test_check_refuses_a_file_that_is_not_an_image(cli, tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_text("not really")
    one_line_error(*cli("check", "hi", "--media", str(fake))[::2], "not an image")


def test_scan_lines_cannot_pick_a_stored_account(cli, tmp_path: Path) -> None:
    posts = tmp_path / "p.jsonl"
    posts.write_text('{"text": "hi", "account_name": "fb-me"}\n')
    code, out, _ = cli("scan", str(posts))
    assert code == 2 and "--account" in json.loads(out)["error"]


def test_media_add_keeps_the_good_files_and_clean_never_overwrites(cli, tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    landscape().save(good)
    bad = tmp_path / "b.png"
    bad.write_text("x")
    code, out, _ = cli("media", "add", str(good), str(bad))
    assert code == 2 and "added" in out
    assert json.loads(cli("media", "list", "--json")[1])[0]["filename"] == "a.png"
    src = save_with_metadata(landscape(), tmp_path / "c.jpg")
    assert cli("media", "clean", str(src))[0] == 0
    one_line_error(*cli("media", "clean", str(src))[::2], "--force")
    assert cli("media", "clean", str(src), "--force")[0] == 0
    code, out, _ = cli("media", "clean", str(src), "-o", str(tmp_path / "c.png"))
    from PIL import Image

    with Image.open(tmp_path / "c.png") as im:
        assert im.format == "PNG"


def test_tiff_metadata_is_cleaned_too(cli, tmp_path: Path) -> None:
    from PIL import Image

    src = tmp_path / "scan.tif"
    xmp = b'<x:xmpmeta><rdf:Description photoshop:City="Leeds"/></x:xmpmeta>'
    landscape().save(src, tiffinfo={700: xmp, 315: "Jane Photographer"})
    assert (
        "XMP City"
        in json.loads(cli("media", "inspect", str(src), "--json")[1])["identifying_metadata"]
    )
    assert cli("media", "clean", str(src))[0] == 0
    with Image.open(tmp_path / "scan-clean.tif") as im:
        assert 700 not in im.tag_v2 and 315 not in im.tag_v2
