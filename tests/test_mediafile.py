"""Reading what a picture gives away, counting faces offline, and cleaning a copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from drawn_images import faces_image, landscape, save_with_metadata
from PIL import Image

from tactful.core.mediafile import clean, inspect
from tactful.errors import InputError


def test_faces_are_counted(tmp_path: Path) -> None:
    for n in (1, 3):
        path = tmp_path / f"faces{n}.png"
        faces_image(n).save(path)
        assert inspect(path).faces == n
    empty = tmp_path / "landscape.png"
    landscape().save(empty)
    assert inspect(empty).faces == 0


def test_gps_and_identifying_metadata_are_found(tmp_path: Path) -> None:
    path = save_with_metadata(landscape(), tmp_path / "trip.jpg")
    info = inspect(path)
    assert info.gps == pytest.approx((51.507375, -0.12765), abs=1e-5)
    assert info.identifying[0] == "GPS position"
    assert {"artist", "camera serial number"} <= set(info.identifying)
    assert info.mime == "image/jpeg" and (info.width, info.height) == (640, 400)


def test_a_plain_picture_has_nothing_to_report(tmp_path: Path) -> None:
    path = tmp_path / "plain.jpg"
    landscape().save(path, quality=90)
    info = inspect(path)
    assert info.gps is None and info.identifying == ()


def test_clean_copy_drops_metadata_and_keeps_orientation(tmp_path: Path) -> None:
    src = save_with_metadata(faces_image(2), tmp_path / "team.jpg", orientation=6)
    before = src.read_bytes()
    out = clean(src, tmp_path / "team-clean.jpg")
    assert out.gps is None and out.identifying == ()
    with Image.open(tmp_path / "team-clean.jpg") as im:
        assert dict(im.getexif()) == {0x0112: 6}
        assert im.size == (430, 400)
    assert src.read_bytes() == before  # the original is untouched
    assert inspect(src).gps is not None


def test_clean_png_drops_text_chunks(tmp_path: Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    meta = PngInfo()
    meta.add_text("Author", "Jane")
    meta.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta><dc:creator>Jane</dc:creator></x:xmpmeta>")
    src = tmp_path / "a.png"
    landscape().save(src, pnginfo=meta)
    assert "XMP creator" in inspect(src).identifying
    clean(src, tmp_path / "b.png")
    with Image.open(tmp_path / "b.png") as im:
        assert "Author" not in im.info and "XML:com.adobe.xmp" not in im.info


def test_counting_faces_respects_orientation(tmp_path: Path) -> None:
    # Stored sideways with orientation 6: shown upright, so the faces are found.
    src = tmp_path / "sideways.jpg"
    save_with_metadata(faces_image(2).rotate(90, expand=True), src, gps=False, orientation=6)
    assert inspect(src).faces == 2


def test_files_that_are_not_images(tmp_path: Path) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(InputError, match="not an image"):
        inspect(text)
    with pytest.raises(InputError, match="not found"):
        inspect(tmp_path / "missing.jpg")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    info = inspect(video)
    assert info.mime == "video/mp4" and info.faces is None and not info.is_image
    truncated = tmp_path / "cut.jpg"
    save_with_metadata(landscape(), truncated)
    truncated.write_bytes(truncated.read_bytes()[:300])
    with pytest.raises(InputError):
        inspect(truncated)


def test_clean_refuses_to_overwrite_the_original(tmp_path: Path) -> None:
    src = save_with_metadata(landscape(), tmp_path / "a.jpg")
    with pytest.raises(InputError, match="new file"):
        clean(src, src)


def test_huge_files_and_pictures_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tactful.core import mediafile

    path = tmp_path / "big.png"
    landscape().save(path)
    monkeypatch.setattr(mediafile, "MAX_PIXELS", 100_000)
    with pytest.raises(InputError, match="more than 100,000 pixels"):
        inspect(path)
    monkeypatch.setattr(mediafile, "MAX_BYTES", 1_000)
    with pytest.raises(InputError, match="reads media files up to"):
        inspect(path)
