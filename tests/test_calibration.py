"""Calibration: a model score's measured precision caps the finding's severity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import tactful
from tactful.core.findings import Finding, Severity
from tactful.core.policy import ResolvedPolicy, builtin_layers
from tactful.core.post import Post
from tactful.core.ruleset import default_ruleset
from tactful.errors import RuleDataError
from tactful.models import calibration
from tactful.models.calibration import CategoryCalibration, Threshold, model_digest
from tactful.models.cascade import artifacts_dir
from tactful.training.calibrate import BARS, _threshold


def test_shipped_table_matches_the_shipped_model() -> None:
    table = calibration.default_calibration()
    assert table.model == model_digest(artifacts_dir())
    assert table.split == "calibration" and table.bars == BARS
    for category, entry in table.categories.items():
        thresholds = [t for t in (entry.block, entry.warn, entry.info) if t is not None]
        # A stricter bar never starts at a lower score than a looser one.
        assert [t.at for t in thresholds] == sorted((t.at for t in thresholds), reverse=True)
        if entry.measured:
            found = max((t.found for t in thresholds), default=BARS.min_found)
            assert found >= BARS.min_found, category
            for t, bar in ((entry.block, BARS.block), (entry.warn, BARS.warn)):
                assert t is None or t.precision >= bar, category
        else:
            # Too few labelled posts to know: a note at most, never warn or block.
            assert entry.block is None and entry.warn is None, category
            assert entry.severity_for(0.99) in (Severity.INFO, None), category


def test_the_digest_ignores_how_meta_json_is_laid_out(tmp_path: Path) -> None:
    for name in calibration.MODEL_FILES:
        shutil.copy(artifacts_dir() / name, tmp_path / name)
    before = model_digest(tmp_path)
    meta = (tmp_path / "meta.json").read_text(encoding="utf-8")
    (tmp_path / "meta.json").write_bytes(meta.replace("\n", "\r\n").encode())
    assert model_digest(tmp_path) == before  # a Windows checkout's line endings
    # A rerun of `make train` records another duration, and is the same model.
    content = json.loads(meta)
    content["train_seconds"] = 1.0
    (tmp_path / "meta.json").write_text(json.dumps(content), encoding="utf-8")
    assert model_digest(tmp_path) == before
    content["clip"] = content["clip"] + 1  # anything else is another model
    (tmp_path / "meta.json").write_text(json.dumps(content), encoding="utf-8")
    assert model_digest(tmp_path) != before


def test_a_retrained_model_without_calibration_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in calibration.MODEL_FILES:
        shutil.copy(artifacts_dir() / name, tmp_path / name)
    (tmp_path / "meta.json").write_text('{"categories": []}', encoding="utf-8")
    monkeypatch.setattr("tactful.models.cascade.artifacts_dir", lambda: tmp_path)
    calibration.default_calibration.cache_clear()
    try:
        with pytest.raises(RuleDataError, match="make calibrate"):
            calibration.default_calibration()
    finally:
        calibration.default_calibration.cache_clear()


def test_thresholds_are_the_lowest_score_that_reaches_the_bar() -> None:
    # 10 findings at 0.9 all right, 10 at 0.7 half right, 10 at 0.55 all wrong.
    pairs = [(0.9, True)] * 10 + [(0.7, i % 2 == 0) for i in range(10)] + [(0.55, False)] * 10
    assert _threshold(pairs, 0.95, 10) == Threshold(at=0.9, precision=1.0, found=10)
    # Rounded down, so the finding that set a threshold is never below it.
    assert _threshold([(0.87659, True)] * 10, 0.9, 10) == Threshold(
        at=0.8765, precision=1.0, found=10
    )
    assert _threshold(pairs, 0.70, 10) == Threshold(at=0.7, precision=0.75, found=20)
    assert _threshold(pairs, 0.40, 10) == Threshold(at=0.55, precision=0.5, found=30)
    assert _threshold(pairs[:5], 0.5, 10) is None  # too few findings to measure


def test_severity_for_a_score() -> None:
    entry = CategoryCalibration(
        labelled=40,
        measured=True,
        warn=Threshold(at=0.8, precision=0.75, found=12),
        info=Threshold(at=0.6, precision=0.45, found=30),
    )
    assert entry.severity_for(0.95) is Severity.WARN
    assert entry.severity_for(0.7) is Severity.INFO
    assert entry.severity_for(0.55) is None
    assert entry.precision_for(0.85) == 0.75
    assert BARS.block == 0.95 and BARS.block_min_found >= 20


def _model_finding(rule_id: str, ceiling: Severity | None) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.WARN,
        spans=((0, 4),),
        score=0.9,
        message="m",
        explanation="e",
        suggestions=(),
        detector="classifier",
        check="model",
        ceiling=ceiling,
    )


def test_no_policy_layer_raises_a_finding_past_its_ceiling() -> None:
    post = Post.build("text", platform="linkedin", account_kind="professional")
    policy = ResolvedPolicy(builtin_layers(post), default_ruleset())
    # The professional layer raises offense.insult to block; the evidence supports warn.
    capped, _ = policy.apply([_model_finding("offense.insult", Severity.WARN)], "text")
    assert [f.severity for f in capped] == [Severity.WARN]
    free, _ = policy.apply([_model_finding("offense.insult", None)], "text")
    assert [f.severity for f in free] == [Severity.BLOCK]
    # A ceiling outranks a floor: offense.identity's floor is warn, the evidence says info.
    noted, _ = policy.apply([_model_finding("offense.identity", Severity.INFO)], "text")
    assert [f.severity for f in noted] == [Severity.INFO]


def test_model_findings_say_how_often_they_are_right_and_what_they_found() -> None:
    report = tactful.check(
        "Faith in the Lord is the only foundation a business can stand on. God first, always.",
        platform="linkedin",
        account_kind="professional",
    )
    religious = [f for f in report.findings if f.rule_id == "views.religious"]
    assert religious and religious[0].detector == "classifier"
    assert "right" in religious[0].explanation and "%" in religious[0].explanation
    assert "Found a religious term: “Lord”, “God”" in religious[0].explanation


def test_categories_the_real_posts_do_not_cover_warn_at_most() -> None:
    report = tactful.check("why do you even bother posting this rubbish, seriously", inbound=True)
    model = [f for f in report.findings if f.detector == "classifier"]
    assert model and any(f.rule_id.startswith("inbound.") for f in model)
    assert all(f.severity is not Severity.BLOCK and f.ceiling is not None for f in model)
