"""A bounded schemathesis run against the published OpenAPI spec: whatever a client sends
within (or just outside) the documented shapes, the server answers without a 500."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from tactful.web import create_app  # noqa: E402
from tactful.web.auth import digest  # noqa: E402
from tactful.web.demo import seed  # noqa: E402

TOKEN = "fuzz-token"
_folder = Path(tempfile.mkdtemp(prefix="tactful-fuzz-"))
app = create_app(seed(_folder), digest(TOKEN), max_archive=256 * 1024)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_server_fail(case: object) -> None:
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})  # type: ignore[attr-defined]
    assert response.status_code < 500, f"{case}: {response.status_code} {response.text[:500]}"
    if case.path != "/session":  # type: ignore[attr-defined]  (made-up tokens fail there)
        assert response.status_code not in (401, 403), "the fuzzing must get past sign-in"


def test_the_fuzzing_covers_the_schedule() -> None:
    operations = {(m.upper(), path) for path, ops in app.openapi()["paths"].items() for m in ops}
    assert {
        ("GET", "/api/schedule"),
        ("POST", "/api/schedule"),
        ("GET", "/api/schedule/{post_id}"),
        ("PATCH", "/api/schedule/{post_id}"),
        ("POST", "/api/schedule/{post_id}/cancel"),
        ("POST", "/api/schedule/{post_id}/retry"),
        ("GET", "/api/schedule/notices"),
        ("GET", "/api/schedule/worker"),
    } <= operations
