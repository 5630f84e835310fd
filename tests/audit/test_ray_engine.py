"""--engine ray: the same pipeline on Ray Data, against a local Ray instance this test starts.
Results must match the local engine's exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tactful.archives.synthetic import write
from tactful.cli.main import main

ray = pytest.importorskip("ray", reason="the dev extra installs Ray; CI always has it")

TEXTS = [
    "My idiot boss moved the deadline again.",
    "We shipped the new onboarding flow today.",
    "Still hungover from the bar crawl, shots shots shots.",
] * 50


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_the_local_engine(local_ray, tmp_path: Path) -> None:
    archive = write("mastodon", tmp_path / "export", TEXTS)
    outputs = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        result = CliRunner().invoke(
            main,
            [
                "audit",
                str(archive),
                "--engine",
                engine,
                "--workers",
                "2",
                "--fresh",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 1, (result.output, result.exception)
        assert "posts checked" in result.stdout
        outputs[engine] = (out / "findings.csv").read_text()
    assert outputs["ray"] == outputs["local"]
    assert outputs["ray"].count("\n") > 50


def test_a_cluster_address_is_used_without_local_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    from tactful.audit.engine import run_ray
    from tactful.audit.settings import AuditSettings
    from tactful.core.checker import Checker

    calls: dict = {}

    def fake_init(**kwargs):
        calls.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setenv("RAY_ADDRESS", "ray://head.example:10001")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fake_init)
    with pytest.raises(RuntimeError, match="stop here"):
        list(run_ray(Checker(detectors=["lexicon"]), AuditSettings(), iter([]), 2))
    assert calls == {"address": "ray://head.example:10001", "log_to_driver": False}
