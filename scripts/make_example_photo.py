"""Draw examples/team-photo.jpg: two cartoon faces (which OpenCV's face detector finds) with
GPS, camera serial and author metadata, for the README walkthrough. No real person, place
of residence or camera: the coordinates are Trafalgar Square.

    python scripts/make_example_photo.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from drawn_images import faces_image, save_with_metadata  # noqa: E402

if __name__ == "__main__":
    out = save_with_metadata(faces_image(2), ROOT / "examples" / "team-photo.jpg")
    print(f"wrote {out}")
