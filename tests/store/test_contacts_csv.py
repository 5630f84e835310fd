"""Importing contacts from LinkedIn's Connections.csv and from plain CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tactful.errors import InputError
from tactful.store import Store
from tactful.store.contacts import find_contact, list_contacts
from tactful.store.contacts_csv import import_contacts, linkedin_handle
from tactful.store.kinds import ContactKind, Relation

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_linkedin_export_with_bom_preamble_and_quoted_fields(store: Store) -> None:
    with store.session() as s:
        stats = import_contacts(s, FIXTURES / "linkedin" / "Connections.csv")
    assert stats.format == "LinkedIn Connections.csv"
    assert (stats.added, stats.skipped) == (3, 0)
    assert stats.errors == ["line 10: no first or last name"]
    with store.session() as s:
        priya = find_contact(s, "linkedin:@priya-raman-4b2a")
        tomas = find_contact(s, "@tomas-obriain")
        assert find_contact(s, "@lee-only").name == "Lee"
    assert priya.position == "Head of Marketing, EMEA"
    assert priya.organisation == "Northwind Traders"
    assert priya.relation is Relation.CONNECTION
    assert tomas.name == "Tomás Ó Briain"
    assert tomas.organisation == "Contoso, Ltd." and tomas.email == "tomas@example.org"
    assert tomas.position == "Engineer\nPlatform team"
    assert "since 11 Nov 2019" in (tomas.notes or "")


def test_importing_again_adds_nothing_twice(store: Store) -> None:
    path = FIXTURES / "linkedin" / "Connections.csv"
    with store.session() as s:
        import_contacts(s, path)
    with store.session() as s:
        again = import_contacts(s, path, relation="client")
        assert (again.added, again.skipped) == (0, 3)
        assert len(list_contacts(s)) == 3


def test_an_export_without_the_preamble(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "Connections.csv"
    f.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Silva,https://www.linkedin.com/in/ana-silva/,,Acme,CEO,05 May 2022\n",
        encoding="utf-8",
    )
    with store.session() as s:
        stats = import_contacts(s, f, relation="client")
        assert stats.added == 1
        assert find_contact(s, "@ana-silva").relation is Relation.CLIENT


def test_generic_csv_with_semicolons_and_handle_columns(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "contacts.csv"
    f.write_text(
        "Name;Kind;Relation;Company;X;Bluesky;Email\n"
        "Acme Corp;Company;Client;;@acme;acme.bsky.social;\n"
        "Rival Ltd;organization;competitor;;@rival;;\n"
        "Jo Bloggs;person;former employer;Initech;@jo;;jo@example.com\n"
        ";person;client;;@noname;;\n"
        "Bad Relation;person;nemesis;;;;\n",
        encoding="utf-8",
    )
    with store.session() as s:
        stats = import_contacts(s, f)
    assert stats.added == 3 and len(stats.errors) == 2
    assert stats.errors[0].startswith("line 5:") and "name" in stats.errors[0]
    assert stats.errors[1].startswith("line 6:") and "relation" in stats.errors[1]
    with store.session() as s:
        acme = find_contact(s, "bluesky:@acme.bsky.social")
        jo = find_contact(s, "@jo")
    assert acme.kind is ContactKind.ORGANISATION and acme.relation is Relation.CLIENT
    assert jo.relation is Relation.FORMER_EMPLOYER and jo.organisation == "Initech"


def test_a_csv_that_breaks_part_way_keeps_the_rows_before(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "contacts.csv"
    f.write_bytes(b'name,x\nAna,@ana\nBen,@ben\n"Unclosed,@c\x00\n')
    with store.session() as s:
        stats = import_contacts(s, f)
        assert stats.added >= 2
        assert {c.name for c in list_contacts(s)} >= {"Ana", "Ben"}


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"first,second\n1,2\n", "no 'name' column")],
)
def test_files_tactful_cannot_use(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    f = tmp_path / "c.csv"
    f.write_bytes(content)
    with pytest.raises(InputError, match=message), store.session() as s:
        import_contacts(s, f)


def test_missing_file(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"), store.session() as s:
        import_contacts(s, tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("url", "handle"),
    [
        ("https://www.linkedin.com/in/jane-doe-12ab", "jane-doe-12ab"),
        ("https://www.linkedin.com/in/Jane-Doe/", "jane-doe"),
        ("https://www.linkedin.com/company/acme", "acme"),
        ("", None),
        ("https://example.com/jane", None),
    ],
)
def test_linkedin_profile_urls(url: str, handle: str | None) -> None:
    assert linkedin_handle(url) == handle
