"""What an image file gives away, and a copy that gives nothing away.

``inspect(path)`` reads a file once: its sha256 (the media library's key), size, EXIF and
XMP metadata that can identify a place or a person (GPS position, camera serial number,
owner, author), and the number of faces, counted with OpenCV's bundled frontal-face Haar
cascade (the file's sha256 is checked before it is loaded). ``clean(src, dst)`` writes a
copy without that metadata; the orientation is kept so the picture does not turn sideways.
"""

from __future__ import annotations

import mimetypes
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tactful.core.hashing import sha256_file
from tactful.errors import InputError

# EXIF tags (base IFD and Exif sub-IFD) that identify a person or a device.
IDENTIFYING_TAGS = {
    0x013B: "artist",
    0x8298: "copyright holder",
    0x9C9D: "author (Windows)",
    0xA430: "camera owner",
    0xA431: "camera serial number",
    0xA435: "lens serial number",
    0x9003: "date and time taken",
}
XMP_KEYS = ("creator", "City", "State", "Country", "Location", "GPSLatitude")
ORIENTATION = 0x0112
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
CASCADE = "haarcascade_frontalface_default.xml"
# sha256 of the cascade shipped in opencv-python-headless 4.x (unchanged since OpenCV 3).
CASCADE_SHA256 = "0f7d4527844eb514d4a4948e822da90fbb16a34a0bbbbc6adc6498747a5aafb0"
MAX_PIXELS = 80_000_000  # larger pictures are refused (a "decompression bomb" guard)
MAX_BYTES = 200 * 1024 * 1024  # no social network takes an image file this big


@dataclass(frozen=True, slots=True)
class MediaInfo:
    path: str
    sha256: str
    mime: str | None
    width: int | None = None
    height: int | None = None
    faces: int | None = None  # None: not an image (faces not counted)
    gps: tuple[float, float] | None = None
    identifying: tuple[str, ...] = field(default=())

    @property
    def is_image(self) -> bool:
        return self.width is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "mime": self.mime,
            "width": self.width,
            "height": self.height,
            "faces": self.faces,
            "gps": list(self.gps) if self.gps else None,
            "identifying_metadata": list(self.identifying),
        }


def _readable(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"media file {str(path)!r} not found (or not a file)")
    return p


def _ratio(value: Any) -> float:
    return float(value)


def _dms(values: Any, ref: Any, negative: str) -> float | None:
    try:
        d, m, s = (_ratio(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60 + s / 3600
    return -deg if str(ref).upper().startswith(negative) else deg


def gps_from_exif(exif: Any) -> tuple[float, float] | None:
    gps = exif.get_ifd(GPS_IFD)
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat = _dms(gps[2], gps.get(1, "N"), "S")
    lon = _dms(gps[4], gps.get(3, "E"), "W")
    if lat is None or lon is None:
        return None
    return round(lat, 6), round(lon, 6)


def _identifying(image: Any, exif: Any) -> list[str]:
    found = []
    sub = exif.get_ifd(EXIF_IFD)
    for tag, label in IDENTIFYING_TAGS.items():
        value = exif.get(tag) or sub.get(tag)
        if value not in (None, "", b""):
            found.append(label)
    xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if xmp:
        text = xmp.decode("utf-8", "replace") if isinstance(xmp, bytes) else str(xmp)
        keys = [k for k in XMP_KEYS if k in text]
        if keys:
            found.append("XMP " + ", ".join(keys))
    return found


@cache
def _cascade() -> Any:
    import cv2

    path = Path(cv2.data.haarcascades) / CASCADE  # type: ignore[attr-defined]
    if not path.is_file() or sha256_file(path) != CASCADE_SHA256:
        raise InputError(
            f"the face detector file {path} is missing or not the expected one; reinstall "
            "opencv-python-headless"
        )
    classifier = cv2.CascadeClassifier(str(path))
    if classifier.empty():
        raise InputError(f"OpenCV could not load {path}")
    return classifier


def count_faces(image: Any) -> int:
    """Frontal faces in a Pillow image (orientation already applied)."""
    import numpy as np

    gray = image.convert("L")
    scale = min(1.0, 1024 / max(gray.size))
    if scale < 1.0:
        gray = gray.resize((max(1, int(gray.width * scale)), max(1, int(gray.height * scale))))
    arr = np.asarray(gray)
    side = max(24, min(arr.shape) // 20)
    faces = _cascade().detectMultiScale(arr, scaleFactor=1.1, minNeighbors=5, minSize=(side, side))
    return len(faces)


def _check_size(p: Path) -> None:
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"{p.name} is {size / 1e6:.0f} MB; tactful reads media files up to "
            f"{MAX_BYTES / 1e6:.0f} MB (no network accepts larger)"
        )


@contextmanager
def _open_image(p: Path) -> Iterator[Any]:
    """Open an image after checking its pixel count from the header (before decoding)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = Image.open(p)
        except Image.DecompressionBombError:
            raise InputError(
                f"{p.name} has more than {MAX_PIXELS:,} pixels; scale it down before posting"
            ) from None
    with im:
        if im.width * im.height > MAX_PIXELS:
            raise InputError(
                f"{p.name} has more than {MAX_PIXELS:,} pixels; scale it down before posting"
            )
        yield im


def inspect(path: str | Path, *, faces: bool = True) -> MediaInfo:
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = _readable(path)
    _check_size(p)
    digest = sha256_file(p)
    mime = mimetypes.guess_type(p.name)[0]
    try:
        with _open_image(p) as im:
            exif = im.getexif()
            gps = gps_from_exif(exif)
            identifying = _identifying(im, exif)
            if gps:
                identifying.insert(0, "GPS position")
            mime = Image.MIME.get(im.format or "", mime)
            width, height = im.size
            count = count_faces(ImageOps.exif_transpose(im)) if faces else None
    except UnidentifiedImageError:
        if mime and mime.startswith("video/"):
            return MediaInfo(str(p), digest, mime)
        raise InputError(
            f"{p.name} is not an image tactful can read (JPEG, PNG, WebP, GIF, TIFF) or a video"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read image {p.name} (truncated or damaged?): {exc}") from None
    return MediaInfo(str(p), digest, mime, width, height, count, gps, tuple(identifying))


def clean(src: str | Path, dst: str | Path, *, overwrite: bool = False) -> MediaInfo:
    """Write a copy of ``src`` without EXIF/XMP/text metadata (orientation kept) to ``dst``,
    in the format its extension names. The copy is written whole or not at all."""
    from PIL import Image, UnidentifiedImageError

    s = _readable(src)
    _check_size(s)
    d = Path(dst)
    if d.exists() and d.resolve() == s.resolve():
        raise InputError("write the clean copy to a new file, not over the original")
    if d.exists() and not overwrite:
        raise InputError(f"{d} exists; choose another name or add --force")
    out_format = Image.registered_extensions().get(d.suffix.lower())
    if out_format is None:
        raise InputError(f"cannot tell an image format from {d.name!r}; end it in .jpg or .png")
    tmp = d.with_name(f".{d.name}.tactful-tmp")
    try:
        with _open_image(s) as im:
            orientation = im.getexif().get(ORIENTATION)
            params: dict[str, Any] = {}
            if orientation and out_format in ("JPEG", "PNG", "WEBP", "TIFF"):
                exif = Image.Exif()
                exif[ORIENTATION] = orientation
                params["exif"] = exif.tobytes()
            if im.info.get("icc_profile"):
                params["icc_profile"] = im.info["icc_profile"]
            if im.format == "JPEG" and out_format == "JPEG":
                # Same encoder settings, so the copy looks like the original.
                params.update(quality="keep", subsampling="keep")
                for key in ("xmp", "XML:com.adobe.xmp", "exif", "comment"):
                    im.info.pop(key, None)
                picture = im
            else:
                # Rebuild from the pixels alone: no tag of the original can come along.
                picture = Image.frombytes(im.mode, im.size, im.tobytes())
                if im.mode == "P" and im.getpalette():
                    picture.putpalette(im.getpalette() or [])
                if out_format == "JPEG" and picture.mode not in ("RGB", "L", "CMYK"):
                    picture = picture.convert("RGB")
                if out_format == "JPEG":
                    params["quality"] = 95
            d.parent.mkdir(parents=True, exist_ok=True)
            picture.save(tmp, format=out_format, **params)
        tmp.replace(d)
    except UnidentifiedImageError:
        raise InputError(f"{s.name} is not an image tactful can clean") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write a clean copy of {s.name}: {exc}") from None
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
    return inspect(d, faces=False)
