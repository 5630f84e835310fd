"""Accounts and contacts repositories, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tactful.errors import InputError, TactfulError
from tactful.store import Store
from tactful.store.accounts import (
    add_account,
    edit_account,
    get_account,
    list_accounts,
    remove_account,
)
from tactful.store.consent import record_consent
from tactful.store.contacts import (
    add_contact,
    edit_contact,
    find_contact,
    list_contacts,
    normalize_handle,
    remove_contact,
)
from tactful.store.kinds import ContactKind, Relation


def test_account_lifecycle(store: Store) -> None:
    with store.session() as s:
        rec = add_account(s, "acme-li", platform="linkedin", kind="brand", handle="@Acme")
        add_account(s, "me-ig", platform="instagram", kind="personal", audience="friends")
    assert rec.handle == "Acme" and rec.audience.value == "public"
    with store.session() as s:
        assert [a.name for a in list_accounts(s)] == ["acme-li", "me-ig"]
        edited = edit_account(s, "me-ig", clients_in_audience=True, new_name="me-instagram")
    assert edited.clients_in_audience and edited.name == "me-instagram"
    account = edited.to_account()
    assert account.clients_in_audience and account.name == "me-instagram"
    with store.session() as s:
        remove_account(s, "acme-li")
        assert [a.name for a in list_accounts(s)] == ["me-instagram"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"platform": "myspace", "kind": "brand"}, "unknown platform"),
        ({"platform": "x", "kind": "company"}, "unknown account kind"),
        ({"platform": "x", "kind": "brand", "audience": "everyone"}, "unknown audience"),
        ({"platform": "x", "kind": "brand", "policy": {"rules": {"no.such": "off"}}}, "no.such"),
        ({"platform": "x", "kind": "brand", "policy": ["off"]}, "mapping"),
    ],
)
def test_bad_accounts_are_refused(store: Store, kwargs: dict, message: str) -> None:
    with pytest.raises(TactfulError, match=message), store.session() as s:
        add_account(s, "a", **kwargs)
    with store.session() as s:
        assert list_accounts(s) == []


def test_account_names_are_unique_and_unknown_names_say_what_exists(store: Store) -> None:
    with store.session() as s:
        add_account(s, "acme-li", platform="linkedin", kind="brand")
    with pytest.raises(InputError, match="exists"), store.session() as s:
        add_account(s, "acme-li", platform="x", kind="brand")
    with pytest.raises(InputError, match="known accounts: acme-li"), store.session() as s:
        get_account(s, "acme")


def test_account_policy_overrides_are_validated_and_kept(store: Store) -> None:
    policy = {"rules": {"views.political": "block"}}
    with store.session() as s:
        add_account(s, "acme-x", platform="x", kind="brand", policy=policy)
        assert get_account(s, "acme-x").policy == policy


def test_contacts_are_found_by_handle_platform_id_and_name(store: Store) -> None:
    with store.session() as s:
        jane = add_contact(
            s,
            "Jane Doe",
            relation="client",
            handles={"linkedin": "@Jane-Doe", "x": "janed"},
            organisation="Acme Corp",
        )
        add_contact(
            s, "Rival Ltd", kind="organisation", relation="competitor", handles={"x": "@rival"}
        )
    with store.session() as s:
        assert find_contact(s, "@jane-doe").id == jane.id
        assert find_contact(s, "x:@JaneD").id == jane.id
        assert find_contact(s, f"#{jane.id}").id == jane.id
        assert find_contact(s, "jane doe").id == jane.id
        rival = find_contact(s, "@rival")
    assert rival.kind is ContactKind.ORGANISATION and rival.relation is Relation.COMPETITOR
    assert jane.first_name == "Jane" and jane.handle_on("x") == "janed"


def test_a_handle_belongs_to_one_contact(store: Store) -> None:
    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
    with pytest.raises(InputError, match="already belongs"), store.session() as s:
        add_contact(s, "Jane Two", handles={"x": "@JANE"})
    with store.session() as s:
        two = add_contact(s, "Jane Two", handles={"linkedin": "@jane"})
        assert len(list_contacts(s)) == 2
        with pytest.raises(InputError, match="several contacts"):
            find_contact(s, "@jane")
        assert find_contact(s, "linkedin:@jane").id == two.id


def test_editing_and_listing_contacts(store: Store) -> None:
    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        add_contact(s, "Acme Corp", kind="organisation", relation="client")
        edit_contact(
            s, "@jane", relation="client", add_handles=[("mastodon", "@jane@example.social")]
        )
    with store.session() as s:
        clients = list_contacts(s, relation="client")
        assert [c.name for c in clients] == ["Acme Corp", "Jane Doe"]
        assert ("mastodon", "jane@example.social") in find_contact(s, "@jane").handles
        assert [c.name for c in list_contacts(s, search="acme")] == ["Acme Corp"]


def test_removing_a_contact_with_history_needs_purge(store: Store) -> None:
    with store.session() as s:
        add_contact(s, "Jane Doe", handles={"x": "@jane"})
        add_contact(s, "Bob", handles={"x": "@bob"})
        record_consent(s, "@jane", "refused", actor="me", reason="prefers privacy")
    with pytest.raises(InputError, match="--purge"), store.session() as s:
        remove_contact(s, "@jane")
    with store.session() as s:
        remove_contact(s, "@bob")
        remove_contact(s, "@jane", purge=True)
        assert list_contacts(s) == []


@pytest.mark.parametrize("bad", ["", "@", "two words", "x" * 201])
def test_bad_handles_are_refused(bad: str) -> None:
    with pytest.raises(InputError):
        normalize_handle(bad)
