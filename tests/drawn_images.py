"""Pictures the tests draw themselves: cartoon faces OpenCV's face detector finds, an empty
landscape, and JPEGs with GPS, camera serial and author metadata."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational

LONDON = ((51, 30, 26.55), "N", (0, 7, 39.54), "W")  # 51.507375, -0.12765


def _face(d: ImageDraw.ImageDraw, cx: float, cy: float, s: float) -> None:
    d.ellipse([cx - 0.5 * s, cy - 0.65 * s, cx + 0.5 * s, cy + 0.65 * s], fill=(220, 180, 150))
    for ex in (-0.2, 0.2):
        x = cx + ex * s
        d.ellipse([x - 0.1 * s, cy - 0.18 * s, x + 0.1 * s, cy - 0.08 * s], fill=(40, 30, 30))
        d.rectangle([x - 0.13 * s, cy - 0.3 * s, x + 0.13 * s, cy - 0.25 * s], fill=(60, 40, 30))
    d.polygon(
        [(cx, cy - 0.05 * s), (cx - 0.07 * s, cy + 0.15 * s), (cx + 0.07 * s, cy + 0.15 * s)],
        fill=(190, 150, 120),
    )
    d.ellipse([cx - 0.18 * s, cy + 0.28 * s, cx + 0.18 * s, cy + 0.36 * s], fill=(120, 50, 50))
    d.rectangle([cx - 0.5 * s, cy - 0.75 * s, cx + 0.5 * s, cy - 0.5 * s], fill=(50, 35, 20))


def faces_image(n: int = 3) -> Image.Image:
    img = Image.new("RGB", (210 * max(n, 1) + 10, 400), (90, 110, 140))
    d = ImageDraw.Draw(img)
    for i in range(n):
        _face(d, 110 + 200 * i, 200, 150)
    return img.filter(ImageFilter.GaussianBlur(3))


def landscape() -> Image.Image:
    img = Image.new("RGB", (640, 400), (120, 170, 230))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 260, 640, 400], fill=(70, 130, 60))
    d.ellipse([480, 40, 560, 120], fill=(250, 220, 90))
    return img.filter(ImageFilter.GaussianBlur(2))


def save_with_metadata(
    img: Image.Image,
    path: Path,
    *,
    gps: bool = True,
    orientation: int = 1,
    serial: str | None = "SN-0042",
    artist: str | None = "Jane Photographer",
) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    if artist:
        exif[0x013B] = artist
    if gps:
        lat, lat_ref, lon, lon_ref = LONDON
        g = exif.get_ifd(0x8825)
        g.update(
            {
                1: lat_ref,
                2: tuple(IFDRational(v) for v in lat),
                3: lon_ref,
                4: tuple(IFDRational(v) for v in lon),
            }
        )
    if serial:
        exif.get_ifd(0x8769)[0xA431] = serial
    img.save(path, exif=exif.tobytes(), quality=90)
    return path
