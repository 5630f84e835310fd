"""What an image file gives away, and a copy that gives nothing away.

``inspect(path)`` reads a file once: its sha256 (the media library's key), size, EXIF and
XMP metadata that can identify a place or a person (GPS position, camera serial number,
owner, author), and the number of faces, counted with OpenCV's bundled frontal-face Haar
cascade (the file's sha256 is checked before it is loaded). ``clean(src, dst)`` writes a
copy without that metadata; the orientation is kept so the picture does not turn sideways.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tactful.errors import InputError
from tactful.hashing import sha256_file

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


def inspect(path: str | Path, *, faces: bool = True) -> MediaInfo:
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = _readable(path)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"{p.name} is {size / 1e6:.0f} MB; tactful reads media files up to "
            f"{MAX_BYTES / 1e6:.0f} MB (no network accepts larger)"
        )
    digest = sha256_file(p)
    mime = mimetypes.guess_type(p.name)[0]
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(p) as im:
            if im.width * im.height > MAX_PIXELS:
                raise Image.DecompressionBombError(p.name)
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
    except Image.DecompressionBombError:
        raise InputError(
            f"{p.name} has more than {MAX_PIXELS:,} pixels; scale it down before posting"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read image {p.name} (truncated or damaged?): {exc}") from None
    return MediaInfo(str(p), digest, mime, width, height, count, gps, tuple(identifying))


def clean(src: str | Path, dst: str | Path) -> MediaInfo:
    """Write a copy of ``src`` without EXIF/XMP/text metadata (orientation kept) to ``dst``."""
    from PIL import Image, UnidentifiedImageError

    s = _readable(src)
    d = Path(dst)
    if d.resolve() == s.resolve():
        raise InputError("write the clean copy to a new file, not over the original")
    try:
        with Image.open(s) as im:
            fmt = im.format or "PNG"
            exif = Image.Exif()
            orientation = im.getexif().get(ORIENTATION)
            if orientation:
                exif[ORIENTATION] = orientation
            params: dict[str, Any] = {"exif": exif.tobytes()} if orientation else {}
            if im.info.get("icc_profile"):
                params["icc_profile"] = im.info["icc_profile"]
            if fmt == "JPEG":
                params["quality"] = "keep"
                params["subsampling"] = "keep"
            im.info.pop("xmp", None)
            im.info.pop("XML:com.adobe.xmp", None)
            im.info.pop("exif", None)
            d.parent.mkdir(parents=True, exist_ok=True)
            im.save(d, format=fmt, **params)
    except UnidentifiedImageError:
        raise InputError(f"{s.name} is not an image tactful can clean") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write a clean copy of {s.name}: {exc}") from None
    return inspect(d, faces=False)
