"""Make an image fit a network: one it does not take (a PNG for Instagram) or one too large
(a 3 MB photo for Bluesky's 2,000,000 bytes) is re-encoded as JPEG, scaled down step by step
until it fits. The result is the same for the same input, so every retry sends the same
bytes; it is kept next to the original, named by hash and network. :func:`displayed_size`
reads the size of what is sent (Bluesky's ``aspectRatio``)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

from tactful.networks.media import MediaRules

QUALITY = 88
SHRINK = 0.85  # each step keeps this share of the width and height
STEPS = 20


def _jpeg(image: Image.Image, scale: float) -> bytes:
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


def _flat(path: Path) -> Image.Image:
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)  # the pixels as shown, no EXIF carried over
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            return background
        return image.convert("RGB")


def fit(path: Path, mime: str, rules: MediaRules, sha256: str, platform: str) -> tuple[Path, str]:
    """The file to upload and its type: ``path`` itself when the network takes it as it is,
    else a JPEG made to fit (kept as ``<sha256>-<platform>.jpg`` beside it)."""
    size = path.stat().st_size
    if rules.accepts(mime) and (rules.max_bytes is None or size <= rules.max_bytes):
        return path, mime
    target = path.with_name(f"{sha256}-{platform}.jpg")
    if target.exists():
        return target, "image/jpeg"
    image = _flat(path)
    scale = 1.0
    data = _jpeg(image, scale)
    for _ in range(STEPS):
        if rules.max_bytes is None or len(data) <= rules.max_bytes:
            break
        scale *= SHRINK
        data = _jpeg(image, scale)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)
    return target, "image/jpeg"


# EXIF orientations that turn the image a quarter (5-8): shown, its width is its height.
_QUARTER_TURNS = {5, 6, 7, 8}


def displayed_size(data: bytes) -> tuple[int, int] | None:
    """The width and height in pixels of the image in ``data`` as it is shown: an EXIF
    orientation of a quarter turn swaps them (a JPEG :func:`fit` made has no EXIF, so this is
    its pixel size). None when the data is not an image Pillow can read."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112)  # the Orientation tag
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if width < 1 or height < 1:
        return None
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)
