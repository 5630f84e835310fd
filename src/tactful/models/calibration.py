"""How far a model score may be trusted: the severity each score supports, per category.

``models/calibration.yml`` is written by ``make calibrate`` (``tactful.training.calibrate``)
from the hand-labelled real posts' calibration split: for each category, the lowest score
at which grounded findings were right often enough to block (precision 0.95), to warn and to
be shown as a note. A score below the note bar raises nothing. Categories with too few
findings on the labelled real posts to measure are notes at most (``measured: false``).

The table records the sha256 of the model artifacts it was measured with (the weights' bytes
and ``meta.json``'s content, so line endings do not matter); a model trained again without
calibrating again is refused at load, since its scores mean something else.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from tactful.core.data import DataModel, Fraction, Source, Text, WholeNumber
from tactful.core.findings import Severity
from tactful.errors import RuleDataError

MODEL_FILES = ("fast.npz", "meta.json", "teacher.json")  # teacher.json holds the .onnx sha256


class Bars(DataModel):
    """The precision each severity needs, and how many findings a bar needs to be measured."""

    block: Fraction
    warn: Fraction
    info: Fraction
    min_found: Annotated[int, Field(ge=1)]  # findings to measure, and at or above warn or info
    block_min_found: Annotated[int, Field(ge=1)]  # ... and a block threshold


class Threshold(DataModel):
    """The lowest score for one severity, and what was measured at and above it."""

    at: Fraction
    precision: Fraction
    found: WholeNumber


class CategoryCalibration(DataModel):
    labelled: WholeNumber
    measured: bool
    block: Threshold | None = None
    warn: Threshold | None = None
    info: Threshold | None = None
    note: Text | None = None

    def severity_for(self, score: float) -> Severity | None:
        for severity, threshold in (
            (Severity.BLOCK, self.block),
            (Severity.WARN, self.warn),
            (Severity.INFO, self.info),
        ):
            if threshold is not None and score >= threshold.at:
                return severity
        return None

    def precision_for(self, score: float) -> float | None:
        for threshold in (self.block, self.warn, self.info):
            if threshold is not None and score >= threshold.at:
                return threshold.precision if self.measured else None
        return None


class CalibrationFile(DataModel):
    """``models/calibration.yml``."""

    model: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    split: Text
    posts: WholeNumber
    bars: Bars
    categories: dict[str, CategoryCalibration]


RUN_RECORD = frozenset({"train_seconds"})  # what a rerun changes; not the model


def model_digest(directory: Path) -> str:
    """sha256 over the model artifacts a calibration belongs to: the weights' bytes and the
    content of the JSON files (parsed, so a checkout's line endings do not change it; how
    long the run took is left out, so a rerun of ``make train`` gives the same digest)."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        digest.update(name.encode())
        raw = (directory / name).read_bytes()
        if name.endswith(".json"):
            content = {k: v for k, v in json.loads(raw).items() if k not in RUN_RECORD}
            raw = json.dumps(content, sort_keys=True).encode()
        digest.update(raw)
    return digest.hexdigest()


@cache
def default_calibration() -> CalibrationFile:
    from tactful.models.cascade import artifacts_dir

    table = Source.package("tactful.models", "calibration.yml").load(CalibrationFile)
    actual = model_digest(artifacts_dir())
    if table.model != actual:
        raise RuleDataError(
            "models/calibration.yml was measured with other model artifacts "
            f"({table.model[:12]}…, these are {actual[:12]}…); run `make calibrate`"
        )
    return table
