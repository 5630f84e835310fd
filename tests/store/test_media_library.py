"""The media library: content hashes, rights history, releases."""

from __future__ import annotations

from pathlib import Path

import pytest
from drawn_images import faces_image, landscape, save_with_metadata

from tactful.errors import InputError
from tactful.store import Store
from tactful.store.kinds import RightsBasis
from tactful.store.media import add_media, add_release, by_sha256, get_media, list_media, set_rights
from tactful.store.models import RightsEventRow


def test_files_are_known_by_content(store: Store, tmp_path: Path) -> None:
    a = tmp_path / "team.png"
    faces_image(2).save(a)
    copy = tmp_path / "renamed.png"
    copy.write_bytes(a.read_bytes())
    with store.session() as s:
        rec, added = add_media(s, a)
        again, added_again = add_media(s, copy)
    assert added and not added_again and again.id == rec.id
    assert rec.faces == 2 and rec.rights.basis is RightsBasis.UNKNOWN
    with store.session() as s:
        assert get_media(s, str(copy)).id == rec.id
        assert get_media(s, rec.sha256[:10]).id == rec.id
        assert get_media(s, f"#{rec.id}").id == rec.id
        assert by_sha256(s, rec.sha256) is not None


def test_rights_history_is_kept_and_the_newest_holds(store: Store, tmp_path: Path) -> None:
    from sqlalchemy import select

    path = tmp_path / "view.png"
    landscape().save(path)
    with store.session() as s:
        add_media(s, path)
        set_rights(
            s,
            str(path),
            "licence",
            actor="sam",
            licence_name="CC BY 4.0",
            licence_url="https://creativecommons.org/licenses/by/4.0/",
            attribution="Photo: J. Doe",
        )
        rec = set_rights(s, str(path), "own", actor="ana")
        rows = list(s.scalars(select(RightsEventRow).order_by(RightsEventRow.id)))
    assert rec.rights.basis is RightsBasis.OWN and rec.rights.actor == "ana"
    assert [r.basis for r in rows] == ["licence", "own"]


@pytest.mark.parametrize(
    ("basis", "kwargs", "message"),
    [
        ("licence", {}, "licence needs its name"),
        ("permission", {"permission_from": "Jo"}, "evidence"),
        ("stolen", {}, "unknown rights basis"),
    ],
)
def test_incomplete_rights_are_refused(
    store: Store, tmp_path: Path, basis: str, kwargs: dict, message: str
) -> None:
    path = tmp_path / "view.png"
    landscape().save(path)
    with store.session() as s:
        add_media(s, path)
    with pytest.raises(InputError, match=message), store.session() as s:
        set_rights(s, str(path), basis, actor="me", **kwargs)


def test_releases_and_metadata(store: Store, tmp_path: Path) -> None:
    path = save_with_metadata(faces_image(2), tmp_path / "team.jpg")
    with store.session() as s:
        rec, _ = add_media(s, path)
        add_release(s, f"#{rec.id}", "Jane Doe", actor="me", evidence="signed form")
        rec = add_release(s, f"#{rec.id}", "Ben Ode", actor="me")
        assert len(list_media(s)) == 1
    assert rec.releases == ("Jane Doe", "Ben Ode") and rec.faces == 2
    assert rec.gps is not None and "camera serial number" in rec.identifying


def test_unknown_media_says_how_to_add_it(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "new.png"
    landscape().save(path)
    with pytest.raises(InputError, match="tactful media add"), store.session() as s:
        get_media(s, str(path))
    with pytest.raises(InputError, match="name the person"), store.session() as s:
        add_media(s, path)
        add_release(s, str(path), " ", actor="me")
