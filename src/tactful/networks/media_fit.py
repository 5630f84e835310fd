"""Make an image fit a network: one it does not take (a PNG for Instagram) or one too large
(a 3 MB photo for Bluesky's 1,000,000 bytes) is re-encoded as JPEG, scaled down step by step
until it fits. The result is the same for the same input, so every retry sends the same
bytes; it is kept next to the original, named by hash and network."""

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
