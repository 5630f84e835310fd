"""Calibrate the model's severities on real posts: write ``models/calibration.yml``.

For each model category the hand-labelled real posts cover, the classifier (grounding on,
calibration off) scores the calibration split of ``training/real_labels``; the lowest score
at which the grounded findings reach each bar's precision becomes that severity's threshold:

- ``block`` needs precision 0.95 over at least ``block_min_found`` findings: a model score
  alone blocks only where it is right 19 times in 20;
- ``warn`` needs 0.70 and ``info`` (a note, exit code 0) 0.40, over at least ``min_found``
  findings; below that, nothing;
- a category with fewer than ``min_found`` grounded findings in the split cannot be
  measured (precision needs findings to count): its findings are notes at most, from the
  model's own threshold. One with enough findings is measured however few posts are
  labelled with it: 1 right in 23 is a measurement.

A threshold is the lowest score that reaches the bar, rounded down (so the finding that set
it stays above it); its precision is that of every finding at or above it.

Usage: ``python -m tactful.training.calibrate --data ../shared/data`` (``make calibrate``).
The test split is never read here.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import yaml

from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.classifier import ClassifierDetector
from tactful.models.calibration import (
    Bars,
    CalibrationFile,
    CategoryCalibration,
    Threshold,
    model_digest,
)
from tactful.models.cascade import artifacts_dir
from tactful.training.real_text import LABELLED_RULES, LabelledPost, join_text, read_labels

BARS = Bars(block=0.95, warn=0.70, info=0.40, min_found=10, block_min_found=20)
SPLIT = "calibration"
HEADER = """\
# Written by `make calibrate` (tactful.training.calibrate); do not edit by hand.
# For each model category: the lowest score at which grounded findings on the hand-labelled
# real posts' calibration split reached each bar's precision (found: findings at or above
# it). A category without a threshold for a severity never reaches that severity from its
# score; "measured: false" means too few labelled posts to measure (a note at most).
"""


def grounded_scores(
    posts: Sequence[LabelledPost], detector: ClassifierDetector
) -> list[dict[str, float]]:
    """Per post, the highest grounded score of each model category (uncalibrated)."""
    out: list[dict[str, float]] = []
    batch = 256
    for i in range(0, len(posts), batch):
        chunk = posts[i : i + batch]
        found = detector.detect_batch(
            [Post(text=p.text) for p in chunk],
            [DetectContext(norm=normalize(p.text)) for p in chunk],
        )
        for findings in found:
            best: dict[str, float] = {}
            for f in findings:
                best[f.rule_id] = max(best.get(f.rule_id, 0.0), f.score)
            out.append(best)
    return out


def _threshold(pairs: Sequence[tuple[float, bool]], bar: float, min_found: int) -> Threshold | None:
    """The lowest score whose findings at or above it reach ``bar`` precision."""
    ranked = sorted(pairs, key=lambda p: -p[0])
    best: Threshold | None = None
    right = 0
    for n, (score, correct) in enumerate(ranked, 1):
        right += correct
        last_at_score = n == len(ranked) or ranked[n][0] < score
        if last_at_score and n >= min_found and right / n >= bar:
            at = math.floor(score * 10_000) / 10_000  # never above the score that set it
            best = Threshold(at=at, precision=round(right / n, 4), found=n)
    return best


def calibrate(posts: Sequence[LabelledPost], detector: ClassifierDetector) -> CalibrationFile:
    scores = grounded_scores(posts, detector)
    categories: dict[str, CategoryCalibration] = {}
    for category in detector.cascade.categories:
        if category not in LABELLED_RULES:
            continue
        labelled = sum(category in p.labels for p in posts)
        pairs = [
            (s[category], category in p.labels)
            for p, s in zip(posts, scores, strict=True)
            if category in s
        ]
        if len(pairs) < BARS.min_found:
            found = len(pairs)
            right = sum(c for _, c in pairs)
            categories[category] = CategoryCalibration(
                labelled=labelled,
                measured=False,
                info=Threshold(
                    at=0.5, precision=round(right / found, 4) if found else 0.0, found=found
                ),
                note=f"only {found} findings in the calibration split: a note at most",
            )
            continue
        block = _threshold(pairs, BARS.block, BARS.block_min_found)
        warn = _threshold(pairs, BARS.warn, BARS.min_found)
        info = _threshold(pairs, BARS.info, BARS.min_found)
        categories[category] = CategoryCalibration(
            labelled=labelled, measured=True, block=block, warn=warn, info=info
        )
    return CalibrationFile(
        model=model_digest(artifacts_dir()),
        split=SPLIT,
        posts=len(posts),
        bars=BARS,
        categories=categories,
    )


def format_table(table: CalibrationFile) -> str:
    def cell(t: Threshold | None) -> str:
        return "            —" if t is None else f"{t.at:.3f} {t.precision:.2f} {t.found:3}"

    lines = [
        f"Calibration on the {table.split} split ({table.posts} real posts); "
        f"bars: block {table.bars.block}, warn {table.bars.warn}, info {table.bars.info}",
        "category                  labelled  block (at prec n)  warn (at prec n)  info (at prec n)",
    ]
    for category, c in table.categories.items():
        lines.append(
            f"{category:25} {c.labelled:8}  {cell(c.block):17}  {cell(c.warn):16}  "
            f"{cell(c.info):16}{'' if c.measured else '  (not measured: a note at most)'}"
        )
    return "\n".join(lines)


def write(table: CalibrationFile, path: Path) -> None:
    body = yaml.safe_dump(table.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    path.write_text(HEADER + body, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tactful.training.calibrate",
        description="Measure the model's precision per score on the real-text calibration "
        "split and write models/calibration.yml.",
        epilog="Example: python -m tactful.training.calibrate --data ../shared/data",
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(str(resources.files("tactful.models").joinpath("calibration.yml"))),
    )
    args = parser.parse_args(argv)
    posts = [p for p in read_labels() if p.split == SPLIT]
    joined = join_text(posts, args.data, log=lambda m: print(m, file=sys.stderr))
    if len(joined) < len(posts):
        print(
            f"calibrate: only {len(joined)} of {len(posts)} labelled posts could be read from "
            f"{args.data}; pass --data with the shared data folder",
            file=sys.stderr,
        )
        return 2
    table = calibrate(joined, ClassifierDetector(calibrated=False))
    write(table, args.out)
    print(format_table(table))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
